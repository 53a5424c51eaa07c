-- The PDCA list (DESIGN §8): every improvement action, whatever produced
-- it (incident review, exercise, assessment, risk treatment, scheduled
-- review), with owner, due date and status.
-- Keep in step with ../postgres/0011_improvement_actions.sql (checked by a test).

CREATE TABLE improvement_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    source_kind TEXT NOT NULL,
    source_id INTEGER,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL,
    due_at INTEGER,
    status TEXT NOT NULL DEFAULT 'open',
    done_at INTEGER,
    created_by TEXT NOT NULL
);
CREATE INDEX improvement_actions_status ON improvement_actions(status, due_at);
CREATE INDEX improvement_actions_source ON improvement_actions(source_kind, source_id);
