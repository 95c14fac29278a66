package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// NoteUpstreamHead records that upstream acknowledged a sync batch (named
// batch) carrying head h. From then on Verify checks that the log still
// holds h. The head must be one this log has; noting the same head twice
// is harmless (sync retries).
func (l *Log) NoteUpstreamHead(ctx context.Context, h Head, batch string) error {
	return l.db.Tx(ctx, func(tx *sql.Tx) error {
		var hash string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, h.Seq).Scan(&hash)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: upstream head %d is not in the log", h.Seq)
		}
		if err != nil {
			return fmt.Errorf("audit: note upstream head: %w", err)
		}
		if hash != h.Hash {
			return fmt.Errorf("audit: upstream head %d names a different hash than the log holds", h.Seq)
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO audit_upstream_heads(seq, hash, batch, acked_at) VALUES (?, ?, ?, ?)`,
			h.Seq, h.Hash, batch, l.now().UTC().Format(TimeFormat))
		if err != nil {
			return fmt.Errorf("audit: note upstream head: %w", err)
		}
		return nil
	})
}

func readUpstreamHeads(ctx context.Context, tx *sql.Tx) ([]Head, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, hash FROM audit_upstream_heads ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("audit: read upstream heads: %w", err)
	}
	defer rows.Close()
	var out []Head
	for rows.Next() {
		var h Head
		if err := rows.Scan(&h.Seq, &h.Hash); err != nil {
			return nil, fmt.Errorf("audit: read upstream heads: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Since returns the entries after head h, in order, at most limit of them
// (limit <= 0: all): what a sync batch carries so that upstream keeps its
// own copy of the chain. It fails if the log no longer holds h as it was.
func (l *Log) Since(ctx context.Context, h Head, limit int) ([]Stored, error) {
	if h.Seq > 0 {
		var hash string
		err := l.db.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, h.Seq).Scan(&hash)
		if errors.Is(err, sql.ErrNoRows) {
			var base Head
			if err := l.db.QueryRowContext(ctx, `SELECT base_seq, base_hash FROM audit_state WHERE id = 1`).Scan(&base.Seq, &base.Hash); err != nil {
				return nil, fmt.Errorf("audit since %d: %w", h.Seq, err)
			}
			if base != h {
				return nil, fmt.Errorf("audit since %d: entry not in the log (pruned or removed)", h.Seq)
			}
		} else if err != nil {
			return nil, fmt.Errorf("audit since %d: %w", h.Seq, err)
		} else if hash != h.Hash {
			return nil, fmt.Errorf("audit since %d: the log holds a different entry there", h.Seq)
		}
	}
	q := `SELECT seq, time, actor, role, action, object, outcome, detail, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq`
	args := []any{h.Seq}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit since %d: %w", h.Seq, err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		s, _, err := scanStored(rows)
		if err != nil {
			return nil, fmt.Errorf("audit since %d: %w", h.Seq, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// VerifyContinuation checks, upstream, that entries continue a chain whose
// head was prev: contiguous, each matching its hash and chained to the one
// before, the first to prev. Upstream keeps the returned Report.Head as the
// station's new head. A gap, a rewrite of anything already received, or a
// station that restarted its log shows as a break.
func VerifyContinuation(prev Head, entries []Stored) *Report {
	rep := &Report{Base: prev}
	w := newWalker(prev, nil, VerifyOptions{}, rep)
	for _, s := range entries {
		w.entry(s, "")
	}
	rep.Head = Head{Seq: w.prevSeq, Hash: w.prevHash}
	w.finish(nil)
	return rep
}
