//! The person's rights on the case page (decision 0012, slice 7): correcting their data, the
//! answer to a request for access (JSON and PDF), and anonymising on request. The store
//! decides who may (`lotse_store::cases`): correcting is for whoever may change the case, the
//! export and anonymising for its assigned case manager.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::PersonInput;
use lotse_store::StoreError;
use lotse_store::cases::{self, PersonRecord};

use super::super::report::download;
use super::super::{render, render_invalid};
use super::{FormPage, IntakeInput, form_page};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::FormErrors;

/// The recorded person as the form shows it.
fn as_input(p: &PersonRecord) -> PersonInput {
    let day = |d: Option<lotse_domain::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    PersonInput {
        family_name: p.family_name.clone(),
        given_names: p.given_names.clone(),
        birth_date: day(p.birth_date),
        gender: p.gender.clone(),
        nationalities: p.nationalities.clone(),
        languages: p.languages.clone(),
        interpreter_needed: if p.interpreter_needed {
            "yes".into()
        } else {
            String::new()
        },
        interpreter_language: p.interpreter_language.clone(),
        arrived_in_germany: day(p.arrived_in_germany),
        arrived_in_district: day(p.arrived_in_district),
        town: p.town_ags.clone().unwrap_or_default(),
        residence_status: p.residence_status.clone(),
        residence_legal_basis: p.residence_legal_basis.clone(),
        residence_valid_until: day(p.residence_valid_until),
        jurisdiction: p.jurisdiction.clone(),
    }
}

async fn correction_page(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    person: PersonInput,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let viewer = user.principal.viewer();
    let case = cases::for_viewer(&app.db, &viewer)
        .get(id, app.now())
        .await?;
    if !case.access.change {
        return Err(StoreError::NotFound.into());
    }
    let path = format!("/cases/{id}/person");
    let form = IntakeInput {
        person,
        ..IntakeInput::default()
    };
    let mut page = form_page(app, user, &path, form, errors).await?;
    page.correcting = Some((id.to_owned(), case.shown_name()));
    Ok(page)
}

pub async fn person_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let store = cases::for_viewer(&app.db, &viewer);
    let case = store.get(&id, app.now()).await?;
    let person = store.person(&case).await?;
    render(&correction_page(&app, &user, &id, as_input(&person), FormErrors::none()).await?)
}

pub async fn correct(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let input: IntakeInput = serde_html_form::from_str(&body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    // Not found before the form is looked at, for whoever may not change the case.
    correction_page(&app, &user, &id, PersonInput::default(), FormErrors::none()).await?;
    let viewer = user.principal.viewer();
    let result = match input.person.validate(app.today()) {
        Ok(draft) => {
            app.db
                .write(async |tx| cases::correct_person(tx, &viewer, &id, &draft, app.now()).await)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &correction_page(&app, &user, &id, input.person, FormErrors(errors)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

async fn subject_access(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<cases::SubjectAccess, AppError> {
    let viewer = user.principal.viewer();
    let store = cases::for_viewer(&app.db, &viewer);
    let case = store.get(id, app.now()).await?;
    Ok(store.subject_access(&case, app.now()).await?)
}

/// Everything held about the person, as JSON (machine-readable, Art. 15 (3) and 20 GDPR).
pub async fn export_json(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = subject_access(&app, &user, &id).await?;
    let name = format!("auskunft-{}.json", export.pseudonym);
    let bytes = serde_json::to_vec_pretty(&export).map_err(|e| e.to_string());
    download(bytes, "application/json", &name)
}

/// The same as a PDF/A document to hand over.
pub async fn export_pdf(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = subject_access(&app, &user, &id).await?;
    let name = format!("auskunft-{}.pdf", export.pseudonym);
    let today = app.today();
    let bytes =
        tokio::task::spawn_blocking(move || lotse_reports::subject_access_pdf(&export, today))
            .await
            .map_err(|e| {
                AppError::Status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            })?;
    download(bytes, "application/pdf", &name)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnonymiseForm {
    confirm: String,
}

/// Anonymises the person on their request, once confirmed.
pub async fn anonymise(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<AnonymiseForm>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let case = cases::for_viewer(&app.db, &viewer)
        .get(&id, app.now())
        .await?;
    if !case.access.decide {
        return Err(StoreError::NotFound.into());
    }
    let result = if f.confirm.is_empty() {
        Err(StoreError::field(
            "anonymise",
            "Bitte bestätigen, dass die Person die Löschung verlangt hat.",
        ))
    } else {
        app.db
            .write(async |tx| cases::anonymise_on_request(tx, &viewer, &id, app.now()).await)
            .await
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let path = format!("/cases/{id}");
            render_invalid(&super::show_page(&app, &user, &path, &id, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}
