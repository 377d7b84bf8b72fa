-- KIM case management, slice 3 (decision 0012): what the person agreed to, with whom a case is
-- shared, and emergency accesses. The access scope reads all three live in every statement that
-- reads a case (store/src/cases/scope.rs): revoking a release ends what it showed at once.

-- Consents per person and purpose; a release names the organisation and what it may see.
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    -- The case it was recorded on (its timeline); the consent is the person's.
    case_id TEXT REFERENCES cases (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('case_management', 'release', 'case_conference')),
    organisation_id TEXT REFERENCES organisations (id),
    given_on TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('written', 'oral_with_witness')),
    witness TEXT NOT NULL DEFAULT '',
    valid_until TEXT,
    covers_identity BOOLEAN NOT NULL DEFAULT FALSE,
    covers_residence BOOLEAN NOT NULL DEFAULT FALSE,
    covers_plan BOOLEAN NOT NULL DEFAULT FALSE,
    covers_assessment BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_on TEXT,
    recorded_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (purpose <> 'release' OR organisation_id IS NOT NULL)
);
CREATE INDEX consents_person ON consents (person_id, purpose);
CREATE INDEX consents_release ON consents (organisation_id, purpose, person_id);

-- A case shared with an account (or offered to an organisation, whose staff answer): a request
-- the receiver accepts or declines. `ownership` hands the case over on acceptance.
CREATE TABLE case_shares (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    access TEXT NOT NULL CHECK (access IN ('ownership', 'edit', 'read', 'pseudonymous')),
    requested_by TEXT NOT NULL REFERENCES users (id),
    -- Named at the request, or whoever of the organisation accepted it.
    to_user_id TEXT REFERENCES users (id),
    to_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- A full share to another organisation shows only while that organisation holds a valid
    -- release; false for shares inside the organisation, pseudonymised ones and overrides.
    needs_release BOOLEAN NOT NULL,
    override_reason TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'declined', 'withdrawn', 'ended')),
    requested_at BIGINT NOT NULL,
    answered_by TEXT REFERENCES users (id),
    answered_at BIGINT,
    ended_at BIGINT,
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at BIGINT,
    review_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_shares_case ON case_shares (case_id, state);
CREATE INDEX case_shares_user ON case_shares (to_user_id, state, access);
CREATE INDEX case_shares_organisation ON case_shares (to_organisation_id, state);
CREATE INDEX case_shares_requested_by ON case_shares (requested_by, state);
-- Never two owners by accident: at most one hand-over waits per case.
CREATE UNIQUE INDEX case_shares_one_handover ON case_shares (case_id) WHERE access = 'ownership' AND state = 'requested';

-- Emergency access ("break glass"): a case manager reaches a case outside their own for a few
-- hours, with a reason the coordination reviews.
CREATE TABLE break_glass_accesses (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    reviewed_by TEXT REFERENCES users (id),
    reviewed_at BIGINT,
    review_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX break_glass_user ON break_glass_accesses (user_id, expires_at);
CREATE INDEX break_glass_review ON break_glass_accesses (reviewed_at, opened_at);
