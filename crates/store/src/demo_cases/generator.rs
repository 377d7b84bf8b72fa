//! A synthetic district for the benchmark (`lotse demo cases --persons N`): persons with a case
//! each, worked on as case managers work (assessments, goals, referrals, hand-offs between
//! authorities, contacts, follow-ups), some closed, some shared, a handful released to the
//! demo's partner organisation. Everything is fictitious and flagged so.
//!
//! A million persons through the intake one by one would take hours; the rows go in with a few
//! bulk statements per table and transaction (`Conn::insert_json`), with one audit event per
//! transaction that says what was generated. Caseloads stay realistic: the generator adds
//! synthetic case manager accounts, one per about 80 open cases, so that a case manager's start
//! page holds what a real one holds and the scope's sets have a realistic size.

use lotse_domain::Date;
use lotse_domain::case::{
    AccessRoute, CasePhase, ClosureReason, ContactChannel, GoalStatus, GoalsReached, HandoffType,
    LifeDomain, NeedLevel, ReferralOutcome, UnmetReason,
};
use lotse_domain::{Role, case::PersonDraft};
use serde::Serialize;
use serde_json::json;

use super::{FAMILY_NAMES, person};
use crate::audit::{Action, Actor, Entity, Event};
use crate::cases::{
    CASE_COLUMNS, CaseRow, PERSON_COLUMNS, PHASE_CHANGE_COLUMNS, PersonRow, PhaseChangeRow,
    fresh_pseudonyms,
};
use crate::db::{Db, Tx, new_id, read};
use crate::demo_offers::{Rng, date_of};
use crate::sort_keys::case_list_key;
use crate::users::{self, UserDraft};
use crate::{Result, StoreError};

/// Persons per transaction: large enough that the bulk statements carry thousands of rows,
/// small enough that a run shows progress and memory stays flat.
const BATCH: usize = 2_000;

/// Open cases per synthetic case manager (a full caseload in KIM practice is 60 to 100).
const CASELOAD: usize = 80;

/// Synthetic case managers' usernames start with this.
const STAFF_PREFIX: &str = "fm-synth-";

/// Family names beyond the demo's sixteen: stems and endings put together, so that a million
/// persons do not share a few names (the duplicate checks look names up).
const STEMS: &[&str] = &[
    "Abd", "Bak", "Dem", "Hak", "Haj", "Ibr", "Kar", "Kov", "Mar", "Mus", "Nowic", "Osm", "Petr",
    "Rah", "Said", "Sol", "Tar", "Yus", "Zar", "Mel",
];
const ENDINGS: &[&str] = &[
    "an", "enko", "ović", "ak", "i", "oglu", "ov", "ova", "ski", "ah", "ani", "el", "uk", "yan",
    "zadeh", "ow", "ek", "ar", "im", "at",
];

/// The phases an open case passes through, in order.
const PATH: [CasePhase; 6] = [
    CasePhase::Intake,
    CasePhase::Clearing,
    CasePhase::Assessment,
    CasePhase::Planning,
    CasePhase::Implementation,
    CasePhase::Evaluation,
];

#[derive(Clone)]
struct Member {
    user_id: String,
    organisation_id: String,
}

#[derive(Serialize)]
struct ConsentRow {
    id: String,
    person_id: String,
    case_id: String,
    purpose: &'static str,
    organisation_id: Option<String>,
    given_on: Date,
    form: &'static str,
    covers_identity: bool,
    covers_residence: bool,
    covers_plan: bool,
    covers_assessment: bool,
    recorded_by: String,
    created_at: i64,
    updated_at: i64,
}

const CONSENT_COLUMNS: [&str; 14] = [
    "id",
    "person_id",
    "case_id",
    "purpose",
    "organisation_id",
    "given_on",
    "form",
    "covers_identity",
    "covers_residence",
    "covers_plan",
    "covers_assessment",
    "recorded_by",
    "created_at",
    "updated_at",
];

#[derive(Serialize)]
struct AssessmentRow {
    id: String,
    case_id: String,
    life_domain: &'static str,
    need_level: &'static str,
    situation: &'static str,
    assessed_on: Date,
    assessed_by: String,
    created_at: i64,
}

const ASSESSMENT_COLUMNS: [&str; 8] = [
    "id",
    "case_id",
    "life_domain",
    "need_level",
    "situation",
    "assessed_on",
    "assessed_by",
    "created_at",
];

#[derive(Serialize)]
struct GoalRow {
    id: String,
    case_id: String,
    life_domain: &'static str,
    description: &'static str,
    target_on: Option<Date>,
    organisation_id: Option<String>,
    status: &'static str,
    created_at: i64,
    updated_at: i64,
}

const GOAL_COLUMNS: [&str; 9] = [
    "id",
    "case_id",
    "life_domain",
    "description",
    "target_on",
    "organisation_id",
    "status",
    "created_at",
    "updated_at",
];

#[derive(Serialize)]
struct ReferralRow {
    id: String,
    case_id: String,
    life_domain: &'static str,
    organisation_id: Option<String>,
    requested_on: Date,
    first_contact_on: Option<Date>,
    started_on: Option<Date>,
    outcome: Option<&'static str>,
    unmet_reason: Option<&'static str>,
    created_at: i64,
    updated_at: i64,
}

const REFERRAL_COLUMNS: [&str; 11] = [
    "id",
    "case_id",
    "life_domain",
    "organisation_id",
    "requested_on",
    "first_contact_on",
    "started_on",
    "outcome",
    "unmet_reason",
    "created_at",
    "updated_at",
];

#[derive(Serialize)]
struct HandoffRow {
    id: String,
    case_id: String,
    handoff_type: &'static str,
    started_on: Date,
    target_days: i64,
    due_on: Date,
    completed_on: Option<Date>,
    created_at: i64,
    updated_at: i64,
}

const HANDOFF_COLUMNS: [&str; 9] = [
    "id",
    "case_id",
    "handoff_type",
    "started_on",
    "target_days",
    "due_on",
    "completed_on",
    "created_at",
    "updated_at",
];

#[derive(Serialize)]
struct ContactRow {
    id: String,
    case_id: String,
    contact_on: Date,
    minutes: i64,
    channel: &'static str,
    interpreter: bool,
    created_by: String,
    created_at: i64,
}

const CONTACT_COLUMNS: [&str; 8] = [
    "id",
    "case_id",
    "contact_on",
    "minutes",
    "channel",
    "interpreter",
    "created_by",
    "created_at",
];

#[derive(Serialize)]
struct FollowUpRow {
    id: String,
    case_id: String,
    due_on: Date,
    subject: &'static str,
    done_on: Option<Date>,
    created_by: String,
    created_at: i64,
}

const FOLLOW_UP_COLUMNS: [&str; 7] = [
    "id",
    "case_id",
    "due_on",
    "subject",
    "done_on",
    "created_by",
    "created_at",
];

#[derive(Serialize)]
struct ShareRow {
    id: String,
    case_id: String,
    access: &'static str,
    requested_by: String,
    to_user_id: String,
    to_organisation_id: String,
    needs_release: bool,
    state: &'static str,
    requested_at: i64,
    answered_by: String,
    answered_at: i64,
}

const SHARE_COLUMNS: [&str; 11] = [
    "id",
    "case_id",
    "access",
    "requested_by",
    "to_user_id",
    "to_organisation_id",
    "needs_release",
    "state",
    "requested_at",
    "answered_by",
    "answered_at",
];

/// The rows of one transaction.
#[derive(Default)]
struct Batch {
    persons: Vec<PersonRow>,
    cases: Vec<CaseRow>,
    phase_changes: Vec<PhaseChangeRow>,
    consents: Vec<ConsentRow>,
    assessments: Vec<AssessmentRow>,
    goals: Vec<GoalRow>,
    referrals: Vec<ReferralRow>,
    handoffs: Vec<HandoffRow>,
    contacts: Vec<ContactRow>,
    follow_ups: Vec<FollowUpRow>,
    shares: Vec<ShareRow>,
}

impl Batch {
    async fn write(&self, tx: &mut Tx) -> Result<()> {
        tx.insert_json("persons", &PERSON_COLUMNS, &self.persons)
            .await?;
        tx.insert_json("cases", &CASE_COLUMNS, &self.cases).await?;
        tx.insert_json(
            "case_phase_changes",
            &PHASE_CHANGE_COLUMNS,
            &self.phase_changes,
        )
        .await?;
        tx.insert_json("consents", &CONSENT_COLUMNS, &self.consents)
            .await?;
        tx.insert_json("case_assessments", &ASSESSMENT_COLUMNS, &self.assessments)
            .await?;
        tx.insert_json("case_goals", &GOAL_COLUMNS, &self.goals)
            .await?;
        tx.insert_json("referrals", &REFERRAL_COLUMNS, &self.referrals)
            .await?;
        tx.insert_json("handoffs", &HANDOFF_COLUMNS, &self.handoffs)
            .await?;
        tx.insert_json("case_contacts", &CONTACT_COLUMNS, &self.contacts)
            .await?;
        tx.insert_json("case_follow_ups", &FOLLOW_UP_COLUMNS, &self.follow_ups)
            .await?;
        tx.insert_json("case_shares", &SHARE_COLUMNS, &self.shares)
            .await?;
        Ok(())
    }

    /// What was generated, for the transaction's audit event.
    fn counts(&self) -> serde_json::Value {
        json!({
            "persons": self.persons.len(),
            "cases": self.cases.len(),
            "assessments": self.assessments.len(),
            "goals": self.goals.len(),
            "referrals": self.referrals.len(),
            "handoffs": self.handoffs.len(),
            "contacts": self.contacts.len(),
            "follow_ups": self.follow_ups.len(),
            "shares": self.shares.len(),
        })
    }
}

/// A day between `from` and `to` (both included; `from` if the span is empty).
fn day_between(rng: &mut Rng, from: Date, to: Date) -> Date {
    let span = from.days_until(to).max(0);
    from.add_days(rng.below(span as usize + 1) as i64)
        .unwrap_or(from)
}

/// Who works on the cases, grouped by organisation (deputies come from the same team).
struct Staff {
    teams: Vec<Vec<Member>>,
    /// (team, member) in the order cases are handed out.
    order: Vec<(usize, usize)>,
    /// The organisation the releases name: the demo partner's.
    release_to: Option<String>,
}

async fn staff(db: &Db, persons: usize, now: i64) -> Result<Staff> {
    let counted: (i64, i64) = read!(db, |c| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM cases WHERE phase <> 'closed'), \
             (SELECT COUNT(*) FROM users WHERE username LIKE $1)",
        )
        .bind(format!("{STAFF_PREFIX}%"))
        .fetch_one(c)
        .await
    })?;
    let (open, synthetic) = (counted.0.max(0) as usize, counted.1.max(0) as usize);
    // Three in four generated cases stay open.
    let wanted = (open + persons * 3 / 4) / CASELOAD;
    let demo_teams: Vec<String> = {
        let mut ids = Vec::new();
        for (username, _, role, _) in crate::demo::DEMO_USERS {
            if *role == Role::CaseManager {
                ids.push(users::get_by_username(db, username).await?.organisation_id);
            }
        }
        ids
    };
    if demo_teams.is_empty() {
        return Err(StoreError::Config(
            "no case manager in the database: load the demo first (lotse serve --demo)".into(),
        ));
    }
    if wanted > synthetic {
        let actor = Actor::system("benchmark");
        let mut tx = db.begin().await?;
        for n in synthetic..wanted {
            let draft = UserDraft {
                username: format!("{STAFF_PREFIX}{n:05}"),
                display_name: format!("Fallmanagement {n:05} (synthetisch)"),
                email: String::new(),
                organisation_id: demo_teams[n % demo_teams.len()].clone(),
                roles: vec![Role::CaseManager],
            };
            // Not a password hash: nobody can sign in as a synthetic case manager.
            users::create(&mut tx, &actor, &draft, "synthetic-no-login", true, now).await?;
        }
        tx.commit().await?;
    }
    let members: Vec<(String, String)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT u.id, u.organisation_id FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = 'case_manager' AND u.active = TRUE ORDER BY u.username",
        )
        .fetch_all(c)
        .await
    })?;
    let mut teams: Vec<Vec<Member>> = Vec::new();
    let mut team_of: std::collections::HashMap<String, usize> = Default::default();
    let mut order = Vec::with_capacity(members.len());
    for (user_id, organisation_id) in members {
        let team = *team_of.entry(organisation_id.clone()).or_insert_with(|| {
            teams.push(Vec::new());
            teams.len() - 1
        });
        order.push((team, teams[team].len()));
        teams[team].push(Member {
            user_id,
            organisation_id,
        });
    }
    // Without the demo's partner account (removed by hand) nothing is released.
    let release_to = match users::get_by_username(db, "partner").await {
        Ok(u) => Some(u.organisation_id),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    Ok(Staff {
        teams,
        order,
        release_to,
    })
}

/// One person with their case and its work.
fn one(
    batch: &mut Batch,
    rng: &mut Rng,
    staff: &Staff,
    index: usize,
    pseudonym: String,
    today: Date,
    now: i64,
) {
    let mut draft: PersonDraft = person(rng, today);
    if rng.below(4) != 0 {
        draft.family_name = format!("{}{}", rng.pick(STEMS), rng.pick(ENDINGS));
    } else {
        draft.family_name = (*rng.pick(FAMILY_NAMES)).to_owned();
    }
    let interpreter = draft.interpreter_needed;
    let p = PersonRow::new(pseudonym, &draft, true, now);
    let (team, member) = staff.order[index % staff.order.len()];
    let owner = &staff.teams[team][member];
    let deputy = (staff.teams[team].len() > 1 && rng.below(10) < 4)
        .then(|| staff.teams[team][(member + 1) % staff.teams[team].len()].clone());
    let opened = today
        .add_days(-(rng.below(5 * 365) as i64))
        .unwrap_or(today);
    let roll = rng.below(100);
    let (closed, paused) = (roll < 25, (25..30).contains(&roll));
    let reached = rng.below(PATH.len());
    let end = if closed {
        day_between(rng, opened, today)
    } else {
        today
    };
    let case_id = new_id();
    let mut phases: Vec<CasePhase> = PATH[..=reached].to_vec();
    if closed {
        phases.push(CasePhase::Closed);
    } else if paused {
        phases.push(CasePhase::Paused);
    }
    let mut on = opened;
    let mut from = None;
    for (step, phase) in phases.iter().enumerate() {
        if step > 0 {
            let left = (phases.len() - step) as i64;
            let stride = on.days_until(end).max(0) / left;
            on = on
                .add_days(rng.below(stride as usize + 1) as i64)
                .unwrap_or(on);
        }
        if *phase == CasePhase::Closed {
            on = end;
        }
        batch.phase_changes.push(PhaseChangeRow {
            id: new_id(),
            case_id: case_id.clone(),
            from_phase: from,
            to_phase: phase.key(),
            changed_on: on,
            changed_by: Some(owner.user_id.clone()),
            changed_at: now + step as i64,
        });
        from = Some(phase.key());
    }
    let phase = *phases.last().unwrap_or(&CasePhase::Intake);
    batch.consents.push(ConsentRow {
        id: new_id(),
        person_id: p.id.clone(),
        case_id: case_id.clone(),
        purpose: "case_management",
        organisation_id: None,
        given_on: opened,
        form: "written",
        covers_identity: false,
        covers_residence: false,
        covers_plan: false,
        covers_assessment: false,
        recorded_by: owner.user_id.clone(),
        created_at: now,
        updated_at: now,
    });
    // A handful of persons among a million let the partner organisation see their case: the
    // scope's worst case is a partner looking for those few.
    if let Some(org) = &staff.release_to
        && rng.below(20_000) == 0
    {
        batch.consents.push(ConsentRow {
            id: new_id(),
            person_id: p.id.clone(),
            case_id: case_id.clone(),
            purpose: "release",
            organisation_id: Some(org.clone()),
            given_on: opened,
            form: "written",
            covers_identity: true,
            covers_residence: false,
            covers_plan: true,
            covers_assessment: false,
            recorded_by: owner.user_id.clone(),
            created_at: now,
            updated_at: now,
        });
    }
    let mut domains: Vec<LifeDomain> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let domain = *rng.pick(LifeDomain::ALL);
        if !domains.contains(&domain) {
            domains.push(domain);
        }
        batch.assessments.push(AssessmentRow {
            id: new_id(),
            case_id: case_id.clone(),
            life_domain: domain.key(),
            need_level: rng.pick(NeedLevel::ALL).key(),
            situation: "Erfundene Angabe für den Lasttest.",
            assessed_on: day_between(rng, opened, end),
            assessed_by: owner.user_id.clone(),
            created_at: now,
        });
    }
    for domain in domains.iter().take(1 + rng.below(2)) {
        let status = if closed {
            *rng.pick(&[
                GoalStatus::Reached,
                GoalStatus::PartlyReached,
                GoalStatus::NotReached,
                GoalStatus::Dropped,
            ])
        } else {
            GoalStatus::Open
        };
        batch.goals.push(GoalRow {
            id: new_id(),
            case_id: case_id.clone(),
            life_domain: domain.key(),
            description: "Erfundenes Ziel für den Lasttest",
            target_on: opened.add_days(90 + rng.below(275) as i64),
            organisation_id: (rng.below(2) == 0).then(|| owner.organisation_id.clone()),
            status: status.key(),
            created_at: now,
            updated_at: now,
        });
    }
    for _ in 0..rng.below(3) {
        let requested = day_between(rng, opened, end);
        let outcome = match rng.below(8) {
            0 | 1 => None,
            n => Some(ReferralOutcome::ALL[(n - 2) % ReferralOutcome::ALL.len()]),
        };
        let unmet = outcome == Some(ReferralOutcome::NoSuitableOffer);
        let first_contact = outcome
            .filter(|o| *o != ReferralOutcome::NoSuitableOffer)
            .and_then(|_| requested.add_days(rng.below(30) as i64))
            .filter(|d| *d <= today);
        batch.referrals.push(ReferralRow {
            id: new_id(),
            case_id: case_id.clone(),
            life_domain: rng.pick(LifeDomain::ALL).key(),
            organisation_id: (!unmet).then(|| owner.organisation_id.clone()),
            requested_on: requested,
            first_contact_on: first_contact,
            started_on: first_contact
                .filter(|_| outcome == Some(ReferralOutcome::Placed))
                .and_then(|d| d.add_days(rng.below(60) as i64))
                .filter(|d| *d <= today),
            outcome: outcome.map(ReferralOutcome::key),
            unmet_reason: unmet.then(|| rng.pick(UnmetReason::ALL).key()),
            created_at: now,
            updated_at: now,
        });
    }
    for _ in 0..rng.below(3) {
        let kind = *rng.pick(HandoffType::ALL);
        let target = kind.default_target_days();
        let started = day_between(rng, opened, end);
        let completed = (rng.below(100) < 65)
            .then(|| started.add_days(1 + rng.below(2 * target as usize) as i64))
            .flatten()
            .filter(|d| *d <= end);
        batch.handoffs.push(HandoffRow {
            id: new_id(),
            case_id: case_id.clone(),
            handoff_type: kind.key(),
            started_on: started,
            target_days: target,
            due_on: started.add_days(target).unwrap_or(started),
            completed_on: completed,
            created_at: now,
            updated_at: now,
        });
    }
    for _ in 0..1 + rng.below(5) {
        batch.contacts.push(ContactRow {
            id: new_id(),
            case_id: case_id.clone(),
            contact_on: day_between(rng, opened, end),
            minutes: 15 + 15 * rng.below(6) as i64,
            channel: rng.pick(ContactChannel::ALL).key(),
            interpreter: interpreter && rng.below(2) == 0,
            created_by: owner.user_id.clone(),
            created_at: now,
        });
    }
    if !closed && rng.below(10) < 7 {
        batch.follow_ups.push(FollowUpRow {
            id: new_id(),
            case_id: case_id.clone(),
            due_on: today.add_days(rng.below(28) as i64 - 7).unwrap_or(today),
            subject: "Erfundene Wiedervorlage: Stand nachfragen",
            done_on: None,
            created_by: owner.user_id.clone(),
            created_at: now,
        });
    }
    if let Some(to) = deputy.as_ref().filter(|_| rng.below(200) == 0) {
        batch.shares.push(ShareRow {
            id: new_id(),
            case_id: case_id.clone(),
            access: "read",
            requested_by: owner.user_id.clone(),
            to_user_id: to.user_id.clone(),
            to_organisation_id: to.organisation_id.clone(),
            needs_release: false,
            state: "accepted",
            requested_at: now,
            answered_by: to.user_id.clone(),
            answered_at: now,
        });
    }
    batch.cases.push(CaseRow {
        id: case_id,
        person_id: p.id.clone(),
        organisation_id: owner.organisation_id.clone(),
        owner_user_id: owner.user_id.clone(),
        deputy_user_id: deputy.map(|d| d.user_id),
        phase: phase.key(),
        access_route: rng.pick(AccessRoute::ALL).key(),
        opened_on: opened,
        closed_on: closed.then_some(end),
        closure_reason: closed.then(|| rng.pick(ClosureReason::ALL).key()),
        goals_reached: closed.then(|| rng.pick(GoalsReached::ALL).key()),
        list_key: case_list_key(closed, opened),
        fictitious: true,
        created_at: now,
        updated_at: now,
    });
    batch.persons.push(p);
}

/// Writes `persons` synthetic persons with a case each, spread over the case managers (adding
/// synthetic ones as the caseloads require), in transactions of [`BATCH`]. Returns the number
/// written; `progress` hears the running total after each transaction.
pub async fn generate(
    db: &Db,
    persons: usize,
    seed: u64,
    progress: impl Fn(usize),
) -> Result<usize> {
    let now = crate::now_ms();
    let today = date_of(now);
    let staff = staff(db, persons, now).await?;
    let actor = Actor::system("benchmark");
    let mut rng = Rng(seed.max(1));
    let mut written = 0;
    while written < persons {
        let size = (persons - written).min(BATCH);
        let mut tx = db.begin().await?;
        let pseudonyms = fresh_pseudonyms(&mut tx, size).await?;
        let mut batch = Batch::default();
        for (i, pseudonym) in pseudonyms.into_iter().enumerate() {
            one(
                &mut batch,
                &mut rng,
                &staff,
                written + i,
                pseudonym,
                today,
                now,
            );
        }
        batch.write(&mut tx).await?;
        tx.record(
            Event::new(&actor, now, Entity::Job, Action::Create, "demo-cases").with(batch.counts()),
        );
        tx.commit().await?;
        written += size;
        progress(written);
    }
    Ok(written)
}
