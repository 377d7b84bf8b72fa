//! KIM cases in the API (decision 0012): only the cases the caller may see; the coordination's
//! come without names (the fields are null), and a case outside the caller's scope is not found.

use axum::Json;
use axum::extract::{Path, State};
use lotse_domain::Date;
use lotse_store::cases::{self, CaseRecord};
use lotse_store::scoped::Scoped;
use serde::Serialize;

use super::{ListRequest, NoFilter, Paged};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;

/// A case with its person as the caller may see it.
#[derive(Serialize)]
pub struct CaseResponse {
    id: String,
    pseudonym: String,
    /// Null where the caller sees the case pseudonymised.
    family_name: Option<String>,
    given_names: Option<String>,
    birth_date: Option<Date>,
    birth_year: Option<String>,
    town_ags: Option<String>,
    jurisdiction: String,
    phase: String,
    access_route: String,
    opened_on: Date,
    closed_on: Option<Date>,
    /// Whether the caller sees the case whole (not pseudonymised).
    whole: bool,
}

impl From<Scoped<CaseRecord>> for CaseResponse {
    fn from(s: Scoped<CaseRecord>) -> Self {
        let whole = s.access.sees_all();
        let c = s.into_inner();
        CaseResponse {
            id: c.id,
            pseudonym: c.pseudonym,
            family_name: c.family_name,
            given_names: c.given_names,
            birth_date: c.birth_date,
            birth_year: c.birth_year,
            town_ags: c.town_ags,
            jurisdiction: c.jurisdiction,
            phase: c.phase,
            access_route: c.access_route,
            opened_on: c.opened_on,
            closed_on: c.closed_on,
            whole,
        }
    }
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Json<Paged<CaseResponse>>, ApiError> {
    let viewer = user.principal.viewer();
    let page = cases::for_viewer(&app.db, &viewer)
        .page(&page, app.now())
        .await?;
    Ok(Json(Paged::of(page, CaseResponse::from)))
}

pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CaseResponse>, ApiError> {
    let viewer = user.principal.viewer();
    let case = cases::for_viewer(&app.db, &viewer)
        .get(&id, app.now())
        .await?;
    Ok(Json(case.into()))
}
