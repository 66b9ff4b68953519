-- Campaign completion is counted only per department, in slot rows (PostgreSQL spreads a
-- count over up to 16 so that concurrent writers do not queue on one row; SQLite's single
-- writer uses slot 0). A campaign's totals are the sum of its departments'.
CREATE TABLE campaign_departments_slotted (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    -- '' for people without a department
    department_id TEXT NOT NULL,
    assigned BIGINT NOT NULL,
    signed BIGINT NOT NULL,
    slot INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, department_id, slot)
);
INSERT INTO campaign_departments_slotted (campaign_id, department_id, assigned, signed, slot)
SELECT campaign_id, department_id, assigned, signed, 0 FROM campaign_departments;
DROP TABLE campaign_departments;
ALTER TABLE campaign_departments_slotted RENAME TO campaign_departments;
ALTER TABLE campaigns DROP COLUMN assigned;
ALTER TABLE campaigns DROP COLUMN signed;
