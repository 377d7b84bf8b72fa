//! Consents of the person of a case (decision 0012, slice 3): recorded and revoked on the case,
//! read by the access scope live. A release towards an organisation lets that organisation's
//! staff read what it names while it is valid; revoking it ends that in the same transaction,
//! because nothing else holds a copy of the permission.

use lotse_domain::Date;
use lotse_domain::access::Action as Act;
use lotse_domain::case::{
    ConsentDraft, ConsentForm, ConsentPurpose, ReleaseScope, RevocationInput,
};

use super::work::note;
use super::{CaseRecord, Cases, lock};
use crate::db::{Tx, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError};

/// A consent as the case page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Consent {
    pub id: String,
    pub purpose: String,
    pub organisation_id: Option<String>,
    pub organisation: Option<String>,
    pub given_on: Date,
    pub form: String,
    pub witness: String,
    pub valid_until: Option<Date>,
    pub covers_identity: bool,
    pub covers_residence: bool,
    pub covers_plan: bool,
    pub covers_assessment: bool,
    pub revoked_on: Option<Date>,
}

impl Consent {
    pub fn purpose_label(&self) -> &'static str {
        ConsentPurpose::parse(&self.purpose).map_or("", ConsentPurpose::label)
    }

    pub fn form_label(&self) -> &'static str {
        ConsentForm::parse(&self.form).map_or("", ConsentForm::label)
    }

    /// What a release lets its organisation see.
    pub fn covers(&self) -> Vec<ReleaseScope> {
        [
            (self.covers_identity, ReleaseScope::Identity),
            (self.covers_residence, ReleaseScope::Residence),
            (self.covers_plan, ReleaseScope::Plan),
            (self.covers_assessment, ReleaseScope::Assessment),
        ]
        .into_iter()
        .filter_map(|(on, s)| on.then_some(s))
        .collect()
    }

    /// Given, not revoked and not expired on `today`: the Rust twin of
    /// `scope::consent_valid`, for showing the state (access is decided in SQL).
    pub fn valid_on(&self, today: Date) -> bool {
        self.revoked_on.is_none()
            && self.given_on <= today
            && self.valid_until.is_none_or(|u| u >= today)
    }
}

/// Records a consent of the case's person (whoever may change the case). Returns its id.
pub async fn record_consent(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    c: &ConsentDraft,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    // A release passes the person's data on: only the assigned case manager records it (not
    // a deputy, a partner working on the case or an emergency access).
    if c.purpose == ConsentPurpose::Release && !facts.may(viewer, Act::Decide) {
        return Err(StoreError::field(
            "purpose",
            "Eine Schweigepflichtentbindung erfasst die zuständige Fallmanagerin oder der zuständige Fallmanager.",
        ));
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |conn| {
        sqlx::query(
            "INSERT INTO consents (id, person_id, case_id, purpose, organisation_id, given_on, form, witness, valid_until, \
             covers_identity, covers_residence, covers_plan, covers_assessment, recorded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(&id)
        .bind(&facts.person_id)
        .bind(case_id)
        .bind(c.purpose.key())
        .bind(c.organisation_id.as_deref())
        .bind(c.given_on)
        .bind(c.form.key())
        .bind(&c.witness)
        .bind(c.valid_until)
        .bind(c.covers(ReleaseScope::Identity))
        .bind(c.covers(ReleaseScope::Residence))
        .bind(c.covers(ReleaseScope::Plan))
        .bind(c.covers(ReleaseScope::Assessment))
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(inserted, || {
        StoreError::field("organisation_id", "Diese Organisation gibt es nicht.")
    })?;
    note(tx, viewer, case_id, "consent_recorded", &id, now);
    Ok(id)
}

/// Revokes a consent of the case's person on the day given. From this statement on, nothing
/// the consent allowed is shown: the scope reads consents live.
pub async fn revoke_consent(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    consent_id: &str,
    input: &RevocationInput,
    today: Date,
    now: i64,
) -> Result<()> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let found: Option<(Date, Option<Date>, String)> = tx!(&mut *tx, |c| {
        sqlx::query_as(
            "SELECT given_on, revoked_on, purpose FROM consents WHERE id = $1 AND person_id = $2",
        )
        .bind(consent_id)
        .bind(&facts.person_id)
        .fetch_optional(c)
        .await
    })?;
    let (given_on, revoked_on, purpose) = found.ok_or(StoreError::NotFound)?;
    if purpose == ConsentPurpose::Release.key() && !facts.may(viewer, Act::Decide) {
        return Err(StoreError::field(
            "revoked_on",
            "Den Widerruf einer Schweigepflichtentbindung erfasst die zuständige Fallmanagerin oder der zuständige Fallmanager.",
        ));
    }
    if revoked_on.is_some() {
        return Err(StoreError::field(
            "revoked_on",
            "Diese Einwilligung ist schon widerrufen.",
        ));
    }
    let on = input.validate(given_on, today)?;
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE consents SET revoked_on = $2, updated_at = $3 WHERE id = $1")
            .bind(consent_id)
            .bind(on)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "consent_revoked", consent_id, now);
    Ok(())
}

impl Cases<'_> {
    /// The consents of the case's person, newest first: for a viewer who sees the case whole
    /// (a release names other organisations, which is not the released organisation's
    /// business), empty for anyone else.
    pub async fn consents(&self, case: &Scoped<CaseRecord>) -> Result<Vec<Consent>> {
        if !case.access.sees_all() {
            return Ok(Vec::new());
        }
        let person = case.person_id.as_str();
        Ok(read!(self.db, |c| {
            sqlx::query_as(
                "SELECT k.id, k.purpose, k.organisation_id, o.name AS organisation, k.given_on, k.form, k.witness, \
                 k.valid_until, k.covers_identity, k.covers_residence, k.covers_plan, k.covers_assessment, k.revoked_on \
                 FROM consents k LEFT JOIN organisations o ON o.id = k.organisation_id \
                 WHERE k.person_id = $1 ORDER BY k.given_on DESC, k.created_at DESC, k.id DESC",
            )
            .bind(person)
            .fetch_all(c)
            .await
        })?)
    }
}

/// Whether the person holds a valid release of everything towards `organisation` on `today`
/// (read in the transaction that relies on it): what a full share or a deputy there needs.
pub(crate) async fn full_release_valid(
    tx: &mut Tx,
    person_id: &str,
    organisation: &str,
    today: Date,
) -> Result<bool> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {}",
        super::scope::full_release_exists("$1", "$2", "$3")
    ));
    let found: bool = tx!(&mut *tx, |c| sqlx::query_scalar(sql)
        .bind(person_id)
        .bind(organisation)
        .bind(today)
        .fetch_one(c)
        .await)?;
    Ok(found)
}
