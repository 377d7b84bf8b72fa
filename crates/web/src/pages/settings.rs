//! Platform settings (admins only).

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::Role;
use lotse_store::settings;

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, NoticeQuery};

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    layout: Layout,
    roles: Vec<(&'static str, &'static str, bool)>,
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let required = settings::totp_required_roles(&app.db).await?;
    render(&SettingsPage {
        layout: Layout::new(&app, &user, "Einstellungen", uri.path()).with_notice(q.ok.as_deref()),
        roles: Role::ALL
            .iter()
            .map(|r| (r.key(), r.label(), required.contains(r)))
            .collect(),
    })
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let mut roles = Vec::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        if key == "totp_required" {
            let role: Role = value
                .parse()
                .map_err(|e: lotse_domain::role::UnknownRole| {
                    AppError::bad_request(format!("totp_required: {e}"))
                })?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
    }
    roles.sort();
    let mut tx = app.db.begin().await?;
    settings::set_totp_required_roles(&mut tx, &user.principal.actor(), &roles, app.now()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/settings?ok=saved").into_response())
}
