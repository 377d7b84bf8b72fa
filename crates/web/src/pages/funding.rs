//! State funding: funding programmes with budgets, grants with money paid out and spent,
//! reporting deadlines with reminders, and the spreadsheet for the finance office.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::funding::{
    BudgetInput, DeadlineInput, FundingProgrammeInput, GrantInput, Movement, MovementInput,
    format_euro,
};
use lotse_store::funding::{self, FundingDetail, FundingSummary, Grant};
use lotse_store::scoped::Scoped;
use lotse_store::{StoreError, organisations, programmes};

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
    d: FundingDetail,
    /// (year, budget, granted in grants running that year)
    years: Vec<(i64, i64, i64)>,
    organisations: Options,
    programmes: Options,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    budget: BudgetInput,
    grant: GrantInput,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    notice: Option<&str>,
    errors: FormErrors,
    budget: BudgetInput,
    grant: GrantInput,
) -> Result<ShowPage, AppError> {
    let d = funding::for_viewer(&app.db, &user.principal.viewer())
        .get(id)
        .await?;
    let years = d
        .budgets
        .iter()
        .map(|(y, b)| (*y, *b, d.granted_in(*y)))
        .collect();
    Ok(ShowPage {
        layout: Layout::new(app, user, d.programme.name.clone(), path).with_notice(notice),
        years,
        organisations: organisations::list(&app.db, false)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
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
) -> Result<Response, AppError> {
    render(
        &show_page(
            &app,
            &user,
            uri.path(),
            &id,
            q.ok.as_deref(),
            FormErrors::none(),
            BudgetInput::default(),
            GrantInput::default(),
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
    let d = funding::for_viewer(&app.db, &user.principal.viewer())
        .get(&id)
        .await?;
    let form = FundingProgrammeInput {
        name: d.programme.name.clone(),
        funder: d.programme.funder.clone(),
        description: d.programme.description.clone(),
    };
    render(&form_page(
        &app,
        &user,
        uri.path(),
        &format!("{} bearbeiten", d.programme.name),
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
            let page = show_page(
                &app,
                &user,
                &path,
                &id,
                None,
                FormErrors(e),
                input,
                GrantInput::default(),
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
    axum::Form(input): axum::Form<GrantInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        funding::create_grant(tx, &user.principal.viewer(), &id, &d, false, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |grant| format!("/grants/{grant}?ok=created"),
        async |e| {
            let path = format!("/funding/{id}");
            let page = show_page(
                &app,
                &user,
                &path,
                &id,
                None,
                FormErrors(e),
                BudgetInput::default(),
                input,
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
    let g = funding::for_viewer(&app.db, &user.principal.viewer())
        .all_grants()
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(StoreError::NotFound)?;
    let movements = funding::for_viewer(&app.db, &user.principal.viewer())
        .all_movements()
        .await?
        .into_iter()
        .filter(|m| m.grant_id == id)
        .collect();
    let deadlines = funding::for_viewer(&app.db, &user.principal.viewer())
        .all_deadlines()
        .await?
        .into_iter()
        .filter(|d| d.grant_id == id)
        .collect();
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
