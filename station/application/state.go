// Package application is the level-2 account application as the station
// holds it: the citizen's card data, consent reference, captured evidence,
// match decisions, and an explicit state machine from the officer's draft to
// the upstream outcome.
//
//	draft ──► verified ──► approved ──► queued ──► uploaded ──► accepted
//	              │                                      └────► upstream_rejected
//	              └──────► rejected (by a supervisor, with a reason)
//
// Every transition is checked against one table (Allowed), stored with who
// made it and when (application_events), and audited. Card data and evidence
// are sealed at rest with the station's data keys (station/keys).
package application

import "fmt"

// State is where an application stands.
type State string

// The states of an application.
const (
	// Draft: the officer is capturing; evidence and checks may be added.
	Draft State = "draft"
	// Verified: captures and checks are complete and consent is recorded;
	// waiting for a supervisor.
	Verified State = "verified"
	// Approved by a supervisor; will be queued for the nightly upload.
	Approved State = "approved"
	// Rejected by a supervisor, with a reason. Final on the station.
	Rejected State = "rejected"
	// Queued in the outbox for the next sync.
	Queued State = "queued"
	// Uploaded: upstream has acknowledged receipt.
	Uploaded State = "uploaded"
	// Accepted upstream: the level-2 account will be issued. Final.
	Accepted State = "accepted"
	// UpstreamRejected: upstream refused it, with a reason. Final.
	UpstreamRejected State = "upstream_rejected"
)

// transitions is the whole state machine: from → allowed next states.
var transitions = map[State][]State{
	Draft:    {Verified},
	Verified: {Approved, Rejected},
	Approved: {Queued},
	Queued:   {Uploaded},
	Uploaded: {Accepted, UpstreamRejected},
}

// Allowed reports whether an application may move from one state to another.
func Allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Final reports whether no transition leaves s.
func (s State) Final() bool { return len(transitions[s]) == 0 }

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	switch s {
	case Draft, Verified, Approved, Rejected, Queued, Uploaded, Accepted, UpstreamRejected:
		return true
	}
	return false
}

// TransitionError is returned when an action does not fit the application's
// current state.
type TransitionError struct {
	UUID     string
	From, To State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("application %s: cannot go from %s to %s", e.UUID, e.From, e.To)
}
