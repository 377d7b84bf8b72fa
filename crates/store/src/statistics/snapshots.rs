//! Case figures counted ahead (decision 0012, "Case figures are served from snapshots").
//!
//! Counting the nine figures means reading every case's history in the period: milliseconds in
//! a small district, half a minute at a million persons. Where counting is cheap it is done on
//! every view, so the figures are exact to the last entry. Where it is not, the page and the API
//! answer from the last count of the same period and say when it was made ("Stand"); a count
//! older than [`FRESH_FOR_MS`] is repeated in the background, and the `case-figures` job keeps
//! the periods the page offers counted before anyone asks.
//!
//! The snapshots hold raw counts; the statistics rule is applied each time they are shown
//! ([`Counted::shown`]), so there is one way out for a count, whatever its source.

use std::time::Instant;

use lotse_domain::Date;

use super::{Counted, count_case_figures};
use crate::Result;
use crate::db::{Db, day_of, read, tx};

/// Counting that took less than this is repeated on each view instead of being served from a
/// snapshot: the figures are then always exact and nothing has to be kept fresh.
pub const WORTH_KEEPING_MS: i64 = 500;

/// A snapshot of a period that reaches the day it was counted on (so entries made since may
/// change it) is counted again once it is older than this. Half an hour: at a million persons
/// the three usual periods reaching today cost two minutes of both cores to count, so more
/// often would take a noticeable share of a small server for figures read at meetings.
pub const FRESH_FOR_MS: i64 = 30 * 60 * 1000;

/// A snapshot of a period that had ended when it was counted changes only through entries made
/// afterwards about the past: counted again once a day.
pub const PAST_FRESH_FOR_MS: i64 = 24 * 60 * 60 * 1000;

/// Snapshots nobody asked for again (neither a view nor the job) for this long are removed.
pub const KEPT_FOR_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The nine figures of one period as counted at `computed_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub from: Date,
    pub to: Date,
    pub computed_at: i64,
    pub took_ms: i64,
    pub figures: Vec<Counted>,
}

impl Snapshot {
    /// Was counting slow enough that views should be served from this snapshot?
    pub fn worth_keeping(&self) -> bool {
        self.took_ms >= WORTH_KEEPING_MS
    }

    /// Should the period be counted again?
    pub fn is_stale(&self, now: i64) -> bool {
        let complete = day_of(self.computed_at) > self.to;
        let fresh_for = if complete {
            PAST_FRESH_FOR_MS
        } else {
            FRESH_FOR_MS
        };
        now - self.computed_at > fresh_for
    }
}

/// What a view of the figures of a period does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Show the stored snapshot; when `refresh`, count the period again in the background.
    Serve { refresh: bool },
    /// Count now, in the request, and keep the count.
    CountNow,
    /// Counting takes long here and nothing is stored for the period: count in the background
    /// and tell the reader the figures are on their way.
    CountInBackground,
}

/// Decides how a view gets its figures: from `stored` (the period's snapshot, if any), given how
/// long the latest count of any period took here (`last_took_ms`). `may_wait` is for callers
/// that rather wait than get no figures (the API, the workbook).
pub fn plan(
    stored: Option<&Snapshot>,
    last_took_ms: Option<i64>,
    now: i64,
    may_wait: bool,
) -> Plan {
    match stored {
        Some(s) if s.worth_keeping() => Plan::Serve {
            refresh: s.is_stale(now),
        },
        _ if may_wait => Plan::CountNow,
        _ if last_took_ms.is_some_and(|ms| ms >= WORTH_KEEPING_MS) => Plan::CountInBackground,
        _ => Plan::CountNow,
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    period_from: String,
    period_to: String,
    computed_at: i64,
    took_ms: i64,
    figures: String,
}

impl Row {
    /// `None` for a row this version cannot read (written by another version): it is counted
    /// again rather than shown wrong.
    fn snapshot(self) -> Option<Snapshot> {
        Some(Snapshot {
            from: Date::parse(&self.period_from)?,
            to: Date::parse(&self.period_to)?,
            computed_at: self.computed_at,
            took_ms: self.took_ms,
            figures: serde_json::from_str(&self.figures).ok()?,
        })
    }
}

/// The stored snapshot of the period, if there is one.
pub async fn stored(db: &Db, from: Date, to: Date) -> Result<Option<Snapshot>> {
    let row: Option<Row> = read!(db, |c| {
        sqlx::query_as(
            "SELECT period_from, period_to, computed_at, took_ms, figures FROM case_figure_snapshots \
             WHERE period_from = $1 AND period_to = $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_optional(c)
        .await
    })?;
    Ok(row.and_then(Row::snapshot))
}

/// The period's stored snapshot, and how long counting took: that snapshot's count, or where
/// there is none the most recent count of any period (what [`plan`] decides by).
pub async fn stored_with_cost(
    db: &Db,
    from: Date,
    to: Date,
) -> Result<(Option<Snapshot>, Option<i64>)> {
    let stored = stored(db, from, to).await?;
    let took_ms = match &stored {
        Some(s) => Some(s.took_ms),
        None => last_took_ms(db).await?,
    };
    Ok((stored, took_ms))
}

/// How long the most recent count of any period took: a stand-in for what the next will cost.
pub async fn last_took_ms(db: &Db) -> Result<Option<i64>> {
    Ok(read!(db, |c| {
        sqlx::query_scalar(
            "SELECT took_ms FROM case_figure_snapshots ORDER BY computed_at DESC LIMIT 1",
        )
        .fetch_optional(c)
        .await
    })?)
}

/// Counts the nine figures of the period now and keeps them, replacing an earlier count. `now`
/// is when counting starts: the "Stand" the snapshot claims, which entries made while it counts
/// may already be part of but need not be.
pub async fn count_and_keep(db: &Db, from: Date, to: Date, now: i64) -> Result<Snapshot> {
    let started = Instant::now();
    let figures = count_case_figures(db, from, to).await?;
    let snapshot = Snapshot {
        from,
        to,
        computed_at: now,
        took_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        figures,
    };
    keep(db, &snapshot).await?;
    Ok(snapshot)
}

/// Stores a snapshot. Derived counts, not a person's data: no audit event (what they count was
/// audited when it was written).
async fn keep(db: &Db, s: &Snapshot) -> Result<()> {
    let figures = serde_json::to_string(&s.figures)
        .map_err(|e| crate::StoreError::Config(format!("case figures not stored: {e}")))?;
    db.write_exempt(async |t| {
        tx!(t, |c| sqlx::query(
            "INSERT INTO case_figure_snapshots (period_from, period_to, computed_at, took_ms, figures) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period_from, period_to) DO UPDATE SET \
             computed_at = excluded.computed_at, took_ms = excluded.took_ms, figures = excluded.figures"
        )
        .bind(s.from.to_string())
        .bind(s.to.to_string())
        .bind(s.computed_at)
        .bind(s.took_ms)
        .bind(&figures)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// Removes the snapshots not counted again for [`KEPT_FOR_MS`]; returns how many.
pub async fn prune(db: &Db, now: i64) -> Result<u64> {
    db.purge(
        "DELETE FROM case_figure_snapshots WHERE computed_at < $1",
        now - KEPT_FOR_MS,
    )
    .await
}

/// The periods the statistics page offers besides any the reader types, as of `today`: this
/// year and last year, this month and last month, the last twelve months. The page links them
/// and the `case-figures` job keeps them counted.
pub fn usual_periods(today: Date) -> Vec<(&'static str, Date, Date)> {
    let year_start = Date::new(today.year(), 1, 1);
    let last_year = today
        .year()
        .checked_sub(1)
        .and_then(|y| Some((Date::new(y, 1, 1)?, Date::new(y, 12, 31)?)));
    let month_start = Date::new(today.year(), today.month(), 1);
    let last_month = month_start.and_then(|m| {
        let end = m.add_days(-1)?;
        Some((Date::new(end.year(), end.month(), 1)?, end))
    });
    let twelve_months = today
        .years_back(1)
        .and_then(|d| d.add_days(1))
        .map(|start| (start, today));
    let mut out = Vec::new();
    if let Some(start) = year_start {
        out.push(("dieses Jahr", start, today));
    }
    if let Some((from, to)) = last_year {
        out.push(("Vorjahr", from, to));
    }
    if let Some(start) = month_start {
        out.push(("dieser Monat", start, today));
    }
    if let Some((from, to)) = last_month {
        out.push(("Vormonat", from, to));
    }
    if let Some((from, to)) = twelve_months {
        out.push(("letzte 12 Monate", from, to));
    }
    out
}
