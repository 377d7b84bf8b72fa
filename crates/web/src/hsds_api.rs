//! The read-only HSDS 3.0 API under `/hsds`, so that other directories can consume ours: the
//! published offers as services, their organisations, service-at-locations and Lotse's
//! taxonomies, paged as the HSDS OpenAPI describes (`page` from 1, `per_page`, and the `Page`
//! fields around `contents`). Public, like the finder: nothing here is personal data.
//!
//! Harvesting the whole directory page by page is what this API is for, so a page costs the
//! same at any depth (decision 0009): the lists are slices of the finder's id-ordered
//! [`lotse_search::Listing`], and only the rows on the page are read from the store. Only
//! `search` ranks by relevance and therefore has the finder's window.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lotse_domain::hsds::{self, Directory, derived_id};
use lotse_domain::limits::{SEARCH_WINDOW, count_label};
use lotse_domain::offer::{TargetGroup, Topic};
use lotse_search::{ListFilter, OfferQuery};
use lotse_store::offer_exchange;
use lotse_store::offers::{self, PublishedOffer};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::pages::finder::{ParamError, number_param, refuse};

const DEFAULT_PER_PAGE: usize = 50;
/// At most 100 per page: the search path cannot give more, and both paths must page alike.
const MAX_PER_PAGE: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageParams {
    pub page: String,
    pub per_page: String,
    pub search: String,
    pub organization_id: String,
    pub taxonomy_term_id: String,
    pub taxonomy_id: String,
    pub full: String,
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(
            json!({ "error": format!("{what} gibt es nicht (oder es ist nicht veröffentlicht).") }),
        ),
    )
        .into_response()
}

/// (page from 1, per page), or the 400 that names the parameter.
fn paging(p: &PageParams) -> Result<(usize, usize), ParamError> {
    Ok((
        number_param("page", &p.page, 1, 1..=1_000_000)?,
        number_param("per_page", &p.per_page, DEFAULT_PER_PAGE, 1..=MAX_PER_PAGE)?,
    ))
}

/// The HSDS `Page` object around `contents`.
fn page_json(contents: Vec<Value>, total: usize, page: usize, per_page: usize) -> Value {
    page_json_within(contents, total, page, per_page, usize::MAX)
}

/// The same, with at most `max_pages` pages to offer (the search window).
fn page_json_within(
    contents: Vec<Value>,
    total: usize,
    page: usize,
    per_page: usize,
    max_pages: usize,
) -> Value {
    let total_pages = total.div_ceil(per_page).min(max_pages).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

fn is_true(text: &str) -> bool {
    matches!(text, "true" | "1")
}

async fn directory_of(app: &AppState, offers: &[PublishedOffer]) -> Result<Directory, AppError> {
    Ok(offer_exchange::export_offers(&app.db, offers, app.today()).await?)
}

/// `GET /hsds/`: what this API is.
pub async fn root() -> Response {
    Json(json!({
        "version": "3.0",
        "profile": "https://openreferral.org/",
        "openapi_url": "/api/v1/openapi.json",
    }))
    .into_response()
}

/// The topic or target group a `taxonomy_term_id` stands for; `None` for an unknown term.
fn term_filter(term: &str) -> Option<(Option<Topic>, Option<TargetGroup>)> {
    if term.is_empty() {
        return Some((None, None));
    }
    let topic = Topic::ALL
        .iter()
        .find(|t| derived_id(&["taxonomy_term", "lotse-themen", t.key()]) == term);
    let group = TargetGroup::ALL
        .iter()
        .find(|g| derived_id(&["taxonomy_term", "lotse-zielgruppen", g.key()]) == term);
    match (topic, group) {
        (Some(t), _) => Some((Some(*t), None)),
        (_, Some(g)) => Some((None, Some(*g))),
        _ => None,
    }
}

/// `GET /hsds/services`: published offers in id order, optionally of one organisation and/or
/// with one taxonomy term (as their attributes link it), whether current or not (`status` says).
/// With `search`, the finder's relevance order over current offers instead, within its window.
pub async fn services(
    State(app): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let (page, per_page) = match paging(&p) {
        Ok(x) => x,
        Err(e) => return Ok(e.into_response()),
    };
    let offset = (page - 1) * per_page;
    let Some((topic, target_group)) = term_filter(p.taxonomy_term_id.trim()) else {
        return Ok(Json(page_json(Vec::new(), 0, page, per_page)).into_response());
    };
    let mut max_pages = usize::MAX;
    let (found, total) = if p.search.trim().is_empty() {
        let organisation = Some(p.organization_id.trim().to_owned()).filter(|o| !o.is_empty());
        let listed = app
            .finder
            .listing(&app.db, move |l| {
                let filter = ListFilter {
                    organisation_id: organisation.as_deref(),
                    topic,
                    target_group,
                };
                l.services(filter, offset, per_page)
            })
            .await?;
        (
            offers::published_by_ids(&app.db, &listed.items).await?,
            listed.total,
        )
    } else {
        // Ranking needs the best offset + per_page hits: the finder's window holds here too.
        if offset + per_page > SEARCH_WINDOW {
            return Ok(refuse(
                "page",
                format!(
                    "page: Mit search gibt es nur die ersten {} Treffer (page × per_page ≤ {}). \
                     Bitte die Suche eingrenzen; ohne search liefert /hsds/services alle Angebote \
                     seitenweise.",
                    count_label(SEARCH_WINDOW),
                    count_label(SEARCH_WINDOW)
                ),
            )
            .into_response());
        }
        max_pages = SEARCH_WINDOW / per_page;
        let query = OfferQuery {
            text: p.search.chars().take(200).collect(),
            today: Some(app.today()),
            limit: per_page,
            offset,
            topic,
            target_group,
            ..OfferQuery::default()
        };
        let result = app.finder.search(&app.db, query).await?;
        let ids: Vec<String> = result.cards.into_iter().map(|c| c.id).collect();
        (offers::published_by_ids(&app.db, &ids).await?, result.total)
    };
    let directory = directory_of(&app, &found).await?;
    let full = is_true(&p.full);
    // Full services are nested through one index over the page's tables, not a scan per service.
    let contents = if full {
        hsds::services_json(&directory)
    } else {
        directory
            .rows("service")
            .iter()
            .map(|s| hsds::row_json("service", s))
            .collect()
    };
    Ok(Json(page_json_within(contents, total, page, per_page, max_pages)).into_response())
}

/// `GET /hsds/services/{id}`: one service fully nested.
pub async fn service(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let found = offers::published_by_ids(&app.db, std::slice::from_ref(&id)).await?;
    if found.is_empty() {
        return Ok(not_found("Dieses Angebot"));
    }
    let directory = directory_of(&app, &found).await?;
    Ok(match hsds::service_json(&directory, &id) {
        Some(json) => Json(json).into_response(),
        None => not_found("Dieses Angebot"),
    })
}

/// `GET /hsds/organizations`: the organisations with published offers.
pub async fn organizations(
    State(app): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let (page, per_page) = match paging(&p) {
        Ok(x) => x,
        Err(e) => return Ok(e.into_response()),
    };
    let offset = (page - 1) * per_page;
    let listed = app
        .finder
        .listing(&app.db, move |l| l.organisations(offset, per_page))
        .await?;
    // The page's organisations only, read by id and kept in the listing's order.
    let ids: Vec<&str> = listed.items.iter().map(String::as_str).collect();
    let contents = lotse_store::organisations::by_ids(&app.db, &ids)
        .await?
        .into_iter()
        .map(|o| {
            json!({
                "id": o.id, "name": o.name, "description": o.kind_label,
                "email": o.email, "website": o.website,
            })
        })
        .map(|mut v| {
            // HSDS leaves out what is empty.
            if let Some(map) = v.as_object_mut() {
                map.retain(|k, x| k == "description" || x.as_str() != Some(""));
            }
            v
        })
        .collect();
    Ok(Json(page_json(contents, listed.total, page, per_page)).into_response())
}

/// `GET /hsds/organizations/{id}`: the organisation with its places and its services (nested).
pub async fn organization(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (found, _) = offers::published_page(&app.db, Some(&id), 10_000, 0).await?;
    if found.is_empty() {
        return Ok(not_found("Diese Organisation"));
    }
    let directory = directory_of(&app, &found).await?;
    let Some(mut json) = hsds::organization_json(&directory, &id) else {
        return Ok(not_found("Diese Organisation"));
    };
    json["services"] = Value::Array(hsds::services_json(&directory));
    Ok(Json(json).into_response())
}

/// `GET /hsds/service_at_locations`: every (service, place) pair, paged.
pub async fn service_at_locations(
    State(app): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let (page, per_page) = match paging(&p) {
        Ok(x) => x,
        Err(e) => return Ok(e.into_response()),
    };
    let offset = (page - 1) * per_page;
    let listed = app
        .finder
        .listing(&app.db, move |l| l.service_at_locations(offset, per_page))
        .await?;
    let mut ids: Vec<String> = listed.items.iter().map(|(id, _)| id.clone()).collect();
    ids.dedup();
    let found = offers::published_by_ids(&app.db, &ids).await?;
    let directory = directory_of(&app, &found).await?;
    let rows = directory.rows("service_at_location");
    let contents: Vec<Value> = listed
        .items
        .iter()
        .filter_map(|(offer, n)| {
            let id = derived_id(&[offer, "service_at_location", &n.to_string()]);
            rows.iter().find(|r| r.get("id") == Some(&id))
        })
        .map(|sal| hsds::service_at_location_json(&directory, sal))
        .collect();
    Ok(Json(page_json(contents, listed.total, page, per_page)).into_response())
}

/// `GET /hsds/service_at_locations/{id}`.
pub async fn service_at_location(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    // The id is derived from the offer's id and the place's position (see `hsds::derived_id`);
    // the listing knows which offer it belongs to.
    let asked = id.clone();
    let owner = app
        .finder
        .listing(&app.db, move |l| l.offer_of_place(&asked))
        .await?;
    let Some(offer) = owner else {
        return Ok(not_found("Dieses Angebot an diesem Ort"));
    };
    let found = offers::published_by_ids(&app.db, std::slice::from_ref(&offer)).await?;
    let directory = directory_of(&app, &found).await?;
    Ok(
        match directory
            .rows("service_at_location")
            .iter()
            .find(|r| r.get("id") == Some(&id))
        {
            Some(sal) => {
                let mut json = hsds::service_at_location_json(&directory, sal);
                if let Some(service) = hsds::service_json(&directory, &offer) {
                    json["service"] = service;
                }
                Json(json).into_response()
            }
            None => not_found("Dieses Angebot an diesem Ort"),
        },
    )
}

/// The taxonomy tables are the same for every offer: take them from an empty export.
fn vocabulary() -> Directory {
    hsds::export(&[], &[], &[])
}

fn list_of(table: &str, p: &PageParams) -> Response {
    let (page, per_page) = match paging(p) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let d = vocabulary();
    let rows: Vec<&hsds::Row> = d
        .rows(table)
        .iter()
        .filter(|r| {
            table != "taxonomy_term"
                || p.taxonomy_id.trim().is_empty()
                || r.get("taxonomy_id").map(String::as_str) == Some(p.taxonomy_id.trim())
        })
        .collect();
    let contents = rows
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|r| hsds::row_json(table, r))
        .collect();
    Json(page_json(contents, rows.len(), page, per_page)).into_response()
}

fn one_of(table: &str, id: &str, what: &str) -> Response {
    let d = vocabulary();
    match d
        .rows(table)
        .iter()
        .find(|r| r.get("id").map(String::as_str) == Some(id))
    {
        Some(r) => Json(hsds::row_json(table, r)).into_response(),
        None => not_found(what),
    }
}

pub async fn taxonomies(Query(p): Query<PageParams>) -> Response {
    list_of("taxonomy", &p)
}

pub async fn taxonomy(Path(id): Path<String>) -> Response {
    one_of("taxonomy", &id, "Diese Taxonomie")
}

pub async fn taxonomy_terms(Query(p): Query<PageParams>) -> Response {
    list_of("taxonomy_term", &p)
}

pub async fn taxonomy_term(Path(id): Path<String>) -> Response {
    one_of("taxonomy_term", &id, "Dieser Begriff")
}
