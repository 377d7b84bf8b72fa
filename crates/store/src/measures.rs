//! Integration concepts, their fields of action and measures, with status history and indicators.

use lotse_domain::Date;
use lotse_domain::FieldErrors;
use lotse_domain::collation::{column_key, fold, sort_key};
use lotse_domain::ids::{IndicatorId, MeasureId};
use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureInput, MeasureStatus};
use lotse_domain::validation::{optional_multiline, required_text};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, On, Tx, is_foreign_key_violation, is_unique_violation, new_id, on, read, tx};
use crate::db::{Value, bind_values};
use crate::paging::{Count, Cursor, Keyset, Page, PageRequest, Query};
use crate::sort_keys::{measure_list_key, measure_search_text, measure_tags_key};
use crate::{Result, StoreError};

// ---------------------------------------------------------------------------------------------
// Concepts and fields of action

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Concept {
    pub id: String,
    /// Short name used in lists, e.g. "IK 2010".
    pub short_name: String,
    pub title: String,
    pub adopted_on: Option<Date>,
    pub description: String,
    pub fictitious: bool,
    pub measure_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConceptInput {
    pub short_name: String,
    pub title: String,
    pub adopted_on: String,
    pub description: String,
}

pub struct ConceptDraft {
    pub short_name: String,
    pub title: String,
    pub adopted_on: Option<Date>,
    pub description: String,
}

impl ConceptInput {
    pub fn validate(&self) -> Result<ConceptDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let short_name = required_text(&mut e, "short_name", &self.short_name, 40);
        let title = required_text(&mut e, "title", &self.title, 300);
        let description = optional_multiline(&mut e, "description", &self.description, 10_000);
        let adopted_on = match self.adopted_on.trim() {
            "" => None,
            t => {
                let d = Date::parse(t);
                if d.is_none() {
                    e.add("adopted_on", format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
                }
                d
            }
        };
        e.into_result(ConceptDraft {
            short_name,
            title,
            adopted_on,
            description,
        })
    }
}

const CONCEPT_SELECT: &str = "SELECT c.id, c.short_name, c.title, c.adopted_on, c.description, c.fictitious, \
    (SELECT COUNT(*) FROM measures m WHERE m.concept_id = c.id) AS measure_count, c.created_at, c.updated_at FROM concepts c";

pub async fn concepts(db: &Db) -> Result<Vec<Concept>> {
    let mut list: Vec<Concept> = read!(db, |c| sqlx::query_as(CONCEPT_SELECT).fetch_all(c).await)?;
    // Sorted here: SQLite puts a missing date first, PostgreSQL last.
    list.sort_by_cached_key(|c| {
        (
            c.adopted_on.is_none(),
            c.adopted_on,
            sort_key(&c.short_name),
        )
    });
    Ok(list)
}

/// How forms name a measure in their pick lists: "IK 2010 1.1 – Sprachkurs".
pub fn label(concept: &str, code: &str, title: &str) -> String {
    format!("{concept} {code} – {title}")
}

/// (id, "concept code – title") of the given measures that exist, in list order: what a form
/// shows of the measures already chosen in it. One statement, however many ids (bounded by
/// [`crate::paging::IN_LIST`] per statement, see `Query::any_of`).
pub async fn labels(db: &Db, ids: &[&str]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::default();
    let which = q.any_of("m.id", ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.id, c.short_name, m.code, m.title FROM measures m JOIN concepts c ON c.id = m.concept_id \
         WHERE {which} ORDER BY m.list_key, m.id"
    ));
    let rows: Vec<(String, String, String, String)> =
        read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await)?;
    let wanted: std::collections::HashSet<&str> = ids.iter().copied().collect();
    Ok(rows
        .into_iter()
        .filter(|(id, ..)| wanted.contains(id.as_str()))
        .map(|(id, concept, code, title)| (id, label(&concept, &code, &title)))
        .collect())
}

/// The concepts as (id, short name), in the order of [`concepts`]: what filters and pick lists
/// offer. Without the measure counts, which cost a count over every measure per concept.
pub async fn concept_names(db: &Db) -> Result<Vec<(String, String)>> {
    let mut list: Vec<(String, String, Option<Date>)> = read!(db, |c| {
        sqlx::query_as("SELECT id, short_name, adopted_on FROM concepts")
            .fetch_all(c)
            .await
    })?;
    list.sort_by_cached_key(|(_, name, adopted)| (adopted.is_none(), *adopted, sort_key(name)));
    Ok(list.into_iter().map(|(id, name, _)| (id, name)).collect())
}

pub async fn concept(db: &Db, id: &str) -> Result<Concept> {
    let sql = sqlx::AssertSqlSafe(format!("{CONCEPT_SELECT} WHERE c.id = $1"));
    read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?.ok_or(StoreError::NotFound)
}

pub async fn create_concept(
    tx: &mut Tx,
    actor: &Actor,
    draft: &ConceptDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO concepts (id, short_name, title, adopted_on, description, fictitious, created_at, updated_at, name_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind(&id)
        .bind(&draft.short_name)
        .bind(&draft.title)
        .bind(draft.adopted_on)
        .bind(&draft.description)
        .bind(fictitious)
        .bind(now)
        .bind(column_key(&draft.short_name))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "short_name",
                format!("Die Kurzbezeichnung „{}“ gibt es schon.", draft.short_name),
            ));
        }
        other => other?,
    };
    tx.record(Event::new(actor, now, Entity::Concept, Action::Create, &id).with(json!({ "short_name": draft.short_name, "title": draft.title, "adopted_on": draft.adopted_on })));
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct FieldOfAction {
    pub id: String,
    pub concept_id: String,
    pub name: String,
    pub sort_order: i64,
}

pub async fn fields_of_action(db: &Db) -> Result<Vec<FieldOfAction>> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT id, concept_id, name, sort_order FROM fields_of_action ORDER BY concept_id, sort_order, name")
            .fetch_all(c)
            .await
    })?)
}

pub async fn add_field_of_action(
    tx: &mut Tx,
    actor: &Actor,
    concept_id: &str,
    name: &str,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let name = required_text(&mut e, "name", name, 200);
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO fields_of_action (id, concept_id, name, sort_order) \
             VALUES ($1, $2, $3, (SELECT COUNT(*) FROM fields_of_action WHERE concept_id = $2))",
        )
        .bind(&id)
        .bind(concept_id)
        .bind(&name)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "name",
                format!("Das Handlungsfeld „{name}“ gibt es in diesem Konzept schon."),
            ));
        }
        Err(e) if is_foreign_key_violation(&e) => {
            return Err(StoreError::NotFound);
        }
        other => other?,
    };
    tx.record(
        Event::new(actor, now, Entity::FieldOfAction, Action::Create, &id)
            .with(json!({ "concept_id": concept_id, "name": name })),
    );
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Measures

fn tags_as_list<S: serde::Serializer>(tags: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(tags.split(',').map(str::trim).filter(|t| !t.is_empty()))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Measure {
    pub id: String,
    pub concept_id: String,
    pub concept: String,
    pub code: String,
    pub title: String,
    pub description: String,
    pub field_of_action_id: Option<String>,
    pub field_of_action: Option<String>,
    pub lead_organisation_id: Option<String>,
    pub lead_organisation: Option<String>,
    pub ki_involvement: String,
    pub target_group: String,
    pub planned_start: Option<Date>,
    pub planned_end: Option<Date>,
    pub status: String,
    #[serde(serialize_with = "tags_as_list")]
    pub tags: String,
    /// An invented example (demo data), shown as such in the UI and in reports.
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// (id, name)
    #[sqlx(skip)]
    pub partners: Vec<(String, String)>,
    /// (AGS, name); empty means all towns of the district.
    #[sqlx(skip)]
    pub towns: Vec<(String, String)>,
}

impl Measure {
    pub fn status(&self) -> Option<MeasureStatus> {
        MeasureStatus::parse(&self.status)
    }

    pub fn status_label(&self) -> &'static str {
        self.status().map_or("", MeasureStatus::label)
    }

    pub fn ki_label(&self) -> &'static str {
        KiInvolvement::parse(&self.ki_involvement).map_or("", KiInvolvement::label)
    }

    pub fn tag_list(&self) -> Vec<&str> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

const MEASURE_SELECT: &str = "SELECT m.id, m.concept_id, c.short_name AS concept, m.code, m.title, m.description, \
    m.field_of_action_id, f.name AS field_of_action, m.lead_organisation_id, o.name AS lead_organisation, \
    m.ki_involvement, m.target_group, m.planned_start, m.planned_end, m.status, m.tags, m.fictitious, \
    m.created_at, m.updated_at, m.list_key \
    FROM measures m JOIN concepts c ON c.id = m.concept_id \
    LEFT JOIN fields_of_action f ON f.id = m.field_of_action_id \
    LEFT JOIN organisations o ON o.id = m.lead_organisation_id";

/// Filters of the measure list; empty fields do not filter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeasureFilter {
    pub concept: String,
    pub field: String,
    pub status: String,
    pub lead: String,
    /// AGS; a measure for all towns matches every town.
    pub town: String,
    pub ki: String,
    pub tag: String,
    /// Adaptation need (none, adjust, drop) as last reported: in the newest round that has an
    /// update on the measure.
    pub adaptation: String,
    /// Words searched in code, title, description and tags (umlauts and case ignored).
    pub q: String,
}

impl MeasureFilter {
    pub fn matches(&self, m: &Measure) -> bool {
        let eq = |filter: &str, value: Option<&str>| filter.is_empty() || value == Some(filter);
        eq(&self.concept, Some(&m.concept_id))
            && eq(&self.field, m.field_of_action_id.as_deref())
            && eq(&self.status, Some(&m.status))
            && eq(&self.lead, m.lead_organisation_id.as_deref())
            && eq(&self.ki, Some(&m.ki_involvement))
            && (self.town.is_empty()
                || m.towns.is_empty()
                || m.towns.iter().any(|(ags, _)| *ags == self.town))
            && (self.tag.is_empty()
                || m.tag_list()
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(self.tag.trim())))
            && {
                let words: Vec<String> = fold(&self.q)
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                words.is_empty() || {
                    let haystack = fold(&format!(
                        "{} {} {} {}",
                        m.code, m.title, m.description, m.tags
                    ));
                    words.iter().all(|w| haystack.contains(w.as_str()))
                }
            }
    }
}

/// Orders measures by concept, then code as people number them (1.2 before 1.10).
fn code_key(code: &str) -> Vec<(u64, String)> {
    code.split(['.', '-', ' ', '/'])
        .map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            (digits.parse().unwrap_or(u64::MAX), sort_key(part))
        })
        .collect()
}

async fn attach(mut on: On<'_>, mut measures: Vec<Measure>) -> Result<Vec<Measure>> {
    let partners: Vec<(String, String, String)> = on!(on.reborrow(), |c| {
        sqlx::query_as(
            "SELECT p.measure_id, o.id, o.name FROM measure_partners p JOIN organisations o ON o.id = p.organisation_id",
        )
        .fetch_all(c)
        .await
    })?;
    let towns: Vec<(String, String, String)> = on!(on, |c| {
        sqlx::query_as("SELECT mt.measure_id, t.ags, t.name FROM measure_towns mt JOIN towns t ON t.ags = mt.town_ags")
            .fetch_all(c)
            .await
    })?;
    let mut by_id: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, m) in measures.iter().enumerate() {
        by_id.insert(m.id.as_str(), i);
    }
    let mut extra_partners: Vec<Vec<(String, String)>> = vec![Vec::new(); measures.len()];
    let mut extra_towns: Vec<Vec<(String, String)>> = vec![Vec::new(); measures.len()];
    for (measure_id, id, name) in partners {
        if let Some(&i) = by_id.get(measure_id.as_str()) {
            extra_partners[i].push((id, name));
        }
    }
    for (measure_id, ags, name) in towns {
        if let Some(&i) = by_id.get(measure_id.as_str()) {
            extra_towns[i].push((ags, name));
        }
    }
    for ((m, mut p), mut t) in measures.iter_mut().zip(extra_partners).zip(extra_towns) {
        p.sort_by_cached_key(|(_, name)| sort_key(name));
        t.sort_by_cached_key(|(_, name)| sort_key(name));
        m.partners = p;
        m.towns = t;
    }
    Ok(measures)
}

impl MeasureFilter {
    /// The filter as SQL conditions over `measures m` (the same rules as [`MeasureFilter::matches`]).
    fn conditions(&self, q: &mut Query) {
        let equal = |column: &str, value: &str, q: &mut Query| {
            let value = value.trim();
            if !value.is_empty() {
                let p = q.bind(Value::Text(value.to_owned()));
                q.and(format!("{column} = {p}"));
            }
        };
        equal("m.concept_id", &self.concept, q);
        equal("m.field_of_action_id", &self.field, q);
        equal("m.status", &self.status, q);
        equal("m.lead_organisation_id", &self.lead, q);
        equal("m.ki_involvement", &self.ki, q);
        let town = self.town.trim();
        if !town.is_empty() {
            // A measure for no particular town is for all of them.
            let p = q.bind(Value::Text(town.to_owned()));
            q.and(format!(
                "(NOT EXISTS (SELECT 1 FROM measure_towns t WHERE t.measure_id = m.id) \
                 OR EXISTS (SELECT 1 FROM measure_towns t WHERE t.measure_id = m.id AND t.town_ags = {p}))"
            ));
        }
        let tag = self.tag.trim().to_lowercase();
        if !tag.is_empty() {
            let p = q.bind(Value::Text(format!("%,{},%", like_escape(&tag))));
            q.and(format!("m.tags_key LIKE {p} ESCAPE '\\'"));
        }
        let adaptation = self.adaptation.trim();
        if !adaptation.is_empty() {
            // As last reported: the newest round with a submitted or accepted report on it.
            let p = q.bind(Value::Text(adaptation.to_owned()));
            q.and(format!(
                "(SELECT u.adaptation FROM review_updates u JOIN review_rounds r ON r.id = u.round_id \
                 WHERE u.measure_id = m.id AND u.state IN ('submitted', 'accepted') \
                 ORDER BY r.reference_date DESC, r.opened_at DESC LIMIT 1) = {p}"
            ));
        }
        for word in fold(&self.q).split_whitespace() {
            let p = q.bind(Value::Text(format!("%{}%", like_escape(word))));
            q.and(format!("m.search_text LIKE {p} ESCAPE '\\'"));
        }
    }
}

/// `text` for a LIKE pattern with `\` as escape: its own `%`, `_` and `\` match literally.
pub(crate) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One page of the measures matching the filter, by concept and code (keyset paging; filtering,
/// order and paging by the database).
pub async fn page(db: &Db, filter: &MeasureFilter, request: &PageRequest) -> Result<Page<Measure>> {
    page_in_order(db, filter, MeasureOrder::Number, request).await
}

/// The orders of the measure list (its sortable columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MeasureOrder {
    /// By concept and number, as the catalogue counts.
    #[default]
    Number,
    /// By the lead organisation (German collation), then number.
    Lead,
    /// By status, from planned to dropped, then number.
    Status,
}

impl MeasureOrder {
    pub const ALL: [MeasureOrder; 3] = [
        MeasureOrder::Number,
        MeasureOrder::Lead,
        MeasureOrder::Status,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MeasureOrder::Number => "number",
            MeasureOrder::Lead => "lead",
            MeasureOrder::Status => "status",
        }
    }

    pub fn parse(text: &str) -> Option<MeasureOrder> {
        MeasureOrder::ALL
            .into_iter()
            .find(|o| o.key() == text.trim())
    }

    /// The paging key as SQL, from the sort keys written with each row, so both backends agree.
    fn key_sql(self) -> &'static str {
        match self {
            MeasureOrder::Number => "m.list_key",
            MeasureOrder::Lead => "(COALESCE(o.list_key, '~') || m.list_key)",
            MeasureOrder::Status => {
                "(CASE m.status WHEN 'planned' THEN '1' WHEN 'in_progress' THEN '2' WHEN 'established' THEN '3' \
                 WHEN 'completed' THEN '4' WHEN 'on_hold' THEN '5' ELSE '6' END || m.list_key)"
            }
        }
    }
}

/// [`page`] in one of the list's orders.
pub async fn page_in_order(
    db: &Db,
    filter: &MeasureFilter,
    order: MeasureOrder,
    request: &PageRequest,
) -> Result<Page<Measure>> {
    let mut q = Query::default();
    filter.conditions(&mut q);
    let key = order.key_sql();
    let keyset = Keyset {
        key_column: key,
        id_column: "m.id",
    };
    let select = if order == MeasureOrder::Number {
        MEASURE_SELECT.to_owned()
    } else {
        MEASURE_SELECT.replacen("m.list_key FROM", &format!("{key} AS list_key FROM"), 1)
    };
    let page = crate::paging::read_page(db, &select, q, &keyset, request, |k: &KeyedMeasure| {
        Cursor {
            key: k.list_key.clone(),
            id: k.measure.id.clone(),
        }
    })
    .await?;
    let measures = attach_to(
        db.into(),
        page.items.into_iter().map(|k| k.measure).collect(),
    )
    .await?;
    Ok(Page {
        items: measures,
        next: page.next,
        first: page.first,
    })
}

#[derive(sqlx::FromRow)]
struct KeyedMeasure {
    #[sqlx(flatten)]
    measure: Measure,
    list_key: String,
}

/// How many measures match the filter (counted up to a bound, see [`Count`]).
pub async fn count(db: &Db, filter: &MeasureFilter) -> Result<Count> {
    let mut q = Query::default();
    filter.conditions(&mut q);
    crate::paging::count(db, "SELECT m.id FROM measures m", q).await
}

/// Partners and towns of these measures only (one query each, by their ids).
async fn attach_to(mut on: On<'_>, mut measures: Vec<Measure>) -> Result<Vec<Measure>> {
    if measures.is_empty() {
        return Ok(measures);
    }
    let ids: Vec<Value> = measures.iter().map(|m| Value::Text(m.id.clone())).collect();
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let marks = marks.join(", ");
    let partners_sql = sqlx::AssertSqlSafe(format!(
        "SELECT p.measure_id, o.id, o.name FROM measure_partners p JOIN organisations o ON o.id = p.organisation_id \
         WHERE p.measure_id IN ({marks})"
    ));
    let towns_sql = sqlx::AssertSqlSafe(format!(
        "SELECT mt.measure_id, t.ags, t.name FROM measure_towns mt JOIN towns t ON t.ags = mt.town_ags \
         WHERE mt.measure_id IN ({marks})"
    ));
    let partners: Vec<(String, String, String)> = on!(on.reborrow(), |c| {
        bind_values!(sqlx::query_as(partners_sql), &ids)
            .fetch_all(c)
            .await
    })?;
    let towns: Vec<(String, String, String)> = on!(on, |c| {
        bind_values!(sqlx::query_as(towns_sql), &ids)
            .fetch_all(c)
            .await
    })?;
    for m in &mut measures {
        m.partners = partners
            .iter()
            .filter(|(id, _, _)| *id == m.id)
            .map(|(_, id, name)| (id.clone(), name.clone()))
            .collect();
        m.partners.sort_by_cached_key(|(_, name)| sort_key(name));
        m.towns = towns
            .iter()
            .filter(|(id, _, _)| *id == m.id)
            .map(|(_, ags, name)| (ags.clone(), name.clone()))
            .collect();
        m.towns.sort_by_cached_key(|(_, name)| sort_key(name));
    }
    Ok(measures)
}

/// All measures matching the filter, by concept and code.
/// Every measure the filter finds, in list order: the spreadsheet download, whole by design.
/// Read page by page through [`page`], so the filter runs in the database.
pub async fn export(db: &Db, filter: &MeasureFilter) -> Result<Vec<Measure>> {
    let mut all = Vec::new();
    let mut request = PageRequest::first(crate::paging::MAX_PAGE);
    loop {
        let page = page(db, filter, &request).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => request.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// Every measure the filter finds, filtered in the program: the reference the SQL filter of
/// [`page`] is tested against, and a shortcut for tests. Pages and downloads use [`page`] and
/// [`export`].
pub async fn list(db: &Db, filter: &MeasureFilter) -> Result<Vec<Measure>> {
    let rows: Vec<Measure> = read!(db, |c| sqlx::query_as(MEASURE_SELECT).fetch_all(c).await)?;
    let mut measures: Vec<Measure> = attach(db.into(), rows)
        .await?
        .into_iter()
        .filter(|m| filter.matches(m))
        .collect();
    if !filter.adaptation.is_empty() {
        let latest = latest_adaptations(db).await?;
        measures
            .retain(|m| latest.get(&m.id).map(String::as_str) == Some(filter.adaptation.as_str()));
    }
    measures.sort_by_cached_key(|m| (sort_key(&m.concept), code_key(&m.code)));
    Ok(measures)
}

/// For each measure, the adaptation need of its report in the newest round where it was submitted.
async fn latest_adaptations(db: &Db) -> Result<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String, i64, String)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT u.measure_id, r.reference_date, r.opened_at, u.adaptation FROM review_updates u \
             JOIN review_rounds r ON r.id = u.round_id WHERE u.state IN ('submitted', 'accepted')",
        )
        .fetch_all(c)
        .await
    })?;
    // Newest by reference date; the opening time breaks ties between rounds of the same date.
    let mut newest: std::collections::HashMap<String, ((String, i64), String)> =
        std::collections::HashMap::new();
    for (measure, date, opened, adaptation) in rows {
        let when = (date, opened);
        match newest.get(&measure) {
            Some((w, _)) if *w >= when => {}
            _ => {
                newest.insert(measure, (when, adaptation));
            }
        }
    }
    Ok(newest.into_iter().map(|(m, (_, a))| (m, a)).collect())
}

pub async fn get<'a>(on: impl Into<On<'a>>, id: &str) -> Result<Measure> {
    let mut on = on.into();
    let sql = sqlx::AssertSqlSafe(format!("{MEASURE_SELECT} WHERE m.id = $1"));
    let row: Option<Measure> = on!(on.reborrow(), |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let row = row.ok_or(StoreError::NotFound)?;
    attach_to(on, vec![row])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Validates the input and every reference in it against what is stored.
pub async fn validate(db: &Db, input: &MeasureInput) -> Result<MeasureDraft> {
    let mut errors = match input.validate() {
        Ok(_) => FieldErrors::new(),
        Err(e) => e,
    };
    let towns = crate::reference::towns(db).await?;
    let concept = input.concept_id.trim();
    if !concept.is_empty() {
        // One row, not the concept list.
        let found: Option<i32> = read!(db, |c| {
            sqlx::query_scalar("SELECT 1 FROM concepts WHERE id = $1")
                .bind(concept)
                .fetch_optional(c)
                .await
        })?;
        if found.is_none() {
            errors.add("concept_id", "Dieses Konzept gibt es nicht.");
        }
    }
    let field = input.field_of_action_id.trim();
    if !field.is_empty() {
        let found: Option<i32> = read!(db, |c| {
            sqlx::query_scalar("SELECT 1 FROM fields_of_action WHERE id = $1 AND concept_id = $2")
                .bind(field)
                .bind(concept)
                .fetch_optional(c)
                .await
        })?;
        if found.is_none() {
            errors.add(
                "field_of_action_id",
                "Dieses Handlungsfeld gehört nicht zum gewählten Konzept.",
            );
        }
    }
    // Only the organisations named in the form are looked up. Deactivated ones stay valid
    // references: a measure they led keeps its history.
    let lead = input.lead_organisation_id.trim();
    let named: Vec<&str> = std::iter::once(lead)
        .chain(input.partner_ids.iter().map(|p| p.trim()))
        .collect();
    let organisations = crate::organisations::existing(db, &named).await?;
    if !lead.is_empty() && !organisations.iter().any(|o| o == lead) {
        errors.add(
            "lead_organisation_id",
            "Diese Organisation gibt es nicht (mehr).",
        );
    }
    if input
        .partner_ids
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .any(|p| !organisations.iter().any(|o| o == p))
    {
        errors.add(
            "partner_ids",
            "Eine der Partnerorganisationen gibt es nicht (mehr).",
        );
    }
    if input
        .towns
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .any(|t| !towns.iter().any(|x| x.ags == t))
    {
        errors.add("towns", "Eine der Städte/Gemeinden gehört nicht zum Kreis.");
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    input.validate().map_err(StoreError::Invalid)
}

async fn write_links(tx: &mut Tx, id: &str, draft: &MeasureDraft) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query("DELETE FROM measure_partners WHERE measure_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM measure_towns WHERE measure_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for p in &draft.partner_ids {
            sqlx::query(
                "INSERT INTO measure_partners (measure_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(p)
            .execute(&mut *c)
            .await?;
        }
        for t in &draft.towns {
            sqlx::query("INSERT INTO measure_towns (measure_id, town_ags) VALUES ($1, $2)")
                .bind(id)
                .bind(t)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

fn duplicate_code(code: &str) -> StoreError {
    StoreError::field(
        "code",
        format!("Die Nr. „{code}“ gibt es in diesem Konzept schon."),
    )
}

async fn record_status_change(
    tx: &mut Tx,
    actor: &Actor,
    measure_id: &str,
    from: Option<MeasureStatus>,
    to: MeasureStatus,
    reason: &str,
    now: i64,
) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO measure_status_changes (id, measure_id, at, actor_id, actor_name, from_status, to_status, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(measure_id)
        .bind(now)
        .bind(actor.user_id.as_deref())
        .bind(&actor.name)
        .bind(from.map(MeasureStatus::key))
        .bind(to.key())
        .bind(reason.trim())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

fn draft_json(d: &MeasureDraft) -> serde_json::Value {
    json!({
        "concept_id": d.concept_id, "code": d.code, "title": d.title, "description": d.description,
        "field_of_action_id": d.field_of_action_id, "lead_organisation_id": d.lead_organisation_id,
        "partner_ids": d.partner_ids.join(","), "ki_involvement": d.ki_involvement.key(),
        "target_group": d.target_group, "towns": d.towns.join(","), "planned_start": d.planned_start,
        "planned_end": d.planned_end, "status": d.status.key(), "tags": d.tags.join(", "),
    })
}

/// The list key and search text of a measure as `draft` would save it (its concept's name is read
/// in the transaction). An unknown concept is left to the foreign key to refuse.
async fn keys_of(tx: &mut Tx, draft: &MeasureDraft) -> Result<(String, String)> {
    let concept: Option<String> = tx!(&mut *tx, |c| sqlx::query_scalar(
        "SELECT short_name FROM concepts WHERE id = $1"
    )
    .bind(&draft.concept_id)
    .fetch_optional(c)
    .await)?;
    let tags = draft.tags.join(", ");
    Ok((
        measure_list_key(concept.as_deref().unwrap_or(""), &draft.code),
        measure_search_text(&draft.code, &draft.title, &draft.description, &tags),
    ))
}

pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    draft: &MeasureDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let mut ids = create_many(tx, actor, std::slice::from_ref(draft), fictitious, now).await?;
    Ok(ids.pop().unwrap_or_default())
}

/// The codes of a concept's measures, without reading the measures themselves.
pub(crate) async fn codes(db: &Db, concept_id: &str) -> Result<Vec<String>> {
    Ok(read!(db, |c| {
        sqlx::query_scalar("SELECT code FROM measures WHERE concept_id = $1")
            .bind(concept_id)
            .fetch_all(c)
            .await
    })?)
}

/// A measure as its row is written, field names = column names (see [`Tx::insert_json`]).
#[derive(Serialize)]
struct MeasureRow<'a> {
    id: String,
    concept_id: &'a str,
    field_of_action_id: Option<&'a str>,
    code: &'a str,
    title: &'a str,
    description: &'a str,
    lead_organisation_id: Option<&'a str>,
    ki_involvement: &'static str,
    target_group: &'a str,
    planned_start: Option<Date>,
    planned_end: Option<Date>,
    status: &'static str,
    tags: String,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
    list_key: String,
    search_text: String,
    tags_key: String,
}

const MEASURE_COLUMNS: [&str; 19] = [
    "id",
    "concept_id",
    "field_of_action_id",
    "code",
    "title",
    "description",
    "lead_organisation_id",
    "ki_involvement",
    "target_group",
    "planned_start",
    "planned_end",
    "status",
    "tags",
    "fictitious",
    "created_at",
    "updated_at",
    "list_key",
    "search_text",
    "tags_key",
];

#[derive(Serialize)]
struct StatusChangeRow<'a> {
    id: String,
    measure_id: &'a str,
    at: i64,
    actor_id: Option<&'a str>,
    actor_name: &'a str,
    from_status: Option<&'static str>,
    to_status: &'static str,
    reason: &'a str,
}

/// Creates measures in one go, each with its links, first history entry and audit event: the
/// form saves one, a catalogue import tens of thousands. The rows are written with a few bulk
/// statements, not several statements per measure (see [`Tx::insert_json`]), which is what makes an
/// import of 100,000 measures take seconds instead of minutes.
pub async fn create_many(
    tx: &mut Tx,
    actor: &Actor,
    drafts: &[MeasureDraft],
    fictitious: bool,
    now: i64,
) -> Result<Vec<String>> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let mut concept_names: std::collections::HashMap<&str, String> = Default::default();
    for draft in drafts {
        if !concept_names.contains_key(draft.concept_id.as_str()) {
            let name: Option<String> = tx!(&mut *tx, |c| sqlx::query_scalar(
                "SELECT short_name FROM concepts WHERE id = $1"
            )
            .bind(&draft.concept_id)
            .fetch_optional(c)
            .await)?;
            // An unknown concept is left to the foreign key to refuse.
            concept_names.insert(&draft.concept_id, name.unwrap_or_default());
        }
    }
    let rows: Vec<MeasureRow> = drafts
        .iter()
        .map(|d| {
            let tags = d.tags.join(", ");
            MeasureRow {
                id: new_id(),
                concept_id: &d.concept_id,
                field_of_action_id: d.field_of_action_id.as_deref(),
                code: &d.code,
                title: &d.title,
                description: &d.description,
                lead_organisation_id: d.lead_organisation_id.as_deref(),
                ki_involvement: d.ki_involvement.key(),
                target_group: &d.target_group,
                planned_start: d.planned_start,
                planned_end: d.planned_end,
                status: d.status.key(),
                list_key: measure_list_key(&concept_names[d.concept_id.as_str()], &d.code),
                search_text: measure_search_text(&d.code, &d.title, &d.description, &tags),
                tags_key: measure_tags_key(&d.tags.join(",")),
                tags,
                fictitious,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    let inserted = tx.insert_json("measures", &MEASURE_COLUMNS, &rows).await;
    match inserted {
        Err(StoreError::Database(e)) if is_unique_violation(&e) => {
            return Err(match drafts {
                [one] => duplicate_code(&one.code),
                _ => StoreError::field("code", "Eine der Nummern gibt es in diesem Konzept schon."),
            });
        }
        other => other?,
    };
    let partners: Vec<_> = rows
        .iter()
        .zip(drafts)
        .flat_map(|(r, d)| {
            d.partner_ids
                .iter()
                .map(|p| json!({ "measure_id": r.id, "organisation_id": p }))
        })
        .collect();
    tx.insert_json(
        "measure_partners",
        &["measure_id", "organisation_id"],
        &partners,
    )
    .await?;
    let towns: Vec<_> = rows
        .iter()
        .zip(drafts)
        .flat_map(|(r, d)| {
            d.towns
                .iter()
                .map(|t| json!({ "measure_id": r.id, "town_ags": t }))
        })
        .collect();
    tx.insert_json("measure_towns", &["measure_id", "town_ags"], &towns)
        .await?;
    let history: Vec<StatusChangeRow> = rows
        .iter()
        .map(|r| StatusChangeRow {
            id: new_id(),
            measure_id: &r.id,
            at: now,
            actor_id: actor.user_id.as_deref(),
            actor_name: &actor.name,
            from_status: None,
            to_status: r.status,
            reason: "angelegt",
        })
        .collect();
    tx.insert_json(
        "measure_status_changes",
        &[
            "id",
            "measure_id",
            "at",
            "actor_id",
            "actor_name",
            "from_status",
            "to_status",
            "reason",
        ],
        &history,
    )
    .await?;
    for (row, draft) in rows.iter().zip(drafts) {
        tx.record(
            Event::new(actor, now, Entity::Measure, Action::Create, &row.id)
                .with(draft_json(draft)),
        );
    }
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Saves an edited measure. A changed status is recorded in the measure's history with `reason`.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    old: &Measure,
    draft: &MeasureDraft,
    reason: &str,
    now: i64,
) -> Result<()> {
    let old_status = old.status();
    if old_status != Some(draft.status) && reason.trim().is_empty() {
        return Err(StoreError::field(
            "reason",
            "Bitte begründen Sie die Änderung des Sachstands.",
        ));
    }
    let (list_key, search_text) = keys_of(tx, draft).await?;
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE measures SET concept_id = $2, field_of_action_id = $3, code = $4, title = $5, description = $6, \
             lead_organisation_id = $7, ki_involvement = $8, target_group = $9, planned_start = $10, planned_end = $11, \
             status = $12, tags = $13, updated_at = $14, list_key = $15, search_text = $16, tags_key = $17 WHERE id = $1",
        )
        .bind(&old.id)
        .bind(&draft.concept_id)
        .bind(draft.field_of_action_id.as_deref())
        .bind(&draft.code)
        .bind(&draft.title)
        .bind(&draft.description)
        .bind(draft.lead_organisation_id.as_deref())
        .bind(draft.ki_involvement.key())
        .bind(&draft.target_group)
        .bind(draft.planned_start)
        .bind(draft.planned_end)
        .bind(draft.status.key())
        .bind(draft.tags.join(", "))
        .bind(now)
        .bind(&list_key)
        .bind(&search_text)
        .bind(measure_tags_key(&draft.tags.join(",")))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_code(&draft.code)),
        other => other?,
    };
    write_links(tx, &old.id, draft).await?;
    if old_status != Some(draft.status) {
        record_status_change(tx, actor, &old.id, old_status, draft.status, reason, now).await?;
    }
    let after = get(&mut *tx, &old.id).await?;
    let mut event = Event::updated(actor, now, Entity::Measure, &old.id, old, &after);
    if old_status != Some(draft.status) {
        event = event.with(json!({ "reason": reason.trim() }));
    }
    tx.record(event);
    Ok(())
}

/// Sets a measure's status from elsewhere (an accepted review update), with its history entry.
pub async fn set_status(
    tx: &mut Tx,
    actor: &Actor,
    measure_id: &str,
    status: MeasureStatus,
    reason: &str,
    now: i64,
) -> Result<()> {
    let old: Option<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT status FROM measures WHERE id = $1")
            .bind(measure_id)
            .fetch_optional(c)
            .await
    })?;
    let old = old.ok_or(StoreError::NotFound)?;
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE measures SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(measure_id)
            .bind(status.key())
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    record_status_change(
        tx,
        actor,
        measure_id,
        MeasureStatus::parse(&old),
        status,
        reason,
        now,
    )
    .await?;
    tx.record(
        Event::new(actor, now, Entity::Measure, Action::Update, measure_id)
            .with(json!({ "status": { "from": old, "to": status.key() }, "reason": reason })),
    );
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct StatusChange {
    pub at: i64,
    pub actor_name: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
}

/// The measure's status history, newest first.
pub async fn status_history(db: &Db, measure_id: &str) -> Result<Vec<StatusChange>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT at, actor_name, from_status, to_status, reason FROM measure_status_changes \
             WHERE measure_id = $1 ORDER BY at DESC, id DESC",
        )
        .bind(measure_id)
        .fetch_all(c)
        .await
    })?)
}

// ---------------------------------------------------------------------------------------------
// Indicators

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub measure_id: String,
    pub name: String,
    pub unit: String,
    pub target: Option<f64>,
    /// (as of, value), oldest first.
    #[sqlx(skip)]
    pub values: Vec<(Date, f64)>,
}

/// Parses a number as Germans write it ("1.234,5") or as machines do ("1234.5").
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().replace(' ', "");
    if t.is_empty() {
        return None;
    }
    let normalised = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub async fn indicators(db: &Db, measure_id: &str) -> Result<Vec<Indicator>> {
    let mut list: Vec<Indicator> = read!(db, |c| {
        sqlx::query_as("SELECT id, measure_id, name, unit, target FROM measure_indicators WHERE measure_id = $1 ORDER BY created_at, id")
            .bind(measure_id)
            .fetch_all(c)
            .await
    })?;
    let values: Vec<(String, Date, f64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT v.indicator_id, v.as_of, v.value FROM indicator_values v JOIN measure_indicators i ON i.id = v.indicator_id \
             WHERE i.measure_id = $1 ORDER BY v.as_of",
        )
        .bind(measure_id)
        .fetch_all(c)
        .await
    })?;
    for ind in &mut list {
        ind.values = values
            .iter()
            .filter(|(id, _, _)| *id == ind.id)
            .map(|(_, d, v)| (*d, *v))
            .collect();
    }
    Ok(list)
}

pub async fn add_indicator(
    tx: &mut Tx,
    actor: &Actor,
    measure_id: &str,
    name: &str,
    unit: &str,
    target: &str,
    now: i64,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let name = required_text(&mut e, "indicator_name", name, 200);
    let unit = lotse_domain::validation::optional_text(&mut e, "indicator_unit", unit, 40);
    let target_value = match target.trim() {
        "" => None,
        t => {
            let v = parse_number(t);
            if v.is_none() {
                e.add("indicator_target", format!("„{t}“ ist keine Zahl."));
            }
            v
        }
    };
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    let id = new_id();
    tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO measure_indicators (id, measure_id, name, unit, target, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(measure_id)
            .bind(&name)
            .bind(&unit)
            .bind(target_value)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::Indicator, Action::Create, &id).with(
            json!({ "measure_id": measure_id, "name": name, "unit": unit, "target": target_value }),
        ),
    );
    Ok(id)
}

/// Records (or corrects) the value of an indicator on a date.
pub async fn record_value(
    tx: &mut Tx,
    actor: &Actor,
    measure_id: &MeasureId,
    indicator_id: &IndicatorId,
    as_of: &str,
    value: &str,
    now: i64,
) -> Result<()> {
    // The typed ids have done their work at the call site; the SQL binds text.
    let measure_id = measure_id.as_str();
    let indicator_id = indicator_id.as_str();
    let mut e = FieldErrors::new();
    let date = Date::parse(as_of);
    if date.is_none() {
        e.add(
            "value_as_of",
            format!("„{}“ ist kein Datum (TT.MM.JJJJ).", as_of.trim()),
        );
    }
    let number = parse_number(value);
    if number.is_none() {
        e.add("value", format!("„{}“ ist keine Zahl.", value.trim()));
    }
    let (Some(date), Some(number)) = (date, number) else {
        return Err(StoreError::Invalid(e));
    };
    let belongs: i64 = tx!(&mut *tx, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM measure_indicators WHERE id = $1 AND measure_id = $2",
        )
        .bind(indicator_id)
        .bind(measure_id)
        .fetch_one(c)
        .await
    })?;
    if belongs == 0 {
        return Err(StoreError::NotFound);
    }
    tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO indicator_values (id, indicator_id, as_of, value, recorded_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (indicator_id, as_of) DO UPDATE SET value = excluded.value, recorded_at = excluded.recorded_at",
        )
        .bind(new_id())
        .bind(indicator_id)
        .bind(date)
        .bind(number)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(
            actor,
            now,
            Entity::Indicator,
            Action::RecordValue,
            indicator_id,
        )
        .with(json!({ "as_of": date, "value": number })),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_german_and_machine_notation() {
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("1234.5"), Some(1234.5));
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("zwölf"), None);
        assert_eq!(parse_number("NaN"), None);
    }

    #[test]
    fn codes_sort_as_people_number_them() {
        let mut codes = vec!["1.10", "1.2", "2.1", "1.1", "A"];
        codes.sort_by_cached_key(|c| code_key(c));
        assert_eq!(codes, ["1.1", "1.2", "1.10", "2.1", "A"]);
    }

    #[test]
    fn search_ignores_case_and_umlauts() {
        assert!(fold("Förderung").contains(&fold("foerderung")));
        assert!(fold("Sprachförderung in Kitas").contains(&fold("FORDERUNG")));
    }
}
