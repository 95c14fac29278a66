package desk

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dinhdanh/dinhdanh/devices/chip/chipsim"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

// TestCSCATrust reads the simulated CCCD through the real card reader's
// path with the trust store the csca setting names: no CSCA leaves the
// card unverified; its CSCA in DATA-DIR/csca (the default) or named by the
// setting verifies it and names the anchor.
func TestCSCATrust(t *testing.T) {
	ctx := context.Background()
	p := chipsim.DemoPerson()
	card, pki, err := chipsim.NewCCCD(p, chipsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key := workflow.MRZKey{DocumentNumber: p.IDNumber[3:], BirthDate: p.DateOfBirth, ExpiryDate: p.DateOfExpiry}
	read := func(cfg *config.Config) workflow.Card {
		t.Helper()
		ts, err := cscaTrust(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, err := (&cardReader{t: card, trust: ts, present: card.Insert}).ReadCard(ctx, key, func(int, int) {})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	if c := read(cfg); c.PassiveAuthOK || c.PassiveAuthAnchor != "" {
		t.Errorf("verified without a CSCA: ok=%v anchor %q", c.PassiveAuthOK, c.PassiveAuthAnchor)
	}
	dir := filepath.Join(cfg.DataDir, "csca")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vn-csca.der"), pki.CSCADER, 0o644); err != nil {
		t.Fatal(err)
	}
	c := read(cfg)
	if !c.PassiveAuthOK || c.PassiveAuthAnchor == "" {
		t.Errorf("DATA-DIR/csca: ok=%v anchor %q", c.PassiveAuthOK, c.PassiveAuthAnchor)
	}
	t.Logf("anchor: %s", c.PassiveAuthAnchor)

	other := config.Default()
	other.DataDir = t.TempDir()
	other.CSCA = filepath.Join(dir, "vn-csca.der") + string(filepath.ListSeparator) + dir
	if c := read(other); !c.PassiveAuthOK {
		t.Errorf("csca setting %q: not verified", other.CSCA)
	}
	other.CSCA = filepath.Join(other.DataDir, "absent")
	if _, err := cscaTrust(other); err == nil {
		t.Error("a missing CSCA path is not reported")
	}
}
