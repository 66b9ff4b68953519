-- The risk register and the incident list grow to thousands of records (SPEC §6: 5,000 risks,
-- 10,000 incidents), so their searches go through FTS5 trigram indexes too, kept in step by
-- triggers, as people's and assets' do.
CREATE VIRTUAL TABLE risks_fts USING fts5(search_text, content='risks', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER risks_fts_insert AFTER INSERT ON risks BEGIN
    INSERT INTO risks_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER risks_fts_delete AFTER DELETE ON risks BEGIN
    INSERT INTO risks_fts(risks_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER risks_fts_update AFTER UPDATE OF search_text ON risks BEGIN
    INSERT INTO risks_fts(risks_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO risks_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO risks_fts(risks_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE incidents_fts USING fts5(search_text, content='incidents', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF search_text ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO incidents_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');
