// Package cache is the station's local cache of citizen templates: card
// data, face descriptor and finger templates of the citizens of the
// office's area, against which the station verifies offline.
//
// Each citizen is one row, found by a keyed hash of the ID number, with
// everything else sealed in one AES-256-GCM blob (station/keys). Upstream
// changes arrive as signed, versioned deltas (sync/protocol) applied in one
// transaction, or as a full snapshot staged page by page and swapped in with
// one transaction: after a crash at any point the cache is the old one or
// the new one, never a mix. The matchers load their in-memory indexes from
// Each at start-up.
package cache

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// Sealer seals and opens blobs; *keys.Keyring is one.
type Sealer interface {
	Seal(ad, plaintext []byte) ([]byte, error)
	Open(ad, blob []byte) ([]byte, error)
}

// ErrNotFound is returned by Lookup for an ID number not in the cache.
var ErrNotFound = errors.New("citizen not in the cache")

// ErrVersion is returned when a delta does not start at the cache's version.
var ErrVersion = errors.New("delta does not apply to this cache version")

// Cache is the citizen template cache in the station database.
type Cache struct {
	db        *store.DB
	seal      Sealer
	lookupKey []byte
}

// New returns the cache stored in db. lookupKey keys the ID-number hashes
// (keys.File.LookupKey).
func New(db *store.DB, s Sealer, lookupKey []byte) *Cache {
	return &Cache{db: db, seal: s, lookupKey: lookupKey}
}

func recordAD(lookup []byte) []byte { return []byte("citizen/" + hex.EncodeToString(lookup)) }

// Version returns the cache version (0 for an empty cache that never synced).
func (c *Cache) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := c.db.QueryRowContext(ctx, `SELECT version FROM cache_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("cache version: %w", err)
	}
	return v, nil
}

// Count returns how many citizens the cache holds.
func (c *Cache) Count(ctx context.Context) (int, error) {
	var n int
	if err := c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM citizens`).Scan(&n); err != nil {
		return 0, fmt.Errorf("cache count: %w", err)
	}
	return n, nil
}

// Lookup returns the cached citizen with this ID number, for 1:1
// verification, or ErrNotFound.
func (c *Cache) Lookup(ctx context.Context, idNumber string) (*Citizen, error) {
	lk := keys.Lookup(c.lookupKey, idNumber)
	var sealed []byte
	var ver int64
	var src string
	err := c.db.QueryRowContext(ctx, `SELECT sealed, version, source FROM citizens WHERE lookup = ?`, lk).Scan(&sealed, &ver, &src)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cache lookup: %w", err)
	}
	return c.open(lk, sealed, ver, src)
}

func (c *Cache) open(lk, sealed []byte, ver int64, src string) (*Citizen, error) {
	plain, err := c.seal.Open(recordAD(lk), sealed)
	if err != nil {
		return nil, fmt.Errorf("cache record: %w", err)
	}
	var z Citizen
	if err := z.decode(plain); err != nil {
		return nil, err
	}
	z.Version, z.Source = ver, src
	return &z, nil
}

// Each calls fn for every cached citizen, in no particular order, from the
// calling goroutine; it stops at fn's first error. Records are opened and
// decoded on all cores. It is how the matchers' indexes load at start-up.
func (c *Cache) Each(ctx context.Context, fn func(Citizen) error) error {
	rows, err := c.db.QueryContext(ctx, `SELECT lookup, sealed, version, source FROM citizens`)
	if err != nil {
		return fmt.Errorf("cache scan: %w", err)
	}
	defer rows.Close()

	type raw struct {
		lk, sealed []byte
		ver        int64
		src        string
	}
	type chunk struct {
		in   []raw
		out  []Citizen
		err  error
		done chan struct{}
	}
	const chunkSize = 512
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *chunk, workers*2)
	order := make(chan *chunk, workers*4)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range work {
				ch.out = make([]Citizen, len(ch.in))
				for i, r := range ch.in {
					z, err := c.open(r.lk, r.sealed, r.ver, r.src)
					if err != nil {
						ch.err = err
						break
					}
					ch.out[i] = *z
				}
				close(ch.done)
			}
		}()
	}
	// The scanner feeds chunks; the caller's goroutine consumes them in
	// order, so fn needs no locking.
	scanErr := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		defer close(order)
		defer close(work)
		cur := &chunk{done: make(chan struct{})}
		// A chunk goes to the workers before the consumer waits for it,
		// so every chunk the consumer sees is completed.
		flush := func() bool {
			select {
			case work <- cur:
			case <-stop:
				return false
			}
			select {
			case order <- cur:
			case <-stop:
				return false
			}
			cur = &chunk{done: make(chan struct{})}
			return true
		}
		for rows.Next() {
			var r raw
			if err := rows.Scan(&r.lk, &r.sealed, &r.ver, &r.src); err != nil {
				scanErr <- err
				return
			}
			cur.in = append(cur.in, r)
			if len(cur.in) == chunkSize && !flush() {
				return
			}
		}
		if err := rows.Err(); err != nil {
			scanErr <- err
			return
		}
		if len(cur.in) > 0 {
			flush()
		}
	}()
	var ferr error
	for ch := range order {
		<-ch.done
		if ch.err == nil {
			ch.err = ctx.Err()
		}
		if ch.err != nil {
			ferr = ch.err
			break
		}
		for _, z := range ch.out {
			if err := fn(z); err != nil {
				ferr = err
				break
			}
		}
		if ferr != nil {
			break
		}
	}
	close(stop)
	for ch := range order { // drain so the scanner finishes
		<-ch.done
	}
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	select {
	case err := <-scanErr:
		return fmt.Errorf("cache scan: %w", err)
	default:
	}
	return ctx.Err()
}

// fromWire converts a verified protocol record.
func fromWire(r *protocol.Citizen) Citizen {
	z := Citizen{IDNumber: r.IDNumber, FullName: r.Card.FullName, DateOfBirth: r.Card.DateOfBirth, Sex: r.Card.Sex,
		PlaceOfOrigin: r.Card.PlaceOfOrigin, Residence: r.Card.Residence, Fingers: r.Fingers, Version: r.Version, Source: r.Source}
	if len(r.Face) == 4*protocol.FaceDescriptorSize {
		z.HasFace = true
		for i := range z.Face {
			z.Face[i] = math.Float32frombits(uint32(r.Face[4*i]) | uint32(r.Face[4*i+1])<<8 | uint32(r.Face[4*i+2])<<16 | uint32(r.Face[4*i+3])<<24)
		}
	}
	return z
}

// row seals z for table storage.
func (c *Cache) row(z *Citizen) (lk, sealed []byte, err error) {
	lk = keys.Lookup(c.lookupKey, z.IDNumber)
	sealed, err = c.seal.Seal(recordAD(lk), z.encode())
	return lk, sealed, err
}

// DeltaResult counts what a delta changed.
type DeltaResult struct {
	From, To         int64
	Upserted, Delete int
}

// ApplyDelta applies consecutive verified delta pages in one transaction.
// The first page must start at the cache's current version and each next
// one where the previous ended; otherwise nothing changes (ErrVersion).
func (c *Cache) ApplyDelta(ctx context.Context, pages []*protocol.CachePage) (DeltaResult, error) {
	var res DeltaResult
	if len(pages) == 0 {
		return res, nil
	}
	for i := 1; i < len(pages); i++ {
		if pages[i].From != pages[i-1].To {
			return res, fmt.Errorf("%w: page %d starts at %d, previous ended at %d", ErrVersion, i, pages[i].From, pages[i-1].To)
		}
	}
	// Seal outside the transaction: it is the slow part.
	type op struct {
		lk, sealed []byte
		ver        int64
		src        string
		del        bool
	}
	var ops []op
	for _, p := range pages {
		for i := range p.Records {
			r := &p.Records[i]
			if r.Deleted {
				ops = append(ops, op{lk: keys.Lookup(c.lookupKey, r.IDNumber), del: true})
				continue
			}
			z := fromWire(r)
			lk, sealed, err := c.row(&z)
			if err != nil {
				return res, err
			}
			ops = append(ops, op{lk: lk, sealed: sealed, ver: r.Version, src: r.Source})
		}
	}
	res.From, res.To = pages[0].From, pages[len(pages)-1].To
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		var cur int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM cache_state WHERE id = 1`).Scan(&cur); err != nil {
			return err
		}
		if cur != res.From {
			return fmt.Errorf("%w: cache is at %d, delta starts at %d", ErrVersion, cur, res.From)
		}
		up, err := tx.PrepareContext(ctx, `INSERT INTO citizens(lookup, sealed, version, source) VALUES (?, ?, ?, ?)
			ON CONFLICT(lookup) DO UPDATE SET sealed = excluded.sealed, version = excluded.version, source = excluded.source`)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, o := range ops {
			if o.del {
				r, err := tx.ExecContext(ctx, `DELETE FROM citizens WHERE lookup = ?`, o.lk)
				if err != nil {
					return err
				}
				n, _ := r.RowsAffected()
				res.Delete += int(n)
				continue
			}
			if _, err := up.ExecContext(ctx, o.lk, o.sealed, o.ver, o.src); err != nil {
				return err
			}
			res.Upserted++
		}
		_, err = tx.ExecContext(ctx, `UPDATE cache_state SET version = ?, applied_at = ? WHERE id = 1`, res.To, time.Now().UTC().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return DeltaResult{}, fmt.Errorf("apply cache delta %d→%d: %w", res.From, res.To, err)
	}
	return res, nil
}

// SnapshotProgress returns the version and cursor of a snapshot being
// staged (0, "" if none), so an interrupted download resumes.
func (c *Cache) SnapshotProgress(ctx context.Context) (version int64, cursor string, err error) {
	err = c.db.QueryRowContext(ctx, `SELECT snapshot_version, snapshot_cursor FROM cache_state WHERE id = 1`).Scan(&version, &cursor)
	return version, cursor, err
}

// StageSnapshotPage adds one verified snapshot page to the staging table
// and records the cursor, in one transaction. A page of a different
// snapshot version than the one staged restarts staging.
func (c *Cache) StageSnapshotPage(ctx context.Context, p *protocol.CachePage) error {
	type op struct {
		lk, sealed []byte
		ver        int64
		src        string
	}
	ops := make([]op, 0, len(p.Records))
	for i := range p.Records {
		r := &p.Records[i]
		if r.Deleted {
			continue
		}
		z := fromWire(r)
		lk, sealed, err := c.row(&z)
		if err != nil {
			return err
		}
		ops = append(ops, op{lk, sealed, r.Version, r.Source})
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		var sv int64
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT snapshot_version, snapshot_cursor FROM cache_state WHERE id = 1`).Scan(&sv, &cur); err != nil {
			return err
		}
		if sv != p.To || cur != p.After {
			if p.After != "" {
				return fmt.Errorf("snapshot page of version %d after %q does not continue staged version %d at %q", p.To, p.After, sv, cur)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM citizens_staging`); err != nil {
				return err
			}
		}
		st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO citizens_staging(lookup, sealed, version, source) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, o := range ops {
			if _, err := st.ExecContext(ctx, o.lk, o.sealed, o.ver, o.src); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE cache_state SET snapshot_version = ?, snapshot_cursor = ? WHERE id = 1`, p.To, p.Next)
		return err
	})
}

// CommitSnapshot replaces the cache with the staged snapshot of version v
// in one transaction.
func (c *Cache) CommitSnapshot(ctx context.Context, v int64) (int, error) {
	n := 0
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		var sv int64
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT snapshot_version, snapshot_cursor FROM cache_state WHERE id = 1`).Scan(&sv, &cur); err != nil {
			return err
		}
		if sv != v || cur != "" {
			return fmt.Errorf("snapshot %d is not completely staged (staged %d, cursor %q)", v, sv, cur)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM citizens`); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO citizens(lookup, sealed, version, source) SELECT lookup, sealed, version, source FROM citizens_staging`)
		if err != nil {
			return err
		}
		k, _ := r.RowsAffected()
		n = int(k)
		if _, err := tx.ExecContext(ctx, `DELETE FROM citizens_staging`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE cache_state SET version = ?, applied_at = ?, snapshot_version = 0, snapshot_cursor = '' WHERE id = 1`,
			v, time.Now().UTC().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("commit cache snapshot %d: %w", v, err)
	}
	return n, nil
}

// Reseal re-seals every cached record (and staged snapshot record) for a
// data-key rotation; it makes Cache a keys.Resealer.
func (c *Cache) Reseal(ctx context.Context, tx *sql.Tx, reseal func(ad, blob []byte) ([]byte, error)) (int, error) {
	n := 0
	for _, table := range []string{"citizens", "citizens_staging"} {
		rows, err := tx.QueryContext(ctx, `SELECT rowid, lookup, sealed FROM `+table)
		if err != nil {
			return n, err
		}
		type r struct {
			id         int64
			lk, sealed []byte
		}
		var all []r
		for rows.Next() {
			var x r
			if err := rows.Scan(&x.id, &x.lk, &x.sealed); err != nil {
				rows.Close()
				return n, err
			}
			all = append(all, x)
		}
		rows.Close()
		st, err := tx.PrepareContext(ctx, `UPDATE `+table+` SET sealed = ? WHERE rowid = ?`)
		if err != nil {
			return n, err
		}
		for _, x := range all {
			b, err := reseal(recordAD(x.lk), x.sealed)
			if err != nil {
				st.Close()
				return n, fmt.Errorf("%s record: %w", table, err)
			}
			if _, err := st.ExecContext(ctx, b, x.id); err != nil {
				st.Close()
				return n, err
			}
			n++
		}
		st.Close()
	}
	return n, nil
}

// Erase deletes the cached record of the citizen with this ID number, for
// a data-subject erasure request, and returns how many records it deleted
// (0 or 1). Upstream sends the record again with a later delta if it still
// holds the citizen for this office.
func (c *Cache) Erase(ctx context.Context, idNumber string) (int, error) {
	res, err := c.db.ExecContext(ctx, `DELETE FROM citizens WHERE lookup = ?`, keys.Lookup(c.lookupKey, idNumber))
	if err != nil {
		return 0, fmt.Errorf("cache erase: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
