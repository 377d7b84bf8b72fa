//! The JSON API under `/api/v1`, for machine clients with a personal token (or a browser session).
//! Described by [`crate::openapi`]; a test checks that both list the same operations.
//!
//! One file per capability, beside the pages of the same name. Responses are types of their own
//! (never the store's rows), so that a column can change without changing the API; every list is
//! a [`Paged`] read with `after` and `limit`, paged in SQL like the staff lists.

pub mod bodies;
pub mod funding;
pub mod offers;
pub mod programmes;
pub mod rounds;
pub mod structural_issues;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use lotse_domain::measure::{Adaptation, KiInvolvement, MeasureStatus};
use lotse_domain::organisation::OrganisationInput;
use lotse_store::StoreError;
use lotse_store::organisations::{self, Organisation};
use lotse_store::paging::{Cursor, DEFAULT_PAGE, MAX_PAGE, Page, PageRequest};
use lotse_store::reference::{self, Town};
use lotse_store::users::{self, Principal, User};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::guard::CurrentUser;

pub async fn openapi_document() -> Response {
    Json(crate::openapi::document()).into_response()
}

pub async fn me(user: CurrentUser) -> Json<Principal> {
    Json(user.principal)
}

pub async fn towns(State(app): State<AppState>) -> Result<Json<Vec<Town>>, ApiError> {
    Ok(Json(reference::towns(&app.db).await?))
}

#[derive(Deserialize, Default)]
pub struct OrganisationQuery {
    #[serde(default)]
    include_inactive: bool,
}

/// A 400 in the shape of the public API's (`ParameterError`): the message and, where one
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

pub async fn organisations(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<OrganisationQuery>,
) -> Result<Response, ApiError> {
    let filter = organisations::OrganisationFilter {
        include_inactive: filter.include_inactive,
        ..Default::default()
    };
    let page = organisations::page(&app.db, &filter, &page).await?;
    Ok(Json(Paged::of(page, OrganisationResponse::from)).into_response())
}

/// An organisation as the API shows it.
#[derive(Serialize)]
pub struct OrganisationResponse {
    id: String,
    name: String,
    kind: String,
    kind_label: String,
    town_ags: Option<String>,
    town_name: Option<String>,
    street: String,
    postcode: String,
    city: String,
    email: String,
    phone: String,
    website: String,
    active: bool,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
    /// Its offers are published without waiting for the coordination's approval.
    trusted_publisher: bool,
}

impl From<Organisation> for OrganisationResponse {
    fn from(o: Organisation) -> Self {
        OrganisationResponse {
            id: o.id,
            name: o.name,
            kind: o.kind,
            kind_label: o.kind_label,
            town_ags: o.town_ags,
            town_name: o.town_name,
            street: o.street,
            postcode: o.postcode,
            city: o.city,
            email: o.email,
            phone: o.phone,
            website: o.website,
            active: o.active,
            fictitious: o.fictitious,
            created_at: o.created_at,
            updated_at: o.updated_at,
            trusted_publisher: o.trusted_publisher,
        }
    }
}

pub async fn organisation(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    Ok(Json(organisations::get(&app.db, &id).await?.into()))
}

pub async fn create_organisation(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<OrganisationInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(input) = body.map_err(|e| {
        AppError::Status(
            StatusCode::BAD_REQUEST,
            format!("Ungültiges JSON: {}", e.body_text()),
        )
    })?;
    let vocab = organisations::vocabulary(&app.db).await?;
    let draft = input.validate(&vocab).map_err(StoreError::Invalid)?;
    let mut tx = app.db.begin().await?;
    let id =
        organisations::create(&mut tx, &user.principal.actor(), &draft, false, app.now()).await?;
    tx.commit().await?;
    let org = organisations::get(&app.db, &id).await?;
    Ok((
        StatusCode::CREATED,
        [("location", format!("/api/v1/organisations/{id}"))],
        Json(OrganisationResponse::from(org)),
    )
        .into_response())
}

pub async fn users(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { page, .. }: ListRequest<NoFilter>,
) -> Result<Json<Paged<UserResponse>>, ApiError> {
    let page = users::read_account_page(&app.db, &user.principal.actor(), &page, app.now()).await?;
    Ok(Json(Paged::of(page, UserResponse::from)))
}

/// An account as the API shows it (never its password hash or second-factor secret).
#[derive(Serialize)]
pub struct UserResponse {
    id: String,
    username: String,
    display_name: String,
    email: String,
    organisation_id: String,
    organisation_name: String,
    active: bool,
    fictitious: bool,
    totp_enabled: bool,
    roles: Vec<lotse_domain::Role>,
    created_at: i64,
    updated_at: i64,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            organisation_id: u.organisation_id,
            organisation_name: u.organisation_name,
            active: u.active,
            fictitious: u.fictitious,
            totp_enabled: u.totp_enabled,
            roles: u.roles,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

pub async fn measures(
    State(app): State<AppState>,
    ListRequest { filter, page }: ListRequest<lotse_store::measures::MeasureFilter>,
) -> Result<Response, ApiError> {
    let vocabularies: [(&str, &str, &[&str]); 3] = [
        (
            "status",
            &filter.status,
            &MeasureStatus::ALL.map(MeasureStatus::key),
        ),
        (
            "ki",
            &filter.ki,
            &KiInvolvement::ALL.map(KiInvolvement::key),
        ),
        (
            "adaptation",
            &filter.adaptation,
            &Adaptation::ALL.map(Adaptation::key),
        ),
    ];
    for (field, value, known) in vocabularies {
        if let Err(refused) = known_value(field, Some(value), known) {
            return Ok(refused.into_response());
        }
    }
    let page = lotse_store::measures::page(&app.db, &filter, &page).await?;
    Ok(Json(Paged::of(page, MeasureResponse::from)).into_response())
}

/// A measure as the API shows it.
#[derive(Serialize)]
pub struct MeasureResponse {
    id: String,
    concept_id: String,
    concept: String,
    code: String,
    title: String,
    description: String,
    field_of_action_id: Option<String>,
    field_of_action: Option<String>,
    lead_organisation_id: Option<String>,
    lead_organisation: Option<String>,
    ki_involvement: String,
    target_group: String,
    planned_start: Option<String>,
    planned_end: Option<String>,
    status: String,
    tags: Vec<String>,
    fictitious: bool,
    /// [id, name]
    partners: Vec<(String, String)>,
    /// [AGS, name]; empty: all towns
    towns: Vec<(String, String)>,
    created_at: i64,
    updated_at: i64,
}

impl From<lotse_store::measures::Measure> for MeasureResponse {
    fn from(m: lotse_store::measures::Measure) -> Self {
        MeasureResponse {
            tags: m.tag_list().into_iter().map(str::to_owned).collect(),
            id: m.id,
            concept_id: m.concept_id,
            concept: m.concept,
            code: m.code,
            title: m.title,
            description: m.description,
            field_of_action_id: m.field_of_action_id,
            field_of_action: m.field_of_action,
            lead_organisation_id: m.lead_organisation_id,
            lead_organisation: m.lead_organisation,
            ki_involvement: m.ki_involvement,
            target_group: m.target_group,
            planned_start: m.planned_start,
            planned_end: m.planned_end,
            status: m.status,
            fictitious: m.fictitious,
            partners: m.partners,
            towns: m.towns,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

pub async fn measure(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<MeasureResponse>, ApiError> {
    Ok(Json(lotse_store::measures::get(&app.db, &id).await?.into()))
}
