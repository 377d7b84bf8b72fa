//! Scheduled work as administrators see it: each job, when it last ran and how, the run history,
//! and a button to run a job now (`crate::jobs`).

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_store::jobs::{self, JobRun, Trigger};

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, NoticeQuery, datetime};

/// Runs shown in the history.
const HISTORY: i64 = 100;

struct JobRow {
    name: &'static str,
    label: &'static str,
    every: String,
    last: String,
    outcome: String,
    summary: String,
    inactive: bool,
}

struct RunRow {
    job: String,
    trigger: &'static str,
    started_by: String,
    started: String,
    duration: String,
    outcome: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    layout: Layout,
    jobs: Vec<JobRow>,
    runs: Vec<RunRow>,
    /// Mails in the outbox not yet sent, and those given up: (given up at, recipient,
    /// subject, last error).
    outbox_waiting: i64,
    outbox_failed: Vec<(String, String, String, String)>,
}

/// Given-up mails listed.
const FAILED_MAILS: i64 = 50;

fn every(d: std::time::Duration) -> String {
    let minutes = d.as_secs() / 60;
    match (minutes / 60, minutes % 60) {
        (0, 1) => "jede Minute".into(),
        (1, 0) => "stündlich".into(),
        (hours, 0) => format!("alle {hours} Stunden"),
        _ => format!("alle {minutes} Minuten"),
    }
}

fn outcome_label(run: &JobRun) -> String {
    match run.outcome.as_deref() {
        Some("ok") => "erfolgreich".into(),
        Some("failed") => "mit Fehlern".into(),
        _ => "läuft (oder abgebrochen)".into(),
    }
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut rows = Vec::new();
    for job in crate::jobs::ALL {
        let last = jobs::runs(&app.db, Some(job.name), 1).await?.pop();
        rows.push(JobRow {
            name: job.name,
            label: job.label,
            every: every(job.every),
            last: last
                .as_ref()
                .map_or("noch nie".into(), |r| datetime(r.started_at)),
            outcome: last.as_ref().map(outcome_label).unwrap_or_default(),
            summary: last.map(|r| r.summary).unwrap_or_default(),
            inactive: job.needs_mail && app.config.mail.is_none(),
        });
    }
    let label_of = |name: &str| {
        crate::jobs::find(name).map_or_else(|| name.to_owned(), |j| j.label.to_owned())
    };
    let runs = jobs::runs(&app.db, None, HISTORY)
        .await?
        .into_iter()
        .map(|r| RunRow {
            job: label_of(&r.job),
            trigger: Trigger::label_of(&r.trigger),
            started_by: r.started_by.clone().unwrap_or_default(),
            started: datetime(r.started_at),
            duration: r
                .finished_at
                .map(|f| crate::view::seconds_de(f - r.started_at))
                .unwrap_or_default(),
            outcome: outcome_label(&r),
            summary: r.summary,
        })
        .collect();
    render(&JobsPage {
        layout: Layout::new(&app, &user, "Hintergrundaufgaben", uri.path())
            .with_notice(q.ok.as_deref()),
        jobs: rows,
        runs,
        outbox_waiting: lotse_store::outbox::waiting(&app.db).await?,
        outbox_failed: lotse_store::outbox::failed(&app.db, FAILED_MAILS)
            .await?
            .into_iter()
            .map(|m| {
                (
                    m.failed_at.map(datetime).unwrap_or_default(),
                    m.recipient,
                    m.subject,
                    m.last_error,
                )
            })
            .collect(),
    })
}

/// The "run now" button: the run is the administrator's act (audited) and kept in the history,
/// whatever its outcome.
pub async fn run(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    crate::jobs::run_by_hand(&app, &name, &user).await?;
    Ok(Redirect::to("/admin/jobs?ok=job_run").into_response())
}
