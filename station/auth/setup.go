package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/station/store"
)

// Settings keys written by the first-run set-up.
const (
	SettingStationID = "station.id"
	SettingOffice    = "station.office"
	SettingSetupAt   = "station.setup_at"
)

// Setup is what the first-run screen asks for.
type Setup struct {
	StationID  string // e.g. "HN-BA-DINH-01"
	Office     string // the police office's name
	Supervisor User   // the first supervisor; Role is forced
	Password   string
}

// KeyMaker creates the station's keys (signing and at-rest encryption) on
// first run. The real one lives in station/keys; nil skips key creation
// and the set-up reports it.
type KeyMaker interface {
	CreateKeys(ctx context.Context, stationID string) error
}

// NeedsSetup reports whether the first-run set-up has not been completed.
func NeedsSetup(ctx context.Context, db *store.DB) (bool, error) {
	_, err := db.Setting(ctx, SettingSetupAt)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	return false, err
}

func validStationID(s string) error {
	if len(s) < 3 || len(s) > 40 {
		return fmt.Errorf("%w: station ID must be 3 to 40 characters", ErrBadUser)
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%w: station ID may use A-Z, 0-9, - and _", ErrBadUser)
		}
	}
	return nil
}

// RunSetup completes the first-run set-up in one transaction: station
// identity, the first supervisor, then the keys. It refuses to run twice.
func (u *Users) RunSetup(ctx context.Context, s Setup, keys KeyMaker) error {
	s.StationID = strings.ToUpper(strings.TrimSpace(s.StationID))
	if err := validStationID(s.StationID); err != nil {
		return err
	}
	if strings.TrimSpace(s.Office) == "" {
		return fmt.Errorf("%w: office name is empty", ErrBadUser)
	}
	need, err := NeedsSetup(ctx, u.DB)
	if err != nil {
		return err
	}
	if !need {
		return ErrSetupDone
	}
	s.Supervisor.Role = Supervisor
	now := u.now().Format(time.RFC3339Nano)
	err = u.DB.Tx(ctx, func(tx *sql.Tx) error {
		for k, v := range map[string]string{SettingStationID: s.StationID, SettingOffice: strings.TrimSpace(s.Office), SettingSetupAt: now} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, now); err != nil {
				return fmt.Errorf("set-up: %w", err)
			}
		}
		return u.create(ctx, tx, s.Supervisor, s.Password)
	})
	if err != nil {
		return err
	}
	if err := u.record(ctx, "setup", "", "user.created", strings.ToLower(strings.TrimSpace(s.Supervisor.Name)), "ok", map[string]string{"role": string(Supervisor)}); err != nil {
		return err
	}
	if keys != nil {
		if err := keys.CreateKeys(ctx, s.StationID); err != nil {
			return fmt.Errorf("set-up: create station keys: %w", err)
		}
	}
	return u.record(ctx, "setup", "", "settings.changed", s.StationID, "ok", map[string]string{"what": "first_run_setup", "keys": fmt.Sprint(keys != nil)})
}
