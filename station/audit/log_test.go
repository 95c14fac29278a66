package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/store"
)

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

func openDB(t testing.TB, path string) *store.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "station.db")
	}
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fill appends n varied entries, batch entries per transaction (a commit
// per entry would spend the test's time in fsync).
func fill(t testing.TB, l *Log, n, batch int) {
	t.Helper()
	ctx := context.Background()
	actions := []string{LoginSucceeded, CardRead, FaceCaptured, MatchFaceChip, CitizenViewed, ApplicationApproved, SyncCompleted}
	for i := 0; i < n; i += batch {
		err := l.db.Tx(ctx, func(tx *sql.Tx) error {
			for j := i; j < i+batch && j < n; j++ {
				_, err := l.RecordTx(ctx, tx, Entry{Actor: "officer" + strconv.Itoa(j%5), Role: RoleOfficer,
					Action: actions[j%len(actions)], Object: fmt.Sprintf("app-%d", j),
					Detail: map[string]string{"n": strconv.Itoa(j), "score": "0.93"}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newLog(t testing.TB, every int) *Log {
	t.Helper()
	l, err := New(openDB(t, ""), Options{Signer: testKey, CheckpointEvery: every})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func verify(t testing.TB, l *Log, opts VerifyOptions) *Report {
	t.Helper()
	rep, err := l.Verify(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestChainVerifiesAfterThousands(t *testing.T) {
	l := newLog(t, 100)
	fill(t, l, 5000, 500)
	for i := 0; i < 20; i++ { // and some single-transaction appends
		if err := l.Record(context.Background(), Entry{Actor: "sup", Role: RoleSupervisor, Action: ApplicationRejected, Object: "app-x"}); err != nil {
			t.Fatal(err)
		}
	}
	rep := verify(t, l, VerifyOptions{TrustedKeys: []ed25519.PublicKey{testKey.Public().(ed25519.PublicKey)}})
	if !rep.OK() || len(rep.Breaks) != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("fresh chain does not verify: %+v", rep)
	}
	if rep.Entries != 5020 || rep.Head.Seq != 5020 || rep.Checkpoints != 50 {
		t.Fatalf("entries %d head %d checkpoints %d, want 5020 5020 50", rep.Entries, rep.Head.Seq, rep.Checkpoints)
	}
}

func TestGuardsRefuseEdits(t *testing.T) {
	l := newLog(t, 10)
	fill(t, l, 20, 20)
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'x' WHERE seq = 3`,
		`DELETE FROM audit_log WHERE seq = 3`,
		`DELETE FROM audit_log`,
		`INSERT INTO audit_log VALUES (50, 't', 'a', 'officer', 'x.y', 'o', 'ok', '{}', 'p', 'h')`,
		`INSERT INTO audit_log VALUES (21, 't', 'a', 'officer', 'x.y', 'o', 'ok', '{}', 'wrong', 'h')`,
		`UPDATE audit_state SET head_seq = 5`,
		`DELETE FROM audit_state`,
		`UPDATE audit_checkpoints SET hash = 'x'`,
		`DELETE FROM audit_checkpoints`,
	} {
		if _, err := l.db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	if rep := verify(t, l, VerifyOptions{}); !rep.OK() {
		t.Fatalf("chain broken after refused edits: %v", rep.Breaks)
	}
}

// dropGuards does what someone editing the file with the sqlite3 tool
// would do first.
func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	for _, g := range guardTriggers {
		if g == "audit_log_moves_head" {
			continue // keep the head moving, as a careless editor would
		}
		if _, err := db.Exec(`DROP TRIGGER ` + g); err != nil {
			t.Fatal(err)
		}
	}
}

func rehash(t *testing.T, db *store.DB, seq int) {
	t.Helper()
	var s Stored
	err := db.QueryRow(`SELECT seq, time, actor, role, action, object, outcome, detail, prev_hash FROM audit_log WHERE seq = ?`, seq).
		Scan(&s.Seq, &s.Time, &s.Actor, &s.Role, &s.Action, &s.Object, &s.Outcome, &s.Detail, &s.PrevHash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET hash = ? WHERE seq = ?`, s.ComputeHash(), seq); err != nil {
		t.Fatal(err)
	}
}

// rechain rewrites the hashes of entries from..to so that each links to
// the one before: a careful forger.
func rechain(t *testing.T, db *store.DB, from, to int) {
	t.Helper()
	for s := from; s <= to; s++ {
		if _, err := db.Exec(`UPDATE audit_log SET prev_hash = (SELECT hash FROM audit_log WHERE seq = ?) WHERE seq = ?`, s-1, s); err != nil {
			t.Fatal(err)
		}
		rehash(t, db, s)
	}
	if _, err := db.Exec(`UPDATE audit_state SET head_seq = (SELECT MAX(seq) FROM audit_log),
		head_hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
}

func TestTamperingDetectedAndLocated(t *testing.T) {
	exec := func(q ...string) func(*testing.T, *store.DB) {
		return func(t *testing.T, db *store.DB) {
			for _, s := range q {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
		}
	}
	fixState := `UPDATE audit_state SET head_seq = (SELECT MAX(seq) FROM audit_log), head_hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1)`
	const n = 200 // checkpoints every 50: 50, 100, 150, 200
	for _, tc := range []struct {
		name   string
		tamper func(*testing.T, *store.DB)
		known  []Head
		seq    int64
		kind   Kind
	}{
		{"edit actor", exec(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 77`), nil, 77, Altered},
		{"edit detail", exec(`UPDATE audit_log SET detail = '{"score":"0.99"}' WHERE seq = 120`), nil, 120, Altered},
		{"edit time", exec(`UPDATE audit_log SET time = '2020-01-01T00:00:00.000000000Z' WHERE seq = 1`), nil, 1, Altered},
		{"edit and re-hash", func(t *testing.T, db *store.DB) {
			exec(`UPDATE audit_log SET outcome = 'denied' WHERE seq = 77`)(t, db)
			rehash(t, db, 77)
		}, nil, 77, Replaced},
		{"edit and re-hash the last entry", func(t *testing.T, db *store.DB) {
			exec(`UPDATE audit_log SET outcome = 'denied' WHERE seq = 199`)(t, db) // 200 is a checkpoint
			rehash(t, db, 199)
		}, nil, 199, Replaced},
		{"delete one", exec(`DELETE FROM audit_log WHERE seq = 77`), nil, 77, Missing},
		{"delete a checkpointed entry", exec(`DELETE FROM audit_log WHERE seq = 100`), nil, 100, Missing},
		{"delete three", exec(`DELETE FROM audit_log WHERE seq BETWEEN 77 AND 79`), nil, 77, Missing},
		{"delete the first", exec(`DELETE FROM audit_log WHERE seq = 1`), nil, 1, Missing},
		{"swap two entries' contents", exec(
			`CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq IN (77, 78)`,
			`UPDATE audit_log SET (time, actor, role, action, object, outcome, detail, prev_hash, hash) =
			   (SELECT time, actor, role, action, object, outcome, detail, prev_hash, hash FROM t WHERE t.seq = 155 - audit_log.seq)
			 WHERE seq IN (77, 78)`), nil, 77, Altered},
		{"renumber to reorder", exec(
			`UPDATE audit_log SET seq = -1 WHERE seq = 77`,
			`UPDATE audit_log SET seq = 77 WHERE seq = 78`,
			`UPDATE audit_log SET seq = 78 WHERE seq = -1`), nil, 77, Altered},
		{"truncate tail", exec(`DELETE FROM audit_log WHERE seq > 180`), nil, 181, Truncated},
		{"truncate tail and fix head", exec(`DELETE FROM audit_log WHERE seq > 180`, fixState), nil, 181, Truncated},
		{"truncate tail, fix head, drop checkpoints", exec(`DELETE FROM audit_log WHERE seq > 180`,
			`DELETE FROM audit_checkpoints WHERE seq > 180`, fixState), []Head{{Seq: 190}}, 181, Truncated},
		{"rewrite tail with a new chain", func(t *testing.T, db *store.DB) {
			exec(`UPDATE audit_log SET actor = 'forger' WHERE seq = 120`)(t, db)
			rechain(t, db, 120, n)
		}, nil, 150, CheckpointMismatch},
		{"garbage hash", exec(`UPDATE audit_log SET hash = 'x' WHERE seq = 33`), nil, 33, Altered},
		{"cut the head and move the base", exec(`DELETE FROM audit_log WHERE seq <= 30`,
			`UPDATE audit_state SET base_seq = 30, base_hash = (SELECT prev_hash FROM audit_log WHERE seq = 31)`), nil, 1, Missing},
		{"forge a checkpoint signature", exec(`UPDATE audit_checkpoints SET time = '2030-01-01T00:00:00.000000000Z' WHERE seq = 100`), nil, 100, BadSignature},
		{"append outside the log", func(t *testing.T, db *store.DB) {
			exec(`INSERT INTO audit_log SELECT seq + 1, time, actor, role, action, object, outcome, detail, hash, 'x' FROM audit_log WHERE seq = 200`)(t, db)
			rehash(t, db, 201)
			exec(`UPDATE audit_state SET head_seq = 200, head_hash = (SELECT hash FROM audit_log WHERE seq = 200)`)(t, db)
		}, nil, 201, Replaced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLog(t, 50)
			fill(t, l, n, n)
			rep := verify(t, l, VerifyOptions{})
			if !rep.OK() {
				t.Fatalf("chain broken before tampering: %v", rep.Breaks)
			}
			known := tc.known
			for i := range known {
				var h string
				l.db.QueryRow(`SELECT hash FROM audit_log WHERE seq = ?`, known[i].Seq).Scan(&h)
				known[i].Hash = h
			}
			dropGuards(t, l.db)
			tc.tamper(t, l.db)
			rep = verify(t, l, VerifyOptions{KnownHeads: known})
			b := rep.FirstBreak()
			if b == nil {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			if b.Seq != tc.seq || b.Kind != tc.kind {
				t.Fatalf("first break %v, want seq %d %s (all: %v)", b, tc.seq, tc.kind, rep.Breaks)
			}
			if len(rep.Warnings) == 0 {
				t.Error("dropped guard triggers not warned about")
			}
			for _, b := range rep.Breaks[1:] {
				if b.Kind == Truncated && tc.kind != Truncated {
					t.Errorf("spurious break %v", b)
				}
			}
			t.Logf("%s", b)
		})
	}
}

func TestUpstreamHeadsCatchTruncation(t *testing.T) {
	ctx := context.Background()
	l := newLog(t, 1000) // no checkpoint in range
	fill(t, l, 50, 50)
	h, _ := l.Head(ctx)
	if err := l.NoteUpstreamHead(ctx, h, "batch-1"); err != nil {
		t.Fatal(err)
	}
	if err := l.NoteUpstreamHead(ctx, h, "batch-1"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if err := l.NoteUpstreamHead(ctx, Head{Seq: 10, Hash: ZeroHash}, "batch-x"); err == nil {
		t.Fatal("foreign head noted")
	}
	fill(t, l, 10, 10)
	dropGuards(t, l.db)
	l.db.Exec(`DELETE FROM audit_log WHERE seq > 40`)
	l.db.Exec(`UPDATE audit_state SET head_seq = 40, head_hash = (SELECT hash FROM audit_log WHERE seq = 40)`)
	rep := verify(t, l, VerifyOptions{})
	if b := rep.FirstBreak(); b == nil || b.Seq != 41 || b.Kind != Truncated {
		t.Fatalf("truncation behind an upstream head: %v", rep.Breaks)
	}
}

func TestCheckpointsByAnotherKeyWarned(t *testing.T) {
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	db := openDB(t, "")
	old, _ := New(db, Options{Signer: other, CheckpointEvery: 5})
	fill(t, old, 10, 10)
	l, _ := New(db, Options{Signer: testKey, CheckpointEvery: 5})
	fill(t, l, 10, 10)
	rep := verify(t, l, VerifyOptions{})
	if !rep.OK() || rep.Checkpoints != 4 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "2 checkpoints") {
		t.Fatalf("%+v", rep)
	}
	rep = verify(t, l, VerifyOptions{TrustedKeys: []ed25519.PublicKey{testKey.Public().(ed25519.PublicKey)}})
	if b := rep.FirstBreak(); b == nil || b.Kind != UntrustedKey || b.Seq != 5 {
		t.Fatalf("untrusted: %v", rep.Breaks)
	}
}

func TestRecordValidatesAndMasks(t *testing.T) {
	l := newLog(t, 100)
	ctx := context.Background()
	err := l.Record(ctx, Entry{Actor: "an", Role: RoleOfficer, Action: CardRead, Object: "001203004567",
		Detail: map[string]string{"note": "card of 001203004567 read", "app": "123e4567-e89b-12d3-a456-426614174000"}})
	if err != nil {
		t.Fatal(err)
	}
	var obj, detail string
	l.db.QueryRow(`SELECT object, detail FROM audit_log WHERE seq = 1`).Scan(&obj, &detail)
	if obj != "001******567" || strings.Contains(detail, "001203004567") || !strings.Contains(detail, "426614174000") {
		t.Fatalf("stored object %q detail %s", obj, detail)
	}
	for _, bad := range []Entry{
		{Role: RoleOfficer, Action: CardRead},
		{Actor: "a", Role: "admin", Action: CardRead},
		{Actor: "a", Role: RoleOfficer, Action: "CardRead"},
		{Actor: "a", Role: RoleOfficer, Action: CardRead, Outcome: "maybe"},
		{Actor: "a", Role: RoleOfficer, Action: CardRead, Detail: map[string]string{"template": strings.Repeat("A", 300)}},
		{Actor: "a", Role: RoleOfficer, Action: CardRead, Detail: map[string]string{"Bad Key": "x"}},
	} {
		if err := l.Record(ctx, bad); err == nil {
			t.Errorf("Record(%+v) accepted", bad)
		}
	}
	if h, _ := l.Head(ctx); h.Seq != 1 {
		t.Fatalf("head %d after rejected entries, want 1", h.Seq)
	}
	long := strings.Repeat("upstream said ồ no ", 30)
	if err := l.Record(ctx, Entry{Actor: "sync", Role: RoleSystem, Action: SyncFailed, Detail: map[string]string{"error": long}}); err != nil {
		t.Fatalf("long error message refused: %v", err)
	}
	l.db.QueryRow(`SELECT detail FROM audit_log WHERE seq = 2`).Scan(&detail)
	if len(detail) > 300 || !strings.Contains(detail, "…") {
		t.Fatalf("long message stored as %q", detail)
	}
	if len(Actions) < 40 {
		t.Fatalf("vocabulary has %d actions", len(Actions))
	}
	seen := map[string]bool{}
	for _, a := range Actions {
		if seen[a] || !actionRe.MatchString(a) {
			t.Errorf("action %q duplicated or malformed", a)
		}
		seen[a] = true
	}
}

func TestExportVerifiesOffline(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	db := openDB(t, "")
	l, _ := New(db, Options{Signer: testKey, CheckpointEvery: 10, Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	fill(t, l, 100, 100)
	var buf bytes.Buffer
	from := time.Date(2026, 11, 1, 8, 20, 30, 0, time.UTC)
	n, err := l.Export(ctx, &buf, from, from.Add(50*time.Minute), "sup", RoleSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	var want, first int
	l.db.QueryRow(`SELECT COUNT(*), MIN(seq) FROM audit_log WHERE time >= ? AND time < ? AND action != ?`,
		from.Format(TimeFormat), from.Add(50*time.Minute).Format(TimeFormat), AuditExported).Scan(&want, &first)
	if n != want || n < 40 {
		t.Fatalf("exported %d entries, want %d", n, want)
	}
	if strings.Contains(buf.String(), "\n\n") {
		t.Fatal("blank line in export")
	}
	rep, err := VerifyExport(bytes.NewReader(buf.Bytes()), VerifyOptions{TrustedKeys: []ed25519.PublicKey{testKey.Public().(ed25519.PublicKey)}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries != n || rep.Checkpoints < 4 || rep.Base.Seq != int64(first-1) || rep.Head.Seq != int64(first+n-1) {
		t.Fatalf("export report %+v", rep)
	}
	if last, _ := l.Head(ctx); last.Seq != 101 {
		t.Fatalf("export not audited: head %d", last.Seq)
	}
	// An inspector's copy edited in transit.
	lines := strings.Split(buf.String(), "\n")
	lines[10] = strings.Replace(lines[10], `"outcome":"ok"`, `"outcome":"denied"`, 1)
	rep, err = VerifyExport(strings.NewReader(strings.Join(lines, "\n")), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b := rep.FirstBreak(); b == nil || b.Kind != Altered {
		t.Fatalf("edited export: %v", rep.Breaks)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	rep, _ = VerifyExport(bytes.NewReader(buf.Bytes()), VerifyOptions{TrustedKeys: []ed25519.PublicKey{other.Public().(ed25519.PublicKey)}})
	if b := rep.FirstBreak(); b == nil || b.Kind != UntrustedKey {
		t.Fatalf("untrusted key not reported: %v", rep.Breaks)
	}
}

func TestPruneKeepsChainVerifiable(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l, _ := New(openDB(t, ""), Options{Signer: testKey, CheckpointEvery: 25, Now: func() time.Time { clock = clock.Add(time.Hour); return clock }})
	fill(t, l, 100, 100)
	cutoff := time.Date(2026, 1, 1, 40, 30, 0, 0, time.UTC)
	var due int
	l.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE time < ?`, cutoff.Format(TimeFormat)).Scan(&due)
	n, err := l.Prune(ctx, cutoff)
	if err != nil || n != due || n < 30 {
		t.Fatalf("Prune = %d, %v; want %d", n, err, due)
	}
	rep := verify(t, l, VerifyOptions{})
	if !rep.OK() || rep.Base.Seq != int64(due) || rep.Entries != 101-due || rep.Checkpoints != 4-due/25 {
		t.Fatalf("after prune of %d: %+v", due, rep)
	}
	var left, older int
	l.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE seq <= ?`, due).Scan(&left)
	l.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE time < ?`, cutoff.Format(TimeFormat)).Scan(&older)
	if left != 0 || older != 0 {
		t.Fatalf("%d pruned entries left, %d older than the cutoff", left, older)
	}
	if _, err := l.db.Exec(`DELETE FROM audit_log WHERE seq = ?`, due+1); err == nil {
		t.Fatal("delete allowed after prune")
	}
	if n, err := l.Prune(ctx, cutoff); err != nil || n != 0 {
		t.Fatalf("second Prune = %d, %v", n, err)
	}
	// Everything due: the whole log goes, the pruned entry chains to it.
	if n, err := l.Prune(ctx, clock.Add(time.Hour)); err != nil || n != 101-due {
		t.Fatalf("full Prune = %d, %v", n, err)
	}
	if rep := verify(t, l, VerifyOptions{}); !rep.OK() || rep.Entries != 1 {
		t.Fatalf("after full prune: %+v", rep)
	}
}

func TestPruneStopsAtClockSetBack(t *testing.T) {
	ctx := context.Background()
	times := []string{"2020-01-01", "2020-01-02", "2026-11-01", "2020-01-03", "2026-11-02"}
	i := 0
	l, _ := New(openDB(t, ""), Options{Now: func() time.Time {
		d, _ := time.Parse("2006-01-02", times[min(i, len(times)-1)])
		i++
		return d
	}})
	fill(t, l, 5, 1)
	if rep := verify(t, l, VerifyOptions{}); !rep.OK() || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "entry 4") {
		t.Fatalf("clock set back: %+v", rep)
	}
	n, err := l.Prune(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want the 2 entries before the first recent one", n, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	l := newLog(t, 25)
	ctx := context.Background()
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			var err error
			for i := 0; i < 25 && err == nil; i++ {
				err = l.Record(ctx, Entry{Actor: "g" + strconv.Itoa(g), Role: RoleOfficer, Action: CardRead, Object: strconv.Itoa(i)})
			}
			errs <- err
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if rep := verify(t, l, VerifyOptions{}); !rep.OK() || rep.Entries != 100 || rep.Checkpoints != 4 {
		t.Fatalf("after concurrent appends: %+v", rep)
	}
}

func TestIntegrityGateAndAcknowledge(t *testing.T) {
	ctx := context.Background()
	l := newLog(t, 50)
	if err := l.RequireIntact(); !errors.Is(err, ErrCorrupted) {
		t.Fatalf("unchecked log accepted: %v", err)
	}
	fill(t, l, 60, 60)
	if in := l.CheckIntegrity(ctx); in.State != Intact || l.RequireIntact() != nil {
		t.Fatalf("intact log: %+v", in)
	}
	dropGuards(t, l.db)
	l.db.Exec(`UPDATE audit_log SET actor = 'x' WHERE seq = 10`)
	in := l.CheckIntegrity(ctx)
	if in.State != Corrupted || in.First == nil || in.First.Seq != 10 {
		t.Fatalf("corrupted log: %+v", in)
	}
	if err := l.RequireIntact(); !errors.Is(err, ErrCorrupted) {
		t.Fatalf("RequireIntact = %v", err)
	}
	first := *in.DetectedAt
	if in2 := l.CheckIntegrity(ctx); in2.DetectedAt == nil || !in2.DetectedAt.Equal(first) || !in2.ReportBy.Equal(first.Add(72*time.Hour)) {
		t.Fatalf("detection time not kept across checks: %+v (first %v)", in2, first)
	}
	in, err := l.Acknowledge(ctx, "sup1", "seen, reported to C06")
	if err != nil || in.State != Acknowledged || l.RequireIntact() != nil {
		t.Fatalf("after ack: %+v, %v", in, err)
	}
	// A reopened station sees the acknowledgement.
	l2, _ := New(l.db, Options{})
	if in := l2.CheckIntegrity(ctx); in.State != Acknowledged {
		t.Fatalf("after reopen: %+v", in)
	}
	// A new break needs a new acknowledgement.
	l.db.Exec(`DELETE FROM audit_log WHERE seq = 30`)
	if in := l.CheckIntegrity(ctx); in.State != Corrupted || in.First.Seq != 30 {
		t.Fatalf("second break: %+v", in)
	}
}

func TestAcknowledgedTruncationStaysAcknowledged(t *testing.T) {
	ctx := context.Background()
	l := newLog(t, 1000)
	fill(t, l, 20, 20)
	dropGuards(t, l.db)
	l.db.Exec(`DELETE FROM audit_log WHERE seq > 15`)
	if in := l.CheckIntegrity(ctx); in.State != Corrupted || in.First.Kind != Truncated {
		t.Fatalf("cut tail: %+v", in)
	}
	if in, err := l.Acknowledge(ctx, "sup1", "restored from backup impossible, reported"); err != nil || in.State != Acknowledged {
		t.Fatalf("ack: %+v %v", in, err)
	}
	fill(t, l, 5, 1) // the gap is now in the middle
	if in := l.CheckIntegrity(ctx); in.State != Acknowledged {
		t.Fatalf("after new entries: %+v", in)
	}
}

func TestIntegrityUnreadableTable(t *testing.T) {
	l := newLog(t, 50)
	fill(t, l, 5, 5)
	dropGuards(t, l.db)
	l.db.Exec(`DROP TABLE audit_log`)
	in := l.CheckIntegrity(context.Background())
	if in.State != Corrupted || in.Err == "" || l.RequireIntact() == nil {
		t.Fatalf("dropped table: %+v", in)
	}
}

// TestCrashDuringAppend kills a child process appending entries as fast
// as it can, several times, and checks the chain is whole every time: an
// entry is either in the log completely or not at all.
func TestCrashDuringAppend(t *testing.T) {
	if os.Getenv("AUDIT_KILL_CHILD") != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), "station.db")
	acked := 0
	for cycle := 0; cycle < 5; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringAppend$")
		cmd.Env = append(os.Environ(), "AUDIT_KILL_CHILD=1", "AUDIT_KILL_PATH="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		lines := 0
		for sc.Scan() && lines < 15+cycle*7 {
			if s, err := strconv.Atoi(sc.Text()); err == nil && s > acked {
				acked = s
			}
			lines++
		}
		cmd.Process.Kill()
		cmd.Wait()
		db := openDB(t, path)
		l, _ := New(db, Options{Signer: testKey, CheckpointEvery: 7})
		rep := verify(t, l, VerifyOptions{})
		if !rep.OK() {
			t.Fatalf("cycle %d: chain broken after kill: %v", cycle, rep.Breaks)
		}
		if rep.Head.Seq < int64(acked) {
			t.Fatalf("cycle %d: acknowledged entry %d lost (head %d)", cycle, acked, rep.Head.Seq)
		}
		db.Close()
	}
}

func crashChild() {
	db, err := store.Open(context.Background(), os.Getenv("AUDIT_KILL_PATH"), store.Options{})
	if err != nil {
		os.Exit(1)
	}
	l, _ := New(db, Options{Signer: testKey, CheckpointEvery: 7})
	ctx := context.Background()
	for i := 0; ; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for j := 0; j < 3; j++ { // several entries per transaction: all or none
				_, err := l.RecordTx(ctx, tx, Entry{Actor: "kill", Role: RoleSystem, Action: SyncStarted, Object: strconv.Itoa(i)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			os.Exit(1)
		}
		h, _ := l.Head(ctx)
		fmt.Println(h.Seq)
	}
}

func TestSinceAndContinuation(t *testing.T) {
	ctx := context.Background()
	l := newLog(t, 1000)
	fill(t, l, 30, 30)
	up := Head{Hash: ZeroHash} // upstream's copy starts empty
	for batch := 0; batch < 4; batch++ {
		es, err := l.Since(ctx, up, 10)
		if err != nil {
			t.Fatal(err)
		}
		rep := VerifyContinuation(up, es)
		if !rep.OK() {
			t.Fatalf("batch %d: %v", batch, rep.Breaks)
		}
		up = rep.Head
	}
	if up.Seq != 30 {
		t.Fatalf("upstream head %d, want 30", up.Seq)
	}
	fill(t, l, 5, 5)
	es, _ := l.Since(ctx, up, 0)
	// A batch that skips an entry, and one that starts over, are caught.
	if rep := VerifyContinuation(up, es[1:]); rep.OK() || rep.FirstBreak().Kind != Missing {
		t.Fatalf("gap: %v", rep.Breaks)
	}
	restarted, _ := l.Since(ctx, Head{Hash: ZeroHash}, 3)
	if rep := VerifyContinuation(up, restarted); rep.OK() {
		t.Fatal("restarted chain accepted")
	}
	if _, err := l.Since(ctx, Head{Seq: 5, Hash: ZeroHash}, 0); err == nil {
		t.Fatal("Since from a head the log does not hold")
	}
}

// TestAnyEntry edits or deletes the entry at many positions of a 120-entry
// log (first, last, checkpointed, in between) and checks each time that the
// first break found is exactly that entry.
func TestAnyEntry(t *testing.T) {
	const n = 120
	for _, k := range []int{1, 2, 29, 30, 31, 60, 89, 90, 119, 120} {
		for _, op := range []string{"edit", "delete", "edit+rehash"} {
			l := newLog(t, 30)
			fill(t, l, n, n)
			dropGuards(t, l.db)
			want := Altered
			switch op {
			case "edit":
				l.db.Exec(`UPDATE audit_log SET object = 'x' WHERE seq = ?`, k)
			case "edit+rehash":
				l.db.Exec(`UPDATE audit_log SET object = 'x' WHERE seq = ?`, k)
				rehash(t, l.db, k)
				want = Replaced
				if k%30 == 0 {
					want = CheckpointMismatch
				}
			case "delete":
				l.db.Exec(`DELETE FROM audit_log WHERE seq = ?`, k)
				want = Missing
				if k == n {
					want = Truncated
				}
			}
			rep := verify(t, l, VerifyOptions{})
			b := rep.FirstBreak()
			if b == nil || b.Seq != int64(k) || b.Kind != want {
				t.Errorf("%s %d: first break %v, want %s at %d", op, k, b, want, k)
			}
		}
	}
}
