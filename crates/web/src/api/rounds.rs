//! Review rounds (Überprüfungsrunden) with their state and how far the reports have come.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_store::rounds::{self, RoundSummary};
use serde::{Deserialize, Serialize};

use super::{ListRequest, Paged, known_value};
use crate::AppState;
use crate::error::ApiError;

/// The states a round can be in.
pub const STATES: [&str; 2] = ["open", "closed"];

#[derive(Serialize)]
pub struct RoundResponse {
    id: String,
    title: String,
    /// The date the reports describe (YYYY-MM-DD).
    reference_date: Date,
    /// `open` (partners report) or `closed` (final, in the committee report).
    state: String,
    fictitious: bool,
    opened_at: i64,
    closed_at: Option<i64>,
    reports: ReportCounts,
}

/// How many of the round's reports are in which state.
#[derive(Serialize)]
pub struct ReportCounts {
    total: i64,
    missing: i64,
    submitted: i64,
    returned: i64,
    accepted: i64,
}

impl From<RoundSummary> for RoundResponse {
    fn from(s: RoundSummary) -> Self {
        let r = s.round;
        RoundResponse {
            id: r.id,
            title: r.title,
            reference_date: r.reference_date,
            state: r.state,
            fictitious: r.fictitious,
            opened_at: r.opened_at,
            closed_at: r.closed_at,
            reports: ReportCounts {
                total: s.missing + s.submitted + s.returned + s.accepted,
                missing: s.missing,
                submitted: s.submitted,
                returned: s.returned,
                accepted: s.accepted,
            },
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    #[serde(default)]
    state: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<RoundQuery>,
) -> Result<Response, ApiError> {
    let state = match known_value("state", filter.state.as_deref(), &STATES) {
        Ok(s) => s,
        Err(refused) => return Ok(refused.into_response()),
    };
    let page = rounds::round_summaries(&app.db, state, &page).await?;
    Ok(Json(Paged::of(page, RoundResponse::from)).into_response())
}

/// One round: its summary and how long the reports took.
#[derive(Serialize)]
pub struct RoundDetail {
    #[serde(flatten)]
    round: RoundResponse,
    /// Days from the opening to the submitted reports; `null` before five have come in
    /// (statistics rule).
    turnaround: Option<Turnaround>,
}

#[derive(Serialize)]
pub struct Turnaround {
    reports: i64,
    median_days: f64,
    p90_days: f64,
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoundDetail>, ApiError> {
    let round = rounds::round_summary(&app.db, &id).await?;
    let durations = lotse_store::statistics::report_turnaround(&app.db, &id).await?;
    Ok(Json(RoundDetail {
        round: round.into(),
        turnaround: durations.shown().map(|(median, p90)| Turnaround {
            reports: durations.count,
            median_days: median,
            p90_days: p90,
        }),
    }))
}
