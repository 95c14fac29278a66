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
