//! Households (decision 0012, slice 2): persons who live together, so that a case shows who
//! else the case management knows in the same household. A household is a label ("Familie H.")
//! and its members; who the members are is shown only as far as the viewer sees their cases,
//! the rest is a count.

use lotse_domain::access::Action as Act;
use serde_json::json;

use super::{CaseRecord, Cases, case_event, lock};
use crate::db::{Tx, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError};

/// What the household form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HouseholdChoice {
    /// A new household of this person alone, with a label.
    New(String),
    /// The household of the person of another case the viewer may change (created for both
    /// if that person has none yet).
    Join(String),
    /// The person no longer belongs to a household.
    Leave,
}

/// The most characters a household's label has.
const LABEL_MAX: usize = 100;

fn check_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() {
        return Err(StoreError::field(
            "household_label",
            "Bitte eine Bezeichnung angeben, z. B. „Familie H.“.",
        ));
    }
    if label.chars().count() > LABEL_MAX || label.chars().any(char::is_control) {
        return Err(StoreError::field(
            "household_label",
            format!("Höchstens {LABEL_MAX} Zeichen, ohne Steuerzeichen."),
        ));
    }
    Ok(label.to_owned())
}

async fn create_household(tx: &mut Tx, label: &str, now: i64) -> Result<String> {
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO households (id, label, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(label)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

async fn place(tx: &mut Tx, person: &str, household: Option<&str>, now: i64) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE persons SET household_id = $2, updated_at = $3 WHERE id = $1")
            .bind(person)
            .bind(household)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Sets the household of the case's person (whoever may change the case; for `Join`, also the
/// other case). Returns the household's id, if the person has one afterwards.
pub async fn set_household(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    choice: &HouseholdChoice,
    now: i64,
) -> Result<Option<String>> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let household = match choice {
        HouseholdChoice::New(label) => {
            let label = check_label(label)?;
            Some(create_household(tx, &label, now).await?)
        }
        HouseholdChoice::Join(other_case) => {
            if other_case == case_id {
                return Err(StoreError::field(
                    "household_case",
                    "Bitte einen anderen Fall wählen.",
                ));
            }
            let other = match lock(tx, viewer, other_case, Act::Change, now).await {
                Ok(f) => f,
                Err(StoreError::NotFound) => {
                    return Err(StoreError::field(
                        "household_case",
                        "Diesen Fall gibt es nicht oder Sie bearbeiten ihn nicht.",
                    ));
                }
                Err(e) => return Err(e),
            };
            let existing: Option<Option<String>> = tx!(&mut *tx, |c| {
                sqlx::query_scalar("SELECT household_id FROM persons WHERE id = $1")
                    .bind(&other.person_id)
                    .fetch_optional(c)
                    .await
            })?;
            match existing.flatten() {
                Some(h) => Some(h),
                None => {
                    let h = create_household(tx, "Haushalt", now).await?;
                    place(tx, &other.person_id, Some(&h), now).await?;
                    Some(h)
                }
            }
        }
        HouseholdChoice::Leave => None,
    };
    place(tx, &facts.person_id, household.as_deref(), now).await?;
    // The label may name the family: the event names the household by id only.
    case_event(tx, viewer, case_id, json!({ "household": household }), now);
    Ok(household)
}

/// A household as the case page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub id: String,
    pub label: String,
    /// The other members whose cases the viewer sees (read through the scope, and logged).
    pub members: Vec<Scoped<CaseRecord>>,
    /// How many other members there are beyond those (named to nobody here).
    pub others: usize,
}

/// At most this many members are shown.
const MEMBERS: i64 = 50;

impl Cases<'_> {
    /// The household of the case's person, for a viewer who sees the case whole.
    pub async fn household(
        &self,
        case: &Scoped<CaseRecord>,
        now: i64,
    ) -> Result<Option<Household>> {
        if !case.access.sees_all() {
            return Ok(None);
        }
        let person = case.person_id.as_str();
        let found: Option<(String, String)> = read!(self.db, |c| {
            sqlx::query_as(
                "SELECT h.id, h.label FROM persons p JOIN households h ON h.id = p.household_id WHERE p.id = $1",
            )
            .bind(person)
            .fetch_optional(c)
            .await
        })?;
        let Some((id, label)) = found else {
            return Ok(None);
        };
        let household = id.as_str();
        let persons: Vec<String> = read!(self.db, |c| {
            sqlx::query_scalar(
                "SELECT id FROM persons WHERE household_id = $1 AND id <> $2 ORDER BY id LIMIT $3",
            )
            .bind(household)
            .bind(person)
            .bind(MEMBERS)
            .fetch_all(c)
            .await
        })?;
        let members = self.of_persons(&persons, now).await?;
        let seen: std::collections::HashSet<&str> =
            members.iter().map(|c| c.person_id.as_str()).collect();
        let others = persons
            .iter()
            .filter(|p| !seen.contains(p.as_str()))
            .count();
        Ok(Some(Household {
            id,
            label,
            members,
            others,
        }))
    }
}
