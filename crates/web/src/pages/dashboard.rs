//! The start page after login: who you are, and the figures and areas your roles open.

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

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    roles: String,
    figures: Vec<(&'static str, String, &'static str)>,
    /// (round id, round title, reports still open)
    tasks: Vec<(String, String, usize)>,
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
    /// Emergency accesses others opened on the user's cases in the last 30 days:
    /// (case id, name, by whom, when).
    emergencies: Vec<(String, String, String, String)>,
}

/// How many overdue hand-offs and due follow-ups the start page lists.
const CASE_ITEMS: i64 = 20;

/// A count as a figure on the start page: "123", or "über 1.000" past the bound of counting.
pub(crate) fn figure(count: lotse_store::paging::Count) -> String {
    match count {
        lotse_store::paging::Count::Exactly(n) => n.to_string(),
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
    // Reports the user's organisation still owes in open review rounds.
    let mut tasks = Vec::new();
    if any_allows(roles, Permission::SubmitReviewUpdates) {
        for (round, open) in
            lotse_store::rounds::open_tasks(&app.db, &user.principal.organisation_id).await?
        {
            tasks.push((round.id, round.title, open));
        }
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
    let role_names = roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    render(&Dashboard {
        layout: Layout::new(&app, &user, "Übersicht", uri.path()),
        roles: role_names,
        figures,
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
    })
}
