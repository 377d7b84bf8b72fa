//! Personal API tokens for machine clients. The token is shown once at creation; only its SHA-256
//! is stored. A token acts with the rights of the user who made it.

use lotse_domain::ids::{TokenId, UserId};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, new_id, read, tx};
use crate::password::{random_token, token_hash};
use crate::users::{self, Principal};
use crate::{Result, StoreError};
use lotse_domain::validation::{Lines, forbidden_character, forbidden_character_message};

/// Every token starts with this, so leaked tokens are easy to find by secret scanners.
pub const PREFIX: &str = "lotse_";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters, to tell tokens apart in the list.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Creates a token; returns its id and the secret, which is never shown again.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    name: &str,
    now: i64,
) -> Result<(String, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(StoreError::field(
            "name",
            "Bitte einen Namen mit 1 bis 80 Zeichen angeben (wofür ist der Token?).",
        ));
    }
    if let Some(found) = forbidden_character(name, Lines::One) {
        return Err(StoreError::field(
            "name",
            forbidden_character_message(found),
        ));
    }
    let id = new_id();
    let secret = format!("{PREFIX}{}", random_token(32)?);
    let prefix: String = secret.chars().take(PREFIX.len() + 6).collect();
    tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash(&secret))
            .bind(&prefix)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::ApiToken, Action::Create, &id)
            .with(json!({ "name": name, "user_id": user_id })),
    );
    Ok((id, secret))
}

pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<ApiToken>> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
            .bind(user_id)
            .fetch_all(c)
            .await
    })?)
}

pub async fn revoke(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &UserId,
    id: &TokenId,
    now: i64,
) -> Result<()> {
    let n = tx!(&mut *tx, |c| {
        sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(id.as_str())
            .bind(user_id.as_str())
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(Event::new(
        actor,
        now,
        Entity::ApiToken,
        Action::Revoke,
        id.as_str(),
    ));
    Ok(())
}

/// The principal a bearer token stands for, if the token is live and its user active.
pub async fn authenticate(db: &Db, secret: &str, now: i64) -> Result<Option<Principal>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = token_hash(secret);
    let row: Option<(String, String, Option<i64>)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE",
        )
        .bind(&hash)
        .fetch_optional(c)
        .await
    })?;
    let Some((id, user_id, last_used)) = row else {
        return Ok(None);
    };
    // Record use at most once a minute: a busy client must not turn every call into a write.
    if last_used.is_none_or(|t| now - t > 60_000) {
        let mut tx = db.begin_exempt().await?;
        tx!(&mut tx, |c| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(&id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        tx.commit().await?;
    }
    users::principal(db, &user_id).await
}
