-- The handling workflow (DESIGN §4, seed 003 §3.3): the priority and due
-- date under the current policy, each step's record, and the history.
-- Keep in step with ../postgres/0004_workflow.sql (checked by a test).

ALTER TABLE findings ADD COLUMN priority TEXT;
ALTER TABLE findings ADD COLUMN due_at INTEGER;
ALTER TABLE findings ADD COLUMN direction TEXT;
ALTER TABLE findings ADD COLUMN work_plan TEXT;
ALTER TABLE findings ADD COLUMN agreed_by TEXT;
ALTER TABLE findings ADD COLUMN agreed_at INTEGER;
ALTER TABLE findings ADD COLUMN acceptance_requested_by TEXT;
ALTER TABLE findings ADD COLUMN accepted_by TEXT;
ALTER TABLE findings ADD COLUMN accepted_until INTEGER;
ALTER TABLE findings ADD COLUMN fix_known INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN status_at INTEGER;
CREATE INDEX findings_queue ON findings(status, due_at);

CREATE TABLE finding_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    step TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events(finding_id, id);
