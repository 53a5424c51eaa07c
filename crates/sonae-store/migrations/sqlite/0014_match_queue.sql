-- Incremental re-match (DESIGN §3): what changed since the last match, and
-- the keys (cpe:vendor:product, purl:ecosystem:name) by which feed records
-- and components meet, so a change re-matches only what it touches.
-- Keep in step with ../postgres/0014_match_queue.sql (checked by a test).

CREATE TABLE match_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL
);

CREATE TABLE match_source_keys (
    feed TEXT NOT NULL,
    source_id TEXT NOT NULL,
    match_key TEXT NOT NULL,
    PRIMARY KEY (feed, source_id, match_key)
);
CREATE INDEX match_source_keys_key ON match_source_keys(match_key);

CREATE TABLE match_component_keys (
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    system_id INTEGER NOT NULL,
    match_key TEXT NOT NULL,
    PRIMARY KEY (component_id, match_key)
);
CREATE INDEX match_component_keys_key ON match_component_keys(match_key);

-- Every write path (forms, API, CSV, SBOM, collector, feed import and sync)
-- queues its change here, so none can forget to.
CREATE TRIGGER match_queue_source_insert AFTER INSERT ON vuln_sources
BEGIN
    INSERT INTO match_queue (kind, ref) VALUES ('source', NEW.feed || ':' || NEW.source_id);
END;
CREATE TRIGGER match_queue_source_update AFTER UPDATE OF data_hash ON vuln_sources
WHEN OLD.data_hash <> NEW.data_hash
BEGIN
    INSERT INTO match_queue (kind, ref) VALUES ('source', NEW.feed || ':' || NEW.source_id);
END;
CREATE TRIGGER match_queue_component_insert AFTER INSERT ON components
BEGIN
    INSERT INTO match_queue (kind, ref) VALUES ('component', CAST(NEW.id AS TEXT));
END;
CREATE TRIGGER match_queue_component_update AFTER UPDATE OF system_id, vendor, product, version, cpe, purl ON components
BEGIN
    INSERT INTO match_queue (kind, ref) VALUES ('component', CAST(NEW.id AS TEXT));
END;
