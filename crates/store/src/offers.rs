//! Offers and their editorial workflow.
//!
//! Each offer has at most one *published* revision (what the public finder shows) and at most one
//! *open* revision: a change in progress, as a draft, submitted for approval, or returned with a
//! note. Approving the open revision publishes it and retires the old one ("superseded"), so the
//! public never sees a half-approved change and the history of every published text is kept.
//! Two partial unique indexes hold that invariant in the database itself.

use std::collections::HashMap;

use lotse_domain::Date;
use lotse_domain::collation::column_key;
use lotse_domain::offer::{
    Locale, OfferContent, TranslationState, publishes_directly, verification_overdue,
    verification_overdue_before,
};
use serde::Serialize;
use serde_json::json;

use lotse_domain::access::{Action as Act, Decision, Fields, Record};

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{
    Db, Tx, Value, bind_values, ids_in, is_unique_violation, new_id, on_missing_reference, read, tx,
};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::scoped::{Access, Scoped, Viewer, require};
use crate::{Result, StoreError};

/// Where a revision stands in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionState {
    Draft,
    Submitted,
    Returned,
    Published,
    Superseded,
}

impl RevisionState {
    pub fn key(self) -> &'static str {
        match self {
            RevisionState::Draft => "draft",
            RevisionState::Submitted => "submitted",
            RevisionState::Returned => "returned",
            RevisionState::Published => "published",
            RevisionState::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RevisionState::Draft => "Entwurf",
            RevisionState::Submitted => "wartet auf Freigabe",
            RevisionState::Returned => "zurückgegeben",
            RevisionState::Published => "veröffentlicht",
            RevisionState::Superseded => "ersetzt",
        }
    }

    pub fn parse(key: &str) -> Option<RevisionState> {
        [
            RevisionState::Draft,
            RevisionState::Submitted,
            RevisionState::Returned,
            RevisionState::Published,
            RevisionState::Superseded,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// How a save is meant: kept as a draft, handed in for approval, or published at once (by the
/// coordination, a trusted organisation, or an import).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAs {
    Draft,
    Submitted,
    Published,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub id: String,
    pub state: RevisionState,
    pub content: OfferContent,
    pub saved_by: Option<String>,
    pub saved_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub organisation_trusted: bool,
    pub title: String,
    pub verified_on: Option<Date>,
    pub reminded_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub published: Option<Revision>,
    pub open: Option<Revision>,
}

impl Offer {
    /// The content an editor starts from: the change in progress, else what is published.
    pub fn working_content(&self) -> Option<&OfferContent> {
        self.open
            .as_ref()
            .or(self.published.as_ref())
            .map(|r| &r.content)
    }

    /// The revision an editor starts from (see [`save`]'s `base`).
    pub fn working_revision_id(&self) -> Option<&str> {
        self.open
            .as_ref()
            .or(self.published.as_ref())
            .map(|r| r.id.as_str())
    }

    /// Whether the public finder shows it on `today`.
    pub fn is_public(&self, today: Date) -> bool {
        self.withdrawn_at.is_none()
            && self
                .published
                .as_ref()
                .is_some_and(|p| p.content.is_current(today))
    }

    pub fn verification_overdue(&self, today: Date) -> bool {
        self.published.is_some()
            && self.withdrawn_at.is_none()
            && self
                .verified_on
                .is_none_or(|v| verification_overdue(v, today))
    }
}

/// One row of the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OfferSummary {
    pub id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub title: String,
    /// The sort key of `title` (the list's order and paging key).
    #[serde(skip)]
    pub title_key: String,
    pub verified_on: Option<Date>,
    pub withdrawn_at: Option<i64>,
    pub fictitious: bool,
    pub published_revision: Option<String>,
    /// The title as published; `title` is the newest, possibly unpublished one.
    pub published_title: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub open_state: Option<String>,
    pub open_note: Option<String>,
}

impl OfferSummary {
    /// What someone who may not edit the offer sees of it: only the published version, nothing
    /// of a change in progress; `None` if nothing is published.
    pub fn as_published(mut self) -> Option<OfferSummary> {
        self.title = self.published_title.clone()?;
        self.title_key = column_key(&self.title);
        self.open_state = None;
        self.open_note = None;
        Some(self)
    }

    pub fn open_state_label(&self) -> Option<&'static str> {
        self.open_state
            .as_deref()
            .and_then(RevisionState::parse)
            .map(RevisionState::label)
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.valid_to.is_some_and(|to| to < today)
    }

    pub fn verification_overdue(&self, today: Date) -> bool {
        self.published_revision.is_some()
            && self.withdrawn_at.is_none()
            && self
                .verified_on
                .is_none_or(|v| verification_overdue(v, today))
    }
}

/// What the staff list can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListState {
    /// A change waits for the coordination's approval.
    Submitted,
    Draft,
    Returned,
    /// Published and shown publicly today.
    Public,
    /// Published, but not verified for twelve months.
    Overdue,
    /// Published, but past its end date.
    Expired,
    /// Never published.
    Unpublished,
    Withdrawn,
}

impl ListState {
    pub const ALL: [ListState; 8] = [
        ListState::Submitted,
        ListState::Draft,
        ListState::Returned,
        ListState::Public,
        ListState::Overdue,
        ListState::Expired,
        ListState::Unpublished,
        ListState::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ListState::Submitted => "submitted",
            ListState::Draft => "draft",
            ListState::Returned => "returned",
            ListState::Public => "public",
            ListState::Overdue => "overdue",
            ListState::Expired => "expired",
            ListState::Unpublished => "unpublished",
            ListState::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListState::Submitted => "wartet auf Freigabe",
            ListState::Draft => "Entwurf",
            ListState::Returned => "zurückgegeben",
            ListState::Public => "öffentlich sichtbar",
            ListState::Overdue => "seit 12 Monaten nicht geprüft",
            ListState::Expired => "abgelaufen",
            ListState::Unpublished => "noch nie veröffentlicht",
            ListState::Withdrawn => "zurückgezogen",
        }
    }

    pub fn parse(key: &str) -> Option<ListState> {
        ListState::ALL.into_iter().find(|s| s.key() == key)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub organisation_id: Option<String>,
    pub state: Option<ListState>,
    /// Words in the title (case and umlauts ignored).
    pub q: String,
}

/// The orders of the staff offer list (its sortable columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OfferOrder {
    #[default]
    Title,
    /// By organisation (German collation), then title.
    Organisation,
}

impl OfferOrder {
    pub const ALL: [OfferOrder; 2] = [OfferOrder::Title, OfferOrder::Organisation];

    pub fn key(self) -> &'static str {
        match self {
            OfferOrder::Title => "title",
            OfferOrder::Organisation => "organisation",
        }
    }

    pub fn parse(text: &str) -> Option<OfferOrder> {
        OfferOrder::ALL.into_iter().find(|o| o.key() == text.trim())
    }

    /// The paging key as SQL, over the sort keys stored with the rows.
    fn key_sql(self) -> &'static str {
        match self {
            OfferOrder::Title => "o.title_key",
            OfferOrder::Organisation => "(org.list_key || o.title_key)",
        }
    }
}

const SUMMARY: &str = "SELECT o.id, o.organisation_id, org.name AS organisation, o.title, o.title_key, o.verified_on, \
    o.withdrawn_at, o.fictitious, p.id AS published_revision, p.title AS published_title, p.valid_from, p.valid_to, \
    r.state AS open_state, r.note AS open_note \
    FROM offers o JOIN organisations org ON org.id = o.organisation_id \
    LEFT JOIN offer_revisions p ON p.offer_id = o.id AND p.state = 'published' \
    LEFT JOIN offer_revisions r ON r.offer_id = o.id AND r.state IN ('draft', 'submitted', 'returned')";

/// The offers as one viewer may see and change them: the only way to the staff directory.
///
/// The viewer's scope is part of every query ([`lotse_domain::access::RULES`]): a provider sees
/// their own organisation's offers whole and everyone else's as published; an offer outside the
/// scope is not found.
pub struct Offers<'a> {
    db: &'a Db,
    viewer: &'a Viewer,
}

pub fn for_viewer<'a>(db: &'a Db, viewer: &'a Viewer) -> Offers<'a> {
    Offers { db, viewer }
}

pub use crate::paging::Count;

impl Offers<'_> {
    /// The conditions of the viewer's scope: which rows they see at all, and of which they see
    /// everything (drafts, pending changes) rather than only the published version.
    fn scope(&self, q: &mut Query) -> (String, String) {
        let (own, other) = self.viewer.decisions(Record::Offer, Act::View);
        let is_own = format!(
            "o.organisation_id = {}",
            q.bind(Value::Text(self.viewer.organisation_id.clone()))
        );
        let visible = |d: Decision| match d {
            Decision::Allow => "TRUE",
            Decision::Only(Fields::Published) => "p.id IS NOT NULL",
            // Not a restriction offers know: nothing.
            Decision::Only(Fields::Pseudonymous | Fields::Released | Fields::Assignment)
            | Decision::Deny => "FALSE",
        };
        let whole = |d: Decision| {
            if d == Decision::Allow {
                "TRUE"
            } else {
                "FALSE"
            }
        };
        (
            format!(
                "(({is_own} AND {}) OR (NOT {is_own} AND {}))",
                visible(own),
                visible(other)
            ),
            format!(
                "(({is_own} AND {}) OR (NOT {is_own} AND {}))",
                whole(own),
                whole(other)
            ),
        )
    }

    fn conditions(&self, filter: &OfferFilter, today: Date) -> Query {
        let mut q = Query::default();
        let (visible, whole) = self.scope(&mut q);
        q.and(visible);
        if let Some(org) = &filter.organisation_id {
            let org = q.bind(Value::Text(org.clone()));
            q.and(format!("o.organisation_id = {org}"));
        }
        // Pending changes are only looked for where the viewer may see them.
        match filter.state {
            None => {}
            Some(ListState::Submitted) => q.and(format!("r.state = 'submitted' AND {whole}")),
            Some(ListState::Draft) => q.and(format!("r.state = 'draft' AND {whole}")),
            Some(ListState::Returned) => q.and(format!("r.state = 'returned' AND {whole}")),
            Some(ListState::Unpublished) => q.and("p.id IS NULL AND o.withdrawn_at IS NULL"),
            Some(ListState::Withdrawn) => q.and("o.withdrawn_at IS NOT NULL"),
            Some(ListState::Public) => {
                let t = q.bind(Value::Text(today.to_string()));
                q.and(format!(
                    "p.id IS NOT NULL AND o.withdrawn_at IS NULL AND (p.valid_from IS NULL OR p.valid_from <= {t}) \
                     AND (p.valid_to IS NULL OR p.valid_to >= {t})"
                ));
            }
            Some(ListState::Expired) => {
                let t = q.bind(Value::Text(today.to_string()));
                q.and(format!(
                    "p.id IS NOT NULL AND o.withdrawn_at IS NULL AND p.valid_to < {t}"
                ));
            }
            Some(ListState::Overdue) => {
                let cutoff = q.bind(Value::Text(verification_overdue_before(today).to_string()));
                q.and(format!(
                    "p.id IS NOT NULL AND o.withdrawn_at IS NULL AND (o.verified_on IS NULL OR o.verified_on <= {cutoff})"
                ));
            }
        }
        // The title searched is the one the viewer sees: the newest, or the published one.
        let needle = column_key(&filter.q);
        let needle = needle.split('\u{1}').next().unwrap_or("");
        if !needle.is_empty() {
            let pattern = q.bind(Value::Text(format!(
                "%{}%",
                crate::measures::like_escape(needle)
            )));
            q.and(format!(
                "(CASE WHEN {whole} THEN o.title_key ELSE p.title_key END) LIKE {pattern} ESCAPE '\\'"
            ));
        }
        q
    }

    /// One page of the staff list, by title; each offer as the viewer may see it.
    pub async fn list(
        &self,
        filter: &OfferFilter,
        today: Date,
        page: &PageRequest,
    ) -> Result<Page<Scoped<OfferSummary>>> {
        self.list_in_order(filter, OfferOrder::Title, today, page)
            .await
    }

    /// [`Offers::list`] in one of the list's orders.
    pub async fn list_in_order(
        &self,
        filter: &OfferFilter,
        order: OfferOrder,
        today: Date,
        page: &PageRequest,
    ) -> Result<Page<Scoped<OfferSummary>>> {
        let q = self.conditions(filter, today);
        let key = order.key_sql();
        let keyset = Keyset {
            key_column: key,
            id_column: "o.id",
        };
        let select = SUMMARY.replacen("o.title_key,", &format!("{key} AS title_key,"), 1);
        let page =
            crate::paging::read_page(self.db, &select, q, &keyset, page, |o: &OfferSummary| {
                Cursor {
                    key: o.title_key.clone(),
                    id: o.id.clone(),
                }
            })
            .await?;
        Ok(page.map(|o| {
            let access = Access::of(self.viewer, Record::Offer, Some(&o.organisation_id));
            let record = if access.sees_all() {
                o
            } else {
                // Visible at all only with a published version, so this always has one.
                o.clone().as_published().unwrap_or(o)
            };
            Scoped { record, access }
        }))
    }

    /// The state of each offer's translations (decision 0015), for a page of [`Offers::list`]:
    /// of the version the viewer works on (the change in progress, else the published one),
    /// or of the published one for those who see only that. Offers without either are left out.
    pub async fn translation_states(
        &self,
        offers: &[Scoped<OfferSummary>],
    ) -> Result<HashMap<String, Vec<(Locale, TranslationState)>>> {
        let mut rows: Vec<(String, String, String, String)> = Vec::new();
        for chunk in offers.chunks(IDS_PER_QUERY) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT id, offer_id, state, content FROM offer_revisions \
                 WHERE state IN ('draft', 'submitted', 'returned', 'published') AND offer_id IN ({})",
                marks.join(", ")
            ));
            let found: Vec<(String, String, String, String)> = read!(self.db, |c| {
                let mut query = sqlx::query_as(sql);
                for o in chunk {
                    query = query.bind(&o.id);
                }
                query.fetch_all(c).await
            })?;
            rows.extend(found);
        }
        let mut states = HashMap::new();
        for o in offers {
            let whole = o.access.sees_all();
            let pick = |open: bool| {
                rows.iter()
                    .find(|(_, offer, state, _)| offer == &o.id && (state == "published") != open)
            };
            let row = if whole {
                pick(true).or_else(|| pick(false))
            } else {
                pick(false)
            };
            if let Some((revision, _, _, json)) = row {
                let content = parse_content(revision, json)?;
                states.insert(o.id.clone(), content.translation_states());
            }
        }
        Ok(states)
    }

    /// How many offers the list has (see [`Count`]).
    pub async fn count(&self, filter: &OfferFilter, today: Date) -> Result<Count> {
        crate::paging::count(
            self.db,
            "SELECT o.id FROM offers o \
             LEFT JOIN offer_revisions p ON p.offer_id = o.id AND p.state = 'published' \
             LEFT JOIN offer_revisions r ON r.offer_id = o.id AND r.state IN ('draft', 'submitted', 'returned')",
            self.conditions(filter, today),
        )
        .await
    }

    /// One offer as the viewer may see it: whole, or only as published. Not found if they may not
    /// see it at all (or it has nothing published and they may only see that).
    pub async fn get(&self, id: &str) -> Result<Scoped<Offer>> {
        let offer = get(self.db, id).await?;
        let access = Access::of(self.viewer, Record::Offer, Some(&offer.organisation_id));
        let record = match access.view {
            Decision::Allow => offer,
            Decision::Only(Fields::Published) if offer.published.is_some() => Offer {
                open: None,
                title: offer
                    .published
                    .as_ref()
                    .map(|p| p.content.title().to_owned())
                    .unwrap_or_default(),
                ..offer
            },
            _ => return Err(StoreError::NotFound),
        };
        Ok(Scoped { record, access })
    }

    /// One offer the viewer means to do `action` with: not found unless they may.
    pub async fn get_to(&self, id: &str, action: Act) -> Result<Scoped<Offer>> {
        let offer = self.get(id).await?;
        let allowed = match action {
            Act::View => true,
            Act::Change => offer.access.change,
            Act::Decide => offer.access.decide,
        };
        if allowed {
            Ok(offer)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The newest [`HISTORY_SHOWN`] revisions of an offer, newest first, and how many there are
    /// in all, for those who see it whole; not found otherwise. Every save, return and approval
    /// adds a revision, so an offer kept up for years has many.
    pub async fn history(&self, id: &str) -> Result<(Vec<Revision>, i64)> {
        if !self.get(id).await?.access.sees_all() {
            return Err(StoreError::NotFound);
        }
        let total: i64 = read!(self.db, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM offer_revisions WHERE offer_id = $1")
                .bind(id)
                .fetch_one(c)
                .await
        })?;
        Ok((history(self.db, id).await?, total))
    }

    /// How many changes wait for the coordination's approval, for those who decide on them.
    pub async fn waiting(&self) -> Result<i64> {
        if !self.viewer.decisions(Record::Offer, Act::Decide).1.allows() {
            return Ok(0);
        }
        Ok(read!(self.db, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM offer_revisions WHERE state = 'submitted'")
                .fetch_one(c)
                .await
        })?)
    }
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    id: String,
    organisation_id: String,
    organisation: String,
    organisation_trusted: bool,
    title: String,
    verified_on: Option<Date>,
    reminded_at: Option<i64>,
    withdrawn_at: Option<i64>,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: String,
    state: String,
    content: String,
    saved_by: Option<String>,
    saved_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    note: String,
}

impl RevisionRow {
    fn into_revision(self) -> Result<Revision> {
        let content = parse_content(&self.id, &self.content)?;
        Ok(Revision {
            state: RevisionState::parse(&self.state).unwrap_or(RevisionState::Superseded),
            id: self.id,
            content,
            saved_by: self.saved_by,
            saved_at: self.saved_at,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            note: self.note,
        })
    }
}

/// Stored content was written by this program; if it cannot be read the database was changed
/// behind its back, which is reported rather than papered over.
fn parse_content(revision_id: &str, json: &str) -> Result<OfferContent> {
    serde_json::from_str(json).map_err(|e| {
        StoreError::Database(sqlx::Error::Decode(
            format!("offer revision {revision_id}: unreadable content: {e}").into(),
        ))
    })
}

const OFFER: &str = "SELECT o.id, o.organisation_id, org.name AS organisation, org.trusted_publisher AS organisation_trusted, \
    o.title, o.verified_on, o.reminded_at, o.withdrawn_at, o.fictitious, o.created_at, o.updated_at \
    FROM offers o JOIN organisations org ON org.id = o.organisation_id WHERE o.id = $1";

const REVISIONS: &str = "SELECT r.id, r.state, r.content, su.display_name AS saved_by, r.saved_at, \
    du.display_name AS decided_by, r.decided_at, r.note FROM offer_revisions r \
    LEFT JOIN users su ON su.id = r.saved_by LEFT JOIN users du ON du.id = r.decided_by \
    WHERE r.offer_id = $1";

fn assemble(row: OfferRow, revisions: Vec<RevisionRow>) -> Result<Offer> {
    let mut published = None;
    let mut open = None;
    for r in revisions {
        match r.state.as_str() {
            "published" => published = Some(r.into_revision()?),
            "draft" | "submitted" | "returned" => open = Some(r.into_revision()?),
            _ => {}
        }
    }
    Ok(Offer {
        id: row.id,
        organisation_id: row.organisation_id,
        organisation: row.organisation,
        organisation_trusted: row.organisation_trusted,
        title: row.title,
        verified_on: row.verified_on,
        reminded_at: row.reminded_at,
        withdrawn_at: row.withdrawn_at,
        fictitious: row.fictitious,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published,
        open,
    })
}

const CURRENT: &str = " AND r.state IN ('draft', 'submitted', 'returned', 'published')";

pub(crate) async fn get(db: &Db, id: &str) -> Result<Offer> {
    let row: OfferRow = read!(db, |c| sqlx::query_as(OFFER)
        .bind(id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)?;
    let sql = sqlx::AssertSqlSafe(format!("{REVISIONS}{CURRENT}"));
    let revisions: Vec<RevisionRow> =
        read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    assemble(row, revisions)
}

/// Reads the offer inside a write transaction, after taking its row lock (see [`lock`]).
pub async fn get_in(tx: &mut Tx, id: &str) -> Result<Offer> {
    let row: OfferRow = tx!(&mut *tx, |c| sqlx::query_as(OFFER)
        .bind(id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)?;
    let sql = sqlx::AssertSqlSafe(format!("{REVISIONS}{CURRENT}"));
    let revisions: Vec<RevisionRow> = tx!(&mut *tx, |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(c)
        .await)?;
    assemble(row, revisions)
}

/// Every revision of an offer, newest first: the record of what was published when, by whom.
/// How many revisions an offer's history shows.
pub const HISTORY_SHOWN: i64 = 20;

async fn history(db: &Db, id: &str) -> Result<Vec<Revision>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{REVISIONS} ORDER BY r.saved_at DESC, r.id DESC LIMIT {HISTORY_SHOWN}"
    ));
    let rows: Vec<RevisionRow> = read!(db, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    rows.into_iter().map(RevisionRow::into_revision).collect()
}

/// Touches the offer row first: on PostgreSQL this takes the row lock, so two editors (or an editor
/// and the approving coordinator) are serialised; SQLite's single writer already is. Then decides,
/// on the row as it is in this transaction, whether `viewer` may do `action` with it: an offer
/// they may not is "not found".
async fn lock(tx: &mut Tx, viewer: &Viewer, id: &str, action: Act, now: i64) -> Result<Offer> {
    let offer = lock_unchecked(tx, id, now).await?;
    require(viewer, Record::Offer, Some(&offer.organisation_id), action)?;
    Ok(offer)
}

async fn lock_unchecked(tx: &mut Tx, id: &str, now: i64) -> Result<Offer> {
    let touched = tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if touched == 0 {
        return Err(StoreError::NotFound);
    }
    get_in(tx, id).await
}

/// The fields that differ between two contents, as dotted paths (`texts.ar.title`, `locations`):
/// what the audit log records about a change without copying whole texts into it.
pub fn changed_fields(old: Option<&OfferContent>, new: &OfferContent) -> Vec<String> {
    let to_map = |c: &OfferContent| match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let new_map = to_map(new);
    let old_map = old.map(to_map).unwrap_or_default();
    let mut changed = Vec::new();
    for (key, value) in &new_map {
        if key == "translated_from" {
            // Bookkeeping of the translations (decision 0015), not a change anyone made.
            continue;
        }
        if key == "opening_hours" {
            // Kept in the order of the week since decision 0015: an older offer's slots in
            // another order are the same hours.
            let sorted = |v: Option<&serde_json::Value>| {
                let mut slots: Vec<String> = v
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().map(ToString::to_string).collect())
                    .unwrap_or_default();
                slots.sort();
                slots
            };
            let same = old_map.get(key) == Some(value)
                || (old.is_some() && sorted(Some(value)) == sorted(old_map.get(key)));
            if !same {
                changed.push(key.clone());
            }
            continue;
        }
        if key == "texts" {
            let empty = serde_json::Map::new();
            let old_texts = old_map
                .get("texts")
                .and_then(|v| v.as_object())
                .unwrap_or(&empty);
            let new_texts = value.as_object().unwrap_or(&empty);
            for (locale, texts) in new_texts {
                let old_locale = old_texts.get(locale).and_then(|v| v.as_object());
                for (field, text) in texts.as_object().unwrap_or(&empty) {
                    let before = old_locale.and_then(|o| o.get(field));
                    let blank = text.as_str().is_some_and(str::is_empty);
                    if before != Some(text) && !(before.is_none() && blank) {
                        changed.push(format!("texts.{locale}.{field}"));
                    }
                }
            }
            for locale in old_texts.keys().filter(|l| !new_texts.contains_key(*l)) {
                changed.push(format!("texts.{locale}"));
            }
        } else if old_map.get(key) != Some(value) {
            changed.push(key.clone());
        }
    }
    changed
}

async fn insert_revision(
    tx: &mut Tx,
    actor: &Actor,
    offer_id: &str,
    state: RevisionState,
    content: &OfferContent,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let json = serde_json::to_string(content)
        .map_err(|e| StoreError::Config(format!("offer content: {e}")))?;
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO offer_revisions (id, offer_id, state, content, title, valid_from, valid_to, saved_by, saved_at, title_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(offer_id)
        .bind(state.key())
        .bind(&json)
        .bind(content.title())
        .bind(content.valid_from)
        .bind(content.valid_to)
        .bind(actor.user_id.as_deref())
        .bind(now)
        .bind(column_key(content.title()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => Err(concurrent_change()),
        other => other.map(|_| id).map_err(StoreError::from),
    }
}

fn concurrent_change() -> StoreError {
    StoreError::field(
        "state",
        "Das Angebot wurde gerade von jemand anderem geändert. Bitte die Seite neu laden.",
    )
}

async fn set_revision_state(
    tx: &mut Tx,
    revision_id: &str,
    state: RevisionState,
    decided_by: Option<&str>,
    now: i64,
    note: &str,
) -> Result<()> {
    let updated = tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE offer_revisions SET state = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1",
        )
        .bind(revision_id)
        .bind(state.key())
        .bind(decided_by)
        .bind(now)
        .bind(note)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => Err(concurrent_change()),
        other => other.map(|_| ()).map_err(StoreError::from),
    }
}

/// Makes `revision_id` the published one: the old published revision is superseded first (the
/// unique index allows only one), the offer counts as verified today.
async fn publish(
    tx: &mut Tx,
    actor: &Actor,
    offer: &Offer,
    revision_id: &str,
    today: Date,
    now: i64,
) -> Result<()> {
    if let Some(old) = &offer.published {
        set_revision_state(
            tx,
            &old.id,
            RevisionState::Superseded,
            actor.user_id.as_deref(),
            now,
            "",
        )
        .await?;
    }
    set_revision_state(
        tx,
        revision_id,
        RevisionState::Published,
        actor.user_id.as_deref(),
        now,
        "",
    )
    .await?;
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET verified_on = $2, reminded_at = NULL WHERE id = $1")
            .bind(&offer.id)
            .bind(today)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn set_title(tx: &mut Tx, id: &str, content: &OfferContent) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET title = $2, title_key = $3 WHERE id = $1")
            .bind(id)
            .bind(content.title())
            .bind(column_key(content.title()))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Checks the references the domain cannot know: towns of the locations.
pub async fn check_references(db: &Db, content: &OfferContent) -> Result<()> {
    let towns = crate::reference::towns(db).await?;
    let mut errors = lotse_domain::FieldErrors::new();
    for (i, l) in content.locations.iter().enumerate() {
        if !towns.iter().any(|t| t.ags == l.town) {
            errors.add(
                &format!("location_town_{i}"),
                format!(
                    "Ort {}: „{}“ ist keine Stadt oder Gemeinde des Kreises.",
                    i + 1,
                    l.town
                ),
            );
        }
    }
    errors.into_result(()).map_err(StoreError::Invalid)
}

/// Creates an offer for `organisation_id`. `id` is given by imports that keep the exchanged
/// identifier; otherwise a new one is made. A publication goes live only as the publication rule
/// allows (see [`Saved`]).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    tx: &mut Tx,
    viewer: &Viewer,
    id: Option<&str>,
    organisation_id: &str,
    content: &OfferContent,
    save_as: SaveAs,
    fictitious: bool,
    today: Date,
    now: i64,
) -> Result<Saved> {
    if !viewer
        .decide(Record::Offer, Some(organisation_id), Act::Change)
        .allows()
    {
        return Err(StoreError::field(
            "organisation_id",
            "Angebote dieser Organisation können Sie nicht anlegen.",
        ));
    }
    let trusted = tx!(&mut *tx, |c| {
        sqlx::query_scalar::<_, bool>("SELECT trusted_publisher FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(c)
            .await
    })?
    .unwrap_or(false);
    let save_as = allowed(save_as, viewer, trusted);
    let actor = &Actor::from(viewer);
    let id = id.map_or_else(new_id, str::to_owned);
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO offers (id, organisation_id, title, fictitious, created_at, updated_at, title_key) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(content.title())
        .bind(fictitious)
        .bind(now)
        .bind(column_key(content.title()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "id",
                format!("Ein Angebot mit der Kennung {id} gibt es schon."),
            ));
        }
        other => on_missing_reference(other, || {
            StoreError::field("organisation_id", "Diese Organisation gibt es nicht.")
        })?,
    };
    let revision = insert_revision(tx, actor, &id, open_state(save_as), content, now).await?;
    if save_as == SaveAs::Published {
        let offer = get_in(tx, &id).await?;
        publish(tx, actor, &offer, &revision, today, now).await?;
    }
    tx.record(Event::new(actor, now, Entity::Offer, Action::Create, &id).with(json!({
            "organisation_id": organisation_id, "title": content.title(), "state": save_state_key(save_as),
            "fields": changed_fields(None, content),
        })));
    if save_as == SaveAs::Submitted {
        notify_waiting(tx, now).await?;
    }
    Ok(Saved { id, state: save_as })
}

/// Tells the coordination that offer changes wait for approval (one notification while unread).
async fn notify_waiting(tx: &mut Tx, now: i64) -> Result<()> {
    crate::notifications::notify_holders(
        tx,
        lotse_domain::Permission::ManageOffers,
        "Angebotsänderungen warten auf Ihre Freigabe.",
        "/offers?state=submitted&organisation=",
        now,
    )
    .await
}

/// Tells the offer's organisation what the coordination decided.
async fn notify_provider(tx: &mut Tx, offer: &Offer, text: &str, now: i64) -> Result<()> {
    crate::notifications::notify_organisation(
        tx,
        &offer.organisation_id,
        lotse_domain::Permission::MaintainOwnOffers,
        text,
        &format!("/offers/{}", offer.id),
        now,
    )
    .await
}

/// A new offer as [`create_many`] writes it: its (exchanged) id, its organisation, its content
/// and the day its data was last confirmed, if known.
pub struct NewOffer<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub content: &'a OfferContent,
    pub verified_on: Option<Date>,
}

/// Creates many offers at once, as [`create`] would one by one: each checked against the
/// viewer's access to its organisation and recorded in the audit log, then written with one bulk
/// insert per table (a few statements per thousand offers instead of ten per offer). A
/// publication goes live only as the publication rule allows; the organisations' trust is not
/// consulted here, so someone who may not publish every offer hands them in. A published offer
/// is confirmed on its own `verified_on`, or `today`. An id that exists already fails the whole
/// call with the database's unique violation, which the caller names in its own terms.
pub async fn create_many(
    tx: &mut Tx,
    viewer: &Viewer,
    new: &[NewOffer<'_>],
    save_as: SaveAs,
    today: Date,
    now: i64,
) -> Result<()> {
    let save_as = allowed(save_as, viewer, false);
    let actor = &Actor::from(viewer);
    for o in new {
        if !viewer
            .decide(Record::Offer, Some(o.organisation_id), Act::Change)
            .allows()
        {
            return Err(StoreError::field(
                "organisation_id",
                "Angebote dieser Organisation können Sie nicht anlegen.",
            ));
        }
        tx.record(
            Event::new(actor, now, Entity::Offer, Action::Create, o.id).with(json!({
                "organisation_id": o.organisation_id, "title": o.content.title(),
                "state": save_state_key(save_as),
                "fields": changed_fields(None, o.content),
            })),
        );
    }
    let published = save_as == SaveAs::Published;
    for chunk in new.chunks(CREATE_MANY_BATCH) {
        let offers: Vec<NewOfferRow<'_>> = chunk
            .iter()
            .map(|o| NewOfferRow {
                id: o.id,
                organisation_id: o.organisation_id,
                title: o.content.title(),
                title_key: column_key(o.content.title()),
                verified_on: published.then(|| o.verified_on.unwrap_or(today)),
                fictitious: false,
                created_at: now,
                updated_at: now,
            })
            .collect();
        tx.insert_json("offers", &NEW_OFFER_COLUMNS, &offers)
            .await?;
        let saved_by = actor.user_id.as_deref();
        let mut revisions = Vec::with_capacity(chunk.len());
        for o in chunk {
            revisions.push(NewRevisionRow {
                id: new_id(),
                offer_id: o.id,
                state: final_state(save_as).key(),
                content: serde_json::to_string(o.content)
                    .map_err(|e| StoreError::Config(format!("offer content: {e}")))?,
                title: o.content.title(),
                title_key: column_key(o.content.title()),
                valid_from: o.content.valid_from,
                valid_to: o.content.valid_to,
                saved_by,
                saved_at: now,
                decided_by: if published { saved_by } else { None },
                decided_at: published.then_some(now),
            });
        }
        tx.insert_json("offer_revisions", &NEW_REVISION_COLUMNS, &revisions)
            .await?;
    }
    Ok(())
}

/// A change to an existing offer as [`save_many`] writes it: the new content and, for a
/// publication, the day its data was last confirmed (`None`: today).
pub struct OfferChange<'a> {
    pub id: &'a str,
    pub content: &'a OfferContent,
    pub verified_on: Option<Date>,
}

/// Saves changes to many offers at once, as [`save`] would one by one (each offer's change in
/// progress replaced, a publication superseding the published revision, the title following,
/// one audit event per offer with the fields that changed), in a few statements per thousand
/// offers. There is no base revision to check: an import has none. An offer that does not
/// exist or that the viewer may not change fails the whole call as not found. Ids must be
/// distinct. The publication rule applies as in [`create_many`].
pub async fn save_many(
    tx: &mut Tx,
    viewer: &Viewer,
    changes: &[OfferChange<'_>],
    save_as: SaveAs,
    today: Date,
    now: i64,
) -> Result<()> {
    let save_as = allowed(save_as, viewer, false);
    let published = save_as == SaveAs::Published;
    let actor = &Actor::from(viewer);
    for chunk in changes.chunks(CREATE_MANY_BATCH) {
        let ids: Vec<&str> = chunk.iter().map(|c| c.id).collect();
        let list = serde_json::to_string(&ids).map_err(|e| StoreError::Config(e.to_string()))?;
        // Touching the rows takes their locks on PostgreSQL, as `lock` does for one offer.
        let sql = format!(
            "UPDATE offers SET updated_at = $2 WHERE id IN {} RETURNING id, organisation_id",
            ids_in(tx)
        );
        let owners: Vec<(String, String)> = tx!(&mut *tx, |c| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(&list)
        .bind(now)
        .fetch_all(c)
        .await)?;
        let owners: HashMap<String, String> = owners.into_iter().collect();
        for id in &ids {
            let may = owners.get(*id).is_some_and(|org| {
                viewer
                    .decide(Record::Offer, Some(org), Act::Change)
                    .allows()
            });
            if !may {
                return Err(StoreError::NotFound);
            }
        }
        // What each offer looked like: its change in progress, or else its published content.
        let sql = format!(
            "SELECT offer_id, state, content FROM offer_revisions WHERE offer_id IN {} \
             AND state IN ('draft', 'submitted', 'returned', 'published')",
            ids_in(tx)
        );
        let current: Vec<(String, String, String)> = tx!(&mut *tx, |c| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(&list)
        .fetch_all(c)
        .await)?;
        let mut before: HashMap<String, (bool, OfferContent)> = HashMap::new();
        for (offer_id, state, content) in current {
            let open = state != "published";
            if before
                .get(&offer_id)
                .is_none_or(|(was_open, _)| open && !was_open)
            {
                before.insert(
                    offer_id.clone(),
                    (open, parse_content(&offer_id, &content)?),
                );
            }
        }
        let sql = format!(
            "DELETE FROM offer_revisions WHERE offer_id IN {} AND state IN ('draft', 'submitted', 'returned')",
            ids_in(tx)
        );
        tx!(&mut *tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&list)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        let decided_by = actor.user_id.as_deref();
        if published {
            let sql = format!(
                "UPDATE offer_revisions SET state = 'superseded', decided_by = $2, decided_at = $3, note = '' \
                 WHERE offer_id IN {} AND state = 'published'",
                ids_in(tx)
            );
            tx!(&mut *tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&list)
                .bind(decided_by)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        let mut revisions = Vec::with_capacity(chunk.len());
        for c in chunk {
            revisions.push(NewRevisionRow {
                id: new_id(),
                offer_id: c.id,
                state: final_state(save_as).key(),
                content: serde_json::to_string(c.content)
                    .map_err(|e| StoreError::Config(format!("offer content: {e}")))?,
                title: c.content.title(),
                title_key: column_key(c.content.title()),
                valid_from: c.content.valid_from,
                valid_to: c.content.valid_to,
                saved_by: decided_by,
                saved_at: now,
                decided_by: if published { decided_by } else { None },
                decided_at: published.then_some(now),
            });
        }
        tx.insert_json("offer_revisions", &NEW_REVISION_COLUMNS, &revisions)
            .await?;
        let rows: Vec<ChangedOfferRow<'_>> = chunk
            .iter()
            .map(|c| ChangedOfferRow {
                id: c.id,
                title: c.content.title(),
                title_key: column_key(c.content.title()),
                verified_on: published.then(|| c.verified_on.unwrap_or(today)),
            })
            .collect();
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Config(e.to_string()))?;
        // A publication confirms the offer (on the day given, or today) and restarts its
        // reminders, as `publish` does; any save sets the title.
        let sql = match tx.backend() {
            crate::db::Backend::Sqlite => {
                "UPDATE offers SET title = j.value ->> '$.title', title_key = j.value ->> '$.title_key', \
                 verified_on = CASE WHEN $2 THEN j.value ->> '$.verified_on' ELSE offers.verified_on END, \
                 reminded_at = CASE WHEN $2 THEN NULL ELSE offers.reminded_at END \
                 FROM jsonb_each($1) AS j WHERE offers.id = j.value ->> '$.id'"
            }
            crate::db::Backend::Postgres => {
                "UPDATE offers AS o SET title = j.title, title_key = j.title_key, \
                 verified_on = CASE WHEN $2 THEN j.verified_on ELSE o.verified_on END, \
                 reminded_at = CASE WHEN $2 THEN NULL ELSE o.reminded_at END \
                 FROM json_populate_recordset(NULL::offers, $1::json) AS j WHERE o.id = j.id"
            }
        };
        tx!(&mut *tx, |c| sqlx::query(sql)
            .bind(&rows)
            .bind(published)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        for c in chunk {
            let old = before.get(c.id).map(|(_, content)| content);
            tx.record(
                Event::new(actor, now, Entity::Offer, Action::Update, c.id).with(json!({
                    "state": save_state_key(save_as),
                    "fields": changed_fields(old, c.content),
                })),
            );
        }
    }
    Ok(())
}

/// What [`save_many`] changes on an offer's row.
#[derive(Serialize)]
struct ChangedOfferRow<'a> {
    id: &'a str,
    title: &'a str,
    title_key: String,
    verified_on: Option<Date>,
}

/// Offers per bulk insert of [`create_many`]: a bound on the rows held in memory at once.
const CREATE_MANY_BATCH: usize = 1_000;

/// An offer's row as [`create`] and `publish` leave it.
#[derive(Serialize)]
struct NewOfferRow<'a> {
    id: &'a str,
    organisation_id: &'a str,
    title: &'a str,
    title_key: String,
    verified_on: Option<Date>,
    fictitious: bool,
    created_at: i64,
    updated_at: i64,
}

const NEW_OFFER_COLUMNS: [&str; 8] = [
    "id",
    "organisation_id",
    "title",
    "title_key",
    "verified_on",
    "fictitious",
    "created_at",
    "updated_at",
];

/// Its first revision, likewise (published at once, handed in, or kept as a draft).
#[derive(Serialize)]
struct NewRevisionRow<'a> {
    id: String,
    offer_id: &'a str,
    state: &'static str,
    content: String,
    title: &'a str,
    title_key: String,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
    saved_by: Option<&'a str>,
    saved_at: i64,
    decided_by: Option<&'a str>,
    decided_at: Option<i64>,
}

const NEW_REVISION_COLUMNS: [&str; 12] = [
    "id",
    "offer_id",
    "state",
    "content",
    "title",
    "title_key",
    "valid_from",
    "valid_to",
    "saved_by",
    "saved_at",
    "decided_by",
    "decided_at",
];

/// The state a new offer's revision ends in.
fn final_state(save_as: SaveAs) -> RevisionState {
    match save_as {
        SaveAs::Draft => RevisionState::Draft,
        SaveAs::Submitted => RevisionState::Submitted,
        SaveAs::Published => RevisionState::Published,
    }
}

/// What a save became: a publication asked for by someone the publication rule does not let
/// publish at once is handed in for approval instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    pub state: SaveAs,
}

/// The publication rule (`lotse_domain::offer::publishes_directly`) applied to what a save asks.
fn allowed(save_as: SaveAs, viewer: &Viewer, organisation_trusted: bool) -> SaveAs {
    match save_as {
        SaveAs::Published if !publishes_directly(viewer, organisation_trusted) => SaveAs::Submitted,
        other => other,
    }
}

/// The state a save starts in; a direct publication passes through an open revision first.
fn open_state(save_as: SaveAs) -> RevisionState {
    match save_as {
        SaveAs::Draft | SaveAs::Published => RevisionState::Draft,
        SaveAs::Submitted => RevisionState::Submitted,
    }
}

fn save_state_key(save_as: SaveAs) -> &'static str {
    match save_as {
        SaveAs::Draft => "draft",
        SaveAs::Submitted => "submitted",
        SaveAs::Published => "published",
    }
}

/// The revision an editor started from (`base`, sent with the form) must still be the one to
/// change: otherwise someone else saved in between, and saving would silently drop their work.
fn check_base(offer: &Offer, base: Option<&str>) -> Result<()> {
    let Some(base) = base else {
        return Ok(());
    };
    let current = offer
        .open
        .as_ref()
        .or(offer.published.as_ref())
        .map(|r| r.id.as_str());
    if current.is_some_and(|c| c != base) {
        return Err(StoreError::field(
            "state",
            "Das Angebot wurde inzwischen von jemand anderem geändert. Ihre Eingaben stehen unten; bitte mit der neuen Fassung abgleichen und erneut speichern.",
        ));
    }
    Ok(())
}

/// The open change a reviewer looked at (`expected`, sent with the button) must still be the one
/// waiting: a provider may have saved again after the page was opened.
fn check_reviewed(open: &Revision, expected: Option<&str>) -> Result<()> {
    match expected {
        Some(e) if e != open.id => Err(StoreError::field(
            "state",
            "Die Änderung wurde inzwischen erneut gespeichert. Bitte die neue Fassung prüfen.",
        )),
        _ => Ok(()),
    }
}

/// Saves a change, replacing any change in progress. Publishing at once skips the approval step
/// where the publication rule allows it; the state the change is in is returned.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    tx: &mut Tx,
    viewer: &Viewer,
    offer_id: &str,
    content: &OfferContent,
    save_as: SaveAs,
    base: Option<&str>,
    today: Date,
    now: i64,
) -> Result<SaveAs> {
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Change, now).await?;
    check_base(&offer, base)?;
    let save_as = allowed(save_as, viewer, offer.organisation_trusted);
    let before = offer.working_content().cloned();
    let fields = changed_fields(before.as_ref(), content);
    // One change in progress per offer: a new save replaces it (its saved_by/at say who and when).
    if let Some(open) = &offer.open {
        tx!(&mut *tx, |c| {
            sqlx::query("DELETE FROM offer_revisions WHERE id = $1")
                .bind(&open.id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    let revision = insert_revision(tx, actor, offer_id, open_state(save_as), content, now).await?;
    if save_as == SaveAs::Published {
        publish(tx, actor, &offer, &revision, today, now).await?;
    }
    set_title(tx, offer_id, content).await?;
    tx.record(
        Event::new(actor, now, Entity::Offer, Action::Update, offer_id)
            .with(json!({ "state": save_state_key(save_as), "fields": fields })),
    );
    if save_as == SaveAs::Submitted {
        notify_waiting(tx, now).await?;
    }
    Ok(save_as)
}

/// The coordination approves the submitted change: it goes live.
pub async fn approve(
    tx: &mut Tx,
    viewer: &Viewer,
    offer_id: &str,
    expected: Option<&str>,
    today: Date,
    now: i64,
) -> Result<()> {
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Decide, now).await?;
    let open = offer
        .open
        .as_ref()
        .filter(|o| o.state == RevisionState::Submitted)
        .ok_or_else(|| StoreError::field("state", "Es wartet keine Änderung auf Freigabe."))?;
    check_reviewed(open, expected)?;
    let fields = changed_fields(offer.published.as_ref().map(|p| &p.content), &open.content);
    publish(tx, actor, &offer, &open.id, today, now).await?;
    tx.record(
        Event::new(actor, now, Entity::Offer, Action::Approve, offer_id)
            .with(json!({ "revision": open.id, "fields": fields })),
    );
    let text = format!(
        "Ihre Änderung am Angebot „{}“ ist freigegeben und in der Angebotssuche zu sehen.",
        open.content.title()
    );
    notify_provider(tx, &offer, &text, now).await?;
    Ok(())
}

/// The coordination returns the submitted change to the provider with a note on what to fix.
pub async fn return_change(
    tx: &mut Tx,
    viewer: &Viewer,
    offer_id: &str,
    expected: Option<&str>,
    note: &str,
    now: i64,
) -> Result<()> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StoreError::field(
            "note",
            "Bitte kurz begründen, was zu ändern ist.",
        ));
    }
    if note.chars().count() > 2_000 {
        return Err(StoreError::field("note", "Höchstens 2000 Zeichen."));
    }
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Decide, now).await?;
    let open = offer
        .open
        .as_ref()
        .filter(|o| o.state == RevisionState::Submitted)
        .ok_or_else(|| StoreError::field("state", "Es wartet keine Änderung auf Freigabe."))?;
    check_reviewed(open, expected)?;
    set_revision_state(
        tx,
        &open.id,
        RevisionState::Returned,
        actor.user_id.as_deref(),
        now,
        note,
    )
    .await?;
    tx.record(
        Event::new(actor, now, Entity::Offer, Action::Return, offer_id)
            .with(json!({ "revision": open.id, "note": note })),
    );
    let text = format!(
        "Ihre Änderung am Angebot „{}“ wurde zurückgegeben: {}",
        open.content.title(),
        crate::rounds::shortened(note, 200)
    );
    notify_provider(tx, &offer, &text, now).await?;
    Ok(())
}

/// Throws the change in progress away; the published version (if any) stays as it is. An offer
/// that was never published has nothing to fall back to and is withdrawn instead.
pub async fn discard_change(tx: &mut Tx, viewer: &Viewer, offer_id: &str, now: i64) -> Result<()> {
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Change, now).await?;
    let open = offer
        .open
        .as_ref()
        .ok_or_else(|| StoreError::field("state", "Es gibt keine offene Änderung."))?;
    if offer.published.is_none() {
        return Err(StoreError::field(
            "state",
            "Das Angebot wurde noch nie veröffentlicht; es kann nur zurückgezogen werden.",
        ));
    }
    tx!(&mut *tx, |c| {
        sqlx::query("DELETE FROM offer_revisions WHERE id = $1")
            .bind(&open.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if let Some(p) = &offer.published {
        set_title(tx, offer_id, &p.content).await?;
    }
    tx.record(
        Event::new(actor, now, Entity::Offer, Action::Discard, offer_id)
            .with(json!({ "revision": open.id })),
    );
    Ok(())
}

/// The provider confirms that the published offer is still accurate.
pub async fn verify(
    tx: &mut Tx,
    viewer: &Viewer,
    offer_id: &str,
    today: Date,
    now: i64,
) -> Result<()> {
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Change, now).await?;
    if offer.published.is_none() {
        return Err(StoreError::field(
            "state",
            "Nur veröffentlichte Angebote können als geprüft markiert werden.",
        ));
    }
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET verified_on = $2, reminded_at = NULL WHERE id = $1")
            .bind(offer_id)
            .bind(today)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::Offer, Action::Verify, offer_id)
            .with(json!({ "verified_on": { "from": offer.verified_on, "to": today } })),
    );
    Ok(())
}

/// Sets the day the offer was last confirmed, as an import brings it along.
pub async fn set_verified_on(tx: &mut Tx, offer_id: &str, day: Date) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET verified_on = $2 WHERE id = $1")
            .bind(offer_id)
            .bind(day)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Takes an offer out of the finder (it ended, the provider stopped it) or puts it back.
pub async fn set_withdrawn(
    tx: &mut Tx,
    viewer: &Viewer,
    offer_id: &str,
    withdrawn: bool,
    now: i64,
) -> Result<()> {
    let actor = &Actor::from(viewer);
    let offer = lock(tx, viewer, offer_id, Act::Change, now).await?;
    if offer.withdrawn_at.is_some() == withdrawn {
        // Already so: nothing to record.
        tx.nothing_changed();
        return Ok(());
    }
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE offers SET withdrawn_at = $2 WHERE id = $1")
            .bind(offer_id)
            .bind(withdrawn.then_some(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let action = if withdrawn {
        Action::Withdraw
    } else {
        Action::Reinstate
    };
    tx.record(Event::new(actor, now, Entity::Offer, action, offer_id));
    Ok(())
}

/// A published offer as the public finder and the exchange formats need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedOffer {
    pub id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub verified_on: Option<Date>,
    pub published_at: i64,
    pub content: OfferContent,
}

#[derive(sqlx::FromRow)]
struct PublishedRow {
    id: String,
    organisation_id: String,
    organisation: String,
    verified_on: Option<Date>,
    revision_id: String,
    published_at: i64,
    content: String,
}

const PUBLISHED: &str = "SELECT o.id, o.organisation_id, org.name AS organisation, o.verified_on, \
    r.id AS revision_id, COALESCE(r.decided_at, r.saved_at) AS published_at, r.content \
    FROM offers o JOIN organisations org ON org.id = o.organisation_id \
    JOIN offer_revisions r ON r.offer_id = o.id AND r.state = 'published' \
    WHERE o.withdrawn_at IS NULL";

fn published_offer(row: PublishedRow) -> Result<PublishedOffer> {
    Ok(PublishedOffer {
        content: parse_content(&row.revision_id, &row.content)?,
        id: row.id,
        organisation_id: row.organisation_id,
        organisation: row.organisation,
        verified_on: row.verified_on,
        published_at: row.published_at,
    })
}

/// Every published, not withdrawn offer, whether current or not: the search index and the
/// exchange decide by date themselves, so an offer starting next month is already indexed.
pub async fn published(db: &Db) -> Result<Vec<PublishedOffer>> {
    let sql = sqlx::AssertSqlSafe(format!("{PUBLISHED} ORDER BY o.id"));
    let rows: Vec<PublishedRow> = read!(db, |c| sqlx::query_as(sql).fetch_all(c).await)?;
    rows.into_iter().map(published_offer).collect()
}

/// One page of the published offers in id order (optionally of one organisation), and how many
/// there are in all: the HSDS API's service list.
pub async fn published_page(
    db: &Db,
    organisation_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublishedOffer>, i64)> {
    let filter = if organisation_id.is_some() {
        " AND o.organisation_id = $1"
    } else {
        " AND CAST($1 AS TEXT) IS NULL"
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{PUBLISHED}{filter} ORDER BY o.id LIMIT $2 OFFSET $3"
    ));
    let rows: Vec<PublishedRow> = read!(db, |c| sqlx::query_as(sql)
        .bind(organisation_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count_sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM offers o JOIN offer_revisions r ON r.offer_id = o.id AND r.state = 'published' \
         WHERE o.withdrawn_at IS NULL{filter}"
    ));
    let (total,): (i64,) = read!(db, |c| sqlx::query_as(count_sql)
        .bind(organisation_id)
        .fetch_one(c)
        .await)?;
    Ok((
        rows.into_iter()
            .map(published_offer)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// Ids looked up per statement by [`published_by_ids`] (a page of the HSDS API is at most 100).
const IDS_PER_QUERY: usize = 200;

/// Published offers by id, in the order asked (each once), leaving out the ones not (or no
/// longer) published. One statement per 200 ids, each a primary-key lookup: the cost follows
/// the number of ids, never the size of the directory.
pub async fn published_by_ids(db: &Db, ids: &[String]) -> Result<Vec<PublishedOffer>> {
    let mut found: std::collections::HashMap<String, PublishedOffer> =
        std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = sqlx::AssertSqlSafe(format!("{PUBLISHED} AND o.id IN ({})", marks.join(", ")));
        let rows: Vec<PublishedRow> = read!(db, |c| {
            let mut query = sqlx::query_as(sql);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(c).await
        })?;
        for row in rows {
            let offer = published_offer(row)?;
            found.insert(offer.id.clone(), offer);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

pub async fn published_one(db: &Db, id: &str) -> Result<PublishedOffer> {
    let sql = sqlx::AssertSqlSafe(format!("{PUBLISHED} AND o.id = $1"));
    let row: Option<PublishedRow> =
        read!(db, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    published_offer(row.ok_or(StoreError::NotFound)?)
}

/// Offers changed at or after `since_ms` (any workflow step touches `updated_at`): what another
/// app node must re-read to keep its search index current.
pub async fn changed_since(db: &Db, since_ms: i64) -> Result<Vec<String>> {
    let ids: Vec<(String,)> = read!(db, |c| {
        sqlx::query_as("SELECT id FROM offers WHERE updated_at >= $1")
            .bind(since_ms)
            .fetch_all(c)
            .await
    })?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// An organisation whose offers are overdue for verification, with whom to remind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReminder {
    pub organisation_id: String,
    pub organisation: String,
    /// (offer id, title, verified on)
    pub offers: Vec<(String, String, Option<Date>)>,
    /// (display name, e-mail) of the organisation's active accounts that may keep offers.
    pub recipients: Vec<(String, String)>,
}

/// How often a provider is reminded about the same overdue offer.
pub const REMINDER_INTERVAL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Published offers overdue for verification and not reminded in the last 30 days, grouped by
/// organisation.
pub async fn due_for_reminder(db: &Db, today: Date, now: i64) -> Result<Vec<VerificationReminder>> {
    let cutoff = verification_overdue_before(today);
    let rows: Vec<(String, String, String, String, Option<Date>)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT o.organisation_id, org.name, o.id, o.title, o.verified_on FROM offers o \
             JOIN organisations org ON org.id = o.organisation_id \
             JOIN offer_revisions r ON r.offer_id = o.id AND r.state = 'published' \
             WHERE o.withdrawn_at IS NULL AND (o.verified_on IS NULL OR o.verified_on <= $1) \
             AND (o.reminded_at IS NULL OR o.reminded_at <= $2) ORDER BY org.name, o.title",
        )
        .bind(cutoff)
        .bind(now - REMINDER_INTERVAL_MS)
        .fetch_all(c)
        .await
    })?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Only the accounts of the organisations concerned (all of them past the IN list's bound).
    let mut organisations: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    organisations.sort_unstable();
    organisations.dedup();
    let mut q = Query::default();
    let of = q.any_of("u.organisation_id", &organisations);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT u.organisation_id, u.display_name, u.email FROM users u \
         JOIN user_roles ur ON ur.user_id = u.id \
         WHERE u.active = TRUE AND u.email <> '' AND ur.role IN ('partner', 'immigration_office') \
         AND {of} ORDER BY u.display_name"
    ));
    let recipients: Vec<(String, String, String)> = read!(db, |c| {
        bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await
    })?;
    let mut out: Vec<VerificationReminder> = Vec::new();
    for (org_id, org, id, title, verified) in rows {
        if out.last().is_none_or(|r| r.organisation_id != org_id) {
            let mut to: Vec<(String, String)> = recipients
                .iter()
                .filter(|(o, _, _)| *o == org_id)
                .map(|(_, n, e)| (n.clone(), e.clone()))
                .collect();
            to.dedup();
            out.push(VerificationReminder {
                organisation_id: org_id.clone(),
                organisation: org,
                offers: Vec::new(),
                recipients: to,
            });
        }
        if let Some(last) = out.last_mut() {
            last.offers.push((id, title, verified));
        }
    }
    Ok(out)
}

/// Records that the providers of these offers were reminded, so the next run waits 30 days.
pub async fn mark_reminded(
    tx: &mut Tx,
    actor: &Actor,
    offer_ids: &[String],
    now: i64,
) -> Result<()> {
    for id in offer_ids {
        tx!(&mut *tx, |c| {
            sqlx::query("UPDATE offers SET reminded_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        tx.record(Event::new(actor, now, Entity::Offer, Action::Remind, id));
    }
    Ok(())
}
