-- The asset inventory, searchable by name and identifier (FTS5 trigram, kept by triggers),
-- with an index per sort key and filter (id the tie-breaker).
CREATE TABLE assets (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    classification TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id TEXT REFERENCES people(id),
    custodian_id TEXT REFERENCES people(id),
    assigned_to TEXT REFERENCES people(id),
    identifier TEXT NOT NULL,
    description TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assets_name_id ON assets(name, id);
CREATE INDEX assets_kind_id ON assets(kind, id);
CREATE INDEX assets_status_id ON assets(status, id);
CREATE INDEX assets_created_id ON assets(created_at, id);
CREATE INDEX assets_classification ON assets(classification);
CREATE INDEX assets_owner ON assets(owner_id);
CREATE INDEX assets_assigned ON assets(assigned_to);
CREATE INDEX assets_custodian ON assets(custodian_id);
CREATE VIRTUAL TABLE assets_fts USING fts5(search_text, content='assets', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts(assets_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER assets_fts_update AFTER UPDATE OF search_text ON assets BEGIN
    INSERT INTO assets_fts(assets_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO assets_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
