-- Kept counts for the people, risk and incident lists too: counting them on every page was
-- most of a list page's database work (a scan of every row for 50 shown).
INSERT INTO row_counts (name, n) SELECT 'people', COUNT(*) FROM people;
INSERT INTO row_counts (name, n) SELECT 'risks', COUNT(*) FROM risks;
INSERT INTO row_counts (name, n) SELECT 'incidents', COUNT(*) FROM incidents;
CREATE TRIGGER people_count_insert AFTER INSERT ON people BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'people';
END;
CREATE TRIGGER people_count_delete AFTER DELETE ON people BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'people';
END;
CREATE TRIGGER risks_count_insert AFTER INSERT ON risks BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'risks';
END;
CREATE TRIGGER risks_count_delete AFTER DELETE ON risks BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'risks';
END;
CREATE TRIGGER incidents_count_insert AFTER INSERT ON incidents BEGIN
    UPDATE row_counts SET n = n + 1 WHERE name = 'incidents';
END;
CREATE TRIGGER incidents_count_delete AFTER DELETE ON incidents BEGIN
    UPDATE row_counts SET n = n - 1 WHERE name = 'incidents';
END;
