//! The organisation directory: list, details, create, edit, (de)activate, CSV import.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, OriginalUri, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::organisation::{OrganisationInput, field_label};
use lotse_domain::{Permission, parse_organisation_csv, policy::any_allows};
use lotse_store::StoreError;
use lotse_store::organisations::{
    self, ImportMode, ImportReport, Organisation, OrganisationFilter,
};
use lotse_store::paging::PageRequest;
use serde::Deserialize;

use super::pick::Pick;
use super::{ActiveForm, render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::upload;
use crate::view::{FormErrors, Layout, NoticeQuery, datetime};

#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    town: String,
    inactive: Option<String>,
    /// Where the page starts (a cursor from the previous page's link).
    #[serde(default)]
    after: String,
    /// The order: name (default), kind or town.
    #[serde(default)]
    sort: String,
    ok: Option<String>,
}

/// Organisations per page of the directory.
const PAGE_SIZE: usize = 100;

impl Filter {
    fn order(&self) -> organisations::OrganisationOrder {
        organisations::OrganisationOrder::parse(&self.sort).unwrap_or_default()
    }

    fn link(&self, paging: &crate::view::Paging, after: Option<&str>) -> String {
        self.link_in(self.order(), paging, after)
    }

    fn link_in(
        &self,
        order: organisations::OrganisationOrder,
        paging: &crate::view::Paging,
        after: Option<&str>,
    ) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("q", &self.q), ("kind", &self.kind), ("town", &self.town)] {
            if !value.is_empty() {
                s.append_pair(key, value);
            }
        }
        if self.inactive.is_some() {
            s.append_pair("inactive", "1");
        }
        if order != organisations::OrganisationOrder::Name {
            s.append_pair("sort", order.key());
        }
        paging.append(&mut s, PAGE_SIZE, after);
        format!("/organisations?{}", s.finish())
    }
}

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    layout: Layout,
    filter: Filter,
    kinds: Vec<(String, String)>,
    towns: Vec<(String, String)>,
    rows: Vec<Organisation>,
    count: String,
    first: Option<String>,
    next: Option<String>,
    out_of_band: bool,
    can_manage: bool,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
    sort_columns: Vec<crate::view::SortLink>,
}

/// What htmx gets when a filter changes: the table, and the count out of band into the status line
/// above it, which stays in place so screen readers announce the new count.
#[derive(Template)]
#[template(path = "organisations/_partial.html")]
struct Results {
    rows: Vec<Organisation>,
    count: String,
    first: Option<String>,
    next: Option<String>,
    out_of_band: bool,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
    sort_columns: Vec<crate::view::SortLink>,
}

async fn options(
    app: &AppState,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let vocab = organisations::vocabulary(&app.db).await?;
    let towns = vocab
        .towns
        .into_iter()
        .map(|(ags, name)| (ags.to_string(), name))
        .collect();
    Ok((vocab.kinds, towns))
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
    Query(paging): Query<crate::view::Paging>,
) -> Result<Response, AppError> {
    let query = OrganisationFilter {
        q: filter.q.clone(),
        kind: filter.kind.clone(),
        town: filter.town.clone(),
        include_inactive: filter.inactive.is_some(),
    };
    let page = organisations::page_in_order(
        &app.db,
        &query,
        filter.order(),
        &PageRequest::new(Some(&filter.after), Some(paging.size(PAGE_SIZE))),
    )
    .await?;
    let sort_columns = crate::view::sort_links(
        &[
            ("Name", "name", organisations::OrganisationOrder::Name),
            ("Art", "kind", organisations::OrganisationOrder::Kind),
            (
                "Stadt/Gemeinde",
                "town",
                organisations::OrganisationOrder::Town,
            ),
        ],
        filter.order(),
        |o| filter.link_in(o, &paging, None),
    );
    let counted = organisations::count(&app.db, &query).await?;
    let count = crate::view::count_text(counted, "Organisation", "Organisationen") + " gefunden";
    let page_label = crate::view::page_label(paging.number(), counted, paging.size(PAGE_SIZE));
    let size_links = crate::view::size_links(&paging, PAGE_SIZE, |p| filter.link(p, None));
    let first = (!page.first).then(|| filter.link(&paging, None));
    let next = page
        .next
        .as_ref()
        .map(|c| filter.link(&paging, Some(&c.encode())));
    let rows = page.items;
    // htmx asks for the results only when a filter changes; everyone else (including htmx
    // restoring a page from history) gets the whole page.
    let partial = headers.contains_key("hx-request")
        && !headers.contains_key("hx-boosted")
        && !headers.contains_key("hx-history-restore-request");
    let mut response = if partial {
        render(&Results {
            rows,
            count,
            first,
            next,
            out_of_band: true,
            page_label,
            size_links,
            sort_columns,
        })?
    } else {
        let (kinds, towns) = options(&app).await?;
        let notice = filter.ok.clone();
        render(&ListPage {
            layout: Layout::new(&app, &user, "Organisationen", uri.path())
                .with_notice(notice.as_deref()),
            filter,
            kinds,
            towns,
            rows,
            count,
            first,
            next,
            out_of_band: false,
            can_manage: any_allows(&user.principal.roles, Permission::ManageOrganisations),
            page_label,
            size_links,
            sort_columns,
        })?
    };
    // The same URL answers with a page or a fragment: caches must tell them apart.
    response.headers_mut().insert(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("HX-Request"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    layout: Layout,
    org: Organisation,
    created: String,
    updated: String,
    can_manage: bool,
    can_audit: bool,
    can_manage_offers: bool,
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let org = organisations::get(&app.db, &id).await?;
    let roles = &user.principal.roles;
    render(&ShowPage {
        layout: Layout::new(&app, &user, org.name.clone(), uri.path()).with_notice(q.ok.as_deref()),
        created: datetime(org.created_at),
        updated: datetime(org.updated_at),
        org,
        can_manage: any_allows(roles, Permission::ManageOrganisations),
        can_audit: any_allows(roles, Permission::ViewAuditLog),
        can_manage_offers: any_allows(roles, Permission::ManageOffers),
    })
}

#[derive(Template)]
#[template(path = "organisations/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: OrganisationInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    kinds: Vec<(String, String)>,
    towns: Vec<(String, String)>,
}

async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: &str,
    action: String,
    form: OrganisationInput,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let (kinds, towns) = options(app).await?;
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        summary: errors.summary(field_label),
        form,
        errors,
        kinds,
        towns,
    })
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let page = form_page(
        &app,
        &user,
        uri.path(),
        "Neue Organisation",
        "/organisations".into(),
        OrganisationInput::default(),
        FormErrors::none(),
    )
    .await?;
    render(&page)
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(input): Form<OrganisationInput>,
) -> Result<Response, AppError> {
    let vocab = organisations::vocabulary(&app.db).await?;
    let result = match input.validate(&vocab) {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    organisations::create(tx, &user.principal.actor(), &draft, false, app.now())
                        .await
                })
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/organisations/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = form_page(
                &app,
                &user,
                uri.path(),
                "Neue Organisation",
                "/organisations".into(),
                input,
                FormErrors(errors),
            )
            .await?;
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let org = organisations::get(&app.db, &id).await?;
    let input = OrganisationInput {
        name: org.name.clone(),
        kind: org.kind.clone(),
        town: org.town_ags.clone().unwrap_or_default(),
        street: org.street.clone(),
        postcode: org.postcode.clone(),
        city: org.city.clone(),
        email: org.email.clone(),
        phone: org.phone.clone(),
        website: org.website.clone(),
    };
    let title = format!("{} bearbeiten", org.name);
    let page = form_page(
        &app,
        &user,
        uri.path(),
        &title,
        format!("/organisations/{id}"),
        input,
        FormErrors::none(),
    )
    .await?;
    render(&page)
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(input): Form<OrganisationInput>,
) -> Result<Response, AppError> {
    let vocab = organisations::vocabulary(&app.db).await?;
    let result = match input.validate(&vocab) {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    organisations::update(tx, &user.principal.actor(), &id, &draft, app.now()).await
                })
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/organisations/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = form_page(
                &app,
                &user,
                uri.path(),
                "Organisation bearbeiten",
                format!("/organisations/{id}"),
                input,
                FormErrors(errors),
            )
            .await?;
            render_invalid(&page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_active(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let active = f.value()?;
    let mut tx = app.db.begin().await?;
    organisations::set_active(&mut tx, &user.principal.actor(), &id, active, app.now()).await?;
    tx.commit().await?;
    let notice = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/organisations/{id}?ok={notice}")).into_response())
}

#[derive(serde::Deserialize)]
pub struct TrustedForm {
    trusted: String,
}

/// Marks an organisation whose offers go live without approval (the coordination decides).
pub async fn set_trusted(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<TrustedForm>,
) -> Result<Response, AppError> {
    let trusted = super::parse_flag("trusted", &f.trusted)?;
    let actor = user.principal.actor();
    app.db
        .write(async |tx| {
            organisations::set_trusted_publisher(tx, &actor, &id, trusted, app.now()).await
        })
        .await?;
    Ok(Redirect::to(&format!("/organisations/{id}?ok=saved")).into_response())
}

#[derive(Template)]
#[template(path = "organisations/import.html")]
struct ImportPage {
    layout: Layout,
    report: Option<ImportReport>,
    rejected_rows: usize,
    valid_rows: usize,
    all_or_nothing: bool,
    offer_valid_only: bool,
    content: String,
    file_error: Option<String>,
}

impl ImportPage {
    fn new(layout: Layout) -> Self {
        ImportPage {
            layout,
            report: None,
            rejected_rows: 0,
            valid_rows: 0,
            all_or_nothing: true,
            offer_valid_only: false,
            content: String::new(),
            file_error: None,
        }
    }
}

pub async fn import_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    render(&ImportPage::new(Layout::new(
        &app,
        &user,
        "CSV-Import",
        uri.path(),
    )))
}

pub async fn import(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut bytes: Option<Vec<u8>> = None;
    let mut mode = ImportMode::AllOrNothing;
    let mut page = ImportPage::new(Layout::new(&app, &user, "CSV-Import", uri.path()));
    let parts = match upload::parts(&mut multipart).await {
        Ok(parts) => parts,
        Err(message) => {
            page.file_error = Some(message);
            return render_invalid(&page);
        }
    };
    for upload::Part { name, data, .. } in parts {
        match name.as_str() {
            "file" | "content" if !data.is_empty() => bytes = Some(data.to_vec()),
            "mode" if data.as_ref() == b"valid" => mode = ImportMode::ValidRowsOnly,
            _ => {}
        }
    }
    let Some(bytes) = bytes else {
        page.file_error = Some("Bitte eine CSV-Datei auswählen.".into());
        return render_invalid(&page);
    };
    if let Err(message) = upload::check_size(&bytes) {
        page.file_error = Some(message);
        return render_invalid(&page);
    }
    let rows = match parse_organisation_csv(&bytes) {
        Ok(rows) => rows,
        Err(message) => {
            page.file_error = Some(message);
            return render_invalid(&page);
        }
    };
    let report =
        organisations::import(&app.db, &user.principal.actor(), &rows, mode, app.now()).await?;
    let rejected: std::collections::BTreeSet<u64> = report.errors.iter().map(|e| e.line).collect();
    page.rejected_rows = rejected.len();
    page.valid_rows = report.rows - rejected.len();
    page.all_or_nothing = mode == ImportMode::AllOrNothing;
    page.offer_valid_only =
        mode == ImportMode::AllOrNothing && !rejected.is_empty() && page.valid_rows > 0;
    if page.offer_valid_only {
        // Carried in the page so the user need not upload again; the rows are checked again then.
        page.content = String::from_utf8_lossy(&bytes).into_owned();
    }
    let failed = report.created == 0 && !report.errors.is_empty();
    page.report = Some(report);
    if failed {
        render_invalid(&page)
    } else {
        render(&page)
    }
}

// ---------------------------------------------------------------------------------------------
// Pick lists of organisations in other forms

/// How many organisations a form's pick list offers beyond those already chosen: enough to pick
/// from at a glance, never the whole directory; beyond that, words narrow the list.
pub const PICK: usize = 50;

/// What narrows a form's pick list of organisations (see [`organisation_pick`]): words in name or
/// place. Its own field name, so it never meets a field of the form around it.
#[derive(serde::Deserialize, Default, Clone, Debug)]
pub struct OrganisationPickQuery {
    #[serde(default)]
    pub organisation_q: String,
}

impl OrganisationPickQuery {
    /// The search words from a form or query string (`a=1&organisation_q=…`), for forms read by
    /// hand because they repeat keys.
    pub fn from_encoded(encoded: &str) -> OrganisationPickQuery {
        let mut query = OrganisationPickQuery::default();
        for (key, value) in form_urlencoded::parse(encoded.as_bytes()) {
            if key == "organisation_q" {
                query.organisation_q = value.into_owned();
            }
        }
        query
    }

    /// Whether a posted form is a search in its pick list (the button `organisation_search`):
    /// the form comes back with what it holds, nothing is saved. Forms with free text search
    /// this way, so their text never goes into an address (and its length limits).
    pub fn searched(body: &str) -> bool {
        form_urlencoded::parse(body.as_bytes()).any(|(key, _)| key == "organisation_search")
    }

    /// Whether a query string is a search in the form, which then comes back with everything it
    /// held (instead of the stored record or an empty form).
    pub fn is_search(encoded: Option<&str>) -> bool {
        encoded.is_some_and(|q| {
            form_urlencoded::parse(q.as_bytes()).any(|(key, _)| key == "organisation_q")
        })
    }
}

/// A bounded pick list of organisations for a form or a filter at `action` whose fields hold
/// the ids `chosen` (blank ones are ignored): the organisations already chosen (deactivated ones
/// too, marked, so editing does not silently drop them), then the first [`PICK`] active
/// organisations in directory order that match the words searched for, read through the
/// directory's keyset pages.
pub async fn organisation_pick(
    app: &AppState,
    action: impl Into<String>,
    query: &OrganisationPickQuery,
    chosen: &[&str],
) -> Result<Pick, AppError> {
    let filter = OrganisationFilter {
        q: query.organisation_q.trim().to_owned(),
        include_inactive: false,
        ..Default::default()
    };
    // What the form had chosen comes first, read by id. The ids are input: a bounded number
    // of them, but every one of a stored record's (a form must not drop what it does not show).
    let chosen: Vec<&str> = chosen
        .iter()
        .take(lotse_store::paging::IN_LIST)
        .copied()
        .collect();
    let mut options: Vec<(String, String, bool)> = organisations::labels(&app.db, &chosen)
        .await?
        .into_iter()
        .map(|(id, label)| (id, label, true))
        .collect();
    let mut request = PageRequest::first(PICK + 1);
    let mut more = false;
    let mut matched = false;
    let mut added = 0;
    'pages: loop {
        let page = organisations::page(&app.db, &filter, &request).await?;
        for o in page.items {
            matched = true;
            if options.iter().any(|(id, ..)| *id == o.id) {
                continue;
            }
            if added == PICK {
                more = true;
                break 'pages;
            }
            options.push((o.id, o.name, false));
            added += 1;
        }
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    Ok(Pick {
        action: action.into(),
        post: false,
        nothing_found: !matched && !filter.q.is_empty(),
        q: filter.q,
        options,
        more,
        limit: PICK,
    })
}
