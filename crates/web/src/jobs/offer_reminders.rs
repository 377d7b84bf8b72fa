//! Providers of offers not verified for twelve months are reminded to check them: each
//! organisation at most once a month (the store remembers whom it reminded).

use std::time::Duration;

use lotse_store::StoreError;

use super::{Context, Job, Report};

pub const NAME: &str = "offer-reminders";

pub const JOB: Job = Job {
    name: NAME,
    label: "Erinnerung an die Prüfung von Angeboten (12 Monate ungeprüft)",
    every: Duration::from_secs(3600),
    needs_mail: true,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let Some(mail) = ctx.mail else {
        return Ok(Report::ok(0, "Kein Mailserver eingerichtet."));
    };
    let o = remind_overdue(ctx.db, mail, ctx.today, ctx.now).await?;
    let mut summary = format!("{} Erinnerungen verschickt.", o.sent);
    if !o.failed.is_empty() {
        summary.push_str(&format!(" Nicht zugestellt an: {}.", o.failed.join(", ")));
    }
    if !o.unreachable.is_empty() {
        summary.push_str(&format!(
            " Ohne Konto mit E-Mail-Adresse: {}.",
            o.unreachable.join(", ")
        ));
    }
    Ok(Report {
        ok: o.failed.is_empty() && o.unreachable.is_empty(),
        summary,
        count: o.sent,
    })
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReminderOutcome {
    pub sent: usize,
    /// Accounts whose mail could not be delivered.
    pub failed: Vec<String>,
    /// Organisations with overdue offers but no account with an e-mail address to remind.
    pub unreachable: Vec<String>,
}

/// Reminds providers of offers not verified for 12 months: one mail per account that may keep
/// the organisation's offers, listing them. Offers are marked reminded only once a mail went out,
/// so a mail server outage does not swallow a reminder for a month. Used by the button on the
/// offer list and by the hourly job of `lotse serve`.
pub(super) async fn remind_overdue(
    db: &lotse_store::Db,
    mail: &crate::mail::MailConfig,
    today: lotse_domain::Date,
    now: i64,
) -> Result<ReminderOutcome, StoreError> {
    let mut outcome = ReminderOutcome::default();
    for due in lotse_store::offers::due_for_reminder(db, today, now).await? {
        if due.recipients.is_empty() {
            outcome.unreachable.push(due.organisation.clone());
            continue;
        }
        let items: Vec<String> = due
            .offers
            .iter()
            .map(|(_, title, verified)| match verified {
                Some(v) => format!(
                    "- {title} (zuletzt bestätigt am {})",
                    crate::view::date_de(v)
                ),
                None => format!("- {title} (noch nie bestätigt)"),
            })
            .collect();
        let body = format!(
            "Guten Tag,\n\ndiese Angebote von „{}“ im Angebotsverzeichnis des Kreises Warendorf wurden seit mehr als 12 Monaten nicht bestätigt:\n\n{}\n\nBitte melden Sie sich bei Lotse an, öffnen Sie „Angebote“ und bestätigen Sie jedes Angebot mit „Angaben geprüft – noch aktuell“ oder ändern Sie es. Nicht mehr bestehende Angebote ziehen Sie bitte zurück.\n\nMit freundlichen Grüßen\nKommunales Integrationszentrum Kreis Warendorf\n",
            due.organisation,
            items.join("\n")
        );
        let mut delivered = false;
        for (name, email) in &due.recipients {
            match crate::mail::send(mail, email, "Lotse: Bitte Angebote prüfen", body.clone()).await
            {
                Ok(()) => {
                    outcome.sent += 1;
                    delivered = true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, recipient = %name, "offer reminder not sent");
                    outcome.failed.push(name.clone());
                }
            }
        }
        if delivered {
            let ids: Vec<String> = due.offers.iter().map(|(id, _, _)| id.clone()).collect();
            let actor = lotse_store::Actor::system("offer-reminders");
            db.write(async |tx| lotse_store::offers::mark_reminded(tx, &actor, &ids, now).await)
                .await?;
        }
    }
    Ok(outcome)
}
