-- Vulnerability intelligence (DESIGN §2): one row per CVE id (or JVNDB /
-- OSV id when there is no CVE), each feed's record kept beside it.
-- Keep in step with ../postgres/0002_vulnerabilities.sql (checked by a test).

CREATE TABLE vulnerabilities (
    id TEXT PRIMARY KEY,
    title TEXT,
    title_ja TEXT,
    description TEXT,
    description_ja TEXT,
    cvss_score DOUBLE PRECISION,
    cvss_version TEXT,
    cvss_vector TEXT,
    severity TEXT,
    kev INTEGER NOT NULL DEFAULT 0,
    kev_date_added TEXT,
    kev_due_date TEXT,
    published TEXT NOT NULL DEFAULT '',
    modified TEXT,
    products TEXT,
    feeds TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX vulnerabilities_published ON vulnerabilities(published, id);
CREATE INDEX vulnerabilities_modified ON vulnerabilities(modified);
CREATE INDEX vulnerabilities_cvss ON vulnerabilities(cvss_score);
CREATE INDEX vulnerabilities_kev ON vulnerabilities(kev);

-- Each feed record once, whatever number of CVEs it names.
CREATE TABLE vuln_sources (
    feed TEXT NOT NULL,
    source_id TEXT NOT NULL,
    modified TEXT,
    data_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    synced_at INTEGER NOT NULL,
    PRIMARY KEY (feed, source_id)
);

-- Which vulnerabilities a feed record speaks of.
CREATE TABLE vuln_source_links (
    vuln_id TEXT NOT NULL,
    feed TEXT NOT NULL,
    source_id TEXT NOT NULL,
    PRIMARY KEY (vuln_id, feed, source_id)
);
CREATE INDEX vuln_source_links_source ON vuln_source_links(feed, source_id);

CREATE TABLE vuln_aliases (
    alias TEXT NOT NULL,
    vuln_id TEXT NOT NULL,
    PRIMARY KEY (alias, vuln_id)
);

CREATE TABLE epss_scores (
    cve TEXT PRIMARY KEY,
    epss DOUBLE PRECISION NOT NULL,
    percentile DOUBLE PRECISION,
    score_date TEXT
);
CREATE INDEX epss_scores_epss ON epss_scores(epss);

CREATE TABLE feed_state (
    feed TEXT PRIMARY KEY,
    last_success_ms INTEGER,
    last_attempt_ms INTEGER,
    data_time TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    checkpoint TEXT,
    last_error TEXT,
    lock_owner TEXT,
    lock_until INTEGER
);

CREATE TABLE feed_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feed TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX feed_errors_feed ON feed_errors(feed, at_ms);
