// Package audit is the station's tamper-evident record of who did what.
//
// Every part of the station that does something sensitive (log-ins, card
// reads, captures, matches, views of a citizen's data, approvals, exports,
// sync runs, key rotation, deletions, device changes) appends an Entry
// through a Recorder. Entries name the actor and the object but never hold
// biometric data, and ID numbers only masked.
package audit

import "context"

// Entry is one audited action, as handed to a Recorder. The log adds the
// sequence number, time and hash chain.
type Entry struct {
	// Actor is who acted: a user name, or "system" / "sync" for jobs.
	Actor string
	// Role is the actor's role at the time: officer, supervisor,
	// technician, or system.
	Role string
	// Action names what was done, dotted and past tense, from a fixed
	// vocabulary, e.g. "auth.login_failed", "card.read", "application.approved".
	Action string
	// Object identifies what it was done to: an application UUID, a masked
	// ID number, a device ID. Never a full ID number.
	Object string
	// Outcome is "ok", "denied" or "failed".
	Outcome string
	// Detail holds short non-sensitive facts (scores, reasons, counts).
	Detail map[string]string
}

// Recorder appends entries to the audit log. Implementations must make the
// entry durable before returning nil.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}
