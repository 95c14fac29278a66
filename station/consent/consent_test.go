package consent

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/store"
)

const app1 = "123e4567-e89b-42d3-a456-426614174000"

var officer = access.Actor{Name: "lan", Role: access.Officer}

func newStore(t *testing.T) (*Store, *audit.Log) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := audit.New(db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return NewStore(l), l
}

func sample(app string) Record {
	return Record{AppUUID: app, Purposes: []Purpose{IdentityVerification, Level2Account},
		DataTypes: []DataType{CardData, ChipPortrait, LivePortrait, Fingerprints}, RetentionDays: 30,
		TextVersion: consenttext.Current, Language: "vi", Ack: SignedPaper, AckRef: "F-0012"}
}

func TestConsentBeforeCapture(t *testing.T) {
	ctx := context.Background()
	s, l := newStore(t)
	if err := s.RequireConsent(ctx, app1); !errors.Is(err, ErrNoConsent) {
		t.Fatalf("gate without consent: %v", err)
	}
	r, err := s.Record(ctx, officer, sample(app1))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := consenttext.Text("v1", "vi")
	if r.TextHash != TextHash(text) || r.Officer != "lan" {
		t.Fatalf("recorded %+v", r)
	}
	if err := s.RequireConsent(ctx, app1); err != nil {
		t.Fatalf("gate with consent: %v", err)
	}
	got, err := s.Get(ctx, app1)
	if err != nil || got.TextHash != r.TextHash || len(got.DataTypes) != 4 || got.AckRef != "F-0012" || !got.RecordedAt.Equal(r.RecordedAt) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := s.Record(ctx, officer, sample(app1)); err == nil {
		t.Fatal("second consent for one application accepted")
	}
	rep, _ := l.Verify(ctx, audit.VerifyOptions{})
	if !rep.OK() || rep.Entries != 2 { // consent.missing, consent.recorded
		t.Fatalf("audit: %+v", rep)
	}
}

func TestConsentValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for name, mod := range map[string]func(*Record){
		"silence":         func(r *Record) { r.Ack = "" },
		"implied":         func(r *Record) { r.Ack = "did_not_object" },
		"no purposes":     func(r *Record) { r.Purposes = nil },
		"unknown purpose": func(r *Record) { r.Purposes = []Purpose{"marketing"} },
		"no data types":   func(r *Record) { r.DataTypes = nil },
		"bad uuid":        func(r *Record) { r.AppUUID = "001203004567" },
		"unknown text":    func(r *Record) { r.TextVersion = "v0" },
		"unknown lang":    func(r *Record) { r.Language = "fr" },
		"no retention":    func(r *Record) { r.RetentionDays = 0 },
	} {
		r := sample(app1)
		mod(&r)
		if _, err := s.Record(ctx, officer, r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := s.Record(ctx, access.Actor{Name: "tuan", Role: access.Technician}, sample(app1)); !errors.Is(err, access.ErrDenied) {
		t.Errorf("technician recorded consent: %v", err)
	}
}

func TestWithdraw(t *testing.T) {
	ctx := context.Background()
	s, l := newStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	if _, err := s.Record(ctx, officer, sample(app1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Withdraw(ctx, officer, app1, "citizen changed mind", 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.RequireConsent(ctx, app1); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("gate after withdrawal: %v", err)
	}
	if err := s.Withdraw(ctx, officer, app1, "again", 0); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("second withdrawal: %v", err)
	}
	if due, _ := s.DueForErasure(ctx, now.Add(time.Hour)); len(due) != 0 {
		t.Fatalf("due before grace: %v", due)
	}
	due, _ := s.DueForErasure(ctx, now.Add(25*time.Hour))
	if len(due) != 1 || due[0] != app1 {
		t.Fatalf("due after grace: %v", due)
	}
	// Not purged by retention until its data is erased.
	if n, _ := s.Purge(ctx, now.Add(48*time.Hour)); n != 0 {
		t.Fatalf("purged unerased withdrawn consent")
	}
	s.MarkErased(ctx, app1)
	if due, _ := s.DueForErasure(ctx, now.Add(25*time.Hour)); len(due) != 0 {
		t.Fatalf("still due after erasure: %v", due)
	}
	if n, _ := s.Purge(ctx, now.Add(48*time.Hour)); n != 1 {
		t.Fatalf("Purge = %d, want 1", n)
	}
	var actions []string
	rows, _ := l.DB().Query(`SELECT action FROM audit_log ORDER BY seq`)
	for rows.Next() {
		var a string
		rows.Scan(&a)
		actions = append(actions, a)
	}
	rows.Close()
	if strings.Join(actions, " ") != "consent.recorded consent.withdrawn consent.missing" {
		t.Fatalf("audited %v", actions)
	}
}

func TestRender(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for _, lang := range []string{"vi", "en"} {
		r := sample(app1)
		r.Language = lang
		r.AppUUID = strings.Replace(app1, "1", "2", 1) + ""
		if lang == "en" {
			r.AppUUID = app1
		}
		r, err := s.Record(ctx, officer, r)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Render(r, time.FixedZone("ICT", 7*3600))
		if err != nil {
			t.Fatal(err)
		}
		text, _ := consenttext.Text("v1", lang)
		if !strings.HasPrefix(out, strings.TrimRight(text, "\n")) || !strings.Contains(out, r.TextHash) || !strings.Contains(out, "+07:00") {
			t.Fatalf("%s render:\n%s", lang, out)
		}
		r.TextHash = TextHash("another text")
		if _, err := Render(r, nil); err == nil {
			t.Fatal("rendered with a mismatched text hash")
		}
	}
}
