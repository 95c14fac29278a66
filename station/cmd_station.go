package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// station is the station's state opened from the shared configuration:
// the database, the audit log and, when the key file exists, the keys and
// the stores sealed with them.
type station struct {
	DB  *store.DB
	Log *audit.Log
	// Key, Keyring, Apps and Cache are nil when the key file does not
	// exist: nothing sealed can have been written without it.
	Key     *keys.File
	Keyring *keys.Keyring
	Apps    *application.Repo
	Cache   *cache.Cache
}

// openOptions says how much of the station a command needs.
type openOptions struct {
	// ReadOnly refuses to create a missing database and skips migrations.
	ReadOnly bool
	// NeedKeys fails when the key file is missing.
	NeedKeys bool
	// Stores opens the keyring, the application store and the template
	// cache (when the key file exists).
	Stores bool
}

// openStation opens the database at cfg.DBPath and the audit log, its
// checkpoints signed with the station's Ed25519 key from cfg.KeyFile. The
// key file is never created here ("station keys init" does that).
func openStation(ctx context.Context, cfg *config.Config, o openOptions) (*station, error) {
	if o.ReadOnly {
		if _, err := os.Stat(cfg.DBPath); err != nil {
			return nil, fmt.Errorf("open %s: %w", cfg.DBPath, err)
		}
	}
	kf, err := keys.Load(cfg.KeyFile)
	switch {
	case errors.Is(err, os.ErrNotExist) && !o.NeedKeys:
		kf = nil
	case err != nil:
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DBPath, store.Options{SkipMigrations: o.ReadOnly})
	if err != nil {
		return nil, err
	}
	s := &station{DB: db, Key: kf}
	var aopts audit.Options
	if kf != nil {
		aopts.Signer = kf.Signing
	}
	if s.Log, err = audit.New(db, aopts); err != nil {
		db.Close()
		return nil, err
	}
	if kf == nil || o.ReadOnly || !o.Stores {
		return s, nil
	}
	if s.Keyring, err = keys.OpenKeyring(ctx, db, kf); err != nil {
		db.Close()
		return nil, err
	}
	s.Apps = application.NewRepo(db, s.Keyring, kf.LookupKey(), s.Log)
	s.Cache = cache.New(db, s.Keyring, kf.LookupKey())
	return s, nil
}

// Close closes the database.
func (s *station) Close() error { return s.DB.Close() }

// trustFile is the upstream trust bundle written at enrolment, in the data
// folder unless the command's -trust flag names another file.
func trustFile(cfg *config.Config, flagVal string) string {
	if flagVal != "" {
		return flagVal
	}
	return filepath.Join(cfg.DataDir, "upstream-trust.json")
}
