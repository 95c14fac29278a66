package access

import (
	"errors"
	"testing"
)

// citizenData are the permissions that expose a citizen's personal data.
var citizenData = []Permission{
	ViewCitizenData, ReadCard, RecordConsent, Capture, Match,
	SubmitApplication, Approve, PrintReceipt, ExportSubject, EraseSubject,
}

func TestTablePerRole(t *testing.T) {
	all := []Permission{
		ViewCitizenData, ReadCard, RecordConsent, Capture, Match, SubmitApplication,
		Approve, PrintReceipt, ExportSubject, EraseSubject, RunDiagnostics, ManageDevices,
		RunSync, RunRetention, RotateKeys, ManageUsers, VerifyAudit, ExportAudit,
		AcknowledgeAuditCorruption, ChangeSettings,
	}
	allow := map[Role][]Permission{
		Officer: {ViewCitizenData, ReadCard, RecordConsent, Capture, Match, SubmitApplication,
			PrintReceipt, VerifyAudit},
		Supervisor: {ViewCitizenData, ReadCard, RecordConsent, Capture, Match, SubmitApplication,
			Approve, PrintReceipt, ExportSubject, EraseSubject, RunSync, RunRetention, RotateKeys,
			ManageUsers, VerifyAudit, ExportAudit, AcknowledgeAuditCorruption, ChangeSettings},
		Technician: {RunDiagnostics, ManageDevices, VerifyAudit},
		System:     {RunSync, RunRetention, VerifyAudit},
	}
	for _, r := range Roles {
		want := map[Permission]bool{}
		for _, p := range allow[r] {
			want[p] = true
		}
		for _, p := range all {
			err := Check(r, p)
			if want[p] && err != nil {
				t.Errorf("%s %s: denied (%v), want allowed", r, p, err)
			}
			if !want[p] && !errors.Is(err, ErrDenied) {
				t.Errorf("%s %s: %v, want denied", r, p, err)
			}
		}
		if got := len(Permissions(r)); got != len(allow[r]) {
			t.Errorf("%s has %d permissions, test expects %d: update the test with the table", r, got, len(allow[r]))
		}
	}
}

func TestTechnicianNeverSeesCitizenData(t *testing.T) {
	for _, p := range citizenData {
		if Allowed(Technician, p) || Allowed(System, p) {
			t.Errorf("technician or system may %s", p)
		}
	}
}

func TestDenyByDefault(t *testing.T) {
	for _, tc := range []struct {
		r Role
		p Permission
	}{
		{"", ViewCitizenData},
		{"admin", ViewCitizenData},
		{"Supervisor", Approve},
		{Supervisor, "everything"},
		{Supervisor, ""},
	} {
		if err := Check(tc.r, tc.p); !errors.Is(err, ErrDenied) {
			t.Errorf("Check(%q, %q) = %v, want denied", tc.r, tc.p, err)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root) accepted")
	}
}
