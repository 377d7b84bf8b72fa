//! Personal data is kept only as long as needed: persons whose cases all closed longer ago than
//! the retention period (setting `retention_years`, default 3) are anonymised, keeping what the
//! figures count (decision 0012, slice 7), and so are families of the school counselling whose
//! children all reached the end of their way (decision 0018). `lotse retention run` does the
//! same by hand.

use std::time::Duration;

use lotse_store::{StoreError, cases, school_counselling};

use super::{Context, Job, Report};

pub const NAME: &str = "retention";

pub const JOB: Job = Job {
    name: NAME,
    label: "Abgeschlossene Fälle und Erstberatungen nach der Aufbewahrungsfrist anonymisieren",
    every: Duration::from_secs(24 * 3600),
    needs_mail: false,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let report = cases::run_retention(ctx.db, ctx.today, false, ctx.now).await?;
    let (_, families) =
        school_counselling::run_retention(ctx.db, ctx.today, false, ctx.now).await?;
    Ok(Report::ok(
        report.anonymised + families,
        format!(
            "{} {families} Familien der Schulischen Erstberatung anonymisiert.",
            report.summary()
        ),
    ))
}
