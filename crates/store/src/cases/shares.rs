//! Sharing and handing over cases, and emergency access (decision 0012, slice 3).
//!
//! A share is a request the receiver answers: nobody gets a case, let alone a second owner, by
//! accident. Only the assigned case manager asks (the table's `Decide`). A full share to another
//! organisation needs that organisation's valid release, checked when asked, when accepted and
//! in every later read (the scope); without one, sharing is a separate permission with a reason
//! the coordination reviews, as emergency access ("break glass") is.

use lotse_domain::access::{
    Action as Act, CaseTies, Decision, Fields, Record, Relationship, decide_for_role,
};
use lotse_domain::case::{BreakGlassDraft, ShareAccess, ShareDraft, ShareState, ShareTo};
use lotse_domain::policy::{Permission, any_allows};
use lotse_domain::role::Role;
use serde_json::json;

use super::consents::full_release_valid;
use super::work::note;
use super::{CaseRecord, Cases, case_event, lock};
use crate::db::{Db, Tx, is_unique_violation, new_id, read, tx};
use crate::scoped::{Scoped, Viewer};
use crate::{Result, StoreError};

/// The relationship a share of this kind gives its receiver once accepted.
fn relationship_of(access: ShareAccess) -> Relationship {
    match access {
        ShareAccess::Ownership => Relationship::AssignedCaseManager,
        ShareAccess::Edit => Relationship::SharedToEdit,
        ShareAccess::Read => Relationship::SharedToRead,
        ShareAccess::Pseudonymous => Relationship::SharedPseudonymised,
    }
}

/// The roles that can receive a share of this kind: those the access table gives more through
/// it than they have anyway (the coordination sees every case pseudonymised already), and for
/// a hand-over those who decide on a case as its case manager.
pub fn receiving_roles(access: ShareAccess) -> Vec<Role> {
    let rel = relationship_of(access);
    let breadth = |d: Decision| match d {
        Decision::Deny => 0,
        Decision::Only(Fields::Pseudonymous) => 1,
        Decision::Only(_) => 2,
        Decision::Allow => 3,
    };
    Role::ALL
        .into_iter()
        .filter(|r| {
            if access == ShareAccess::Ownership {
                return decide_for_role(*r, Record::Case, rel, Act::Decide).allows();
            }
            let through = decide_for_role(*r, Record::Case, rel, Act::View);
            let anyway = decide_for_role(*r, Record::Case, Relationship::Other, Act::View);
            breadth(through) > breadth(anyway)
        })
        .collect()
}

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| format!("'{}'", r.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A share as the inbox and the case page list it. The case shows by its pseudonym: a receiver
/// who has not accepted does not see the person yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Share {
    pub id: String,
    pub case_id: String,
    pub pseudonym: String,
    pub access: String,
    pub state: String,
    pub requested_by: String,
    pub requested_by_name: String,
    pub to_user_id: Option<String>,
    pub to_user: Option<String>,
    pub to_organisation_id: String,
    pub to_organisation: String,
    pub needs_release: bool,
    pub override_reason: String,
    pub message: String,
    pub requested_at: i64,
    pub answered_at: Option<i64>,
}

impl Share {
    pub fn access_label(&self) -> &'static str {
        ShareAccess::parse(&self.access).map_or("", ShareAccess::label)
    }

    pub fn state_label(&self) -> &'static str {
        ShareState::parse(&self.state).map_or("", ShareState::label)
    }

    pub fn is_open(&self) -> bool {
        self.state == "requested"
    }

    /// The account or, for a request to an organisation, the organisation.
    pub fn addressee(&self) -> String {
        match &self.to_user {
            Some(u) => format!("{u} ({})", self.to_organisation),
            None => self.to_organisation.clone(),
        }
    }
}

const SHARE_SELECT: &str = "SELECT s.id, s.case_id, p.pseudonym, s.access, s.state, s.requested_by, \
     rb.display_name AS requested_by_name, s.to_user_id, tu.display_name AS to_user, s.to_organisation_id, \
     o.name AS to_organisation, s.needs_release, s.override_reason, s.message, s.requested_at, s.answered_at \
     FROM case_shares s JOIN cases c ON c.id = s.case_id JOIN persons p ON p.id = c.person_id \
     JOIN users rb ON rb.id = s.requested_by LEFT JOIN users tu ON tu.id = s.to_user_id \
     JOIN organisations o ON o.id = s.to_organisation_id";

/// Asks to share the case (or hand it over). Only its assigned case manager may; for anyone
/// else it is not found. Returns the share's id.
pub async fn request_share(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    draft: &ShareDraft,
    now: i64,
) -> Result<String> {
    let facts = lock(tx, viewer, case_id, Act::Decide, now).await?;
    let roles = receiving_roles(draft.access);
    let (to_user, to_org) = match &draft.to {
        ShareTo::User(user) => {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT u.organisation_id FROM users u WHERE u.id = $1 AND u.active = TRUE \
                 AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ({}))",
                role_list(&roles)
            ));
            let org: Option<String> = tx!(&mut *tx, |c| sqlx::query_scalar(sql)
                .bind(user)
                .fetch_optional(c)
                .await)?;
            match org {
                Some(org) if *user != viewer.user_id => (Some(user.clone()), org),
                _ => {
                    return Err(StoreError::field(
                        "to_user_id",
                        if draft.access == ShareAccess::Ownership {
                            "Einen Fall übernehmen kann nur eine andere aktive Fallmanagerin oder ein anderer aktiver Fallmanager."
                        } else {
                            "Diese Person kann den Fall nicht erhalten: bitte ein anderes aktives Konto wählen."
                        },
                    ));
                }
            }
        }
        ShareTo::Organisation(org) => {
            let found: Option<i64> = tx!(&mut *tx, |c| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM organisations WHERE id = $1 AND active = TRUE",
                )
                .bind(org)
                .fetch_optional(c)
                .await
            })?;
            if found.unwrap_or(0) == 0 {
                return Err(StoreError::field(
                    "organisation_id",
                    "Diese Organisation gibt es nicht oder sie ist nicht mehr aktiv.",
                ));
            }
            (None, org.clone())
        }
    };
    let field = if to_user.is_some() {
        "to_user_id"
    } else {
        "organisation_id"
    };
    let mut needs_release = draft.access.identifies() && to_org != facts.organisation_id;
    let mut override_reason = "";
    if needs_release {
        let today = crate::db::day_of(now);
        if !full_release_valid(tx, &facts.person_id, &to_org, today).await? {
            match &draft.override_reason {
                Some(reason) if any_allows(&viewer.roles, Permission::OverrideConsent) => {
                    needs_release = false;
                    override_reason = reason;
                }
                Some(_) => {
                    return Err(StoreError::field(
                        "override_reason",
                        "Ohne Schweigepflichtentbindung zu teilen erlaubt Ihre Rolle nicht.",
                    ));
                }
                None => {
                    return Err(StoreError::field(
                        field,
                        "Für diese Organisation liegt keine gültige Schweigepflichtentbindung vor, die \
                         alle Angaben umfasst. Bitte zuerst die Entbindung erfassen, pseudonymisiert \
                         teilen oder im Notfall einen Grund für das Teilen ohne Entbindung angeben.",
                    ));
                }
            }
        }
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO case_shares (id, case_id, access, requested_by, to_user_id, to_organisation_id, needs_release, \
             override_reason, message, state, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(draft.access.key())
        .bind(viewer.user_id.as_str())
        .bind(to_user.as_deref())
        .bind(&to_org)
        .bind(needs_release)
        .bind(override_reason)
        .bind(&draft.message)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    if let Err(e) = &inserted
        && is_unique_violation(e)
    {
        return Err(StoreError::field(
            "access",
            "Für diesen Fall wartet schon eine Übergabe auf Antwort.",
        ));
    }
    inserted?;
    let mut event = json!({ "share_requested": id, "access": draft.access.key() });
    if !override_reason.is_empty() {
        event["without_release"] = json!(true);
    }
    case_event(tx, viewer, case_id, event, now);
    Ok(id)
}

/// What a share's row says about who may answer or end it.
#[derive(sqlx::FromRow)]
struct ShareFacts {
    case_id: String,
    access: String,
    state: String,
    requested_by: String,
    to_user_id: Option<String>,
    to_organisation_id: String,
    needs_release: bool,
}

async fn share_facts(tx: &mut Tx, share_id: &str) -> Result<ShareFacts> {
    let lock = tx.for_update();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT case_id, access, state, requested_by, to_user_id, to_organisation_id, needs_release \
         FROM case_shares WHERE id = $1{lock}"
    ));
    let found: Option<ShareFacts> = tx!(&mut *tx, |c| sqlx::query_as(sql)
        .bind(share_id)
        .fetch_optional(c)
        .await)?;
    found.ok_or(StoreError::NotFound)
}

impl ShareFacts {
    /// The viewer is who the share is addressed to: the named account, or for a request to an
    /// organisation anyone there whose role can receive it.
    fn addressed_to(&self, viewer: &Viewer) -> bool {
        let access = ShareAccess::parse(&self.access).unwrap_or(ShareAccess::Pseudonymous);
        // The role and the organisation are checked again when answering: an account that
        // moved since the request cannot take what was meant for its former place.
        let may_receive = self.to_organisation_id == viewer.organisation_id
            && receiving_roles(access)
                .iter()
                .any(|r| viewer.roles.contains(r));
        match &self.to_user_id {
            Some(u) => *u == viewer.user_id && may_receive,
            None => may_receive,
        }
    }
}

/// The case a share is about, locked for the answer (on PostgreSQL until the transaction
/// ends): its owner, organisation, deputy and person as they are now.
#[derive(sqlx::FromRow)]
struct SharedCase {
    owner_user_id: String,
    organisation_id: String,
    deputy_user_id: Option<String>,
    person_id: String,
}

async fn shared_case(tx: &mut Tx, case_id: &str) -> Result<SharedCase> {
    let lock = tx.for_update();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT owner_user_id, organisation_id, deputy_user_id, person_id FROM cases WHERE id = $1{lock}"
    ));
    let found: Option<SharedCase> = tx!(&mut *tx, |c| sqlx::query_as(sql)
        .bind(case_id)
        .fetch_optional(c)
        .await)?;
    found.ok_or(StoreError::NotFound)
}

/// Answers a share addressed to the viewer: accept (a hand-over makes them the case's case
/// manager, and the one who asked keeps nothing) or decline. A share addressed to someone else
/// is not found.
pub async fn answer_share(
    tx: &mut Tx,
    viewer: &Viewer,
    share_id: &str,
    accept: bool,
    now: i64,
) -> Result<String> {
    let f = share_facts(tx, share_id).await?;
    if !f.addressed_to(viewer) || viewer.is_system() {
        return Err(StoreError::NotFound);
    }
    if f.state != "requested" {
        return Err(StoreError::field(
            "share",
            "Diese Anfrage ist schon beantwortet oder zurückgezogen.",
        ));
    }
    let case = shared_case(tx, &f.case_id).await?;
    let hand_over = f.access == ShareAccess::Ownership.key();
    if accept && hand_over && case.owner_user_id != f.requested_by {
        return Err(StoreError::field(
            "share",
            "Der Fall hat inzwischen eine andere Zuständigkeit: die Übergabe gilt nicht mehr.",
        ));
    }
    if accept
        && f.needs_release
        && !full_release_valid(
            tx,
            &case.person_id,
            &f.to_organisation_id,
            crate::db::day_of(now),
        )
        .await?
    {
        return Err(StoreError::field(
            "share",
            "Die Schweigepflichtentbindung für Ihre Organisation gilt nicht mehr: die Anfrage kann nicht angenommen werden.",
        ));
    }
    let state = if accept { "accepted" } else { "declined" };
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_shares SET state = $2, to_user_id = $3, answered_by = $3, answered_at = $4 WHERE id = $1",
        )
        .bind(share_id)
        .bind(state)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if accept && hand_over {
        hand_case_over(tx, viewer, &f.case_id, &case, share_id, now).await?;
    } else {
        let what = if accept {
            "share_accepted"
        } else {
            "share_declined"
        };
        note(tx, viewer, &f.case_id, what, share_id, now);
    }
    Ok(f.case_id)
}

/// The case changes hands whole: the new case manager's organisation, no deputy (the previous
/// case manager's choice), and nothing the previous case manager arranged stays in force
/// unseen. Requests still waiting are withdrawn (the new case manager decides now); the new
/// owner's own shares on the case end; shares that stayed inside the old organisation become
/// shares to another organisation, so they now need that organisation's release like any.
async fn hand_case_over(
    tx: &mut Tx,
    viewer: &Viewer,
    case_id: &str,
    before: &SharedCase,
    share_id: &str,
    now: i64,
) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE cases SET owner_user_id = $2, organisation_id = $3, deputy_user_id = NULL, updated_at = $4 \
             WHERE id = $1",
        )
        .bind(case_id)
        .bind(viewer.user_id.as_str())
        .bind(&viewer.organisation_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_shares SET state = 'withdrawn', ended_at = $2 \
             WHERE case_id = $1 AND state = 'requested' AND id <> $3",
        )
        .bind(case_id)
        .bind(now)
        .bind(share_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_shares SET state = 'ended', ended_at = $3 \
             WHERE case_id = $1 AND to_user_id = $2 AND state = 'accepted' AND id <> $4",
        )
        .bind(case_id)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .bind(share_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE case_shares SET needs_release = TRUE \
             WHERE case_id = $1 AND state = 'accepted' AND access IN ('edit', 'read') \
             AND to_organisation_id <> $2 AND needs_release = FALSE AND override_reason = ''",
        )
        .bind(case_id)
        .bind(&viewer.organisation_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    // Ids only: who held the case and who holds it now.
    case_event(
        tx,
        viewer,
        case_id,
        json!({
            "share_accepted": share_id,
            "owner_user_id": { "from": before.owner_user_id, "to": viewer.user_id },
            "organisation_id": { "from": before.organisation_id, "to": viewer.organisation_id },
            "deputy_user_id": { "from": before.deputy_user_id, "to": null },
        }),
        now,
    );
    Ok(())
}

/// Ends a share: the case's case manager withdraws a request or ends an accepted share; the
/// receiver gives an accepted share back. Anyone else: not found.
pub async fn end_share(tx: &mut Tx, viewer: &Viewer, share_id: &str, now: i64) -> Result<String> {
    let f = share_facts(tx, share_id).await?;
    let case = shared_case(tx, &f.case_id).await?;
    // Who decides on the case now, not who asked once (a case handed over is no longer theirs).
    let owner = !viewer.is_system() && case.owner_user_id == viewer.user_id;
    let receiver = f.to_user_id.as_deref() == Some(viewer.user_id.as_str());
    let next = match f.state.as_str() {
        "requested" if owner => "withdrawn",
        "accepted" if owner || receiver => "ended",
        "requested" if f.addressed_to(viewer) => {
            return Err(StoreError::field(
                "share",
                "Diese Anfrage ist noch nicht angenommen: bitte ablehnen statt beenden.",
            ));
        }
        _ if owner || receiver || f.addressed_to(viewer) => {
            return Err(StoreError::field(
                "share",
                "Diese Freigabe ist schon beendet.",
            ));
        }
        _ => return Err(StoreError::NotFound),
    };
    if f.access == ShareAccess::Ownership.key() && next == "ended" {
        return Err(StoreError::field(
            "share",
            "Eine angenommene Übergabe lässt sich nicht beenden: der Fall gehört jetzt der neuen Fallmanagerin oder dem neuen Fallmanager.",
        ));
    }
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE case_shares SET state = $2, ended_at = $3 WHERE id = $1")
            .bind(share_id)
            .bind(next)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    note(tx, viewer, &f.case_id, "share_ended", share_id, now);
    Ok(f.case_id)
}

/// The viewer's inbox: requests waiting for them (or their organisation), cases shared with
/// them, and what they asked for. Bounded lists; the newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Inbox {
    pub pending: Vec<Share>,
    pub shared_with_me: Vec<Share>,
    pub shared_by_me: Vec<Share>,
}

/// At most this many entries per inbox list.
pub const INBOX_ITEMS: i64 = 200;

/// The requests that wait for the viewer's answer, as a condition over `s` (case_shares) with
/// the viewer as `$1` and their organisation as `$2`: addressed to them, or to their
/// organisation in a kind their roles can receive.
fn waiting_for(viewer: &Viewer) -> String {
    let receivable: Vec<String> = ShareAccess::ALL
        .iter()
        .copied()
        .filter(|a| receiving_roles(*a).iter().any(|r| viewer.roles.contains(r)))
        .map(|a| format!("'{}'", a.key()))
        .collect();
    let receivable = if receivable.is_empty() {
        "FALSE".to_owned()
    } else {
        format!("s.access IN ({})", receivable.join(", "))
    };
    format!(
        "s.state = 'requested' AND (s.to_user_id = $1 \
         OR (s.to_user_id IS NULL AND s.to_organisation_id = $2 AND {receivable}))"
    )
}

pub async fn inbox(db: &Db, viewer: &Viewer) -> Result<Inbox> {
    if viewer.is_system() {
        return Ok(Inbox::default());
    }
    let pending = sqlx::AssertSqlSafe(format!(
        "{SHARE_SELECT} WHERE {} ORDER BY s.requested_at DESC, s.id LIMIT $3",
        waiting_for(viewer)
    ));
    let with_me = sqlx::AssertSqlSafe(format!(
        "{SHARE_SELECT} WHERE s.state = 'accepted' AND s.to_user_id = $1 AND s.access <> 'ownership' \
         ORDER BY s.answered_at DESC, s.id LIMIT $2"
    ));
    // The shares of the cases the viewer decides on now (a case handed over takes its shares
    // along to its new case manager).
    let by_me = sqlx::AssertSqlSafe(format!(
        "{SHARE_SELECT} WHERE c.owner_user_id = $1 AND s.state IN ('requested', 'accepted') \
         AND s.access <> 'ownership' ORDER BY s.requested_at DESC, s.id LIMIT $2"
    ));
    let me = viewer.user_id.as_str();
    Ok(Inbox {
        pending: read!(db, |c| sqlx::query_as(pending)
            .bind(me)
            .bind(viewer.organisation_id.as_str())
            .bind(INBOX_ITEMS)
            .fetch_all(c)
            .await)?,
        shared_with_me: read!(db, |c| sqlx::query_as(with_me)
            .bind(me)
            .bind(INBOX_ITEMS)
            .fetch_all(c)
            .await)?,
        shared_by_me: read!(db, |c| sqlx::query_as(by_me)
            .bind(me)
            .bind(INBOX_ITEMS)
            .fetch_all(c)
            .await)?,
    })
}

/// How many requests wait for the viewer (the start page's and the case list's count),
/// counted in SQL up to the inbox's bound rather than read.
pub async fn pending_shares(db: &Db, viewer: &Viewer) -> Result<usize> {
    if viewer.is_system() {
        return Ok(0);
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT s.id FROM case_shares s WHERE {} LIMIT $3) AS waiting",
        waiting_for(viewer)
    ));
    let n: i64 = read!(db, |c| sqlx::query_scalar(sql)
        .bind(viewer.user_id.as_str())
        .bind(viewer.organisation_id.as_str())
        .bind(INBOX_ITEMS)
        .fetch_one(c)
        .await)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

impl Cases<'_> {
    /// The shares of a case, for whoever decides on it (its case manager); empty otherwise.
    pub async fn shares(&self, case: &Scoped<CaseRecord>) -> Result<Vec<Share>> {
        if !case.access.decide {
            return Ok(Vec::new());
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "{SHARE_SELECT} WHERE s.case_id = $1 AND s.state IN ('requested', 'accepted') \
             ORDER BY s.requested_at DESC, s.id LIMIT $2"
        ));
        let id = case.id.as_str();
        Ok(read!(self.db, |c| sqlx::query_as(sql)
            .bind(id)
            .bind(INBOX_ITEMS)
            .fetch_all(c)
            .await)?)
    }
}

/// Who can receive a share of the kind, other than the viewer: (id, "Name (Organisation)"),
/// at most `limit`, for the share form's pick list.
pub async fn possible_receivers(
    db: &Db,
    viewer: &Viewer,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    let roles = receiving_roles(ShareAccess::Read);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.display_name || ' (' || o.name || ')' FROM users u JOIN organisations o ON o.id = u.organisation_id \
         WHERE u.active = TRUE AND u.id <> $1 \
         AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ({})) \
         ORDER BY u.display_name, u.id LIMIT $2",
        role_list(&roles)
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(viewer.user_id.as_str())
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Opens an emergency access to the case of the person with this pseudonym (their open case
/// first) for the viewer, for the draft's hours. Who may is the table's `BreakGlass` row;
/// anyone else is refused as for a case not found. Returns the case id.
pub async fn break_glass(
    tx: &mut Tx,
    viewer: &Viewer,
    draft: &BreakGlassDraft,
    now: i64,
) -> Result<String> {
    // The permission and the table's row both: narrowing either narrows who may.
    if viewer.is_system()
        || !any_allows(&viewer.roles, Permission::BreakGlass)
        || !viewer
            .decide_case(CaseTies::only(Relationship::BreakGlass), Act::View)
            .allows()
    {
        return Err(StoreError::NotFound);
    }
    let case: Option<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar(
            "SELECT c.id FROM cases c JOIN persons p ON p.id = c.person_id \
             WHERE p.pseudonym = $1 AND p.anonymised_at IS NULL ORDER BY c.list_key, c.id LIMIT 1",
        )
        .bind(&draft.pseudonym)
        .fetch_optional(c)
        .await
    })?;
    let case = case.ok_or_else(|| {
        StoreError::field("pseudonym", "Zu dieser Fallnummer gibt es keinen Fall.")
    })?;
    let id = new_id();
    let expires_at = now + draft.hours * 3_600_000;
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO break_glass_accesses (id, case_id, user_id, reason, opened_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&case)
        .bind(viewer.user_id.as_str())
        .bind(&draft.reason)
        .bind(now)
        .bind(expires_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    case_event(
        tx,
        viewer,
        &case,
        json!({ "break_glass": id, "hours": draft.hours, "expires_at": expires_at }),
        now,
    );
    Ok(case)
}

/// An access someone should look at: an emergency access, or a share without release.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct AccessReview {
    /// `break_glass` or `share`.
    pub kind: String,
    pub id: String,
    pub pseudonym: String,
    pub user_name: String,
    pub reason: String,
    pub opened_at: i64,
    pub expires_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub reviewer: Option<String>,
    pub review_note: String,
}

impl AccessReview {
    pub fn kind_label(&self) -> &'static str {
        if self.kind == "break_glass" {
            "Notfallzugriff"
        } else {
            "Teilen ohne Schweigepflichtentbindung"
        }
    }
}

fn may_review(viewer: &Viewer) -> Result<()> {
    if any_allows(&viewer.roles, Permission::ReviewCaseAccess) {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The accesses to review (`open`: not reviewed yet; else the reviewed ones), newest first, at
/// most `limit`. The cases show by pseudonym: reviewing needs the reason, not the person.
pub async fn access_reviews(
    db: &Db,
    viewer: &Viewer,
    open: bool,
    limit: i64,
) -> Result<Vec<AccessReview>> {
    may_review(viewer)?;
    let reviewed = if open { "IS NULL" } else { "IS NOT NULL" };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT * FROM (\
         SELECT 'break_glass' AS kind, b.id, p.pseudonym, u.display_name AS user_name, b.reason, b.opened_at, \
         b.expires_at, b.reviewed_at, r.display_name AS reviewer, b.review_note \
         FROM break_glass_accesses b JOIN cases c ON c.id = b.case_id JOIN persons p ON p.id = c.person_id \
         JOIN users u ON u.id = b.user_id LEFT JOIN users r ON r.id = b.reviewed_by WHERE b.reviewed_at {reviewed} \
         UNION ALL \
         SELECT 'share' AS kind, s.id, p.pseudonym, u.display_name AS user_name, s.override_reason AS reason, \
         s.requested_at AS opened_at, NULL AS expires_at, s.reviewed_at, r.display_name AS reviewer, s.review_note \
         FROM case_shares s JOIN cases c ON c.id = s.case_id JOIN persons p ON p.id = c.person_id \
         JOIN users u ON u.id = s.requested_by LEFT JOIN users r ON r.id = s.reviewed_by \
         WHERE s.override_reason <> '' AND s.reviewed_at {reviewed}\
         ) AS reviews ORDER BY opened_at DESC, id LIMIT $1"
    ));
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Marks an access as reviewed, with the reviewer's note.
pub async fn review_access(
    tx: &mut Tx,
    viewer: &Viewer,
    kind: &str,
    id: &str,
    note_text: &str,
    now: i64,
) -> Result<()> {
    may_review(viewer)?;
    // Who opened the access or shared without release: they do not review themselves.
    let (table, subject) = match kind {
        "break_glass" => ("break_glass_accesses", "user_id"),
        "share" => ("case_shares", "requested_by"),
        _ => return Err(StoreError::NotFound),
    };
    let note_text = note_text.trim();
    if note_text.chars().count() > 2000 {
        return Err(StoreError::field(
            "review_note",
            "Vermerk: höchstens 2000 Zeichen.",
        ));
    }
    let own = sqlx::AssertSqlSafe(format!("SELECT {subject} FROM {table} WHERE id = $1"));
    let by: Option<String> = tx!(&mut *tx, |c| sqlx::query_scalar(own)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    if by.as_deref() == Some(viewer.user_id.as_str()) {
        return Err(StoreError::field(
            "review_note",
            "Den eigenen Zugriff prüft eine andere Person der Koordination.",
        ));
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET reviewed_by = $2, reviewed_at = $3, review_note = $4 WHERE id = $1 AND reviewed_at IS NULL"
    ));
    let changed = tx!(&mut *tx, |c| sqlx::query(sql)
        .bind(id)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .bind(note_text)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let case: String = {
        let sql = sqlx::AssertSqlSafe(format!("SELECT case_id FROM {table} WHERE id = $1"));
        tx!(&mut *tx, |c| sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(c)
            .await)?
    };
    case_event(
        tx,
        viewer,
        &case,
        json!({ "access_reviewed": id, "kind": kind }),
        now,
    );
    Ok(())
}

/// How many accesses wait for review (the coordination's start page).
pub async fn open_access_reviews(db: &Db, viewer: &Viewer) -> Result<usize> {
    may_review(viewer)?;
    // Counted, not read: the start page needs the number only.
    let n: i64 = read!(db, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM break_glass_accesses WHERE reviewed_at IS NULL) \
         + (SELECT COUNT(*) FROM case_shares WHERE override_reason <> '' AND reviewed_at IS NULL)"
    )
    .fetch_one(c)
    .await)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Until when the viewer's emergency access to a case lasts, if one is open (the case page
/// says so).
pub async fn break_glass_until(
    db: &Db,
    viewer: &Viewer,
    case_id: &str,
    now: i64,
) -> Result<Option<i64>> {
    Ok(read!(db, |c| {
        sqlx::query_scalar(
            "SELECT MAX(expires_at) FROM break_glass_accesses WHERE case_id = $1 AND user_id = $2 AND expires_at > $3",
        )
        .bind(case_id)
        .bind(viewer.user_id.as_str())
        .bind(now)
        .fetch_one(c)
        .await
    })?)
}

/// An emergency access someone opened on one of the viewer's cases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct AccessOnMyCase {
    pub case_id: String,
    pub family_name: String,
    pub given_names: String,
    pub pseudonym: String,
    pub user_name: String,
    pub opened_at: i64,
    pub expires_at: i64,
}

impl AccessOnMyCase {
    pub fn shown_name(&self) -> String {
        super::shown_name(
            Some(self.family_name.as_str()),
            Some(self.given_names.as_str()),
            &self.pseudonym,
        )
    }
}

/// Emergency accesses others opened on the cases the viewer is assigned to, since `since`
/// (epoch ms), newest first: the case manager learns who reached into their cases, not only
/// the coordination.
pub async fn break_glass_on_my_cases(
    db: &Db,
    viewer: &Viewer,
    since: i64,
    limit: i64,
) -> Result<Vec<AccessOnMyCase>> {
    if viewer.is_system() {
        return Ok(Vec::new());
    }
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT c.id AS case_id, p.family_name, p.given_names, p.pseudonym, u.display_name AS user_name, \
             b.opened_at, b.expires_at FROM break_glass_accesses b JOIN cases c ON c.id = b.case_id \
             JOIN persons p ON p.id = c.person_id JOIN users u ON u.id = b.user_id \
             WHERE c.owner_user_id = $1 AND b.user_id <> $1 AND b.opened_at >= $2 \
             ORDER BY b.opened_at DESC, b.id LIMIT $3",
        )
        .bind(viewer.user_id.as_str())
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}
