//! Review rounds: opening, the task lists of the reporting organisations, submitting and reviewing
//! updates, proposals for new measures, closing with a frozen snapshot.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::Permission;
use lotse_domain::access::{Access, Record};
use lotse_domain::measure::{Adaptation, MeasureStatus};
use lotse_domain::policy::any_allows;
use lotse_store::paging::{Page, PageRequest};
use lotse_store::rounds::{
    self, Decision, Progress, Proposal, ProposalInput, Round, SnapshotRow, Update, UpdateInput,
};
use lotse_store::scoped::Scoped;
use lotse_store::{StoreError, measures};

use super::{render, render_invalid};
use lotse_domain::ids::{OrganisationId, ReportId, RoundId};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de, datetime, number_de};

pub struct RoundRow {
    id: String,
    title: String,
    date: String,
    state: &'static str,
    fictitious: bool,
    total: usize,
    accepted: usize,
    submitted: usize,
    missing: usize,
}

#[derive(Template)]
#[template(path = "rounds/list.html")]
struct ListPage {
    layout: Layout,
    rounds: Vec<RoundRow>,
    can_manage: bool,
    /// (id, name, ticked): a rejected form keeps the coordinator's choice.
    concepts: Vec<(String, String, bool)>,
    form_title: String,
    form_date: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

fn field_label(field: &str) -> &str {
    match field {
        "title" => "Titel",
        "reference_date" => "Stichtag",
        "concept_ids" => "Konzepte",
        "status" => "Sachstand",
        "progress" => "Fortschritt",
        "adaptation" => "Anpassungsbedarf",
        "adaptation_reason" => "Begründung",
        "proposal_title" => "Titel",
        "proposal_concept" => "Konzept",
        "round" => "Runde",
        "state" => "Bericht",
        other => other,
    }
}

async fn list_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: String,
    date: String,
    chosen: &[String],
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let mut rows = Vec::new();
    for rounds::RoundSummary {
        round: r,
        missing,
        submitted,
        returned,
        accepted,
    } in rounds::all_summaries(&app.db).await?
    {
        rows.push(RoundRow {
            date: date_de(&r.reference_date),
            state: if r.is_open() {
                "offen"
            } else {
                "abgeschlossen"
            },
            total: usize::try_from(missing + submitted + returned + accepted).unwrap_or(0),
            accepted: usize::try_from(accepted).unwrap_or(0),
            submitted: usize::try_from(submitted).unwrap_or(0),
            missing: usize::try_from(missing + returned).unwrap_or(0),
            fictitious: r.fictitious,
            id: r.id,
            title: r.title,
        });
    }
    Ok(ListPage {
        layout: Layout::new(app, user, "Überprüfungsrunden", path),
        rounds: rows,
        can_manage: any_allows(&user.principal.roles, Permission::ManageReviews),
        concepts: measures::concept_names(&app.db)
            .await?
            .into_iter()
            .map(|(id, short_name)| {
                let ticked = chosen.contains(&id);
                (id, short_name, ticked)
            })
            .collect(),
        form_title: title,
        form_date: date,
        summary: errors.summary(field_label),
        errors,
    })
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = list_page(
        &app,
        &user,
        uri.path(),
        String::new(),
        String::new(),
        &[],
        FormErrors::none(),
    )
    .await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

pub async fn open(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let (mut title, mut date, mut concepts) = (String::new(), String::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "title" => title = v.into_owned(),
            "reference_date" => date = v.into_owned(),
            "concept_ids" => concepts.push(v.into_owned()),
            _ => {}
        }
    }
    let result = app
        .db
        .write(async |tx| {
            rounds::open(
                tx,
                &user.principal.actor(),
                &title,
                &date,
                &concepts,
                false,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/rounds/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &list_page(
                &app,
                &user,
                uri.path(),
                title,
                date,
                &concepts,
                FormErrors(errors),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub struct SnapshotView {
    concept: String,
    code: String,
    title: String,
    status: &'static str,
    adaptation: &'static str,
    progress: String,
    fictitious: bool,
}

impl From<SnapshotRow> for SnapshotView {
    fn from(r: SnapshotRow) -> Self {
        SnapshotView {
            status: MeasureStatus::parse(&r.status).map_or("", MeasureStatus::label),
            adaptation: Adaptation::parse(&r.adaptation).map_or("", Adaptation::label),
            concept: r.concept,
            code: r.code,
            title: r.title,
            progress: r.progress,
            fictitious: r.fictitious,
        }
    }
}

#[derive(Template)]
#[template(path = "rounds/show.html")]
struct ShowPage {
    layout: Layout,
    round: Round,
    date: String,
    opened: String,
    closed: String,
    progress: Vec<Progress>,
    total: Progress,
    /// How long the reports took, in words; `None` before five have come in (statistics rule).
    turnaround: Option<String>,
    /// One page of the reports; the pager's addresses.
    tasks: Vec<Scoped<Update>>,
    tasks_first: Option<String>,
    tasks_next: Option<String>,
    proposals: Vec<Proposal>,
    /// One page of the frozen rows of a closed round; the pager's addresses.
    snapshot: Vec<SnapshotView>,
    snapshot_first: Option<String>,
    snapshot_next: Option<String>,
    can_manage: bool,
    can_submit: bool,
    concepts: Vec<(String, String)>,
    proposal_concept: String,
    errors: FormErrors,
}

/// Where the round page's two long tables continue: the reports (`after`) and the frozen rows of
/// a closed round (`frozen_after`), each a keyset cursor.
#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    ok: Option<String>,
    #[serde(default)]
    after: String,
    #[serde(default)]
    frozen_after: String,
}

/// Reports or frozen rows per page of a round.
const ROWS_PER_PAGE: usize = 100;

/// The round page's address with one of its tables continued after `cursor`.
fn round_link(id: &str, parameter: &str, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => {
            let mut s = form_urlencoded::Serializer::new(String::new());
            s.append_pair(parameter, c);
            format!("/rounds/{id}?{}", s.finish())
        }
        None => format!("/rounds/{id}"),
    }
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    errors: FormErrors,
) -> Result<ShowPage, AppError> {
    show_page_at(app, user, path, id, errors, &ShowQuery::default()).await
}

async fn show_page_at(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    errors: FormErrors,
    at: &ShowQuery,
) -> Result<ShowPage, AppError> {
    let round = rounds::round(&app.db, id).await?;
    let (progress, total) = rounds::progress_of(&app.db, id).await?;
    let viewer = user.principal.viewer();
    let can_manage = Access::of(&viewer, Record::ReviewRound, None).decide;
    let can_submit = any_allows(&user.principal.roles, Permission::SubmitReviewUpdates);
    // The coordination sees every report; a reporting organisation its own; readers the figures
    // (decided by the store, lotse_domain::access).
    let tasks = rounds::reports_for(&app.db, &viewer)
        .of_round(id, &PageRequest::new(Some(&at.after), Some(ROWS_PER_PAGE)))
        .await?;
    let tasks_first = (!tasks.first).then(|| round_link(id, "after", None));
    let tasks_next = tasks
        .next
        .as_ref()
        .map(|c| round_link(id, "after", Some(&c.encode())));
    let snapshot = if round.is_open() {
        Page::empty()
    } else {
        rounds::snapshot_page(
            &app.db,
            id,
            &PageRequest::new(Some(&at.frozen_after), Some(ROWS_PER_PAGE)),
        )
        .await?
        .map(SnapshotView::from)
    };
    let snapshot_first = (!snapshot.first).then(|| round_link(id, "frozen_after", None));
    let snapshot_next = snapshot
        .next
        .as_ref()
        .map(|c| round_link(id, "frozen_after", Some(&c.encode())));
    let turnaround = lotse_store::statistics::report_turnaround(&app.db, id)
        .await?
        .shown()
        .map(|(median, p90)| {
            format!(
                "Die Hälfte der Berichte kam binnen {} Tagen nach Eröffnung, neun von zehn binnen {} Tagen.",
                number_de(median.max(0.0)),
                number_de(p90.max(0.0))
            )
        });
    Ok(ShowPage {
        turnaround,
        layout: Layout::new(app, user, round.title.clone(), path),
        date: date_de(&round.reference_date),
        opened: datetime(round.opened_at),
        closed: round.closed_at.map(datetime).unwrap_or_default(),
        proposals: rounds::proposals(&app.db, id).await?,
        concepts: measures::concept_names(&app.db).await?,
        proposal_concept: String::new(),
        round,
        progress,
        total,
        tasks: tasks.items,
        tasks_first,
        tasks_next,
        snapshot: snapshot.items,
        snapshot_first,
        snapshot_next,
        can_manage,
        can_submit,
        errors,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let mut page = show_page_at(&app, &user, uri.path(), &id, FormErrors::none(), &q).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(Template)]
#[template(path = "rounds/update.html")]
struct UpdatePage {
    layout: Layout,
    round: Round,
    u: Update,
    date: String,
    measure_status: &'static str,
    can_submit: bool,
    can_review: bool,
    form: UpdateInput,
    /// (indicator id, "name (unit)", value as entered or reported, error)
    indicators: Vec<(String, String, String, Option<String>)>,
    statuses: Vec<(String, String)>,
    adaptations: Vec<(String, String)>,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

/// Loads a report of a round as the user may see it: the coordination any, the organisation asked
/// for it its own; anything else is not found (decided by the store).
async fn load(
    app: &AppState,
    user: &CurrentUser,
    round_id: &RoundId,
    update_id: &ReportId,
) -> Result<(Round, Scoped<Update>), AppError> {
    let round = rounds::round(&app.db, round_id.as_str()).await?;
    let u = rounds::reports_for(&app.db, &user.principal.viewer())
        .get(round_id, update_id)
        .await?;
    Ok((round, u))
}

async fn update_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    round: Round,
    u: Scoped<Update>,
    form: UpdateInput,
    errors: FormErrors,
) -> Result<UpdatePage, AppError> {
    let open = round.is_open();
    let access = u.access;
    let u = u.into_inner();
    // The measure's indicators with what was typed (after an error) or last reported.
    let reported = rounds::update_values(&app.db, &u.id).await?;
    let indicators = measures::indicators(&app.db, &u.measure_id)
        .await?
        .into_iter()
        .map(|i| {
            let value = form
                .values
                .iter()
                .find(|(id, _)| *id == i.id)
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    reported
                        .iter()
                        .find(|(id, _)| *id == i.id)
                        .map(|(_, v)| crate::view::number_de(*v))
                })
                .unwrap_or_default();
            let label = if i.unit.is_empty() {
                i.name
            } else {
                format!("{} ({})", i.name, i.unit)
            };
            let error = errors.get(&format!("value_{}", i.id)).map(str::to_owned);
            (i.id, label, value, error)
        })
        .collect();
    Ok(UpdatePage {
        indicators,
        layout: Layout::new(app, user, format!("Bericht {} {}", u.code, u.title), path),
        date: date_de(&round.reference_date),
        measure_status: MeasureStatus::parse(&u.measure_status).map_or("", MeasureStatus::label),
        can_submit: open && access.change && u.open_for_submission(),
        can_review: open && u.state == "submitted" && access.decide,
        round,
        u,
        form,
        statuses: MeasureStatus::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        adaptations: Adaptation::ALL
            .iter()
            .map(|a| (a.key().to_owned(), a.label().to_owned()))
            .collect(),
        summary: errors.summary(field_label),
        errors,
    })
}

/// The form pre-filled with what was reported (or the measure's status if nothing yet).
fn input_of(u: &Update) -> UpdateInput {
    UpdateInput {
        status: u.status.clone().unwrap_or_else(|| u.measure_status.clone()),
        progress: u.progress.clone(),
        adaptation: u.adaptation.clone(),
        adaptation_reason: u.adaptation_reason.clone(),
        values: Vec::new(),
    }
}

pub async fn update_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((round_id, update_id)): Path<(RoundId, ReportId)>,
) -> Result<Response, AppError> {
    let (round, u) = load(&app, &user, &round_id, &update_id).await?;
    let form = input_of(&u);
    render(&update_page(&app, &user, uri.path(), round, u, form, FormErrors::none()).await?)
}

pub async fn submit(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((round_id, update_id)): Path<(RoundId, ReportId)>,
    body: String,
) -> Result<Response, AppError> {
    let (round, u) = load(&app, &user, &round_id, &update_id).await?;
    // Read by hand: the indicator fields are named after the indicators (`value_<id>`).
    let mut input = UpdateInput::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "status" => input.status = v,
            "progress" => input.progress = v,
            "adaptation" => input.adaptation = v,
            "adaptation_reason" => input.adaptation_reason = v,
            k if k.starts_with("value_") => input.values.push((k["value_".len()..].to_owned(), v)),
            _ => {}
        }
    }
    let result = app
        .db
        .write(async |tx| {
            rounds::submit(tx, &user.principal.viewer(), &update_id, &input, app.now()).await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/rounds/{round_id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &update_page(&app, &user, uri.path(), round, u, input, FormErrors(errors)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    review_comment: String,
    /// The submission the reviewer saw (epoch ms), so that a newer one is not accepted unseen.
    submitted_at: Option<i64>,
}

pub async fn review(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((round_id, update_id)): Path<(RoundId, ReportId)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let (round, u) = load(&app, &user, &round_id, &update_id).await?;
    let decision = match f.decision.as_str() {
        "accept" => Decision::Accept,
        "return" => Decision::Return,
        _ => {
            return Err(AppError::bad_request(
                "Feld „decision“: erwartet accept oder return.",
            ));
        }
    };
    let result = app
        .db
        .write(async |tx| {
            rounds::review(
                tx,
                &user.principal.viewer(),
                &update_id,
                decision,
                &f.review_comment,
                f.submitted_at,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/rounds/{round_id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let form = input_of(&u);
            render_invalid(
                &update_page(&app, &user, uri.path(), round, u, form, FormErrors(errors)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /rounds/{id}/accept`: accepts the chosen submitted reports at once, in one
/// transaction: all or none. Each carries the time of the submission the reviewer saw
/// (`report=ID@MS`), so a report resubmitted meanwhile is not accepted unread.
pub async fn accept_many(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(round_id): Path<RoundId>,
    body: String,
) -> Result<Response, AppError> {
    let mut chosen: Vec<(ReportId, Option<i64>)> = Vec::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        if key != "report" {
            continue;
        }
        let (id, seen) = value.split_once('@').unwrap_or((&value, ""));
        if !lotse_domain::validation::is_uuid(id) {
            return Err(AppError::bad_request(format!(
                "Feld „report“: „{id}“ ist kein Bericht."
            )));
        }
        chosen.push((ReportId::new(id), seen.parse().ok()));
    }
    if chosen.is_empty() {
        let mut e = lotse_domain::FieldErrors::new();
        e.add(
            "round",
            "Bitte wählen Sie mindestens einen eingereichten Bericht aus.",
        );
        return render_invalid(
            &show_page(&app, &user, uri.path(), round_id.as_str(), FormErrors(e)).await?,
        );
    }
    let viewer = user.principal.viewer();
    let now = app.now();
    let result = app
        .db
        .write(async |tx| {
            for (id, seen) in &chosen {
                rounds::review(tx, &viewer, id, Decision::Accept, "", *seen, now).await?;
            }
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/rounds/{round_id}?ok=accepted")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let reason = errors
                .iter()
                .map(|(_, m)| m.to_owned())
                .collect::<Vec<_>>()
                .join(" ");
            let mut e = lotse_domain::FieldErrors::new();
            e.add(
                "round",
                format!("Keiner der ausgewählten Berichte wurde angenommen: {reason}"),
            );
            render_invalid(
                &show_page(&app, &user, uri.path(), round_id.as_str(), FormErrors(e)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn propose(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(round_id): Path<RoundId>,
    Form(input): Form<ProposalInput>,
) -> Result<Response, AppError> {
    rounds::round(&app.db, round_id.as_str()).await?;
    let org = OrganisationId::from(&user.principal.organisation_id);
    let result = app
        .db
        .write(async |tx| {
            rounds::propose(
                tx,
                &user.principal.actor(),
                &round_id,
                &org,
                &input,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{round_id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &show_page(
                &app,
                &user,
                uri.path(),
                round_id.as_str(),
                FormErrors(errors),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The confirmation before a round is closed: what is still outstanding, per organisation, and
/// what closing means, in words. Closing is for good (decision 0014).
#[derive(Template)]
#[template(path = "rounds/close.html")]
struct ClosePage {
    layout: Layout,
    round: Round,
    date: String,
    /// Organisations with reports not yet accepted.
    outstanding: Vec<lotse_store::rounds::Progress>,
    total: lotse_store::rounds::Progress,
    /// Reports not accepted in all: they appear as "ausstehend" in the report.
    open_reports: usize,
    error: Option<&'static str>,
}

async fn close_page(
    app: &AppState,
    user: &CurrentUser,
    round_id: &str,
    error: Option<&'static str>,
) -> Result<ClosePage, AppError> {
    let round = rounds::round(&app.db, round_id).await?;
    let (progress, total) = rounds::progress_of(&app.db, round_id).await?;
    let outstanding = progress
        .into_iter()
        .filter(|p| p.missing + p.submitted + p.returned > 0)
        .collect();
    Ok(ClosePage {
        layout: Layout::new(
            app,
            user,
            format!("{} abschließen", round.title),
            &format!("/rounds/{round_id}/close"),
        ),
        date: date_de(&round.reference_date),
        open_reports: total.missing + total.submitted + total.returned,
        outstanding,
        total,
        round,
        error,
    })
}

/// `GET /rounds/{id}/close`: the confirmation page.
pub async fn close_form(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<String>,
) -> Result<Response, AppError> {
    let page = close_page(&app, &user, &round_id, None).await?;
    if !page.round.is_open() {
        return Ok(Redirect::to(&format!("/rounds/{round_id}")).into_response());
    }
    render(&page)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CloseInput {
    /// "yes" from the confirmation page; anything else leads there first.
    confirm: String,
    /// "yes": closing with reports outstanding was acknowledged.
    outstanding_ok: String,
}

/// `POST /rounds/{id}/close`: closes the round once it was confirmed, and the outstanding
/// reports acknowledged.
pub async fn close(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(round_id): Path<String>,
    Form(input): Form<CloseInput>,
) -> Result<Response, AppError> {
    let page = close_page(&app, &user, &round_id, None).await?;
    if !page.round.is_open() {
        return Ok(Redirect::to(&format!("/rounds/{round_id}")).into_response());
    }
    if input.confirm != "yes" {
        return Ok(Redirect::to(&format!("/rounds/{round_id}/close")).into_response());
    }
    if page.open_reports > 0 && input.outstanding_ok != "yes" {
        return render_invalid(&ClosePage {
            error: Some(
                "Bitte bestätigen Sie, dass die Runde mit den noch nicht angenommenen Berichten abgeschlossen wird.",
            ),
            ..page
        });
    }
    app.db
        .write(async |tx| rounds::close(tx, &user.principal.actor(), &round_id, app.now()).await)
        .await?;
    Ok(Redirect::to(&format!("/rounds/{round_id}?ok=round_closed")).into_response())
}

/// `GET /rounds/{id}/progress.xlsx`: who owes which reports, with telephone and e-mail, for
/// chasing them by phone.
pub async fn progress_xlsx(
    State(app): State<AppState>,
    Path(round_id): Path<String>,
) -> Result<Response, AppError> {
    let round = rounds::round(&app.db, &round_id).await?;
    let reports = rounds::updates(&app.db, &round_id, None).await?;
    let mut ids: Vec<&str> = reports
        .iter()
        .filter_map(|u| u.organisation_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let organisations = lotse_store::organisations::by_ids(&app.db, &ids).await?;
    let mut rows: Vec<lotse_reports::Chase> = Vec::new();
    for u in &reports {
        let key = u
            .organisation
            .clone()
            .unwrap_or_else(|| "ohne Organisation".to_owned());
        let at = match rows.iter().position(|r| r.organisation == key) {
            Some(i) => i,
            None => {
                let org = organisations
                    .iter()
                    .find(|o| Some(o.id.as_str()) == u.organisation_id.as_deref());
                rows.push(lotse_reports::Chase {
                    organisation: key,
                    phone: org.map(|o| o.phone.clone()).unwrap_or_default(),
                    email: org.map(|o| o.email.clone()).unwrap_or_default(),
                    ..lotse_reports::Chase::default()
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        match u.state.as_str() {
            "missing" => row.missing += 1,
            "returned" => row.returned += 1,
            "submitted" => row.submitted += 1,
            _ => row.accepted += 1,
        }
        if matches!(u.state.as_str(), "missing" | "returned") {
            row.owed.push((
                format!("{} {}", u.concept, u.code),
                u.title.clone(),
                u.state_label().to_owned(),
            ));
        }
    }
    super::xlsx_download(
        lotse_reports::round_progress_xlsx(&round.title, &rows),
        "ueberpruefung-stand-je-organisation.xlsx",
    )
}

/// Reminds the organisations that still owe reports: one mail to each active account of theirs
/// that may report and has an e-mail address, listing the measures. Recorded in the audit log.
pub async fn remind(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(round_id): Path<String>,
) -> Result<Response, AppError> {
    let outcome = crate::jobs::round_reminders::remind_missing_reports(
        &app.db,
        app.config.mail.as_ref(),
        &user.principal.actor(),
        &round_id,
        app.now(),
    )
    .await;
    let message = match outcome {
        Ok(o) if o.failed.is_empty() => {
            let to = format!("/rounds/{round_id}?ok=reminded&sent={}", o.sent);
            return Ok(axum::response::Redirect::to(&to).into_response());
        }
        Ok(o) => format!(
            "{} Erinnerungen verschickt; nicht zugestellt an: {}.",
            o.sent,
            o.failed.join(", ")
        ),
        Err(StoreError::Invalid(errors)) => {
            return render_invalid(
                &show_page(&app, &user, uri.path(), &round_id, FormErrors(errors)).await?,
            );
        }
        Err(e) => return Err(e.into()),
    };
    let mut e = lotse_domain::FieldErrors::new();
    e.add("round", message);
    render_invalid(&show_page(&app, &user, uri.path(), &round_id, FormErrors(e)).await?)
}
