package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/workflow"
)

func TestOpenDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir, cfg.DBPath, cfg.KeyFile, cfg.Demo = dir, filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key"), true
	cfg.ModelDir = filepath.Join(dir, "no-models") // keep the face engine out of this test
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

// TestAuditedRegistration runs a registration and an approval over the
// assembled station and checks that each sensitive step is in the audit
// log, that the chain verifies, and that no entry holds the ID number.
func TestAuditedRegistration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir, cfg.DBPath, cfg.KeyFile, cfg.Demo = dir, filepath.Join(dir, "s.db"), filepath.Join(dir, "s.key"), true
	cfg.ModelDir = filepath.Join(dir, "no-models") // keep the face engine out of this test
	d, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Integrity.State != audit.Intact {
		t.Fatalf("integrity on a new station: %+v", d.Integrity)
	}
	off, err := d.Deps.Users.Login(ctx, "canbo", "canbo20261")
	if err != nil {
		t.Fatal(err)
	}
	const id = "001090000123"
	s := &workflow.Session{Devices: doubles(id), Apps: d.Deps.Apps, Audit: d.Audit, Officer: off.Name, Role: string(off.Role), PendingLimit: 10}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(workflow.Start(ctx, s, workflow.DefaultPolicy()))
	key, _ := workflow.MRZKeyFromID(id, "02/01/1990", "02/01/2030")
	must(s.ReadCard(ctx, key, nil))
	must(s.ConfirmCard())
	must(s.RecordConsent(ctx, workflow.Consent{Given: true, TextVersion: "v1", Lang: "vi"}))
	_, err = s.CapturePortrait(ctx, nil)
	must(err)
	for _, p := range s.Reg.Policy.Fingers {
		_, err := s.CaptureFinger(ctx, p)
		must(err)
	}
	must(s.FinishFingers(ctx))
	_, err = s.Match(ctx)
	must(err)
	must(s.EnterContact(workflow.Contact{Email: "an@example.vn"}))
	appID, err := s.Submit(ctx)
	must(err)
	sup, err := d.Deps.Users.Verify(ctx, "giamsat", "giamsat2026", auth.Supervisor)
	must(err)
	_, err = d.Deps.Apps.Detail(ctx, sup, appID)
	must(err)
	must(d.Deps.Apps.Approve(ctx, sup, appID, ""))

	rows, err := d.DB.QueryContext(ctx, `SELECT action, actor, object, detail FROM audit_log ORDER BY seq`)
	must(err)
	seen := map[string]bool{}
	for rows.Next() {
		var action, actor, object, detail string
		must(rows.Scan(&action, &actor, &object, &detail))
		seen[action] = true
		for _, f := range []string{actor, object, detail} {
			if strings.Contains(f, id) {
				t.Errorf("audit entry %s holds the ID number: %q", action, f)
			}
		}
	}
	rows.Close()
	for _, a := range []string{"auth.login", "card.read", "consent.recorded", "capture.face", "capture.finger", "match.face_chip", "match.search",
		"application.created", "application.submitted", "application.evidence_viewed", "application.approved"} {
		if !seen[a] {
			t.Errorf("no %s entry (have %v)", a, seen)
		}
	}
	if err := consent.NewStore(d.Audit).RequireConsent(ctx, appID); err != nil {
		t.Errorf("consent register: %v", err)
	}
	rep, err := d.Audit.Verify(ctx, audit.VerifyOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain: %v %+v", err, rep)
	}
}
