//! The JSON API under `/api/v1`, for machine clients with a personal token (or a browser session).
//! Described by [`crate::openapi`]; a test checks that both list the same operations.
//!
//! One file per capability, beside the pages of the same name. Responses are types of their own
//! (never the store's rows), so that a column can change without changing the API; every list is
//! a [`Paged`] read with `after` and `limit`, paged in SQL like the staff lists.

pub mod accounts;
pub mod bodies;
pub mod cases;
pub mod funding;
pub mod interpreters;
pub mod measures;
pub mod offers;
pub mod organisations;
pub mod programmes;
pub mod rounds;
pub mod structural_issues;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use lotse_store::paging::{Cursor, DEFAULT_PAGE, MAX_PAGE, Page, PageRequest};
use lotse_store::reference::{self, Town};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::error::ApiError;

pub async fn openapi_document() -> Response {
    Json(crate::openapi::document()).into_response()
}

pub async fn towns(State(app): State<AppState>) -> Result<Json<Vec<Town>>, ApiError> {
    Ok(Json(reference::towns(&app.db).await?))
}

/// parameter is at fault, its name.
fn bad_parameter(field: Option<&str>, message: String) -> Response {
    let mut body = json!({ "error": message });
    if let Some(field) = field {
        body["field"] = json!(field);
    }
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// One page of a list: its entries and the cursor of the next page (`null` on the last).
#[derive(Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Paged<T> {
    pub fn of<R>(page: Page<R>, f: impl FnMut(R) -> T) -> Paged<T> {
        Paged {
            next: page.next.as_ref().map(Cursor::encode),
            items: page.items.into_iter().map(f).collect(),
        }
    }
}

/// `after` (the `next` of the page before) and `limit` (entries per page), shared by every list.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// A list request: the list's own filters `F` and the page, read from the query string. What
/// cannot be read, or what the SQL would silently reinterpret (a cursor this API did not hand
/// out, a limit outside 1 to [`MAX_PAGE`]), is refused with a JSON 400 naming the parameter.
pub struct ListRequest<F> {
    pub filter: F,
    pub page: PageRequest,
}

/// The filters of a list that has none.
#[derive(Deserialize, Default)]
pub struct NoFilter {}

impl<S: Send + Sync, F: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ListRequest<F> {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refused> {
        let unreadable = |e: QueryRejection| Refused {
            field: None,
            message: format!("Ungültige Parameter: {}", e.body_text()),
        };
        let Query(filter) = Query::<F>::from_request_parts(parts, state)
            .await
            .map_err(unreadable)?;
        let Query(q) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(unreadable)?;
        let after = match q.after.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(token) => Some(Cursor::decode(token).ok_or_else(|| {
                Refused {
                    field: Some("after".into()),
                    message:
                        "after: unbekannter Wert; bitte den Wert `next` der vorigen Seite angeben."
                            .into(),
                }
            })?),
        };
        let size = match q.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => DEFAULT_PAGE,
            Some(limit) => match limit.parse::<usize>() {
                Ok(n @ 1..=MAX_PAGE) => n,
                _ => {
                    return Err(Refused {
                        field: Some("limit".into()),
                        message: format!("limit: eine Zahl von 1 bis {MAX_PAGE}."),
                    });
                }
            },
        };
        Ok(ListRequest {
            filter,
            page: PageRequest { after, size },
        })
    }
}

/// A value a list filters by that must be one of a fixed vocabulary: anything else would match
/// nothing and hide a typo behind an empty list, so it is refused. Empty means "no filter".
pub(crate) fn known_value<'a>(
    field: &str,
    value: Option<&'a str>,
    known: &[&str],
) -> Result<Option<&'a str>, Refused> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if known.contains(&v) => Ok(Some(v)),
        Some(v) => {
            let known = known.join(", ");
            Err(Refused {
                field: Some(field.to_owned()),
                message: format!("{field}: unbekannter Wert „{v}“; bekannt: {known}."),
            })
        }
    }
}

/// A parameter the API refuses: answered 400 with the message and the parameter's name.
pub struct Refused {
    field: Option<String>,
    message: String,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        bad_parameter(self.field.as_deref(), self.message)
    }
}

/// `[{"id": …, "name": …}]` of (id, name) pairs.
#[derive(Serialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

pub(crate) fn named(pairs: Vec<(String, String)>) -> Vec<Named> {
    pairs
        .into_iter()
        .map(|(id, name)| Named { id, name })
        .collect()
}
