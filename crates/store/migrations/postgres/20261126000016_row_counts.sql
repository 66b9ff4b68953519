-- Row counts kept by triggers for lists too long to count on every page (the asset
-- inventory: 100,000 rows); a filtered list still counts its matches.
CREATE TABLE row_counts (
    name TEXT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);
INSERT INTO row_counts (name, n) SELECT 'assets', COUNT(*) FROM assets;
CREATE FUNCTION assets_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + 1 WHERE name = 'assets';
    ELSE
        UPDATE row_counts SET n = n - 1 WHERE name = 'assets';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assets_count AFTER INSERT OR DELETE ON assets FOR EACH ROW EXECUTE FUNCTION assets_count();
