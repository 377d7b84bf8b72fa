-- Case conferences (decision 0012, slice 4): with the person's consent for exactly that, the
-- organisations involved talk the case through; what was agreed is kept on the case.
CREATE TABLE case_conferences (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    agreements TEXT NOT NULL DEFAULT '',
    next_on TEXT,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_conferences_case ON case_conferences (case_id, held_on);

CREATE TABLE case_conference_organisations (
    conference_id TEXT NOT NULL REFERENCES case_conferences (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (conference_id, organisation_id)
);
