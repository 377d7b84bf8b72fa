-- Barriers reported on the public pages (decision 0013, BITV 2.0 feedback route): what someone
-- noticed, on which page, and an address for the answer if they gave one. Admins read them and
-- mark them handled; handled reports are removed a year after.
CREATE TABLE accessibility_feedback (
    id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL,
    locale TEXT NOT NULL,
    page TEXT NOT NULL,
    message TEXT NOT NULL,
    contact TEXT NOT NULL,
    handled_at BIGINT,
    handled_by TEXT
);
CREATE INDEX accessibility_feedback_open ON accessibility_feedback (handled_at, received_at);
