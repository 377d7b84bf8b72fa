//! The coordination is reminded of spending reports (Verwendungsnachweise) due within 30 days or
//! overdue, each at most once a week.

use std::time::Duration;

use lotse_store::StoreError;

use super::{Context, Job, Report};

pub const NAME: &str = "deadline-reminders";

pub const JOB: Job = Job {
    name: NAME,
    label: "Erinnerung an fällige Verwendungsnachweise",
    every: Duration::from_secs(3600),
    needs_mail: true,
    quiet: false,
};

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let Some(mail) = ctx.mail else {
        return Ok(Report::ok(0, "Kein Mailserver eingerichtet."));
    };
    let (sent, named) = remind_deadlines(ctx.db, mail, ctx.today, ctx.now).await?;
    Ok(Report {
        ok: named == 0 || sent > 0,
        summary: if named > 0 && sent == 0 {
            "Keine Erinnerung zugestellt: kein Konto der Koordination mit E-Mail-Adresse erreichbar."
                .into()
        } else {
            format!("{sent} Erinnerungen zu {named} Nachweisen verschickt.")
        },
        count: sent,
    })
}

/// How far ahead a spending report is announced.
pub const DEADLINE_NOTICE_DAYS: i64 = 30;

/// Mails the coordination about spending reports due within 30 days or overdue, at most once a
/// week per deadline (button on the funding page and the hourly job of `lotse serve`). Returns
/// (mails sent, deadlines named); deadlines are marked only when a mail went out.
pub(super) async fn remind_deadlines(
    db: &lotse_store::Db,
    mail: &crate::mail::MailConfig,
    today: lotse_domain::Date,
    now: i64,
) -> Result<(usize, usize), StoreError> {
    let until = today.add_days(DEADLINE_NOTICE_DAYS).unwrap_or(today);
    let due = lotse_store::funding::due_deadlines(db, until, now).await?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    let lines: Vec<String> = due
        .iter()
        .map(|d| {
            let state = if d.due_on < today {
                "überfällig seit"
            } else {
                "fällig am"
            };
            format!(
                "- {}: {} ({}{}) – {state} {}",
                d.funding_programme,
                d.title,
                d.purpose,
                d.recipient
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default(),
                crate::view::date_de(&d.due_on)
            )
        })
        .collect();
    let body = format!(
        "Guten Tag,\n\ndiese Verwendungsnachweise sind in den nächsten {DEADLINE_NOTICE_DAYS} Tagen fällig oder überfällig:\n\n{}\n\nIn Lotse unter „Förderung“ lässt sich jeder Nachweis als eingereicht markieren.\n\nLotse\n",
        lines.join("\n")
    );
    // Chosen by the database: active accounts with an address in a role that keeps the books.
    let roles: Vec<lotse_domain::Role> = lotse_domain::Role::ALL
        .iter()
        .copied()
        .filter(|r| lotse_domain::policy::allows(*r, lotse_domain::Permission::ManageFunding))
        .collect();
    let recipients: Vec<(String, String)> = lotse_store::users::reachable_with(db, &roles)
        .await?
        .into_iter()
        .map(|u| (u.display_name, u.email))
        .collect();
    let mut sent = 0;
    for (name, email) in &recipients {
        match crate::mail::send(
            mail,
            email,
            "Lotse: Verwendungsnachweise fällig",
            body.clone(),
        )
        .await
        {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(error = %e, recipient = %name, "deadline reminder not sent"),
        }
    }
    if sent > 0 {
        let ids: Vec<String> = due.iter().map(|d| d.id.clone()).collect();
        let actor = lotse_store::Actor::system("deadline-reminders");
        db.write(async |tx| {
            lotse_store::funding::mark_deadlines_reminded(tx, &actor, &ids, now).await
        })
        .await?;
    }
    Ok((sent, due.len()))
}
