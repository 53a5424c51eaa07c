-- Business continuity (DESIGN §6): business processes with their impact
-- analysis and recovery objectives, the systems they depend on, recovery
-- plans, the backups register and tabletop exercises.
-- Keep in step with ../postgres/0012_continuity.sql (checked by a test).

CREATE TABLE bc_processes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    owner_department_id INTEGER NOT NULL REFERENCES departments(id),
    description TEXT NOT NULL DEFAULT '',
    rto_hours INTEGER,
    rpo_hours INTEGER,
    -- 16 digits 0-3: horizon (4h, 1d, 3d, 1w) by dimension (money, customers, legal, reputation).
    impact TEXT NOT NULL DEFAULT '0000000000000000'
);

CREATE TABLE bc_process_systems (
    process_id INTEGER NOT NULL REFERENCES bc_processes(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    PRIMARY KEY (process_id, system_id)
);
CREATE INDEX bc_process_systems_system ON bc_process_systems(system_id);

CREATE TABLE bc_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    title TEXT NOT NULL,
    process_id INTEGER REFERENCES bc_processes(id) ON DELETE CASCADE,
    system_id INTEGER REFERENCES systems(id) ON DELETE CASCADE,
    owner_person_id INTEGER REFERENCES people(id),
    steps TEXT NOT NULL DEFAULT '',
    alt_manual TEXT NOT NULL DEFAULT '',
    alt_backup_system TEXT NOT NULL DEFAULT '',
    alt_degraded TEXT NOT NULL DEFAULT '',
    estimated_hours INTEGER
);

CREATE TABLE bc_plan_contacts (
    plan_id INTEGER NOT NULL REFERENCES bc_plans(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, person_id)
);

CREATE TABLE bc_backups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    location TEXT NOT NULL,
    interval_hours INTEGER NOT NULL,
    retention_days INTEGER NOT NULL,
    test_interval_days INTEGER NOT NULL DEFAULT 180,
    last_restore_at INTEGER,
    last_restore_by TEXT,
    last_restore_note TEXT NOT NULL DEFAULT '',
    -- The due date an overdue-restore action was created for (once per due date).
    reminded_due_at INTEGER
);
CREATE INDEX bc_backups_system ON bc_backups(system_id);

CREATE TABLE bc_exercises (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    scenario_id TEXT NOT NULL,
    title TEXT NOT NULL,
    facilitator TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    started_at INTEGER NOT NULL,
    skipped_minutes INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER,
    finished_minute INTEGER
);

CREATE TABLE bc_exercise_participants (
    exercise_id INTEGER NOT NULL REFERENCES bc_exercises(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (exercise_id, user_id)
);

CREATE TABLE bc_exercise_processes (
    exercise_id INTEGER NOT NULL REFERENCES bc_exercises(id) ON DELETE CASCADE,
    process_id INTEGER NOT NULL REFERENCES bc_processes(id) ON DELETE CASCADE,
    PRIMARY KEY (exercise_id, process_id)
);

CREATE TABLE bc_exercise_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exercise_id INTEGER NOT NULL REFERENCES bc_exercises(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX bc_exercise_log_exercise ON bc_exercise_log(exercise_id, id);

CREATE TABLE bc_exercise_milestones (
    exercise_id INTEGER NOT NULL REFERENCES bc_exercises(id) ON DELETE CASCADE,
    milestone_id TEXT NOT NULL,
    minute INTEGER NOT NULL,
    at INTEGER NOT NULL,
    marked_by TEXT NOT NULL,
    PRIMARY KEY (exercise_id, milestone_id)
);

CREATE TABLE bc_exercise_findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exercise_id INTEGER NOT NULL REFERENCES bc_exercises(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL,
    action_id INTEGER REFERENCES improvement_actions(id) ON DELETE SET NULL
);
