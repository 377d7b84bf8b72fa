//! Throttling of failed logins per username (existing or not), against password guessing.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW_MS`], the username is locked for [`LOCK_MS`].
//! The login page says the same thing for a wrong password, an unknown user and a locked account,
//! so none of this reveals which usernames exist.

use crate::Result;
use crate::db::{Db, Tx, read, tx};

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

pub async fn is_locked(db: &Db, username: &str, now: i64) -> Result<bool> {
    let locked_until: Option<Option<i64>> = read!(db, |c| {
        sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE username = $1")
            .bind(key(username))
            .fetch_optional(c)
            .await
    })?;
    Ok(locked_until.flatten().is_some_and(|t| t > now))
}

/// Counts a failure; returns whether the username is now locked.
pub async fn record_failure(tx: &mut Tx, username: &str, now: i64) -> Result<bool> {
    let key = key(username);
    let locked_until = tx!(tx, |c| {
        let current: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, window_started_at FROM login_failures WHERE username = $1",
        )
        .bind(&key)
        .fetch_optional(&mut *c)
        .await?;
        let (failures, window_start) = match current {
            Some((n, start)) if now - start < WINDOW_MS => (n + 1, start),
            _ => (1, now),
        };
        let locked_until = (failures >= MAX_FAILURES).then_some(now + LOCK_MS);
        sqlx::query(
            "INSERT INTO login_failures (username, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, \
             window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
        )
        .bind(&key)
        .bind(if locked_until.is_some() { 0 } else { failures })
        .bind(window_start)
        .bind(locked_until)
        .execute(&mut *c)
        .await?;
        locked_until
    });
    Ok(locked_until.is_some())
}

pub async fn clear(tx: &mut Tx, username: &str) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "DELETE FROM login_failures WHERE username = $1"
    )
    .bind(key(username))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
