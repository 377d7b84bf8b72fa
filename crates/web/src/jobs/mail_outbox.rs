//! Sends what the outbox holds (decision 0017): the confirmations written by the acts that cause
//! them. Every minute, so a confirmation reaches its recipient about a minute after the act; a
//! mail the server refuses is tried again after a growing pause and given up after a few hours
//! of trying, visible on the jobs page. Sent mail is removed after a month (it names people).

use std::time::Duration;

use lotse_store::{StoreError, outbox};

use super::{Context, Job, Report};

pub const NAME: &str = "mail-outbox";

pub const JOB: Job = Job {
    name: NAME,
    label: "E-Mails aus dem Postausgang versenden",
    every: Duration::from_secs(60),
    needs_mail: true,
    quiet: true,
};

/// How many mails one run sends at most; the rest go with the next run.
const BATCH: i64 = 200;

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let Some(mail) = ctx.mail else {
        return Ok(Report::ok(0, "Kein Mailserver eingerichtet."));
    };
    let (mut sent, mut retried, mut given_up) = (0_usize, 0_usize, 0_usize);
    for m in outbox::due(ctx.db, ctx.now, BATCH).await? {
        let result = crate::mail::send_with_calendar(
            mail,
            &m.recipient,
            &m.subject,
            m.body.clone(),
            m.calendar.as_deref(),
        )
        .await;
        match result {
            Ok(()) => {
                outbox::mark_sent(ctx.db, &m.id, lotse_store::now_ms()).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(error = %e, mail = %m.id, "outbox mail not sent");
                if outbox::mark_failed(ctx.db, &m, &e, ctx.now).await? {
                    given_up += 1;
                } else {
                    retried += 1;
                }
            }
        }
    }
    let purged = outbox::purge(ctx.db, ctx.now).await?;
    let mut summary = format!("{sent} E-Mail{} versandt", plural(sent));
    if retried > 0 {
        summary.push_str(&format!(
            ", {retried} nicht zugestellt (wird später erneut versucht)"
        ));
    }
    if given_up > 0 {
        summary.push_str(&format!(
            ", {given_up} nach {} Versuchen aufgegeben",
            outbox::MAX_ATTEMPTS
        ));
    }
    if purged > 0 {
        summary.push_str(&format!(", {purged} ältere entfernt"));
    }
    summary.push('.');
    Ok(Report {
        ok: retried == 0 && given_up == 0,
        summary,
        count: sent,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
