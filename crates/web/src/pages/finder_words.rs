//! The finder's dictionary of compound parts, as editors see it (decision 0013): the words they
//! added, one per line, and a probe that shows how the finder reads a word. The shipped words
//! and every word that stands on its own in an offer are in the dictionary anyway; added words
//! are for parts that never stand alone ("Kita" in "Kitaplatz" if no offer writes "Kita").

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::offer::{FinderWordError, parse_finder_words};
use lotse_store::settings;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "offers/words.html")]
struct WordsPage {
    layout: Layout,
    words: String,
    count: usize,
    errors: Vec<FinderWordError>,
    probe: String,
    /// How the finder reads the probe: the whole word's term, then its parts.
    probed: Option<(String, Vec<String>)>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct WordsQuery {
    pub ok: Option<String>,
    pub probe: String,
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<WordsQuery>,
) -> Result<Response, AppError> {
    let words = settings::finder_words(&app.db).await?;
    let probe = q.probe.trim().to_owned();
    let probed = if probe.is_empty() {
        None
    } else {
        let terms = app.finder.explain(&app.db, &probe).await?;
        terms
            .split_first()
            .map(|(whole, parts)| (whole.clone(), parts.to_vec()))
    };
    render(&WordsPage {
        layout: Layout::new(&app, &user, "Wörter der Suche", uri.path())
            .with_notice(q.ok.as_deref()),
        count: words.len(),
        words: words.join("\n"),
        errors: Vec::new(),
        probe,
        probed,
    })
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let text = form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "words")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let words = match parse_finder_words(&text) {
        Ok(words) => words,
        Err(errors) => {
            return render_invalid(&WordsPage {
                layout: Layout::new(&app, &user, "Wörter der Suche", uri.path()),
                count: 0,
                words: text,
                errors,
                probe: String::new(),
                probed: None,
            });
        }
    };
    let mut tx = app.db.begin().await?;
    settings::set_finder_words(&mut tx, &user.principal.actor(), &words, app.now()).await?;
    tx.commit().await?;
    // This node takes the words in at once; the others at their next look at the store.
    app.finder.words_changed(&app.db).await?;
    Ok(Redirect::to("/offers/words?ok=saved").into_response())
}
