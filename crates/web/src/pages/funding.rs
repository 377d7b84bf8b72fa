//! State funding: funding programmes with budgets, grants with money paid out and spent,
//! reporting deadlines with reminders, and the spreadsheet for the finance office.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::funding::{
    BudgetInput, DeadlineInput, FundingProgrammeInput, GrantInput, Movement, MovementInput,
    format_euro,
};
use lotse_store::funding::{self, FundingSummary, FundingYear, Grant};
use lotse_store::programmes;
use lotse_store::scoped::Scoped;

use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{render, render_invalid, saved_or_again, write_validated};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery};

type Options = Vec<(String, String)>;

/// An amount in cents, however many references deep a template hands it over.
pub trait Cents {
    fn cents(&self) -> i64;
}

impl Cents for i64 {
    fn cents(&self) -> i64 {
        *self
    }
}

impl<T: Cents + ?Sized> Cents for &T {
    fn cents(&self) -> i64 {
        (**self).cents()
    }
}

/// Euros as Germans write them, for templates.
pub fn euro(amount: impl Cents) -> String {
    format_euro(amount.cents())
}

fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "funder" => "Fördergeber",
        "description" => "Beschreibung",
        "year" => "Jahr",
        "amount" => "Betrag",
        "organisation_id" => "Empfänger",
        "programme_id" => "Programm",
        "purpose" => "Zweck",
        "reference" => "Aktenzeichen",
        "period_from" => "Beginn",
        "period_to" => "Ende",
        "kind" => "Art",
        "on" => "Datum",
        "note" => "Notiz",
        "title" => "Nachweis",
        "due_on" => "fällig am",
        other => other,
    }
}

#[derive(Template)]
#[template(path = "funding/list.html")]
struct ListPage {
    layout: Layout,
    programmes: Vec<FundingSummary>,
    error: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render(&ListPage {
        layout: Layout::new(&app, &user, "Förderung", uri.path()).with_notice(q.ok.as_deref()),
        programmes: funding::for_viewer(&app.db, &user.principal.viewer())
            .list()
            .await?,
        error: None,
    })
}

#[derive(Template)]
#[template(path = "funding/show.html")]
struct ShowPage {
    layout: Layout,
    d: FundingYear,
    /// The listed year's neighbours that have grants running, for the links beside the list.
    earlier: Option<i64>,
    later: Option<i64>,
    /// What the listed grants add up to.
    granted: i64,
    /// Grant recipients: the one chosen, then the organisations matching the search words.
    org_pick: Pick,
    programmes: Options,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    budget: BudgetInput,
    grant: GrantInput,
}

/// Which year's grants the funding programme's page lists (`?year=`; this year without one).
#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: String,
}

impl YearQuery {
    /// The year asked for, within the years a date can have; this year otherwise.
    fn year(&self, today: lotse_domain::Date) -> i64 {
        self.year
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|y| lotse_domain::date::YEARS.contains(y))
            .map_or(i64::from(today.year()), i64::from)
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    year: i64,
    notice: Option<&str>,
    errors: FormErrors,
    budget: BudgetInput,
    grant: GrantInput,
    org_query: &OrganisationPickQuery,
) -> Result<ShowPage, AppError> {
    // The budget years with their sums, and the grants running in one year: not every grant the
    // programme ever made.
    let d = funding::for_viewer(&app.db, &user.principal.viewer())
        .in_year(id, year)
        .await?;
    let (earlier, later) = match d.grant_years {
        Some((first, last)) => (
            Some((year - 1).min(last)).filter(|y| *y >= first),
            Some((year + 1).max(first)).filter(|y| *y <= last),
        ),
        None => (None, None),
    };
    Ok(ShowPage {
        layout: Layout::new(app, user, d.programme.name.clone(), path).with_notice(notice),
        earlier,
        later,
        granted: d.grants.iter().map(|g| g.amount_cents).sum(),
        org_pick: organisation_pick(
            app,
            format!("/funding/{id}"),
            org_query,
            &[grant.organisation_id.as_str()],
        )
        .await?,
        programmes: programmes::for_viewer(&app.db, &user.principal.viewer())
            .list()
            .await?
            .into_iter()
            .map(Scoped::into_inner)
            .map(|p| (p.id, p.name))
            .collect(),
        summary: errors.summary(field_label),
        errors,
        budget,
        grant,
        d,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    Query(y): Query<YearQuery>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query.unwrap_or_default();
    // A search for the recipient comes back here with everything the grant form held.
    let grant = if OrganisationPickQuery::is_search(Some(&query)) {
        serde_html_form::from_str(&query)
            .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?
    } else {
        GrantInput::default()
    };
    render(
        &show_page(
            &app,
            &user,
            uri.path(),
            &id,
            y.year(app.today()),
            q.ok.as_deref(),
            FormErrors::none(),
            BudgetInput::default(),
            grant,
            &OrganisationPickQuery::from_encoded(&query),
        )
        .await?,
    )
}

#[derive(Template)]
#[template(path = "funding/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: FundingProgrammeInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: &str,
    action: String,
    form: FundingProgrammeInput,
    errors: FormErrors,
) -> FormPage {
    FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        form,
        summary: errors.summary(field_label),
        errors,
    }
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    render(&form_page(
        &app,
        &user,
        uri.path(),
        "Neues Förderprogramm",
        "/funding".into(),
        FundingProgrammeInput::default(),
        FormErrors::none(),
    ))
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    axum::Form(input): axum::Form<FundingProgrammeInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        funding::create_programme(tx, &user.principal.viewer(), &d, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |id| format!("/funding/{id}?ok=created"),
        async |e| {
            render_invalid(&form_page(
                &app,
                &user,
                uri.path(),
                "Neues Förderprogramm",
                "/funding".into(),
                input,
                FormErrors(e),
            ))
        },
    )
    .await
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = funding::for_viewer(&app.db, &user.principal.viewer())
        .programme(&id)
        .await?;
    let form = FundingProgrammeInput {
        name: p.name.clone(),
        funder: p.funder.clone(),
        description: p.description.clone(),
    };
    render(&form_page(
        &app,
        &user,
        uri.path(),
        &format!("{} bearbeiten", p.name),
        format!("/funding/{id}"),
        form,
        FormErrors::none(),
    ))
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    axum::Form(input): axum::Form<FundingProgrammeInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        funding::update_programme(tx, &user.principal.viewer(), &id, &d, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/funding/{id}?ok=saved"),
        async |e| {
            render_invalid(&form_page(
                &app,
                &user,
                uri.path(),
                "Förderprogramm bearbeiten",
                format!("/funding/{id}"),
                input,
                FormErrors(e),
            ))
        },
    )
    .await
}

pub async fn set_budget(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(input): axum::Form<BudgetInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, (year, cents)| {
        funding::set_budget(tx, &user.principal.viewer(), &id, year, cents, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/funding/{id}?ok=saved"),
        async |e| {
            let path = format!("/funding/{id}");
            let org_query = OrganisationPickQuery::default();
            let page = show_page(
                &app,
                &user,
                &path,
                &id,
                i64::from(app.today().year()),
                None,
                FormErrors(e),
                input,
                GrantInput::default(),
                &org_query,
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

pub async fn create_grant(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let input: GrantInput = serde_html_form::from_str(&body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    // The page's year and the search words come back with a refused form.
    let shown: YearQuery = serde_html_form::from_str(&body).unwrap_or_default();
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        funding::create_grant(tx, &user.principal.viewer(), &id, &d, false, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |grant| format!("/grants/{grant}?ok=created"),
        async |e| {
            let path = format!("/funding/{id}");
            let org_query = OrganisationPickQuery::from_encoded(&body);
            let page = show_page(
                &app,
                &user,
                &path,
                &id,
                shown.year(app.today()),
                None,
                FormErrors(e),
                BudgetInput::default(),
                input,
                &org_query,
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "funding/grant.html")]
struct GrantPage {
    layout: Layout,
    g: Grant,
    movements: Vec<lotse_store::funding::Movement>,
    deadlines: Vec<lotse_store::funding::Deadline>,
    today: lotse_domain::Date,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    movement: MovementInput,
    deadline: DeadlineInput,
}

impl GrantPage {
    /// Due before today and not handed in.
    fn overdue(&self, d: &lotse_store::funding::Deadline) -> bool {
        d.submitted_on.is_none() && d.due_on < self.today
    }

    fn movement_label(&self, kind: &str) -> &'static str {
        Movement::parse(kind).map_or("", Movement::label)
    }
}

async fn grant_page(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
    movement: MovementInput,
    deadline: DeadlineInput,
) -> Result<GrantPage, AppError> {
    // The grant, its movements and its deadlines, each read by the grant's id.
    let viewer = user.principal.viewer();
    let books = funding::for_viewer(&app.db, &viewer);
    let g = books.grant(id).await?;
    let movements = books.movements_of(id).await?;
    let deadlines = books.deadlines_of(id).await?;
    Ok(GrantPage {
        layout: Layout::new(
            app,
            user,
            format!("Bewilligung: {}", g.purpose),
            &format!("/grants/{id}"),
        )
        .with_notice(notice),
        g,
        movements,
        deadlines,
        today: app.today(),
        summary: errors.summary(field_label),
        errors,
        movement,
        deadline,
    })
}

pub async fn grant(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render(
        &grant_page(
            &app,
            &user,
            &id,
            q.ok.as_deref(),
            FormErrors::none(),
            MovementInput::default(),
            DeadlineInput::default(),
        )
        .await?,
    )
}

pub async fn add_movement(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(input): axum::Form<MovementInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        funding::add_movement(tx, &user.principal.viewer(), &id, &d, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/grants/{id}?ok=saved"),
        async |e| {
            let page = grant_page(
                &app,
                &user,
                &id,
                None,
                FormErrors(e),
                input,
                DeadlineInput::default(),
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

pub async fn add_deadline(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(input): axum::Form<DeadlineInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, (title, due_on)| {
        funding::add_deadline(tx, &user.principal.viewer(), &id, &title, due_on, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/grants/{id}?ok=saved"),
        async |e| {
            let page = grant_page(
                &app,
                &user,
                &id,
                None,
                FormErrors(e),
                MovementInput::default(),
                input,
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct SubmittedForm {
    submitted: String,
}

pub async fn set_submitted(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<SubmittedForm>,
) -> Result<Response, AppError> {
    let submitted = super::parse_flag("submitted", &f.submitted)?;
    let today = app.today();
    let on = submitted.then_some(today);
    let grant = app
        .db
        .write(async |tx| {
            funding::set_submitted(tx, &user.principal.viewer(), &id, on, app.now()).await
        })
        .await?;
    Ok(Redirect::to(&format!("/grants/{grant}?ok=saved")).into_response())
}

/// The spreadsheet for the finance office.
pub async fn export(State(app): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let books = funding::for_viewer(&app.db, &viewer);
    let bytes = lotse_reports::funding_xlsx(
        &books.list().await?,
        &books.all_budgets().await?,
        &books.all_grants().await?,
        &books.all_movements().await?,
        &books.all_deadlines().await?,
    );
    super::xlsx_download(bytes, &format!("foerderung-{}.xlsx", app.today()))
}

pub async fn remind(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let report = crate::jobs::run_by_hand(&app, "deadline-reminders", &user).await?;
    if !report.ok {
        return render_invalid(&ListPage {
            layout: Layout::new(&app, &user, "Förderung", uri.path()),
            programmes: funding::for_viewer(&app.db, &user.principal.viewer())
                .list()
                .await?,
            error: Some(report.summary),
        });
    }
    Ok(Redirect::to("/funding?ok=reminded").into_response())
}
