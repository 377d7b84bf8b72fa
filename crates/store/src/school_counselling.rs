//! The KI's first school counselling (decision 0018): the counselling sites and their
//! counsellors, the families registered (by staff, or by the family through the public form),
//! their children and each child's steps.
//!
//! Registrations are personal data of minors. They are read only through
//! [`registrations_for`], which puts the viewer's scope into the SQL (the KI all of them, a
//! counsellor their own site's families) and records every read in the access log; every write
//! checks the same rule inside its audited transaction. Whoever registered a family from a town
//! or a school does not read it afterwards.

use lotse_domain::Date;
use lotse_domain::access::{Access, Action as Act, Decision, Record, Relationship, decide};
use lotse_domain::interpreters::{RequestDraft, Slot};
use lotse_domain::policy::Permission;
use lotse_domain::role::Role;
use lotse_domain::school_counselling::{
    AppointmentDraft, AppointmentStatus, CONSENT_PURPOSE, ChildStatus, GermanLevel, MathsLevel,
    RecordDraft, RegistrationDraft, SchoolForm, Source,
};
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, Value, bind_values, day_of, new_id, read, tx};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError, notifications, outbox};

/// Registrations from the public form waiting for review at most: past it, the form refuses
/// new ones with a message that names the phone number, so a flood cannot grow the table.
pub const MOST_PENDING: i64 = 300;

// ---------------------------------------------------------------------------------------------
// Sites and counsellors
// ---------------------------------------------------------------------------------------------

/// A counselling site (a town that holds one) with the counsellors who work there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub ags: String,
    pub name: String,
    /// (user id, display name, username), by name.
    pub counsellors: Vec<(String, String, String)>,
}

/// The counselling sites, in name order, with their counsellors.
pub async fn sites(db: &Db) -> Result<Vec<Site>> {
    let towns: Vec<(String, String)> = read!(db, |c| sqlx::query_as(
        "SELECT ags, name FROM towns WHERE first_counselling_site = TRUE ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    let people: Vec<(String, String, String, String)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT s.site_ags, u.id, u.display_name, u.username FROM counselling_site_counsellors s \
         JOIN users u ON u.id = s.user_id ORDER BY u.display_name, u.username"
    )
    .fetch_all(c)
    .await
    })?;
    Ok(towns
        .into_iter()
        .map(|(ags, name)| Site {
            counsellors: people
                .iter()
                .filter(|(s, ..)| *s == ags)
                .map(|(_, id, name, username)| (id.clone(), name.clone(), username.clone()))
                .collect(),
            ags,
            name,
        })
        .collect())
}

/// The sites `user_id` counsels at.
pub async fn sites_of(db: &Db, user_id: &str) -> Result<Vec<String>> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT site_ags FROM counselling_site_counsellors WHERE user_id = $1 ORDER BY site_ags"
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// Accounts that may counsel (hold the counsellor role and are active), by name.
pub async fn counsellor_accounts(db: &Db) -> Result<Vec<(String, String, String)>> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT u.id, u.display_name, u.username FROM users u \
         JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'school_counsellor' AND u.active = TRUE \
         ORDER BY u.display_name, u.username"
    )
    .fetch_all(c)
    .await)?)
}

fn require_management(viewer: &Viewer) -> Result<()> {
    if viewer.is_system()
        || lotse_domain::policy::any_allows(&viewer.roles, Permission::ManageSchoolCounselling)
    {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Sets who counsels at a site (the KI). Every account must hold the counsellor role.
pub async fn set_counsellors(
    db: &Db,
    viewer: &Viewer,
    site_ags: &str,
    user_ids: &[String],
    now: i64,
) -> Result<()> {
    require_management(viewer)?;
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let site: Option<String> = tx!(tx, |c| sqlx::query_scalar(
            "SELECT name FROM towns WHERE ags = $1 AND first_counselling_site = TRUE"
        )
        .bind(site_ags)
        .fetch_optional(c)
        .await)?;
        let site = site.ok_or(StoreError::NotFound)?;
        for id in user_ids {
            let counsellor: Option<i64> = tx!(tx, |c| sqlx::query_scalar(
                "SELECT CAST(1 AS BIGINT) FROM user_roles WHERE user_id = $1 AND role = $2"
            )
            .bind(id)
            .bind(Role::SchoolCounsellor.key())
            .fetch_optional(c)
            .await)?;
            if counsellor.is_none() {
                return Err(StoreError::field(
                    "counsellors",
                    "Nur Konten mit der Rolle „Schulische Erstberatung“ beraten an einem Standort.",
                ));
            }
        }
        tx!(tx, |c| sqlx::query(
            "DELETE FROM counselling_site_counsellors WHERE site_ags = $1"
        )
        .bind(site_ags)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        for id in user_ids {
            tx!(tx, |c| sqlx::query(
                "INSERT INTO counselling_site_counsellors (site_ags, user_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING"
            )
            .bind(site_ags)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::CounsellingSite,
                Action::Update,
                site_ags,
            )
            .with(json!({ "site": site, "counsellors": user_ids })),
        );
        Ok(())
    })
    .await
}

/// The site nearest to `town_ags` among the district's counselling sites.
async fn site_for(tx: &mut Tx, town_ags: &str) -> Result<String> {
    let sites: Vec<String> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT ags FROM towns WHERE first_counselling_site = TRUE ORDER BY ags"
    )
    .fetch_all(c)
    .await)?;
    let places: Vec<_> = sites
        .iter()
        .filter_map(|a| lotse_domain::town::town_place(a))
        .collect();
    let nearest = lotse_domain::town::town_place(town_ags)
        .and_then(|t| lotse_domain::school_counselling::nearest_site(t, &places))
        .map(|p| p.ags.to_owned())
        .or_else(|| sites.first().cloned());
    nearest.ok_or_else(|| {
        StoreError::field(
            "town",
            "Im Kreis ist kein Standort der Schulischen Erstberatung eingetragen.",
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Registrations
// ---------------------------------------------------------------------------------------------

/// A family as the list and the detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Registration {
    pub id: String,
    pub site_ags: String,
    pub site: String,
    pub town_ags: String,
    pub town: String,
    pub guardian_name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub language: String,
    pub interpreter_needed: bool,
    pub arrival_date: Option<Date>,
    pub source: String,
    pub note: String,
    pub review: String,
    pub locale: String,
    pub registered_on: Date,
    pub registered_by: Option<String>,
    /// Whether the viewer counsels at the family's site.
    pub own_site: bool,
    pub fictitious: bool,
    pub created_at: i64,
    /// The children, in the order they were registered.
    #[sqlx(skip)]
    pub children: Vec<Child>,
    /// The appointments, soonest first (on the detail page only).
    #[sqlx(skip)]
    pub appointments: Vec<Appointment>,
}

impl Registration {
    pub fn pending(&self) -> bool {
        self.review == "pending"
    }

    pub fn source_label(&self) -> &'static str {
        Source::parse(&self.source).map_or("andere", Source::label)
    }

    pub fn language_name(&self) -> &str {
        lotse_domain::offer::delivery_language_name(&self.language).unwrap_or(&self.language)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Child {
    pub id: String,
    pub registration_id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub schooling_years: Option<i64>,
    pub status: String,
    pub status_on: Date,
    /// The steps so far, oldest first (on the detail page only).
    #[sqlx(skip)]
    pub steps: Vec<Step>,
    /// What the counselling found, once recorded (on the detail page only).
    #[sqlx(skip)]
    pub record: Option<CounsellingRecord>,
}

impl Child {
    pub fn status(&self) -> ChildStatus {
        ChildStatus::parse(&self.status).unwrap_or(ChildStatus::Reported)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Step {
    pub child_id: String,
    pub status: String,
    pub on_date: Date,
    pub note: String,
    pub recorded_at: i64,
    pub recorded_by: Option<String>,
}

impl Step {
    pub fn status(&self) -> ChildStatus {
        ChildStatus::parse(&self.status).unwrap_or(ChildStatus::Reported)
    }
}

/// The filters of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub site: Option<String>,
    /// Only families sent through the public form and not yet reviewed.
    pub pending: bool,
    /// Only families with a child in this status.
    pub status: Option<ChildStatus>,
}

/// The registrations one viewer may see: the only way to read them.
pub struct Registrations<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn registrations_for<'a>(db: &'a Db, viewer: &'a Viewer) -> Registrations<'a> {
    Registrations { db, viewer }
}

fn select(viewer: &Viewer, q: &mut Query) -> String {
    let me = q.bind(Value::Text(viewer.user_id.clone()));
    format!(
        "SELECT r.id, r.site_ags, s.name AS site, r.town_ags, t.name AS town, r.guardian_name, \
         r.phone, r.email, r.address, r.language, r.interpreter_needed, r.arrival_date, r.source, \
         r.note, r.review, r.locale, r.registered_on, u.display_name AS registered_by, \
         EXISTS (SELECT 1 FROM counselling_site_counsellors k \
                 WHERE k.site_ags = r.site_ags AND k.user_id = {me}) AS own_site, \
         r.fictitious, r.created_at \
         FROM school_registrations r \
         JOIN towns s ON s.ags = r.site_ags \
         JOIN towns t ON t.ags = r.town_ags \
         LEFT JOIN users u ON u.id = r.registered_by"
    )
}

/// The viewer's scope as a condition, or `None` for all.
fn scope(viewer: &Viewer, q: &mut Query) -> Option<String> {
    if viewer.is_system() {
        return None;
    }
    let rec = Record::SchoolRegistration;
    if decide(&viewer.roles, rec, Relationship::Other, Act::View).allows() {
        return None;
    }
    if decide(&viewer.roles, rec, Relationship::OwnSite, Act::View).allows() {
        let me = q.bind(Value::Text(viewer.user_id.clone()));
        return Some(format!(
            "r.site_ags IN (SELECT site_ags FROM counselling_site_counsellors WHERE user_id = {me})"
        ));
    }
    Some("FALSE".to_owned())
}

fn relationship(own_site: bool) -> Relationship {
    if own_site {
        Relationship::OwnSite
    } else {
        Relationship::Other
    }
}

fn access(viewer: &Viewer, own_site: bool) -> Access {
    let rel = relationship(own_site);
    let d = |a: Act| {
        if viewer.is_system() {
            Decision::Allow
        } else {
            decide(&viewer.roles, Record::SchoolRegistration, rel, a)
        }
    };
    Access {
        view: d(Act::View),
        change: d(Act::Change).allows(),
        decide: d(Act::Decide).allows(),
    }
}

const CHILD_SELECT: &str = "SELECT id, registration_id, first_name, last_name, birth_date, \
    schooling_years, status, status_on FROM school_children";

impl Registrations<'_> {
    /// One page, the longest-registered first: whoever waits longest is invited first.
    pub async fn page(
        &self,
        filter: &Filter,
        request: &PageRequest,
    ) -> Result<Page<Scoped<Registration>>> {
        let mut q = Query::default();
        let select = select(self.viewer, &mut q);
        if let Some(s) = scope(self.viewer, &mut q) {
            q.and(s);
        }
        if let Some(site) = filter.site.as_deref().filter(|s| !s.is_empty()) {
            let p = q.bind(Value::Text(site.to_owned()));
            q.and(format!("r.site_ags = {p}"));
        }
        if filter.pending {
            q.and("r.review = 'pending'");
        }
        if let Some(status) = filter.status {
            let p = q.bind(Value::Text(status.key().to_owned()));
            q.and(format!(
                "EXISTS (SELECT 1 FROM school_children c WHERE c.registration_id = r.id \
                 AND c.status = {p})"
            ));
        }
        let page: Page<Registration> = crate::paging::read_page(
            self.db,
            &select,
            q,
            &Keyset {
                key_column: "r.registered_on",
                id_column: "r.id",
            },
            request,
            |r: &Registration| Cursor {
                key: r.registered_on.to_string(),
                id: r.id.clone(),
            },
        )
        .await?;
        let mut page = page;
        let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
        let children = self.children_of(&ids).await?;
        for r in &mut page.items {
            r.children = children
                .iter()
                .filter(|c| c.registration_id == r.id)
                .cloned()
                .collect();
        }
        let now = crate::now_ms();
        for r in &page.items {
            self.db
                .access_log()
                .record(&self.viewer.into(), now, Entity::SchoolRegistration, &r.id)
                .await;
        }
        Ok(page.map(|r| Scoped {
            access: access(self.viewer, r.own_site),
            record: r,
        }))
    }

    async fn children_of(&self, ids: &[&str]) -> Result<Vec<Child>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::default();
        let which = q.any_of("registration_id", ids);
        let sql = sqlx::AssertSqlSafe(format!(
            "{CHILD_SELECT} WHERE {which} ORDER BY registration_id, position"
        ));
        Ok(read!(self.db, |c| bind_values!(
            sqlx::query_as(sql),
            &q.values
        )
        .fetch_all(c)
        .await)?)
    }

    /// One family with its children and their steps, or not found where the viewer may not
    /// see it.
    pub async fn get(&self, id: &str) -> Result<Scoped<Registration>> {
        let mut q = Query::default();
        let select = select(self.viewer, &mut q);
        let p = q.bind(Value::Text(id.to_owned()));
        q.and(format!("r.id = {p}"));
        if let Some(s) = scope(self.viewer, &mut q) {
            q.and(s);
        }
        let sql = sqlx::AssertSqlSafe(format!("{select}{}", q.where_clause()));
        let row: Option<Registration> =
            read!(self.db, |c| bind_values!(sqlx::query_as(sql), &q.values)
                .fetch_optional(c)
                .await)?;
        let mut r = row.ok_or(StoreError::NotFound)?;
        r.children = self.children_of(&[id]).await?;
        let steps: Vec<Step> = read!(self.db, |c| sqlx::query_as(
            "SELECT s.child_id, s.status, s.on_date, s.note, s.recorded_at, \
             u.display_name AS recorded_by FROM school_child_steps s \
             JOIN school_children c ON c.id = s.child_id \
             LEFT JOIN users u ON u.id = s.recorded_by \
             WHERE c.registration_id = $1 ORDER BY s.recorded_at, s.id"
        )
        .bind(id)
        .fetch_all(c)
        .await)?;
        r.appointments = read!(self.db, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{APPOINTMENT_SELECT} WHERE a.registration_id = $1 ORDER BY a.on_date, a.start_minute, a.id"
        )))
        .bind(id)
        .fetch_all(c)
        .await
        })?;
        let records: Vec<CounsellingRecord> = read!(self.db, |c| {
            sqlx::query_as(
            "SELECT k.child_id, k.counselled_on, k.prior_schooling, k.languages, k.literate, \
             k.german_level, k.maths_level, k.interests, k.recommended_form, k.recommended_year, \
             k.recommended_school, k.support_needs, k.interpreter_used, n.given_on AS consent_given_on, \
             n.form AS consent_form, n.witness AS consent_witness \
             FROM school_counselling_records k JOIN consents n ON n.id = k.consent_id \
             JOIN school_children c ON c.id = k.child_id WHERE c.registration_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await
        })?;
        for c in &mut r.children {
            c.record = records.iter().find(|k| k.child_id == c.id).cloned();
            c.steps = steps
                .iter()
                .filter(|s| s.child_id == c.id)
                .cloned()
                .collect();
        }
        self.db
            .access_log()
            .record(
                &self.viewer.into(),
                crate::now_ms(),
                Entity::SchoolRegistration,
                id,
            )
            .await;
        Ok(Scoped {
            access: access(self.viewer, r.own_site),
            record: r,
        })
    }
}

/// What a pending registration looks like to the bell: no names in a notification.
fn href(id: &str) -> String {
    format!("/school-counselling/{id}")
}

/// How a registration came in: from staff (accepted at once) or the public form (pending).
#[derive(Clone, Copy)]
struct Origin<'a> {
    review: &'a str,
    locale: &'a str,
    registered_by: Option<&'a str>,
    fictitious: bool,
}

async fn insert(
    tx: &mut Tx,
    id: &str,
    draft: &RegistrationDraft,
    origin: &Origin<'_>,
    now: i64,
) -> Result<String> {
    let Origin {
        review,
        locale,
        registered_by,
        fictitious,
    } = *origin;
    let site = site_for(tx, draft.town_ags).await?;
    let today = day_of(now);
    let inserted = tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO school_registrations (id, site_ags, town_ags, guardian_name, phone, email, \
         address, language, interpreter_needed, arrival_date, source, note, review, locale, \
         registered_by, registered_on, fictitious, created_at, updated_at) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)"
    )
    .bind(id)
    .bind(&site)
    .bind(draft.town_ags)
    .bind(&draft.guardian_name)
    .bind(&draft.phone)
    .bind(&draft.email)
    .bind(&draft.address)
    .bind(draft.language)
    .bind(draft.interpreter_needed)
    .bind(draft.arrival_date)
    .bind(draft.source.key())
    .bind(&draft.note)
    .bind(review)
    .bind(locale)
    .bind(registered_by)
    .bind(today)
    .bind(fictitious)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(inserted, || {
        StoreError::field("town", "Diesen Ort gibt es im Kreis nicht.")
    })?;
    for (i, child) in draft.children.iter().enumerate() {
        let child_id = new_id();
        tx!(tx, |c| sqlx::query(
            "INSERT INTO school_children (id, registration_id, position, first_name, last_name, \
             birth_date, schooling_years, status, status_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'reported', $8, $9, $9)"
        )
        .bind(&child_id)
        .bind(id)
        .bind(i64::try_from(i).unwrap_or(0))
        .bind(&child.first_name)
        .bind(&child.last_name)
        .bind(child.birth_date)
        .bind(child.schooling_years.map(i64::from))
        .bind(today)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        insert_step(
            tx,
            &child_id,
            ChildStatus::Reported,
            today,
            "",
            registered_by,
            now,
        )
        .await?;
    }
    Ok(site)
}

async fn insert_step(
    tx: &mut Tx,
    child_id: &str,
    status: ChildStatus,
    on: Date,
    note: &str,
    by: Option<&str>,
    now: i64,
) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "INSERT INTO school_child_steps (id, child_id, status, on_date, note, recorded_at, \
         recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(new_id())
    .bind(child_id)
    .bind(status.key())
    .bind(on)
    .bind(note)
    .bind(now)
    .bind(by)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the audit log keeps of a registration: where and how many, never names.
fn facts(draft: &RegistrationDraft, site: &str) -> serde_json::Value {
    json!({
        "site_ags": site,
        "town_ags": draft.town_ags,
        "language": draft.language,
        "source": draft.source.key(),
        "children": draft.children.len(),
        "interpreter_needed": draft.interpreter_needed,
    })
}

/// Registers a family passed on by staff (a town, a school, a service, the KI itself). It is
/// accepted at once; the KI and the counsellors of its site are told.
pub async fn register(
    db: &Db,
    viewer: &Viewer,
    draft: &RegistrationDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    if !viewer.is_system()
        && !lotse_domain::policy::any_allows(
            &viewer.roles,
            Permission::RegisterForSchoolCounselling,
        )
    {
        return Err(StoreError::NotFound);
    }
    let id = new_id();
    let actor: Actor = viewer.into();
    let by = (!viewer.is_system()).then_some(viewer.user_id.as_str());
    db.write(async |tx| {
        let origin = Origin {
            review: "accepted",
            locale: "de",
            registered_by: by,
            fictitious,
        };
        let site = insert(tx, &id, draft, &origin, now).await?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Create, &id)
                .with(facts(draft, &site)),
        );
        tell_site(tx, &site, &id, draft.children.len(), "Neue Meldung", now).await?;
        Ok(())
    })
    .await?;
    Ok(id)
}

/// The bell of the KI and of the site's counsellors.
async fn tell_site(
    tx: &mut Tx,
    site: &str,
    id: &str,
    children: usize,
    what: &str,
    now: i64,
) -> Result<()> {
    let mut users = notifications::holders(tx, None, Permission::ManageSchoolCounselling).await?;
    let counsellors: Vec<String> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT s.user_id FROM counselling_site_counsellors s JOIN users u ON u.id = s.user_id \
         WHERE s.site_ags = $1 AND u.active = TRUE"
    )
    .bind(site)
    .fetch_all(c)
    .await)?;
    for c in counsellors {
        if !users.contains(&c) {
            users.push(c);
        }
    }
    let kids = if children == 1 {
        "1 Kind".to_owned()
    } else {
        format!("{children} Kinder")
    };
    notifications::notify(
        tx,
        &users,
        &format!("{what} zur Schulischen Erstberatung ({kids})"),
        &href(id),
        now,
    )
    .await
}

/// Whether the public form's registration was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Kept(String),
    /// Too many registrations wait for review: nothing was stored.
    Full,
}

/// Keeps a registration the family sent through the public form in `locale`. It waits for the
/// KI's review; the KI is told. Recorded in the audit log as the public form's act.
pub async fn receive(
    db: &Db,
    draft: &RegistrationDraft,
    locale: &str,
    now: i64,
) -> Result<Received> {
    let id = new_id();
    let actor = Actor::system("public-form");
    db.write(async |tx| {
        let pending: i64 = tx!(tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM school_registrations WHERE review = 'pending'"
        )
        .fetch_one(c)
        .await)?;
        if pending >= MOST_PENDING {
            return Ok(Received::Full);
        }
        let origin = Origin {
            review: "pending",
            locale,
            registered_by: None,
            fictitious: false,
        };
        let site = insert(tx, &id, draft, &origin, now).await?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Submit, &id)
                .with(facts(draft, &site)),
        );
        notifications::notify_holders(
            tx,
            Permission::ManageSchoolCounselling,
            "Eine Familie hat sich online zur Schulischen Erstberatung gemeldet: bitte prüfen",
            &href(&id),
            now,
        )
        .await?;
        Ok(Received::Kept(id.clone()))
    })
    .await
}

/// The registration's facts a write depends on, read in the writing transaction.
#[derive(sqlx::FromRow)]
struct Locked {
    site_ags: String,
    review: String,
    own_site: bool,
}

async fn lock(tx: &mut Tx, viewer: &Viewer, id: &str, action: Act) -> Result<Locked> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT r.site_ags, r.review, EXISTS (SELECT 1 FROM counselling_site_counsellors k \
         WHERE k.site_ags = r.site_ags AND k.user_id = $2) AS own_site \
         FROM school_registrations r WHERE r.id = $1{}",
        tx.for_update()
    ));
    let row: Option<Locked> = tx!(tx, |c| sqlx::query_as(sql)
        .bind(id)
        .bind(&viewer.user_id)
        .fetch_optional(c)
        .await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    let rel = relationship(row.own_site);
    if viewer.is_system() || decide(&viewer.roles, Record::SchoolRegistration, rel, action).allows()
    {
        return Ok(row);
    }
    if decide(&viewer.roles, Record::SchoolRegistration, rel, Act::View).allows() {
        return Err(StoreError::field(
            "review",
            "Das entscheidet die Koordination des Kommunalen Integrationszentrums.",
        ));
    }
    Err(StoreError::NotFound)
}

/// The KI accepts a registration the family sent, at `site_ags` (the nearest site, or another
/// one the family asked for).
pub async fn accept(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    site_ags: Option<&str>,
    now: i64,
) -> Result<()> {
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let row = lock(tx, viewer, id, Act::Decide).await?;
        if row.review != "pending" {
            return Err(StoreError::field(
                "review",
                "Die Meldung ist schon angenommen.",
            ));
        }
        let site = match site_ags.filter(|s| !s.is_empty()) {
            Some(s) => {
                check_site(tx, s).await?;
                s.to_owned()
            }
            None => row.site_ags.clone(),
        };
        tx!(tx, |c| sqlx::query(
            "UPDATE school_registrations SET review = 'accepted', site_ags = $2, updated_at = $3 \
             WHERE id = $1"
        )
        .bind(id)
        .bind(&site)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Accept, id)
                .with(json!({ "site_ags": site })),
        );
        let children: i64 = tx!(tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM school_children WHERE registration_id = $1"
        )
        .bind(id)
        .fetch_one(c)
        .await)?;
        tell_site(
            tx,
            &site,
            id,
            usize::try_from(children).unwrap_or(0),
            "Angenommene Online-Meldung",
            now,
        )
        .await
    })
    .await
}

async fn check_site(tx: &mut Tx, site_ags: &str) -> Result<()> {
    let ok: Option<i64> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM towns WHERE ags = $1 AND first_counselling_site = TRUE"
    )
    .bind(site_ags)
    .fetch_optional(c)
    .await)?;
    ok.map(|_| ())
        .ok_or_else(|| StoreError::field("site", "Das ist kein Standort der Erstberatung."))
}

/// The KI moves a family to another site (closer to where they live now, or where an
/// interpreter is).
pub async fn move_to_site(
    db: &Db,
    viewer: &Viewer,
    id: &str,
    site_ags: &str,
    now: i64,
) -> Result<()> {
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let row = lock(tx, viewer, id, Act::Decide).await?;
        check_site(tx, site_ags).await?;
        if row.site_ags == site_ags {
            return Ok(());
        }
        tx!(tx, |c| sqlx::query(
            "UPDATE school_registrations SET site_ags = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(site_ags)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Update, id)
                .with(json!({ "site_ags": { "from": row.site_ags, "to": site_ags } })),
        );
        Ok(())
    })
    .await
}

/// The KI discards a registration the family sent (spam, sent twice, not for the district):
/// the personal data go at once; the audit log keeps that it happened and why.
pub async fn reject(db: &Db, viewer: &Viewer, id: &str, reason: &str, now: i64) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::field(
            "reason",
            "Bitte einen Grund angeben (z. B. doppelt gemeldet, kein Bezug zum Kreis).",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(StoreError::field("reason", "Höchstens 500 Zeichen."));
    }
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let row = lock(tx, viewer, id, Act::Decide).await?;
        if row.review != "pending" {
            return Err(StoreError::field(
                "review",
                "Nur ungeprüfte Online-Meldungen werden verworfen; angenommene Kinder werden abgemeldet.",
            ));
        }
        delete_family(tx, id).await?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Reject, id)
                .with(json!({ "reason": reason })),
        );
        Ok(())
    })
    .await
}

async fn delete_family(tx: &mut Tx, id: &str) -> Result<()> {
    for sql in [
        "DELETE FROM school_child_steps WHERE child_id IN \
         (SELECT id FROM school_children WHERE registration_id = $1)",
        "DELETE FROM school_children WHERE registration_id = $1",
        "DELETE FROM school_registrations WHERE id = $1",
    ] {
        tx!(tx, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A child's family, status and its day, with the family locked for `action` by `viewer`
/// (not found where the viewer may not), refused while the family waits for review (`field`
/// names where the form shows that).
async fn lock_child(
    tx: &mut Tx,
    viewer: &Viewer,
    child_id: &str,
    action: Act,
    field: &str,
    pending: &str,
) -> Result<(String, ChildStatus, Date)> {
    let child: Option<(String, String, Date)> = tx!(tx, |c| sqlx::query_as(
        "SELECT registration_id, status, status_on FROM school_children WHERE id = $1"
    )
    .bind(child_id)
    .fetch_optional(c)
    .await)?;
    let (registration_id, status, status_on) = child.ok_or(StoreError::NotFound)?;
    let row = lock(tx, viewer, &registration_id, action).await?;
    if row.review == "pending" {
        return Err(StoreError::field(field, pending));
    }
    let status = ChildStatus::parse(&status).unwrap_or(ChildStatus::Reported);
    Ok((registration_id, status, status_on))
}

/// Moves a child on its way: `to` (a status key) must follow its status
/// ([`ChildStatus::next`]); `on` is the day it happened (empty: today), neither in the future
/// nor before the last step.
pub async fn advance(
    db: &Db,
    viewer: &Viewer,
    child_id: &str,
    to: &str,
    on: &str,
    note: &str,
    now: i64,
) -> Result<String> {
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(StoreError::field("note", "Höchstens 500 Zeichen."));
    }
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let (registration_id, from, status_on) = lock_child(
            tx,
            viewer,
            child_id,
            Act::Change,
            "status",
            "Die Online-Meldung ist noch nicht geprüft: erst annehmen, dann weiter.",
        )
        .await?;
        // Read after the access check: whoever may not see the child learns nothing here.
        let to = ChildStatus::parse(to)
            .ok_or_else(|| StoreError::field("status", "Bitte den nächsten Schritt wählen."))?;
        if !from.may_become(to) {
            return Err(StoreError::field(
                "status",
                format!(
                    "Das Kind ist „{}“; von dort geht es nicht zu „{}“.",
                    from.label(),
                    to.label()
                ),
            ));
        }
        let day =
            lotse_domain::school_counselling::check_step_day(on, day_of(now), Some(status_on))
                .map_err(StoreError::Invalid)?;
        set_child_status(tx, child_id, to, day, now).await?;
        let by = (!viewer.is_system()).then_some(viewer.user_id.as_str());
        insert_step(tx, child_id, to, day, note, by, now).await?;
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::SchoolRegistration,
                Action::Update,
                &registration_id,
            )
            .with(json!({
                "child_id": child_id,
                "status": { "from": from.key(), "to": to.key() },
                "on": day.to_string(),
            })),
        );
        Ok(registration_id)
    })
    .await
}

/// A child still waiting for a school place, for the start page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Waiting {
    pub registration_id: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub site: String,
    /// Since when it waits: the arrival where known, else the registration.
    pub since: Date,
}

/// The children of accepted registrations the viewer may see who wait longest for a school
/// place (not yet assigned), at most `limit`. Each family read is in the access log.
pub async fn longest_waiting(db: &Db, viewer: &Viewer, limit: i64) -> Result<Vec<Waiting>> {
    let mut q = Query::default();
    if let Some(s) = scope(viewer, &mut q) {
        q.and(s);
    }
    q.and("r.review = 'accepted'");
    q.and("c.status IN ('reported', 'invited', 'appointment', 'counselled', 'transmitted')");
    let n = q.bind(Value::Int(limit));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT c.registration_id, c.first_name, c.last_name, c.status, s.name AS site, \
         COALESCE(r.arrival_date, r.registered_on) AS since \
         FROM school_children c JOIN school_registrations r ON r.id = c.registration_id \
         JOIN towns s ON s.ags = r.site_ags{} \
         ORDER BY COALESCE(r.arrival_date, r.registered_on), c.id LIMIT {n}",
        q.where_clause()
    ));
    let rows: Vec<Waiting> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    let now = crate::now_ms();
    let mut logged: Vec<&str> = Vec::new();
    for w in &rows {
        if !logged.contains(&w.registration_id.as_str()) {
            db.access_log()
                .record(
                    &viewer.into(),
                    now,
                    Entity::SchoolRegistration,
                    &w.registration_id,
                )
                .await;
            logged.push(&w.registration_id);
        }
    }
    Ok(rows)
}

/// The family a child belongs to (its id only: the family itself is read through
/// [`registrations_for`], which checks the viewer).
pub async fn family_of_child(db: &Db, child_id: &str) -> Result<String> {
    let id: Option<String> = read!(db, |c| sqlx::query_scalar(
        "SELECT registration_id FROM school_children WHERE id = $1"
    )
    .bind(child_id)
    .fetch_optional(c)
    .await)?;
    id.ok_or(StoreError::NotFound)
}

/// Registrations the public form sent that wait for review (the KI's start page).
pub async fn pending_count(db: &Db) -> Result<i64> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM school_registrations WHERE review = 'pending'"
    )
    .fetch_one(c)
    .await)?)
}

// ---------------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------------

/// Families due for retention: every child's way ended (school start confirmed, or withdrawn)
/// and the last step was recorded before `$1` (ms). Never a pending one (the KI decides those).
const DUE: &str = "SELECT r.id FROM school_registrations r WHERE r.anonymised_at IS NULL \
     AND r.review = 'accepted' \
     AND NOT EXISTS (SELECT 1 FROM school_children c WHERE c.registration_id = r.id \
         AND c.status NOT IN ('school_started', 'withdrawn')) \
     AND NOT EXISTS (SELECT 1 FROM school_child_steps s JOIN school_children c ON c.id = s.child_id \
         WHERE c.registration_id = r.id AND s.recorded_at >= $1)";

/// Blanks the names, contacts and notes of families whose children all reached the end of
/// their way longer than the retention period (the cases' setting) ago. What the waiting times
/// count stays: site, town, language, the steps and their days, the birth year. Returns
/// (due, anonymised); with `dry_run`, only counts.
pub async fn run_retention(
    db: &Db,
    today: Date,
    dry_run: bool,
    now: i64,
) -> Result<(usize, usize)> {
    let years = crate::cases::retention_years(db).await?;
    let kept_from = today.years_back(years).unwrap_or(Date::EARLIEST);
    let cutoff_ms = now - today.day_number().saturating_sub(kept_from.day_number()) * 86_400_000;
    let due: Vec<String> = read!(db, |c| sqlx::query_scalar(DUE)
        .bind(cutoff_ms)
        .fetch_all(c)
        .await)?;
    if dry_run || due.is_empty() {
        return Ok((due.len(), 0));
    }
    let actor = Actor::system("retention");
    let done = db
        .write(async |tx| {
            let mut done = 0;
            for id in &due {
                // Asked again inside the transaction: a step recorded meanwhile keeps the family.
                let still: Option<String> = tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
                    format!("{DUE} AND r.id = $2")
                ))
                .bind(cutoff_ms)
                .bind(id)
                .fetch_optional(c)
                .await)?;
                if still.is_none() {
                    continue;
                }
                for sql in [
                    "UPDATE school_registrations SET guardian_name = '', phone = '', email = '', \
                     address = '', note = '', anonymised_at = $2, updated_at = $2 WHERE id = $1",
                    "UPDATE school_children SET first_name = '', last_name = '', \
                     birth_date = SUBSTR(birth_date, 1, 4) || '-01-01', updated_at = $2 \
                     WHERE registration_id = $1",
                    "UPDATE school_child_steps SET note = '' WHERE child_id IN \
                     (SELECT id FROM school_children WHERE registration_id = $1) AND $2 > 0",
                    "UPDATE school_counselling_records SET prior_schooling = '', interests = '', \
                     recommended_school = '', support_needs = '', updated_at = $2 WHERE child_id IN \
                     (SELECT id FROM school_children WHERE registration_id = $1)",
                    "UPDATE consents SET witness = '', updated_at = $2 WHERE school_child_id IN \
                     (SELECT id FROM school_children WHERE registration_id = $1)",
                ] {
                    tx!(tx, |c| sqlx::query(sql)
                        .bind(id)
                        .bind(now)
                        .execute(c)
                        .await
                        .map(|r| r.rows_affected()))?;
                }
                done += 1;
            }
            tx.record(
                Event::new(&actor, now, Entity::Job, Action::Update, "retention").with(json!({
                    "school_registrations_anonymised": done,
                    "kept_from": kept_from,
                })),
            );
            Ok(done)
        })
        .await?;
    Ok((due.len(), done))
}

// ---------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Appointment {
    pub id: String,
    pub registration_id: String,
    pub site_ags: String,
    pub site: String,
    pub counsellor_user_id: Option<String>,
    pub counsellor: Option<String>,
    pub on_date: Date,
    pub start_minute: i64,
    pub duration_minutes: i64,
    pub place: String,
    pub status: String,
    pub interpreter_request_id: Option<String>,
    /// The linked interpreter request's status key, if any.
    pub interpreter_status: Option<String>,
    pub sequence: i64,
}

impl Appointment {
    pub fn slot(&self) -> Slot {
        Slot::stored(self.on_date, self.start_minute, self.duration_minutes)
    }

    pub fn status(&self) -> AppointmentStatus {
        AppointmentStatus::parse(&self.status).unwrap_or(AppointmentStatus::Booked)
    }
}

const APPOINTMENT_SELECT: &str = "SELECT a.id, a.registration_id, a.site_ags, s.name AS site, \
    a.counsellor_user_id, u.display_name AS counsellor, a.on_date, a.start_minute, \
    a.duration_minutes, a.place, a.status, a.interpreter_request_id, \
    q.status AS interpreter_status, a.sequence \
    FROM school_appointments a JOIN towns s ON s.ags = a.site_ags \
    LEFT JOIN users u ON u.id = a.counsellor_user_id \
    LEFT JOIN interpreter_requests q ON q.id = a.interpreter_request_id";

async fn appointment_in(tx: &mut Tx, id: &str) -> Result<Appointment> {
    let sql = sqlx::AssertSqlSafe(format!("{APPOINTMENT_SELECT} WHERE a.id = $1"));
    let row: Option<Appointment> =
        tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    row.ok_or(StoreError::NotFound)
}

/// The counsellor, if named, counsels at the site and has no other appointment at that time;
/// their account row is locked first, so two bookings at once cannot both pass.
async fn check_counsellor(
    tx: &mut Tx,
    counsellor: Option<&str>,
    site_ags: &str,
    slot: Slot,
    except: Option<&str>,
) -> Result<()> {
    let Some(user) = counsellor else {
        return Ok(());
    };
    let lock = sqlx::AssertSqlSafe(format!(
        "SELECT id FROM users WHERE id = $1{}",
        tx.for_update()
    ));
    let exists: Option<String> = tx!(tx, |c| sqlx::query_scalar(lock)
        .bind(user)
        .fetch_optional(c)
        .await)?;
    let at_site: Option<i64> = tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM counselling_site_counsellors WHERE site_ags = $1 AND user_id = $2"
    )
    .bind(site_ags)
    .bind(user)
    .fetch_optional(c)
    .await
    })?;
    if exists.is_none() || at_site.is_none() {
        return Err(StoreError::field(
            "counsellor",
            "Diese Person berät nicht an diesem Standort.",
        ));
    }
    let taken: Vec<(String, i64, i64)> = tx!(tx, |c| sqlx::query_as(
        "SELECT id, start_minute, duration_minutes FROM school_appointments \
         WHERE counsellor_user_id = $1 AND on_date = $2 AND status = 'booked'"
    )
    .bind(user)
    .bind(slot.date)
    .fetch_all(c)
    .await)?;
    let clash = taken.into_iter().find(|(id, start, minutes)| {
        except != Some(id.as_str()) && slot.overlaps(Slot::stored(slot.date, *start, *minutes))
    });
    if let Some((_, start, minutes)) = clash {
        let other = Slot::stored(slot.date, start, minutes);
        return Err(StoreError::field(
            "start",
            format!(
                "Die Beraterin oder der Berater hat dann schon einen Termin ({}).",
                other.german()
            ),
        ));
    }
    Ok(())
}

/// Moves every child still before the appointment to "Termin" (through "eingeladen" where it
/// was only registered), on `today`.
async fn children_to_appointment(
    tx: &mut Tx,
    registration_id: &str,
    today: Date,
    note: &str,
    by: Option<&str>,
    now: i64,
) -> Result<()> {
    let children: Vec<(String, String)> = tx!(tx, |c| sqlx::query_as(
        "SELECT id, status FROM school_children WHERE registration_id = $1 \
         AND status IN ('reported', 'invited')"
    )
    .bind(registration_id)
    .fetch_all(c)
    .await)?;
    for (child, status) in children {
        if status == ChildStatus::Reported.key() {
            insert_step(tx, &child, ChildStatus::Invited, today, "", by, now).await?;
        }
        insert_step(tx, &child, ChildStatus::Appointment, today, note, by, now).await?;
        set_child_status(tx, &child, ChildStatus::Appointment, today, now).await?;
    }
    Ok(())
}

/// Sends every child waiting on an appointment back to "eingeladen" (the family did not come,
/// or the appointment was called off).
async fn children_back_to_invited(
    tx: &mut Tx,
    registration_id: &str,
    today: Date,
    note: &str,
    by: Option<&str>,
    now: i64,
) -> Result<()> {
    let children: Vec<String> = tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM school_children WHERE registration_id = $1 AND status = 'appointment'"
    )
    .bind(registration_id)
    .fetch_all(c)
    .await)?;
    for child in children {
        insert_step(tx, &child, ChildStatus::Invited, today, note, by, now).await?;
        set_child_status(tx, &child, ChildStatus::Invited, today, now).await?;
    }
    Ok(())
}

async fn set_child_status(
    tx: &mut Tx,
    child: &str,
    status: ChildStatus,
    on: Date,
    now: i64,
) -> Result<()> {
    tx!(tx, |c| sqlx::query(
        "UPDATE school_children SET status = $2, status_on = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(child)
    .bind(status.key())
    .bind(on)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Books an appointment for a family (the KI, or a counsellor of the family's site). With
/// `interpreter`, the pool is asked in the same transaction: if it refuses, nothing is booked.
/// The children move to "Termin"; the family (where it gave an e-mail address) and the
/// counsellor get the date by mail with a calendar entry.
pub async fn book(
    db: &Db,
    viewer: &Viewer,
    registration_id: &str,
    draft: &AppointmentDraft,
    interpreter: Option<&RequestDraft>,
    now: i64,
) -> Result<String> {
    let actor: Actor = viewer.into();
    let id = new_id();
    let by = (!viewer.is_system()).then_some(viewer.user_id.as_str());
    db.write(async |tx| {
        let row = lock(tx, viewer, registration_id, Act::Change).await?;
        if row.review == "pending" {
            return Err(StoreError::field(
                "date",
                "Die Online-Meldung ist noch nicht geprüft: erst annehmen, dann einen Termin buchen.",
            ));
        }
        check_counsellor(tx, draft.counsellor.as_deref(), &row.site_ags, draft.slot, None).await?;
        let request = match interpreter {
            Some(r) => Some(
                crate::interpreters::submit_in(tx, viewer, &viewer.organisation_id, r, false, now)
                    .await?,
            ),
            None => None,
        };
        tx!(tx, |c| sqlx::query(
            "INSERT INTO school_appointments (id, registration_id, site_ags, counsellor_user_id, \
             on_date, start_minute, duration_minutes, place, status, interpreter_request_id, \
             sequence, booked_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, 'booked', $9, 0, $10, $11, $11)"
        )
        .bind(&id)
        .bind(registration_id)
        .bind(&row.site_ags)
        .bind(&draft.counsellor)
        .bind(draft.slot.date)
        .bind(i64::from(draft.slot.start_minute))
        .bind(i64::from(draft.slot.duration_minutes))
        .bind(&draft.place)
        .bind(&request)
        .bind(by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        let note = format!("Termin: {}", draft.slot.german());
        children_to_appointment(tx, registration_id, day_of(now), &note, by, now).await?;
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Update, registration_id)
                .with(json!({
                    "appointment": {
                        "id": id,
                        "booked": draft.slot.date.to_string(),
                        "interpreter_request": request,
                    }
                })),
        );
        appointment_mails(tx, &id, MailKind::Booked, now).await?;
        Ok(())
    })
    .await?;
    Ok(id)
}

/// Moves a booked appointment to another time (and place or counsellor). An interpreter asked
/// for the old time is called off and, with `interpreter`, asked again for the new one.
pub async fn move_appointment(
    db: &Db,
    viewer: &Viewer,
    appointment_id: &str,
    draft: &AppointmentDraft,
    interpreter: Option<&RequestDraft>,
    now: i64,
) -> Result<String> {
    let actor: Actor = viewer.into();
    db.write(async |tx| {
        let a = appointment_in(tx, appointment_id).await?;
        lock(tx, viewer, &a.registration_id, Act::Change).await?;
        if a.status() != AppointmentStatus::Booked {
            return Err(StoreError::field(
                "date",
                format!(
                    "Der Termin ist „{}“; verlegen lässt sich nur ein gebuchter.",
                    a.status().label()
                ),
            ));
        }
        check_counsellor(
            tx,
            draft.counsellor.as_deref(),
            &a.site_ags,
            draft.slot,
            Some(appointment_id),
        )
        .await?;
        if let Some(old) = a.interpreter_request_id.as_deref()
            && crate::interpreters::is_open(tx, old).await?
        {
            crate::interpreters::cancel_in(tx, viewer, old, now).await?;
        }
        let request = match interpreter {
            Some(r) => Some(
                crate::interpreters::submit_in(tx, viewer, &viewer.organisation_id, r, false, now)
                    .await?,
            ),
            None => None,
        };
        tx!(tx, |c| sqlx::query(
            "UPDATE school_appointments SET counsellor_user_id = $2, on_date = $3, \
             start_minute = $4, duration_minutes = $5, place = $6, interpreter_request_id = $7, \
             sequence = sequence + 1, reminded_at = NULL, updated_at = $8 WHERE id = $1"
        )
        .bind(appointment_id)
        .bind(&draft.counsellor)
        .bind(draft.slot.date)
        .bind(i64::from(draft.slot.start_minute))
        .bind(i64::from(draft.slot.duration_minutes))
        .bind(&draft.place)
        .bind(&request)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::SchoolRegistration,
                Action::Update,
                &a.registration_id,
            )
            .with(json!({
                "appointment": {
                    "id": appointment_id,
                    "moved": { "from": a.on_date.to_string(), "to": draft.slot.date.to_string() },
                    "interpreter_request": request,
                }
            })),
        );
        appointment_mails(tx, appointment_id, MailKind::Moved, now).await?;
        Ok(a.registration_id.clone())
    })
    .await
}

/// Records how a booked appointment ended: held (the counselling took place), missed (the
/// family did not come) or cancelled. Held and missed only from its day on; a missed or
/// cancelled appointment sends the children back to "eingeladen" and calls off an interpreter
/// still asked for.
pub async fn close_appointment(
    db: &Db,
    viewer: &Viewer,
    appointment_id: &str,
    outcome: &str,
    now: i64,
) -> Result<String> {
    let actor: Actor = viewer.into();
    let by = (!viewer.is_system()).then_some(viewer.user_id.as_str());
    db.write(async |tx| {
        let a = appointment_in(tx, appointment_id).await?;
        lock(tx, viewer, &a.registration_id, Act::Change).await?;
        let outcome = AppointmentStatus::parse(outcome)
            .filter(|o| *o != AppointmentStatus::Booked)
            .ok_or_else(|| {
                StoreError::field(
                    "outcome",
                    "Bitte wählen: fand statt, nicht erschienen oder abgesagt.",
                )
            })?;
        if a.status() != AppointmentStatus::Booked {
            return Err(StoreError::field(
                "outcome",
                format!("Der Termin ist schon „{}“.", a.status().label()),
            ));
        }
        let today = day_of(now);
        if outcome != AppointmentStatus::Cancelled && a.on_date > today {
            return Err(StoreError::field(
                "outcome",
                format!("Der Termin ist erst am {}.", a.on_date.german()),
            ));
        }
        tx!(tx, |c| sqlx::query(
            "UPDATE school_appointments SET status = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(appointment_id)
        .bind(outcome.key())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        match outcome {
            AppointmentStatus::Missed | AppointmentStatus::Cancelled => {
                let note = if outcome == AppointmentStatus::Missed {
                    "Termin nicht wahrgenommen"
                } else {
                    "Termin abgesagt"
                };
                children_back_to_invited(tx, &a.registration_id, today, note, by, now).await?;
                if let Some(r) = a.interpreter_request_id.as_deref()
                    && a.on_date >= today
                    && crate::interpreters::is_open(tx, r).await?
                {
                    crate::interpreters::cancel_in(tx, viewer, r, now).await?;
                }
                if outcome == AppointmentStatus::Cancelled {
                    appointment_mails(tx, appointment_id, MailKind::Cancelled, now).await?;
                }
            }
            AppointmentStatus::Held | AppointmentStatus::Booked => {}
        }
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::SchoolRegistration,
                Action::Update,
                &a.registration_id,
            )
            .with(json!({ "appointment": { "id": appointment_id, "status": outcome.key() } })),
        );
        Ok(a.registration_id.clone())
    })
    .await
}

/// The appointment an id names, as its family's viewer may see it (for the pages' redirects).
pub async fn family_of_appointment(db: &Db, appointment_id: &str) -> Result<String> {
    let id: Option<String> = read!(db, |c| sqlx::query_scalar(
        "SELECT registration_id FROM school_appointments WHERE id = $1"
    )
    .bind(appointment_id)
    .fetch_optional(c)
    .await)?;
    id.ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MailKind {
    Booked,
    Moved,
    Cancelled,
    Reminder,
}

#[derive(sqlx::FromRow)]
struct MailFacts {
    guardian_name: String,
    family_email: String,
    counsellor_email: Option<String>,
    counsellor: Option<String>,
    site: String,
}

/// Queues the mails about an appointment: to the family (if it gave an e-mail address) and
/// the counsellor (if named and reachable), each with the calendar entry. Names of the children
/// stay out of the mail: the family knows them, a mailbox is not the place for them.
async fn appointment_mails(tx: &mut Tx, id: &str, kind: MailKind, now: i64) -> Result<()> {
    let a = appointment_in(tx, id).await?;
    let f: MailFacts = tx!(tx, |c| sqlx::query_as(
        "SELECT r.guardian_name, r.email AS family_email, u.email AS counsellor_email, \
         u.display_name AS counsellor, s.name AS site \
         FROM school_appointments a JOIN school_registrations r ON r.id = a.registration_id \
         JOIN towns s ON s.ags = a.site_ags LEFT JOIN users u ON u.id = a.counsellor_user_id \
         WHERE a.id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    let slot = a.slot();
    let when = slot.german();
    let cancelled = kind == MailKind::Cancelled;
    let calendar = lotse_domain::icalendar::Event {
        uid: format!("{id}@lotse"),
        sequence: u32::try_from(a.sequence).unwrap_or(0) + u32::from(cancelled),
        stamp_ms: now,
        date: slot.date,
        start_minute: slot.start_minute,
        duration_minutes: slot.duration_minutes,
        summary: "Schulische Erstberatung".to_owned(),
        location: a.place.clone(),
        description: format!(
            "Kommunales Integrationszentrum Kreis Warendorf, Standort {}",
            f.site
        ),
        cancelled,
    }
    .to_ics();
    let (subject, lead) = match kind {
        MailKind::Booked => (
            format!("Termin zur Schulischen Erstberatung: {when}"),
            "für die Schulische Erstberatung Ihres Kindes haben wir diesen Termin für Sie reserviert:",
        ),
        MailKind::Moved => (
            format!("Neuer Termin zur Schulischen Erstberatung: {when}"),
            "Ihr Termin zur Schulischen Erstberatung ist verlegt. Der neue Termin:",
        ),
        MailKind::Cancelled => (
            format!(
                "Abgesagt: Termin zur Schulischen Erstberatung am {}",
                slot.date.german()
            ),
            "dieser Termin zur Schulischen Erstberatung ist abgesagt. Wir melden uns mit einem neuen Termin:",
        ),
        MailKind::Reminder => (
            format!("Erinnerung: Schulische Erstberatung {when}"),
            "wir erinnern Sie an Ihren Termin zur Schulischen Erstberatung:",
        ),
    };
    let footer = "Kommunales Integrationszentrum Kreis Warendorf – Schulische Erstberatung\n\
                  Diese Nachricht wurde von Lotse versandt.";
    if !f.family_email.trim().is_empty() {
        let mut body = format!(
            "Guten Tag {},\n\n{lead}\n\nTermin: {when}\nOrt: {}\n",
            f.guardian_name, a.place
        );
        if !cancelled {
            body.push_str(
                "\nBitte bringen Sie mit: Meldebescheinigung, Pass oder Ausweis, das letzte \
                 Zeugnis (falls vorhanden).\nWenn Sie nicht kommen können, sagen Sie bitte ab.\n",
            );
        }
        body.push_str(&format!(
            "\nDen Termin finden Sie auch als Kalendereintrag im Anhang.\n\n{footer}\n"
        ));
        outbox::enqueue(
            tx,
            &outbox::Mail {
                to: f.family_email.clone(),
                subject: subject.clone(),
                body,
                calendar: Some(calendar.clone()),
                about_entity: Entity::SchoolRegistration.key(),
                about_id: a.registration_id.clone(),
            },
            now,
        )
        .await?;
    }
    if kind != MailKind::Reminder
        && let Some(to) = f.counsellor_email.filter(|e| !e.trim().is_empty())
    {
        let body = format!(
            "Guten Tag {},\n\n{}\n\nTermin: {when}\nOrt: {}\nStandort: {}\n\n\
             Die Familie und ihre Kinder finden Sie in Lotse unter „Schulische Erstberatung“.\n\n{footer}\n",
            f.counsellor.unwrap_or_default(),
            match kind {
                MailKind::Cancelled => "dieser Beratungstermin ist abgesagt:",
                MailKind::Moved => "dieser Beratungstermin ist verlegt:",
                _ => "für Sie ist ein Beratungstermin gebucht:",
            },
            a.place,
            f.site
        );
        outbox::enqueue(
            tx,
            &outbox::Mail {
                to,
                subject: subject.replace("Termin zur Schulischen", "Beratungstermin Schulische"),
                body,
                calendar: Some(calendar),
                about_entity: Entity::SchoolRegistration.key(),
                about_id: a.registration_id.clone(),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// How many days before an appointment the family is reminded.
pub const REMIND_DAYS_AHEAD: i64 = 2;

/// Queues the reminder of every booked appointment from tomorrow to [`REMIND_DAYS_AHEAD`] days
/// ahead that was not reminded yet (the daily job). Returns how many were queued.
pub async fn queue_reminders(db: &Db, today: Date, now: i64) -> Result<usize> {
    let until = today.add_days(REMIND_DAYS_AHEAD).unwrap_or(today);
    let from = today.add_days(1).unwrap_or(today);
    let due: Vec<String> = read!(db, |c| {
        sqlx::query_scalar(
        "SELECT a.id FROM school_appointments a JOIN school_registrations r ON r.id = a.registration_id \
         WHERE a.status = 'booked' AND a.reminded_at IS NULL AND a.on_date >= $1 AND a.on_date <= $2 \
         AND r.email <> '' ORDER BY a.on_date, a.id"
    )
    .bind(from)
    .bind(until)
    .fetch_all(c)
    .await
    })?;
    if due.is_empty() {
        return Ok(0);
    }
    let actor = Actor::system("appointment-reminders");
    db.write(async |tx| {
        for id in &due {
            appointment_mails(tx, id, MailKind::Reminder, now).await?;
            tx!(tx, |c| sqlx::query(
                "UPDATE school_appointments SET reminded_at = $2 WHERE id = $1"
            )
            .bind(id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        tx.record(
            Event::new(
                &actor,
                now,
                Entity::Job,
                Action::Remind,
                "appointment-reminders",
            )
            .with(json!({ "appointments": due.len() })),
        );
        Ok(())
    })
    .await?;
    Ok(due.len())
}

// ---------------------------------------------------------------------------------------------
// The counselling record
// ---------------------------------------------------------------------------------------------

/// What the counselling found and recommends for one child, with the consent it rests on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CounsellingRecord {
    pub child_id: String,
    pub counselled_on: Date,
    pub prior_schooling: String,
    pub languages: String,
    pub literate: bool,
    pub german_level: String,
    pub maths_level: String,
    pub interests: String,
    pub recommended_form: String,
    pub recommended_year: Option<i64>,
    pub recommended_school: String,
    pub support_needs: String,
    pub interpreter_used: bool,
    pub consent_given_on: Date,
    pub consent_form: String,
    pub consent_witness: String,
}

impl CounsellingRecord {
    pub fn german_label(&self) -> &'static str {
        GermanLevel::parse(&self.german_level).map_or("", GermanLevel::label)
    }

    pub fn maths_label(&self) -> &'static str {
        MathsLevel::parse(&self.maths_level).map_or("", MathsLevel::label)
    }

    pub fn form_label(&self) -> &'static str {
        SchoolForm::parse(&self.recommended_form).map_or("", SchoolForm::label)
    }

    pub fn consent_form_label(&self) -> &'static str {
        lotse_domain::case::ConsentForm::parse(&self.consent_form)
            .map_or("", lotse_domain::case::ConsentForm::label)
    }
}

/// Records the counselling of a child (the KI, or a counsellor of the family's site), with the
/// family's consent, which goes into the district's consents. A child waiting on its
/// appointment moves to "beraten" on the day of counselling; a record made before is corrected
/// in place. Returns the family's id.
pub async fn record_counselling(
    db: &Db,
    viewer: &Viewer,
    child_id: &str,
    d: &RecordDraft,
    now: i64,
) -> Result<String> {
    let actor: Actor = viewer.into();
    let by = (!viewer.is_system()).then_some(viewer.user_id.as_str());
    db.write(async |tx| {
        let (registration_id, status, status_on) = lock_child(
            tx,
            viewer,
            child_id,
            Act::Change,
            "counselled_on",
            "Die Online-Meldung ist noch nicht geprüft: erst annehmen, dann beraten.",
        )
        .await?;
        let existing: Option<String> = tx!(tx, |c| sqlx::query_scalar(
            "SELECT consent_id FROM school_counselling_records WHERE child_id = $1"
        )
        .bind(child_id)
        .fetch_optional(c)
        .await)?;
        if existing.is_none() && status != ChildStatus::Appointment {
            return Err(StoreError::field(
                "counselled_on",
                format!(
                    "Das Kind ist „{}“: beraten wird nach einem gebuchten Termin.",
                    status.label()
                ),
            ));
        }
        if existing.is_none() && d.counselled_on < status_on {
            return Err(StoreError::field(
                "counselled_on",
                format!("Der Tag liegt vor dem letzten Schritt ({}).", status_on.german()),
            ));
        }
        let consent_id = match existing {
            Some(id) => {
                tx!(tx, |c| sqlx::query(
                    "UPDATE consents SET given_on = $2, form = $3, witness = $4, updated_at = $5 \
                     WHERE id = $1"
                )
                .bind(&id)
                .bind(d.consent_given_on)
                .bind(d.consent_form.key())
                .bind(&d.consent_witness)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                id
            }
            None => {
                let id = new_id();
                tx!(tx, |c| sqlx::query(
                    "INSERT INTO consents (id, school_child_id, purpose, given_on, form, witness, \
                     recorded_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
                )
                .bind(&id)
                .bind(child_id)
                .bind(CONSENT_PURPOSE)
                .bind(d.consent_given_on)
                .bind(d.consent_form.key())
                .bind(&d.consent_witness)
                .bind(by)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
                id
            }
        };
        tx!(tx, |c| sqlx::query(
            "INSERT INTO school_counselling_records (child_id, consent_id, counselled_on, \
             prior_schooling, languages, literate, german_level, maths_level, interests, \
             recommended_form, recommended_year, recommended_school, support_needs, \
             interpreter_used, recorded_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
             ON CONFLICT (child_id) DO UPDATE SET counselled_on = excluded.counselled_on, \
             prior_schooling = excluded.prior_schooling, languages = excluded.languages, \
             literate = excluded.literate, german_level = excluded.german_level, \
             maths_level = excluded.maths_level, interests = excluded.interests, \
             recommended_form = excluded.recommended_form, \
             recommended_year = excluded.recommended_year, \
             recommended_school = excluded.recommended_school, \
             support_needs = excluded.support_needs, interpreter_used = excluded.interpreter_used, \
             updated_at = excluded.updated_at"
        )
        .bind(child_id)
        .bind(&consent_id)
        .bind(d.counselled_on)
        .bind(&d.prior_schooling)
        .bind(&d.languages)
        .bind(d.literate)
        .bind(d.german_level.key())
        .bind(d.maths_level.key())
        .bind(&d.interests)
        .bind(d.recommended_form.key())
        .bind(d.recommended_year.map(i64::from))
        .bind(&d.recommended_school)
        .bind(&d.support_needs)
        .bind(d.interpreter_used)
        .bind(by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if status == ChildStatus::Appointment {
            insert_step(tx, child_id, ChildStatus::Counselled, d.counselled_on, "", by, now).await?;
            set_child_status(tx, child_id, ChildStatus::Counselled, d.counselled_on, now).await?;
        }
        tx.record(
            Event::new(&actor, now, Entity::SchoolRegistration, Action::Update, &registration_id)
                .with(json!({
                    "child_id": child_id,
                    "counselling_record": {
                        "counselled_on": d.counselled_on.to_string(),
                        "recommended_form": d.recommended_form.key(),
                        "recommended_year": d.recommended_year,
                        "consent": consent_id,
                    },
                })),
        );
        Ok(registration_id)
    })
    .await
}
