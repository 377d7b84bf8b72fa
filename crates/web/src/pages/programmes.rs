//! The integration centre's programmes: list, details with sites, figures and measures, forms.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::programme::{FiguresInput, ProgrammeInput, SiteKind};
use lotse_domain::statistics::{Shown, suppress_column};
use lotse_domain::{FieldErrors, Permission, policy::any_allows};
use lotse_store::programmes::{self, Periods, Programme, ProgrammeSummary};
use lotse_store::scoped::Scoped;
use lotse_store::{StoreError, reference};

use super::measures::{MeasurePick, PickQuery};
use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{render, render_invalid, saved_or_again, write_validated};
use lotse_domain::ids::{Ags, MeasureId, ProgrammeId, SiteId};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery};

type Options = Vec<(String, String)>;

fn can_manage(user: &CurrentUser) -> bool {
    any_allows(&user.principal.roles, Permission::ManageProgrammes)
}

#[derive(Template)]
#[template(path = "programmes/list.html")]
struct ListPage {
    layout: Layout,
    programmes: Vec<Scoped<ProgrammeSummary>>,
    can_manage: bool,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render(&ListPage {
        layout: Layout::new(&app, &user, "Programme", uri.path()).with_notice(q.ok.as_deref()),
        programmes: programmes::for_viewer(&app.db, &user.principal.viewer())
            .list()
            .await?,
        can_manage: can_manage(&user),
    })
}

/// Figures of one period as shown: the sites with their groups and participants under the
/// statistics rule, their sum, and a figure reported for the programme as a whole (kept apart:
/// it is not the sum of the sites).
pub struct PeriodTable {
    pub period: String,
    /// (site, groups, participants as shown)
    pub rows: Vec<(String, i64, Shown)>,
    pub total_groups: i64,
    pub total_participants: Shown,
    /// (groups, participants as shown) reported for the whole programme, if any.
    pub whole: Option<(i64, Shown)>,
}

pub(crate) fn period_tables(p: &Programme) -> Vec<PeriodTable> {
    let mut periods: Vec<&str> = p.figures.iter().map(|f| f.period.as_str()).collect();
    periods.dedup();
    periods
        .into_iter()
        .map(|period| {
            let sites: Vec<_> = p
                .figures
                .iter()
                .filter(|f| f.period == period && f.site_id.is_some())
                .collect();
            let (shown, total) = suppress_column(
                &sites
                    .iter()
                    .map(|f| f.participant_count)
                    .collect::<Vec<_>>(),
            );
            let whole = p
                .figures
                .iter()
                .find(|f| f.period == period && f.site_id.is_none())
                .map(|f| (f.group_count, suppress_column(&[f.participant_count]).1));
            PeriodTable {
                period: period.to_owned(),
                rows: sites
                    .iter()
                    .zip(shown)
                    .map(|(f, s)| (f.site.clone().unwrap_or_default(), f.group_count, s))
                    .collect(),
                total_groups: sites.iter().map(|f| f.group_count).sum(),
                total_participants: total,
                whole,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "programmes/show.html")]
struct ShowPage {
    layout: Layout,
    p: Programme,
    periods: Vec<PeriodTable>,
    can_manage: bool,
    towns: Options,
    kinds: Options,
    sites: Options,
    pick: MeasurePick,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    figures: FiguresInput,
    /// The address of the next older periods' figures, if there are older ones.
    older_periods: Option<String>,
    /// Whether the page shows older periods (then it links back to the newest).
    paged_periods: bool,
    /// (funding programme, purpose, period, amount) of the newest grants that fund the programme.
    grants: Vec<(String, String, String, String)>,
    /// The programme has older grants than those listed.
    older_grants: bool,
    /// The viewer keeps the funding books, where all grants are listed.
    may_see_funding: bool,
}

/// How many periods of figures the programme's page shows at a time, the newest first.
const PERIODS_SHOWN: usize = 6;

/// How many grants the programme's page lists, the newest first.
const GRANTS_SHOWN: usize = 20;

/// Which periods' figures the programme's page shows: the newest, or those before a period.
#[derive(serde::Deserialize, Default)]
pub struct PeriodsQuery {
    #[serde(default)]
    periods_before: String,
}

fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "description" => "Beschreibung",
        "part_of" => "Teil von",
        "partners" => "Partner",
        "site_name" => "Standort",
        "site_town" => "Stadt/Gemeinde",
        "site_kind" => "Art des Standorts",
        "period" => "Zeitraum",
        "site_id" => "Standort",
        "groups" => "Gruppen",
        "participants" => "Teilnehmende",
        "measure_id" => "Maßnahme",
        other => other,
    }
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&str>,
    pick: &PickQuery,
    periods_before: Option<&str>,
    errors: FormErrors,
    figures: FiguresInput,
) -> Result<ShowPage, AppError> {
    // A few periods of figures at a time: a programme adds some every period, for ever.
    let p = programmes::for_viewer(&app.db, &user.principal.viewer())
        .get_with(
            id,
            Periods::Newest {
                count: PERIODS_SHOWN,
                before: periods_before,
            },
        )
        .await?
        .into_inner();
    let older_periods = p.figures.last().filter(|_| p.older_periods).map(|f| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("periods_before", &f.period);
        format!("/programmes/{id}?{}#figures-h", q.finish())
    });
    let pick = if can_manage(user) {
        MeasurePick::load(app, format!("/programmes/{id}"), pick, &[], |id| {
            p.measures.iter().any(|(m, ..)| m == id)
        })
        .await?
    } else {
        MeasurePick::none()
    };
    let (grants, older_grants) = programmes::for_viewer(&app.db, &user.principal.viewer())
        .grants(&p.id, GRANTS_SHOWN)
        .await?;
    let grants = grants
        .into_iter()
        .map(|g| {
            (
                g.funding_programme.clone(),
                g.purpose.clone(),
                format!(
                    "{} – {}",
                    crate::view::date_de(&g.period_from),
                    crate::view::date_de(&g.period_to)
                ),
                lotse_domain::funding::format_euro(g.amount_cents),
            )
        })
        .collect();
    Ok(ShowPage {
        grants,
        older_grants,
        may_see_funding: any_allows(&user.principal.roles, Permission::ManageFunding),
        older_periods,
        paged_periods: periods_before.is_some(),
        // The page's own address, also after a refused step posted elsewhere.
        layout: Layout::new(app, user, p.name.clone(), &format!("/programmes/{id}"))
            .with_notice(notice),
        periods: period_tables(&p),
        can_manage: can_manage(user),
        towns: reference::town_names(&app.db).await?,
        kinds: SiteKind::ALL
            .iter()
            .map(|k| (k.key().to_owned(), k.label().to_owned()))
            .collect(),
        sites: p
            .sites
            .iter()
            .filter(|s| s.active)
            .map(|s| (s.id.clone(), format!("{} ({})", s.name, s.town)))
            .collect(),
        pick,
        summary: errors.summary(field_label),
        errors,
        figures,
        p,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    Query(pick): Query<PickQuery>,
    Query(periods): Query<PeriodsQuery>,
) -> Result<Response, AppError> {
    let before = Some(periods.periods_before.as_str()).filter(|p| !p.is_empty());
    render(
        &show_page(
            &app,
            &user,
            &id,
            q.ok.as_deref(),
            &pick,
            before,
            FormErrors::none(),
            FiguresInput::default(),
        )
        .await?,
    )
}

/// After a refused step on the details page: the page again, with the errors at the top.
async fn refused(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    errors: FieldErrors,
    figures: FiguresInput,
) -> Result<Response, AppError> {
    render_invalid(
        &show_page(
            app,
            user,
            id,
            None,
            &PickQuery::default(),
            None,
            FormErrors(errors),
            figures,
        )
        .await?,
    )
}

#[derive(Template)]
#[template(path = "programmes/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: ProgrammeInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    umbrellas: Options,
    /// The partners: those chosen, then the organisations matching the search words.
    org_pick: Pick,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: &str,
    action: String,
    form: ProgrammeInput,
    errors: FormErrors,
    own_id: Option<&str>,
    org_query: &OrganisationPickQuery,
) -> Result<FormPage, AppError> {
    // The search reloads the form's own page.
    let address = own_id.map_or_else(
        || "/programmes/new".to_owned(),
        |id| format!("/programmes/{id}/edit"),
    );
    let partners: Vec<&str> = form.partners.iter().map(String::as_str).collect();
    // Searched by POST: the form holds free text (the description), which must not go into an
    // address.
    let org_pick = organisation_pick(app, address, org_query, &partners)
        .await?
        .by_post();
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        form,
        summary: errors.summary(field_label),
        errors,
        umbrellas: programmes::for_viewer(&app.db, &user.principal.viewer())
            .list()
            .await?
            .into_iter()
            .map(Scoped::into_inner)
            .filter(|p| p.part_of.is_none() && Some(p.id.as_str()) != own_id)
            .map(|p| (p.id, p.name))
            .collect(),
        org_pick,
    })
}

fn parse_form(body: &str) -> Result<ProgrammeInput, AppError> {
    serde_html_form::from_str(body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query.unwrap_or_default();
    // A search for partners comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query)?
    } else {
        ProgrammeInput::default()
    };
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            "Neues Programm",
            "/programmes".into(),
            form,
            FormErrors::none(),
            None,
            &OrganisationPickQuery::from_encoded(&query),
        )
        .await?,
    )
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let input = parse_form(&body)?;
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Neues Programm",
                "/programmes".into(),
                input,
                FormErrors::none(),
                None,
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        programmes::create(tx, &user.principal.viewer(), &d, false, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |id| format!("/programmes/{id}?ok=created"),
        async |e| {
            let org_query = OrganisationPickQuery::from_encoded(&body);
            let page = form_page(
                &app,
                &user,
                uri.path(),
                "Neues Programm",
                "/programmes".into(),
                input,
                FormErrors(e),
                None,
                &org_query,
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    // The form needs the programme's own fields, no figures.
    let p = programmes::for_viewer(&app.db, &user.principal.viewer())
        .get_with(&id, Periods::None)
        .await?
        .into_inner();
    let query = query.unwrap_or_default();
    // A search for partners comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query)?
    } else {
        ProgrammeInput {
            name: p.name.clone(),
            description: p.description.clone(),
            part_of: p.part_of.map(|(id, _)| id).unwrap_or_default(),
            partners: p.partners.iter().map(|(id, _)| id.clone()).collect(),
        }
    };
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            &format!("{} bearbeiten", p.name),
            format!("/programmes/{id}"),
            form,
            FormErrors::none(),
            Some(&id),
            &OrganisationPickQuery::from_encoded(&query),
        )
        .await?,
    )
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let input = parse_form(&body)?;
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Programm bearbeiten",
                format!("/programmes/{id}"),
                input,
                FormErrors::none(),
                Some(&id),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = write_validated(&app.db, input.validate(), async |tx, d| {
        programmes::update(tx, &user.principal.viewer(), &id, &d, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/programmes/{id}?ok=saved"),
        async |e| {
            let org_query = OrganisationPickQuery::from_encoded(&body);
            let page = form_page(
                &app,
                &user,
                uri.path(),
                "Programm bearbeiten",
                format!("/programmes/{id}"),
                input,
                FormErrors(e),
                Some(&id),
                &org_query,
            );
            render_invalid(&page.await?)
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    site_name: String,
    #[serde(default)]
    site_kind: String,
    #[serde(default)]
    site_town: String,
}

pub async fn add_site(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<SiteForm>,
) -> Result<Response, AppError> {
    let Some(kind) = SiteKind::parse(&f.site_kind) else {
        let mut e = FieldErrors::new();
        e.add("site_kind", "Bitte die Art des Standorts wählen.");
        return refused(&app, &user, &id, e, FiguresInput::default()).await;
    };
    let result = app
        .db
        .write(async |tx| {
            programmes::add_site(
                tx,
                &user.principal.viewer(),
                &ProgrammeId::from(&id),
                &f.site_name,
                kind,
                &Ags::from(f.site_town.trim()),
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/programmes/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => refused(&app, &user, &id, e, FiguresInput::default()).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn set_site_active(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, site)): Path<(ProgrammeId, SiteId)>,
    axum::Form(f): axum::Form<super::ActiveForm>,
) -> Result<Response, AppError> {
    let active = f.value()?;
    app.db
        .write(async |tx| {
            programmes::set_site_active(tx, &user.principal.viewer(), &id, &site, active, app.now())
                .await
        })
        .await?;
    Ok(Redirect::to(&format!("/programmes/{id}?ok=saved")).into_response())
}

pub async fn set_figures(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(input): axum::Form<FiguresInput>,
) -> Result<Response, AppError> {
    let result = write_validated(&app.db, input.validate(), async |tx, f| {
        programmes::set_figures(tx, &user.principal.viewer(), &id, &f, app.now()).await
    })
    .await;
    saved_or_again(
        result,
        |()| format!("/programmes/{id}?ok=saved"),
        async |e| refused(&app, &user, &id, e, input).await,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct MeasureForm {
    #[serde(default)]
    measure_id: String,
}

pub async fn link_measure(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<MeasureForm>,
) -> Result<Response, AppError> {
    let result = app
        .db
        .write(async |tx| {
            programmes::link_measure(
                tx,
                &user.principal.viewer(),
                &ProgrammeId::from(&id),
                &MeasureId::from(f.measure_id.trim()),
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/programmes/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(e)) => refused(&app, &user, &id, e, FiguresInput::default()).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn unlink_measure(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, measure)): Path<(ProgrammeId, MeasureId)>,
) -> Result<Response, AppError> {
    app.db
        .write(async |tx| {
            programmes::unlink_measure(tx, &user.principal.viewer(), &id, &measure, app.now()).await
        })
        .await?;
    Ok(Redirect::to(&format!("/programmes/{id}?ok=saved")).into_response())
}
