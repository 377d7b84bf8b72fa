-- The run history of scheduled work (reminders, clean-ups): when each job ran, on whose or which
-- schedule's behalf, and what came of it. Shown to administrators; the scheduler of every node
-- reads it to know when a job is next due, so a job runs once per interval in a cluster.

CREATE TABLE job_runs (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    -- 'schedule', 'manual' (a button, naming the person) or 'command' (lotse jobs run).
    trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'command')),
    started_by TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT CHECK (outcome IN ('ok', 'failed')),
    summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
CREATE INDEX job_runs_started ON job_runs (started_at);
