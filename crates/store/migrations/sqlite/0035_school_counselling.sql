-- The KI's first school counselling (decision 0018): who counsels at which site, the families
-- registered, their children, and each child's steps with the day they happened (the waiting
-- times are counted from these days).
CREATE TABLE counselling_site_counsellors (
    site_ags TEXT NOT NULL REFERENCES towns (ags),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (site_ags, user_id)
);
CREATE INDEX counselling_site_counsellors_user ON counselling_site_counsellors (user_id);

CREATE TABLE school_registrations (
    id TEXT PRIMARY KEY,
    site_ags TEXT NOT NULL REFERENCES towns (ags),
    town_ags TEXT NOT NULL REFERENCES towns (ags),
    guardian_name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE,
    arrival_date TEXT,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- 'pending': the family sent it through the public form; the KI has not reviewed it yet.
    review TEXT NOT NULL CHECK (review IN ('pending', 'accepted')),
    -- The language of the public form the family used.
    locale TEXT NOT NULL DEFAULT 'de',
    registered_by TEXT REFERENCES users (id),
    registered_on TEXT NOT NULL,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when the retention period after the last child's end blanked the family's names.
    anonymised_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX school_registrations_site ON school_registrations (site_ags, registered_on, id);
CREATE INDEX school_registrations_review ON school_registrations (review, created_at);

CREATE TABLE school_children (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES school_registrations (id),
    position INTEGER NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    schooling_years INTEGER,
    status TEXT NOT NULL,
    -- The day of the last step, which the current status stands on.
    status_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX school_children_registration ON school_children (registration_id, position);
CREATE INDEX school_children_status ON school_children (status, status_on);

CREATE TABLE school_child_steps (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES school_children (id),
    status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT REFERENCES users (id)
);
CREATE INDEX school_child_steps_child ON school_child_steps (child_id, recorded_at);
