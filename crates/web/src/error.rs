//! How failures reach the user: a German error page for people, JSON for machines. Internal
//! details go to the log (with the request id), never to the response.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lotse_store::StoreError;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Nicht gefunden",
        StatusCode::FORBIDDEN => "Kein Zugriff",
        StatusCode::UNAUTHORIZED => "Anmeldung erforderlich",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Ungültige Eingabe",
        StatusCode::SERVICE_UNAVAILABLE => "Bitte gleich noch einmal versuchen",
        _ => "Ein Fehler ist aufgetreten",
    }
}

const BUSY: &str = "Gerade sind sehr viele Anmeldungen gleichzeitig unterwegs. Bitte in einigen Sekunden noch einmal versuchen.";

pub fn page_error(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title: title(status),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

pub fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

pub fn internal(e: impl std::fmt::Display, api: bool) -> Response {
    tracing::error!(error = %e, "internal error");
    let message = "Interner Fehler. Bitte später erneut versuchen; die Administration kann den Vorgang anhand der Anfrage-ID im Protokoll finden.";
    if api {
        api_error(StatusCode::INTERNAL_SERVER_ERROR, message)
    } else {
        page_error(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// The error type of page handlers.
#[derive(Debug)]
pub enum AppError {
    Store(StoreError),
    Template(askama::Error),
    Status(StatusCode, String),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::Status(StatusCode::BAD_REQUEST, message.into())
    }

    /// The request came too late: someone changed the record meanwhile (a share answered).
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Status(StatusCode::CONFLICT, message.into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Template(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Store(StoreError::NotFound) => page_error(
                StatusCode::NOT_FOUND,
                "Diesen Eintrag gibt es nicht (mehr).",
            ),
            AppError::Store(StoreError::Invalid(e)) => {
                page_error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
            }
            AppError::Store(StoreError::Busy(_)) => {
                page_error(StatusCode::SERVICE_UNAVAILABLE, BUSY)
            }
            AppError::Store(e) => internal(e, false),
            AppError::Template(e) => internal(e, false),
            AppError::Status(status, message) => page_error(status, &message),
        }
    }
}

/// The error type of API handlers: the same cases, answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Store(StoreError::NotFound) => api_error(StatusCode::NOT_FOUND, "not found"),
            AppError::Store(StoreError::Invalid(errors)) => {
                let map: serde_json::Map<String, serde_json::Value> = errors
                    .iter()
                    .map(|(f, m)| (f.to_owned(), m.into()))
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(serde_json::json!({ "errors": map })),
                )
                    .into_response()
            }
            AppError::Store(StoreError::Busy(_)) => {
                api_error(StatusCode::SERVICE_UNAVAILABLE, BUSY)
            }
            AppError::Store(e) => internal(e, true),
            AppError::Template(e) => internal(e, true),
            AppError::Status(status, message) => api_error(status, &message),
        }
    }
}
