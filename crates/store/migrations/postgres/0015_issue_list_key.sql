-- The register of structural issues in its order (open ones first, then by evidence, newest
-- first) as a key column, so that its page is read through an index instead of sorting every
-- issue in the program (sort_keys::issue_list_key; filled at start-up for older rows).
ALTER TABLE structural_issues ADD COLUMN list_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX structural_issues_list_key ON structural_issues (list_key, id);
CREATE INDEX structural_issues_status_list_key ON structural_issues (status, list_key, id);
