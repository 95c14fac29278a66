// Package store is the station's local state: one SQLite database file,
// opened the same way by every part of the station.
//
// The database runs in WAL mode with synchronous=FULL, so a transaction that
// has committed survives a crash or a power cut; foreign keys are enforced;
// writers wait (busy timeout) instead of failing when another connection
// holds the lock; secure_delete overwrites freed pages so deleted personal
// data does not linger in the file. The schema is versioned: the SQL files in
// migrations/ are applied at Open, each in its own transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver, registered as "sqlite3"
)

// DB is an open station database.
type DB struct {
	*sql.DB
	path string
}

// Options tunes Open. The zero value is what the station uses.
type Options struct {
	// BusyTimeoutMillis is how long a writer waits for the lock before
	// SQLITE_BUSY. Zero means 10 seconds.
	BusyTimeoutMillis int
	// SkipMigrations opens the file without applying pending migrations,
	// for tools that inspect an old database.
	SkipMigrations bool
}

// Open opens (creating if needed) the database file at path and applies any
// pending migrations. The folder is created with mode 0700: the file holds
// personal data.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("open store: empty database path")
	}
	if path != ":memory:" {
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open store: create data directory %s: %w", dir, err)
		}
		if err := checkWritable(dir); err != nil {
			return nil, fmt.Errorf("open store: data directory %s is not writable: %w", dir, err)
		}
	}
	busy := opts.BusyTimeoutMillis
	if busy == 0 {
		busy = 10000
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", fmt.Sprint(busy))
	q.Set("_secure_delete", "on")
	// Every transaction takes the write lock at BEGIN: two read-then-write
	// transactions can then never deadlock into SQLITE_BUSY mid-way.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	if path == ":memory:" {
		dsn = "file::memory:?" + q.Encode()
	}
	sqldb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if path == ":memory:" {
		// Each connection to :memory: would be its own empty database.
		sqldb.SetMaxOpenConns(1)
	}
	db := &DB{DB: sqldb, path: path}
	if err := db.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if path != ":memory:" {
		// The file holds personal data: owner only, whatever the umask.
		_ = os.Chmod(path, 0o600)
	}
	if !opts.SkipMigrations {
		if err := db.Migrate(ctx); err != nil {
			sqldb.Close()
			return nil, err
		}
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Tx runs fn inside one transaction. It commits when fn returns nil and
// rolls back otherwise (also when fn panics, re-panicking afterwards).
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// Checkpoint copies the WAL into the main file and truncates it, for
// backups and before reporting the file's size.
func (db *DB) Checkpoint(ctx context.Context) error {
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
