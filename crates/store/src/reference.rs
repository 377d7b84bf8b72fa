//! Reference data: facts that every deployment for Kreis Warendorf starts with (the 13 towns and
//! their official keys) and the starting vocabularies (kinds of organisation). Loaded at every start;
//! existing rows are left as they are, so admins' later edits survive upgrades.

use lotse_domain::Ags;
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, read, tx};
use crate::{Result, StoreError, now_ms};

/// The towns of Kreis Warendorf (from ../shared/reference/kreis-warendorf/towns.csv).
const TOWNS_CSV: &str = include_str!("../reference/towns.csv");

/// Kinds of organisation: (key, German label). Keys are stable; labels may be edited later.
pub const ORGANISATION_KINDS: &[(&str, &str)] = &[
    ("district_administration", "Kreisverwaltung"),
    ("integration_centre", "Kommunales Integrationszentrum / KIM"),
    ("municipality", "Stadt- oder Gemeindeverwaltung"),
    ("immigration_office", "Ausländerbehörde"),
    ("job_centre", "Jobcenter"),
    ("employment_agency", "Agentur für Arbeit"),
    ("school_authority", "Schulamt"),
    ("school", "Schule"),
    ("day_care", "Kindertageseinrichtung"),
    ("welfare_association", "Wohlfahrtsverband"),
    ("integration_agency", "Integrationsagentur"),
    ("migrant_organisation", "Migrantenorganisation"),
    ("education_provider", "Bildungsträger"),
    ("other", "Sonstige"),
];

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Town {
    pub ags: String,
    pub name: String,
    pub kind: String,
    pub first_counselling_site: bool,
}

fn parse_towns() -> Result<Vec<Town>> {
    let mut towns = Vec::new();
    for (i, line) in TOWNS_CSV.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = || StoreError::Config(format!("towns.csv line {}: '{line}'", i + 1));
        let [ags, name, kind, site] = fields.as_slice() else {
            return Err(bad());
        };
        ags.parse::<Ags>().map_err(|_| bad())?;
        towns.push(Town {
            ags: (*ags).to_owned(),
            name: (*name).to_owned(),
            kind: (*kind).to_owned(),
            first_counselling_site: *site == "yes",
        });
    }
    Ok(towns)
}

/// The KI's programmes named in the issue and the concept: (id, name, description, umbrella).
/// Fixed ids, so the umbrella can be named and a second start adds nothing.
const PROGRAMMES: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "485fea7c-eb61-46fe-bfdc-6e001ac9f024",
        "FIT – Frühkindliches Integrationstraining",
        "Dach der Elternbildungsprogramme Griffbereit und Rucksack: Eltern stärken die Familiensprache und lernen Deutsch, gemeinsam mit Kita und Schule.",
        None,
    ),
    (
        "5c578973-2319-4da1-a37c-55502705461c",
        "Griffbereit",
        "Eltern-Kind-Gruppen für die Jüngsten (bis drei Jahre), geleitet von Elternbegleiterinnen, in der Familiensprache und auf Deutsch.",
        Some("485fea7c-eb61-46fe-bfdc-6e001ac9f024"),
    ),
    (
        "87afa387-308d-49b2-8e53-7573d6b1c9a0",
        "Rucksack-KiTa",
        "Elternbildungsprogramm in Kindertageseinrichtungen: Eltern begleiten die Sprachentwicklung ihrer Kinder, abgestimmt mit der Kita.",
        Some("485fea7c-eb61-46fe-bfdc-6e001ac9f024"),
    ),
    (
        "c4bdbafb-4a5b-4218-920b-b339e5ff5fae",
        "Rucksack Schule",
        "Elternbildungsprogramm in der Grundschule, abgestimmt mit dem Unterricht.",
        Some("485fea7c-eb61-46fe-bfdc-6e001ac9f024"),
    ),
    (
        "4a5255cc-8015-4a2d-b447-d8d016e7a15d",
        "Mercator-Projekt",
        "Sprachförderung für Schülerinnen und Schüler mit Zuwanderungsgeschichte.",
        None,
    ),
    (
        "99abdaa1-69ba-4b50-bdde-aacbdb8b32f1",
        "Sprachhelfer-Projekt",
        "Ehrenamtliche unterstützen Kinder beim Deutschlernen.",
        None,
    ),
    (
        "77fc9a7c-5e55-4eec-a3f2-7f5fb0d2b5f5",
        "Patenprojekt Übergang Schule–Beruf",
        "Mentoring für Jugendliche am Übergang von der Schule in Ausbildung und Beruf.",
        None,
    ),
    (
        "fa0fdfa3-4ee1-415c-8c50-563035b123fe",
        "Schule ohne Rassismus – Schule mit Courage",
        "Regionalkoordination des Schulnetzwerks im Kreis Warendorf.",
        None,
    ),
];

/// The state funding programmes the issue names: (id, name, funder, what it funds).
const FUNDING_PROGRAMMES: &[(&str, &str, &str, &str)] = &[
    (
        "9d94421f-d7c0-48a2-b6d2-598b72aa3586",
        "KOMM-AN NRW",
        "Land NRW (MKJFGFI)",
        "Ankommenstreffpunkte, Orientierung und Begleitung, Information, Qualifizierung Ehrenamtlicher, Integrationsagenturen.",
    ),
    (
        "c0a7ee9e-bfa1-418e-a42d-1b62fae747e0",
        "Integrationschancen für Kinder und Familien (IfKuF)",
        "Land NRW (MKJFGFI)",
        "Gruppen griffbereitMINI, Griffbereit, Rucksack KiTa; Qualifizierung der Elternbegleiterinnen.",
    ),
    (
        "a5c39532-305d-48cb-847c-acf4fccad413",
        "Sprachmittlerpool",
        "Land NRW (MKJFGFI)",
        "Niedrigschwellige Sprachmittlung ohne Rechtsfolgen.",
    ),
    (
        "5d0f79e0-2e94-4d4a-92d6-d7cb97ec5d30",
        "Zuwanderung aus Südosteuropa",
        "Land NRW (MKJFGFI)",
        "Kommunen mit hoher Zuwanderung aus südosteuropäischen EU-Staaten.",
    ),
    (
        "b78b11e9-7a47-415d-8ccf-a5a044df58aa",
        "Durchstarten in Ausbildung und Arbeit",
        "Land NRW (MKJFGFI)",
        "Junge Menschen von 18 bis 27 mit Duldung oder Gestattung: Coaching, Qualifizierung, Schulabschlüsse, Teilhabemanagement.",
    ),
    (
        "2a2cbc82-6bf3-4671-ac94-f9c118da54c4",
        "Kommunales Integrationsmanagement (KIM)",
        "Land NRW (MKJFGFI)",
        "Koordinierungsstellen, Case-Management-Stellen, Stellen in Ausländer- und Einbürgerungsbehörden.",
    ),
];

/// Inserts missing reference rows; returns how many were added.
pub async fn load(db: &Db) -> Result<u64> {
    let towns = parse_towns()?;
    let mut tx = db.begin().await?;
    let mut added = 0;
    tx!(&mut tx, |c| {
        for t in &towns {
            added += sqlx::query(
                "INSERT INTO towns (ags, name, kind, first_counselling_site) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (ags) DO NOTHING",
            )
            .bind(&t.ags)
            .bind(&t.name)
            .bind(&t.kind)
            .bind(t.first_counselling_site)
            .execute(&mut *c)
            .await?
            .rows_affected();
        }
        for (i, (key, label)) in ORGANISATION_KINDS.iter().enumerate() {
            added += sqlx::query(
                "INSERT INTO organisation_kinds (key, label, sort_order) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(*key)
            .bind(*label)
            .bind(i as i64)
            .execute(&mut *c)
            .await?
            .rows_affected();
        }
        for (id, name, funder, description) in FUNDING_PROGRAMMES {
            added += sqlx::query(
                "INSERT INTO funding_programmes (id, name, funder, description, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
            )
            .bind(*id)
            .bind(*name)
            .bind(*funder)
            .bind(*description)
            .bind(now_ms())
            .execute(&mut *c)
            .await?
            .rows_affected();
        }
        // Umbrellas first (they come first in the list), so their parts can refer to them.
        for (id, name, description, part_of) in PROGRAMMES {
            added += sqlx::query(
                "INSERT INTO programmes (id, name, description, part_of, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING",
            )
            .bind(*id)
            .bind(*name)
            .bind(*description)
            .bind(*part_of)
            .bind(now_ms())
            .execute(&mut *c)
            .await?
            .rows_affected();
        }
    });
    added += crate::finder_concepts::load_shipped(&mut tx, now_ms()).await?;
    if added > 0 {
        tx.record(
            Event::new(
                &Actor::system("reference"),
                now_ms(),
                Entity::ReferenceData,
                Action::Load,
                "kreis-warendorf",
            )
            .with(json!({ "rows_added": added })),
        );
    } else {
        tx.nothing_changed();
    }
    tx.commit().await?;
    Ok(added)
}

pub async fn towns(db: &Db) -> Result<Vec<Town>> {
    let mut towns: Vec<Town> = read!(db, |c| {
        sqlx::query_as("SELECT ags, name, kind, first_counselling_site FROM towns")
            .fetch_all(c)
            .await
    })?;
    towns.sort_by_cached_key(|t| lotse_domain::collation::sort_key(&t.name));
    Ok(towns)
}

/// (AGS, name) of every town, by name: what pick lists and lookups need.
pub async fn town_names(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(towns(db)
        .await?
        .into_iter()
        .map(|t| (t.ags, t.name))
        .collect())
}

/// (key, label) of every organisation kind, in display order.
pub async fn organisation_kinds(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT key, label FROM organisation_kinds ORDER BY sort_order, label")
            .fetch_all(c)
            .await
    })?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_town_list_has_thirteen_towns() {
        let towns = super::parse_towns().expect("towns.csv parses");
        assert_eq!(towns.len(), 13);
        assert_eq!(towns.iter().filter(|t| t.first_counselling_site).count(), 3);
    }
}
