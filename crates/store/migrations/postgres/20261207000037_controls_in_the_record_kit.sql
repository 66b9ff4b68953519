-- Controls are a record kit type (core controls::CONTROL): a column per field, named as the
-- field (the owner's column is `owner`), what is not given is NULL.
ALTER TABLE controls RENAME COLUMN owner_id TO owner;
ALTER TABLE controls ALTER COLUMN description DROP NOT NULL;
ALTER TABLE controls ALTER COLUMN justification DROP NOT NULL;
UPDATE controls SET description = NULLIF(description, ''), justification = NULLIF(justification, '');
