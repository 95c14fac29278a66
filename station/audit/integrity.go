package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// State says whether the station may trust its audit log.
type State string

// The integrity states.
const (
	// Unchecked: CheckIntegrity has not run since the log was opened.
	Unchecked State = "unchecked"
	// Intact: the chain verified without breaks.
	Intact State = "intact"
	// Acknowledged: the chain has breaks, all acknowledged by a supervisor.
	Acknowledged State = "acknowledged"
	// Corrupted: the chain has a break nobody acknowledged, or could not
	// be read. The station refuses new applications.
	Corrupted State = "corrupted"
)

// Integrity is the result of the last integrity check, safe to show in
// diagnostics: it holds no citizen data.
type Integrity struct {
	State State `json:"state"`
	// First is the first unacknowledged break when Corrupted.
	First *Break `json:"first_break,omitempty"`
	// Breaks counts all breaks, acknowledged ones included.
	Breaks int `json:"breaks"`
	// Entries is how many entries were checked.
	Entries int `json:"entries"`
	// Head is the recorded head.
	Head Head `json:"head"`
	// Err is why the log could not be read, when it could not.
	Err string `json:"error,omitempty"`
	// Warnings from the check (missing guard triggers).
	Warnings []string `json:"warnings,omitempty"`
	// DetectedAt is when the first unacknowledged break was first
	// detected, and ReportBy that plus BreachReportWindow: a tampered
	// audit trail may be a personal-data breach, which must be reported
	// to the authority within 72 hours of its discovery.
	DetectedAt *time.Time `json:"detected_at,omitempty"`
	ReportBy   *time.Time `json:"report_by,omitempty"`
}

// BreachReportWindow is how long the law gives to report a personal-data
// breach after discovering it.
const BreachReportWindow = 72 * time.Hour

// ErrCorrupted is returned by RequireIntact while the audit log has an
// unacknowledged break.
var ErrCorrupted = errors.New("the audit log is corrupted: a supervisor must acknowledge it before new applications")

// CheckIntegrity verifies the chain (at start-up, and whenever diagnostics
// ask), remembers the result for Integrity and RequireIntact, and records
// the outcome in the log itself.
func (l *Log) CheckIntegrity(ctx context.Context) Integrity {
	rep, err := l.Verify(ctx, VerifyOptions{})
	in := integrityOf(rep, err)
	l.mu.Lock()
	l.integrity = in
	l.mu.Unlock()
	e := Entry{Actor: "system", Role: RoleSystem, Action: AuditVerified, Object: "audit_log", Outcome: OK,
		Detail: map[string]string{"entries": strconv.Itoa(in.Entries), "breaks": strconv.Itoa(in.Breaks), "state": string(in.State)}}
	if in.State == Corrupted {
		e.Action, e.Outcome = AuditCorruptionDetected, Failed
		if in.First != nil {
			e.Detail["first_seq"] = strconv.FormatInt(in.First.Seq, 10)
			e.Detail["kind"] = string(in.First.Kind)
		}
	}
	// The log may be unusable; the check's result stands regardless.
	if _, err := l.recordReturning(ctx, e); err == nil && in.State == Corrupted && in.First != nil {
		l.setDetected(ctx, &in)
		l.mu.Lock()
		l.integrity = in
		l.mu.Unlock()
	}
	return in
}

func (l *Log) recordReturning(ctx context.Context, e Entry) (Stored, error) {
	var s Stored
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = l.RecordTx(ctx, tx, e)
		return err
	})
	return s, err
}

// setDetected finds when the first break was first reported: the earliest
// audit.corruption_detected entry naming it.
func (l *Log) setDetected(ctx context.Context, in *Integrity) {
	var first sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT MIN(time) FROM audit_log WHERE action = ?
		AND json_extract(detail, '$.first_seq') = ? AND json_extract(detail, '$.kind') = ?`,
		AuditCorruptionDetected, strconv.FormatInt(in.First.Seq, 10), string(in.First.Kind)).Scan(&first)
	if err != nil || !first.Valid {
		return
	}
	t, err := time.Parse(TimeFormat, first.String)
	if err != nil {
		return
	}
	by := t.Add(BreachReportWindow)
	in.DetectedAt, in.ReportBy = &t, &by
}

func integrityOf(rep *Report, err error) Integrity {
	if err != nil {
		return Integrity{State: Corrupted, Err: err.Error()}
	}
	in := Integrity{State: Intact, Breaks: len(rep.Breaks), Entries: rep.Entries, Head: rep.Head, Warnings: rep.Warnings}
	if b := rep.FirstBreak(); b != nil {
		bb := *b
		in.State, in.First = Corrupted, &bb
	} else if len(rep.Breaks) > 0 {
		in.State = Acknowledged
	}
	return in
}

// Integrity returns the result of the last CheckIntegrity.
func (l *Log) Integrity() Integrity {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.integrity
}

// RequireIntact returns nil when the last integrity check found the chain
// intact or every break acknowledged, and an error wrapping ErrCorrupted
// otherwise (also when no check has run). The app calls it before starting
// a new application.
func (l *Log) RequireIntact() error {
	in := l.Integrity()
	switch in.State {
	case Intact, Acknowledged:
		return nil
	case Unchecked:
		return fmt.Errorf("%w (not checked since start-up)", ErrCorrupted)
	}
	if in.First != nil && in.ReportBy != nil {
		return fmt.Errorf("%w (first break: %s; detected %s, a breach must be reported by %s)", ErrCorrupted, in.First,
			in.DetectedAt.Local().Format("2006-01-02 15:04"), in.ReportBy.Local().Format("2006-01-02 15:04"))
	}
	if in.First != nil {
		return fmt.Errorf("%w (first break: %s)", ErrCorrupted, in.First)
	}
	return fmt.Errorf("%w (%s)", ErrCorrupted, in.Err)
}

// Acknowledge records that supervisor has seen every break the chain has
// now, re-checks, and returns the new integrity. The caller must have
// checked the supervisor's permission (access.AcknowledgeAuditCorruption).
// Breaks found later need a new acknowledgement.
func (l *Log) Acknowledge(ctx context.Context, supervisor, note string) (Integrity, error) {
	rep, err := l.Verify(ctx, VerifyOptions{})
	if err != nil {
		return l.Integrity(), fmt.Errorf("audit acknowledge: %w", err)
	}
	n := 0
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		now := l.now().UTC().Format(TimeFormat)
		for _, b := range rep.Breaks {
			if b.Acknowledged {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO audit_acks(seq, kind, reason, acked_by, acked_at) VALUES (?, ?, ?, ?, ?)`,
				b.Seq, string(b.Kind), b.Reason, supervisor, now); err != nil {
				return fmt.Errorf("audit acknowledge: %w", err)
			}
			n++
		}
		d := map[string]string{"breaks": strconv.Itoa(n)}
		if note != "" {
			if len(note) > maxDetailValue {
				note = note[:maxDetailValue]
			}
			d["note"] = note
		}
		if fb := rep.FirstBreak(); fb != nil {
			d["first_seq"] = strconv.FormatInt(fb.Seq, 10)
		}
		_, err := l.RecordTx(ctx, tx, Entry{Actor: supervisor, Role: RoleSupervisor, Action: AuditCorruptionAcknowledged,
			Object: "audit_log", Outcome: OK, Detail: d})
		return err
	})
	if err != nil {
		return l.Integrity(), err
	}
	rep, err = l.Verify(ctx, VerifyOptions{})
	in := integrityOf(rep, err)
	l.mu.Lock()
	l.integrity = in
	l.mu.Unlock()
	return in, nil
}
