-- The reference upstream server's own database.
CREATE TABLE stations (
    station_id  TEXT PRIMARY KEY,
    public_key  BLOB NOT NULL,
    enrolled_at TEXT NOT NULL
);

-- Batches seen, so that a replayed batch ID with other content is refused.
CREATE TABLE batches (
    batch_id     TEXT PRIMARY KEY,
    station_id   TEXT NOT NULL,
    payload_hash BLOB NOT NULL,
    received_at  TEXT NOT NULL
);

-- Applications, exactly one row per UUID.
CREATE TABLE applications (
    uuid         TEXT PRIMARY KEY,
    station_id   TEXT NOT NULL,
    batch_id     TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    content      BLOB NOT NULL,
    received_at  TEXT NOT NULL,
    outcome      TEXT NOT NULL DEFAULT 'pending',
    reason       TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL DEFAULT ''
);

-- The citizen template database the station caches a part of. version is
-- the global change counter at this row's last change; deleted rows stay as
-- tombstones so deltas can carry deletions.
CREATE TABLE citizens (
    id_number TEXT PRIMARY KEY,
    record    BLOB NOT NULL,
    version   INTEGER NOT NULL UNIQUE,
    deleted   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta(key, value) VALUES ('cache_version', 0), ('min_delta_version', 0);
