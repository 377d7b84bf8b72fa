//! Programmes the KI runs (FIT, Rucksack, Griffbereit, …) with their sites and figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_store::programmes::{self, Programme, ProgrammeSummary};
use serde::Serialize;

use super::{ListRequest, Named, NoFilter, Paged, named};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;
use crate::pages::programmes::period_tables;

#[derive(Serialize)]
pub struct ProgrammeSummaryResponse {
    id: String,
    name: String,
    /// The umbrella programme this one is part of.
    part_of: Option<Named>,
    active: bool,
    /// Active sites.
    sites: i64,
    measures: i64,
}

impl From<ProgrammeSummary> for ProgrammeSummaryResponse {
    fn from(p: ProgrammeSummary) -> Self {
        ProgrammeSummaryResponse {
            part_of: p
                .part_of
                .zip(p.part_of_name)
                .map(|(id, name)| Named { id, name }),
            id: p.id,
            name: p.name,
            active: p.active,
            sites: p.sites,
            measures: p.measures,
        }
    }
}

#[derive(Serialize)]
pub struct ProgrammeResponse {
    id: String,
    name: String,
    description: String,
    part_of: Option<Named>,
    parts: Vec<Named>,
    active: bool,
    fictitious: bool,
    partners: Vec<Named>,
    sites: Vec<SiteResponse>,
    /// Groups and participants per period, newest first, under the statistics rule (as the page
    /// shows them: participants "<5" or suppressed as text).
    figures: Vec<PeriodResponse>,
    /// The measures the programme carries out: id and "concept code title".
    measures: Vec<Named>,
}

#[derive(Serialize)]
pub struct SiteResponse {
    id: String,
    name: String,
    kind: String,
    town_ags: String,
    town: String,
    active: bool,
}

#[derive(Serialize)]
pub struct PeriodResponse {
    period: String,
    sites: Vec<SiteFigures>,
    total_groups: i64,
    total_participants: String,
    /// Figures reported for the programme as a whole (not the sum of the sites).
    whole: Option<WholeFigures>,
}

#[derive(Serialize)]
pub struct SiteFigures {
    site: String,
    groups: i64,
    participants: String,
}

#[derive(Serialize)]
pub struct WholeFigures {
    groups: i64,
    participants: String,
}

impl From<Programme> for ProgrammeResponse {
    fn from(p: Programme) -> Self {
        let figures = period_tables(&p)
            .into_iter()
            .map(|t| PeriodResponse {
                period: t.period,
                sites: t
                    .rows
                    .into_iter()
                    .map(|(site, groups, participants)| SiteFigures {
                        site,
                        groups,
                        participants: participants.to_string(),
                    })
                    .collect(),
                total_groups: t.total_groups,
                total_participants: t.total_participants.to_string(),
                whole: t.whole.map(|(groups, participants)| WholeFigures {
                    groups,
                    participants: participants.to_string(),
                }),
            })
            .collect();
        ProgrammeResponse {
            id: p.id,
            name: p.name,
            description: p.description,
            part_of: p.part_of.map(|(id, name)| Named { id, name }),
            parts: named(p.parts),
            active: p.active,
            fictitious: p.fictitious,
            partners: named(p.partners),
            sites: p
                .sites
                .into_iter()
                .map(|s| SiteResponse {
                    id: s.id,
                    name: s.name,
                    kind: s.kind,
                    town_ags: s.town_ags,
                    town: s.town,
                    active: s.active,
                })
                .collect(),
            figures,
            measures: p
                .measures
                .into_iter()
                .map(|(id, concept, code, title)| Named {
                    id,
                    name: format!("{concept} {code} {title}"),
                })
                .collect(),
        }
    }
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Response, ApiError> {
    let page = programmes::for_viewer(&app.db, &user.principal.viewer())
        .page(&page)
        .await?;
    Ok(Json(Paged::of(page, |p| {
        ProgrammeSummaryResponse::from(p.record)
    }))
    .into_response())
}

pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeResponse>, ApiError> {
    let p = programmes::for_viewer(&app.db, &user.principal.viewer())
        .get(&id)
        .await?;
    Ok(Json(p.record.into()))
}
