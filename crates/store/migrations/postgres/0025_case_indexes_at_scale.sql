-- Indexes for a district of a million persons (docs/benchmarks.md, issue 10).

-- A case manager's start page looks up the open hand-offs and follow-ups of their own hundred
-- cases: by case and state together, so that the database does not prefer walking every
-- overdue hand-off of the district through the (completed_on, due_on) index.
CREATE INDEX handoffs_case_open ON handoffs (case_id, completed_on, due_on);
CREATE INDEX case_follow_ups_case_open ON case_follow_ups (case_id, done_on, due_on);

-- The waiting times per hand-off type (the statistics page) read the hand-offs of one type
-- completed in the period: through this index, not through every hand-off of that type.
CREATE INDEX handoffs_completed ON handoffs (handoff_type, completed_on);
