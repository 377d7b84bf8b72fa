//! The mail outbox (decision 0017): mail that Lotse owes someone, written in the transaction of
//! the act that causes it and sent later by the `mail-outbox` job.
//!
//! Sending inside the act would either hold a database transaction open on a slow SMTP server or
//! send a confirmation for an act that then rolls back. Here the mail exists exactly when its act
//! was committed, survives a mail server that is away (it is tried again after a growing pause),
//! and what could not be delivered after [`MAX_ATTEMPTS`] stays visible to the administration.
//! Bodies name people (a contact, a place and time), so sent mail is removed after
//! [`KEEP_SENT_DAYS`] days.

use crate::Result;
use crate::db::{Db, Tx, new_id, read, tx};

/// After this many failed attempts a mail is given up and shown as failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a sent mail stays in the outbox (for "was the confirmation sent?").
pub const KEEP_SENT_DAYS: i64 = 30;

/// A mail to put into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// An iCalendar file to send along.
    pub calendar: Option<String>,
    /// What it is about: an audit entity key and the record's id.
    pub about_entity: &'static str,
    pub about_id: String,
}

/// Puts `mail` into the outbox, due at once, in the transaction of the act that causes it.
/// A mail without a recipient address is not queued: there is nobody to send it to.
pub async fn enqueue(tx: &mut Tx, mail: &Mail, now: i64) -> Result<()> {
    if mail.to.trim().is_empty() {
        return Ok(());
    }
    tx!(tx, |c| sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, body, calendar, about_entity, about_id, \
         created_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    )
    .bind(new_id())
    .bind(mail.to.trim())
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(&mail.calendar)
    .bind(mail.about_entity)
    .bind(&mail.about_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Queued {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub calendar: Option<String>,
    pub about_entity: String,
    pub about_id: String,
    pub created_at: i64,
    pub attempts: i64,
    pub last_error: String,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
}

const SELECT: &str = "SELECT id, recipient, subject, body, calendar, about_entity, about_id, \
    created_at, attempts, last_error, sent_at, failed_at FROM mail_outbox";

/// Up to `limit` mails due at `now`, the oldest first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<Queued>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= $1 \
         ORDER BY due_at, id LIMIT $2"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The mails about one record, newest first: "was the confirmation sent?".
pub async fn about(db: &Db, entity: &str, id: &str) -> Result<Vec<Queued>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE about_entity = $1 AND about_id = $2 ORDER BY created_at DESC, id"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(entity)
        .bind(id)
        .fetch_all(c)
        .await)?)
}

/// Mails given up on, newest first: what the administration must look into.
pub async fn failed(db: &Db, limit: i64) -> Result<Vec<Queued>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id LIMIT $1"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// How many mails wait to be sent (due now or later).
pub async fn waiting(db: &Db) -> Result<i64> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
    )
    .fetch_one(c)
    .await)?)
}

/// Records that a mail went out.
pub async fn mark_sent(db: &Db, id: &str, now: i64) -> Result<()> {
    db.write_exempt(async |t| {
        tx!(t, |c| sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, last_error = '' \
             WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    })
    .await
}

/// The pause before attempt `attempts + 1`: 1, 2, 4 … minutes, at most six hours.
pub fn retry_pause_ms(attempts: i64) -> i64 {
    let minutes = 1_i64 << attempts.clamp(0, 9);
    minutes.min(360) * 60_000
}

/// Records a failed attempt: tried again after a growing pause, given up after
/// [`MAX_ATTEMPTS`]. Returns whether the mail was given up.
pub async fn mark_failed(db: &Db, mail: &Queued, error: &str, now: i64) -> Result<bool> {
    let attempts = mail.attempts + 1;
    let give_up = attempts >= MAX_ATTEMPTS;
    let due = now + retry_pause_ms(attempts - 1);
    let error: String = error.chars().take(500).collect();
    db.write_exempt(async |t| {
        tx!(t, |c| sqlx::query(
            "UPDATE mail_outbox SET attempts = $2, last_error = $3, due_at = $4, \
             failed_at = $5 WHERE id = $1"
        )
        .bind(&mail.id)
        .bind(attempts)
        .bind(&error)
        .bind(due)
        .bind(give_up.then_some(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    })
    .await?;
    Ok(give_up)
}

/// Removes sent and given-up mail older than [`KEEP_SENT_DAYS`]: their bodies name people.
pub async fn purge(db: &Db, now: i64) -> Result<u64> {
    let before = now - KEEP_SENT_DAYS * 86_400_000;
    db.purge(
        "DELETE FROM mail_outbox WHERE COALESCE(sent_at, failed_at) < $1",
        before,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::retry_pause_ms;

    #[test]
    fn the_pause_grows_and_is_bounded() {
        assert_eq!(retry_pause_ms(0), 60_000);
        assert_eq!(retry_pause_ms(1), 120_000);
        assert_eq!(retry_pause_ms(3), 8 * 60_000);
        assert_eq!(retry_pause_ms(20), 360 * 60_000);
        assert_eq!(retry_pause_ms(-1), 60_000);
    }
}
