//! The audit log: who changed (and later, who read) what, when.
//!
//! Entries are appended in the same transaction as the change they record and chained by SHA-256:
//! each entry's hash covers its own fields and the previous entry's hash, so changing or removing
//! any entry breaks every link after it. `lotse audit verify` walks the chain ([`verify`]).
//! The database additionally refuses UPDATE and DELETE on the table (triggers in the migration).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::db::{Backend, Db, Tx, Value, bind_values, read, tx};

/// Who did something: a user, or the system itself (CLI, reference data, demo loader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub name: String,
}

impl Actor {
    pub fn user(id: &str, username: &str) -> Actor {
        Actor {
            user_id: Some(id.to_owned()),
            name: username.to_owned(),
        }
    }

    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            name: format!("system:{what}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub record_id: String,
    /// JSON object: for updates `{"field": {"from": old, "to": new}}`, for creations the fields.
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: covers every field but `hash` itself.
fn entry_hash(e: &AuditEntry) -> String {
    // A JSON array is an unambiguous encoding of the fields: no separator can be smuggled in.
    let canonical = serde_json::json!([
        e.prev_hash,
        e.seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.action,
        e.entity,
        e.record_id,
        e.changes
    ])
    .to_string();
    hex(&Sha256::digest(canonical.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Appends one entry. Must be called inside the transaction that makes the change.
///
/// The chain head is read with `FOR UPDATE` on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already
/// serialises writers), so concurrent transactions on several nodes cannot fork the chain.
pub async fn append(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    entity: &str,
    record_id: &str,
    changes: serde_json::Value,
    at: i64,
) -> Result<()> {
    let head_sql = match tx.backend() {
        Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
        Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let changes = changes.to_string();
    tx!(tx, |c| {
        let (prev_seq, prev_hash): (i64, String) =
            sqlx::query_as(head_sql).fetch_one(&mut *c).await?;
        let mut entry = AuditEntry {
            seq: prev_seq + 1,
            at,
            actor_id: actor.user_id.clone(),
            actor_name: actor.name.clone(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            record_id: record_id.to_owned(),
            changes: changes.clone(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        let (seq, hash, prev_hash) = (entry.seq, &entry.hash, &entry.prev_hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, record_id, changes, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(at)
        .bind(actor.user_id.as_deref())
        .bind(&actor.name)
        .bind(action)
        .bind(entity)
        .bind(record_id)
        .bind(&changes)
        .bind(prev_hash)
        .bind(hash)
        .execute(&mut *c)
        .await?;
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(hash)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Records that someone read personal data (accounts now; client records later), in a transaction
/// of its own: the read itself changes nothing, but who looked at whom must be traceable.
pub async fn record_read(
    db: &Db,
    actor: &Actor,
    entity: &str,
    record_id: &str,
    at: i64,
) -> Result<()> {
    db.write(async |tx| {
        append(
            tx,
            actor,
            "read",
            entity,
            record_id,
            serde_json::json!({}),
            at,
        )
        .await
    })
    .await
}

/// Builds the `changes` object of an update: only the fields whose value differs.
pub fn diff<'a>(fields: impl IntoIterator<Item = (&'a str, String, String)>) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (field, old, new) in fields {
        if old != new {
            map.insert(
                field.to_owned(),
                serde_json::json!({ "from": old, "to": new }),
            );
        }
    }
    serde_json::Value::Object(map)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub record_id: Option<String>,
    /// Inclusive lower bound, epoch ms.
    pub from: Option<i64>,
    /// Exclusive upper bound, epoch ms.
    pub until: Option<i64>,
}

/// The newest entries first, `limit` per page.
pub async fn search(
    db: &Db,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>> {
    let mut sql = String::from(
        "SELECT seq, at, actor_id, actor_name, action, entity, record_id, changes, prev_hash, hash FROM audit_log WHERE 1 = 1",
    );
    let mut values = Vec::new();
    let mut push = |sql: &mut String, clause: &str, v: Value| {
        values.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(e) = &filter.entity {
        push(&mut sql, " AND entity = ?", Value::Text(e.clone()));
    }
    if let Some(a) = &filter.action {
        push(&mut sql, " AND action = ?", Value::Text(a.clone()));
    }
    if let Some(a) = &filter.actor {
        push(&mut sql, " AND actor_name = ?", Value::Text(a.clone()));
    }
    if let Some(r) = &filter.record_id {
        push(&mut sql, " AND record_id = ?", Value::Text(r.clone()));
    }
    if let Some(f) = filter.from {
        push(&mut sql, " AND at >= ?", Value::Int(f));
    }
    if let Some(u) = filter.until {
        push(&mut sql, " AND at < ?", Value::Int(u));
    }
    push(&mut sql, " ORDER BY seq DESC LIMIT ?", Value::Int(limit));
    push(&mut sql, " OFFSET ?", Value::Int(offset));
    // Only fixed fragments and numbered placeholders are interpolated; every value is bound.
    let rows = read!(db, |c| {
        bind_values!(
            sqlx::query_as::<_, AuditEntry>(sqlx::AssertSqlSafe(sql.clone())),
            &values
        )
        .fetch_all(c)
        .await
    })?;
    Ok(rows)
}

/// The distinct entity and action names, for the filter form.
pub async fn known_entities_and_actions(db: &Db) -> Result<(Vec<String>, Vec<String>)> {
    let entities = read!(db, |c| {
        sqlx::query_scalar("SELECT DISTINCT entity FROM audit_log ORDER BY entity")
            .fetch_all(c)
            .await
    })?;
    let actions = read!(db, |c| {
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
            .fetch_all(c)
            .await
    })?;
    Ok((entities, actions))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub first_broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain in order and reports the first entry that does not fit.
///
/// The head is read first and only entries up to it are checked, so entries appended while the
/// check runs (every login writes one) are not mistaken for tampering.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    const PAGE: i64 = 2000;
    let (head_seq, head_hash): (i64, String) = read!(db, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(c)
            .await
    })?;
    let mut expected_seq = 1;
    let mut prev_hash = "0".repeat(64);
    loop {
        let page: Vec<AuditEntry> = read!(db, |c| {
            sqlx::query_as(
                "SELECT seq, at, actor_id, actor_name, action, entity, record_id, changes, prev_hash, hash \
                 FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3",
            )
            .bind(expected_seq)
            .bind(head_seq)
            .bind(PAGE)
            .fetch_all(c)
            .await
        })?;
        let done = (page.len() as i64) < PAGE;
        for e in page {
            let broken = |reason: String| {
                Ok(VerifyReport {
                    entries: expected_seq - 1,
                    first_broken: Some(BrokenLink { seq: e.seq, reason }),
                })
            };
            if e.seq != expected_seq {
                return broken(format!(
                    "entry {expected_seq} is missing (next is {})",
                    e.seq
                ));
            }
            if e.prev_hash != prev_hash {
                return broken("does not link to the previous entry (prev_hash differs)".into());
            }
            if entry_hash(&e) != e.hash {
                return broken("content was changed after it was written (hash differs)".into());
            }
            prev_hash = e.hash;
            expected_seq += 1;
        }
        if done {
            break;
        }
    }
    let entries = expected_seq - 1;
    if head_seq != entries || head_hash != prev_hash {
        return Ok(VerifyReport {
            entries,
            first_broken: Some(BrokenLink {
                seq: entries + 1,
                reason: format!(
                    "the chain head names entry {head_seq}, but the log ends at {entries} (entries were removed from the end)"
                ),
            }),
        });
    }
    Ok(VerifyReport {
        entries,
        first_broken: None,
    })
}
