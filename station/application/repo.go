package application

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"strconv"
	"strings"
	"time"

	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// Sealer seals and opens blobs; *keys.Keyring is one.
type Sealer interface {
	Seal(ad, plaintext []byte) ([]byte, error)
	Open(ad, blob []byte) ([]byte, error)
}

// ErrNotFound is returned for an unknown application UUID.
var ErrNotFound = errors.New("application not found")

// ErrForbidden is returned when the actor's role may not take the action.
var ErrForbidden = errors.New("not allowed for this role")

// Repo stores applications in the station database. Every state change and
// every read of evidence is audited through the Recorder.
type Repo struct {
	db        *store.DB
	seal      Sealer
	lookupKey []byte
	rec       audit.Recorder
	now       func() time.Time
}

// NewRepo returns a repository over db. lookupKey keys the hashes by which
// applications are found by ID number (keys.File.LookupKey).
func NewRepo(db *store.DB, s Sealer, lookupKey []byte, rec audit.Recorder) *Repo {
	return &Repo{db: db, seal: s, lookupKey: lookupKey, rec: rec, now: func() time.Time { return time.Now().UTC() }}
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func cardAD(uuid string) []byte           { return []byte("application/" + uuid + "/card") }
func evidenceAD(uuid, kind string) []byte { return []byte("application/" + uuid + "/evidence/" + kind) }

func (r *Repo) audit(ctx context.Context, a Actor, action, uuid, outcome string, detail map[string]string) error {
	if r.rec == nil {
		return nil
	}
	if err := r.rec.Record(ctx, audit.Entry{Actor: a.Name, Role: a.Role, Action: action, Object: uuid, Outcome: outcome, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Create starts a draft application for the citizen on card, by the
// officer a, and returns its UUID.
func (r *Repo) Create(ctx context.Context, a Actor, card Card) (string, error) {
	if mrz.CheckIDNumber(card.IDNumber) != nil {
		return "", errors.New("create application: ID number must be 12 digits with a province code 001-096")
	}
	if strings.TrimSpace(card.FullName) == "" {
		return "", errors.New("create application: full name is empty")
	}
	if a.Name == "" {
		return "", errors.New("create application: no actor")
	}
	id := NewUUID()
	plain, err := json.Marshal(card)
	if err != nil {
		return "", err
	}
	sealed, err := r.seal.Seal(cardAD(id), plain)
	if err != nil {
		return "", fmt.Errorf("create application: %w", err)
	}
	now := ts(r.now())
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO applications(uuid, state, id_lookup, id_masked, card_sealed, officer, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, Draft, keys.Lookup(r.lookupKey, card.IDNumber), idnum.Mask(card.IDNumber), sealed, a.Name, now, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO application_events(uuid, from_state, to_state, actor, role, at) VALUES (?, '', ?, ?, ?, ?)`,
			id, Draft, a.Name, a.Role, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create application: %w", err)
	}
	return id, r.audit(ctx, a, "application.created", id, "ok", map[string]string{"id": idnum.Mask(card.IDNumber)})
}

func currentState(ctx context.Context, tx *sql.Tx, uuid string) (State, error) {
	var s State
	err := tx.QueryRowContext(ctx, `SELECT state FROM applications WHERE uuid = ?`, uuid).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %s", ErrNotFound, uuid)
	}
	return s, err
}

// requireState fails unless the application is in state want.
func requireState(ctx context.Context, tx *sql.Tx, uuid string, want State, action string) error {
	s, err := currentState(ctx, tx, uuid)
	if err != nil {
		return err
	}
	if s != want {
		return fmt.Errorf("%s: application %s is %s, must be %s", action, uuid, s, want)
	}
	return nil
}

// move performs one transition inside tx, checking it against the table.
func (r *Repo) move(ctx context.Context, tx *sql.Tx, uuid string, to State, a Actor, reason string, extra string, args ...any) error {
	from, err := currentState(ctx, tx, uuid)
	if err != nil {
		return err
	}
	if !Allowed(from, to) {
		return &TransitionError{UUID: uuid, From: from, To: to}
	}
	now := ts(r.now())
	q := `UPDATE applications SET state = ?, updated_at = ?` + extra + ` WHERE uuid = ?`
	all := append([]any{to, now}, args...)
	all = append(all, uuid)
	if _, err := tx.ExecContext(ctx, q, all...); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO application_events(uuid, from_state, to_state, actor, role, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		uuid, from, to, a.Name, a.Role, reason, now)
	return err
}

// AttachEvidence stores (sealed) one piece of captured evidence of a draft:
// kind names it ("portrait", "chip_portrait", "finger_R1", "face_descriptor"),
// quality is the capture's quality score. Attaching the same kind again
// replaces it (a re-capture).
func (r *Repo) AttachEvidence(ctx context.Context, a Actor, uuid, kind string, quality float64, data []byte) error {
	if !kindRe.MatchString(kind) {
		return fmt.Errorf("attach evidence: bad kind %q", kind)
	}
	sealed, err := r.seal.Seal(evidenceAD(uuid, kind), data)
	if err != nil {
		return fmt.Errorf("attach evidence: %w", err)
	}
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireState(ctx, tx, uuid, Draft, "attach evidence"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO application_evidence(uuid, kind, quality, sealed, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(uuid, kind) DO UPDATE SET quality = excluded.quality, sealed = excluded.sealed, created_at = excluded.created_at`,
			uuid, kind, quality, sealed, ts(r.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("attach evidence: %w", err)
	}
	return r.audit(ctx, a, "application.evidence_captured", uuid, "ok", map[string]string{"kind": kind, "quality": strconv.FormatFloat(quality, 'f', 3, 64)})
}

// Evidence returns the bytes of one piece of evidence. Viewing evidence is
// audited.
func (r *Repo) Evidence(ctx context.Context, a Actor, uuid, kind string) ([]byte, error) {
	var sealed []byte
	err := r.db.QueryRowContext(ctx, `SELECT sealed FROM application_evidence WHERE uuid = ? AND kind = ?`, uuid, kind).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("evidence %s of %s: %w", kind, uuid, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence %s of %s: %w", kind, uuid, err)
	}
	b, err := r.seal.Open(evidenceAD(uuid, kind), sealed)
	if err != nil {
		return nil, fmt.Errorf("evidence %s of %s: %w", kind, uuid, err)
	}
	return b, r.audit(ctx, a, "application.evidence_viewed", uuid, "ok", map[string]string{"kind": kind})
}

// SetConsent records the reference of the citizen's consent record (kept by
// the privacy area, table consents) on a draft.
func (r *Repo) SetConsent(ctx context.Context, a Actor, uuid, consentID string) error {
	if strings.TrimSpace(consentID) == "" {
		return errors.New("set consent: empty consent reference")
	}
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireState(ctx, tx, uuid, Draft, "set consent"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE applications SET consent_id = ?, updated_at = ? WHERE uuid = ?`, consentID, ts(r.now()), uuid)
		return err
	})
	if err != nil {
		return fmt.Errorf("set consent: %w", err)
	}
	return r.audit(ctx, a, "application.consent_recorded", uuid, "ok", map[string]string{"consent": consentID})
}

// RecordCheck stores one match decision on a draft, replacing an earlier
// result of the same check.
func (r *Repo) RecordCheck(ctx context.Context, a Actor, uuid string, c Check) error {
	if !kindRe.MatchString(c.Name) {
		return fmt.Errorf("record check: bad name %q", c.Name)
	}
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireState(ctx, tx, uuid, Draft, "record check"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO application_checks(uuid, name, score, threshold, passed, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(uuid, name) DO UPDATE SET score = excluded.score, threshold = excluded.threshold, passed = excluded.passed,
			detail = excluded.detail, actor = excluded.actor, at = excluded.at`,
			uuid, c.Name, c.Score, c.Threshold, c.Passed, c.Detail, a.Name, ts(r.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("record check: %w", err)
	}
	return r.audit(ctx, a, "application.check_recorded", uuid, "ok", map[string]string{
		"check": c.Name, "score": strconv.FormatFloat(c.Score, 'f', 4, 64), "passed": strconv.FormatBool(c.Passed)})
}

// MarkVerified closes a draft: consent must be recorded and at least one
// check stored. Failed checks do not block it: the supervisor decides.
func (r *Repo) MarkVerified(ctx context.Context, a Actor, uuid string) error {
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		var consent string
		var checks int
		if err := tx.QueryRowContext(ctx, `SELECT consent_id, (SELECT COUNT(*) FROM application_checks c WHERE c.uuid = a.uuid)
			FROM applications a WHERE uuid = ?`, uuid).Scan(&consent, &checks); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: %s", ErrNotFound, uuid)
			}
			return err
		}
		if consent == "" {
			return errors.New("no consent recorded: silence is not consent")
		}
		if checks == 0 {
			return errors.New("no match check recorded")
		}
		return r.move(ctx, tx, uuid, Verified, a, "", "")
	})
	if err != nil {
		return fmt.Errorf("mark verified: %w", err)
	}
	return r.audit(ctx, a, "application.verified", uuid, "ok", nil)
}

// Approve is a supervisor's approval of a verified application.
func (r *Repo) Approve(ctx context.Context, supervisor Actor, uuid, reason string) error {
	return r.decide(ctx, supervisor, uuid, Approved, reason)
}

// Reject is a supervisor's rejection of a verified application; the reason
// is required.
func (r *Repo) Reject(ctx context.Context, supervisor Actor, uuid, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("reject application: a reason is required")
	}
	return r.decide(ctx, supervisor, uuid, Rejected, reason)
}

func (r *Repo) decide(ctx context.Context, sup Actor, uuid string, to State, reason string) error {
	action := "application." + string(to)
	if sup.Role != "supervisor" {
		r.audit(ctx, sup, action, uuid, "denied", map[string]string{"role": sup.Role})
		return fmt.Errorf("%s: %w (%s)", action, ErrForbidden, sup.Role)
	}
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		return r.move(ctx, tx, uuid, to, sup, reason, `, supervisor = ?, decision_reason = ?, decided_at = ?`, sup.Name, reason, ts(r.now()))
	})
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return r.audit(ctx, sup, action, uuid, "ok", map[string]string{"reason": reason})
}

// Queue puts an approved application in the outbox for the next sync.
func (r *Repo) Queue(ctx context.Context, a Actor, uuid string) error {
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		return r.move(ctx, tx, uuid, Queued, a, "", `, queued_at = ?`, ts(r.now()))
	})
	if err != nil {
		return fmt.Errorf("queue application: %w", err)
	}
	return r.audit(ctx, a, "application.queued", uuid, "ok", nil)
}

// QueueApproved queues every approved application and returns how many.
func (r *Repo) QueueApproved(ctx context.Context, a Actor) (int, error) {
	ids, err := r.uuidsIn(ctx, Approved, -1)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := r.Queue(ctx, a, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

func (r *Repo) uuidsIn(ctx context.Context, s State, limit int) ([]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT uuid FROM applications WHERE state = ? ORDER BY queued_at, created_at, uuid LIMIT ?`, s, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s applications: %w", s, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Outbox returns up to limit queued application UUIDs, oldest first.
func (r *Repo) Outbox(ctx context.Context, limit int) ([]string, error) {
	return r.uuidsIn(ctx, Queued, limit)
}

// AwaitingOutcome returns up to limit uploaded application UUIDs whose
// upstream outcome is not yet known.
func (r *Repo) AwaitingOutcome(ctx context.Context, limit int) ([]string, error) {
	return r.uuidsIn(ctx, Uploaded, limit)
}

// MarkUploaded moves the given queued applications to uploaded in one
// transaction. Applications already uploaded (an acknowledgement seen twice
// after a retry) are skipped, so each is marked exactly once; it returns how
// many were newly marked.
func (r *Repo) MarkUploaded(ctx context.Context, uuids []string) (int, error) {
	n := 0
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, id := range uuids {
			s, err := currentState(ctx, tx, id)
			if err != nil {
				return err
			}
			if s != Queued {
				continue
			}
			if err := r.move(ctx, tx, id, Uploaded, System, "", `, uploaded_at = ?`, ts(r.now())); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark uploaded: %w", err)
	}
	if n > 0 {
		return n, r.audit(ctx, System, "sync.applications_uploaded", fmt.Sprintf("%d applications", n), "ok", map[string]string{"count": strconv.Itoa(n)})
	}
	return n, nil
}

// SetOutcome records upstream's decision on an uploaded application. A
// repeated outcome for an application already decided is ignored (returns
// false).
func (r *Repo) SetOutcome(ctx context.Context, uuid string, accepted bool, reason string) (bool, error) {
	to := UpstreamRejected
	if accepted {
		to = Accepted
	}
	changed := false
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := currentState(ctx, tx, uuid)
		if err != nil {
			return err
		}
		if s != Uploaded {
			return nil
		}
		changed = true
		return r.move(ctx, tx, uuid, to, System, reason, `, upstream_reason = ?, outcome_at = ?`, reason, ts(r.now()))
	})
	if err != nil || !changed {
		return false, err
	}
	return true, r.audit(ctx, System, "application."+string(to), uuid, "ok", map[string]string{"reason": reason})
}

// Get returns the whole application, card data opened. Viewing is audited.
func (r *Repo) Get(ctx context.Context, a Actor, uuid string) (*Application, error) {
	app, err := r.load(ctx, uuid)
	if err != nil {
		return nil, err
	}
	return app, r.audit(ctx, a, "application.viewed", uuid, "ok", nil)
}

func (r *Repo) load(ctx context.Context, uuid string) (*Application, error) {
	var app Application
	var sealed []byte
	var created, updated, purged string
	err := r.db.QueryRowContext(ctx, `SELECT uuid, state, id_masked, card_sealed, consent_id, officer, supervisor, decision_reason,
		upstream_reason, created_at, updated_at, evidence_purged_at FROM applications WHERE uuid = ?`, uuid).Scan(
		&app.UUID, &app.State, &app.IDMasked, &sealed, &app.ConsentID, &app.Officer, &app.Supervisor, &app.DecisionReason,
		&app.UpstreamReason, &created, &updated, &purged)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, uuid)
	}
	if err != nil {
		return nil, fmt.Errorf("load application %s: %w", uuid, err)
	}
	app.CreatedAt, app.UpdatedAt, app.EvidencePurged = parseTS(created), parseTS(updated), parseTS(purged)
	plain, err := r.seal.Open(cardAD(uuid), sealed)
	if err != nil {
		return nil, fmt.Errorf("load application %s card: %w", uuid, err)
	}
	if err := json.Unmarshal(plain, &app.Card); err != nil {
		return nil, fmt.Errorf("load application %s card: %w", uuid, err)
	}
	rows, err := r.db.QueryContext(ctx, `SELECT name, score, threshold, passed, detail, actor, at FROM application_checks WHERE uuid = ? ORDER BY name`, uuid)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c Check
		var at string
		if err := rows.Scan(&c.Name, &c.Score, &c.Threshold, &c.Passed, &c.Detail, &c.Actor, &at); err != nil {
			rows.Close()
			return nil, err
		}
		c.At = parseTS(at)
		app.Checks = append(app.Checks, c)
	}
	rows.Close()
	rows, err = r.db.QueryContext(ctx, `SELECT kind, quality, length(sealed), created_at FROM application_evidence WHERE uuid = ? ORDER BY kind`, uuid)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e EvidenceInfo
		var at string
		if err := rows.Scan(&e.Kind, &e.Quality, &e.Size, &at); err != nil {
			rows.Close()
			return nil, err
		}
		e.Size -= 33
		e.At = parseTS(at)
		app.Evidence = append(app.Evidence, e)
	}
	rows.Close()
	rows, err = r.db.QueryContext(ctx, `SELECT from_state, to_state, actor, role, reason, at FROM application_events WHERE uuid = ? ORDER BY seq`, uuid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.From, &e.To, &e.Actor, &e.Role, &e.Reason, &at); err != nil {
			return nil, err
		}
		e.At = parseTS(at)
		app.Events = append(app.Events, e)
	}
	return &app, rows.Err()
}

// List returns summaries of the applications in state s (all states if s is
// empty), newest first, at most limit.
func (r *Repo) List(ctx context.Context, s State, limit int) ([]Summary, error) {
	q := `SELECT uuid, state, id_masked, officer, created_at, updated_at FROM applications`
	var args []any
	if s != "" {
		q += ` WHERE state = ?`
		args = append(args, s)
	}
	q += ` ORDER BY created_at DESC LIMIT ?`
	args = append(args, limit)
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var x Summary
		var c, u string
		if err := rows.Scan(&x.UUID, &x.State, &x.IDMasked, &x.Officer, &c, &u); err != nil {
			return nil, err
		}
		x.CreatedAt, x.UpdatedAt = parseTS(c), parseTS(u)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Counts returns how many applications are in each state.
func (r *Repo) Counts(ctx context.Context) (map[State]int, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM applications GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count applications: %w", err)
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var s State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}
