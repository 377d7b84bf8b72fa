//! Scheduled work, in one place: each job is a file here and one entry in [`ALL`]. The mail
//! workflows that a button starts as well live beside them (the round reminders and the offer
//! reminders are both a job and a button on their page).
//!
//! A job runs on its schedule on whichever node gets to it first (on PostgreSQL an advisory lock
//! per job, and the run history in the database says when it last ran on any node), when an
//! administrator presses its button, or by `lotse jobs run NAME`. Every run is kept in the run
//! history (`/admin/jobs`); what a job changes records its own audit events.

mod appointment_reminders;
mod case_figures;
mod deadline_reminders;
mod feedback_purge;
mod finder_misses_purge;
mod handoff_monitor;
mod mail_outbox;
mod offer_reminders;
mod retention;
pub mod round_reminders;
mod session_purge;

use std::time::Duration;

use lotse_store::jobs::{self, Trigger};
use lotse_store::{Actor, Db, StoreError};

use crate::Clock;
use crate::mail::MailConfig;

/// One kind of scheduled work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Stable name: the command line's `lotse jobs run NAME`, the run history's key.
    pub name: &'static str,
    /// What administrators read.
    pub label: &'static str,
    /// How often the schedule runs it.
    pub every: Duration,
    /// Does nothing without a mail server.
    pub needs_mail: bool,
    /// Runs often and mostly finds nothing to do: a scheduled run that did nothing and went well
    /// is not kept in the history.
    pub quiet: bool,
}

/// Every job. Adding one: a file in this folder, a line here and one in [`perform`].
pub const ALL: [Job; 11] = [
    mail_outbox::JOB,
    offer_reminders::JOB,
    round_reminders::JOB,
    deadline_reminders::JOB,
    handoff_monitor::JOB,
    session_purge::JOB,
    retention::JOB,
    case_figures::JOB,
    finder_misses_purge::JOB,
    feedback_purge::JOB,
    appointment_reminders::JOB,
];

pub fn find(name: &str) -> Option<Job> {
    ALL.into_iter().find(|j| j.name == name)
}

/// What a job works with.
pub struct Context<'a> {
    pub db: &'a Db,
    pub mail: Option<&'a MailConfig>,
    pub now: i64,
    /// Today in the district, by the same clock.
    pub today: lotse_domain::Date,
}

/// How a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Everything reached whom it should.
    pub ok: bool,
    /// In German, for the run history and the page that started it.
    pub summary: String,
    /// Mails sent (reminder jobs), rows removed (clean-ups).
    pub count: usize,
}

impl Report {
    fn ok(count: usize, summary: impl Into<String>) -> Report {
        Report {
            ok: true,
            summary: summary.into(),
            count,
        }
    }
}

async fn perform(job: Job, ctx: &Context<'_>) -> Result<Report, StoreError> {
    match job.name {
        offer_reminders::NAME => offer_reminders::run(ctx).await,
        round_reminders::NAME => round_reminders::run(ctx).await,
        deadline_reminders::NAME => deadline_reminders::run(ctx).await,
        handoff_monitor::NAME => handoff_monitor::run(ctx).await,
        mail_outbox::NAME => mail_outbox::run(ctx).await,
        session_purge::NAME => session_purge::run(ctx).await,
        retention::NAME => retention::run(ctx).await,
        case_figures::NAME => case_figures::run(ctx).await,
        finder_misses_purge::NAME => finder_misses_purge::run(ctx).await,
        feedback_purge::NAME => feedback_purge::run(ctx).await,
        appointment_reminders::NAME => appointment_reminders::run(ctx).await,
        other => Err(StoreError::Config(format!("unknown job {other}"))),
    }
}

/// Runs `job` now, keeping its books: `None` if another node is running it at this moment.
pub async fn run(
    job: Job,
    ctx: &Context<'_>,
    trigger: Trigger,
    by: Option<&Actor>,
) -> Result<Option<Report>, StoreError> {
    let Some(lock) = jobs::try_lock(ctx.db, job.name).await? else {
        return Ok(None);
    };
    let id = jobs::start_run(ctx.db, job.name, trigger, by, ctx.now).await?;
    let report = if job.needs_mail && ctx.mail.is_none() {
        Ok(Report {
            ok: false,
            summary: "Es ist kein Mailserver eingerichtet, daher kann Lotse keine E-Mails verschicken. Die Administration richtet ihn beim Start des Servers ein."
                .into(),
            count: 0,
        })
    } else {
        perform(job, ctx).await
    };
    let (ok, summary) = match &report {
        Ok(r) => (r.ok, r.summary.clone()),
        Err(e) => (false, format!("Fehler: {e}")),
    };
    let idle = matches!(&report, Ok(r) if r.ok && r.count == 0);
    if job.quiet && idle && trigger == Trigger::Schedule {
        jobs::discard_run(ctx.db, &id).await?;
    } else {
        jobs::finish_run(ctx.db, &id, ok, &summary, lotse_store::now_ms()).await?;
    }
    lock.release().await?;
    report.map(Some)
}

/// Runs a job because a person pressed its button: their act (audited), the app's clock and mail.
/// A job another node is running at this moment is refused with a message rather than queued.
pub async fn run_by_hand(
    app: &crate::AppState,
    name: &str,
    user: &crate::guard::CurrentUser,
) -> Result<Report, crate::error::AppError> {
    let job = find(name).ok_or(StoreError::NotFound)?;
    let now = app.now();
    let ctx = Context {
        db: &app.db,
        mail: app.config.mail.as_ref(),
        now,
        today: crate::view::day_of(now),
    };
    let actor = user.principal.actor();
    match run(job, &ctx, Trigger::Manual, Some(&actor)).await? {
        Some(report) => Ok(report),
        None => Err(crate::error::AppError::Status(
            axum::http::StatusCode::CONFLICT,
            format!(
                "„{}“ läuft gerade auf einem anderen Server; bitte gleich noch einmal.",
                job.label
            ),
        )),
    }
}

/// Starts the schedule: every minute, each job whose interval has passed since it last started
/// (on any node) runs. Jobs that need mail are left out without a mail server.
pub fn spawn_scheduler(db: Db, mail: Option<MailConfig>, clock: Clock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            for job in ALL {
                if job.needs_mail && mail.is_none() {
                    continue;
                }
                let now = clock.now_ms();
                let every = i64::try_from(job.every.as_millis()).unwrap_or(i64::MAX);
                match jobs::last_started(&db, job.name).await {
                    Ok(Some(last)) if now - last < every => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, job = job.name, "job schedule not read");
                        continue;
                    }
                }
                let ctx = Context {
                    db: &db,
                    mail: mail.as_ref(),
                    now,
                    today: crate::view::day_of(now),
                };
                match run(job, &ctx, Trigger::Schedule, None).await {
                    Ok(Some(r)) if !r.ok => {
                        tracing::warn!(job = job.name, summary = %r.summary, "job run incomplete")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, job = job.name, "job failed"),
                }
            }
        }
    });
}
