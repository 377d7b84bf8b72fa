//! "Gesucht und nicht gefunden" (decision 0013): the public searches that found nothing for
//! their words alone, most searched first, for the editors to act on (a concept, a word, an
//! offer) and then clear.

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::offer::Locale;
use lotse_store::finder_misses;

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, NoticeQuery, datetime, url_encode};

/// The most terms the page lists.
const LISTED: i64 = 200;

/// One line: the term, its language (key, German name, right to left), searches, last time,
/// and the links to act on it.
struct Line {
    term: String,
    lang: String,
    language: String,
    rtl: bool,
    searches: i64,
    last: String,
    new_concept: String,
    probe: String,
}

#[derive(Template)]
#[template(path = "offers/misses.html")]
struct MissesPage {
    layout: Layout,
    lines: Vec<Line>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let lines = finder_misses::most_searched(&app.db, LISTED)
        .await?
        .into_iter()
        .map(|m| {
            let locale = Locale::parse(&m.locale).unwrap_or(Locale::De);
            Line {
                new_concept: format!(
                    "/offers/concepts/new?{}={}",
                    locale.key(),
                    url_encode(&m.term)
                ),
                probe: format!("/offers/words?probe={}", url_encode(&m.term)),
                lang: locale.lang_tag().to_owned(),
                language: locale.german_name().to_owned(),
                rtl: locale.is_rtl(),
                searches: m.searches,
                last: datetime(m.last_at),
                term: m.term,
            }
        })
        .collect();
    render(&MissesPage {
        layout: Layout::new(&app, &user, "Gesucht und nicht gefunden", uri.path())
            .with_notice(q.ok.as_deref()),
        lines,
    })
}

pub async fn clear(State(app): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let mut tx = app.db.begin().await?;
    finder_misses::clear(&mut tx, &user.principal.actor(), app.now()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/offers/misses?ok=saved").into_response())
}
