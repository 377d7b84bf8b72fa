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

use crate::access_log::AccessLog;
use crate::{StoreError, audit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a connection pool on one of the two backends, and the access log that records
/// who read protected records (written in the background, see [`crate::access_log`]).
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: Pool,
    pub(crate) access: AccessLog,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
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

pub(crate) enum Conn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction that cannot commit a change without saying what it did.
///
/// Store functions record an [`audit::Event`] for every change they make; the events are hashed
/// into the audit chain and written at [`Tx::commit`], in the same transaction as the change, so a
/// change and its entry are committed together or not at all. A transaction that ran a statement
/// but recorded no event refuses to commit: forgetting the audit is an error, not a convention.
/// Only the store itself can open the few transactions that are exempt (counters, the access
/// log, migrations, restoring a backup), each naming why.
pub struct Tx {
    conn: Conn,
    audit: Audit,
}

enum Audit {
    Required {
        events: Vec<audit::Event>,
        touched: bool,
    },
    Exempt,
}

/// Runs `$body` with `$c` bound to a pool for reading, once per backend.
macro_rules! read {
    ($db:expr, |$c:ident| $body:expr) => {
        match &($db).pool {
            $crate::db::Pool::Sqlite(s) => {
                let $c = &s.read;
                $body
            }
            $crate::db::Pool::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per backend.
macro_rules! tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match ($tx).conn_mut() {
            $crate::db::Conn::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::db::Conn::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// Where a read runs: on the read pool, or inside a write transaction, where it sees the
/// transaction's own changes and the facts a write depends on cannot change under it (a record's
/// values before and after a change, the owner that allows an edit).
pub enum On<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl On<'_> {
    /// The same place again, for the next query of a function that runs several.
    pub fn reborrow(&mut self) -> On<'_> {
        match self {
            On::Db(db) => On::Db(db),
            On::Tx(tx) => On::Tx(tx),
        }
    }
}

impl<'a> From<&'a Db> for On<'a> {
    fn from(db: &'a Db) -> Self {
        On::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for On<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        On::Tx(tx)
    }
}

/// Runs `$body` with `$c` bound to the connection of an [`On`]: a pool or a transaction.
macro_rules! on {
    ($on:expr, |$c:ident| $body:expr) => {
        match $on {
            $crate::db::On::Db(db) => $crate::db::read!(db, |$c| $body),
            $crate::db::On::Tx(tx) => $crate::db::tx!(tx, |$c| $body),
        }
    };
}

pub(crate) use {on, read, tx};

/// A value for a query built at run time (filters), bound the same way on both backends.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    Real(f64),
}

/// Binds `values` in order onto a `sqlx::query`/`query_as`/`query_scalar` builder.
macro_rules! bind_values {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                $crate::db::Value::Text(s) => q.bind(s.clone()),
                $crate::db::Value::Int(i) => q.bind(*i),
                $crate::db::Value::Real(r) => q.bind(*r),
            };
        }
        q
    }};
}
pub(crate) use bind_values;

/// How much JSON one bulk insert carries at most: enough rows that a statement's fixed cost (a
/// round trip; on SQLite a hop to the driver's worker thread) vanishes, few enough that memory
/// stays flat and far below PostgreSQL's limits for one parameter.
const BULK_BYTES: usize = 4 << 20;

/// The statement of a bulk insert: the rows arrive as one JSON array parameter that the database
/// unpacks itself. Binding every value separately instead costs sqlx's SQLite driver the square of
/// the statement's parameter count, and on both backends a statement per handful of rows.
/// PostgreSQL types the values by the table's own row type; SQLite's column affinity does the same.
fn bulk_insert_sql(backend: Backend, table: &str, columns: &[&str]) -> String {
    let list = columns.join(", ");
    match backend {
        Backend::Sqlite => {
            let values: Vec<String> = columns
                .iter()
                .map(|c| format!("j.value ->> '$.{c}'"))
                .collect();
            format!(
                "INSERT INTO {table} ({list}) SELECT {} FROM jsonb_each($1) AS j",
                values.join(", ")
            )
        }
        Backend::Postgres => format!(
            "INSERT INTO {table} ({list}) SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)"
        ),
    }
}

impl Conn {
    /// Inserts `rows`, serialised as JSON objects whose field names are the `columns`, with one
    /// statement per few megabytes. `table` and `columns` are the caller's constants, never input.
    pub(crate) async fn insert_json<T: serde::Serialize>(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: &[T],
    ) -> Result<u64, StoreError> {
        let sql = bulk_insert_sql(self.backend(), table, columns);
        let mut inserted = 0;
        let mut batch = Vec::with_capacity(64 * 1024);
        let mut rows = rows.iter().peekable();
        while let Some(row) = rows.next() {
            batch.push(if batch.is_empty() { b'[' } else { b',' });
            serde_json::to_writer(&mut batch, row)
                .map_err(|e| StoreError::Config(format!("bulk insert into {table}: {e}")))?;
            if batch.len() >= BULK_BYTES || rows.peek().is_none() {
                batch.push(b']');
                let json = String::from_utf8(std::mem::take(&mut batch))
                    .map_err(|e| StoreError::Config(format!("bulk insert into {table}: {e}")))?;
                inserted += tx!(self, |c| {
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                        .bind(json)
                        .execute(&mut *c)
                        .await
                        .map(|r| r.rows_affected())
                })?;
            }
        }
        Ok(inserted)
    }
}

impl Tx {
    /// [`Conn::insert_json`] in an audited transaction (which then needs its events).
    pub(crate) async fn insert_json<T: serde::Serialize>(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: &[T],
    ) -> Result<u64, StoreError> {
        self.conn_mut().insert_json(table, columns, rows).await
    }
}

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
        let pool = match url {
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
                    .busy_timeout(Duration::from_secs(10))
                    // Pages are read through a memory map rather than copied in by `pread`: with
                    // many readers, the copies contended in the kernel (half of all samples of
                    // the staff offer list at 64 connections were spin locks and task switches
                    // under `pread`). The map is address space, shared with the OS page cache.
                    .pragma("mmap_size", "1073741824")
                    // 32 MiB of page cache per connection instead of 2 MiB: a list page and its
                    // bounded count touch a few thousand pages.
                    .pragma("cache_size", "-32768");
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
                Pool::Sqlite(SqliteDb { read, write })
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
                Pool::Postgres(pool)
            }
        };
        let access = AccessLog::start(pool.clone());
        let db = Db { pool, access };
        crate::migrations::migrate(&db).await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction whose changes must be audited (see [`Tx`]). On SQLite it takes
    /// the write lock at once (`BEGIN IMMEDIATE`), so a transaction that reads before it writes
    /// cannot fail half-way on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            conn: self.begin_conn().await?,
            audit: Audit::Required {
                events: Vec::new(),
                touched: false,
            },
        })
    }

    /// A transaction without audit events, for the store's own bookkeeping that records no act of
    /// a person: login counters, the access log's batches, migrations, restoring a backup.
    pub(crate) async fn begin_exempt(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            conn: self.begin_conn().await?,
            audit: Audit::Exempt,
        })
    }

    async fn begin_conn(&self) -> Result<Conn, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(s) => Conn::Sqlite(s.write.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Conn::Postgres(p.begin().await?),
        })
    }

    /// Runs `f` in an audited write transaction and commits if it succeeds; on an error nothing
    /// is written.
    pub async fn write<T>(
        &self,
        f: impl AsyncFnOnce(&mut Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin().await?;
        let value = f(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// [`Db::write`] for the exempt bookkeeping of [`Db::begin_exempt`].
    pub(crate) async fn write_exempt<T>(
        &self,
        f: impl AsyncFnOnce(&mut Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin_exempt().await?;
        let value = f(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// A scheduled clean-up: runs `delete` (a DELETE of rows older than `$1`) with `before`,
    /// outside the audit (nobody's act), and returns how many rows went.
    pub(crate) async fn purge(&self, delete: &'static str, before: i64) -> Result<u64, StoreError> {
        self.write_exempt(async |t| {
            let n = tx!(t, |c| sqlx::query(delete)
                .bind(before)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            Ok(n)
        })
        .await
    }

    /// Whether the database answers; used by `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        read!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The log of reads of protected records.
    /// After a bulk write (an import of thousands of rows), has PostgreSQL look at these tables
    /// again: its planner otherwise keeps the statistics of the smaller table until autovacuum
    /// comes round, and plans the next list as if the table were small (a scan of every row
    /// instead of an index look-up, measured at 20–30 ms instead of under 1 ms per page). SQLite
    /// plans without statistics unless told otherwise: nothing to do there.
    pub async fn refresh_statistics(&self, tables: &[&'static str]) -> Result<(), StoreError> {
        if let Pool::Postgres(p) = &self.pool
            && !tables.is_empty()
        {
            let sql = sqlx::AssertSqlSafe(format!("ANALYZE {}", tables.join(", ")));
            sqlx::query(sql).execute(p).await?;
        }
        Ok(())
    }

    pub fn access_log(&self) -> &AccessLog {
        &self.access
    }

    /// Writes what the access log still holds, then closes the pools.
    pub async fn close(&self) {
        self.access.flush().await;
        match &self.pool {
            Pool::Sqlite(s) => {
                s.read.close().await;
                s.write.close().await;
            }
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Pool {
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Pool::Sqlite(s) => s.write.is_closed(),
            Pool::Postgres(p) => p.is_closed(),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Tx {
    /// A transaction the store opened itself for reading or exempt bookkeeping.
    pub(crate) fn exempt(conn: Conn) -> Tx {
        Tx {
            conn,
            audit: Audit::Exempt,
        }
    }

    /// Records what this transaction did; written into the audit chain at commit.
    pub fn record(&mut self, event: audit::Event) {
        if let Audit::Required { events, .. } = &mut self.audit {
            events.push(event);
        }
    }

    /// Declares that the statements so far changed no row, as their counts showed (an insert that
    /// met an existing row): there is nothing to record. Only for code that has counted.
    pub(crate) fn nothing_changed(&mut self) {
        if let Audit::Required { events, touched } = &mut self.audit
            && events.is_empty()
        {
            *touched = false;
        }
    }

    /// The connection for a statement. Marks an audited transaction as one that must record an
    /// event before it may commit.
    pub(crate) fn conn_mut(&mut self) -> &mut Conn {
        if let Audit::Required { touched, .. } = &mut self.audit {
            *touched = true;
        }
        &mut self.conn
    }

    /// Commits: the recorded events are appended to the audit chain first, in this transaction.
    /// A transaction that changed something without recording an event is rolled back and
    /// reported as [`StoreError::Unaudited`].
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if let Audit::Required { events, touched } = &mut self.audit {
            if events.is_empty() && *touched {
                return Err(StoreError::Unaudited);
            }
            let events = std::mem::take(events);
            audit::append_all(&mut self.conn, &events).await?;
        }
        self.conn.commit().await
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// The tail that locks the rows a SELECT reads until the transaction ends: `FOR UPDATE` on
    /// PostgreSQL; nothing on SQLite, whose write transaction holds the whole database.
    pub fn for_update(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
}

impl Conn {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(t) => t.commit().await?,
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Conn {
        self
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
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

/// The day (in the district's time zone) of an instant in epoch milliseconds: what "today"
/// means for validity (a release valid until a day is valid through that day in Warendorf).
pub fn day_of(ms: i64) -> lotse_domain::Date {
    let now = jiff::Timestamp::from_millisecond(ms).unwrap_or_else(|_| jiff::Timestamp::now());
    let day = match jiff::tz::db().get("Europe/Berlin") {
        Ok(tz) => now.to_zoned(tz).date(),
        Err(_) => now.to_zoned(jiff::tz::TimeZone::UTC).date(),
    };
    u16::try_from(day.year())
        .ok()
        .and_then(|y| {
            lotse_domain::Date::new(y, day.month().unsigned_abs(), day.day().unsigned_abs())
        })
        .unwrap_or(lotse_domain::Date::EARLIEST)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `(…)` for `id IN (…)` over a JSON array of ids bound as `$1`: one parameter for a batch of
/// ids, unpacked by the database.
pub(crate) fn ids_in(tx: &Tx) -> &'static str {
    match tx.backend() {
        Backend::Sqlite => "(SELECT value FROM json_each($1))",
        Backend::Postgres => "(SELECT json_array_elements_text($1::json))",
    }
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
