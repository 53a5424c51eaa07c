-- A person confirmed a "possible" finding (no comparable version data):
-- it stays confirmed through later matches.
-- Keep in step with ../sqlite/0017_certainty_confirmed.sql (checked by a test).
ALTER TABLE findings ADD COLUMN certainty_confirmed_by TEXT;
