-- State funding programmes (Förderprogramme) with budgets per year, grants (Bewilligungen) to
-- organisations or programmes, money paid out and spent under them, and the reports due to the
-- funder (Verwendungsnachweise). Amounts in whole cents. The programmes the issue names are
-- reference data (store/src/reference.rs).

CREATE TABLE funding_programmes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    funder TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE funding_budgets (
    funding_programme_id TEXT NOT NULL REFERENCES funding_programmes (id) ON DELETE CASCADE,
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (funding_programme_id, year)
);

CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    funding_programme_id TEXT NOT NULL REFERENCES funding_programmes (id),
    organisation_id TEXT REFERENCES organisations (id),
    programme_id TEXT REFERENCES programmes (id),
    purpose TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (organisation_id IS NOT NULL OR programme_id IS NOT NULL),
    CHECK (period_to >= period_from)
);
CREATE INDEX grants_funding_programme ON grants (funding_programme_id);

CREATE TABLE grant_movements (
    id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'expense')),
    on_date TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX grant_movements_grant ON grant_movements (grant_id);

CREATE TABLE reporting_deadlines (
    id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    submitted_on TEXT,
    reminded_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX reporting_deadlines_due ON reporting_deadlines (due_on);
