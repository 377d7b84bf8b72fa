//! The register of structural issues: list, details, report and edit.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::structural_issue::{IssueInput, IssueStatus, JURISDICTIONS, field_label};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::paging::PageRequest;
use lotse_store::structural_issues::{self, Issue};
use lotse_store::{StoreError, reference};

use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de};

type Options = Vec<(String, String)>;

fn statuses() -> Options {
    IssueStatus::ALL
        .iter()
        .map(|s| (s.key().to_owned(), s.label().to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "structural_issues/list.html")]
struct ListPage {
    layout: Layout,
    issues: Vec<Issue>,
    status: String,
    statuses: Options,
    can_manage: bool,
    count: String,
    first: Option<String>,
    next: Option<String>,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
    sort_columns: Vec<crate::view::SortLink>,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    ok: Option<String>,
    #[serde(default)]
    after: String,
    /// The order: urgency (default), status or reported.
    #[serde(default)]
    sort: String,
}

/// Issues per page of the register.
const PAGE_SIZE: usize = 50;

/// The register's address with its filter, from the page after `after`.
fn link(
    status: &str,
    order: structural_issues::RegisterOrder,
    paging: &crate::view::Paging,
    after: Option<&str>,
) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if !status.is_empty() {
        s.append_pair("status", status);
    }
    if order != structural_issues::RegisterOrder::Urgency {
        s.append_pair("sort", order.key());
    }
    paging.append(&mut s, PAGE_SIZE, after);
    format!("/issues?{}", s.finish())
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<ListQuery>,
    Query(paging): Query<crate::view::Paging>,
) -> Result<Response, AppError> {
    // An unknown status would match nothing: it counts as no filter, as the select offers.
    let status = IssueStatus::parse(&q.status).map(IssueStatus::key);
    let order = structural_issues::RegisterOrder::parse(&q.sort).unwrap_or_default();
    let (page, count) = structural_issues::register_page_in_order(
        &app.db,
        status,
        order,
        &PageRequest::new(Some(&q.after), Some(paging.size(PAGE_SIZE))),
    )
    .await?;
    let status = status.unwrap_or("").to_owned();
    let page_label = crate::view::page_label(paging.number(), count, paging.size(PAGE_SIZE));
    let size_links = crate::view::size_links(&paging, PAGE_SIZE, |p| link(&status, order, p, None));
    let sort_columns = crate::view::sort_links(
        &[
            (
                "Hürde",
                "urgency",
                structural_issues::RegisterOrder::Urgency,
            ),
            ("Stand", "status", structural_issues::RegisterOrder::Status),
            (
                "gemeldet",
                "reported",
                structural_issues::RegisterOrder::Reported,
            ),
        ],
        order,
        |o| link(&status, o, &paging, None),
    );
    render(&ListPage {
        layout: Layout::new(&app, &user, "Strukturelle Hürden", uri.path())
            .with_notice(q.ok.as_deref()),
        count: crate::view::count_text(count, "Hürde", "Hürden"),
        first: (!page.first).then(|| link(&status, order, &paging, None)),
        next: page
            .next
            .as_ref()
            .map(|c| link(&status, order, &paging, Some(&c.encode()))),
        sort_columns,
        page_label,
        size_links,
        issues: page.items,
        status,
        statuses: statuses(),
        can_manage: any_allows(&user.principal.roles, Permission::ManageStructuralIssues),
    })
}

#[derive(Template)]
#[template(path = "structural_issues/show.html")]
struct ShowPage {
    layout: Layout,
    i: Issue,
    reported: String,
    can_manage: bool,
    /// (meeting id, body, date)
    meetings: Vec<(String, String, String)>,
    /// (body id, body, number, date)
    decisions: Vec<(String, String, String, String)>,
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let i = structural_issues::get(&app.db, &id).await?;
    let meetings = lotse_store::bodies::meetings_of_issue(&app.db, &id)
        .await?
        .into_iter()
        .map(|(m, body, date)| (m, body, date_de(&date)))
        .collect();
    let decisions = lotse_store::bodies::decisions_of_issue(&app.db, &id)
        .await?
        .into_iter()
        .map(|(body_id, body, number, date)| (body_id, body, number, date_de(&date)))
        .collect();
    render(&ShowPage {
        meetings,
        decisions,
        layout: Layout::new(&app, &user, i.title.clone(), uri.path()).with_notice(q.ok.as_deref()),
        reported: date_de(&i.reported_on),
        i,
        can_manage: any_allows(&user.principal.roles, Permission::ManageStructuralIssues),
    })
}

#[derive(Template)]
#[template(path = "structural_issues/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: IssueInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// Both ends of the interface are picked from one list: the chosen ones, then matches.
    org_pick: Pick,
    jurisdictions: Options,
    towns: Options,
    statuses: Options,
}

/// The form's own address (where its organisation search goes): new, or the edit page.
fn form_address(id: Option<&str>) -> String {
    id.map_or_else(
        || "/issues/new".to_owned(),
        |id| format!("/issues/{id}/edit"),
    )
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: &str,
    action: String,
    form: IssueInput,
    errors: FormErrors,
    address: String,
    org_query: &OrganisationPickQuery,
) -> Result<FormPage, AppError> {
    // Searched by POST: the form holds free text (the description), which must not go into an
    // address.
    let org_pick = organisation_pick(
        app,
        address,
        org_query,
        &[
            form.from_organisation_id.as_str(),
            form.to_organisation_id.as_str(),
        ],
    )
    .await?
    .by_post();
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        form,
        summary: errors.summary(field_label),
        errors,
        org_pick,
        jurisdictions: JURISDICTIONS
            .iter()
            .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
            .collect(),
        towns: reference::town_names(&app.db).await?,
        statuses: statuses(),
    })
}

fn parse_form(body: &str) -> IssueInput {
    let mut input = IssueInput::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "title" => input.title = v,
            "description" => input.description = v,
            "from_organisation_id" => input.from_organisation_id = v,
            "from_jurisdiction" => input.from_jurisdiction = v,
            "to_organisation_id" => input.to_organisation_id = v,
            "to_jurisdiction" => input.to_jurisdiction = v,
            "towns" => input.towns.push(v),
            "evidence_count" => input.evidence_count = v,
            "status" => input.status = v,
            "reported_on" => input.reported_on = v,
            _ => {}
        }
    }
    input
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let today = app.today();
    let query = query.unwrap_or_default();
    // A search for organisations comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query)
    } else {
        IssueInput {
            status: "reported".into(),
            reported_on: today.to_string(),
            ..Default::default()
        }
    };
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            "Strukturelle Hürde melden",
            "/issues".into(),
            form,
            FormErrors::none(),
            form_address(None),
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
    let input = parse_form(&body);
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Strukturelle Hürde melden",
                "/issues".into(),
                input,
                FormErrors::none(),
                form_address(None),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = match structural_issues::validate(&app.db, &input).await {
        Ok(d) => {
            app.db
                .write(async |tx| {
                    structural_issues::create(tx, &user.principal.actor(), &d, false, app.now())
                        .await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/issues/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Strukturelle Hürde melden",
                "/issues".into(),
                input,
                FormErrors(errors),
                form_address(None),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let i = structural_issues::get(&app.db, &id).await?;
    let query = query.unwrap_or_default();
    let stored = IssueInput {
        title: i.title.clone(),
        description: i.description.clone(),
        from_organisation_id: i.from_organisation_id.clone().unwrap_or_default(),
        from_jurisdiction: i.from_jurisdiction.clone().unwrap_or_default(),
        to_organisation_id: i.to_organisation_id.clone().unwrap_or_default(),
        to_jurisdiction: i.to_jurisdiction.clone().unwrap_or_default(),
        towns: i.towns.iter().map(|(a, _)| a.clone()).collect(),
        evidence_count: i.evidence_count.to_string(),
        status: i.status.clone(),
        reported_on: i.reported_on.to_string(),
    };
    // A search for organisations comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query)
    } else {
        stored
    };
    let title = format!("{} bearbeiten", i.title);
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            &title,
            format!("/issues/{id}"),
            form,
            FormErrors::none(),
            form_address(Some(&id)),
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
    let old = structural_issues::get(&app.db, &id).await?;
    let input = parse_form(&body);
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Hürde bearbeiten",
                format!("/issues/{id}"),
                input,
                FormErrors::none(),
                form_address(Some(&id)),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = match structural_issues::validate(&app.db, &input).await {
        Ok(d) => {
            app.db
                .write(async |tx| {
                    structural_issues::update(tx, &user.principal.actor(), &old, &d, app.now())
                        .await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/issues/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Hürde bearbeiten",
                format!("/issues/{id}"),
                input,
                FormErrors(errors),
                form_address(Some(&id)),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}
