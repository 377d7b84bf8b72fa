//! Importing a measure catalogue into a concept. Every row is checked first; lead and partner
//! organisations and fields of action are matched by name (case and surrounding space ignored) or
//! created; nothing is written if a row is wrong, unless only the valid rows are wanted.

use std::collections::HashMap;

use lotse_domain::measure::{KiInvolvement, MeasureDraft};
use lotse_domain::measure_import::{ImportRow, parse_catalogue_date, parse_catalogue_status};
use lotse_domain::organisation::OrganisationDraft;
use lotse_domain::validation::{Lines, forbidden_character, forbidden_character_message};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx};
use crate::organisations::ImportMode;
use crate::{Result, measures};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    pub line: usize,
    /// The German column name, as in the file's header.
    pub column: &'static str,
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Zeile {}, Spalte {}: {}",
            self.line, self.column, self.message
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogueReport {
    pub rows: usize,
    pub created: usize,
    pub organisations_created: usize,
    pub fields_created: usize,
    pub errors: Vec<CellError>,
}

/// From how many new rows an import counts as a bulk write (see [`Db::refresh_statistics`]).
const BULK: usize = 1_000;

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub async fn import(
    db: &Db,
    actor: &Actor,
    concept_id: &str,
    rows: &[ImportRow],
    mode: ImportMode,
    now: i64,
) -> Result<CatalogueReport> {
    measures::concept(db, concept_id).await?;
    let existing: std::collections::HashSet<String> = measures::codes(db, concept_id)
        .await?
        .iter()
        .map(|c| key(c))
        .collect();
    let mut report = CatalogueReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut valid: Vec<(&ImportRow, MeasureDraft)> = Vec::new();
    for row in rows {
        let mut errors = Vec::new();
        let mut err = |column: &'static str, message: String| {
            errors.push(CellError {
                line: row.line,
                column,
                message,
            })
        };
        if row.code.is_empty() {
            err(
                "Nr.",
                "Pflichtfeld: jede Maßnahme braucht eine Nummer.".into(),
            );
        } else if existing.contains(&key(&row.code)) {
            err(
                "Nr.",
                format!("Die Nr. „{}“ gibt es in diesem Konzept schon.", row.code),
            );
        } else if let Some(first) = seen.get(&key(&row.code)) {
            err("Nr.", format!("Dieselbe Nr. steht schon in Zeile {first}."));
        }
        if row.title.is_empty() {
            err("Maßnahme", "Pflichtfeld: bitte einen Titel angeben.".into());
        }
        // The same limits and character rule as the measure form, so that an imported measure
        // can be edited, reported (DOCX, PDF) and copied to PostgreSQL like a typed one.
        let partners = row
            .partners
            .iter()
            .map(|p| ("Partner", p.as_str(), 200, Lines::One));
        for (column, value, max, lines) in [
            ("Nr.", row.code.as_str(), 30, Lines::One),
            ("Maßnahme", &row.title, 300, Lines::One),
            ("Beschreibung", &row.description, 10_000, Lines::Many),
            ("Handlungsfeld", &row.field, 200, Lines::One),
            ("Federführung", &row.lead, 200, Lines::One),
            ("Zielgruppe", &row.target_group, 300, Lines::One),
            ("Sachstand", &row.status, 100, Lines::One),
            ("Beginn", &row.start, 100, Lines::One),
            ("Ende", &row.end, 100, Lines::One),
        ]
        .into_iter()
        .chain(partners)
        {
            if value.chars().count() > max {
                err(column, format!("Höchstens {max} Zeichen."));
            } else if let Some(found) = forbidden_character(value, lines) {
                err(column, forbidden_character_message(found));
            }
        }
        let status = parse_catalogue_status(&row.status);
        if status.is_none() {
            err(
                "Sachstand",
                format!(
                    "Unbekannter Sachstand „{}“. Erlaubt: geplant, in Umsetzung, umgesetzt/verstetigt, abgeschlossen, zurückgestellt, entfallen.",
                    row.status
                ),
            );
        }
        let mut date = |column: &'static str, text: &str| {
            if text.trim().is_empty() {
                return None;
            }
            let d = parse_catalogue_date(text);
            if d.is_none() {
                err(
                    column,
                    format!("„{text}“ ist kein Datum (TT.MM.JJJJ, MM/JJJJ oder JJJJ)."),
                );
            }
            d
        };
        let start = date("Beginn", &row.start);
        let end = date("Ende", &row.end);
        if errors.is_empty() {
            seen.insert(key(&row.code), row.line);
            valid.push((
                row,
                MeasureDraft {
                    concept_id: concept_id.into(),
                    code: row.code.clone(),
                    title: row.title.clone(),
                    description: row.description.clone(),
                    field_of_action_id: None,
                    lead_organisation_id: None,
                    partner_ids: Vec::new(),
                    ki_involvement: KiInvolvement::None,
                    target_group: row.target_group.clone(),
                    towns: Vec::new(),
                    planned_start: start,
                    planned_end: end,
                    status: status.unwrap_or(lotse_domain::measure::MeasureStatus::Planned),
                    tags: Vec::new(),
                },
            ));
        } else {
            report.errors.extend(errors);
        }
    }
    if !report.errors.is_empty() && mode == ImportMode::AllOrNothing {
        return Ok(report);
    }

    let mut organisations: HashMap<String, String> = crate::organisations::list(db, true)
        .await?
        .into_iter()
        .map(|o| (key(&o.name), o.id))
        .collect();
    let mut fields: HashMap<String, String> = measures::fields_of_action(db)
        .await?
        .into_iter()
        .filter(|f| f.concept_id == concept_id)
        .map(|f| (key(&f.name), f.id))
        .collect();
    let mut tx = db.begin().await?;
    let mut drafts = Vec::with_capacity(valid.len());
    for (row, mut draft) in valid {
        if !row.field.is_empty() {
            draft.field_of_action_id = Some(match fields.get(&key(&row.field)) {
                Some(id) => id.clone(),
                None => {
                    let id =
                        measures::add_field_of_action(&mut tx, actor, concept_id, &row.field, now)
                            .await?;
                    fields.insert(key(&row.field), id.clone());
                    report.fields_created += 1;
                    id
                }
            });
        }
        if !row.lead.is_empty() {
            draft.lead_organisation_id = Some(
                organisation(
                    &mut tx,
                    actor,
                    &mut organisations,
                    &row.lead,
                    &mut report,
                    now,
                )
                .await?,
            );
        }
        for partner in &row.partners {
            let id = organisation(
                &mut tx,
                actor,
                &mut organisations,
                partner,
                &mut report,
                now,
            )
            .await?;
            if !draft.partner_ids.contains(&id) {
                draft.partner_ids.push(id);
            }
        }
        drafts.push(draft);
    }
    report.created = measures::create_many(&mut tx, actor, &drafts, false, now)
        .await?
        .len();
    tx.record(Event::new(actor, now, Entity::Measure, Action::Import, concept_id).with(json!({ "rows": report.rows, "created": report.created, "rejected": report.errors.len() })));
    tx.commit().await?;
    if report.created >= BULK {
        db.refresh_statistics(&[
            "measures",
            "measure_partners",
            "measure_towns",
            "measure_status_changes",
        ])
        .await?;
    }
    Ok(report)
}

/// The id of the organisation with this name, created (kind "other") if there is none yet.
async fn organisation(
    tx: &mut Tx,
    actor: &Actor,
    known: &mut HashMap<String, String>,
    name: &str,
    report: &mut CatalogueReport,
    now: i64,
) -> Result<String> {
    if let Some(id) = known.get(&key(name)) {
        return Ok(id.clone());
    }
    let draft = OrganisationDraft {
        name: name.trim().to_owned(),
        kind: "other".into(),
        town_ags: None,
        street: String::new(),
        postcode: String::new(),
        city: String::new(),
        email: String::new(),
        phone: String::new(),
        website: String::new(),
    };
    let id = crate::organisations::create(tx, actor, &draft, false, now).await?;
    known.insert(key(name), id.clone());
    report.organisations_created += 1;
    Ok(id)
}
