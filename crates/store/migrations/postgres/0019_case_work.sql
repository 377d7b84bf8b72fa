-- KIM case work (decision 0012, slices 4 and 5): what a case manager records while working on a
-- case. Every row hangs off a case, so the case's scope decides who reads it; every row is
-- personal data and read through the case store only.

-- The closure's second question: how far the goals were reached.
ALTER TABLE cases ADD COLUMN goals_reached TEXT CHECK (goals_reached IN ('all', 'partly', 'none'));

-- Assessment per life domain; a case keeps every assessment, the newest per domain is current.
CREATE TABLE case_assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    life_domain TEXT NOT NULL CHECK (life_domain IN ('language', 'residence', 'work', 'education', 'housing', 'health', 'family', 'finances', 'participation')),
    need_level TEXT NOT NULL CHECK (need_level IN ('none', 'low', 'medium', 'high')),
    situation TEXT NOT NULL DEFAULT '',
    assessed_on TEXT NOT NULL,
    assessed_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_assessments_case ON case_assessments (case_id, life_domain, assessed_on);

-- The plan: goals with a target day, the organisation responsible and their state.
CREATE TABLE case_goals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    life_domain TEXT NOT NULL CHECK (life_domain IN ('language', 'residence', 'work', 'education', 'housing', 'health', 'family', 'finances', 'participation')),
    description TEXT NOT NULL,
    target_on TEXT,
    organisation_id TEXT REFERENCES organisations (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'reached', 'partly_reached', 'not_reached', 'dropped')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_goals_case ON case_goals (case_id, status);

-- Referrals to an offer of the directory or to an organisation, with their dates and outcome.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    life_domain TEXT NOT NULL CHECK (life_domain IN ('language', 'residence', 'work', 'education', 'housing', 'health', 'family', 'finances', 'participation')),
    offer_id TEXT REFERENCES offers (id),
    organisation_id TEXT REFERENCES organisations (id),
    requested_on TEXT NOT NULL,
    first_contact_on TEXT,
    started_on TEXT,
    outcome TEXT CHECK (outcome IN ('placed', 'waiting_list', 'declined', 'not_attended', 'no_suitable_offer')),
    unmet_reason TEXT CHECK (unmet_reason IN ('no_offer', 'no_capacity', 'language', 'distance', 'no_childcare', 'eligibility', 'cost', 'schedule')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX referrals_case ON referrals (case_id, requested_on);
CREATE INDEX referrals_requested ON referrals (requested_on);

-- Hand-offs between authorities as typed steps. The target is copied at creation (a later
-- change of the type's target does not move old deadlines) and `due_on` kept beside it, so that
-- the monitor finds the overdue ones with an index instead of date arithmetic per row.
CREATE TABLE handoffs (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    handoff_type TEXT NOT NULL CHECK (handoff_type IN ('recognition_to_jobcenter', 'jobcenter_application_to_payment', 'residence_permit', 'integration_course', 'school_placement', 'kita_place', 'qualification_recognition', 'benefits_transfer')),
    started_on TEXT NOT NULL,
    target_days BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    completed_on TEXT,
    -- The day the monitor job last told the case manager about it (each hand-off once).
    reminded_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX handoffs_case ON handoffs (case_id, started_on);
CREATE INDEX handoffs_open ON handoffs (completed_on, due_on);
CREATE INDEX handoffs_type ON handoffs (handoff_type, started_on);

-- Contacts with the person.
CREATE TABLE case_contacts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    contact_on TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes >= 0),
    channel TEXT NOT NULL CHECK (channel IN ('in_person', 'phone', 'video', 'message', 'home_visit')),
    interpreter BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts (case_id, contact_on);

-- Follow-ups: what is due on which day; the open ones are on the start page.
CREATE TABLE case_follow_ups (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    due_on TEXT NOT NULL,
    subject TEXT NOT NULL,
    done_on TEXT,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_follow_ups_case ON case_follow_ups (case_id, due_on);
CREATE INDEX case_follow_ups_open ON case_follow_ups (done_on, due_on);
