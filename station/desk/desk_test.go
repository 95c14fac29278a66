package desk

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
)

func TestOpenDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir, cfg.DBPath, cfg.KeyFile, cfg.Demo = dir, filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key"), true
	d, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.Deps.Users.Cost = 4
	if need, _ := auth.NeedsSetup(ctx, d.DB); need {
		t.Fatal("demo station not set up")
	}
	for _, a := range DemoAccounts {
		u, err := d.Deps.Users.Login(ctx, a[0], a[1])
		if err != nil || string(u.Role) != a[2] {
			t.Fatalf("demo login %s: %+v %v", a[0], u, err)
		}
	}
	if d.Deps.StationID != cfg.StationID || len(d.Deps.DemoLogins) != 3 {
		t.Fatalf("deps %+v", d.Deps)
	}
	d.Close()
	// Reopening keeps the accounts (no second set-up).
	d, err = Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}
