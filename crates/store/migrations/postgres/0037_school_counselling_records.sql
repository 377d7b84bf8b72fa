-- The counselling record per child (decision 0018), after the family's consent. The consent is
-- kept where every consent of the district is kept: `consents` now holds either a person's
-- (case management) or a school child's, never both.
ALTER TABLE consents ALTER COLUMN person_id DROP NOT NULL;
ALTER TABLE consents ADD COLUMN school_child_id TEXT REFERENCES school_children (id);
ALTER TABLE consents DROP CONSTRAINT consents_purpose_check;
ALTER TABLE consents ADD CONSTRAINT consents_purpose_check
    CHECK (purpose IN ('case_management', 'release', 'case_conference', 'school_counselling'));
ALTER TABLE consents ADD CONSTRAINT consents_subject_check
    CHECK ((person_id IS NULL) <> (school_child_id IS NULL));
ALTER TABLE consents ADD CONSTRAINT consents_school_purpose_check
    CHECK ((purpose = 'school_counselling') = (school_child_id IS NOT NULL));
CREATE INDEX consents_school_child ON consents (school_child_id);

-- What the counselling found and recommends, one record per child.
CREATE TABLE school_counselling_records (
    child_id TEXT PRIMARY KEY REFERENCES school_children (id),
    consent_id TEXT NOT NULL REFERENCES consents (id),
    counselled_on TEXT NOT NULL,
    prior_schooling TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    literate BOOLEAN NOT NULL DEFAULT TRUE,
    german_level TEXT NOT NULL,
    maths_level TEXT NOT NULL,
    interests TEXT NOT NULL DEFAULT '',
    recommended_form TEXT NOT NULL,
    recommended_year BIGINT,
    recommended_school TEXT NOT NULL DEFAULT '',
    support_needs TEXT NOT NULL DEFAULT '',
    interpreter_used BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
