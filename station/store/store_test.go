package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "station.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenPragmas(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"secure_delete", "1"},
		{"busy_timeout", "10000"},
	} {
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
	st, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("Migrations() = %d, %v", len(ms), err)
	}
	v1, _ := db.SchemaVersion(ctx)
	if v1 != ms[len(ms)-1].Version {
		t.Fatalf("schema version %d, want %d", v1, ms[len(ms)-1].Version)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	applied, _ := db.AppliedMigrations(ctx)
	if len(applied) != len(ms) {
		t.Fatalf("%d applied, %d embedded", len(applied), len(ms))
	}
}

func TestTxRollsBack(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO settings(key, value, updated_at) VALUES ('a', 'b', 'now')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx error = %v, want boom", err)
	}
	if _, err := db.Setting(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("row survived rollback: %v", err)
	}
	if err := db.SetSetting(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "a", "2"); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Setting(ctx, "a"); err != nil || v != "2" {
		t.Fatalf("Setting = %q, %v", v, err)
	}
}

func TestUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		_, err := Open(context.Background(), filepath.Join(f, "sub", "station.db"), Options{})
		if err == nil {
			t.Fatal("Open under a regular file succeeded")
		}
		t.Logf("error: %v", err)
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	_, err := Open(context.Background(), filepath.Join(dir, "station.db"), Options{})
	if err == nil {
		t.Fatal("Open in a read-only directory succeeded")
	}
}

// TestCommittedSurvivesKill runs a writer in a child process, kills it with
// SIGKILL after it has acknowledged some commits, and checks that every
// acknowledged row is in the database afterwards.
func TestCommittedSurvivesKill(t *testing.T) {
	if os.Getenv("STORE_KILL_CHILD") != "" {
		killChild()
		return
	}
	path := filepath.Join(t.TempDir(), "station.db")
	for cycle := 0; cycle < 5; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCommittedSurvivesKill$")
		cmd.Env = append(os.Environ(), "STORE_KILL_CHILD=1", "STORE_KILL_PATH="+path, fmt.Sprintf("STORE_KILL_CYCLE=%d", cycle))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		sc := bufio.NewScanner(out)
		for sc.Scan() && len(acked) < 20 {
			acked = append(acked, sc.Text())
		}
		cmd.Process.Kill()
		cmd.Wait()
		db, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		for _, k := range acked {
			if _, err := db.Setting(context.Background(), k); err != nil {
				t.Fatalf("cycle %d: acknowledged row %s lost: %v", cycle, k, err)
			}
		}
		db.Close()
	}
}

func killChild() {
	db, err := Open(context.Background(), os.Getenv("STORE_KILL_PATH"), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		k := "c" + os.Getenv("STORE_KILL_CYCLE") + "-" + strconv.Itoa(i)
		if err := db.SetSetting(context.Background(), k, "v"); err != nil {
			os.Exit(1)
		}
		fmt.Println(k) // acknowledged only after commit returned
	}
}
