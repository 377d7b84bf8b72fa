//! The staff search in the header: one query over measures, offers, organisations, programmes
//! and decisions, each part only if the person's roles may see that kind of record and through
//! the same scoped reads as its list (a provider finds other organisations' offers only as
//! published). Each part shows its first hits and leads to its list filtered by the same words.

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::paging::PageRequest;

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, url_encode};

/// Hits shown per kind; the rest is behind "all N".
const HITS: usize = 5;

pub struct Hit {
    pub title: String,
    pub detail: String,
    pub href: String,
}

pub struct Part {
    pub heading: &'static str,
    pub hits: Vec<Hit>,
    /// "12" or "über 1.000".
    pub total: String,
    /// The list filtered by the same words, when it has more than the hits shown.
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    parts: Vec<Part>,
    /// Too short to search (fewer than two letters).
    too_short: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

fn total(n: usize) -> String {
    crate::view::number_de(n as f64)
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let q: String = query.q.trim().chars().take(200).collect();
    let words: Vec<String> = lotse_domain::collation::fold(&q)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let too_short = q.chars().filter(|c| c.is_alphanumeric()).count() < 2;
    let roles = &user.principal.roles;
    let viewer = user.principal.viewer();
    let encoded = url_encode(&q);
    let mut parts = Vec::new();
    if !too_short {
        if any_allows(roles, Permission::ViewMeasures) {
            let filter = lotse_store::measures::MeasureFilter {
                q: q.clone(),
                ..Default::default()
            };
            let page =
                lotse_store::measures::page(&app.db, &filter, &PageRequest::first(HITS)).await?;
            let count = lotse_store::measures::count(&app.db, &filter).await?;
            parts.push(Part {
                heading: "Maßnahmen",
                hits: page
                    .items
                    .into_iter()
                    .map(|m| Hit {
                        detail: format!("{} {}", m.concept, m.code),
                        href: format!("/measures/{}", m.id),
                        title: m.title,
                    })
                    .collect(),
                more: super::dashboard::more_than(count, HITS)
                    .then(|| format!("/measures?q={encoded}")),
                total: super::dashboard::figure(count),
            });
        }
        if any_allows(roles, Permission::ViewOffers) {
            let offers = lotse_store::offers::for_viewer(&app.db, &viewer);
            let filter = lotse_store::offers::OfferFilter {
                q: q.clone(),
                ..Default::default()
            };
            let today = app.today();
            let page = offers
                .list(&filter, today, &PageRequest::first(HITS))
                .await?;
            let count = offers.count(&filter, today).await?;
            parts.push(Part {
                heading: "Angebote",
                hits: page
                    .items
                    .into_iter()
                    .map(|o| Hit {
                        detail: o.organisation.clone(),
                        href: format!("/offers/{}", o.id),
                        title: o.record.title.clone(),
                    })
                    .collect(),
                more: super::dashboard::more_than(count, HITS)
                    .then(|| format!("/offers?q={encoded}&organisation=")),
                total: super::dashboard::figure(count),
            });
        }
        if any_allows(roles, Permission::ViewOrganisations) {
            let filter = lotse_store::organisations::OrganisationFilter {
                q: q.clone(),
                ..Default::default()
            };
            let page =
                lotse_store::organisations::page(&app.db, &filter, &PageRequest::first(HITS))
                    .await?;
            let count = lotse_store::organisations::count(&app.db, &filter).await?;
            parts.push(Part {
                heading: "Organisationen",
                hits: page
                    .items
                    .into_iter()
                    .map(|o| Hit {
                        detail: o.city.clone(),
                        href: format!("/organisations/{}", o.id),
                        title: o.name,
                    })
                    .collect(),
                more: super::dashboard::more_than(count, HITS)
                    .then(|| format!("/organisations?q={encoded}")),
                total: super::dashboard::figure(count),
            });
        }
        if any_allows(roles, Permission::ViewProgrammes) {
            let found: Vec<_> = lotse_store::programmes::for_viewer(&app.db, &viewer)
                .list()
                .await?
                .into_iter()
                .filter(|p| {
                    let name = lotse_domain::collation::fold(&p.name);
                    words.iter().all(|w| name.contains(w.as_str()))
                })
                .collect();
            parts.push(Part {
                heading: "Programme",
                total: total(found.len()),
                more: (found.len() > HITS).then(|| "/programmes".to_owned()),
                hits: found
                    .into_iter()
                    .take(HITS)
                    .map(|p| Hit {
                        detail: p.part_of_name.clone().unwrap_or_default(),
                        href: format!("/programmes/{}", p.id),
                        title: p.name.clone(),
                    })
                    .collect(),
            });
        }
        if any_allows(roles, Permission::ViewBodies) {
            let (found, n) = lotse_store::bodies::decisions_matching(&app.db, &words, HITS).await?;
            parts.push(Part {
                heading: "Beschlüsse",
                total: total(n),
                more: None,
                hits: found
                    .into_iter()
                    .map(|d| Hit {
                        title: format!("{} vom {}", d.number, d.decided_on.german()),
                        detail: format!("{}: {}", d.body, short(&d.text, 160)),
                        href: format!("/bodies/{}", d.body_id),
                    })
                    .collect(),
            });
        }
    }
    render(&SearchPage {
        layout: Layout::new(&app, &user, "Suche", uri.path()),
        q,
        parts,
        too_short,
    })
}

/// The start of a long text, cut at a word.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rsplit_once(' ') {
        Some((head, _)) => format!("{head} …"),
        None => format!("{cut} …"),
    }
}
