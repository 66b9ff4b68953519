-- The risk register: risks rated on the instance's scale, their treatment and the controls
-- it relies on, and the settings (scale, acceptance threshold, review period).
CREATE TABLE risk_settings (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    scale BIGINT NOT NULL,
    acceptance_threshold BIGINT NOT NULL,
    review_days BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO risk_settings (id, scale, acceptance_threshold, review_days, updated_at) VALUES (1, 5, 8, 365, 0);

CREATE TABLE risks (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    asset_id TEXT REFERENCES assets(id),
    process TEXT NOT NULL,
    threat TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES people(id),
    probability BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    inherent_score BIGINT NOT NULL,
    treatment TEXT NOT NULL,
    treatment_plan TEXT NOT NULL,
    residual_probability BIGINT,
    residual_impact BIGINT,
    -- The current score: residual once rated, inherent until then (filters and sorting).
    score BIGINT NOT NULL,
    acceptance TEXT NOT NULL,
    accepted_score BIGINT,
    approval_id TEXT,
    review_on TEXT NOT NULL,
    last_reviewed_on TEXT,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX risks_score_id ON risks(score, id);
CREATE INDEX risks_inherent_id ON risks(inherent_score, id);
CREATE INDEX risks_title_id ON risks(title, id);
CREATE INDEX risks_review_id ON risks(review_on, id);
CREATE INDEX risks_created_id ON risks(created_at, id);
CREATE INDEX risks_owner_score ON risks(owner_id, score, id);
CREATE INDEX risks_treatment_score ON risks(treatment, score, id);

CREATE TABLE risk_controls (
    risk_id TEXT NOT NULL REFERENCES risks(id),
    control_id TEXT NOT NULL REFERENCES controls(id),
    PRIMARY KEY (risk_id, control_id)
);
CREATE INDEX risk_controls_control ON risk_controls(control_id);
