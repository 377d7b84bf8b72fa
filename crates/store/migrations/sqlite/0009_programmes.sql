-- The KI's programmes (FIT with Griffbereit and Rucksack, Mercator, …): where they run (sites),
-- how many groups and participants per school year or period, which measures they carry.
-- The programmes named in the integration concept are reference data (store/src/reference.rs);
-- more are added in the UI.

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    -- An umbrella programme (FIT for Griffbereit and Rucksack).
    part_of TEXT REFERENCES programmes (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    fictitious BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE programme_partners (
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (programme_id, organisation_id)
);

CREATE TABLE programme_sites (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('kita', 'school', 'family_centre', 'other')),
    town_ags TEXT NOT NULL REFERENCES towns (ags),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX programme_sites_programme ON programme_sites (programme_id);

-- Groups and participants per period ("2025/26", "2026", "2026-1"), per site or for the whole
-- programme (site_id NULL). Counts of people, shown outside case work only with "<5".
CREATE TABLE programme_figures (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    site_id TEXT REFERENCES programme_sites (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    group_count BIGINT NOT NULL CHECK (group_count >= 0),
    participant_count BIGINT NOT NULL CHECK (participant_count >= 0),
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX programme_figures_one ON programme_figures (programme_id, COALESCE(site_id, ''), period);

CREATE TABLE programme_measures (
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    measure_id TEXT NOT NULL REFERENCES measures (id),
    PRIMARY KEY (programme_id, measure_id)
);
