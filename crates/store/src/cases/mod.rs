//! KIM cases and their persons (decision 0012): personal data, handed out only through
//! [`for_viewer`], whose scope is part of the SQL. A case the viewer may not see is not found;
//! a case the viewer sees only pseudonymously (the coordination) comes without names: the name
//! columns are not even read for it. Every case read is recorded in the access log.

use lotse_domain::Date;
use lotse_domain::access::{Action as Act, CaseTies, Relationship};
use lotse_domain::case::name_skeleton;
use lotse_domain::case::{AccessRoute, CasePhase, Closure, PersonDraft, ReleaseScope};
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, Value, bind_values, day_of, new_id, read, tx};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Scoped, Viewer};
use crate::sort_keys::case_list_key;
use crate::{Result, StoreError};

mod bulk;
mod conferences;
mod consents;
mod documents;
mod households;
mod import;
mod monitor;
mod scope;
mod shares;
mod subject;
mod work;
pub use bulk::intake_many;
pub(crate) use bulk::{
    CASE_COLUMNS, CaseRow, PERSON_COLUMNS, PHASE_CHANGE_COLUMNS, PersonRow, PhaseChangeRow,
    fresh_pseudonyms,
};
pub use conferences::*;
pub use consents::*;
pub use documents::*;
pub use households::*;
pub use import::*;
pub use monitor::*;
pub use shares::*;
pub use subject::*;
pub use work::*;

/// A case as its list and page show it, with its person. `family_name`, `given_names` and
/// `birth_date` are `None` for a viewer who may not read them (pseudonymised, or a release that
/// does not name them): they are not read; `town_ags` and `jurisdiction` likewise where a
/// release withholds them. `birth_year` is there for everyone who sees the case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: String,
    pub person_id: String,
    pub pseudonym: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub birth_date: Option<Date>,
    pub birth_year: Option<String>,
    /// The languages the person speaks and the interpreter's language, as recorded (read with
    /// the names).
    pub languages: Option<String>,
    pub town_ags: Option<String>,
    pub jurisdiction: Option<String>,
    pub owner_user_id: String,
    pub deputy_user_id: Option<String>,
    pub organisation_id: String,
    pub phase: String,
    pub access_route: String,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub closure_reason: Option<String>,
    pub goals_reached: Option<String>,
    #[serde(skip)]
    pub list_key: String,
    #[serde(skip)]
    #[sqlx(flatten)]
    pub view: CaseView,
}

/// How the viewer stands to a case and what of it they may read, computed in the statement
/// that read the case (store/src/cases/scope.rs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseView {
    pub tie_shared_to_edit: bool,
    pub tie_shared_to_read: bool,
    pub tie_shared_pseudonymised: bool,
    pub tie_released: bool,
    pub tie_break_glass: bool,
    /// Entries of the plan (goals, referrals, hand-offs) are listed; their texts only where the
    /// viewer sees the case whole or `covers_plan`.
    pub shows_plan: bool,
    pub shows_assessment: bool,
    pub covers_plan: bool,
    pub covers_assessment: bool,
}

impl CaseView {
    /// The viewer's ties to the case: assignment from the case's columns, the rest from the
    /// statement that read it.
    fn ties(&self, viewer: &Viewer, owner: &str, deputy: Option<&str>) -> CaseTies {
        CaseTies {
            shared_to_edit: self.tie_shared_to_edit,
            shared_to_read: self.tie_shared_to_read,
            shared_pseudonymised: self.tie_shared_pseudonymised,
            released: self.tie_released,
            break_glass: self.tie_break_glass,
            ..CaseTies::of_assignment(&viewer.user_id, owner, deputy)
        }
    }

    /// Seen only through a release (nothing wider holds): withheld values show as
    /// "vertraulich", contacts and follow-ups are not shown at all.
    pub fn through_release(&self, access: &lotse_domain::access::Access) -> bool {
        access.view == lotse_domain::access::Decision::Only(lotse_domain::access::Fields::Released)
    }
}

impl CaseRecord {
    /// How the viewer stands to the case: assignment from the columns, the rest from the
    /// statement that read it.
    pub fn ties(&self, viewer: &Viewer) -> CaseTies {
        self.view
            .ties(viewer, &self.owner_user_id, self.deputy_user_id.as_deref())
    }

    pub fn phase_label(&self) -> &'static str {
        CasePhase::parse(&self.phase).map_or("", CasePhase::label)
    }

    /// The person's name as the viewer may see it: the pseudonym where names are withheld.
    pub fn shown_name(&self) -> String {
        shown_name(
            self.family_name.as_deref(),
            self.given_names.as_deref(),
            &self.pseudonym,
        )
    }
}

/// "Family, Given" where the names were read, the pseudonym where they were withheld.
pub(crate) fn shown_name(family: Option<&str>, given: Option<&str>, pseudonym: &str) -> String {
    match (family, given) {
        // An anonymised person has no name any more: the pseudonym stands for them.
        (Some(""), _) => format!("anonymisiert ({pseudonym})"),
        (Some(f), Some(g)) if !g.is_empty() => format!("{f}, {g}"),
        (Some(f), _) => f.to_owned(),
        _ => pseudonym.to_owned(),
    }
}

/// What the intake form adds to the person: how they came, and when the case opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeDraft {
    pub access_route: AccessRoute,
    pub opened_on: Date,
}

/// Opens a case for a new person, assigned to the viewer (a case manager: the access table
/// decides, for the relationship the case will have). Returns the case id.
pub async fn intake(
    tx: &mut Tx,
    viewer: &Viewer,
    person: &PersonDraft,
    intake: &IntakeDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let ids = intake_many(tx, viewer, &[(person, intake)], fictitious, now).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| StoreError::Config("intake wrote no case".into()))
}

/// What decides about a write to a case, read in the writing transaction.
#[derive(sqlx::FromRow)]
struct CaseFacts {
    owner: String,
    deputy: Option<String>,
    person_id: String,
    organisation_id: String,
    phase: String,
    opened_on: Date,
    anonymised_at: Option<i64>,
    #[sqlx(flatten)]
    view: CaseView,
}

/// Reads a case's facts for a write (on PostgreSQL locking the row until the transaction ends)
/// and decides whether `viewer` may do `action` with it at `now`: a case they may not is not
/// found. The ties (shares, releases, emergency access) are read in the same statement.
async fn lock(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    action: Act,
    now: i64,
) -> Result<CaseFacts> {
    // Of `c` only: the statement's subqueries read other tables, which stay unlocked.
    let lock = if tx.for_update().is_empty() {
        ""
    } else {
        " FOR UPDATE OF c"
    };
    let mut q = Query::default();
    let scope = scope::scope(viewer, &mut q, now);
    let id = q.bind(Value::Text(case_id.to_owned()));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT c.owner_user_id AS owner, c.deputy_user_id AS deputy, c.person_id, c.organisation_id, \
         c.phase, c.opened_on, (SELECT p.anonymised_at FROM persons p WHERE p.id = c.person_id) AS anonymised_at, \
         {} FROM cases c WHERE c.id = {id}{lock}",
        view_columns(&scope)
    ));
    let facts: Option<CaseFacts> = tx!(&mut *tx, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_optional(c)
        .await)?;
    let facts = facts.ok_or(StoreError::NotFound)?;
    if !facts.may(viewer, action) {
        return Err(StoreError::NotFound);
    }
    // Nothing is recorded about a person who was anonymised: it could never be removed again.
    if facts.anonymised_at.is_some() {
        return Err(StoreError::field(
            "anonymised",
            "Diese Person ist anonymisiert: an ihrem Fall wird nichts mehr erfasst.",
        ));
    }
    Ok(facts)
}

impl CaseFacts {
    /// How the viewer stands to the case, from the facts read for the write.
    fn ties(&self, viewer: &Viewer) -> CaseTies {
        self.view.ties(viewer, &self.owner, self.deputy.as_deref())
    }

    /// Whether the viewer may do `action` with the case.
    fn may(&self, viewer: &Viewer, action: Act) -> bool {
        viewer.decide_case(self.ties(viewer), action).allows()
    }
}

/// Records on the case what `viewer` did, in `what` (kinds, ids and codes; never personal
/// values: admins read the audit log).
pub(super) fn case_event(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    what: serde_json::Value,
    now: i64,
) {
    tx.record(
        Event::new(
            &Actor::from(viewer),
            now,
            Entity::Case,
            Action::Update,
            case_id,
        )
        .with(what),
    );
}

/// The [`CaseView`] columns of a statement over `c` (cases) under `scope`.
fn view_columns(scope: &scope::Scope) -> String {
    let covers = |s: ReleaseScope| {
        scope
            .covers
            .iter()
            .find(|(x, _)| *x == s)
            .map_or("FALSE".to_owned(), |(_, c)| c.clone())
    };
    format!(
        "({}) AS tie_shared_to_edit, ({}) AS tie_shared_to_read, ({}) AS tie_shared_pseudonymised, \
         ({}) AS tie_released, ({}) AS tie_break_glass, {} AS shows_plan, {} AS shows_assessment, \
         ({}) AS covers_plan, ({}) AS covers_assessment",
        scope.tie(Relationship::SharedToEdit),
        scope.tie(Relationship::SharedToRead),
        scope.tie(Relationship::SharedPseudonymised),
        scope.tie(Relationship::Released),
        scope.tie(Relationship::BreakGlass),
        scope.shows(ReleaseScope::Plan),
        scope.shows(ReleaseScope::Assessment),
        covers(ReleaseScope::Plan),
        covers(ReleaseScope::Assessment),
    )
}

/// Names the deputy of a case (`None`: no deputy): someone with the case manager role, not the
/// case manager themselves. Only the assigned case manager decides (a deputy cannot pass the
/// case on); for anyone else the case is not found. The facts are read in the transaction.
pub async fn set_deputy(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    deputy: Option<&str>,
    now: i64,
) -> Result<()> {
    let facts = lock(tx, viewer, case_id, Act::Decide, now).await?;
    let deputy = deputy.map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = deputy {
        let organisation: Option<String> = tx!(&mut *tx, |c| {
            sqlx::query_scalar(
                "SELECT u.organisation_id FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.id = $1 AND u.active = TRUE AND r.role = 'case_manager'",
            )
            .bind(d)
            .fetch_optional(c)
            .await
        })?;
        let Some(organisation) = organisation.filter(|_| d != facts.owner) else {
            return Err(StoreError::field(
                "deputy_user_id",
                "Bitte eine andere aktive Fallmanagerin oder einen anderen aktiven Fallmanager wählen.",
            ));
        };
        // A deputy elsewhere sees the case whole: only with the person's release of
        // everything towards that organisation (the scope checks it again on every read).
        if organisation != facts.organisation_id
            && !consents::full_release_valid(tx, &facts.person_id, &organisation, day_of(now))
                .await?
        {
            return Err(StoreError::field(
                "deputy_user_id",
                "Diese Person arbeitet in einer anderen Organisation: dafür braucht es eine gültige \
                 Schweigepflichtentbindung gegenüber dieser Organisation, die alle Angaben umfasst.",
            ));
        }
    }
    let old = facts.deputy;
    // Saved even when it names the same deputy again: the form was sent, and the transaction
    // that read the facts records what it did.
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE cases SET deputy_user_id = $2, updated_at = $3 WHERE id = $1")
            .bind(case_id)
            .bind(deputy)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    case_event(
        tx,
        viewer,
        case_id,
        json!({ "deputy_user_id": { "from": old, "to": deputy } }),
        now,
    );
    Ok(())
}

/// A step on the case's timeline: a change of phase, on a day, by someone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PhaseChange {
    pub from_phase: Option<String>,
    pub to_phase: String,
    pub changed_on: Date,
    pub changed_by: Option<String>,
    pub changed_at: i64,
}

/// Moves a case to another phase on `on`. Closing needs the closure's answers (why, and how far
/// the goals were reached) and sets the closing day; reopening clears all three. Whoever may
/// change the case may do this (assigned or deputy); for anyone else it is not found. The day
/// cannot precede the case's opening or lie after `today`.
#[allow(clippy::too_many_arguments)]
pub async fn change_phase(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    to: CasePhase,
    closure: Option<Closure>,
    on: Date,
    today: Date,
    now: i64,
) -> Result<()> {
    let CaseFacts {
        phase: from,
        opened_on,
        ..
    } = lock(tx, viewer, case_id, Act::Change, now).await?;
    if from == to.key() {
        return Err(StoreError::field(
            "phase",
            "Der Fall ist schon in dieser Phase.",
        ));
    }
    if on < opened_on || on > today {
        return Err(StoreError::field(
            "changed_on",
            "Das Datum muss zwischen dem Beginn des Falls und heute liegen.",
        ));
    }
    let closed = to == CasePhase::Closed;
    let closure = closure.filter(|_| closed);
    if closed && closure.is_none() {
        return Err(StoreError::field(
            "closure_reason",
            "Bitte den Grund für den Abschluss wählen.",
        ));
    }
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE cases SET phase = $2, closed_on = $3, list_key = $4, updated_at = $5, \
             closure_reason = $6, goals_reached = $7 WHERE id = $1",
        )
        .bind(case_id)
        .bind(to.key())
        .bind(closed.then_some(on))
        .bind(case_list_key(closed, opened_on))
        .bind(now)
        .bind(closure.map(|c| c.reason.key()))
        .bind(closure.map(|c| c.goals_reached.key()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_phase_changes (id, case_id, from_phase, to_phase, changed_on, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(case_id)
        .bind(&from)
        .bind(to.key())
        .bind(on)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    case_event(
        tx,
        viewer,
        case_id,
        json!({
            "phase": { "from": from, "to": to.key() }, "on": on,
            "closure_reason": closure.map(|c| c.reason.key()),
        }),
        now,
    );
    Ok(())
}

impl Cases<'_> {
    /// The phase changes of a case, oldest first (a case's own life bounds them). Takes the
    /// case as [`Cases::get`] handed it out: only a case read through the viewer's scope has a
    /// timeline to show.
    pub async fn timeline(&self, case: &Scoped<CaseRecord>) -> Result<Vec<PhaseChange>> {
        let case_id = case.id.as_str();
        Ok(read!(self.db, |c| {
            sqlx::query_as(
                "SELECT pc.from_phase, pc.to_phase, pc.changed_on, u.display_name AS changed_by, pc.changed_at \
                 FROM case_phase_changes pc LEFT JOIN users u ON u.id = pc.changed_by \
                 WHERE pc.case_id = $1 ORDER BY pc.changed_at, pc.id",
            )
            .bind(case_id)
            .fetch_all(c)
            .await
        })?)
    }
}

/// The active case managers other than the viewer, (id, display name), at most `limit`: whom a
/// case manager can name as deputy.
pub async fn possible_deputies(
    db: &Db,
    viewer: &Viewer,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT u.id, u.display_name || ' (' || o.name || ')' FROM users u \
             JOIN user_roles r ON r.user_id = u.id JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.active = TRUE AND r.role = 'case_manager' AND u.id <> $1 \
             ORDER BY u.display_name, u.id LIMIT $2",
        )
        .bind(&viewer.user_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// What the duplicate hint looks names up in: the family name's skeleton without word breaks
/// (El-Sayed, El Sayed and Elsayed meet) and the first given name's skeleton.
pub(crate) fn search_text(family_name: &str, given_names: &str) -> String {
    format!(
        " f:{} g:{} ",
        family_key(family_name),
        first_given_key(given_names)
    )
}

pub(crate) fn family_key(family_name: &str) -> String {
    name_skeleton(&name_skeleton(family_name).replace(' ', ""))
}

fn first_given_key(given_names: &str) -> String {
    name_skeleton(given_names)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned()
}

/// Persons already recorded who may be the one at intake: the family name's skeleton matches
/// (transliterations meet) and the given name's first skeleton or the birth date does too.
/// `visible` are their cases the viewer may see (scoped as any read, and logged); `hidden` how
/// many more such persons exist outside the viewer's cases (named to nobody: the viewer asks
/// the coordination).
pub struct Duplicates {
    pub visible: Vec<Scoped<CaseRecord>>,
    pub hidden: usize,
}

/// At most this many persons are considered for a hint.
const DUPLICATE_CANDIDATES: i64 = 20;

pub async fn likely_duplicates(
    db: &Db,
    viewer: &Viewer,
    person: &PersonDraft,
    now: i64,
) -> Result<Duplicates> {
    let mut q = Query::default();
    let family = family_key(&person.family_name);
    if family.is_empty() {
        return Ok(Duplicates {
            visible: Vec::new(),
            hidden: 0,
        });
    }
    let p = q.bind(Value::Text(family));
    q.and(format!("p.family_key = {p}"));
    let mut either = Vec::new();
    let given = first_given_key(&person.given_names);
    if !given.is_empty() {
        let p = q.bind(Value::Text(format!(
            "% g:{}%",
            crate::measures::like_escape(&given)
        )));
        either.push(format!("p.search_text LIKE {p} ESCAPE '\\'"));
    }
    if let Some(born) = person.birth_date {
        let p = q.bind(Value::Text(born.to_string()));
        either.push(format!("p.birth_date = {p}"));
    }
    if !either.is_empty() {
        q.and(format!("({})", either.join(" OR ")));
    }
    q.and("p.anonymised_at IS NULL");
    let limit = q.bind(Value::Int(DUPLICATE_CANDIDATES));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT p.id FROM persons p{} ORDER BY p.id LIMIT {limit}",
        q.where_clause()
    ));
    let persons: Vec<String> = read!(db, |c| {
        bind_values!(sqlx::query_scalar(sql), &q.values)
            .fetch_all(c)
            .await
    })?;
    if persons.is_empty() {
        return Ok(Duplicates {
            visible: Vec::new(),
            hidden: 0,
        });
    }
    // Listed are only cases whose names the viewer reads: a pseudonym next to typed names
    // would tell who it is.
    let visible: Vec<Scoped<CaseRecord>> = for_viewer(db, viewer)
        .of_persons(&persons, now)
        .await?
        .into_iter()
        .filter(|c| c.family_name.is_some())
        .collect();
    let seen: std::collections::HashSet<&str> =
        visible.iter().map(|c| c.person_id.as_str()).collect();
    let hidden = persons
        .iter()
        .filter(|p| !seen.contains(p.as_str()))
        .count();
    Ok(Duplicates { visible, hidden })
}

/// A random code like `P-7K3M-Q9TX`: stable for the person, not derived from anything about
/// them (a hash of name and birth date could be guessed and checked).
pub(super) fn pseudonym() -> Result<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Config(format!("no randomness: {e}")))?;
    let code: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(format!("P-{}-{}", &code[..4], &code[4..]))
}

/// The cases a viewer may see, and nothing else.
pub fn for_viewer<'a>(db: &'a Db, viewer: &'a Viewer) -> Cases<'a> {
    Cases { db, viewer }
}

pub struct Cases<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

/// Cases per page of a case list.
pub const PAGE: usize = 50;

/// The orders of the case list. Never by name: the coordination sees the list pseudonymised,
/// and an order by name would tell what the pseudonyms hide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Open cases first, the newest opened first.
    #[default]
    Open,
    /// By phase, from intake to closed, then as [`CaseOrder::Open`].
    Phase,
    /// The longest open first: by the day opened.
    Opened,
}

impl CaseOrder {
    pub const ALL: [CaseOrder; 3] = [CaseOrder::Open, CaseOrder::Phase, CaseOrder::Opened];

    pub fn key(self) -> &'static str {
        match self {
            CaseOrder::Open => "open",
            CaseOrder::Phase => "phase",
            CaseOrder::Opened => "opened",
        }
    }

    pub fn parse(text: &str) -> Option<CaseOrder> {
        CaseOrder::ALL.into_iter().find(|o| o.key() == text.trim())
    }

    fn key_sql(self) -> &'static str {
        match self {
            CaseOrder::Open => "c.list_key",
            CaseOrder::Phase => {
                "(CASE c.phase WHEN 'intake' THEN '1' WHEN 'clearing' THEN '2' WHEN 'assessment' THEN '3' \
                 WHEN 'planning' THEN '4' WHEN 'implementation' THEN '5' WHEN 'evaluation' THEN '6' \
                 WHEN 'paused' THEN '7' ELSE '8' END || c.list_key)"
            }
            CaseOrder::Opened => "(c.opened_on || c.list_key)",
        }
    }
}

impl Cases<'_> {
    /// The viewer's scope at `now` as SQL over `c` (cases), its values bound into `q`.
    fn scope(&self, q: &mut Query, now: i64) -> scope::Scope {
        scope::scope(self.viewer, q, now)
    }

    /// The SELECT of a case for this viewer and the condition of their scope. Names and the
    /// birth date are read only where the viewer may read them (whole, or a release naming
    /// them); elsewhere the columns are NULL in the statement itself.
    fn select(&self, q: &mut Query, now: i64) -> (String, String) {
        let scope = self.scope(q, now);
        let identity = scope.reads(ReleaseScope::Identity);
        // The birth year: pseudonymised views show it; a release only if it names identity.
        let born = scope.shows(ReleaseScope::Identity);
        let residence = scope.shows(ReleaseScope::Residence);
        let select = format!(
            "SELECT c.id, c.person_id, p.pseudonym, \
             CASE WHEN {identity} THEN p.family_name END AS family_name, \
             CASE WHEN {identity} THEN p.given_names END AS given_names, \
             CASE WHEN {identity} THEN p.birth_date END AS birth_date, \
             CASE WHEN {born} THEN COALESCE(SUBSTR(p.birth_date, 1, 4), p.birth_year) END AS birth_year, \
             CASE WHEN {identity} THEN p.languages || ', ' || p.interpreter_language END AS languages, \
             CASE WHEN {residence} THEN p.town_ags END AS town_ags, \
             CASE WHEN {residence} THEN p.jurisdiction END AS jurisdiction, \
             c.owner_user_id, c.deputy_user_id, c.organisation_id, c.phase, c.access_route, c.opened_on, \
             c.closed_on, c.closure_reason, c.goals_reached, c.list_key, {} \
             FROM cases c JOIN persons p ON p.id = c.person_id",
            view_columns(&scope)
        );
        // The candidates give PostgreSQL an index-driven start for a viewer who sees a few
        // cases among many: without them it walked the list order of all cases and tested each
        // against the scope (0.8 s for a case manager's list at a million persons, 2.6 s for a
        // partner's; 3.5 ms with them). SQLite already starts from the owner's index there and
        // was slower with them (9.7 ms against 6.6 ms), so it does without.
        let condition = match &scope.candidates {
            Some(candidates) if self.db.backend() == crate::Backend::Postgres => {
                format!("({} AND c.id IN ({candidates}))", scope.any)
            }
            _ => scope.any,
        };
        (select, condition)
    }

    /// Records in the access log that the viewer read these cases.
    async fn log_reads(&self, cases: &[CaseRecord], now: i64) {
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        self.log_case_reads(ids, now).await;
    }

    /// Records in the access log that the viewer read these cases (by id).
    async fn log_case_reads(&self, ids: Vec<String>, now: i64) {
        let actor = Actor::from(self.viewer);
        for id in ids {
            self.db
                .access_log()
                .record(&actor, now, Entity::Case, &id)
                .await;
        }
    }

    fn scoped(&self, c: CaseRecord) -> Scoped<CaseRecord> {
        let access = Access::of_case(self.viewer, c.ties(self.viewer));
        Scoped { record: c, access }
    }

    /// One case, if the viewer may see it; the read is recorded in the access log.
    pub async fn get(&self, id: &str, now: i64) -> Result<Scoped<CaseRecord>> {
        let mut q = Query::default();
        let (select, scope) = self.select(&mut q, now);
        let id_param = q.bind(Value::Text(id.to_owned()));
        q.and(scope);
        q.and(format!("c.id = {id_param}"));
        let sql = sqlx::AssertSqlSafe(format!("{select}{}", q.where_clause()));
        let found: Option<CaseRecord> = read!(self.db, |c| {
            bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_optional(c)
                .await
        })?;
        let case = found.ok_or(StoreError::NotFound)?;
        self.log_reads(std::slice::from_ref(&case), now).await;
        Ok(self.scoped(case))
    }

    /// The cases of these persons the viewer may see (at most a handful: the duplicate hint);
    /// each read is logged.
    async fn of_persons(&self, persons: &[String], now: i64) -> Result<Vec<Scoped<CaseRecord>>> {
        let mut q = Query::default();
        let (select, scope) = self.select(&mut q, now);
        q.and(scope);
        let ids: Vec<&str> = persons.iter().map(String::as_str).collect();
        let any = q.any_of("c.person_id", &ids);
        q.and(any);
        let sql = sqlx::AssertSqlSafe(format!(
            "{select}{} ORDER BY c.list_key, c.id",
            q.where_clause()
        ));
        let found: Vec<CaseRecord> = read!(self.db, |c| {
            bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_all(c)
                .await
        })?;
        self.log_reads(&found, now).await;
        Ok(found.into_iter().map(|c| self.scoped(c)).collect())
    }

    /// A page of the cases the viewer may see, open ones first, the newest opened first; each
    /// case shown is recorded in the access log.
    pub async fn page(&self, request: &PageRequest, now: i64) -> Result<Page<Scoped<CaseRecord>>> {
        self.page_in_order(CaseOrder::Open, request, now).await
    }

    /// [`Cases::page`] in one of the list's orders.
    pub async fn page_in_order(
        &self,
        order: CaseOrder,
        request: &PageRequest,
        now: i64,
    ) -> Result<Page<Scoped<CaseRecord>>> {
        let mut q = Query::default();
        let (select, scope) = self.select(&mut q, now);
        q.and(scope);
        let key = order.key_sql();
        let select = select.replacen(
            "c.goals_reached, c.list_key,",
            &format!("c.goals_reached, {key} AS list_key,"),
            1,
        );
        let page = crate::paging::read_page(
            self.db,
            &select,
            q,
            &Keyset {
                key_column: key,
                id_column: "c.id",
            },
            request,
            |c: &CaseRecord| Cursor {
                key: c.list_key.clone(),
                id: c.id.clone(),
            },
        )
        .await?;
        self.log_reads(&page.items, now).await;
        Ok(page.map(|c| self.scoped(c)))
    }
}
