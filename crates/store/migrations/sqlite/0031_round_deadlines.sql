-- A submission deadline per review round (decision 0014): shown to the reporting organisations,
-- and the scheduled reminders start a week before it. `deadline_reminded_at` is when the schedule
-- last reminded, so that it reminds at most once a week. Rounds opened before have none.
ALTER TABLE review_rounds ADD COLUMN submission_deadline TEXT;
ALTER TABLE review_rounds ADD COLUMN deadline_reminded_at BIGINT;
