//! Case conferences (decision 0012, slice 4): the case manager and the organisations involved
//! talk the case through, with the person's consent for exactly that. What was agreed is
//! recorded on the case; who took part is a list of organisations.

use lotse_domain::access::Action as Act;
use lotse_domain::case::ConferenceInput;

use super::scope::consent_valid;
use super::work::note;
use super::{CaseRecord, Cases, lock};
use crate::db::{Tx, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError};

/// A case conference as the case page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conference {
    pub id: String,
    pub held_on: lotse_domain::Date,
    pub topic: String,
    pub agreements: String,
    pub next_on: Option<lotse_domain::Date>,
    /// The participating organisations' names.
    pub organisations: Vec<String>,
}

/// Records a case conference (whoever may change the case). The person must have consented to
/// case conferences: a valid consent with that purpose, given on or before the day.
pub async fn add_conference(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &ConferenceInput,
    today: lotse_domain::Date,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let c = input.validate(facts.opened_on, today)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM consents k WHERE k.person_id = $1 AND k.purpose = 'case_conference' \
         AND k.given_on <= $2 AND {}",
        consent_valid("k", "$3")
    ));
    let consented: i64 = tx!(&mut *tx, |conn| sqlx::query_scalar(sql)
        .bind(&facts.person_id)
        .bind(c.held_on)
        .bind(today)
        .fetch_one(conn)
        .await)?;
    if consented == 0 {
        return Err(StoreError::field(
            "held_on",
            "Für eine Fallkonferenz braucht es eine gültige Einwilligung der Person mit dem Zweck \
             „Fallkonferenz“, erteilt spätestens am Tag der Konferenz. Bitte zuerst erfassen.",
        ));
    }
    let id = new_id();
    tx!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO case_conferences (id, case_id, held_on, topic, agreements, next_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(c.held_on)
        .bind(&c.topic)
        .bind(&c.agreements)
        .bind(c.next_on)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    for organisation in &c.organisation_ids {
        let inserted = tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO case_conference_organisations (conference_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(organisation)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        });
        crate::db::on_missing_reference(inserted, || {
            StoreError::field("organisation_ids", "Diese Organisation gibt es nicht.")
        })?;
    }
    note(tx, viewer, case_id, "conference_added", &id, now);
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ConferenceRow {
    id: String,
    held_on: lotse_domain::Date,
    topic: String,
    agreements: String,
    next_on: Option<lotse_domain::Date>,
}

impl Cases<'_> {
    /// The case's conferences, newest first, for a viewer who sees the case whole.
    pub async fn conferences(&self, case: &Scoped<CaseRecord>) -> Result<Vec<Conference>> {
        if !case.access.sees_all() {
            return Ok(Vec::new());
        }
        let id = case.id.as_str();
        let rows: Vec<ConferenceRow> = read!(self.db, |c| {
            sqlx::query_as(
                "SELECT id, held_on, topic, agreements, next_on FROM case_conferences WHERE case_id = $1 \
                 ORDER BY held_on DESC, created_at DESC, id LIMIT 200",
            )
            .bind(id)
            .fetch_all(c)
            .await
        })?;
        let names: Vec<(String, String)> = read!(self.db, |c| {
            sqlx::query_as(
                "SELECT p.conference_id, o.name FROM case_conference_organisations p \
                 JOIN organisations o ON o.id = p.organisation_id \
                 JOIN case_conferences k ON k.id = p.conference_id WHERE k.case_id = $1 ORDER BY o.name",
            )
            .bind(id)
            .fetch_all(c)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| Conference {
                organisations: names
                    .iter()
                    .filter(|(k, _)| *k == r.id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                id: r.id,
                held_on: r.held_on,
                topic: r.topic,
                agreements: r.agreements,
                next_on: r.next_on,
            })
            .collect())
    }
}
