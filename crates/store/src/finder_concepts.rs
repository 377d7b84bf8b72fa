//! The finder's concepts (decision 0013): words and abbreviations that mean the same for someone
//! looking for an offer, with labels in every finder language. The coordination edits them; the
//! shipped set (`lotse_domain::finder_concept::shipped`) is loaded with the reference data. The
//! finder of every node reads them again at its regular look at the store.

use lotse_domain::finder_concept::ConceptLabels;
use lotse_domain::offer::Locale;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};
use crate::{Result, StoreError, new_id};

/// One concept as the editors see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub id: String,
    pub labels: ConceptLabels,
    pub updated_at: i64,
}

impl Concept {
    /// The first German label: what the concept is listed by.
    pub fn name(&self) -> &str {
        self.labels
            .get(&Locale::De)
            .and_then(|l| l.first())
            .map_or("", String::as_str)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    labels: String,
    updated_at: i64,
}

impl Row {
    fn concept(self) -> Option<Concept> {
        Some(Concept {
            labels: serde_json::from_str(&self.labels).ok()?,
            id: self.id,
            updated_at: self.updated_at,
        })
    }
}

/// Every concept in use, by its first German label.
pub async fn list(db: &Db) -> Result<Vec<Concept>> {
    let rows: Vec<Row> = read!(db, |c| {
        sqlx::query_as("SELECT id, labels, updated_at FROM finder_concepts WHERE withdrawn = FALSE")
            .fetch_all(c)
            .await
    })?;
    let mut out: Vec<Concept> = rows.into_iter().filter_map(Row::concept).collect();
    out.sort_by_cached_key(|c| lotse_domain::collation::sort_key(c.name()));
    Ok(out)
}

/// One concept in use.
pub async fn get(db: &Db, id: &str) -> Result<Concept> {
    let row: Option<Row> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, labels, updated_at FROM finder_concepts WHERE id = $1 AND withdrawn = FALSE",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?;
    row.and_then(Row::concept).ok_or(StoreError::NotFound)
}

fn labels_json(labels: &ConceptLabels) -> Result<String> {
    serde_json::to_string(labels).map_err(|e| StoreError::Config(format!("concept labels: {e}")))
}

/// Saves a concept (a new one when `id` is `None`); returns its id.
pub async fn save(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    labels: &ConceptLabels,
    now: i64,
) -> Result<String> {
    let json = labels_json(labels)?;
    let (id, action) = match id {
        Some(id) => {
            let changed = tx!(tx, |c| {
                sqlx::query(
                "UPDATE finder_concepts SET labels = $2, updated_at = $3 WHERE id = $1 AND withdrawn = FALSE"
            )
            .bind(id)
            .bind(&json)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            (id.to_owned(), Action::Update)
        }
        None => {
            let id = new_id();
            tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO finder_concepts (id, labels, created_at, updated_at) VALUES ($1, $2, $3, $3)"
            )
            .bind(&id)
            .bind(&json)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            (id, Action::Create)
        }
    };
    tx.record(
        Event::new(actor, now, Entity::FinderConcept, action, &id)
            .with(json!({ "labels": labels })),
    );
    Ok(id)
}

/// Takes a concept out of use. The row stays (withdrawn), so that loading the shipped concepts
/// again does not bring it back.
pub async fn withdraw(tx: &mut Tx, actor: &Actor, id: &str, now: i64) -> Result<()> {
    let changed = tx!(tx, |c| {
        sqlx::query(
        "UPDATE finder_concepts SET withdrawn = TRUE, updated_at = $2 WHERE id = $1 AND withdrawn = FALSE"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    tx.record(Event::new(
        actor,
        now,
        Entity::FinderConcept,
        Action::Withdraw,
        id,
    ));
    Ok(())
}

/// The fixed id of a shipped concept: a UUID made from its key (the first 16 bytes of a
/// SHA-256), so that every district and every load gives the same concept the same id, and
/// paths with it pass as record ids like any other.
pub fn shipped_id(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("lotse-finder-concept:{key}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Loads the shipped concepts that are not there yet (by their fixed ids); returns how many.
pub(crate) async fn load_shipped(tx: &mut Tx, now: i64) -> Result<u64> {
    let mut added = 0;
    for (key, labels) in lotse_domain::finder_concept::shipped() {
        let json = labels_json(&labels)?;
        added += tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO finder_concepts (id, labels, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (id) DO NOTHING"
        )
        .bind(shipped_id(&key))
        .bind(&json)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(added)
}
