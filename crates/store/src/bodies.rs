//! Bodies (Gremien: Kreistag, Kreisausschuss, BIKS, Lenkungsgruppe KIM, AG Integration …), their
//! meetings with agenda and minutes, numbered decisions linked to measures, and action items.

use lotse_domain::Date;
use lotse_domain::FieldErrors;
use lotse_domain::collation::sort_key;
use lotse_domain::validation::{optional_multiline, required_text};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use std::collections::HashMap;

use lotse_domain::ids::{DecisionId, IssueId, MeetingId};

use crate::db::{
    Db, Tx, Value, bind_values, is_foreign_key_violation, is_unique_violation, new_id,
    on_missing_reference, read, tx,
};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::{Result, StoreError};

fn date_field(e: &mut FieldErrors, field: &str, value: &str, required: bool) -> Option<Date> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            e.add(field, "Pflichtfeld: bitte ein Datum angeben (TT.MM.JJJJ).");
        }
        return None;
    }
    let d = Date::parse(v);
    if d.is_none() {
        e.add(field, format!("„{v}“ ist kein Datum (TT.MM.JJJJ)."));
    }
    d
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Body {
    pub id: String,
    pub name: String,
    pub description: String,
    pub fictitious: bool,
    /// (id, name)
    #[sqlx(skip)]
    pub members: Vec<(String, String)>,
}

const BODY_SELECT: &str = "SELECT b.id, b.name, b.description, b.fictitious FROM bodies b";

/// Fills in the members of `list`, read for these bodies only.
async fn attach_members(db: &Db, mut list: Vec<Body>) -> Result<Vec<Body>> {
    if list.is_empty() {
        return Ok(list);
    }
    let mut q = Query::default();
    let ids: Vec<&str> = list.iter().map(|b| b.id.as_str()).collect();
    let which = q.any_of("m.body_id", &ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.body_id, o.id, o.name FROM body_members m JOIN organisations o ON o.id = m.organisation_id \
         WHERE {which}"
    ));
    let members: Vec<(String, String, String)> =
        read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await)?;
    let mut by_body: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (body, id, name) in members {
        by_body.entry(body).or_default().push((id, name));
    }
    for b in &mut list {
        b.members = by_body.remove(&b.id).unwrap_or_default();
        b.members.sort_by_cached_key(|(_, n)| sort_key(n));
    }
    Ok(list)
}

/// All bodies, by name: a district has a dozen (Kreistag, committees, steering groups).
pub async fn bodies(db: &Db) -> Result<Vec<Body>> {
    let list: Vec<Body> = read!(db, |c| sqlx::query_as(BODY_SELECT).fetch_all(c).await)?;
    let mut list = attach_members(db, list).await?;
    list.sort_by_cached_key(|b| sort_key(&b.name));
    Ok(list)
}

/// One page of bodies in the order they were made (the API's list).
pub async fn page(db: &Db, request: &PageRequest) -> Result<Page<Body>> {
    let page = crate::paging::read_page(
        db,
        BODY_SELECT,
        Query::default(),
        &Keyset::by_id("b.id"),
        request,
        |b: &Body| Keyset::id_cursor(&b.id),
    )
    .await?;
    let items = attach_members(db, page.items).await?;
    Ok(Page { items, ..page })
}

pub async fn body(db: &Db, id: &str) -> Result<Body> {
    let sql = sqlx::AssertSqlSafe(format!("{BODY_SELECT} WHERE b.id = $1"));
    let body: Option<Body> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    attach_members(db, vec![body.ok_or(StoreError::NotFound)?])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

pub async fn create_body(
    tx: &mut Tx,
    actor: &Actor,
    name: &str,
    description: &str,
    members: &[String],
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let name = required_text(&mut e, "name", name, 200);
    let description = optional_multiline(&mut e, "description", description, 2_000);
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO bodies (id, name, description, fictitious, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(&name)
            .bind(&description)
            .bind(fictitious)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "name",
                format!("Das Gremium „{name}“ gibt es schon."),
            ));
        }
        other => other?,
    };
    for m in members.iter().filter(|m| !m.trim().is_empty()) {
        let added = tx!(&mut *tx, |c| {
            sqlx::query("INSERT INTO body_members (body_id, organisation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(m.trim())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        });
        on_missing_reference(added, || {
            StoreError::field("members", "Eine der Mitgliedsorganisationen gibt es nicht.")
        })?;
    }
    tx.record(
        Event::new(actor, now, Entity::Body, Action::Create, &id)
            .with(json!({ "name": name, "members": members.join(",") })),
    );
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Meeting {
    pub id: String,
    pub body_id: String,
    pub body: String,
    pub held_on: Date,
    pub minutes: String,
    /// (position, title)
    #[sqlx(skip)]
    pub agenda: Vec<(i64, String)>,
}

const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body, m.held_on, m.minutes FROM meetings m JOIN bodies b ON b.id = m.body_id";

/// One page of a body's meetings, the newest first (index meetings_body): a body meets about ten
/// times a year, for ever. The cursor is the last meeting's day and id; the agenda is not read.
pub async fn meeting_page(db: &Db, body_id: &str, request: &PageRequest) -> Result<Page<Meeting>> {
    let mut q = Query::default();
    let body = q.bind(Value::Text(body_id.to_owned()));
    q.and(format!("m.body_id = {body}"));
    if let Some(after) = &request.after {
        let day = q.bind(Value::Text(after.key.clone()));
        let id = q.bind(Value::Text(after.id.clone()));
        q.and(format!("(m.held_on, m.id) < ({day}, {id})"));
    }
    let limit = q.bind(Value::Int(request.size as i64 + 1));
    let sql = sqlx::AssertSqlSafe(format!(
        "{MEETING_SELECT}{} ORDER BY m.held_on DESC, m.id DESC LIMIT {limit}",
        q.where_clause()
    ));
    let rows: Vec<Meeting> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    Ok(Page::from_rows(rows, request, |m: &Meeting| Cursor {
        key: m.held_on.to_string(),
        id: m.id.clone(),
    }))
}

pub async fn meeting(db: &Db, id: &str) -> Result<Meeting> {
    let sql = sqlx::AssertSqlSafe(format!("{MEETING_SELECT} WHERE m.id = $1"));
    let m: Option<Meeting> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    let mut m = m.ok_or(StoreError::NotFound)?;
    m.agenda = read!(db, |c| {
        sqlx::query_as(
            "SELECT position, title FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    Ok(m)
}

pub async fn create_meeting(
    tx: &mut Tx,
    actor: &Actor,
    body_id: &str,
    held_on: &str,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let Some(date) = date_field(&mut e, "held_on", held_on, true) else {
        return Err(StoreError::Invalid(e));
    };
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO meetings (id, body_id, held_on, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(body_id)
        .bind(date)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || StoreError::NotFound)?;
    tx.record(
        Event::new(actor, now, Entity::Meeting, Action::Create, &id)
            .with(json!({ "body_id": body_id, "held_on": date })),
    );
    Ok(id)
}

pub async fn add_agenda_item(
    tx: &mut Tx,
    actor: &Actor,
    meeting_id: &str,
    title: &str,
    now: i64,
) -> Result<()> {
    let mut e = FieldErrors::new();
    let title = required_text(&mut e, "agenda_title", title, 300);
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO agenda_items (id, meeting_id, position, title) \
             VALUES ($1, $2, (SELECT COUNT(*) + 1 FROM agenda_items WHERE meeting_id = $2), $3)",
        )
        .bind(&id)
        .bind(meeting_id)
        .bind(&title)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::AgendaItem, Action::Create, &id)
            .with(json!({ "meeting_id": meeting_id, "title": title })),
    );
    Ok(())
}

pub async fn set_minutes(
    tx: &mut Tx,
    actor: &Actor,
    meeting_id: &str,
    minutes: &str,
    now: i64,
) -> Result<()> {
    let mut e = FieldErrors::new();
    let minutes = optional_multiline(&mut e, "minutes", minutes, 100_000);
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let n = tx!(&mut *tx, |c| {
        sqlx::query("UPDATE meetings SET minutes = $2 WHERE id = $1")
            .bind(meeting_id)
            .bind(&minutes)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(
        Event::new(actor, now, Entity::Meeting, Action::Update, meeting_id)
            .with(json!({ "minutes": "geändert" })),
    );
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Decision {
    pub id: String,
    pub body_id: String,
    pub body: String,
    pub meeting_id: Option<String>,
    pub number: String,
    pub decided_on: Date,
    pub text: String,
    /// (measure id, "concept code title")
    #[sqlx(skip)]
    pub measures: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub number: String,
    pub decided_on: String,
    pub text: String,
    pub meeting_id: String,
    pub measure_ids: Vec<String>,
}

const DECISION_SELECT: &str = "SELECT d.id, d.body_id, b.name AS body, d.meeting_id, d.number, d.decided_on, d.text \
    FROM decisions d JOIN bodies b ON b.id = d.body_id";

/// Fills in the measures linked to `list`, read for these decisions only (in batches of
/// [`IN_LIST`](crate::paging::IN_LIST) ids, so that a long list never reads every link).
async fn attach_measures(db: &Db, mut list: Vec<Decision>) -> Result<Vec<Decision>> {
    let mut links: Vec<(String, String, String, String, String)> = Vec::new();
    for batch in list.chunks(crate::paging::IN_LIST) {
        let mut q = Query::default();
        let ids: Vec<&str> = batch.iter().map(|d| d.id.as_str()).collect();
        let which = q.any_of("dm.decision_id", &ids);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT dm.decision_id, m.id, c.short_name, m.code, m.title FROM decision_measures dm \
             JOIN measures m ON m.id = dm.measure_id JOIN concepts c ON c.id = m.concept_id \
             WHERE {which}"
        ));
        let rows: Vec<(String, String, String, String, String)> =
            read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_all(c)
                .await)?;
        links.extend(rows);
    }
    let mut by_decision: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (decision, m, c, code, t) in links {
        by_decision
            .entry(decision)
            .or_default()
            .push((m, format!("{c} {code} {t}")));
    }
    for d in &mut list {
        d.measures = by_decision.remove(&d.id).unwrap_or_default();
    }
    Ok(list)
}

#[derive(sqlx::FromRow)]
struct KeyedDecision {
    #[sqlx(flatten)]
    decision: Decision,
    list_key: String,
}

/// One page of a body's decisions, the newest first and within a day by number
/// (`sort_keys::decision_list_key`, index decisions_body_list_key), with their linked measures.
pub async fn decision_page_of_body(
    db: &Db,
    body_id: &str,
    request: &PageRequest,
) -> Result<Page<Decision>> {
    let mut q = Query::default();
    let b = q.bind(Value::Text(body_id.to_owned()));
    q.and(format!("d.body_id = {b}"));
    let select = DECISION_SELECT.replacen(" FROM decisions d", ", d.list_key FROM decisions d", 1);
    let keyset = Keyset {
        key_column: "d.list_key",
        id_column: "d.id",
    };
    let page = crate::paging::read_page(db, &select, q, &keyset, request, |k: &KeyedDecision| {
        Cursor {
            key: k.list_key.clone(),
            id: k.decision.id.clone(),
        }
    })
    .await?;
    let items = page.items.into_iter().map(|k| k.decision).collect();
    Ok(Page {
        items: attach_measures(db, items).await?,
        next: page.next,
        first: page.first,
    })
}

/// The decisions of every body taken after `after` (if given) up to and including `until`, the
/// newest first (index decisions_decided_on): the decisions of a status report's period.
pub async fn decisions_between(db: &Db, after: Option<Date>, until: Date) -> Result<Vec<Decision>> {
    let mut q = Query::default();
    let until = q.bind(Value::Text(until.to_string()));
    q.and(format!("d.decided_on <= {until}"));
    if let Some(after) = after {
        let after = q.bind(Value::Text(after.to_string()));
        q.and(format!("d.decided_on > {after}"));
    }
    let sql = sqlx::AssertSqlSafe(format!("{DECISION_SELECT}{}", q.where_clause()));
    let mut list: Vec<Decision> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    // The body page's order (`sort_keys::decision_list_key`): the newest day first, within a
    // day by number as people count (7/2026 before 12/2026); sorted here, as both backends'
    // collations would not agree on the numbers.
    list.sort_by_cached_key(|d| crate::sort_keys::decision_list_key(d.decided_on, &d.number));
    attach_measures(db, list).await
}

/// One page of decisions (of one body, or all), in the order they were recorded (the API's list).
pub async fn decision_page(
    db: &Db,
    body_id: Option<&str>,
    request: &PageRequest,
) -> Result<Page<Decision>> {
    let mut q = Query::default();
    if let Some(b) = body_id {
        let b = q.bind(Value::Text(b.to_owned()));
        q.and(format!("d.body_id = {b}"));
    }
    let page = crate::paging::read_page(
        db,
        DECISION_SELECT,
        q,
        &Keyset::by_id("d.id"),
        request,
        |d: &Decision| Keyset::id_cursor(&d.id),
    )
    .await?;
    let items = attach_measures(db, page.items).await?;
    Ok(Page { items, ..page })
}

/// Decisions whose number, body or text contain every one of `words` (case and umlauts
/// ignored), newest first: the first `limit` and how many match in all (the staff search).
/// Matched in Rust because the two backends fold umlauts differently; a district records some
/// hundred decisions a year.
pub async fn decisions_matching(
    db: &Db,
    words: &[String],
    limit: usize,
) -> Result<(Vec<Decision>, usize)> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{DECISION_SELECT} ORDER BY d.decided_on DESC, d.id"
    ));
    let all: Vec<Decision> = read!(db, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    let found: Vec<Decision> = all
        .into_iter()
        .filter(|d| {
            let text =
                lotse_domain::collation::fold(&format!("{} {} {}", d.number, d.body, d.text));
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    let total = found.len();
    Ok((found.into_iter().take(limit).collect(), total))
}

pub async fn decision(db: &Db, id: &str) -> Result<Decision> {
    let sql = sqlx::AssertSqlSafe(format!("{DECISION_SELECT} WHERE d.id = $1"));
    let d: Option<Decision> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    attach_measures(db, vec![d.ok_or(StoreError::NotFound)?])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

pub async fn create_decision(
    tx: &mut Tx,
    actor: &Actor,
    body_id: &str,
    input: &DecisionInput,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let number = required_text(&mut e, "number", &input.number, 40);
    let text = optional_multiline(&mut e, "text", &input.text, 20_000);
    if text.is_empty() {
        e.add("text", "Pflichtfeld: bitte den Beschlusstext eingeben.");
    }
    let date = date_field(&mut e, "decided_on", &input.decided_on, true);
    let Some(date) = date.filter(|_| e.is_empty()) else {
        return Err(StoreError::Invalid(e));
    };
    let meeting = Some(input.meeting_id.trim()).filter(|m| !m.is_empty());
    if let Some(m) = meeting {
        let of_body: i64 = tx!(&mut *tx, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM meetings WHERE id = $1 AND body_id = $2")
                .bind(m)
                .bind(body_id)
                .fetch_one(c)
                .await
        })?;
        if of_body == 0 {
            return Err(StoreError::field(
                "meeting_id",
                "Diese Sitzung gehört nicht zu diesem Gremium.",
            ));
        }
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO decisions (id, body_id, meeting_id, number, decided_on, text, created_at, list_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(body_id)
        .bind(meeting)
        .bind(&number)
        .bind(date)
        .bind(&text)
        .bind(now)
        .bind(crate::sort_keys::decision_list_key(date, &number))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "number",
                format!("Die Beschlussnummer „{number}“ gibt es in diesem Gremium schon."),
            ));
        }
        Err(e) if is_foreign_key_violation(&e) => {
            return Err(StoreError::field(
                "meeting_id",
                "Diese Sitzung oder dieses Gremium gibt es nicht.",
            ));
        }
        other => other?,
    };
    for m in input
        .measure_ids
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
    {
        let linked = tx!(&mut *tx, |c| {
            sqlx::query("INSERT INTO decision_measures (decision_id, measure_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&id)
                .bind(m)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        });
        on_missing_reference(linked, || {
            StoreError::field(
                "measure_ids",
                "Eine der verknüpften Maßnahmen gibt es nicht.",
            )
        })?;
    }
    tx.record(Event::new(actor, now, Entity::Decision, Action::Create, &id).with(json!({ "body_id": body_id, "number": number, "decided_on": date, "measures": input.measure_ids.join(",") })));
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct ActionItem {
    pub id: String,
    pub title: String,
    pub owner_user_id: Option<String>,
    pub owner: Option<String>,
    pub due_on: Option<Date>,
    /// open, done or cancelled
    pub state: String,
    pub meeting_id: Option<String>,
    pub decision_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionItemInput {
    /// The form field is `action_title`, so that errors land at the right field on pages that
    /// also have other titles.
    #[serde(alias = "action_title")]
    pub title: String,
    pub owner_user_id: String,
    pub due_on: String,
    pub meeting_id: String,
    pub decision_id: String,
}

const ACTION_SELECT: &str = "SELECT a.id, a.title, a.owner_user_id, u.display_name AS owner, a.due_on, a.state, a.meeting_id, a.decision_id, a.created_at \
    FROM action_items a LEFT JOIN users u ON u.id = a.owner_user_id";

/// The order of action item lists: by due date, undated ones last.
const ACTION_ORDER: &str = " ORDER BY CASE WHEN a.due_on IS NULL THEN 1 ELSE 0 END, a.due_on, a.id";

/// The action items of a meeting, with those of the decisions taken in it, by due date (indexes
/// action_items_meeting, action_items_decision, decisions_meeting). A meeting's own items are few
/// by nature, so they are read whole.
pub async fn action_items_of_meeting(db: &Db, meeting_id: &str) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION_SELECT} WHERE a.meeting_id = $1 \
         OR a.decision_id IN (SELECT d.id FROM decisions d WHERE d.meeting_id = $1){ACTION_ORDER}"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await)?)
}

/// One action item.
pub async fn action_item(db: &Db, id: &str) -> Result<ActionItem> {
    let sql = sqlx::AssertSqlSafe(format!("{ACTION_SELECT} WHERE a.id = $1"));
    let item: Option<ActionItem> =
        read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    item.ok_or(StoreError::NotFound)
}

/// The action items still open that were created up to `created_until` (epoch ms), by due date
/// (index action_items_open): bounded by their state, not by all the items ever made.
pub async fn open_actions_until(db: &Db, created_until: i64) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION_SELECT} WHERE a.state = 'open' AND a.created_at <= $1{ACTION_ORDER}"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(created_until)
        .fetch_all(c)
        .await)?)
}

pub async fn create_action_item(
    tx: &mut Tx,
    actor: &Actor,
    input: &ActionItemInput,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let title = required_text(&mut e, "action_title", &input.title, 300);
    let due = date_field(&mut e, "due_on", &input.due_on, false);
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    if opt(&input.meeting_id).is_none() && opt(&input.decision_id).is_none() {
        e.add(
            "action_title",
            "Eine Aufgabe gehört zu einer Sitzung oder einem Beschluss.",
        );
    }
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    // A decision named together with a meeting must have been taken in that meeting.
    if let (Some(m), Some(d)) = (opt(&input.meeting_id), opt(&input.decision_id)) {
        let matching: i64 = tx!(&mut *tx, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM decisions WHERE id = $1 AND meeting_id = $2")
                .bind(&d)
                .bind(&m)
                .fetch_one(c)
                .await
        })?;
        if matching == 0 {
            return Err(StoreError::field(
                "action_title",
                "Der Beschluss wurde nicht in dieser Sitzung gefasst.",
            ));
        }
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO action_items (id, title, owner_user_id, due_on, state, meeting_id, decision_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(&title)
        .bind(opt(&input.owner_user_id))
        .bind(due)
        .bind(opt(&input.meeting_id))
        .bind(opt(&input.decision_id))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || {
        StoreError::field(
            "owner_user_id",
            "Die zuständige Person, Sitzung oder der Beschluss existiert nicht.",
        )
    })?;
    tx.record(
        Event::new(actor, now, Entity::ActionItem, Action::Create, &id)
            .with(json!({ "title": title, "owner_user_id": input.owner_user_id, "due_on": due })),
    );
    Ok(id)
}

pub async fn set_action_state(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    state: &str,
    now: i64,
) -> Result<()> {
    if !matches!(state, "open" | "done" | "cancelled") {
        return Err(StoreError::field(
            "state",
            "Erlaubt: offen, erledigt, entfallen.",
        ));
    }
    let n = tx!(&mut *tx, |c| {
        sqlx::query("UPDATE action_items SET state = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(state)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(
        Event::new(actor, now, Entity::ActionItem, Action::Update, id)
            .with(json!({ "state": state })),
    );
    Ok(())
}

/// Where a structural issue was taken up: the committee work that shows the
/// issue is not just recorded but acted on.
#[derive(Clone, Copy)]
enum IssueForum {
    Meeting,
    Decision,
}

impl IssueForum {
    fn insert(self) -> &'static str {
        match self {
            Self::Meeting => {
                "INSERT INTO structural_issue_links (issue_id, meeting_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            }
            Self::Decision => {
                "INSERT INTO structural_issue_decisions (issue_id, decision_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            }
        }
    }

    fn audit_key(self) -> &'static str {
        match self {
            Self::Meeting => "meeting_id",
            Self::Decision => "decision_id",
        }
    }
}

/// Linking twice is a no-op so a repeated click cannot fail; an unknown issue
/// or forum is a 404, not a database error.
async fn link_issue_to(
    tx: &mut Tx,
    actor: &Actor,
    forum: IssueForum,
    forum_id: &str,
    issue_id: &IssueId,
    now: i64,
) -> Result<()> {
    let linked = tx!(&mut *tx, |c| {
        sqlx::query(forum.insert())
            .bind(issue_id.as_str())
            .bind(forum_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    });
    on_missing_reference(linked, || StoreError::NotFound)?;
    let mut detail = serde_json::Map::new();
    detail.insert(forum.audit_key().into(), forum_id.into());
    tx.record(
        Event::new(
            actor,
            now,
            Entity::StructuralIssue,
            Action::Link,
            issue_id.as_str(),
        )
        .with(detail.into()),
    );
    Ok(())
}

/// Records that a structural issue was handled in a meeting.
pub async fn link_issue(
    tx: &mut Tx,
    actor: &Actor,
    meeting_id: &MeetingId,
    issue_id: &IssueId,
    now: i64,
) -> Result<()> {
    link_issue_to(
        tx,
        actor,
        IssueForum::Meeting,
        meeting_id.as_str(),
        issue_id,
        now,
    )
    .await
}

/// (issue id, title) of the structural issues handled in a meeting.
pub async fn issues_of_meeting(db: &Db, meeting_id: &str) -> Result<Vec<(String, String)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT i.id, i.title FROM structural_issue_links l JOIN structural_issues i ON i.id = l.issue_id WHERE l.meeting_id = $1 ORDER BY i.title",
        )
        .bind(meeting_id)
        .fetch_all(c)
        .await
    })?)
}

/// (decision id, issue id, issue title) for these decisions (a page of a body's decisions) where
/// they addressed a structural issue; one query for the page (index
/// structural_issue_decisions_decision).
pub async fn issues_of_decisions(
    db: &Db,
    decision_ids: &[&str],
) -> Result<Vec<(String, String, String)>> {
    if decision_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::default();
    let which = q.any_of("l.decision_id", decision_ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT l.decision_id, i.id, i.title FROM structural_issue_decisions l \
         JOIN structural_issues i ON i.id = l.issue_id WHERE {which} ORDER BY i.title"
    ));
    Ok(read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?)
}

/// What a meeting or a decision can take up: (issue id, title) of at most `limit` structural
/// issues in register order (open ones first, most evidence, newest; index
/// structural_issues_list_key) whose title holds every word of `words`, and whether more match.
pub async fn issue_choices(
    db: &Db,
    words: &str,
    limit: usize,
) -> Result<(Vec<(String, String)>, bool)> {
    let mut q = Query::default();
    // Folded words in the folded titles: umlauts and case alike on both backends.
    for word in lotse_domain::collation::fold(words).split_whitespace() {
        let p = q.bind(Value::Text(format!(
            "%{}%",
            crate::measures::like_escape(word)
        )));
        q.and(format!("i.search_text LIKE {p} ESCAPE '\\'"));
    }
    let n = q.bind(Value::Int(limit as i64 + 1));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT i.id, i.title FROM structural_issues i{} ORDER BY i.list_key, i.id LIMIT {n}",
        q.where_clause()
    ));
    let mut rows: Vec<(String, String)> =
        read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}

/// (issue id, title) of these issues (the one chosen in a form), whatever the search.
pub async fn issue_labels(db: &Db, ids: &[&str]) -> Result<Vec<(String, String)>> {
    let ids: Vec<&str> = ids.iter().copied().filter(|i| !i.is_empty()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::default();
    let which = q.any_of("i.id", &ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT i.id, i.title FROM structural_issues i WHERE {which}"
    ));
    Ok(read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?)
}

/// (meeting id, body, date) of the meetings where an issue was handled.
pub async fn meetings_of_issue(db: &Db, issue_id: &str) -> Result<Vec<(String, String, Date)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT m.id, b.name, m.held_on FROM structural_issue_links l JOIN meetings m ON m.id = l.meeting_id \
             JOIN bodies b ON b.id = m.body_id WHERE l.issue_id = $1 ORDER BY m.held_on",
        )
        .bind(issue_id)
        .fetch_all(c)
        .await
    })?)
}

/// Records that a decision addressed a structural issue.
pub async fn link_issue_to_decision(
    tx: &mut Tx,
    actor: &Actor,
    decision_id: &DecisionId,
    issue_id: &IssueId,
    now: i64,
) -> Result<()> {
    link_issue_to(
        tx,
        actor,
        IssueForum::Decision,
        decision_id.as_str(),
        issue_id,
        now,
    )
    .await
}

/// (body id, body, number, date) of the decisions that addressed an issue.
pub async fn decisions_of_issue(
    db: &Db,
    issue_id: &str,
) -> Result<Vec<(String, String, String, Date)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT b.id, b.name, d.number, d.decided_on FROM structural_issue_decisions l JOIN decisions d ON d.id = l.decision_id \
             JOIN bodies b ON b.id = d.body_id WHERE l.issue_id = $1 ORDER BY d.decided_on",
        )
        .bind(issue_id)
        .fetch_all(c)
        .await
    })?)
}

/// How many of a person's open action items the start page lists; the rest are named as a
/// number.
pub const OPEN_ACTIONS_SHOWN: i64 = 20;

/// A person's open action items, those due first first (then those without a due date), at most
/// `limit`; and how many there are in all. Read by owner and state (index action_items_owner):
/// the start page shows them after every login.
pub async fn open_actions_of(db: &Db, user_id: &str, limit: i64) -> Result<(Vec<ActionItem>, i64)> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION_SELECT} WHERE a.owner_user_id = $1 AND a.state = 'open' \
         ORDER BY CASE WHEN a.due_on IS NULL THEN 1 ELSE 0 END, a.due_on, a.id LIMIT $2"
    ));
    let items = read!(db, |c| {
        sqlx::query_as(sql)
            .bind(user_id)
            .bind(limit)
            .fetch_all(c)
            .await
    })?;
    let total: i64 = read!(db, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM action_items WHERE owner_user_id = $1 AND state = 'open'",
        )
        .bind(user_id)
        .fetch_one(c)
        .await
    })?;
    Ok((items, total))
}
