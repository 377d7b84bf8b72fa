//! Searches that found nothing are kept for the editors only as long as people keep searching
//! for them (decision 0013): terms nobody searched for in 90 days are removed.

use std::time::Duration;

use lotse_store::{StoreError, finder_misses};

use super::{Context, Job, Report};

pub const NAME: &str = "finder-misses-purge";

pub const JOB: Job = Job {
    name: NAME,
    label: "Alte nicht gefundene Suchen entfernen",
    every: Duration::from_secs(24 * 3600),
    needs_mail: false,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let removed = finder_misses::prune(ctx.db, ctx.now).await?;
    let removed = usize::try_from(removed).unwrap_or(usize::MAX);
    Ok(Report::ok(
        removed,
        format!("{removed} seit 90 Tagen nicht mehr gesuchte Begriffe entfernt."),
    ))
}
