// Package desk assembles the station's desktop app from its configuration:
// the database, keys, application store, users and the devices and engines
// the screens drive. Package main only creates the Fyne app and window.
package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/appstore"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/station/ui"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// Desk is the assembled app's dependencies and what must be closed.
type Desk struct {
	Deps ui.Deps
	DB   *store.DB
	// Missing lists the parts not wired in this build, for the log and
	// the home screen.
	Missing []string
}

// keyMaker creates the key file and the first data key at first run.
type keyMaker struct {
	path string
	db   *store.DB
}

func (k keyMaker) CreateKeys(ctx context.Context, stationID string) error {
	f, err := keys.LoadOrCreate(k.path)
	if err != nil {
		return err
	}
	_, err = keys.OpenKeyring(ctx, k.db, f)
	return err
}

// Open opens the database and keys named by cfg and builds the screens'
// dependencies. Devices and engines come from the areas that provide them
// (see devices.go); those not available are listed in Missing.
func Open(ctx context.Context, cfg *config.Config) (*Desk, error) {
	db, err := store.Open(ctx, cfg.DBPath, store.Options{})
	if err != nil {
		return nil, err
	}
	kf, err := keys.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("station keys: %w", err)
	}
	kr, err := keys.OpenKeyring(ctx, db, kf)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("station keys: %w", err)
	}
	d := &Desk{DB: db}
	// The tamper-evident audit log (privacy area) is wired here when it
	// lands; until then recorders are nil and nothing is audited.
	d.Missing = append(d.Missing, "audit log (station/audit Log)")
	repo := application.NewRepo(db, kr, kf.LookupKey(), nil)
	stationID, office := cfg.StationID, cfg.Office
	if v, err := db.Setting(ctx, auth.SettingStationID); err == nil {
		stationID = v
	} else if !errors.Is(err, store.ErrNotFound) {
		db.Close()
		return nil, err
	}
	if v, err := db.Setting(ctx, auth.SettingOffice); err == nil {
		office = v
	}
	d.Deps = ui.Deps{
		DB:           db,
		Users:        &auth.Users{DB: db},
		Apps:         &appstore.Store{Repo: repo},
		KeyMaker:     keyMaker{path: cfg.KeyFile, db: db},
		StationID:    stationID,
		Office:       office,
		PendingLimit: cfg.PendingLimit,
		IdleLogout:   cfg.IdleLogout,
		Policy:       workflow.DefaultPolicy(),
		ReceiptDir:   filepath.Join(cfg.DataDir, "receipts"),
		Demo:         cfg.Demo,
	}
	d.Missing = append(d.Missing, wireDevices(ctx, cfg, d)...)
	return d, nil
}

// Close closes the database.
func (d *Desk) Close() error { return d.DB.Close() }
