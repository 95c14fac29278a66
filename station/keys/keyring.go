package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// sealVersion is the first byte of every sealed blob.
const sealVersion = 1

// overhead is the size a sealed blob adds to its plaintext: version byte,
// key id, nonce and GCM tag.
const overhead = 1 + 4 + 12 + 16

// ErrOpen is returned when a sealed blob cannot be opened: it was altered,
// moved to another row (wrong associated data), or its key is gone.
var ErrOpen = errors.New("sealed data cannot be opened")

// Keyring seals and opens blobs with the station's data keys. It is safe for
// concurrent use.
type Keyring struct {
	db      *store.DB
	kek     cipher.AEAD
	prevKEK cipher.AEAD // during a KEK rotation

	mu     sync.RWMutex
	keys   map[uint32]cipher.AEAD
	active uint32
}

// OpenKeyring loads the data keys from db, unwrapping them with f's KEK,
// and creates the first data key on a new database.
func OpenKeyring(ctx context.Context, db *store.DB, f *File) (*Keyring, error) {
	kek, err := newGCM(f.KEK)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{db: db, kek: kek}
	if f.PreviousKEK != nil {
		if kr.prevKEK, err = newGCM(f.PreviousKEK); err != nil {
			return nil, err
		}
	}
	if err := kr.load(ctx); err != nil {
		return nil, err
	}
	if len(kr.keys) == 0 {
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := kr.addKey(ctx, tx)
			return err
		}); err != nil {
			return nil, fmt.Errorf("create first data key: %w", err)
		}
		if err := kr.load(ctx); err != nil {
			return nil, err
		}
	}
	return kr, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return cipher.NewGCM(b)
}

func wrapAD(id uint32) []byte {
	return []byte("dinhdanh data key " + strconv.FormatUint(uint64(id), 10))
}

func (kr *Keyring) load(ctx context.Context) error {
	rows, err := kr.db.QueryContext(ctx, `SELECT id, wrapped, active FROM data_keys`)
	if err != nil {
		return fmt.Errorf("load data keys: %w", err)
	}
	defer rows.Close()
	keys := map[uint32]cipher.AEAD{}
	var active uint32
	for rows.Next() {
		var id uint32
		var wrapped []byte
		var act bool
		if err := rows.Scan(&id, &wrapped, &act); err != nil {
			return fmt.Errorf("load data keys: %w", err)
		}
		a, err := kr.unwrap(id, wrapped)
		if err != nil {
			return err
		}
		keys[id] = a
		if act {
			active = id
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load data keys: %w", err)
	}
	if len(keys) > 0 && active == 0 {
		return errors.New("load data keys: no active data key")
	}
	kr.mu.Lock()
	kr.keys, kr.active = keys, active
	kr.mu.Unlock()
	return nil
}

func (kr *Keyring) unwrap(id uint32, wrapped []byte) (cipher.AEAD, error) {
	raw, err := kr.unwrapRaw(id, wrapped)
	if err != nil {
		return nil, err
	}
	return newGCM(raw)
}

func (kr *Keyring) unwrapRaw(id uint32, wrapped []byte) ([]byte, error) {
	ns := kr.kek.NonceSize()
	if len(wrapped) < ns {
		return nil, fmt.Errorf("data key %d: wrapped key too short", id)
	}
	for _, k := range []cipher.AEAD{kr.kek, kr.prevKEK} {
		if k == nil {
			continue
		}
		if raw, err := k.Open(nil, wrapped[:ns], wrapped[ns:], wrapAD(id)); err == nil {
			return raw, nil
		}
	}
	return nil, fmt.Errorf("data key %d cannot be unwrapped: the station key file does not belong to this database", id)
}

// RotateKEK replaces the key-encryption key in the key file at path and
// re-wraps every data key in db under the new one. Sealed data is not
// touched. Crash-safe in three durable steps: the key file first holds the
// new and the old KEK, then the data keys are re-wrapped in one
// transaction, then the old KEK is dropped from the file; after a crash at
// any point the keys still open (run it again to finish).
func RotateKEK(ctx context.Context, db *store.DB, path string, rec audit.Recorder, actor string) error {
	f, err := Load(path)
	if err != nil {
		return err
	}
	kr, err := OpenKeyring(ctx, db, f)
	if err != nil {
		return err
	}
	next := *f
	if f.PreviousKEK == nil {
		next.KEK = make([]byte, 32)
		if _, err := rand.Read(next.KEK); err != nil {
			return err
		}
		next.PreviousKEK = f.KEK
		if err := next.store(path, true); err != nil {
			return err
		}
	} // else an interrupted rotation: finish it under the KEK it chose

	newKEK, err := newGCM(next.KEK)
	if err != nil {
		return err
	}
	n := 0
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, wrapped FROM data_keys`)
		if err != nil {
			return err
		}
		type row struct {
			id      uint32
			wrapped []byte
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		for _, r := range all {
			raw, err := kr.unwrapRaw(r.id, r.wrapped)
			if err != nil {
				return err
			}
			nonce := make([]byte, newKEK.NonceSize())
			if _, err := rand.Read(nonce); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = ? WHERE id = ?`, newKEK.Seal(nonce, nonce, raw, wrapAD(r.id)), r.id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rotate KEK: re-wrap data keys: %w (the key file holds both KEKs; run the rotation again)", err)
	}
	next.PreviousKEK = nil
	if err := next.store(path, true); err != nil {
		return fmt.Errorf("rotate KEK: %w (the key file still holds the old KEK too; run the rotation again)", err)
	}
	if rec != nil {
		return rec.Record(ctx, audit.Entry{Actor: actor, Role: "technician", Action: "keys.kek_rotated", Object: f.StationID,
			Outcome: "ok", Detail: map[string]string{"data_keys": strconv.Itoa(n)}})
	}
	return nil
}

// addKey makes a new random data key, stores it wrapped and active, and
// returns its id and cipher. Earlier keys stay, inactive.
func (kr *Keyring) addKey(ctx context.Context, tx *sql.Tx) (uint32, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return 0, err
	}
	var next uint32
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM data_keys`).Scan(&next); err != nil {
		return 0, err
	}
	nonce := make([]byte, kr.kek.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return 0, err
	}
	wrapped := kr.kek.Seal(nonce, nonce, raw, wrapAD(next))
	if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET active = 0 WHERE active = 1`); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO data_keys(id, wrapped, active, created_at) VALUES (?, ?, 1, ?)`,
		next, wrapped, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return 0, err
	}
	return next, nil
}

// Seal encrypts plaintext under the active data key. ad is the associated
// data, which must name the row and column the blob belongs to (e.g.
// "application/<uuid>/portrait"), so that a blob copied to another row does
// not open there.
func (kr *Keyring) Seal(ad, plaintext []byte) ([]byte, error) {
	kr.mu.RLock()
	id, a := kr.active, kr.keys[kr.active]
	kr.mu.RUnlock()
	return seal(id, a, ad, plaintext)
}

func seal(id uint32, a cipher.AEAD, ad, plaintext []byte) ([]byte, error) {
	if a == nil {
		return nil, errors.New("seal: no active data key")
	}
	out := make([]byte, 5+12, 5+12+len(plaintext)+16)
	out[0] = sealVersion
	binary.BigEndian.PutUint32(out[1:5], id)
	if _, err := rand.Read(out[5:17]); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return a.Seal(out, out[5:17], plaintext, ad), nil
}

// Open decrypts a blob made by Seal with the same associated data.
func (kr *Keyring) Open(ad, blob []byte) ([]byte, error) {
	if len(blob) < overhead || blob[0] != sealVersion {
		return nil, fmt.Errorf("%w: not a sealed blob", ErrOpen)
	}
	id := binary.BigEndian.Uint32(blob[1:5])
	kr.mu.RLock()
	a := kr.keys[id]
	kr.mu.RUnlock()
	if a == nil {
		return nil, fmt.Errorf("%w: data key %d unknown", ErrOpen, id)
	}
	pt, err := a.Open(nil, blob[5:17], blob[17:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrOpen)
	}
	return pt, nil
}

// ActiveKeyID returns the id of the data key that seals new blobs.
func (kr *Keyring) ActiveKeyID() uint32 {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active
}

// Resealer is a table holding sealed blobs. Reseal must pass every sealed
// blob it holds through reseal, inside tx, storing the result in place of
// the old blob, and return how many blobs it re-sealed.
type Resealer interface {
	Reseal(ctx context.Context, tx *sql.Tx, reseal func(ad, blob []byte) ([]byte, error)) (int, error)
}

// Rotate creates a new data key, re-seals every blob held by the given
// tables under it and deletes the old keys, all in one transaction: after a
// crash the database holds either the old keys and blobs or the new ones.
// Every table that holds sealed blobs must be passed, or its blobs become
// unreadable. The rotation is recorded through rec.
func (kr *Keyring) Rotate(ctx context.Context, rec audit.Recorder, actor string, tables ...Resealer) (resealed int, err error) {
	var newID uint32
	err = kr.db.Tx(ctx, func(tx *sql.Tx) error {
		id, err := kr.addKey(ctx, tx)
		if err != nil {
			return fmt.Errorf("new data key: %w", err)
		}
		newID = id
		var wrapped []byte
		if err := tx.QueryRowContext(ctx, `SELECT wrapped FROM data_keys WHERE id = ?`, id).Scan(&wrapped); err != nil {
			return err
		}
		na, err := kr.unwrap(id, wrapped)
		if err != nil {
			return err
		}
		reseal := func(ad, blob []byte) ([]byte, error) {
			pt, err := kr.Open(ad, blob)
			if err != nil {
				return nil, err
			}
			return seal(id, na, ad, pt)
		}
		for _, t := range tables {
			n, err := t.Reseal(ctx, tx, reseal)
			if err != nil {
				return fmt.Errorf("re-seal: %w", err)
			}
			resealed += n
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM data_keys WHERE id <> ?`, id)
		return err
	})
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	if rec != nil {
		if rerr := rec.Record(ctx, audit.Entry{Actor: actor, Role: "technician", Action: "keys.rotated",
			Object: fmt.Sprintf("data-key-%d", newID), Outcome: outcome,
			Detail: map[string]string{"resealed": strconv.Itoa(resealed)}}); rerr != nil && err == nil {
			err = fmt.Errorf("audit key rotation: %w", rerr)
		}
	}
	if err != nil {
		kr.load(ctx)
		return 0, fmt.Errorf("rotate data key: %w", err)
	}
	return resealed, kr.load(ctx)
}
