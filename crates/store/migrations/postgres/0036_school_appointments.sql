-- Appointments of the first school counselling (decision 0018): per family, at a site, with a
-- counsellor, optionally with an interpreter asked from the pool. `sequence` counts the changes
-- the family's calendar has been told of (iCalendar SEQUENCE).
CREATE TABLE school_appointments (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES school_registrations (id),
    site_ags TEXT NOT NULL REFERENCES towns (ags),
    counsellor_user_id TEXT REFERENCES users (id),
    on_date TEXT NOT NULL,
    start_minute BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    place TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'held', 'missed', 'cancelled')),
    interpreter_request_id TEXT REFERENCES interpreter_requests (id),
    sequence BIGINT NOT NULL DEFAULT 0,
    reminded_at BIGINT,
    booked_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX school_appointments_registration ON school_appointments (registration_id, on_date);
CREATE INDEX school_appointments_counsellor ON school_appointments (counsellor_user_id, on_date);
CREATE INDEX school_appointments_day ON school_appointments (status, on_date);
