-- The local cache of citizen templates (sync/cache). Rows are found by a
-- keyed hash of the ID number; the ID number, card data, face descriptor and
-- finger templates are sealed together in one blob (station/keys).
CREATE TABLE citizens (
    lookup  BLOB    NOT NULL UNIQUE,
    sealed  BLOB    NOT NULL,
    version INTEGER NOT NULL,
    source  TEXT    NOT NULL DEFAULT ''
);

-- A full snapshot being downloaded, page by page, before it replaces
-- citizens in one transaction.
CREATE TABLE citizens_staging (
    lookup  BLOB    NOT NULL UNIQUE,
    sealed  BLOB    NOT NULL,
    version INTEGER NOT NULL,
    source  TEXT    NOT NULL DEFAULT ''
);

-- One row: the version of the cache and the progress of a snapshot.
CREATE TABLE cache_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    version          INTEGER NOT NULL,
    applied_at       TEXT    NOT NULL,
    snapshot_version INTEGER NOT NULL DEFAULT 0,
    snapshot_cursor  TEXT    NOT NULL DEFAULT ''
);
INSERT INTO cache_state(id, version, applied_at) VALUES (1, 0, '');
