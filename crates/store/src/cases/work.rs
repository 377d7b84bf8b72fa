//! The work on a case (decision 0012, slices 4 and 5): assessment, goals, referrals, hand-offs,
//! contacts and follow-ups. Every write goes through [`super::lock`], so whoever may not change
//! the case finds it "not found", and is checked against the case's own facts (no day before
//! its opening). Audit events say what kind of entry was added to which case, never its content:
//! admins read the audit log, and a need level in "health" is special-category data.
//!
//! Reads hang off a case already read through the viewer's scope ([`Cases::work`] takes the
//! [`Scoped`] case): a pseudonymous viewer gets codes and days, and the free texts are not read.

use lotse_domain::Date;
use lotse_domain::access::Action as Act;
use lotse_domain::case::{
    AssessmentInput, ContactInput, FollowUpInput, GoalInput, GoalStatus, HandoffInput, HandoffType,
    ReferralInput, check_completion,
};
use serde_json::json;

use super::{CaseRecord, Cases, lock};
use crate::audit::Actor;
use crate::db::{Tx, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{FieldErrors, Result, StoreError};

/// Records on the case that something was added or changed (the kind and the entry's id).
pub(super) fn note(tx: &mut Tx, viewer: &Viewer, case_id: &str, what: &str, entry: &str, now: i64) {
    super::case_event(tx, viewer, case_id, json!({ what: entry }), now);
}

fn unknown_organisation() -> StoreError {
    StoreError::field("organisation_id", "Diese Organisation gibt es nicht.")
}

/// Adds the assessment of one life domain (the newest per domain is the current one).
pub async fn add_assessment(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &AssessmentInput,
    today: Date,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let a = input.validate(facts.opened_on, today)?;
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_assessments (id, case_id, life_domain, need_level, situation, assessed_on, assessed_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(a.life_domain.key())
        .bind(a.need_level.key())
        .bind(&a.situation)
        .bind(a.assessed_on)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "assessment_added", &id, now);
    Ok(id)
}

/// Adds a goal to the plan, open.
pub async fn add_goal(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &GoalInput,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let g = input.validate(facts.opened_on)?;
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_goals (id, case_id, life_domain, description, target_on, organisation_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(g.life_domain.key())
        .bind(&g.description)
        .bind(g.target_on)
        .bind(g.organisation_id.as_deref())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(inserted, unknown_organisation)?;
    note(tx, viewer, case_id, "goal_added", &id, now);
    Ok(id)
}

/// Sets where a goal of this case stands.
pub async fn set_goal_status(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    goal_id: &str,
    status: GoalStatus,
    now: i64,
) -> Result<()> {
    lock(tx, viewer, case_id, Act::Change, now).await?;
    let changed = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_goals SET status = $3, updated_at = $4 WHERE id = $1 AND case_id = $2",
        )
        .bind(goal_id)
        .bind(case_id)
        .bind(status.key())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    note(tx, viewer, case_id, "goal_changed", goal_id, now);
    Ok(())
}

/// The offer must exist; the organisation is taken from it when none was chosen.
async fn referral_target(
    tx: &mut Tx,
    offer: Option<&str>,
    organisation: Option<&str>,
) -> Result<Option<String>> {
    let Some(offer) = offer else {
        return Ok(organisation.map(str::to_owned));
    };
    let owner: Option<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT organisation_id FROM offers WHERE id = $1")
            .bind(offer)
            .fetch_optional(c)
            .await
    })?;
    match owner {
        None => Err(StoreError::field(
            "offer_id",
            "Dieses Angebot gibt es nicht.",
        )),
        Some(o) => Ok(Some(organisation.map_or(o, str::to_owned))),
    }
}

/// Records a referral (to an offer or an organisation), with as much of its outcome as is known.
pub async fn add_referral(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &ReferralInput,
    today: Date,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let r = input.validate(facts.opened_on, today)?;
    let organisation =
        referral_target(tx, r.offer_id.as_deref(), r.organisation_id.as_deref()).await?;
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO referrals (id, case_id, life_domain, offer_id, organisation_id, requested_on, first_contact_on, \
             started_on, outcome, unmet_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(r.life_domain.key())
        .bind(r.offer_id.as_deref())
        .bind(organisation.as_deref())
        .bind(r.requested_on)
        .bind(r.first_contact_on)
        .bind(r.started_on)
        .bind(r.outcome.map(|o| o.key()))
        .bind(r.unmet_reason.map(|u| u.key()))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    crate::db::on_missing_reference(inserted, unknown_organisation)?;
    note(tx, viewer, case_id, "referral_added", &id, now);
    Ok(id)
}

/// Updates a referral of this case as it goes on (first contact, start, outcome, reason).
pub async fn update_referral(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    referral_id: &str,
    input: &ReferralInput,
    today: Date,
    now: i64,
) -> Result<()> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let r = input.validate(facts.opened_on, today)?;
    let organisation =
        referral_target(tx, r.offer_id.as_deref(), r.organisation_id.as_deref()).await?;
    let changed = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE referrals SET life_domain = $3, offer_id = $4, organisation_id = $5, requested_on = $6, \
             first_contact_on = $7, started_on = $8, outcome = $9, unmet_reason = $10, updated_at = $11 \
             WHERE id = $1 AND case_id = $2",
        )
        .bind(referral_id)
        .bind(case_id)
        .bind(r.life_domain.key())
        .bind(r.offer_id.as_deref())
        .bind(organisation.as_deref())
        .bind(r.requested_on)
        .bind(r.first_contact_on)
        .bind(r.started_on)
        .bind(r.outcome.map(|o| o.key()))
        .bind(r.unmet_reason.map(|u| u.key()))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    if crate::db::on_missing_reference(changed, unknown_organisation)? == 0 {
        return Err(StoreError::NotFound);
    }
    note(tx, viewer, case_id, "referral_changed", referral_id, now);
    Ok(())
}

/// Starts watching a hand-off between authorities, due `target_days` after its start (the
/// type's target as the coordination set it, copied so that a later change moves no deadline).
pub async fn add_handoff(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &HandoffInput,
    targets: &HandoffTargets,
    today: Date,
    now: i64,
) -> Result<String> {
    lock(tx, viewer, case_id, Act::Change, now).await?;
    let h = input.validate(today)?;
    let target_days = targets.days(h.handoff_type);
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO handoffs (id, case_id, handoff_type, started_on, target_days, due_on, completed_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(h.handoff_type.key())
        .bind(h.started_on)
        .bind(target_days)
        .bind(h.started_on.add_days(target_days))
        .bind(h.completed_on)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "handoff_added", &id, now);
    Ok(id)
}

/// Records the day a hand-off of this case was done.
pub async fn complete_handoff(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    handoff_id: &str,
    completed_on: &str,
    today: Date,
    now: i64,
) -> Result<()> {
    lock(tx, viewer, case_id, Act::Change, now).await?;
    let started: Option<Date> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT started_on FROM handoffs WHERE id = $1 AND case_id = $2")
            .bind(handoff_id)
            .bind(case_id)
            .fetch_optional(c)
            .await
    })?;
    let started = started.ok_or(StoreError::NotFound)?;
    let mut e = FieldErrors::new();
    let done = lotse_domain::validation::required_date(&mut e, "completed_on", completed_on);
    if let Some(d) = done {
        check_completion(&mut e, Some(started), d, today);
    }
    let done = match (done, e.is_empty()) {
        (Some(d), true) => d,
        _ => return Err(StoreError::Invalid(e)),
    };
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE handoffs SET completed_on = $3, updated_at = $4 WHERE id = $1 AND case_id = $2",
        )
        .bind(handoff_id)
        .bind(case_id)
        .bind(done)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "handoff_completed", handoff_id, now);
    Ok(())
}

/// Records a contact with the person.
pub async fn add_contact(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &ContactInput,
    today: Date,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let k = input.validate(facts.opened_on, today)?;
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_contacts (id, case_id, contact_on, minutes, channel, interpreter, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(k.contact_on)
        .bind(k.minutes)
        .bind(k.channel.key())
        .bind(k.interpreter)
        .bind(&k.note)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "contact_added", &id, now);
    Ok(id)
}

/// Adds a follow-up due on a day.
pub async fn add_follow_up(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    input: &FollowUpInput,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Change, now).await?;
    let f = input.validate(facts.opened_on)?;
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_follow_ups (id, case_id, due_on, subject, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(f.due_on)
        .bind(&f.subject)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, case_id, "follow_up_added", &id, now);
    Ok(id)
}

/// Marks a follow-up of this case done today.
pub async fn finish_follow_up(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    follow_up_id: &str,
    today: Date,
    now: i64,
) -> Result<()> {
    lock(tx, viewer, case_id, Act::Change, now).await?;
    let changed = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_follow_ups SET done_on = $3 WHERE id = $1 AND case_id = $2 AND done_on IS NULL",
        )
        .bind(follow_up_id)
        .bind(case_id)
        .bind(today)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    note(tx, viewer, case_id, "follow_up_done", follow_up_id, now);
    Ok(())
}

/// The target days per hand-off type: the coordination's setting where there is one, else the
/// type's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandoffTargets(pub std::collections::BTreeMap<String, i64>);

/// The setting that holds the coordination's targets, a JSON object `{type key: days}`.
pub const HANDOFF_TARGETS: &str = "handoff_target_days";

impl HandoffTargets {
    pub fn days(&self, t: HandoffType) -> i64 {
        self.0
            .get(t.key())
            .copied()
            .filter(|d| (1..=3650).contains(d))
            .unwrap_or_else(|| t.default_target_days())
    }

    pub async fn load(db: &crate::Db) -> Result<HandoffTargets> {
        let stored = crate::settings::get(db, HANDOFF_TARGETS).await?;
        // An unreadable value falls back to the defaults rather than stopping the monitor.
        Ok(HandoffTargets(
            stored
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
        ))
    }

    /// Saves the targets (days between 1 and 3650 per type; empty: the default), naming each
    /// wrong field.
    pub async fn save(
        tx: &mut Tx,
        actor: &Actor,
        days: &[(HandoffType, String)],
        now: i64,
    ) -> Result<()> {
        let mut e = FieldErrors::new();
        let mut out = std::collections::BTreeMap::new();
        for (t, text) in days {
            // Left empty: the type keeps its default.
            if text.trim().is_empty() {
                continue;
            }
            match text.trim().parse::<i64>() {
                Ok(d) if (1..=3650).contains(&d) => {
                    out.insert(t.key().to_owned(), d);
                }
                _ => e.add(
                    t.key(),
                    "Bitte eine Zahl von Tagen zwischen 1 und 3650 angeben.",
                ),
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let value = serde_json::to_string(&out)
            .map_err(|e| StoreError::Config(format!("targets not serialisable: {e}")))?;
        crate::settings::set(tx, actor, HANDOFF_TARGETS, &value, now).await
    }
}

/// An assessment of one life domain as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Assessment {
    pub id: String,
    pub life_domain: String,
    pub need_level: String,
    /// Empty for a pseudonymous viewer (not read).
    pub situation: String,
    pub assessed_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Goal {
    pub id: String,
    pub life_domain: String,
    pub description: String,
    pub target_on: Option<Date>,
    pub organisation_id: Option<String>,
    pub organisation: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Referral {
    pub id: String,
    pub life_domain: String,
    pub offer_id: Option<String>,
    pub offer: Option<String>,
    pub organisation_id: Option<String>,
    pub organisation: Option<String>,
    pub requested_on: Date,
    pub first_contact_on: Option<Date>,
    pub started_on: Option<Date>,
    pub outcome: Option<String>,
    pub unmet_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Handoff {
    pub id: String,
    pub handoff_type: String,
    pub started_on: Date,
    pub target_days: i64,
    pub due_on: Date,
    pub completed_on: Option<Date>,
}

impl Handoff {
    /// Days past its target on `today` (positive: overdue), for an open hand-off.
    pub fn days_over(&self, today: Date) -> Option<i64> {
        if self.completed_on.is_some() {
            return None;
        }
        Some(self.due_on.days_until(today))
    }

    pub fn overdue(&self, today: Date) -> bool {
        self.days_over(today).is_some_and(|d| d > 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Contact {
    pub id: String,
    pub contact_on: Date,
    pub minutes: i64,
    pub channel: String,
    pub interpreter: bool,
    pub note: String,
    pub by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct FollowUp {
    pub id: String,
    pub due_on: Date,
    pub subject: String,
    pub done_on: Option<Date>,
}

/// Everything recorded on a case, newest first within each kind (a case's own life bounds it).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CaseWork {
    /// Every assessment, newest first; [`CaseWork::current_assessments`] picks the current.
    pub assessments: Vec<Assessment>,
    pub goals: Vec<Goal>,
    pub referrals: Vec<Referral>,
    pub handoffs: Vec<Handoff>,
    pub contacts: Vec<Contact>,
    pub follow_ups: Vec<FollowUp>,
    /// What the viewer's release does not name: these parts are not read and show as
    /// "vertraulich".
    pub withheld: Withheld,
}

/// The parts of a case's work a viewer sees through a release only may miss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Withheld {
    pub assessment: bool,
    pub plan: bool,
    /// Contacts and follow-ups: the case manager's working record, never released.
    pub diary: bool,
}

impl CaseWork {
    /// The newest assessment per life domain, in the vocabulary's order.
    pub fn current_assessments(&self) -> Vec<&Assessment> {
        let mut out: Vec<&Assessment> = Vec::new();
        for a in &self.assessments {
            if !out.iter().any(|o| o.life_domain == a.life_domain) {
                out.push(a);
            }
        }
        let order = |key: &str| {
            lotse_domain::case::LifeDomain::ALL
                .iter()
                .position(|d| d.key() == key)
        };
        out.sort_by_key(|a| order(&a.life_domain));
        out
    }
}

impl Cases<'_> {
    /// What was recorded on a case read through the viewer's scope. For a viewer who sees the
    /// case pseudonymously the free texts (situation, goals, notes, follow-ups) are not read;
    /// for one who sees it through a release, only what the release names is read at all.
    pub async fn work(&self, case: &Scoped<CaseRecord>) -> Result<CaseWork> {
        let id = case.id.as_str();
        let whole = case.access.sees_all();
        let withheld = Withheld {
            assessment: !case.view.shows_assessment,
            plan: !case.view.shows_plan,
            diary: case.view.through_release(&case.access),
        };
        let text = |column: &str, covered: bool| {
            if whole || covered {
                column.to_owned()
            } else {
                format!("'' AS {}", column.rsplit('.').next().unwrap_or(column))
            }
        };
        let (plan_text, assessment_text) = (case.view.covers_plan, case.view.covers_assessment);
        // Parts withheld are not read: a statement that finds nothing.
        let unless = |hidden: bool| if hidden { " AND FALSE" } else { "" };
        let assessments = sqlx::AssertSqlSafe(format!(
            "SELECT id, life_domain, need_level, {}, assessed_on FROM case_assessments \
             WHERE case_id = $1{} ORDER BY assessed_on DESC, created_at DESC, id DESC",
            text("situation", assessment_text),
            unless(withheld.assessment)
        ));
        let goals = sqlx::AssertSqlSafe(format!(
            "SELECT g.id, g.life_domain, {}, g.target_on, g.organisation_id, o.name AS organisation, g.status \
             FROM case_goals g LEFT JOIN organisations o ON o.id = g.organisation_id \
             WHERE g.case_id = $1{} ORDER BY g.status = 'open' DESC, g.target_on, g.created_at, g.id",
            text("g.description", plan_text),
            unless(withheld.plan)
        ));
        let contacts = sqlx::AssertSqlSafe(format!(
            "SELECT k.id, k.contact_on, k.minutes, k.channel, k.interpreter, {}, u.display_name AS by_name \
             FROM case_contacts k LEFT JOIN users u ON u.id = k.created_by \
             WHERE k.case_id = $1{} ORDER BY k.contact_on DESC, k.created_at DESC, k.id DESC",
            text("k.note", false),
            unless(withheld.diary)
        ));
        let follow_ups = sqlx::AssertSqlSafe(format!(
            "SELECT id, due_on, {}, done_on FROM case_follow_ups WHERE case_id = $1{} \
             ORDER BY done_on IS NOT NULL, due_on, id",
            text("subject", false),
            unless(withheld.diary)
        ));
        let referrals = sqlx::AssertSqlSafe(format!(
            "SELECT r.id, r.life_domain, r.offer_id, f.title AS offer, r.organisation_id, o.name AS organisation, \
             r.requested_on, r.first_contact_on, r.started_on, r.outcome, r.unmet_reason \
             FROM referrals r LEFT JOIN offers f ON f.id = r.offer_id \
             LEFT JOIN organisations o ON o.id = r.organisation_id \
             WHERE r.case_id = $1{} ORDER BY r.requested_on DESC, r.created_at DESC, r.id DESC",
            unless(withheld.plan)
        ));
        let handoffs = sqlx::AssertSqlSafe(format!(
            "SELECT id, handoff_type, started_on, target_days, due_on, completed_on FROM handoffs \
             WHERE case_id = $1{} ORDER BY completed_on IS NOT NULL, due_on, id",
            unless(withheld.plan)
        ));
        Ok(CaseWork {
            assessments: read!(self.db, |c| sqlx::query_as(assessments)
                .bind(id)
                .fetch_all(c)
                .await)?,
            goals: read!(self.db, |c| sqlx::query_as(goals)
                .bind(id)
                .fetch_all(c)
                .await)?,
            referrals: read!(self.db, |c| sqlx::query_as(referrals)
                .bind(id)
                .fetch_all(c)
                .await)?,
            handoffs: read!(self.db, |c| sqlx::query_as(handoffs)
                .bind(id)
                .fetch_all(c)
                .await)?,
            contacts: read!(self.db, |c| sqlx::query_as(contacts)
                .bind(id)
                .fetch_all(c)
                .await)?,
            follow_ups: read!(self.db, |c| sqlx::query_as(follow_ups)
                .bind(id)
                .fetch_all(c)
                .await)?,
            withheld,
        })
    }
}
