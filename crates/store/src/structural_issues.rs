//! The register of structural issues (strukturelle Hürden).

use lotse_domain::Date;
use lotse_domain::collation::sort_key;
use lotse_domain::structural_issue::{IssueDraft, IssueInput, IssueStatus, jurisdiction_label};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, On, Tx, Value, bind_values, new_id, on, read, tx};
use crate::paging::{Count, Cursor, Keyset, Page, PageRequest, Query};
use crate::sort_keys::issue_list_key;
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub description: String,
    pub from_organisation_id: Option<String>,
    pub from_organisation: Option<String>,
    pub from_jurisdiction: Option<String>,
    pub to_organisation_id: Option<String>,
    pub to_organisation: Option<String>,
    pub to_jurisdiction: Option<String>,
    pub evidence_count: i64,
    pub status: String,
    pub reported_on: Date,
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// (AGS, name); empty means the whole district.
    #[sqlx(skip)]
    pub towns: Vec<(String, String)>,
}

impl Issue {
    pub fn status_label(&self) -> &'static str {
        IssueStatus::parse(&self.status).map_or("", IssueStatus::label)
    }

    /// The date of the report in German notation.
    pub fn reported_on_de(&self) -> String {
        self.reported_on.german()
    }

    /// The evidence count as shown outside case work: counts of 1 to 4 cases appear as "<5", so
    /// that a barrier in a small town cannot point to the people behind it (statistics rule).
    pub fn evidence_display(&self) -> String {
        match self.evidence_count {
            1..=4 => "<5".to_owned(),
            n => n.to_string(),
        }
    }

    /// "Jobcenter (SGB II) → Ausländerbehörde (AufenthG)", as far as known.
    pub fn hand_off(&self) -> String {
        let side = |org: &Option<String>, j: &Option<String>| {
            let j = j.as_deref().and_then(jurisdiction_label);
            match (org, j) {
                (Some(o), Some(j)) => format!("{o} ({j})"),
                (Some(o), None) => o.clone(),
                (None, Some(j)) => j.to_owned(),
                (None, None) => "?".to_owned(),
            }
        };
        format!(
            "{} → {}",
            side(&self.from_organisation, &self.from_jurisdiction),
            side(&self.to_organisation, &self.to_jurisdiction)
        )
    }
}

const SELECT: &str = "SELECT i.id, i.title, i.description, i.from_organisation_id, fo.name AS from_organisation, i.from_jurisdiction, \
    i.to_organisation_id, too.name AS to_organisation, i.to_jurisdiction, i.evidence_count, i.status, i.reported_on, \
    i.fictitious, i.created_at, i.updated_at FROM structural_issues i \
    LEFT JOIN organisations fo ON fo.id = i.from_organisation_id LEFT JOIN organisations too ON too.id = i.to_organisation_id";

/// Fills in the towns of `issues`, read for these issues only.
async fn attach_towns(on: On<'_>, mut issues: Vec<Issue>) -> Result<Vec<Issue>> {
    if issues.is_empty() {
        return Ok(issues);
    }
    let mut q = Query::default();
    let ids: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
    let which = q.any_of("it.issue_id", &ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT it.issue_id, t.ags, t.name FROM structural_issue_towns it JOIN towns t ON t.ags = it.town_ags \
         WHERE {which}"
    ));
    let towns: Vec<(String, String, String)> = on!(on, |c| {
        bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await
    })?;
    let mut by_issue: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    for (issue, ags, name) in towns {
        by_issue.entry(issue).or_default().push((ags, name));
    }
    for issue in &mut issues {
        issue.towns = by_issue.remove(&issue.id).unwrap_or_default();
        issue.towns.sort_by_cached_key(|(_, n)| sort_key(n));
    }
    Ok(issues)
}

/// One page of issues (of one status, or all), in the order they were recorded (the API's list).
pub async fn page(db: &Db, status: Option<&str>, request: &PageRequest) -> Result<Page<Issue>> {
    let mut q = Query::default();
    if let Some(s) = status {
        let s = q.bind(Value::Text(s.to_owned()));
        q.and(format!("i.status = {s}"));
    }
    let page = crate::paging::read_page(
        db,
        SELECT,
        q,
        &Keyset::by_id("i.id"),
        request,
        |i: &Issue| Keyset::id_cursor(&i.id),
    )
    .await?;
    let items = attach_towns(db.into(), page.items).await?;
    Ok(Page { items, ..page })
}

/// All issues, open ones first (by evidence, then date), settled ones after.
pub async fn list(db: &Db, status: Option<&str>) -> Result<Vec<Issue>> {
    let mut issues: Vec<Issue> = read!(db, |c| sqlx::query_as(SELECT).fetch_all(c).await)?;
    if let Some(s) = status.filter(|s| !s.is_empty()) {
        issues.retain(|i| i.status == s);
    }
    let settled = |i: &Issue| matches!(i.status.as_str(), "resolved" | "not_solvable");
    issues.sort_by(|a, b| {
        settled(a)
            .cmp(&settled(b))
            .then(b.evidence_count.cmp(&a.evidence_count))
            .then(b.reported_on.cmp(&a.reported_on))
    });
    attach_towns(db.into(), issues).await
}

/// One page of the register in its order (open first, most evidence, newest), of one status or
/// all, with how many there are (bounded).
/// The orders of the register (its sortable columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RegisterOrder {
    /// Open issues first, those with most evidence first, the newest first.
    #[default]
    Urgency,
    /// By the state of the issue (reported, under discussion, … not solvable), then urgency.
    Status,
    /// The longest known first: by the day reported, then urgency.
    Reported,
}

impl RegisterOrder {
    pub const ALL: [RegisterOrder; 3] = [
        RegisterOrder::Urgency,
        RegisterOrder::Status,
        RegisterOrder::Reported,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RegisterOrder::Urgency => "urgency",
            RegisterOrder::Status => "status",
            RegisterOrder::Reported => "reported",
        }
    }

    pub fn parse(text: &str) -> Option<RegisterOrder> {
        RegisterOrder::ALL
            .into_iter()
            .find(|o| o.key() == text.trim())
    }

    /// The paging key as SQL, from stored keys and ISO days (which sort as the days do).
    fn key_sql(self) -> &'static str {
        match self {
            RegisterOrder::Urgency => "i.list_key",
            RegisterOrder::Status => {
                "(CASE i.status WHEN 'reported' THEN '1' WHEN 'under_discussion' THEN '2' \
                 WHEN 'solution_agreed' THEN '3' WHEN 'resolved' THEN '4' ELSE '5' END || i.list_key)"
            }
            RegisterOrder::Reported => "(i.reported_on || i.list_key)",
        }
    }
}

pub async fn register_page(
    db: &Db,
    status: Option<&str>,
    request: &PageRequest,
) -> Result<(Page<Issue>, Count)> {
    register_page_in_order(db, status, RegisterOrder::Urgency, request).await
}

/// [`register_page`] in one of the register's orders.
pub async fn register_page_in_order(
    db: &Db,
    status: Option<&str>,
    order: RegisterOrder,
    request: &PageRequest,
) -> Result<(Page<Issue>, Count)> {
    let conditions = || {
        let mut q = Query::default();
        if let Some(s) = status {
            let s = q.bind(Value::Text(s.to_owned()));
            q.and(format!("i.status = {s}"));
        }
        q
    };
    let key = order.key_sql();
    let keyset = Keyset {
        key_column: key,
        id_column: "i.id",
    };
    let select = SELECT.replacen(
        " FROM structural_issues i",
        &format!(", {key} AS register_key FROM structural_issues i"),
        1,
    );
    let page = crate::paging::read_page(
        db,
        &select,
        conditions(),
        &keyset,
        request,
        |k: &KeyedIssue| Cursor {
            key: k.register_key.clone(),
            id: k.issue.id.clone(),
        },
    )
    .await?;
    let items = attach_towns(db.into(), page.items.into_iter().map(|k| k.issue).collect()).await?;
    let count =
        crate::paging::count(db, "SELECT i.id FROM structural_issues i", conditions()).await?;
    Ok((
        Page {
            items,
            next: page.next,
            first: page.first,
        },
        count,
    ))
}

#[derive(sqlx::FromRow)]
struct KeyedIssue {
    #[sqlx(flatten)]
    issue: Issue,
    register_key: String,
}

pub async fn get<'a>(on: impl Into<On<'a>>, id: &str) -> Result<Issue> {
    let mut on = on.into();
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1"));
    let issue: Option<Issue> = on!(on.reborrow(), |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    attach_towns(on, vec![issue.ok_or(StoreError::NotFound)?])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Validates the input and its references (organisations, towns).
pub async fn validate(db: &Db, input: &IssueInput) -> Result<IssueDraft> {
    let mut errors = input.validate().err().unwrap_or_default();
    // Only the two organisations named in the form are looked up, deactivated ones included.
    let orgs = crate::organisations::existing(
        db,
        &[
            input.from_organisation_id.trim(),
            input.to_organisation_id.trim(),
        ],
    )
    .await?;
    for (field, id) in [
        ("from_organisation_id", &input.from_organisation_id),
        ("to_organisation_id", &input.to_organisation_id),
    ] {
        let id = id.trim();
        if !id.is_empty() && !orgs.iter().any(|o| o == id) {
            errors.add(field, "Diese Organisation gibt es nicht.");
        }
    }
    let towns = crate::reference::towns(db).await?;
    if input
        .towns
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .any(|t| !towns.iter().any(|x| x.ags == t))
    {
        errors.add("towns", "Eine der Städte/Gemeinden gehört nicht zum Kreis.");
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    input.validate().map_err(StoreError::Invalid)
}

async fn write_towns(tx: &mut Tx, id: &str, towns: &[String]) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query("DELETE FROM structural_issue_towns WHERE issue_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for t in towns {
            sqlx::query("INSERT INTO structural_issue_towns (issue_id, town_ags) VALUES ($1, $2)")
                .bind(id)
                .bind(t)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

fn draft_json(d: &IssueDraft) -> serde_json::Value {
    json!({
        "title": d.title, "description": d.description, "from_organisation_id": d.from_organisation_id,
        "from_jurisdiction": d.from_jurisdiction, "to_organisation_id": d.to_organisation_id,
        "to_jurisdiction": d.to_jurisdiction, "towns": d.towns.join(","), "evidence_count": d.evidence_count,
        "status": d.status.key(), "reported_on": d.reported_on,
    })
}

pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    d: &IssueDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO structural_issues (id, title, description, from_organisation_id, from_jurisdiction, to_organisation_id, \
             to_jurisdiction, evidence_count, status, reported_on, fictitious, created_at, updated_at, list_key, search_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)",
        )
        .bind(&id)
        .bind(&d.title)
        .bind(&d.description)
        .bind(d.from_organisation_id.as_deref())
        .bind(d.from_jurisdiction.as_deref())
        .bind(d.to_organisation_id.as_deref())
        .bind(d.to_jurisdiction.as_deref())
        .bind(d.evidence_count)
        .bind(d.status.key())
        .bind(d.reported_on)
        .bind(fictitious)
        .bind(now)
        .bind(issue_list_key(d.status.key(), d.evidence_count, &d.reported_on.to_string()))
        .bind(crate::sort_keys::issue_search_text(&d.title))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write_towns(tx, &id, &d.towns).await?;
    tx.record(
        Event::new(actor, now, Entity::StructuralIssue, Action::Create, &id).with(draft_json(d)),
    );
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    old: &Issue,
    d: &IssueDraft,
    now: i64,
) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE structural_issues SET title = $2, description = $3, from_organisation_id = $4, from_jurisdiction = $5, \
             to_organisation_id = $6, to_jurisdiction = $7, evidence_count = $8, status = $9, reported_on = $10, updated_at = $11, \
             list_key = $12, search_text = $13 WHERE id = $1",
        )
        .bind(&old.id)
        .bind(&d.title)
        .bind(&d.description)
        .bind(d.from_organisation_id.as_deref())
        .bind(d.from_jurisdiction.as_deref())
        .bind(d.to_organisation_id.as_deref())
        .bind(d.to_jurisdiction.as_deref())
        .bind(d.evidence_count)
        .bind(d.status.key())
        .bind(d.reported_on)
        .bind(now)
        .bind(issue_list_key(d.status.key(), d.evidence_count, &d.reported_on.to_string()))
        .bind(crate::sort_keys::issue_search_text(&d.title))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write_towns(tx, &old.id, &d.towns).await?;
    let after = get(&mut *tx, &old.id).await?;
    tx.record(Event::updated(
        actor,
        now,
        Entity::StructuralIssue,
        &old.id,
        old,
        &after,
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn small_evidence_counts_are_suppressed() {
        let mut issue = super::Issue {
            id: String::new(),
            title: String::new(),
            description: String::new(),
            from_organisation_id: None,
            from_organisation: None,
            from_jurisdiction: None,
            to_organisation_id: None,
            to_organisation: None,
            to_jurisdiction: None,
            evidence_count: 0,
            status: "reported".into(),
            reported_on: lotse_domain::Date::new(2026, 5, 4).expect("a day"),
            fictitious: false,
            created_at: 0,
            updated_at: 0,
            towns: Vec::new(),
        };
        let shown = |issue: &super::Issue| issue.evidence_display();
        assert_eq!(shown(&issue), "0");
        for n in 1..=4 {
            issue.evidence_count = n;
            assert_eq!(shown(&issue), "<5");
        }
        issue.evidence_count = 5;
        assert_eq!(shown(&issue), "5");
        assert_eq!(issue.reported_on_de(), "04.05.2026");
    }
}
