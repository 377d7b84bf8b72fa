//! The JSON API under `/api/v1`, for machine clients with a personal token (or a browser session).
//! Described by [`crate::openapi`]; a test checks that both list the same operations.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lotse_domain::measure::{Adaptation, KiInvolvement, MeasureStatus};
use lotse_domain::organisation::OrganisationInput;
use lotse_store::StoreError;
use lotse_store::organisations::{self, Organisation};
use lotse_store::reference::{self, Town};
use lotse_store::users::{self, Principal, User};
use serde::Deserialize;
use serde_json::json;

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

/// A 400 in the shape of the public API's (`ParameterError`): the message and, where one
/// parameter is at fault, its name.
fn bad_parameter(field: Option<&str>, message: String) -> Response {
    let mut body = json!({ "error": message });
    if let Some(field) = field {
        body["field"] = json!(field);
    }
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The JSON 400 for a query string that cannot be read (axum's own rejection is plain text,
/// which an API client does not expect).
fn unreadable(e: QueryRejection) -> Response {
    bad_parameter(None, format!("Ungültige Parameter: {}", e.body_text()))
}

pub async fn organisations(
    State(app): State<AppState>,
    q: Result<Query<OrganisationQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return Ok(unreadable(e)),
    };
    Ok(Json(organisations::list(&app.db, q.include_inactive).await?).into_response())
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
        organisations::create(&mut tx, &user.principal.actor(), &draft, false, app.now()).await?;
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
    Ok(Json(
        users::read_accounts(&app.db, &user.principal.actor(), app.now()).await?,
    ))
}

pub async fn measures(
    State(app): State<AppState>,
    filter: Result<Query<lotse_store::measures::MeasureFilter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let filter = match filter {
        Ok(Query(f)) => f,
        Err(e) => return Ok(unreadable(e)),
    };
    // A value outside a fixed vocabulary would match nothing and hide a typo behind an empty
    // list: refuse it, as the public search does. Empty means "no filter".
    let vocabularies: [(&str, &str, &[&str]); 3] = [
        (
            "status",
            &filter.status,
            &MeasureStatus::ALL.map(MeasureStatus::key),
        ),
        (
            "ki",
            &filter.ki,
            &KiInvolvement::ALL.map(KiInvolvement::key),
        ),
        (
            "adaptation",
            &filter.adaptation,
            &Adaptation::ALL.map(Adaptation::key),
        ),
    ];
    for (field, value, known) in vocabularies {
        if !value.is_empty() && !known.contains(&value) {
            let known = known.join(", ");
            let message = format!("{field}: unbekannter Wert „{value}“; bekannt: {known}.");
            return Ok(bad_parameter(Some(field), message));
        }
    }
    Ok(Json(lotse_store::measures::list(&app.db, &filter).await?).into_response())
}

pub async fn measure(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<lotse_store::measures::Measure>, ApiError> {
    Ok(Json(lotse_store::measures::get(&app.db, &id).await?))
}
