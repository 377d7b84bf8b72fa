//! Sessions past their idle or absolute timeout are removed (lookups ignore them anyway; this keeps
//! the table small), and so are notifications read more than [`READ_NOTIFICATIONS_KEPT_DAYS`]
//! ago (the bell's page shows the recent ones; the audit log keeps the acts themselves).

use std::time::Duration;

use lotse_store::{StoreError, sessions};

use super::{Context, Job, Report};

pub const NAME: &str = "session-purge";

pub const JOB: Job = Job {
    name: NAME,
    label: "Abgelaufene Anmeldungen und alte gelesene Benachrichtigungen entfernen",
    every: Duration::from_secs(600),
    needs_mail: false,
    quiet: false,
};

/// How long a read notification stays on the bell's page.
pub const READ_NOTIFICATIONS_KEPT_DAYS: i64 = 90;

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let removed = sessions::purge_expired(ctx.db, ctx.now).await?;
    let removed = usize::try_from(removed).unwrap_or(usize::MAX);
    let read = lotse_store::notifications::purge_read(
        ctx.db,
        ctx.now - READ_NOTIFICATIONS_KEPT_DAYS * 86_400_000,
    )
    .await?;
    Ok(Report::ok(
        removed,
        format!(
            "{removed} abgelaufene Anmeldungen entfernt; {read} alte gelesene Benachrichtigungen entfernt."
        ),
    ))
}
