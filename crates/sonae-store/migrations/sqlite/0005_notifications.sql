-- Notifications (DESIGN §4, §9): webhooks set up by an admin, each user's
-- preferences, the department heads escalations go to, and the sent-log
-- that lets every notification go out at most once per (event, subject,
-- recipient) across restarts and several nodes.
-- Keep in step with ../postgres/0005_notifications.sql (checked by a test).

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- The HMAC key; shown once when created, never logged or audited.
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE notification_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    events TEXT NOT NULL,
    delivery TEXT NOT NULL,
    lang TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE department_heads (
    department_id INTEGER PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE
);

CREATE TABLE notification_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    -- "finding:ID" or "digest:YYYY-MM-DD".
    subject TEXT NOT NULL,
    -- "user:ID", "person:ID" or "webhook:ID".
    recipient TEXT NOT NULL,
    -- sending | sent | failed | gave_up | empty
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_attempt_at INTEGER,
    UNIQUE (kind, subject, recipient)
);
CREATE INDEX notification_log_retry ON notification_log(status, next_attempt_at);
