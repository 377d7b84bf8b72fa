//! Bodies (Gremien) and their decisions.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_store::bodies::{self, Body, Decision};
use serde::{Deserialize, Serialize};

use super::{ListRequest, Named, NoFilter, Paged, named};
use crate::AppState;
use crate::error::ApiError;

#[derive(Serialize)]
pub struct BodyResponse {
    id: String,
    name: String,
    description: String,
    fictitious: bool,
    /// The member organisations, by name.
    members: Vec<Named>,
}

impl From<Body> for BodyResponse {
    fn from(b: Body) -> Self {
        BodyResponse {
            id: b.id,
            name: b.name,
            description: b.description,
            fictitious: b.fictitious,
            members: named(b.members),
        }
    }
}

#[derive(Serialize)]
pub struct DecisionResponse {
    id: String,
    body_id: String,
    body: String,
    meeting_id: Option<String>,
    number: String,
    /// YYYY-MM-DD
    decided_on: Date,
    text: String,
    /// The measures the decision concerns: id and "concept code title".
    measures: Vec<Named>,
}

impl From<Decision> for DecisionResponse {
    fn from(d: Decision) -> Self {
        DecisionResponse {
            id: d.id,
            body_id: d.body_id,
            body: d.body,
            meeting_id: d.meeting_id,
            number: d.number,
            decided_on: d.decided_on,
            text: d.text,
            measures: named(d.measures),
        }
    }
}

pub async fn list(
    State(app): State<AppState>,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Response, ApiError> {
    let page = bodies::page(&app.db, &page).await?;
    Ok(Json(Paged::of(page, BodyResponse::from)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BodyResponse>, ApiError> {
    Ok(Json(bodies::body(&app.db, &id).await?.into()))
}

#[derive(Deserialize, Default)]
pub struct DecisionQuery {
    #[serde(default)]
    body: Option<String>,
}

pub async fn decisions(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<DecisionQuery>,
) -> Result<Response, ApiError> {
    let body = filter
        .body
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty());
    let page = bodies::decision_page(&app.db, body, &page).await?;
    Ok(Json(Paged::of(page, DecisionResponse::from)).into_response())
}

pub async fn decision(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DecisionResponse>, ApiError> {
    Ok(Json(bodies::decision(&app.db, &id).await?.into()))
}
