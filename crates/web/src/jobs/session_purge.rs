//! Sessions past their idle or absolute timeout are removed (lookups ignore them anyway; this keeps
//! the table small).

use std::time::Duration;

use lotse_store::{StoreError, sessions};

use super::{Context, Job, Report};

pub const NAME: &str = "session-purge";

pub const JOB: Job = Job {
    name: NAME,
    label: "Abgelaufene Anmeldungen entfernen",
    every: Duration::from_secs(600),
    needs_mail: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let removed = sessions::purge_expired(ctx.db, ctx.now).await?;
    let removed = usize::try_from(removed).unwrap_or(usize::MAX);
    Ok(Report::ok(
        removed,
        format!("{removed} abgelaufene Anmeldungen entfernt."),
    ))
}
