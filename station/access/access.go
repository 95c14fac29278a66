// Package access decides who may do what on the station.
//
// There are three human roles (officer, supervisor, technician) and the
// system role of unattended jobs. Every sensitive action, and above all
// every read of a citizen's data, asks Check once with the actor's role and
// a Permission from this package. The permission table below is the only
// place that grants anything: what it does not list is denied.
//
// Technicians look after devices. They never see citizen data, not even in
// diagnostics, which is why none of the citizen permissions is granted to
// them.
package access

import (
	"errors"
	"fmt"
	"sort"
)

// Role is what an actor is allowed to be on the station.
type Role string

// The roles. Their string values are what the audit log records.
const (
	Officer    Role = "officer"
	Supervisor Role = "supervisor"
	Technician Role = "technician"
	// System is the nightly sync, the retention job and other unattended
	// work started by the station itself.
	System Role = "system"
)

// Roles lists every role in a stable order.
var Roles = []Role{Officer, Supervisor, Technician, System}

// ParseRole returns the role named s, or an error.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want officer, supervisor, technician or system)", s)
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	_, err := ParseRole(string(r))
	return err == nil
}

// Permission names one kind of action that Check allows or denies.
type Permission string

// The permissions. Citizen-data permissions come first.
const (
	// ViewCitizenData covers every read of a citizen's personal data: card
	// data, portraits, fingerprints, match results, application details,
	// consent records, the queue with names.
	ViewCitizenData Permission = "citizen.view"
	// ReadCard reads a citizen's chip ID card.
	ReadCard Permission = "card.read"
	// RecordConsent records or withdraws a citizen's consent.
	RecordConsent Permission = "consent.record"
	// Capture takes a live portrait or fingerprints of a citizen.
	Capture Permission = "capture"
	// Match runs 1:1 and 1:N verification on a citizen's biometrics.
	Match Permission = "match"
	// SubmitApplication queues a verified application for approval.
	SubmitApplication Permission = "application.submit"
	// Approve approves or rejects an application before it leaves the
	// station, and handles exceptions (missing fingers, failed matches).
	Approve Permission = "application.approve"
	// PrintReceipt prints the citizen's receipt or consent record.
	PrintReceipt Permission = "receipt.print"
	// ExportSubject exports everything held about one citizen (a
	// data-subject request).
	ExportSubject Permission = "subject.export"
	// EraseSubject erases a citizen's data where the law allows.
	EraseSubject Permission = "subject.erase"

	// RunDiagnostics tests devices and exports a diagnostics report, which
	// never holds citizen data.
	RunDiagnostics Permission = "diagnostics.run"
	// ManageDevices adds, removes or reconfigures devices.
	ManageDevices Permission = "devices.manage"
	// RunSync starts a sync with upstream.
	RunSync Permission = "sync.run"
	// RunRetention runs the retention job.
	RunRetention Permission = "retention.run"
	// RotateKeys rotates the station's signing and encryption keys.
	RotateKeys Permission = "keys.rotate"
	// ManageUsers creates users and changes their roles.
	ManageUsers Permission = "users.manage"
	// VerifyAudit checks the audit chain.
	VerifyAudit Permission = "audit.verify"
	// ExportAudit exports part of the audit log for an inspector.
	ExportAudit Permission = "audit.export"
	// AcknowledgeAuditCorruption lets the station take new applications
	// again after a broken audit chain was reported.
	AcknowledgeAuditCorruption Permission = "audit.acknowledge"
	// ChangeSettings edits station settings, retention periods included.
	ChangeSettings Permission = "settings.change"
)

// table is the whole policy: role → granted permissions.
var table = map[Role]map[Permission]bool{
	Officer: set(
		ViewCitizenData, ReadCard, RecordConsent, Capture, Match,
		SubmitApplication, PrintReceipt, VerifyAudit,
	),
	Supervisor: set(
		ViewCitizenData, ReadCard, RecordConsent, Capture, Match,
		SubmitApplication, PrintReceipt, Approve,
		ExportSubject, EraseSubject,
		RunSync, RunRetention, RotateKeys, ManageUsers, ChangeSettings,
		VerifyAudit, ExportAudit, AcknowledgeAuditCorruption,
	),
	Technician: set(
		RunDiagnostics, ManageDevices, VerifyAudit,
	),
	System: set(
		RunSync, RunRetention, VerifyAudit,
	),
}

func set(ps ...Permission) map[Permission]bool {
	m := make(map[Permission]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// ErrDenied is wrapped by every error Check returns.
var ErrDenied = errors.New("access denied")

// Check returns nil if role may do p, and an error wrapping ErrDenied
// otherwise. Unknown roles and unknown permissions are denied.
func Check(role Role, p Permission) error {
	if table[role][p] {
		return nil
	}
	if !role.Valid() {
		return fmt.Errorf("%w: unknown role %q", ErrDenied, role)
	}
	return fmt.Errorf("%w: role %s may not %s", ErrDenied, role, p)
}

// Allowed reports whether role may do p.
func Allowed(role Role, p Permission) bool { return Check(role, p) == nil }

// Permissions lists what role may do, sorted.
func Permissions(role Role) []Permission {
	var ps []Permission
	for p := range table[role] {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}
