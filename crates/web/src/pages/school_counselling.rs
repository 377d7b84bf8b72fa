//! The first school counselling (decision 0018), staff side: registering a family, the list
//! of families per site, one family with its children's steps, the KI's review of what
//! families sent themselves, and who counsels at which site. The public form is
//! [`crate::pages::school_form`].

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::school_counselling::{
    AppointmentInput, AppointmentStatus, ChildInput, ChildStatus, GermanLevel, MOST_CHILDREN,
    MathsLevel, RecordInput, RegistrationInput, SchoolForm, Source, age_on,
};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::StoreError;
use lotse_store::paging::PageRequest;
use lotse_store::school_counselling::{self as counselling, Filter, Registration};
use lotse_store::scoped::Scoped;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, date_de};

type Options = Vec<(String, String)>;

/// Rows the staff form offers for children; a family with more adds them in a second pass.
pub const CHILD_ROWS: usize = 4;

fn field_label(field: &str) -> String {
    let plain = match field {
        "guardian_name" => "Kontaktperson",
        "phone" => "Telefon",
        "email" => "E-Mail",
        "town" => "Wohnort",
        "address" => "Adresse",
        "language" => "Sprache",
        "arrival_date" => "Zuzug",
        "source" => "Gemeldet von",
        "note" => "Hinweise",
        "status" => "Stand",
        "on" => "Tag",
        "reason" => "Grund",
        "review" => "Prüfung",
        "site" => "Standort",
        "counsellors" => "Beratende",
        "date" => "Tag",
        "start" => "Beginn",
        "duration_minutes" => "Dauer",
        "counsellor" => "Beratung",
        "place" => "Ort",
        "interpreter_language" => "Sprachmittlung",
        "outcome" => "Ausgang",
        "consent_given_on" => "Einwilligung am",
        "consent_form" => "Form der Einwilligung",
        "consent_witness" => "Zeugin oder Zeuge",
        "counselled_on" => "Beraten am",
        "prior_schooling" => "Bisherige Schulbildung",
        "languages" => "Sprachen",
        "german_level" => "Deutsch",
        "maths_level" => "Mathematik",
        "interests" => "Interessen",
        "recommended_form" => "Empfohlene Schulform",
        "recommended_year" => "Jahrgangsstufe",
        "recommended_school" => "Empfohlene Schule",
        "support_needs" => "Förderbedarf",
        _ => "",
    };
    if !plain.is_empty() {
        return plain.to_owned();
    }
    // child_birth_date_2 → "Kind 2"
    field
        .rsplit_once('_')
        .filter(|(head, _)| head.starts_with("child_"))
        .map_or_else(|| field.to_owned(), |(_, n)| format!("Kind {n}"))
}

fn summary(errors: &FormErrors) -> Vec<(String, String, String)> {
    errors
        .0
        .iter()
        .map(|(f, m)| (f.to_owned(), field_label(f), m.to_owned()))
        .collect()
}

pub fn language_options() -> Options {
    lotse_domain::offer::DELIVERY_LANGUAGES
        .iter()
        .map(|(c, n, _)| ((*c).to_owned(), (*n).to_owned()))
        .collect()
}

fn status_name(key: &str) -> &'static str {
    ChildStatus::parse(key).map_or("unbekannt", ChildStatus::label)
}

/// Reads the registration form (staff and public share the field names). Child fields come as
/// `child_first_name_1` … for the rows the form shows.
pub fn parse_registration(body: &str) -> (RegistrationInput, Vec<(String, String)>) {
    let mut i = RegistrationInput::default();
    let mut rest = Vec::new();
    let mut children: Vec<ChildInput> = Vec::new();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "guardian_name" => i.guardian_name = v,
            "phone" => i.phone = v,
            "email" => i.email = v,
            "town" => i.town = v,
            "address" => i.address = v,
            "language" => i.language = v,
            "interpreter_needed" => i.interpreter_needed = v == "yes",
            "arrival_date" => i.arrival_date = v,
            "source" => i.source = v,
            "note" => i.note = v,
            key => {
                let child = key.strip_prefix("child_").and_then(|k| k.rsplit_once('_'));
                match child.and_then(|(f, n)| Some((f, n.parse::<usize>().ok()?))) {
                    // One row more than a registration may hold, so that too many are named.
                    Some((field, n)) if (1..=MOST_CHILDREN + 1).contains(&n) => {
                        if children.len() < n {
                            children.resize(n, ChildInput::default());
                        }
                        let c = &mut children[n - 1];
                        match field {
                            "first_name" => c.first_name = v,
                            "last_name" => c.last_name = v,
                            "birth_date" => c.birth_date = v,
                            "schooling_years" => c.schooling_years = v,
                            _ => {}
                        }
                    }
                    _ => rest.push((key.to_owned(), v)),
                }
            }
        }
    }
    i.children = children;
    (i, rest)
}

/// A child row of a form: its number and what was typed.
pub struct ChildRow {
    pub n: usize,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub schooling_years: String,
}

pub fn child_rows(input: &RegistrationInput, rows: usize) -> Vec<ChildRow> {
    (1..=rows.max(input.children.len()))
        .map(|n| {
            let c = input.children.get(n - 1).cloned().unwrap_or_default();
            ChildRow {
                n,
                first_name: c.first_name,
                last_name: c.last_name,
                birth_date: c.birth_date,
                schooling_years: c.schooling_years,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Registering a family (staff)
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "school_counselling/form.html")]
struct RegistrationForm {
    layout: Layout,
    form: RegistrationInput,
    children: Vec<ChildRow>,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    towns: Options,
    languages: Options,
    sources: Options,
}

async fn registration_form(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    form: RegistrationInput,
    errors: FormErrors,
    notice: Option<&str>,
) -> Result<RegistrationForm, AppError> {
    Ok(RegistrationForm {
        layout: Layout::new(
            app,
            user,
            "Familie zur Schulischen Erstberatung melden",
            path,
        )
        .with_notice(notice),
        children: child_rows(&form, CHILD_ROWS),
        summary: summary(&errors),
        errors,
        form,
        towns: lotse_store::reference::town_names(&app.db).await?,
        languages: language_options(),
        sources: Source::ALL
            .iter()
            .filter(|s| **s != Source::Family)
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
    })
}

pub async fn new_registration(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<crate::view::NoticeQuery>,
) -> Result<Response, AppError> {
    render(
        &registration_form(
            &app,
            &user,
            uri.path(),
            RegistrationInput::default(),
            FormErrors::none(),
            q.ok.as_deref(),
        )
        .await?,
    )
}

pub async fn create_registration(
    State(app): State<AppState>,
    user: CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let path = "/school-counselling/new";
    let (input, _) = parse_registration(&body);
    let towns = lotse_store::reference::town_names(&app.db).await?;
    let draft = match input.validate(app.today(), &towns, false) {
        Ok(d) => d,
        Err(e) => {
            return render_invalid(
                &registration_form(&app, &user, path, input, FormErrors(e), None).await?,
            );
        }
    };
    let viewer = user.principal.viewer();
    match counselling::register(&app.db, &viewer, &draft, false, app.now()).await {
        Ok(id) => {
            // Who may follow the family goes to it; a town or a school that passed it on is
            // told it arrived and may register the next one.
            let to = if any_allows(&user.principal.roles, Permission::ViewSchoolCounselling) {
                format!("/school-counselling/{id}?ok=school_registered")
            } else {
                "/school-counselling/new?ok=school_passed_on".to_owned()
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(StoreError::Invalid(e)) => {
            render_invalid(&registration_form(&app, &user, path, input, FormErrors(e), None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

pub struct FamilyRow {
    pub id: String,
    pub registered_on: String,
    pub site: String,
    pub town: String,
    pub language: String,
    pub interpreter_needed: bool,
    pub pending: bool,
    pub source: &'static str,
    /// "Omar B. (10 J.): eingeladen"
    pub children: Vec<String>,
    pub fictitious: bool,
}

fn family_row(r: &Registration, today: lotse_domain::Date) -> FamilyRow {
    FamilyRow {
        id: r.id.clone(),
        registered_on: date_de(&r.registered_on),
        site: r.site.clone(),
        town: r.town.clone(),
        language: r.language_name().to_owned(),
        interpreter_needed: r.interpreter_needed,
        pending: r.pending(),
        source: r.source_label(),
        children: r
            .children
            .iter()
            .map(|c| {
                format!(
                    "{} {} ({} J.): {}",
                    c.first_name,
                    c.last_name,
                    age_on(c.birth_date, today),
                    status_name(&c.status)
                )
            })
            .collect(),
        fictitious: r.fictitious,
    }
}

#[derive(Template)]
#[template(path = "school_counselling/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<FamilyRow>,
    sites: Options,
    site: String,
    statuses: Options,
    status: String,
    pending: bool,
    pending_count: i64,
    can_manage: bool,
    first: Option<String>,
    next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    after: String,
    ok: Option<String>,
}

const PAGE_SIZE: usize = 50;

fn list_link(site: &str, status: &str, pending: bool, after: Option<&str>) -> String {
    crate::view::link_with(
        "/school-counselling",
        &[
            ("site", site),
            ("status", status),
            ("pending", if pending { "1" } else { "" }),
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
    let can_manage = any_allows(&user.principal.roles, Permission::ManageSchoolCounselling);
    let status = ChildStatus::parse(&q.status);
    let pending = q.pending == "1";
    let filter = Filter {
        site: (!q.site.is_empty()).then(|| q.site.clone()),
        pending,
        status,
    };
    let viewer = user.principal.viewer();
    let page = counselling::registrations_for(&app.db, &viewer)
        .page(&filter, &PageRequest::new(Some(&q.after), Some(PAGE_SIZE)))
        .await?;
    let status_key = status.map_or("", ChildStatus::key);
    let today = app.today();
    render(&ListPage {
        layout: Layout::new(&app, &user, "Schulische Erstberatung", uri.path())
            .with_notice(q.ok.as_deref()),
        rows: page.items.iter().map(|r| family_row(r, today)).collect(),
        first: (!page.first).then(|| list_link(&q.site, status_key, pending, None)),
        next: page
            .next
            .as_ref()
            .map(|c| list_link(&q.site, status_key, pending, Some(&c.encode()))),
        sites: counselling::sites(&app.db)
            .await?
            .into_iter()
            .map(|s| (s.ags, s.name))
            .collect(),
        site: q.site,
        statuses: ChildStatus::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        status: status_key.to_owned(),
        pending,
        pending_count: if can_manage {
            counselling::pending_count(&app.db).await?
        } else {
            0
        },
        can_manage,
    })
}

// ---------------------------------------------------------------------------------------------
// One family
// ---------------------------------------------------------------------------------------------

pub struct StepRow {
    pub status: &'static str,
    pub on: String,
    pub note: String,
    pub by: String,
}

pub struct ChildView {
    pub id: String,
    pub name: String,
    pub birth: String,
    pub age: u16,
    pub schooling_years: String,
    pub status: &'static str,
    pub status_on: String,
    pub waiting_days: Option<i64>,
    pub steps: Vec<StepRow>,
    /// (status key, button text) the viewer may move the child to.
    pub next: Vec<(&'static str, &'static str)>,
    pub record: Option<lotse_store::school_counselling::CounsellingRecord>,
    /// The counselling can be recorded (after an appointment) or corrected.
    pub can_record: bool,
}

#[derive(Template)]
#[template(path = "school_counselling/family.html")]
struct FamilyPage {
    layout: Layout,
    r: Registration,
    row: FamilyRow,
    arrival: String,
    children: Vec<ChildView>,
    can_decide: bool,
    can_book: bool,
    sites: Options,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    today: String,
    appointments: Vec<AppointmentRow>,
    /// The booking form: as typed after a refusal, else the family's defaults.
    booking: AppointmentInput,
    counsellors: Options,
    languages: Options,
    german_levels: Options,
    maths_levels: Options,
    school_forms: Options,
    consent_forms: Options,
}

fn vocabulary_options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Options {
    all.iter()
        .map(|v| (key(*v).to_owned(), label(*v).to_owned()))
        .collect()
}

/// An appointment on the family's page.
pub struct AppointmentRow {
    pub id: String,
    pub when: String,
    pub place: String,
    pub counsellor: String,
    pub status: &'static str,
    pub interpreter: String,
    /// Still booked: it can be moved, called off, and (from its day) closed.
    pub open: bool,
    pub due: bool,
    pub date: String,
    pub start: String,
    pub duration: String,
    pub counsellor_id: String,
}

async fn family_page(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
) -> Result<FamilyPage, AppError> {
    family_page_with(app, user, id, notice, errors, None).await
}

async fn family_page_with(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
    booking: Option<AppointmentInput>,
) -> Result<FamilyPage, AppError> {
    let viewer = user.principal.viewer();
    let Scoped { record: r, access } = counselling::registrations_for(&app.db, &viewer)
        .get(id)
        .await?;
    let today = app.today();
    let can_change = access.change && !r.pending();
    let site = counselling::sites(&app.db)
        .await?
        .into_iter()
        .find(|s| s.ags == r.site_ags);
    let counsellors: Options = site
        .as_ref()
        .map(|s| {
            s.counsellors
                .iter()
                .map(|(id, name, _)| (id.clone(), name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let booking = booking.unwrap_or_else(|| AppointmentInput {
        duration_minutes: "60".into(),
        counsellor: counsellors
            .iter()
            .find(|(id, _)| *id == user.principal.user_id)
            .map(|(id, _)| id.clone())
            .unwrap_or_default(),
        place: format!("Kommunales Integrationszentrum, {}", r.site),
        interpreter: r.interpreter_needed && r.language != "de",
        interpreter_language: if r.language == "de" {
            String::new()
        } else {
            r.language.clone()
        },
        ..AppointmentInput::default()
    });
    let appointments = r
        .appointments
        .iter()
        .map(|a| {
            let slot = a.slot();
            AppointmentRow {
                id: a.id.clone(),
                when: slot.german(),
                place: a.place.clone(),
                counsellor: a.counsellor.clone().unwrap_or_else(|| "noch offen".into()),
                status: a.status().label(),
                interpreter: a
                    .interpreter_status
                    .as_deref()
                    .and_then(lotse_domain::interpreters::RequestStatus::parse)
                    .map(|s| format!("Sprachmittlung: {}", s.label()))
                    .unwrap_or_default(),
                open: can_change && a.status() == AppointmentStatus::Booked,
                due: a.on_date <= today,
                date: a.on_date.to_string(),
                start: lotse_domain::interpreters::time_text(slot.start_minute),
                duration: slot.duration_minutes.to_string(),
                counsellor_id: a.counsellor_user_id.clone().unwrap_or_default(),
            }
        })
        .collect();
    let can_decide =
        access.decide && any_allows(&user.principal.roles, Permission::ManageSchoolCounselling);
    let children = r
        .children
        .iter()
        .map(|c| {
            let status = c.status();
            ChildView {
                id: c.id.clone(),
                name: format!("{} {}", c.first_name, c.last_name),
                birth: date_de(&c.birth_date),
                age: age_on(c.birth_date, today),
                schooling_years: c.schooling_years.map(|n| n.to_string()).unwrap_or_default(),
                status: status.label(),
                status_on: date_de(&c.status_on),
                waiting_days: status
                    .is_waiting()
                    .then(|| r.registered_on.days_until(today)),
                steps: c
                    .steps
                    .iter()
                    .map(|s| StepRow {
                        status: s.status().label(),
                        on: date_de(&s.on_date),
                        note: s.note.clone(),
                        by: s
                            .recorded_by
                            .clone()
                            .unwrap_or_else(|| "Online-Formular".into()),
                    })
                    .collect(),
                record: c.record.clone(),
                can_record: can_change
                    && (c.record.is_some() || status == ChildStatus::Appointment),
                next: if can_change {
                    status
                        .next()
                        .into_iter()
                        .map(|s| (s.key(), s.action()))
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Ok(FamilyPage {
        layout: Layout::new(
            app,
            user,
            format!("Familie {}", r.guardian_name),
            &format!("/school-counselling/{id}"),
        )
        .with_notice(notice),
        row: family_row(&r, today),
        arrival: r.arrival_date.map(|d| date_de(&d)).unwrap_or_default(),
        children,
        can_decide,
        can_book: can_change,
        appointments,
        booking,
        counsellors,
        languages: lotse_domain::interpreters::languages()
            .map(|(c, n)| (c.to_owned(), n.to_owned()))
            .collect(),
        german_levels: vocabulary_options(GermanLevel::ALL, GermanLevel::key, GermanLevel::label),
        maths_levels: vocabulary_options(MathsLevel::ALL, MathsLevel::key, MathsLevel::label),
        school_forms: vocabulary_options(SchoolForm::ALL, SchoolForm::key, SchoolForm::label),
        consent_forms: vocabulary_options(
            lotse_domain::case::ConsentForm::ALL,
            lotse_domain::case::ConsentForm::key,
            lotse_domain::case::ConsentForm::label,
        ),
        sites: counselling::sites(&app.db)
            .await?
            .into_iter()
            .map(|s| (s.ags, s.name))
            .collect(),
        summary: summary(&errors),
        errors,
        today: today.to_string(),
        r,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<crate::view::NoticeQuery>,
) -> Result<Response, AppError> {
    render(&family_page(&app, &user, &id, q.ok.as_deref(), FormErrors::none()).await?)
}

fn form_value(body: &str, key: &str) -> String {
    form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// After an action on a family: its page with a notice (`notice` may carry an `#anchor`), or
/// again with the refusal at its field.
async fn after_action<T>(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    result: Result<T, StoreError>,
    notice: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/school-counselling/{id}?ok={notice}")).into_response()),
        Err(StoreError::Invalid(e)) => {
            render_invalid(&family_page(app, user, id, None, FormErrors(e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn accept(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let site = form_value(&body, "site");
    let viewer = user.principal.viewer();
    let result = counselling::accept(&app.db, &viewer, &id, Some(site.as_str()), app.now()).await;
    after_action(&app, &user, &id, result, "school_accepted").await
}

pub async fn reject(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let reason = form_value(&body, "reason");
    let viewer = user.principal.viewer();
    match counselling::reject(&app.db, &viewer, &id, &reason, app.now()).await {
        Ok(()) => Ok(Redirect::to("/school-counselling?ok=school_rejected").into_response()),
        Err(StoreError::Invalid(e)) => {
            render_invalid(&family_page(&app, &user, &id, None, FormErrors(e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn move_site(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let site = form_value(&body, "site");
    let viewer = user.principal.viewer();
    let result = counselling::move_to_site(&app.db, &viewer, &id, &site, app.now()).await;
    after_action(&app, &user, &id, result, "school_moved").await
}

pub async fn advance(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(child_id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let family = counselling::family_of_child(&app.db, &child_id).await?;
    let result = counselling::advance(
        &app.db,
        &viewer,
        &child_id,
        &form_value(&body, "status"),
        &form_value(&body, "on"),
        &form_value(&body, "note"),
        app.now(),
    )
    .await;
    let notice = format!("school_step#kind-{child_id}");
    after_action(&app, &user, &family, result, &notice).await
}

// ---------------------------------------------------------------------------------------------
// Sites and counsellors
// ---------------------------------------------------------------------------------------------

pub struct SiteView {
    pub ags: String,
    pub name: String,
    pub counsellors: Vec<String>,
    pub chosen: Vec<String>,
}

#[derive(Template)]
#[template(path = "school_counselling/sites.html")]
struct SitesPage {
    layout: Layout,
    sites: Vec<SiteView>,
    accounts: Options,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

async fn sites_page(
    app: &AppState,
    user: &CurrentUser,
    notice: Option<&str>,
    errors: FormErrors,
) -> Result<SitesPage, AppError> {
    let sites = counselling::sites(&app.db).await?;
    Ok(SitesPage {
        layout: Layout::new(
            app,
            user,
            "Standorte der Erstberatung",
            "/school-counselling/sites",
        )
        .with_notice(notice),
        sites: sites
            .into_iter()
            .map(|s| SiteView {
                counsellors: s.counsellors.iter().map(|(_, n, _)| n.clone()).collect(),
                chosen: s.counsellors.into_iter().map(|(id, _, _)| id).collect(),
                ags: s.ags,
                name: s.name,
            })
            .collect(),
        accounts: counselling::counsellor_accounts(&app.db)
            .await?
            .into_iter()
            .map(|(id, name, username)| (id, format!("{name} ({username})")))
            .collect(),
        summary: summary(&errors),
        errors,
    })
}

pub async fn sites(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<crate::view::NoticeQuery>,
) -> Result<Response, AppError> {
    render(&sites_page(&app, &user, q.ok.as_deref(), FormErrors::none()).await?)
}

pub async fn set_counsellors(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(site): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    if site.len() != 8 || !site.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::Store(StoreError::NotFound));
    }
    let chosen: Vec<String> = form_urlencoded::parse(body.as_bytes())
        .filter(|(k, _)| k == "counsellors")
        .map(|(_, v)| v.into_owned())
        .collect();
    let viewer = user.principal.viewer();
    match counselling::set_counsellors(&app.db, &viewer, &site, &chosen, app.now()).await {
        Ok(()) => Ok(Redirect::to("/school-counselling/sites?ok=saved").into_response()),
        Err(StoreError::Invalid(e)) => {
            render_invalid(&sites_page(&app, &user, None, FormErrors(e)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------

fn parse_appointment(body: &str) -> AppointmentInput {
    let mut a = AppointmentInput::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "date" => a.date = v,
            "start" => a.start = v,
            "duration_minutes" => a.duration_minutes = v,
            "counsellor" => a.counsellor = v,
            "place" => a.place = v,
            "interpreter" => a.interpreter = v == "yes",
            "interpreter_language" => a.interpreter_language = v,
            _ => {}
        }
    }
    a
}

/// The request to the pool an appointment makes, checked against the pool's rules: a refusal
/// comes back at the interpreter field, in the rule's words.
async fn interpreter_request(
    app: &AppState,
    user: &CurrentUser,
    registration: &Registration,
    input: &AppointmentInput,
    draft: &lotse_domain::school_counselling::AppointmentDraft,
) -> Result<Result<Option<lotse_domain::interpreters::RequestDraft>, FormErrors>, AppError> {
    let Some(language) = draft.interpreter_language else {
        return Ok(Ok(None));
    };
    let mut request = lotse_domain::interpreters::RequestInput {
        language: language.to_owned(),
        date: draft.slot.date.to_string(),
        start: input.start.clone(),
        duration_minutes: draft.slot.duration_minutes.to_string(),
        town: registration.site.clone(),
        setting: "authority".into(),
        place: draft.place.clone(),
        note: "Schulische Erstberatung einer neu zugewanderten Familie".into(),
        ..Default::default()
    };
    super::interpreters::contact_defaults(app, user, &mut request).await?;
    let towns = lotse_store::reference::town_names(&app.db).await?;
    Ok(match request.validate(app.today(), &towns) {
        Ok(d) => Ok(Some(d)),
        Err(refusal) => {
            let mut e = lotse_domain::FieldErrors::new();
            let text = match &refusal {
                lotse_domain::interpreters::Refusal::Rule { message, .. } => message.clone(),
                lotse_domain::interpreters::Refusal::Invalid(errors) => errors.to_string(),
            };
            e.add(
                "interpreter_language",
                format!("Sprachmittlung: {text} Ohne Sprachmittlung buchen oder einen späteren Tag wählen."),
            );
            Err(FormErrors(e))
        }
    })
}

/// After an appointment form: the family's page again with the refusal and what was typed.
async fn booking_refused(
    app: &AppState,
    user: &CurrentUser,
    family: &str,
    errors: FormErrors,
    input: AppointmentInput,
) -> Result<Response, AppError> {
    render_invalid(&family_page_with(app, user, family, None, errors, Some(input)).await?)
}

pub async fn book(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    // The family first: who may not see it learns nothing from the form's checks.
    let family = counselling::registrations_for(&app.db, &viewer)
        .get(&id)
        .await?;
    let input = parse_appointment(&body);
    let draft = match input.validate(app.today()) {
        Ok(d) => d,
        Err(e) => return booking_refused(&app, &user, &id, FormErrors(e), input).await,
    };
    let request = match interpreter_request(&app, &user, &family, &input, &draft).await? {
        Ok(r) => r,
        Err(e) => return booking_refused(&app, &user, &id, e, input).await,
    };
    match counselling::book(&app.db, &viewer, &id, &draft, request.as_ref(), app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/school-counselling/{id}?ok=school_booked#termine"
        ))
        .into_response()),
        Err(StoreError::Invalid(e)) => {
            booking_refused(&app, &user, &id, FormErrors(e), input).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn move_appointment(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(appointment): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let id = counselling::family_of_appointment(&app.db, &appointment).await?;
    let family = counselling::registrations_for(&app.db, &viewer)
        .get(&id)
        .await?;
    let input = parse_appointment(&body);
    let draft = match input.validate(app.today()) {
        Ok(d) => d,
        Err(e) => {
            return render_invalid(&family_page(&app, &user, &id, None, FormErrors(e)).await?);
        }
    };
    let request = match interpreter_request(&app, &user, &family, &input, &draft).await? {
        Ok(r) => r,
        Err(e) => return render_invalid(&family_page(&app, &user, &id, None, e).await?),
    };
    let result = counselling::move_appointment(
        &app.db,
        &viewer,
        &appointment,
        &draft,
        request.as_ref(),
        app.now(),
    )
    .await;
    after_action(&app, &user, &id, result, "school_moved_appointment#termine").await
}

pub async fn close_appointment(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(appointment): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let family = counselling::family_of_appointment(&app.db, &appointment).await?;
    let outcome = form_value(&body, "outcome");
    let result =
        counselling::close_appointment(&app.db, &viewer, &appointment, &outcome, app.now()).await;
    after_action(
        &app,
        &user,
        &family,
        result,
        "school_appointment_closed#termine",
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Waiting times
// ---------------------------------------------------------------------------------------------

/// A line of the waiting-time tables as shown.
pub struct WaitingRow {
    pub name: String,
    pub registered: String,
    pub counselled: String,
    pub to_counselling: String,
    pub assigned: String,
    pub to_school: String,
    pub waiting: String,
}

fn waiting_row(l: &lotse_store::statistics::school_waiting::WaitingLine) -> WaitingRow {
    let days = |d: Option<(f64, f64)>| {
        d.map_or_else(
            || "–".to_owned(),
            |(median, p90)| {
                format!(
                    "{} ({})",
                    crate::view::number_de(median.round()),
                    crate::view::number_de(p90.round())
                )
            },
        )
    };
    WaitingRow {
        name: l.name.clone(),
        registered: crate::view::shown_de(&l.registered),
        counselled: crate::view::shown_de(&l.counselled),
        to_counselling: days(l.to_counselling),
        assigned: crate::view::shown_de(&l.assigned),
        to_school: days(l.to_school),
        waiting: crate::view::shown_de(&l.waiting),
    }
}

#[derive(Template)]
#[template(path = "school_counselling/figures.html")]
struct FiguresPage {
    layout: Layout,
    from: String,
    to: String,
    period: String,
    error: Option<(&'static str, String)>,
    /// (caption, heading of the first column, lines, the district's line): by site, by town.
    tables: Vec<(&'static str, &'static str, Vec<WaitingRow>, WaitingRow)>,
}

pub async fn figures(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<super::cases::statistics::PeriodQuery>,
) -> Result<Response, AppError> {
    let layout = Layout::new(
        &app,
        &user,
        "Wartezeiten der Schulischen Erstberatung",
        uri.path(),
    );
    let (from, to) = match q.period(app.today()) {
        Ok(p) => p,
        Err(e) => {
            return render_invalid(&FiguresPage {
                layout,
                from: q.from.clone(),
                to: q.to.clone(),
                period: String::new(),
                error: Some((e.field, e.message)),
                tables: Vec::new(),
            });
        }
    };
    let f = lotse_store::statistics::school_waiting::waiting_times(&app.db, from, to).await?;
    render(&FiguresPage {
        layout,
        from: from.to_string(),
        to: to.to_string(),
        period: format!("{} bis {}", date_de(&from), date_de(&to)),
        error: None,
        tables: vec![
            (
                "nach Standort",
                "Standort",
                f.by_site.iter().map(waiting_row).collect(),
                waiting_row(&f.by_site_total),
            ),
            (
                "nach Wohnort",
                "Wohnort",
                f.by_town.iter().map(waiting_row).collect(),
                waiting_row(&f.by_town_total),
            ),
        ],
    })
}

// ---------------------------------------------------------------------------------------------
// The counselling record
// ---------------------------------------------------------------------------------------------

fn parse_record(body: &str) -> RecordInput {
    let mut r = RecordInput::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "consent_given_on" => r.consent_given_on = v,
            "consent_form" => r.consent_form = v,
            "consent_witness" => r.consent_witness = v,
            "counselled_on" => r.counselled_on = v,
            "prior_schooling" => r.prior_schooling = v,
            "languages" => r.languages = v,
            "literate" => r.literate = v == "yes",
            "german_level" => r.german_level = v,
            "maths_level" => r.maths_level = v,
            "interests" => r.interests = v,
            "recommended_form" => r.recommended_form = v,
            "recommended_year" => r.recommended_year = v,
            "recommended_school" => r.recommended_school = v,
            "support_needs" => r.support_needs = v,
            "interpreter_used" => r.interpreter_used = v == "yes",
            _ => {}
        }
    }
    r
}

pub async fn record(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(child_id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let family = counselling::family_of_child(&app.db, &child_id).await?;
    // Who may not see the family learns nothing from the form's checks.
    counselling::registrations_for(&app.db, &viewer)
        .get(&family)
        .await?;
    let result = match parse_record(&body).validate(app.today()) {
        Ok(draft) => {
            counselling::record_counselling(&app.db, &viewer, &child_id, &draft, app.now()).await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    let notice = format!("school_recorded#kind-{child_id}");
    after_action(&app, &user, &family, result, &notice).await
}

// ---------------------------------------------------------------------------------------------
// Hand-off documents
// ---------------------------------------------------------------------------------------------

/// Who a child's counselling result is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The lower school authority (primary and lower secondary).
    Schulamt,
    /// The district government (upper secondary, Berufskolleg).
    Bezirksregierung,
    /// The health office, for the school-entry examination.
    Gesundheitsamt,
}

impl Recipient {
    fn address(self) -> &'static str {
        match self {
            Recipient::Schulamt => "Schulamt für den Kreis Warendorf (untere Schulaufsicht)",
            Recipient::Bezirksregierung => {
                "Bezirksregierung Münster, Dezernat 48 (obere Schulaufsicht)"
            }
            Recipient::Gesundheitsamt => {
                "Kreis Warendorf, Gesundheitsamt, Kinder- und Jugendgesundheitsdienst"
            }
        }
    }

    fn subject(self) -> &'static str {
        match self {
            Recipient::Schulamt | Recipient::Bezirksregierung => {
                "Schulische Erstberatung: Empfehlung zur Schulzuweisung"
            }
            Recipient::Gesundheitsamt => {
                "Schulische Erstberatung: Mitteilung zur Schuleingangsuntersuchung"
            }
        }
    }
}

#[derive(Template)]
#[template(path = "school_counselling/handoff.html")]
struct HandoffPage {
    layout: Layout,
    family_id: String,
    recipient: &'static str,
    subject: &'static str,
    health: bool,
    child: String,
    birth: String,
    town: String,
    address: String,
    guardian: String,
    phone: String,
    language: String,
    interpreter: bool,
    arrival: String,
    record: lotse_store::school_counselling::CounsellingRecord,
    site: String,
    today: String,
    by: String,
}

#[derive(serde::Deserialize, Default)]
pub struct HandoffQuery {
    #[serde(default)]
    to: String,
}

/// `GET /school-counselling/children/{id}/handoff?to=school|health`: the counselling's result
/// as a letter to the school authority that assigns the school (Schulamt or Bezirksregierung,
/// by the recommendation) or to the health office, to print or save as PDF.
pub async fn handoff_document(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(child_id): Path<String>,
    Query(q): Query<HandoffQuery>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let family = counselling::family_of_child(&app.db, &child_id).await?;
    let Scoped { record: r, access } = counselling::registrations_for(&app.db, &viewer)
        .get(&family)
        .await?;
    let not_yet = || {
        AppError::Store(StoreError::field(
            "to",
            "Ein Übergabeschreiben gibt es erst, wenn die Beratung erfasst ist.",
        ))
    };
    if !access.change {
        return Err(AppError::Store(StoreError::NotFound));
    }
    let child = r
        .children
        .iter()
        .find(|c| c.id == child_id)
        .ok_or(AppError::Store(StoreError::NotFound))?;
    let record = child.record.clone().ok_or_else(not_yet)?;
    let form = SchoolForm::parse(&record.recommended_form).unwrap_or(SchoolForm::Primary);
    let year = record.recommended_year.and_then(|y| u8::try_from(y).ok());
    let recipient = match q.to.as_str() {
        "health" => Recipient::Gesundheitsamt,
        _ if form.assigned_by_district_government(year) => Recipient::Bezirksregierung,
        _ => Recipient::Schulamt,
    };
    let child_name = format!("{} {}", child.first_name, child.last_name);
    render(&HandoffPage {
        layout: Layout::new(
            &app,
            &user,
            format!("Übergabe: {child_name}"),
            &format!("/school-counselling/{family}"),
        ),
        family_id: family.clone(),
        recipient: recipient.address(),
        subject: recipient.subject(),
        health: recipient == Recipient::Gesundheitsamt,
        child: child_name,
        birth: date_de(&child.birth_date),
        town: r.town.clone(),
        address: r.address.clone(),
        guardian: r.guardian_name.clone(),
        phone: r.phone.clone(),
        language: r.language_name().to_owned(),
        interpreter: r.interpreter_needed,
        arrival: r.arrival_date.map(|d| date_de(&d)).unwrap_or_default(),
        record,
        site: r.site.clone(),
        today: date_de(&app.today()),
        by: user.principal.display_name.clone(),
    })
}
