//! Barriers reported on the public pages (decision 0013; the feedback route an accessibility
//! statement must offer under BITV 2.0 / BITNRW). Anyone may report; admins read the reports,
//! answer where an address was given, and mark them handled (one by one, or all open ones at
//! once after a flood). Handled reports are removed a year after, by the daily job
//! `feedback-purge`.

use lotse_domain::legal::Feedback;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};
use crate::{Result, StoreError};

/// The most open reports kept: past it, new reports are refused with a message that names the
/// e-mail route, so that a flood cannot grow the table without bound.
pub const MOST_OPEN: i64 = 1_000;

/// How long a handled report is kept.
pub const KEPT_AFTER_HANDLING_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// A report as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Report {
    pub id: String,
    pub received_at: i64,
    pub locale: String,
    pub page: String,
    pub message: String,
    pub contact: String,
    pub handled_at: Option<i64>,
    pub handled_by: Option<String>,
}

/// Whether a report was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Kept,
    /// Too many open reports: nothing was stored.
    Full,
}

/// Keeps a report sent from the public page in `locale`. Not audited: nobody on the staff did
/// anything; the report itself is the record.
pub async fn receive(db: &Db, feedback: &Feedback, locale: &str, now: i64) -> Result<Received> {
    let id = crate::new_id();
    db.write_exempt(async |t| {
        let open: i64 = tx!(t, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM accessibility_feedback WHERE handled_at IS NULL"
        )
        .fetch_one(c)
        .await)?;
        if open >= MOST_OPEN {
            return Ok(Received::Full);
        }
        tx!(t, |c| sqlx::query(
            "INSERT INTO accessibility_feedback (id, received_at, locale, page, message, contact) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(&id)
        .bind(now)
        .bind(locale)
        .bind(&feedback.page)
        .bind(&feedback.message)
        .bind(&feedback.contact)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(Received::Kept)
    })
    .await
}

/// The open reports, oldest first, then the handled ones, newest first (at most `limit` each).
/// A report can hold an e-mail address and whatever its writer typed: every read is recorded in
/// the access log.
pub async fn list(db: &Db, actor: &Actor, limit: i64, now: i64) -> Result<Vec<Report>> {
    let open: Vec<Report> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, received_at, locale, page, message, contact, handled_at, handled_by \
             FROM accessibility_feedback WHERE handled_at IS NULL ORDER BY received_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(c)
        .await
    })?;
    let handled: Vec<Report> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, received_at, locale, page, message, contact, handled_at, handled_by \
             FROM accessibility_feedback WHERE handled_at IS NOT NULL \
             ORDER BY handled_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(c)
        .await
    })?;
    let reports: Vec<Report> = open.into_iter().chain(handled).collect();
    for r in &reports {
        db.access_log()
            .record(actor, now, Entity::AccessibilityFeedback, &r.id)
            .await;
    }
    Ok(reports)
}

/// Marks a report handled (audited).
pub async fn mark_handled(tx: &mut Tx, actor: &Actor, id: &str, now: i64) -> Result<()> {
    let changed = tx!(tx, |c| sqlx::query(
        "UPDATE accessibility_feedback SET handled_at = $2, handled_by = $3 \
         WHERE id = $1 AND handled_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(&actor.name)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(
        Event::new(
            actor,
            now,
            Entity::AccessibilityFeedback,
            Action::Update,
            id,
        )
        .with(json!({ "handled": true })),
    );
    Ok(())
}

/// Marks every open report handled at once (audited as one act): what admins do after a flood of
/// nonsense, which would otherwise keep the form closed ([`MOST_OPEN`]). Returns how many.
pub async fn mark_all_handled(tx: &mut Tx, actor: &Actor, now: i64) -> Result<u64> {
    let changed = tx!(tx, |c| {
        sqlx::query(
        "UPDATE accessibility_feedback SET handled_at = $1, handled_by = $2 WHERE handled_at IS NULL"
    )
    .bind(now)
    .bind(&actor.name)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        tx.nothing_changed();
        return Ok(0);
    }
    tx.record(
        Event::new(
            actor,
            now,
            Entity::AccessibilityFeedback,
            Action::Update,
            "all_open",
        )
        .with(json!({ "handled": changed })),
    );
    Ok(changed)
}

/// Removes reports handled more than [`KEPT_AFTER_HANDLING_MS`] ago; returns how many. A
/// clean-up by the schedule, not anyone's act: not audited, like the other purges.
pub async fn prune(db: &Db, now: i64) -> Result<u64> {
    db.purge(
        "DELETE FROM accessibility_feedback WHERE handled_at < $1",
        now - KEPT_AFTER_HANDLING_MS,
    )
    .await
}
