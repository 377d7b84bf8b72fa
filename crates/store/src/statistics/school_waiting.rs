//! Waiting times of the first school counselling (decision 0018): how long newly arrived
//! children wait from arrival (or, where unknown, registration) to the counselling and to the
//! school assignment, per counselling site and per town. Counts go through the statistics
//! rule; a median is shown only from [`MIN_GROUP`] children on. No child is named or read
//! one by one: this is evidence for the steering group and the committee.

use lotse_domain::Date;

use super::{Durations, MIN_GROUP, Shown, days_between, durations, suppress_column};
use crate::Result;
use crate::db::{Db, Value, read};
use crate::paging::Query;

/// One line of the table: a site or a town.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingLine {
    pub key: String,
    pub name: String,
    /// Children registered in the period (accepted registrations).
    pub registered: Shown,
    pub counselled: Shown,
    /// Days from arrival to the counselling: median and 90th percentile, from five children on.
    pub to_counselling: Option<(f64, f64)>,
    pub assigned: Shown,
    /// Days from arrival to the school assignment.
    pub to_school: Option<(f64, f64)>,
    /// Still without a school place today.
    pub waiting: Shown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaitingFigures {
    pub from: Date,
    pub to: Date,
    pub by_site: Vec<WaitingLine>,
    /// The district's line under the site table, suppressed together with it.
    pub by_site_total: WaitingLine,
    pub by_town: Vec<WaitingLine>,
    /// The district's line under the town table: its own suppression, since which total must
    /// be hidden depends on the lines above it.
    pub by_town_total: WaitingLine,
}

/// What a group is: all children, those of one site, those of one town.
#[derive(Clone, Copy)]
enum Group<'a> {
    All,
    Site(&'a str),
    Town(&'a str),
}

/// The children of accepted registrations made in the period, in `group`, as a FROM clause
/// over `c` (child) and `r` (registration) whose placeholders `q` binds.
fn children_of(q: &mut Query, from: Date, to: Date, group: Group<'_>) -> String {
    let f = q.bind(Value::Text(from.to_string()));
    let t = q.bind(Value::Text(to.to_string()));
    let mut sql = format!(
        "FROM school_children c JOIN school_registrations r ON r.id = c.registration_id \
         WHERE r.review = 'accepted' AND r.registered_on >= {f} AND r.registered_on <= {t}"
    );
    match group {
        Group::All => {}
        Group::Site(ags) => {
            let p = q.bind(Value::Text(ags.to_owned()));
            sql.push_str(&format!(" AND r.site_ags = {p}"));
        }
        Group::Town(ags) => {
            let p = q.bind(Value::Text(ags.to_owned()));
            sql.push_str(&format!(" AND r.town_ags = {p}"));
        }
    }
    sql
}

/// The first day a child reached `status`, as a scalar subquery.
fn first_step(status: &str) -> String {
    format!(
        "(SELECT MIN(s.on_date) FROM school_child_steps s WHERE s.child_id = c.id \
         AND s.status = '{status}')"
    )
}

#[derive(Default)]
struct Raw {
    registered: i64,
    counselled: i64,
    assigned: i64,
    waiting: i64,
    to_counselling: Option<Durations>,
    to_school: Option<Durations>,
}

async fn raw(db: &Db, from: Date, to: Date, group: Group<'_>) -> Result<Raw> {
    let mut q = Query::default();
    let children = children_of(&mut q, from, to, group);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {a} IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN c.status IN ('reported', 'invited', 'appointment', \
             'counselled', 'transmitted') THEN 1 ELSE 0 END), 0) AS BIGINT) {children}",
        c = first_step("counselled"),
        a = first_step("assigned"),
    ));
    let (registered, counselled, assigned, waiting): (i64, i64, i64, i64) =
        read!(db, |conn| crate::db::bind_values!(
            sqlx::query_as(sql),
            &q.values
        )
        .fetch_one(conn)
        .await)?;
    let since = "COALESCE(r.arrival_date, r.registered_on)";
    let to_step = async |status: &str| -> Result<Option<Durations>> {
        let mut template = Query::default();
        let from_clause = children_of(&mut template, from, to, group);
        let values = format!(
            "SELECT {} AS v {from_clause} AND {} IS NOT NULL",
            days_between(db, since, &first_step(status)),
            first_step(status)
        );
        let d = durations(db, &values, |q| {
            children_of(q, from, to, group);
        })
        .await?;
        Ok(Some(d))
    };
    let to_counselling = to_step("counselled").await?;
    let to_school = to_step("assigned").await?;
    Ok(Raw {
        registered,
        counselled,
        assigned,
        waiting,
        to_counselling,
        to_school,
    })
}

fn shown(d: Option<Durations>) -> Option<(f64, f64)> {
    d.filter(|d| d.count >= MIN_GROUP).and_then(|d| d.shown())
}

/// The waiting times of the children registered from `from` to `to`, per site and per town.
pub async fn waiting_times(db: &Db, from: Date, to: Date) -> Result<WaitingFigures> {
    let sites: Vec<(String, String)> = read!(db, |c| sqlx::query_as(
        "SELECT ags, name FROM towns WHERE first_counselling_site = TRUE ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    let towns: Vec<(String, String)> = read!(db, |c| sqlx::query_as(
        "SELECT ags, name FROM towns ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    let total = raw(db, from, to, Group::All).await?;
    let mut site_raw = Vec::new();
    for (ags, _) in &sites {
        site_raw.push(raw(db, from, to, Group::Site(ags)).await?);
    }
    let mut town_raw = Vec::new();
    for (ags, _) in &towns {
        town_raw.push(raw(db, from, to, Group::Town(ags)).await?);
    }
    let total_line = |total: &Raw| WaitingLine {
        key: String::new(),
        name: "Kreis Warendorf".to_owned(),
        registered: Shown::Count(0),
        counselled: Shown::Count(0),
        to_counselling: shown(total.to_counselling),
        assigned: Shown::Count(0),
        to_school: shown(total.to_school),
        waiting: Shown::Count(0),
    };
    let mut by_site_total = total_line(&total);
    let by_site = lines(&sites, &site_raw, &mut by_site_total);
    let mut by_town_total = total_line(&total);
    let by_town = lines(&towns, &town_raw, &mut by_town_total);
    Ok(WaitingFigures {
        from,
        to,
        by_site,
        by_site_total,
        by_town,
        by_town_total,
    })
}

/// The lines of one table, each count column through the statistics rule with its total
/// (which lands in `total`).
fn lines(groups: &[(String, String)], raw: &[Raw], total: &mut WaitingLine) -> Vec<WaitingLine> {
    let column = |pick: fn(&Raw) -> i64| -> (Vec<Shown>, Shown) {
        suppress_column(&raw.iter().map(pick).collect::<Vec<_>>())
    };
    let (registered, registered_total) = column(|r| r.registered);
    let (counselled, counselled_total) = column(|r| r.counselled);
    let (assigned, assigned_total) = column(|r| r.assigned);
    let (waiting, waiting_total) = column(|r| r.waiting);
    total.registered = registered_total;
    total.counselled = counselled_total;
    total.assigned = assigned_total;
    total.waiting = waiting_total;
    groups
        .iter()
        .zip(raw)
        .enumerate()
        .map(|(i, ((key, name), r))| WaitingLine {
            key: key.clone(),
            name: name.clone(),
            registered: registered[i],
            counselled: counselled[i],
            to_counselling: shown(r.to_counselling),
            assigned: assigned[i],
            to_school: shown(r.to_school),
            waiting: waiting[i],
        })
        .collect()
}
