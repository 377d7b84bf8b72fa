//! Accounts in the API: the caller's own principal and the accounts they may see.

use axum::Json;
use axum::extract::State;
use lotse_store::users::{self, Principal, User};
use serde::Serialize;

use super::{ListRequest, NoFilter, Paged};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;

pub async fn me(user: CurrentUser) -> Json<Principal> {
    Json(user.principal)
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Json<Paged<UserResponse>>, ApiError> {
    let page = users::read_account_page(&app.db, &user.principal.actor(), &page, app.now()).await?;
    Ok(Json(Paged::of(page, UserResponse::from)))
}

/// An account as the API shows it (never its password hash or second-factor secret).
#[derive(Serialize)]
pub struct UserResponse {
    id: String,
    username: String,
    display_name: String,
    email: String,
    organisation_id: String,
    organisation_name: String,
    active: bool,
    fictitious: bool,
    totp_enabled: bool,
    roles: Vec<lotse_domain::Role>,
    created_at: i64,
    updated_at: i64,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            organisation_id: u.organisation_id,
            organisation_name: u.organisation_name,
            active: u.active,
            fictitious: u.fictitious,
            totp_enabled: u.totp_enabled,
            roles: u.roles,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}
