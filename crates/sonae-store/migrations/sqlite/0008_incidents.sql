-- Incident response (DESIGN §5): incidents, their systems, the append-only
-- work log, checklists from playbooks, decisions with the authority they
-- rest on, evidence with its chain of custody, and each system's route
-- (who may stop it, who commands the response).
-- Keep in step with ../postgres/0008_incidents.sql (checked by a test).

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ref TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    level INTEGER NOT NULL,
    phase TEXT NOT NULL,
    discovered_at INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    summary TEXT NOT NULL,
    personal_data TEXT NOT NULL DEFAULT 'unknown',
    commander TEXT,
    closed_at INTEGER
);
CREATE INDEX incidents_phase ON incidents(phase, level);

CREATE TABLE incident_systems (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, system_id)
);
CREATE INDEX incident_systems_system ON incident_systems(system_id);

CREATE TABLE incident_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    corrects INTEGER REFERENCES incident_log(id)
);
CREATE INDEX incident_log_incident ON incident_log(incident_id, id);

CREATE TABLE incident_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    playbook TEXT NOT NULL,
    section TEXT NOT NULL,
    section_ja TEXT NOT NULL,
    section_en TEXT NOT NULL,
    phase TEXT NOT NULL,
    position INTEGER NOT NULL,
    title_ja TEXT NOT NULL,
    title_en TEXT NOT NULL,
    assignee TEXT,
    vendor_id INTEGER REFERENCES vendors(id),
    due_at INTEGER,
    done_at INTEGER,
    done_by TEXT,
    note TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incident_tasks_incident ON incident_tasks(incident_id, position);

CREATE TABLE incident_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    decider TEXT NOT NULL,
    decision TEXT NOT NULL,
    authority TEXT NOT NULL,
    system_id INTEGER REFERENCES systems(id) ON DELETE SET NULL,
    basis TEXT NOT NULL,
    authorized INTEGER NOT NULL
);
CREATE INDEX incident_decisions_incident ON incident_decisions(incident_id, id);

CREATE TABLE incident_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    item TEXT NOT NULL,
    location TEXT NOT NULL,
    sha256 TEXT,
    collected_by TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    file_name TEXT,
    file_size INTEGER,
    file_data BLOB
);
CREATE INDEX incident_evidence_incident ON incident_evidence(incident_id, id);

CREATE TABLE incident_custody (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    evidence_id INTEGER NOT NULL REFERENCES incident_evidence(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    from_holder TEXT NOT NULL,
    to_holder TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX incident_custody_evidence ON incident_custody(evidence_id, id);

CREATE TABLE system_routes (
    system_id INTEGER PRIMARY KEY REFERENCES systems(id) ON DELETE CASCADE,
    stop_person_id INTEGER REFERENCES people(id),
    stop_deputy_id INTEGER REFERENCES people(id),
    command_person_id INTEGER REFERENCES people(id),
    command_deputy_id INTEGER REFERENCES people(id),
    updated_at INTEGER NOT NULL
);
