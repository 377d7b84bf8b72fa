-- Structural issues: recurring barriers at hand-offs between authorities, tracked until solved.

CREATE TABLE structural_issues (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    from_organisation_id TEXT REFERENCES organisations (id),
    from_jurisdiction TEXT,
    to_organisation_id TEXT REFERENCES organisations (id),
    to_jurisdiction TEXT,
    evidence_count BIGINT NOT NULL DEFAULT 0 CHECK (evidence_count >= 0),
    status TEXT NOT NULL CHECK (status IN ('reported', 'under_discussion', 'solution_agreed', 'resolved', 'not_solvable')),
    reported_on TEXT NOT NULL,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- No rows means: the whole district.
CREATE TABLE structural_issue_towns (
    issue_id TEXT NOT NULL REFERENCES structural_issues (id) ON DELETE CASCADE,
    town_ags TEXT NOT NULL REFERENCES towns (ags),
    PRIMARY KEY (issue_id, town_ags)
);
