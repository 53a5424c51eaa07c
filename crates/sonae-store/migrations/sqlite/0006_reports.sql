-- Vulnerability reports from outside (DESIGN §4, issue 4): the tracked
-- report, its message log with the reporter, and the public form's
-- anti-abuse records. Keep in step with ../postgres/0006_reports.sql.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- Shown to the reporter and to staff; random, not a sequence.
    reference TEXT NOT NULL UNIQUE,
    -- SHA-256 of the reporter's link token; the token itself is never stored.
    token_hash TEXT NOT NULL UNIQUE,
    reporter_name TEXT,
    reporter_email TEXT,
    product TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Ids the reporter gave, and ids staff linked, space-separated.
    vuln_ids TEXT NOT NULL DEFAULT '',
    linked_vuln_ids TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'received',
    ack_due_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    system_id INTEGER REFERENCES systems(id) ON DELETE SET NULL
);
CREATE INDEX reports_status ON reports(status, ack_due_at);

CREATE TABLE report_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    -- reporter | reply (staff to reporter) | note (internal) | status
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    from_status TEXT,
    to_status TEXT
);
CREATE INDEX report_messages_report ON report_messages(report_id, id);

-- Requests counted per bucket (client address, report, overall) for rate limits.
CREATE TABLE intake_hits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX intake_hits_bucket ON intake_hits(bucket, at_ms);

-- Proof-of-work challenges already used, kept until they expire.
CREATE TABLE intake_challenges (
    challenge_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
