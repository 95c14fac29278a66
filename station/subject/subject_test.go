package subject

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	consenttext "github.com/dinhdanh/dinhdanh/assets/consent"
	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/store"
)

const (
	citizen = "001203004567"
	other   = "079099000001"
	appA    = "123e4567-e89b-42d3-a456-426614174000"
	appB    = "123e4567-e89b-42d3-a456-426614174001"
	appC    = "123e4567-e89b-42d3-a456-426614174002"
)

var (
	sup     = access.Actor{Name: "sup", Role: access.Supervisor}
	officer = access.Actor{Name: "lan", Role: access.Officer}
)

type finder map[string][]string

func (f finder) ApplicationsFor(_ context.Context, id string) ([]string, error) { return f[id], nil }

// evidence stands in for the application store's provider.
type evidence struct{ files map[string][]byte }

func (evidence) Name() string { return "evidence" }
func (e evidence) Export(_ context.Context, q Query) (Section, error) {
	var fs []File
	for _, app := range q.Apps {
		if b, ok := e.files[app]; ok {
			fs = append(fs, File{Name: app + "-portrait.jpg", Data: b})
		}
	}
	return Section{Data: map[string]int{"portraits": len(fs)}, Files: fs}, nil
}
func (e evidence) Erase(_ context.Context, q Query) (Erasure, error) {
	n := 0
	for _, app := range q.Apps {
		if _, ok := e.files[app]; ok {
			delete(e.files, app)
			n++
		}
	}
	return Erasure{Deleted: n}, nil
}

func setup(t *testing.T) (*Service, *consent.Store, evidence) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "station.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, _ := audit.New(db, audit.Options{})
	cs := consent.NewStore(l)
	for _, app := range []string{appA, appB, appC} {
		_, err := cs.Record(ctx, officer, consent.Record{AppUUID: app, Purposes: []consent.Purpose{consent.IdentityVerification},
			DataTypes: []consent.DataType{consent.LivePortrait}, RetentionDays: 30, TextVersion: consenttext.Current,
			Language: "vi", Ack: consent.SignedOnPad})
		if err != nil {
			t.Fatal(err)
		}
	}
	l.Record(ctx, audit.Entry{Actor: "lan", Role: "officer", Action: audit.CardRead, Object: citizen})
	ev := evidence{files: map[string][]byte{appA: []byte("JPEG-A"), appC: []byte("JPEG-C")}}
	s := &Service{Log: l, Finder: finder{citizen: {appA, appB}, other: {appC}},
		Providers: []Provider{ConsentProvider{cs}, AuditProvider{l}, ev}}
	return s, cs, ev
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	s, _, _ := setup(t)
	dir := filepath.Join(t.TempDir(), "out")
	m, err := s.Export(ctx, sup, citizen, dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Apps != 2 || m.Files != 1 || len(m.Sections) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	b, err := os.ReadFile(filepath.Join(dir, "subject.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		IDNumber string `json:"id_number"`
		Sections struct {
			Consent []consent.Record
			Audit   []auditItem
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.IDNumber != citizen || len(doc.Sections.Consent) != 2 {
		t.Fatalf("export: %s", b)
	}
	if strings.Contains(string(b), appC) {
		t.Fatal("another citizen's application in the export")
	}
	var byApp, byID int
	for _, it := range doc.Sections.Audit {
		switch it.MatchedBy {
		case "application":
			byApp++
		case "masked_id":
			byID++
		}
	}
	if byApp != 2 || byID != 1 {
		t.Fatalf("audit section: %d by application, %d by masked id", byApp, byID)
	}
	if img, err := os.ReadFile(filepath.Join(dir, "evidence", appA+"-portrait.jpg")); err != nil || string(img) != "JPEG-A" {
		t.Fatalf("image: %q %v", img, err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("export folder mode %v", st.Mode().Perm())
	}
	if _, err := s.Export(ctx, sup, citizen, dir); err == nil {
		t.Fatal("export into a non-empty folder")
	}
	// The audit log holds the export, masked, and never the full number.
	var n int
	s.Log.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`, audit.SubjectExported, "001******567").Scan(&n)
	var leaks int
	s.Log.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE object LIKE '%' || ? || '%' OR detail LIKE '%' || ? || '%'`, citizen, citizen).Scan(&leaks)
	if n != 1 || leaks != 0 {
		t.Fatalf("audited %d exports, %d entries with the full number", n, leaks)
	}
}

func TestRolesDenied(t *testing.T) {
	ctx := context.Background()
	s, _, _ := setup(t)
	for _, a := range []access.Actor{officer, {Name: "tuan", Role: access.Technician}, {Name: "sync", Role: access.System}} {
		if _, err := s.Export(ctx, a, citizen, filepath.Join(t.TempDir(), "x")); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s export: %v", a.Role, err)
		}
		if _, err := s.Erase(ctx, a, citizen); !errors.Is(err, access.ErrDenied) {
			t.Errorf("%s erase: %v", a.Role, err)
		}
	}
	var denied int
	s.Log.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, audit.AccessDenied).Scan(&denied)
	if denied != 6 {
		t.Fatalf("%d denials audited, want 6", denied)
	}
	if _, err := s.Export(ctx, sup, "12345", t.TempDir()); err == nil || strings.Contains(err.Error(), "12345") {
		t.Fatalf("bad ID: %v", err)
	}
}

func TestErase(t *testing.T) {
	ctx := context.Background()
	s, cs, ev := setup(t)
	rep, err := s.Erase(ctx, sup, citizen)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Providers["consent"].Deleted != 2 || rep.Providers["evidence"].Deleted != 1 || len(rep.Providers["audit"].Kept) != 1 {
		t.Fatalf("erase report %+v", rep)
	}
	if err := cs.RequireConsent(ctx, appA); !errors.Is(err, consent.ErrNoConsent) {
		t.Fatalf("consent gate after erasure: %v", err)
	}
	if err := cs.RequireConsent(ctx, appC); err != nil {
		t.Fatalf("other citizen's consent erased: %v", err)
	}
	if _, ok := ev.files[appC]; !ok {
		t.Fatal("other citizen's evidence erased")
	}
	rep2, err := s.Erase(ctx, sup, citizen)
	if err != nil || rep2.Providers["consent"].Deleted != 0 {
		t.Fatalf("second erase: %+v %v", rep2, err)
	}
	vr, _ := s.Log.Verify(ctx, audit.VerifyOptions{})
	if !vr.OK() {
		t.Fatalf("audit chain: %v", vr.Breaks)
	}
}

func TestNoFinderIsReported(t *testing.T) {
	s, _, _ := setup(t)
	s.Finder = nil
	m, err := s.Export(context.Background(), sup, citizen, filepath.Join(t.TempDir(), "o"))
	if err != nil || len(m.Missing) != 1 {
		t.Fatalf("manifest %+v, %v", m, err)
	}
}
