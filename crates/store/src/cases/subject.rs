//! The rights of the person a case is about (decision 0012, slice 7): their data as recorded,
//! corrected; everything held about them, exported; anonymised on request or when the
//! retention period after the last case closed has passed.
//!
//! Anonymising keeps what steering counts (town, year of birth, gender, jurisdiction, phases and
//! their days, needs, referral outcomes, hand-off durations) and removes everything that names
//! or describes the person: names, birth day, nationalities, languages, residence details,
//! household, every free text and every document on their cases, and the texts others wrote
//! about them (share messages, emergency reasons). The pseudonym is drawn anew, so nothing mailed or printed
//! before points at the anonymised record.

use lotse_domain::Date;
use lotse_domain::access::Action as Act;
use lotse_domain::case::PersonDraft;
use serde_json::json;

use super::{CaseRecord, Cases, case_event, lock, pseudonym, search_text};
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::sort_keys::person_name_key;
use crate::{Result, StoreError};

/// A person as recorded: every field, for the correction form and the subject-access export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PersonRecord {
    pub id: String,
    pub pseudonym: String,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub birth_year: Option<String>,
    pub gender: String,
    pub nationalities: String,
    pub languages: String,
    pub interpreter_needed: bool,
    pub interpreter_language: String,
    pub arrived_in_germany: Option<Date>,
    pub arrived_in_district: Option<Date>,
    pub town_ags: Option<String>,
    pub residence_status: String,
    pub residence_legal_basis: String,
    pub residence_valid_until: Option<Date>,
    pub jurisdiction: String,
    pub household_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub anonymised_at: Option<i64>,
}

const PERSON_COLUMNS: &str = "id, pseudonym, family_name, given_names, birth_date, birth_year, gender, \
     nationalities, languages, interpreter_needed, interpreter_language, arrived_in_germany, arrived_in_district, \
     town_ags, residence_status, residence_legal_basis, residence_valid_until, jurisdiction, household_id, \
     created_at, updated_at, anonymised_at";

impl PersonRecord {
    /// The names of the fields whose value differs in `draft` (for the audit event, which
    /// names fields, never values).
    fn changed_by(&self, d: &PersonDraft) -> Vec<&'static str> {
        let list = |v: &[String]| v.join(", ");
        [
            ("family_name", self.family_name != d.family_name),
            ("given_names", self.given_names != d.given_names),
            ("birth_date", self.birth_date != d.birth_date),
            ("gender", self.gender != d.gender.key()),
            (
                "nationalities",
                self.nationalities != list(&d.nationalities),
            ),
            ("languages", self.languages != list(&d.languages)),
            (
                "interpreter_needed",
                self.interpreter_needed != d.interpreter_needed,
            ),
            (
                "interpreter_language",
                self.interpreter_language != d.interpreter_language,
            ),
            (
                "arrived_in_germany",
                self.arrived_in_germany != d.arrived_in_germany,
            ),
            (
                "arrived_in_district",
                self.arrived_in_district != d.arrived_in_district,
            ),
            ("town", self.town_ags != d.town),
            (
                "residence_status",
                self.residence_status != d.residence_status,
            ),
            (
                "residence_legal_basis",
                self.residence_legal_basis != d.residence_legal_basis,
            ),
            (
                "residence_valid_until",
                self.residence_valid_until != d.residence_valid_until,
            ),
            ("jurisdiction", self.jurisdiction != d.jurisdiction.key()),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

async fn person_by_id(tx: &mut Tx, person_id: &str) -> Result<PersonRecord> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
    ));
    let found: Option<PersonRecord> = tx!(&mut *tx, |c| sqlx::query_as(sql)
        .bind(person_id)
        .fetch_optional(c)
        .await)?;
    found.ok_or(StoreError::NotFound)
}

impl Cases<'_> {
    /// The case's person with every field, for a viewer who sees the case whole.
    pub async fn person(&self, case: &Scoped<CaseRecord>) -> Result<PersonRecord> {
        if !case.access.sees_all() {
            return Err(StoreError::NotFound);
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
        ));
        let id = case.person_id.as_str();
        let found: Option<PersonRecord> = read!(self.db, |c| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(c)
            .await)?;
        found.ok_or(StoreError::NotFound)
    }
}

/// Corrects the person of a case (whoever may change the case). The audit event names the
/// fields that changed, not their values. An anonymised person cannot be corrected: there is
/// nobody left to be right about.
pub async fn correct_person(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    d: &PersonDraft,
    now: i64,
) -> Result<()> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let before = person_by_id(tx, &facts.person_id).await?;
    if before.anonymised_at.is_some() {
        return Err(StoreError::field(
            "family_name",
            "Diese Person ist anonymisiert; ihre Angaben lassen sich nicht mehr ändern.",
        ));
    }
    let changed = before.changed_by(d);
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE persons SET family_name = $2, given_names = $3, name_key = $4, search_text = $5, birth_date = $6, \
             gender = $7, nationalities = $8, languages = $9, interpreter_needed = $10, interpreter_language = $11, \
             arrived_in_germany = $12, arrived_in_district = $13, town_ags = $14, residence_status = $15, \
             residence_legal_basis = $16, residence_valid_until = $17, jurisdiction = $18, updated_at = $19, \
             family_key = $20 WHERE id = $1",
        )
        .bind(&facts.person_id)
        .bind(&d.family_name)
        .bind(&d.given_names)
        .bind(person_name_key(&d.family_name, &d.given_names))
        .bind(search_text(&d.family_name, &d.given_names))
        .bind(d.birth_date)
        .bind(d.gender.key())
        .bind(d.nationalities.join(", "))
        .bind(d.languages.join(", "))
        .bind(d.interpreter_needed)
        .bind(&d.interpreter_language)
        .bind(d.arrived_in_germany)
        .bind(d.arrived_in_district)
        .bind(d.town.as_deref())
        .bind(&d.residence_status)
        .bind(&d.residence_legal_basis)
        .bind(d.residence_valid_until)
        .bind(d.jurisdiction.key())
        .bind(now)
        .bind(super::family_key(&d.family_name))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(updated, || {
        StoreError::field("town", "Diese Stadt oder Gemeinde gibt es nicht.")
    })?;
    tx.record(
        Event::new(
            &Actor::from(viewer),
            now,
            Entity::Person,
            Action::Update,
            &facts.person_id,
        )
        .with(json!({ "corrected": changed })),
    );
    Ok(())
}

/// The statements that take a person's identifying data away, in order. `$1` is the person,
/// `$2` the instant, `$3` the new pseudonym.
const ANONYMISE: &[&str] = &[
    "UPDATE case_assessments SET situation = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE case_goals SET description = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE case_contacts SET note = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE case_follow_ups SET subject = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE consents SET witness = '' WHERE person_id = $1",
    "UPDATE case_shares SET message = '', override_reason = CASE WHEN override_reason = '' THEN '' ELSE '(anonymisiert)' END \
     WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE case_shares SET review_note = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE break_glass_accesses SET reason = '(anonymisiert)', review_note = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    // A household's label names the family: blanked once nobody named is left in it.
    "UPDATE households SET label = '' WHERE id = (SELECT household_id FROM persons WHERE id = $1) \
     AND NOT EXISTS (SELECT 1 FROM persons o WHERE o.household_id = households.id AND o.id <> $1 AND o.anonymised_at IS NULL)",
    "UPDATE case_conferences SET topic = '', agreements = '' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    // Documents are about the person through and through: gone, not blanked.
    "DELETE FROM case_documents WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
    "UPDATE persons SET birth_year = COALESCE(SUBSTR(birth_date, 1, 4), birth_year), family_name = '', given_names = '', \
     name_key = '', search_text = '', family_key = '', birth_date = NULL, nationalities = '', languages = '', interpreter_language = '', \
     arrived_in_germany = NULL, arrived_in_district = NULL, residence_status = '', residence_legal_basis = '', \
     residence_valid_until = NULL, household_id = NULL, pseudonym = $3, anonymised_at = $2, updated_at = $2 WHERE id = $1",
];

/// Anonymises one person (see the module). Whoever calls decides who may: the retention job
/// for persons whose cases closed long enough ago, [`anonymise_on_request`] for the assigned
/// case manager.
async fn anonymise(tx: &mut Tx, actor: &Actor, person_id: &str, now: i64) -> Result<()> {
    let fresh = pseudonym()?;
    for statement in ANONYMISE {
        let sql = sqlx::AssertSqlSafe(*statement);
        let uses_pseudonym = statement.contains("$3");
        tx!(&mut *tx, |c| {
            let q = sqlx::query(sql).bind(person_id);
            let q = if statement.contains("$2") {
                q.bind(now)
            } else {
                q
            };
            let q = if uses_pseudonym { q.bind(&fresh) } else { q };
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    tx.record(
        Event::new(actor, now, Entity::Person, Action::Update, person_id)
            .with(json!({ "anonymised": true })),
    );
    Ok(())
}

/// Anonymises the case's person on their request: the assigned case manager, once every case
/// of the person is closed (an open case is still being worked on with them).
pub async fn anonymise_on_request(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    now: i64,
) -> Result<()> {
    let facts = match lock(tx, viewer, case_id, Act::Decide, now).await {
        Err(StoreError::Invalid(e)) if e.has("anonymised") => {
            return Err(StoreError::field(
                "anonymise",
                "Diese Person ist schon anonymisiert.",
            ));
        }
        other => other?,
    };
    // Every case of the person, locked: a case reopened meanwhile keeps its person.
    lock_cases_of(tx, &facts.person_id).await?;
    let open: i64 = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE person_id = $1 AND closed_on IS NULL")
            .bind(&facts.person_id)
            .fetch_one(c)
            .await
    })?;
    if open > 0 {
        return Err(StoreError::field(
            "anonymise",
            "Bitte zuerst den Fall abschließen: anonymisiert wird eine Person, deren Fälle alle abgeschlossen sind.",
        ));
    }
    if person_by_id(tx, &facts.person_id)
        .await?
        .anonymised_at
        .is_some()
    {
        return Err(StoreError::field(
            "anonymise",
            "Diese Person ist schon anonymisiert.",
        ));
    }
    anonymise(tx, &Actor::from(viewer), &facts.person_id, now).await?;
    case_event(
        tx,
        viewer,
        case_id,
        json!({ "person_anonymised": true }),
        now,
    );
    Ok(())
}

/// Locks every case of a person until the transaction ends (PostgreSQL; SQLite's writer holds
/// the database anyway), so that no case of theirs is reopened while they are anonymised.
async fn lock_cases_of(tx: &mut Tx, person_id: &str) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT id FROM cases WHERE person_id = $1{}",
        tx.for_update()
    ));
    let _: Vec<String> = tx!(&mut *tx, |c| sqlx::query_scalar(sql)
        .bind(person_id)
        .fetch_all(c)
        .await)?;
    Ok(())
}

/// The setting that holds the retention period in years.
pub const RETENTION_YEARS: &str = "retention_years";
/// Closed cases are kept this many years unless the setting says otherwise.
pub const DEFAULT_RETENTION_YEARS: u16 = 3;

/// What a retention run found and did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetentionReport {
    /// Persons whose every case closed before this day are due.
    pub closed_before: Date,
    pub years: u16,
    pub due: usize,
    pub anonymised: usize,
    pub dry_run: bool,
}

impl RetentionReport {
    pub fn summary(&self) -> String {
        if self.dry_run {
            format!(
                "Probelauf: {} Personen wären anonymisiert worden (alle Fälle abgeschlossen vor dem {}, Aufbewahrung {} Jahre).",
                self.due,
                self.closed_before.german(),
                self.years
            )
        } else {
            format!(
                "{} Personen anonymisiert (alle Fälle abgeschlossen vor dem {}, Aufbewahrung {} Jahre).",
                self.anonymised,
                self.closed_before.german(),
                self.years
            )
        }
    }
}

/// The retention period in years (the setting, or the default of three).
pub async fn retention_years(db: &Db) -> Result<u16> {
    Ok(crate::settings::get(db, RETENTION_YEARS)
        .await?
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|y| (1..=30).contains(y))
        .unwrap_or(DEFAULT_RETENTION_YEARS))
}

/// Persons per transaction of a retention run: a run over years of closed cases does not hold
/// one long write.
const RETENTION_BATCH: i64 = 500;

/// Anonymises every person whose cases all closed more than the retention period before
/// `today` (with `dry_run`, only counts them). Runs in batches, each its own transaction.
pub async fn run_retention(
    db: &Db,
    today: Date,
    dry_run: bool,
    now: i64,
) -> Result<RetentionReport> {
    let years = retention_years(db).await?;
    let closed_before = today.years_back(years).unwrap_or(Date::EARLIEST);
    // Counted from when the closing was recorded, not from the day typed into the form (which
    // may lie years back: the last contact): a case closed today is kept the full period.
    let cutoff_ms = now
        - today
            .day_number()
            .saturating_sub(closed_before.day_number())
            * 86_400_000;
    let due_sql = "SELECT p.id FROM persons p WHERE p.anonymised_at IS NULL \
         AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id) \
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id \
         AND (c.closed_on IS NULL OR c.closed_on >= $1)) \
         AND NOT EXISTS (SELECT 1 FROM cases c JOIN case_phase_changes pc ON pc.case_id = c.id \
         WHERE c.person_id = p.id AND pc.to_phase = 'closed' AND pc.changed_at >= $3) \
         ORDER BY p.id LIMIT $2";
    let mut report = RetentionReport {
        closed_before,
        years,
        due: 0,
        anonymised: 0,
        dry_run,
    };
    if dry_run {
        let n: i64 = read!(db, |c| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM ({}) AS due",
                due_sql
                    .replace(" ORDER BY p.id LIMIT $2", "")
                    .replace("$3", "$2")
            )))
            .bind(closed_before)
            .bind(cutoff_ms)
            .fetch_one(c)
            .await
        })?;
        report.due = usize::try_from(n).unwrap_or(0);
        return Ok(report);
    }
    let actor = Actor::system("retention");
    loop {
        // Who is due, read first: a batch that finds nobody writes nothing (and so needs no
        // audit event); the transaction reads the list again, so a case reopened meanwhile
        // keeps its person.
        let candidates: Vec<String> = read!(db, |c| sqlx::query_scalar(due_sql)
            .bind(closed_before)
            .bind(RETENTION_BATCH)
            .bind(cutoff_ms)
            .fetch_all(c)
            .await)?;
        if candidates.is_empty() {
            break;
        }
        let done = db
            .write(async |tx| {
                // Each candidate's cases locked, then asked again: a case reopened between the
                // read and this transaction keeps its person.
                let recheck = format!(
                    "{} AND p.id = $4",
                    due_sql.replace(" ORDER BY p.id LIMIT $2", " AND $2 > 0")
                );
                let mut due = Vec::new();
                for person in &candidates {
                    lock_cases_of(tx, person).await?;
                    let still: Option<String> = tx!(&mut *tx, |c| sqlx::query_scalar(
                        sqlx::AssertSqlSafe(recheck.clone())
                    )
                    .bind(closed_before)
                    .bind(1i64)
                    .bind(cutoff_ms)
                    .bind(person)
                    .fetch_optional(c)
                    .await)?;
                    if let Some(p) = still {
                        anonymise(tx, &actor, &p, now).await?;
                        due.push(p);
                    }
                }
                // The run as a whole, also when the list emptied meanwhile.
                tx.record(
                    Event::new(&actor, now, Entity::Job, Action::Update, "retention")
                        .with(json!({ "anonymised": due.len(), "closed_before": closed_before })),
                );
                Ok(due.len())
            })
            .await?;
        report.anonymised += done;
        if done < usize::try_from(RETENTION_BATCH).unwrap_or(0) {
            break;
        }
    }
    report.due = report.anonymised;
    Ok(report)
}

/// Where a person's data lies: (table, the column that names the person or one of their
/// cases). Every table with a `person_id` or `case_id` column is here (a test holds the list
/// against the schema), so a table added later cannot be left out of an export.
pub const SUBJECT_TABLES: &[(&str, &str, &str)] = &[
    ("persons", "id", "Person"),
    ("consents", "person_id", "Einwilligungen"),
    ("cases", "person_id", "Fälle"),
    ("case_phase_changes", "case_id", "Phasenwechsel"),
    ("case_assessments", "case_id", "Einschätzungen"),
    ("case_goals", "case_id", "Ziele"),
    ("referrals", "case_id", "Vermittlungen"),
    ("handoffs", "case_id", "Übergaben zwischen Behörden"),
    ("case_contacts", "case_id", "Kontakte"),
    ("case_follow_ups", "case_id", "Wiedervorlagen"),
    ("case_shares", "case_id", "Geteilt mit"),
    ("break_glass_accesses", "case_id", "Notfallzugriffe"),
    ("case_documents", "case_id", "Dokumente"),
    ("case_conferences", "case_id", "Fallkonferenzen"),
];

/// One row of a table, by column name.
pub type Row = serde_json::Map<String, serde_json::Value>;

/// Everything held about a person: the rows of every table in [`SUBJECT_TABLES`] and of their
/// household, and who read their cases (the access log).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubjectAccess {
    pub generated_at: i64,
    pub pseudonym: String,
    /// (label, table, rows).
    pub tables: Vec<(String, String, Vec<Row>)>,
    pub reads: Vec<crate::access_log::AccessEntry>,
}

/// The most reads per case the export lists (the newest).
const READS: i64 = 10_000;

impl Cases<'_> {
    /// Everything held about the case's person, for the assigned case manager answering their
    /// request for access (Art. 15 GDPR). The export itself is a read of the case.
    pub async fn subject_access(
        &self,
        case: &Scoped<CaseRecord>,
        now: i64,
    ) -> Result<SubjectAccess> {
        if !case.access.decide {
            return Err(StoreError::NotFound);
        }
        let person = vec![case.person_id.clone()];
        let cases: Vec<String> = read!(self.db, |c| {
            sqlx::query_scalar("SELECT id FROM cases WHERE person_id = $1 ORDER BY id")
                .bind(&person[0])
                .fetch_all(c)
                .await
        })?;
        let mut tables = Vec::new();
        for (table, key, label) in SUBJECT_TABLES {
            let ids = if *key == "case_id" { &cases } else { &person };
            let rows = crate::copy::rows_as_json(self.db, table, key, ids).await?;
            tables.push(((*label).to_owned(), (*table).to_owned(), rows));
        }
        let household: Vec<String> = tables
            .iter()
            .find(|(_, t, _)| t == "persons")
            .and_then(|(_, _, rows)| rows.first())
            .and_then(|p| p.get("household_id"))
            .and_then(|h| h.as_str())
            .map(|h| vec![h.to_owned()])
            .unwrap_or_default();
        let rows = crate::copy::rows_as_json(self.db, "households", "id", &household).await?;
        tables.push(("Haushalt".to_owned(), "households".to_owned(), rows));
        let mut reads = Vec::new();
        for id in &cases {
            reads.extend(crate::access_log::reads_of(self.db, Entity::Case, id, READS).await?);
        }
        reads.sort_by_key(|r| std::cmp::Reverse(r.seq));
        self.log_case_reads(cases, now).await;
        Ok(SubjectAccess {
            generated_at: now,
            pseudonym: case.pseudonym.clone(),
            tables,
            reads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SUBJECT_TABLES;

    /// A table that names a person or a case holds their data: the export must know it.
    #[test]
    fn every_table_about_a_person_or_case_is_in_the_export() {
        for t in crate::copy::TABLES {
            for key in ["person_id", "case_id"] {
                if t.columns.iter().any(|(c, _)| *c == key) {
                    assert!(
                        SUBJECT_TABLES
                            .iter()
                            .any(|(name, k, _)| *name == t.name && *k == key)
                            || (t.name == "consents" && key == "case_id"),
                        "{}.{key} is not in the subject-access export",
                        t.name
                    );
                }
            }
        }
    }
}
