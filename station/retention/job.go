package retention

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/dinhdanh/dinhdanh/station/access"
	"github.com/dinhdanh/dinhdanh/station/audit"
	"github.com/dinhdanh/dinhdanh/station/consent"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// PurgeFunc deletes the data of one class recorded (or accepted, or
// decided: the owner documents which) before cutoff, for real (rows gone),
// and returns how many items it deleted. The application store's
// PurgeEvidence(ctx, acceptedBefore) has this shape.
type PurgeFunc func(ctx context.Context, cutoff time.Time) (int, error)

// ApplicationEraser deletes everything an area holds for one application
// whose consent was withdrawn, returning how many items went. Erasing an
// application that holds nothing is not an error.
type ApplicationEraser interface {
	EraseApplication(ctx context.Context, appUUID string) (int, error)
}

// EraserFunc adapts a function to ApplicationEraser.
type EraserFunc func(ctx context.Context, appUUID string) (int, error)

// EraseApplication calls f.
func (f EraserFunc) EraseApplication(ctx context.Context, appUUID string) (int, error) {
	return f(ctx, appUUID)
}

type purger struct {
	class Class
	name  string
	fn    PurgeFunc
}

type eraser struct {
	name string
	e    ApplicationEraser
}

// Job runs the retention policy over the station database.
type Job struct {
	db       *store.DB
	log      *audit.Log
	consents *consent.Store
	purgers  []purger
	erasers  []eraser
	// Now returns the current time; tests set it.
	Now func() time.Time
	// vacuumShare is the share of free pages above which a run that
	// deleted something rebuilds the file (VACUUM). Privacy does not
	// depend on it (secure_delete has zeroed the freed content and the WAL
	// is truncated); it gives the space back without rewriting a large
	// file every night for a few rows.
	vacuumShare float64
}

// NewJob returns a job with the purges this area owns registered: consent
// records (application data) and the audit log (audit).
func NewJob(log *audit.Log, consents *consent.Store) *Job {
	j := &Job{db: log.DB(), log: log, consents: consents, Now: time.Now, vacuumShare: 0.10}
	j.Register(ApplicationData, "consents", consents.Purge)
	j.Register(Audit, "audit_log", log.Prune)
	return j
}

// Register adds a purge function for class. Register before Run.
func (j *Job) Register(class Class, name string, fn PurgeFunc) {
	j.purgers = append(j.purgers, purger{class, name, fn})
}

// RegisterEraser adds an area that holds data of applications, to be
// erased when their consent is withdrawn.
func (j *Job) RegisterEraser(name string, e ApplicationEraser) {
	j.erasers = append(j.erasers, eraser{name, e})
}

// Registered lists "class/name" of every purge function, for reports that
// must say what the job does and does not cover.
func (j *Job) Registered() map[Class][]string {
	out := map[Class][]string{}
	for _, p := range j.purgers {
		out[p.class] = append(out[p.class], p.name)
	}
	return out
}

// Result is what one purge function did.
type Result struct {
	Class   Class     `json:"class"`
	Name    string    `json:"name"`
	Cutoff  time.Time `json:"cutoff"`
	Deleted int       `json:"deleted"`
	Err     string    `json:"error,omitempty"`
}

// Report is the outcome of one run.
type Report struct {
	Started time.Time `json:"started"`
	Results []Result  `json:"results"`
	// Withdrawn is how many withdrawn applications were erased; Erased how
	// many items that took.
	Withdrawn int `json:"withdrawn_applications"`
	Erased    int `json:"withdrawn_items"`
	// FileBytes before and after reclaiming space (database plus WAL).
	BytesBefore int64 `json:"bytes_before"`
	BytesAfter  int64 `json:"bytes_after"`
}

// Deleted totals the items deleted.
func (r Report) Deleted() int {
	n := r.Erased
	for _, x := range r.Results {
		n += x.Deleted
	}
	return n
}

// Run applies policy once, by actor a (the system for the nightly run, a
// supervisor on demand). A failing purge is reported and audited and the
// others still run; Run then returns an error naming the failures.
func (j *Job) Run(ctx context.Context, a access.Actor, policy Policy) (Report, error) {
	if err := access.Check(a.Role, access.RunRetention); err != nil {
		return Report{}, fmt.Errorf("retention: %w", err)
	}
	if err := policy.Validate(); err != nil {
		return Report{}, fmt.Errorf("retention: %w", err)
	}
	now := j.Now().UTC()
	rep := Report{Started: now, BytesBefore: j.fileBytes()}
	var errs []error
	record := func(e audit.Entry) {
		e.Actor, e.Role = a.Name, string(a.Role)
		if err := j.log.Record(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range Classes {
		for _, p := range j.purgers {
			if p.class != c {
				continue
			}
			cutoff := policy.Cutoff(c, now)
			n, err := p.fn(ctx, cutoff)
			res := Result{Class: c, Name: p.name, Cutoff: cutoff, Deleted: n}
			d := map[string]string{"class": string(c), "name": p.name, "deleted": strconv.Itoa(n),
				"cutoff": cutoff.Format(time.RFC3339), "days": strconv.Itoa(policy[c])}
			if err != nil {
				res.Err = err.Error()
				errs = append(errs, fmt.Errorf("purge %s/%s: %w", c, p.name, err))
				d["error"] = truncate(err.Error())
				record(audit.Entry{Action: audit.RetentionFailed, Object: string(c), Outcome: audit.Failed, Detail: d})
			} else {
				record(audit.Entry{Action: audit.RetentionPurged, Object: string(c), Outcome: audit.OK, Detail: d})
			}
			rep.Results = append(rep.Results, res)
		}
	}
	if err := j.eraseWithdrawn(ctx, now, &rep, record); err != nil {
		errs = append(errs, err)
	}
	if rep.Deleted() > 0 {
		if err := j.reclaim(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	rep.BytesAfter = j.fileBytes()
	outcome := audit.OK
	if len(errs) > 0 {
		outcome = audit.Failed
	}
	record(audit.Entry{Action: audit.RetentionRun, Object: "station", Outcome: outcome, Detail: map[string]string{
		"deleted": strconv.Itoa(rep.Deleted()), "withdrawn": strconv.Itoa(rep.Withdrawn),
		"bytes_before": strconv.FormatInt(rep.BytesBefore, 10), "bytes_after": strconv.FormatInt(rep.BytesAfter, 10)}})
	return rep, errors.Join(errs...)
}

func (j *Job) eraseWithdrawn(ctx context.Context, now time.Time, rep *Report, record func(audit.Entry)) error {
	due, err := j.consents.DueForErasure(ctx, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, app := range due {
		total, failed := 0, false
		for _, e := range j.erasers {
			n, err := e.e.EraseApplication(ctx, app)
			total += n
			if err != nil {
				failed = true
				errs = append(errs, fmt.Errorf("erase withdrawn application %s in %s: %w", app, e.name, err))
			}
		}
		d := map[string]string{"reason": "consent_withdrawn", "deleted": strconv.Itoa(total), "erasers": strconv.Itoa(len(j.erasers))}
		if failed {
			// Left due: the next run tries again.
			record(audit.Entry{Action: audit.RetentionFailed, Object: app, Outcome: audit.Failed, Detail: d})
			continue
		}
		if err := j.consents.MarkErased(ctx, app); err != nil {
			errs = append(errs, err)
			continue
		}
		rep.Withdrawn++
		rep.Erased += total
		record(audit.Entry{Action: audit.RetentionPurged, Object: app, Outcome: audit.OK, Detail: d})
	}
	return errors.Join(errs...)
}

// reclaim makes deletions physical: freed content was zeroed by
// secure_delete, but the WAL still holds older copies of pages until it is
// checkpointed and truncated; when many pages are free, VACUUM rebuilds the
// file without them.
func (j *Job) reclaim(ctx context.Context) error {
	if err := j.checkpoint(ctx); err != nil {
		return err
	}
	var free, pages int64
	if err := j.db.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return fmt.Errorf("retention: reclaim: %w", err)
	}
	if err := j.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return fmt.Errorf("retention: reclaim: %w", err)
	}
	if pages > 0 && float64(free) > j.vacuumShare*float64(pages) {
		if _, err := j.db.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("retention: vacuum: %w", err)
		}
		return j.checkpoint(ctx)
	}
	return nil
}

// checkpoint copies the WAL into the file and truncates it, and says so
// when a reader kept it from completing (old page copies then remain in
// the WAL until the next run).
func (j *Job) checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	if err := j.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("retention: checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("retention: checkpoint incomplete, another connection is reading: deleted data may remain in the WAL until the next run")
	}
	return nil
}

func (j *Job) fileBytes() int64 {
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(j.db.Path() + suffix); err == nil {
			n += st.Size()
		}
	}
	return n
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}
