//! The public registration for the first school counselling (decision 0018): a family
//! registers its children in its own language, on a phone, without an account. What arrives
//! waits for the KI's review.
//!
//! Abuse protection: a hidden field that people leave empty and form-filling robots do not
//! (answered like a success, stored nowhere), the limits of [`crate::public_forms`] per address
//! and overall, the store's ceiling of registrations waiting for review, and a small body
//! limit on the route. A refused submission writes nothing.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lotse_domain::offer::Locale;
use lotse_domain::school_counselling::{MOST_CHILDREN, RegistrationInput};
use lotse_store::school_counselling::{self as counselling, Received};

use super::finder::{LanguageLink, language_links, locale_from_path, public};
use super::school_counselling::{ChildRow, child_rows, parse_registration};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::public_forms::{Refused, client_address};

/// The form's address in a language.
pub fn path_of(locale: Locale) -> String {
    Texts::new(locale).legal_path("schulanmeldung")
}

/// Rows the public form shows; families with more send a second registration.
const CHILD_ROWS: usize = 4;
/// The hidden field people leave empty.
const TRAP: &str = "website";

#[derive(Template)]
#[template(path = "public/school.html")]
struct SchoolPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    action: String,
    form: RegistrationInput,
    children: Vec<ChildRow>,
    consent: bool,
    /// (field, message) in the page's language, in the form's order.
    errors: Vec<(String, String)>,
    towns: Vec<(String, String)>,
    family_languages: Vec<(String, String)>,
    sent: bool,
}

impl SchoolPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The languages a family can choose, each in itself ("العربية"), German first.
fn family_languages() -> Vec<(String, String)> {
    lotse_domain::offer::DELIVERY_LANGUAGES
        .iter()
        .map(|(c, _, own)| ((*c).to_owned(), (*own).to_owned()))
        .collect()
}

async fn page(
    app: &AppState,
    locale: Locale,
    form: RegistrationInput,
    consent: bool,
    errors: Vec<(String, String)>,
    sent: bool,
) -> Result<SchoolPage, AppError> {
    Ok(SchoolPage {
        t: Texts::new(locale),
        languages: language_links(locale, path_of),
        action: path_of(locale),
        children: child_rows(&form, CHILD_ROWS),
        form,
        consent,
        errors,
        towns: lotse_store::reference::town_names(&app.db).await?,
        family_languages: family_languages(),
        sent,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SentQuery {
    #[serde(default)]
    gesendet: String,
}

async fn show(app: &AppState, locale: Locale, q: SentQuery) -> Result<Response, AppError> {
    let html = page(
        app,
        locale,
        RegistrationInput::default(),
        false,
        Vec::new(),
        q.gesendet == "1",
    )
    .await?
    .render()?;
    Ok(public(html))
}

/// `GET /schulanmeldung`.
pub async fn show_german(
    State(app): State<AppState>,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    show(&app, Locale::De, q).await
}

/// `GET /{locale}/schulanmeldung`.
pub async fn show_translated(
    State(app): State<AppState>,
    Path(locale): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    if locale == "de" {
        return Ok(Redirect::permanent(&path_of(Locale::De)).into_response());
    }
    show(&app, locale_from_path(&locale)?, q).await
}

/// The domain's German message for a field, said in the page's language.
fn translated(t: &Texts, field: &str, input: &RegistrationInput) -> String {
    if let Some((name, n)) = field
        .strip_prefix("child_")
        .and_then(|f| f.rsplit_once('_'))
    {
        let row: usize = n.parse().unwrap_or(1);
        let typed = input.children.get(row.saturating_sub(1));
        let key = match name {
            "birth_date"
                if typed
                    .and_then(|c| lotse_domain::Date::parse(c.birth_date.trim()))
                    .is_some() =>
            {
                "school.error.child_age"
            }
            "schooling_years" => "school.error.child_schooling",
            _ if row > MOST_CHILDREN || input.children.iter().all(|c| c == &Default::default()) => {
                "school.error.children"
            }
            _ => "school.error.child",
        };
        return t.fill(key, &[("n", n)]);
    }
    let key = format!("school.error.{field}");
    let text = t.get(&key);
    if text.is_empty() {
        t.get("school.errors").to_owned()
    } else {
        text.to_owned()
    }
}

async fn submit(
    app: &AppState,
    locale: Locale,
    parts: &Parts,
    body: &str,
) -> Result<Response, AppError> {
    let t = Texts::new(locale);
    let (input, rest) = parse_registration(body);
    let consent = rest.iter().any(|(k, v)| k == "consent" && v == "yes");
    let thanks = format!("{}?gesendet=1#danke", path_of(locale));
    let again = async |errors: Vec<(String, String)>, status: StatusCode| {
        let html = page(app, locale, input.clone(), consent, errors, false)
            .await?
            .render()?;
        Ok::<Response, AppError>((status, Html(html)).into_response())
    };
    // Counted before anything is read further: a robot's flood is refused at the door.
    match app.public_forms.admit(client_address(parts), app.now()) {
        Ok(()) => {}
        Err(Refused::Address | Refused::Overall) => {
            return again(
                vec![("form".into(), t.get("school.error.too_many").into())],
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
        }
    }
    if rest.iter().any(|(k, v)| k == TRAP && !v.trim().is_empty()) {
        tracing::info!("public school registration with the trap field filled: discarded");
        return Ok(Redirect::to(&thanks).into_response());
    }
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let draft = match input.validate(app.today(), &towns, true) {
        Ok(d) => Some(d),
        Err(e) => {
            for (field, _) in e.iter() {
                if !errors.iter().any(|(f, _)| f == field) {
                    errors.push((field.to_owned(), translated(&t, field, &input)));
                }
            }
            None
        }
    };
    if !consent {
        errors.push(("consent".into(), t.get("school.error.consent").into()));
    }
    let Some(draft) = draft.filter(|_| errors.is_empty()) else {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match counselling::receive(&app.db, &draft, locale.key(), app.now()).await? {
        Received::Kept(_) => Ok(Redirect::to(&thanks).into_response()),
        Received::Full => {
            again(
                vec![("form".into(), t.get("school.error.full").into())],
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}

/// `POST /schulanmeldung`.
pub async fn submit_german(
    State(app): State<AppState>,
    parts: Parts,
    body: String,
) -> Result<Response, AppError> {
    submit(&app, Locale::De, &parts, &body).await
}

/// `POST /{locale}/schulanmeldung`.
pub async fn submit_translated(
    State(app): State<AppState>,
    Path(locale): Path<String>,
    parts: Parts,
    body: String,
) -> Result<Response, AppError> {
    submit(&app, locale_from_path(&locale)?, &parts, &body).await
}
