//! Moving case lists in (decision 0012, slice 8): every row checked as the intake checks it;
//! all rows or none, unless the user asks for the valid ones only. Each person is taken in by
//! the importing case manager, whose cases they become.

use lotse_domain::Date;
use lotse_domain::case::{CaseRow, person_field_label};

use std::collections::HashSet;

use super::{IntakeDraft, intake_many};
use crate::db::{Backend, Db};
use crate::organisations::ImportMode;
use crate::scoped::Viewer;
use crate::{Result, StoreError};

/// What an import read and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CaseImportReport {
    pub rows: usize,
    pub created: usize,
    /// "Zeile 4, Geburtsdatum: …", one per wrong field.
    pub errors: Vec<String>,
}

fn label(field: &str) -> &str {
    match field {
        "access_route" => "Zugangsweg",
        "opened_on" => "Beginn des Falls",
        other => person_field_label(other),
    }
}

/// Which of the (family name skeleton, birth date) pairs belong to a person already recorded
/// (anonymised ones have neither any more): looked up through the family key's index, a
/// thousand pairs per statement, never by reading every person.
async fn recorded(db: &Db, wanted: &[(String, Date)]) -> Result<HashSet<(String, Date)>> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT p.family_key, p.birth_date FROM json_each($1) j \
             JOIN persons p ON p.family_key = j.value ->> '$[0]' AND p.birth_date = j.value ->> '$[1]'"
        }
        Backend::Postgres => {
            "SELECT p.family_key, p.birth_date FROM json_array_elements($1::json) j \
             JOIN persons p ON p.family_key = j ->> 0 AND p.birth_date = j ->> 1"
        }
    };
    let mut found = HashSet::new();
    for chunk in wanted.chunks(1_000) {
        let pairs: Vec<(&str, String)> = chunk
            .iter()
            .map(|(family, born)| (family.as_str(), born.to_string()))
            .collect();
        let list = serde_json::to_string(&pairs)
            .map_err(|e| StoreError::Config(format!("import: {e}")))?;
        let rows: Vec<(String, Date)> = crate::db::read!(db, |c| {
            sqlx::query_as(sql).bind(&list).fetch_all(c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// Imports `rows` as new persons with a case each, assigned to `viewer`.
pub async fn import_cases(
    db: &Db,
    viewer: &Viewer,
    rows: &[CaseRow],
    towns: &[(String, String)],
    mode: ImportMode,
    today: Date,
    now: i64,
) -> Result<CaseImportReport> {
    let mut report = CaseImportReport {
        rows: rows.len(),
        ..CaseImportReport::default()
    };
    let mut valid = Vec::new();
    for row in rows {
        match row.check(towns, today) {
            Ok(draft) => valid.push(draft),
            Err(errors) => report.errors.extend(errors.iter().map(|(field, message)| {
                format!("Zeile {}, {}: {message}", row.line, label(field))
            })),
        }
    }
    // A person already recorded (same family name, transliterations meeting, and birth date),
    // or twice in the list, is not taken in again: a list sent a second time (a reloaded result
    // page) must not double everyone. Said without naming anyone, as the intake's hint does.
    // Each row's (family key, birth date), computed once for the look-up and the check.
    let keys: Vec<Option<(String, Date)>> = valid
        .iter()
        .map(|d| {
            let born = d.person.birth_date?;
            Some((super::family_key(&d.person.family_name), born))
        })
        .collect();
    let wanted: Vec<(String, Date)> = keys.iter().flatten().cloned().collect();
    let already = recorded(db, &wanted).await?;
    let mut seen = HashSet::new();
    let mut fresh = Vec::with_capacity(valid.len());
    for (draft, key) in valid.into_iter().zip(keys) {
        let Some(key) = key else {
            fresh.push(draft);
            continue;
        };
        if already.contains(&key) || !seen.insert(key) {
            report.errors.push(format!(
                "Zeile {}: Eine Person mit diesem Familiennamen und Geburtsdatum ist schon erfasst; \
                 sie wird nicht noch einmal angelegt.",
                draft.line
            ));
        } else {
            fresh.push(draft);
        }
    }
    let valid = fresh;
    if valid.is_empty() || (mode == ImportMode::AllOrNothing && !report.errors.is_empty()) {
        return Ok(report);
    }
    let opened: Vec<IntakeDraft> = valid
        .iter()
        .map(|d| IntakeDraft {
            access_route: d.access_route,
            opened_on: d.opened_on,
        })
        .collect();
    let intakes: Vec<_> = valid.iter().map(|d| &d.person).zip(&opened).collect();
    let written = db
        .write(async |tx| {
            intake_many(tx, viewer, &intakes, false, now)
                .await
                .map_err(|e| match e {
                    // The rows were checked one by one; what the database still refuses (a
                    // town removed meanwhile) refuses the whole import.
                    StoreError::Invalid(errors) => StoreError::Config(
                        errors
                            .iter()
                            .map(|(f, m)| format!("{}: {m}", label(f)))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    other => other,
                })
                .map(|ids| ids.len())
        })
        .await;
    match written {
        Ok(n) => report.created = n,
        Err(StoreError::Config(message)) => report.errors.push(message),
        Err(e) => return Err(e),
    }
    Ok(report)
}
