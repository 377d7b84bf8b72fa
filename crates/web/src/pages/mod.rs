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
pub mod interpreters;
pub mod jobs;
pub mod legal;
pub mod login;
pub mod measure_import;
pub mod measures;
pub mod notifications;
pub mod offers;
pub mod organisations;
pub mod pick;
pub mod programmes;
pub mod reads;
pub mod report;
pub mod rounds;
pub mod school_counselling;
pub mod school_form;
pub mod search;
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
                attachment(filename),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `Content-Disposition` of a download: the name in ASCII for old clients (German letters
/// spelt out, ä → ae, ß → ss; anything else outside ASCII, quotes and backslashes as `_`) and,
/// where that differs, the name itself in RFC 5987's UTF-8 form (`filename*`), which browsers
/// prefer.
pub fn attachment(name: &str) -> String {
    let mut ascii = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'ä' => ascii.push_str("ae"),
            'ö' => ascii.push_str("oe"),
            'ü' => ascii.push_str("ue"),
            'Ä' => ascii.push_str("Ae"),
            'Ö' => ascii.push_str("Oe"),
            'Ü' => ascii.push_str("Ue"),
            'ß' => ascii.push_str("ss"),
            '"' | '\\' => ascii.push('_'),
            c if c.is_ascii_graphic() || c == ' ' => ascii.push(c),
            _ => ascii.push('_'),
        }
    }
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
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

#[cfg(test)]
mod tests {
    #[test]
    fn downloads_are_named_in_ascii_and_in_utf8() {
        assert_eq!(
            super::attachment("Sachstandsbericht-Überprüfung-2026-Stichtag-30.06.2026.pdf"),
            "attachment; filename=\"Sachstandsbericht-Ueberpruefung-2026-Stichtag-30.06.2026.pdf\"; \
             filename*=UTF-8''Sachstandsbericht-%C3%9Cberpr%C3%BCfung-2026-Stichtag-30.06.2026.pdf"
        );
        assert_eq!(
            super::attachment("massnahmen.xlsx"),
            "attachment; filename=\"massnahmen.xlsx\""
        );
        assert_eq!(
            super::attachment("a\"b ትግ.pdf"),
            "attachment; filename=\"a_b __.pdf\"; filename*=UTF-8''a%22b%20%E1%89%B5%E1%8C%8D.pdf"
        );
    }
}
