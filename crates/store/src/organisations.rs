//! Organisations: providers, authorities, schools and the district's own offices.

use lotse_domain::Ags;
use lotse_domain::collation::{fold, sort_key};
use lotse_domain::organisation::{
    OrganisationDraft, OrganisationImportRow, OrganisationVocabulary, field_label,
};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, Value, bind_values, is_unique_violation, new_id, read, tx};
use crate::paging::{Count, Cursor, IN_LIST, Keyset, Page, PageRequest, Query};
use crate::{Result, StoreError, reference};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub town_ags: Option<String>,
    pub town_name: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub active: bool,
    /// Demo data: invented, and shown as such in the UI.
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Its offers are published without waiting for the coordination's approval.
    pub trusted_publisher: bool,
}

const SELECT: &str = "SELECT o.id, o.name, o.kind, k.label AS kind_label, o.town_ags, t.name AS town_name, \
    o.street, o.postcode, o.city, o.email, o.phone, o.website, o.active, o.fictitious, o.created_at, o.updated_at, o.trusted_publisher, o.list_key \
    FROM organisations o JOIN organisation_kinds k ON k.key = o.kind LEFT JOIN towns t ON t.ags = o.town_ags";

/// Names are unique regardless of case and surrounding space, on both backends alike.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Builds a statement from the fixed SELECT above; nothing user-supplied is ever interpolated.
fn select(tail: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("{SELECT} {tail}"))
}

/// What the directory can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Words in name or city (case and umlauts ignored).
    pub q: String,
    pub kind: String,
    /// AGS.
    pub town: String,
    pub include_inactive: bool,
}

impl OrganisationFilter {
    fn conditions(&self, q: &mut Query) {
        if !self.include_inactive {
            q.and("o.active = TRUE");
        }
        if !self.kind.trim().is_empty() {
            let p = q.bind(Value::Text(self.kind.trim().to_owned()));
            q.and(format!("o.kind = {p}"));
        }
        if !self.town.trim().is_empty() {
            let p = q.bind(Value::Text(self.town.trim().to_owned()));
            q.and(format!("o.town_ags = {p}"));
        }
        for word in fold(&self.q).split_whitespace() {
            let p = q.bind(Value::Text(format!(
                "%{}%",
                crate::measures::like_escape(word)
            )));
            q.and(format!("o.search_text LIKE {p} ESCAPE '\\'"));
        }
    }
}

/// One page of the directory, by name (keyset paging over the German sort key).
pub async fn page(
    db: &Db,
    filter: &OrganisationFilter,
    request: &PageRequest,
) -> Result<Page<Organisation>> {
    page_in_order(db, filter, OrganisationOrder::Name, request).await
}

/// The orders of the directory (its sortable columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrganisationOrder {
    #[default]
    Name,
    /// By kind (its German label), then name.
    Kind,
    /// By town, then name; those without a town last.
    Town,
}

impl OrganisationOrder {
    pub const ALL: [OrganisationOrder; 3] = [
        OrganisationOrder::Name,
        OrganisationOrder::Kind,
        OrganisationOrder::Town,
    ];

    pub fn key(self) -> &'static str {
        match self {
            OrganisationOrder::Name => "name",
            OrganisationOrder::Kind => "kind",
            OrganisationOrder::Town => "town",
        }
    }

    pub fn parse(text: &str) -> Option<OrganisationOrder> {
        OrganisationOrder::ALL
            .into_iter()
            .find(|o| o.key() == text.trim())
    }

    /// The paging key as SQL: the stored name key behind the kind's label or the town's name
    /// (the district's town names have no umlauts, so both backends order them alike).
    fn key_sql(self) -> &'static str {
        match self {
            OrganisationOrder::Name => "o.list_key",
            OrganisationOrder::Kind => "(k.label || o.list_key)",
            OrganisationOrder::Town => "(COALESCE(t.name, '~') || o.list_key)",
        }
    }
}

/// [`page`] in one of the directory's orders.
pub async fn page_in_order(
    db: &Db,
    filter: &OrganisationFilter,
    order: OrganisationOrder,
    request: &PageRequest,
) -> Result<Page<Organisation>> {
    let mut q = Query::default();
    filter.conditions(&mut q);
    let key = order.key_sql();
    let keyset = Keyset {
        key_column: key,
        id_column: "o.id",
    };
    let select = SELECT.replacen("o.list_key FROM", &format!("{key} AS list_key FROM"), 1);
    let page = crate::paging::read_page(db, &select, q, &keyset, request, |k: &Keyed| Cursor {
        key: k.list_key.clone(),
        id: k.organisation.id.clone(),
    })
    .await?;
    Ok(page.map(|k| k.organisation))
}

#[derive(sqlx::FromRow)]
struct Keyed {
    #[sqlx(flatten)]
    organisation: Organisation,
    list_key: String,
}

/// How many organisations the directory has under `filter` (counted up to a bound).
pub async fn count(db: &Db, filter: &OrganisationFilter) -> Result<Count> {
    let mut q = Query::default();
    filter.conditions(&mut q);
    crate::paging::count(db, "SELECT o.id FROM organisations o", q).await
}

/// The given ids once each, blank ones left out, in their first order.
fn distinct<'a>(ids: &[&'a str]) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty() && seen.insert(*id))
        .collect()
}

/// Runs `statement` (a `SELECT … WHERE {}` whose placeholder takes an `IN` list over `o.id`) for
/// the ids, at most [`IN_LIST`] per statement, so no statement falls back to reading every row.
async fn rows_by_id<T>(db: &Db, statement: &str, ids: &[&str]) -> Result<Vec<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let mut rows = Vec::new();
    for chunk in distinct(ids).chunks(IN_LIST) {
        let mut q = Query::default();
        let which = q.any_of("o.id", chunk);
        let sql = sqlx::AssertSqlSafe(statement.replace("{}", &which));
        let found: Vec<T> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await)?;
        rows.extend(found);
    }
    Ok(rows)
}

/// How forms name an organisation in their pick lists: its name, marked when deactivated.
pub fn label(name: &str, active: bool) -> String {
    if active {
        name.to_owned()
    } else {
        format!("{name} (deaktiviert)")
    }
}

/// (id, label) of the given organisations that exist, deactivated ones included (see [`label`]),
/// in list order: what a form shows of the organisations already chosen in it. One statement per
/// [`IN_LIST`] ids, never the whole directory.
pub async fn labels(db: &Db, ids: &[&str]) -> Result<Vec<(String, String)>> {
    let mut rows: Vec<(String, String, bool, String)> = rows_by_id(
        db,
        "SELECT o.id, o.name, o.active, o.list_key FROM organisations o WHERE {}",
        ids,
    )
    .await?;
    rows.sort_by(|a, b| (&a.3, &a.0).cmp(&(&b.3, &b.0)));
    Ok(rows
        .into_iter()
        .map(|(id, name, active, _)| (id, label(&name, active)))
        .collect())
}

/// Which of the given ids name a stored organisation (deactivated ones too), in the order given:
/// what a validator needs to check a form's references without reading the directory.
pub async fn existing(db: &Db, ids: &[&str]) -> Result<Vec<String>> {
    let found: Vec<(String,)> =
        rows_by_id(db, "SELECT o.id FROM organisations o WHERE {}", ids).await?;
    let found: std::collections::HashSet<String> = found.into_iter().map(|(id,)| id).collect();
    Ok(distinct(ids)
        .into_iter()
        .filter(|id| found.contains(*id))
        .map(str::to_owned)
        .collect())
}

/// The given organisations that exist (deactivated ones too), in the order of `ids`.
pub async fn by_ids(db: &Db, ids: &[&str]) -> Result<Vec<Organisation>> {
    let statement = format!("{SELECT} WHERE {{}}");
    let found: Vec<Organisation> = rows_by_id(db, &statement, ids).await?;
    let mut by_id: std::collections::HashMap<String, Organisation> =
        found.into_iter().map(|o| (o.id.clone(), o)).collect();
    Ok(distinct(ids)
        .into_iter()
        .filter_map(|id| by_id.remove(id))
        .collect())
}

/// Every organisation, sorted by name: only for exports and bulk work that need the whole
/// directory (offer exchange, measure import, demo data, the command line's account creation).
/// No request reads it: pages and forms read bounded slices, [`page`] for the directory and the
/// pick lists, [`labels`], [`existing`] and [`by_ids`] for given ids.
pub async fn list(db: &Db, include_inactive: bool) -> Result<Vec<Organisation>> {
    let sql = if include_inactive {
        select("")
    } else {
        select("WHERE o.active = TRUE")
    };
    let mut rows: Vec<Organisation> = read!(db, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    rows.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(rows)
}

pub async fn get(db: &Db, id: &str) -> Result<Organisation> {
    read!(db, |c| sqlx::query_as(select("WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

async fn get_in(tx: &mut Tx, id: &str) -> Result<Organisation> {
    tx!(tx, |c| sqlx::query_as(select("WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

/// The kinds and towns an organisation may refer to, as the validator needs them.
pub async fn vocabulary(db: &Db) -> Result<OrganisationVocabulary> {
    let kinds = reference::organisation_kinds(db).await?;
    let towns = reference::towns(db)
        .await?
        .into_iter()
        .filter_map(|t| t.ags.parse::<Ags>().ok().map(|a| (a, t.name)))
        .collect();
    Ok(OrganisationVocabulary { kinds, towns })
}

fn duplicate_name(name: &str) -> StoreError {
    StoreError::field(
        "name",
        format!("Eine Organisation mit dem Namen „{name}“ gibt es schon."),
    )
}

pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    draft: &OrganisationDraft,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let town = draft.town_ags.as_ref().map(Ags::as_str);
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO organisations (id, name, name_key, kind, town_ags, street, postcode, city, email, phone, website, active, fictitious, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, TRUE, $12, $13, $13)",
        )
        .bind(&id)
        .bind(&draft.name)
        .bind(name_key(&draft.name))
        .bind(&draft.kind)
        .bind(town)
        .bind(&draft.street)
        .bind(&draft.postcode)
        .bind(&draft.city)
        .bind(&draft.email)
        .bind(&draft.phone)
        .bind(&draft.website)
        .bind(fictitious)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&draft.name)),
        other => other?,
    };
    crate::sort_keys::set_organisation_keys(tx, &id, &draft.name, &draft.city).await?;
    tx.record(
        Event::new(actor, now, Entity::Organisation, Action::Create, &id).with(json!({
            "name": draft.name, "kind": draft.kind, "town_ags": town, "street": draft.street,
            "postcode": draft.postcode, "city": draft.city, "email": draft.email,
            "phone": draft.phone, "website": draft.website, "fictitious": fictitious,
        })),
    );
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    draft: &OrganisationDraft,
    now: i64,
) -> Result<()> {
    let old = get_in(tx, id).await?;
    let town = draft.town_ags.as_ref().map(Ags::as_str);
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE organisations SET name = $2, name_key = $3, kind = $4, town_ags = $5, street = $6, postcode = $7, \
             city = $8, email = $9, phone = $10, website = $11, updated_at = $12 WHERE id = $1",
        )
        .bind(id)
        .bind(&draft.name)
        .bind(name_key(&draft.name))
        .bind(&draft.kind)
        .bind(town)
        .bind(&draft.street)
        .bind(&draft.postcode)
        .bind(&draft.city)
        .bind(&draft.email)
        .bind(&draft.phone)
        .bind(&draft.website)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => return Err(duplicate_name(&draft.name)),
        other => other?,
    };
    crate::sort_keys::set_organisation_keys(tx, id, &draft.name, &draft.city).await?;
    let after = get_in(tx, id).await?;
    tx.record(Event::updated(
        actor,
        now,
        Entity::Organisation,
        id,
        &old,
        &after,
    ));
    Ok(())
}

/// Deactivated organisations disappear from pick lists but keep their history and references.
pub async fn set_active(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    active: bool,
    now: i64,
) -> Result<()> {
    let old = get_in(tx, id).await?;
    if old.active == active {
        // Already so: nothing to record.
        tx.nothing_changed();
        return Ok(());
    }
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE organisations SET active = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(active)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let action = if active {
        Action::Activate
    } else {
        Action::Deactivate
    };
    tx.record(
        Event::new(actor, now, Entity::Organisation, action, id)
            .with(json!({ "active": { "from": old.active, "to": active } })),
    );
    Ok(())
}

/// Marks an organisation whose offers go live without the coordination's approval (or takes the
/// mark away again).
pub async fn set_trusted_publisher(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    trusted: bool,
    now: i64,
) -> Result<()> {
    let old = get_in(tx, id).await?;
    if old.trusted_publisher == trusted {
        // Already so: nothing to record.
        tx.nothing_changed();
        return Ok(());
    }
    tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE organisations SET trusted_publisher = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(trusted)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::Organisation, Action::Update, id)
            .with(json!({ "trusted_publisher": { "from": old.trusted_publisher, "to": trusted } })),
    );
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Write nothing if any row is invalid.
    AllOrNothing,
    /// Write the valid rows and report the others.
    ValidRowsOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Zeile {}, {}: {}",
            self.line,
            field_label(&self.field),
            self.message
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub errors: Vec<RowError>,
}

/// Imports organisations in one transaction. Every row is validated first (fields, duplicates in the
/// file, names already stored); what is written then depends on `mode`.
pub async fn import(
    db: &Db,
    actor: &Actor,
    rows: &[OrganisationImportRow],
    mode: ImportMode,
    now: i64,
) -> Result<ImportReport> {
    let vocab = vocabulary(db).await?;
    let mut tx = db.begin().await?;
    let existing: Vec<String> = tx!(&mut tx, |c| {
        sqlx::query_scalar("SELECT name_key FROM organisations")
            .fetch_all(c)
            .await
    })?;
    let mut seen: std::collections::HashMap<String, u64> =
        existing.into_iter().map(|k| (k, 0)).collect();
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut valid = Vec::new();
    for row in rows {
        match row.input.validate(&vocab) {
            Ok(draft) => {
                let key = name_key(&draft.name);
                match seen.get(&key) {
                    Some(0) => report.errors.push(RowError {
                        line: row.line,
                        field: "name".into(),
                        message: format!(
                            "Eine Organisation mit dem Namen „{}“ gibt es schon.",
                            draft.name
                        ),
                    }),
                    Some(first) => report.errors.push(RowError {
                        line: row.line,
                        field: "name".into(),
                        message: format!("Derselbe Name steht schon in Zeile {first}."),
                    }),
                    None => {
                        seen.insert(key, row.line);
                        valid.push(draft);
                    }
                }
            }
            Err(errors) => report
                .errors
                .extend(errors.iter().map(|(field, message)| RowError {
                    line: row.line,
                    field: field.to_owned(),
                    message: message.to_owned(),
                })),
        }
    }
    if !report.errors.is_empty() && mode == ImportMode::AllOrNothing {
        return Ok(report);
    }
    for draft in &valid {
        create(&mut tx, actor, draft, false, now).await?;
    }
    tx.record(Event::new(actor, now, Entity::Organisation, Action::Import, "csv").with(json!({ "rows": report.rows, "created": valid.len(), "rejected_rows": report.errors.iter().map(|e| e.line).collect::<std::collections::BTreeSet<_>>().len() })));
    tx.commit().await?;
    report.created = valid.len();
    Ok(report)
}
