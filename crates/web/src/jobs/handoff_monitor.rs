//! The hand-off monitor's daily mail (decision 0012, slice 5): each case manager hears about
//! every hand-off of their cases on the day it passes its target, once. The mail names the
//! pseudonym and the type only: mail is no place for names or health data; the link leads to
//! Lotse, where the case manager signs in.

use std::collections::BTreeMap;
use std::time::Duration;

use lotse_domain::case::HandoffType;
use lotse_store::StoreError;
use lotse_store::cases::{self, UntoldHandoff};

use super::{Context, Job, Report};

pub const NAME: &str = "handoff-monitor";

pub const JOB: Job = Job {
    name: NAME,
    label: "Überfällige Übergaben an die Fallmanagerinnen und Fallmanager melden",
    every: Duration::from_secs(3600),
    needs_mail: true,
    quiet: false,
};

/// At most this many hand-offs per run; the next run takes the rest.
const BATCH: i64 = 5000;

pub async fn run(ctx: &Context<'_>) -> Result<Report, StoreError> {
    let Some(mail) = ctx.mail else {
        return Ok(Report::ok(0, "Kein Mailserver eingerichtet."));
    };
    let untold = cases::untold_overdue_handoffs(ctx.db, ctx.today, BATCH).await?;
    let mut by_owner: BTreeMap<String, Vec<UntoldHandoff>> = BTreeMap::new();
    for h in untold {
        by_owner.entry(h.owner_user_id.clone()).or_default().push(h);
    }
    let (mut sent, mut unreachable) = (0usize, 0usize);
    let mut told = Vec::new();
    for handoffs in by_owner.values() {
        let Some(first) = handoffs.first() else {
            continue;
        };
        if first.owner_email.trim().is_empty() {
            unreachable += 1;
            continue;
        }
        let lines: Vec<String> = handoffs
            .iter()
            .map(|h| {
                format!(
                    "- {}: {} – Zielzeit bis {} (Fall /cases/{})",
                    h.pseudonym,
                    HandoffType::parse(&h.handoff_type).map_or("", HandoffType::label),
                    crate::view::date_de(&h.due_on),
                    h.case_id
                )
            })
            .collect();
        let body = format!(
            "Guten Tag {},\n\ndiese Übergaben in Ihren Fällen haben ihre Zielzeit überschritten:\n\n{}\n\nDie Namen stehen in Lotse auf Ihrer Übersicht.\n\nLotse\n",
            first.owner_name,
            lines.join("\n")
        );
        match crate::mail::send(
            mail,
            &first.owner_email,
            "Lotse: Übergaben überfällig",
            body,
        )
        .await
        {
            Ok(()) => {
                sent += 1;
                told.extend(handoffs.iter().map(|h| (h.case_id.clone(), h.id.clone())));
            }
            Err(e) => {
                tracing::warn!(error = %e, recipient = %first.owner_name, "hand-off notice not sent")
            }
        }
    }
    if !told.is_empty() {
        let actor = lotse_store::Actor::system(NAME);
        let (today, now) = (ctx.today, ctx.now);
        ctx.db
            .write(async |tx| cases::mark_handoffs_told(tx, &actor, &told, today, now).await)
            .await?;
    }
    Ok(Report {
        ok: unreachable == 0,
        summary: if unreachable > 0 {
            format!(
                "{sent} Meldungen verschickt; {unreachable} Fallmanager ohne E-Mail-Adresse nicht erreicht."
            )
        } else {
            format!(
                "{sent} Meldungen zu {} überfälligen Übergaben verschickt.",
                told.len()
            )
        },
        count: sent,
    })
}
