-- Authorities and special-interest contacts (a record kit type: core organisation::authorities).
CREATE TABLE authorities (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    contact_channel TEXT,
    contact TEXT,
    when_to_contact TEXT NOT NULL,
    incident_category TEXT,
    owner TEXT REFERENCES people(id),
    last_contacted_on TEXT,
    notes TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX authorities_owner ON authorities(owner);
