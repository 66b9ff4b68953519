-- The security team's areas and their members are record kit types (core
-- organisation::areas): a column per field, named as the field, what is not given is NULL,
-- and a search text; a member is a record of its own (an id, its area, the person, the
-- specialty), one per person and area.
ALTER TABLE areas ALTER COLUMN description DROP NOT NULL;
UPDATE areas SET description = NULLIF(description, '');
ALTER TABLE areas ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE areas SET search_text = LOWER(name || ' ' || COALESCE(description, ''));
CREATE TABLE area_members_kit (
    id TEXT PRIMARY KEY NOT NULL,
    area TEXT NOT NULL REFERENCES areas(id),
    person TEXT NOT NULL REFERENCES people(id),
    specialty TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO area_members_kit (id, area, person, specialty, search_text, created_at, updated_at)
SELECT gen_random_uuid()::text, m.area_id, m.person_id, NULLIF(m.specialty, ''), LOWER(m.specialty), a.updated_at, a.updated_at
FROM area_members m JOIN areas a ON a.id = m.area_id;
DROP TABLE area_members;
ALTER TABLE area_members_kit RENAME TO area_members;
ALTER TABLE area_members RENAME CONSTRAINT area_members_kit_pkey TO area_members_pkey;
CREATE UNIQUE INDEX area_members_area_person ON area_members(area, person);
CREATE INDEX area_members_person ON area_members(person);
