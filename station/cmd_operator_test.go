package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/auth"
	"github.com/dinhdanh/dinhdanh/station/config"
)

// testPassword is every test user's password.
const testPassword = "station pass 2026"

// addUser creates a station user in the database at db (cfg's when db is
// empty) and puts the test password in $DINHDANH_PASSWORD.
func addUser(t *testing.T, cfg *config.Config, db, name string, role auth.Role) {
	t.Helper()
	c := *cfg
	if db != "" {
		c.DBPath = db
	}
	ctx := context.Background()
	st, err := openStation(ctx, &c, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users := &auth.Users{DB: st.DB, Audit: st.Log, Cost: 4}
	if err := users.Create(ctx, "test", auth.User{Name: name, FullName: "Test " + name, Role: role}, testPassword); err != nil {
		t.Fatal(err)
	}
	t.Setenv(passwordEnv, testPassword)
}

// noPasswordEnv unsets $DINHDANH_PASSWORD for the test and makes stdin
// look like a pipe, so the password is read from its first line.
func noPasswordEnv(t *testing.T) {
	t.Helper()
	t.Setenv(passwordEnv, "")
	os.Unsetenv(passwordEnv)
	old := stdinIsTerminal
	stdinIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdinIsTerminal = old })
}

func auditCount(t *testing.T, cfg *config.Config, db, action, object string) int {
	t.Helper()
	c := *cfg
	c.DBPath = db
	st, err := openStation(context.Background(), &c, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`, action, object).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOperatorWrongPasswordDenied(t *testing.T) {
	cfg := isolate(t)
	db := filepath.Join(t.TempDir(), "station.db")
	addUser(t, cfg, db, "hung", auth.Supervisor)
	t.Setenv(passwordEnv, "wrong password 99")
	code, out := runCmd(t, "audit", "export", "--db", db, "--from", "2000-01-01", "--to", "2100-01-01", "--user", "hung")
	if code != exitDenied || !strings.Contains(out, "access denied") || strings.Contains(out, "wrong password 99") || strings.Contains(out, "$2a$") {
		t.Fatalf("wrong password: exit %d, want 4: %s", code, out)
	}
	if n := auditCount(t, cfg, db, "auth.login_failed", "hung"); n != 1 {
		t.Fatalf("%d auth.login_failed entries, want 1", n)
	}
	if n := auditCount(t, cfg, db, "audit.exported", "hung"); n != 0 {
		t.Fatal("export audited after a failed log-in")
	}
	// An unknown user is denied the same way.
	if code, out := runCmd(t, "subject", "erase", "--db", db, "--id", "001203004567", "--yes", "--user", "nobody"); code != exitDenied {
		t.Fatalf("unknown user: exit %d: %s", code, out)
	}
	// No -user at all is a usage error, not a silent default.
	if code, out := runCmd(t, "audit", "ack", "--db", db, "--note", "x"); code != 2 || !strings.Contains(out, "-user is required") {
		t.Fatalf("no -user: exit %d: %s", code, out)
	}
}

func TestOperatorRolesFromAccounts(t *testing.T) {
	cfg := isolate(t)
	db := filepath.Join(t.TempDir(), "station.db")
	addUser(t, cfg, db, "tech1", auth.Technician)
	addUser(t, cfg, db, "lan", auth.Officer)
	if code, out := runCmd(t, "subject", "export", "--db", db, "--id", "001203004567", "--out", filepath.Join(t.TempDir(), "o"), "--user", "tech1"); code != exitDenied {
		t.Fatalf("technician export: exit %d, want 4: %s", code, out)
	}
	if code, out := runCmd(t, "audit", "ack", "--db", db, "--note", "x", "--user", "lan"); code != exitDenied {
		t.Fatalf("officer ack: exit %d, want 4: %s", code, out)
	}
	if code, out := runCmd(t, "retention", "run", "--db", db, "--user", "lan"); code != exitDenied {
		t.Fatalf("officer retention run: exit %d, want 4: %s", code, out)
	}
	if n := auditCount(t, cfg, db, "auth.login", "lan"); n != 2 {
		t.Fatalf("%d auth.login entries for lan, want 2", n)
	}
}

func TestOperatorPasswordFromStdin(t *testing.T) {
	cfg := isolate(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "station.db")
	addUser(t, cfg, db, "hung", auth.Supervisor)
	noPasswordEnv(t)
	operatorStdin = strings.NewReader(testPassword + "\n")
	defer func() { operatorStdin = os.Stdin }()
	if code, out := runCmd(t, "retention", "run", "--db", db, "--user", "hung"); code != 0 {
		t.Fatalf("retention run: %d %s", code, out)
	}
	// Password then ID, one line each, when both come from stdin.
	subjectStdin = strings.NewReader(testPassword + "\n001203004567\n")
	defer func() { subjectStdin = nil }()
	code, out := runCmd(t, "subject", "export", "--db", db, "--id", "-", "--out", filepath.Join(dir, "out"), "--user", "hung")
	if code != 0 || !strings.Contains(out, "001******567") || strings.Contains(out, testPassword) {
		t.Fatalf("export: %d %s", code, out)
	}
	subjectStdin = strings.NewReader("not the password\n001203004567\n")
	if code, out := runCmd(t, "subject", "export", "--db", db, "--id", "-", "--out", filepath.Join(dir, "out2"), "--user", "hung"); code != exitDenied || strings.Contains(out, "not the password") {
		t.Fatalf("wrong stdin password: %d %s", code, out)
	}
}

func TestKeysRotateNeedsSupervisor(t *testing.T) {
	cfg := isolate(t)
	if code, out := runCmd(t, "keys", "init"); code != 0 {
		t.Fatalf("keys init: %d %s", code, out)
	}
	addUser(t, cfg, "", "tech1", auth.Technician)
	addUser(t, cfg, "", "hung", auth.Supervisor)
	if code, out := runCmd(t, "keys", "rotate"); code != 2 {
		t.Fatalf("rotate without -user: %d %s", code, out)
	}
	if code, out := runCmd(t, "keys", "rotate", "--user", "tech1"); code != exitDenied {
		t.Fatalf("technician rotate: exit %d, want 4: %s", code, out)
	}
	if code, out := runCmd(t, "keys", "rotate-kek", "--user", "tech1"); code != exitDenied {
		t.Fatalf("technician rotate-kek: exit %d, want 4: %s", code, out)
	}
	if code, out := runCmd(t, "keys", "rotate", "--user", "hung"); code != 0 || !strings.Contains(out, "data key 2 active") {
		t.Fatalf("supervisor rotate: %d %s", code, out)
	}
	if code, out := runCmd(t, "keys", "rotate-kek", "--user", "hung"); code != 0 {
		t.Fatalf("supervisor rotate-kek: %d %s", code, out)
	}
}
