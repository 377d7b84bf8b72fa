//! Background jobs that must run on one node at a time (reminder mails): on PostgreSQL a
//! transaction-scoped advisory lock decides; SQLite deployments have one node anyway.

use sqlx::{Postgres, Transaction};

use crate::Result;
use crate::db::{Db, Pool};

/// Keys of the jobs that take a lock.
pub const REMINDERS: i64 = 7_105_418;

/// Held while a job runs; [`JobLock::release`] ends it (dropping it does too, a bit later).
pub struct JobLock(Option<Transaction<'static, Postgres>>);

/// The lock of job `key`, or `None` if another node holds it right now.
pub async fn try_lock(db: &Db, key: i64) -> Result<Option<JobLock>> {
    match &db.pool {
        Pool::Sqlite(_) => Ok(Some(JobLock(None))),
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind(key)
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
