//! What people looked for in the finder and did not find (decision 0013): the words of a search
//! without filters that found no offer, per finder language, counted. Nothing about who searched
//! or when beyond the first and the latest time. The editors read the list, add concepts, words
//! or offers, and clear it.

use serde_json::json;

use crate::Result;
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};

/// The most terms kept: past it, new terms are not noted (counts of known ones still grow), so
/// that a flood of random searches cannot grow the table without bound.
pub const MOST_TERMS: i64 = 10_000;

/// The longest term noted, in characters; longer searches are not what people type.
pub const LONGEST_TERM: usize = 80;

/// One term as the editors see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Miss {
    pub term: String,
    pub locale: String,
    pub searches: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// A search text as it is noted: lower-cased, spaces collapsed; `None` if empty, too long, or
/// holding digits or an @: searches that find nothing are where people type a name with a
/// telephone number, a case number or an e-mail address, and none of that is kept.
pub fn term_of(text: &str) -> Option<String> {
    if text.chars().any(|c| c.is_numeric() || c == '@') {
        return None;
    }
    let term = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let length = term.chars().count();
    (length > 0 && length <= LONGEST_TERM).then_some(term)
}

/// Notes that a search for `text` in `locale` found nothing. Not audited: it is a count, not a
/// change anyone made.
pub async fn note(db: &Db, text: &str, locale: &str, now: i64) -> Result<()> {
    let Some(term) = term_of(text) else {
        return Ok(());
    };
    db.write_exempt(async |t| {
        let known = tx!(t, |c| sqlx::query(
            "UPDATE finder_misses SET searches = searches + 1, last_at = $3 WHERE term = $1 AND locale = $2"
        )
        .bind(&term)
        .bind(locale)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if known == 0 {
            let kept: i64 = tx!(t, |c| sqlx::query_scalar("SELECT COUNT(*) FROM finder_misses")
                .fetch_one(c)
                .await)?;
            if kept < MOST_TERMS {
                tx!(t, |c| sqlx::query(
                    "INSERT INTO finder_misses (term, locale, searches, first_at, last_at) VALUES ($1, $2, 1, $3, $3) \
                     ON CONFLICT (term, locale) DO UPDATE SET searches = finder_misses.searches + 1, last_at = excluded.last_at"
                )
                .bind(&term)
                .bind(locale)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    })
    .await
}

/// The most searched terms first, at most `limit`.
pub async fn most_searched(db: &Db, limit: i64) -> Result<Vec<Miss>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT term, locale, searches, first_at, last_at FROM finder_misses \
             ORDER BY searches DESC, last_at DESC, term, locale LIMIT $1",
        )
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// Empties the list (the editors have dealt with it); returns how many terms it held.
pub async fn clear(tx: &mut Tx, actor: &Actor, now: i64) -> Result<u64> {
    let removed = tx!(tx, |c| sqlx::query("DELETE FROM finder_misses")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    tx.record(
        Event::new(
            actor,
            now,
            Entity::FinderMisses,
            Action::Discard,
            "finder_misses",
        )
        .with(json!({ "terms": removed })),
    );
    Ok(removed)
}

/// How long a missed search is kept after it was last searched: long enough to see what people
/// keep looking for, short enough that nothing typed lies around for good.
pub const KEPT_FOR_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// Removes the terms nobody searched for in [`KEPT_FOR_MS`]; returns how many. A clean-up by
/// the schedule, not anyone's act: not audited, like the session purge.
pub async fn prune(db: &Db, now: i64) -> Result<u64> {
    db.purge(
        "DELETE FROM finder_misses WHERE last_at < $1",
        now - KEPT_FOR_MS,
    )
    .await
}
