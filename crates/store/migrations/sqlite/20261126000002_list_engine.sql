-- Search: a lower-cased copy of what a person is found by (filled by the application, which
-- lower-cases Unicode correctly), indexed by an FTS5 trigram index kept in step by triggers.
ALTER TABLE people ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE people_fts USING fts5(search_text, content='people', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER people_fts_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER people_fts_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_fts(people_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER people_fts_update AFTER UPDATE OF search_text ON people BEGIN
    INSERT INTO people_fts(people_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO people_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- Keyset pagination: every sort key with the id as unique tie-breaker.
CREATE INDEX people_name_id ON people(name, id);
CREATE INDEX people_email_id ON people(email, id);
CREATE INDEX people_status_id ON people(status, id);
CREATE INDEX people_created_id ON people(created_at, id);
DROP INDEX people_name;
