//! Measures of the integration concepts: list with filters and search, details with status history
//! and indicators, create and edit.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::measure::{KiInvolvement, MeasureInput, MeasureStatus, field_label};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::measures::{self, Measure, MeasureFilter};
use lotse_store::paging::PageRequest;
use lotse_store::{StoreError, reference};

use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{render, render_invalid};
use lotse_domain::ids::{IndicatorId, MeasureId};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, date_de, datetime, number_de};

type Options = Vec<(String, String)>;

/// The pick lists of the filter bar and the form.
struct Choices {
    concepts: Options,
    /// Fields of action, labelled with their concept.
    fields: Options,
    towns: Options,
}

async fn choices(app: &AppState) -> Result<Choices, AppError> {
    let concepts = measures::concept_names(&app.db).await?;
    let short = |id: &str| {
        concepts
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let fields = measures::fields_of_action(&app.db)
        .await?
        .into_iter()
        .map(|f| (f.id, format!("{}: {}", short(&f.concept_id), f.name)))
        .collect();
    Ok(Choices {
        fields,
        concepts: concepts.clone(),
        towns: reference::town_names(&app.db).await?,
    })
}

fn status_options() -> Options {
    MeasureStatus::ALL
        .iter()
        .map(|s| (s.key().to_owned(), s.label().to_owned()))
        .collect()
}

fn ki_options() -> Options {
    KiInvolvement::ALL
        .iter()
        .map(|k| (k.key().to_owned(), k.label().to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "measures/list.html")]
struct ListPage {
    layout: Layout,
    filter: MeasureFilter,
    rows: Vec<Measure>,
    count: String,
    first: Option<String>,
    next: Option<String>,
    out_of_band: bool,
    can_manage: bool,
    concepts: Options,
    fields: Options,
    statuses: Options,
    /// The lead organisations the filter offers: the one filtered by, then those matching words.
    org_pick: Pick,
    towns: Options,
    ki_options: Options,
    adaptations: Options,
    /// The current filter as a query string, for the download link.
    query: String,
    sort_columns: Vec<crate::view::SortLink>,
    page_label: String,
    /// Rows per page, and the sizes on offer.
    size: usize,
    sizes: Vec<usize>,
}

#[derive(Template)]
#[template(path = "measures/_partial.html")]
struct Results {
    rows: Vec<Measure>,
    count: String,
    first: Option<String>,
    next: Option<String>,
    out_of_band: bool,
    /// The sortable columns' headers (link, whether current).
    sort_columns: Vec<crate::view::SortLink>,
    /// "Seite 2 von 5" (or without the total past the bound of counting).
    page_label: String,
}

/// Measures per page of the list, unless the reader chose another size.
const PAGE_SIZE: usize = 100;

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    /// The order: number (default), lead or status.
    #[serde(default)]
    sort: String,
    /// Rows per page, the page's number and where it starts.
    #[serde(flatten)]
    pages: crate::view::Paging,
}

impl PageQuery {
    fn order(&self) -> measures::MeasureOrder {
        measures::MeasureOrder::parse(&self.sort).unwrap_or_default()
    }
}

/// The link to the list with `filter`, in `order`, paged as `paging`, starting after `after`.
fn list_link(
    filter: &MeasureFilter,
    order: measures::MeasureOrder,
    paging: &crate::view::Paging,
    after: Option<&str>,
) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("q", &filter.q),
        ("concept", &filter.concept),
        ("field", &filter.field),
        ("status", &filter.status),
        ("lead", &filter.lead),
        ("town", &filter.town),
        ("ki", &filter.ki),
        ("tag", &filter.tag),
        ("adaptation", &filter.adaptation),
    ] {
        if !value.is_empty() {
            s.append_pair(key, value);
        }
    }
    if order != measures::MeasureOrder::Number {
        s.append_pair("sort", order.key());
    }
    paging.append(&mut s, PAGE_SIZE, after);
    format!("/measures?{}", s.finish())
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    headers: HeaderMap,
    Query(filter): Query<MeasureFilter>,
    Query(paging): Query<PageQuery>,
    Query(org_query): Query<OrganisationPickQuery>,
) -> Result<Response, AppError> {
    let pages = &paging.pages;
    let (order, size, number) = (paging.order(), pages.size(PAGE_SIZE), pages.number());
    let page = measures::page_in_order(
        &app.db,
        &filter,
        order,
        &PageRequest::new(Some(pages.after()), Some(size)),
    )
    .await?;
    let counted = measures::count(&app.db, &filter).await?;
    let count = crate::view::count_text(counted, "Maßnahme", "Maßnahmen") + " gefunden";
    let page_label = crate::view::page_label(number, counted, size);
    let first = (!page.first).then(|| list_link(&filter, order, pages, None));
    let next = page
        .next
        .as_ref()
        .map(|c| list_link(&filter, order, pages, Some(&c.encode())));
    let sort_columns = crate::view::sort_links(
        &[
            ("Nr.", "number", measures::MeasureOrder::Number),
            ("Federführung", "lead", measures::MeasureOrder::Lead),
            ("Sachstand", "status", measures::MeasureOrder::Status),
        ],
        order,
        |o| list_link(&filter, o, pages, None),
    );
    let rows = page.items;
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
            sort_columns,
            page_label,
        })?
    } else {
        let c = choices(&app).await?;
        let org_pick =
            organisation_pick(&app, "/measures", &org_query, &[filter.lead.as_str()]).await?;
        render(&ListPage {
            layout: Layout::new(&app, &user, "Maßnahmen", uri.path()),
            filter,
            rows,
            count,
            first,
            next,
            out_of_band: false,
            sort_columns,
            page_label,
            size,
            sizes: crate::view::PAGE_SIZES.to_vec(),
            can_manage: any_allows(&user.principal.roles, Permission::ManageMeasures),
            concepts: c.concepts,
            fields: c.fields,
            statuses: status_options(),
            org_pick,
            towns: c.towns,
            ki_options: ki_options(),
            query: uri.query().unwrap_or("").to_owned(),
            adaptations: lotse_domain::measure::Adaptation::ALL
                .iter()
                .map(|a| (a.key().to_owned(), a.label().to_owned()))
                .collect(),
        })?
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(response)
}

/// The (filtered) catalogue as an Excel file, in the import format.
pub async fn export(
    State(app): State<AppState>,
    Query(filter): Query<MeasureFilter>,
) -> Result<Response, AppError> {
    let rows = measures::export(&app.db, &filter).await?;
    super::xlsx_download(lotse_reports::measures_xlsx(&rows), "massnahmen.xlsx")
}

pub struct IndicatorView {
    id: String,
    name: String,
    unit: String,
    target: String,
    values: Vec<(String, String)>,
    /// A rejected new value for this indicator, shown again next to its own form.
    value_as_of: String,
    value: String,
    value_errors: FormErrors,
}

/// What the user typed into a rejected indicator or value form, so the page
/// can show it again where it was typed instead of losing it.
#[derive(Default)]
struct Rejected {
    indicator: IndicatorForm,
    indicator_errors: Option<FormErrors>,
    /// (indicator id, the form, its errors)
    value: Option<(String, ValueForm, FormErrors)>,
}

pub struct HistoryRow {
    at: String,
    actor: String,
    from: String,
    to: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "measures/show.html")]
struct ShowPage {
    layout: Layout,
    m: Measure,
    period: String,
    indicators: Vec<IndicatorView>,
    history: Vec<HistoryRow>,
    can_manage: bool,
    errors: FormErrors,
    new_indicator: IndicatorForm,
    /// (tag, URL-encoded tag) for the filter links.
    tags: Vec<(String, String)>,
    /// (id, name) of the programmes that carry the measure.
    programmes: Vec<(String, String)>,
}

fn status_label(key: &str) -> String {
    MeasureStatus::parse(key).map_or_else(|| key.to_owned(), |s| s.label().to_owned())
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    rejected: Rejected,
) -> Result<ShowPage, AppError> {
    let m = measures::get(&app.db, id).await?;
    let mut value_attempt = rejected.value;
    let indicators = measures::indicators(&app.db, id)
        .await?
        .into_iter()
        .map(|i| {
            let (value_as_of, value, value_errors) = match value_attempt.take() {
                Some((for_id, form, errors)) if for_id == i.id => {
                    (form.value_as_of, form.value, errors)
                }
                other => {
                    value_attempt = other;
                    (String::new(), String::new(), FormErrors::none())
                }
            };
            IndicatorView {
                value_as_of,
                value,
                value_errors,
                target: i.target.map_or_else(|| "–".to_owned(), number_de),
                values: i
                    .values
                    .iter()
                    .map(|(d, v)| (date_de(d), number_de(*v)))
                    .collect(),
                id: i.id,
                name: i.name,
                unit: i.unit,
            }
        })
        .collect();
    let history = measures::status_history(&app.db, id)
        .await?
        .into_iter()
        .map(|h| HistoryRow {
            at: datetime(h.at),
            actor: h.actor_name,
            from: h
                .from_status
                .as_deref()
                .map_or_else(|| "–".to_owned(), status_label),
            to: status_label(&h.to_status),
            reason: h.reason,
        })
        .collect();
    let period = match (&m.planned_start, &m.planned_end) {
        (None, None) => "–".to_owned(),
        (Some(s), None) => format!("ab {}", date_de(s)),
        (None, Some(e)) => format!("bis {}", date_de(e)),
        (Some(s), Some(e)) => format!("{} bis {}", date_de(s), date_de(e)),
    };
    let tags = m
        .tag_list()
        .into_iter()
        .map(|t| (t.to_owned(), crate::view::url_encode(t)))
        .collect();
    Ok(ShowPage {
        programmes: lotse_store::programmes::of_measure(&app.db, &m.id).await?,
        tags,
        layout: Layout::new(app, user, format!("{} {}", m.code, m.title), path),
        period,
        m,
        indicators,
        history,
        can_manage: any_allows(&user.principal.roles, Permission::ManageMeasures),
        errors: rejected.indicator_errors.unwrap_or_else(FormErrors::none),
        new_indicator: rejected.indicator,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = show_page(&app, &user, uri.path(), &id, Rejected::default()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(Template)]
#[template(path = "measures/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    editing: bool,
    form: MeasureInput,
    reason: String,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    concepts: Options,
    fields: Options,
    statuses: Options,
    /// Lead and partners are picked from one list: the chosen ones, then those matching words.
    org_pick: Pick,
    towns: Options,
    ki_options: Options,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    existing: Option<&Measure>,
    form: MeasureInput,
    reason: String,
    errors: FormErrors,
    org_query: &OrganisationPickQuery,
) -> Result<FormPage, AppError> {
    let c = choices(app).await?;
    let (title, action, form_address) = match existing {
        Some(m) => (
            format!("{} {} bearbeiten", m.code, m.title),
            format!("/measures/{}", m.id),
            format!("/measures/{}/edit", m.id),
        ),
        None => (
            "Neue Maßnahme".to_owned(),
            "/measures".to_owned(),
            "/measures/new".to_owned(),
        ),
    };
    let chosen: Vec<&str> = std::iter::once(form.lead_organisation_id.as_str())
        .chain(form.partner_ids.iter().map(String::as_str))
        .collect();
    // Searched by POST: the form holds free text, which must not go into an address.
    let org_pick = organisation_pick(app, form_address, org_query, &chosen)
        .await?
        .by_post();
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        editing: existing.is_some(),
        form,
        reason,
        summary: errors.summary(field_label),
        errors,
        concepts: c.concepts,
        fields: c.fields,
        statuses: status_options(),
        org_pick,
        towns: c.towns,
        ki_options: ki_options(),
    })
}

/// Reads the form, whose partner and town choices repeat the same key.
fn parse_form(body: &str) -> (MeasureInput, String) {
    let mut input = MeasureInput::default();
    let mut reason = String::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "concept_id" => input.concept_id = value,
            "code" => input.code = value,
            "title" => input.title = value,
            "description" => input.description = value,
            "field_of_action_id" => input.field_of_action_id = value,
            "lead_organisation_id" => input.lead_organisation_id = value,
            "partner_ids" => input.partner_ids.push(value),
            "ki_involvement" => input.ki_involvement = value,
            "target_group" => input.target_group = value,
            "towns" => input.towns.push(value),
            "planned_start" => input.planned_start = value,
            "planned_end" => input.planned_end = value,
            "status" => input.status = value,
            "tags" => input.tags = value,
            "reason" => reason = value,
            _ => {}
        }
    }
    (input, reason)
}

fn input_of(m: &Measure) -> MeasureInput {
    MeasureInput {
        concept_id: m.concept_id.clone(),
        code: m.code.clone(),
        title: m.title.clone(),
        description: m.description.clone(),
        field_of_action_id: m.field_of_action_id.clone().unwrap_or_default(),
        lead_organisation_id: m.lead_organisation_id.clone().unwrap_or_default(),
        partner_ids: m.partners.iter().map(|(id, _)| id.clone()).collect(),
        ki_involvement: m.ki_involvement.clone(),
        target_group: m.target_group.clone(),
        towns: m.towns.iter().map(|(ags, _)| ags.clone()).collect(),
        planned_start: m.planned_start.map(|d| d.to_string()).unwrap_or_default(),
        planned_end: m.planned_end.map(|d| d.to_string()).unwrap_or_default(),
        status: m.status.clone(),
        tags: m.tags.clone(),
    }
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query.unwrap_or_default();
    // A search for organisations comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query).0
    } else {
        MeasureInput {
            ki_involvement: "none".into(),
            status: "planned".into(),
            ..Default::default()
        }
    };
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            None,
            form,
            String::new(),
            FormErrors::none(),
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
    let (input, _) = parse_form(&body);
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                None,
                input,
                String::new(),
                FormErrors::none(),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = match measures::validate(&app.db, &input).await {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    measures::create(tx, &user.principal.actor(), &draft, false, app.now()).await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/measures/{id}?ok=created")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                None,
                input,
                String::new(),
                FormErrors(errors),
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
    let m = measures::get(&app.db, &id).await?;
    let query = query.unwrap_or_default();
    // A search for organisations comes back here with everything the form held.
    let (form, reason) = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_form(&query)
    } else {
        (input_of(&m), String::new())
    };
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            Some(&m),
            form,
            reason,
            FormErrors::none(),
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
    let old = measures::get(&app.db, &id).await?;
    let (input, reason) = parse_form(&body);
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                Some(&old),
                input,
                reason,
                FormErrors::none(),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        );
    }
    let result = match measures::validate(&app.db, &input).await {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    measures::update(
                        tx,
                        &user.principal.actor(),
                        &old,
                        &draft,
                        &reason,
                        app.now(),
                    )
                    .await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/measures/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                Some(&old),
                input,
                reason,
                FormErrors(errors),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct IndicatorForm {
    #[serde(default)]
    indicator_name: String,
    #[serde(default)]
    indicator_unit: String,
    #[serde(default)]
    indicator_target: String,
}

pub async fn add_indicator(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<IndicatorForm>,
) -> Result<Response, AppError> {
    measures::get(&app.db, &id).await?;
    let result = app
        .db
        .write(async |tx| {
            measures::add_indicator(
                tx,
                &user.principal.actor(),
                &id,
                &f.indicator_name,
                &f.indicator_unit,
                &f.indicator_target,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/measures/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected {
                indicator: f,
                indicator_errors: Some(FormErrors(errors)),
                value: None,
            };
            render_invalid(&show_page(&app, &user, uri.path(), &id, rejected).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ValueForm {
    #[serde(default)]
    value_as_of: String,
    #[serde(default)]
    value: String,
}

pub async fn record_value(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((id, indicator)): Path<(MeasureId, IndicatorId)>,
    axum::Form(f): axum::Form<ValueForm>,
) -> Result<Response, AppError> {
    let result = app
        .db
        .write(async |tx| {
            measures::record_value(
                tx,
                &user.principal.actor(),
                &id,
                &indicator,
                &f.value_as_of,
                &f.value,
                app.now(),
            )
            .await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/measures/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let rejected = Rejected {
                value: Some((indicator.into_string(), f, FormErrors(errors))),
                ..Rejected::default()
            };
            render_invalid(&show_page(&app, &user, uri.path(), id.as_str(), rejected).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// How many measures a form's pick list offers at most: a whole concept (the district's have 35
/// to 120 measures), never a whole table; beyond that, words narrow the list.
const PICK: usize = 200;

/// What narrows a form's pick list of measures (see [`MeasurePick`]): words and a concept.
#[derive(serde::Deserialize, Default, Clone)]
pub struct PickQuery {
    #[serde(default)]
    pub measure_q: String,
    #[serde(default)]
    pub measure_concept: String,
}

/// A bounded pick list of measures for a form (link a measure to a programme, to a decision): the
/// first [`PICK`] in list order that match the words and concept the user searched for, without
/// those to leave out (already linked), read page by page. Measures already chosen in the form
/// stay in the list, chosen, whatever the search.
pub struct MeasurePick {
    /// The page the search reloads (its own address, also after a refused post elsewhere).
    pub action: String,
    pub q: String,
    pub concept: String,
    pub concepts: Options,
    /// (id, label, chosen)
    pub options: Vec<(String, String, bool)>,
    /// More measures match than the list shows: the page asks for more precise words.
    pub more: bool,
    /// How many the list shows at most.
    pub limit: usize,
}

impl MeasurePick {
    /// An empty pick list, for someone who may not pick.
    pub fn none() -> MeasurePick {
        MeasurePick {
            action: String::new(),
            q: String::new(),
            concept: String::new(),
            concepts: Vec::new(),
            options: Vec::new(),
            more: false,
            limit: PICK,
        }
    }

    pub async fn load(
        app: &AppState,
        action: String,
        query: &PickQuery,
        chosen: &[String],
        leave_out: impl Fn(&str) -> bool,
    ) -> Result<MeasurePick, AppError> {
        let filter = MeasureFilter {
            q: query.measure_q.trim().to_owned(),
            concept: query.measure_concept.trim().to_owned(),
            ..Default::default()
        };
        // What the form had chosen comes first (at most a page of it: the ids are input), read
        // in one statement.
        let chosen: Vec<&str> = chosen.iter().take(PICK).map(String::as_str).collect();
        let mut options: Vec<(String, String, bool)> = measures::labels(&app.db, &chosen)
            .await?
            .into_iter()
            .map(|(id, label)| (id, label, true))
            .collect();
        let mut request = PageRequest::first(PICK);
        let mut more = false;
        let mut added = 0;
        'pages: loop {
            let page = measures::page(&app.db, &filter, &request).await?;
            for m in page.items {
                if leave_out(&m.id) || options.iter().any(|(o, ..)| *o == m.id) {
                    continue;
                }
                if added == PICK {
                    more = true;
                    break 'pages;
                }
                let label = measures::label(&m.concept, &m.code, &m.title);
                options.push((m.id, label, false));
                added += 1;
            }
            match page.next {
                Some(next) => request.after = Some(next),
                None => break,
            }
        }
        let concepts = measures::concept_names(&app.db).await?;
        Ok(MeasurePick {
            action,
            q: filter.q,
            concept: filter.concept,
            concepts,
            options,
            more,
            limit: PICK,
        })
    }
}
