-- Level-2 account applications and their history (station/application).
-- Card data and evidence are sealed (station/keys); the ID number is kept
-- only as a keyed hash (for export/erase by ID) and masked (for lists).
CREATE TABLE applications (
    uuid            TEXT PRIMARY KEY,
    state           TEXT NOT NULL,
    id_lookup       BLOB NOT NULL,
    id_masked       TEXT NOT NULL,
    card_sealed     BLOB NOT NULL,
    consent_id      TEXT NOT NULL DEFAULT '',
    officer         TEXT NOT NULL,
    supervisor      TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    upstream_reason TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    decided_at      TEXT NOT NULL DEFAULT '',
    queued_at       TEXT NOT NULL DEFAULT '',
    uploaded_at     TEXT NOT NULL DEFAULT '',
    outcome_at      TEXT NOT NULL DEFAULT '',
    evidence_purged_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX applications_state ON applications(state, queued_at);
CREATE INDEX applications_lookup ON applications(id_lookup);

-- Captured evidence (portraits, fingerprint images, descriptors), sealed.
CREATE TABLE application_evidence (
    uuid       TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    quality    REAL NOT NULL,
    sealed     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (uuid, kind)
);

-- Match decisions with their scores and thresholds.
CREATE TABLE application_checks (
    uuid      TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    score     REAL NOT NULL,
    threshold REAL NOT NULL,
    passed    INTEGER NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (uuid, name)
);

-- Every state transition: who moved the application from what to what, when.
CREATE TABLE application_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);
CREATE INDEX application_events_uuid ON application_events(uuid);
