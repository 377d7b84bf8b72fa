//! The register of structural issues (strukturelle Hürden): where hand-offs between authorities fail.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_domain::structural_issue::IssueStatus;
use lotse_store::structural_issues::{self, Issue};
use serde::{Deserialize, Serialize};

use super::{ListRequest, Named, Paged, known_value, named};
use crate::AppState;
use crate::error::ApiError;

#[derive(Serialize)]
pub struct IssueResponse {
    id: String,
    title: String,
    description: String,
    from: Side,
    to: Side,
    /// How many cases show the issue, under the statistics rule: 1 to 4 appear as "<5".
    evidence: String,
    status: String,
    status_label: String,
    /// YYYY-MM-DD
    reported_on: Date,
    /// The towns concerned; empty: the whole district.
    towns: Vec<Named>,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
}

/// One side of a hand-off: an organisation, a jurisdiction (legal basis), or both.
#[derive(Serialize)]
pub struct Side {
    organisation_id: Option<String>,
    organisation: Option<String>,
    jurisdiction: Option<String>,
}

impl From<Issue> for IssueResponse {
    fn from(i: Issue) -> Self {
        IssueResponse {
            evidence: i.evidence_display(),
            status_label: i.status_label().to_owned(),
            id: i.id,
            title: i.title,
            description: i.description,
            from: Side {
                organisation_id: i.from_organisation_id,
                organisation: i.from_organisation,
                jurisdiction: i.from_jurisdiction,
            },
            to: Side {
                organisation_id: i.to_organisation_id,
                organisation: i.to_organisation,
                jurisdiction: i.to_jurisdiction,
            },
            status: i.status,
            reported_on: i.reported_on,
            towns: named(i.towns),
            fictitious: i.fictitious,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct IssueQuery {
    #[serde(default)]
    status: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<IssueQuery>,
) -> Result<Response, ApiError> {
    let statuses = IssueStatus::ALL.map(IssueStatus::key);
    let status = match known_value("status", filter.status.as_deref(), &statuses) {
        Ok(s) => s,
        Err(refused) => return Ok(refused.into_response()),
    };
    let page = structural_issues::page(&app.db, status, &page).await?;
    Ok(Json(Paged::of(page, IssueResponse::from)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<IssueResponse>, ApiError> {
    Ok(Json(structural_issues::get(&app.db, &id).await?.into()))
}
