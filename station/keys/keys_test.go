package keys

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/store"
)

func TestKeyFileCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "station.key")
	f1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode().Perm(), err)
	}
	f2, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f1.KEK, f2.KEK) || !f1.Signing.Equal(f2.Signing) || f1.StationID != f2.StationID {
		t.Fatal("second LoadOrCreate made new keys")
	}
	os.Chmod(path, 0o644)
	if _, err := Load(path); err == nil {
		t.Fatal("Load accepted a world-readable key file")
	}
}

type table struct{ db *store.DB }

func (t table) Reseal(ctx context.Context, tx *sql.Tx, reseal func(ad, blob []byte) ([]byte, error)) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM blobs`)
	if err != nil {
		return 0, err
	}
	m := map[string][]byte{}
	for rows.Next() {
		var k string
		var v []byte
		rows.Scan(&k, &v)
		m[k] = v
	}
	rows.Close()
	for k, v := range m {
		nb, err := reseal([]byte(k), v)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE blobs SET value = ? WHERE key = ?`, nb, k); err != nil {
			return 0, err
		}
	}
	return len(m), nil
}

func TestSealOpenRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := LoadOrCreate(filepath.Join(dir, "station.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, err := OpenKeyring(ctx, db, f)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("fingerprint template bytes")
	blob, err := kr.Seal([]byte("row/1"), secret)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, secret) {
		t.Fatal("sealed blob contains the plaintext")
	}
	if got, err := kr.Open([]byte("row/1"), blob); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := kr.Open([]byte("row/2"), blob); !errors.Is(err, ErrOpen) {
		t.Fatalf("blob opened under another row's identity: %v", err)
	}
	bad := bytes.Clone(blob)
	bad[len(bad)-1] ^= 1
	if _, err := kr.Open([]byte("row/1"), bad); !errors.Is(err, ErrOpen) {
		t.Fatalf("altered blob opened: %v", err)
	}

	db.ExecContext(ctx, `CREATE TABLE blobs(key TEXT PRIMARY KEY, value BLOB)`)
	db.ExecContext(ctx, `INSERT INTO blobs VALUES ('row/1', ?)`, blob)
	old := kr.ActiveKeyID()
	n, err := kr.Rotate(ctx, nil, "tech", table{db})
	if err != nil || n != 1 {
		t.Fatalf("Rotate = %d, %v", n, err)
	}
	if kr.ActiveKeyID() == old {
		t.Fatal("active key unchanged after rotation")
	}
	var nb []byte
	db.QueryRowContext(ctx, `SELECT value FROM blobs`).Scan(&nb)
	if got, err := kr.Open([]byte("row/1"), nb); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("re-sealed blob: %q, %v", got, err)
	}
	if _, err := kr.Open([]byte("row/1"), blob); err == nil {
		t.Fatal("blob under the deleted old key still opens")
	}
	// A fresh keyring over the same files sees the rotated key.
	kr2, err := OpenKeyring(ctx, db, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr2.Open([]byte("row/1"), nb); err != nil {
		t.Fatal(err)
	}
	// Another station's key file cannot unwrap this database's keys.
	other, _ := LoadOrCreate(filepath.Join(dir, "other.key"))
	if _, err := OpenKeyring(ctx, db, other); err == nil {
		t.Fatal("foreign key file opened the keyring")
	}
}

func TestRotateKEK(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "station.key")
	f, _ := LoadOrCreate(path)
	db, err := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, _ := OpenKeyring(ctx, db, f)
	blob, _ := kr.Seal([]byte("x"), []byte("secret"))
	opens := func(label string) *File {
		t.Helper()
		f2, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		kr2, err := OpenKeyring(ctx, db, f2)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if pt, err := kr2.Open([]byte("x"), blob); err != nil || string(pt) != "secret" {
			t.Fatalf("%s: %q %v", label, pt, err)
		}
		return f2
	}
	if err := RotateKEK(ctx, db, path, nil, "tech"); err != nil {
		t.Fatal(err)
	}
	f2 := opens("after rotation")
	if bytes.Equal(f2.KEK, f.KEK) || f2.PreviousKEK != nil || !bytes.Equal(f2.LookupKey(), f.LookupKey()) {
		t.Fatal("KEK not replaced, previous kept, or lookup key changed")
	}
	// Interrupted after the first step: file holds a new KEK and the
	// current one, the database is still wrapped by the current one.
	mid := *f2
	mid.KEK, mid.PreviousKEK = bytes.Repeat([]byte{7}, 32), f2.KEK
	if err := mid.store(path, true); err != nil {
		t.Fatal(err)
	}
	opens("interrupted")
	if err := RotateKEK(ctx, db, path, nil, "tech"); err != nil {
		t.Fatal(err)
	}
	if f3 := opens("resumed"); f3.PreviousKEK != nil || !bytes.Equal(f3.KEK, mid.KEK) {
		t.Fatal("resumed rotation did not finish under the chosen KEK")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v after rotation", st.Mode().Perm())
	}
}
