-- Consent given for one application, keyed by the application's UUID (no
-- foreign key: the applications table belongs to another area and the
-- consent must exist before capture starts anyway).
CREATE TABLE consents (
    app_uuid        TEXT PRIMARY KEY,
    purposes        TEXT NOT NULL,     -- JSON array
    data_types      TEXT NOT NULL,     -- JSON array
    retention_days  INTEGER NOT NULL,  -- stated to the citizen for biometric evidence
    text_version    TEXT NOT NULL,
    language        TEXT NOT NULL,
    text_hash       TEXT NOT NULL,     -- SHA-256 hex of the exact notice shown
    recorded_at     TEXT NOT NULL,
    officer         TEXT NOT NULL,
    ack_method      TEXT NOT NULL,
    ack_ref         TEXT NOT NULL,
    withdrawn_at    TEXT,
    withdrawn_by    TEXT,
    withdraw_reason TEXT,
    erase_after     TEXT,
    erased_at       TEXT
);
CREATE INDEX consents_recorded_at ON consents(recorded_at);
CREATE INDEX consents_erase_after ON consents(erase_after) WHERE erase_after IS NOT NULL;
