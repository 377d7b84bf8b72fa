//! In-app notifications (the bell, decision 0014): what concerns one person, each linking to the
//! thing itself. They are written in the transaction of the act that causes them (a report
//! returned, an offer approved, a round opened), so a notification exists exactly when its act
//! was committed. An unread notification for the same address is refreshed rather than
//! repeated: ten reports submitted make one "new reports to review", not ten.

use lotse_domain::policy::allows;
use lotse_domain::{Permission, Role};

use crate::Result;
use crate::db::{Db, Tx, Value, bind_values, new_id, read, tx};
use crate::paging::Query;

#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub created_at: i64,
    pub text: String,
    pub href: String,
    pub read_at: Option<i64>,
}

/// How many notifications the bell's page lists.
pub const SHOWN: i64 = 50;

/// Notifies each of `user_ids` (deduplicated by address while unread).
pub async fn notify(
    tx: &mut Tx,
    user_ids: &[String],
    text: &str,
    href: &str,
    now: i64,
) -> Result<()> {
    for user in user_ids {
        let refreshed = tx!(&mut *tx, |c| {
            sqlx::query(
                "UPDATE notifications SET text = $3, created_at = $4 WHERE user_id = $1 AND href = $2 AND read_at IS NULL",
            )
            .bind(user)
            .bind(href)
            .bind(text)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        if refreshed == 0 {
            tx!(&mut *tx, |c| {
                sqlx::query(
                    "INSERT INTO notifications (id, user_id, created_at, text, href) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new_id())
                .bind(user)
                .bind(now)
                .bind(text)
                .bind(href)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    Ok(())
}

/// The active accounts that hold `permission` (through one of their roles): of one
/// organisation, or everywhere (`None`).
pub async fn holders(
    tx: &mut Tx,
    organisation_id: Option<&str>,
    permission: Permission,
) -> Result<Vec<String>> {
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| allows(**r, permission))
        .map(|r| r.key())
        .collect();
    let mut q = Query::default();
    let which = q.any_of("r.role", &roles);
    q.and(which);
    q.and("u.active = TRUE".to_owned());
    if let Some(org) = organisation_id {
        let o = q.bind(Value::Text(org.to_owned()));
        q.and(format!("u.organisation_id = {o}"));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id{} ORDER BY u.id",
        q.where_clause()
    ));
    Ok(tx!(&mut *tx, |c| {
        bind_values!(sqlx::query_scalar(sql), &q.values)
            .fetch_all(c)
            .await
    })?)
}

/// Notifies the accounts of `organisation_id` that hold `permission`.
pub async fn notify_organisation(
    tx: &mut Tx,
    organisation_id: &str,
    permission: Permission,
    text: &str,
    href: &str,
    now: i64,
) -> Result<()> {
    let users = holders(tx, Some(organisation_id), permission).await?;
    notify(tx, &users, text, href, now).await
}

/// Notifies every account that holds `permission` (the coordination, for work to review).
pub async fn notify_holders(
    tx: &mut Tx,
    permission: Permission,
    text: &str,
    href: &str,
    now: i64,
) -> Result<()> {
    let users = holders(tx, None, permission).await?;
    notify(tx, &users, text, href, now).await
}

/// The bell's number: unread notifications of `user_id`.
pub async fn unread_count(db: &Db, user_id: &str) -> Result<i64> {
    Ok(read!(db, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(c)
        .await
    })?)
}

/// The newest notifications of `user_id`, unread first.
pub async fn recent(db: &Db, user_id: &str, limit: i64) -> Result<Vec<Notification>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT id, created_at, text, href, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY (CASE WHEN read_at IS NULL THEN 0 ELSE 1 END), created_at DESC, id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// Marks one notification of `user_id` read and returns its address (`None`: not theirs).
/// Reading is the person's own bookkeeping, not an act on records, so it stays out of the audit
/// log.
pub async fn open(db: &Db, user_id: &str, id: &str, now: i64) -> Result<Option<String>> {
    db.write_exempt(async |t| {
        let href: Option<String> = tx!(&mut *t, |c| {
            sqlx::query_scalar("SELECT href FROM notifications WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(c)
                .await
        })?;
        if href.is_some() {
            tx!(&mut *t, |c| {
                sqlx::query(
                    "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
                )
                .bind(id)
                .bind(user_id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
        Ok(href)
    })
    .await
}

/// Marks every notification of `user_id` read.
pub async fn mark_all_read(db: &Db, user_id: &str, now: i64) -> Result<u64> {
    db.write_exempt(async |t| {
        Ok(tx!(t, |c| {
            sqlx::query(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?)
    })
    .await
}

/// Read notifications older than `before` go (the daily clean-up of `session-purge`).
pub async fn purge_read(db: &Db, before: i64) -> Result<u64> {
    db.purge(
        "DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < $1",
        before,
    )
    .await
}
