//! Bodies (Gremien), their meetings, decisions and action items.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::bodies::{self, ActionItemInput, Body, DecisionInput, Meeting};
use lotse_store::paging::PageRequest;
use lotse_store::{StoreError, users};

use super::measures::{MeasurePick, PickQuery};
use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
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
    /// The member organisations: those chosen, then those matching the search words.
    org_pick: Pick,
    body_name: String,
    body_description: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

/// What the new-body form holds, read by hand since it repeats `members` for every chosen
/// organisation; with the words narrowing the member pick list.
#[derive(Default)]
struct NewBody {
    name: String,
    description: String,
    members: Vec<String>,
    organisation_q: OrganisationPickQuery,
}

impl NewBody {
    fn read(encoded: &str) -> NewBody {
        let mut new = NewBody {
            organisation_q: OrganisationPickQuery::from_encoded(encoded),
            ..NewBody::default()
        };
        for (k, v) in form_urlencoded::parse(encoded.as_bytes()) {
            match k.as_ref() {
                "name" => new.name = v.into_owned(),
                "description" => new.description = v.into_owned(),
                "members" => new.members.push(v.into_owned()),
                _ => {}
            }
        }
        new
    }
}

async fn list_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    new: NewBody,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let members: Vec<&str> = new.members.iter().map(String::as_str).collect();
    Ok(ListPage {
        layout: Layout::new(app, user, "Gremien", path),
        bodies: bodies::bodies(&app.db).await?,
        can_manage: can_manage(user),
        // Only those who create bodies pick members.
        org_pick: if can_manage(user) {
            organisation_pick(app, "/bodies", &new.organisation_q, &members).await?
        } else {
            Pick::none()
        },
        body_name: new.name,
        body_description: new.description,
        summary: errors.summary(field_label),
        errors,
    })
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    // A search for member organisations comes back here with everything the form held.
    let new = NewBody::read(query.as_deref().unwrap_or(""));
    let mut page = list_page(&app, &user, uri.path(), new, FormErrors::none()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let new = NewBody::read(&body);
    let (name, description, members) = (&new.name, &new.description, &new.members);
    let result = app
        .db
        .write(async |tx| {
            bodies::create_body(
                tx,
                &user.principal.actor(),
                name,
                description,
                members,
                false,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/bodies/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&list_page(&app, &user, uri.path(), new, FormErrors(errors)).await?)
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
    /// (id, date) of the meetings listed: the newest, or a page of older ones.
    meetings: Options,
    /// The address of the next older meetings, if there are any.
    older_meetings: Option<String>,
    /// The address of the newest meetings, when older ones are listed.
    newest_meetings: Option<String>,
    /// The decision form's meetings: the newest, and the one the draft names.
    meeting_options: Options,
    /// One page of decisions, the newest first.
    decisions: Vec<DecisionView>,
    /// The pager of the decisions (see `_pager.html`).
    first: Option<String>,
    next: Option<String>,
    /// The decision page and the meetings the page stands at, kept by the issue search.
    view: BodyQuery,
    pick: MeasurePick,
    /// The structural issues the link form offers (one form for the decisions of the page).
    issue_pick: Pick,
    can_manage: bool,
    /// What the new-decision form holds: empty, or what was typed before a search or a refusal.
    draft: DecisionInput,
    errors: FormErrors,
}

/// Decisions per page of a body.
const DECISIONS_SHOWN: usize = 20;

/// Meetings a body's page lists at a time, the newest first.
const MEETINGS_SHOWN: usize = 12;

/// How many structural issues or people a pick list offers at most.
const PICK: usize = 50;

/// Where a body's page stands: the page of decisions (`after`), of meetings (`meetings`), and what
/// narrows the issue link form.
#[derive(serde::Deserialize, Default, Clone)]
pub struct BodyQuery {
    #[serde(default)]
    after: String,
    #[serde(default)]
    meetings: String,
    #[serde(default)]
    issue_q: String,
    #[serde(default)]
    issue_id: String,
}

impl BodyQuery {
    /// The body's address at these pages (`None`: the first one).
    fn link(body_id: &str, after: Option<&str>, meetings: Option<&str>, anchor: &str) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(a) = after.filter(|a| !a.is_empty()) {
            s.append_pair("after", a);
        }
        if let Some(m) = meetings.filter(|m| !m.is_empty()) {
            s.append_pair("meetings", m);
        }
        let q = s.finish();
        if q.is_empty() {
            format!("/bodies/{body_id}{anchor}")
        } else {
            format!("/bodies/{body_id}?{q}{anchor}")
        }
    }
}

/// A bounded pick list of structural issues for a link form: the chosen one first, then at most
/// [`PICK`] in register order (open ones first) whose title holds the words searched for. The
/// search reloads the page by GET.
pub async fn issue_pick(
    app: &AppState,
    action: String,
    q: &str,
    chosen: &str,
) -> Result<Pick, AppError> {
    let chosen = bodies::issue_labels(&app.db, &[chosen.trim()]).await?;
    let (found, more) = bodies::issue_choices(&app.db, q, PICK).await?;
    Ok(Pick::of(action, q, chosen, found, more, PICK))
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
    view: BodyQuery,
    errors: FormErrors,
) -> Result<ShowPage, AppError> {
    let body = bodies::body(&app.db, id).await?;
    // The newest meetings (for the list and the decision form), or a page of older ones.
    let newest = bodies::meeting_page(&app.db, id, &PageRequest::first(MEETINGS_SHOWN)).await?;
    let listed = if view.meetings.is_empty() {
        newest.clone()
    } else {
        bodies::meeting_page(
            &app.db,
            id,
            &PageRequest::new(Some(&view.meetings), Some(MEETINGS_SHOWN)),
        )
        .await?
    };
    let mut meeting_options: Options = newest
        .items
        .iter()
        .map(|m| (m.id.clone(), format!("Sitzung vom {}", date_de(&m.held_on))))
        .collect();
    let chosen = draft.meeting_id.trim();
    if !chosen.is_empty() && !meeting_options.iter().any(|(m, _)| m == chosen) {
        // An older meeting the draft names stays choosable (if it is this body's).
        match bodies::meeting(&app.db, chosen).await {
            Ok(m) if m.body_id == id => {
                meeting_options.push((m.id.clone(), format!("Sitzung vom {}", date_de(&m.held_on))))
            }
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let older_meetings = listed
        .next
        .as_ref()
        .map(|c| BodyQuery::link(id, Some(&view.after), Some(&c.encode()), "#meet-h"));
    let newest_meetings =
        (!listed.first).then(|| BodyQuery::link(id, Some(&view.after), None, "#meet-h"));
    let meetings: Options = listed
        .items
        .into_iter()
        .map(|m| (m.id, date_de(&m.held_on)))
        .collect();
    // One page of decisions, and the issue links of these decisions only.
    let page = bodies::decision_page_of_body(
        &app.db,
        id,
        &PageRequest::new(Some(&view.after), Some(DECISIONS_SHOWN)),
    )
    .await?;
    let ids: Vec<&str> = page.items.iter().map(|d| d.id.as_str()).collect();
    let linked = bodies::issues_of_decisions(&app.db, &ids).await?;
    let first = (!page.first).then(|| BodyQuery::link(id, None, Some(&view.meetings), "#dec-h"));
    let next = page
        .next
        .as_ref()
        .map(|c| BodyQuery::link(id, Some(&c.encode()), Some(&view.meetings), "#dec-h"));
    let decisions = page
        .items
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
        meeting_options,
        meetings,
        older_meetings,
        newest_meetings,
        decisions,
        first,
        next,
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
        // Only those who link decisions to issues pick one.
        issue_pick: if can_manage(user) {
            issue_pick(app, format!("/bodies/{id}"), &view.issue_q, &view.issue_id).await?
        } else {
            Pick::none()
        },
        view,
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
    Query(view): Query<BodyQuery>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    // A search in the new-decision form comes back here with everything the form held.
    let draft = read_decision_form(query.as_deref().unwrap_or(""));
    let mut page = show_page(
        &app,
        &user,
        uri.path(),
        &id,
        draft,
        view,
        FormErrors::none(),
    )
    .await?;
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
                BodyQuery::default(),
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
                    BodyQuery::default(),
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
    issue_pick: Pick,
    owner_pick: Pick,
    /// What the new-action form holds: empty, or what was typed before a search or a refusal.
    draft: MeetingQuery,
    can_manage: bool,
    errors: FormErrors,
}

/// What a meeting's forms held when they come back: the new action item (with the words
/// narrowing its owner pick) after an owner search or a refusal, the issue search.
#[derive(serde::Deserialize, Default)]
pub struct MeetingQuery {
    #[serde(default)]
    action_title: String,
    #[serde(default)]
    owner_user_id: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    owner_q: String,
    #[serde(default)]
    issue_q: String,
    #[serde(default)]
    issue_id: String,
}

/// A bounded pick list of people (active accounts) for an owner select: the chosen one first
/// (while the account is active), then at most [`PICK`] by username whose name holds the words
/// searched for.
pub async fn owner_pick(
    app: &AppState,
    action: String,
    q: &str,
    chosen: &str,
) -> Result<Pick, AppError> {
    let (found, more) = users::pick(&app.db, q, PICK).await?;
    let chosen = chosen.trim();
    let mut kept = Vec::new();
    if !chosen.is_empty() {
        match users::get(&app.db, chosen).await {
            Ok(u) if u.active => kept.push((u.id, u.display_name)),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Pick::of(action, q, kept, found, more, PICK))
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
    draft: MeetingQuery,
    errors: FormErrors,
) -> Result<MeetingPage, AppError> {
    let m = bodies::meeting(&app.db, id).await?;
    let actions = bodies::action_items_of_meeting(&app.db, id)
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
        // Only those who keep the meeting pick issues and owners.
        issue_pick: if can_manage(user) {
            issue_pick(
                app,
                format!("/meetings/{id}"),
                &draft.issue_q,
                &draft.issue_id,
            )
            .await?
        } else {
            Pick::none()
        },
        owner_pick: if can_manage(user) {
            owner_pick(
                app,
                format!("/meetings/{id}"),
                &draft.owner_q,
                &draft.owner_user_id,
            )
            .await?
        } else {
            Pick::none()
        },
        draft,
        can_manage: can_manage(user),
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
    Query(draft): Query<MeetingQuery>,
) -> Result<Response, AppError> {
    // An owner or issue search comes back here with what its form held.
    let mut page = meeting_page(&app, &user, uri.path(), &id, draft, FormErrors::none()).await?;
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
    /// The body page's decision and meeting pages the form was sent from (its hidden fields),
    /// so the user comes back to the decision they linked.
    #[serde(default)]
    after: String,
    #[serde(default)]
    meetings: String,
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
    let back = BodyQuery::link(&body_id, Some(&f.after), Some(&f.meetings), "");
    let notice = if back.contains('?') {
        "&ok=saved"
    } else {
        "?ok=saved"
    };
    Ok(Redirect::to(&format!("{back}{notice}")).into_response())
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
        Err(StoreError::Invalid(errors)) => render_invalid(
            &meeting_page(
                app,
                user,
                path,
                id,
                MeetingQuery::default(),
                FormErrors(errors),
            )
            .await?,
        ),
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
        Err(StoreError::Invalid(errors)) if !meeting.is_empty() => {
            // The form again with what was typed and chosen.
            let draft = MeetingQuery {
                action_title: input.title.clone(),
                owner_user_id: input.owner_user_id.clone(),
                due_on: input.due_on.clone(),
                ..MeetingQuery::default()
            };
            render_invalid(
                &meeting_page(&app, &user, uri.path(), &meeting, draft, FormErrors(errors)).await?,
            )
        }
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
    let item = bodies::action_item(&app.db, &id).await?;
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
