package access

import (
	"context"
	"errors"
	"testing"

	"github.com/dinhdanh/dinhdanh/station/audit"
)

type memRecorder struct {
	got []audit.Entry
	err error
}

func (m *memRecorder) Record(_ context.Context, e audit.Entry) error {
	if m.err != nil {
		return m.err
	}
	m.got = append(m.got, e)
	return nil
}

func TestGuardRecordsViewsAndDenials(t *testing.T) {
	ctx := context.Background()
	rec := &memRecorder{}
	g := Guard{Rec: rec}
	if err := g.Allow(ctx, Actor{"lan", Officer}, ViewCitizenData, "app-1"); err != nil {
		t.Fatal(err)
	}
	if err := g.Allow(ctx, Actor{"lan", Officer}, Capture, "app-1"); err != nil {
		t.Fatal(err)
	}
	if err := g.Allow(ctx, Actor{"tuan", Technician}, ViewCitizenData, "app-1"); !errors.Is(err, ErrDenied) {
		t.Fatalf("technician view: %v", err)
	}
	if err := g.Allow(ctx, Actor{"x", "root"}, ExportSubject, "001******567"); !errors.Is(err, ErrDenied) {
		t.Fatalf("unknown role: %v", err)
	}
	want := []struct{ action, outcome string }{
		{audit.CitizenViewed, audit.OK},
		{audit.AccessDenied, audit.Denied},
		{audit.AccessDenied, audit.Denied},
	}
	if len(rec.got) != len(want) {
		t.Fatalf("recorded %d entries, want %d: %+v", len(rec.got), len(want), rec.got)
	}
	for i, w := range want {
		if rec.got[i].Action != w.action || rec.got[i].Outcome != w.outcome {
			t.Errorf("entry %d = %s/%s, want %s/%s", i, rec.got[i].Action, rec.got[i].Outcome, w.action, w.outcome)
		}
	}
	if rec.got[2].Role != "system" || rec.got[2].Detail["claimed_role"] == "" {
		t.Errorf("unknown role recorded as %+v", rec.got[2])
	}
}

func TestGuardFailsClosedWhenAuditFails(t *testing.T) {
	g := Guard{Rec: &memRecorder{err: errors.New("disk full")}}
	if err := g.Allow(context.Background(), Actor{"lan", Officer}, ViewCitizenData, "app-1"); err == nil {
		t.Fatal("view allowed although it could not be audited")
	}
	if err := (Guard{}).Allow(context.Background(), Actor{"lan", Officer}, ViewCitizenData, "app-1"); err == nil {
		t.Fatal("view allowed without a recorder")
	}
}

func TestRolesMatchAudit(t *testing.T) {
	for _, r := range Roles {
		ok := map[string]bool{audit.RoleOfficer: true, audit.RoleSupervisor: true, audit.RoleTechnician: true, audit.RoleSystem: true}[string(r)]
		if !ok {
			t.Errorf("role %s unknown to the audit log", r)
		}
	}
}
