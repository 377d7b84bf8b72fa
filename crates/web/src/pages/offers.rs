//! The staff side of the offer directory: providers keep their offers, the coordination approves.
//!
//! Who may see and change an offer is decided by the store, inside its queries and transactions
//! (`offers::for_viewer`, rules in `lotse_domain::access`); whether a save goes live at once or
//! waits for approval by [`publishes_directly`].

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::access::Action as Act;
use lotse_domain::offer::{
    Capacity, DELIVERY_LANGUAGES, Locale, OfferContent, OfferInput, OfferTexts, TEXT_FIELDS,
    TargetGroup, Topic, TranslationState, Weekday, delivery_language_name, field_label,
    validate_texts,
};
use lotse_domain::policy::any_allows;
use lotse_domain::{FieldErrors, Permission};
use lotse_search::OfferCard;
use lotse_store::offers::{self, ListState, Offer, OfferFilter, OfferSummary, Revision, SaveAs};
use lotse_store::paging::PageRequest;
use lotse_store::scoped::{Scoped, Viewer};
use lotse_store::{StoreError, organisations, reference};

use super::finder::ResultItem;
use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::i18n::Texts;
use crate::view::{FormErrors, Layout, date_de, datetime};

type Options = Vec<(String, String)>;

/// Brings the public finder of this node up to date after a change. The change itself is saved
/// already; should the index fail, other nodes and the next sync still pick it up, so the user
/// is not told their save failed.
async fn reindex(app: &AppState, id: &str) {
    if let Err(e) = app.finder.refresh(&app.db, id).await {
        tracing::warn!(error = %e, offer = %id, "search index not updated");
    }
}

fn can_manage(user: &CurrentUser) -> bool {
    any_allows(&user.principal.roles, Permission::ManageOffers)
}

/// Whether the form offers "publish" or "hand in for approval": the publication rule, which the
/// store applies again when the save arrives.
fn publishes_directly(user: &CurrentUser, organisation_trusted: bool) -> bool {
    lotse_domain::offer::publishes_directly(&user.principal.viewer(), organisation_trusted)
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Template)]
#[template(path = "offers/list.html")]
struct ListPage {
    layout: Layout,
    offers: Vec<Scoped<OfferSummary>>,
    today: lotse_domain::Date,
    q: String,
    state: String,
    organisation: String,
    states: Options,
    /// The organisations the filter offers: the one filtered by, then those matching the words.
    org_pick: Pick,
    can_create: bool,
    can_manage: bool,
    waiting: i64,
    /// The translations of each offer on the page and their state.
    translations: std::collections::HashMap<String, Vec<(Locale, TranslationState)>>,
    /// All offers that match (counted up to a bound), of which `offers` is one page.
    total: String,
    first: Option<String>,
    next: Option<String>,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
    sort_columns: Vec<crate::view::SortLink>,
}

impl ListPage {
    fn overdue(&self, o: &OfferSummary) -> bool {
        o.verification_overdue(self.today)
    }

    fn expired(&self, o: &OfferSummary) -> bool {
        o.is_expired(self.today)
    }

    /// The offer's translations and their state.
    fn translated(&self, o: &OfferSummary) -> Vec<Translated> {
        self.translations
            .get(&o.id)
            .map(|states| {
                states
                    .iter()
                    .filter(|(_, s)| s.is_translated())
                    .map(|(l, s)| Translated {
                        language: l.german_name(),
                        key: s.key(),
                        label: s.label(),
                        outdated: matches!(s, TranslationState::Outdated(_)),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One translation of an offer in the list: the language's German name and its state.
struct Translated {
    language: &'static str,
    key: &'static str,
    label: &'static str,
    outdated: bool,
}

/// Offers per page of the staff list.
const PAGE_SIZE: usize = 100;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    /// Absent: a provider sees their own organisation's offers; "" means all.
    organisation: Option<String>,
    /// Words narrowing the organisations the filter offers.
    #[serde(default)]
    organisation_q: String,
    /// Where the page starts (a cursor from the previous page's link).
    #[serde(default)]
    after: String,
    /// The order: title (default) or organisation.
    #[serde(default)]
    sort: String,
    ok: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<ListQuery>,
    Query(paging): Query<crate::view::Paging>,
) -> Result<Response, AppError> {
    let today = app.today();
    let manage = can_manage(&user);
    let own_offers = !manage
        && any_allows(&user.principal.roles, Permission::MaintainOwnOffers)
        && q.organisation.is_none();
    let organisation = if own_offers {
        user.principal.organisation_id.clone()
    } else {
        q.organisation.clone().unwrap_or_default()
    };
    let filter = OfferFilter {
        organisation_id: (!organisation.is_empty()).then(|| organisation.clone()),
        state: ListState::parse(&q.state),
        q: q.q.trim().to_owned(),
    };
    let viewer = user.principal.viewer();
    let store = offers::for_viewer(&app.db, &viewer);
    let order = offers::OfferOrder::parse(&q.sort).unwrap_or_default();
    let page = store
        .list_in_order(
            &filter,
            order,
            today,
            &PageRequest::new(Some(&q.after), Some(paging.size(PAGE_SIZE))),
        )
        .await?;
    let counted = store.count(&filter, today).await?;
    let total = crate::view::count_text(counted, "Angebot", "Angebote");
    let link_in = |order: offers::OfferOrder, paging: &crate::view::Paging, after: Option<&str>| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", &q.q)
            .append_pair("state", &q.state)
            .append_pair("organisation", &organisation);
        if order != offers::OfferOrder::Title {
            s.append_pair("sort", order.key());
        }
        paging.append(&mut s, PAGE_SIZE, after);
        format!("/offers?{}", s.finish())
    };
    let link = |paging: &crate::view::Paging, after: Option<&str>| link_in(order, paging, after);
    let first = (!page.first).then(|| link(&paging, None));
    let next = page.next.as_ref().map(|c| link(&paging, Some(&c.encode())));
    let page_label = crate::view::page_label(paging.number(), counted, paging.size(PAGE_SIZE));
    let size_links = crate::view::size_links(&paging, PAGE_SIZE, |p| link(p, None));
    let sort_columns = crate::view::sort_links(
        &[
            ("Angebot", "title", offers::OfferOrder::Title),
            ("Träger", "organisation", offers::OfferOrder::Organisation),
        ],
        order,
        |o| link_in(o, &paging, None),
    );
    let org_pick = organisation_pick(
        &app,
        "/offers",
        &OrganisationPickQuery {
            organisation_q: q.organisation_q.clone(),
        },
        &[organisation.as_str()],
    )
    .await?;
    let translations = store.translation_states(&page.items).await?;
    render(&ListPage {
        layout: Layout::new(&app, &user, "Angebote", uri.path()).with_notice(q.ok.as_deref()),
        waiting: store.waiting().await?,
        translations,
        offers: page.items,
        today,
        q: q.q,
        state: q.state,
        organisation,
        states: ListState::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        org_pick,
        can_create: any_allows(&user.principal.roles, Permission::MaintainOwnOffers),
        can_manage: manage,
        total,
        first,
        page_label,
        size_links,
        sort_columns,
        next,
    })
}

// ---------------------------------------------------------------------------------------------
// Details

/// One labelled line of an offer's content, as the staff pages show it.
pub struct Line {
    pub label: &'static str,
    pub value: String,
}

/// The content as label/value lines in German, for the details page and the approval view.
fn describe(content: &OfferContent, towns: &Options) -> Vec<Line> {
    let town = |ags: &str| {
        towns
            .iter()
            .find(|(a, _)| a == ags)
            .map_or(ags.to_owned(), |(_, n)| n.clone())
    };
    let g = content.german();
    let mut lines = Vec::new();
    let mut push = |label: &'static str, value: String| {
        if !value.trim().is_empty() {
            lines.push(Line { label, value });
        }
    };
    push("Titel", g.title.clone());
    push("Kurz in einfacher Sprache", g.easy_summary.clone());
    push("Beschreibung", g.description.clone());
    push(
        "Themen",
        content
            .topics
            .iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let mut groups = content
        .target_groups
        .iter()
        .map(|t| t.label().to_owned())
        .collect::<Vec<_>>();
    match (content.min_age, content.max_age) {
        (Some(a), Some(b)) => groups.push(format!("{a} bis {b} Jahre")),
        (Some(a), None) => groups.push(format!("ab {a} Jahren")),
        (None, Some(b)) => groups.push(format!("bis {b} Jahre")),
        (None, None) => {}
    }
    push("Zielgruppen", groups.join(", "));
    push(
        "Sprachen des Angebots",
        content
            .languages
            .iter()
            .map(|c| delivery_language_name(c).unwrap_or(c).to_owned())
            .collect::<Vec<_>>()
            .join(", "),
    );
    push(
        "Orte",
        content
            .locations
            .iter()
            .map(|l| {
                let mut parts = vec![l.name.clone(), l.street.clone()];
                parts.push(
                    format!("{} {}", l.postal_code, town(&l.town))
                        .trim()
                        .to_owned(),
                );
                parts.retain(|p| !p.is_empty());
                let mut line = parts.join(", ");
                if let Some(how) = l.located {
                    line.push_str(&format!(" ({})", how.label()));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    push(
        "Zeiten",
        content
            .opening_hours
            .iter()
            .map(|h| format!("{} {}–{} Uhr", h.day.label(), h.opens, h.closes))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    push("Hinweise zu den Zeiten", g.schedule_note.clone());
    push(
        "Kosten",
        if content.free_of_charge {
            "kostenlos".to_owned()
        } else if g.fees.is_empty() {
            "kostenpflichtig".to_owned()
        } else {
            format!("kostenpflichtig: {}", g.fees)
        },
    );
    push(
        "Plätze",
        content
            .capacity
            .map_or("keine Angabe".to_owned(), |c| c.label().to_owned()),
    );
    push("Voraussetzungen", g.eligibility.clone());
    push("Mitzubringende Unterlagen", g.required_documents.clone());
    push("Anmeldung", g.registration.clone());
    push("Barrierefreiheit", g.accessibility.clone());
    push(
        "Kontakt",
        [
            content.contact_name.as_str(),
            content.phone.as_str(),
            content.email.as_str(),
            content.website.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n"),
    );
    let validity = match (&content.valid_from, &content.valid_to) {
        (Some(f), Some(t)) => format!("{} bis {}", date_de(f), date_de(t)),
        (Some(f), None) => format!("ab {}", date_de(f)),
        (None, Some(t)) => format!("bis {}", date_de(t)),
        (None, None) => "unbefristet".to_owned(),
    };
    push("Gültig", validity);
    lines
}

/// German labels of the changed fields (`texts.ar.title` → "Titel (Arabisch)").
fn changed_labels(old: Option<&OfferContent>, new: &OfferContent) -> Vec<String> {
    offers::changed_fields(old, new)
        .into_iter()
        .map(|f| {
            let mut parts = f.split('.');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("texts"), Some(locale), field) => {
                    let language = Locale::parse(locale).map_or(locale, |l| l.german_name());
                    match field {
                        Some(field) => format!("{} ({language})", field_label(field)),
                        None => format!("Übersetzung ({language}) entfernt"),
                    }
                }
                _ => content_field_label(&f).to_owned(),
            }
        })
        .collect()
}

fn content_field_label(field: &str) -> &str {
    match field {
        "locations" => "Orte",
        "opening_hours" => "Zeiten",
        other => field_label(other),
    }
}

#[derive(Template)]
#[template(path = "offers/show.html")]
struct ShowPage {
    layout: Layout,
    offer: Scoped<Offer>,
    public: bool,
    overdue: bool,
    verified_on: String,
    published_lines: Vec<Line>,
    /// The change in progress, shown to those who may edit or approve it.
    open: Option<OpenView>,
    translations: Vec<TranslationLine>,
    /// The finder's card of the version being worked on, for those who may change it.
    t: Texts,
    preview: Option<ResultItem>,
    history: Vec<(String, String, String)>,
    /// Revisions before those in `history`.
    older_revisions: i64,
    note_error: Option<String>,
}

struct OpenView {
    id: String,
    state: String,
    state_key: String,
    saved: String,
    note: String,
    changed: Vec<String>,
    lines: Vec<Line>,
}

fn revision_line(r: &Revision) -> (String, String, String) {
    (
        datetime(r.saved_at),
        r.state.label().to_owned(),
        r.saved_by.clone().unwrap_or_else(|| "Import/System".into()),
    )
}

async fn show_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    id: &str,
    notice: Option<&str>,
    note_error: Option<String>,
) -> Result<ShowPage, AppError> {
    let viewer = user.principal.viewer();
    let store = offers::for_viewer(&app.db, &viewer);
    // Those who may not change the offer get the published version only, as the public finder
    // shows it: nothing of a change in progress, not even its title (the store reduces it).
    let offer = store.get(id).await?;
    let may_edit = offer.access.change;
    let today = app.today();
    let towns = reference::town_names(&app.db).await?;
    let open = offer.open.as_ref().filter(|_| may_edit).map(|o| OpenView {
        id: o.id.clone(),
        state: o.state.label().to_owned(),
        state_key: o.state.key().to_owned(),
        saved: format!(
            "{}, {}",
            datetime(o.saved_at),
            o.saved_by.clone().unwrap_or_default()
        ),
        note: o.note.clone(),
        changed: changed_labels(offer.published.as_ref().map(|p| &p.content), &o.content),
        lines: describe(&o.content, &towns),
    });
    let working = if may_edit {
        offer.working_content()
    } else {
        offer.published.as_ref().map(|p| &p.content)
    };
    let translations = TranslationLine::all(working);
    let href = if offer.published.is_some() {
        format!("/angebote/{}", crate::view::url_encode(&offer.id))
    } else {
        "#vorschau".to_owned()
    };
    let preview = working
        .filter(|_| may_edit)
        .and_then(|c| preview(app, c, &offer.organisation, &towns, href));
    let (history, history_total) = if offer.access.sees_all() {
        let (revisions, total) = store.history(id).await?;
        (revisions.iter().map(revision_line).collect(), total)
    } else {
        (Vec::new(), 0)
    };
    Ok(ShowPage {
        layout: Layout::new(app, user, offer.title.clone(), path).with_notice(notice),
        public: offer.is_public(today),
        overdue: offer.verification_overdue(today),
        verified_on: offer.verified_on.map(|d| date_de(&d)).unwrap_or_default(),
        published_lines: offer
            .published
            .as_ref()
            .map(|p| describe(&p.content, &towns))
            .unwrap_or_default(),
        open,
        translations,
        t: Texts::new(Locale::De),
        preview,
        older_revisions: history_total - history.len() as i64,
        history,
        note_error,
        offer,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<crate::view::NoticeQuery>,
) -> Result<Response, AppError> {
    render(&show_page(&app, &user, uri.path(), &id, q.ok.as_deref(), None).await?)
}

// ---------------------------------------------------------------------------------------------
// Create and edit

#[derive(Template)]
#[template(path = "offers/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: OfferInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// Offered only to the coordination when creating; providers create for their organisation.
    choose_organisation: bool,
    org_pick: Pick,
    organisation_id: String,
    /// The revision the form starts from, sent back to catch concurrent edits.
    base: String,
    publishes_directly: bool,
    topics: Options,
    target_groups: Options,
    languages: Options,
    capacities: Options,
    /// (key, short name, full name) of each weekday, for the opening-hours rows' check boxes.
    weekdays: Vec<(&'static str, &'static str, &'static str)>,
    towns: Options,
    /// What a helper button of the form did (filled coordinates, ticked days, a new preview).
    assisted: Option<String>,
    /// Per location row: what the button "Lage aus Adresse übernehmen" found, if it was pressed.
    location_notes: Vec<(usize, String)>,
    /// The district's outline and towns for the map that sets a place by a click.
    map_outline: String,
    map_towns: Vec<(String, i64, i64)>,
    /// The map's projection for its script: west, degrees of longitude, north, degrees of latitude.
    map_projection: String,
    /// The finder's texts (German) for the preview card.
    t: Texts,
    preview: Option<ResultItem>,
    /// The offer's translations and their state, when it exists already.
    offer_id: String,
    translations: Vec<TranslationLine>,
}

/// An offer's translation into one language and whether it keeps up with the German text.
pub struct TranslationLine {
    pub key: &'static str,
    pub name: &'static str,
    pub state: TranslationState,
}

impl TranslationLine {
    fn all(content: Option<&OfferContent>) -> Vec<TranslationLine> {
        Locale::translations()
            .map(|l| TranslationLine {
                key: l.key(),
                name: l.german_name(),
                state: content.map_or(TranslationState::Missing, |c| c.translation_state(l)),
            })
            .collect()
    }

    pub fn label(&self) -> &'static str {
        self.state.label()
    }

    pub fn state_key(&self) -> &'static str {
        self.state.key()
    }

    /// "veraltet – geändert: Beschreibung, Anmeldung"
    pub fn detail(&self) -> String {
        match &self.state {
            TranslationState::Outdated(fields) => {
                format!(
                    "veraltet – seit der Übersetzung auf Deutsch geändert: {}",
                    fields.join(", ")
                )
            }
            TranslationState::Unknown => {
                "übersetzt, Stand unbekannt (vor dem Abgleich mit dem deutschen Text gespeichert)"
                    .to_owned()
            }
            other => other.label().to_owned(),
        }
    }
}

/// The German finder's card of `content`, or `None` while it has no title.
fn preview(
    app: &AppState,
    content: &OfferContent,
    organisation: &str,
    towns: &Options,
    href: String,
) -> Option<ResultItem> {
    if content.title().trim().is_empty() {
        return None;
    }
    let card = OfferCard::of("", organisation, content);
    Some(super::finder::preview_item(&card, towns, app.now(), href))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    title: &str,
    action: String,
    mut form: OfferInput,
    errors: FormErrors,
    organisation_id: String,
    // Some (with the search words) where the form offers a choice of organisation.
    choose_organisation: Option<&OrganisationPickQuery>,
    direct: bool,
    base: String,
    // The offer being edited.
    offer: Option<&Offer>,
) -> Result<FormPage, AppError> {
    // Always room for one more location and opening slot (no JavaScript needed to add rows);
    // a form sent back with errors keeps exactly its rows.
    if errors.is_empty() || form.location_rows() == 0 || form.hour_rows().is_empty() {
        form.ensure_blank_rows();
    }
    let towns = reference::town_names(&app.db).await?;
    let organisation = match offer {
        Some(o) => o.organisation.clone(),
        None => match organisations::get(&app.db, &organisation_id).await {
            Ok(o) => o.name,
            Err(StoreError::NotFound) => String::new(),
            Err(e) => return Err(e.into()),
        },
    };
    let working = offer.and_then(|o| o.working_content());
    let (content, _) = form.check(working);
    let href = match offer {
        Some(o) if o.published.is_some() => format!("/angebote/{}", crate::view::url_encode(&o.id)),
        _ => "#vorschau".to_owned(),
    };
    let preview = preview(app, &content, &organisation, &towns, href);
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        summary: errors.summary(field_label),
        errors,
        form,
        choose_organisation: choose_organisation.is_some(),
        org_pick: match choose_organisation {
            // Only the new-offer form offers the choice. Searched by POST: the form holds the
            // offer's texts, which must not go into an address.
            Some(pick) => organisation_pick(app, "/offers/new", pick, &[organisation_id.as_str()])
                .await?
                .by_post(),
            None => Pick::none(),
        },
        organisation_id,
        base,
        publishes_directly: direct,
        topics: super::vocabulary_options(Topic::ALL, Topic::key, Topic::label),
        target_groups: super::vocabulary_options(
            TargetGroup::ALL,
            TargetGroup::key,
            TargetGroup::label,
        ),
        languages: DELIVERY_LANGUAGES
            .iter()
            .map(|(c, n, _)| ((*c).to_owned(), (*n).to_owned()))
            .collect(),
        capacities: super::vocabulary_options(Capacity::ALL, Capacity::key, Capacity::label),
        weekdays: Weekday::ALL
            .iter()
            .zip(["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"])
            .map(|(d, short)| (d.key(), short, d.label()))
            .collect(),
        map_outline: super::finder::map_outline(),
        map_towns: towns
            .iter()
            .filter_map(|(ags, name)| {
                let place = lotse_domain::town::town_place(ags)?;
                let (x, y) = super::finder::map_xy((place.lat, place.lon));
                Some((name.clone(), x, y))
            })
            .collect(),
        map_projection: format!(
            "{} {} {} {}",
            super::finder::MAP_WEST,
            super::finder::MAP_LON_SPAN,
            super::finder::MAP_NORTH,
            super::finder::MAP_LAT_SPAN
        ),
        towns,
        assisted: None,
        location_notes: Vec::new(),
        t: Texts::new(Locale::De),
        preview,
        offer_id: offer.map(|o| o.id.clone()).unwrap_or_default(),
        translations: offer
            .map(|o| TranslationLine::all(o.working_content()))
            .unwrap_or_default(),
    })
}

/// What a helper button of the form asks for: it fills in the form and shows it again, without
/// saving (each works without JavaScript; with it, the days are ticked in the page).
enum Assist {
    /// Coordinates of location row `i` from its address.
    Locate(usize),
    /// Tick these days in opening-hours row `i`.
    Days(usize, &'static [Weekday], &'static str),
    /// Show the preview of what the form holds.
    Preview,
}

impl Assist {
    fn parse(value: &str) -> Option<Assist> {
        let (what, row) = value.trim().rsplit_once('-').unwrap_or((value.trim(), ""));
        let row = row.parse::<usize>().ok();
        match (what, row) {
            ("locate", Some(i)) => Some(Assist::Locate(i)),
            ("weekdays", Some(i)) => {
                Some(Assist::Days(i, &Weekday::ALL[..5], "Montag bis Freitag"))
            }
            ("weekend", Some(i)) => {
                Some(Assist::Days(i, &Weekday::ALL[5..], "Samstag und Sonntag"))
            }
            ("daily", Some(i)) => Some(Assist::Days(i, Weekday::ALL, "alle Tage")),
            _ if value.trim() == "preview" => Some(Assist::Preview),
            _ => None,
        }
    }
}

/// Does what a helper button asked and shows the form again: the page's message, and the
/// location row's note (for "Lage aus Adresse übernehmen").
fn assist(
    form: &mut OfferInput,
    assist: &Assist,
    towns: &Options,
) -> (String, Option<(usize, String)>) {
    match *assist {
        Assist::Locate(i) => {
            let n = i + 1;
            let note = match form.locate(i) {
                Some(est) => {
                    let town = towns
                        .iter()
                        .find(|(a, _)| a == est.ags)
                        .map_or("", |(_, name)| name.as_str());
                    let from = match est.located {
                        lotse_domain::town::Located::PostalCode => format!(
                            "{} {}",
                            est.located.label(),
                            form.location_postal_code.get(i).map_or("", |p| p.trim())
                        ),
                        lotse_domain::town::Located::Town => est.located.label().to_owned(),
                    };
                    format!(
                        "Ort {n}: {from}: Ortsmitte von {town}. Für die genaue Lage Breiten- und Längengrad eintragen oder in die Karte klicken."
                    )
                }
                None => format!(
                    "Ort {n}: Für diese Adresse ist keine Lage hinterlegt. Bitte die Stadt oder Gemeinde wählen oder eine Postleitzahl des Kreises eintragen."
                ),
            };
            (note.clone(), Some((i, note)))
        }
        Assist::Days(i, days, named) => {
            form.tick_days(i, days);
            (format!("Zeit {}: {named} angekreuzt.", i + 1), None)
        }
        Assist::Preview => (
            "Die Vorschau zeigt jetzt die Angaben des Formulars (noch nicht gespeichert)."
                .to_owned(),
            None,
        ),
    }
}

/// The buttons and the organisation field next to the offer's own fields.
#[derive(serde::Deserialize, Default)]
struct SaveChoice {
    #[serde(default)]
    save_as: String,
    #[serde(default)]
    organisation_id: String,
    /// The revision the form was filled from (see `offers::save`).
    #[serde(default)]
    base: String,
    /// A helper button ([`Assist`]): fill in and show the form again instead of saving.
    #[serde(default)]
    assist: String,
}

fn parse_offer_form(body: &str) -> Result<(OfferInput, SaveChoice), AppError> {
    let input: OfferInput = serde_html_form::from_str(body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    let choice: SaveChoice = serde_html_form::from_str(body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    Ok((input, choice))
}

/// What the pressed button asks for, limited by what the user may do.
fn save_mode(choice: &str, direct: bool) -> SaveAs {
    match choice {
        "draft" => SaveAs::Draft,
        _ if direct => SaveAs::Published,
        _ => SaveAs::Submitted,
    }
}

fn saved_notice(mode: SaveAs) -> &'static str {
    match mode {
        SaveAs::Draft => "offer_draft",
        SaveAs::Submitted => "offer_submitted",
        SaveAs::Published => "offer_published",
    }
}

/// Whose offer a new one is: the organisation the coordination chose in the form, otherwise the
/// user's own; with whether it publishes without approval (false for an unknown id, which the
/// save then refuses).
async fn offering_organisation(
    app: &AppState,
    user: &CurrentUser,
    chosen: &str,
) -> Result<(String, bool), AppError> {
    let organisation_id = if can_manage(user) && !chosen.trim().is_empty() {
        chosen.trim().to_owned()
    } else {
        user.principal.organisation_id.clone()
    };
    let trusted = match organisations::get(&app.db, &organisation_id).await {
        Ok(o) => o.trusted_publisher,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    Ok((organisation_id, trusted))
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let org = organisations::get(&app.db, &user.principal.organisation_id).await?;
    let manage = can_manage(&user);
    // A search for the organisation comes back here with everything the form held.
    let searched = OrganisationPickQuery::is_search(query.as_deref());
    let (form, organisation_id, trusted) = match query.as_deref() {
        Some(query) if searched => {
            let (input, choice) = parse_offer_form(query)?;
            let (organisation_id, trusted) =
                offering_organisation(&app, &user, &choice.organisation_id).await?;
            (input, organisation_id, trusted)
        }
        _ => (
            OfferInput {
                free_of_charge: "yes".into(),
                languages: vec!["de".into()],
                ..OfferInput::default()
            },
            org.id.clone(),
            org.trusted_publisher,
        ),
    };
    let pick = OrganisationPickQuery::from_encoded(query.as_deref().unwrap_or(""));
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            "Neues Angebot",
            "/offers".into(),
            form,
            FormErrors::none(),
            organisation_id,
            manage.then_some(&pick),
            publishes_directly(&user, trusted),
            String::new(),
            None,
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
    let (input, choice) = parse_offer_form(&body)?;
    let manage = can_manage(&user);
    let (organisation_id, trusted) =
        offering_organisation(&app, &user, &choice.organisation_id).await?;
    let direct = publishes_directly(&user, trusted);
    if manage && OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Neues Angebot",
                "/offers".into(),
                input,
                FormErrors::none(),
                organisation_id,
                Some(&OrganisationPickQuery::from_encoded(&body)),
                direct,
                String::new(),
                None,
            )
            .await?,
        );
    }
    if let Some(help) = Assist::parse(&choice.assist) {
        let mut input = input;
        let towns = reference::town_names(&app.db).await?;
        let (message, note) = assist(&mut input, &help, &towns);
        let mut page = form_page(
            &app,
            &user,
            uri.path(),
            "Neues Angebot",
            "/offers".into(),
            input,
            FormErrors::none(),
            organisation_id,
            manage.then_some(&OrganisationPickQuery::from_encoded(&body)),
            direct,
            String::new(),
            None,
        )
        .await?;
        page.assisted = Some(message);
        page.location_notes.extend(note);
        return render(&page);
    }
    let mode = save_mode(&choice.save_as, direct);
    let result = async {
        let content = input.validate(None).map_err(StoreError::Invalid)?;
        offers::check_references(&app.db, &content).await?;
        let today = app.today();
        app.db
            .write(async |tx| {
                offers::create(
                    tx,
                    &user.principal.viewer(),
                    None,
                    &organisation_id,
                    &content,
                    mode,
                    false,
                    today,
                    app.now(),
                )
                .await
            })
            .await
    }
    .await;
    match result {
        Ok(offers::Saved { id, state }) => {
            reindex(&app, &id).await;
            Ok(Redirect::to(&format!("/offers/{id}?ok={}", saved_notice(state))).into_response())
        }
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                "Neues Angebot",
                "/offers".into(),
                input,
                FormErrors(errors),
                organisation_id,
                manage.then_some(&OrganisationPickQuery::from_encoded(&body)),
                direct,
                String::new(),
                None,
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
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let offer = offers::for_viewer(&app.db, &viewer)
        .get_to(&id, Act::Change)
        .await?;
    let form = offer
        .working_content()
        .map(|c| OfferInput::from_content(c, 0))
        .unwrap_or_default();
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            &format!("{} bearbeiten", offer.title),
            format!("/offers/{id}"),
            form,
            FormErrors::none(),
            offer.organisation_id.clone(),
            None,
            publishes_directly(&user, offer.organisation_trusted),
            offer.working_revision_id().unwrap_or_default().to_owned(),
            Some(&offer),
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
    let viewer = user.principal.viewer();
    let offer = offers::for_viewer(&app.db, &viewer)
        .get_to(&id, Act::Change)
        .await?;
    let (input, choice) = parse_offer_form(&body)?;
    let direct = publishes_directly(&user, offer.organisation_trusted);
    if let Some(help) = Assist::parse(&choice.assist) {
        let mut input = input;
        let towns = reference::town_names(&app.db).await?;
        let (message, note) = assist(&mut input, &help, &towns);
        // The revision the form was filled from travels on, as the form sent it.
        let mut page = form_page(
            &app,
            &user,
            uri.path(),
            &format!("{} bearbeiten", offer.title),
            format!("/offers/{id}"),
            input,
            FormErrors::none(),
            offer.organisation_id.clone(),
            None,
            direct,
            choice.base.clone(),
            Some(&offer),
        )
        .await?;
        page.assisted = Some(message);
        page.location_notes.extend(note);
        return render(&page);
    }
    let mode = save_mode(&choice.save_as, direct);
    let result = async {
        let content = input
            .validate(offer.working_content())
            .map_err(StoreError::Invalid)?;
        offers::check_references(&app.db, &content).await?;
        let base = Some(choice.base.trim()).filter(|b| !b.is_empty());
        save(&app, &user, &id, &content, mode, base).await
    }
    .await;
    match result {
        Ok(state) => {
            reindex(&app, &id).await;
            Ok(Redirect::to(&format!("/offers/{id}?ok={}", saved_notice(state))).into_response())
        }
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                &format!("{} bearbeiten", offer.title),
                format!("/offers/{id}"),
                input,
                FormErrors(errors),
                offer.organisation_id.clone(),
                None,
                direct,
                offer.working_revision_id().unwrap_or_default().to_owned(),
                Some(&offer),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

async fn save(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    content: &OfferContent,
    mode: SaveAs,
    base: Option<&str>,
) -> Result<SaveAs, StoreError> {
    let today = app.today();
    app.db
        .write(async |tx| {
            offers::save(
                tx,
                &user.principal.viewer(),
                id,
                content,
                mode,
                base,
                today,
                app.now(),
            )
            .await
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Translations

#[derive(Template)]
#[template(path = "offers/translation.html")]
struct TranslationPage {
    layout: Layout,
    action: String,
    locale: Locale,
    /// (field name, label, German text, translation, multiline, German changed since)
    fields: Vec<(String, String, String, String, bool, bool)>,
    /// Whether the translation keeps up with the German text.
    state: TranslationState,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    publishes_directly: bool,
    offer_id: String,
    base: String,
    /// A change is waiting for approval: saving as the coordination publishes it with the
    /// translation, which the page says.
    pending_change: bool,
}

fn parse_locale(key: &str) -> Result<Locale, AppError> {
    Locale::parse(key)
        .filter(|l| *l != Locale::De && l.key() == key)
        .ok_or_else(|| {
            AppError::Status(StatusCode::NOT_FOUND, "Diese Sprache gibt es nicht.".into())
        })
}

fn translation_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    offer: &Offer,
    locale: Locale,
    values: &OfferTexts,
    errors: FormErrors,
) -> TranslationPage {
    let german = offer
        .working_content()
        .map(|c| c.german().clone())
        .unwrap_or_default();
    let outdated = offer
        .working_content()
        .map(|c| c.outdated_fields(locale))
        .unwrap_or_default();
    TranslationPage {
        state: offer
            .working_content()
            .map_or(TranslationState::Missing, |c| c.translation_state(locale)),
        layout: Layout::new(
            app,
            user,
            format!("{}: Übersetzung {}", offer.title, locale.german_name()),
            path,
        ),
        action: format!("/offers/{}/translations/{}", offer.id, locale.key()),
        locale,
        fields: TEXT_FIELDS
            .iter()
            .map(|f| {
                (
                    f.name.to_owned(),
                    f.label.to_owned(),
                    (f.get)(&german).to_owned(),
                    (f.get)(values).to_owned(),
                    f.multiline,
                    outdated.contains(&f.name),
                )
            })
            .collect(),
        summary: errors.summary(field_label),
        errors,
        publishes_directly: publishes_directly(user, offer.organisation_trusted),
        offer_id: offer.id.clone(),
        base: offer.working_revision_id().unwrap_or_default().to_owned(),
        pending_change: offer
            .open
            .as_ref()
            .is_some_and(|o| o.state == offers::RevisionState::Submitted),
    }
}

pub async fn translation_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((id, locale)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let locale = parse_locale(&locale)?;
    let viewer = user.principal.viewer();
    let offer = offers::for_viewer(&app.db, &viewer)
        .get_to(&id, Act::Change)
        .await?;
    let values = offer
        .working_content()
        .and_then(|c| c.texts.get(&locale).cloned())
        .unwrap_or_default();
    render(&translation_page(
        &app,
        &user,
        uri.path(),
        &offer,
        locale,
        &values,
        FormErrors::none(),
    ))
}

pub async fn save_translation(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((id, locale)): Path<(String, String)>,
    body: String,
) -> Result<Response, AppError> {
    let locale = parse_locale(&locale)?;
    let viewer = user.principal.viewer();
    let offer = offers::for_viewer(&app.db, &viewer)
        .get_to(&id, Act::Change)
        .await?;
    let Some(mut content) = offer.working_content().cloned() else {
        return Err(StoreError::NotFound.into());
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = FieldErrors::new();
    let texts = validate_texts(&mut errors, locale, |f| value(f.name));
    if !errors.is_empty() {
        return render_invalid(&translation_page(
            &app,
            &user,
            uri.path(),
            &offer,
            locale,
            &texts,
            FormErrors(errors),
        ));
    }
    if texts.is_empty() {
        content.texts.remove(&locale);
    } else {
        content.texts.insert(locale, texts);
    }
    // Saved by someone who saw the German text as it is: the translation is current again.
    content.note_translation_source(locale);
    let direct = publishes_directly(&user, offer.organisation_trusted);
    let mode = save_mode(&value("save_as"), direct);
    let base = value("base");
    let base = Some(base.trim()).filter(|b| !b.is_empty());
    let state = match save(&app, &user, &id, &content, mode, base).await {
        Ok(state) => state,
        Err(StoreError::Invalid(errors)) => {
            let texts = content.texts.get(&locale).cloned().unwrap_or_default();
            return render_invalid(&translation_page(
                &app,
                &user,
                uri.path(),
                &offer,
                locale,
                &texts,
                FormErrors(errors),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    reindex(&app, &id).await;
    Ok(Redirect::to(&format!("/offers/{id}?ok={}", saved_notice(state))).into_response())
}

// ---------------------------------------------------------------------------------------------
// Workflow steps

/// Runs one workflow step in a transaction and returns to the offer. Whether the user may take it
/// is decided by the store inside the transaction (an offer they may not change is not found).
async fn step(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: &str,
    run: impl AsyncFnOnce(
        &mut lotse_store::Tx,
        &Viewer,
        lotse_domain::Date,
        i64,
    ) -> Result<(), StoreError>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let today = app.today();
    app.db
        .write(async |tx| run(tx, &viewer, today, app.now()).await)
        .await?;
    reindex(app, id).await;
    Ok(Redirect::to(&format!("/offers/{id}?ok={notice}")).into_response())
}

pub async fn verify(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    step(
        &app,
        &user,
        &id,
        "offer_verified",
        async |tx, actor, today, now| offers::verify(tx, actor, &id, today, now).await,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct WithdrawForm {
    withdrawn: String,
}

pub async fn withdraw(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let withdrawn = super::parse_flag("withdrawn", &form.withdrawn)?;
    let notice = if withdrawn {
        "offer_withdrawn"
    } else {
        "offer_reinstated"
    };
    step(&app, &user, &id, notice, async |tx, actor, _, now| {
        offers::set_withdrawn(tx, actor, &id, withdrawn, now).await
    })
    .await
}

pub async fn discard(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    step(
        &app,
        &user,
        &id,
        "offer_discarded",
        async |tx, actor, _, now| offers::discard_change(tx, actor, &id, now).await,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
pub struct ReviewForm {
    /// The open revision the reviewer looked at.
    #[serde(default)]
    revision: String,
}

pub async fn approve(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, AppError> {
    let expected = Some(form.revision.trim()).filter(|r| !r.is_empty());
    step(
        &app,
        &user,
        &id,
        "offer_published",
        async |tx, actor, today, now| offers::approve(tx, actor, &id, expected, today, now).await,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct ReturnForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    revision: String,
}

pub async fn return_change(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReturnForm>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = app
        .db
        .write(async |tx| {
            let expected = Some(form.revision.trim()).filter(|r| !r.is_empty());
            offers::return_change(tx, &viewer, &id, expected, &form.note, app.now()).await
        })
        .await;
    match result {
        Ok(()) => {
            reindex(&app, &id).await;
            Ok(Redirect::to(&format!("/offers/{id}?ok=offer_returned")).into_response())
        }
        Err(StoreError::Invalid(e)) if e.get("note").is_some() => {
            let message = e.get("note").map(str::to_owned);
            let path = uri.path().trim_end_matches("/return").to_owned();
            render_invalid(&show_page(&app, &user, &path, &id, None, message).await?)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Verification reminders

/// The button on the offer list: runs the reminder job now (kept in the run history).
pub async fn remind(State(app): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let report = crate::jobs::run_by_hand(&app, "offer-reminders", &user).await?;
    if !report.ok {
        return Err(AppError::Status(
            StatusCode::UNPROCESSABLE_ENTITY,
            report.summary,
        ));
    }
    Ok(Redirect::to(&format!("/offers?ok=reminded&sent={}", report.count)).into_response())
}

// ---------------------------------------------------------------------------------------------
// Form rows

pub struct LocationRow {
    pub index: usize,
    pub number: usize,
    pub name_id: String,
    pub street_id: String,
    pub postal_id: String,
    pub town_id: String,
    pub latitude_id: String,
    pub longitude_id: String,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub town: String,
    pub city: String,
    pub latitude: String,
    pub longitude: String,
    pub located: String,
    /// "Lage aus Postleitzahl geschätzt", when the coordinates shown are the carried estimate.
    pub estimated: Option<&'static str>,
    /// What the button "Lage aus Adresse übernehmen" found for this row.
    pub note: Option<String>,
    /// Where the place lies on the form's map, if it has coordinates.
    pub marker: Option<(i64, i64)>,
}

pub struct HourRow {
    pub index: usize,
    pub number: usize,
    pub days_id: String,
    pub opens_id: String,
    pub closes_id: String,
    pub days: Vec<&'static str>,
    pub opens: String,
    pub closes: String,
}

fn at(list: &[String], i: usize) -> String {
    list.get(i).cloned().unwrap_or_default()
}

fn degrees(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse().ok()
}

impl FormPage {
    fn location_rows(&self) -> Vec<LocationRow> {
        let f = &self.form;
        (0..f.location_rows())
            .map(|i| {
                let latitude = at(&f.location_latitude, i);
                let longitude = at(&f.location_longitude, i);
                let marker = degrees(&latitude)
                    .zip(degrees(&longitude))
                    .filter(|p| lotse_domain::town::in_district(*p))
                    .map(super::finder::map_xy);
                LocationRow {
                    index: i,
                    number: i + 1,
                    name_id: format!("location_name_{i}"),
                    street_id: format!("location_street_{i}"),
                    postal_id: format!("location_postal_code_{i}"),
                    town_id: format!("location_town_{i}"),
                    latitude_id: format!("location_latitude_{i}"),
                    longitude_id: format!("location_longitude_{i}"),
                    name: at(&f.location_name, i),
                    street: at(&f.location_street, i),
                    postal_code: at(&f.location_postal_code, i),
                    town: at(&f.location_town, i),
                    city: at(&f.location_city, i),
                    latitude,
                    longitude,
                    located: at(&f.location_located, i),
                    estimated: f.location_estimate(i).map(|l| l.label()),
                    note: self
                        .location_notes
                        .iter()
                        .find(|(row, _)| *row == i)
                        .map(|(_, note)| note.clone()),
                    marker,
                }
            })
            .collect()
    }

    fn hour_rows(&self) -> Vec<HourRow> {
        self.form
            .hour_rows()
            .into_iter()
            .enumerate()
            .map(|(i, row)| HourRow {
                index: i,
                number: i + 1,
                days_id: format!("hours_days_{i}"),
                opens_id: format!("hours_opens_{i}"),
                closes_id: format!("hours_closes_{i}"),
                days: row.days.iter().map(|d| d.key()).collect(),
                opens: row.opens,
                closes: row.closes,
            })
            .collect()
    }
}
