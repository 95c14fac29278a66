package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/store"
)

func runCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String() + errb.String()
}

func TestAuditCommands(t *testing.T) {
	cfg := isolate(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "station.db")
	addUser(t, cfg, db, "sup1", auth.Supervisor)
	addUser(t, cfg, db, "tech1", auth.Technician)
	addUser(t, cfg, db, "lan", auth.Officer)
	if code, out := runCmd(t, "retention", "run", "--db", db, "--user", "sup1"); code != 0 {
		t.Fatalf("retention run: %d %s", code, out)
	}
	if code, out := runCmd(t, "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify: %d %s", code, out)
	}
	exp := filepath.Join(dir, "export.jsonl")
	if code, out := runCmd(t, "audit", "export", "--db", db, "--from", "2000-01-01", "--to", "2100-01-01", "--out", exp, "--user", "sup1"); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if code, out := runCmd(t, "audit", "verify", "--file", exp); code != 0 {
		t.Fatalf("verify export: %d %s", code, out)
	}
	if code, _ := runCmd(t, "audit", "export", "--db", db, "--from", "2000-01-01", "--to", "2100-01-01", "--user", "tech1"); code != 4 {
		t.Fatalf("technician export: exit %d, want 4", code)
	}
	// Tamper with the file as someone with the sqlite3 tool would.
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Exec(`DROP TRIGGER audit_log_no_update`)
	s.Exec(`UPDATE audit_log SET outcome = 'failed' WHERE seq = 2`)
	s.Close()
	code, out := runCmd(t, "audit", "verify", "--db", db)
	if code != exitAuditBroken || !strings.Contains(out, "seq 2: altered") {
		t.Fatalf("tampered verify: %d %s", code, out)
	}
	if code, out := runCmd(t, "audit", "status", "--db", db); code != exitAuditBroken || !strings.Contains(out, `"state": "corrupted"`) {
		t.Fatalf("status: %d %s", code, out)
	}
	if code, _ := runCmd(t, "audit", "ack", "--db", db, "--user", "lan", "--note", "x"); code != 4 {
		t.Fatalf("officer ack: exit %d, want 4", code)
	}
	if code, out := runCmd(t, "audit", "ack", "--db", db, "--user", "sup1", "--note", "reported to C06"); code != 0 {
		t.Fatalf("ack: %d %s", code, out)
	}
	if code, out := runCmd(t, "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "acknowledged") {
		t.Fatalf("verify after ack: %d %s", code, out)
	}
	if code, out := runCmd(t, "audit", "status", "--db", db); code != 0 || !strings.Contains(out, `"state": "acknowledged"`) {
		t.Fatalf("status after ack: %d %s", code, out)
	}
}

func TestSubjectCommands(t *testing.T) {
	cfg := isolate(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "station.db")
	addUser(t, cfg, db, "sup1", auth.Supervisor)
	addUser(t, cfg, db, "tech1", auth.Technician)
	subjectStdin = strings.NewReader("001203004567\n")
	defer func() { subjectStdin = nil }()
	code, out := runCmd(t, "subject", "export", "--db", db, "--id", "-", "--out", filepath.Join(dir, "out"), "--user", "sup1")
	if code != 0 || !strings.Contains(out, "001******567") || strings.Contains(out, "001203004567") {
		t.Fatalf("export: %d %s", code, out)
	}
	if code, _ := runCmd(t, "subject", "erase", "--db", db, "--id", "001203004567", "--user", "sup1"); code != 2 {
		t.Fatalf("erase without --yes: exit %d", code)
	}
	if code, _ := runCmd(t, "subject", "erase", "--db", db, "--id", "001203004567", "--yes", "--user", "tech1"); code != 4 {
		t.Fatalf("technician erase: exit %d", code)
	}
	if code, out := runCmd(t, "subject", "erase", "--db", db, "--id", "001203004567", "--yes", "--user", "sup1"); code != 0 {
		t.Fatalf("erase: %d %s", code, out)
	}
	if code, out := runCmd(t, "retention", "policy", "--db", db, "--set", "biometric_evidence=14", "--user", "sup1"); code != 0 || !strings.Contains(out, `"biometric_evidence": 14`) {
		t.Fatalf("policy: %d %s", code, out)
	}
}

func TestConsentCommands(t *testing.T) {
	cfg := isolate(t)
	code, out := runCmd(t, "consent", "text", "--lang", "en")
	if code != 0 || !strings.Contains(out, "Silence or no answer is not consent") || !strings.Contains(out, "SHA-256") {
		t.Fatalf("text: %d %s", code, out)
	}
	db := filepath.Join(t.TempDir(), "station.db")
	addUser(t, cfg, db, "lan", auth.Officer)
	addUser(t, cfg, db, "tech1", auth.Technician)
	if code, _ := runCmd(t, "consent", "show", "--db", db, "--app", "123e4567-e89b-42d3-a456-426614174000", "--user", "tech1"); code != 4 {
		t.Fatalf("technician show: exit %d, want 4", code)
	}
	if code, out := runCmd(t, "consent", "show", "--db", db, "--app", "123e4567-e89b-42d3-a456-426614174000", "--user", "lan"); code != 1 || !strings.Contains(out, "no consent") {
		t.Fatalf("show missing: %d %s", code, out)
	}
}
