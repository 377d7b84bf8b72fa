//! Requests to the interpreter pool in the API (decision 0017). A request the pool does not serve
//! is answered 422 with `error` set to the rule's code (`lead_time`, `excluded_setting`,
//! `recurring`, …) and `message` saying it in German; unreadable fields with `error: "invalid"`
//! and `errors` per field.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lotse_domain::Date;
use lotse_domain::interpreters::{Refusal, RequestInput, RequestStatus, time_text};
use lotse_store::interpreters::{self, Request, RequestFilter};
use lotse_store::scoped::Scoped;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ListRequest, Paged, Refused, known_value};
use crate::AppState;
use crate::error::ApiError;
use crate::guard::CurrentUser;

/// A request as the caller may see it.
#[derive(Serialize)]
pub struct RequestResponse {
    id: String,
    status: &'static str,
    organisation_id: String,
    organisation: String,
    language: String,
    dialect: String,
    date: Date,
    start: String,
    duration_minutes: i64,
    town: String,
    town_ags: String,
    setting: String,
    occasion: Option<String>,
    place: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
    /// Null for the assigned interpreter, who sees what the assignment needs.
    note: Option<String>,
    reason: Option<String>,
    interpreter: Option<String>,
    actual_minutes: Option<i64>,
    travel_km: Option<i64>,
    allowance_cents: Option<i64>,
}

impl From<Scoped<Request>> for RequestResponse {
    fn from(s: Scoped<Request>) -> Self {
        let whole = s.access.sees_all();
        let r = s.into_inner();
        RequestResponse {
            status: r.status().key(),
            id: r.id,
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            language: r.language,
            dialect: r.dialect,
            date: r.on_date,
            start: time_text(u16::try_from(r.start_minute).unwrap_or(0)),
            duration_minutes: r.duration_minutes,
            town: r.town,
            town_ags: r.town_ags,
            setting: r.setting,
            occasion: r.occasion,
            place: r.place,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            contact_email: r.contact_email,
            note: whole.then_some(r.note),
            reason: whole.then_some(r.reason),
            interpreter: r.interpreter,
            actual_minutes: r.actual_minutes,
            travel_km: r.travel_km,
            allowance_cents: r.allowance_cents,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListFilter {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    ListRequest { filter, page }: ListRequest<ListFilter>,
) -> Result<Response, ApiError> {
    let statuses: Vec<&str> = RequestStatus::ALL.iter().map(|s| s.key()).collect();
    let status = match known_value("status", filter.status.as_deref(), &statuses) {
        Ok(s) => s.and_then(RequestStatus::parse),
        Err(refused) => return Ok(refused.into_response()),
    };
    let viewer = user.principal.viewer();
    let page = interpreters::requests_for(&app.db, &viewer)
        .page(
            &RequestFilter {
                status,
                language: filter.language.filter(|l| !l.trim().is_empty()),
                ..RequestFilter::default()
            },
            &page,
            true,
        )
        .await?;
    Ok(Json(Paged::of(page, RequestResponse::from)).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RequestResponse>, ApiError> {
    let viewer = user.principal.viewer();
    let r = interpreters::requests_for(&app.db, &viewer)
        .get(&id)
        .await?;
    Ok(Json(r.into()))
}

/// A JSON value as the text the form would have sent: strings as they are, numbers written out.
fn text(body: &serde_json::Map<String, Value>, key: &str) -> Result<String, Refused> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err(Refused {
            field: Some(key.to_owned()),
            message: format!("{key}: ein Text oder eine Zahl."),
        }),
    }
}

fn flag(body: &serde_json::Map<String, Value>, key: &str) -> Result<bool, Refused> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Refused {
            field: Some(key.to_owned()),
            message: format!("{key}: true oder false."),
        }),
    }
}

fn unprocessable(body: Value) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The request's fields from the JSON body; an unreadable body or a field of the wrong kind
/// is a 400 naming it.
fn read_input(body: &[u8]) -> Result<(RequestInput, String), Refused> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Refused {
        field: None,
        message: format!("Ungültiges JSON: {e}"),
    })?;
    let Value::Object(map) = value else {
        return Err(Refused {
            field: None,
            message: "Erwartet wird ein JSON-Objekt.".into(),
        });
    };
    let input = RequestInput {
        language: text(&map, "language")?,
        dialect: text(&map, "dialect")?,
        date: text(&map, "date")?,
        start: text(&map, "start")?,
        duration_minutes: text(&map, "duration_minutes")?,
        town: text(&map, "town")?,
        setting: text(&map, "setting")?,
        occasion: text(&map, "occasion")?,
        recurring: flag(&map, "recurring")?,
        written: flag(&map, "written")?,
        long_counselling: flag(&map, "long_counselling")?,
        place: text(&map, "place")?,
        contact_name: text(&map, "contact_name")?,
        contact_phone: text(&map, "contact_phone")?,
        contact_email: text(&map, "contact_email")?,
        note: text(&map, "note")?,
    };
    Ok((input, text(&map, "organisation_id")?))
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let (mut input, organisation_id) = match read_input(&body) {
        Ok(x) => x,
        Err(refused) => return Ok(refused.into_response()),
    };
    crate::pages::interpreters::contact_defaults(&app, &user, &mut input).await?;
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let draft = match input.validate(app.today(), &towns) {
        Ok(d) => d,
        Err(Refusal::Rule { rule, message }) => {
            return Ok(unprocessable(json!({
                "error": rule.code(),
                "field": rule.field(),
                "message": message,
            })));
        }
        Err(Refusal::Invalid(errors)) => {
            let map: serde_json::Map<String, Value> = errors
                .iter()
                .map(|(f, m)| (f.to_owned(), m.into()))
                .collect();
            return Ok(unprocessable(json!({
                "error": "invalid",
                "message": errors.to_string(),
                "errors": map,
            })));
        }
    };
    let organisation_id = match organisation_id.trim() {
        "" => user.principal.organisation_id.clone(),
        other => other.to_owned(),
    };
    let viewer = user.principal.viewer();
    let id =
        interpreters::submit(&app.db, &viewer, &organisation_id, &draft, false, app.now()).await?;
    let created = interpreters::requests_for(&app.db, &viewer)
        .get(&id)
        .await?;
    Ok((
        StatusCode::CREATED,
        [("location", format!("/api/v1/interpreter-requests/{id}"))],
        Json(RequestResponse::from(created)),
    )
        .into_response())
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` of the unmet demand.
#[derive(Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// Requests that found nobody, per language: the unmet demand the gap analysis reads.
pub async fn unmet(
    State(app): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let today = app.today();
    let day = |field: &str, v: Option<&str>, default: Date| match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(t) => Date::iso(t).ok_or_else(|| Refused {
            field: Some(field.to_owned()),
            message: format!("{field}: ein Datum JJJJ-MM-TT."),
        }),
    };
    let from = match day(
        "from",
        q.from.as_deref(),
        today.years_back(1).unwrap_or(today),
    ) {
        Ok(d) => d,
        Err(r) => return Ok(r.into_response()),
    };
    let to = match day("to", q.to.as_deref(), today) {
        Ok(d) => d,
        Err(r) => return Ok(r.into_response()),
    };
    let rows = interpreters::unmet_by_language(&app.db, from, to).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|(language, count)| json!({"language": language, "count": count}))
        .collect();
    Ok(Json(json!({"from": from, "to": to, "items": items})).into_response())
}
