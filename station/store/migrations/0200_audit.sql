-- The audit log: append-only, every entry chained to the one before by
-- SHA-256 (see station/audit/hash.go for the exact encoding).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX audit_log_object ON audit_log(object);

-- One row: where the chain starts (after retention pruned older entries)
-- and its head. The head is kept by trigger, so truncating the tail of
-- audit_log leaves the head pointing past the end. prune_through is set
-- only inside the retention transaction that deletes old entries.
CREATE TABLE audit_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    base_seq      INTEGER NOT NULL,
    base_hash     TEXT NOT NULL,
    head_seq      INTEGER NOT NULL,
    head_hash     TEXT NOT NULL,
    prune_through INTEGER
);
INSERT INTO audit_state(id, base_seq, base_hash, head_seq, head_hash, prune_through)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);

-- Checkpoints: the head at some seq, signed with the station's Ed25519 key.
CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL,
    time       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL
);

-- Breaks in the chain a supervisor has acknowledged.
CREATE TABLE audit_acks (
    seq      INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    acked_by TEXT NOT NULL,
    acked_at TEXT NOT NULL,
    PRIMARY KEY (seq, kind)
);

-- First line of defence; the hash chain is the second and the signed
-- checkpoints and upstream heads the third.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > COALESCE((SELECT prune_through FROM audit_state WHERE id = 1), 0)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_log_extends_head BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT head_seq + 1 FROM audit_state WHERE id = 1)
  OR NEW.prev_hash IS NOT (SELECT head_hash FROM audit_state WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit_log: entry does not extend the chain head'); END;

CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log
BEGIN UPDATE audit_state SET head_seq = NEW.seq, head_hash = NEW.hash WHERE id = 1; END;

CREATE TRIGGER audit_state_forward BEFORE UPDATE ON audit_state
WHEN NEW.head_seq < OLD.head_seq OR NEW.base_seq < OLD.base_seq OR NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'audit_state only moves forward'); END;

CREATE TRIGGER audit_state_no_delete BEFORE DELETE ON audit_state
BEGIN SELECT RAISE(ABORT, 'audit_state cannot be deleted'); END;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
WHEN OLD.seq > COALESCE((SELECT prune_through FROM audit_state WHERE id = 1), 0)
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;

CREATE TRIGGER audit_acks_no_update BEFORE UPDATE ON audit_acks
BEGIN SELECT RAISE(ABORT, 'audit_acks is append-only'); END;

CREATE TRIGGER audit_acks_no_delete BEFORE DELETE ON audit_acks
BEGIN SELECT RAISE(ABORT, 'audit_acks is append-only'); END;
