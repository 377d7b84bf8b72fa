#![allow(clippy::panic, clippy::expect_used)]
//! Test support shared by the integration tests of every crate: a fresh database per test, on
//! SQLite and on PostgreSQL (when `LOTSE_TEST_POSTGRES_URL` is set, as CI does).

use crate::db::Pool;
use crate::{Db, new_id};

/// A throw-away database. SQLite lives in a temporary directory that is removed on drop; on
/// PostgreSQL each test gets its own schema (the test script recreates the database per run).
pub struct TestDb {
    pub db: Db,
    pub dir: std::path::PathBuf,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lotse-test-{}", new_id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = temp_dir();
        let url = format!("sqlite://{}", dir.join("lotse.db").display());
        let db = Db::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        TestDb { db, dir }
    }

    /// `None` (and a note on stderr) when no PostgreSQL is configured outside CI; in CI a missing
    /// URL is an error, so the PostgreSQL half of the suite can never be skipped silently.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(url) = std::env::var("LOTSE_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but LOTSE_TEST_POSTGRES_URL is not: the PostgreSQL tests must run in CI"
            );
            eprintln!("LOTSE_TEST_POSTGRES_URL not set: skipping the PostgreSQL variant");
            return None;
        };
        let schema = format!("t_{}", new_id().replace('-', ""));
        let db = Db::open_postgres_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("open {url} schema {schema}: {e}"));
        Some(TestDb {
            db,
            dir: temp_dir(),
        })
    }
}

/// Defines a test that runs once on SQLite and once on PostgreSQL:
/// `both_backends!(name, |db: Db| async move { … });` expands to `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let t = $crate::testing::TestDb::sqlite().await;
                ($body)(t.db.clone()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(t) = $crate::testing::TestDb::postgres().await {
                    ($body)(t.db.clone()).await;
                }
            }
        }
    };
}

/// Runs raw SQL, for tests that must do what the application never does (tamper with the log).
pub async fn raw(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    match &db.pool {
        Pool::Sqlite(s) => sqlx::raw_sql(sql).execute(&s.write).await.map(|_| ()),
        Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
    }
}

/// A number the test reads straight from the tables (`SELECT COUNT(*) …`), with `$1` bound to
/// `param` where the statement has it: for facts no store function reports.
pub async fn count(db: &Db, sql: &str, param: Option<&str>) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let n: Result<i64, sqlx::Error> = match &db.pool {
        Pool::Sqlite(s) => {
            let q = sqlx::query_scalar(sql);
            match param {
                Some(p) => q.bind(p.to_owned()),
                None => q,
            }
            .fetch_one(&s.write)
            .await
        }
        Pool::Postgres(p) => {
            let q = sqlx::query_scalar(sql);
            match param {
                Some(v) => q.bind(v.to_owned()),
                None => q,
            }
            .fetch_one(p)
            .await
        }
    };
    n.unwrap_or_else(|e| panic!("count: {e}"))
}

/// The schema a PostgreSQL test database lives in.
pub async fn current_schema(db: &Db) -> String {
    match &db.pool {
        Pool::Postgres(p) => sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(p)
            .await
            .expect("current_schema"),
        Pool::Sqlite(_) => "main".to_owned(),
    }
}

/// Changes a row the way a store function that forgot its audit event would: for the test that
/// proves such a transaction cannot commit.
pub async fn change_without_event(tx: &mut crate::Tx) -> Result<(), crate::StoreError> {
    crate::db::tx!(tx, |c| sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('unaudited', 'x')"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Holds the audit chain's head (as a writer does at commit) until the transaction ends: for
/// tests that prove readers do not wait for writers.
pub async fn hold_audit_head(db: &Db) -> crate::Tx {
    let mut tx = db.begin().await.expect("begin");
    let sql = match db.backend() {
        crate::Backend::Sqlite => "SELECT seq FROM audit_head WHERE id = 1",
        crate::Backend::Postgres => "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
    };
    let _: i64 = crate::db::tx!(&mut tx, |c| sqlx::query_scalar(sql).fetch_one(c).await)
        .expect("lock the audit head");
    tx
}

/// Gives `user` (of `organisation`) exactly the tie `relationship` to a case, written directly:
/// the access tests generated from the table need every tie for every role, also those the
/// application would refuse to create for that role (a reader as deputy).
pub async fn tie_to_case(
    db: &Db,
    case_id: &str,
    user: &str,
    organisation: &str,
    relationship: lotse_domain::access::Relationship,
    now: i64,
) -> Result<(), crate::StoreError> {
    use lotse_domain::access::Relationship as R;
    let mut tx = db.begin().await?;
    let day = crate::db::day_of(now);
    match relationship {
        // A deputy in the case's own organisation (one elsewhere would need a release, which
        // is a tie of its own).
        R::Deputy => {
            crate::db::tx!(&mut tx, |c| sqlx::query(
                "UPDATE cases SET deputy_user_id = $2, organisation_id = $3 WHERE id = $1"
            )
            .bind(case_id)
            .bind(user)
            .bind(organisation)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        R::SharedToEdit | R::SharedToRead | R::SharedPseudonymised => {
            let access = match relationship {
                R::SharedToEdit => "edit",
                R::SharedToRead => "read",
                _ => "pseudonymous",
            };
            crate::db::tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO case_shares (id, case_id, access, requested_by, to_user_id, to_organisation_id, \
                 needs_release, state, requested_at, answered_at) \
                 SELECT $1, c.id, $2, c.owner_user_id, $3, $4, FALSE, 'accepted', $5, $5 FROM cases c WHERE c.id = $6"
            )
            .bind(crate::db::new_id())
            .bind(access)
            .bind(user)
            .bind(organisation)
            .bind(now)
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        R::Released => {
            crate::db::tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO consents (id, person_id, case_id, purpose, organisation_id, given_on, form, \
                 covers_identity, covers_residence, covers_plan, covers_assessment, created_at, updated_at) \
                 SELECT $1, c.person_id, c.id, 'release', $2, $3, 'written', TRUE, TRUE, TRUE, TRUE, $4, $4 \
                 FROM cases c WHERE c.id = $5"
            )
            .bind(crate::db::new_id())
            .bind(organisation)
            .bind(day)
            .bind(now)
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        R::BreakGlass => {
            crate::db::tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO break_glass_accesses (id, case_id, user_id, reason, opened_at, expires_at) \
                 VALUES ($1, $2, $3, 'Test', $4, $5)"
            )
            .bind(crate::db::new_id())
            .bind(case_id)
            .bind(user)
            .bind(now)
            .bind(now + 30 * 86_400_000)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        R::AssignedCaseManager
        | R::OwnOrganisation
        | R::AssignedInterpreter
        | R::OwnSite
        | R::Other => {}
    }
    tx.record(
        crate::audit::Event::new(
            &crate::Actor {
                user_id: None,
                name: "test:tie".into(),
            },
            now,
            crate::audit::Entity::Case,
            crate::audit::Action::Update,
            case_id,
        )
        .with(serde_json::json!({ "test_tie": format!("{relationship:?}") })),
    );
    tx.commit().await
}

/// A second, open case of an existing person (the application opens a case with a new person
/// at intake; retention must still treat a person with several cases as one).
pub async fn second_open_case(
    db: &Db,
    person_id: &str,
    owner: &str,
    organisation: &str,
) -> Result<String, crate::StoreError> {
    let mut tx = db.begin().await?;
    let id = crate::db::new_id();
    let now = crate::db::now_ms();
    let today = crate::db::day_of(now);
    crate::db::tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO cases (id, person_id, organisation_id, owner_user_id, phase, access_route, opened_on, \
         list_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 'intake', 'self', $5, '', $6, $6)"
    )
    .bind(&id)
    .bind(person_id)
    .bind(organisation)
    .bind(owner)
    .bind(today)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    tx.record(crate::audit::Event::new(
        &crate::Actor {
            user_id: None,
            name: "test:case".into(),
        },
        now,
        crate::audit::Entity::Case,
        crate::audit::Action::Create,
        &id,
    ));
    tx.commit().await?;
    Ok(id)
}
