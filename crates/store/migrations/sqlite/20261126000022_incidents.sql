-- Security incidents: the record, its timeline, the people added to the response, its
-- links to assets, people and risks, and the policy chosen as the response plan.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter_id TEXT REFERENCES people(id),
    reporter_label TEXT NOT NULL,
    severity TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    integrity TEXT NOT NULL,
    availability TEXT NOT NULL,
    personal_data BIGINT NOT NULL,
    personal_data_since BIGINT,
    authority_notified_at BIGINT,
    status TEXT NOT NULL,
    lessons_learned TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_created_id ON incidents(created_at, id);
CREATE INDEX incidents_title_id ON incidents(title, id);
CREATE INDEX incidents_status_created ON incidents(status, created_at, id);
CREATE INDEX incidents_reporter ON incidents(reporter_id);
-- The incidents whose authority notification is owed (the dashboard's clock list).
CREATE INDEX incidents_owing_notification ON incidents(personal_data_since, id)
    WHERE personal_data_since IS NOT NULL AND authority_notified_at IS NULL;

CREATE TABLE incident_events (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, at);

CREATE TABLE incident_members (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (incident_id, person_id)
);
CREATE INDEX incident_members_person ON incident_members(person_id);

CREATE TABLE incident_links (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, target_id)
);

CREATE TABLE incident_settings (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    plan_policy_id TEXT REFERENCES policies(id)
);
INSERT INTO incident_settings (id, plan_policy_id) VALUES (1, NULL);
