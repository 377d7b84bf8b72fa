//! The audit log: who changed (and later, who read) what, when.
//!
//! Store functions record a typed [`Event`] on their transaction ([`crate::Tx::record`]); the
//! events are appended when it commits, in the same transaction as the change they record, and
//! chained by SHA-256:
//! each entry's hash covers its own fields and the previous entry's hash, so changing or removing
//! any entry breaks every link after it. `lotse audit verify` walks the chain ([`verify`]).
//! The database additionally refuses UPDATE and DELETE on the table (triggers in the migration).
//! Reads of protected records go to the separate access log ([`crate::access_log`]).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::db::{Backend, Conn, Db, Value, bind_values, read, tx};

/// Who did something: a user, or the system itself (CLI, reference data, demo loader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub name: String,
}

impl Actor {
    pub fn user(id: &str, username: &str) -> Actor {
        Actor {
            user_id: Some(id.to_owned()),
            name: username.to_owned(),
        }
    }

    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            name: format!("system:{what}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub record_id: String,
    /// JSON object: for updates `{"field": {"from": old, "to": new}}`, for creations the fields.
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: covers every field but `hash` itself.
fn entry_hash(e: &AuditEntry) -> String {
    // A JSON array is an unambiguous encoding of the fields: no separator can be smuggled in.
    let canonical = serde_json::json!([
        e.prev_hash,
        e.seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.action,
        e.entity,
        e.record_id,
        e.changes
    ])
    .to_string();
    hex(&Sha256::digest(canonical.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// What kind of record an audit event is about. Stored as [`Entity::key`]; the keys are those
/// the log has always used, so old and new entries filter alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    User,
    Session,
    ApiToken,
    Setting,
    ReferenceData,
    Organisation,
    Concept,
    FieldOfAction,
    Measure,
    Indicator,
    ReviewRound,
    ReviewUpdate,
    ReviewProposal,
    StructuralIssue,
    Body,
    Meeting,
    AgendaItem,
    Decision,
    ActionItem,
    Offer,
    Programme,
    FundingProgramme,
    Grant,
    ReportingDeadline,
    Job,
    Person,
    Case,
    FinderConcept,
    FinderMisses,
    AccessibilityFeedback,
    Interpreter,
    InterpreterRequest,
    CounsellingSite,
    SchoolRegistration,
}

impl Entity {
    pub const ALL: [Entity; 34] = [
        Entity::User,
        Entity::Session,
        Entity::ApiToken,
        Entity::Setting,
        Entity::ReferenceData,
        Entity::Organisation,
        Entity::Concept,
        Entity::FieldOfAction,
        Entity::Measure,
        Entity::Indicator,
        Entity::ReviewRound,
        Entity::ReviewUpdate,
        Entity::ReviewProposal,
        Entity::StructuralIssue,
        Entity::Body,
        Entity::Meeting,
        Entity::AgendaItem,
        Entity::Decision,
        Entity::ActionItem,
        Entity::Offer,
        Entity::Programme,
        Entity::FundingProgramme,
        Entity::Grant,
        Entity::ReportingDeadline,
        Entity::Job,
        Entity::Person,
        Entity::Case,
        Entity::FinderConcept,
        Entity::FinderMisses,
        Entity::AccessibilityFeedback,
        Entity::Interpreter,
        Entity::InterpreterRequest,
        Entity::CounsellingSite,
        Entity::SchoolRegistration,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Session => "session",
            Entity::ApiToken => "api_token",
            Entity::Setting => "setting",
            Entity::ReferenceData => "reference_data",
            Entity::Organisation => "organisation",
            Entity::Concept => "concept",
            Entity::FieldOfAction => "field_of_action",
            Entity::Measure => "measure",
            Entity::Indicator => "indicator",
            Entity::ReviewRound => "review_round",
            Entity::ReviewUpdate => "review_update",
            Entity::ReviewProposal => "review_proposal",
            Entity::StructuralIssue => "structural_issue",
            Entity::Body => "body",
            Entity::Meeting => "meeting",
            Entity::AgendaItem => "agenda_item",
            Entity::Decision => "decision",
            Entity::ActionItem => "action_item",
            Entity::Offer => "offer",
            Entity::Programme => "programme",
            Entity::FundingProgramme => "funding_programme",
            Entity::Grant => "grant",
            Entity::ReportingDeadline => "reporting_deadline",
            Entity::Job => "job",
            Entity::Person => "person",
            Entity::Case => "case",
            Entity::FinderConcept => "finder_concept",
            Entity::FinderMisses => "finder_misses",
            Entity::AccessibilityFeedback => "accessibility_feedback",
            Entity::Interpreter => "interpreter",
            Entity::InterpreterRequest => "interpreter_request",
            Entity::CounsellingSite => "counselling_site",
            Entity::SchoolRegistration => "school_registration",
        }
    }

    pub fn parse(key: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.key() == key)
    }
}

/// What was done. Stored as [`Action::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    Import,
    Load,
    Activate,
    Deactivate,
    Login,
    LoginFailed,
    SecondFactor,
    SecondFactorFailed,
    Logout,
    ChangePassword,
    ResetPassword,
    EnrolTotp,
    RemoveTotp,
    Revoke,
    Open,
    Close,
    Submit,
    Accept,
    Return,
    Propose,
    Remind,
    Approve,
    Discard,
    Verify,
    Withdraw,
    Reinstate,
    Link,
    LinkMeasure,
    UnlinkMeasure,
    RecordValue,
    AddSite,
    DeactivateSite,
    ReactivateSite,
    SetFigures,
    SetBudget,
    Payment,
    Expense,
    AddDeadline,
    SubmitReport,
    Run,
    Reject,
    Assign,
    Complete,
    MarkUnmet,
}

impl Action {
    pub const ALL: [Action; 46] = [
        Action::Create,
        Action::Update,
        Action::Import,
        Action::Load,
        Action::Activate,
        Action::Deactivate,
        Action::Login,
        Action::LoginFailed,
        Action::SecondFactor,
        Action::SecondFactorFailed,
        Action::Logout,
        Action::ChangePassword,
        Action::ResetPassword,
        Action::EnrolTotp,
        Action::RemoveTotp,
        Action::Revoke,
        Action::Open,
        Action::Close,
        Action::Submit,
        Action::Accept,
        Action::Return,
        Action::Propose,
        Action::Remind,
        Action::Approve,
        Action::Discard,
        Action::Verify,
        Action::Withdraw,
        Action::Reinstate,
        Action::Link,
        Action::LinkMeasure,
        Action::UnlinkMeasure,
        Action::RecordValue,
        Action::AddSite,
        Action::DeactivateSite,
        Action::ReactivateSite,
        Action::SetFigures,
        Action::SetBudget,
        Action::Payment,
        Action::Expense,
        Action::AddDeadline,
        Action::SubmitReport,
        Action::Run,
        Action::Reject,
        Action::Assign,
        Action::Complete,
        Action::MarkUnmet,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Import => "import",
            Action::Load => "load",
            Action::Activate => "reactivate",
            Action::Deactivate => "deactivate",
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::SecondFactor => "second_factor",
            Action::SecondFactorFailed => "second_factor_failed",
            Action::Logout => "logout",
            Action::ChangePassword => "change_password",
            Action::ResetPassword => "reset_password",
            Action::EnrolTotp => "enrol_totp",
            Action::RemoveTotp => "remove_totp",
            Action::Revoke => "revoke",
            Action::Open => "open",
            Action::Close => "close",
            Action::Submit => "submit",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Propose => "propose",
            Action::Remind => "remind",
            Action::Approve => "approve",
            Action::Discard => "discard",
            Action::Verify => "verify",
            Action::Withdraw => "withdraw",
            Action::Reinstate => "reinstate",
            Action::Link => "link",
            Action::LinkMeasure => "link_measure",
            Action::UnlinkMeasure => "unlink_measure",
            Action::RecordValue => "record_value",
            Action::AddSite => "add_site",
            Action::DeactivateSite => "deactivate_site",
            Action::ReactivateSite => "reactivate_site",
            Action::SetFigures => "set_figures",
            Action::SetBudget => "set_budget",
            Action::Payment => "payment",
            Action::Expense => "expense",
            Action::AddDeadline => "add_deadline",
            Action::SubmitReport => "submit_report",
            Action::Run => "run",
            Action::Reject => "reject",
            Action::Assign => "assign",
            Action::Complete => "complete",
            Action::MarkUnmet => "mark_unmet",
        }
    }

    pub fn parse(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// One audited act: who did what to which record, when, and what changed.
///
/// Build it with [`Event::created`], [`Event::updated`] (the change record is computed from the
/// values before and after) or [`Event::new`] for acts without field changes, and hand it to
/// [`Tx::record`]; it is written when the transaction commits.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub actor: Actor,
    pub at: i64,
    pub entity: Entity,
    pub action: Action,
    pub record_id: String,
    pub changes: serde_json::Value,
}

impl Event {
    /// An act without a change record (a login, a reminder sent, an approval).
    pub fn new(actor: &Actor, at: i64, entity: Entity, action: Action, record_id: &str) -> Event {
        Event {
            actor: actor.clone(),
            at,
            entity,
            action,
            record_id: record_id.to_owned(),
            changes: serde_json::json!({}),
        }
    }

    /// A new record: its fields are the change record.
    pub fn created(
        actor: &Actor,
        at: i64,
        entity: Entity,
        record_id: &str,
        record: &impl Serialize,
    ) -> Event {
        Event::new(actor, at, entity, Action::Create, record_id).with(fields_of(record))
    }

    /// A changed record: the change record holds each field whose value differs between `before`
    /// and `after`, as `{"field": {"from": …, "to": …}}`. Computed, so no field can be left out.
    pub fn updated<T: Serialize>(
        actor: &Actor,
        at: i64,
        entity: Entity,
        record_id: &str,
        before: &T,
        after: &T,
    ) -> Event {
        Event::new(actor, at, entity, Action::Update, record_id).with(changes(before, after))
    }

    /// The same act under another action (an import is a creation, a status change an update).
    pub fn as_action(mut self, action: Action) -> Event {
        self.action = action;
        self
    }

    /// Adds the entries of `details` (a JSON object) to the change record.
    pub fn with(mut self, details: serde_json::Value) -> Event {
        match (&mut self.changes, details) {
            (serde_json::Value::Object(map), serde_json::Value::Object(more)) => map.extend(more),
            (_, serde_json::Value::Null) => {}
            (changes, other) => *changes = other,
        }
        self
    }
}

/// The fields of a record as a JSON object (a non-object value is wrapped as `{"value": …}`).
fn fields_of(record: &impl Serialize) -> serde_json::Value {
    match serde_json::to_value(record) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        Ok(other) => serde_json::json!({ "value": other }),
        Err(e) => serde_json::json!({ "unrecorded": e.to_string() }),
    }
}

/// Bookkeeping every write changes; a change record lists what a person changed.
const NOT_CHANGES: [&str; 2] = ["created_at", "updated_at"];

/// The change record between two values of a record: the fields that differ, with both values.
pub fn changes<T: Serialize>(before: &T, after: &T) -> serde_json::Value {
    let (mut before, mut after) = (fields_of(before), fields_of(after));
    for field in NOT_CHANGES {
        if let Some(map) = before.as_object_mut() {
            map.remove(field);
        }
        if let Some(map) = after.as_object_mut() {
            map.remove(field);
        }
    }
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut map = serde_json::Map::new();
    for (field, new) in a {
        let old = b.get(field).unwrap_or(&serde_json::Value::Null);
        if old != new {
            map.insert(field.clone(), serde_json::json!({ "from": old, "to": new }));
        }
    }
    for (field, old) in b {
        if !a.contains_key(field) {
            map.insert(
                field.clone(),
                serde_json::json!({ "from": old, "to": null }),
            );
        }
    }
    serde_json::Value::Object(map)
}

/// Appends a transaction's events to the chain, inside that transaction (called by
/// [`Tx::commit`]). The chain head is read with `FOR UPDATE` on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already serialises writers), so concurrent transactions on several nodes
/// cannot fork the chain; it is taken at the very end of the transaction, so the lock is held for
/// the length of one insert, not of the whole change.
pub(crate) async fn append_all(conn: &mut Conn, events: &[Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let head_sql = match conn.backend() {
        Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
        Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let (mut seq, mut prev_hash): (i64, String) =
        tx!(conn, |c| sqlx::query_as(head_sql).fetch_one(&mut *c).await)?;
    let mut entries = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let mut entry = AuditEntry {
            seq,
            at: e.at,
            actor_id: e.actor.user_id.clone(),
            actor_name: e.actor.name.clone(),
            action: e.action.key().to_owned(),
            entity: e.entity.key().to_owned(),
            record_id: e.record_id.clone(),
            changes: e.changes.to_string(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        prev_hash.clone_from(&entry.hash);
        entries.push(entry);
    }
    conn.insert_json(
        "audit_log",
        &[
            "seq",
            "at",
            "actor_id",
            "actor_name",
            "action",
            "entity",
            "record_id",
            "changes",
            "prev_hash",
            "hash",
        ],
        &entries,
    )
    .await?;
    tx!(conn, |c| {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub record_id: Option<String>,
    /// Inclusive lower bound, epoch ms.
    pub from: Option<i64>,
    /// Exclusive upper bound, epoch ms.
    pub until: Option<i64>,
    /// Only entries older than this sequence number: the next page of a list read newest first
    /// (keyset paging: any page costs what the first does).
    pub before_seq: Option<i64>,
}

/// Where a person's previous visit ended: the log position and time of their login before the
/// current one (`None` on a first login). What the start page's "since your last visit" counts
/// from.
pub async fn previous_login(db: &Db, user_id: &str) -> Result<Option<(i64, i64)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT seq, at FROM audit_log WHERE actor_id = $1 AND entity = 'session' AND action = 'login' \
             ORDER BY seq DESC LIMIT 1 OFFSET 1",
        )
        .bind(user_id)
        .fetch_optional(c)
        .await
    })?)
}

/// What others did after log position `after`, counted per (entity, action) among `kinds`: the
/// start page's "since your last visit". Reads forward from that position along the primary key.
pub async fn changes_since(
    db: &Db,
    after: i64,
    user_id: &str,
    kinds: &[(&str, &str)],
) -> Result<Vec<(String, String, i64)>> {
    let rows: Vec<(String, String, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT entity, action, COUNT(*) FROM audit_log WHERE seq > $1 \
             AND (actor_id IS NULL OR actor_id <> $2) GROUP BY entity, action",
        )
        .bind(after)
        .bind(user_id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .filter(|(e, a, _)| kinds.iter().any(|(ke, ka)| ke == e && ka == a))
        .collect())
}

/// The newest entries first, `limit` per page.
pub async fn search(
    db: &Db,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>> {
    let mut sql = String::from(
        "SELECT seq, at, actor_id, actor_name, action, entity, record_id, changes, prev_hash, hash FROM audit_log WHERE 1 = 1",
    );
    let mut values = Vec::new();
    let mut push = |sql: &mut String, clause: &str, v: Value| {
        values.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(e) = &filter.entity {
        push(&mut sql, " AND entity = ?", Value::Text(e.clone()));
    }
    if let Some(a) = &filter.action {
        push(&mut sql, " AND action = ?", Value::Text(a.clone()));
    }
    if let Some(a) = &filter.actor {
        push(&mut sql, " AND actor_name = ?", Value::Text(a.clone()));
    }
    if let Some(r) = &filter.record_id {
        push(&mut sql, " AND record_id = ?", Value::Text(r.clone()));
    }
    if let Some(f) = filter.from {
        push(&mut sql, " AND at >= ?", Value::Int(f));
    }
    if let Some(u) = filter.until {
        push(&mut sql, " AND at < ?", Value::Int(u));
    }
    if let Some(b) = filter.before_seq {
        push(&mut sql, " AND seq < ?", Value::Int(b));
    }
    push(&mut sql, " ORDER BY seq DESC LIMIT ?", Value::Int(limit));
    push(&mut sql, " OFFSET ?", Value::Int(offset));
    // Only fixed fragments and numbered placeholders are interpolated; every value is bound.
    let rows = read!(db, |c| {
        bind_values!(
            sqlx::query_as::<_, AuditEntry>(sqlx::AssertSqlSafe(sql.clone())),
            &values
        )
        .fetch_all(c)
        .await
    })?;
    Ok(rows)
}

/// The entity and action names the log can hold, for the filter form: the typed vocabulary,
/// not a scan of the log, which is the largest table there is.
/// Where the name people know a record by is kept, per audited entity: the SQL that reads (id,
/// name) for the ids bound as `IN (…)`. Entities of personal data (persons, cases) are left out
/// on purpose: the log's sentences never name a person in care.
fn name_source(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "organisation" => "SELECT id, name FROM organisations",
        "user" => "SELECT id, display_name FROM users",
        "measure" => "SELECT id, title FROM measures",
        "offer" => "SELECT id, title FROM offers",
        "review_round" => "SELECT id, title FROM review_rounds",
        "review_update" => {
            "SELECT u.id, m.title FROM review_updates u JOIN measures m ON m.id = u.measure_id"
        }
        "review_proposal" => "SELECT id, title FROM review_proposals",
        "concept" => "SELECT id, short_name FROM concepts",
        "field_of_action" => "SELECT id, name FROM fields_of_action",
        "programme" => "SELECT id, name FROM programmes",
        "funding_programme" => "SELECT id, name FROM funding_programmes",
        "grant" => "SELECT id, purpose FROM grants",
        "reporting_deadline" => "SELECT id, title FROM reporting_deadlines",
        "body" => "SELECT id, name FROM bodies",
        "decision" => "SELECT id, number FROM decisions",
        "action_item" => "SELECT id, title FROM action_items",
        "structural_issue" => "SELECT id, title FROM structural_issues",
        _ => return None,
    })
}

/// The names of the records a page of the log refers to: (entity, id, name). One query per
/// entity, its ids bound; records since deleted (or of personal data) have none.
pub async fn record_names(db: &Db, refs: &[(&str, &str)]) -> Result<Vec<(String, String, String)>> {
    let mut entities: Vec<&str> = refs.iter().map(|(e, _)| *e).collect();
    entities.sort_unstable();
    entities.dedup();
    let mut found = Vec::new();
    for entity in entities {
        let Some(select) = name_source(entity) else {
            continue;
        };
        let mut ids: Vec<&str> = refs
            .iter()
            .filter(|(e, _)| *e == entity)
            .map(|(_, id)| *id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(crate::paging::IN_LIST) {
            let mut q = crate::paging::Query::default();
            // The first column of each source is its table's id.
            let column = select
                .split_once(',')
                .map_or("id", |(head, _)| head.trim_start_matches("SELECT ").trim());
            let any = q.any_of(column, chunk);
            q.and(any);
            let sql = sqlx::AssertSqlSafe(format!("{select}{}", q.where_clause()));
            let rows: Vec<(String, String)> = read!(db, |c| {
                bind_values!(sqlx::query_as(sql), &q.values)
                    .fetch_all(c)
                    .await
            })?;
            found.extend(
                rows.into_iter()
                    .map(|(id, name)| (entity.to_owned(), id, name)),
            );
        }
    }
    Ok(found)
}

pub fn known_entities_and_actions() -> (Vec<String>, Vec<String>) {
    let mut entities: Vec<String> = Entity::ALL.iter().map(|e| e.key().to_owned()).collect();
    let mut actions: Vec<String> = Action::ALL.iter().map(|a| a.key().to_owned()).collect();
    entities.sort();
    actions.sort();
    (entities, actions)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub first_broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain in order and reports the first entry that does not fit.
///
/// The head is read first and only entries up to it are checked, so entries appended while the
/// check runs (every login writes one) are not mistaken for tampering.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    const PAGE: i64 = 2000;
    let (head_seq, head_hash): (i64, String) = read!(db, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(c)
            .await
    })?;
    let mut expected_seq = 1;
    let mut prev_hash = "0".repeat(64);
    loop {
        let page: Vec<AuditEntry> = read!(db, |c| {
            sqlx::query_as(
                "SELECT seq, at, actor_id, actor_name, action, entity, record_id, changes, prev_hash, hash \
                 FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3",
            )
            .bind(expected_seq)
            .bind(head_seq)
            .bind(PAGE)
            .fetch_all(c)
            .await
        })?;
        let done = (page.len() as i64) < PAGE;
        for e in page {
            let broken = |reason: String| {
                Ok(VerifyReport {
                    entries: expected_seq - 1,
                    first_broken: Some(BrokenLink { seq: e.seq, reason }),
                })
            };
            if e.seq != expected_seq {
                return broken(format!(
                    "entry {expected_seq} is missing (next is {})",
                    e.seq
                ));
            }
            if e.prev_hash != prev_hash {
                return broken("does not link to the previous entry (prev_hash differs)".into());
            }
            if entry_hash(&e) != e.hash {
                return broken("content was changed after it was written (hash differs)".into());
            }
            prev_hash = e.hash;
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let entries = expected_seq - 1;
    if head_seq != entries || head_hash != prev_hash {
        return Ok(VerifyReport {
            entries,
            first_broken: Some(BrokenLink {
                seq: entries + 1,
                reason: format!(
                    "the chain head names entry {head_seq}, but the log ends at {entries} (entries were removed from the end)"
                ),
            }),
        });
    }
    Ok(VerifyReport {
        entries,
        first_broken: None,
    })
}
