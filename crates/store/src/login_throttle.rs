//! Throttling of failed logins per username (existing or not), against password guessing.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW_MS`], the username is locked for [`LOCK_MS`].
//! The login page says the same thing for a wrong password, an unknown user and a locked account,
//! so none of this reveals which usernames exist. Wrong TOTP codes are counted apart, per account
//! ([`Throttle::SecondFactor`]), and only a correct code clears them.

use crate::Result;
use crate::db::{Db, Tx, read, tx};

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// What is being throttled. Each kind has its own namespace in the table, and typed input fills
/// only the part after a password key's prefix: no username can be typed that counts against
/// someone's second factor (a login as `totp:admin` once locked admin's codes).
#[derive(Debug, Clone, Copy)]
pub enum Throttle<'a> {
    /// Passwords typed for a username, existing or not (as typed; case and space ignored).
    Password(&'a str),
    /// Second-factor codes of the account with this id.
    SecondFactor(&'a str),
}

impl Throttle<'_> {
    fn key(self) -> String {
        match self {
            Throttle::Password(username) => format!("password:{}", username.trim().to_lowercase()),
            Throttle::SecondFactor(user_id) => format!("second-factor:{user_id}"),
        }
    }
}

pub async fn is_locked(db: &Db, throttle: Throttle<'_>, now: i64) -> Result<bool> {
    let locked_until: Option<Option<i64>> = read!(db, |c| {
        sqlx::query_scalar("SELECT locked_until FROM login_failures WHERE username = $1")
            .bind(throttle.key())
            .fetch_optional(c)
            .await
    })?;
    Ok(locked_until.flatten().is_some_and(|t| t > now))
}

/// Counts a failure; returns whether the username is now locked.
pub(crate) async fn record_failure(tx: &mut Tx, throttle: Throttle<'_>, now: i64) -> Result<bool> {
    let key = throttle.key();
    let locked = tx!(tx, |c| {
        let current: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT failures, window_started_at, locked_until FROM login_failures WHERE username = $1",
        )
        .bind(&key)
        .fetch_optional(&mut *c)
        .await?;
        // While locked, further failures change nothing: the lock runs its full time.
        if let Some((_, _, Some(until))) = current
            && until > now
        {
            return Ok(true);
        }
        let (failures, window_start) = match current {
            Some((n, start, None)) if now - start < WINDOW_MS => (n + 1, start),
            _ => (1, now),
        };
        let locked_until = (failures >= MAX_FAILURES).then_some(now + LOCK_MS);
        sqlx::query(
            "INSERT INTO login_failures (username, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, \
             window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
        )
        .bind(&key)
        .bind(failures)
        .bind(window_start)
        .bind(locked_until)
        .execute(&mut *c)
        .await?;
        locked_until.is_some()
    });
    Ok(locked)
}

pub async fn clear(tx: &mut Tx, throttle: Throttle<'_>) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "DELETE FROM login_failures WHERE username = $1"
    )
    .bind(throttle.key())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
