-- Offers (Angebote) with an editorial workflow: each offer has at most one published revision
-- (what the public finder shows) and at most one open revision (a provider's change in progress).
-- The content is one JSON document per revision (lotse_domain::offer::OfferContent): the database
-- never looks inside it except through the copied columns title, valid_from and valid_to.

-- Organisations whose offers are published without the coordination's approval.
ALTER TABLE organisations ADD COLUMN trusted_publisher BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- German title of the newest revision, for staff lists.
    title TEXT NOT NULL,
    -- The day the provider (or the coordination) last confirmed the published content.
    verified_on TEXT,
    -- When the provider was last reminded to verify; reset by verifying.
    reminded_at BIGINT,
    -- Withdrawn offers leave the finder at once and stay for the record.
    withdrawn_at BIGINT,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX offers_organisation ON offers (organisation_id);

CREATE TABLE offer_revisions (
    id TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'published', 'superseded')),
    content TEXT NOT NULL,
    title TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    saved_by TEXT REFERENCES users (id),
    saved_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at BIGINT,
    -- Why the coordination returned a change.
    note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX offer_revisions_one_open ON offer_revisions (offer_id)
    WHERE state IN ('draft', 'submitted', 'returned');
CREATE UNIQUE INDEX offer_revisions_one_published ON offer_revisions (offer_id)
    WHERE state = 'published';
CREATE INDEX offer_revisions_state ON offer_revisions (state, offer_id);
