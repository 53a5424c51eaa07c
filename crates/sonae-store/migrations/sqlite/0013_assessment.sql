-- Self-assessment and the risk register (DESIGN §7, seed 001 steps 2–3):
-- catalogs users upload (the shipped ones live in catalogs/assessments/),
-- assessments over time with one answer per item, and risks per
-- information asset with treatment, residual risk and executive acceptance.
-- Keep in step with ../postgres/0013_assessment.sql (checked by a test).

CREATE TABLE assessment_catalogs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    catalog_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    catalog_key TEXT NOT NULL,
    title TEXT NOT NULL,
    assessed_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX assessments_catalog ON assessments(catalog_key, assessed_at);

CREATE TABLE assessment_answers (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    choice TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_id)
);

CREATE TABLE risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    threat TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    frequency INTEGER NOT NULL,
    vulnerability INTEGER NOT NULL,
    treatment TEXT,
    treatment_note TEXT NOT NULL DEFAULT '',
    residual_vulnerability INTEGER,
    accepted_by TEXT,
    accepted_at INTEGER,
    created_by TEXT NOT NULL
);
CREATE INDEX risks_asset ON risks(asset_id);
