//! Review rounds (Überprüfungsrunden): the lead organisation of each measure reports its state as
//! of a reference date, the coordination accepts or returns each update, and closing the round
//! freezes a snapshot for the committee report.

use lotse_domain::Date;
use lotse_domain::FieldErrors;
use lotse_domain::collation::sort_key;
use lotse_domain::ids::{OrganisationId, ReportId, RoundId};
use lotse_domain::measure::{Adaptation, MeasureStatus};
use lotse_domain::validation::{optional_multiline, required_text};
use serde::Serialize;
use serde_json::json;

use lotse_domain::access::{Action as Act, Record};

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, Value, new_id, on_missing_reference, read, tx};
use crate::measures;
use crate::notifications;
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Scoped, Viewer, require};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Round {
    pub id: String,
    pub title: String,
    pub reference_date: Date,
    /// "open" or "closed"
    pub state: String,
    pub fictitious: bool,
    pub opened_at: i64,
    pub opened_by: String,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    /// The day by which the organisations are asked to report (the last day it counts as on
    /// time). Rounds opened before deadlines existed have none.
    pub submission_deadline: Option<Date>,
}

impl Round {
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }

    /// Days from `today` until the deadline: negative once it has passed; `None` without one.
    pub fn days_to_deadline(&self, today: Date) -> Option<i64> {
        self.submission_deadline.map(|d| today.days_until(d))
    }
}

const ROUND_SELECT: &str = "SELECT id, title, reference_date, state, fictitious, opened_at, opened_by, closed_at, closed_by, submission_deadline FROM review_rounds";

pub async fn rounds(db: &Db) -> Result<Vec<Round>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ROUND_SELECT} ORDER BY reference_date DESC, opened_at DESC"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql).fetch_all(c).await)?)
}

/// A round with how far its reports have come: what the API lists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct RoundSummary {
    #[sqlx(flatten)]
    pub round: Round,
    pub missing: i64,
    pub submitted: i64,
    pub returned: i64,
    pub accepted: i64,
}

const ROUND_SUMMARY: &str = "SELECT r.id, r.title, r.reference_date, r.state, r.fictitious, r.opened_at, r.opened_by, \
    r.closed_at, r.closed_by, r.submission_deadline, \
    (SELECT COUNT(*) FROM review_updates u WHERE u.round_id = r.id AND u.state = 'missing') AS missing, \
    (SELECT COUNT(*) FROM review_updates u WHERE u.round_id = r.id AND u.state = 'submitted') AS submitted, \
    (SELECT COUNT(*) FROM review_updates u WHERE u.round_id = r.id AND u.state = 'returned') AS returned, \
    (SELECT COUNT(*) FROM review_updates u WHERE u.round_id = r.id AND u.state = 'accepted') AS accepted \
    FROM review_rounds r";

/// One page of rounds with their progress, in the order they were opened.
pub async fn round_summaries(
    db: &Db,
    state: Option<&str>,
    request: &PageRequest,
) -> Result<Page<RoundSummary>> {
    let mut q = Query::default();
    if let Some(state) = state {
        let s = q.bind(Value::Text(state.to_owned()));
        q.and(format!("r.state = {s}"));
    }
    crate::paging::read_page(
        db,
        ROUND_SUMMARY,
        q,
        &Keyset::by_id("r.id"),
        request,
        |r: &RoundSummary| Keyset::id_cursor(&r.round.id),
    )
    .await
}

/// Every round with its progress, newest reference date first: what the rounds page lists. A
/// district holds one to four rounds a year, so the list is whole; the counts come from the
/// database.
pub async fn all_summaries(db: &Db) -> Result<Vec<RoundSummary>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ROUND_SUMMARY} ORDER BY r.reference_date DESC, r.opened_at DESC"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql).fetch_all(c).await)?)
}

pub async fn round_summary(db: &Db, id: &str) -> Result<RoundSummary> {
    let sql = sqlx::AssertSqlSafe(format!("{ROUND_SUMMARY} WHERE r.id = $1"));
    read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

pub async fn round(db: &Db, id: &str) -> Result<Round> {
    let sql = sqlx::AssertSqlSafe(format!("{ROUND_SELECT} WHERE id = $1"));
    read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

/// The round, read for a write: on PostgreSQL the row is locked until the transaction ends, so a
/// submission or review cannot slip in while the round is being closed (SQLite's `BEGIN
/// IMMEDIATE` already runs writers one at a time).
async fn round_in(tx: &mut Tx, id: &str) -> Result<Round> {
    let lock = tx.for_update();
    let sql = sqlx::AssertSqlSafe(format!("{ROUND_SELECT} WHERE id = $1{lock}"));
    tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

fn closed() -> StoreError {
    StoreError::field(
        "round",
        "Diese Überprüfungsrunde ist abgeschlossen und kann nicht mehr geändert werden.",
    )
}

/// How long the organisations have when the coordination opens a round without naming a
/// deadline (decision 0014): four weeks, long enough to gather figures, short enough to chase.
pub const DEFAULT_DEADLINE_DAYS: i64 = 28;

/// The submission deadline as typed: a real day, not already past on the day `now` falls on (in
/// the district). Left empty, [`DEFAULT_DEADLINE_DAYS`] from that day when `default` is set
/// (opening), else an error (changing).
fn deadline(e: &mut FieldErrors, typed: &str, now: i64, default: bool) -> Option<Date> {
    if typed.trim().is_empty() {
        if default {
            let today = crate::db::day_of(now);
            return Some(today.add_days(DEFAULT_DEADLINE_DAYS).unwrap_or(today));
        }
        e.add(
            "submission_deadline",
            "Bitte eine Abgabefrist angeben (TT.MM.JJJJ).",
        );
        return None;
    }
    let Some(day) = Date::parse(typed) else {
        e.add(
            "submission_deadline",
            format!("„{}“ ist kein Datum (TT.MM.JJJJ).", typed.trim()),
        );
        return None;
    };
    let today = crate::db::day_of(now);
    if day < today {
        e.add(
            "submission_deadline",
            format!(
                "Die Abgabefrist {} liegt in der Vergangenheit; bitte heute ({}) oder später.",
                day.german(),
                today.german()
            ),
        );
        return None;
    }
    Some(day)
}

/// Opens a round for the measures of the given concepts (all concepts if none are given); dropped
/// measures are left out. Each measure's lead organisation (at this moment) is asked to report
/// by `submission_deadline` (empty: [`DEFAULT_DEADLINE_DAYS`] from today).
#[allow(clippy::too_many_arguments)]
pub async fn open(
    tx: &mut Tx,
    actor: &Actor,
    title: &str,
    reference_date: &str,
    submission_deadline: &str,
    concept_ids: &[String],
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let title = required_text(&mut e, "title", title, 200);
    let date = Date::parse(reference_date);
    if date.is_none() {
        e.add(
            "reference_date",
            "Bitte einen Stichtag angeben (TT.MM.JJJJ).",
        );
    }
    let due = deadline(&mut e, submission_deadline, now, true);
    let (Some(date), Some(due)) = (date, due) else {
        return Err(StoreError::Invalid(e));
    };
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO review_rounds (id, title, reference_date, state, fictitious, opened_at, opened_by, submission_deadline) \
             VALUES ($1, $2, $3, 'open', $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&title)
        .bind(date)
        .bind(fictitious)
        .bind(now)
        .bind(&actor.name)
        .bind(due)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let scope: Vec<(String, String, Option<String>)> = tx!(&mut *tx, |c| {
        sqlx::query_as(
            "SELECT id, concept_id, lead_organisation_id FROM measures WHERE status <> 'dropped'",
        )
        .fetch_all(c)
        .await
    })?;
    let mut count = 0;
    let mut scope_orgs = Vec::new();
    for (measure_id, concept_id, lead) in scope {
        if !concept_ids.is_empty() && !concept_ids.contains(&concept_id) {
            continue;
        }
        scope_orgs.extend(lead.clone());
        tx!(&mut *tx, |c| {
            sqlx::query(
                "INSERT INTO review_updates (id, round_id, measure_id, organisation_id, state) VALUES ($1, $2, $3, $4, 'missing')",
            )
            .bind(new_id())
            .bind(&id)
            .bind(&measure_id)
            .bind(lead.as_deref())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        count += 1;
    }
    if count == 0 {
        return Err(StoreError::field(
            "concept_ids",
            "In den gewählten Konzepten gibt es keine Maßnahmen zu überprüfen.",
        ));
    }
    let mut asked: Vec<String> = scope_orgs;
    asked.sort_unstable();
    asked.dedup();
    for org in &asked {
        notifications::notify_organisation(
            tx,
            org,
            lotse_domain::Permission::SubmitReviewUpdates,
            &format!(
                "Neue Überprüfung „{title}“: bitte berichten Sie zum Stichtag {} bis zum {}.",
                date.german(),
                due.german()
            ),
            &format!("/rounds/{id}?state=open#tasks-h"),
            now,
        )
        .await?;
    }
    tx.record(
        Event::new(actor, now, Entity::ReviewRound, Action::Open, &id).with(json!({
            "title": title,
            "reference_date": date,
            "submission_deadline": due,
            "measures": count
        })),
    );
    Ok(id)
}

/// Moves the submission deadline of an open round (usually later, when organisations ask for
/// time). The scheduled reminders start over from the new deadline.
pub async fn set_deadline(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    submission_deadline: &str,
    now: i64,
) -> Result<()> {
    let round = round_in(tx, round_id).await?;
    if !round.is_open() {
        return Err(closed());
    }
    let mut e = FieldErrors::new();
    let Some(due) = deadline(&mut e, submission_deadline, now, false) else {
        return Err(StoreError::Invalid(e));
    };
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE review_rounds SET submission_deadline = $2, deadline_reminded_at = NULL WHERE id = $1",
        )
        .bind(round_id)
        .bind(due)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::ReviewRound, Action::Update, round_id).with(json!({
            "submission_deadline": due,
            "previous_deadline": round.submission_deadline
        })),
    );
    let owing: Vec<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar(
            "SELECT DISTINCT organisation_id FROM review_updates WHERE round_id = $1 \
             AND state IN ('missing', 'returned') AND organisation_id IS NOT NULL ORDER BY organisation_id",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?;
    for org in &owing {
        notifications::notify_organisation(
            tx,
            org,
            lotse_domain::Permission::SubmitReviewUpdates,
            &format!(
                "Die Abgabefrist für „{}“ ist jetzt der {}.",
                round.title,
                due.german()
            ),
            &format!("/rounds/{round_id}?state=open#tasks-h"),
            now,
        )
        .await?;
    }
    Ok(())
}

/// How long before its deadline a round's scheduled reminders start, and how many days lie
/// between two of them at least.
pub const REMINDER_DAYS: i64 = 7;

/// Open rounds whose scheduled reminder is due on `today`: the deadline is at most
/// [`REMINDER_DAYS`] away (or past), and the schedule has not reminded in the last week.
pub async fn due_for_reminder(db: &Db, today: Date, now: i64) -> Result<Vec<Round>> {
    let from = today.add_days(REMINDER_DAYS).unwrap_or(today);
    // A little under a week, so that an hourly job does not slide by an hour each week.
    let since = now - (REMINDER_DAYS * 24 - 1) * 3_600_000;
    let sql = sqlx::AssertSqlSafe(format!(
        "{ROUND_SELECT} WHERE state = 'open' AND submission_deadline IS NOT NULL \
         AND submission_deadline <= $1 AND (deadline_reminded_at IS NULL OR deadline_reminded_at < $2) \
         ORDER BY submission_deadline, id"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(from)
        .bind(since)
        .fetch_all(c)
        .await)?)
}

/// Notes that the schedule reminded for `round_id` now.
pub async fn mark_deadline_reminded(tx: &mut Tx, round_id: &str, now: i64) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query("UPDATE review_rounds SET deadline_reminded_at = $2 WHERE id = $1")
            .bind(round_id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Update {
    pub id: String,
    pub round_id: String,
    pub measure_id: String,
    pub concept: String,
    pub code: String,
    pub title: String,
    pub measure_status: String,
    pub organisation_id: Option<String>,
    pub organisation: Option<String>,
    /// missing, submitted, returned or accepted
    pub state: String,
    pub status: Option<String>,
    pub progress: String,
    pub adaptation: String,
    pub adaptation_reason: String,
    pub submitted_at: Option<i64>,
    pub submitted_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
    pub review_comment: String,
    pub fictitious: bool,
    /// The measure's place in lists (concept, then code): the order and paging key of a round's
    /// reports.
    #[serde(skip)]
    pub list_key: String,
}

impl Update {
    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }

    pub fn status_label(&self) -> &'static str {
        self.status
            .as_deref()
            .and_then(MeasureStatus::parse)
            .map_or("–", MeasureStatus::label)
    }

    pub fn adaptation_label(&self) -> &'static str {
        Adaptation::parse(&self.adaptation).map_or("", Adaptation::label)
    }

    /// Whether the lead organisation can (still) submit.
    pub fn open_for_submission(&self) -> bool {
        matches!(self.state.as_str(), "missing" | "returned" | "submitted")
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "missing" => "ausstehend",
        "submitted" => "eingereicht",
        "returned" => "zurückgegeben",
        "accepted" => "angenommen",
        _ => "",
    }
}

/// The columns of a report, without its paging key (`list_key`), which each order chooses.
const UPDATE_COLUMNS: &str = "SELECT u.id, u.round_id, u.measure_id, c.short_name AS concept, m.code, m.title, \
    m.status AS measure_status, u.organisation_id, o.name AS organisation, u.state, u.status, u.progress, u.adaptation, \
    u.adaptation_reason, u.submitted_at, u.submitted_by, u.reviewed_at, u.reviewed_by, u.review_comment, m.fictitious";
const UPDATE_FROM: &str = " FROM review_updates u JOIN measures m ON m.id = u.measure_id JOIN concepts c ON c.id = m.concept_id \
    LEFT JOIN organisations o ON o.id = u.organisation_id";
/// A report with the catalogue's order as its paging key.
fn update_select() -> String {
    format!("{UPDATE_COLUMNS}, m.list_key{UPDATE_FROM}")
}

/// The orders of a round's report list (the round page's sortable columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportOrder {
    /// By concept and number, as the catalogue counts.
    #[default]
    Number,
    /// By the organisation asked to report (German collation), then number.
    Organisation,
    /// What waits for the coordination first: submitted, returned, missing, accepted; then number.
    State,
}

impl ReportOrder {
    pub const ALL: [ReportOrder; 3] = [
        ReportOrder::Number,
        ReportOrder::Organisation,
        ReportOrder::State,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ReportOrder::Number => "number",
            ReportOrder::Organisation => "organisation",
            ReportOrder::State => "state",
        }
    }

    pub fn parse(text: &str) -> Option<ReportOrder> {
        ReportOrder::ALL.into_iter().find(|o| o.key() == text)
    }

    /// The paging key as SQL: the sort keys written with each row, so that the order is the same
    /// on both backends (organisation keys end in U+0001 and the name, so one organisation's
    /// rows stay together).
    fn key_sql(self) -> &'static str {
        match self {
            ReportOrder::Number => "m.list_key",
            ReportOrder::Organisation => "(COALESCE(o.list_key, '~') || m.list_key)",
            ReportOrder::State => {
                "(CASE u.state WHEN 'submitted' THEN '1' WHEN 'returned' THEN '2' WHEN 'missing' THEN '3' ELSE '4' END || m.list_key)"
            }
        }
    }
}

/// Which reports of a round the round page lists: every condition that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub organisation: Option<String>,
    /// A report state, or "open" for every report not yet accepted.
    pub state: Option<String>,
    /// A field of action's id.
    pub field: Option<String>,
    /// An adaptation need (none, adjust, drop) as reported.
    pub adaptation: Option<String>,
    pub order: ReportOrder,
}

impl ReportFilter {
    /// How many conditions are set (the order is not one).
    pub fn count(&self) -> usize {
        [
            &self.organisation,
            &self.state,
            &self.field,
            &self.adaptation,
        ]
        .iter()
        .filter(|c| c.is_some())
        .count()
    }

    fn conditions(&self, q: &mut Query) {
        if let Some(org) = &self.organisation {
            let o = q.bind(Value::Text(org.clone()));
            q.and(format!("u.organisation_id = {o}"));
        }
        match self.state.as_deref() {
            None => {}
            Some("open") => q.and("u.state <> 'accepted'".to_owned()),
            Some(state) => {
                let s = q.bind(Value::Text(state.to_owned()));
                q.and(format!("u.state = {s}"));
            }
        }
        if let Some(field) = &self.field {
            let f = q.bind(Value::Text(field.clone()));
            q.and(format!("m.field_of_action_id = {f}"));
        }
        if let Some(adaptation) = &self.adaptation {
            let a = q.bind(Value::Text(adaptation.clone()));
            // Only what was reported counts: a missing report has no adaptation need yet.
            q.and(format!("u.adaptation = {a} AND u.state <> 'missing'"));
        }
    }
}

/// The organisations asked to report in a round, by name: the round page's filter choices.
pub async fn round_organisations(db: &Db, round_id: &str) -> Result<Vec<(String, String)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT DISTINCT o.id, o.name, o.list_key FROM review_updates u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.round_id = $1 ORDER BY o.list_key",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?
    .into_iter()
    .map(|(id, name, _): (String, String, String)| (id, name))
    .collect())
}

/// The fields of action of the measures in a round, by concept and name: the round page's filter
/// choices.
pub async fn round_fields(db: &Db, round_id: &str) -> Result<Vec<(String, String)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT DISTINCT f.id, c.short_name, f.name, f.sort_order FROM review_updates u \
             JOIN measures m ON m.id = u.measure_id JOIN fields_of_action f ON f.id = m.field_of_action_id \
             JOIN concepts c ON c.id = f.concept_id WHERE u.round_id = $1",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?
    .into_iter()
    .map(|(id, concept, name, order): (String, String, String, i64)| {
        (sort_key(&concept), order, id, format!("{concept}: {name}"))
    })
    .collect::<std::collections::BTreeSet<_>>()
    .into_iter()
    .map(|(_, _, id, label)| (id, label))
    .collect())
}

fn code_order(u: &Update) -> (String, Vec<(u64, String)>) {
    concept_code_order(&u.concept, &u.code)
}

/// The order of measures by concept, then by code as people count ("2.10" after "2.9").
fn concept_code_order(concept: &str, code: &str) -> (String, Vec<(u64, String)>) {
    let parts = code
        .split(['.', '-', ' ', '/'])
        .map(|p| {
            (
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(u64::MAX),
                sort_key(p),
            )
        })
        .collect();
    (sort_key(concept), parts)
}

/// The updates of a round, by concept and code; only one organisation's when `organisation` is set.
/// The reports of a round still owed (missing or returned), by concept and code: what the
/// reminder names. Selected by state in the database (index review_updates_state).
pub async fn owed_reports(db: &Db, round_id: &str) -> Result<Vec<Update>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE u.round_id = $1 AND u.state IN ('missing', 'returned') \
         ORDER BY m.list_key, u.id",
        update_select()
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(round_id)
        .fetch_all(c)
        .await)?)
}

/// Every report of a round (one per measure of the catalogue): for tests and checks, not for
/// pages, which read [`Reports::of_round`] pages and [`progress_of`] counts.
pub async fn updates(db: &Db, round_id: &str, organisation: Option<&str>) -> Result<Vec<Update>> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE u.round_id = $1", update_select()));
    let mut list: Vec<Update> = read!(db, |c| sqlx::query_as(sql)
        .bind(round_id)
        .fetch_all(c)
        .await)?;
    if let Some(org) = organisation {
        list.retain(|u| u.organisation_id.as_deref() == Some(org));
    }
    list.sort_by_cached_key(code_order);
    Ok(list)
}

/// The ids of a round's updates, inside a transaction (for bulk work such as the benchmark).
pub async fn updates_in(tx: &mut Tx, round_id: &str) -> Result<Vec<String>> {
    Ok(tx!(tx, |c| {
        sqlx::query_scalar("SELECT id FROM review_updates WHERE round_id = $1 ORDER BY id")
            .bind(round_id)
            .fetch_all(c)
            .await
    })?)
}

/// The indicator values reported with an update: (indicator id, value).
pub async fn update_values(db: &Db, update_id: &str) -> Result<Vec<(String, f64)>> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT indicator_id, value FROM review_update_values WHERE update_id = $1")
            .bind(update_id)
            .fetch_all(c)
            .await
    })?)
}

pub async fn update(db: &Db, id: &str) -> Result<Update> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE u.id = $1", update_select()));
    read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

async fn update_in(tx: &mut Tx, id: &str) -> Result<Update> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE u.id = $1", update_select()));
    tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

/// What the lead organisation reports.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UpdateInput {
    pub status: String,
    pub progress: String,
    pub adaptation: String,
    pub adaptation_reason: String,
    /// (indicator id, value as typed) for the measure's indicators; empty values are skipped.
    #[serde(skip)]
    pub values: Vec<(String, String)>,
}

/// The reports of review rounds as one viewer may see them: the coordination all, an organisation
/// those it was asked for, everyone else none (`lotse_domain::access`, record `ReviewReport`).
pub struct Reports<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn reports_for<'a>(db: &'a Db, viewer: &'a Viewer) -> Reports<'a> {
    Reports { db, viewer }
}

impl Reports<'_> {
    /// The scope as SQL over `u.organisation_id`.
    fn scope(&self, bind: &mut impl FnMut(Value) -> String) -> String {
        let (own, other) = self.viewer.decisions(Record::ReviewReport, Act::View);
        let own_org = bind(Value::Text(self.viewer.organisation_id.clone()));
        match (own.allows(), other.allows()) {
            (_, true) => "TRUE".into(),
            (true, false) => format!("u.organisation_id = {own_org}"),
            (false, false) => "FALSE".into(),
        }
    }

    fn scoped(&self, u: Update) -> Scoped<Update> {
        let access = Access::of(
            self.viewer,
            Record::ReviewReport,
            u.organisation_id.as_deref(),
        );
        Scoped { record: u, access }
    }

    /// A page of the reports of a round the viewer may see, under `filter` and in its order. A
    /// round has one report per measure, as many as the catalogue holds.
    pub async fn of_round(
        &self,
        round_id: &str,
        filter: &ReportFilter,
        request: &PageRequest,
    ) -> Result<Page<Scoped<Update>>> {
        let mut q = Query::default();
        let round = q.bind(Value::Text(round_id.to_owned()));
        q.and(format!("u.round_id = {round}"));
        let scope = self.scope(&mut |v| q.bind(v));
        q.and(scope);
        filter.conditions(&mut q);
        let key = filter.order.key_sql();
        let select = format!("{UPDATE_COLUMNS}, {key} AS list_key{UPDATE_FROM}");
        let page = crate::paging::read_page(
            self.db,
            &select,
            q,
            &Keyset {
                key_column: key,
                id_column: "u.id",
            },
            request,
            |u: &Update| Cursor {
                key: u.list_key.clone(),
                id: u.id.clone(),
            },
        )
        .await?;
        Ok(page.map(|u| self.scoped(u)))
    }

    /// One report of a round: not found if it is not in that round or not the viewer's to see.
    pub async fn get(&self, round_id: &RoundId, report_id: &ReportId) -> Result<Scoped<Update>> {
        let u = update(self.db, report_id.as_str()).await?;
        let report = self.scoped(u);
        if report.round_id != round_id.as_str() || !report.access.view.allows() {
            return Err(StoreError::NotFound);
        }
        Ok(report)
    }
}

/// Decides, on the report as it is in this transaction, whether `viewer` may do `action` with it.
fn check(viewer: &Viewer, report: &Update, action: Act) -> Result<()> {
    require(
        viewer,
        Record::ReviewReport,
        report.organisation_id.as_deref(),
        action,
    )
}

/// Submits (or corrects, until it is accepted) the update on a measure: the organisation asked for
/// it, or the coordination (checked here, in the transaction).
pub async fn submit(
    tx: &mut Tx,
    viewer: &Viewer,
    update_id: &ReportId,
    input: &UpdateInput,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let update_id = update_id.as_str();
    let actor = &Actor::from(viewer);
    let asked = update_in(tx, update_id).await?;
    check(viewer, &asked, Act::Change)?;
    let round_id = asked.round_id;
    if !round_in(tx, &round_id).await?.is_open() {
        return Err(closed());
    }
    let current = update_in(tx, update_id).await?;
    if current.state == "accepted" {
        return Err(StoreError::field(
            "state",
            "Dieser Bericht ist schon angenommen.",
        ));
    }
    let mut e = FieldErrors::new();
    let status = MeasureStatus::parse(&input.status);
    if status.is_none() {
        e.add("status", "Bitte den Sachstand zum Stichtag wählen.");
    }
    let progress = optional_multiline(&mut e, "progress", &input.progress, 5_000);
    if progress.is_empty() {
        e.add(
            "progress",
            "Bitte kurz beschreiben, was seit der letzten Überprüfung geschehen ist.",
        );
    }
    let adaptation = match input.adaptation.trim() {
        "" => Some(Adaptation::None),
        a => Adaptation::parse(a),
    };
    if adaptation.is_none() {
        e.add("adaptation", "Erlaubt: keine, anpassen, streichen.");
    }
    let reason = optional_multiline(&mut e, "adaptation_reason", &input.adaptation_reason, 5_000);
    if adaptation.is_some_and(|a| a != Adaptation::None) && reason.is_empty() {
        e.add(
            "adaptation_reason",
            "Bitte begründen Sie den Anpassungsbedarf.",
        );
    }
    let (Some(status), Some(adaptation)) = (status, adaptation) else {
        return Err(StoreError::Invalid(e));
    };
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE review_updates SET state = 'submitted', status = $2, progress = $3, adaptation = $4, adaptation_reason = $5, \
             submitted_at = $6, submitted_by = $7 WHERE id = $1",
        )
        .bind(update_id)
        .bind(status.key())
        .bind(&progress)
        .bind(adaptation.key())
        .bind(&reason)
        .bind(now)
        .bind(&actor.name)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    // Indicator values: only the measure's own indicators, numbers as Germans write them.
    let own: Vec<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT id FROM measure_indicators WHERE measure_id = $1")
            .bind(&current.measure_id)
            .fetch_all(c)
            .await
    })?;
    let mut values = Vec::new();
    let mut value_errors = FieldErrors::new();
    for (indicator, typed) in input.values.iter().filter(|(_, v)| !v.trim().is_empty()) {
        if !own.contains(indicator) {
            return Err(StoreError::NotFound);
        }
        match measures::parse_number(typed) {
            Some(v) => values.push((indicator.clone(), v)),
            None => value_errors.add(
                &format!("value_{indicator}"),
                format!("„{}“ ist keine Zahl.", typed.trim()),
            ),
        }
    }
    if !value_errors.is_empty() {
        return Err(StoreError::Invalid(value_errors));
    }
    tx!(&mut *tx, |c| {
        sqlx::query("DELETE FROM review_update_values WHERE update_id = $1")
            .bind(update_id)
            .execute(&mut *c)
            .await?;
        for (indicator, value) in &values {
            sqlx::query("INSERT INTO review_update_values (update_id, indicator_id, value) VALUES ($1, $2, $3)")
                .bind(update_id)
                .bind(indicator)
                .bind(*value)
                .execute(&mut *c)
                .await?;
        }
    });
    tx.record(Event::new(actor, now, Entity::ReviewUpdate, Action::Submit, update_id).with(json!({ "measure_id": current.measure_id, "status": status.key(), "adaptation": adaptation.key() })));
    // The coordination learns that reports wait: one notification per round while unread.
    let round = round_in(tx, &round_id).await?;
    notifications::notify_holders(
        tx,
        lotse_domain::Permission::ManageReviews,
        &format!("Neue Berichte zur Prüfung in „{}“.", round.title),
        &format!("/rounds/{round_id}?state=submitted#tasks-h"),
        now,
    )
    .await?;
    Ok(())
}

/// The coordination's decision on a submitted update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The update stands; its status becomes the measure's status.
    Accept,
    /// Back to the organisation with a comment, to be corrected.
    Return,
}

/// `seen_submitted_at` is the submission the reviewer looked at: if the organisation has submitted
/// again since, the decision is refused rather than applied to a version nobody read.
pub async fn review(
    tx: &mut Tx,
    viewer: &Viewer,
    update_id: &ReportId,
    decision: Decision,
    comment: &str,
    seen_submitted_at: Option<i64>,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let update_id = update_id.as_str();
    let actor = &Actor::from(viewer);
    let asked = update_in(tx, update_id).await?;
    check(viewer, &asked, Act::Decide)?;
    // The round is locked first, then the update read, so both are current.
    let round_id = asked.round_id;
    let round = round_in(tx, &round_id).await?;
    let current = update_in(tx, update_id).await?;
    if !round.is_open() {
        return Err(closed());
    }
    if seen_submitted_at.is_some() && seen_submitted_at != current.submitted_at {
        return Err(StoreError::field(
            "state",
            "Der Bericht wurde inzwischen neu eingereicht. Bitte die aktuelle Fassung prüfen.",
        ));
    }
    if current.state != "submitted" {
        return Err(StoreError::field(
            "state",
            "Nur eingereichte Berichte können angenommen oder zurückgegeben werden.",
        ));
    }
    let mut e = FieldErrors::new();
    let comment = optional_multiline(&mut e, "review_comment", comment, 5_000);
    if decision == Decision::Return && comment.is_empty() {
        e.add(
            "review_comment",
            "Bitte schreiben Sie, was geändert werden soll.",
        );
    }
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let state = match decision {
        Decision::Accept => "accepted",
        Decision::Return => "returned",
    };
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE review_updates SET state = $2, reviewed_at = $3, reviewed_by = $4, review_comment = $5 WHERE id = $1")
            .bind(update_id)
            .bind(state)
            .bind(now)
            .bind(&actor.name)
            .bind(&comment)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if decision == Decision::Accept {
        let values: Vec<(String, f64)> = tx!(&mut *tx, |c| {
            sqlx::query_as(
                "SELECT indicator_id, value FROM review_update_values WHERE update_id = $1",
            )
            .bind(update_id)
            .fetch_all(c)
            .await
        })?;
        for (indicator, value) in values {
            measures::record_value(
                tx,
                actor,
                &current.measure_id.as_str().into(),
                &indicator.as_str().into(),
                &round.reference_date.to_string(),
                &value.to_string(),
                now,
            )
            .await?;
        }
        let new_status = current.status.as_deref().and_then(MeasureStatus::parse);
        if let Some(new_status) =
            new_status.filter(|s| Some(*s) != MeasureStatus::parse(&current.measure_status))
        {
            measures::set_status(
                tx,
                actor,
                &current.measure_id,
                new_status,
                &format!(
                    "Überprüfung „{}“ (Stichtag {})",
                    round.title,
                    round.reference_date.german()
                ),
                now,
            )
            .await?;
        }
    }
    tx.record(
        Event::new(
            actor,
            now,
            Entity::ReviewUpdate,
            if decision == Decision::Accept {
                Action::Accept
            } else {
                Action::Return
            },
            update_id,
        )
        .with(json!({ "comment": comment })),
    );
    if let Some(org) = &current.organisation_id {
        let report = format!("„{} {} {}“", current.concept, current.code, current.title);
        // A return needs the organisation's work: one notification each, to the report.
        // Acceptances are news, not work: one per round while unread.
        let (text, href) = match decision {
            Decision::Accept => (
                format!(
                    "Berichte Ihrer Organisation in „{}“ sind angenommen, zuletzt {report}.",
                    round.title
                ),
                format!("/rounds/{round_id}?state=accepted#tasks-h"),
            ),
            Decision::Return => (
                format!(
                    "Ihr Bericht zu {report} in „{}“ wurde zurückgegeben: {}",
                    round.title,
                    shortened(&comment, 200)
                ),
                format!("/rounds/{round_id}/updates/{update_id}"),
            ),
        };
        notifications::notify_organisation(
            tx,
            org,
            lotse_domain::Permission::SubmitReviewUpdates,
            &text,
            &href,
            now,
        )
        .await?;
    }
    Ok(())
}

/// `text` cut after `max` characters, with an ellipsis: a notification carries the start of a
/// comment, the page the whole.
pub(crate) fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct Progress {
    pub organisation: String,
    pub missing: usize,
    pub submitted: usize,
    pub returned: usize,
    pub accepted: usize,
}

impl Progress {
    pub fn total(&self) -> usize {
        self.missing + self.submitted + self.returned + self.accepted
    }
}

/// Per organisation: how many updates are missing, submitted, returned, accepted; plus a total row.
/// How far the reports of a round have come, per organisation and in all: counted by the
/// database (index review_updates_state), without reading the reports.
pub async fn progress_of(db: &Db, round_id: &str) -> Result<(Vec<Progress>, Progress)> {
    let counts: Vec<(Option<String>, String, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT o.name, u.state, COUNT(*) FROM review_updates u \
             LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.round_id = $1 GROUP BY o.name, u.state",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?;
    let mut by_org: Vec<Progress> = Vec::new();
    let mut total = Progress {
        organisation: "Gesamt".into(),
        ..Default::default()
    };
    for (organisation, state, n) in counts {
        let name = organisation.unwrap_or_else(|| "ohne Federführung".into());
        let idx = match by_org.iter().position(|p| p.organisation == name) {
            Some(i) => i,
            None => {
                by_org.push(Progress {
                    organisation: name,
                    ..Default::default()
                });
                by_org.len() - 1
            }
        };
        let n = usize::try_from(n).unwrap_or(0);
        for p in [&mut by_org[idx], &mut total] {
            match state.as_str() {
                "missing" => p.missing += n,
                "submitted" => p.submitted += n,
                "returned" => p.returned += n,
                _ => p.accepted += n,
            }
        }
    }
    by_org.sort_by_cached_key(|p| sort_key(&p.organisation));
    Ok((by_org, total))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub concept: String,
    pub title: String,
    pub description: String,
    pub organisation: Option<String>,
    pub proposed_at: i64,
    pub proposed_by: String,
}

/// A new measure proposed during a round (by anyone taking part).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProposalInput {
    pub proposal_concept: String,
    pub proposal_title: String,
    pub proposal_description: String,
}

pub async fn propose(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &RoundId,
    organisation_id: &OrganisationId,
    input: &ProposalInput,
    now: i64,
) -> Result<String> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let round_id = round_id.as_str();
    let organisation_id = organisation_id.as_str();
    if !round_in(tx, round_id).await?.is_open() {
        return Err(closed());
    }
    let mut e = FieldErrors::new();
    let title = required_text(&mut e, "proposal_title", &input.proposal_title, 300);
    let description = optional_multiline(
        &mut e,
        "proposal_description",
        &input.proposal_description,
        5_000,
    );
    let concept_id = input.proposal_concept.trim();
    if concept_id.is_empty() {
        e.add("proposal_concept", "Bitte ein Konzept wählen.");
    }
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO review_proposals (id, round_id, concept_id, title, description, organisation_id, proposed_at, proposed_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(round_id)
        .bind(concept_id)
        .bind(&title)
        .bind(&description)
        .bind(organisation_id)
        .bind(now)
        .bind(&actor.name)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || {
        StoreError::field("proposal_concept", "Dieses Konzept gibt es nicht.")
    })?;
    tx.record(
        Event::new(actor, now, Entity::ReviewProposal, Action::Propose, &id)
            .with(json!({ "round_id": round_id, "title": title })),
    );
    Ok(id)
}

pub async fn proposals(db: &Db, round_id: &str) -> Result<Vec<Proposal>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT p.id, c.short_name AS concept, p.title, p.description, o.name AS organisation, p.proposed_at, p.proposed_by \
             FROM review_proposals p JOIN concepts c ON c.id = p.concept_id LEFT JOIN organisations o ON o.id = p.organisation_id \
             WHERE p.round_id = $1 ORDER BY p.proposed_at",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?)
}

/// Closes the round and writes its snapshot: for every measure in it, the state the committee
/// report shows. The snapshot is never changed afterwards (the database refuses it).
pub async fn close(tx: &mut Tx, actor: &Actor, round_id: &str, now: i64) -> Result<usize> {
    let round = round_in(tx, round_id).await?;
    if !round.is_open() {
        return Err(closed());
    }
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE u.round_id = $1", update_select()));
    let list: Vec<Update> = tx!(&mut *tx, |c| sqlx::query_as(sql)
        .bind(round_id)
        .fetch_all(c)
        .await)?;
    let fields: Vec<(String, Option<String>, Option<String>)> = tx!(&mut *tx, |c| {
        sqlx::query_as(
            "SELECT m.id, f.name, o.name FROM review_updates u JOIN measures m ON m.id = u.measure_id \
             LEFT JOIN fields_of_action f ON f.id = m.field_of_action_id LEFT JOIN organisations o ON o.id = m.lead_organisation_id \
             WHERE u.round_id = $1",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?;
    for u in &list {
        let (field, lead) = fields
            .iter()
            .find(|(id, _, _)| *id == u.measure_id)
            .map(|(_, f, o)| (f.clone(), o.clone()))
            .unwrap_or_default();
        // An accepted update carries the status as of the reference date; otherwise the measure's.
        let status = if u.state == "accepted" {
            u.status.clone().unwrap_or_else(|| u.measure_status.clone())
        } else {
            u.measure_status.clone()
        };
        let (progress, adaptation, reason) = if u.state == "accepted" {
            (
                u.progress.clone(),
                u.adaptation.clone(),
                u.adaptation_reason.clone(),
            )
        } else {
            (String::new(), "none".to_owned(), String::new())
        };
        tx!(&mut *tx, |c| {
            sqlx::query(
                "INSERT INTO review_snapshots (round_id, measure_id, concept, code, title, field_of_action, lead_organisation, status, \
                 update_state, progress, adaptation, adaptation_reason, fictitious) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(round_id)
            .bind(&u.measure_id)
            .bind(&u.concept)
            .bind(&u.code)
            .bind(&u.title)
            .bind(field.as_deref())
            .bind(lead.as_deref())
            .bind(&status)
            .bind(&u.state)
            .bind(&progress)
            .bind(&adaptation)
            .bind(&reason)
            .bind(u.fictitious)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE review_rounds SET state = 'closed', closed_at = $2, closed_by = $3 WHERE id = $1")
            .bind(round_id)
            .bind(now)
            .bind(&actor.name)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::ReviewRound, Action::Close, round_id)
            .with(json!({ "measures": list.len() })),
    );
    Ok(list.len())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct SnapshotRow {
    pub measure_id: String,
    pub concept: String,
    pub code: String,
    pub title: String,
    pub field_of_action: Option<String>,
    pub lead_organisation: Option<String>,
    pub status: String,
    pub update_state: String,
    pub progress: String,
    pub adaptation: String,
    pub adaptation_reason: String,
    pub fictitious: bool,
    /// The measure's place in lists: the paging key of [`snapshot_page`].
    #[sqlx(default)]
    #[serde(skip)]
    pub list_key: String,
}

/// A page of the frozen rows of a closed round, by concept and code (the measure's list key;
/// rows are never without their measure, which is not deleted).
pub async fn snapshot_page(
    db: &Db,
    round_id: &str,
    request: &PageRequest,
) -> Result<Page<SnapshotRow>> {
    let mut q = Query::default();
    let round = q.bind(Value::Text(round_id.to_owned()));
    q.and(format!("s.round_id = {round}"));
    crate::paging::read_page(
        db,
        "SELECT s.measure_id, s.concept, s.code, s.title, s.field_of_action, s.lead_organisation, s.status, \
         s.update_state, s.progress, s.adaptation, s.adaptation_reason, s.fictitious, \
         COALESCE(m.list_key, '') AS list_key FROM review_snapshots s LEFT JOIN measures m ON m.id = s.measure_id",
        q,
        &Keyset {
            key_column: "COALESCE(m.list_key, '')",
            id_column: "s.measure_id",
        },
        request,
        |r: &SnapshotRow| Cursor {
            key: r.list_key.clone(),
            id: r.measure_id.clone(),
        },
    )
    .await
}

/// The frozen rows of a closed round, by concept and code: the committee report's content.
pub async fn snapshot(db: &Db, round_id: &str) -> Result<Vec<SnapshotRow>> {
    let mut rows: Vec<SnapshotRow> = read!(db, |c| {
        sqlx::query_as(
            "SELECT measure_id, concept, code, title, field_of_action, lead_organisation, status, update_state, progress, \
             adaptation, adaptation_reason, fictitious FROM review_snapshots WHERE round_id = $1",
        )
        .bind(round_id)
        .fetch_all(c)
        .await
    })?;
    rows.sort_by_cached_key(|r| concept_code_order(&r.concept, &r.code));
    Ok(rows)
}

/// The closed round before `round`: the newest other closed one with an earlier reference date.
/// What the committee report and the report page compare with.
pub async fn previous_round(db: &Db, round: &Round) -> Result<Option<Round>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ROUND_SELECT} WHERE state <> 'open' AND id <> $1 AND reference_date < $2 \
         ORDER BY reference_date DESC, opened_at DESC LIMIT 1"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(&round.id)
        .bind(round.reference_date)
        .fetch_optional(c)
        .await)?)
}

/// What the previous round froze for one measure: the report page shows it beside the new
/// report. `None` without a previous round or when the measure was not in it.
pub async fn previous_state(
    db: &Db,
    round: &Round,
    measure_id: &str,
) -> Result<Option<(Round, SnapshotRow)>> {
    let Some(previous) = previous_round(db, round).await? else {
        return Ok(None);
    };
    let row: Option<SnapshotRow> = read!(db, |c| {
        sqlx::query_as(
            "SELECT measure_id, concept, code, title, field_of_action, lead_organisation, status, update_state, progress, \
             adaptation, adaptation_reason, fictitious FROM review_snapshots WHERE round_id = $1 AND measure_id = $2",
        )
        .bind(&previous.id)
        .bind(measure_id)
        .fetch_optional(c)
        .await
    })?;
    Ok(row.map(|r| (previous, r)))
}

/// The frozen status of `measure_ids` in the round before `round`: (measure id, status), for the
/// round page's comparison column.
pub async fn previous_statuses(
    db: &Db,
    round: &Round,
    measure_ids: &[&str],
) -> Result<Vec<(String, String)>> {
    let Some(previous) = previous_round(db, round).await? else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for chunk in measure_ids.chunks(crate::paging::IN_LIST) {
        let mut q = Query::default();
        let r = q.bind(Value::Text(previous.id.clone()));
        q.and(format!("round_id = {r}"));
        let any = q.any_of("measure_id", chunk);
        q.and(any);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT measure_id, status FROM review_snapshots{}",
            q.where_clause()
        ));
        let rows: Vec<(String, String)> = read!(db, |c| {
            crate::db::bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_all(c)
                .await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// Reports of an organisation the coordination returned in open rounds, with the reason
/// (`review_comment`): what the provider's start page puts first.
pub async fn returned_to(db: &Db, organisation_id: &str) -> Result<Vec<Update>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} JOIN review_rounds r ON r.id = u.round_id WHERE u.organisation_id = $1 \
         AND u.state = 'returned' AND r.state = 'open' ORDER BY u.reviewed_at DESC, u.id",
        update_select()
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(organisation_id)
        .fetch_all(c)
        .await)?)
}

/// Open updates an organisation still has to deliver, over all open rounds (for the start page).
pub async fn open_tasks(db: &Db, organisation_id: &str) -> Result<Vec<(Round, usize)>> {
    // Counted by the database over the organisation's reports (index review_updates_org): the
    // start page shows this after every login, and a round holds a report per measure.
    let sql = "SELECT r.id, r.title, r.reference_date, r.state, r.fictitious, r.opened_at, r.opened_by, \
         r.closed_at, r.closed_by, r.submission_deadline, \
         (SELECT COUNT(*) FROM review_updates u WHERE u.round_id = r.id AND u.organisation_id = $1 \
          AND u.state IN ('missing', 'returned')) AS open \
         FROM review_rounds r WHERE r.state = 'open' ORDER BY r.reference_date DESC, r.opened_at DESC";
    let rows: Vec<OpenTasks> = read!(db, |c| {
        sqlx::query_as(sql).bind(organisation_id).fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .filter(|t| t.open > 0)
        .map(|t| (t.round, usize::try_from(t.open).unwrap_or(0)))
        .collect())
}

#[derive(sqlx::FromRow)]
struct OpenTasks {
    #[sqlx(flatten)]
    round: Round,
    open: i64,
}

/// Records that the reminders of a round went out: to whom, and how many could not be delivered.
pub async fn record_reminders(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    recipients: &[String],
    failed: usize,
    now: i64,
) -> Result<()> {
    tx.record(
        Event::new(actor, now, Entity::ReviewRound, Action::Remind, round_id)
            .with(json!({ "sent_to": recipients.join(","), "failed": failed })),
    );
    Ok(())
}
