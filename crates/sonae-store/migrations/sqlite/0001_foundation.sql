-- Foundation: accounts, sessions, tokens, audit chain, settings, inventory.
-- Keep in step with ../postgres/0001_foundation.sql (checked by a test).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    code TEXT,
    notes TEXT
);

CREATE TABLE vendors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    contact_name TEXT,
    email TEXT,
    phone TEXT,
    contract_start TEXT,
    contract_end TEXT,
    contract_new_vulns TEXT,
    contract_known_vulns TEXT,
    contract_vuln_testing TEXT,
    contract_emergency_costs TEXT,
    notes TEXT
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    affiliation TEXT NOT NULL,
    contact_role TEXT,
    department_id INTEGER REFERENCES departments(id),
    organization TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    reachable_hours TEXT,
    after_hours_phone TEXT,
    last_verified TEXT,
    notes TEXT
);
CREATE INDEX people_department ON people(department_id);

CREATE TABLE systems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    purpose TEXT,
    owner_department_id INTEGER NOT NULL REFERENCES departments(id),
    administrator_id INTEGER REFERENCES people(id),
    vendor_id INTEGER REFERENCES vendors(id),
    location TEXT,
    exposure TEXT NOT NULL,
    personal_data INTEGER NOT NULL DEFAULT 0,
    customer_data INTEGER NOT NULL DEFAULT 0,
    critical_data INTEGER NOT NULL DEFAULT 0,
    confidentiality INTEGER NOT NULL,
    integrity INTEGER NOT NULL,
    availability INTEGER NOT NULL,
    end_of_support TEXT,
    notes TEXT
);
CREATE INDEX systems_department ON systems(owner_department_id);
CREATE INDEX systems_vendor ON systems(vendor_id);

CREATE TABLE components (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    vendor TEXT,
    product TEXT NOT NULL,
    version TEXT,
    cpe TEXT,
    purl TEXT,
    source TEXT,
    notes TEXT
);
CREATE INDEX components_system ON components(system_id);
CREATE INDEX components_product ON components(product);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    owner_department_id INTEGER NOT NULL REFERENCES departments(id),
    storage_place TEXT,
    confidentiality INTEGER NOT NULL,
    integrity INTEGER NOT NULL,
    availability INTEGER NOT NULL,
    personal_data INTEGER NOT NULL DEFAULT 0,
    notes TEXT
);
CREATE INDEX assets_department ON assets(owner_department_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    vendor_id INTEGER REFERENCES vendors(id),
    lang TEXT,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(throttle_key, at_ms);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id INTEGER,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_kind, object_id);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
