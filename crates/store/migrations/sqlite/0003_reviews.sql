-- Review rounds (Überprüfung): per measure an update from the lead organisation, reviewed by the
-- coordination; closing a round freezes a snapshot that later edits never change.

CREATE TABLE review_rounds (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    opened_at BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT
);

CREATE TABLE review_updates (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES review_rounds (id),
    measure_id TEXT NOT NULL REFERENCES measures (id),
    -- The organisation asked to report: the measure's lead when the round was opened.
    organisation_id TEXT REFERENCES organisations (id),
    state TEXT NOT NULL CHECK (state IN ('missing', 'submitted', 'returned', 'accepted')),
    status TEXT CHECK (status IN ('planned', 'in_progress', 'established', 'completed', 'on_hold', 'dropped')),
    progress TEXT NOT NULL DEFAULT '',
    adaptation TEXT NOT NULL DEFAULT 'none' CHECK (adaptation IN ('none', 'adjust', 'drop')),
    adaptation_reason TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT,
    submitted_by TEXT,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    review_comment TEXT NOT NULL DEFAULT '',
    UNIQUE (round_id, measure_id)
);
CREATE INDEX review_updates_org ON review_updates (round_id, organisation_id);

CREATE TABLE review_proposals (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES review_rounds (id),
    concept_id TEXT NOT NULL REFERENCES concepts (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    organisation_id TEXT REFERENCES organisations (id),
    proposed_at BIGINT NOT NULL,
    proposed_by TEXT NOT NULL
);

-- The frozen state of every measure of a closed round, as the report shows it.
CREATE TABLE review_snapshots (
    round_id TEXT NOT NULL REFERENCES review_rounds (id),
    measure_id TEXT NOT NULL,
    concept TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    field_of_action TEXT,
    lead_organisation TEXT,
    status TEXT NOT NULL,
    update_state TEXT NOT NULL,
    progress TEXT NOT NULL,
    adaptation TEXT NOT NULL,
    adaptation_reason TEXT NOT NULL,
    fictitious BOOLEAN NOT NULL,
    PRIMARY KEY (round_id, measure_id)
);

-- A snapshot is written once, when the round closes, and never changed.
CREATE TRIGGER review_snapshots_no_update BEFORE UPDATE ON review_snapshots
BEGIN SELECT RAISE(ABORT, 'review_snapshots are frozen'); END;
CREATE TRIGGER review_snapshots_no_delete BEFORE DELETE ON review_snapshots
BEGIN SELECT RAISE(ABORT, 'review_snapshots are frozen'); END;
