// Package desk assembles the station's desktop app from its configuration:
// the database, keys, application store, users and the devices and engines
// the screens drive. Package main only creates the Fyne app and window.
package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/appstore"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
	"github.com/dinhdanh/dinhdanh/station/ui"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// Desk is the assembled app's dependencies and what must be closed.
type Desk struct {
	Deps ui.Deps
	DB   *store.DB
	// Audit is the station's audit log and Integrity what its start-up
	// check found.
	Audit     *audit.Log
	Integrity audit.Integrity
	// Missing lists the parts not wired in this build, for the log and
	// the home screen.
	Missing []string
	// DemoCard is what to type for the demo card (ID number and dates).
	DemoCard string

	closers []func() error
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
	// Checkpoints of the hash-chained audit log are signed with the
	// station's own key.
	log, err := audit.New(db, audit.Options{Signer: kf.Signing})
	if err != nil {
		db.Close()
		return nil, err
	}
	d.Audit = log
	d.Integrity = log.CheckIntegrity(ctx)
	repo := application.NewRepo(db, kr, kf.LookupKey(), log)
	users := &auth.Users{DB: db, Audit: log}
	if cfg.Demo {
		if err := demoAccounts(ctx, users, cfg, keyMaker{path: cfg.KeyFile, db: db}); err != nil {
			db.Close()
			return nil, err
		}
	}
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
		Users:        users,
		Audit:        log,
		Gate:         log,
		Apps:         &appstore.Store{Repo: repo, Consents: consent.NewStore(log)},
		Consent:      consentTexts{},
		KeyMaker:     keyMaker{path: cfg.KeyFile, db: db},
		StationID:    stationID,
		Office:       office,
		PendingLimit: cfg.PendingLimit,
		IdleLogout:   cfg.IdleLogout,
		Policy:       workflow.DefaultPolicy(),
		ReceiptDir:   filepath.Join(cfg.DataDir, "receipts"),
		Demo:         cfg.Demo,
	}
	if cfg.Demo {
		for _, a := range DemoAccounts {
			d.Deps.DemoLogins = append(d.Deps.DemoLogins, a[0]+" / "+a[1]+" ("+a[2]+")")
		}
	}
	d.Deps.LastSync = func(ctx context.Context) time.Time { return lastSync(ctx, db) }
	d.Missing = append(d.Missing, wireDevices(ctx, cfg, d, kr, kf)...)
	d.Deps.DemoCard = d.DemoCard
	return d, nil
}

// DemoAccounts are the accounts demo mode creates on a new database, shown
// on the log-in screen: user name → password.
var DemoAccounts = [][3]string{
	{"giamsat", "giamsat2026", "supervisor"},
	{"canbo", "canbo20261", "officer"},
	{"kythuat", "kythuat2026", "technician"},
}

// demoAccounts sets a new demo station up with one account per role, so a
// new user goes straight to log-in.
func demoAccounts(ctx context.Context, users *auth.Users, cfg *config.Config, km auth.KeyMaker) error {
	need, err := auth.NeedsSetup(ctx, users.DB)
	if err != nil || !need {
		return err
	}
	sup := DemoAccounts[0]
	if err := users.RunSetup(ctx, auth.Setup{StationID: cfg.StationID, Office: cfg.Office,
		Supervisor: auth.User{Name: sup[0], FullName: "Trần Văn Giám (demo)"}, Password: sup[1]}, km); err != nil {
		return fmt.Errorf("demo set-up: %w", err)
	}
	names := map[string]string{"officer": "Lê Thị Cán (demo)", "technician": "Phạm Văn Kỹ (demo)"}
	for _, a := range DemoAccounts[1:] {
		if err := users.Create(ctx, "setup", auth.User{Name: a[0], FullName: names[a[2]], Role: auth.Role(a[2])}, a[1]); err != nil {
			return fmt.Errorf("demo set-up: %w", err)
		}
	}
	return nil
}

// lastSync is when the nightly sync last finished: its audit entry, or
// failing that (a sync run without the audit log) the last application
// state it changed.
func lastSync(ctx context.Context, db *store.DB) time.Time {
	var latest time.Time
	var s sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT MAX(time) FROM audit_log WHERE action = 'sync.completed'`).Scan(&s); err == nil && s.Valid {
		latest, _ = time.Parse(audit.TimeFormat, s.String)
	}
	if err := db.QueryRowContext(ctx, `SELECT MAX(at) FROM application_events WHERE actor = 'sync'`).Scan(&s); err == nil && s.Valid {
		if t, err := time.Parse(time.RFC3339Nano, s.String); err == nil && t.After(latest) {
			latest = t
		}
	}
	return latest
}

// consentTexts serves the privacy area's consent notices (assets/consent)
// to the consent step, in their current version.
type consentTexts struct{}

func (consentTexts) ConsentText(lang string) (string, string) {
	t, err := consenttext.Text(consenttext.Current, lang)
	if err != nil {
		t, _ = consenttext.Text(consenttext.Current, "vi")
	}
	return t, consenttext.Current
}

// Close releases the engines and devices, then the database.
func (d *Desk) Close() error {
	for i := len(d.closers) - 1; i >= 0; i-- {
		_ = d.closers[i]()
	}
	return d.DB.Close()
}
