-- Links fields of kit records (`records`): one row per record a field names.
CREATE TABLE record_links (
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (record_type, record_id, field, target_id)
);
CREATE INDEX record_links_target ON record_links(target_id);
