//! Login sessions, kept in the database so they survive restarts and work across several nodes.
//!
//! The cookie carries a random token; the table stores only its SHA-256, so a copy of the database
//! does not let anyone sign in.

use serde_json::json;

use crate::Result;
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};
use crate::login_throttle::{self, Throttle};
use crate::password::{random_token, token_hash};
use crate::users::{self, Credentials, Principal, PrincipalRow, principal_columns};

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

/// A refused password: counts towards the lock of the typed name and is recorded against the
/// account if there is one. Returns whether the name is locked now.
///
/// The typed name is not kept in the log: people type their password into the wrong field, and
/// the log is append-only.
pub async fn refuse_password(
    tx: &mut Tx,
    typed_username: &str,
    account: Option<&Credentials>,
    locked: bool,
    now: i64,
) -> Result<bool> {
    let now_locked =
        login_throttle::record_failure(tx, Throttle::Password(typed_username), now).await?;
    let record = account.map_or("unbekannt", |c| c.id.as_str());
    tx.record(
        Event::new(
            &Actor::system("login"),
            now,
            Entity::Session,
            Action::LoginFailed,
            record,
        )
        .with(json!({ "locked": locked })),
    );
    Ok(now_locked)
}

/// An accepted password: starts a session (still waiting for the second factor if the account
/// has one) and returns the token for the cookie.
pub async fn sign_in(tx: &mut Tx, account: &Credentials, now: i64) -> Result<String> {
    let pending = account.totp_secret.is_some();
    login_throttle::clear(tx, Throttle::Password(&account.username)).await?;
    let token = create(tx, &account.id, pending, now).await?;
    tx.record(
        Event::new(
            &Actor::user(&account.id, &account.username),
            now,
            Entity::Session,
            Action::Login,
            &account.id,
        )
        .with(json!({ "second_factor_pending": pending })),
    );
    Ok(token)
}

/// A second-factor code checked against the account (`step` is the code's time step if it was
/// right). Claiming the step in the transaction makes a code usable once, even by racing
/// requests. `Ok(true)`: the session is complete. `Ok(false)`: refused and counted; if the
/// account is locked now, the half-open session has ended.
pub async fn second_factor(
    tx: &mut Tx,
    principal: &Principal,
    session_hash: &str,
    step: Option<i64>,
    locked: bool,
    now: i64,
) -> Result<SecondFactor> {
    let throttle = Throttle::SecondFactor(&principal.user_id);
    let accepted = match step.filter(|_| !locked) {
        Some(step) => users::claim_totp_step(tx, &principal.user_id, step).await?,
        None => false,
    };
    let actor = principal.actor();
    if !accepted {
        let now_locked = login_throttle::record_failure(tx, throttle, now).await?;
        tx.record(Event::new(
            &actor,
            now,
            Entity::Session,
            Action::SecondFactorFailed,
            &principal.user_id,
        ));
        if now_locked || locked {
            delete(tx, session_hash).await?;
            return Ok(SecondFactor::Locked);
        }
        return Ok(SecondFactor::Refused);
    }
    login_throttle::clear(tx, Throttle::Password(&principal.username)).await?;
    login_throttle::clear(tx, throttle).await?;
    complete_second_factor(tx, session_hash).await?;
    tx.record(Event::new(
        &actor,
        now,
        Entity::Session,
        Action::SecondFactor,
        &principal.user_id,
    ));
    Ok(SecondFactor::Accepted)
}

/// The outcome of [`second_factor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Accepted,
    Refused,
    /// Too many wrong codes: the session has ended; the user starts again later.
    Locked,
}

/// Logs out: the session ends.
pub async fn sign_out(tx: &mut Tx, session: &Session, now: i64) -> Result<()> {
    delete(tx, &session.token_hash).await?;
    tx.record(Event::new(
        &session.principal.actor(),
        now,
        Entity::Session,
        Action::Logout,
        &session.principal.user_id,
    ));
    Ok(())
}

/// A wrong password typed to confirm a sensitive change (a new password, a second factor): it
/// counts towards the account's login lock like a failed login, and is recorded as one.
pub async fn refuse_confirmation(tx: &mut Tx, principal: &Principal, now: i64) -> Result<()> {
    login_throttle::record_failure(tx, Throttle::Password(&principal.username), now).await?;
    tx.record(
        Event::new(
            &principal.actor(),
            now,
            Entity::Session,
            Action::LoginFailed,
            &principal.user_id,
        )
        .with(json!({ "confirmation": true })),
    );
    Ok(())
}

/// Starts a session; returns the token for the cookie.
pub(crate) async fn create(
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
        db.write_exempt(async |tx| {
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
    let mut tx = db.begin_exempt().await?;
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
