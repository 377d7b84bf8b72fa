//! Keeps the case figures of the periods the statistics page offers counted ahead (decision
//! 0012, "Case figures are served from snapshots"), so that in a large district the page
//! answers at once; and removes the snapshots of periods nobody looks at any more.

use std::time::Duration;

use lotse_store::StoreError;
use lotse_store::statistics::snapshots;

use super::{Context, Job, Report};

pub const NAME: &str = "case-figures";

pub const JOB: Job = Job {
    name: NAME,
    label: "Fallstatistik vorausberechnen",
    // Every five minutes it looks; it counts only periods whose snapshot is older than
    // `snapshots::FRESH_FOR_MS` (a day for periods that had ended).
    every: Duration::from_secs(300),
    needs_mail: false,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let mut counted = Vec::new();
    for (label, from, to) in snapshots::usual_periods(ctx.today) {
        // A cheap count is counted again each time: it costs nothing, and a district that
        // has grown (an import, the generator) gets a snapshot views are served from at once.
        let current = snapshots::stored(ctx.db, from, to).await?;
        if current.is_some_and(|s| s.worth_keeping() && !s.is_stale(ctx.now)) {
            continue;
        }
        let s = snapshots::count_and_keep(ctx.db, from, to, ctx.now).await?;
        counted.push(format!("{label} ({} ms)", s.took_ms));
    }
    let removed = snapshots::prune(ctx.db, ctx.now).await?;
    let summary = if counted.is_empty() {
        "Alle Zeiträume sind aktuell gezählt.".to_owned()
    } else {
        format!("Gezählt: {}.", counted.join(", "))
    };
    let summary = if removed > 0 {
        format!("{summary} {removed} nicht mehr gefragte Zeiträume entfernt.")
    } else {
        summary
    };
    Ok(Report::ok(counted.len(), summary))
}
