//! The staff offer directory: every offer as the caller may see it (a provider sees their own
//! organisation's offers whole, everyone else's as published; see docs/access.md).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_domain::offer::OfferContent;
use lotse_store::offers::{self, ListState, Offer, OfferFilter, OfferSummary, Revision};
use serde::{Deserialize, Serialize};

use super::{ListRequest, Paged, known_value};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;

#[derive(Serialize)]
pub struct OfferSummaryResponse {
    id: String,
    organisation_id: String,
    organisation: String,
    /// The newest title the caller may see.
    title: String,
    /// Published and its title, if it is.
    published_title: Option<String>,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
    verified_on: Option<Date>,
    withdrawn_at: Option<i64>,
    /// A change in progress (`draft`, `submitted`, `returned`), where the caller may see it.
    pending: Option<String>,
    fictitious: bool,
}

impl From<OfferSummary> for OfferSummaryResponse {
    fn from(o: OfferSummary) -> Self {
        OfferSummaryResponse {
            id: o.id,
            organisation_id: o.organisation_id,
            organisation: o.organisation,
            title: o.title,
            published_title: o.published_title,
            valid_from: o.valid_from,
            valid_to: o.valid_to,
            verified_on: o.verified_on,
            withdrawn_at: o.withdrawn_at,
            pending: o.open_state,
            fictitious: o.fictitious,
        }
    }
}

#[derive(Serialize)]
pub struct OfferResponse {
    id: String,
    organisation_id: String,
    organisation: String,
    title: String,
    verified_on: Option<Date>,
    withdrawn_at: Option<i64>,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
    /// What the public finder shows (while valid and not withdrawn).
    published: Option<RevisionResponse>,
    /// A change in progress, where the caller may see it.
    pending: Option<RevisionResponse>,
}

#[derive(Serialize)]
pub struct RevisionResponse {
    id: String,
    state: &'static str,
    saved_at: i64,
    note: String,
    content: OfferContent,
}

impl From<Revision> for RevisionResponse {
    fn from(r: Revision) -> Self {
        RevisionResponse {
            id: r.id,
            state: r.state.key(),
            saved_at: r.saved_at,
            note: r.note,
            content: r.content,
        }
    }
}

impl From<Offer> for OfferResponse {
    fn from(o: Offer) -> Self {
        OfferResponse {
            id: o.id,
            organisation_id: o.organisation_id,
            organisation: o.organisation,
            title: o.title,
            verified_on: o.verified_on,
            withdrawn_at: o.withdrawn_at,
            fictitious: o.fictitious,
            created_at: o.created_at,
            updated_at: o.updated_at,
            published: o.published.map(Into::into),
            pending: o.open.map(Into::into),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct OfferQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    q: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { filter, page }: ListRequest<OfferQuery>,
) -> Result<Response, ApiError> {
    let states = ListState::ALL.map(ListState::key);
    let state = match known_value("state", filter.state.as_deref(), &states) {
        Ok(s) => s.and_then(ListState::parse),
        Err(refused) => return Ok(refused.into_response()),
    };
    let filter = OfferFilter {
        organisation_id: filter
            .organisation
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty()),
        state,
        q: filter.q.unwrap_or_default(),
    };
    let viewer = user.principal.viewer();
    let page = offers::for_viewer(&app.db, &viewer)
        .list(&filter, app.today(), &page)
        .await?;
    Ok(Json(Paged::of(page, |o| OfferSummaryResponse::from(o.record))).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<OfferResponse>, ApiError> {
    let viewer = user.principal.viewer();
    let offer = offers::for_viewer(&app.db, &viewer).get(&id).await?;
    Ok(Json(offer.record.into()))
}
