//! The database handle: one enum over SQLite (default) and PostgreSQL (scale-out).
//!
//! Queries are written once in the portable SQL both engines share (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, `TRUE`/`FALSE`) and run through the [`read!`] and [`tx!`] macros, which expand the
//! same code once per backend so each arm is monomorphic. See docs/decisions/0002-storage.md.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolOptions;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Rather than letting writers collide and retry on
/// `SQLITE_BUSY`, all writes go through a pool of exactly one connection and start with
/// `BEGIN IMMEDIATE`; reads use a separate pool and, thanks to WAL, never wait for the writer.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to a pool for reading, once per backend.
macro_rules! read {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(s) => {
                let $c = &s.read;
                $body
            }
            $crate::db::Db::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per backend.
macro_rules! tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

pub(crate) use {read, tx};

/// A value for a query built at run time (filters), bound the same way on both backends.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
}

/// Binds `values` in order onto a `sqlx::query`/`query_as`/`query_scalar` builder.
macro_rules! bind_values {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                $crate::db::Value::Text(s) => q.bind(s.clone()),
                $crate::db::Value::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}
pub(crate) use bind_values;

/// Where the data lives, parsed from a URL: `sqlite://path/to/file.db` or `postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::Config("sqlite: URL without a file path".into()));
            }
            Ok(DatabaseUrl::Sqlite(path.to_owned()))
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL '{url}': use sqlite://FILE or postgres://USER@HOST/DB"
            )))
        }
    }
}

impl Db {
    /// Opens (creating a SQLite file if needed) and migrates the database.
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        Self::open_with(url.parse()?, None).await
    }

    /// Opens a PostgreSQL database using `schema` as the search path (tests isolate themselves
    /// in one schema each).
    pub async fn open_postgres_schema(url: &str, schema: &str) -> Result<Db, StoreError> {
        Self::open_with(DatabaseUrl::Postgres(url.to_owned()), Some(schema)).await
    }

    async fn open_with(url: DatabaseUrl, pg_schema: Option<&str>) -> Result<Db, StoreError> {
        let db = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = std::path::Path::new(&path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let write = PoolOptions::<Sqlite>::new()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await?;
                let read = PoolOptions::<Sqlite>::new()
                    .max_connections(8)
                    .connect_with(options.read_only(true))
                    .await;
                // A read-only connection cannot open a database that does not exist yet, but the
                // writer above has just created it, so this only fails for real I/O problems.
                let read = read?;
                Db::Sqlite(SqliteDb { read, write })
            }
            DatabaseUrl::Postgres(url) => {
                let mut options = PgConnectOptions::from_str(&url)?;
                if let Some(schema) = pg_schema {
                    options = options.options([("search_path", schema)]);
                }
                let pool = PoolOptions::<Postgres>::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                if let Some(schema) = pg_schema {
                    let create = format!(
                        "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                        schema.replace('"', "")
                    );
                    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
                        .execute(&pool)
                        .await?;
                }
                Db::Postgres(pool)
            }
        };
        crate::migrations::migrate(&db).await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a transaction that reads before it writes cannot fail half-way on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(s) => Tx::Sqlite(s.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Runs `f` in a write transaction and commits if it succeeds; on an error nothing is written.
    pub async fn write<T>(
        &self,
        f: impl AsyncFnOnce(&mut Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin().await?;
        let value = f(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Whether the database answers; used by `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        read!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.read.close().await;
                s.write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Milliseconds since the Unix epoch: the one representation of instants in storage.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether an error is a unique-constraint violation (a duplicate name, username, …).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// Whether an error is a foreign-key violation: a referenced row (organisation,
/// measure, meeting, …) does not exist, which callers turn into a field error
/// or a 404 instead of a database error.
pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_foreign_key_violation())
}

/// Turns a foreign-key violation into the caller's error (a field error or a 404); any other
/// database error passes through unchanged.
pub(crate) fn on_missing_reference<T>(
    result: std::result::Result<T, sqlx::Error>,
    error: impl FnOnce() -> crate::StoreError,
) -> crate::Result<T> {
    match result {
        Err(e) if is_foreign_key_violation(&e) => Err(error()),
        other => Ok(other?),
    }
}
