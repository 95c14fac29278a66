package retention

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/store"
)

var (
	system = access.Actor{Name: "nightly", Role: access.System}
	now    = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	policy = Policy{BiometricEvidence: 30, Images: 30, ApplicationData: 365, TemplateCache: 90, Audit: 400}
)

type fixture struct {
	db       *store.DB
	log      *audit.Log
	consents *consent.Store
	job      *Job
	clock    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db}
	f.log, _ = audit.New(db, audit.Options{Now: func() time.Time { return f.clock }})
	f.consents = consent.NewStore(f.log)
	f.job = NewJob(f.log, f.consents)
	f.job.Now = func() time.Time { return now }
	// A stand-in for the application store's evidence table.
	if _, err := db.Exec(`CREATE TABLE test_evidence (id INTEGER PRIMARY KEY, accepted_at TEXT NOT NULL, image BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	f.job.Register(BiometricEvidence, "test_evidence", func(ctx context.Context, cutoff time.Time) (int, error) {
		res, err := db.ExecContext(ctx, `DELETE FROM test_evidence WHERE accepted_at < ?`, cutoff.Format(audit.TimeFormat))
		if err != nil {
			return 0, err
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	})
	return f
}

// marker returns a unique run of letters (no digits: the audit log would
// mask a long digit run, and the test must find exactly what was stored).
func marker() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	for i := range b {
		b[i] = 'g' + b[i]%20
	}
	return append([]byte("MARK"), b...)
}

func uuidFor(i int) string {
	s := strconv.Itoa(100000000000 + i)
	return "123e4567-e89b-42d3-a456-" + s
}

// fileHolds reports whether the database file or its WAL holds b.
func fileHolds(t *testing.T, db *store.DB, b []byte) bool {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(db.Path() + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

// TestRetentionDeletesExactlyWhatIsDue fills every class with items on
// both sides of its cutoff, runs the job, and checks that the due items
// are gone from the tables and from the bytes of the database file, and
// that everything else is still there.
func TestRetentionDeletesExactlyWhatIsDue(t *testing.T) {
	for _, vacuum := range []bool{true, false} {
		t.Run("vacuum="+strconv.FormatBool(vacuum), func(t *testing.T) {
			f := newFixture(t)
			if !vacuum {
				f.job.vacuumShare = 2 // never: secure_delete and the checkpoint alone must do
			}
			testRetention(t, f)
		})
	}
}

func testRetention(t *testing.T, f *fixture) {
	ctx := context.Background()
	officer := access.Actor{Name: "lan", Role: access.Officer}
	type item struct {
		mark []byte
		due  bool
	}
	var items []item
	// Evidence: ages in days around the 30-day cutoff, and the exact cutoff (kept).
	for i, age := range []time.Duration{0, 29 * 24 * time.Hour, 30 * 24 * time.Hour, 30*24*time.Hour + time.Second, 400 * 24 * time.Hour} {
		m := marker()
		img := bytes.Repeat(m, 200) // an image spanning overflow pages
		if _, err := f.db.Exec(`INSERT INTO test_evidence(id, accepted_at, image) VALUES (?, ?, ?)`, i, now.Add(-age).Format(audit.TimeFormat), img); err != nil {
			t.Fatal(err)
		}
		items = append(items, item{m, age > 30*24*time.Hour})
	}
	// Audit entries around the 400-day cutoff; the marker rides in the actor.
	for _, age := range []int{401, 399} {
		m := marker()
		f.clock = now.AddDate(0, 0, -age).Add(time.Hour)
		if err := f.log.Record(ctx, audit.Entry{Actor: string(m), Role: "officer", Action: audit.LoginSucceeded, Object: "station"}); err != nil {
			t.Fatal(err)
		}
		items = append(items, item{m, age > 400})
	}
	// Consents around the 365-day cutoff; the marker rides in the form reference.
	for i, age := range []int{10, 364, 366, 800} {
		m := marker()
		f.clock = now // the audit entry is recorded now, in order
		cs := consentAt(f, now.AddDate(0, 0, -age))
		_, err := cs.Record(ctx, officer, consent.Record{AppUUID: uuidFor(i), Purposes: []consent.Purpose{consent.IdentityVerification},
			DataTypes: []consent.DataType{consent.LivePortrait}, RetentionDays: 30, TextVersion: consenttext.Current,
			Language: "en", Ack: consent.ConfirmedOnScreen, AckRef: string(m)})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item{m, age > 365})
	}
	f.clock = now
	if err := f.db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if !fileHolds(t, f.db, it.mark) {
			t.Fatalf("item %d not in the file before the run: the scan cannot prove anything", i)
		}
	}

	rep, err := f.job.Run(ctx, system, policy)
	if err != nil {
		t.Fatal(err)
	}
	// The audit log holds the logins at 401 and 399 days, then the four
	// consent.recorded entries of today: only the first login is due.
	want := map[string]int{"test_evidence": 2, "consents": 2, "audit_log": 1}
	for _, r := range rep.Results {
		if r.Err != "" || r.Deleted != want[r.Name] {
			t.Errorf("%s/%s deleted %d (%s), want %d", r.Class, r.Name, r.Deleted, r.Err, want[r.Name])
		}
	}
	if err := f.db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if held := fileHolds(t, f.db, it.mark); held == it.due {
			t.Errorf("item %d (due %v): still in the file = %v", i, it.due, held)
		}
	}
	var ev int
	f.db.QueryRow(`SELECT COUNT(*) FROM test_evidence`).Scan(&ev)
	if ev != 3 {
		t.Errorf("%d evidence rows left, want 3", ev)
	}
	vr, err := f.log.Verify(ctx, audit.VerifyOptions{})
	if err != nil || !vr.OK() {
		t.Fatalf("audit chain after retention: %+v %v", vr, err)
	}
	t.Logf("file %d → %d bytes", rep.BytesBefore, rep.BytesAfter)
}

func consentAt(f *fixture, at time.Time) *consent.Store {
	cs := consent.NewStore(f.log)
	consent.SetClock(cs, func() time.Time { return at })
	return cs
}

func TestWithdrawnApplicationsErased(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	officer := access.Actor{Name: "lan", Role: access.Officer}
	f.clock = now.Add(-2 * time.Hour)
	cs := consentAt(f, f.clock)
	for i := 0; i < 3; i++ {
		_, err := cs.Record(ctx, officer, consent.Record{AppUUID: uuidFor(i), Purposes: []consent.Purpose{consent.IdentityVerification},
			DataTypes: []consent.DataType{consent.LivePortrait}, RetentionDays: 30, TextVersion: consenttext.Current,
			Language: "vi", Ack: consent.SignedOnPad})
		if err != nil {
			t.Fatal(err)
		}
	}
	cs.Withdraw(ctx, officer, uuidFor(0), "changed mind", 0)
	cs.Withdraw(ctx, officer, uuidFor(1), "changed mind", 72*time.Hour) // not yet due
	var erased []string
	fail := true
	f.job.RegisterEraser("applications", EraserFunc(func(ctx context.Context, app string) (int, error) {
		if fail {
			return 0, errors.New("store busy")
		}
		erased = append(erased, app)
		return 4, nil
	}))
	if _, err := f.job.Run(ctx, system, policy); err == nil {
		t.Fatal("failed erasure not reported")
	}
	fail = false
	rep, err := f.job.Run(ctx, system, policy)
	if err != nil {
		t.Fatal(err)
	}
	if len(erased) != 1 || erased[0] != uuidFor(0) || rep.Withdrawn != 1 || rep.Erased != 4 {
		t.Fatalf("erased %v, report %+v", erased, rep)
	}
	if rep, _ := f.job.Run(ctx, system, policy); rep.Withdrawn != 0 {
		t.Fatal("erased twice")
	}
}

func TestRunRequiresPermission(t *testing.T) {
	f := newFixture(t)
	for _, a := range []access.Actor{{Name: "lan", Role: access.Officer}, {Name: "tuan", Role: access.Technician}} {
		if _, err := f.job.Run(context.Background(), a, policy); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s ran retention: %v", a.Role, err)
		}
	}
	if _, err := f.job.Run(context.Background(), access.Actor{Name: "sup", Role: access.Supervisor}, policy); err != nil {
		t.Errorf("supervisor: %v", err)
	}
}

func TestPolicySettings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := LoadPolicy(ctx, f.db)
	if err != nil || p[Audit] != DefaultPolicy[Audit] {
		t.Fatalf("default policy %v, %v", p, err)
	}
	p[BiometricEvidence] = 14
	if err := SavePolicy(ctx, f.db, p); err != nil {
		t.Fatal(err)
	}
	if q, _ := LoadPolicy(ctx, f.db); q[BiometricEvidence] != 14 {
		t.Fatalf("saved policy not loaded: %v", q)
	}
	for _, bad := range []Policy{{BiometricEvidence: 0}, {BiometricEvidence: 30, Images: 30, ApplicationData: 365, TemplateCache: 9, Audit: -1},
		{BiometricEvidence: 30, Images: 30, ApplicationData: 365, TemplateCache: 9, Audit: 1, "other": 3}} {
		if SavePolicy(ctx, f.db, bad) == nil {
			t.Errorf("policy %v saved", bad)
		}
	}
	f.db.SetSetting(ctx, "retention.audit.days", "forever")
	if _, err := LoadPolicy(ctx, f.db); err == nil {
		t.Fatal("bad setting loaded")
	}
	_ = sql.ErrNoRows
}
