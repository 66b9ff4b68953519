-- The asset inventory, searchable by name and identifier (pg_trgm GIN index), with an index
-- per sort key and filter (id the tie-breaker; text keys in byte order, like every list).
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
CREATE INDEX assets_name_id ON assets((name COLLATE "C"), id);
CREATE INDEX assets_kind_id ON assets((kind COLLATE "C"), id);
CREATE INDEX assets_status_id ON assets((status COLLATE "C"), id);
CREATE INDEX assets_created_id ON assets(created_at, id);
CREATE INDEX assets_classification ON assets(classification);
CREATE INDEX assets_owner ON assets(owner_id);
CREATE INDEX assets_assigned ON assets(assigned_to);
CREATE INDEX assets_custodian ON assets(custodian_id);
CREATE INDEX assets_search ON assets USING GIN (search_text gin_trgm_ops);
