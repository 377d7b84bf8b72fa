//! Families are reminded of their counselling appointment two days before (decision 0018):
//! the reminder goes into the mail outbox with the calendar entry, once per appointment; an
//! appointment moved later is reminded again.

use std::time::Duration;

use lotse_store::{StoreError, school_counselling};

use super::{Context, Job, Report};

pub const NAME: &str = "appointment-reminders";

pub const JOB: Job = Job {
    name: NAME,
    label: "Familien an ihren Termin zur Schulischen Erstberatung erinnern",
    every: Duration::from_secs(24 * 3600),
    // It only fills the outbox; the outbox job needs the mail server.
    needs_mail: false,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let queued = school_counselling::queue_reminders(ctx.db, ctx.today, ctx.now).await?;
    Ok(Report::ok(
        queued,
        format!(
            "{queued} Erinnerungen an Termine der Schulischen Erstberatung in den Postausgang gelegt."
        ),
    ))
}
