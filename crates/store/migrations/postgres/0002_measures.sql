-- Integration concepts, their fields of action and measures, with status history and indicators.

CREATE TABLE concepts (
    id TEXT PRIMARY KEY,
    short_name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    adopted_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE fields_of_action (
    id TEXT PRIMARY KEY,
    concept_id TEXT NOT NULL REFERENCES concepts (id),
    name TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    UNIQUE (concept_id, name)
);

CREATE TABLE measures (
    id TEXT PRIMARY KEY,
    concept_id TEXT NOT NULL REFERENCES concepts (id),
    field_of_action_id TEXT REFERENCES fields_of_action (id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    lead_organisation_id TEXT REFERENCES organisations (id),
    ki_involvement TEXT NOT NULL CHECK (ki_involvement IN ('lead', 'involved', 'none')),
    target_group TEXT NOT NULL DEFAULT '',
    planned_start TEXT,
    planned_end TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'established', 'completed', 'on_hold', 'dropped')),
    tags TEXT NOT NULL DEFAULT '',
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (concept_id, code)
);
CREATE INDEX measures_lead ON measures (lead_organisation_id);
CREATE INDEX measures_field ON measures (field_of_action_id);

CREATE TABLE measure_partners (
    measure_id TEXT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (measure_id, organisation_id)
);

-- No rows means: the measure concerns all towns of the district.
CREATE TABLE measure_towns (
    measure_id TEXT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    town_ags TEXT NOT NULL REFERENCES towns (ags),
    PRIMARY KEY (measure_id, town_ags)
);

CREATE TABLE measure_status_changes (
    id TEXT PRIMARY KEY,
    measure_id TEXT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX measure_status_changes_measure ON measure_status_changes (measure_id, at);

CREATE TABLE measure_indicators (
    id TEXT PRIMARY KEY,
    measure_id TEXT NOT NULL REFERENCES measures (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    target DOUBLE PRECISION,
    created_at BIGINT NOT NULL
);
CREATE INDEX measure_indicators_measure ON measure_indicators (measure_id);

CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY,
    indicator_id TEXT NOT NULL REFERENCES measure_indicators (id) ON DELETE CASCADE,
    as_of TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    recorded_at BIGINT NOT NULL,
    UNIQUE (indicator_id, as_of)
);
