//! Reminding the organisations that still owe reports in a review round: one mail to each active
//! account of theirs that may report and has an e-mail address, listing the measures and the
//! deadline; recorded in the audit log. Started by the coordination's button on the round page,
//! and by the schedule ([`JOB`]): from a week before a round's submission deadline, once a week
//! while reports are owed and the round is open.

use std::time::Duration;

use lotse_domain::policy::any_allows;
use lotse_domain::{FieldErrors, Permission};
use lotse_store::rounds::{self, Update};
use lotse_store::{Actor, Db, StoreError};

use super::{Context, Job, Report};
use crate::mail::MailConfig;
use crate::view::{date_de, deadline_words};

pub const NAME: &str = "round-reminders";

pub const JOB: Job = Job {
    name: NAME,
    label: "Erinnerung an ausstehende Berichte vor der Abgabefrist einer Überprüfungsrunde",
    every: Duration::from_secs(3600),
    needs_mail: true,
    quiet: false,
};

/// The scheduled reminders: every open round whose deadline is a week away or less (or past)
/// and whose organisations were not reminded by the schedule in the last week.
pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let due = rounds::due_for_reminder(ctx.db, ctx.today, ctx.now).await?;
    let actor = Actor::system(NAME);
    let (mut sent, mut failed, mut named) = (0, Vec::new(), 0);
    for round in &due {
        let outcome =
            remind_missing_reports(ctx.db, ctx.mail, &actor, &round.id, ctx.now, true).await?;
        if outcome.sent > 0 || !outcome.failed.is_empty() {
            named += 1;
        }
        sent += outcome.sent;
        failed.extend(outcome.failed);
    }
    let mut summary = format!("{sent} Erinnerungen zu {named} Überprüfungsrunden verschickt.");
    if !failed.is_empty() {
        summary.push_str(&format!(" Nicht zugestellt an: {}.", failed.join(", ")));
    }
    Ok(Report {
        ok: failed.is_empty(),
        summary,
        count: sent,
    })
}

/// How a reminder went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub sent: usize,
    /// Accounts whose mail could not be delivered (display names).
    pub failed: Vec<String>,
}

/// Refused before anything was sent: the round is closed, or no mail server is set up.
fn refused(message: &str) -> StoreError {
    let mut e = FieldErrors::new();
    e.add("round", message);
    StoreError::Invalid(e)
}

pub async fn remind_missing_reports(
    db: &Db,
    mail: Option<&MailConfig>,
    actor: &Actor,
    round_id: &str,
    now: i64,
    scheduled: bool,
) -> Result<Outcome, StoreError> {
    let round = rounds::round(db, round_id).await?;
    if !round.is_open() {
        return Err(refused("Die Runde ist abgeschlossen."));
    }
    let Some(mail) = mail else {
        return Err(refused(
            "Es ist kein Mailserver eingerichtet, daher kann Lotse keine E-Mails verschicken. Die Administration richtet ihn beim Start des Servers ein.",
        ));
    };
    let open: Vec<Update> = rounds::owed_reports(db, round_id).await?;
    let deadline = round
        .submission_deadline
        .map(|d| {
            format!(
                "Abgabefrist: {} ({}).\n\n",
                date_de(&d),
                deadline_words(d, lotse_store::day_of(now))
            )
        })
        .unwrap_or_default();
    let mut organisations: Vec<&str> = open
        .iter()
        .filter_map(|u| u.organisation_id.as_deref())
        .collect();
    organisations.sort_unstable();
    organisations.dedup();
    let accounts = lotse_store::users::reachable_in(db, &organisations).await?;
    let mut outcome = Outcome::default();
    let mut recipients = Vec::new();
    for org in organisations.iter().copied() {
        let items: Vec<String> = open
            .iter()
            .filter(|u| u.organisation_id.as_deref() == Some(org))
            .map(|u| {
                format!(
                    "- {} {} {} ({})",
                    u.concept,
                    u.code,
                    u.title,
                    u.state_label()
                )
            })
            .collect();
        let body = format!(
            "Guten Tag,\n\nfür die Überprüfung „{}“ (Stichtag {}) fehlen noch Berichte Ihrer Organisation zu diesen Maßnahmen:\n\n{}\n\n{}Bitte melden Sie sich bei Lotse an und wählen Sie „Überprüfungen“.\n\nMit freundlichen Grüßen\nKommunales Integrationszentrum Kreis Warendorf\n",
            round.title,
            date_de(&round.reference_date),
            items.join("\n"),
            deadline
        );
        for account in accounts.iter().filter(|a| {
            a.organisation_id == org && any_allows(&a.roles, Permission::SubmitReviewUpdates)
        }) {
            let subject = match round.submission_deadline {
                Some(d) => format!(
                    "Lotse: Berichte für „{}“ ausstehend, Abgabefrist {}",
                    round.title,
                    date_de(&d)
                ),
                None => format!("Lotse: Berichte für „{}“ ausstehend", round.title),
            };
            match crate::mail::send(mail, &account.email, &subject, body.clone()).await {
                Ok(()) => {
                    outcome.sent += 1;
                    recipients.push(account.id.clone());
                }
                Err(e) => {
                    tracing::warn!(error = %e, user = %account.username, "reminder not sent");
                    outcome.failed.push(account.display_name.clone());
                }
            }
        }
    }
    db.write(async |tx| {
        // The schedule marks its run also when nobody owed anything or nobody was reachable:
        // the next try is next week, not next hour.
        if scheduled {
            rounds::mark_deadline_reminded(tx, round_id, now).await?;
        }
        // The bell says it too, also to accounts without an e-mail address.
        for org in &organisations {
            lotse_store::notifications::notify_organisation(
                tx,
                org,
                Permission::SubmitReviewUpdates,
                &format!(
                    "Erinnerung: Für „{}“ fehlen noch Berichte Ihrer Organisation.{}",
                    round.title,
                    round
                        .submission_deadline
                        .map(|d| format!(
                            " Abgabefrist {} ({}).",
                            date_de(&d),
                            deadline_words(d, lotse_store::day_of(now))
                        ))
                        .unwrap_or_default()
                ),
                &format!("/rounds/{round_id}?state=open#tasks-h"),
                now,
            )
            .await?;
        }
        rounds::record_reminders(tx, actor, round_id, &recipients, outcome.failed.len(), now).await
    })
    .await?;
    Ok(outcome)
}
