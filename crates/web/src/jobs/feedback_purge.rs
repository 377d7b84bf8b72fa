//! Barrier reports are kept a year after they were handled (decision 0013, as the privacy
//! statement says): the daily clean-up removes older ones, whether or not anyone marks another.

use std::time::Duration;

use lotse_store::{StoreError, accessibility_feedback};

use super::{Context, Job, Report};

pub const NAME: &str = "feedback-purge";

pub const JOB: Job = Job {
    name: NAME,
    label: "Erledigte Meldungen zur Barrierefreiheit nach einem Jahr entfernen",
    every: Duration::from_secs(24 * 3600),
    needs_mail: false,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let removed = accessibility_feedback::prune(ctx.db, ctx.now).await?;
    let removed = usize::try_from(removed).unwrap_or(usize::MAX);
    Ok(Report::ok(
        removed,
        format!("{removed} vor mehr als einem Jahr erledigte Meldungen entfernt."),
    ))
}
