package application

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"strconv"
	"time"

	"github.com/dinhdanh/dinhdanh/station/keys"
)

// Upload is the content of one application as sent upstream. It is built
// from stored rows only, so the same application always yields the same
// Upload: a retried upload carries identical content.
type Upload struct {
	UUID       string
	CreatedAt  time.Time
	Officer    string
	Supervisor string
	ApprovedAt time.Time
	Card       Card
	ConsentID  string
	Checks     []Check
	Evidence   []UploadEvidence
}

// UploadEvidence is one piece of evidence, opened, for upload.
type UploadEvidence struct {
	Kind    string
	Quality float64
	Data    []byte
}

// Upload returns the upload content of a queued application.
func (r *Repo) Upload(ctx context.Context, uuid string) (*Upload, error) {
	app, err := r.load(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if app.State != Queued {
		return nil, fmt.Errorf("upload %s: application is %s, not queued", uuid, app.State)
	}
	var decided string
	if err := r.db.QueryRowContext(ctx, `SELECT decided_at FROM applications WHERE uuid = ?`, uuid).Scan(&decided); err != nil {
		return nil, err
	}
	u := &Upload{UUID: uuid, CreatedAt: app.CreatedAt, Officer: app.Officer, Supervisor: app.Supervisor,
		ApprovedAt: parseTS(decided), Card: app.Card, ConsentID: app.ConsentID, Checks: app.Checks}
	rows, err := r.db.QueryContext(ctx, `SELECT kind, quality, sealed FROM application_evidence WHERE uuid = ? ORDER BY kind`, uuid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e UploadEvidence
		var sealed []byte
		if err := rows.Scan(&e.Kind, &e.Quality, &sealed); err != nil {
			return nil, err
		}
		if e.Data, err = r.seal.Open(evidenceAD(uuid, e.Kind), sealed); err != nil {
			return nil, fmt.Errorf("upload %s evidence %s: %w", uuid, e.Kind, err)
		}
		u.Evidence = append(u.Evidence, e)
	}
	return u, rows.Err()
}

// PurgeEvidence deletes the captured evidence (images, biometric samples) of
// every application accepted upstream before acceptedBefore, keeping the
// application record, its checks and history. It is the retention job's
// step and writes one audit entry per application. It returns how many
// applications lost their evidence.
func (r *Repo) PurgeEvidence(ctx context.Context, acceptedBefore time.Time) (int, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT uuid FROM applications WHERE state = ? AND outcome_at <> '' AND outcome_at < ? AND evidence_purged_at = ''`,
		Accepted, ts(acceptedBefore))
	if err != nil {
		return 0, fmt.Errorf("purge evidence: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i, id := range ids {
		var n int64
		err := r.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM application_evidence WHERE uuid = ?`, id)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			_, err = tx.ExecContext(ctx, `UPDATE applications SET evidence_purged_at = ? WHERE uuid = ?`, ts(r.now()), id)
			return err
		})
		if err != nil {
			return i, fmt.Errorf("purge evidence of %s: %w", id, err)
		}
		if err := r.audit(ctx, Actor{Name: "retention", Role: "system"}, "application.evidence_purged", id, "ok",
			map[string]string{"items": strconv.FormatInt(n, 10)}); err != nil {
			return i + 1, err
		}
	}
	return len(ids), nil
}

// ByIDNumber returns every application of the citizen with this ID number,
// for a data-subject access request. The export is audited.
func (r *Repo) ByIDNumber(ctx context.Context, a Actor, idNumber string) ([]*Application, error) {
	ids, err := r.byLookup(ctx, idNumber)
	if err != nil {
		return nil, err
	}
	var out []*Application
	for _, id := range ids {
		app, err := r.load(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, r.audit(ctx, a, "application.exported", idnum.Mask(idNumber), "ok", map[string]string{"count": strconv.Itoa(len(out))})
}

func (r *Repo) byLookup(ctx context.Context, idNumber string) ([]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT uuid FROM applications WHERE id_lookup = ? ORDER BY created_at`, keys.Lookup(r.lookupKey, idNumber))
	if err != nil {
		return nil, fmt.Errorf("find applications by ID: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ErrInFlight is returned by EraseByIDNumber when an application is queued
// or uploaded and awaiting upstream: erasing it would lose it between the
// station and upstream.
var ErrInFlight = errors.New("application is in flight to upstream")

// EraseByIDNumber deletes every application (card data, evidence, checks,
// history) of the citizen with this ID number, for an erasure request.
// Applications queued or awaiting their upstream outcome are not erased
// (ErrInFlight): erase them after the outcome. It returns how many were
// erased; the erasure is audited.
func (r *Repo) EraseByIDNumber(ctx context.Context, a Actor, idNumber string) (int, error) {
	ids, err := r.byLookup(ctx, idNumber)
	if err != nil {
		return 0, err
	}
	n := 0
	err = r.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			s, err := currentState(ctx, tx, id)
			if err != nil {
				return err
			}
			if s == Queued || s == Uploaded {
				return fmt.Errorf("erase %s: %w (%s)", id, ErrInFlight, s)
			}
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE uuid = ?`, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	outcome := "ok"
	if err != nil {
		outcome, n = "failed", 0
	}
	if aerr := r.audit(ctx, a, "application.erased", idnum.Mask(idNumber), outcome, map[string]string{"count": strconv.Itoa(n)}); aerr != nil && err == nil {
		err = aerr
	}
	return n, err
}

// Reseal re-seals every card and evidence blob; it makes Repo a
// keys.Resealer for data-key rotation.
func (r *Repo) Reseal(ctx context.Context, tx *sql.Tx, reseal func(ad, blob []byte) ([]byte, error)) (int, error) {
	n := 0
	type row struct {
		uuid, kind string
		blob       []byte
	}
	var cards, evs []row
	rows, err := tx.QueryContext(ctx, `SELECT uuid, card_sealed FROM applications`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.uuid, &x.blob); err != nil {
			rows.Close()
			return 0, err
		}
		cards = append(cards, x)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT uuid, kind, sealed FROM application_evidence`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.uuid, &x.kind, &x.blob); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, x)
	}
	rows.Close()
	for _, x := range cards {
		b, err := reseal(cardAD(x.uuid), x.blob)
		if err != nil {
			return n, fmt.Errorf("application %s card: %w", x.uuid, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET card_sealed = ? WHERE uuid = ?`, b, x.uuid); err != nil {
			return n, err
		}
		n++
	}
	for _, x := range evs {
		b, err := reseal(evidenceAD(x.uuid, x.kind), x.blob)
		if err != nil {
			return n, fmt.Errorf("application %s evidence %s: %w", x.uuid, x.kind, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE application_evidence SET sealed = ? WHERE uuid = ? AND kind = ?`, b, x.uuid, x.kind); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ApplicationsFor returns the UUIDs of the applications made with this ID
// number, oldest first, without reading them; it makes Repo a
// subject.ApplicationFinder.
func (r *Repo) ApplicationsFor(ctx context.Context, idNumber string) ([]string, error) {
	return r.byLookup(ctx, idNumber)
}
