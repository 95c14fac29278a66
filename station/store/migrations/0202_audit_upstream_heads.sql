-- Heads of the audit chain that upstream acknowledged receiving with a sync
-- batch. Verify checks the log still holds each one, so a tail cut or a
-- rewrite of anything already reported upstream is caught on the station
-- too (and upstream can compare the next batch's head with its own copy).
CREATE TABLE audit_upstream_heads (
    seq      INTEGER PRIMARY KEY,
    hash     TEXT NOT NULL,
    batch    TEXT NOT NULL,
    acked_at TEXT NOT NULL
);

CREATE TRIGGER audit_upstream_heads_no_update BEFORE UPDATE ON audit_upstream_heads
BEGIN SELECT RAISE(ABORT, 'audit_upstream_heads is append-only'); END;

CREATE TRIGGER audit_upstream_heads_no_delete BEFORE DELETE ON audit_upstream_heads
WHEN OLD.seq > COALESCE((SELECT prune_through FROM audit_state WHERE id = 1), 0)
BEGIN SELECT RAISE(ABORT, 'audit_upstream_heads is append-only'); END;
