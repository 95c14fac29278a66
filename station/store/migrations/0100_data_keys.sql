-- Data keys that seal personal data at rest (see station/keys). Each key is
-- AES-256-GCM-wrapped by the key-encryption key in the station key file;
-- exactly one key is active and seals new data, the others only open old
-- blobs until a rotation has re-sealed them.
CREATE TABLE data_keys (
    id         INTEGER PRIMARY KEY,
    wrapped    BLOB    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys(active) WHERE active = 1;
