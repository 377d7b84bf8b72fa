-- Interpreters sign in to see their assignments: the role list grows by one.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('admin', 'coordination', 'case_manager', 'partner',
                                       'immigration_office', 'school_counsellor', 'reader',
                                       'interpreter'));

-- The KI's interpreter pool (decision 0017): the interpreters, the languages they speak (a table
-- of its own so that matching asks the database by language), and the requests with their
-- review, assignment and completion.
CREATE TABLE interpreters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    -- The account through which the interpreter sees their assignments, if they have one.
    user_id TEXT UNIQUE REFERENCES users (id),
    dialects TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    training TEXT NOT NULL DEFAULT '',
    -- Town keys served, comma-separated; empty: the whole district.
    towns TEXT NOT NULL DEFAULT '',
    -- Weekdays available, "1111100" from Monday.
    weekdays TEXT NOT NULL DEFAULT '1111100',
    available_from BIGINT NOT NULL DEFAULT 480,
    available_until BIGINT NOT NULL DEFAULT 1200,
    pledge_signed_on TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX interpreters_list ON interpreters (name_key, id);

CREATE TABLE interpreter_languages (
    interpreter_id TEXT NOT NULL REFERENCES interpreters (id),
    language TEXT NOT NULL,
    PRIMARY KEY (interpreter_id, language)
);
CREATE INDEX interpreter_languages_language ON interpreter_languages (language, interpreter_id);

CREATE TABLE interpreter_requests (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    requested_by TEXT REFERENCES users (id),
    language TEXT NOT NULL,
    dialect TEXT NOT NULL DEFAULT '',
    on_date TEXT NOT NULL,
    start_minute BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    town_ags TEXT NOT NULL REFERENCES towns (ags),
    setting TEXT NOT NULL,
    occasion TEXT,
    place TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    interpreter_id TEXT REFERENCES interpreters (id),
    assigned_at BIGINT,
    actual_minutes BIGINT,
    travel_km BIGINT,
    allowance_cents BIGINT,
    -- The rates the allowance was computed with (JSON), so a later change of rates does not
    -- change a past statement.
    rates TEXT,
    completed_at BIGINT,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX interpreter_requests_organisation ON interpreter_requests (organisation_id, on_date, id);
CREATE INDEX interpreter_requests_status ON interpreter_requests (status, on_date, id);
CREATE INDEX interpreter_requests_day ON interpreter_requests (on_date, id);
CREATE INDEX interpreter_requests_interpreter ON interpreter_requests (interpreter_id, on_date);
