//! The hand-off monitor and the case manager's day (decision 0012, slice 5): hand-offs past
//! their target and follow-ups that are due, found by indexed queries within the viewer's
//! scope. The case manager sees their own cases by name; the coordination sees every overdue
//! hand-off under its pseudonym, so that a stuck hand-off is chased the day it gets stuck.

use lotse_domain::Date;
use lotse_domain::case::ReleaseScope;
use serde_json::json;

use super::Cases;
use crate::Result;
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, Value, bind_values, read, tx};
use crate::paging::{Count, Query};

/// An open hand-off past its target, with its case as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct OverdueHandoff {
    pub id: String,
    pub case_id: String,
    pub pseudonym: String,
    /// `None` where the viewer sees the case pseudonymously (not read).
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub town_ags: Option<String>,
    pub handoff_type: String,
    pub started_on: Date,
    pub target_days: i64,
    pub due_on: Date,
}

impl OverdueHandoff {
    pub fn shown_name(&self) -> String {
        super::shown_name(
            self.family_name.as_deref(),
            self.given_names.as_deref(),
            &self.pseudonym,
        )
    }

    pub fn days_over(&self, today: Date) -> i64 {
        self.due_on.days_until(today)
    }
}

/// A follow-up that is due, on one of the viewer's own cases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct DueFollowUp {
    pub id: String,
    pub case_id: String,
    pub family_name: String,
    pub given_names: String,
    pub due_on: Date,
    pub subject: String,
}

impl DueFollowUp {
    /// "Family, Given": follow-ups are listed only on cases the viewer sees whole.
    pub fn shown_name(&self) -> String {
        super::shown_name(Some(&self.family_name), Some(&self.given_names), "")
    }
}

impl Cases<'_> {
    /// The first `limit` rows of `SELECT {columns} {from}` under `q` in `order`, and how many
    /// there are (counted up to [`Count::UP_TO`], as every list counts: this feeds the start
    /// page). One statement for both: the rows up to the bound are found once and materialised,
    /// then counted and the first ones handed out; as two statements the scope's look-ups ran
    /// twice (at a million persons two thirds of the start page's time). Each case shown is
    /// recorded in the access log.
    #[allow(clippy::too_many_arguments)]
    async fn first_and_count<T>(
        &self,
        columns: &str,
        from: &str,
        mut q: Query,
        order: &str,
        limit: i64,
        now: i64,
        case_of: fn(&T) -> String,
    ) -> Result<(Vec<T>, Count)>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let bound = q.bind(Value::Int(Count::UP_TO + 1));
        // At least one row comes back, as it carries the count.
        let limit_sql = q.bind(Value::Int(limit.max(1)));
        // The order again, by the names the columns have in `hits` ("h.due_on" is "due_on").
        let outer_order: Vec<&str> = order
            .split(',')
            .map(|c| c.trim().rsplit('.').next().unwrap_or_default())
            .collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "WITH hits AS MATERIALIZED (SELECT {columns} {from}{} ORDER BY {order} LIMIT {bound}) \
             SELECT hits.*, (SELECT COUNT(*) FROM hits) AS total_hits FROM hits ORDER BY {} LIMIT {limit_sql}",
            q.where_clause(),
            outer_order.join(", ")
        ));
        let found: Vec<(T, i64)> = read!(self.db, |c| {
            use sqlx::Row;
            let rows = bind_values!(sqlx::query(sql), &q.values)
                .fetch_all(c)
                .await?;
            rows.iter()
                .map(|r| Ok((T::from_row(r)?, r.try_get::<i64, _>("total_hits")?)))
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        })?;
        let count = Count::of(found.first().map_or(0, |(_, n)| *n));
        let shown = usize::try_from(limit).unwrap_or(0);
        let found: Vec<T> = found.into_iter().take(shown).map(|(t, _)| t).collect();
        self.log_case_reads(found.iter().map(case_of).collect(), now)
            .await;
        Ok((found, count))
    }

    /// Open hand-offs whose target day lies before `today`, longest overdue first, at most
    /// `limit`, and how many there are in all.
    pub async fn overdue_handoffs(
        &self,
        today: Date,
        limit: i64,
        now: i64,
    ) -> Result<(Vec<OverdueHandoff>, Count)> {
        let mut q = Query::default();
        let scope = self.scope(&mut q, now);
        // Hand-offs are part of the plan: a release that does not name it does not show them.
        q.and(scope.any.clone());
        q.and(scope.shows(ReleaseScope::Plan));
        let identity = scope.reads(ReleaseScope::Identity);
        let residence = scope.shows(ReleaseScope::Residence);
        q.and("h.completed_on IS NULL");
        let t = q.bind(Value::Text(today.to_string()));
        q.and(format!("h.due_on < {t}"));
        let columns = format!(
            "h.id, h.case_id, p.pseudonym, \
             CASE WHEN {identity} THEN p.family_name END AS family_name, \
             CASE WHEN {identity} THEN p.given_names END AS given_names, \
             CASE WHEN {residence} THEN p.town_ags END AS town_ags, h.handoff_type, h.started_on, h.target_days, h.due_on"
        );
        let from = scope.own_cases_first(
            &mut q,
            "handoffs h",
            "JOIN cases c ON c.id = h.case_id JOIN persons p ON p.id = c.person_id",
            "h.case_id",
        );
        self.first_and_count(
            &columns,
            &from,
            q,
            "h.due_on, h.id",
            limit,
            now,
            |h: &OverdueHandoff| h.case_id.clone(),
        )
        .await
    }

    /// Open follow-ups due on or before `until` on the cases the viewer sees whole (their own
    /// and those they stand in for), earliest first, at most `limit`, and how many in all.
    pub async fn due_follow_ups(
        &self,
        until: Date,
        limit: i64,
        now: i64,
    ) -> Result<(Vec<DueFollowUp>, Count)> {
        let mut q = Query::default();
        let scope = self.scope(&mut q, now);
        q.and(scope.whole.clone());
        q.and("f.done_on IS NULL");
        let u = q.bind(Value::Text(until.to_string()));
        q.and(format!("f.due_on <= {u}"));
        let from = scope.own_cases_first(
            &mut q,
            "case_follow_ups f",
            "JOIN cases c ON c.id = f.case_id JOIN persons p ON p.id = c.person_id",
            "f.case_id",
        );
        self.first_and_count(
            "f.id, f.case_id, p.family_name, p.given_names, f.due_on, f.subject",
            &from,
            q,
            "f.due_on, f.id",
            limit,
            now,
            |f: &DueFollowUp| f.case_id.clone(),
        )
        .await
    }
}

/// A hand-off that became overdue and whose case manager has not been told yet: what the daily
/// monitor job mails (pseudonym and type only: mail is no place for names).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UntoldHandoff {
    pub id: String,
    pub case_id: String,
    pub pseudonym: String,
    pub handoff_type: String,
    pub due_on: Date,
    pub owner_user_id: String,
    pub owner_email: String,
    pub owner_name: String,
}

/// Overdue hand-offs not yet told to their case manager, at most `limit` (the job runs again).
pub async fn untold_overdue_handoffs(
    db: &Db,
    today: Date,
    limit: i64,
) -> Result<Vec<UntoldHandoff>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT h.id, h.case_id, p.pseudonym, h.handoff_type, h.due_on, c.owner_user_id, \
             u.email AS owner_email, u.display_name AS owner_name \
             FROM handoffs h JOIN cases c ON c.id = h.case_id JOIN persons p ON p.id = c.person_id \
             JOIN users u ON u.id = c.owner_user_id \
             WHERE h.completed_on IS NULL AND h.due_on < $1 AND h.reminded_on IS NULL \
             ORDER BY h.due_on, h.id LIMIT $2",
        )
        .bind(today)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// Marks hand-offs as told on `today`, so that the job mails each once.
pub async fn mark_handoffs_told(
    tx: &mut Tx,
    actor: &Actor,
    told: &[(String, String)],
    today: Date,
    now: i64,
) -> Result<()> {
    for (case_id, handoff_id) in told {
        tx!(&mut *tx, |c| {
            sqlx::query("UPDATE handoffs SET reminded_on = $2 WHERE id = $1")
                .bind(handoff_id)
                .bind(today)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        tx.record(
            Event::new(actor, now, Entity::Case, Action::Update, case_id)
                .with(json!({ "handoff_overdue_told": handoff_id })),
        );
    }
    Ok(())
}
