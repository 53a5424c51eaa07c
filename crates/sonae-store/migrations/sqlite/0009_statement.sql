-- The first public statement (DESIGN §5, seed 004): what is known of each
-- fact per incident, admins' overrides of the shipped draft templates,
-- drafts with every saved version, approval and sending, and admins'
-- choice of which regulatory clocks run.
-- Keep in step with ../postgres/0009_statement.sql (checked by a test).

ALTER TABLE incidents ADD COLUMN unauthorized_purpose INTEGER NOT NULL DEFAULT 0;

CREATE TABLE incident_facts (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    fact TEXT NOT NULL,
    knowledge TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (incident_id, fact)
);

CREATE TABLE draft_templates (
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, lang)
);

CREATE TABLE incident_drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    approved_by TEXT,
    approved_at INTEGER,
    sent_by TEXT,
    sent_at INTEGER,
    sent_to TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incident_drafts_incident ON incident_drafts(incident_id, id);

CREATE TABLE incident_draft_versions (
    draft_id INTEGER NOT NULL REFERENCES incident_drafts(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    edited_at INTEGER NOT NULL,
    PRIMARY KEY (draft_id, version)
);

CREATE TABLE regulatory_clock_settings (
    clock TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
