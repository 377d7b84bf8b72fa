//! KIM cases (decision 0012): the case list, the intake of a new person and the case page. What
//! a viewer sees is decided by the store (`lotse_store::cases::for_viewer`): their own cases with
//! names, or, for the coordination, every case under its pseudonym.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::{AccessRoute, CasePhase, Gender, Jurisdiction, PersonInput};
use lotse_domain::{FieldErrors, Permission, policy::any_allows};
use lotse_store::cases::{self, CaseRecord, IntakeDraft};
use lotse_store::paging::PageRequest;
use lotse_store::scoped::Scoped;
use lotse_store::{StoreError, reference};

use super::{render, render_invalid};

pub mod consent_form;
pub mod documents;
pub mod import;
pub mod monitor;
pub mod shares;
pub mod statistics;
pub mod subject;
mod work;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de};
pub use work::*;

type Options = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    layout: Layout,
    cases: Vec<Scoped<CaseRecord>>,
    /// Names are shown: the viewer works on cases (otherwise: pseudonyms only).
    with_names: bool,
    can_open: bool,
    /// The viewer is a partner who sees shared and released cases only.
    partner: bool,
    can_break_glass: bool,
    can_review: bool,
    /// Share requests waiting for the viewer.
    pending_shares: usize,
    first: Option<String>,
    next: Option<String>,
    sort_columns: Vec<crate::view::SortLink>,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    ok: Option<String>,
    #[serde(default)]
    after: String,
    /// The order: open (default), phase or opened.
    #[serde(default)]
    sort: String,
}

fn list_link(order: cases::CaseOrder, paging: &crate::view::Paging, after: Option<&str>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if order != cases::CaseOrder::Open {
        s.append_pair("sort", order.key());
    }
    paging.append(&mut s, cases::PAGE, after);
    format!("/cases?{}", s.finish())
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<ListQuery>,
    Query(paging): Query<crate::view::Paging>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let order = cases::CaseOrder::parse(&q.sort).unwrap_or_default();
    let page = cases::for_viewer(&app.db, &viewer)
        .page_in_order(
            order,
            &PageRequest::new(Some(&q.after), Some(paging.size(cases::PAGE))),
            app.now(),
        )
        .await?;
    let sort_columns = crate::view::sort_links(
        &[
            ("offene zuerst", "open", cases::CaseOrder::Open),
            ("Phase", "phase", cases::CaseOrder::Phase),
            ("seit", "opened", cases::CaseOrder::Opened),
        ],
        order,
        |o| list_link(o, &paging, None),
    );
    // Not counted: the list is read case by case into the access log, and a count would not be.
    let page_label = format!("Seite {}", paging.number());
    let size_links = crate::view::size_links(&paging, cases::PAGE, |p| list_link(order, p, None));
    let roles = &user.principal.roles;
    let can_open = any_allows(roles, Permission::OpenCases);
    let can_review = any_allows(roles, Permission::ReviewCaseAccess);
    render(&ListPage {
        layout: Layout::new(&app, &user, "Fälle", uri.path()).with_notice(q.ok.as_deref()),
        first: (!page.first).then(|| list_link(order, &paging, None)),
        next: page
            .next
            .as_ref()
            .map(|c| list_link(order, &paging, Some(&c.encode()))),
        sort_columns,
        page_label,
        size_links,
        with_names: can_open || any_allows(roles, Permission::WorkOnCases),
        partner: !can_open && !can_review,
        can_break_glass: any_allows(roles, Permission::BreakGlass),
        can_review,
        pending_shares: cases::pending_shares(&app.db, &viewer).await?,
        can_open,
        cases: page.items,
    })
}

/// The intake form: the person and how they came.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct IntakeInput {
    #[serde(flatten)]
    person: PersonInput,
    access_route: String,
    opened_on: String,
    /// The case manager has seen the likely duplicates and creates the person all the same.
    confirmed: String,
}

#[derive(Template)]
#[template(path = "cases/form.html")]
struct FormPage {
    layout: Layout,
    form: IntakeInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    towns: Options,
    genders: Options,
    jurisdictions: Options,
    access_routes: Options,
    /// Persons already recorded who may be this one (see `cases::likely_duplicates`).
    duplicates: Vec<Scoped<CaseRecord>>,
    /// How many more exist outside the viewer's cases.
    hidden_duplicates: usize,
    /// Correcting the person of this case (id, shown name) rather than taking in a new one.
    correcting: Option<(String, String)>,
}

async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    form: IntakeInput,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        layout: Layout::new(app, user, "Neuer Fall", path),
        summary: errors.summary(field_label),
        errors,
        form,
        towns: reference::town_names(&app.db).await?,
        genders: super::vocabulary_options(Gender::ALL, Gender::key, Gender::label),
        jurisdictions: super::vocabulary_options(
            Jurisdiction::ALL,
            Jurisdiction::key,
            Jurisdiction::label,
        ),
        access_routes: super::vocabulary_options(
            AccessRoute::ALL,
            AccessRoute::key,
            AccessRoute::label,
        ),
        duplicates: Vec::new(),
        hidden_duplicates: 0,
        correcting: None,
    })
}

fn field_label(field: &str) -> &str {
    match field {
        "access_route" => "Zugangsweg",
        "opened_on" => "Beginn des Falls",
        other => lotse_domain::case::person_field_label(other),
    }
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let form = IntakeInput {
        opened_on: app.today().to_string(),
        ..IntakeInput::default()
    };
    render(&form_page(&app, &user, uri.path(), form, FormErrors::none()).await?)
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let input: IntakeInput = serde_html_form::from_str(&body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    let today = app.today();
    let result = async {
        let mut errors = FieldErrors::new();
        let person = input.person.validate(today);
        let access_route = AccessRoute::parse(&input.access_route);
        if access_route.is_none() {
            errors.add("access_route", "Bitte den Zugangsweg wählen.");
        }
        let opened_on =
            lotse_domain::validation::required_date(&mut errors, "opened_on", &input.opened_on);
        if opened_on.is_some_and(|d| d > today) {
            errors.add("opened_on", "Das Datum liegt in der Zukunft.");
        }
        let person = match person {
            Ok(p) => Some(p),
            Err(e) => {
                for (field, message) in e.iter() {
                    errors.add(field, message);
                }
                None
            }
        };
        let (Some(person), Some(access_route), Some(opened_on), true) =
            (person, access_route, opened_on, errors.is_empty())
        else {
            return Err(StoreError::Invalid(errors));
        };
        let intake = IntakeDraft {
            access_route,
            opened_on,
        };
        let viewer = user.principal.viewer();
        // Before a new person is recorded, the ones who may be them already are shown.
        if input.confirmed.trim().is_empty() {
            let found = cases::likely_duplicates(&app.db, &viewer, &person, app.now()).await?;
            if !found.visible.is_empty() || found.hidden > 0 {
                return Ok(Err(found));
            }
        }
        app.db
            .write(async |tx| cases::intake(tx, &viewer, &person, &intake, false, app.now()).await)
            .await
            .map(Ok)
    }
    .await;
    match result {
        Ok(Ok(id)) => Ok(Redirect::to(&format!("/cases/{id}?ok=created")).into_response()),
        Ok(Err(found)) => {
            let mut page = form_page(&app, &user, uri.path(), input, FormErrors::none()).await?;
            page.duplicates = found.visible;
            page.hidden_duplicates = found.hidden;
            render(&page)
        }
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form_page(&app, &user, uri.path(), input, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct ShowPage {
    layout: Layout,
    c: Scoped<CaseRecord>,
    name: String,
    birth: String,
    town: String,
    jurisdiction: &'static str,
    access_route: &'static str,
    opened_on: String,
    /// Whom the case manager can name as deputy (empty for anyone else).
    deputies: Options,
    /// (day, from, to, by) of every change of phase, oldest first.
    timeline: Vec<(String, &'static str, &'static str, String)>,
    phases: Options,
    closure_reasons: Options,
    goals_reached: Options,
    phase_form: PhaseForm,
    errors: FormErrors,
    /// Closed: (reason, goals reached) in words.
    closure: Option<(&'static str, &'static str)>,
    work: WorkRows,
    /// What the viewer's release does not name (shown as "vertraulich").
    withheld: cases::Withheld,
    /// Seen through a release only.
    through_release: bool,
    /// The texts of the plan and the assessment are readable.
    plan_texts: bool,
    assessment_texts: bool,
    /// (id, purpose, organisation, given on, form, valid until, covers, state, valid) of the
    /// person's consents (for whoever sees the case whole).
    consents: Vec<ConsentRow>,
    /// The shares of the case (for its case manager).
    shares: Vec<cases::Share>,
    /// Until when the viewer's emergency access lasts, if they have one.
    break_glass_until: Option<String>,
    /// The case's documents (for whoever sees it whole).
    documents: Vec<cases::Document>,
    /// The case's conferences (for whoever sees it whole).
    conferences: Vec<cases::Conference>,
    /// The person's household: (label, members the viewer sees, others).
    household: Option<(String, Options, usize)>,
}

/// (id, purpose, organisation, given on, form, valid until, covers, state, valid)
type ConsentRow = (
    String,
    &'static str,
    String,
    String,
    &'static str,
    String,
    String,
    String,
    bool,
);

fn consent_rows(consents: &[cases::Consent], today: lotse_domain::Date) -> Vec<ConsentRow> {
    consents
        .iter()
        .map(|k| {
            let valid = k.valid_on(today);
            let state = match k.revoked_on {
                Some(d) => format!("widerrufen am {}", date_de(&d)),
                None if valid => "gültig".to_owned(),
                None if k.given_on > today => "noch nicht gültig".to_owned(),
                None => "abgelaufen".to_owned(),
            };
            (
                k.id.clone(),
                k.purpose_label(),
                k.organisation.clone().unwrap_or_else(|| "–".into()),
                date_de(&k.given_on),
                k.form_label(),
                k.valid_until
                    .map_or_else(|| "bis zum Widerruf".to_owned(), |d| date_de(&d)),
                k.covers()
                    .into_iter()
                    .map(lotse_domain::case::ReleaseScope::label)
                    .collect::<Vec<_>>()
                    .join("; "),
                state,
                valid,
            )
        })
        .collect()
}

/// (id, domain, to, requested, first contact, start, outcome, unmet reason)
type ReferralRow = (
    String,
    &'static str,
    String,
    String,
    String,
    String,
    &'static str,
    &'static str,
);

/// What was recorded on the case, in words for the page.
#[derive(Default)]
struct WorkRows {
    /// (domain, need, situation, assessed on)
    assessments: Vec<(&'static str, &'static str, String, String)>,
    /// (id, domain, goal, target day, organisation, status, open)
    goals: Vec<(
        String,
        &'static str,
        String,
        String,
        String,
        &'static str,
        bool,
    )>,
    /// (id, domain, to, requested, first contact, start, outcome, unmet reason)
    referrals: Vec<ReferralRow>,
    /// (id, type, started, due, completed, state, overdue)
    handoffs: Vec<(String, &'static str, String, String, String, String, bool)>,
    /// (day, minutes, channel, interpreter, note, by)
    contacts: Vec<(String, i64, &'static str, bool, String, String)>,
    /// (id, due, subject, done on, overdue)
    follow_ups: Vec<(String, String, String, String, bool)>,
}

fn label<T: Copy>(
    key: &str,
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> &'static str {
    parse(key).map_or("", label)
}

fn day(d: Option<lotse_domain::Date>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| date_de(&d))
}

fn work_rows(work: &cases::CaseWork, today: lotse_domain::Date) -> WorkRows {
    use lotse_domain::case::{
        ContactChannel, GoalStatus, HandoffType, LifeDomain, NeedLevel, ReferralOutcome,
        UnmetReason,
    };
    let domain = |k: &str| label(k, LifeDomain::parse, LifeDomain::label);
    WorkRows {
        assessments: work
            .current_assessments()
            .into_iter()
            .map(|a| {
                (
                    domain(&a.life_domain),
                    label(&a.need_level, NeedLevel::parse, NeedLevel::label),
                    a.situation.clone(),
                    date_de(&a.assessed_on),
                )
            })
            .collect(),
        goals: work
            .goals
            .iter()
            .map(|g| {
                (
                    g.id.clone(),
                    domain(&g.life_domain),
                    g.description.clone(),
                    day(g.target_on),
                    g.organisation.clone().unwrap_or_else(|| "–".into()),
                    label(&g.status, GoalStatus::parse, GoalStatus::label),
                    g.status == GoalStatus::Open.key(),
                )
            })
            .collect(),
        referrals: work
            .referrals
            .iter()
            .map(|r| {
                let to = match (&r.offer, &r.organisation) {
                    (Some(o), Some(org)) => format!("{o} ({org})"),
                    (Some(o), None) => o.clone(),
                    (None, Some(org)) => org.clone(),
                    (None, None) => "–".into(),
                };
                (
                    r.id.clone(),
                    domain(&r.life_domain),
                    to,
                    date_de(&r.requested_on),
                    day(r.first_contact_on),
                    day(r.started_on),
                    r.outcome.as_deref().map_or("noch offen", |o| {
                        label(o, ReferralOutcome::parse, ReferralOutcome::label)
                    }),
                    r.unmet_reason
                        .as_deref()
                        .map_or("", |u| label(u, UnmetReason::parse, UnmetReason::label)),
                )
            })
            .collect(),
        handoffs: work
            .handoffs
            .iter()
            .map(|h| {
                let state = match (h.completed_on, h.days_over(today)) {
                    (Some(done), _) => {
                        format!("abgeschlossen nach {} Tagen", h.started_on.days_until(done))
                    }
                    (None, Some(over)) if over > 0 => format!("überfällig seit {over} Tagen"),
                    (None, Some(over)) => format!("läuft, noch {} Tage bis zur Zielzeit", -over),
                    (None, None) => "läuft".into(),
                };
                (
                    h.id.clone(),
                    label(&h.handoff_type, HandoffType::parse, HandoffType::label),
                    date_de(&h.started_on),
                    date_de(&h.due_on),
                    day(h.completed_on),
                    state,
                    h.overdue(today),
                )
            })
            .collect(),
        contacts: work
            .contacts
            .iter()
            .map(|k| {
                (
                    date_de(&k.contact_on),
                    k.minutes,
                    label(&k.channel, ContactChannel::parse, ContactChannel::label),
                    k.interpreter,
                    k.note.clone(),
                    k.by_name.clone().unwrap_or_default(),
                )
            })
            .collect(),
        follow_ups: work
            .follow_ups
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    date_de(&f.due_on),
                    f.subject.clone(),
                    f.done_on.map(|d| date_de(&d)).unwrap_or_default(),
                    f.done_on.is_none() && f.due_on < today,
                )
            })
            .collect(),
    }
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    errors: FormErrors,
) -> Result<ShowPage, AppError> {
    let viewer = user.principal.viewer();
    let c = cases::for_viewer(&app.db, &viewer)
        .get(id, app.now())
        .await?;
    let through_release = c.view.through_release(&c.access);
    // A value a release withholds says so; one that was never recorded shows a dash.
    let missing = if through_release {
        "vertraulich"
    } else {
        "–"
    };
    let towns = reference::town_names(&app.db).await?;
    let town = c
        .town_ags
        .as_deref()
        .and_then(|ags| towns.iter().find(|(a, _)| a == ags))
        .map_or_else(|| missing.to_owned(), |(_, n)| n.clone());
    let birth = match (c.birth_date, &c.birth_year) {
        (Some(d), _) => date_de(&d),
        (None, Some(y)) if !through_release => format!("Jahrgang {y}"),
        _ => missing.to_owned(),
    };
    let deputies = if c.access.decide {
        cases::possible_deputies(&app.db, &viewer, 200).await?
    } else {
        Vec::new()
    };
    let timeline = cases::for_viewer(&app.db, &viewer)
        .timeline(&c)
        .await?
        .into_iter()
        .map(|p| {
            (
                date_de(&p.changed_on),
                p.from_phase.as_deref().map_or("–", phase_label),
                phase_label(&p.to_phase),
                p.changed_by.unwrap_or_default(),
            )
        })
        .collect();
    let store = cases::for_viewer(&app.db, &viewer);
    let work = store.work(&c).await?;
    let consents = consent_rows(&store.consents(&c).await?, app.today());
    let shares = store.shares(&c).await?;
    let documents = store.documents(&c).await?;
    let conferences = store.conferences(&c).await?;
    let household = store.household(&c, app.now()).await?.map(|h| {
        let members = h
            .members
            .iter()
            // (case id, name)
            .map(|m| (m.id.clone(), m.shown_name()))
            .collect();
        (h.label, members, h.others)
    });
    let break_glass_until = cases::break_glass_until(&app.db, &viewer, &c.id, app.now())
        .await?
        .map(crate::view::datetime);
    let closure = c.closure_reason.as_deref().map(|r| {
        (
            label(
                r,
                lotse_domain::case::ClosureReason::parse,
                lotse_domain::case::ClosureReason::label,
            ),
            c.goals_reached.as_deref().map_or("", |g| {
                label(
                    g,
                    lotse_domain::case::GoalsReached::parse,
                    lotse_domain::case::GoalsReached::label,
                )
            }),
        )
    });
    Ok(ShowPage {
        work: work_rows(&work, app.today()),
        withheld: work.withheld,
        through_release,
        plan_texts: c.access.sees_all() || c.view.covers_plan,
        assessment_texts: c.access.sees_all() || c.view.covers_assessment,
        consents,
        shares,
        break_glass_until,
        household,
        documents,
        conferences,
        closure,
        closure_reasons: super::vocabulary_options(
            lotse_domain::case::ClosureReason::ALL,
            lotse_domain::case::ClosureReason::key,
            lotse_domain::case::ClosureReason::label,
        ),
        goals_reached: super::vocabulary_options(
            lotse_domain::case::GoalsReached::ALL,
            lotse_domain::case::GoalsReached::key,
            lotse_domain::case::GoalsReached::label,
        ),
        layout: Layout::new(app, user, c.shown_name(), path),
        name: c.shown_name(),
        birth,
        town,
        jurisdiction: c
            .jurisdiction
            .as_deref()
            .and_then(Jurisdiction::parse)
            .map_or(missing, Jurisdiction::label),
        access_route: AccessRoute::parse(&c.access_route).map_or("", AccessRoute::label),
        opened_on: date_de(&c.opened_on),
        deputies,
        timeline,
        phases: super::vocabulary_options(CasePhase::ALL, CasePhase::key, CasePhase::label),
        phase_form: PhaseForm {
            changed_on: app.today().to_string(),
            ..PhaseForm::default()
        },
        errors,
        c,
    })
}

/// A change of phase as the case page's form sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct PhaseForm {
    phase: String,
    changed_on: String,
    /// Asked when the case is closed.
    closure_reason: String,
    goals_reached: String,
}

/// The case manager (or deputy) moves the case to another phase.
pub async fn change_phase(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<PhaseForm>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let today = app.today();
    // Not found for whoever may not change the case, before the form is looked at.
    if !cases::for_viewer(&app.db, &viewer)
        .get(&id, app.now())
        .await?
        .access
        .change
    {
        return Err(StoreError::NotFound.into());
    }
    let mut errors = FieldErrors::new();
    let phase = CasePhase::parse(&f.phase);
    if phase.is_none() {
        errors.add("phase", "Bitte eine Phase wählen.");
    }
    let on = lotse_domain::validation::required_date(&mut errors, "changed_on", &f.changed_on);
    let closure = if phase == Some(CasePhase::Closed) {
        match lotse_domain::case::closure(&f.closure_reason, &f.goals_reached) {
            Ok(c) => Some(c),
            Err(e) => {
                for (field, message) in e.iter() {
                    errors.add(field, message);
                }
                None
            }
        }
    } else {
        None
    };
    let result = match (phase, on, errors.is_empty()) {
        (Some(phase), Some(on), true) => {
            app.db
                .write(async |tx| {
                    cases::change_phase(tx, &viewer, &id, phase, closure, on, today, app.now())
                        .await
                })
                .await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let path = format!("/cases/{id}");
            let mut page = show_page(&app, &user, &path, &id, FormErrors(errors)).await?;
            page.phase_form = f;
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = show_page(&app, &user, uri.path(), &id, FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeputyForm {
    deputy_user_id: String,
}

/// The case manager names (or removes) their deputy for the case.
pub async fn set_deputy(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<DeputyForm>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let deputy = Some(f.deputy_user_id.as_str());
    let result = app
        .db
        .write(async |tx| cases::set_deputy(tx, &viewer, &id, deputy, app.now()).await)
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let path = format!("/cases/{id}");
            render_invalid(&show_page(&app, &user, &path, &id, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The phase labels in their order, for templates.
pub fn phase_label(key: &str) -> &'static str {
    CasePhase::parse(key).map_or("", CasePhase::label)
}
