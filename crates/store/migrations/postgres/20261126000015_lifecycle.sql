-- A person's lifecycle: onboarding facts (screening checks done, terms signed — never the
-- findings) and offboardings with their checklist of assets and accounts.
CREATE TABLE onboarding_records (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    done_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX onboarding_records_person ON onboarding_records(person_id, recorded_at);

CREATE TABLE offboardings (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX offboardings_person ON offboardings(person_id, started_at);

CREATE TABLE offboarding_items (
    offboarding_id TEXT NOT NULL REFERENCES offboardings(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    asset_id TEXT REFERENCES assets(id),
    label TEXT NOT NULL,
    done_at BIGINT,
    done_by TEXT,
    received_by TEXT,
    PRIMARY KEY (offboarding_id, position)
);
