//! Staff pages, one module per area, named after the domain (see docs/glossary.md).

pub mod account;
pub mod audit;
pub mod bodies;
pub mod cases;
pub mod concepts;
pub mod dashboard;
pub mod finder;
pub mod finder_concepts;
pub mod finder_misses;
pub mod finder_words;
pub mod funding;
pub mod health;
pub mod jobs;
pub mod legal;
pub mod login;
pub mod measure_import;
pub mod measures;
pub mod offers;
pub mod organisations;
pub mod pick;
pub mod programmes;
pub mod reads;
pub mod report;
pub mod rounds;
pub mod settings;
pub mod structural_issues;
pub mod towns;
pub mod users;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{self, AppError};

/// The form of the (de)activate buttons on organisations and accounts.
#[derive(serde::Deserialize)]
pub struct ActiveForm {
    active: String,
}

impl ActiveForm {
    pub fn value(&self) -> Result<bool, AppError> {
        parse_flag("active", &self.active)
    }
}

/// A yes/no field of a one-button form (`true`/`false`), named in the error if it is neither.
pub fn parse_flag(field: &str, value: &str) -> Result<bool, AppError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(AppError::bad_request(format!(
            "Feld „{field}“: erwartet true oder false."
        ))),
    }
}

pub async fn not_found() -> Response {
    error::page_error(StatusCode::NOT_FOUND, "Diese Seite gibt es nicht.")
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A spreadsheet as a download.
pub fn xlsx_download(bytes: Result<Vec<u8>, String>, filename: &str) -> Result<Response, AppError> {
    let bytes = bytes.map_err(|e| AppError::Status(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, XLSX.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Renders a template into a response.
pub fn render(t: &impl askama::Template) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a form again with its errors: 422 tells tests and tools that the input was refused.
pub fn render_invalid(t: &impl askama::Template) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
}

/// The write every form makes: validate, then write in one transaction. Refusals of both kinds
/// (the input's own rules, the store's checks such as duplicates) come back as
/// `StoreError::Invalid`, so [`saved_or_again`] can show them at the form's fields.
pub async fn write_validated<D, T>(
    db: &lotse_store::Db,
    validated: Result<D, lotse_domain::FieldErrors>,
    write: impl AsyncFnOnce(&mut lotse_store::Tx, D) -> Result<T, lotse_store::StoreError>,
) -> Result<T, lotse_store::StoreError> {
    let draft = validated.map_err(lotse_store::StoreError::Invalid)?;
    db.write(async |tx| write(tx, draft).await).await
}

/// After a form's write: on to `to` when saved, the form again (422) when refused, an error page
/// for anything else.
pub async fn saved_or_again<T>(
    result: Result<T, lotse_store::StoreError>,
    to: impl FnOnce(T) -> String,
    again: impl AsyncFnOnce(lotse_domain::FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(saved) => Ok(axum::response::Redirect::to(&to(saved)).into_response()),
        Err(lotse_store::StoreError::Invalid(errors)) => again(errors).await,
        Err(e) => Err(e.into()),
    }
}

/// A vocabulary's (key, German label) pairs, for the select and checkbox macros.
pub(crate) use lotse_domain::vocabulary_options;
