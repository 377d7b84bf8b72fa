//! The public offer finder: `/angebote` in German, `/{locale}/angebote` in the other languages.
//!
//! No login, no cookies, no scripts needed, nothing from other servers. Pages are small and
//! server-rendered so they load fast on a slow phone; an offer page prints cleanly.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lotse_domain::limits::{SEARCH_WINDOW, count_label};
use lotse_domain::offer::{
    Locale, OfferContent, TEXT_FIELDS, TargetGroup, Topic, delivery_language_endonym,
};
use lotse_search::{OfferCard, OfferQuery};
use lotse_store::offers::{self, PublishedOffer};
use lotse_store::{StoreError, reference};

use crate::AppState;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::view::{date_de, url_encode};

pub const PAGE_SIZE: usize = 20;

/// The last result page the finder shows: results are ranked up to the search window only
/// (decision 0009).
pub const LAST_PAGE: usize = SEARCH_WINDOW / PAGE_SIZE;

/// The map's projection (viewBox 0 0 320 270): its western and northern edge and the degrees
/// its 300 × 250 inner units span. The offer form's map hands these to its script, which turns a
/// click back into degrees.
pub(crate) const MAP_WEST: f64 = 7.62;
pub(crate) const MAP_LON_SPAN: f64 = 0.76;
pub(crate) const MAP_NORTH: f64 = 52.12;
pub(crate) const MAP_LAT_SPAN: f64 = 0.47;

/// Where a point of the district lies on the map (viewBox 0 0 320 270).
pub(crate) fn map_xy((lat, lon): (f64, f64)) -> (i64, i64) {
    (
        ((lon - MAP_WEST) / MAP_LON_SPAN * 300.0 + 10.0).round() as i64,
        ((MAP_NORTH - lat) / MAP_LAT_SPAN * 250.0 + 10.0).round() as i64,
    )
}

/// The district's outline (`lotse_domain::town::DISTRICT_OUTLINE`) as the map's polygon points.
pub(crate) fn map_outline() -> String {
    lotse_domain::town::DISTRICT_OUTLINE
        .iter()
        .map(|p| {
            let (x, y) = map_xy(*p);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The finder's parameters as they arrive; unknown values are ignored on the pages (they come
/// from hand-edited addresses) and refused with a message by the JSON API.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct FinderParams {
    pub q: String,
    pub town: String,
    pub topic: String,
    pub language: String,
    pub group: String,
    pub free: String,
    /// Nearest first from here: a town, village or postcode.
    pub near: String,
    /// "now", or a weekday key ("mo").
    pub open: String,
    /// "1": only offers with free places.
    pub places: String,
    pub page: String,
}

/// A town given by name ("Beckum", any case) or official key.
pub fn resolve_town(towns: &[(String, String)], text: &str) -> Option<String> {
    let t = text.trim();
    towns
        .iter()
        .find(|(ags, name)| ags == t || name.to_lowercase() == t.to_lowercase())
        .map(|(ags, _)| ags.clone())
}

pub(crate) fn locale_from_path(key: &str) -> Result<Locale, AppError> {
    Locale::parse(key)
        .filter(|l| *l != Locale::De && l.key() == key)
        .ok_or_else(|| AppError::Status(StatusCode::NOT_FOUND, "Diese Seite gibt es nicht.".into()))
}

/// The finder's address in a language.
pub fn finder_path(locale: Locale) -> String {
    match locale {
        Locale::De => "/angebote".to_owned(),
        other => format!("/{}/angebote", other.key()),
    }
}

pub(crate) fn public(html: String) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=60")], Html(html)).into_response()
}

/// A text shown in the page's language or, where missing, in German (marked with `lang`).
pub struct Shown {
    pub text: String,
    pub lang: &'static str,
    pub dir: &'static str,
    pub fallback: bool,
}

impl Shown {
    fn new(text: &str, shown_in: Locale, wanted: Locale) -> Shown {
        Shown {
            text: text.to_owned(),
            lang: shown_in.lang_tag(),
            dir: if shown_in.is_rtl() { "rtl" } else { "ltr" },
            fallback: shown_in != wanted,
        }
    }
}

/// A result in the list.
pub struct ResultItem {
    pub href: String,
    pub title: Shown,
    pub summary: Shown,
    pub organisation: String,
    pub towns: String,
    pub languages: String,
    pub free: bool,
    pub capacity: Option<&'static str>,
    /// "about 3 km away", when the search is ordered by distance.
    pub distance: Option<String>,
    /// "open now" or "open on Monday", when the offer is.
    pub open: Option<String>,
    /// Where its places lie on the map.
    pub points: Vec<(i64, i64)>,
}

fn languages_line(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| delivery_language_endonym(c).unwrap_or(c).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn towns_line(towns: &[(String, String)], keys: &[String]) -> String {
    keys.iter()
        .filter_map(|k| towns.iter().find(|(a, _)| a == k).map(|(_, n)| n.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn offer_path(locale: Locale, id: &str) -> String {
    format!("{}/{}", finder_path(locale), url_encode(id))
}

/// What the page knows of the search beyond its words: where from, and when.
struct Circumstances {
    near: Option<(f64, f64)>,
    /// Now, in the district.
    now: lotse_search::OpenAt,
    /// The day asked for, if any (else "open now" is shown for offers open now).
    day: Option<lotse_domain::offer::Weekday>,
}

fn result_item(
    card: &OfferCard,
    locale: Locale,
    t: &Texts,
    towns: &[(String, String)],
    at: &Circumstances,
) -> ResultItem {
    let (title, title_in) = card.title(locale);
    let (summary, summary_in) = card.summary(locale);
    let open = match at.day {
        Some(day) => card
            .is_open(lotse_search::OpenAt { day, minute: None })
            .then(|| {
                t.fill(
                    "results.open_day",
                    &[("day", t.get(&format!("weekday.{}", day.key())))],
                )
            }),
        None => card
            .is_open(at.now)
            .then(|| t.get("results.open_now").to_owned()),
    };
    let distance = at.near.and_then(|from| card.distance_km(from)).map(|km| {
        let km = if km < 1.0 { 1 } else { km.round() as i64 };
        t.fill("results.distance", &[("km", &km.to_string())])
    });
    ResultItem {
        distance,
        open,
        points: card.points.iter().map(|p| map_xy(*p)).collect(),
        href: offer_path(locale, &card.id),
        title: Shown::new(title, title_in, locale),
        summary: Shown::new(summary, summary_in, locale),
        organisation: card.organisation.clone(),
        towns: towns_line(towns, &card.towns),
        languages: languages_line(&card.languages),
        free: card.free_of_charge,
        capacity: card
            .capacity
            .map(|c| t.get(&format!("capacity.{}", c.key()))),
    }
}

/// An offer's card as the German finder would list it now, for the staff pages' preview
/// (decision 0015): the same values and markup as a result (`public/_result.html`).
pub(crate) fn preview_item(
    card: &OfferCard,
    towns: &[(String, String)],
    now_ms: i64,
    href: String,
) -> ResultItem {
    let (day, minute) = crate::view::weekday_and_minute(now_ms);
    let at = Circumstances {
        near: None,
        now: lotse_search::OpenAt {
            day,
            minute: Some(minute),
        },
        day: None,
    };
    ResultItem {
        href,
        ..result_item(card, Locale::De, &Texts::new(Locale::De), towns, &at)
    }
}

/// A link of the language switcher.
pub struct LanguageLink {
    pub href: String,
    pub name: &'static str,
    pub lang: &'static str,
    pub current: bool,
}

pub(crate) fn language_links(
    current: Locale,
    path_for: impl Fn(Locale) -> String,
) -> Vec<LanguageLink> {
    Locale::ALL
        .into_iter()
        .map(|l| LanguageLink {
            href: path_for(l),
            name: l.native_name(),
            lang: l.lang_tag(),
            current: l == current,
        })
        .collect()
}

/// A town in the overview: list entry and labelled, clickable circle on the map.
pub struct TownCount {
    pub href: String,
    pub name: String,
    pub count: usize,
    pub selected: bool,
    pub x: i64,
    pub y: i64,
    pub r: i64,
}

/// A topic tile (Lebenslage) of the start page.
pub struct Tile {
    pub href: String,
    pub label: &'static str,
    pub hint: &'static str,
}

/// A result's place on the map: a dot that leads to the offer.
pub struct MapPoint {
    pub href: String,
    pub title: String,
    pub x: i64,
    pub y: i64,
}

#[derive(Template)]
#[template(path = "public/finder.html")]
struct FinderPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    action: String,
    params: FinderParams,
    towns: Vec<(String, String)>,
    topics: Vec<(String, &'static str)>,
    groups: Vec<(String, &'static str)>,
    delivery_languages: Vec<(&'static str, &'static str)>,
    /// "now" and the weekdays: value, label.
    open_options: Vec<(String, String)>,
    /// The start page (no words, no filters): the topic tiles lead.
    tiles: Vec<Tile>,
    /// How many filters apply, and "2 filters chosen" when any do.
    chosen: usize,
    filters_text: Option<String>,
    /// The check boxes as the query reads them ("1", "true", "yes").
    free_checked: bool,
    places_checked: bool,
    /// The search with its words only.
    reset: String,
    /// `near` was given but is no place of the district.
    near_unknown: Option<String>,
    results: Vec<ResultItem>,
    total: usize,
    count_text: String,
    /// More results than the window: the request to narrow the search.
    window_hint: Option<String>,
    pages: usize,
    page_text: String,
    previous: Option<String>,
    next: Option<String>,
    town_counts: Vec<TownCount>,
    outline: String,
    map_points: Vec<MapPoint>,
    /// An empty result's nearest towns with offers for the same words: name, link, count.
    nearby: Vec<(String, String, usize)>,
    /// An empty result's topics to browse: label, link.
    topic_links: Vec<(String, String)>,
    /// An empty result's "did you mean": the words, the link.
    suggestion: Option<(String, String)>,
    /// An empty result's telephone number to call for help: shown, dialled.
    help_phone: Option<(String, String)>,
}

/// The query the page and the API share.
fn query_of(
    params: &FinderParams,
    towns: &[(String, String)],
    locale: Locale,
    today: lotse_domain::Date,
    now: lotse_search::OpenAt,
) -> OfferQuery {
    OfferQuery {
        near: lotse_domain::town::town_named(towns, &params.near).map(|t| (t.lat, t.lon)),
        open: match params.open.trim() {
            "now" => Some(now),
            day => lotse_domain::offer::Weekday::parse(day)
                .map(|day| lotse_search::OpenAt { day, minute: None }),
        },
        places_only: matches!(params.places.as_str(), "1" | "true" | "yes"),
        text: params.q.chars().take(200).collect(),
        town: resolve_town(towns, &params.town),
        topic: Topic::parse(&params.topic),
        language: lotse_domain::offer::parse_delivery_language(&params.language).map(str::to_owned),
        target_group: TargetGroup::parse(&params.group),
        free_only: matches!(params.free.as_str(), "1" | "true" | "yes"),
        locale,
        today: Some(today),
        limit: PAGE_SIZE,
        offset: 0,
    }
}

/// The current search as query string, with `page` replaced.
fn search_link(base: &str, params: &FinderParams, page: usize) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &params.q),
        ("town", &params.town),
        ("topic", &params.topic),
        ("language", &params.language),
        ("group", &params.group),
        ("free", &params.free),
        ("near", &params.near),
        ("open", &params.open),
        ("places", &params.places),
    ] {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    let qs = s.finish();
    if qs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{qs}")
    }
}

/// A number as the page's language groups its digits (1.000, 1,000, 1 000).
fn number(locale: Locale, n: usize) -> String {
    let german = count_label(n);
    match locale {
        Locale::De | Locale::Ls | Locale::Tr | Locale::Ro | Locale::Ku => german,
        Locale::En | Locale::So | Locale::Ti => german.replace('.', ","),
        Locale::Uk | Locale::Ru | Locale::Bg => german.replace('.', "\u{a0}"),
        Locale::Ar | Locale::Fa | Locale::Prs => n.to_string(),
    }
}

/// The page asked for: 1 for anything that is not a page number (hand-edited addresses), and
/// `usize::MAX` for numbers too long to read, which lie past the window like any large one.
fn page_of(text: &str) -> usize {
    let text = text.trim();
    match text.parse::<usize>() {
        Ok(n) => n.max(1),
        Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => usize::MAX,
        Err(_) => 1,
    }
}

#[derive(Template)]
#[template(path = "public/too_far.html")]
struct TooFarPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    heading: String,
    hint: String,
    first: String,
    last: String,
    last_text: String,
}

/// A page past the window: 400 with the reason in the page's language and links to the first
/// and the last page there is.
fn too_far(locale: Locale, params: &FinderParams) -> Result<Response, AppError> {
    let t = Texts::new(locale);
    let max = number(locale, SEARCH_WINDOW);
    let base = finder_path(locale);
    let html = TooFarPage {
        languages: language_links(locale, |l| search_link(&finder_path(l), params, 1)),
        heading: t.fill("results.too_far", &[("max", &max)]),
        hint: t.fill("results.window", &[("max", &max)]),
        first: search_link(&base, params, 1),
        last: search_link(&base, params, LAST_PAGE),
        last_text: t.fill("results.last", &[("n", &LAST_PAGE.to_string())]),
        t,
    }
    .render()?;
    Ok((StatusCode::BAD_REQUEST, Html(html)).into_response())
}

async fn finder(
    app: &AppState,
    locale: Locale,
    params: FinderParams,
) -> Result<Response, AppError> {
    let t = Texts::new(locale);
    let page = page_of(&params.page);
    if page > LAST_PAGE {
        return too_far(locale, &params);
    }
    let towns = reference::town_names(&app.db).await?;
    let (weekday, minute) = crate::view::weekday_and_minute(app.now());
    let now = lotse_search::OpenAt {
        day: weekday,
        minute: Some(minute),
    };
    let mut query = query_of(&params, &towns, locale, app.today(), now);
    query.offset = (page - 1) * PAGE_SIZE;
    let (found, counts) = app
        .finder
        .search_with_town_counts(&app.db, query.clone())
        .await?;
    app.finder.note_if_missed(&app.db, &query, found.total);
    // Links never lead past the window; the count still says how many there are.
    let pages = found.total.div_ceil(PAGE_SIZE).clamp(1, LAST_PAGE);
    let base = finder_path(locale);
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let centre = |ags: &str| lotse_domain::town::town_place(ags).map(|p| (p.lat, p.lon));
    let town_counts = towns
        .iter()
        .map(|(ags, name)| {
            let count = counts.iter().find(|(a, _)| a == ags).map_or(0, |(_, n)| *n);
            let (x, y) = map_xy(centre(ags).unwrap_or((51.9, 8.0)));
            let town_params = FinderParams {
                town: ags.clone(),
                page: String::new(),
                ..params.clone()
            };
            TownCount {
                href: search_link(&base, &town_params, 1),
                name: name.clone(),
                count,
                selected: query.town.as_deref() == Some(ags),
                x,
                y,
                r: if count == 0 {
                    4
                } else {
                    (5.0 + 9.0 * (count as f64 / max as f64).sqrt()).round() as i64
                },
            }
        })
        .collect();
    let count_text = match found.total {
        1 => t.get("results.one").to_owned(),
        n => t.fill("results.many", &[("n", &number(locale, n))]),
    };
    let window_hint = (found.total > SEARCH_WINDOW)
        .then(|| t.fill("results.window", &[("max", &number(locale, SEARCH_WINDOW))]));
    let circumstances = Circumstances {
        near: query.near,
        now,
        day: query.open.filter(|o| o.minute.is_none()).map(|o| o.day),
    };
    let results: Vec<ResultItem> = found
        .cards
        .iter()
        .map(|c| result_item(c, locale, &t, &towns, &circumstances))
        .collect();
    let map_points = results
        .iter()
        .flat_map(|r| {
            r.points.iter().map(|(x, y)| MapPoint {
                href: r.href.clone(),
                title: r.title.text.clone(),
                x: *x,
                y: *y,
            })
        })
        .collect();
    // An empty result leads on (decision 0013): "did you mean", with a town chosen the nearest
    // towns that have offers for the same words, the topics to browse, and whom to call.
    let (nearby, topic_links, suggestion, help_phone) = if found.total == 0 {
        let mut nearby: Vec<(f64, String, String, usize)> = Vec::new();
        if let Some(here) = query.town.as_deref().and_then(centre) {
            for (ags, name) in &towns {
                let count = counts.iter().find(|(a, _)| a == ags).map_or(0, |(_, n)| *n);
                if count == 0 || query.town.as_deref() == Some(ags.as_str()) {
                    continue;
                }
                let Some(there) = centre(ags) else {
                    continue;
                };
                let distance = lotse_domain::town::distance_km(here, there);
                let there = FinderParams {
                    town: ags.clone(),
                    page: String::new(),
                    ..params.clone()
                };
                nearby.push((distance, name.clone(), search_link(&base, &there, 1), count));
            }
        }
        nearby.sort_by(|a, b| a.0.total_cmp(&b.0));
        let nearby = nearby
            .into_iter()
            .take(3)
            .map(|(_, name, href, count)| (name, href, count))
            .collect();
        let topic_links = Topic::ALL
            .iter()
            .map(|v| {
                (
                    t.get(&format!("topic.{}", v.key())).to_owned(),
                    format!("{base}?topic={}", v.key()),
                )
            })
            .collect();
        let suggestion = suggestion(app, &params, &query, &base).await?;
        let help_phone = lotse_store::settings::public_contact(&app.db)
            .await?
            .phone
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                lotse_domain::offer::international_phone(&p).unwrap_or_else(|| {
                    let dial = p
                        .chars()
                        .filter(|c| c.is_ascii_digit() || *c == '+')
                        .collect();
                    (p.clone(), dial)
                })
            });
        (nearby, topic_links, suggestion, help_phone)
    } else {
        (Vec::new(), Vec::new(), None, None)
    };
    // Counted from the query, not the address: a hand-edited value that means nothing
    // ("open=xyz") is no filter either.
    let chosen = query.filters();
    let landing = params.q.trim().is_empty() && chosen == 0 && page == 1;
    let tiles = if landing {
        Topic::ALL
            .iter()
            .map(|v| Tile {
                href: format!("{base}?topic={}", v.key()),
                label: t.get(&format!("topic.{}", v.key())),
                hint: t.get(&format!("tiles.hint.{}", v.key())),
            })
            .collect()
    } else {
        Vec::new()
    };
    let near_unknown = (!params.near.trim().is_empty() && query.near.is_none())
        .then(|| t.fill("filter.near.unknown", &[("near", params.near.trim())]));
    let mut open_options = vec![("now".to_owned(), t.get("filter.open.now").to_owned())];
    for day in lotse_domain::offer::Weekday::ALL {
        open_options.push((
            day.key().to_owned(),
            t.fill(
                "filter.open.day",
                &[("day", t.get(&format!("weekday.{}", day.key())))],
            ),
        ));
    }
    let page_params = params.clone();
    let outline = map_outline();
    let html = FinderPage {
        nearby,
        topic_links,
        suggestion,
        help_phone,
        tiles,
        filters_text: (chosen > 0).then(|| t.fill("filter.active", &[("n", &chosen.to_string())])),
        chosen,
        free_checked: query.free_only,
        places_checked: query.places_only,
        reset: search_link(
            &base,
            &FinderParams {
                q: params.q.clone(),
                ..FinderParams::default()
            },
            1,
        ),
        near_unknown,
        open_options,
        languages: language_links(locale, |l| search_link(&finder_path(l), &page_params, page)),
        action: base.clone(),
        towns,
        topics: Topic::ALL
            .iter()
            .map(|v| (v.key().to_owned(), t.get(&format!("topic.{}", v.key()))))
            .collect(),
        groups: TargetGroup::ALL
            .iter()
            .filter(|g| **g != TargetGroup::Everyone)
            .map(|v| (v.key().to_owned(), t.get(&format!("group.{}", v.key()))))
            .collect(),
        delivery_languages: lotse_domain::offer::DELIVERY_LANGUAGES
            .iter()
            .map(|(c, _, n)| (*c, *n))
            .collect(),
        results,
        total: found.total,
        count_text,
        window_hint,
        pages,
        page_text: t.fill(
            "results.page",
            &[("n", &page.to_string()), ("m", &pages.to_string())],
        ),
        previous: (page > 1).then(|| search_link(&base, &params, page - 1)),
        next: (page < pages).then(|| search_link(&base, &params, page + 1)),
        town_counts,
        outline,
        map_points,
        params,
        t,
    }
    .render()?;
    Ok(public(html))
}

/// "Did you mean": the words with the nearest known ones, if the search with them finds
/// something under the same filters.
async fn suggestion(
    app: &AppState,
    params: &FinderParams,
    query: &OfferQuery,
    base: &str,
) -> Result<Option<(String, String)>, AppError> {
    if query.text.trim().is_empty() {
        return Ok(None);
    }
    let Some(words) = app.finder.suggest(&app.db, query.text.clone()).await? else {
        return Ok(None);
    };
    let found = app
        .finder
        .search(
            &app.db,
            OfferQuery {
                text: words.clone(),
                limit: 1,
                offset: 0,
                ..query.clone()
            },
        )
        .await?;
    if found.total == 0 {
        return Ok(None);
    }
    let link = search_link(
        base,
        &FinderParams {
            q: words.clone(),
            page: String::new(),
            ..params.clone()
        },
        1,
    );
    Ok(Some((words, link)))
}

pub async fn search_german(
    State(app): State<AppState>,
    Query(params): Query<FinderParams>,
) -> Result<Response, AppError> {
    finder(&app, Locale::De, params).await
}

pub async fn search_translated(
    State(app): State<AppState>,
    Path(locale): Path<String>,
    Query(params): Query<FinderParams>,
) -> Result<Response, AppError> {
    if locale == "de" {
        return Ok(Redirect::permanent("/angebote").into_response());
    }
    finder(&app, locale_from_path(&locale)?, params).await
}

// ---------------------------------------------------------------------------------------------
// One offer

/// A labelled section of the offer page.
pub struct Section {
    pub heading: &'static str,
    pub lines: Vec<Shown>,
}

pub struct Place {
    pub lines: Vec<String>,
    /// `geo:` link that opens the phone's map app; no map service is contacted by the page.
    pub geo: Option<String>,
}

/// An offer's texts in one language: the page shows one, the printout two side by side.
pub struct OfferView {
    t: Texts,
    /// Prefix of the ids in this view (the printout's second column has its own).
    prefix: &'static str,
    title: Shown,
    organisation: String,
    fallback: bool,
    easy: Option<Shown>,
    sections: Vec<Section>,
    places: Vec<Place>,
    phone: String,
    phone_href: String,
    /// The first place's map link: "route" among the actions at the top.
    route: Option<String>,
    email: String,
    website: String,
    contact_name: String,
    verified: Option<String>,
    valid_until: Option<String>,
}

#[derive(Template)]
#[template(path = "public/offer.html")]
struct OfferPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    back: String,
    o: OfferView,
    /// The page's full address, to copy, mail or text.
    share_url: String,
    share_mail: String,
    share_sms: String,
    print_href: String,
}

#[derive(Template)]
#[template(path = "public/print.html")]
struct PrintPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    back: String,
    /// The reader's language, then German (German alone on the German page).
    columns: Vec<OfferView>,
    url: String,
    qr_svg: String,
}

fn field(content: &OfferContent, locale: Locale, name: &str) -> Shown {
    let f = TEXT_FIELDS
        .iter()
        .find(|f| f.name == name)
        .unwrap_or(&TEXT_FIELDS[0]);
    let shown = content.text(locale, f);
    Shown::new(shown.text, shown.locale, locale)
}

fn plain(text: String, locale: Locale) -> Shown {
    Shown::new(&text, locale, locale)
}

fn offer_view(
    offer: &PublishedOffer,
    locale: Locale,
    towns: &[(String, String)],
    prefix: &'static str,
) -> OfferView {
    let t = Texts::new(locale);
    let c = &offer.content;
    let mut sections = Vec::new();
    let mut section = |heading: &'static str, lines: Vec<Shown>| {
        let lines: Vec<Shown> = lines.into_iter().filter(|l| !l.text.is_empty()).collect();
        if !lines.is_empty() {
            sections.push(Section { heading, lines });
        }
    };
    section(
        t.get("offer.description"),
        vec![field(c, locale, "description")],
    );
    let mut who: Vec<String> = c
        .target_groups
        .iter()
        .map(|g| t.get(&format!("group.{}", g.key())).to_owned())
        .collect();
    let (a, b) = (
        c.min_age.map(|a| a.to_string()),
        c.max_age.map(|b| b.to_string()),
    );
    match (&a, &b) {
        (Some(a), Some(b)) => who.push(t.fill("offer.age_range", &[("a", a), ("b", b)])),
        (Some(a), None) => who.push(t.fill("offer.age_from", &[("a", a)])),
        (None, Some(b)) => who.push(t.fill("offer.age_to", &[("b", b)])),
        (None, None) => {}
    }
    if who.is_empty() {
        who.push(t.get("group.everyone").to_owned());
    }
    section(t.get("offer.who"), vec![plain(who.join(", "), locale)]);
    section(
        t.get("offer.languages"),
        vec![plain(languages_line(&c.languages), locale)],
    );
    let mut when: Vec<Shown> = c
        .opening_hours
        .iter()
        .map(|h| {
            plain(
                format!(
                    "{}: {}–{}",
                    t.get(&format!("weekday.{}", h.day.key())),
                    h.opens,
                    h.closes
                ),
                locale,
            )
        })
        .collect();
    when.push(field(c, locale, "schedule_note"));
    section(t.get("offer.when"), when);
    let mut costs = vec![plain(
        t.get(if c.free_of_charge {
            "offer.free"
        } else {
            "offer.fee"
        })
        .to_owned(),
        locale,
    )];
    if !c.free_of_charge {
        costs.push(field(c, locale, "fees"));
    }
    section(t.get("offer.costs"), costs);
    if let Some(cap) = c.capacity {
        section(
            t.get("offer.capacity"),
            vec![plain(
                t.get(&format!("capacity.{}", cap.key())).to_owned(),
                locale,
            )],
        );
    }
    section(
        t.get("offer.eligibility"),
        vec![field(c, locale, "eligibility")],
    );
    section(
        t.get("offer.documents"),
        vec![field(c, locale, "required_documents")],
    );
    section(
        t.get("offer.registration"),
        vec![field(c, locale, "registration")],
    );
    section(
        t.get("offer.accessibility"),
        vec![field(c, locale, "accessibility")],
    );
    let places: Vec<Place> = c
        .locations
        .iter()
        .map(|l| {
            let town = towns
                .iter()
                .find(|(a, _)| *a == l.town)
                .map_or(l.city.clone(), |(_, n)| n.clone());
            let mut lines = vec![l.name.clone(), l.street.clone()];
            lines.push(format!("{} {}", l.postal_code, town).trim().to_owned());
            lines.retain(|x| !x.is_empty());
            let geo = match (l.latitude, l.longitude) {
                (Some(lat), Some(lon)) => Some(format!("geo:{lat},{lon}")),
                _ => None,
            };
            Place { lines, geo }
        })
        .collect();
    let (title, title_in) = {
        let s = c.text(locale, &TEXT_FIELDS[0]);
        (s.text.to_owned(), s.locale)
    };
    let easy = field(c, locale, "easy_summary");
    let route = places.first().and_then(|p| p.geo.clone());
    // In international form where it can be (a phone with a foreign SIM card needs +49).
    let (phone, phone_href) =
        lotse_domain::offer::international_phone(&c.phone).unwrap_or_else(|| {
            (
                c.phone.clone(),
                c.phone
                    .chars()
                    .filter(|ch| ch.is_ascii_digit() || *ch == '+')
                    .collect(),
            )
        });
    OfferView {
        prefix,
        title: Shown::new(&title, title_in, locale),
        organisation: offer.organisation.clone(),
        fallback: c.is_incompletely_translated(locale),
        easy: (!easy.text.is_empty()).then_some(easy),
        sections,
        places,
        phone,
        phone_href,
        route,
        email: c.email.clone(),
        website: c.website.clone(),
        contact_name: c.contact_name.clone(),
        verified: offer
            .verified_on
            .map(|d| t.fill("offer.verified", &[("date", &date_de(&d))])),
        valid_until: c
            .valid_to
            .map(|d| t.fill("offer.valid_until", &[("date", &date_de(&d))])),
        t,
    }
}

#[derive(Template)]
#[template(path = "public/not_found.html")]
struct NotFoundPage {
    t: Texts,
    languages: Vec<LanguageLink>,
    back: String,
}

/// 404 in the page's language: the offer is gone (or never was), with the way back to the search.
fn not_found_page(locale: Locale) -> Result<Response, AppError> {
    let t = Texts::new(locale);
    let html = NotFoundPage {
        languages: language_links(locale, finder_path),
        back: finder_path(locale),
        t,
    }
    .render()?;
    Ok((StatusCode::NOT_FOUND, Html(html)).into_response())
}

/// A published offer valid today, as the public may see it; `None` if there is none (any more).
async fn current_offer(app: &AppState, id: &str) -> Result<Option<PublishedOffer>, AppError> {
    match offers::published_one(&app.db, id).await {
        Ok(o) if o.content.is_current(app.today()) => Ok(Some(o)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn offer(app: &AppState, locale: Locale, id: &str) -> Result<Response, AppError> {
    let Some(found) = current_offer(app, id).await? else {
        return not_found_page(locale);
    };
    let towns = reference::town_names(&app.db).await?;
    let o = offer_view(&found, locale, &towns, "");
    let share_url = format!("{}{}", app.config.public_url, offer_path(locale, &found.id));
    let subject = url_encode(&o.title.text);
    let page = OfferPage {
        t: Texts::new(locale),
        languages: language_links(locale, |l| offer_path(l, &found.id)),
        back: finder_path(locale),
        share_mail: format!("mailto:?subject={subject}&body={}", url_encode(&share_url)),
        share_sms: format!(
            "sms:?body={}",
            url_encode(&format!("{} {share_url}", o.title.text))
        ),
        print_href: format!("{}/druck", offer_path(locale, &found.id)),
        share_url,
        o,
    };
    Ok(public(page.render()?))
}

/// The printout of an offer: the reader's language beside German, and a QR code that leads
/// back to the offer's page in the reader's language.
async fn printout(app: &AppState, locale: Locale, id: &str) -> Result<Response, AppError> {
    let Some(found) = current_offer(app, id).await? else {
        return not_found_page(locale);
    };
    let towns = reference::town_names(&app.db).await?;
    let mut columns = vec![offer_view(&found, locale, &towns, "")];
    if locale != Locale::De {
        columns.push(offer_view(&found, Locale::De, &towns, "de-"));
    }
    let url = format!("{}{}", app.config.public_url, offer_path(locale, &found.id));
    let page = PrintPage {
        t: Texts::new(locale),
        languages: language_links(locale, |l| format!("{}/druck", offer_path(l, &found.id))),
        back: offer_path(locale, &found.id),
        columns,
        qr_svg: qr_svg(&url),
        url,
    };
    Ok(public(page.render()?))
}

/// A QR code as inline SVG, black on white, with its quiet zone: it prints sharp at any size
/// and needs no image file or service.
fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    code.render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build()
        .replacen(
            "<svg ",
            "<svg role=\"img\" aria-hidden=\"true\" focusable=\"false\" ",
            1,
        )
}

pub async fn print_german(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    printout(&app, Locale::De, &id).await
}

pub async fn print_translated(
    State(app): State<AppState>,
    Path((locale, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if locale == "de" {
        return Ok(
            Redirect::permanent(&format!("{}/druck", offer_path(Locale::De, &id))).into_response(),
        );
    }
    printout(&app, locale_from_path(&locale)?, &id).await
}

pub async fn offer_german(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    offer(&app, Locale::De, &id).await
}

pub async fn offer_translated(
    State(app): State<AppState>,
    Path((locale, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if locale == "de" {
        return Ok(Redirect::permanent(&offer_path(Locale::De, &id)).into_response());
    }
    offer(&app, locale_from_path(&locale)?, &id).await
}

// ---------------------------------------------------------------------------------------------
// JSON API for the finder

/// One result of `GET /api/v1/public/offers`.
#[derive(serde::Serialize)]
pub struct ApiOffer {
    pub id: String,
    pub title: String,
    /// The language the title is in (German when the requested translation is missing).
    pub title_language: &'static str,
    pub summary: String,
    pub provider: String,
    /// Town names.
    pub towns: Vec<String>,
    /// ISO 639-1 codes of the languages the offer is delivered in.
    pub languages: Vec<String>,
    pub topics: Vec<&'static str>,
    pub target_groups: Vec<&'static str>,
    pub free_of_charge: bool,
    pub capacity: Option<&'static str>,
    pub url: String,
    /// Kilometres to its nearest place, when the search asked for the nearest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    pub open_now: bool,
}

#[derive(serde::Serialize)]
pub struct ApiOfferList {
    pub items: Vec<ApiOffer>,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApiParams {
    pub q: String,
    pub town: String,
    pub topic: String,
    pub language: String,
    pub group: String,
    pub free: String,
    pub places: String,
    pub open: String,
    pub near: String,
    pub locale: String,
    pub limit: String,
    pub offset: String,
}

/// A refused parameter of the public API: 400 with the parameter named.
pub struct ParamError {
    field: &'static str,
    message: String,
}

impl IntoResponse for ParamError {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "error": self.message, "field": self.field })),
        )
            .into_response()
    }
}

pub(crate) fn refuse(field: &'static str, message: String) -> ParamError {
    ParamError { field, message }
}

fn api_locale(text: &str) -> Result<Locale, ParamError> {
    if text.trim().is_empty() {
        return Ok(Locale::De);
    }
    Locale::parse(text).ok_or_else(|| {
        refuse(
            "locale",
            format!(
                "locale: unbekannte Sprache „{text}“; erlaubt sind {}.",
                Locale::ALL.map(Locale::key).join(", ")
            ),
        )
    })
}

/// A whole-number query parameter within `range`, `default` when absent, or the 400 naming it.
pub(crate) fn number_param(
    field: &'static str,
    text: &str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ParamError> {
    if text.trim().is_empty() {
        return Ok(default);
    }
    match text.trim().parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(refuse(
            field,
            format!(
                "{field}: „{text}“ ist keine Zahl von {} bis {}.",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// `offset` of the search API: results are ranked up to the window only, so `offset + limit`
/// may not pass it (decision 0009).
fn window_offset(text: &str, limit: usize) -> Result<usize, ParamError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    let beyond = match text.parse::<usize>() {
        Ok(n) if n.saturating_add(limit) <= SEARCH_WINDOW => return Ok(n),
        Ok(_) => true,
        // Digits too many to read lie beyond as well.
        Err(_) => text.bytes().all(|b| b.is_ascii_digit()),
    };
    let max = count_label(SEARCH_WINDOW);
    Err(refuse(
        "offset",
        if beyond {
            format!(
                "offset: Die Suche liefert nur die ersten {max} Treffer (offset + limit ≤ {max}, \
                 hier {text} + {limit}). Bitte die Suche eingrenzen; das ganze Verzeichnis gibt \
                 es seitenweise über die HSDS-Schnittstelle /hsds/services."
            )
        } else {
            format!(
                "offset: „{text}“ ist keine Zahl von 0 bis {}.",
                SEARCH_WINDOW.saturating_sub(limit)
            )
        },
    ))
}

/// Checks every parameter of the search API; the first wrong one is reported.
fn api_query(
    p: &ApiParams,
    towns: &[(String, String)],
    today: lotse_domain::Date,
    now: lotse_search::OpenAt,
) -> Result<OfferQuery, ParamError> {
    let mut query = OfferQuery {
        text: p.q.chars().take(200).collect(),
        locale: api_locale(&p.locale)?,
        today: Some(today),
        ..OfferQuery::default()
    };
    query.limit = number_param("limit", &p.limit, PAGE_SIZE, 0..=100)?.max(1);
    query.offset = window_offset(&p.offset, query.limit)?;
    if !p.town.trim().is_empty() {
        query.town = Some(resolve_town(towns, &p.town).ok_or_else(|| {
            refuse(
                "town",
                format!(
                    "town: „{}“ ist keine Stadt oder Gemeinde des Kreises Warendorf (Name oder AGS).",
                    p.town
                ),
            )
        })?);
    }
    if !p.topic.trim().is_empty() {
        query.topic = Some(Topic::parse(&p.topic).ok_or_else(|| {
            let known: Vec<&str> = Topic::ALL.iter().map(|t| t.key()).collect();
            refuse(
                "topic",
                format!(
                    "topic: unbekanntes Thema „{}“; bekannt: {}.",
                    p.topic,
                    known.join(", ")
                ),
            )
        })?);
    }
    if !p.language.trim().is_empty() {
        let code = p.language.trim().to_lowercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(refuse(
                "language",
                format!(
                    "language: „{}“ ist kein ISO-639-1-Kürzel (zwei Buchstaben).",
                    p.language
                ),
            ));
        }
        query.language = Some(code);
    }
    if !p.group.trim().is_empty() {
        query.target_group = Some(TargetGroup::parse(&p.group).ok_or_else(|| {
            refuse(
                "group",
                format!("group: unbekannte Zielgruppe „{}“.", p.group),
            )
        })?);
    }
    let yes_or_no = |field: &'static str, text: &str| match text.trim() {
        "" | "false" | "0" => Ok(false),
        "true" | "1" => Ok(true),
        other => Err(refuse(
            field,
            format!("{field}: „{other}“; erwartet true oder false."),
        )),
    };
    query.free_only = yes_or_no("free", &p.free)?;
    query.places_only = yes_or_no("places", &p.places)?;
    query.open = match p.open.trim() {
        "" => None,
        "now" => Some(now),
        day => Some(lotse_search::OpenAt {
            day: lotse_domain::offer::Weekday::ALL
                .iter()
                .copied()
                .find(|d| d.key() == day)
                .ok_or_else(|| {
                    refuse(
                        "open",
                        format!("open: „{day}“; erwartet now oder einen Wochentag (mo, tu, we, th, fr, sa, su)."),
                    )
                })?,
            minute: None,
        }),
    };
    if !p.near.trim().is_empty() {
        let place = lotse_domain::town::town_named(towns, &p.near).ok_or_else(|| {
            refuse(
                "near",
                format!(
                    "near: „{}“ ist kein Ort, Ortsteil und keine Postleitzahl des Kreises Warendorf.",
                    p.near.trim()
                ),
            )
        })?;
        query.near = Some((place.lat, place.lon));
    }
    Ok(query)
}

pub async fn api_search(
    State(app): State<AppState>,
    Query(p): Query<ApiParams>,
) -> Result<Response, AppError> {
    let towns = reference::town_names(&app.db).await?;
    let (day, minute) = crate::view::weekday_and_minute(app.now());
    let now = lotse_search::OpenAt {
        day,
        minute: Some(minute),
    };
    let query = match api_query(&p, &towns, app.today(), now) {
        Ok(q) => q,
        Err(e) => return Ok(e.into_response()),
    };
    let (locale, limit, offset, near) = (query.locale, query.limit, query.offset, query.near);
    let words = query.clone();
    let found = app.finder.search(&app.db, query).await?;
    app.finder.note_if_missed(&app.db, &words, found.total);
    let items = found
        .cards
        .iter()
        .map(|c| {
            let (title, title_in) = c.title(locale);
            ApiOffer {
                id: c.id.clone(),
                title: title.to_owned(),
                title_language: title_in.key(),
                summary: c.summary(locale).0.to_owned(),
                provider: c.organisation.clone(),
                towns: c
                    .towns
                    .iter()
                    .filter_map(|k| towns.iter().find(|(a, _)| a == k).map(|(_, n)| n.clone()))
                    .collect(),
                languages: c.languages.clone(),
                topics: c.topics.iter().map(|t| t.key()).collect(),
                target_groups: c.target_groups.iter().map(|g| g.key()).collect(),
                free_of_charge: c.free_of_charge,
                capacity: c.capacity.map(|c| c.key()),
                url: offer_path(locale, &c.id),
                distance_km: near
                    .and_then(|from| c.distance_km(from))
                    .map(|km| (km * 10.0).round() / 10.0),
                open_now: c.is_open(now),
            }
        })
        .collect();
    Ok(axum::Json(ApiOfferList {
        items,
        total: found.total,
        limit,
        offset,
    })
    .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApiOfferParams {
    pub locale: String,
}

/// One offer with every published field, texts in the requested language (German fallback,
/// `lang` per text says which).
pub async fn api_offer(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<ApiOfferParams>,
) -> Result<Response, AppError> {
    let locale = match api_locale(&p.locale) {
        Ok(l) => l,
        Err(e) => return Ok(e.into_response()),
    };
    let Some(offer) = current_offer(&app, &id).await? else {
        return Ok((
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({ "error": "Dieses Angebot gibt es nicht (mehr)." })),
        )
            .into_response());
    };
    let towns = reference::town_names(&app.db).await?;
    let c = &offer.content;
    let mut texts = serde_json::Map::new();
    for f in &TEXT_FIELDS {
        let shown = c.text(locale, f);
        if !shown.text.is_empty() {
            texts.insert(
                f.name.to_owned(),
                serde_json::json!({ "text": shown.text, "lang": shown.locale.key() }),
            );
        }
    }
    let body = serde_json::json!({
        "id": offer.id,
        "provider": offer.organisation,
        "locale": locale.key(),
        "incompletely_translated": c.is_incompletely_translated(locale),
        "texts": texts,
        "topics": c.topics.iter().map(|t| t.key()).collect::<Vec<_>>(),
        "target_groups": c.target_groups.iter().map(|g| g.key()).collect::<Vec<_>>(),
        "min_age": c.min_age,
        "max_age": c.max_age,
        "languages": c.languages,
        "free_of_charge": c.free_of_charge,
        "capacity": c.capacity.map(|x| x.key()),
        "locations": c.locations.iter().map(|l| serde_json::json!({
            "name": l.name, "street": l.street, "postal_code": l.postal_code, "town_ags": l.town,
            "town": towns.iter().find(|(a, _)| *a == l.town).map(|(_, n)| n.clone()),
            "latitude": l.latitude, "longitude": l.longitude,
        })).collect::<Vec<_>>(),
        "opening_hours": c.opening_hours,
        "contact": { "name": c.contact_name, "phone": c.phone, "email": c.email, "website": c.website },
        "valid_from": c.valid_from,
        "valid_to": c.valid_to,
        "verified_on": offer.verified_on,
        "url": offer_path(locale, &offer.id),
    });
    Ok(axum::Json(body).into_response())
}
