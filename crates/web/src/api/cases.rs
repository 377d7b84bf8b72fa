//! KIM cases in the API (decision 0012): only the cases the caller may see; the coordination's
//! come without names (the fields are null), and a case outside the caller's scope is not found.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_store::cases::{self, CaseRecord};
use lotse_store::scoped::Scoped;
use lotse_store::statistics::{CaseFigure, Shown};
use serde::Serialize;

use super::{ListRequest, NoFilter, Paged};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;
use crate::pages::cases::statistics::PeriodQuery;

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
    /// Null where the caller sees the case through a release that does not name residence.
    town_ags: Option<String>,
    jurisdiction: Option<String>,
    phase: String,
    access_route: String,
    opened_on: Date,
    closed_on: Option<Date>,
    /// Whether the caller sees the case whole (not pseudonymised).
    whole: bool,
    /// How the caller sees it: `whole`, `pseudonymised` or `released` (what a release names).
    view: &'static str,
}

impl From<Scoped<CaseRecord>> for CaseResponse {
    fn from(s: Scoped<CaseRecord>) -> Self {
        let whole = s.access.sees_all();
        let view = match s.access.view {
            lotse_domain::access::Decision::Only(lotse_domain::access::Fields::Released) => {
                "released"
            }
            lotse_domain::access::Decision::Only(_) => "pseudonymised",
            _ => "whole",
        };
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
            view,
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

/// A count as the statistics rule lets it out: `count` is null where it is suppressed, and
/// `suppressed` says why ("small": 1 to 4 persons; "derived": it would reveal a small one).
#[derive(Serialize)]
pub struct CountResponse {
    count: Option<i64>,
    suppressed: Option<&'static str>,
}

impl From<Shown> for CountResponse {
    fn from(s: Shown) -> Self {
        match s {
            Shown::Count(n) => CountResponse {
                count: Some(n),
                suppressed: None,
            },
            Shown::Small => CountResponse {
                count: None,
                suppressed: Some("small"),
            },
            Shown::Hidden => CountResponse {
                count: None,
                suppressed: Some("derived"),
            },
        }
    }
}

#[derive(Serialize)]
pub struct FigureItem {
    key: String,
    label: String,
    #[serde(flatten)]
    count: CountResponse,
    /// Hand-off types only: waiting days (median, 90th percentile), null below five hand-offs.
    #[serde(skip_serializing_if = "Option::is_none")]
    median_days: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p90_days: Option<Option<f64>>,
}

#[derive(Serialize)]
pub struct FigureResponse {
    from: Date,
    to: Date,
    by: &'static str,
    label: &'static str,
    /// The smallest group a count is shown for.
    min_group: i64,
    /// When the figures were counted (epoch milliseconds): now, or in a large district the
    /// latest count of the period (decision 0012, "Case figures are served from snapshots").
    as_of: i64,
    /// The keys with persons (keys with none are left out).
    items: Vec<FigureItem>,
    total: CountResponse,
}

/// One figure of the period: from the period's snapshot where counting is expensive (and a
/// count in the background when it is stale), else counted now. The caller waits rather than
/// getting nothing; where counting is slow only its figure is counted in the request and the
/// period's other figures behind the scenes, else all nine are counted and kept.
async fn figure_of(
    app: &AppState,
    by: CaseFigure,
    from: Date,
    to: Date,
    towns: &[(String, String)],
) -> Result<(lotse_store::statistics::Figure, i64), ApiError> {
    use lotse_store::statistics::snapshots::{self, Plan};
    let now = app.now();
    let (stored, last) = snapshots::stored_with_cost(&app.db, from, to).await?;
    if let (Plan::Serve { refresh }, Some(s)) =
        (snapshots::plan(stored.as_ref(), last, now, true), &stored)
    {
        if refresh {
            crate::pages::cases::statistics::count_in_background(app, from, to);
        }
        if let Some(figure) = s
            .figures
            .iter()
            .find(|c| c.by == by.key())
            .and_then(|c| c.shown(from, to, towns))
        {
            return Ok((figure, s.computed_at));
        }
    }
    if last.is_some_and(|ms| ms >= snapshots::WORTH_KEEPING_MS) {
        // Slow here: this one figure now, all nine for the next caller behind the scenes.
        crate::pages::cases::statistics::count_in_background(app, from, to);
        let figure = lotse_store::statistics::case_figure(&app.db, by, from, to, towns).await?;
        return Ok((figure, now));
    }
    let counted = snapshots::count_and_keep(&app.db, from, to, now).await?;
    let figure = counted
        .figures
        .iter()
        .find(|c| c.by == by.key())
        .and_then(|c| c.shown(from, to, towns))
        .ok_or(lotse_store::StoreError::NotFound)?;
    Ok((figure, now))
}

/// Case figures of a period by one characteristic, under the statistics rule.
pub async fn statistics(
    State(app): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let Some(by) = CaseFigure::parse(&q.by) else {
        let keys: Vec<&str> = CaseFigure::ALL.iter().map(|f| f.key()).collect();
        return Ok(super::bad_parameter(
            Some("by"),
            format!("by muss einer dieser Werte sein: {}", keys.join(", ")),
        ));
    };
    let (from, to) = match q.period(app.today()) {
        Ok(p) => p,
        Err(e) => return Ok(super::bad_parameter(Some(e.field), e.message)),
    };
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let (figure, as_of) = figure_of(&app, by, from, to, &towns).await?;
    let items = figure
        .lines
        .into_iter()
        .filter(|l| l.shown != Shown::Count(0))
        .map(|l| {
            let shown = l.durations.and_then(|d| d.shown());
            FigureItem {
                key: l.key,
                label: l.label,
                count: l.shown.into(),
                median_days: l.durations.map(|_| shown.map(|s| s.0)),
                p90_days: l.durations.map(|_| shown.map(|s| s.1)),
            }
        })
        .collect();
    // A total of no one is "fewer than five" like any other: no count below five leaves.
    let total = match figure.total {
        Shown::Count(0) => Shown::Small,
        other => other,
    };
    Ok(Json(FigureResponse {
        from: figure.from,
        to: figure.to,
        by: figure.by,
        label: figure.label,
        min_group: lotse_store::statistics::MIN_GROUP,
        as_of,
        items,
        total: total.into(),
    })
    .into_response())
}
