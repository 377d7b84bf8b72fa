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

/// A case's place in case lists: open cases first, then the newest opened first.
pub fn case_list_key(closed: bool, opened_on: Date) -> String {
    format!(
        "{}{}",
        u8::from(closed),
        newest_first(&opened_on.to_string())
    )
}

/// A person's place in lists of names: family name, then given names (German collation).
pub fn person_name_key(family_name: &str, given_names: &str) -> String {
    format!(
        "{}\u{3}{}",
        column_key(family_name),
        column_key(given_names)
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
/// per table); a database from before a key column existed is filled in batches.
pub(crate) async fn fill(db: &Db) -> Result<()> {
    // Each: rows without their key (`$1` rows after id `$2`, in id order), the statement that
    // sets it (`$1` the id, then the values), and the values from a row.
    for (select, update) in [
        (
            "SELECT id, title FROM offers WHERE title_key = '' AND id > $2 ORDER BY id LIMIT $1",
            "UPDATE offers SET title_key = $2 WHERE id = $1",
        ),
        (
            "SELECT id, title FROM offer_revisions WHERE title_key = '' AND id > $2 ORDER BY id LIMIT $1",
            "UPDATE offer_revisions SET title_key = $2 WHERE id = $1",
        ),
        (
            "SELECT id, short_name FROM concepts WHERE name_key = '' AND id > $2 ORDER BY id LIMIT $1",
            "UPDATE concepts SET name_key = $2 WHERE id = $1",
        ),
    ] {
        fill_rows(db, select, update, |(id, name): &(String, String)| {
            (id.clone(), vec![column_key(name)])
        })
        .await?;
    }
    fill_rows(
        db,
        "SELECT id, name, city FROM organisations WHERE list_key = '' AND id > $2 ORDER BY id LIMIT $1",
        "UPDATE organisations SET list_key = $2, search_text = $3 WHERE id = $1",
        |(id, name, city): &(String, String, String)| {
            (id.clone(), vec![column_key(name), fold(&format!("{name} {city}"))])
        },
    )
    .await?;
    fill_rows(
        db,
        "SELECT id, status, evidence_count, reported_on FROM structural_issues \
         WHERE list_key = '' AND id > $2 ORDER BY id LIMIT $1",
        "UPDATE structural_issues SET list_key = $2 WHERE id = $1",
        |(id, status, evidence, reported_on): &(String, String, i64, String)| {
            (
                id.clone(),
                vec![issue_list_key(status, *evidence, reported_on)],
            )
        },
    )
    .await?;
    fill_rows(
        db,
        "SELECT id, title FROM structural_issues WHERE search_text = '' AND id > $2 ORDER BY id LIMIT $1",
        "UPDATE structural_issues SET search_text = $2 WHERE id = $1",
        |(id, title): &(String, String)| (id.clone(), vec![issue_search_text(title)]),
    )
    .await?;
    fill_rows(
        db,
        "SELECT id, username, display_name FROM users WHERE search_text = '' AND id > $2 ORDER BY id LIMIT $1",
        "UPDATE users SET search_text = $2 WHERE id = $1",
        |(id, username, display_name): &(String, String, String)| {
            (id.clone(), vec![user_search_text(username, display_name)])
        },
    )
    .await?;
    fill_rows(
        db,
        "SELECT id, decided_on, number FROM decisions WHERE list_key = '' AND id > $2 ORDER BY id LIMIT $1",
        "UPDATE decisions SET list_key = $2 WHERE id = $1",
        |(id, decided_on, number): &(String, Date, String)| {
            (id.clone(), vec![decision_list_key(*decided_on, number)])
        },
    )
    .await?;
    fill_rows(
        db,
        "SELECT m.id, c.short_name, m.code, m.title, m.description, m.tags FROM measures m \
         JOIN concepts c ON c.id = m.concept_id WHERE m.list_key = '' AND m.id > $2 ORDER BY m.id LIMIT $1",
        "UPDATE measures SET list_key = $2, search_text = $3, tags_key = $4 WHERE id = $1",
        |(id, concept, code, title, description, tags): &(String, String, String, String, String, String)| {
            (
                id.clone(),
                vec![
                    measure_list_key(concept, code),
                    measure_search_text(code, title, description, tags),
                    measure_tags_key(tags),
                ],
            )
        },
    )
    .await?;
    Ok(())
}

/// Fills keys a batch at a time: `select` reads up to `$1` rows without keys after the id `$2`,
/// `keys` gives each row's id and the values `update` sets (`$1` the id, `$2`… the values).
/// Walking by id ends even where a computed key comes out empty. Deriving a key from a value
/// already recorded changes nothing a person did: exempt from the audit.
async fn fill_rows<R>(
    db: &Db,
    select: &'static str,
    update: &'static str,
    keys: impl Fn(&R) -> (String, Vec<String>),
) -> Result<()>
where
    R: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let mut after = String::new();
    loop {
        let rows: Vec<R> = read!(db, |c| {
            sqlx::query_as(select)
                .bind(BATCH)
                .bind(&after)
                .fetch_all(c)
                .await
        })?;
        let writes: Vec<(String, Vec<String>)> = rows.iter().map(&keys).collect();
        let Some((last, _)) = writes.last() else {
            return Ok(());
        };
        after = last.clone();
        db.write_exempt(async |tx| {
            for (id, values) in &writes {
                tx!(&mut *tx, |c| {
                    let mut q = sqlx::query(update).bind(id);
                    for v in values {
                        q = q.bind(v);
                    }
                    q.execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            Ok(())
        })
        .await?;
    }
}
