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
    /// "15.01.2027 (noch 5 Tage)" for an open round, the day alone for a closed one.
    deadline: String,
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
    form_deadline: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

fn field_label(field: &str) -> &str {
    match field {
        "title" => "Titel",
        "reference_date" => "Stichtag",
        "submission_deadline" => "Abgabefrist",
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
    form: OpenForm,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let today = app.today();
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
            deadline: deadline_text(&r, today),
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
                let ticked = form.concepts.contains(&id);
                (id, short_name, ticked)
            })
            .collect(),
        form_title: form.title,
        form_date: form.date,
        form_deadline: form.deadline,
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
        OpenForm::default(),
        FormErrors::none(),
    )
    .await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

/// What the coordination typed to open a round (kept when the form is rejected).
#[derive(Default)]
struct OpenForm {
    title: String,
    date: String,
    deadline: String,
    concepts: Vec<String>,
}

/// The deadline of a round as its lists show it: with the days left while the round is open.
fn deadline_text(round: &Round, today: lotse_domain::Date) -> String {
    match round.submission_deadline {
        Some(d) if round.is_open() => {
            format!(
                "{} ({})",
                date_de(&d),
                crate::view::deadline_words(d, today)
            )
        }
        Some(d) => date_de(&d),
        None => "–".into(),
    }
}

pub async fn open(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let mut form = OpenForm::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "title" => form.title = v.into_owned(),
            "reference_date" => form.date = v.into_owned(),
            "submission_deadline" => form.deadline = v.into_owned(),
            "concept_ids" => form.concepts.push(v.into_owned()),
            _ => {}
        }
    }
    let result = app
        .db
        .write(async |tx| {
            rounds::open(
                tx,
                &user.principal.actor(),
                &form.title,
                &form.date,
                &form.deadline,
                &form.concepts,
                false,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/rounds/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&list_page(&app, &user, uri.path(), form, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct DeadlineForm {
    #[serde(default)]
    submission_deadline: String,
}

/// `POST /rounds/{id}/deadline`: moves the submission deadline of an open round.
pub async fn set_deadline(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(round_id): Path<RoundId>,
    Form(f): Form<DeadlineForm>,
) -> Result<Response, AppError> {
    let result = app
        .db
        .write(async |tx| {
            rounds::set_deadline(
                tx,
                &user.principal.actor(),
                round_id.as_str(),
                &f.submission_deadline,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/rounds/{round_id}?ok=deadline")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let mut page = show_page(
                &app,
                &user,
                uri.path(),
                round_id.as_str(),
                FormErrors(errors),
            )
            .await?;
            page.deadline_typed = f.submission_deadline;
            render_invalid(&page)
        }
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
    /// The submission deadline with the days left, or "–".
    deadline: String,
    /// Whether the deadline has passed with the round still open.
    overdue: bool,
    /// The change form's value: as typed after an error, else the deadline (ISO, for the date
    /// field).
    deadline_typed: String,
    opened: String,
    closed: String,
    progress: Vec<Progress>,
    total: Progress,
    /// How long the reports took, in words; `None` before five have come in (statistics rule).
    turnaround: Option<String>,
    /// One page of the reports; the pager's addresses.
    tasks: Vec<Scoped<Update>>,
    /// Per report on this page, the measure's status frozen by the previous round ("–" if none),
    /// and whether the report says otherwise.
    previous_status: Vec<(&'static str, bool)>,
    /// The previous closed round, which the comparison column refers to.
    previous: Option<Round>,
    filter: rounds::ReportFilter,
    sort_columns: Vec<SortColumn>,
    /// Filter choices: (id, name).
    organisations: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    states: Vec<(String, String)>,
    adaptation_choices: Vec<(String, String)>,
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

/// The round page's address: which reports it lists and in which order, and where its two long
/// tables continue: the reports (`after`) and the frozen rows of a closed round (`frozen_after`),
/// each a keyset cursor.
#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    ok: Option<String>,
    #[serde(default)]
    after: String,
    #[serde(default)]
    frozen_after: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    adaptation: String,
    #[serde(default)]
    sort: String,
}

/// The report states the filter offers, with "not yet accepted" first: what a reviewer chases.
const STATE_CHOICES: [(&str, &str); 5] = [
    ("open", "noch nicht angenommen"),
    ("submitted", "eingereicht"),
    ("returned", "zurückgegeben"),
    ("missing", "ausstehend"),
    ("accepted", "angenommen"),
];

impl ShowQuery {
    /// The filter as the store reads it: values that are not among the choices count as unset (a
    /// hand-edited address lists everything rather than nothing).
    fn filter(&self) -> rounds::ReportFilter {
        let set = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        rounds::ReportFilter {
            organisation: set(&self.organisation),
            state: set(&self.state).filter(|s| STATE_CHOICES.iter().any(|(k, _)| k == s)),
            field: set(&self.field),
            adaptation: set(&self.adaptation).filter(|a| Adaptation::parse(a).is_some()),
            order: rounds::ReportOrder::parse(self.sort.trim()).unwrap_or_default(),
        }
    }
}

/// The filter and order as query pairs, for the links that keep them.
fn filter_pairs(f: &rounds::ReportFilter) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    for (name, value) in [
        ("organisation", &f.organisation),
        ("state", &f.state),
        ("field", &f.field),
        ("adaptation", &f.adaptation),
    ] {
        if let Some(v) = value {
            pairs.push((name, v.clone()));
        }
    }
    if f.order != rounds::ReportOrder::Number {
        pairs.push(("sort", f.order.key().to_owned()));
    }
    pairs
}

/// Reports or frozen rows per page of a round.
const ROWS_PER_PAGE: usize = 100;

/// The round page's address under `filter`, with one of its tables continued after `cursor`.
fn round_link(
    id: &str,
    filter: &rounds::ReportFilter,
    parameter: &str,
    cursor: Option<&str>,
) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in filter_pairs(filter) {
        s.append_pair(k, &v);
    }
    if let Some(c) = cursor {
        s.append_pair(parameter, c);
    }
    let query = s.finish();
    if query.is_empty() {
        format!("/rounds/{id}")
    } else {
        format!("/rounds/{id}?{query}#tasks-h")
    }
}

/// A sortable column's header: its link to that order (under the same filter) and its
/// `aria-sort` when the list is in that order.
pub struct SortColumn {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
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
    let filter = at.filter();
    let tasks = rounds::reports_for(&app.db, &viewer)
        .of_round(
            id,
            &filter,
            &PageRequest::new(Some(&at.after), Some(ROWS_PER_PAGE)),
        )
        .await?;
    let tasks_first = (!tasks.first).then(|| round_link(id, &filter, "after", None));
    let tasks_next = tasks
        .next
        .as_ref()
        .map(|c| round_link(id, &filter, "after", Some(&c.encode())));
    let measure_ids: Vec<&str> = tasks.items.iter().map(|u| u.measure_id.as_str()).collect();
    let previous = rounds::previous_round(&app.db, &round).await?;
    let before = rounds::previous_statuses(&app.db, &round, &measure_ids).await?;
    let previous_status = tasks
        .items
        .iter()
        .map(|u| {
            let then = before
                .iter()
                .find(|(m, _)| *m == u.measure_id)
                .and_then(|(_, s)| MeasureStatus::parse(s));
            let now = u.status.as_deref().and_then(MeasureStatus::parse);
            let changed = then.is_some() && now.is_some() && then != now;
            (then.map_or("–", MeasureStatus::label), changed)
        })
        .collect();
    let sort_columns = [
        ("Nr.", rounds::ReportOrder::Number),
        ("Organisation", rounds::ReportOrder::Organisation),
        ("Bericht", rounds::ReportOrder::State),
    ]
    .into_iter()
    .map(|(label, order)| SortColumn {
        label,
        href: round_link(
            id,
            &rounds::ReportFilter {
                order,
                ..filter.clone()
            },
            "",
            None,
        ),
        current: filter.order == order,
    })
    .collect();
    let organisations = rounds::round_organisations(&app.db, id).await?;
    let fields = rounds::round_fields(&app.db, id).await?;
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
    let snapshot_first = (!snapshot.first).then(|| round_link(id, &filter, "frozen_after", None));
    let snapshot_next = snapshot
        .next
        .as_ref()
        .map(|c| round_link(id, &filter, "frozen_after", Some(&c.encode())));
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
    let today = app.today();
    Ok(ShowPage {
        turnaround,
        layout: Layout::new(app, user, round.title.clone(), path),
        date: date_de(&round.reference_date),
        deadline: deadline_text(&round, today),
        overdue: round.is_open() && round.days_to_deadline(today).is_some_and(|d| d < 0),
        deadline_typed: round
            .submission_deadline
            .map(|d| d.to_string())
            .unwrap_or_default(),
        opened: datetime(round.opened_at),
        closed: round.closed_at.map(datetime).unwrap_or_default(),
        proposals: rounds::proposals(&app.db, id).await?,
        concepts: measures::concept_names(&app.db).await?,
        proposal_concept: String::new(),
        round,
        progress,
        total,
        tasks: tasks.items,
        previous_status,
        previous,
        filter,
        sort_columns,
        organisations,
        fields,
        states: STATE_CHOICES
            .iter()
            .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
            .collect(),
        adaptation_choices: Adaptation::ALL
            .iter()
            .map(|a| (a.key().to_owned(), a.label().to_owned()))
            .collect(),
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
    deadline: String,
    overdue: bool,
    measure_status: &'static str,
    can_submit: bool,
    can_review: bool,
    form: UpdateInput,
    /// (indicator id, "name (unit)", value as entered or reported, error)
    indicators: Vec<(String, String, String, Option<String>)>,
    /// When the report was submitted and decided, in words ("" if not yet).
    submitted: String,
    reviewed: String,
    /// What the previous round froze for this measure: its title and reference date, and the row.
    previous: Option<(String, String, SnapshotView)>,
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
    let previous = rounds::previous_state(&app.db, &round, &u.measure_id)
        .await?
        .map(|(r, row)| (r.title, date_de(&r.reference_date), SnapshotView::from(row)));
    Ok(UpdatePage {
        indicators,
        submitted: u.submitted_at.map(datetime).unwrap_or_default(),
        reviewed: u.reviewed_at.map(datetime).unwrap_or_default(),
        previous,
        layout: Layout::new(app, user, format!("Bericht {} {}", u.code, u.title), path),
        date: date_de(&round.reference_date),
        deadline: deadline_text(&round, app.today()),
        overdue: open
            && u.state != "accepted"
            && round.days_to_deadline(app.today()).is_some_and(|d| d < 0),
        measure_status: MeasureStatus::parse(&u.measure_status).map_or("", MeasureStatus::label),
        // A submitted report is read by the reviewer beside the decision, not edited: changes
        // go back to the organisation with the reason.
        can_submit: open
            && access.change
            && u.open_for_submission()
            && !(access.decide && u.state == "submitted"),
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
        false,
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
