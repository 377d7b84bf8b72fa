//! The access log: who read which protected record, and when.
//!
//! Reading an account (and later a case) must be traceable, but a reader must not queue behind
//! writers for it: the audit chain's head is one row every change locks. So reads are recorded
//! here, apart from the audit log: a reader hands its entry to a channel and goes on; one
//! background writer per node takes whatever has gathered and writes it as one batch in one
//! transaction. Under load the batches grow by themselves (everything that arrived while the
//! last batch was written), so the cost per read falls as readers increase.
//!
//! Each batch's hash covers its entries and the previous batch's hash, and [`verify`] checks the
//! chain as `lotse audit verify` does the audit log's. Entries are lost only if the process dies
//! within the moment between a read and its batch (a few milliseconds); [`AccessLog::flush`]
//! (called on shutdown) writes everything pending. The channel is bounded: if the database cannot
//! keep up, readers wait for room instead of entries being dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use crate::Result;
use crate::audit::{Actor, Entity, hex};
use crate::db::{Backend, Conn, Db, Pool, read, tx};

/// Entries waiting for the writer before readers must wait for room.
const PENDING: usize = 100_000;
/// The most entries one batch writes.
const BATCH: usize = 5_000;

/// One read of a protected record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AccessEntry {
    pub seq: i64,
    pub batch: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub entity: String,
    pub record_id: String,
}

enum Message {
    Read {
        at: i64,
        actor: Actor,
        entity: Entity,
        record_id: String,
    },
    Flush(oneshot::Sender<()>),
}

/// The handle through which reads are recorded. Cheap to clone; every clone feeds one writer.
#[derive(Clone, Debug)]
pub struct AccessLog {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    sender: mpsc::Sender<Message>,
    enabled: AtomicBool,
}

impl AccessLog {
    /// Starts the background writer for `pool`; it ends when the last handle is dropped, after
    /// writing what is pending.
    pub(crate) fn start(pool: Pool) -> AccessLog {
        let (sender, receiver) = mpsc::channel(PENDING);
        tokio::spawn(writer(pool, receiver));
        AccessLog {
            inner: Arc::new(Inner {
                sender,
                enabled: AtomicBool::new(true),
            }),
        }
    }

    /// Records that `actor` read `record_id` of `entity` at `at` (epoch ms). Returns once the
    /// entry is queued; it is written with the next batch.
    pub async fn record(&self, actor: &Actor, at: i64, entity: Entity, record_id: &str) {
        if !self.inner.enabled.load(Ordering::Relaxed) {
            return;
        }
        let message = Message::Read {
            at,
            actor: actor.clone(),
            entity,
            record_id: record_id.to_owned(),
        };
        if self.inner.sender.send(message).await.is_err() {
            // Only after the writer ended, which happens when the runtime shuts down.
            tracing::error!(
                entity = entity.key(),
                record_id,
                "access log writer has ended"
            );
        }
    }

    /// Waits until everything recorded so far is written.
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.inner.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }

    /// Switches recording off or on. For benchmarks and tests that compare a read with and
    /// without its entry; nothing in the server's configuration reaches it.
    pub fn set_enabled(&self, enabled: bool) {
        self.inner.enabled.store(enabled, Ordering::Relaxed);
    }
}

struct Pending {
    at: i64,
    actor: Actor,
    entity: Entity,
    record_id: String,
}

/// A batch smaller than this waits [`GATHER`] for more before it is written.
const GATHER_BELOW: usize = 1_000;
/// How long a small batch waits for more: each batch is a write transaction and a hash, and on a
/// small machine under a steady stream of reads, many small batches took the cores the readers
/// needed (logged reads at 55 % of unlogged ones on SQLite with 44 entries per batch).
const GATHER: std::time::Duration = std::time::Duration::from_millis(20);

fn take(message: Message, batch: &mut Vec<Pending>, waiting: &mut Vec<oneshot::Sender<()>>) {
    match message {
        Message::Read {
            at,
            actor,
            entity,
            record_id,
        } => batch.push(Pending {
            at,
            actor,
            entity,
            record_id,
        }),
        Message::Flush(done) => waiting.push(done),
    }
}

async fn writer(pool: Pool, mut receiver: mpsc::Receiver<Message>) {
    let mut batch: Vec<Pending> = Vec::new();
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    while let Some(first) = receiver.recv().await {
        take(first, &mut batch, &mut waiting);
        // Take what has gathered: under load the channel fills while the previous batch is
        // written, which is what makes batches large exactly when it matters. A small batch
        // nobody waits for waits a moment for more.
        let mut gathered = false;
        loop {
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(message) => take(message, &mut batch, &mut waiting),
                    Err(_) => break,
                }
            }
            if gathered || batch.len() >= GATHER_BELOW || !waiting.is_empty() {
                break;
            }
            tokio::time::sleep(GATHER).await;
            gathered = true;
        }
        // A failed batch (the database away for a moment) is kept and tried again: entries are
        // only ever dropped with the process.
        let mut delay = std::time::Duration::from_millis(50);
        while !batch.is_empty() {
            match write_batch(&pool, &batch, crate::now_ms()).await {
                Ok(()) => batch.clear(),
                Err(_) if pool.is_closed() => {
                    tracing::error!(
                        entries = batch.len(),
                        "access log entries recorded after the database was closed"
                    );
                    batch.clear();
                }
                Err(e) => {
                    tracing::error!(error = %e, entries = batch.len(), "access log batch not written; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(std::time::Duration::from_secs(5));
                }
            }
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

/// The hash of a batch: its number, its range, the time it was written, every entry, and the
/// previous batch's hash (a JSON array as unambiguous encoding, as in the audit log).
fn batch_hash(
    prev_hash: &str,
    batch: i64,
    first_seq: i64,
    last_seq: i64,
    written_at: i64,
    entries: &[AccessEntry],
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(
        serde_json::json!([prev_hash, batch, first_seq, last_seq, written_at])
            .to_string()
            .as_bytes(),
    );
    for e in entries {
        hasher.update(b"\n");
        hasher.update(
            serde_json::json!([
                e.seq,
                e.batch,
                e.at,
                e.actor_id,
                e.actor_name,
                e.entity,
                e.record_id
            ])
            .to_string()
            .as_bytes(),
        );
    }
    hex(&hasher.finalize())
}

async fn write_batch(pool: &Pool, pending: &[Pending], written_at: i64) -> Result<()> {
    let mut conn = match pool {
        Pool::Sqlite(s) => Conn::Sqlite(s.write.begin_with("BEGIN IMMEDIATE").await?),
        Pool::Postgres(p) => Conn::Postgres(p.begin().await?),
    };
    let head_sql = match pool.backend() {
        Backend::Sqlite => "SELECT batch, seq, hash FROM access_head WHERE id = 1",
        Backend::Postgres => "SELECT batch, seq, hash FROM access_head WHERE id = 1 FOR UPDATE",
    };
    let (prev_batch, prev_seq, prev_hash): (i64, i64, String) =
        tx!(&mut conn, |c| sqlx::query_as(head_sql)
            .fetch_one(&mut *c)
            .await)?;
    let batch = prev_batch + 1;
    let entries: Vec<AccessEntry> = pending
        .iter()
        .zip(prev_seq + 1..)
        .map(|(p, seq)| AccessEntry {
            seq,
            batch,
            at: p.at,
            actor_id: p.actor.user_id.clone(),
            actor_name: p.actor.name.clone(),
            entity: p.entity.key().to_owned(),
            record_id: p.record_id.clone(),
        })
        .collect();
    let first_seq = prev_seq + 1;
    let last_seq = prev_seq + entries.len() as i64;
    let hash = batch_hash(&prev_hash, batch, first_seq, last_seq, written_at, &entries);
    conn.insert_json(
        "access_log",
        &[
            "seq",
            "batch",
            "at",
            "actor_id",
            "actor_name",
            "entity",
            "record_id",
        ],
        &entries,
    )
    .await?;
    tx!(&mut conn, |c| {
        sqlx::query(
            "INSERT INTO access_batches (batch, first_seq, last_seq, written_at, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(batch)
        .bind(first_seq)
        .bind(last_seq)
        .bind(written_at)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *c)
        .await?;
        sqlx::query("UPDATE access_head SET batch = $1, seq = $2, hash = $3 WHERE id = 1")
            .bind(batch)
            .bind(last_seq)
            .bind(&hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    conn.commit().await
}

/// Who read `record_id` of `entity`, newest first (at most `limit`).
pub async fn reads_of(
    db: &Db,
    entity: Entity,
    record_id: &str,
    limit: i64,
) -> Result<Vec<AccessEntry>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT seq, batch, at, actor_id, actor_name, entity, record_id FROM access_log \
             WHERE entity = $1 AND record_id = $2 ORDER BY seq DESC LIMIT $3",
        )
        .bind(entity.key())
        .bind(record_id)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// Reads newest first, `limit` of them: by whom (username) and of which record, if given, and
/// older than `before_seq` (keyset paging).
pub async fn search(
    db: &Db,
    actor_name: Option<&str>,
    record_id: Option<&str>,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AccessEntry>> {
    let mut q = crate::paging::Query::default();
    if let Some(a) = actor_name {
        let p = q.bind(crate::db::Value::Text(a.to_owned()));
        q.and(format!("actor_name = {p}"));
    }
    if let Some(r) = record_id {
        let p = q.bind(crate::db::Value::Text(r.to_owned()));
        q.and(format!("record_id = {p}"));
    }
    if let Some(b) = before_seq {
        let p = q.bind(crate::db::Value::Int(b));
        q.and(format!("seq < {p}"));
    }
    let limit = q.bind(crate::db::Value::Int(limit));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT seq, batch, at, actor_id, actor_name, entity, record_id FROM access_log{} \
         ORDER BY seq DESC LIMIT {limit}",
        q.where_clause()
    ));
    Ok(read!(db, |c| {
        crate::db::bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await
    })?)
}

/// The outcome of checking the batch chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub batches: i64,
    pub entries: i64,
    /// The first batch that does not fit, and why.
    pub first_broken: Option<(i64, String)>,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    batch: i64,
    first_seq: i64,
    last_seq: i64,
    written_at: i64,
    prev_hash: String,
    hash: String,
}

/// Walks every batch in order, recomputing its hash from its entries, and reports the first that
/// does not fit (an entry changed, removed or added, a batch removed, the end cut off).
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let (head_batch, head_seq, head_hash): (i64, i64, String) = read!(db, |c| {
        sqlx::query_as("SELECT batch, seq, hash FROM access_head WHERE id = 1")
            .fetch_one(c)
            .await
    })?;
    let mut prev_hash = "0".repeat(64);
    let mut expected_batch = 1;
    let mut expected_seq = 1;
    let broken = |batches: i64, entries: i64, at: i64, why: String| VerifyReport {
        batches,
        entries,
        first_broken: Some((at, why)),
    };
    while expected_batch <= head_batch {
        let rows: Vec<BatchRow> = read!(db, |c| {
            sqlx::query_as(
                "SELECT batch, first_seq, last_seq, written_at, prev_hash, hash FROM access_batches \
                 WHERE batch >= $1 AND batch <= $2 ORDER BY batch LIMIT 200",
            )
            .bind(expected_batch)
            .bind(head_batch)
            .fetch_all(c)
            .await
        })?;
        if rows.is_empty() {
            break;
        }
        for b in rows {
            let (done_batches, done_entries) = (expected_batch - 1, expected_seq - 1);
            if b.batch != expected_batch {
                return Ok(broken(
                    done_batches,
                    done_entries,
                    expected_batch,
                    format!("batch {expected_batch} is missing (next is {})", b.batch),
                ));
            }
            if b.first_seq != expected_seq || b.last_seq < b.first_seq {
                return Ok(broken(
                    done_batches,
                    done_entries,
                    b.batch,
                    "its entries do not follow the previous batch's".into(),
                ));
            }
            if b.prev_hash != prev_hash {
                return Ok(broken(
                    done_batches,
                    done_entries,
                    b.batch,
                    "does not link to the previous batch (prev_hash differs)".into(),
                ));
            }
            let entries: Vec<AccessEntry> = read!(db, |c| {
                sqlx::query_as(
                    "SELECT seq, batch, at, actor_id, actor_name, entity, record_id FROM access_log \
                     WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
                )
                .bind(b.first_seq)
                .bind(b.last_seq)
                .fetch_all(c)
                .await
            })?;
            let complete = entries.len() as i64 == b.last_seq - b.first_seq + 1
                && entries.iter().all(|e| e.batch == b.batch);
            let hash = batch_hash(
                &prev_hash,
                b.batch,
                b.first_seq,
                b.last_seq,
                b.written_at,
                &entries,
            );
            if !complete || hash != b.hash {
                return Ok(broken(
                    done_batches,
                    done_entries,
                    b.batch,
                    "its entries were changed or removed after they were written (hash differs)"
                        .into(),
                ));
            }
            prev_hash = b.hash;
            expected_batch += 1;
            expected_seq = b.last_seq + 1;
        }
    }
    let (batches, entries) = (expected_batch - 1, expected_seq - 1);
    if batches != head_batch || entries != head_seq || prev_hash != head_hash {
        return Ok(broken(
            batches,
            entries,
            batches + 1,
            format!(
                "the chain head names batch {head_batch}, but the log ends at {batches} (batches were removed from the end)"
            ),
        ));
    }
    // Entries beyond the head that belong to no batch were written around the chain (a batch and
    // its entries are committed together, so a batch written meanwhile is never half seen).
    let stray: i64 = read!(db, |c| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_log l WHERE l.seq > $1 AND NOT EXISTS \
             (SELECT 1 FROM access_batches b WHERE b.batch = l.batch AND l.seq BETWEEN b.first_seq AND b.last_seq)",
        )
        .bind(head_seq)
            .fetch_one(c)
            .await
    })?;
    if stray > 0 {
        return Ok(broken(
            batches,
            entries,
            batches + 1,
            format!("{stray} entries belong to no batch"),
        ));
    }
    Ok(VerifyReport {
        batches,
        entries,
        first_broken: None,
    })
}
