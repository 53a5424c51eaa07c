-- Findings (DESIGN §3): a component affected by a vulnerability, with why.
-- Keep in step with ../postgres/0003_findings.sql (checked by a test).

CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    vuln_id TEXT NOT NULL,
    certainty TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    -- A person's decision (VEX-style justification) and the match it was made on.
    justification TEXT,
    decision_note TEXT,
    decided_by TEXT,
    decided_reason TEXT,
    matched_at INTEGER NOT NULL,
    UNIQUE (component_id, vuln_id)
);
CREATE INDEX findings_system ON findings(system_id);
CREATE INDEX findings_vuln ON findings(vuln_id);
