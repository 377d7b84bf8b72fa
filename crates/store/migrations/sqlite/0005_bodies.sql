-- Bodies (Gremien), their meetings with agenda items and minutes, decisions, and action items.

CREATE TABLE bodies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE body_members (
    body_id TEXT NOT NULL REFERENCES bodies (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (body_id, organisation_id)
);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    body_id TEXT NOT NULL REFERENCES bodies (id),
    held_on TEXT NOT NULL,
    minutes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX meetings_body ON meetings (body_id, held_on);

CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL
);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    body_id TEXT NOT NULL REFERENCES bodies (id),
    meeting_id TEXT REFERENCES meetings (id),
    number TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (body_id, number)
);

CREATE TABLE decision_measures (
    decision_id TEXT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    measure_id TEXT NOT NULL REFERENCES measures (id),
    PRIMARY KEY (decision_id, measure_id)
);

CREATE TABLE action_items (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    owner_user_id TEXT REFERENCES users (id),
    due_on TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'done', 'cancelled')),
    meeting_id TEXT REFERENCES meetings (id),
    decision_id TEXT REFERENCES decisions (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_items_owner ON action_items (owner_user_id, state);

-- Where a structural issue was handled.
CREATE TABLE structural_issue_links (
    issue_id TEXT NOT NULL REFERENCES structural_issues (id) ON DELETE CASCADE,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    PRIMARY KEY (issue_id, meeting_id)
);
