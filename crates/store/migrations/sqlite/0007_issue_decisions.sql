-- Decisions that addressed a structural issue.
CREATE TABLE structural_issue_decisions (
    issue_id TEXT NOT NULL REFERENCES structural_issues (id) ON DELETE CASCADE,
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    PRIMARY KEY (issue_id, decision_id)
);
