-- The security team's areas and their members are record kit types (core
-- organisation::areas): a column per field, named as the field, what is not given is NULL,
-- and a search text; a member is a record of its own (an id, its area, the person, the
-- specialty), one per person and area. Column order as on PostgreSQL (backups compare).
CREATE TABLE areas_kit (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
INSERT INTO areas_kit (id, name, description, created_at, updated_at, search_text)
SELECT id, name, NULLIF(description, ''), created_at, updated_at, LOWER(name || ' ' || description) FROM areas;
CREATE TABLE area_members_kit (
    id TEXT PRIMARY KEY NOT NULL,
    area TEXT NOT NULL REFERENCES areas_kit(id),
    person TEXT NOT NULL REFERENCES people(id),
    specialty TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO area_members_kit (id, area, person, specialty, search_text, created_at, updated_at)
SELECT LOWER(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)),
    area_id, person_id, NULLIF(specialty, ''), LOWER(specialty), updated_at, updated_at
FROM (SELECT hex(randomblob(16)) AS h, m.area_id, m.person_id, m.specialty, a.updated_at
      FROM area_members m JOIN areas a ON a.id = m.area_id);
DROP TABLE area_members;
DROP TABLE areas;
ALTER TABLE areas_kit RENAME TO areas;
ALTER TABLE area_members_kit RENAME TO area_members;
CREATE UNIQUE INDEX area_members_area_person ON area_members(area, person);
CREATE INDEX area_members_person ON area_members(person);
