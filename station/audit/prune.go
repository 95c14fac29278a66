package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// Prune deletes the entries recorded before cutoff (retention of the audit
// class), keeping the chain verifiable: the hash of the last deleted entry
// becomes the chain's base, and an audit.pruned entry records the base.
// Checkpoints of deleted entries go with them. Only the oldest entries are
// deleted, up to the first one recorded at or after cutoff: if the clock
// was once set back, an old entry recorded after a newer one is kept until
// everything before it is due. It returns how many entries were deleted.
func (l *Log) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var through sql.NullInt64
		var baseSeq, headSeq int64
		if err := tx.QueryRowContext(ctx, `SELECT base_seq, head_seq FROM audit_state WHERE id = 1`).Scan(&baseSeq, &headSeq); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		var firstKept sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_log WHERE time >= ?`,
			cutoff.UTC().Format(TimeFormat)).Scan(&firstKept); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		limit := headSeq + 1 // everything is due
		if firstKept.Valid {
			limit = firstKept.Int64
		}
		if err := tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log WHERE seq < ?`, limit).Scan(&through); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		if !through.Valid || through.Int64 <= baseSeq {
			return nil
		}
		var baseHash string
		if err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, through.Int64).Scan(&baseHash); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		// The delete triggers let rows at or below prune_through go, and
		// only inside this transaction.
		if _, err := tx.ExecContext(ctx, `UPDATE audit_state SET prune_through = ? WHERE id = 1`, through.Int64); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE seq <= ?`, through.Int64)
		if err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		n, _ = res.RowsAffected()
		for _, table := range []string{"audit_checkpoints", "audit_upstream_heads"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE seq <= ?`, through.Int64); err != nil {
				return fmt.Errorf("audit prune: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_state SET prune_through = NULL, base_seq = ?, base_hash = ? WHERE id = 1`,
			through.Int64, baseHash); err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		_, err = l.RecordTx(ctx, tx, Entry{Actor: "system", Role: RoleSystem, Action: AuditPruned, Object: "audit_log", Outcome: OK,
			Detail: map[string]string{"deleted": strconv.FormatInt(n, 10), "base_seq": strconv.FormatInt(through.Int64, 10), "base_hash": baseHash}})
		return err
	})
	return int(n), err
}
