//! The JSON API under `/api/v1`, for machine clients with a personal token (or a browser session).
//! Described by [`crate::openapi`]; a test checks that both list the same operations.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lotse_domain::organisation::OrganisationInput;
use lotse_store::organisations::{self, Organisation};
use lotse_store::reference::{self, Town};
use lotse_store::users::{self, Principal, User};
use lotse_store::{StoreError, now_ms};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::guard::CurrentUser;

pub async fn openapi_document() -> Response {
    Json(crate::openapi::document()).into_response()
}

pub async fn me(user: CurrentUser) -> Json<Principal> {
    Json(user.principal)
}

pub async fn towns(State(app): State<AppState>) -> Result<Json<Vec<Town>>, ApiError> {
    Ok(Json(reference::towns(&app.db).await?))
}

#[derive(Deserialize, Default)]
pub struct OrganisationQuery {
    #[serde(default)]
    include_inactive: bool,
}

pub async fn organisations(
    State(app): State<AppState>,
    Query(q): Query<OrganisationQuery>,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    Ok(Json(
        organisations::list(&app.db, q.include_inactive).await?,
    ))
}

pub async fn organisation(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Organisation>, ApiError> {
    Ok(Json(organisations::get(&app.db, &id).await?))
}

pub async fn create_organisation(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<OrganisationInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(input) = body.map_err(|e| {
        AppError::Status(
            StatusCode::BAD_REQUEST,
            format!("Ungültiges JSON: {}", e.body_text()),
        )
    })?;
    let vocab = organisations::vocabulary(&app.db).await?;
    let draft = input.validate(&vocab).map_err(StoreError::Invalid)?;
    let mut tx = app.db.begin().await?;
    let id =
        organisations::create(&mut tx, &user.principal.actor(), &draft, false, now_ms()).await?;
    tx.commit().await?;
    let org = organisations::get(&app.db, &id).await?;
    Ok((
        StatusCode::CREATED,
        [("location", format!("/api/v1/organisations/{id}"))],
        Json(org),
    )
        .into_response())
}

pub async fn users(
    State(app): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<User>>, ApiError> {
    lotse_store::audit::record_read(&app.db, &user.principal.actor(), "user", "*", now_ms())
        .await?;
    Ok(Json(users::list(&app.db).await?))
}

pub async fn measures(
    State(app): State<AppState>,
    Query(filter): Query<lotse_store::measures::MeasureFilter>,
) -> Result<Json<Vec<lotse_store::measures::Measure>>, ApiError> {
    Ok(Json(lotse_store::measures::list(&app.db, &filter).await?))
}

pub async fn measure(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<lotse_store::measures::Measure>, ApiError> {
    Ok(Json(lotse_store::measures::get(&app.db, &id).await?))
}
