//! What the scheduled work needs from storage: a lock so that a job runs on one node at a time,
//! and the run history every node reads to know when a job is next due.
//!
//! The jobs themselves (what a reminder says, whom it goes to) live with the web crate's mail, in
//! `lotse_web::jobs`; this module only keeps their books.

use sqlx::{Postgres, Transaction};

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Pool, Tx, read, tx};
use crate::{Result, new_id};

/// Held while a job runs; [`JobLock::release`] ends it (dropping it does too, a bit later).
pub struct JobLock(Option<Transaction<'static, Postgres>>);

/// A lock key per job name: the first eight bytes of its SHA-256 (stable across versions and
/// nodes, unlike a hasher's seed).
fn key_of(job: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("lotse-job:{job}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// The lock of job `job`, or `None` if another node holds it right now. On PostgreSQL a
/// transaction-scoped advisory lock decides; SQLite deployments have one node anyway.
pub async fn try_lock(db: &Db, job: &str) -> Result<Option<JobLock>> {
    match &db.pool {
        Pool::Sqlite(_) => Ok(Some(JobLock(None))),
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind(key_of(job))
                .fetch_one(&mut *tx)
                .await?;
            Ok(got.then_some(JobLock(Some(tx))))
        }
    }
}

impl JobLock {
    pub async fn release(self) -> Result<()> {
        if let Some(tx) = self.0 {
            tx.rollback().await?;
        }
        Ok(())
    }
}

/// Why a job ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    /// A person pressed the button (named in `started_by`).
    Manual,
    /// `lotse jobs run NAME`.
    Command,
}

impl Trigger {
    pub fn key(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
            Trigger::Command => "command",
        }
    }

    pub fn label_of(key: &str) -> &'static str {
        match key {
            "schedule" => "planmäßig",
            "manual" => "von Hand",
            "command" => "Kommandozeile",
            _ => "",
        }
    }
}

/// One run of a job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRun {
    pub id: String,
    pub job: String,
    pub trigger: String,
    pub started_by: Option<String>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// "ok" or "failed"; `None` while running (or if the node died during the run).
    pub outcome: Option<String>,
    pub summary: String,
}

/// Notes that a run begins; returns its id. A run someone started by hand is their act and is
/// audited (`job`, `run`); a scheduled run is the scheduler's bookkeeping (what the job changes
/// records its own audit events).
pub async fn start_run(
    db: &Db,
    job: &str,
    trigger: Trigger,
    by: Option<&Actor>,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let insert = async |tx: &mut Tx| -> Result<()> {
        tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO job_runs (id, job, trigger, started_by, started_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&id)
        .bind(job)
        .bind(trigger.key())
        .bind(by.map(|a| a.name.as_str()))
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    };
    match by {
        Some(actor) => {
            db.write(async |tx| {
                insert(tx).await?;
                tx.record(
                    Event::new(actor, now, Entity::Job, Action::Run, job)
                        .with(serde_json::json!({ "trigger": trigger.key() })),
                );
                Ok(())
            })
            .await?
        }
        None => db.write_exempt(async |tx| insert(tx).await).await?,
    }
    Ok(id)
}

/// Notes how a run ended.
pub async fn finish_run(db: &Db, id: &str, ok: bool, summary: &str, now: i64) -> Result<()> {
    db.write_exempt(async |tx| {
        tx!(tx, |c| sqlx::query(
            "UPDATE job_runs SET finished_at = $2, outcome = $3, summary = $4 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .bind(if ok { "ok" } else { "failed" })
        .bind(summary)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    })
    .await
}

/// Forgets a run that did nothing: the outbox looks every minute, and a history of 1,440 empty
/// runs a day would bury the runs that matter.
pub async fn discard_run(db: &Db, id: &str) -> Result<()> {
    db.write_exempt(async |tx| {
        tx!(tx, |c| sqlx::query("DELETE FROM job_runs WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    })
    .await
}

/// When `job` last started, on any node.
pub async fn last_started(db: &Db, job: &str) -> Result<Option<i64>> {
    Ok(read!(db, |c| {
        sqlx::query_scalar("SELECT MAX(started_at) FROM job_runs WHERE job = $1")
            .bind(job)
            .fetch_one(c)
            .await
    })?)
}

/// The newest runs, of one job or all, newest first.
pub async fn runs(db: &Db, job: Option<&str>, limit: i64) -> Result<Vec<JobRun>> {
    const COLUMNS: &str = "SELECT id, job, trigger, started_by, started_at, finished_at, outcome, summary FROM job_runs";
    Ok(match job {
        Some(job) => read!(db, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{COLUMNS} WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
            )))
            .bind(job)
            .bind(limit)
            .fetch_all(c)
            .await
        })?,
        None => read!(db, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{COLUMNS} ORDER BY started_at DESC, id DESC LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(c)
            .await
        })?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_keys_differ_per_job_and_stay_put() {
        assert_ne!(super::key_of("a"), super::key_of("b"));
        assert_eq!(super::key_of("a"), super::key_of("a"));
    }
}
