//! Full-text search over the published offers, for the public finder and its JSON API.
//!
//! The index lives in memory and is rebuilt from the store at start; the web layer keeps it
//! current offer by offer (see `lotse_web::finder`). It is never the record: losing it loses
//! nothing. Every language of the finder has its own analysed fields (German, English, Arabic,
//! Turkish and Russian with Snowball stemming; Ukrainian and Persian lower-cased only, as no
//! stemmer is available), so "Sprachkurse" finds "Sprachkurs" and "курси" its Russian forms.
//! Each query word may carry one typo (Levenshtein distance 1, transpositions count once).
//! Filters (town, topic, language of delivery, target group, free of charge, validity) are
//! exact keyword terms and score nothing, so the order is the text's relevance alone.
//!
//! A result page is found by ranking the first `offset + limit` hits, so a search never looks
//! further than [`lotse_domain::limits::SEARCH_WINDOW`] (decision 0009). Next to the index, the
//! [`Listing`] keeps the same offers in id order for pages that cost the same at any depth (the
//! HSDS API).

mod concepts;
pub mod german;
pub mod listing;

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use lotse_domain::Date;
use lotse_domain::collation::sort_key;
use lotse_domain::limits::SEARCH_WINDOW;
use lotse_domain::offer::{
    Capacity, DELIVERY_LANGUAGES, Locale, OfferContent, OpeningHours, TEXT_FIELDS, TargetGroup,
    Topic, Weekday,
};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery,
    Occur, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

pub use concepts::Concepts;
pub use listing::{ListFilter, ListPage, ListedOffer, Listing};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: stored offer unreadable: {0}")]
    Card(#[from] serde_json::Error),
    #[error("search index: the writer lock was poisoned by a panic")]
    Poisoned,
    /// `offset + limit` past [`SEARCH_WINDOW`]: callers refuse such pages before they search.
    #[error("search: results {offset}..{end} lie beyond the first {SEARCH_WINDOW}", end = offset.saturating_add(*limit))]
    BeyondWindow { offset: usize, limit: usize },
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// What a result list shows of an offer, stored in the index so a result page needs no database
/// round trip. Texts are kept per language; missing ones fall back to German when shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OfferCard {
    pub id: String,
    pub organisation: String,
    pub titles: BTreeMap<Locale, String>,
    /// The easy-language summary, or the start of the description.
    pub summaries: BTreeMap<Locale, String>,
    /// AGS keys of the towns where it takes place.
    pub towns: Vec<String>,
    pub languages: Vec<String>,
    pub topics: Vec<Topic>,
    pub target_groups: Vec<TargetGroup>,
    pub free_of_charge: bool,
    pub capacity: Option<Capacity>,
    /// Latitude and longitude of each place with coordinates, else of its town's centre.
    #[serde(default)]
    pub points: Vec<(f64, f64)>,
    #[serde(default)]
    pub hours: Vec<OpeningHours>,
}

impl OfferCard {
    /// The card of an offer's content, as the index stores it (and the staff form previews it).
    pub fn of(id: &str, organisation: &str, c: &OfferContent) -> OfferCard {
        let mut titles = BTreeMap::new();
        let mut summaries = BTreeMap::new();
        for (locale, texts) in &c.texts {
            if !texts.title.is_empty() {
                titles.insert(*locale, texts.title.clone());
            }
            let summary = if texts.easy_summary.is_empty() {
                shorten(&texts.description, 220)
            } else {
                texts.easy_summary.clone()
            };
            if !summary.is_empty() {
                summaries.insert(*locale, summary);
            }
        }
        OfferCard {
            id: id.to_owned(),
            organisation: organisation.to_owned(),
            titles,
            summaries,
            towns: c.towns().into_iter().map(str::to_owned).collect(),
            languages: c.languages.clone(),
            topics: c.topics.clone(),
            target_groups: c.target_groups.clone(),
            free_of_charge: c.free_of_charge,
            capacity: c.capacity,
            points: offer_points(c),
            hours: c.opening_hours.clone(),
        }
    }

    /// Whether the offer is open at this time (`minute` of the day), or on this day at all.
    pub fn is_open(&self, at: OpenAt) -> bool {
        self.hours.iter().any(|h| {
            h.day == at.day
                && match at.minute {
                    None => true,
                    Some(m) => {
                        minute_of(&h.opens).is_some_and(|o| o <= m)
                            && minute_of(&h.closes).is_some_and(|c| m < c)
                    }
                }
        })
    }

    /// Kilometres from `from` to the nearest of the offer's places.
    pub fn distance_km(&self, from: (f64, f64)) -> Option<f64> {
        self.points
            .iter()
            .map(|p| lotse_domain::town::distance_km(from, *p))
            .min_by(f64::total_cmp)
    }
    /// The title in `locale`, or German; the second value is the language it is in.
    pub fn title(&self, locale: Locale) -> (&str, Locale) {
        pick(&self.titles, locale)
    }

    pub fn summary(&self, locale: Locale) -> (&str, Locale) {
        pick(&self.summaries, locale)
    }
}

fn pick(texts: &BTreeMap<Locale, String>, locale: Locale) -> (&str, Locale) {
    match texts.get(&locale) {
        Some(t) if !t.is_empty() => (t, locale),
        _ => (
            texts.get(&Locale::De).map_or("", String::as_str),
            Locale::De,
        ),
    }
}

/// A description cut at a word boundary near `max` characters.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', ';', '.', ':']))
}

fn listed_offer<'a>(offer: &OfferDocument<'a>) -> ListedOffer<'a> {
    ListedOffer {
        id: offer.id,
        organisation_id: offer.organisation_id,
        topics: &offer.content.topics,
        target_groups: &offer.content.target_groups,
        places: offer.content.locations.len(),
    }
}

/// An offer as it goes into the index.
pub struct OfferDocument<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub organisation: &'a str,
    pub content: &'a OfferContent,
}

/// Search parameters, already checked by the caller (town resolved to its key, etc.).
#[derive(Debug, Clone)]
pub struct OfferQuery {
    pub text: String,
    pub town: Option<String>,
    pub topic: Option<Topic>,
    /// ISO 639-1 code of a language of delivery.
    pub language: Option<String>,
    pub target_group: Option<TargetGroup>,
    pub free_only: bool,
    /// Only offers open at this time or on this day.
    pub open: Option<OpenAt>,
    /// Only offers not full and without a waiting list (offers that state no places count).
    pub places_only: bool,
    /// Nearest first, from this point (latitude, longitude); relevance orders offers equally
    /// near (within half a kilometre).
    pub near: Option<(f64, f64)>,
    /// The language of the page: its fields weigh more and its titles set the order.
    pub locale: Locale,
    /// Offers not valid on this day are not found (none without a day).
    pub today: Option<Date>,
    /// 1 to 100.
    pub limit: usize,
    /// `offset + limit` must not exceed [`SEARCH_WINDOW`].
    pub offset: usize,
}

impl OfferQuery {
    /// Words and nothing else (no town, topic, language, group or "free" filter): a search that
    /// finds nothing like this found nothing for its words alone.
    pub fn is_words_only(&self) -> bool {
        !self.text.trim().is_empty() && self.filters() == 0
    }

    /// How many filters the query applies (its words and the order are none).
    pub fn filters(&self) -> usize {
        [
            self.town.is_some(),
            self.topic.is_some(),
            self.language.is_some(),
            self.target_group.is_some(),
            self.free_only,
            self.open.is_some(),
            self.places_only,
        ]
        .into_iter()
        .filter(|applied| *applied)
        .count()
    }
}

impl Default for OfferQuery {
    fn default() -> Self {
        OfferQuery {
            text: String::new(),
            town: None,
            topic: None,
            language: None,
            target_group: None,
            free_only: false,
            open: None,
            places_only: false,
            near: None,
            locale: Locale::De,
            today: None,
            limit: 20,
            offset: 0,
        }
    }
}

/// A time to be open at: a weekday, and the minute of that day (none: at any time that day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAt {
    pub day: Weekday,
    pub minute: Option<u16>,
}

/// Minutes since midnight of "HH:MM".
fn minute_of(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60).then_some(h * 60 + m)
}

/// The terms of the `open` field: each day with hours ("mo"), and each five minutes in which
/// it is open ("mo:113" is 09:25 to 09:30), so that "open now" is one term to look up.
fn open_terms(hours: &[OpeningHours]) -> Vec<String> {
    let mut terms = std::collections::BTreeSet::new();
    for h in hours {
        let (Some(opens), Some(closes)) = (minute_of(&h.opens), minute_of(&h.closes)) else {
            continue;
        };
        terms.insert(h.day.key().to_owned());
        // A slot counts when the offer is open at its start.
        let first = opens.div_ceil(5);
        for slot in first..closes.div_ceil(5).min(288) {
            terms.insert(format!("{}:{slot}", h.day.key()));
        }
    }
    terms.into_iter().collect()
}

/// The term to look up for [`OpenAt`].
fn open_term(at: OpenAt) -> String {
    match at.minute {
        None => at.day.key().to_owned(),
        Some(m) => format!("{}:{}", at.day.key(), m / 5),
    }
}

/// Where an offer takes place: each place's coordinates, or its town's centre where it has
/// none.
fn offer_points(c: &OfferContent) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for l in &c.locations {
        let point = match (l.latitude, l.longitude) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            _ => lotse_domain::town::town_place(&l.town).map(|t| (t.lat, t.lon)),
        };
        if let Some(p) = point.filter(|p| !points.contains(p)) {
            points.push(p);
        }
    }
    points
}

/// The number of single-letter edits (insert, delete, replace, swap two neighbours) that make
/// `a` into `b`, if it is at most `most`.
fn edit_distance(a: &str, b: &str, most: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > most {
        return None;
    }
    // Optimal string alignment distance, row by row; a row whose smallest value already
    // exceeds `most` ends the comparison.
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        if row.iter().min().is_some_and(|m| *m > most) {
            return None;
        }
        before = std::mem::replace(&mut last, row);
    }
    last.last().copied().filter(|d| *d <= most)
}

/// A point as one number: latitude and longitude in millionths of a degree, shifted to be
/// positive, side by side (a multi-valued fast field keeps numbers, not pairs).
fn point_key((lat, lon): (f64, f64)) -> u64 {
    let part = |v: f64| ((v + 180.0) * 1e6).round().clamp(0.0, 360e6) as u64;
    (part(lat) << 32) | part(lon)
}

fn point_of(key: u64) -> (f64, f64) {
    let part = |v: u64| v as f64 / 1e6 - 180.0;
    (part(key >> 32), part(key & 0xffff_ffff))
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub total: usize,
    pub cards: Vec<OfferCard>,
}

/// The analyser per finder language; `None` where Snowball has no stemmer. German is
/// analysed by [`german`] before it reaches the index (its fields only split at spaces).
fn stemmer(locale: Locale) -> Option<Language> {
    match locale {
        Locale::De | Locale::Ls => None,
        Locale::En => Some(Language::English),
        Locale::Ar => Some(Language::Arabic),
        Locale::Tr => Some(Language::Turkish),
        Locale::Ru => Some(Language::Russian),
        Locale::Ro => Some(Language::Romanian),
        Locale::Uk
        | Locale::Fa
        | Locale::Prs
        | Locale::Bg
        | Locale::Ku
        | Locale::Ti
        | Locale::So => None,
    }
}

fn analyzer(locale: Locale) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match stemmer(locale) {
        Some(language) => base.filter(Stemmer::new(language)).build(),
        None => base.build(),
    }
}

const PLAIN: &str = "lotse_plain";

/// Lower-cased and folded ("Fuhrerschein" is "Führerschein"), not stemmed.
fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A word as the plain field holds it: lower-cased and folded as its analyser folds.
fn plain_form(word: &str) -> String {
    let mut a = plain_analyzer();
    let mut stream = a.token_stream(word);
    let mut out = String::new();
    while stream.advance() {
        out.push_str(&stream.token().text);
    }
    out
}

fn tokenizer_name(locale: Locale) -> String {
    format!("lotse_{}", locale.key())
}

/// Words that say nothing about an offer; dropped from queries that have other words.
const STOP_WORDS: &[&str] = &[
    "und", "oder", "fur", "mit", "in", "im", "am", "an", "auf", "der", "die", "das", "den", "dem",
    "des", "ein", "eine", "einen", "zu", "zum", "zur", "von", "bei", "nach", "ich", "wo", "wie",
    "was", "the", "a", "an", "for", "of", "and", "with", "to",
];

/// The words of an offer's German texts join the dictionary of compound parts.
fn add_offer_words(d: &mut german::Dictionary, c: &OfferContent) {
    if let Some(texts) = c.texts.get(&Locale::De) {
        for field in TEXT_FIELDS {
            d.add_text((field.get)(texts));
        }
    }
}

/// The language of delivery a query word names ("arabisch", "Türkçe", "english"), as its
/// ISO 639-1 code; German names no filter, as "Deutsch" in a query means learning it.
fn language_named(word: &str) -> Option<&'static str> {
    DELIVERY_LANGUAGES
        .iter()
        .filter(|(code, _, _)| *code != "de")
        .find(|(_, german_name, endonym)| {
            // "Persisch (Farsi/Dari)": each word of the name counts.
            german::words(german_name)
                .chain(german::words(endonym))
                .any(|w| w.chars().count() >= 4 && w == word)
        })
        .map(|(code, _, _)| *code)
}

/// The fields of one finder language.
struct LocaleFields {
    locale: Locale,
    title: Field,
    body: Field,
    /// Collation key of the title (German where untranslated), for listings without a query.
    sort: Field,
    sort_name: String,
}

struct Fields {
    id: Field,
    /// All titles and texts, lower-cased but not stemmed: typos are matched against the words as
    /// written, since a stemmer cuts a misspelt word differently ("sprachkrus" vs "sprachkur").
    /// One field, so each query word builds and runs one Levenshtein automaton (the profile of
    /// the finder showed the automata as the largest cost).
    plain: Field,
    card: Field,
    text: Vec<LocaleFields>,
    towns: Field,
    topics: Field,
    languages: Field,
    target_groups: Field,
    free: Field,
    valid_from: Field,
    valid_to: Field,
    /// Where the offer takes place, each point a [`point_key`] (several for several places).
    points: Field,
    /// When it is open: the days ("mo") and each five minutes of them ("mo:113"), see
    /// [`open_terms`].
    open: Field,
    /// Waiting list or full; nothing when places are free or nobody said.
    capacity: Field,
}

/// The in-memory index of published offers.
pub struct OfferIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// (AGS, name) of the district's towns: town names are searchable words.
    towns: Vec<(String, String)>,
    /// The same offers in id order (changed under the writer lock, after the index).
    listing: RwLock<Listing>,
    /// The words German compounds are split into (changed under the writer lock).
    dictionary: RwLock<german::Dictionary>,
    /// The words editors added to the dictionary ([`OfferIndex::set_words`]).
    editors_words: RwLock<Vec<String>>,
    /// Synonyms and abbreviations with their labels in every language (decision 0013).
    concepts: RwLock<Concepts>,
}

/// Passes on only the offers valid on `day` (a [`day_number`]).
fn valid_on<C: tantivy::collector::Collector>(
    day: i64,
    collector: C,
) -> impl tantivy::collector::Collector<Fruit = C::Fruit> {
    FilterCollector::new(
        "valid_from".to_owned(),
        move |from: i64| from <= day,
        FilterCollector::new("valid_to".to_owned(), move |to: i64| to >= day, collector),
    )
}

/// One pass over the offers valid on `day` that `query` matches: the page's addresses in the
/// collector's `order`, how many match, and (when asked) the towns' counts.
fn hits<K>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    day: i64,
    order: impl tantivy::collector::Collector<Fruit = Vec<(K, tantivy::DocAddress)>>,
    towns: Option<AggregationCollector>,
) -> Result<(
    Vec<tantivy::DocAddress>,
    usize,
    Option<tantivy::aggregation::agg_result::AggregationResults>,
)> {
    let (docs, total, aggregated) =
        searcher.search(query, &valid_on(day, (order, Count, towns)))?;
    Ok((
        docs.into_iter().map(|(_, a)| a).collect(),
        total,
        aggregated,
    ))
}

/// A day as the number YYYYMMDD (ordered as the days are, and readable in the index); no day
/// as `default`.
fn day_number(date: Option<Date>, default: i64) -> i64 {
    date.map_or(default, |d| {
        i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
    })
}

impl OfferIndex {
    /// An empty index; fill it with [`OfferIndex::rebuild`].
    pub fn new(towns: Vec<(String, String)>) -> Result<OfferIndex> {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let card = builder.add_text_field("card", STORED);
        let mut text = Vec::new();
        for locale in Locale::ALL {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(&tokenizer_name(locale))
                .set_index_option(IndexRecordOption::WithFreqs);
            let options = TextOptions::default().set_indexing_options(indexing);
            let title = builder.add_text_field(&format!("title_{}", locale.key()), options.clone());
            let body = builder.add_text_field(&format!("text_{}", locale.key()), options);
            let sort_name = format!("sort_{}", locale.key());
            let sort = builder.add_text_field(&sort_name, STRING | FAST);
            text.push(LocaleFields {
                locale,
                title,
                body,
                sort,
                sort_name,
            });
        }
        let plain = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PLAIN)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id,
            plain: builder.add_text_field("plain", plain),
            card,
            text,
            // FAST as well, so the town overview is counted in the same pass as the results.
            towns: builder.add_text_field("towns", STRING | FAST),
            topics: builder.add_text_field("topics", STRING),
            languages: builder.add_text_field("languages", STRING),
            target_groups: builder.add_text_field("target_groups", STRING),
            free: builder.add_text_field("free", STRING),
            valid_from: builder.add_i64_field("valid_from", INDEXED | FAST),
            valid_to: builder.add_i64_field("valid_to", INDEXED | FAST),
            points: builder.add_u64_field("points", FAST),
            open: builder.add_text_field("open", STRING),
            capacity: builder.add_text_field("capacity", STRING),
        };
        let index = Index::create_in_ram(builder.build());
        for locale in Locale::ALL {
            index
                .tokenizers()
                .register(&tokenizer_name(locale), analyzer(locale));
        }
        index.tokenizers().register(PLAIN, plain_analyzer());
        let writer = index.writer_with_num_threads(1, 64_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(OfferIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            towns,
            listing: RwLock::new(Listing::default()),
            dictionary: RwLock::new(german::Dictionary::shipped()),
            editors_words: RwLock::new(Vec::new()),
            concepts: RwLock::new(Concepts::default()),
        })
    }

    /// The concepts queries expand through; they take effect with the next search (they change
    /// what is searched for, not what is indexed).
    pub fn set_concepts(
        &self,
        list: Vec<lotse_domain::finder_concept::ConceptLabels>,
    ) -> Result<()> {
        let concepts = Concepts::new(list);
        *self.concepts.write().map_err(|_| SearchError::Poisoned)? = concepts;
        Ok(())
    }

    /// The words editors added to the dictionary of compound parts; they take effect with the
    /// next [`OfferIndex::rebuild`] (the caller rebuilds after changing them).
    pub fn set_words(&self, words: Vec<String>) -> Result<()> {
        *self
            .editors_words
            .write()
            .map_err(|_| SearchError::Poisoned)? = words;
        Ok(())
    }

    /// The terms a word is searched by: the stem of the whole, then of its parts (for the
    /// editors, to see how the finder reads a word).
    pub fn explain(&self, word: &str) -> Vec<String> {
        let dictionary = self
            .dictionary
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        german::words(word)
            .flat_map(|w| german::terms(&dictionary, &w))
            .collect()
    }

    /// How many word stems the dictionary of compound parts holds.
    pub fn dictionary_len(&self) -> usize {
        self.dictionary.read().map_or(0, |d| d.len())
    }

    /// The dictionary for these offers: the shipped words, the editors' and every word that
    /// occurs on its own in the offers' German texts.
    fn dictionary_for<'a>(&self, offers: &[OfferDocument<'a>]) -> Result<german::Dictionary> {
        let mut d = german::Dictionary::shipped();
        for w in self
            .editors_words
            .read()
            .map_err(|_| SearchError::Poisoned)?
            .iter()
        {
            d.add_word(w);
        }
        for offer in offers {
            add_offer_words(&mut d, offer.content);
        }
        Ok(d)
    }

    fn town_name(&self, ags: &str) -> Option<&str> {
        self.towns
            .iter()
            .find(|(a, _)| a == ags)
            .map(|(_, n)| n.as_str())
    }

    fn document(
        &self,
        offer: &OfferDocument<'_>,
        german: &mut german::Analyser<'_>,
    ) -> Result<TantivyDocument> {
        let f = &self.fields;
        let c = offer.content;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, offer.id);
        let mut titles = BTreeMap::new();
        for lf in &f.text {
            let Some(texts) = c.texts.get(&lf.locale) else {
                continue;
            };
            // German is analysed here into terms (see [`german`]); the others by their field.
            let mut analysed = |text: &str| {
                if lf.locale.is_german() {
                    german.line(text)
                } else {
                    text.to_owned()
                }
            };
            if !texts.title.is_empty() {
                let title = analysed(&texts.title);
                // The body holds the title's words too, so that a query needing several words
                // (the parts of a compound, a label of two words) intersects single postings
                // lists instead of unions of title and body (the profile showed seeking in
                // those unions as the largest cost of a one-word search).
                doc.add_text(lf.body, &title);
                doc.add_text(lf.title, title);
                doc.add_text(f.plain, &texts.title);
                titles.insert(lf.locale, texts.title.clone());
            }
            for field in TEXT_FIELDS.iter().skip(1) {
                let value = (field.get)(texts);
                if !value.is_empty() {
                    doc.add_text(lf.body, analysed(value));
                    doc.add_text(f.plain, value);
                }
            }
        }
        // German carries the words every offer has regardless of translation: provider, towns,
        // place names and topics (so "Beckum" finds offers too). Not the languages it is held
        // in: they are a filter (decision 0013), or "Deutsch" would find every offer.
        if let Some(body) = f
            .text
            .iter()
            .find(|lf| lf.locale == Locale::De)
            .map(|lf| lf.body)
        {
            doc.add_text(body, german.line(offer.organisation));
            for l in &c.locations {
                doc.add_text(body, german.line(&l.name));
                doc.add_text(body, german.line(&l.street));
                if let Some(name) = self.town_name(&l.town) {
                    doc.add_text(body, german.line(name));
                }
            }
            for t in &c.topics {
                doc.add_text(body, german.line(t.label()));
            }
        }
        for lf in &f.text {
            let (title, _) = pick(&titles, lf.locale);
            doc.add_text(lf.sort, sort_key(title));
        }
        for ags in c.towns() {
            doc.add_text(f.towns, ags);
        }
        for t in &c.topics {
            doc.add_text(f.topics, t.key());
        }
        for code in &c.languages {
            doc.add_text(f.languages, code);
        }
        // No target group means: for everyone.
        if c.target_groups.is_empty() {
            doc.add_text(f.target_groups, TargetGroup::Everyone.key());
        }
        for g in &c.target_groups {
            doc.add_text(f.target_groups, g.key());
        }
        doc.add_text(f.free, if c.free_of_charge { "1" } else { "0" });
        doc.add_i64(f.valid_from, day_number(c.valid_from, 0));
        doc.add_i64(f.valid_to, day_number(c.valid_to, 99_991_231));
        let points = offer_points(c);
        for p in &points {
            doc.add_u64(f.points, point_key(*p));
        }
        for term in open_terms(&c.opening_hours) {
            doc.add_text(f.open, term);
        }
        if let Some(full @ (Capacity::WaitingList | Capacity::Full)) = c.capacity {
            doc.add_text(f.capacity, full.key());
        }
        let card = OfferCard::of(offer.id, offer.organisation, c);
        doc.add_text(f.card, serde_json::to_string(&card)?);
        Ok(doc)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Replaces the whole index with these offers.
    pub fn rebuild<'a>(
        &self,
        offers: impl IntoIterator<Item = OfferDocument<'a>>,
    ) -> Result<usize> {
        let offers: Vec<OfferDocument<'a>> = offers.into_iter().collect();
        let mut writer = self.writer()?;
        // The dictionary first: a compound is split by the words of every offer.
        let dictionary = self.dictionary_for(&offers)?;
        let mut german = german::Analyser::new(&dictionary);
        // The new segments are merged into one before searches see them: merged in the
        // background instead, the first minutes after a start searched a dozen segments while
        // the merges took a core (the benchmark's first runs were slower than its last).
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        writer.delete_all_documents()?;
        let mut listed = Vec::new();
        for offer in &offers {
            writer.add_document(self.document(offer, &mut german)?)?;
            listed.push(listed_offer(offer));
        }
        drop(german);
        let n = listed.len();
        let committed = writer.commit();
        let merged = match &committed {
            Ok(_) => writer
                .index()
                .searchable_segment_ids()
                .and_then(|segments| match segments.len() {
                    0 | 1 => Ok(()),
                    _ => writer.merge(&segments).wait().map(|_| ()),
                }),
            Err(_) => Ok(()),
        };
        // Whatever happened, single updates merge in the background again afterwards.
        writer.set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        committed?;
        if let Err(e) = merged {
            // Committed, not merged: searches work on several segments, more slowly, and the
            // background merges take over.
            tracing::warn!(error = %e, "search index: the rebuilt segments were not merged");
        }
        self.reader.reload()?;
        *self.listing.write().map_err(|_| SearchError::Poisoned)? = Listing::new(listed);
        *self.dictionary.write().map_err(|_| SearchError::Poisoned)? = dictionary;
        Ok(n)
    }

    /// Puts one offer in (replacing an older version), or takes it out when `offer` is `None`
    /// (withdrawn, never published).
    pub fn update(&self, id: &str, offer: Option<OfferDocument<'_>>) -> Result<()> {
        let mut writer = self.writer()?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        if let Some(offer) = &offer {
            // Its words join the dictionary; offers indexed before keep their splits until
            // the next rebuild.
            let mut dictionary = self.dictionary.write().map_err(|_| SearchError::Poisoned)?;
            add_offer_words(&mut dictionary, offer.content);
            let mut german = german::Analyser::new(&dictionary);
            writer.add_document(self.document(offer, &mut german)?)?;
        }
        writer.commit()?;
        self.reader.reload()?;
        self.listing
            .write()
            .map_err(|_| SearchError::Poisoned)?
            .update(id, offer.as_ref().map(listed_offer));
        Ok(())
    }

    /// The indexed offers in id order, for pages of constant cost (see [`Listing`]).
    pub fn listing(&self) -> Result<RwLockReadGuard<'_, Listing>> {
        self.listing.read().map_err(|_| SearchError::Poisoned)
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// The words of a query, lower-cased as typed, without stop words (unless nothing else is
    /// left), and the language of delivery a word names, which is taken out of the words.
    fn query_words(text: &str) -> (Vec<String>, Option<&'static str>) {
        let mut lower = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build();
        let mut words = Vec::new();
        let mut stream = lower.token_stream(text);
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        let mut language = None;
        words.retain(|w| match language_named(&german::fold(w)) {
            Some(code) if language.is_none() => {
                language = Some(code);
                false
            }
            Some(_) => false,
            None => true,
        });
        let stop = |w: &String| STOP_WORDS.contains(&german::fold(w).as_str());
        if words.iter().any(|w| !stop(w)) {
            words.retain(|w| !stop(w));
        }
        (words, language)
    }

    /// The words of the query, each a clause that some field must match: exactly after
    /// analysis, as all the parts of a compound, with one typo, or (the last word, while the
    /// person is still typing) as the start of a word.
    fn text_query(&self, words: &[String], locale: Locale) -> Option<Box<dyn Query>> {
        if words.is_empty() {
            return None;
        }
        // A panic while the dictionary was written leaves it whole (it is replaced at once).
        let dictionary = self
            .dictionary
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut analyzers: Vec<(&LocaleFields, TextAnalyzer)> = self
            .fields
            .text
            .iter()
            .filter(|lf| !lf.locale.is_german())
            .map(|lf| (lf, analyzer(lf.locale)))
            .collect();
        // Leichte Sprache is German, analysed as German; its texts are translations.
        let easy_fields = self.fields.text.iter().find(|lf| lf.locale == Locale::Ls);
        let german_fields = self.fields.text.iter().find(|lf| lf.locale == Locale::De)?;
        let german_own = if locale == Locale::De { 1.5 } else { 1.0 };
        let concepts = self
            .concepts
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let named = concepts.matches(words);
        let term_in = |field: Field, term: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
            let mut add = |query: Box<dyn Query>, weight: f32| {
                alternatives.push(Box::new(BoostQuery::new(query, weight)));
            };
            // German: the whole word's stem, or all its parts somewhere in the offer.
            let folded = german::fold(word);
            let plain_word = plain_form(word);
            let terms = german::terms(&dictionary, &folded);
            let (whole, parts) = terms.split_first()?;
            add(term_in(german_fields.title, whole), 3.0 * german_own);
            add(term_in(german_fields.body, whole), german_own);
            if !parts.is_empty() {
                // Half the weight of the whole word: the parts side by side are less sure.
                let all_parts: Vec<(Occur, Box<dyn Query>)> = parts
                    .iter()
                    .map(|p| (Occur::Must, term_in(german_fields.body, p)))
                    .collect();
                add(Box::new(BooleanQuery::new(all_parts)), 0.5 * german_own);
            }
            if let Some(lf) = easy_fields {
                let own = if locale == Locale::Ls { 1.5 } else { 1.0 };
                add(term_in(lf.title, whole), 3.0 * own);
                add(term_in(lf.body, whole), own);
            }
            for (lf, a) in &mut analyzers {
                let own = if lf.locale == locale { 1.5 } else { 1.0 };
                let mut s = a.token_stream(word);
                while s.advance() {
                    add(term_in(lf.title, &s.token().text), 3.0 * own);
                    add(term_in(lf.body, &s.token().text), own);
                }
            }
            // One typo, for words long enough that a typo still leaves them recognisable. A
            // fuzzy match scores a constant, kept below any exact match.
            if word.chars().count() >= 4 {
                let t = Term::from_field_text(self.fields.plain, &plain_word);
                add(Box::new(FuzzyTermQuery::new(t, 1, true)), 0.4);
            }
            // The concepts the word names: their other labels, in every language, weigh less
            // than the word itself ("ABH" finds the Ausländerbehörde, "روضة" the Kita).
            for concept in named.get(i).into_iter().flatten() {
                if let Some(labels) = concepts.labels(*concept) {
                    add(self.concept_query(labels, locale), 0.6);
                }
            }
            // The last word may be the start of one still being typed ("Bewerb", "Einbürg").
            if i + 1 == words.len() && word.chars().count() >= 3 {
                for (field, start) in [
                    (german_fields.title, folded.as_str()),
                    (german_fields.body, folded.as_str()),
                    (self.fields.plain, plain_word.as_str()),
                ] {
                    let t = Term::from_field_text(field, start);
                    add(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 0.3);
                }
            }
            // The best way the word matches counts, the others a little: a word found in the
            // title and in three translations is not four words.
            clauses.push((
                Occur::Must,
                Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, 0.1)),
            ));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Any German label of a concept, or one in the page's language, each in its language's
    /// fields: a label of several words needs them all. German reaches every offer (each has a
    /// German text); the page's language adds its translations. The other languages' labels
    /// would find the same offers again through their translations, at a cost the benchmark
    /// showed (docs/benchmarks.md, "finder German analysis").
    fn concept_query(
        &self,
        labels: &lotse_domain::finder_concept::ConceptLabels,
        page: Locale,
    ) -> Box<dyn Query> {
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        for (locale, words) in labels
            .iter()
            .filter(|(l, _)| **l == Locale::De || **l == page)
        {
            let Some(lf) = self.fields.text.iter().find(|lf| lf.locale == *locale) else {
                continue;
            };
            for label in words {
                let terms = concepts::normalise(*locale, label);
                if terms.is_empty() {
                    continue;
                }
                let term = |field: Field, t: &str| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    ))
                };
                match terms.as_slice() {
                    // One word: in the title it weighs more.
                    [t] => any.push(Box::new(DisjunctionMaxQuery::new(vec![
                        Box::new(BoostQuery::new(term(lf.title, t), 3.0)),
                        term(lf.body, t),
                    ]))),
                    // Several: all of them in the text (which holds the title too).
                    _ => any.push(Box::new(BooleanQuery::new(
                        terms
                            .iter()
                            .map(|t| (Occur::Must, term(lf.body, t)))
                            .collect(),
                    ))),
                }
            }
        }
        Box::new(DisjunctionMaxQuery::with_tie_breaker(any, 0.1))
    }

    /// The filters of a query, scoring nothing.
    fn filters(
        &self,
        q: &OfferQuery,
        named_language: Option<&str>,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(l) = named_language.filter(|_| q.language.is_none()) {
            filters.push(self.term(f.languages, l));
        }
        if let Some(t) = &q.town {
            filters.push(self.term(f.towns, t));
        }
        if let Some(t) = q.topic {
            filters.push(self.term(f.topics, t.key()));
        }
        if let Some(l) = &q.language {
            filters.push(self.term(f.languages, l));
        }
        if let Some(g) = q.target_group {
            // Offers for everyone are for this group too.
            filters.push(Box::new(BooleanQuery::new(vec![
                (Occur::Should, self.term(f.target_groups, g.key())),
                (
                    Occur::Should,
                    self.term(f.target_groups, TargetGroup::Everyone.key()),
                ),
            ])));
        }
        if q.free_only {
            filters.push(self.term(f.free, "1"));
        }
        if let Some(at) = q.open {
            filters.push(self.term(f.open, &open_term(at)));
        }
        if q.places_only {
            filters.push(Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (
                    Occur::MustNot,
                    self.term(f.capacity, Capacity::WaitingList.key()),
                ),
                (Occur::MustNot, self.term(f.capacity, Capacity::Full.key())),
            ])));
        }
        // Whether an offer is valid today is checked as hits are collected (`run`), not here:
        // it holds for nearly every offer, and as a clause of the intersection it led the
        // query, which then sought every offer in the text's union of alternatives (38 % of
        // a one-word search's time, measured with perf).
        filters
            .into_iter()
            .map(|q| {
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
                )
            })
            .collect()
    }

    fn query(&self, q: &OfferQuery) -> (Box<dyn Query>, bool) {
        let (words, language) = Self::query_words(&q.text);
        let mut clauses = self.filters(q, language);
        let text = self.text_query(&words, q.locale);
        let has_text = text.is_some();
        match text {
            Some(t) => clauses.push((Occur::Must, t)),
            None => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        (Box::new(BooleanQuery::new(clauses)), has_text)
    }

    /// One page of results: by relevance when there is text, else by title in the page's language.
    pub fn search(&self, q: &OfferQuery) -> Result<SearchPage> {
        Ok(self.run(q, false)?.0)
    }

    /// Results as [`OfferIndex::search`], plus how many results each town has (the finder's town
    /// overview). Counted in the same pass through the index; with a town selected, the counts
    /// ignore it (so the overview still shows the other towns), which costs one more pass.
    pub fn search_with_town_counts(
        &self,
        q: &OfferQuery,
    ) -> Result<(SearchPage, Vec<(String, usize)>)> {
        if q.town.is_none() {
            return self.run(q, true);
        }
        let (page, _) = self.run(q, false)?;
        let everywhere = OfferQuery {
            town: None,
            limit: 1,
            offset: 0,
            ..q.clone()
        };
        let (_, counts) = self.run(&everywhere, true)?;
        Ok((page, counts))
    }

    fn run(&self, q: &OfferQuery, count_towns: bool) -> Result<(SearchPage, Vec<(String, usize)>)> {
        let limit = q.limit.clamp(1, 100);
        // Ranking collects the best offset + limit hits (and the collector reserves room for
        // them up front): never more than the window, whatever the caller asks.
        if q.offset.saturating_add(limit) > SEARCH_WINDOW {
            return Err(SearchError::BeyondWindow {
                offset: q.offset,
                limit,
            });
        }
        let searcher = self.reader.searcher();
        let (query, has_text) = self.query(q);
        let top = TopDocs::with_limit(limit).and_offset(q.offset);
        let towns = if count_towns {
            let request: Aggregations = serde_json::from_value(serde_json::json!({
                "towns": { "terms": { "field": "towns", "size": 1000 } }
            }))?;
            Some(AggregationCollector::from_aggs(
                request,
                AggContextParams::new(AggregationLimitsGuard::default(), Default::default()),
            ))
        } else {
            None
        };
        let today = day_number(q.today, 0);
        let (addresses, total, aggregated) = if let Some(from) = q.near {
            let nearest_first = top.tweak_score(move |segment: &tantivy::SegmentReader| {
                let points = segment.fast_fields().u64("points").ok();
                move |doc: tantivy::DocId, score: tantivy::Score| {
                    let nearest = points.as_ref().and_then(|column| {
                        column
                            .values_for_doc(doc)
                            .map(|key| lotse_domain::town::distance_km(from, point_of(key)))
                            .min_by(f64::total_cmp)
                    });
                    // Half kilometres, nearest first, and offers without a place last; the
                    // better match first among offers equally near.
                    let steps = nearest.map_or(i64::MIN, |d| -((d * 2.0).round() as i64));
                    (steps, score)
                }
            });
            hits(&searcher, &query, today, nearest_first, towns)?
        } else if has_text {
            hits(&searcher, &query, today, top.order_by_score(), towns)?
        } else {
            let sort = self
                .fields
                .text
                .iter()
                .find(|lf| lf.locale == q.locale)
                .map_or("sort_de".to_owned(), |lf| lf.sort_name.clone());
            let by_title = top.order_by_string_fast_field(sort, Order::Asc);
            hits(&searcher, &query, today, by_title, towns)?
        };
        let mut cards = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(json) = doc.get_first(self.fields.card).and_then(|v| v.as_str()) {
                cards.push(serde_json::from_str(json)?);
            }
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        if let Some(result) = aggregated {
            let result = serde_json::to_value(result)?;
            let buckets = result["towns"]["buckets"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for (ags, _) in &self.towns {
                let n = buckets
                    .iter()
                    .find(|b| b["key"].as_str() == Some(ags.as_str()))
                    .and_then(|b| b["doc_count"].as_u64())
                    .unwrap_or(0);
                counts.push((ags.clone(), usize::try_from(n).unwrap_or(usize::MAX)));
            }
        }
        Ok((SearchPage { total, cards }, counts))
    }

    /// How many results of this query each town has, ignoring the query's own town filter.
    pub fn count_by_town(&self, q: &OfferQuery) -> Result<Vec<(String, usize)>> {
        Ok(self
            .search_with_town_counts(&OfferQuery {
                town: None,
                ..q.clone()
            })?
            .1)
    }

    /// "Did you mean": the query as typed, with each word that is in no offer (nor a concept's
    /// label, nor a language's name or a stop word) replaced by the nearest word the offers
    /// have: at most one edit away for words of up to seven letters and two for longer ones,
    /// the word in most offers among equally near ones. At most three words are corrected (each
    /// reads the list of words). `None` when every word is known or nothing is near. For an
    /// empty result only.
    pub fn suggest(&self, text: &str) -> Result<Option<String>> {
        const MOST_CORRECTED: usize = 3;
        let searcher = self.reader.searcher();
        let german_body = self
            .fields
            .text
            .iter()
            .find(|lf| lf.locale == Locale::De)
            .map(|lf| lf.body);
        let concepts = self
            .concepts
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dictionary = self
            .dictionary
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut corrected = 0;
        let mut out: Vec<String> = Vec::new();
        for token in text.split_whitespace() {
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = word.to_lowercase();
            let folded = german::fold(&lower);
            let plain = plain_form(&lower);
            let length = plain.chars().count();
            let ordinary = !word.is_empty()
                && word.chars().all(char::is_alphabetic)
                && length >= 4
                && language_named(&folded).is_none()
                && !STOP_WORDS.contains(&folded.as_str());
            let known = || -> Result<bool> {
                if searcher.doc_freq(&Term::from_field_text(self.fields.plain, &plain))? > 0 {
                    return Ok(true);
                }
                // Names of providers, places and towns are in the German text only.
                if let (Some(body), Some(whole)) =
                    (german_body, german::terms(&dictionary, &folded).first())
                    && searcher.doc_freq(&Term::from_field_text(body, whole))? > 0
                {
                    return Ok(true);
                }
                Ok(concepts
                    .matches(std::slice::from_ref(&lower))
                    .first()
                    .is_some_and(|c| !c.is_empty()))
            };
            if !ordinary || corrected == MOST_CORRECTED || known()? {
                out.push(token.to_owned());
                continue;
            }
            let most = if length > 7 { 2 } else { 1 };
            // (edits, offers, word): fewest edits first, then the commonest word.
            let mut best: Option<(usize, u32, String)> = None;
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(self.fields.plain)?;
                let mut terms = index
                    .terms()
                    .stream()
                    .map_err(tantivy::TantivyError::from)?;
                while terms.advance() {
                    let Ok(candidate) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    // Letters, not bytes: a Cyrillic or Ge'ez letter takes two or three.
                    if candidate.chars().count().abs_diff(length) > most {
                        continue;
                    }
                    let Some(edits) = edit_distance(&plain, candidate, most) else {
                        continue;
                    };
                    let offers = terms.value().doc_freq;
                    let better = best
                        .as_ref()
                        .is_none_or(|(e, n, _)| edits < *e || (edits == *e && offers > *n));
                    if better {
                        best = Some((edits, offers, candidate.to_owned()));
                    }
                }
            }
            match best {
                Some((_, _, found)) => {
                    corrected += 1;
                    // Written as the person wrote theirs: capitalised if theirs was.
                    let found = if word.chars().next().is_some_and(char::is_uppercase) {
                        let mut chars = found.chars();
                        chars
                            .next()
                            .map(|c| c.to_uppercase().chain(chars).collect())
                            .unwrap_or_default()
                    } else {
                        found
                    };
                    out.push(token.replacen(word, &found, 1));
                }
                None => out.push(token.to_owned()),
            }
        }
        Ok((corrected > 0).then(|| out.join(" ")))
    }

    /// The stored card of one offer, if it is in the index.
    pub fn card(&self, id: &str) -> Result<Option<OfferCard>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let docs = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match docs.first() {
            Some((_, address)) => {
                let doc: TantivyDocument = searcher.doc(*address)?;
                match doc.get_first(self.fields.card).and_then(|v| v.as_str()) {
                    Some(json) => Ok(Some(serde_json::from_str(json)?)),
                    None => Ok(None),
                }
            }
            None => Ok(None),
        }
    }
}
