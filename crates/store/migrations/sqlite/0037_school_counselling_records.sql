-- The counselling record per child (decision 0018), after the family's consent. The consent is
-- kept where every consent of the district is kept: `consents` now holds either a person's
-- (case management) or a school child's, never both. SQLite cannot alter the NOT NULL and the
-- CHECK, so the table is rebuilt (nothing references it).
CREATE TABLE consents_next (
    id TEXT PRIMARY KEY,
    person_id TEXT REFERENCES persons (id),
    case_id TEXT REFERENCES cases (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('case_management', 'release', 'case_conference', 'school_counselling')),
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
    -- Last, as PostgreSQL's ADD COLUMN puts it: both keep the same column order.
    school_child_id TEXT REFERENCES school_children (id),
    CHECK (purpose <> 'release' OR organisation_id IS NOT NULL),
    CHECK ((person_id IS NULL) <> (school_child_id IS NULL)),
    CHECK ((purpose = 'school_counselling') = (school_child_id IS NOT NULL))
);
INSERT INTO consents_next (id, person_id, case_id, purpose, organisation_id, given_on, form,
    witness, valid_until, covers_identity, covers_residence, covers_plan, covers_assessment,
    revoked_on, recorded_by, created_at, updated_at)
SELECT id, person_id, case_id, purpose, organisation_id, given_on, form, witness, valid_until,
    covers_identity, covers_residence, covers_plan, covers_assessment, revoked_on, recorded_by,
    created_at, updated_at FROM consents;
DROP TABLE consents;
ALTER TABLE consents_next RENAME TO consents;
CREATE INDEX consents_person ON consents (person_id, purpose);
CREATE INDEX consents_release ON consents (organisation_id, purpose, person_id);
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
    recommended_year INTEGER,
    recommended_school TEXT NOT NULL DEFAULT '',
    support_needs TEXT NOT NULL DEFAULT '',
    interpreter_used BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
