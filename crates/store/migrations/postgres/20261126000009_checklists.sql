-- Checklist templates: items answered yes / no / not applicable. A template is fixed once
-- made, so a campaign's answers always refer to the items people saw.
CREATE TABLE checklists (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    follow_up_days BIGINT NOT NULL,
    item_count BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX checklists_title_id ON checklists(title, id);
CREATE INDEX checklists_created_id ON checklists(created_at, id);

CREATE TABLE checklist_items (
    checklist_id TEXT NOT NULL REFERENCES checklists(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    guidance TEXT NOT NULL,
    PRIMARY KEY (checklist_id, position)
);

-- A checklist campaign asks for answers instead of signatures; the completion record
-- (acknowledgments) keeps the export line of the answers.
ALTER TABLE campaigns ADD COLUMN checklist_id TEXT REFERENCES checklists(id);

CREATE TABLE checklist_answers (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    position BIGINT NOT NULL,
    answer TEXT NOT NULL,
    comment TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, person_id, position)
);
