//! Figures computed by the database: counts and distributions over many rows, where reading the
//! rows into the program would cost more than the answer. The place for SQL that differs per
//! backend (PostgreSQL has `percentile_cont`; SQLite computes the same with window functions):
//! each function answers the same on both, which the store tests check against one oracle.
//!
//! What may be shown of such figures is decided by the statistics rule in
//! [`lotse_domain::statistics`]: a distribution of fewer than [`MIN_GROUP`] values is not shown.

use serde::Serialize;

use crate::Result;
use crate::db::{Backend, Db, Value, bind_values, read};
use crate::paging::Query;

pub use lotse_domain::statistics::{Shown, suppress_column, suppress_table};

/// The fewest values a distribution may be shown from: below that, a median is one person's or
/// one organisation's own figure.
pub const MIN_GROUP: i64 = 5;

/// A distribution of durations in days: how many values, their median and 90th percentile
/// (continuous, interpolated between neighbours as `percentile_cont` does).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Durations {
    pub count: i64,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Durations {
    /// The figures as they may be shown: `None` for a group smaller than [`MIN_GROUP`].
    pub fn shown(&self) -> Option<(f64, f64)> {
        if self.count < MIN_GROUP {
            return None;
        }
        Some((self.median?, self.p90?))
    }
}

/// The continuous percentile `fraction` (0 to 1) of the column `v` that `values` (a `SELECT …
/// AS v FROM …`, whose placeholders `q` binds) yields; `None` when it yields no row.
pub(crate) async fn percentile(
    db: &Db,
    values: &str,
    mut q: Query,
    fraction: f64,
) -> Result<Option<f64>> {
    let f = q.bind(Value::Real(fraction.clamp(0.0, 1.0)));
    let sql = match db.backend() {
        Backend::Postgres => format!(
            "SELECT percentile_cont({f}) WITHIN GROUP (ORDER BY v) FROM \
             (SELECT CAST(v AS DOUBLE PRECISION) AS v FROM ({values}) AS source WHERE v IS NOT NULL) AS s"
        ),
        // Position p = f·(n−1) among the sorted values; the result lies between the values at
        // floor(p) and the next one, as PostgreSQL computes it.
        Backend::Sqlite => format!(
            "WITH s AS (SELECT CAST(v AS REAL) AS v, ROW_NUMBER() OVER (ORDER BY v) - 1 AS i, \
                 COUNT(*) OVER () AS n FROM ({values}) AS source WHERE v IS NOT NULL), \
             p AS (SELECT {f} * (n - 1) AS pos, n FROM s LIMIT 1) \
             SELECT lo.v + (p.pos - lo.i) * (hi.v - lo.v) FROM p \
             JOIN s AS lo ON lo.i = CAST(p.pos AS INTEGER) \
             JOIN s AS hi ON hi.i = MIN(CAST(p.pos AS INTEGER) + 1, p.n - 1)"
        ),
    };
    let sql = sqlx::AssertSqlSafe(sql);
    let value: Option<Option<f64>> = read!(db, |c| {
        bind_values!(sqlx::query_scalar(sql), &q.values)
            .fetch_optional(c)
            .await
    })?;
    Ok(value.flatten())
}

/// Count, median and 90th percentile of `values` (see [`percentile`]).
pub(crate) async fn durations(
    db: &Db,
    values: &str,
    bind: impl Fn(&mut Query),
) -> Result<Durations> {
    let mut q = Query::default();
    bind(&mut q);
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(v) FROM ({values}) AS source"));
    let count: i64 = read!(db, |c| {
        bind_values!(sqlx::query_scalar(sql), &q.values)
            .fetch_one(c)
            .await
    })?;
    let at = |fraction: f64| {
        let mut q = Query::default();
        bind(&mut q);
        percentile(db, values, q, fraction)
    };
    let median = at(0.5).await?;
    let p90 = at(0.9).await?;
    Ok(Durations { count, median, p90 })
}

/// Days from a review round's opening to each submitted report (submitted, returned or
/// accepted; a returned and resubmitted report counts from its latest submission).
pub async fn report_turnaround(db: &Db, round_id: &str) -> Result<Durations> {
    durations(
        db,
        "SELECT (u.submitted_at - r.opened_at) / 86400000.0 AS v FROM review_updates u \
         JOIN review_rounds r ON r.id = u.round_id \
         WHERE u.round_id = $1 AND u.submitted_at IS NOT NULL",
        |q| {
            q.bind(Value::Text(round_id.to_owned()));
        },
    )
    .await
}

/// The days between two `Date` columns, per backend.
pub(crate) fn days_between(db: &Db, from: &str, to: &str) -> String {
    match db.backend() {
        Backend::Sqlite => format!("(julianday({to}) - julianday({from}))"),
        Backend::Postgres => format!("(CAST({to} AS DATE) - CAST({from} AS DATE))"),
    }
}

/// The percentile of any list of numbers, for the tests that hold both backends to one answer.
#[doc(hidden)]
pub async fn percentile_of(db: &Db, numbers: &[f64], fraction: f64) -> Result<Option<f64>> {
    let mut q = Query::default();
    let values = if numbers.is_empty() {
        "SELECT 0.0 AS v WHERE 1 = 0".to_owned()
    } else {
        let rows: Vec<String> = numbers
            .iter()
            .map(|n| format!("SELECT {} AS v", q.bind(Value::Real(*n))))
            .collect();
        rows.join(" UNION ALL ")
    };
    percentile(db, &values, q, fraction).await
}

mod case_figures;
pub mod school_waiting;
pub mod snapshots;

pub use case_figures::{
    CaseFigure, Counted, Figure, FigureLine, case_figure, case_figures, count_case_figures,
};
