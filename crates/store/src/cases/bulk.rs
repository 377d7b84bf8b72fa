//! Many persons taken in at once: one at the intake form, a case list's lines at an import, a
//! synthetic district for the benchmark. The rows go in with a few bulk statements (see
//! `Conn::insert_json`) instead of several statements per person, which is what makes an
//! import of 100,000 lines take seconds instead of minutes.

use std::collections::HashSet;

use lotse_domain::Date;
use lotse_domain::access::{Action as Act, CaseTies, Relationship};
use lotse_domain::case::{CasePhase, PersonDraft};
use serde::Serialize;
use serde_json::json;

use super::{IntakeDraft, family_key, pseudonym, search_text};
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Tx, new_id, tx};
use crate::scoped::Viewer;
use crate::sort_keys::{case_list_key, person_name_key};
use crate::{Result, StoreError};

/// A person as the row is written; field names are the column names.
#[derive(Serialize)]
pub(crate) struct PersonRow {
    pub id: String,
    pub pseudonym: String,
    pub family_name: String,
    pub given_names: String,
    pub name_key: String,
    pub search_text: String,
    pub family_key: String,
    pub birth_date: Option<Date>,
    pub gender: &'static str,
    pub nationalities: String,
    pub languages: String,
    pub interpreter_needed: bool,
    pub interpreter_language: String,
    pub arrived_in_germany: Option<Date>,
    pub arrived_in_district: Option<Date>,
    pub town_ags: Option<String>,
    pub residence_status: String,
    pub residence_legal_basis: String,
    pub residence_valid_until: Option<Date>,
    pub jurisdiction: &'static str,
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const PERSON_COLUMNS: [&str; 23] = [
    "id",
    "pseudonym",
    "family_name",
    "given_names",
    "name_key",
    "search_text",
    "family_key",
    "birth_date",
    "gender",
    "nationalities",
    "languages",
    "interpreter_needed",
    "interpreter_language",
    "arrived_in_germany",
    "arrived_in_district",
    "town_ags",
    "residence_status",
    "residence_legal_basis",
    "residence_valid_until",
    "jurisdiction",
    "fictitious",
    "created_at",
    "updated_at",
];

impl PersonRow {
    /// The row of a new person, with the keys the lists and the duplicate checks search.
    pub(crate) fn new(pseudonym: String, p: &PersonDraft, fictitious: bool, now: i64) -> Self {
        PersonRow {
            id: new_id(),
            pseudonym,
            name_key: person_name_key(&p.family_name, &p.given_names),
            search_text: search_text(&p.family_name, &p.given_names),
            family_key: family_key(&p.family_name),
            family_name: p.family_name.clone(),
            given_names: p.given_names.clone(),
            birth_date: p.birth_date,
            gender: p.gender.key(),
            nationalities: p.nationalities.join(", "),
            languages: p.languages.join(", "),
            interpreter_needed: p.interpreter_needed,
            interpreter_language: p.interpreter_language.clone(),
            arrived_in_germany: p.arrived_in_germany,
            arrived_in_district: p.arrived_in_district,
            town_ags: p.town.clone(),
            residence_status: p.residence_status.clone(),
            residence_legal_basis: p.residence_legal_basis.clone(),
            residence_valid_until: p.residence_valid_until,
            jurisdiction: p.jurisdiction.key(),
            fictitious,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A case as the row is written.
#[derive(Serialize)]
pub(crate) struct CaseRow {
    pub id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub owner_user_id: String,
    pub deputy_user_id: Option<String>,
    pub phase: &'static str,
    pub access_route: &'static str,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub closure_reason: Option<&'static str>,
    pub goals_reached: Option<&'static str>,
    pub list_key: String,
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(crate) const CASE_COLUMNS: [&str; 15] = [
    "id",
    "person_id",
    "organisation_id",
    "owner_user_id",
    "deputy_user_id",
    "phase",
    "access_route",
    "opened_on",
    "closed_on",
    "closure_reason",
    "goals_reached",
    "list_key",
    "fictitious",
    "created_at",
    "updated_at",
];

impl CaseRow {
    /// A case opened on `opened_on` in the intake phase, assigned to `owner`.
    pub(crate) fn opened(
        person_id: &str,
        owner: &Viewer,
        intake: &IntakeDraft,
        fictitious: bool,
        now: i64,
    ) -> Self {
        CaseRow {
            id: new_id(),
            person_id: person_id.to_owned(),
            organisation_id: owner.organisation_id.clone(),
            owner_user_id: owner.user_id.clone(),
            deputy_user_id: None,
            phase: CasePhase::Intake.key(),
            access_route: intake.access_route.key(),
            opened_on: intake.opened_on,
            closed_on: None,
            closure_reason: None,
            goals_reached: None,
            list_key: case_list_key(false, intake.opened_on),
            fictitious,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A change of phase as the row is written.
#[derive(Serialize)]
pub(crate) struct PhaseChangeRow {
    pub id: String,
    pub case_id: String,
    pub from_phase: Option<&'static str>,
    pub to_phase: &'static str,
    pub changed_on: Date,
    pub changed_by: Option<String>,
    pub changed_at: i64,
}

pub(crate) const PHASE_CHANGE_COLUMNS: [&str; 7] = [
    "id",
    "case_id",
    "from_phase",
    "to_phase",
    "changed_on",
    "changed_by",
    "changed_at",
];

/// `n` pseudonyms that no recorded person carries and that differ from each other. Drawn at
/// random (a pseudonym must not be guessable); at a million persons a draw meets an existing
/// one about once in a million, so the rare collision is drawn again instead of failing the
/// whole intake or import.
pub(crate) async fn fresh_pseudonyms(tx: &mut Tx, n: usize) -> Result<Vec<String>> {
    let mut drawn: Vec<String> = Vec::with_capacity(n);
    let mut seen = HashSet::with_capacity(n);
    while drawn.len() < n {
        let p = pseudonym()?;
        if seen.insert(p.clone()) {
            drawn.push(p);
        }
    }
    let sql = format!(
        "SELECT pseudonym FROM persons WHERE pseudonym IN {}",
        crate::db::ids_in(tx)
    );
    // Only what was drawn since the last look is asked about again.
    let mut unchecked: Vec<usize> = (0..n).collect();
    while !unchecked.is_empty() {
        let mut taken: HashSet<String> = HashSet::new();
        for chunk in unchecked.chunks(5_000) {
            let codes: Vec<&str> = chunk.iter().map(|&i| drawn[i].as_str()).collect();
            let list = serde_json::to_string(&codes)
                .map_err(|e| StoreError::Config(format!("pseudonyms: {e}")))?;
            let found: Vec<String> = tx!(&mut *tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(list)
            .fetch_all(c)
            .await)?;
            taken.extend(found);
        }
        unchecked.retain(|&i| taken.contains(&drawn[i]));
        for &i in &unchecked {
            loop {
                let p = pseudonym()?;
                if seen.insert(p.clone()) {
                    drawn[i] = p;
                    break;
                }
            }
        }
    }
    Ok(drawn)
}

/// Opens a case for each new person, assigned to the viewer (a case manager: the access table
/// decides, for the relationship the cases will have). Returns the case ids in the order of
/// `intakes`. Each person and case gets its audit event, as at the form.
pub async fn intake_many(
    tx: &mut Tx,
    viewer: &Viewer,
    intakes: &[(&PersonDraft, &IntakeDraft)],
    fictitious: bool,
    now: i64,
) -> Result<Vec<String>> {
    if !viewer
        .decide_case(
            CaseTies::only(Relationship::AssignedCaseManager),
            Act::Change,
        )
        .allows()
    {
        return Err(StoreError::field(
            "family_name",
            "Fälle legen Fallmanagerinnen und Fallmanager an.",
        ));
    }
    if intakes.is_empty() {
        return Ok(Vec::new());
    }
    let pseudonyms = fresh_pseudonyms(tx, intakes.len()).await?;
    let persons: Vec<PersonRow> = intakes
        .iter()
        .zip(pseudonyms)
        .map(|((p, _), pseudonym)| PersonRow::new(pseudonym, p, fictitious, now))
        .collect();
    match tx.insert_json("persons", &PERSON_COLUMNS, &persons).await {
        Err(StoreError::Database(e)) if crate::db::is_foreign_key_violation(&e) => {
            return Err(StoreError::field(
                "town",
                "Diese Stadt oder Gemeinde gibt es nicht.",
            ));
        }
        other => other?,
    };
    let cases: Vec<CaseRow> = persons
        .iter()
        .zip(intakes)
        .map(|(p, (_, intake))| CaseRow::opened(&p.id, viewer, intake, fictitious, now))
        .collect();
    tx.insert_json("cases", &CASE_COLUMNS, &cases).await?;
    let actor = &Actor::from(viewer);
    let changes: Vec<PhaseChangeRow> = cases
        .iter()
        .map(|c| PhaseChangeRow {
            id: new_id(),
            case_id: c.id.clone(),
            from_phase: None,
            to_phase: c.phase,
            changed_on: c.opened_on,
            changed_by: actor.user_id.clone(),
            changed_at: now,
        })
        .collect();
    tx.insert_json("case_phase_changes", &PHASE_CHANGE_COLUMNS, &changes)
        .await?;
    // The events name what was recorded, not the personal values (admins read the audit log);
    // not the pseudonym either: the log outlives an anonymisation, which draws a new one.
    for (person, case) in persons.iter().zip(&cases) {
        tx.record(
            Event::new(actor, now, Entity::Person, Action::Create, &person.id)
                .with(json!({ "person": "created" })),
        );
        tx.record(
            Event::new(actor, now, Entity::Case, Action::Create, &case.id).with(json!({
                "person_id": person.id, "phase": case.phase, "access_route": case.access_route,
            })),
        );
    }
    Ok(cases.into_iter().map(|c| c.id).collect())
}
