package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/dinhdanh/dinhdanh/station/audit"
)

// Actor is who is asking: a logged-in user with a role, or the system.
type Actor struct {
	Name string
	Role Role
}

// Guard is Check with an audit trail: every denial is recorded, and so is
// every allowed read of a citizen's data (ViewCitizenData), so that the log
// shows who saw whom. Code that shows or returns citizen data calls
// Guard.Allow once per view.
//
// Allow records through its own transaction: call it before opening a
// write transaction on the same database, not inside one (the store takes
// the write lock at BEGIN, so the inner append would wait for the outer
// transaction until the busy timeout).
type Guard struct {
	Rec audit.Recorder
}

// Allow checks that a may do p on object (an application UUID, a masked ID
// number; never a full ID number) and records the decision when it is a
// denial or a view of citizen data. A denial returns an error wrapping
// ErrDenied; a failure to record returns that error, and the action must
// not go ahead: what cannot be audited is not done.
func (g Guard) Allow(ctx context.Context, a Actor, p Permission, object string) error {
	cerr := Check(a.Role, p)
	if cerr == nil && p != ViewCitizenData {
		return nil
	}
	role := string(a.Role)
	if !a.Role.Valid() {
		role = string(System) // the audit log only knows real roles; the detail keeps the claim
	}
	e := audit.Entry{Actor: a.Name, Role: role, Action: audit.CitizenViewed, Object: object, Outcome: audit.OK,
		Detail: map[string]string{"permission": string(p)}}
	if e.Actor == "" {
		e.Actor = "unknown"
	}
	if cerr != nil {
		e.Action, e.Outcome = audit.AccessDenied, audit.Denied
		if !a.Role.Valid() {
			e.Detail["claimed_role"] = fmt.Sprintf("%.40q", string(a.Role))
		}
	}
	if g.Rec == nil {
		return errors.Join(cerr, errors.New("access: no audit recorder"))
	}
	if err := g.Rec.Record(ctx, e); err != nil {
		return errors.Join(cerr, fmt.Errorf("access: audit %s: %w", p, err))
	}
	return cerr
}
