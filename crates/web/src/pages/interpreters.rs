//! The interpreter pool (decision 0017): requests from the district's institutions, the KI's
//! review and matching, the interpreters, and the monthly allowance statement.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::Date;
use lotse_domain::interpreters::{
    GermanLevel, InterpreterInput, Rates, Refusal, RequestInput, RequestStatus, SchoolOccasion,
    Setting, WEEKDAYS, earliest_day, languages, time_text, weekdays_of,
};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::StoreError;
use lotse_store::interpreters::{self, Interpreter, Match, Request, RequestFilter, StatementLine};
use lotse_store::paging::PageRequest;
use lotse_store::scoped::Scoped;

use super::funding::euro;
use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, date_de, figure};

type Options = Vec<(String, String)>;

fn language_options() -> Options {
    languages()
        .map(|(c, n)| (c.to_owned(), n.to_owned()))
        .collect()
}

fn field_label(field: &str) -> &str {
    match field {
        "language" => "Sprache",
        "dialect" => "Dialekt",
        "date" => "Tag",
        "start" => "Beginn",
        "duration_minutes" => "Dauer",
        "town" => "Ort",
        "setting" => "Einsatzbereich",
        "occasion" => "Anlass",
        "recurring" => "Wiederkehrend",
        "written" => "Schriftliche Übersetzung",
        "long_counselling" => "Längerer Beratungsprozess",
        "place" => "Adresse",
        "contact_name" => "Ansprechperson",
        "contact_phone" => "Telefon",
        "contact_email" => "E-Mail",
        "note" => "Hinweise",
        "organisation_id" => "Organisation",
        "reason" => "Begründung",
        "interpreter_id" => "Sprachmittlung",
        "actual_minutes" => "Tatsächliche Dauer",
        "travel_km" => "Fahrtkilometer",
        "status" => "Stand",
        "name" => "Name",
        "email" => "E-Mail",
        "phone" => "Telefon",
        "languages" => "Sprachen",
        "dialects" => "Dialekte",
        "level" => "Deutschniveau",
        "training" => "Schulung",
        "towns" => "Einsatzorte",
        "weekdays" => "Wochentage",
        "available_from" => "Verfügbar ab",
        "available_until" => "Verfügbar bis",
        "pledge_signed_on" => "Verschwiegenheitserklärung",
        "username" => "Benutzerkonto",
        "base" => "Grundbetrag",
        "base_minutes" => "Grundzeit",
        "extra_hour" => "Je weitere Stunde",
        "km" => "Je Kilometer",
        other => other,
    }
}

/// The requester's contact where the form or the API left it out: the signed-in account.
pub async fn contact_defaults(
    app: &AppState,
    user: &CurrentUser,
    input: &mut RequestInput,
) -> Result<(), AppError> {
    if input.contact_name.trim().is_empty() {
        input.contact_name = user.principal.display_name.clone();
    }
    if input.contact_email.trim().is_empty() {
        input.contact_email = lotse_store::users::get(&app.db, &user.principal.user_id)
            .await?
            .email;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Requests: list, form, one request
// ---------------------------------------------------------------------------------------------

/// A request as a row of the list and the head of its page.
pub struct RequestRow {
    pub id: String,
    pub when: String,
    pub language: String,
    pub town: String,
    pub organisation: String,
    pub setting: String,
    pub status: String,
    pub status_key: &'static str,
    pub interpreter: String,
    pub fictitious: bool,
}

impl From<&Request> for RequestRow {
    fn from(r: &Request) -> Self {
        let language = if r.dialect.is_empty() {
            r.language_name().to_owned()
        } else {
            format!("{} ({})", r.language_name(), r.dialect)
        };
        RequestRow {
            id: r.id.clone(),
            when: r.slot().german(),
            language,
            town: r.town.clone(),
            organisation: r.organisation.clone(),
            setting: Setting::parse(&r.setting)
                .map_or_else(|| r.setting.clone(), |s| s.label().to_owned()),
            status: r.status().label().to_owned(),
            status_key: r.status().key(),
            interpreter: r.interpreter.clone().unwrap_or_default(),
            fictitious: r.fictitious,
        }
    }
}

#[derive(Template)]
#[template(path = "interpreters/requests.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<RequestRow>,
    status: String,
    statuses: Options,
    language: String,
    languages: Options,
    can_request: bool,
    can_manage: bool,
    interpreter_only: bool,
    first: Option<String>,
    next: Option<String>,
    waiting: (i64, i64),
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    /// A status key, "open" (the default) or "all".
    #[serde(default)]
    status: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    after: String,
    ok: Option<String>,
}

const PAGE_SIZE: usize = 50;

fn list_link(status: &str, language: &str, after: Option<&str>) -> String {
    let status = if status == "open" { "" } else { status };
    crate::view::link_with(
        "/interpreters/requests",
        &[
            ("status", status),
            ("language", language),
            ("after", after.unwrap_or("")),
        ],
    )
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let roles = &user.principal.roles;
    let can_manage = any_allows(roles, Permission::ManageInterpreterPool);
    let can_request = any_allows(roles, Permission::RequestInterpreters);
    let status_key = match q.status.as_str() {
        "" => "open",
        s if s == "all" || RequestStatus::parse(s).is_some() => s,
        _ => "open",
    };
    let language = lotse_domain::interpreters::parse_language(&q.language).unwrap_or("");
    let filter = RequestFilter {
        status: RequestStatus::parse(status_key),
        open: status_key == "open",
        language: (!language.is_empty()).then(|| language.to_owned()),
        ..RequestFilter::default()
    };
    let viewer = user.principal.viewer();
    let page = interpreters::requests_for(&app.db, &viewer)
        .page(
            &filter,
            &PageRequest::new(Some(&q.after), Some(PAGE_SIZE)),
            false,
        )
        .await?;
    let mut statuses: Options = vec![
        ("open".into(), "offen".into()),
        ("all".into(), "alle".into()),
    ];
    statuses.extend(
        RequestStatus::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned())),
    );
    let interpreter_only = !can_manage && !can_request;
    let title = if interpreter_only {
        "Meine Einsätze"
    } else {
        "Sprachmittlung"
    };
    render(&ListPage {
        layout: Layout::new(&app, &user, title, uri.path()).with_notice(q.ok.as_deref()),
        rows: page
            .items
            .iter()
            .map(|r| RequestRow::from(&r.record))
            .collect(),
        first: (!page.first).then(|| list_link(status_key, language, None)),
        next: page
            .next
            .as_ref()
            .map(|c| list_link(status_key, language, Some(&c.encode()))),
        status: status_key.to_owned(),
        statuses,
        language: language.to_owned(),
        languages: language_options(),
        can_request,
        can_manage,
        interpreter_only,
        waiting: if can_manage {
            interpreters::waiting(&app.db).await?
        } else {
            (0, 0)
        },
    })
}

#[derive(Template)]
#[template(path = "interpreters/request_form.html")]
struct RequestForm {
    layout: Layout,
    form: RequestInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// The rule that refused the request, in a sentence, shown above the form.
    refusal: Option<String>,
    languages: Options,
    towns: Options,
    settings: Options,
    occasions: Options,
    /// The coordination asks on behalf of an organisation.
    organisations: Option<Options>,
    organisation_id: String,
    date_hint: String,
    rules: Vec<&'static str>,
}

async fn request_form(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    form: RequestInput,
    organisation_id: String,
    refusal: Option<&Refusal>,
) -> Result<RequestForm, AppError> {
    let errors = FormErrors(refusal.map(Refusal::field_errors).unwrap_or_default());
    let organisations = if any_allows(&user.principal.roles, Permission::ManageInterpreterPool) {
        Some(
            // The directory of the district's organisations: a few hundred at most.
            lotse_store::organisations::list(&app.db, false)
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect(),
        )
    } else {
        None
    };
    Ok(RequestForm {
        layout: Layout::new(app, user, "Sprachmittlung anfragen", path),
        summary: errors.summary(field_label),
        refusal: match refusal {
            Some(Refusal::Rule { message, .. }) => Some(message.clone()),
            _ => None,
        },
        errors,
        form,
        languages: language_options(),
        towns: lotse_store::reference::town_names(&app.db).await?,
        settings: Setting::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        occasions: SchoolOccasion::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        organisations,
        organisation_id,
        date_hint: format!(
            "frühestens am {} (fünf Werktage Vorlauf; Wochenenden und Feiertage in NRW zählen nicht)",
            earliest_day(app.today())
                .map(|d| date_de(&d))
                .unwrap_or_default()
        ),
        rules: lotse_domain::interpreters::PoolRule::ALL
            .iter()
            .map(|r| r.rule())
            .collect(),
    })
}

pub async fn new_request(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let form = RequestInput {
        duration_minutes: "60".into(),
        ..RequestInput::default()
    };
    render(&request_form(&app, &user, uri.path(), form, String::new(), None).await?)
}

fn parse_request(body: &str) -> (RequestInput, String) {
    let mut i = RequestInput::default();
    let mut organisation = String::new();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "language" => i.language = v,
            "dialect" => i.dialect = v,
            "date" => i.date = v,
            "start" => i.start = v,
            "duration_minutes" => i.duration_minutes = v,
            "town" => i.town = v,
            "setting" => i.setting = v,
            "occasion" => i.occasion = v,
            "recurring" => i.recurring = v == "yes",
            "written" => i.written = v == "yes",
            "long_counselling" => i.long_counselling = v == "yes",
            "place" => i.place = v,
            "contact_name" => i.contact_name = v,
            "contact_phone" => i.contact_phone = v,
            "contact_email" => i.contact_email = v,
            "note" => i.note = v,
            "organisation_id" => organisation = v,
            _ => {}
        }
    }
    (i, organisation)
}

pub async fn create_request(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let (mut input, organisation_id) = parse_request(&body);
    contact_defaults(&app, &user, &mut input).await?;
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let draft = match input.validate(app.today(), &towns) {
        Ok(d) => d,
        Err(refusal) => {
            return render_invalid(
                &request_form(
                    &app,
                    &user,
                    uri.path(),
                    input,
                    organisation_id,
                    Some(&refusal),
                )
                .await?,
            );
        }
    };
    let organisation = if organisation_id.trim().is_empty() {
        user.principal.organisation_id.clone()
    } else {
        organisation_id.clone()
    };
    let viewer = user.principal.viewer();
    match interpreters::submit(&app.db, &viewer, &organisation, &draft, false, app.now()).await {
        Ok(id) => Ok(
            Redirect::to(&format!("/interpreters/requests/{id}?ok=request_submitted"))
                .into_response(),
        ),
        Err(StoreError::Invalid(e)) => render_invalid(
            &request_form(
                &app,
                &user,
                uri.path(),
                input,
                organisation_id,
                Some(&Refusal::Invalid(e)),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// One proposed (or not proposed) interpreter on the request page.
pub struct MatchRow {
    pub id: String,
    pub name: String,
    pub fits: bool,
    pub why_not: &'static str,
    pub recent: String,
}

impl From<&Match> for MatchRow {
    fn from(m: &Match) -> Self {
        MatchRow {
            id: m.candidate.id.clone(),
            name: m.candidate.name.clone(),
            fits: m.fits.is_ok(),
            why_not: m.fits.err().map_or("", |w| w.label()),
            recent: figure(m.candidate.recent_assignments),
        }
    }
}

#[derive(Template)]
#[template(path = "interpreters/request.html")]
struct RequestPage {
    layout: Layout,
    r: Request,
    row: RequestRow,
    occasion: String,
    /// Whether the viewer sees the whole request (not only the assignment's fields).
    whole: bool,
    can_cancel: bool,
    can_decide: bool,
    matches: Vec<MatchRow>,
    allowance: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    past: bool,
}

async fn request_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
) -> Result<RequestPage, AppError> {
    let viewer = user.principal.viewer();
    let Scoped { record: r, access } = interpreters::requests_for(&app.db, &viewer).get(id).await?;
    let status = r.status();
    let can_decide =
        access.decide && any_allows(&user.principal.roles, Permission::ManageInterpreterPool);
    let matches =
        if can_decide && matches!(status, RequestStatus::Submitted | RequestStatus::Approved) {
            interpreters::proposal(&app.db, &viewer, id)
                .await?
                .iter()
                .map(MatchRow::from)
                .collect()
        } else {
            Vec::new()
        };
    let row = RequestRow::from(&r);
    Ok(RequestPage {
        layout: Layout::new(app, user, format!("Anfrage: {}", row.language), path)
            .with_notice(notice),
        occasion: r
            .occasion
            .as_deref()
            .and_then(SchoolOccasion::parse)
            .map(|o| o.label().to_owned())
            .unwrap_or_default(),
        whole: access.sees_all(),
        can_cancel: access.change
            && status.cancellable()
            && any_allows(&user.principal.roles, Permission::RequestInterpreters),
        can_decide,
        matches,
        allowance: r.allowance_cents.map(euro).unwrap_or_default(),
        summary: errors.summary(field_label),
        errors,
        past: r.on_date <= app.today(),
        row,
        r,
    })
}

pub async fn show_request(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<crate::view::NoticeQuery>,
) -> Result<Response, AppError> {
    render(
        &request_page(
            &app,
            &user,
            uri.path(),
            &id,
            q.ok.as_deref(),
            FormErrors::none(),
        )
        .await?,
    )
}

fn form_value(body: &str, key: &str) -> String {
    form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// After an action on a request: its page with a notice, or again with the refusal at its field.
async fn after_action(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    result: Result<(), StoreError>,
    notice: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/interpreters/requests/{id}?ok={notice}")).into_response())
        }
        Err(StoreError::Invalid(e)) => render_invalid(
            &request_page(
                app,
                user,
                &format!("/interpreters/requests/{id}"),
                id,
                None,
                FormErrors(e),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn cancel(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = interpreters::cancel(&app.db, &viewer, &id, app.now()).await;
    after_action(&app, &user, &id, result, "request_cancelled").await
}

pub async fn review(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = match form_value(&body, "decision").as_str() {
        "approve" => {
            interpreters::review(
                &app.db,
                &viewer,
                &id,
                true,
                &form_value(&body, "reason"),
                app.now(),
            )
            .await
        }
        "reject" => {
            interpreters::review(
                &app.db,
                &viewer,
                &id,
                false,
                &form_value(&body, "reason"),
                app.now(),
            )
            .await
        }
        _ => Err(StoreError::field(
            "status",
            "Bitte „Freigeben“ oder „Ablehnen“ wählen.",
        )),
    };
    // Make sure a request the viewer may not see is not found before anything else is said.
    if matches!(result, Err(StoreError::NotFound)) {
        return Err(StoreError::NotFound.into());
    }
    after_action(&app, &user, &id, result, "request_reviewed").await
}

pub async fn assign(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let interpreter = form_value(&body, "interpreter_id");
    let result = if interpreter.trim().is_empty() {
        // Found before the field is asked for: a request the viewer may not see is not found.
        interpreters::requests_for(&app.db, &viewer)
            .get(&id)
            .await?;
        Err(StoreError::field(
            "interpreter_id",
            "Bitte eine Person aus dem Vorschlag wählen.",
        ))
    } else {
        interpreters::assign(&app.db, &viewer, &id, interpreter.trim(), app.now()).await
    };
    after_action(&app, &user, &id, result, "request_assigned").await
}

pub async fn unmet(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = interpreters::mark_unmet(
        &app.db,
        &viewer,
        &id,
        &form_value(&body, "reason"),
        app.now(),
    )
    .await;
    after_action(&app, &user, &id, result, "request_unmet").await
}

pub async fn complete(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    // Found before its fields are read: a request the viewer may not see is not found.
    interpreters::requests_for(&app.db, &viewer)
        .get(&id)
        .await?;
    let number = |key: &str, label: &str| {
        let t = form_value(&body, key);
        t.trim()
            .parse::<i64>()
            .map_err(|_| StoreError::field(key, format!("{label}: eine ganze Zahl.")))
    };
    let result = match (
        number("actual_minutes", "Minuten"),
        number("travel_km", "Kilometer"),
    ) {
        (Ok(m), Ok(km)) => interpreters::complete(&app.db, &viewer, &id, m, km, app.now())
            .await
            .map(|_| ()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after_action(&app, &user, &id, result, "request_completed").await
}

// ---------------------------------------------------------------------------------------------
// The pool: interpreters
// ---------------------------------------------------------------------------------------------

pub struct InterpreterRow {
    pub id: String,
    pub name: String,
    pub languages: String,
    pub level: String,
    pub towns: String,
    pub days: String,
    pub pledge: bool,
    pub active: bool,
    pub fictitious: bool,
}

fn town_list(keys: &[String], towns: &Options) -> String {
    if keys.is_empty() {
        return "ganzer Kreis".to_owned();
    }
    keys.iter()
        .map(|k| {
            towns
                .iter()
                .find(|(a, _)| a == k)
                .map_or(k.as_str(), |(_, n)| n.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn interpreter_row(i: &Interpreter, towns: &Options) -> InterpreterRow {
    let days = i.available_days();
    InterpreterRow {
        id: i.id.clone(),
        name: i.name.clone(),
        languages: i
            .languages
            .iter()
            .map(|l| lotse_domain::offer::delivery_language_name(l).unwrap_or(l))
            .collect::<Vec<_>>()
            .join(", "),
        level: GermanLevel::parse(&i.level)
            .map_or_else(|| i.level.clone(), |l| l.label().to_owned()),
        towns: town_list(&i.town_keys(), towns),
        days: format!(
            "{}, {}–{} Uhr",
            WEEKDAYS
                .iter()
                .zip(days)
                .filter(|(_, on)| *on)
                .map(|(d, _)| *d)
                .collect::<Vec<_>>()
                .join(" "),
            time_text(u16::try_from(i.available_from).unwrap_or(0)),
            time_text(u16::try_from(i.available_until).unwrap_or(0))
        ),
        pledge: i.pledge_signed_on.is_some(),
        active: i.active,
        fictitious: i.fictitious,
    }
}

#[derive(Template)]
#[template(path = "interpreters/pool.html")]
struct PoolPage {
    layout: Layout,
    rows: Vec<InterpreterRow>,
    language: String,
    languages: Options,
    first: Option<String>,
    next: Option<String>,
    rate_form: RateForm,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// (language, count) of unmet requests in the last twelve months.
    unmet: Vec<(String, String)>,
    month: String,
}

/// The allowance rates as the form shows them, in euros.
pub struct RateForm {
    pub base: String,
    pub base_minutes: String,
    pub extra_hour: String,
    pub km: String,
}

fn euros_text(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

impl From<Rates> for RateForm {
    fn from(r: Rates) -> Self {
        RateForm {
            base: euros_text(r.base_cents),
            base_minutes: r.base_minutes.to_string(),
            extra_hour: euros_text(r.extra_hour_cents),
            km: euros_text(r.km_cents),
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PoolQuery {
    #[serde(default)]
    language: String,
    #[serde(default)]
    after: String,
    ok: Option<String>,
}

async fn pool_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    q: &PoolQuery,
    rate_form: Option<RateForm>,
    errors: FormErrors,
) -> Result<PoolPage, AppError> {
    let viewer = user.principal.viewer();
    let language = lotse_domain::interpreters::parse_language(&q.language).unwrap_or("");
    let page = interpreters::interpreters(
        &app.db,
        &viewer,
        Some(language),
        false,
        &PageRequest::new(Some(&q.after), Some(PAGE_SIZE)),
    )
    .await?;
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let link = |after: Option<&str>| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !language.is_empty() {
            s.append_pair("language", language);
        }
        if let Some(a) = after {
            s.append_pair("after", a);
        }
        format!("/interpreters/pool?{}", s.finish())
    };
    let rates = interpreters::rates(&app.db).await?;
    let today = app.today();
    let unmet =
        interpreters::unmet_by_language(&app.db, today.years_back(1).unwrap_or(today), today)
            .await?
            .into_iter()
            .map(|(l, n)| {
                (
                    lotse_domain::offer::delivery_language_name(&l)
                        .unwrap_or(&l)
                        .to_owned(),
                    figure(n),
                )
            })
            .collect();
    Ok(PoolPage {
        layout: Layout::new(app, user, "Sprachmittlerpool", path).with_notice(q.ok.as_deref()),
        rows: page
            .items
            .iter()
            .map(|i| interpreter_row(i, &towns))
            .collect(),
        first: (!page.first).then(|| link(None)),
        next: page.next.as_ref().map(|c| link(Some(&c.encode()))),
        language: language.to_owned(),
        languages: language_options(),
        rate_form: rate_form.unwrap_or_else(|| rates.into()),
        summary: errors.summary(field_label),
        errors,
        unmet,
        month: format!("{:04}-{:02}", today.year(), today.month()),
    })
}

pub async fn pool(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<PoolQuery>,
) -> Result<Response, AppError> {
    render(&pool_page(&app, &user, uri.path(), &q, None, FormErrors::none()).await?)
}

/// `12,50` or `12.50` or `12` euros as cents.
fn parse_euros(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('€').trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

pub async fn set_rates(
    State(app): State<AppState>,
    user: CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let form = RateForm {
        base: form_value(&body, "base"),
        base_minutes: form_value(&body, "base_minutes"),
        extra_hour: form_value(&body, "extra_hour"),
        km: form_value(&body, "km"),
    };
    let mut e = lotse_domain::FieldErrors::new();
    let mut euros = |field: &str, text: &str| {
        parse_euros(text).unwrap_or_else(|| {
            e.add(field, "Ein Betrag in Euro, z. B. 25,00.");
            0
        })
    };
    let base = euros("base", &form.base);
    let extra = euros("extra_hour", &form.extra_hour);
    let km = euros("km", &form.km);
    let minutes = form.base_minutes.trim().parse::<i64>().unwrap_or_else(|_| {
        e.add("base_minutes", "Minuten als ganze Zahl.");
        0
    });
    let result = if e.is_empty() {
        interpreters::set_rates(
            &app.db,
            &user.principal.viewer(),
            Rates {
                base_cents: base,
                base_minutes: minutes,
                extra_hour_cents: extra,
                km_cents: km,
            },
            app.now(),
        )
        .await
    } else {
        Err(StoreError::Invalid(e))
    };
    match result {
        Ok(()) => Ok(Redirect::to("/interpreters/pool?ok=saved").into_response()),
        Err(StoreError::Invalid(e)) => render_invalid(
            &pool_page(
                &app,
                &user,
                "/interpreters/pool",
                &PoolQuery::default(),
                Some(form),
                FormErrors(e),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "interpreters/interpreter_form.html")]
struct InterpreterForm {
    layout: Layout,
    action: String,
    form: InterpreterInput,
    username: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    languages: Options,
    levels: Options,
    towns: Options,
    weekdays: Vec<(usize, &'static str, bool)>,
}

async fn interpreter_form(
    app: &AppState,
    layout: Layout,
    action: String,
    form: InterpreterInput,
    username: String,
    errors: FormErrors,
) -> Result<InterpreterForm, AppError> {
    Ok(InterpreterForm {
        layout,
        action,
        weekdays: WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, d)| (i, *d, form.weekdays[i]))
            .collect(),
        form,
        username,
        summary: errors.summary(field_label),
        errors,
        languages: language_options(),
        levels: GermanLevel::ALL
            .iter()
            .map(|l| (l.key().to_owned(), l.label().to_owned()))
            .collect(),
        towns: lotse_store::reference::town_names(&app.db).await?,
    })
}

fn parse_interpreter(body: &str) -> (InterpreterInput, String) {
    let mut i = InterpreterInput::default();
    let mut username = String::new();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "name" => i.name = v,
            "email" => i.email = v,
            "phone" => i.phone = v,
            "languages" => i.languages.push(v),
            "dialects" => i.dialects = v,
            "level" => i.level = v,
            "training" => i.training = v,
            "towns" => i.towns.push(v),
            "weekdays" => {
                if let Ok(d) = v.parse::<usize>()
                    && d < 7
                {
                    i.weekdays[d] = true;
                }
            }
            "available_from" => i.available_from = v,
            "available_until" => i.available_until = v,
            "pledge_signed_on" => i.pledge_signed_on = v,
            "active" => i.active = v == "yes",
            "username" => username = v,
            _ => {}
        }
    }
    (i, username)
}

pub async fn new_interpreter(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let form = InterpreterInput {
        weekdays: [true, true, true, true, true, false, false],
        available_from: "08:00".into(),
        available_until: "20:00".into(),
        level: "b2".into(),
        active: true,
        ..InterpreterInput::default()
    };
    render(
        &interpreter_form(
            &app,
            Layout::new(&app, &user, "Person in den Pool aufnehmen", uri.path()),
            "/interpreters/pool".into(),
            form,
            String::new(),
            FormErrors::none(),
        )
        .await?,
    )
}

pub async fn create_interpreter(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let (input, username) = parse_interpreter(&body);
    let viewer = user.principal.viewer();
    let result = match input.validate(app.today()) {
        Ok(d) => {
            interpreters::create_interpreter(&app.db, &viewer, &d, &username, false, app.now())
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/interpreters/pool?ok=created").into_response()),
        Err(StoreError::Invalid(e)) => render_invalid(
            &interpreter_form(
                &app,
                Layout::new(&app, &user, "Person in den Pool aufnehmen", uri.path()),
                "/interpreters/pool".into(),
                input,
                username,
                FormErrors(e),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

fn input_of(i: &Interpreter) -> InterpreterInput {
    InterpreterInput {
        name: i.name.clone(),
        email: i.email.clone(),
        phone: i.phone.clone(),
        languages: i.languages.clone(),
        dialects: i.dialects.clone(),
        level: i.level.clone(),
        training: i.training.clone(),
        towns: i.town_keys(),
        weekdays: weekdays_of(&i.weekdays),
        available_from: time_text(u16::try_from(i.available_from).unwrap_or(0)),
        available_until: time_text(u16::try_from(i.available_until).unwrap_or(0)),
        pledge_signed_on: i
            .pledge_signed_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        active: i.active,
    }
}

pub async fn edit_interpreter(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let i = interpreters::interpreter(&app.db, &user.principal.viewer(), &id).await?;
    render(
        &interpreter_form(
            &app,
            Layout::new(&app, &user, i.name.clone(), uri.path()),
            format!("/interpreters/pool/{id}"),
            input_of(&i),
            i.username.clone().unwrap_or_default(),
            FormErrors::none(),
        )
        .await?,
    )
}

pub async fn update_interpreter(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    // Not found before anything is said about the fields.
    let before = interpreters::interpreter(&app.db, &viewer, &id).await?;
    let (input, username) = parse_interpreter(&body);
    let result = match input.validate(app.today()) {
        Ok(d) => {
            interpreters::update_interpreter(&app.db, &viewer, &id, &d, &username, app.now()).await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/interpreters/pool?ok=saved").into_response()),
        Err(StoreError::Invalid(e)) => render_invalid(
            &interpreter_form(
                &app,
                Layout::new(&app, &user, before.name, uri.path()),
                format!("/interpreters/pool/{id}"),
                input,
                username,
                FormErrors(e),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The allowance statement
// ---------------------------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
}

/// `YYYY-MM` as its first and last day; this month if empty or unreadable.
fn month_of(text: &str, today: Date) -> (Date, Date, String) {
    let parsed = text
        .trim()
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<u16>().ok()?, m.parse::<u8>().ok()?)))
        .and_then(|(y, m)| Date::new(y, m, 1));
    let first =
        parsed.unwrap_or_else(|| Date::new(today.year(), today.month(), 1).unwrap_or(today));
    let (ny, nm) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    let last = Date::new(ny, nm, 1)
        .and_then(|d| d.add_days(-1))
        .unwrap_or(first);
    (
        first,
        last,
        format!("{:04}-{:02}", first.year(), first.month()),
    )
}

/// One interpreter's part of the statement.
pub struct StatementBlock {
    pub interpreter: String,
    pub lines: Vec<StatementRow>,
    pub total: String,
    pub minutes: String,
}

pub struct StatementRow {
    pub request_id: String,
    pub day: String,
    pub language: String,
    pub town: String,
    pub organisation: String,
    pub minutes: String,
    pub km: String,
    pub allowance: String,
}

fn blocks(lines: &[StatementLine]) -> (Vec<StatementBlock>, String) {
    let mut out: Vec<StatementBlock> = Vec::new();
    let mut totals: Vec<(i64, i64)> = Vec::new();
    let mut last_id = "";
    for l in lines {
        if l.interpreter_id != last_id {
            out.push(StatementBlock {
                interpreter: l.interpreter.clone(),
                lines: Vec::new(),
                total: String::new(),
                minutes: String::new(),
            });
            totals.push((0, 0));
            last_id = &l.interpreter_id;
        }
        if let (Some(b), Some(t)) = (out.last_mut(), totals.last_mut()) {
            b.lines.push(StatementRow {
                request_id: l.request_id.clone(),
                day: date_de(&l.on_date),
                language: lotse_domain::offer::delivery_language_name(&l.language)
                    .unwrap_or(&l.language)
                    .to_owned(),
                town: l.town.clone(),
                organisation: l.organisation.clone(),
                minutes: figure(l.actual_minutes),
                km: figure(l.travel_km),
                allowance: euro(l.allowance_cents),
            });
            t.0 += l.allowance_cents;
            t.1 += l.actual_minutes;
        }
    }
    for (b, (cents, minutes)) in out.iter_mut().zip(&totals) {
        b.total = euro(*cents);
        b.minutes = figure(*minutes);
    }
    let sum: i64 = totals.iter().map(|(c, _)| c).sum();
    (out, euro(sum))
}

#[derive(Template)]
#[template(path = "interpreters/statement.html")]
struct StatementPage {
    layout: Layout,
    month: String,
    month_label: String,
    blocks: Vec<StatementBlock>,
    total: String,
}

const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

pub async fn statement(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (from, to, month) = month_of(&q.month, app.today());
    let lines = interpreters::statement(&app.db, &user.principal.viewer(), from, to).await?;
    let (blocks, total) = blocks(&lines);
    render(&StatementPage {
        layout: Layout::new(&app, &user, "Aufwandsentschädigungen", uri.path()),
        month_label: format!("{} {}", MONTHS[usize::from(from.month() - 1)], from.year()),
        month,
        blocks,
        total,
    })
}

/// The statement as a workbook for the finance office: one row per assignment.
pub async fn statement_xlsx(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (from, to, month) = month_of(&q.month, app.today());
    let lines = interpreters::statement(&app.db, &user.principal.viewer(), from, to).await?;
    super::xlsx_download(
        lotse_reports::interpreter_statement_xlsx(&lines),
        &format!("sprachmittlerpool-aufwand-{month}.xlsx"),
    )
}
