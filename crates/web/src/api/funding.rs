//! Funding programmes (Förderprogramme) with their budgets, grants, payments and reporting
//! deadlines: the coordination's books (amounts in euro cents).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_store::funding::{self, FundingDetail, FundingSummary, Grant};
use serde::Serialize;

use super::{ListRequest, NoFilter, Paged};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;

#[derive(Serialize)]
pub struct FundingSummaryResponse {
    id: String,
    name: String,
    funder: String,
    active: bool,
    grants: i64,
    granted_cents: i64,
    paid_cents: i64,
    spent_cents: i64,
    /// Reporting deadlines not yet met.
    open_deadlines: i64,
}

impl From<FundingSummary> for FundingSummaryResponse {
    fn from(f: FundingSummary) -> Self {
        FundingSummaryResponse {
            id: f.id,
            name: f.name,
            funder: f.funder,
            active: f.active,
            grants: f.grants,
            granted_cents: f.granted_cents,
            paid_cents: f.paid_cents,
            spent_cents: f.spent_cents,
            open_deadlines: f.open_deadlines,
        }
    }
}

#[derive(Serialize)]
pub struct FundingResponse {
    id: String,
    name: String,
    funder: String,
    description: String,
    active: bool,
    fictitious: bool,
    /// Budget per year, newest first.
    budgets: Vec<Budget>,
    grants: Vec<GrantResponse>,
}

#[derive(Serialize)]
pub struct Budget {
    year: i64,
    amount_cents: i64,
}

#[derive(Serialize)]
pub struct GrantResponse {
    id: String,
    organisation_id: Option<String>,
    organisation: Option<String>,
    programme_id: Option<String>,
    programme: Option<String>,
    purpose: String,
    reference: String,
    amount_cents: i64,
    period_from: Date,
    period_to: Date,
    paid_cents: i64,
    spent_cents: i64,
    fictitious: bool,
    movements: Vec<MovementResponse>,
    deadlines: Vec<DeadlineResponse>,
}

#[derive(Serialize)]
pub struct MovementResponse {
    id: String,
    /// `payment` (paid out by the funder) or `expense` (spent).
    kind: String,
    on_date: Date,
    amount_cents: i64,
    note: String,
}

#[derive(Serialize)]
pub struct DeadlineResponse {
    id: String,
    title: String,
    due_on: Date,
    submitted_on: Option<Date>,
}

impl From<FundingDetail> for FundingResponse {
    fn from(d: FundingDetail) -> Self {
        let grant = |g: Grant| GrantResponse {
            movements: d
                .movements
                .iter()
                .filter(|m| m.grant_id == g.id)
                .map(|m| MovementResponse {
                    id: m.id.clone(),
                    kind: m.kind.clone(),
                    on_date: m.on_date,
                    amount_cents: m.amount_cents,
                    note: m.note.clone(),
                })
                .collect(),
            deadlines: d
                .deadlines
                .iter()
                .filter(|x| x.grant_id == g.id)
                .map(|x| DeadlineResponse {
                    id: x.id.clone(),
                    title: x.title.clone(),
                    due_on: x.due_on,
                    submitted_on: x.submitted_on,
                })
                .collect(),
            id: g.id,
            organisation_id: g.organisation_id,
            organisation: g.organisation,
            programme_id: g.programme_id,
            programme: g.programme,
            purpose: g.purpose,
            reference: g.reference,
            amount_cents: g.amount_cents,
            period_from: g.period_from,
            period_to: g.period_to,
            paid_cents: g.paid_cents,
            spent_cents: g.spent_cents,
            fictitious: g.fictitious,
        };
        let grants = d.grants.clone().into_iter().map(grant).collect();
        FundingResponse {
            id: d.programme.id,
            name: d.programme.name,
            funder: d.programme.funder,
            description: d.programme.description,
            active: d.programme.active,
            fictitious: d.programme.fictitious,
            budgets: d
                .budgets
                .iter()
                .map(|&(year, amount_cents)| Budget { year, amount_cents })
                .collect(),
            grants,
        }
    }
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Response, ApiError> {
    let page = funding::for_viewer(&app.db, &user.principal.viewer())
        .page(&page)
        .await?;
    Ok(Json(Paged::of(page, FundingSummaryResponse::from)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<FundingResponse>, ApiError> {
    let detail = funding::for_viewer(&app.db, &user.principal.viewer())
        .get(&id)
        .await?;
    Ok(Json(detail.into()))
}
