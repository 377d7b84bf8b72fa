-- The case figures of a period, computed ahead (decision 0012, "Case figures are served from
-- snapshots"). At a million persons the nine figures take half a minute to count; the page and
-- the API answer from here and say how current the figures are ("Stand"), while a job keeps
-- the usual periods fresh. Raw counts: the statistics rule is applied when they are shown.
-- Derived data only, so backups and copies leave the table out and it is refilled.
CREATE TABLE case_figure_snapshots (
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    -- How long counting took: cheap figures are counted afresh on every view instead.
    took_ms BIGINT NOT NULL,
    -- JSON: per figure its counts per key and the hand-offs' waiting times.
    figures TEXT NOT NULL,
    PRIMARY KEY (period_from, period_to)
);
