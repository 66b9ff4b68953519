-- An approval's rule is data: besides the holders of `role` (now '' when none), the people
-- named in `people` decide, and those in `excluded` never do (person ids, space-separated).
ALTER TABLE approvals ADD COLUMN people TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN excluded TEXT NOT NULL DEFAULT '';
