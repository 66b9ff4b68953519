-- Kept counts for the people, risk and incident lists too: counting them on every page was
-- most of a list page's database work (a scan of every row for 50 shown).
INSERT INTO row_counts (name, n) SELECT 'people', COUNT(*) FROM people;
INSERT INTO row_counts (name, n) SELECT 'risks', COUNT(*) FROM risks;
INSERT INTO row_counts (name, n) SELECT 'incidents', COUNT(*) FROM incidents;
CREATE FUNCTION table_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET n = n + 1 WHERE name = TG_TABLE_NAME;
    ELSE
        UPDATE row_counts SET n = n - 1 WHERE name = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER people_count AFTER INSERT OR DELETE ON people FOR EACH ROW EXECUTE FUNCTION table_count();
CREATE TRIGGER risks_count AFTER INSERT OR DELETE ON risks FOR EACH ROW EXECUTE FUNCTION table_count();
CREATE TRIGGER incidents_count AFTER INSERT OR DELETE ON incidents FOR EACH ROW EXECUTE FUNCTION table_count();
