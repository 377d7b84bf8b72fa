//! Funding programmes, budgets, grants, money paid out and spent, reporting deadlines.

use lotse_domain::Date;
use lotse_domain::collation::sort_key;
use lotse_domain::funding::{FundingProgrammeDraft, GrantDraft, MovementDraft};
use serde::Serialize;
use serde_json::json;

use lotse_domain::access::{Action as Act, Record};

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, is_unique_violation, new_id, on_missing_reference, read, tx};
use crate::paging::{Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Viewer, require};
use crate::{Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FundingProgramme {
    pub id: String,
    pub name: String,
    pub funder: String,
    pub description: String,
    pub active: bool,
    pub fictitious: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Grant {
    pub id: String,
    pub funding_programme_id: String,
    pub funding_programme: String,
    pub organisation_id: Option<String>,
    pub organisation: Option<String>,
    pub programme_id: Option<String>,
    pub programme: Option<String>,
    pub purpose: String,
    pub reference: String,
    pub amount_cents: i64,
    pub period_from: Date,
    pub period_to: Date,
    pub fictitious: bool,
    /// Paid out by the funder so far.
    pub paid_cents: i64,
    /// Spent so far.
    pub spent_cents: i64,
}

impl Grant {
    /// Granted but not yet spent.
    pub fn remaining_cents(&self) -> i64 {
        self.amount_cents - self.spent_cents
    }

    /// The recipient and what it is for, as one line.
    pub fn recipient(&self) -> String {
        match (&self.organisation, &self.programme) {
            (Some(o), Some(p)) => format!("{o} ({p})"),
            (Some(o), None) => o.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Movement {
    pub id: String,
    pub grant_id: String,
    pub kind: String,
    pub on_date: Date,
    pub amount_cents: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Deadline {
    pub id: String,
    pub grant_id: String,
    pub title: String,
    pub due_on: Date,
    pub submitted_on: Option<Date>,
    pub reminded_at: Option<i64>,
}

/// A budget year of a funding programme with what is granted in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BudgetYear {
    pub year: i64,
    pub budget_cents: i64,
    /// Granted in grants that run in this year (a grant over two years counts in both).
    pub granted_cents: i64,
}

/// A funding programme as its page shows it: the budget years with their sums (computed by the
/// database) and the grants that run in one year, not every grant it ever made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingYear {
    pub programme: FundingProgramme,
    /// Newest first.
    pub budgets: Vec<BudgetYear>,
    /// The year whose grants are listed.
    pub year: i64,
    /// The grants that run in `year`, by start.
    pub grants: Vec<Grant>,
    /// The first and the last year any grant of the programme runs in, if it has grants.
    pub grant_years: Option<(i64, i64)>,
}

/// A funding programme with everything under it: its grants with their movements and deadlines
/// (the API's entry), each read for this programme only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingDetail {
    pub programme: FundingProgramme,
    /// (year, budget in cents), newest first.
    pub budgets: Vec<(i64, i64)>,
    pub grants: Vec<Grant>,
    pub movements: Vec<Movement>,
    pub deadlines: Vec<Deadline>,
}

impl FundingDetail {
    /// Granted in grants that run in `year` (a grant over two years counts in both).
    pub fn granted_in(&self, year: i64) -> i64 {
        self.grants
            .iter()
            .filter(|g| {
                i64::from(g.period_from.year()) <= year && i64::from(g.period_to.year()) >= year
            })
            .map(|g| g.amount_cents)
            .sum()
    }
}

/// One line of the overview: a funding programme with its sums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FundingSummary {
    pub id: String,
    pub name: String,
    pub funder: String,
    pub active: bool,
    pub grants: i64,
    pub granted_cents: i64,
    pub paid_cents: i64,
    pub spent_cents: i64,
    pub open_deadlines: i64,
}

/// The funding books as one viewer may see and keep them (`lotse_domain::access`, record
/// `Funding`): the coordination's own; anyone else finds nothing.
pub struct Funding<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn for_viewer<'a>(db: &'a Db, viewer: &'a Viewer) -> Funding<'a> {
    Funding { db, viewer }
}

impl Funding<'_> {
    fn check(&self) -> Result<()> {
        require(self.viewer, Record::Funding, None, Act::View)
    }

    pub async fn list(&self) -> Result<Vec<FundingSummary>> {
        self.check()?;
        list(self.db).await
    }

    /// One page of the funding programmes with their sums, in the order they were made (the API's list).
    pub async fn page(&self, request: &PageRequest) -> Result<Page<FundingSummary>> {
        self.check()?;
        page(self.db, request).await
    }

    pub async fn get(&self, id: &str) -> Result<FundingDetail> {
        self.check()?;
        get(self.db, id).await
    }

    /// The funding programme alone (its edit form).
    pub async fn programme(&self, id: &str) -> Result<FundingProgramme> {
        self.check()?;
        programme(self.db, id).await
    }

    /// The funding programme with its budget years and the grants running in `year` (its page).
    pub async fn in_year(&self, id: &str, year: i64) -> Result<FundingYear> {
        self.check()?;
        in_year(self.db, id, year).await
    }

    /// One grant with its sums.
    pub async fn grant(&self, id: &str) -> Result<Grant> {
        self.check()?;
        grant(self.db, id).await
    }

    /// The money paid out and spent under one grant, by date.
    pub async fn movements_of(&self, grant_id: &str) -> Result<Vec<Movement>> {
        self.check()?;
        movements_of(self.db, grant_id).await
    }

    /// The reporting deadlines of one grant, by due date.
    pub async fn deadlines_of(&self, grant_id: &str) -> Result<Vec<Deadline>> {
        self.check()?;
        deadlines_of(self.db, grant_id).await
    }

    pub async fn all_grants(&self) -> Result<Vec<Grant>> {
        self.check()?;
        all_grants(self.db).await
    }

    pub async fn all_movements(&self) -> Result<Vec<Movement>> {
        self.check()?;
        all_movements(self.db).await
    }

    pub async fn all_deadlines(&self) -> Result<Vec<Deadline>> {
        self.check()?;
        all_deadlines(self.db).await
    }

    pub async fn all_budgets(&self) -> Result<Vec<(String, i64, i64)>> {
        self.check()?;
        all_budgets(self.db).await
    }

    /// Whether the viewer may keep the books (the pages' edit forms).
    pub fn may_change(&self) -> bool {
        Access::of(self.viewer, Record::Funding, None).change
    }
}

const SUMMARY: &str = "SELECT f.id, f.name, f.funder, f.active, \
    (SELECT COUNT(*) FROM grants g WHERE g.funding_programme_id = f.id) AS grants, \
    CAST(COALESCE((SELECT SUM(g.amount_cents) FROM grants g WHERE g.funding_programme_id = f.id), 0) AS BIGINT) AS granted_cents, \
    CAST(COALESCE((SELECT SUM(m.amount_cents) FROM grant_movements m JOIN grants g ON g.id = m.grant_id \
              WHERE g.funding_programme_id = f.id AND m.kind = 'payment'), 0) AS BIGINT) AS paid_cents, \
    CAST(COALESCE((SELECT SUM(m.amount_cents) FROM grant_movements m JOIN grants g ON g.id = m.grant_id \
              WHERE g.funding_programme_id = f.id AND m.kind = 'expense'), 0) AS BIGINT) AS spent_cents, \
    (SELECT COUNT(*) FROM reporting_deadlines d JOIN grants g ON g.id = d.grant_id \
     WHERE g.funding_programme_id = f.id AND d.submitted_on IS NULL) AS open_deadlines \
    FROM funding_programmes f";

pub(crate) async fn list(db: &Db) -> Result<Vec<FundingSummary>> {
    let mut rows: Vec<FundingSummary> = read!(db, |c| sqlx::query_as(SUMMARY).fetch_all(c).await)?;
    rows.sort_by_cached_key(|r| (!r.active, sort_key(&r.name)));
    Ok(rows)
}

pub(crate) async fn page(db: &Db, request: &PageRequest) -> Result<Page<FundingSummary>> {
    crate::paging::read_page(
        db,
        SUMMARY,
        Query::default(),
        &Keyset::by_id("f.id"),
        request,
        |f: &FundingSummary| Keyset::id_cursor(&f.id),
    )
    .await
}

const GRANTS: &str = "SELECT g.id, g.funding_programme_id, f.name AS funding_programme, g.organisation_id, o.name AS organisation, \
    g.programme_id, p.name AS programme, g.purpose, g.reference, g.amount_cents, g.period_from, g.period_to, g.fictitious, \
    CAST(COALESCE((SELECT SUM(m.amount_cents) FROM grant_movements m WHERE m.grant_id = g.id AND m.kind = 'payment'), 0) AS BIGINT) AS paid_cents, \
    CAST(COALESCE((SELECT SUM(m.amount_cents) FROM grant_movements m WHERE m.grant_id = g.id AND m.kind = 'expense'), 0) AS BIGINT) AS spent_cents \
    FROM grants g JOIN funding_programmes f ON f.id = g.funding_programme_id \
    LEFT JOIN organisations o ON o.id = g.organisation_id LEFT JOIN programmes p ON p.id = g.programme_id";

/// The newest `limit` grants of one programme of the KI (by start, index grants_programme), and
/// whether it has older ones.
pub(crate) async fn grants_of_programme(
    db: &Db,
    programme_id: &str,
    limit: usize,
) -> Result<(Vec<Grant>, bool)> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{GRANTS} WHERE g.programme_id = $1 ORDER BY g.period_from DESC, g.id DESC LIMIT $2"
    ));
    let mut grants: Vec<Grant> = read!(db, |c| sqlx::query_as(sql)
        .bind(programme_id)
        .bind(limit as i64 + 1)
        .fetch_all(c)
        .await)?;
    let older = grants.len() > limit;
    grants.truncate(limit);
    Ok((grants, older))
}

/// One grant with its sums.
pub(crate) async fn grant(db: &Db, id: &str) -> Result<Grant> {
    let sql = sqlx::AssertSqlSafe(format!("{GRANTS} WHERE g.id = $1"));
    let grant: Option<Grant> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    grant.ok_or(StoreError::NotFound)
}

const MOVEMENT_SELECT: &str =
    "SELECT m.id, m.grant_id, m.kind, m.on_date, m.amount_cents, m.note FROM grant_movements m";

const DEADLINE_SELECT: &str = "SELECT d.id, d.grant_id, d.title, d.due_on, d.submitted_on, d.reminded_at FROM reporting_deadlines d";

/// One grant's movements (index grant_movements_grant): bounded by its period, tens at most.
pub(crate) async fn movements_of(db: &Db, grant_id: &str) -> Result<Vec<Movement>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{MOVEMENT_SELECT} WHERE m.grant_id = $1 ORDER BY m.on_date, m.id"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(grant_id)
        .fetch_all(c)
        .await)?)
}

/// One grant's reporting deadlines (index reporting_deadlines_grant).
pub(crate) async fn deadlines_of(db: &Db, grant_id: &str) -> Result<Vec<Deadline>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{DEADLINE_SELECT} WHERE d.grant_id = $1 ORDER BY d.due_on, d.id"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(grant_id)
        .fetch_all(c)
        .await)?)
}

/// Every grant, all funding programmes, by programme and start.
pub(crate) async fn all_grants(db: &Db) -> Result<Vec<Grant>> {
    let mut grants: Vec<Grant> = read!(db, |c| sqlx::query_as(GRANTS).fetch_all(c).await)?;
    grants.sort_by_cached_key(|g| (sort_key(&g.funding_programme), g.period_from, g.id.clone()));
    Ok(grants)
}

pub(crate) async fn all_movements(db: &Db) -> Result<Vec<Movement>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT id, grant_id, kind, on_date, amount_cents, note FROM grant_movements ORDER BY on_date, id"
    )
    .fetch_all(c)
    .await
    })?)
}

pub(crate) async fn all_deadlines(db: &Db) -> Result<Vec<Deadline>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT id, grant_id, title, due_on, submitted_on, reminded_at FROM reporting_deadlines ORDER BY due_on, id"
    )
    .fetch_all(c)
    .await
    })?)
}

/// Budgets of every funding programme: (funding programme id, year, cents).
pub(crate) async fn all_budgets(db: &Db) -> Result<Vec<(String, i64, i64)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT funding_programme_id, year, amount_cents FROM funding_budgets ORDER BY funding_programme_id, year DESC"
    )
    .fetch_all(c)
    .await
    })?)
}

pub(crate) async fn programme(db: &Db, id: &str) -> Result<FundingProgramme> {
    read!(db, |c| sqlx::query_as(
        "SELECT id, name, funder, description, active, fictitious FROM funding_programmes WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?
    .ok_or(StoreError::NotFound)
}

/// A funding programme's budgets, newest first, each with what its running grants add up to.
async fn budget_years(db: &Db, id: &str) -> Result<Vec<BudgetYear>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT b.year, b.amount_cents AS budget_cents, \
         CAST(COALESCE((SELECT SUM(g.amount_cents) FROM grants g WHERE g.funding_programme_id = b.funding_programme_id \
            AND g.period_from <= CAST(b.year AS TEXT) || '-12-31' AND g.period_to >= CAST(b.year AS TEXT) || '-01-01'), 0) AS BIGINT) \
            AS granted_cents \
         FROM funding_budgets b WHERE b.funding_programme_id = $1 ORDER BY b.year DESC"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?)
}

/// A year's first and last day as stored (ISO text), for comparing with grant periods.
fn year_bounds(year: i64) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

pub(crate) async fn in_year(db: &Db, id: &str, year: i64) -> Result<FundingYear> {
    let programme = programme(db, id).await?;
    let budgets = budget_years(db, id).await?;
    let (first, last) = year_bounds(year);
    let sql = sqlx::AssertSqlSafe(format!(
        "{GRANTS} WHERE g.funding_programme_id = $1 AND g.period_from <= $2 AND g.period_to >= $3 \
         ORDER BY g.period_from, g.id"
    ));
    let grants: Vec<Grant> = read!(db, |c| sqlx::query_as(sql)
        .bind(id)
        .bind(&last)
        .bind(&first)
        .fetch_all(c)
        .await)?;
    let span: (Option<Date>, Option<Date>) = read!(db, |c| sqlx::query_as(
        "SELECT MIN(period_from), MAX(period_to) FROM grants WHERE funding_programme_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    let grant_years = match span {
        (Some(from), Some(to)) => Some((i64::from(from.year()), i64::from(to.year()))),
        _ => None,
    };
    Ok(FundingYear {
        programme,
        budgets,
        year,
        grants,
        grant_years,
    })
}

/// Everything of one funding programme, each table read for it only (the API's entry).
pub(crate) async fn get(db: &Db, id: &str) -> Result<FundingDetail> {
    let programme = programme(db, id).await?;
    let budgets = read!(db, |c| {
        sqlx::query_as(
        "SELECT year, amount_cents FROM funding_budgets WHERE funding_programme_id = $1 ORDER BY year DESC"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    let sql = sqlx::AssertSqlSafe(format!("{GRANTS} WHERE g.funding_programme_id = $1"));
    let mut grants: Vec<Grant> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    grants.sort_by_cached_key(|g| (g.period_from, g.id.clone()));
    let sql = sqlx::AssertSqlSafe(format!(
        "{MOVEMENT_SELECT} JOIN grants g ON g.id = m.grant_id WHERE g.funding_programme_id = $1 \
         ORDER BY m.on_date, m.id"
    ));
    let movements = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "{DEADLINE_SELECT} JOIN grants g ON g.id = d.grant_id WHERE g.funding_programme_id = $1 \
         ORDER BY d.due_on, d.id"
    ));
    let deadlines = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    Ok(FundingDetail {
        programme,
        budgets,
        grants,
        movements,
        deadlines,
    })
}

fn duplicate_name(name: &str) -> StoreError {
    StoreError::field(
        "name",
        format!("Ein Förderprogramm „{name}“ gibt es schon."),
    )
}

pub async fn create_programme(
    tx: &mut Tx,
    viewer: &Viewer,
    d: &FundingProgrammeDraft,
    now: i64,
) -> Result<String> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO funding_programmes (id, name, funder, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
    )
    .bind(&id)
    .bind(&d.name)
    .bind(&d.funder)
    .bind(&d.description)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&d.name)),
        other => other?,
    };
    tx.record(
        Event::new(actor, now, Entity::FundingProgramme, Action::Create, &id)
            .with(json!({ "name": d.name, "funder": d.funder })),
    );
    Ok(id)
}

pub async fn update_programme(
    tx: &mut Tx,
    viewer: &Viewer,
    id: &str,
    d: &FundingProgrammeDraft,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
        "UPDATE funding_programmes SET name = $2, funder = $3, description = $4, updated_at = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(&d.name)
    .bind(&d.funder)
    .bind(&d.description)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&d.name)),
        Ok(0) => return Err(StoreError::NotFound),
        other => other?,
    };
    tx.record(
        Event::new(actor, now, Entity::FundingProgramme, Action::Update, id)
            .with(json!({ "name": d.name, "funder": d.funder })),
    );
    Ok(())
}

/// Sets (or corrects) the budget of a year.
pub async fn set_budget(
    tx: &mut Tx,
    viewer: &Viewer,
    id: &str,
    year: i64,
    cents: i64,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    // One statement, so two people saving the same year at once cannot collide.
    let written = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO funding_budgets (funding_programme_id, year, amount_cents) VALUES ($1, $2, $3) \
         ON CONFLICT (funding_programme_id, year) DO UPDATE SET amount_cents = excluded.amount_cents"
    )
    .bind(id)
    .bind(year)
    .bind(cents)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    on_missing_reference(written, || StoreError::NotFound)?;
    tx.record(
        Event::new(actor, now, Entity::FundingProgramme, Action::SetBudget, id)
            .with(json!({ "year": year, "amount_cents": cents })),
    );
    Ok(())
}

pub async fn create_grant(
    tx: &mut Tx,
    viewer: &Viewer,
    funding_programme_id: &str,
    d: &GrantDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO grants (id, funding_programme_id, organisation_id, programme_id, purpose, reference, amount_cents, \
         period_from, period_to, fictitious, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
    )
    .bind(&id)
    .bind(funding_programme_id)
    .bind(d.organisation_id.as_deref())
    .bind(d.programme_id.as_deref())
    .bind(&d.purpose)
    .bind(&d.reference)
    .bind(d.amount_cents)
    .bind(d.period_from)
    .bind(d.period_to)
    .bind(fictitious)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || {
        StoreError::field(
            "organisation_id",
            "Empfänger, Programm oder Förderprogramm gibt es nicht.",
        )
    })?;
    tx.record(
        Event::new(actor, now, Entity::Grant, Action::Create, &id).with(json!({
            "funding_programme_id": funding_programme_id, "organisation_id": d.organisation_id,
            "programme_id": d.programme_id, "purpose": d.purpose, "amount_cents": d.amount_cents,
            "period_from": d.period_from, "period_to": d.period_to, "reference": d.reference,
        })),
    );
    Ok(id)
}

/// The funding programme a grant belongs to (for redirects and checks).
pub async fn grant_programme(db: &Db, grant_id: &str) -> Result<String> {
    let row: Option<(String,)> = read!(db, |c| sqlx::query_as(
        "SELECT funding_programme_id FROM grants WHERE id = $1"
    )
    .bind(grant_id)
    .fetch_optional(c)
    .await)?;
    row.map(|(id,)| id).ok_or(StoreError::NotFound)
}

pub async fn add_movement(
    tx: &mut Tx,
    viewer: &Viewer,
    grant_id: &str,
    d: &MovementDraft,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO grant_movements (id, grant_id, kind, on_date, amount_cents, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(new_id())
    .bind(grant_id)
    .bind(d.kind.key())
    .bind(d.on)
    .bind(d.amount_cents)
    .bind(&d.note)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || StoreError::NotFound)?;
    tx.record(
        Event::new(
            actor,
            now,
            Entity::Grant,
            match d.kind {
                lotse_domain::funding::Movement::Payment => Action::Payment,
                lotse_domain::funding::Movement::Expense => Action::Expense,
            },
            grant_id,
        )
        .with(json!({ "on": d.on, "amount_cents": d.amount_cents, "note": d.note })),
    );
    Ok(())
}

pub async fn add_deadline(
    tx: &mut Tx,
    viewer: &Viewer,
    grant_id: &str,
    title: &str,
    due_on: Date,
    now: i64,
) -> Result<()> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
        "INSERT INTO reporting_deadlines (id, grant_id, title, due_on, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&id)
    .bind(grant_id)
    .bind(title)
    .bind(due_on)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    on_missing_reference(inserted, || StoreError::NotFound)?;
    tx.record(
        Event::new(actor, now, Entity::Grant, Action::AddDeadline, grant_id)
            .with(json!({ "deadline": id, "title": title, "due_on": due_on })),
    );
    Ok(())
}

/// Records that the report was handed in (or, with `None`, takes that back).
pub async fn set_submitted(
    tx: &mut Tx,
    viewer: &Viewer,
    deadline_id: &str,
    on: Option<Date>,
    now: i64,
) -> Result<String> {
    require(viewer, Record::Funding, None, Act::Change)?;
    let actor = &Actor::from(viewer);
    let row: Option<(String,)> = tx!(&mut *tx, |c| sqlx::query_as(
        "UPDATE reporting_deadlines SET submitted_on = $2 WHERE id = $1 RETURNING grant_id"
    )
    .bind(deadline_id)
    .bind(on)
    .fetch_optional(c)
    .await)?;
    let (grant_id,) = row.ok_or(StoreError::NotFound)?;
    tx.record(
        Event::new(actor, now, Entity::Grant, Action::SubmitReport, &grant_id)
            .with(json!({ "deadline": deadline_id, "submitted_on": on })),
    );
    Ok(grant_id)
}

/// A deadline that needs a reminder, with what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DueDeadline {
    pub id: String,
    pub title: String,
    pub due_on: Date,
    pub funding_programme: String,
    pub purpose: String,
    pub recipient: Option<String>,
}

/// How often the same open deadline is reminded of.
pub const DEADLINE_REMINDER_INTERVAL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Open deadlines due on or before `until` (e.g. today + 30 days, so overdue ones too) that were
/// not reminded of in the last week.
pub async fn due_deadlines(db: &Db, until: Date, now: i64) -> Result<Vec<DueDeadline>> {
    open_deadlines(db, until, now - DEADLINE_REMINDER_INTERVAL_MS, i64::MAX).await
}

/// Open deadlines due on or before `until`, overdue ones first, at most `limit`: what the
/// coordination's start page lists, reminded or not.
pub async fn upcoming_deadlines(db: &Db, until: Date, limit: i64) -> Result<Vec<DueDeadline>> {
    open_deadlines(db, until, i64::MAX, limit).await
}

/// Open deadlines due on or before `until`, not reminded of after `reminded_before`.
async fn open_deadlines(
    db: &Db,
    until: Date,
    reminded_before: i64,
    limit: i64,
) -> Result<Vec<DueDeadline>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT d.id, d.title, d.due_on, f.name AS funding_programme, g.purpose, o.name AS recipient \
         FROM reporting_deadlines d JOIN grants g ON g.id = d.grant_id \
         JOIN funding_programmes f ON f.id = g.funding_programme_id LEFT JOIN organisations o ON o.id = g.organisation_id \
         WHERE d.submitted_on IS NULL AND d.due_on <= $1 AND (d.reminded_at IS NULL OR d.reminded_at <= $2) \
         ORDER BY d.due_on, d.id LIMIT $3"
    )
    .bind(until)
    .bind(reminded_before)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

pub async fn mark_deadlines_reminded(
    tx: &mut Tx,
    actor: &Actor,
    ids: &[String],
    now: i64,
) -> Result<()> {
    for id in ids {
        tx!(&mut *tx, |c| sqlx::query(
            "UPDATE reporting_deadlines SET reminded_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.record(Event::new(
            actor,
            now,
            Entity::ReportingDeadline,
            Action::Remind,
            id,
        ));
    }
    Ok(())
}
