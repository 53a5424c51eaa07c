-- What an incident cost (yen: response, recovery, compensation), for the
-- executive dashboard and report (DESIGN §8).
-- Keep in step with ../sqlite/0015_incident_cost.sql (checked by a test).
ALTER TABLE incidents ADD COLUMN cost_yen BIGINT;
