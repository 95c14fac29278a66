package application

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
)

type memAudit struct {
	mu sync.Mutex
	e  []audit.Entry
}

func (m *memAudit) Record(_ context.Context, e audit.Entry) error {
	m.mu.Lock()
	m.e = append(m.e, e)
	m.mu.Unlock()
	return nil
}

func newRepo(t *testing.T) (*Repo, *store.DB, *memAudit, *keys.Keyring) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f, err := keys.LoadOrCreate(filepath.Join(dir, "station.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	kr, err := keys.OpenKeyring(ctx, db, f)
	if err != nil {
		t.Fatal(err)
	}
	rec := &memAudit{}
	return NewRepo(db, kr, f.LookupKey(), rec), db, rec, kr
}

var (
	officer    = Actor{Name: "lan", Role: "officer"}
	supervisor = Actor{Name: "hung", Role: "supervisor"}
	card       = Card{IDNumber: "001203012345", FullName: "Nguyễn Thị Lan", DateOfBirth: "2003-04-05", Sex: "F"}
)

func TestTransitionTable(t *testing.T) {
	for _, tc := range []struct {
		from, to State
		ok       bool
	}{
		{Draft, Verified, true}, {Draft, Approved, false}, {Verified, Approved, true}, {Verified, Rejected, true},
		{Approved, Queued, true}, {Queued, Uploaded, true}, {Uploaded, Accepted, true}, {Uploaded, UpstreamRejected, true},
		{Rejected, Approved, false}, {Accepted, Queued, false}, {Queued, Approved, false}, {Draft, Queued, false},
	} {
		if got := Allowed(tc.from, tc.to); got != tc.ok {
			t.Errorf("Allowed(%s, %s) = %v", tc.from, tc.to, got)
		}
	}
	for _, s := range []State{Rejected, Accepted, UpstreamRejected} {
		if !s.Final() {
			t.Errorf("%s not final", s)
		}
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	r, db, rec, kr := newRepo(t)
	id, err := r.Create(ctx, officer, card)
	if err != nil {
		t.Fatal(err)
	}
	portrait := []byte("\xff\xd8 jpeg portrait bytes")
	if err := r.AttachEvidence(ctx, officer, id, "portrait", 0.91, portrait); err != nil {
		t.Fatal(err)
	}
	if err := r.MarkVerified(ctx, officer, id); err == nil {
		t.Fatal("verified without consent and checks")
	}
	if err := r.SetConsent(ctx, officer, id, "consent-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.RecordCheck(ctx, officer, id, Check{Name: "chip_face", Score: 0.82, Threshold: 0.6, Passed: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.Approve(ctx, supervisor, id, ""); err == nil {
		t.Fatal("approved a draft")
	}
	if err := r.MarkVerified(ctx, officer, id); err != nil {
		t.Fatal(err)
	}
	if err := r.AttachEvidence(ctx, officer, id, "portrait", 0.5, portrait); err == nil {
		t.Fatal("evidence changed after verification")
	}
	if err := r.Approve(ctx, officer, id, ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("officer approved: %v", err)
	}
	if err := r.Approve(ctx, supervisor, id, "ok"); err != nil {
		t.Fatal(err)
	}
	if err := r.Queue(ctx, supervisor, id); err != nil {
		t.Fatal(err)
	}
	u, err := r.Upload(ctx, id)
	if err != nil || !bytes.Equal(u.Evidence[0].Data, portrait) || u.Card.IDNumber != card.IDNumber {
		t.Fatalf("Upload = %+v, %v", u, err)
	}
	for i := 0; i < 2; i++ {
		n, err := r.MarkUploaded(ctx, []string{id})
		if err != nil || n != 1-i {
			t.Fatalf("MarkUploaded #%d = %d, %v", i, n, err)
		}
	}
	if _, err := r.EraseByIDNumber(ctx, officer, card.IDNumber); !errors.Is(err, ErrInFlight) {
		t.Fatalf("erased an in-flight application: %v", err)
	}
	if ch, err := r.SetOutcome(ctx, id, true, ""); err != nil || !ch {
		t.Fatal(ch, err)
	}
	if ch, _ := r.SetOutcome(ctx, id, false, "late duplicate"); ch {
		t.Fatal("second outcome applied")
	}
	app, err := r.Get(ctx, supervisor, id)
	if err != nil {
		t.Fatal(err)
	}
	if app.State != Accepted || app.IDMasked != "001******345" || len(app.Events) != 6 {
		t.Fatalf("app = %s %s %d events", app.State, app.IDMasked, len(app.Events))
	}
	// Nothing personal in the clear in the database file.
	db.Checkpoint(ctx)
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM applications WHERE card_sealed LIKE '%Lan%' OR card_sealed LIKE '%001203012345%'`).Scan(&n)
	if n != 0 {
		t.Fatal("card data stored in the clear")
	}
	// Rotation keeps everything readable.
	if k, err := kr.Rotate(ctx, nil, "tech", r); err != nil || k != 2 {
		t.Fatalf("Rotate = %d, %v", k, err)
	}
	if b, err := r.Evidence(ctx, supervisor, id, "portrait"); err != nil || !bytes.Equal(b, portrait) {
		t.Fatal("evidence unreadable after rotation", err)
	}
	// Retention.
	if k, err := r.PurgeEvidence(ctx, time.Now().Add(-time.Hour)); err != nil || k != 0 {
		t.Fatalf("purged fresh evidence: %d %v", k, err)
	}
	if k, err := r.PurgeEvidence(ctx, time.Now().Add(time.Hour)); err != nil || k != 1 {
		t.Fatalf("PurgeEvidence = %d, %v", k, err)
	}
	if _, err := r.Evidence(ctx, supervisor, id, "portrait"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("evidence survived purge: %v", err)
	}
	apps, err := r.ByIDNumber(ctx, supervisor, card.IDNumber)
	if err != nil || len(apps) != 1 || apps[0].EvidencePurged.IsZero() {
		t.Fatalf("ByIDNumber = %v, %v", apps, err)
	}
	if k, err := r.EraseByIDNumber(ctx, supervisor, card.IDNumber); err != nil || k != 1 {
		t.Fatalf("Erase = %d, %v", k, err)
	}
	for _, e := range rec.e {
		for _, v := range append([]string{e.Object}, mapValues(e.Detail)...) {
			if bytes.Contains([]byte(v), []byte(card.IDNumber)) {
				t.Fatalf("audit entry %s holds the full ID number", e.Action)
			}
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestRejectNeedsReason(t *testing.T) {
	ctx := context.Background()
	r, _, _, _ := newRepo(t)
	id, _ := r.Create(ctx, officer, card)
	r.SetConsent(ctx, officer, id, "c")
	r.RecordCheck(ctx, officer, id, Check{Name: "chip_face", Score: 0.1, Threshold: 0.6})
	r.MarkVerified(ctx, officer, id)
	if err := r.Reject(ctx, supervisor, id, " "); err == nil {
		t.Fatal("rejected without a reason")
	}
	if err := r.Reject(ctx, supervisor, id, "photo mismatch"); err != nil {
		t.Fatal(err)
	}
	var te *TransitionError
	if err := r.Queue(ctx, supervisor, id); !errors.As(err, &te) {
		t.Fatalf("queued a rejected application: %v", err)
	}
	if _, err := r.Create(ctx, officer, Card{IDNumber: "999203012345", FullName: "x"}); err == nil {
		t.Fatal("bad province code accepted")
	}
}
