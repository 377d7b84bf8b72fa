//! The key columns lists are ordered and searched by (migration 0012), computed in Rust because the
//! German collation and the folding of umlauts are ours, not either database's.
//!
//! Writers set the keys with the row; [`fill`] gives rows from before the keys existed theirs, once,
//! when the program starts (nothing to do afterwards: every key is non-empty).

use lotse_domain::Date;
use lotse_domain::collation::{code_key, column_key, fold};

use crate::Result;
use crate::db::{Db, read, tx};

/// A measure's place in lists: its concept's key, then its code.
pub fn measure_list_key(concept_short_name: &str, code: &str) -> String {
    format!("{}\u{3}{}", column_key(concept_short_name), code_key(code))
}

/// A measure's tags as its tag filter finds them: lower case between commas (",sprache,kita,").
pub fn measure_tags_key(tags: &str) -> String {
    let tags: Vec<String> = tags
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    format!(",{},", tags.join(","))
}

/// What the words of a measure search are looked up in: code, title, description and tags, folded.
pub fn measure_search_text(code: &str, title: &str, description: &str, tags: &str) -> String {
    fold(&format!("{code} {title} {description} {tags}"))
}

/// A structural issue's place in the register: open ones first, then by evidence (most cases
/// first), then the newest report first. Digits are inverted so that ascending order of the key
/// is descending order of the figure.
pub fn issue_list_key(status: &str, evidence_count: i64, reported_on: &str) -> String {
    let settled = matches!(status, "resolved" | "not_solvable");
    let evidence = 999_999_999_999 - evidence_count.clamp(0, 999_999_999_999);
    format!(
        "{}{evidence:012}{}",
        u8::from(settled),
        newest_first(reported_on)
    )
}

/// What an account is found by in pick lists: user name and display name, folded.
pub fn user_search_text(username: &str, display_name: &str) -> String {
    fold(&format!("{username} {display_name}"))
}

/// What a structural issue is found by in pick lists: its title, folded.
pub fn issue_search_text(title: &str) -> String {
    fold(title)
}

/// A decision's place in its body's list: the newest first, within a day by number.
pub fn decision_list_key(decided_on: Date, number: &str) -> String {
    format!(
        "{}\u{3}{}",
        newest_first(&decided_on.to_string()),
        code_key(number)
    )
}

/// A date's digits inverted, so that ascending order of the text is the newest day first.
fn newest_first(iso_date: &str) -> String {
    iso_date
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_digit(9 - d, 10).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Gives a structural issue written before migration 0015 its register key.
async fn set_issue_key(
    tx: &mut crate::Tx,
    id: &str,
    status: &str,
    evidence_count: i64,
    reported_on: &str,
) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "UPDATE structural_issues SET list_key = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(issue_list_key(status, evidence_count, reported_on))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets an organisation's list key and search text from its name and city (in the transaction
/// that wrote them).
pub(crate) async fn set_organisation_keys(
    tx: &mut crate::Tx,
    id: &str,
    name: &str,
    city: &str,
) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "UPDATE organisations SET list_key = $2, search_text = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(column_key(name))
    .bind(fold(&format!("{name} {city}")))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Rows per transaction while filling.
const BATCH: i64 = 1_000;

/// Gives every row without keys its keys. Cheap when there is nothing to do (one indexed look-up
/// per table); a database from before migration 0012 is filled in batches.
pub(crate) async fn fill(db: &Db) -> Result<()> {
    // (rows without a key, the statement that sets it): `column_key` of the name.
    const NAMED: [(&str, &str); 3] = [
        (
            "SELECT id, title FROM offers WHERE title_key = '' LIMIT $1",
            "UPDATE offers SET title_key = $2 WHERE id = $1",
        ),
        (
            "SELECT id, title FROM offer_revisions WHERE title_key = '' LIMIT $1",
            "UPDATE offer_revisions SET title_key = $2 WHERE id = $1",
        ),
        (
            "SELECT id, short_name FROM concepts WHERE name_key = '' LIMIT $1",
            "UPDATE concepts SET name_key = $2 WHERE id = $1",
        ),
    ];
    for (select, update) in NAMED {
        loop {
            let rows: Vec<(String, String)> = read!(db, |c| {
                sqlx::query_as(select).bind(BATCH).fetch_all(c).await
            })?;
            if rows.is_empty() {
                break;
            }
            set(db, update, rows).await?;
        }
    }
    loop {
        let rows: Vec<(String, String, String)> = read!(db, |c| {
            sqlx::query_as("SELECT id, name, city FROM organisations WHERE list_key = '' LIMIT $1")
                .bind(BATCH)
                .fetch_all(c)
                .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, name, city) in &rows {
                set_organisation_keys(tx, id, name, city).await?;
            }
            Ok(())
        })
        .await?;
    }
    loop {
        let rows: Vec<(String, String, i64, String)> = read!(db, |c| {
            sqlx::query_as(
                "SELECT id, status, evidence_count, reported_on FROM structural_issues WHERE list_key = '' LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, status, evidence, reported_on) in &rows {
                set_issue_key(tx, id, status, *evidence, reported_on).await?;
            }
            Ok(())
        })
        .await?;
    }
    // Search texts of accounts and structural issues (migration 0017): an empty text means not
    // yet filled (a name is never empty).
    loop {
        let rows: Vec<(String, String, String)> = read!(db, |c| {
            sqlx::query_as(
                "SELECT id, username, display_name FROM users WHERE search_text = '' LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, username, display_name) in &rows {
                tx!(&mut *tx, |c| sqlx::query(
                    "UPDATE users SET search_text = $2 WHERE id = $1"
                )
                .bind(id)
                .bind(user_search_text(username, display_name))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Ok(())
        })
        .await?;
    }
    loop {
        let rows: Vec<(String, String)> = read!(db, |c| {
            sqlx::query_as(
                "SELECT id, title FROM structural_issues WHERE search_text = '' LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, title) in &rows {
                tx!(&mut *tx, |c| sqlx::query(
                    "UPDATE structural_issues SET search_text = $2 WHERE id = $1"
                )
                .bind(id)
                .bind(issue_search_text(title))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Ok(())
        })
        .await?;
    }
    loop {
        let rows: Vec<(String, Date, String)> = read!(db, |c| {
            sqlx::query_as(
                "SELECT id, decided_on, number FROM decisions WHERE list_key = '' LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, decided_on, number) in &rows {
                tx!(&mut *tx, |c| sqlx::query(
                    "UPDATE decisions SET list_key = $2 WHERE id = $1"
                )
                .bind(id)
                .bind(decision_list_key(*decided_on, number))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Ok(())
        })
        .await?;
    }
    loop {
        let rows: Vec<(String, String, String, String, String, String)> = read!(db, |c| {
            sqlx::query_as(
                "SELECT m.id, c.short_name, m.code, m.title, m.description, m.tags FROM measures m \
                 JOIN concepts c ON c.id = m.concept_id WHERE m.list_key = '' LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        db.write_exempt(async |tx| {
            for (id, concept, code, title, description, tags) in &rows {
                tx!(&mut *tx, |c| sqlx::query(
                    "UPDATE measures SET list_key = $2, search_text = $3, tags_key = $4 WHERE id = $1"
                )
                .bind(id)
                .bind(measure_list_key(concept, code))
                .bind(measure_search_text(code, title, description, tags))
                .bind(measure_tags_key(tags))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Writes `column_key(name)` for each `(id, name)` with `sql` (`$1` id, `$2` key). Deriving a key
/// from a value already recorded changes nothing a person did: exempt from the audit.
async fn set(db: &Db, sql: &'static str, rows: Vec<(String, String)>) -> Result<()> {
    db.write_exempt(async |tx| {
        for (id, name) in &rows {
            tx!(&mut *tx, |c| sqlx::query(sql)
                .bind(id)
                .bind(column_key(name))
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    })
    .await
}
