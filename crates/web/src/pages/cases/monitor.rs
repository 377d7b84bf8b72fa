//! The hand-off monitor (decision 0012, slice 5): every open hand-off past its target that the
//! user may see, longest overdue first (case managers: their own cases by name; the
//! coordination: all of them pseudonymised), and the target per hand-off type, which the
//! coordination sets.

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::HandoffType;
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::StoreError;
use lotse_store::cases::{self, HandoffTargets};

use super::super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de};

/// How many overdue hand-offs the page lists (the count names all).
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "cases/monitor.html")]
struct MonitorPage {
    layout: Layout,
    /// (case id, name or pseudonym, type, started, due, days over)
    overdue: Vec<(String, String, &'static str, String, String, i64)>,
    /// How many in all (counted up to a bound), and whether more exist than are listed.
    total: String,
    more: bool,
    with_names: bool,
    /// (type key, label, days as shown in the form, default days)
    targets: Vec<(&'static str, &'static str, String, i64)>,
    can_set: bool,
    summary: Vec<(String, String, String)>,
    errors: FormErrors,
}

fn type_label(key: &str) -> &str {
    match HandoffType::parse(key) {
        Some(t) => t.label(),
        None => key,
    }
}

async fn monitor_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    entered: Option<&[(HandoffType, String)]>,
    errors: FormErrors,
) -> Result<MonitorPage, AppError> {
    let viewer = user.principal.viewer();
    let today = app.today();
    let (found, total) = cases::for_viewer(&app.db, &viewer)
        .overdue_handoffs(today, SHOWN, app.now())
        .await?;
    let more = super::super::dashboard::more_than(total, found.len());
    let stored = HandoffTargets::load(&app.db).await?;
    let targets = HandoffType::ALL
        .iter()
        .map(|&t| {
            let shown = entered
                .and_then(|e| e.iter().find(|(k, _)| *k == t).map(|(_, v)| v.clone()))
                .unwrap_or_else(|| stored.days(t).to_string());
            (t.key(), t.label(), shown, t.default_target_days())
        })
        .collect();
    Ok(MonitorPage {
        layout: Layout::new(app, user, "Übergaben-Monitor", path),
        overdue: found
            .into_iter()
            .map(|h| {
                (
                    h.case_id.clone(),
                    h.shown_name(),
                    HandoffType::parse(&h.handoff_type).map_or("", HandoffType::label),
                    date_de(&h.started_on),
                    date_de(&h.due_on),
                    h.days_over(today),
                )
            })
            .collect(),
        more,
        total: super::super::dashboard::figure(total),
        with_names: any_allows(&user.principal.roles, Permission::WorkOnCases),
        targets,
        can_set: any_allows(&user.principal.roles, Permission::SetHandoffTargets),
        summary: errors.summary(type_label),
        errors,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = monitor_page(&app, &user, uri.path(), None, FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

/// The coordination sets the target days per hand-off type (new hand-offs take them on).
pub async fn set_targets(
    State(app): State<AppState>,
    user: CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let entered: Vec<(HandoffType, String)> = HandoffType::ALL
        .iter()
        .map(|&t| {
            let value = form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == t.key())
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            (t, value)
        })
        .collect();
    let actor = user.principal.actor();
    let result = app
        .db
        .write(async |tx| HandoffTargets::save(tx, &actor, &entered, app.now()).await)
        .await;
    match result {
        Ok(()) => Ok(Redirect::to("/cases/monitor?ok=saved").into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &monitor_page(
                &app,
                &user,
                "/cases/monitor",
                Some(&entered),
                FormErrors(errors),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}
