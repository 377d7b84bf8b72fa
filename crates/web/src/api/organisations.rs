//! Organisations in the API: the directory as the staff pages show it, and creation by
//! coordinators.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lotse_domain::organisation::OrganisationInput;
use lotse_store::StoreError;
use lotse_store::organisations::{self, Organisation};
use serde::{Deserialize, Serialize};

use super::{ListRequest, Paged};
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::guard::CurrentUser;

#[derive(Deserialize, Default)]
pub struct OrganisationQuery {
    #[serde(default)]
    include_inactive: bool,
}

/// A 400 in the shape of the public API's (`ParameterError`): the message and, where one
pub async fn list(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<OrganisationQuery>,
) -> Result<Response, ApiError> {
    let filter = organisations::OrganisationFilter {
        include_inactive: filter.include_inactive,
        ..Default::default()
    };
    let page = organisations::page(&app.db, &filter, &page).await?;
    Ok(Json(Paged::of(page, OrganisationResponse::from)).into_response())
}

/// An organisation as the API shows it.
#[derive(Serialize)]
pub struct OrganisationResponse {
    id: String,
    name: String,
    kind: String,
    kind_label: String,
    town_ags: Option<String>,
    town_name: Option<String>,
    street: String,
    postcode: String,
    city: String,
    email: String,
    phone: String,
    website: String,
    active: bool,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
    /// Its offers are published without waiting for the coordination's approval.
    trusted_publisher: bool,
}

impl From<Organisation> for OrganisationResponse {
    fn from(o: Organisation) -> Self {
        OrganisationResponse {
            id: o.id,
            name: o.name,
            kind: o.kind,
            kind_label: o.kind_label,
            town_ags: o.town_ags,
            town_name: o.town_name,
            street: o.street,
            postcode: o.postcode,
            city: o.city,
            email: o.email,
            phone: o.phone,
            website: o.website,
            active: o.active,
            fictitious: o.fictitious,
            created_at: o.created_at,
            updated_at: o.updated_at,
            trusted_publisher: o.trusted_publisher,
        }
    }
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    Ok(Json(organisations::get(&app.db, &id).await?.into()))
}

pub async fn create(
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
        Json(OrganisationResponse::from(org)),
    )
        .into_response())
}
