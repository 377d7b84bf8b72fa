//! Schema migrations. Each version exists once per backend with the same number; the DDL is the only
//! SQL written twice.

use crate::StoreError;
use crate::db::{Backend, Db, now_ms, tx};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "platform",
        sqlite: include_str!("../migrations/sqlite/0001_platform.sql"),
        postgres: include_str!("../migrations/postgres/0001_platform.sql"),
    },
    Migration {
        version: 2,
        name: "measures",
        sqlite: include_str!("../migrations/sqlite/0002_measures.sql"),
        postgres: include_str!("../migrations/postgres/0002_measures.sql"),
    },
    Migration {
        version: 3,
        name: "reviews",
        sqlite: include_str!("../migrations/sqlite/0003_reviews.sql"),
        postgres: include_str!("../migrations/postgres/0003_reviews.sql"),
    },
    Migration {
        version: 4,
        name: "structural_issues",
        sqlite: include_str!("../migrations/sqlite/0004_structural_issues.sql"),
        postgres: include_str!("../migrations/postgres/0004_structural_issues.sql"),
    },
    Migration {
        version: 5,
        name: "bodies",
        sqlite: include_str!("../migrations/sqlite/0005_bodies.sql"),
        postgres: include_str!("../migrations/postgres/0005_bodies.sql"),
    },
    Migration {
        version: 6,
        name: "review_values",
        sqlite: include_str!("../migrations/sqlite/0006_review_values.sql"),
        postgres: include_str!("../migrations/postgres/0006_review_values.sql"),
    },
    Migration {
        version: 7,
        name: "issue_decisions",
        sqlite: include_str!("../migrations/sqlite/0007_issue_decisions.sql"),
        postgres: include_str!("../migrations/postgres/0007_issue_decisions.sql"),
    },
    Migration {
        version: 8,
        name: "offers",
        sqlite: include_str!("../migrations/sqlite/0008_offers.sql"),
        postgres: include_str!("../migrations/postgres/0008_offers.sql"),
    },
    Migration {
        version: 9,
        name: "programmes",
        sqlite: include_str!("../migrations/sqlite/0009_programmes.sql"),
        postgres: include_str!("../migrations/postgres/0009_programmes.sql"),
    },
    Migration {
        version: 10,
        name: "funding",
        sqlite: include_str!("../migrations/sqlite/0010_funding.sql"),
        postgres: include_str!("../migrations/postgres/0010_funding.sql"),
    },
    Migration {
        version: 11,
        name: "access_log",
        sqlite: include_str!("../migrations/sqlite/0011_access_log.sql"),
        postgres: include_str!("../migrations/postgres/0011_access_log.sql"),
    },
    Migration {
        version: 12,
        name: "sort_keys",
        sqlite: include_str!("../migrations/sqlite/0012_sort_keys.sql"),
        postgres: include_str!("../migrations/postgres/0012_sort_keys.sql"),
    },
    Migration {
        version: 13,
        name: "job_runs",
        sqlite: include_str!("../migrations/sqlite/0013_job_runs.sql"),
        postgres: include_str!("../migrations/postgres/0013_job_runs.sql"),
    },
    Migration {
        version: 14,
        name: "unkeyed_revisions",
        sqlite: include_str!("../migrations/sqlite/0014_unkeyed_revisions.sql"),
        postgres: include_str!("../migrations/postgres/0014_unkeyed_revisions.sql"),
    },
    Migration {
        version: 15,
        name: "issue_list_key",
        sqlite: include_str!("../migrations/sqlite/0015_issue_list_key.sql"),
        postgres: include_str!("../migrations/postgres/0015_issue_list_key.sql"),
    },
    Migration {
        version: 16,
        name: "bounded_reads",
        sqlite: include_str!("../migrations/sqlite/0016_bounded_reads.sql"),
        postgres: include_str!("../migrations/postgres/0016_bounded_reads.sql"),
    },
    Migration {
        version: 17,
        name: "dates_and_decision_order",
        sqlite: include_str!("../migrations/sqlite/0017_dates_and_decision_order.sql"),
        postgres: include_str!("../migrations/postgres/0017_dates_and_decision_order.sql"),
    },
    Migration {
        version: 18,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0018_cases.sql"),
        postgres: include_str!("../migrations/postgres/0018_cases.sql"),
    },
    Migration {
        version: 19,
        name: "case_work",
        sqlite: include_str!("../migrations/sqlite/0019_case_work.sql"),
        postgres: include_str!("../migrations/postgres/0019_case_work.sql"),
    },
    Migration {
        version: 20,
        name: "consents_and_shares",
        sqlite: include_str!("../migrations/sqlite/0020_consents_and_shares.sql"),
        postgres: include_str!("../migrations/postgres/0020_consents_and_shares.sql"),
    },
    Migration {
        version: 21,
        name: "subject_rights",
        sqlite: include_str!("../migrations/sqlite/0021_subject_rights.sql"),
        postgres: include_str!("../migrations/postgres/0021_subject_rights.sql"),
    },
    Migration {
        version: 22,
        name: "case_documents",
        sqlite: include_str!("../migrations/sqlite/0022_case_documents.sql"),
        postgres: include_str!("../migrations/postgres/0022_case_documents.sql"),
    },
    Migration {
        version: 23,
        name: "case_conferences",
        sqlite: include_str!("../migrations/sqlite/0023_case_conferences.sql"),
        postgres: include_str!("../migrations/postgres/0023_case_conferences.sql"),
    },
    Migration {
        version: 24,
        name: "person_family_key",
        sqlite: include_str!("../migrations/sqlite/0024_person_family_key.sql"),
        postgres: include_str!("../migrations/postgres/0024_person_family_key.sql"),
    },
    Migration {
        version: 25,
        name: "case_indexes_at_scale",
        sqlite: include_str!("../migrations/sqlite/0025_case_indexes_at_scale.sql"),
        postgres: include_str!("../migrations/postgres/0025_case_indexes_at_scale.sql"),
    },
    Migration {
        version: 26,
        name: "overdue_handoffs",
        sqlite: include_str!("../migrations/sqlite/0026_overdue_handoffs.sql"),
        postgres: include_str!("../migrations/postgres/0026_overdue_handoffs.sql"),
    },
    Migration {
        version: 27,
        name: "case_figure_snapshots",
        sqlite: include_str!("../migrations/sqlite/0027_case_figure_snapshots.sql"),
        postgres: include_str!("../migrations/postgres/0027_case_figure_snapshots.sql"),
    },
    Migration {
        version: 28,
        name: "finder_concepts",
        sqlite: include_str!("../migrations/sqlite/0028_finder_concepts.sql"),
        postgres: include_str!("../migrations/postgres/0028_finder_concepts.sql"),
    },
    Migration {
        version: 29,
        name: "finder_misses",
        sqlite: include_str!("../migrations/sqlite/0029_finder_misses.sql"),
        postgres: include_str!("../migrations/postgres/0029_finder_misses.sql"),
    },
    Migration {
        version: 30,
        name: "accessibility_feedback",
        sqlite: include_str!("../migrations/sqlite/0030_accessibility_feedback.sql"),
        postgres: include_str!("../migrations/postgres/0030_accessibility_feedback.sql"),
    },
    Migration {
        version: 31,
        name: "round_deadlines",
        sqlite: include_str!("../migrations/sqlite/0031_round_deadlines.sql"),
        postgres: include_str!("../migrations/postgres/0031_round_deadlines.sql"),
    },
    Migration {
        version: 32,
        name: "notifications",
        sqlite: include_str!("../migrations/sqlite/0032_notifications.sql"),
        postgres: include_str!("../migrations/postgres/0032_notifications.sql"),
    },
    Migration {
        version: 33,
        name: "interpreter_pool",
        sqlite: include_str!("../migrations/sqlite/0033_interpreter_pool.sql"),
        postgres: include_str!("../migrations/postgres/0033_interpreter_pool.sql"),
    },
    Migration {
        version: 34,
        name: "mail_outbox",
        sqlite: include_str!("../migrations/sqlite/0034_mail_outbox.sql"),
        postgres: include_str!("../migrations/postgres/0034_mail_outbox.sql"),
    },
    Migration {
        version: 35,
        name: "school_counselling",
        sqlite: include_str!("../migrations/sqlite/0035_school_counselling.sql"),
        postgres: include_str!("../migrations/postgres/0035_school_counselling.sql"),
    },
    Migration {
        version: 36,
        name: "school_appointments",
        sqlite: include_str!("../migrations/sqlite/0036_school_appointments.sql"),
        postgres: include_str!("../migrations/postgres/0036_school_appointments.sql"),
    },
    Migration {
        version: 37,
        name: "school_counselling_records",
        sqlite: include_str!("../migrations/sqlite/0037_school_counselling_records.sql"),
        postgres: include_str!("../migrations/postgres/0037_school_counselling_records.sql"),
    },
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Brings the schema up to date, all pending versions in one transaction so that a failure leaves
/// the previous schema intact. Several nodes starting at once on PostgreSQL take an advisory lock
/// so only one of them migrates.
pub async fn migrate(db: &Db) -> Result<(), StoreError> {
    let mut tx = db.begin_exempt().await?;
    let backend = tx.backend();
    tx!(&mut tx, |c| {
        if backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7105417)")
                .execute(&mut *c)
                .await?;
        }
        sqlx::raw_sql(CREATE_TABLE).execute(&mut *c).await?;
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut *c)
            .await?;
        check_not_newer(&applied)?;
        for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            tracing::info!(version = m.version, name = m.name, "applying migration");
            let ddl = match backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(ddl).execute(&mut *c).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *c)
            .await?;
        }
    });
    tx.commit().await?;
    crate::sort_keys::fill(db).await
}

/// An older binary must not run against a newer schema: it would silently ignore new columns.
fn check_not_newer(applied: &[i64]) -> Result<(), StoreError> {
    match applied.iter().max() {
        Some(&v) if v > latest_version() => Err(StoreError::Config(format!(
            "the database has schema version {v}, newer than this program knows ({}); update Lotse",
            latest_version()
        ))),
        _ => Ok(()),
    }
}
