//! Moving case lists in (decision 0012, slice 8): every row checked as the intake checks it;
//! all rows or none, unless the user asks for the valid ones only. Each person is taken in by
//! the importing case manager, whose cases they become.

use lotse_domain::Date;
use lotse_domain::case::{CaseRow, person_field_label};

use super::{IntakeDraft, intake};
use crate::db::Db;
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

/// Whether a person with this family name skeleton and birth date is recorded (anonymised ones
/// have neither any more).
async fn recorded(db: &Db, family: &str, born: Date) -> Result<bool> {
    let pattern = format!("% f:{} %", crate::measures::like_escape(family));
    let n: i64 = crate::db::read!(db, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM persons p WHERE p.birth_date = $1 AND p.search_text LIKE $2 ESCAPE '\\'",
        )
        .bind(born)
        .bind(&pattern)
        .fetch_one(c)
        .await
    })?;
    Ok(n > 0)
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
    let mut seen = std::collections::HashSet::new();
    let mut fresh = Vec::with_capacity(valid.len());
    for draft in valid {
        let Some(born) = draft.person.birth_date else {
            fresh.push(draft);
            continue;
        };
        let family = super::family_key(&draft.person.family_name);
        if !seen.insert((family.clone(), born)) || recorded(db, &family, born).await? {
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
    let written = db
        .write(async |tx| {
            for draft in &valid {
                let opened = IntakeDraft {
                    access_route: draft.access_route,
                    opened_on: draft.opened_on,
                };
                intake(tx, viewer, &draft.person, &opened, false, now)
                    .await
                    .map_err(|e| match e {
                        // Named with its line: the whole import is refused for it.
                        StoreError::Invalid(errors) => StoreError::Config(
                            errors
                                .iter()
                                .map(|(f, m)| format!("Zeile {}, {}: {m}", draft.line, label(f)))
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                        other => other,
                    })?;
            }
            Ok(valid.len())
        })
        .await;
    match written {
        Ok(n) => report.created = n,
        Err(StoreError::Config(message)) => report.errors.push(message),
        Err(e) => return Err(e),
    }
    Ok(report)
}
