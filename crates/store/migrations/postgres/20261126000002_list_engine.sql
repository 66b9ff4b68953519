-- Search: a lower-cased copy of what a person is found by (filled by the application, which
-- lower-cases Unicode correctly), indexed by a pg_trgm GIN index for substring matches.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE people ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX people_search ON people USING GIN (search_text gin_trgm_ops);

-- Keyset pagination: every sort key with the id as unique tie-breaker. Text sorts compare
-- bytes (COLLATE "C") so that both backends order alike.
CREATE INDEX people_name_id ON people((name COLLATE "C"), id);
CREATE INDEX people_email_id ON people((email COLLATE "C"), id);
CREATE INDEX people_status_id ON people((status COLLATE "C"), id);
CREATE INDEX people_created_id ON people(created_at, id);
DROP INDEX people_name;
