//! Bodies (Gremien), their meetings, decisions and action items.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::bodies::{self, ActionItemInput, Body, DecisionInput, Meeting};
use lotse_store::{StoreError, organisations, structural_issues, users};

use super::measures::{MeasurePick, PickQuery};
use super::{render, render_invalid};
use lotse_domain::ids::{DecisionId, IssueId, MeetingId};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de};

type Options = Vec<(String, String)>;

fn can_manage(user: &CurrentUser) -> bool {
    any_allows(&user.principal.roles, Permission::ManageBodies)
}

fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "members" => "Mitglieder",
        other => other,
    }
}

#[derive(Template)]
#[template(path = "bodies/list.html")]
struct ListPage {
    layout: Layout,
    bodies: Vec<Body>,
    can_manage: bool,
    organisations: Options,
    body_name: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

async fn list_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    name: String,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    Ok(ListPage {
        layout: Layout::new(app, user, "Gremien", path),
        bodies: bodies::bodies(&app.db).await?,
        can_manage: can_manage(user),
        organisations: organisations::list(&app.db, false)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
        body_name: name,
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
    let mut page = list_page(&app, &user, uri.path(), String::new(), FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let (mut name, mut description, mut members) = (String::new(), String::new(), Vec::new());
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "name" => name = v.into_owned(),
            "description" => description = v.into_owned(),
            "members" => members.push(v.into_owned()),
            _ => {}
        }
    }
    let result = app
        .db
        .write(async |tx| {
            bodies::create_body(
                tx,
                &user.principal.actor(),
                &name,
                &description,
                &members,
                false,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/bodies/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&list_page(&app, &user, uri.path(), name, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct DecisionView {
    id: String,
    number: String,
    date: String,
    text: String,
    measures: Options,
    /// (issue id, title) of the structural issues this decision addressed.
    issues: Options,
}

#[derive(Template)]
#[template(path = "bodies/show.html")]
struct ShowPage {
    layout: Layout,
    body: Body,
    meetings: Options,
    meeting_options: Options,
    decisions: Vec<DecisionView>,
    pick: MeasurePick,
    issue_options: Options,
    can_manage: bool,
    /// What the new-decision form holds: empty, or what was typed before a search or a refusal.
    draft: DecisionInput,
    errors: FormErrors,
}

/// A new decision as the form sent it, with what narrows its pick list: read by hand, since a
/// form repeats `measure_ids` for every chosen measure.
fn read_decision_form(encoded: &str) -> (DecisionInput, PickQuery) {
    let mut input = DecisionInput::default();
    let mut pick = PickQuery::default();
    for (k, v) in form_urlencoded::parse(encoded.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "number" => input.number = v,
            "decided_on" => input.decided_on = v,
            "text" => input.text = v,
            "meeting_id" => input.meeting_id = v,
            "measure_ids" => input.measure_ids.push(v),
            "measure_q" => pick.measure_q = v,
            "measure_concept" => pick.measure_concept = v,
            _ => {}
        }
    }
    (input, pick)
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    (draft, pick): (DecisionInput, PickQuery),
    errors: FormErrors,
) -> Result<ShowPage, AppError> {
    let body = bodies::body(&app.db, id).await?;
    let meetings: Options = bodies::meetings(&app.db, id)
        .await?
        .into_iter()
        .map(|m| (m.id, date_de(&m.held_on)))
        .collect();
    let linked = bodies::issues_of_decisions(&app.db, id).await?;
    let decisions = bodies::decisions(&app.db, Some(id))
        .await?
        .into_iter()
        .map(|d| DecisionView {
            issues: linked
                .iter()
                .filter(|(decision, _, _)| *decision == d.id)
                .map(|(_, issue, title)| (issue.clone(), title.clone()))
                .collect(),
            id: d.id,
            date: date_de(&d.decided_on),
            number: d.number,
            text: d.text,
            measures: d.measures,
        })
        .collect();
    Ok(ShowPage {
        layout: Layout::new(app, user, body.name.clone(), path),
        meeting_options: meetings
            .iter()
            .map(|(id, d)| (id.clone(), format!("Sitzung vom {d}")))
            .collect(),
        meetings,
        decisions,
        // Only those who record decisions pick measures.
        pick: if can_manage(user) {
            MeasurePick::load(
                app,
                format!("/bodies/{id}"),
                &pick,
                &draft.measure_ids,
                |_| false,
            )
            .await?
        } else {
            MeasurePick::none()
        },
        issue_options: structural_issues::list(&app.db, None)
            .await?
            .into_iter()
            .map(|i| (i.id, i.title))
            .collect(),
        can_manage: can_manage(user),
        draft,
        body,
        errors,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    // A search in the new-decision form comes back here with everything the form held.
    let draft = read_decision_form(query.as_deref().unwrap_or(""));
    let mut page = show_page(&app, &user, uri.path(), &id, draft, FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(serde::Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    held_on: String,
}

pub async fn create_meeting(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(f): Form<MeetingForm>,
) -> Result<Response, AppError> {
    let result = app
        .db
        .write(async |tx| {
            bodies::create_meeting(tx, &user.principal.actor(), &id, &f.held_on, app.now()).await
        })
        .await;
    match result {
        Ok(meeting) => Ok(Redirect::to(&format!("/meetings/{meeting}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &show_page(
                &app,
                &user,
                uri.path(),
                &id,
                Default::default(),
                FormErrors(errors),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn create_decision(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    bodies::body(&app.db, &id).await?;
    let (input, pick) = read_decision_form(&body);
    let result = app
        .db
        .write(async |tx| {
            bodies::create_decision(tx, &user.principal.actor(), &id, &input, app.now()).await
        })
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/bodies/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            // The form again with what was typed and chosen.
            render_invalid(
                &show_page(
                    &app,
                    &user,
                    uri.path(),
                    &id,
                    (input, pick),
                    FormErrors(errors),
                )
                .await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ActionView {
    id: String,
    title: String,
    owner: String,
    due: String,
    state: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "bodies/meeting.html")]
struct MeetingPage {
    layout: Layout,
    m: Meeting,
    date: String,
    actions: Vec<ActionView>,
    issues: Options,
    issue_options: Options,
    users: Options,
    can_manage: bool,
    empty: String,
    errors: FormErrors,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "open" => "offen",
        "done" => "erledigt",
        _ => "entfallen",
    }
}

async fn meeting_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    errors: FormErrors,
) -> Result<MeetingPage, AppError> {
    let m = bodies::meeting(&app.db, id).await?;
    let actions = bodies::action_items(&app.db, Some(id), None)
        .await?
        .into_iter()
        .map(|a| ActionView {
            owner: a.owner.clone().unwrap_or_else(|| "–".into()),
            due: a.due_on.map_or_else(|| "–".into(), |d| date_de(&d)),
            state: state_label(&a.state),
            open: a.state == "open",
            id: a.id,
            title: a.title,
        })
        .collect();
    Ok(MeetingPage {
        layout: Layout::new(
            app,
            user,
            format!("{} – Sitzung vom {}", m.body, date_de(&m.held_on)),
            path,
        ),
        date: date_de(&m.held_on),
        actions,
        issues: bodies::issues_of_meeting(&app.db, id).await?,
        issue_options: structural_issues::list(&app.db, None)
            .await?
            .into_iter()
            .map(|i| (i.id, i.title))
            .collect(),
        users: users::list(&app.db)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.display_name))
            .collect(),
        can_manage: can_manage(user),
        empty: String::new(),
        m,
        errors,
    })
}

pub async fn meeting(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = meeting_page(&app, &user, uri.path(), &id, FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(serde::Deserialize)]
pub struct AgendaForm {
    #[serde(default)]
    agenda_title: String,
}

pub async fn add_agenda(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(f): Form<AgendaForm>,
) -> Result<Response, AppError> {
    bodies::meeting(&app.db, &id).await?;
    let result = app
        .db
        .write(async |tx| {
            bodies::add_agenda_item(tx, &user.principal.actor(), &id, &f.agenda_title, app.now())
                .await
        })
        .await;
    after_meeting_write(&app, &user, uri.path(), &id, result).await
}

#[derive(serde::Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

pub async fn set_minutes(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(f): Form<MinutesForm>,
) -> Result<Response, AppError> {
    let result = app
        .db
        .write(async |tx| {
            bodies::set_minutes(tx, &user.principal.actor(), &id, &f.minutes, app.now()).await
        })
        .await;
    after_meeting_write(&app, &user, uri.path(), &id, result).await
}

#[derive(serde::Deserialize)]
pub struct IssueLinkForm {
    #[serde(default)]
    issue_id: IssueId,
}

pub async fn link_issue(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<MeetingId>,
    Form(f): Form<IssueLinkForm>,
) -> Result<Response, AppError> {
    bodies::meeting(&app.db, id.as_str()).await?;
    let result = app
        .db
        .write(async |tx| {
            bodies::link_issue(tx, &user.principal.actor(), &id, &f.issue_id, app.now()).await
        })
        .await;
    after_meeting_write(&app, &user, uri.path(), id.as_str(), result).await
}

/// Records that a committee decision addressed a structural issue, so the
/// issue page shows what was decided about it.
pub async fn link_decision_issue(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<DecisionId>,
    Form(f): Form<IssueLinkForm>,
) -> Result<Response, AppError> {
    let body_id = bodies::decision(&app.db, id.as_str()).await?.body_id;
    app.db
        .write(async |tx| {
            bodies::link_issue_to_decision(tx, &user.principal.actor(), &id, &f.issue_id, app.now())
                .await
        })
        .await?;
    Ok(Redirect::to(&format!("/bodies/{body_id}?ok=saved")).into_response())
}

async fn after_meeting_write(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    result: Result<(), StoreError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&meeting_page(app, user, path, id, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_action(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(input): Form<ActionItemInput>,
) -> Result<Response, AppError> {
    let meeting = input.meeting_id.trim().to_owned();
    let result = app
        .db
        .write(async |tx| {
            bodies::create_action_item(tx, &user.principal.actor(), &input, app.now()).await
        })
        .await;
    match result {
        Ok(_) if !meeting.is_empty() => {
            Ok(Redirect::to(&format!("/meetings/{meeting}?ok=created")).into_response())
        }
        Ok(_) => Ok(Redirect::to("/?ok=created").into_response()),
        Err(StoreError::Invalid(errors)) if !meeting.is_empty() => render_invalid(
            &meeting_page(&app, &user, uri.path(), &meeting, FormErrors(errors)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct StateForm {
    #[serde(default)]
    state: String,
}

/// Sets an action item's state: its owner may mark it done; the coordination may set any state.
pub async fn set_action_state(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> Result<Response, AppError> {
    let item = bodies::action_items(&app.db, None, None)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(StoreError::NotFound)?;
    let own = item.owner_user_id.as_deref() == Some(user.principal.user_id.as_str());
    // The owner may report it done; reopening or cancelling is for the coordination.
    let allowed = can_manage(&user) || (own && f.state == "done");
    if !allowed {
        return Err(AppError::Status(
            axum::http::StatusCode::FORBIDDEN,
            "Diese Aufgabe gehört jemand anderem.".into(),
        ));
    }
    app.db
        .write(async |tx| {
            bodies::set_action_state(tx, &user.principal.actor(), &id, &f.state, app.now()).await
        })
        .await?;
    let target = match &item.meeting_id {
        Some(m) if can_manage(&user) => format!("/meetings/{m}?ok=saved"),
        _ => "/?ok=saved".to_owned(),
    };
    Ok(Redirect::to(&target).into_response())
}
