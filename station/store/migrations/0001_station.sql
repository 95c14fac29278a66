-- Station-wide settings: identity of this desk and small key/value facts
-- (first-run state, last sync time). Values are text; callers parse them.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
