//! The start page after login: a work inbox per role (decision 0014). The coordination sees what
//! waits for its review, the deadlines in date order and what others changed since its last
//! visit; a provider what was returned to it and why, its open reports with their deadline and
//! its offers' state; a committee member the latest status report first. Every count links to
//! the list filtered to it.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::{organisations, reference, users};

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::Layout;

/// One line of an inbox: how many, of what, and the list filtered to them.
pub struct Count {
    pub count: String,
    pub text: String,
    pub href: String,
}

/// A deadline of the coordination's: when, what, where to act, and how it stands.
pub struct Deadline {
    pub date: lotse_domain::Date,
    pub what: String,
    pub href: String,
    pub words: String,
    pub overdue: bool,
}

/// Something the coordination returned to a provider, with its reason.
pub struct Returned {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
    pub reason: String,
}

/// A closed round's status report, for committee members.
pub struct Report {
    pub id: String,
    pub title: String,
    pub date: String,
    pub closed: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    roles: String,
    figures: Vec<(&'static str, String, &'static str)>,
    /// The coordination's inbox: what waits for review or approval.
    to_review: Vec<Count>,
    /// The coordination's deadlines, in date order (overdue first).
    deadlines: Vec<Deadline>,
    /// Whether the coordination's inbox is shown at all.
    coordination: bool,
    /// Since the last visit: when it was ("" on a first login), and what others did.
    last_visit: String,
    changes: Vec<Count>,
    /// A provider's inbox: returned reports and offers with the reason, their offers by state.
    returned: Vec<Returned>,
    own_offers: Vec<Count>,
    provider: bool,
    /// Committee members: the newest status report first, then the earlier ones.
    reports: Vec<Report>,
    reader: bool,
    /// (round id, round title, reports still open, deadline in words)
    tasks: Vec<(String, String, usize, String)>,
    /// (id, title, due, meeting)
    actions: Vec<(String, String, String, Option<String>)>,
    /// Open action items of the user beyond those listed.
    more_actions: i64,
    /// Hand-offs past their target on cases the user sees: (case id, name or pseudonym, type,
    /// due day, days over). Names only on the user's own cases.
    overdue: Vec<(String, String, &'static str, String, i64)>,
    /// How many in all (counted up to a bound), and whether more exist than are listed.
    overdue_total: String,
    more_overdue: bool,
    /// The user sees the hand-offs pseudonymised (the coordination's overview).
    overdue_pseudonymised: bool,
    /// Follow-ups due within a week on the user's cases: (case id, name, due day, subject, late).
    follow_ups: Vec<(String, String, String, String, bool)>,
    follow_ups_total: String,
    /// Share requests waiting for the user's answer.
    pending_shares: usize,
    /// Emergency accesses and shares without release waiting for the coordination's review.
    access_reviews: usize,
    /// The interpreter pool: requests waiting for the KI (to review, to match) as inbox lines.
    pool_waiting: Vec<Count>,
    /// The coming assignments of an interpreter, or the open requests of a requester, soonest
    /// first; with the heading that says which.
    interpreting: Vec<crate::pages::interpreters::RequestRow>,
    interpreting_heading: &'static str,
    /// The first school counselling: whether the user works in it, online registrations to
    /// review (the KI), and the children waiting longest for a school place: (family id,
    /// "Omar B., Ahlen", status, days waiting).
    counselling: bool,
    counselling_pending: i64,
    counselling_waiting: Vec<(String, String, &'static str, i64)>,
    /// Emergency accesses others opened on the user's cases in the last 30 days:
    /// (case id, name, by whom, when).
    emergencies: Vec<(String, String, String, String)>,
}

/// How many children waiting for a school place the start page lists.
const COUNSELLING_SHOWN: i64 = 5;

/// How many overdue hand-offs and due follow-ups the start page lists.
const CASE_ITEMS: i64 = 20;

/// A count as a figure on the start page: "123", or "über 1.000" past the bound of counting.
pub(crate) fn figure(count: lotse_store::paging::Count) -> String {
    match count {
        lotse_store::paging::Count::Exactly(n) => crate::view::figure(n),
        lotse_store::paging::Count::MoreThan(n) => {
            format!("über {}", crate::view::number_de(n as f64))
        }
    }
}

/// Whether a list counted as `count` holds more than the `shown` entries listed.
pub(crate) fn more_than(count: lotse_store::paging::Count, shown: usize) -> bool {
    match count {
        lotse_store::paging::Count::Exactly(n) => n > shown as i64,
        lotse_store::paging::Count::MoreThan(_) => true,
    }
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let roles = &user.principal.roles;
    let mut figures = Vec::new();
    if any_allows(roles, Permission::ViewOrganisations) {
        // Counted by the database (up to a bound), never by reading the table: this page is
        // the first after every login.
        let n = organisations::count(&app.db, &Default::default()).await?;
        figures.push(("Aktive Organisationen", figure(n), "/organisations"));
    }
    if any_allows(roles, Permission::ViewTowns) {
        let n = reference::towns(&app.db).await?.len();
        figures.push(("Städte und Gemeinden", n.to_string(), "/towns"));
    }
    if any_allows(roles, Permission::ManageUsers) {
        let n = users::count(&app.db).await?;
        figures.push(("Benutzerkonten", n.to_string(), "/admin/users"));
    }
    if any_allows(roles, Permission::ViewMeasures) {
        let n = lotse_store::measures::count(&app.db, &Default::default()).await?;
        figures.push(("Maßnahmen", figure(n), "/measures"));
    }
    let today = app.today();
    // Reports the user's organisation still owes in open review rounds, with their deadline.
    let mut tasks = Vec::new();
    if any_allows(roles, Permission::SubmitReviewUpdates) {
        for (round, open) in
            lotse_store::rounds::open_tasks(&app.db, &user.principal.organisation_id).await?
        {
            let deadline = round
                .submission_deadline
                .map(|d| {
                    format!(
                        "Abgabefrist {} ({})",
                        crate::view::date_de(&d),
                        crate::view::deadline_words(d, today)
                    )
                })
                .unwrap_or_default();
            tasks.push((round.id, round.title, open, deadline));
        }
    }
    let coordination = any_allows(roles, Permission::ManageReviews);
    let provider = !coordination
        && (any_allows(roles, Permission::SubmitReviewUpdates)
            || any_allows(roles, Permission::MaintainOwnOffers));
    let reader = !coordination && !provider && any_allows(roles, Permission::ViewMeasures);
    let inbox = if coordination {
        coordination_inbox(&app, &user, today).await?
    } else {
        Inbox::default()
    };
    let (returned, own_offers) = if provider {
        provider_inbox(&app, &user, today).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let reports = if reader {
        closed_reports(&app).await?
    } else {
        Vec::new()
    };
    // The figures are the coordination's and the administration's overview; others have
    // their work above instead.
    if !(coordination || any_allows(roles, Permission::ManageUsers)) {
        figures.clear();
    }
    // Open action items from meetings and decisions that this user owns, the most urgent first.
    let (open_actions, open_total) = lotse_store::bodies::open_actions_of(
        &app.db,
        &user.principal.user_id,
        lotse_store::bodies::OPEN_ACTIONS_SHOWN,
    )
    .await?;
    let more_actions = open_total - open_actions.len() as i64;
    let actions = open_actions
        .into_iter()
        .map(|a| {
            (
                a.id,
                a.title,
                a.due_on
                    .map_or_else(|| "ohne Frist".to_owned(), |d| crate::view::date_de(&d)),
                a.meeting_id,
            )
        })
        .collect();
    let mut overdue = Vec::new();
    let mut overdue_total = String::new();
    let mut more_overdue = false;
    let mut follow_ups = Vec::new();
    let mut follow_ups_total = String::new();
    let overdue_pseudonymised = !any_allows(roles, Permission::WorkOnCases);
    let mut pending_shares = 0;
    let mut emergencies = Vec::new();
    let mut access_reviews = 0;
    if any_allows(roles, Permission::ReviewCaseAccess) {
        access_reviews =
            lotse_store::cases::open_access_reviews(&app.db, &user.principal.viewer()).await?;
    }
    if any_allows(roles, Permission::ViewCases) {
        let viewer = user.principal.viewer();
        pending_shares = lotse_store::cases::pending_shares(&app.db, &viewer).await?;
        emergencies = lotse_store::cases::break_glass_on_my_cases(
            &app.db,
            &viewer,
            app.now() - 30 * 86_400_000,
            CASE_ITEMS,
        )
        .await?
        .into_iter()
        .map(|a| {
            (
                a.case_id.clone(),
                a.shown_name(),
                a.user_name.clone(),
                crate::view::datetime(a.opened_at),
            )
        })
        .collect();
        let cases = lotse_store::cases::for_viewer(&app.db, &viewer);
        let today = app.today();
        let (found, total) = cases.overdue_handoffs(today, CASE_ITEMS, app.now()).await?;
        overdue_total = figure(total);
        more_overdue = more_than(total, found.len());
        overdue = found
            .into_iter()
            .map(|h| {
                (
                    h.case_id.clone(),
                    h.shown_name(),
                    lotse_domain::case::HandoffType::parse(&h.handoff_type)
                        .map_or("", lotse_domain::case::HandoffType::label),
                    crate::view::date_de(&h.due_on),
                    h.days_over(today),
                )
            })
            .collect();
        if !overdue_pseudonymised {
            let until = today.add_days(7).unwrap_or(today);
            let (found, total) = cases.due_follow_ups(until, CASE_ITEMS, app.now()).await?;
            follow_ups_total = figure(total);
            follow_ups = found
                .into_iter()
                .map(|f| {
                    (
                        f.case_id.clone(),
                        f.shown_name(),
                        crate::view::date_de(&f.due_on),
                        f.subject,
                        f.due_on < today,
                    )
                })
                .collect();
        }
    }
    let mut pool_waiting = Vec::new();
    if any_allows(roles, Permission::ManageInterpreterPool) {
        let (to_review, to_match) = lotse_store::interpreters::waiting(&app.db).await?;
        for (n, one, many, status) in [
            (
                to_review,
                "Anfrage zu prüfen",
                "Anfragen zu prüfen",
                "submitted",
            ),
            (
                to_match,
                "freigegebene Anfrage ohne Sprachmittlung",
                "freigegebene Anfragen ohne Sprachmittlung",
                "approved",
            ),
        ] {
            if n > 0 {
                pool_waiting.push(Count {
                    count: n.to_string(),
                    text: (if n == 1 { one } else { many }).to_owned(),
                    href: format!("/interpreters/requests?status={status}"),
                });
            }
        }
    }
    // Whoever asks the pool follows their open requests here; an interpreter sees the coming
    // assignments. The pool itself works from the counts above.
    let mut interpreting = Vec::new();
    let mut interpreting_heading = "";
    if any_allows(roles, Permission::ViewInterpreterRequests)
        && !any_allows(roles, Permission::ManageInterpreterPool)
    {
        let viewer = user.principal.viewer();
        let page = lotse_store::interpreters::requests_for(&app.db, &viewer)
            .page(
                &lotse_store::interpreters::RequestFilter {
                    open: true,
                    from: Some(today),
                    ..Default::default()
                },
                &lotse_store::paging::PageRequest::new(None, Some(INTERPRETING_SHOWN)),
                false,
            )
            .await?;
        interpreting = page
            .items
            .iter()
            .map(|r| crate::pages::interpreters::RequestRow::from(&r.record))
            .collect();
        interpreting_heading = if any_allows(roles, Permission::RequestInterpreters) {
            "Offene Anfragen an den Sprachmittlerpool"
        } else {
            "Ihre nächsten Einsätze"
        };
    }
    let counselling = any_allows(roles, Permission::ViewSchoolCounselling);
    let mut counselling_waiting = Vec::new();
    let mut counselling_pending = 0;
    if counselling {
        if any_allows(roles, Permission::ManageSchoolCounselling) {
            counselling_pending = lotse_store::school_counselling::pending_count(&app.db).await?;
        }
        let viewer = user.principal.viewer();
        counselling_waiting =
            lotse_store::school_counselling::longest_waiting(&app.db, &viewer, COUNSELLING_SHOWN)
                .await?
                .into_iter()
                .map(|w| {
                    let initial: String = w.last_name.chars().take(1).collect();
                    (
                        w.registration_id,
                        format!("{} {initial}., {}", w.first_name, w.site),
                        lotse_domain::school_counselling::ChildStatus::parse(&w.status)
                            .map_or("", |s| s.label()),
                        w.since.days_until(today),
                    )
                })
                .collect();
    }
    let role_names = roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    render(&Dashboard {
        layout: Layout::new(&app, &user, "Übersicht", uri.path()),
        roles: role_names,
        figures,
        to_review: inbox.to_review,
        deadlines: inbox.deadlines,
        coordination,
        last_visit: inbox.last_visit,
        changes: inbox.changes,
        returned,
        own_offers,
        provider,
        reports,
        reader,
        tasks,
        actions,
        more_actions,
        overdue,
        overdue_total,
        more_overdue,
        overdue_pseudonymised,
        follow_ups,
        follow_ups_total,
        pending_shares,
        access_reviews,
        emergencies,
        pool_waiting,
        interpreting,
        interpreting_heading,
        counselling,
        counselling_pending,
        counselling_waiting,
    })
}

#[derive(Default)]
struct Inbox {
    to_review: Vec<Count>,
    deadlines: Vec<Deadline>,
    last_visit: String,
    changes: Vec<Count>,
}

/// How many coming interpreting dates the start page lists; the rest are one link away.
const INTERPRETING_SHOWN: usize = 10;

/// How many deadlines of each kind the coordination's list takes, and how far ahead it looks.
const DEADLINES_SHOWN: i64 = 20;
const DEADLINE_DAYS: i64 = 30;

/// What others did since the last visit that concerns the coordination: (entity, action), the
/// words for it, and where to see it.
const CHANGES: [(&str, &str, &str, &str); 8] = [
    ("review_update", "submit", "Berichte eingereicht", "/rounds"),
    (
        "review_proposal",
        "propose",
        "neue Maßnahmen vorgeschlagen",
        "/rounds",
    ),
    (
        "offer",
        "create",
        "Angebote angelegt",
        "/offers?organisation=",
    ),
    (
        "offer",
        "update",
        "Angebote bearbeitet",
        "/offers?organisation=",
    ),
    (
        "offer",
        "verify",
        "Angebote bestätigt",
        "/offers?organisation=",
    ),
    (
        "structural_issue",
        "create",
        "strukturelle Probleme gemeldet",
        "/structural-issues",
    ),
    ("measure", "update", "Maßnahmen geändert", "/measures"),
    ("decision", "create", "Beschlüsse erfasst", "/bodies"),
];

fn count_text(n: i64) -> String {
    crate::view::number_de(n as f64)
}

async fn coordination_inbox(
    app: &AppState,
    user: &CurrentUser,
    today: lotse_domain::Date,
) -> Result<Inbox, AppError> {
    let roles = &user.principal.roles;
    let viewer = user.principal.viewer();
    let mut inbox = Inbox::default();
    let open_rounds: Vec<lotse_store::rounds::RoundSummary> =
        lotse_store::rounds::all_summaries(&app.db)
            .await?
            .into_iter()
            .filter(|r| r.round.is_open())
            .collect();
    for r in &open_rounds {
        if r.submitted > 0 {
            inbox.to_review.push(Count {
                count: count_text(r.submitted),
                text: format!("eingereichte Berichte zu prüfen in „{}“", r.round.title),
                href: format!("/rounds/{}?state=submitted#tasks-h", r.round.id),
            });
        }
    }
    if any_allows(roles, Permission::ManageOffers) {
        let offers = lotse_store::offers::for_viewer(&app.db, &viewer);
        for (state, text) in [
            (
                lotse_store::offers::ListState::Submitted,
                "Angebotsänderungen warten auf Freigabe",
            ),
            (
                lotse_store::offers::ListState::Overdue,
                "veröffentlichte Angebote seit über einem Jahr nicht bestätigt",
            ),
        ] {
            let filter = lotse_store::offers::OfferFilter {
                state: Some(state),
                ..Default::default()
            };
            let n = offers.count(&filter, today).await?;
            if n != lotse_store::paging::Count::Exactly(0) {
                inbox.to_review.push(Count {
                    count: figure(n),
                    text: text.into(),
                    href: format!("/offers?state={}&organisation=", state.key()),
                });
            }
        }
    }
    // Deadlines: the rounds' submission deadlines, spending reports, the user's action items.
    for r in &open_rounds {
        if let Some(d) = r.round.submission_deadline {
            let owed = r.missing + r.returned;
            inbox.deadlines.push(Deadline {
                date: d,
                what: format!(
                    "Abgabefrist „{}“ ({} Berichte ausstehend)",
                    r.round.title,
                    count_text(owed)
                ),
                href: format!("/rounds/{}", r.round.id),
                words: crate::view::deadline_words(d, today),
                overdue: d < today && owed > 0,
            });
        }
    }
    if any_allows(roles, Permission::ManageFunding) {
        let until = today.add_days(DEADLINE_DAYS).unwrap_or(today);
        for d in lotse_store::funding::upcoming_deadlines(&app.db, until, DEADLINES_SHOWN).await? {
            inbox.deadlines.push(Deadline {
                date: d.due_on,
                what: format!(
                    "Verwendungsnachweis: {} ({}, {})",
                    d.title, d.funding_programme, d.purpose
                ),
                href: "/funding".into(),
                words: crate::view::deadline_words(d.due_on, today),
                overdue: d.due_on < today,
            });
        }
    }
    let (actions, _) = lotse_store::bodies::open_actions_of(
        &app.db,
        &user.principal.user_id,
        lotse_store::bodies::OPEN_ACTIONS_SHOWN,
    )
    .await?;
    for a in actions {
        if let Some(d) = a.due_on {
            inbox.deadlines.push(Deadline {
                date: d,
                what: format!("Aufgabe aus einem Gremium: {}", a.title),
                href: a
                    .meeting_id
                    .map_or_else(|| "/bodies".into(), |m| format!("/meetings/{m}")),
                words: crate::view::deadline_words(d, today),
                overdue: d < today,
            });
        }
    }
    inbox.deadlines.sort_by_key(|d| d.date);
    if let Some((seq, at)) =
        lotse_store::audit::previous_login(&app.db, &user.principal.user_id).await?
    {
        inbox.last_visit = crate::view::datetime(at);
        let kinds: Vec<(&str, &str)> = CHANGES.iter().map(|(e, a, _, _)| (*e, *a)).collect();
        let counted =
            lotse_store::audit::changes_since(&app.db, seq, &user.principal.user_id, &kinds)
                .await?;
        for (entity, action, text, href) in CHANGES {
            if let Some((_, _, n)) = counted.iter().find(|(e, a, _)| e == entity && a == action) {
                inbox.changes.push(Count {
                    count: count_text(*n),
                    text: text.into(),
                    href: href.into(),
                });
            }
        }
    }
    Ok(inbox)
}

/// A provider's inbox: what the coordination returned, with the reason, and their offers by
/// state.
async fn provider_inbox(
    app: &AppState,
    user: &CurrentUser,
    today: lotse_domain::Date,
) -> Result<(Vec<Returned>, Vec<Count>), AppError> {
    let roles = &user.principal.roles;
    let org = &user.principal.organisation_id;
    let mut returned = Vec::new();
    if any_allows(roles, Permission::SubmitReviewUpdates) {
        for u in lotse_store::rounds::returned_to(&app.db, org).await? {
            returned.push(Returned {
                kind: "Bericht",
                title: format!("{} {} {}", u.concept, u.code, u.title),
                href: format!("/rounds/{}/updates/{}", u.round_id, u.id),
                reason: u.review_comment,
            });
        }
    }
    let mut own_offers = Vec::new();
    if any_allows(roles, Permission::MaintainOwnOffers) {
        let viewer = user.principal.viewer();
        let offers = lotse_store::offers::for_viewer(&app.db, &viewer);
        let filter = lotse_store::offers::OfferFilter {
            organisation_id: Some(org.clone()),
            state: Some(lotse_store::offers::ListState::Returned),
            ..Default::default()
        };
        let page = offers
            .list(
                &filter,
                today,
                &lotse_store::paging::PageRequest::first(CASE_ITEMS as usize),
            )
            .await?;
        for o in page.items {
            returned.push(Returned {
                kind: "Angebot",
                href: format!("/offers/{}", o.id),
                reason: o.open_note.clone().unwrap_or_default(),
                title: o.record.title.clone(),
            });
        }
        use lotse_store::offers::ListState;
        for (state, text) in [
            (ListState::Returned, "zurückgegeben, bitte überarbeiten"),
            (ListState::Draft, "Entwürfe, noch nicht eingereicht"),
            (ListState::Submitted, "warten auf Freigabe der Koordination"),
            (
                ListState::Overdue,
                "seit über einem Jahr nicht bestätigt, bitte prüfen",
            ),
            (ListState::Expired, "abgelaufen"),
            (ListState::Public, "veröffentlicht"),
        ] {
            let filter = lotse_store::offers::OfferFilter {
                organisation_id: Some(org.clone()),
                state: Some(state),
                ..Default::default()
            };
            let n = offers.count(&filter, today).await?;
            if n != lotse_store::paging::Count::Exactly(0) {
                own_offers.push(Count {
                    count: figure(n),
                    text: text.into(),
                    href: format!("/offers?state={}", state.key()),
                });
            }
        }
    }
    Ok((returned, own_offers))
}

/// The closed rounds' status reports, newest reference date first.
async fn closed_reports(app: &AppState) -> Result<Vec<Report>, AppError> {
    Ok(lotse_store::rounds::rounds(&app.db)
        .await?
        .into_iter()
        .filter(|r| !r.is_open())
        .map(|r| Report {
            date: crate::view::date_de(&r.reference_date),
            closed: r.closed_at.map(crate::view::datetime).unwrap_or_default(),
            id: r.id,
            title: r.title,
        })
        .collect())
}
