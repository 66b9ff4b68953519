-- Row counts kept by triggers for lists too long to count on every page (the asset
-- inventory: 100,000 rows); a filtered list still counts its matches.
CREATE TABLE row_counts (
    name TEXT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);
INSERT INTO row_counts (name, n) SELECT 'assets', COUNT(*) FROM assets;
CREATE TRIGGER assets_count_insert AFTER INSERT ON assets BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'assets';
END;
CREATE TRIGGER assets_count_delete AFTER DELETE ON assets BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'assets';
END;
