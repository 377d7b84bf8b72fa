//! The finder's concepts as the coordination edits them (decision 0013): a list, and a form per
//! concept with one field per finder language. A query naming any label of a concept also
//! searches for the others, in every language.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::finder_concept::{ConceptError, ConceptLabels, parse_concept};
use lotse_domain::offer::Locale;
use lotse_store::finder_concepts;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, NoticeQuery};

#[derive(Template)]
#[template(path = "offers/concepts.html")]
struct ListPage {
    layout: Layout,
    /// (id, German labels, the other languages' labels in words)
    concepts: Vec<(String, String, String)>,
}

/// One field of the form: language key, its German name, direction, what is typed, error.
struct LanguageField {
    key: &'static str,
    lang: &'static str,
    name: &'static str,
    rtl: bool,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "offers/concept_form.html")]
struct FormPage {
    layout: Layout,
    /// `None` for a new concept.
    id: Option<String>,
    fields: Vec<LanguageField>,
    errors: Vec<ConceptError>,
}

fn fields(labels: &BTreeMap<Locale, String>, errors: &[ConceptError]) -> Vec<LanguageField> {
    Locale::ALL
        .into_iter()
        .map(|l| LanguageField {
            key: l.key(),
            lang: l.lang_tag(),
            name: l.german_name(),
            rtl: l.is_rtl(),
            value: labels.get(&l).cloned().unwrap_or_default(),
            error: errors
                .iter()
                .find(|e| e.locale == l)
                .map(|e| e.message.clone()),
        })
        .collect()
}

fn typed(labels: &ConceptLabels) -> BTreeMap<Locale, String> {
    labels.iter().map(|(l, w)| (*l, w.join(", "))).collect()
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let concepts = finder_concepts::list(&app.db)
        .await?
        .into_iter()
        .map(|c| {
            let german = c
                .labels
                .get(&Locale::De)
                .map(|w| w.join(", "))
                .unwrap_or_default();
            let others: Vec<String> = Locale::translations()
                .filter_map(|l| {
                    c.labels
                        .get(&l)
                        .filter(|w| !w.is_empty())
                        .map(|w| format!("{}: {}", l.german_name(), w.join(", ")))
                })
                .collect();
            let others = if others.is_empty() {
                "noch keine Übersetzung".to_owned()
            } else {
                others.join(" · ")
            };
            (c.id, german, others)
        })
        .collect();
    render(&ListPage {
        layout: Layout::new(&app, &user, "Begriffe der Suche", uri.path())
            .with_notice(q.ok.as_deref()),
        concepts,
    })
}

/// A new concept; `?de=…` (or another language's key) fills that field in, as the list of
/// searches that found nothing links it.
pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let given = form_fields(uri.query().unwrap_or(""));
    render(&FormPage {
        layout: Layout::new(&app, &user, "Neuer Begriff der Suche", uri.path()),
        id: None,
        fields: fields(&given, &[]),
        errors: Vec::new(),
    })
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let concept = finder_concepts::get(&app.db, &id).await?;
    render(&FormPage {
        layout: Layout::new(&app, &user, "Begriff der Suche", uri.path()),
        id: Some(concept.id),
        fields: fields(&typed(&concept.labels), &[]),
        errors: Vec::new(),
    })
}

/// The form's fields as typed, by language.
fn form_fields(body: &str) -> BTreeMap<Locale, String> {
    form_urlencoded::parse(body.as_bytes())
        .filter_map(|(k, v)| Some((Locale::parse(&k)?, v.into_owned())))
        .collect()
}

async fn save(
    app: AppState,
    user: CurrentUser,
    uri: OriginalUri,
    id: Option<String>,
    body: String,
) -> Result<Response, AppError> {
    if let Some(id) = &id {
        // Not found before the form is looked at.
        finder_concepts::get(&app.db, id).await?;
    }
    let typed = form_fields(&body);
    let labels = match parse_concept(&typed) {
        Ok(labels) => labels,
        Err(errors) => {
            return render_invalid(&FormPage {
                layout: Layout::new(&app, &user, "Begriff der Suche", uri.path()),
                id,
                fields: fields(&typed, &errors),
                errors,
            });
        }
    };
    let mut tx = app.db.begin().await?;
    finder_concepts::save(
        &mut tx,
        &user.principal.actor(),
        id.as_deref(),
        &labels,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    app.finder.concepts_changed(&app.db).await?;
    Ok(Redirect::to("/offers/concepts?ok=saved").into_response())
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    save(app, user, uri, None, body).await
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    save(app, user, uri, Some(id), body).await
}

pub async fn withdraw(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut tx = app.db.begin().await?;
    finder_concepts::withdraw(&mut tx, &user.principal.actor(), &id, app.now()).await?;
    tx.commit().await?;
    app.finder.concepts_changed(&app.db).await?;
    Ok(Redirect::to("/offers/concepts?ok=saved").into_response())
}
