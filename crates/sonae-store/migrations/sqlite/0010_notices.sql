-- Public notices (DESIGN §5 risk communication) with their time-stamped
-- updates, and the answers of post-incident reviews (every version kept).
-- Keep in step with ../postgres/0010_notices.sql (checked by a test).

CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    title_ja TEXT NOT NULL,
    body_ja TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    body_en TEXT NOT NULL DEFAULT '',
    published_at INTEGER,
    published_by TEXT,
    withdrawn_at INTEGER,
    withdrawn_by TEXT
);
CREATE INDEX notices_status ON notices(status, published_at);

CREATE TABLE notice_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    approved_by TEXT NOT NULL,
    body_ja TEXT NOT NULL,
    body_en TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notice_updates_notice ON notice_updates(notice_id, id);

CREATE TABLE incident_review_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    version INTEGER NOT NULL,
    at INTEGER NOT NULL,
    answered_by TEXT NOT NULL,
    answer TEXT NOT NULL,
    UNIQUE (incident_id, question, version)
);
