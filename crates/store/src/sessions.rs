//! Login sessions, kept in the database so they survive restarts and work across several nodes.
//!
//! The cookie carries a random token; the table stores only its SHA-256, so a copy of the database
//! does not let anyone sign in.

use crate::Result;
use crate::db::{Db, Tx, read, tx};
use crate::password::{random_token, token_hash};
use crate::users::{Principal, PrincipalRow, principal_columns};

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT_MS: i64 = 4 * 60 * 60 * 1000;
/// …and at the latest after this long, however active.
pub const ABSOLUTE_TIMEOUT_MS: i64 = 12 * 60 * 60 * 1000;
/// Recording every request would turn every page view into a write; a minute's precision is enough.
const TOUCH_AFTER_MS: i64 = 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub principal: Principal,
    /// Password accepted, TOTP code still to come: the session opens nothing but the code form.
    pub second_factor_pending: bool,
}

/// Starts a session; returns the token for the cookie.
pub async fn create(
    tx: &mut Tx,
    user_id: &str,
    second_factor_pending: bool,
    now: i64,
) -> Result<String> {
    let token = random_token(32)?;
    tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, second_factor_pending) \
             VALUES ($1, $2, $3, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + ABSOLUTE_TIMEOUT_MS)
        .bind(second_factor_pending)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionWithPrincipal {
    last_seen_at: i64,
    second_factor_pending: bool,
    #[sqlx(flatten)]
    principal: PrincipalRow,
}

/// Finds the live session for a cookie token, with its user, in one query: this runs on every
/// authenticated request, and each query costs two thread hand-offs in sqlx's SQLite driver
/// (measured: docs/benchmarks.md). The idle timer is refreshed at most once a minute.
pub async fn lookup(db: &Db, token: &str, now: i64) -> Result<Option<Session>> {
    let hash = token_hash(token);
    let sql = format!(
        "SELECT s.last_seen_at, s.second_factor_pending, {} \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id \
         WHERE s.token_hash = $1 AND u.active = TRUE AND s.expires_at > $2 AND s.last_seen_at > $3",
        principal_columns(db.backend())
    );
    let row: Option<SessionWithPrincipal> = read!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&hash)
            .bind(now)
            .bind(now - IDLE_TIMEOUT_MS)
            .fetch_optional(c)
            .await
    })?;
    let Some(row) = row else { return Ok(None) };
    if now - row.last_seen_at > TOUCH_AFTER_MS {
        db.write(async |tx| {
            tx!(tx, |c| sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"
            )
            .bind(&hash)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            Ok(())
        })
        .await?;
    }
    Ok(Some(Session {
        token_hash: hash,
        principal: row.principal.into(),
        second_factor_pending: row.second_factor_pending,
    }))
}

pub async fn complete_second_factor(tx: &mut Tx, token_hash: &str) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query("UPDATE sessions SET second_factor_pending = FALSE WHERE token_hash = $1")
            .bind(token_hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of an account (its second factor was reset, for instance).
pub async fn delete_for_user(tx: &mut Tx, user_id: &str) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes sessions that can no longer be used; run periodically by the server.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(now - IDLE_TIMEOUT_MS)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(n)
}
