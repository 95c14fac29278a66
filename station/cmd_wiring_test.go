package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/sync/cache"
)

// isolate points the shared configuration at a fresh data folder and no
// settings file, so commands never touch the developer's own station.
func isolate(t *testing.T) *config.Config {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	t.Setenv(config.EnvName("data-dir"), dir)
	cfg := config.Default()
	if err := cfg.Resolve(nil); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// stationWithApp initialises a station (keys init) and stores one
// application accepted upstream long ago, with evidence, and a cache of
// five synthetic citizens. It returns the application's UUID and ID number.
func stationWithApp(t *testing.T, cfg *config.Config) (uuid, idNumber string) {
	t.Helper()
	ctx := context.Background()
	if code, out := runCmd(t, "keys", "init"); code != 0 {
		t.Fatalf("keys init: %d %s", code, out)
	}
	st, err := openStation(ctx, cfg, openOptions{NeedKeys: true, Stores: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	off := application.Actor{Name: "lan", Role: "officer"}
	sup := application.Actor{Name: "hung", Role: "supervisor"}
	idNumber = "001203004567"
	uuid, err = st.Apps.Create(ctx, off, application.Card{IDNumber: idNumber, FullName: "Nguyễn Văn A", DateOfBirth: "1990-01-01", Sex: "M"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		st.Apps.AttachEvidence(ctx, off, uuid, "portrait", 0.9, []byte("portrait bytes")),
		st.Apps.SetConsent(ctx, off, uuid, "consent-"+uuid),
		st.Apps.RecordCheck(ctx, off, uuid, application.Check{Name: "chip_face", Score: 0.8, Threshold: 0.6, Passed: true}),
		st.Apps.MarkVerified(ctx, off, uuid),
		st.Apps.Approve(ctx, sup, uuid, ""),
		st.Apps.Queue(ctx, application.System, uuid),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apps.MarkUploaded(ctx, []string{uuid}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apps.SetOutcome(ctx, uuid, true, ""); err != nil {
		t.Fatal(err)
	}
	// Accepted a year ago: due under any evidence retention period.
	if _, err := st.DB.ExecContext(ctx, `UPDATE applications SET outcome_at = '2025-01-01T00:00:00Z' WHERE uuid = ?`, uuid); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Cache.FillSynthetic(ctx, 5, 7, cache.RandomFingers(16)); err != nil {
		t.Fatal(err)
	}
	return uuid, idNumber
}

func TestRetentionRunPurgesApplicationEvidence(t *testing.T) {
	cfg := isolate(t)
	uuid, _ := stationWithApp(t, cfg)
	addUser(t, cfg, "", "hung", auth.Supervisor)
	code, out := runCmd(t, "retention", "run", "--user", "hung")
	if code != 0 {
		t.Fatalf("retention run: %d %s", code, out)
	}
	st, err := openStation(context.Background(), cfg, openOptions{NeedKeys: true, Stores: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Apps.Evidence(context.Background(), application.System, uuid, "portrait"); !errors.Is(err, application.ErrNotFound) {
		t.Fatalf("evidence still there after retention run: %v\n%s", err, out)
	}
	var n int
	st.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.evidence_purged' AND object = ?`, uuid).Scan(&n)
	if n != 1 {
		t.Fatalf("%d evidence_purged entries", n)
	}
}

func TestSubjectExportFindsApplication(t *testing.T) {
	cfg := isolate(t)
	uuid, id := stationWithApp(t, cfg)
	addUser(t, cfg, "", "hung", auth.Supervisor)
	dir := filepath.Join(t.TempDir(), "out")
	code, out := runCmd(t, "subject", "export", "--id", id, "--out", dir, "--user", "hung")
	if code != 0 || strings.Contains(out, id) {
		t.Fatalf("export: %d %s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "subject.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Applications []string                   `json:"applications"`
		Sections     map[string]json.RawMessage `json:"sections"`
		NotCovered   []string                   `json:"not_covered"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Applications) != 1 || doc.Applications[0] != uuid || len(doc.NotCovered) != 0 {
		t.Fatalf("export: %s", b)
	}
	if !strings.Contains(string(doc.Sections["applications"]), uuid) {
		t.Fatalf("applications section lacks the application: %s", doc.Sections["applications"])
	}
	if got, err := os.ReadFile(filepath.Join(dir, "applications", uuid+"-portrait")); err != nil || string(got) != "portrait bytes" {
		t.Fatalf("evidence file: %q %v", got, err)
	}
}

func TestSubjectEraseRemovesCacheEntry(t *testing.T) {
	cfg := isolate(t)
	stationWithApp(t, cfg)
	addUser(t, cfg, "", "hung", auth.Supervisor)
	cached := cache.SyntheticCitizen(7, 2, cache.RandomFingers(16)).IDNumber
	code, out := runCmd(t, "subject", "erase", "--id", cached, "--yes", "--user", "hung")
	if code != 0 || !strings.Contains(out, `"template_cache"`) {
		t.Fatalf("erase: %d %s", code, out)
	}
	st, err := openStation(context.Background(), cfg, openOptions{NeedKeys: true, Stores: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Cache.Lookup(context.Background(), cached); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("cache entry still there: %v", err)
	}
	if n, _ := st.Cache.Count(context.Background()); n != 4 {
		t.Fatalf("cache holds %d citizens, want 4", n)
	}
}
