//! `lotse jobs`: the scheduled work from the command line.

use std::process::ExitCode;

use lotse_store::{Db, StoreError, now_ms};

use crate::cli::*;

pub(crate) async fn jobs(url: &str, command: &JobsCommand) -> Result<ExitCode, StoreError> {
    let db = Db::open(url).await?;
    match command {
        JobsCommand::List => {
            for job in lotse_web::jobs::ALL {
                let last = lotse_store::jobs::runs(&db, Some(job.name), 1).await?.pop();
                let last = last.map_or("never run".to_owned(), |r| {
                    format!(
                        "last run {} ({}): {}",
                        r.started_at,
                        r.outcome.as_deref().unwrap_or("running"),
                        r.summary
                    )
                });
                println!(
                    "{:<20} every {:>5} s  {}\n{:<20} {last}",
                    job.name,
                    job.every.as_secs(),
                    job.label,
                    ""
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Run {
            name,
            smtp_url,
            mail_from,
        } => {
            let Some(job) = lotse_web::jobs::find(name) else {
                let names: Vec<&str> = lotse_web::jobs::ALL.iter().map(|j| j.name).collect();
                eprintln!("unknown job '{name}'; known: {}", names.join(", "));
                return Ok(ExitCode::FAILURE);
            };
            let mail = match smtp_url {
                Some(url) => Some(
                    lotse_web::mail::MailConfig::from_url(url, mail_from)
                        .map_err(StoreError::Config)?,
                ),
                None => None,
            };
            let now = now_ms();
            let ctx = lotse_web::jobs::Context {
                db: &db,
                mail: mail.as_ref(),
                now,
                today: lotse_web::today(),
            };
            let outcome =
                lotse_web::jobs::run(job, &ctx, lotse_store::jobs::Trigger::Command, None).await?;
            db.close().await;
            match outcome {
                None => {
                    eprintln!("{name} is running on another node right now");
                    Ok(ExitCode::FAILURE)
                }
                Some(report) => {
                    println!("{}", report.summary);
                    Ok(if report.ok {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    })
                }
            }
        }
    }
}
