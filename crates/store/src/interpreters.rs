//! The KI's interpreter pool (decision 0017): the interpreters, and the requests with their
//! review, matching, assignment and completion.
//!
//! Requests are read only through [`requests_for`], which puts the viewer's scope into the SQL
//! (the coordination all, a requester its own organisation's, an interpreter their own
//! assignments with the assignment's fields only) and records every read in the access log.
//! Every write runs in one audited transaction that checks the record's access inside it.

use lotse_domain::Date;
use lotse_domain::access::{Action as Act, Decision, Record, Relationship, decide};
use lotse_domain::collation::column_key;
use lotse_domain::interpreters::{
    Candidate, InterpreterDraft, NotProposed, Rates, RequestDraft, RequestStatus, Slot,
    weekdays_of, weekdays_text,
};
use lotse_domain::policy::Permission;
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, On, Tx, Value, bind_values, day_of, new_id, on, read, tx};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Scoped, Viewer};
use crate::{Result, StoreError, notifications, outbox, settings};

// ---------------------------------------------------------------------------------------------
// Interpreters
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Interpreter {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub dialects: String,
    pub level: String,
    pub training: String,
    /// Town keys, comma-separated; empty: the whole district.
    pub towns: String,
    pub weekdays: String,
    pub available_from: i64,
    pub available_until: i64,
    pub pledge_signed_on: Option<Date>,
    pub active: bool,
    pub fictitious: bool,
    /// ISO codes, in alphabetical order.
    #[sqlx(skip)]
    pub languages: Vec<String>,
}

impl Interpreter {
    pub fn town_keys(&self) -> Vec<String> {
        self.towns
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn available_days(&self) -> [bool; 7] {
        weekdays_of(&self.weekdays)
    }
}

const INTERPRETER_SELECT: &str = "SELECT i.id, i.name, i.email, i.phone, i.user_id, u.username, \
    i.dialects, i.level, i.training, i.towns, i.weekdays, i.available_from, i.available_until, \
    i.pledge_signed_on, i.active, i.fictitious \
    FROM interpreters i LEFT JOIN users u ON u.id = i.user_id";

/// The coordination keeps the pool; nobody else reads it as a list.
fn require_pool(viewer: &Viewer) -> Result<()> {
    if viewer.is_system()
        || lotse_domain::policy::any_allows(&viewer.roles, Permission::ManageInterpreterPool)
    {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

async fn attach_languages(db: &Db, mut list: Vec<Interpreter>) -> Result<Vec<Interpreter>> {
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<&str> = list.iter().map(|i| i.id.as_str()).collect();
    let mut q = Query::default();
    let which = q.any_of("interpreter_id", &ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT interpreter_id, language FROM interpreter_languages WHERE {which} ORDER BY language"
    ));
    let rows: Vec<(String, String)> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    for i in &mut list {
        i.languages = rows
            .iter()
            .filter(|(id, _)| *id == i.id)
            .map(|(_, l)| l.clone())
            .collect();
    }
    Ok(list)
}

/// One page of the pool in name order; `language` narrows it to who speaks it.
pub async fn interpreters(
    db: &Db,
    viewer: &Viewer,
    language: Option<&str>,
    only_active: bool,
    request: &PageRequest,
) -> Result<Page<Interpreter>> {
    require_pool(viewer)?;
    let mut q = Query::default();
    if let Some(l) = language.filter(|l| !l.is_empty()) {
        let p = q.bind(Value::Text(l.to_owned()));
        q.and(format!(
            "EXISTS (SELECT 1 FROM interpreter_languages l WHERE l.interpreter_id = i.id AND l.language = {p})"
        ));
    }
    if only_active {
        q.and("i.active");
    }
    let select = INTERPRETER_SELECT.replacen(" FROM", ", i.name_key AS list_key FROM", 1);
    let page: Page<Interpreter> = crate::paging::read_page(
        db,
        &select,
        q,
        &Keyset {
            key_column: "i.name_key",
            id_column: "i.id",
        },
        request,
        |i: &Interpreter| Cursor {
            key: column_key(&i.name),
            id: i.id.clone(),
        },
    )
    .await?;
    let items = attach_languages(db, page.items).await?;
    for i in &items {
        db.access_log()
            .record(&viewer.into(), crate::now_ms(), Entity::Interpreter, &i.id)
            .await;
    }
    Ok(Page { items, ..page })
}

pub async fn interpreter(db: &Db, viewer: &Viewer, id: &str) -> Result<Interpreter> {
    require_pool(viewer)?;
    let sql = sqlx::AssertSqlSafe(format!("{INTERPRETER_SELECT} WHERE i.id = $1"));
    let row: Option<Interpreter> =
        read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    db.access_log()
        .record(&viewer.into(), crate::now_ms(), Entity::Interpreter, id)
        .await;
    Ok(attach_languages(db, vec![row]).await?.remove(0))
}

/// The interpreter record linked to an account, if any (what an interpreter's own page shows).
pub async fn interpreter_of_user(db: &Db, user_id: &str) -> Result<Option<Interpreter>> {
    let sql = sqlx::AssertSqlSafe(format!("{INTERPRETER_SELECT} WHERE i.user_id = $1"));
    let row: Option<Interpreter> = read!(db, |c| sqlx::query_as(sql)
        .bind(user_id)
        .fetch_optional(c)
        .await)?;
    match row {
        Some(r) => Ok(Some(attach_languages(db, vec![r]).await?.remove(0))),
        None => Ok(None),
    }
}

/// The account named `username`, which must hold the interpreter role, as the id to link.
async fn interpreter_account(tx: &mut Tx, username: &str) -> Result<Option<String>> {
    let username = username.trim();
    if username.is_empty() {
        return Ok(None);
    }
    let id: Option<String> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE u.username = $1 AND r.role = 'interpreter'"
    )
    .bind(username)
    .fetch_optional(c)
    .await)?;
    id.map(Some).ok_or_else(|| {
        StoreError::field(
            "username",
            format!("Es gibt kein Benutzerkonto „{username}“ mit der Rolle Sprachmittlung."),
        )
    })
}

async fn write_languages(tx: &mut Tx, id: &str, languages: &[&str]) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "DELETE FROM interpreter_languages WHERE interpreter_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for l in languages {
        tx!(tx, |c| sqlx::query(
            "INSERT INTO interpreter_languages (interpreter_id, language) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(*l)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// What the audit log keeps of an interpreter: no contact details.
fn interpreter_facts(d: &InterpreterDraft, linked: bool) -> serde_json::Value {
    json!({
        "languages": d.languages.join(","),
        "level": d.level.key(),
        "towns": d.towns.join(","),
        "weekdays": weekdays_text(d.weekdays),
        "available_from": d.available_from,
        "available_until": d.available_until,
        "pledge_signed": d.pledge_signed_on.is_some(),
        "active": d.active,
        "account": linked,
    })
}

fn map_unique(e: sqlx::Error) -> StoreError {
    if crate::db::is_unique_violation(&e) {
        StoreError::field(
            "username",
            "Dieses Benutzerkonto gehört schon zu einer anderen Person im Pool.",
        )
    } else {
        e.into()
    }
}

pub async fn create_interpreter(
    db: &Db,
    viewer: &Viewer,
    draft: &InterpreterDraft,
    username: &str,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    require_pool(viewer)?;
    let id = new_id();
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let user_id = interpreter_account(tx, username).await?;
        tx!(tx, |c| sqlx::query(
            "INSERT INTO interpreters (id, name, name_key, email, phone, user_id, dialects, level, \
             training, towns, weekdays, available_from, available_until, pledge_signed_on, active, \
             fictitious, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)"
        )
        .bind(&id)
        .bind(&draft.name)
        .bind(column_key(&draft.name))
        .bind(&draft.email)
        .bind(&draft.phone)
        .bind(&user_id)
        .bind(&draft.dialects)
        .bind(draft.level.key())
        .bind(&draft.training)
        .bind(draft.towns.join(","))
        .bind(weekdays_text(draft.weekdays))
        .bind(i64::from(draft.available_from))
        .bind(i64::from(draft.available_until))
        .bind(draft.pledge_signed_on)
        .bind(draft.active)
        .bind(fictitious)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(map_unique)?;
        write_languages(tx, &id, &draft.languages).await?;
        tx.record(
            Event::new(&actor, now, Entity::Interpreter, Action::Create, &id)
                .with(interpreter_facts(draft, user_id.is_some())),
        );
        Ok(())
    })
    .await?;
    Ok(id)
}

pub async fn update_interpreter(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    draft: &InterpreterDraft,
    username: &str,
    now: i64,
) -> Result<()> {
    require_pool(viewer)?;
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let user_id = interpreter_account(tx, username).await?;
        let n = tx!(tx, |c| sqlx::query(
            "UPDATE interpreters SET name = $2, name_key = $3, email = $4, phone = $5, user_id = $6, \
             dialects = $7, level = $8, training = $9, towns = $10, weekdays = $11, \
             available_from = $12, available_until = $13, pledge_signed_on = $14, active = $15, \
             updated_at = $16 WHERE id = $1"
        )
        .bind(id)
        .bind(&draft.name)
        .bind(column_key(&draft.name))
        .bind(&draft.email)
        .bind(&draft.phone)
        .bind(&user_id)
        .bind(&draft.dialects)
        .bind(draft.level.key())
        .bind(&draft.training)
        .bind(draft.towns.join(","))
        .bind(weekdays_text(draft.weekdays))
        .bind(i64::from(draft.available_from))
        .bind(i64::from(draft.available_until))
        .bind(draft.pledge_signed_on)
        .bind(draft.active)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(map_unique)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        write_languages(tx, id, &draft.languages).await?;
        tx.record(
            Event::new(&actor, now, Entity::Interpreter, Action::Update, id)
                .with(interpreter_facts(draft, user_id.is_some())),
        );
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// A request as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Request {
    pub id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub requested_by: Option<String>,
    pub language: String,
    pub dialect: String,
    pub on_date: Date,
    pub start_minute: i64,
    pub duration_minutes: i64,
    pub town_ags: String,
    pub town: String,
    pub setting: String,
    pub occasion: Option<String>,
    pub place: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    /// Empty for the interpreter (not what the assignment needs).
    pub note: String,
    pub status: String,
    /// Why it was rejected or found nobody; empty for the interpreter.
    pub reason: String,
    pub interpreter_id: Option<String>,
    pub interpreter: Option<String>,
    pub interpreter_phone: Option<String>,
    pub interpreter_email: Option<String>,
    /// Whether the viewer is the assigned interpreter.
    pub mine: bool,
    pub actual_minutes: Option<i64>,
    pub travel_km: Option<i64>,
    pub allowance_cents: Option<i64>,
    pub created_at: i64,
    pub fictitious: bool,
}

impl Request {
    pub fn status(&self) -> RequestStatus {
        RequestStatus::parse(&self.status).unwrap_or(RequestStatus::Submitted)
    }

    pub fn slot(&self) -> Slot {
        Slot::stored(self.on_date, self.start_minute, self.duration_minutes)
    }

    pub fn language_name(&self) -> &str {
        lotse_domain::offer::delivery_language_name(&self.language).unwrap_or(&self.language)
    }
}

/// The filters of the request lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    /// Still open (submitted, approved, assigned).
    pub open: bool,
    pub language: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// The requests one viewer may see: the only way to read them.
pub struct Requests<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn requests_for<'a>(db: &'a Db, viewer: &'a Viewer) -> Requests<'a> {
    Requests { db, viewer }
}

/// The SELECT for a viewer: the interpreter, whose only tie is the assignment, gets no note
/// and no reason from the database at all.
fn request_select(viewer: &Viewer, q: &mut Query) -> String {
    let me = q.bind(Value::Text(viewer.user_id.clone()));
    let whole = !assignment_only(viewer);
    let (note, reason) = if whole {
        ("r.note", "r.reason")
    } else {
        ("''", "''")
    };
    format!(
        "SELECT r.id, r.organisation_id, o.name AS organisation, r.requested_by, r.language, \
         r.dialect, r.on_date, r.start_minute, r.duration_minutes, r.town_ags, t.name AS town, \
         r.setting, r.occasion, r.place, r.contact_name, r.contact_phone, r.contact_email, \
         {note} AS note, r.status, {reason} AS reason, r.interpreter_id, i.name AS interpreter, \
         i.phone AS interpreter_phone, i.email AS interpreter_email, \
         (i.user_id IS NOT NULL AND i.user_id = {me}) AS mine, r.actual_minutes, r.travel_km, \
         r.allowance_cents, r.created_at, r.fictitious \
         FROM interpreter_requests r \
         JOIN organisations o ON o.id = r.organisation_id \
         JOIN towns t ON t.ags = r.town_ags \
         LEFT JOIN interpreters i ON i.id = r.interpreter_id"
    )
}

/// Whether the viewer sees requests only as their assigned interpreter.
fn assignment_only(viewer: &Viewer) -> bool {
    let rec = Record::InterpreterRequest;
    !decide(&viewer.roles, rec, Relationship::Other, Act::View).allows()
        && !decide(&viewer.roles, rec, Relationship::OwnOrganisation, Act::View).allows()
}

/// The viewer's scope as a condition, or `None` for the whole list; `FALSE` for nobody.
fn request_scope(viewer: &Viewer, q: &mut Query) -> Option<String> {
    if viewer.is_system() {
        return None;
    }
    let rec = Record::InterpreterRequest;
    let roles = &viewer.roles;
    if decide(roles, rec, Relationship::Other, Act::View).allows() {
        return None;
    }
    let mut branches = Vec::new();
    if decide(roles, rec, Relationship::OwnOrganisation, Act::View).allows() {
        let org = q.bind(Value::Text(viewer.organisation_id.clone()));
        branches.push(format!("r.organisation_id = {org}"));
    }
    if decide(roles, rec, Relationship::AssignedInterpreter, Act::View).allows() {
        let me = q.bind(Value::Text(viewer.user_id.clone()));
        branches.push(format!(
            "r.interpreter_id IN (SELECT id FROM interpreters WHERE user_id = {me})"
        ));
    }
    if branches.is_empty() {
        Some("FALSE".to_owned())
    } else {
        Some(format!("({})", branches.join(" OR ")))
    }
}

/// What the viewer may do with one request.
fn request_access(viewer: &Viewer, r: &Request) -> Access {
    let rec = Record::InterpreterRequest;
    let mut rels = vec![Relationship::Other];
    if r.organisation_id == viewer.organisation_id && !viewer.is_system() {
        rels.push(Relationship::OwnOrganisation);
    }
    if r.mine {
        rels.push(Relationship::AssignedInterpreter);
    }
    let widest = |action: Act| {
        if viewer.is_system() {
            return Decision::Allow;
        }
        rels.iter().fold(Decision::Deny, |d, rel| {
            let next = decide(&viewer.roles, rec, *rel, action);
            match (d, next) {
                (Decision::Allow, _) | (_, Decision::Allow) => Decision::Allow,
                (Decision::Only(f), _) | (_, Decision::Only(f)) => Decision::Only(f),
                _ => Decision::Deny,
            }
        })
    };
    Access {
        view: widest(Act::View),
        change: widest(Act::Change).allows(),
        decide: widest(Act::Decide).allows(),
    }
}

impl Requests<'_> {
    /// One page, soonest day first (the API: in the order they came in, `by_arrival`).
    pub async fn page(
        &self,
        filter: &RequestFilter,
        request: &PageRequest,
        by_arrival: bool,
    ) -> Result<Page<Scoped<Request>>> {
        let mut q = Query::default();
        let select = request_select(self.viewer, &mut q);
        if let Some(scope) = request_scope(self.viewer, &mut q) {
            q.and(scope);
        }
        if let Some(s) = filter.status {
            let p = q.bind(Value::Text(s.key().to_owned()));
            q.and(format!("r.status = {p}"));
        } else if filter.open {
            q.and("r.status IN ('submitted', 'approved', 'assigned')");
        }
        if let Some(l) = filter.language.as_deref().filter(|l| !l.is_empty()) {
            let p = q.bind(Value::Text(l.to_owned()));
            q.and(format!("r.language = {p}"));
        }
        if let Some(d) = filter.from {
            let p = q.bind(Value::Text(d.to_string()));
            q.and(format!("r.on_date >= {p}"));
        }
        if let Some(d) = filter.to {
            let p = q.bind(Value::Text(d.to_string()));
            q.and(format!("r.on_date <= {p}"));
        }
        let page: Page<Request> = if by_arrival {
            crate::paging::read_page(
                self.db,
                &select,
                q,
                &Keyset::by_id("r.id"),
                request,
                |r: &Request| Keyset::id_cursor(&r.id),
            )
            .await?
        } else {
            crate::paging::read_page(
                self.db,
                &select,
                q,
                &Keyset {
                    key_column: "r.on_date",
                    id_column: "r.id",
                },
                request,
                |r: &Request| Cursor {
                    key: r.on_date.to_string(),
                    id: r.id.clone(),
                },
            )
            .await?
        };
        let now = crate::now_ms();
        for r in &page.items {
            self.db
                .access_log()
                .record(&self.viewer.into(), now, Entity::InterpreterRequest, &r.id)
                .await;
        }
        Ok(page.map(|r| Scoped {
            access: request_access(self.viewer, &r),
            record: r,
        }))
    }

    /// One request, or not found where the viewer may not see it.
    pub async fn get(&self, id: &str) -> Result<Scoped<Request>> {
        let mut q = Query::default();
        let select = request_select(self.viewer, &mut q);
        let p = q.bind(Value::Text(id.to_owned()));
        q.and(format!("r.id = {p}"));
        if let Some(scope) = request_scope(self.viewer, &mut q) {
            q.and(scope);
        }
        let sql = sqlx::AssertSqlSafe(format!("{select}{}", q.where_clause()));
        let row: Option<Request> =
            read!(self.db, |c| bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_optional(c)
                .await)?;
        let r = row.ok_or(StoreError::NotFound)?;
        self.db
            .access_log()
            .record(
                &self.viewer.into(),
                crate::now_ms(),
                Entity::InterpreterRequest,
                id,
            )
            .await;
        Ok(Scoped {
            access: request_access(self.viewer, &r),
            record: r,
        })
    }
}

/// The request's facts a write depends on, read and locked in the writing transaction.
#[derive(sqlx::FromRow)]
struct Locked {
    organisation_id: String,
    requested_by: Option<String>,
    status: String,
    language: String,
    on_date: Date,
    start_minute: i64,
    duration_minutes: i64,
    town_ags: String,
    interpreter_id: Option<String>,
}

impl Locked {
    fn status(&self) -> RequestStatus {
        RequestStatus::parse(&self.status).unwrap_or(RequestStatus::Submitted)
    }

    fn slot(&self) -> Slot {
        Slot::stored(self.on_date, self.start_minute, self.duration_minutes)
    }
}

async fn lock(tx: &mut Tx, viewer: &Viewer, id: &str, action: Act) -> Result<Locked> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT organisation_id, requested_by, status, language, on_date, start_minute, \
         duration_minutes, town_ags, interpreter_id FROM interpreter_requests WHERE id = $1{}",
        tx.for_update()
    ));
    let row: Option<Locked> = tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let rel = if row.organisation_id == viewer.organisation_id {
        Relationship::OwnOrganisation
    } else {
        Relationship::Other
    };
    if !viewer.is_system()
        && !decide(&viewer.roles, Record::InterpreterRequest, rel, action).allows()
    {
        // The viewer may see it (its own organisation's) but not decide: a refusal that names
        // the reason; otherwise it does not exist for them.
        if decide(&viewer.roles, Record::InterpreterRequest, rel, Act::View).allows() {
            return Err(StoreError::field(
                "status",
                "Über Anfragen entscheidet das Kommunale Integrationszentrum.",
            ));
        }
        return Err(StoreError::NotFound);
    }
    Ok(row)
}

fn wrong_status(now: RequestStatus, wanted: &str) -> StoreError {
    StoreError::field(
        "status",
        format!("Die Anfrage ist „{}“; {wanted}", now.label()),
    )
}

fn request_href(id: &str) -> String {
    format!("/interpreters/requests/{id}")
}

fn language_name(code: &str) -> &str {
    lotse_domain::offer::delivery_language_name(code).unwrap_or(code)
}

/// Sends a request to the pool on behalf of `organisation_id` (the viewer's own, or any for the
/// coordination). The draft has passed the pool's rules.
pub async fn submit(
    db: &Db,
    viewer: &Viewer,
    organisation_id: &str,
    draft: &RequestDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let rel = if organisation_id == viewer.organisation_id {
        Relationship::OwnOrganisation
    } else {
        Relationship::Other
    };
    if !viewer.is_system()
        && !decide(&viewer.roles, Record::InterpreterRequest, rel, Act::Change).allows()
    {
        return Err(StoreError::field(
            "organisation_id",
            "Anfragen stellt eine Organisation für sich selbst.",
        ));
    }
    db.write(async |tx| submit_in(tx, viewer, organisation_id, draft, fictitious, now).await)
        .await
}

/// [`submit`] inside another act's transaction (a counselling appointment that asks the pool
/// for an interpreter): the request and the appointment are written together or not at all.
pub(crate) async fn submit_in(
    tx: &mut Tx,
    viewer: &Viewer,
    organisation_id: &str,
    draft: &RequestDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let actor: Actor = viewer.into();
    let requested_by = (!viewer.is_system()).then(|| viewer.user_id.clone());
    let inserted = tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO interpreter_requests (id, organisation_id, requested_by, language, dialect, \
         on_date, start_minute, duration_minutes, town_ags, setting, occasion, place, \
         contact_name, contact_phone, contact_email, note, status, fictitious, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, 'submitted', $17, $18, $18)"
    )
    .bind(&id)
    .bind(organisation_id)
    .bind(&requested_by)
    .bind(draft.language)
    .bind(&draft.dialect)
    .bind(draft.slot.date)
    .bind(i64::from(draft.slot.start_minute))
    .bind(i64::from(draft.slot.duration_minutes))
    .bind(draft.town_ags)
    .bind(draft.setting.key())
    .bind(draft.occasion.map(|o| o.key()))
    .bind(&draft.place)
    .bind(&draft.contact_name)
    .bind(&draft.contact_phone)
    .bind(&draft.contact_email)
    .bind(&draft.note)
    .bind(fictitious)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(inserted, || {
        StoreError::field("organisation_id", "Diese Organisation gibt es nicht.")
    })?;
    tx.record(
        Event::new(&actor, now, Entity::InterpreterRequest, Action::Submit, &id).with(json!({
            "organisation_id": organisation_id,
            "language": draft.language,
            "on_date": draft.slot.date.to_string(),
            "town_ags": draft.town_ags,
            "setting": draft.setting.key(),
        })),
    );
    let pool = notifications::holders(tx, None, Permission::ManageInterpreterPool).await?;
    notifications::notify(
        tx,
        &pool,
        &format!(
            "Neue Anfrage an den Sprachmittlerpool: {}, {}",
            language_name(draft.language),
            draft.slot.german()
        ),
        &request_href(&id),
        now,
    )
    .await?;
    Ok(id)
}

/// The requester calls a request off (or the coordination does for it).
pub async fn cancel(db: &Db, viewer: &Viewer, id: &str, now: i64) -> Result<()> {
    db.write(async |tx| cancel_in(tx, viewer, id, now).await)
        .await
}

/// [`cancel`] inside another act's transaction (a counselling appointment moved or called
/// off). A request no longer open is left as it is.
pub(crate) async fn cancel_in(tx: &mut Tx, viewer: &Viewer, id: &str, now: i64) -> Result<()> {
    let actor: Actor = viewer.into();
    let r = lock(tx, viewer, id, Act::Change).await?;
    if !r.status().cancellable() {
        return Err(wrong_status(
            r.status(),
            "stornieren lässt sich nur eine offene Anfrage.",
        ));
    }
    set_status(tx, id, RequestStatus::Cancelled, "", now).await?;
    tx.record(Event::new(
        &actor,
        now,
        Entity::InterpreterRequest,
        Action::Withdraw,
        id,
    ));
    // Whoever was told of the date is told it is off, with the entry that removes it.
    if r.status() == RequestStatus::Assigned {
        appointment_mails(tx, id, true, now).await?;
    }
    if let Some(user) = interpreter_user(tx, r.interpreter_id.as_deref()).await? {
        notifications::notify(
            tx,
            &[user],
            &format!(
                "Einsatz storniert: {}, {}",
                language_name(&r.language),
                r.slot().german()
            ),
            &request_href(id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Whether a request is still open (to call it off with an appointment that moves).
pub(crate) async fn is_open(tx: &mut Tx, id: &str) -> Result<bool> {
    let status: Option<String> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT status FROM interpreter_requests WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(status
        .and_then(|s| RequestStatus::parse(&s))
        .is_some_and(RequestStatus::cancellable))
}

async fn set_status(
    tx: &mut Tx,
    id: &str,
    status: RequestStatus,
    reason: &str,
    now: i64,
) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "UPDATE interpreter_requests SET status = $2, reason = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(status.key())
    .bind(reason)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

async fn interpreter_user(tx: &mut Tx, interpreter_id: Option<&str>) -> Result<Option<String>> {
    let Some(iid) = interpreter_id else {
        return Ok(None);
    };
    let user: Option<Option<String>> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM interpreters WHERE id = $1"
    )
    .bind(iid)
    .fetch_optional(c)
    .await)?;
    Ok(user.flatten())
}

/// The KI's review: approve (the request goes to matching) or reject with a reason.
pub async fn review(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    approve: bool,
    reason: &str,
    now: i64,
) -> Result<()> {
    let reason = reason.trim();
    if !approve && reason.is_empty() {
        return Err(StoreError::field(
            "reason",
            "Bitte den Grund der Ablehnung angeben; die anfragende Stelle liest ihn.",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(StoreError::field("reason", "Höchstens 1000 Zeichen."));
    }
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let r = lock(tx, viewer, id, Act::Decide).await?;
        if r.status() != RequestStatus::Submitted {
            return Err(wrong_status(
                r.status(),
                "geprüft wird nur eine neu eingegangene Anfrage.",
            ));
        }
        let (status, action) = if approve {
            (RequestStatus::Approved, Action::Approve)
        } else {
            (RequestStatus::Rejected, Action::Reject)
        };
        set_status(tx, id, status, reason, now).await?;
        tx!(tx, |c| sqlx::query(
            "UPDATE interpreter_requests SET decided_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(Event::new(
            &actor,
            now,
            Entity::InterpreterRequest,
            action,
            id,
        ));
        if let Some(user) = r.requested_by.clone() {
            let text = if approve {
                format!(
                    "Anfrage freigegeben, wird vermittelt: {}",
                    r.slot().german()
                )
            } else {
                format!("Anfrage abgelehnt: {reason}")
            };
            notifications::notify(tx, &[user], &text, &request_href(id), now).await?;
        }
        Ok(())
    })
    .await
}

/// The KI found nobody: the request is unmet, and counts as unmet demand for its language.
pub async fn mark_unmet(db: &Db, viewer: &Viewer, id: &str, reason: &str, now: i64) -> Result<()> {
    let reason = reason.trim();
    if reason.chars().count() > 1000 {
        return Err(StoreError::field("reason", "Höchstens 1000 Zeichen."));
    }
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let r = lock(tx, viewer, id, Act::Decide).await?;
        if !matches!(
            r.status(),
            RequestStatus::Submitted | RequestStatus::Approved
        ) {
            return Err(wrong_status(
                r.status(),
                "nur eine noch nicht vermittelte Anfrage kann als nicht vermittelbar gelten.",
            ));
        }
        set_status(tx, id, RequestStatus::Unmet, reason, now).await?;
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::InterpreterRequest,
                Action::MarkUnmet,
                id,
            )
            .with(json!({"language": r.language})),
        );
        if let Some(user) = r.requested_by.clone() {
            notifications::notify(
                tx,
                &[user],
                &format!(
                    "Leider keine Sprachmittlung gefunden: {}, {}",
                    language_name(&r.language),
                    r.slot().german()
                ),
                &request_href(id),
                now,
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// One interpreter as matching sees them for a request: the facts and why they fit or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub candidate: Candidate,
    pub fits: std::result::Result<(), NotProposed>,
}

/// What matching reads of the interpreters who speak `language`: their availability, the
/// assignments they hold around `day` (a day each side, enough for any clash), and their
/// assignments of the last 90 days for fair distribution. In `tx` when assigning, so that the
/// facts cannot change before the assignment is written.
async fn candidates_in(
    mut at: On<'_>,
    language: &str,
    day: Date,
    only: Option<&str>,
    excluding_request: &str,
) -> Result<Vec<Candidate>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
        active: bool,
        pledge_signed_on: Option<Date>,
        towns: String,
        weekdays: String,
        available_from: i64,
        available_until: i64,
    }
    let lock = match &at {
        On::Tx(tx) => tx.for_update(),
        On::Db(_) => "",
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT i.id, i.name, i.active, i.pledge_signed_on, i.towns, i.weekdays, \
         i.available_from, i.available_until FROM interpreters i \
         WHERE EXISTS (SELECT 1 FROM interpreter_languages l WHERE l.interpreter_id = i.id AND l.language = $1) \
         AND ($2 = '' OR i.id = $2) ORDER BY i.name_key, i.id{lock}"
    ));
    let rows: Vec<Row> = on!(at.reborrow(), |c| sqlx::query_as(sql)
        .bind(language)
        .bind(only.unwrap_or(""))
        .fetch_all(c)
        .await)?;
    let (before, after) = (
        day.add_days(-1).unwrap_or(day).to_string(),
        day.add_days(1).unwrap_or(day).to_string(),
    );
    let since = day.add_days(-90).unwrap_or(day).to_string();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let booked: Vec<(Date, i64, i64)> = on!(at.reborrow(), |c| sqlx::query_as(
            "SELECT on_date, start_minute, duration_minutes FROM interpreter_requests \
             WHERE interpreter_id = $1 AND status IN ('assigned', 'completed') \
             AND on_date BETWEEN $2 AND $3 AND id <> $4"
        )
        .bind(&row.id)
        .bind(&before)
        .bind(&after)
        .bind(excluding_request)
        .fetch_all(c)
        .await)?;
        let (recent, minutes): (i64, i64) = on!(at.reborrow(), |c| {
            sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(duration_minutes), 0) AS BIGINT) FROM interpreter_requests \
             WHERE interpreter_id = $1 AND status IN ('assigned', 'completed') AND on_date >= $2"
        )
        .bind(&row.id)
        .bind(&since)
        .fetch_one(c)
        .await
        })?;
        out.push(Candidate {
            id: row.id,
            name: row.name,
            active: row.active,
            pledge_signed: row.pledge_signed_on.is_some(),
            languages: vec![language.to_owned()],
            towns: row
                .towns
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            weekdays: weekdays_of(&row.weekdays),
            available_from: u16::try_from(row.available_from).unwrap_or(0),
            available_until: u16::try_from(row.available_until).unwrap_or(0),
            booked: booked
                .into_iter()
                .map(|(date, start, duration)| Slot::stored(date, start, duration))
                .collect(),
            recent_assignments: u32::try_from(recent).unwrap_or(u32::MAX),
            recent_minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
        });
    }
    Ok(out)
}

/// The matching proposal for a request: everyone who speaks its language, those who fit first
/// in the order of fair distribution, then the others with the reason they do not.
pub async fn proposal(db: &Db, viewer: &Viewer, id: &str) -> Result<Vec<Match>> {
    require_pool(viewer)?;
    let request = requests_for(db, viewer).get(id).await?.into_inner();
    let slot = request.slot();
    let candidates = candidates_in(On::Db(db), &request.language, slot.date, None, id).await?;
    let fitting: Vec<String> = lotse_domain::interpreters::propose(
        &request.language,
        &request.town_ags,
        slot,
        &candidates,
    )
    .into_iter()
    .map(|c| c.id.clone())
    .collect();
    let mut matches: Vec<Match> = candidates
        .into_iter()
        .map(|c| Match {
            fits: c.fits(&request.language, &request.town_ags, slot),
            candidate: c,
        })
        .collect();
    matches.sort_by_key(|m| {
        fitting
            .iter()
            .position(|id| *id == m.candidate.id)
            .unwrap_or(usize::MAX)
    });
    Ok(matches)
}

/// Assigns an interpreter to an approved request. The interpreter's row is locked and their
/// assignments read again in this transaction, so that two coordinators assigning the same
/// person at the same time cannot double-book them: the second is told why.
pub async fn assign(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    interpreter_id: &str,
    now: i64,
) -> Result<()> {
    require_pool(viewer)?;
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let r = lock(tx, viewer, id, Act::Decide).await?;
        if !matches!(
            r.status(),
            RequestStatus::Approved | RequestStatus::Submitted
        ) {
            return Err(wrong_status(
                r.status(),
                "vermittelt wird nur eine freigegebene Anfrage.",
            ));
        }
        let slot = r.slot();
        let candidate = candidates_in(On::Tx(tx), &r.language, slot.date, Some(interpreter_id), id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                StoreError::field(
                    "interpreter_id",
                    format!(
                        "Niemand im Pool spricht {} unter dieser Kennung.",
                        language_name(&r.language)
                    ),
                )
            })?;
        if let Err(why) = candidate.fits(&r.language, &r.town_ags, slot) {
            return Err(StoreError::field(
                "interpreter_id",
                format!(
                    "{} kann diesen Einsatz nicht übernehmen: {}.",
                    candidate.name,
                    why.label()
                ),
            ));
        }
        tx!(tx, |c| sqlx::query(
            "UPDATE interpreter_requests SET status = 'assigned', interpreter_id = $2, \
             assigned_at = $3, decided_at = COALESCE(decided_at, $3), updated_at = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(interpreter_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(
            Event::new(&actor, now, Entity::InterpreterRequest, Action::Assign, id)
                .with(json!({"interpreter_id": interpreter_id})),
        );
        let text = format!(
            "Sprachmittlung vermittelt: {}, {}",
            language_name(&r.language),
            slot.german()
        );
        if let Some(user) = r.requested_by.clone() {
            notifications::notify(tx, &[user], &text, &request_href(id), now).await?;
        }
        if let Some(user) = interpreter_user(tx, Some(interpreter_id)).await? {
            notifications::notify(
                tx,
                &[user],
                &format!(
                    "Neuer Einsatz: {}, {}",
                    language_name(&r.language),
                    slot.german()
                ),
                &request_href(id),
                now,
            )
            .await?;
        }
        appointment_mails(tx, id, false, now).await?;
        Ok(())
    })
    .await
}

/// What the confirmation mails of an assignment say, read in the assigning transaction.
#[derive(sqlx::FromRow)]
struct MailFacts {
    language: String,
    dialect: String,
    on_date: Date,
    start_minute: i64,
    duration_minutes: i64,
    town: String,
    place: String,
    organisation: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
    requester_email: Option<String>,
    interpreter: Option<String>,
    interpreter_phone: Option<String>,
    interpreter_email: Option<String>,
}

/// Queues the confirmation (or, for a cancelled assignment, the cancellation) to the requester
/// and to the interpreter, each with a calendar entry. Written in the act's transaction, sent by
/// the outbox job. The interpreter learns where and whom to ask for, never the request's note.
async fn appointment_mails(tx: &mut Tx, id: &str, cancelled: bool, now: i64) -> Result<()> {
    let f: MailFacts = tx!(tx, |c| {
        sqlx::query_as(
            "SELECT r.language, r.dialect, r.on_date, r.start_minute, r.duration_minutes, \
         t.name AS town, r.place, o.name AS organisation, r.contact_name, r.contact_phone, \
         r.contact_email, u.email AS requester_email, i.name AS interpreter, \
         i.phone AS interpreter_phone, i.email AS interpreter_email \
         FROM interpreter_requests r JOIN towns t ON t.ags = r.town_ags \
         JOIN organisations o ON o.id = r.organisation_id \
         LEFT JOIN users u ON u.id = r.requested_by \
         LEFT JOIN interpreters i ON i.id = r.interpreter_id WHERE r.id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })?;
    let slot = Slot::stored(f.on_date, f.start_minute, f.duration_minutes);
    let language = if f.dialect.is_empty() {
        language_name(&f.language).to_owned()
    } else {
        format!("{} ({})", language_name(&f.language), f.dialect)
    };
    let location = [f.place.as_str(), f.town.as_str()]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let interpreter = f.interpreter.clone().unwrap_or_default();
    let when = slot.german();
    let event = |summary: String, description: String| lotse_domain::icalendar::Event {
        uid: format!("{id}@lotse"),
        sequence: u32::from(cancelled),
        stamp_ms: now,
        date: slot.date,
        start_minute: slot.start_minute,
        duration_minutes: slot.duration_minutes,
        summary,
        location: location.clone(),
        description,
        cancelled,
    };
    let mail = |to: String, subject: String, body: String, calendar: String| outbox::Mail {
        to,
        subject,
        body,
        calendar: Some(calendar),
        about_entity: Entity::InterpreterRequest.key(),
        about_id: id.to_owned(),
    };
    let footer = "Kommunales Integrationszentrum Kreis Warendorf – Sprachmittlerpool\n\
                  Diese Nachricht wurde von Lotse versandt.";
    let requester_to = if f.contact_email.trim().is_empty() {
        f.requester_email.clone().unwrap_or_default()
    } else {
        f.contact_email.clone()
    };
    let (subject, lead) = if cancelled {
        (
            format!("Storniert: Sprachmittlung {language}, {when}"),
            "der folgende Einsatz der Sprachmittlung ist storniert:",
        )
    } else {
        (
            format!("Bestätigt: Sprachmittlung {language}, {when}"),
            "für Ihre Anfrage an den Sprachmittlerpool ist eine Sprachmittlung vermittelt:",
        )
    };
    let mut body =
        format!("Guten Tag,\n\n{lead}\n\nSprache: {language}\nTermin: {when}\nOrt: {location}\n");
    if !interpreter.is_empty() {
        body.push_str(&format!("Sprachmittlung: {interpreter}"));
        if let Some(phone) = f.interpreter_phone.as_deref().filter(|p| !p.is_empty()) {
            body.push_str(&format!(", Telefon {phone}"));
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "\nDen Termin finden Sie auch als Kalendereintrag im Anhang.\n\n{footer}\n"
    ));
    let calendar = event(
        format!("Sprachmittlung {language}"),
        format!("Sprachmittlung: {interpreter}"),
    )
    .to_ics();
    outbox::enqueue(tx, &mail(requester_to, subject, body, calendar), now).await?;
    if let Some(to) = f.interpreter_email.filter(|e| !e.trim().is_empty()) {
        let (subject, lead) = if cancelled {
            (
                format!("Einsatz storniert: {language}, {when}"),
                "Ihr folgender Einsatz ist storniert; der Termin entfällt:",
            )
        } else {
            (
                format!("Neuer Einsatz: {language}, {when}"),
                "das Kommunale Integrationszentrum hat Ihnen einen Einsatz vermittelt:",
            )
        };
        let mut contact = f.contact_name.clone();
        if !f.contact_phone.is_empty() {
            contact.push_str(&format!(", Telefon {}", f.contact_phone));
        }
        let body = format!(
            "Guten Tag {interpreter},\n\n{lead}\n\nSprache: {language}\nTermin: {when}\n\
             Ort: {location}\nFür: {}\nAnsprechperson: {contact}\n\n\
             Die Einzelheiten stehen in Lotse unter „Meine Einsätze“; den Termin finden Sie auch \
             als Kalendereintrag im Anhang.\n\n{footer}\n",
            f.organisation
        );
        let calendar = event(
            format!("Einsatz Sprachmittlung {language}"),
            format!("Für: {}\nAnsprechperson: {contact}", f.organisation),
        )
        .to_ics();
        outbox::enqueue(tx, &mail(to, subject, body, calendar), now).await?;
    }
    Ok(())
}

/// The allowance rates in force (the coordination's settings, or the defaults).
pub async fn rates(db: &Db) -> Result<Rates> {
    Ok(settings::get(db, RATES_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub const RATES_KEY: &str = "interpreter_rates";

pub async fn set_rates(db: &Db, viewer: &Viewer, rates: Rates, now: i64) -> Result<()> {
    require_pool(viewer)?;
    let mut e = lotse_domain::FieldErrors::new();
    for (field, v) in [
        ("base", rates.base_cents),
        ("base_minutes", rates.base_minutes),
        ("extra_hour", rates.extra_hour_cents),
        ("km", rates.km_cents),
    ] {
        if !(0..=100_000).contains(&v) {
            e.add(
                field,
                "Ein Betrag von 0 bis 1.000 € (Minuten: bis 100.000).",
            );
        }
    }
    e.into_result(())?;
    let value = serde_json::to_string(&rates).map_err(|e| StoreError::Config(e.to_string()))?;
    let actor: Actor = viewer.into();
    db.write(async |tx| settings::set(tx, &actor, RATES_KEY, &value, now).await)
        .await
}

/// Records that an assignment took place: its actual duration and the kilometres travelled.
/// The allowance is computed with the rates in force and kept with them.
pub async fn complete(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    actual_minutes: i64,
    travel_km: i64,
    now: i64,
) -> Result<i64> {
    require_pool(viewer)?;
    let mut e = lotse_domain::FieldErrors::new();
    if !(1..=720).contains(&actual_minutes) {
        e.add(
            "actual_minutes",
            "Die tatsächliche Dauer in Minuten, von 1 bis 720.",
        );
    }
    if !(0..=500).contains(&travel_km) {
        e.add(
            "travel_km",
            "Die gefahrenen Kilometer (hin und zurück), von 0 bis 500.",
        );
    }
    e.into_result(())?;
    let rates = rates(db).await?;
    let allowance = rates.allowance_cents(actual_minutes, travel_km);
    let actor: Actor = viewer.into();
    let today = day_of(now);
    db.write(async |tx| {
        let r = lock(tx, viewer, id, Act::Decide).await?;
        if r.status() != RequestStatus::Assigned {
            return Err(wrong_status(
                r.status(),
                "als durchgeführt erfasst wird nur ein vermittelter Einsatz.",
            ));
        }
        if r.on_date > today {
            return Err(StoreError::field(
                "actual_minutes",
                format!("Der Einsatz ist erst am {}.", r.on_date.german()),
            ));
        }
        tx!(tx, |c| sqlx::query(
            "UPDATE interpreter_requests SET status = 'completed', actual_minutes = $2, \
             travel_km = $3, allowance_cents = $4, rates = $5, completed_at = $6, updated_at = $6 \
             WHERE id = $1"
        )
        .bind(id)
        .bind(actual_minutes)
        .bind(travel_km)
        .bind(allowance)
        .bind(serde_json::to_string(&rates).unwrap_or_default())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::InterpreterRequest,
                Action::Complete,
                id,
            )
            .with(json!({
                "actual_minutes": actual_minutes,
                "travel_km": travel_km,
                "allowance_cents": allowance,
            })),
        );
        Ok(())
    })
    .await?;
    Ok(allowance)
}

/// Requests that found nobody, per language, on days in `from..=to`: unmet demand for the gap
/// analysis. Counts of requests from institutions, naming no person.
pub async fn unmet_by_language(db: &Db, from: Date, to: Date) -> Result<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = read!(db, |c| sqlx::query_as(
        "SELECT language, COUNT(*) FROM interpreter_requests WHERE status = 'unmet' \
         AND on_date BETWEEN $1 AND $2 GROUP BY language ORDER BY COUNT(*) DESC, language"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// How many requests wait for the KI: submitted (to review) and approved (to match).
pub async fn waiting(db: &Db) -> Result<(i64, i64)> {
    let rows: Vec<(String, i64)> = read!(db, |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM interpreter_requests \
         WHERE status IN ('submitted', 'approved') GROUP BY status"
    )
    .fetch_all(c)
    .await)?;
    let of = |s: &str| rows.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok((of("submitted"), of("approved")))
}

/// The completed assignments of a month with their allowances, by interpreter: the statement
/// the finance office pays from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatementLine {
    pub interpreter_id: String,
    pub interpreter: String,
    pub request_id: String,
    pub on_date: Date,
    pub language: String,
    pub town: String,
    pub organisation: String,
    pub actual_minutes: i64,
    pub travel_km: i64,
    pub allowance_cents: i64,
}

pub async fn statement(
    db: &Db,
    viewer: &Viewer,
    from: Date,
    to: Date,
) -> Result<Vec<StatementLine>> {
    require_pool(viewer)?;
    let rows: Vec<StatementLine> = read!(db, |c| sqlx::query_as(
        "SELECT i.id AS interpreter_id, i.name AS interpreter, r.id AS request_id, r.on_date, \
         r.language, t.name AS town, o.name AS organisation, \
         COALESCE(r.actual_minutes, 0) AS actual_minutes, COALESCE(r.travel_km, 0) AS travel_km, \
         COALESCE(r.allowance_cents, 0) AS allowance_cents \
         FROM interpreter_requests r JOIN interpreters i ON i.id = r.interpreter_id \
         JOIN towns t ON t.ags = r.town_ags JOIN organisations o ON o.id = r.organisation_id \
         WHERE r.status = 'completed' AND r.on_date BETWEEN $1 AND $2 \
         ORDER BY i.name_key, i.id, r.on_date, r.start_minute, r.id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}
