//! Measures in the API: the list with the staff list's filters, and one measure.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_domain::measure::{Adaptation, KiInvolvement, MeasureStatus};
use serde::Serialize;

use super::{ListRequest, Paged, known_value};
use crate::AppState;
use crate::error::ApiError;

pub async fn list(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<lotse_store::measures::MeasureFilter>,
) -> Result<Response, ApiError> {
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
        if let Err(refused) = known_value(field, Some(value), known) {
            return Ok(refused.into_response());
        }
    }
    let page = lotse_store::measures::page(&app.db, &filter, &page).await?;
    Ok(Json(Paged::of(page, MeasureResponse::from)).into_response())
}

/// A measure as the API shows it.
#[derive(Serialize)]
pub struct MeasureResponse {
    id: String,
    concept_id: String,
    concept: String,
    code: String,
    title: String,
    description: String,
    field_of_action_id: Option<String>,
    field_of_action: Option<String>,
    lead_organisation_id: Option<String>,
    lead_organisation: Option<String>,
    ki_involvement: String,
    target_group: String,
    planned_start: Option<Date>,
    planned_end: Option<Date>,
    status: String,
    tags: Vec<String>,
    fictitious: bool,
    /// [id, name]
    partners: Vec<(String, String)>,
    /// [AGS, name]; empty: all towns
    towns: Vec<(String, String)>,
    created_at: i64,
    updated_at: i64,
}

impl From<lotse_store::measures::Measure> for MeasureResponse {
    fn from(m: lotse_store::measures::Measure) -> Self {
        MeasureResponse {
            tags: m.tag_list().into_iter().map(str::to_owned).collect(),
            id: m.id,
            concept_id: m.concept_id,
            concept: m.concept,
            code: m.code,
            title: m.title,
            description: m.description,
            field_of_action_id: m.field_of_action_id,
            field_of_action: m.field_of_action,
            lead_organisation_id: m.lead_organisation_id,
            lead_organisation: m.lead_organisation,
            ki_involvement: m.ki_involvement,
            target_group: m.target_group,
            planned_start: m.planned_start,
            planned_end: m.planned_end,
            status: m.status,
            fictitious: m.fictitious,
            partners: m.partners,
            towns: m.towns,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<MeasureResponse>, ApiError> {
    Ok(Json(lotse_store::measures::get(&app.db, &id).await?.into()))
}
