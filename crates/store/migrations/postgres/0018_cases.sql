-- KIM case management, first tables (decision 0012, slice 2): persons, their households, cases
-- through their phases. Personal data: every read is recorded in the access log by the store,
-- every write in the audit log; steering sees pseudonyms, never names.
CREATE TABLE households (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    -- Random, stable, not derived from anything about the person (it must not be guessable).
    pseudonym TEXT NOT NULL UNIQUE,
    family_name TEXT NOT NULL,
    given_names TEXT NOT NULL DEFAULT '',
    -- German sort key of "family, given" and the folded names the duplicate hint searches.
    name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male', 'diverse', 'not_stated')),
    nationalities TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE,
    interpreter_language TEXT NOT NULL DEFAULT '',
    arrived_in_germany TEXT,
    arrived_in_district TEXT,
    town_ags TEXT REFERENCES towns (ags),
    residence_status TEXT NOT NULL DEFAULT '',
    residence_legal_basis TEXT NOT NULL DEFAULT '',
    residence_valid_until TEXT,
    jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('asylblg', 'sgb2', 'sgb3', 'sgb8', 'sgb12', 'none')),
    household_id TEXT REFERENCES households (id),
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    anonymised_at BIGINT
);
CREATE INDEX persons_birth_date ON persons (birth_date);
CREATE INDEX persons_household ON persons (household_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    -- The case manager's organisation, and the case manager and deputy themselves: the facts
    -- access is decided from (lotse_domain::access, Record::Case).
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    owner_user_id TEXT NOT NULL REFERENCES users (id),
    deputy_user_id TEXT REFERENCES users (id),
    phase TEXT NOT NULL CHECK (phase IN ('intake', 'clearing', 'assessment', 'planning', 'implementation', 'evaluation', 'closed', 'paused')),
    access_route TEXT NOT NULL CHECK (access_route IN ('jobcenter', 'immigration_office', 'social_welfare_office', 'employment_agency', 'youth_office', 'school', 'counselling_service', 'self', 'other')),
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    closure_reason TEXT,
    -- The case lists' order: open phases first, then the newest opened first.
    list_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_owner ON cases (owner_user_id, list_key, id);
CREATE INDEX cases_deputy ON cases (deputy_user_id, list_key, id);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_list_key ON cases (list_key, id);

-- Every change of phase, with its day: the timeline and the durations per phase.
CREATE TABLE case_phase_changes (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    from_phase TEXT,
    to_phase TEXT NOT NULL,
    changed_on TEXT NOT NULL,
    changed_by TEXT,
    changed_at BIGINT NOT NULL
);
CREATE INDEX case_phase_changes_case ON case_phase_changes (case_id, changed_at);
