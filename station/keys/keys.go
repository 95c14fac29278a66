// Package keys holds the station's secrets: the key file, the data keys that
// seal personal data at rest, and the station's TLS client certificate.
//
// The key file (station.key, mode 0600, created at first run) holds two
// secrets: an Ed25519 signing key, which identifies the station upstream
// (it signs upload batches and is the key of the station's mutual-TLS
// certificate), and a 256-bit key-encryption key (KEK). The KEK never seals
// data itself: it wraps the data keys, which live in the database
// (table data_keys) and seal biometric blobs, images and card data with
// AES-256-GCM. Rotation adds a new data key and re-seals every sealed column
// under it in one transaction, then forgets the old key.
//
// Separating the two means the database file alone (a stolen backup) reveals
// nothing, and the key file alone holds no personal data.
package keys

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// File is the decoded station key file.
type File struct {
	// StationID names this station upstream, e.g. "st-3f9a1c2b".
	StationID string
	// Signing is the station's Ed25519 private key.
	Signing ed25519.PrivateKey
	// KEK wraps the data keys stored in the database.
	KEK []byte
	// PreviousKEK is set only while a KEK rotation is under way (or was
	// interrupted): data keys may still be wrapped by it.
	PreviousKEK []byte
	// lookup keys the hashes by which rows are found by ID number. It is
	// its own secret so that the KEK can one day be rotated without
	// rehashing every row.
	lookup []byte
	// Created is when the file was made.
	Created time.Time
}

type fileJSON struct {
	Format    string    `json:"format"`
	StationID string    `json:"station_id"`
	Seed      string    `json:"ed25519_seed"`
	KEK       string    `json:"kek"`
	Lookup    string    `json:"lookup_key"`
	Previous  string    `json:"previous_kek,omitempty"`
	Created   time.Time `json:"created"`
}

const fileFormat = "dinhdanh-station-key-v1"

// LoadOrCreate reads the key file at path, creating it (mode 0600, in a
// 0700 folder) with fresh random keys if it does not exist. A file readable
// by group or others is refused: the keys would no longer be secret.
func LoadOrCreate(path string) (*File, error) {
	f, err := Load(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return f, err
	}
	nf, err := generate()
	if err != nil {
		return nil, err
	}
	if err := nf.write(path); err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return Load(path)
		}
		return nil, err
	}
	return nf, nil
}

func generate() (*File, error) {
	seed := make([]byte, ed25519.SeedSize)
	kek := make([]byte, 32)
	lookup := make([]byte, 32)
	id := make([]byte, 4)
	for _, b := range [][]byte{seed, kek, lookup, id} {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("generate station keys: %w", err)
		}
	}
	return &File{
		StationID: fmt.Sprintf("st-%x", id),
		Signing:   ed25519.NewKeyFromSeed(seed),
		KEK:       kek,
		lookup:    lookup,
		Created:   time.Now().UTC().Truncate(time.Second),
	}, nil
}

// Load reads an existing key file.
func Load(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("station key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("station key file %s has mode %v: must be 0600 (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("station key file: %w", err)
	}
	var j fileJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("station key file %s: %w", path, err)
	}
	if j.Format != fileFormat {
		return nil, fmt.Errorf("station key file %s: unknown format %q", path, j.Format)
	}
	seed, err1 := base64.StdEncoding.DecodeString(j.Seed)
	kek, err2 := base64.StdEncoding.DecodeString(j.KEK)
	lookup, err3 := base64.StdEncoding.DecodeString(j.Lookup)
	if err1 != nil || err2 != nil || err3 != nil || len(seed) != ed25519.SeedSize || len(kek) != 32 || len(lookup) != 32 || j.StationID == "" {
		return nil, fmt.Errorf("station key file %s: damaged key material", path)
	}
	f := &File{StationID: j.StationID, Signing: ed25519.NewKeyFromSeed(seed), KEK: kek, lookup: lookup, Created: j.Created}
	if j.Previous != "" {
		if f.PreviousKEK, err = base64.StdEncoding.DecodeString(j.Previous); err != nil || len(f.PreviousKEK) != 32 {
			return nil, fmt.Errorf("station key file %s: damaged previous KEK", path)
		}
	}
	return f, nil
}

// write creates the file exclusively and durably: a half-written key file
// after a power cut would lock the station out of its own data.
func (f *File) write(path string) error { return f.store(path, false) }

// store writes the file durably; replace swaps it atomically for an
// existing one (rename), otherwise an existing file is never overwritten.
func (f *File) store(path string, replace bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key folder: %w", err)
	}
	b, err := json.MarshalIndent(fileJSON{
		Format:    fileFormat,
		StationID: f.StationID,
		Seed:      base64.StdEncoding.EncodeToString(f.Signing.Seed()),
		KEK:       base64.StdEncoding.EncodeToString(f.KEK),
		Lookup:    base64.StdEncoding.EncodeToString(f.lookup),
		Previous:  b64(f.PreviousKEK),
		Created:   f.Created,
	}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".station-key-*")
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	tmp.Close()
	if replace {
		if err := os.Rename(tmp.Name(), path); err != nil {
			return fmt.Errorf("replace key file: %w", err)
		}
	} else if err := os.Link(tmp.Name(), path); err != nil {
		// Link fails if path exists: never overwrite a key file.
		return fmt.Errorf("write key file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// LookupKey returns the key for keyed hashes of ID numbers (HMAC-SHA256),
// so that rows can be found by ID number without storing it in the clear.
// It is a secret of its own, stable across data-key rotation.
func (f *File) LookupKey() []byte { return f.lookup }

// Lookup returns the keyed hash of an ID number under key.
func Lookup(key []byte, idNumber string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(idNumber))
	return m.Sum(nil)[:16]
}

func b64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
