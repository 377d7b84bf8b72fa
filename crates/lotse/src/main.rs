//! `lotse`: web server, command-line tools and background jobs in one binary.
//!
//! This file parses the command line and hands each command to its module (`cli` holds the
//! commands and options, `serve`, `accounts`, `exchange`, `jobs` and `bench` what they do).

mod accounts;
mod bench;
mod cli;
mod exchange;
mod jobs;
mod sealed;
mod serve;

use accounts::create_user;
use bench::bench_report;
use cli::*;
use exchange::{export_hsds, import_cases, import_hsds, import_measures, status_report_file};

use std::process::ExitCode;

use clap::Parser;
use lotse_store::{Db, StoreError, audit, copy, reference};

/// Opens the database, migrates it and makes sure the reference data is there.
async fn open(url: &str) -> Result<Db, StoreError> {
    let db = Db::open(url).await?;
    reference::load(&db).await?;
    Ok(db)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, StoreError> {
    let url = cli.database_url();
    match &cli.command {
        Command::Serve(args) => serve::serve(&url, args).await,
        Command::User(UserCommand::Create {
            name,
            org,
            org_kind,
            roles,
            display_name,
            email,
        }) => {
            let db = open(&url).await?;
            create_user(
                &db,
                name,
                org,
                org_kind,
                roles,
                display_name.as_deref(),
                email,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Copy { from, to }) => {
            let source = Db::open(from).await?;
            let target = Db::open(to).await?;
            let report = copy::copy(&source, &target).await?;
            let same = copy::fingerprint(&source).await? == copy::fingerprint(&target).await?;
            println!("copied {} rows in {} tables", report.rows, report.tables);
            if same {
                println!("verified: source and target hold identical data");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "VERIFICATION FAILED: the target differs from the source (was the source written to during the copy?)"
                );
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Db(DbCommand::Migrate) => {
            open(&url).await?;
            println!("schema is at version {}", lotse_store::latest_version());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup {
            file,
            recipients,
            unencrypted,
        } => {
            // Decided before the database is touched: a missing key is named at once.
            let seal = sealed::Seal::choose(recipients, *unencrypted)?;
            let db = Db::open(&url).await?;
            let rows = sealed::backup(&db, file, &seal).await?;
            println!(
                "backup written to {} ({rows} rows, {})",
                file.display(),
                seal.describe()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, identity } => {
            let db = Db::open(&url).await?;
            let (rows, encrypted) = sealed::restore(file, &db, identity.as_deref()).await?;
            println!(
                "restored {rows} rows from {}{}",
                file.display(),
                if encrypted { " (decrypted)" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BackupKey => {
            let (identity, public) = sealed::new_key();
            print!("{identity}");
            eprintln!("public key: {public}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Measures {
            file,
            concept,
            map,
            valid_only,
        }) => {
            let db = open(&url).await?;
            import_measures(&db, file, concept, map, *valid_only).await
        }
        Command::Import(ImportCommand::Cases {
            file,
            case_manager,
            map,
            valid_only,
        }) => {
            let db = open(&url).await?;
            import_cases(&db, file, case_manager, map, *valid_only).await
        }
        Command::Import(ImportCommand::Hsds { path, draft }) => {
            let db = open(&url).await?;
            import_hsds(&db, path, *draft).await
        }
        Command::Export(ExportCommand::Hsds { dir }) => {
            let db = open(&url).await?;
            export_hsds(&db, dir).await
        }
        Command::Report(ReportCommand::Status { round, format, out }) => {
            let db = Db::open(&url).await?;
            status_report_file(&db, round, *format, out).await
        }
        Command::Bench(BenchCommand::Report { measures, runs }) => {
            let url = if cli.database_url.is_some() {
                url.clone()
            } else {
                let dir =
                    std::env::temp_dir().join(format!("lotse-bench-{}", lotse_store::new_id()));
                format!("sqlite://{}", dir.join("bench.db").display())
            };
            let db = open(&url).await?;
            bench_report(&db, *measures, (*runs).max(1)).await
        }
        Command::Bench(BenchCommand::Reads {
            accounts,
            readers,
            seconds,
        }) => {
            let url = if cli.database_url.is_some() {
                url.clone()
            } else {
                let dir =
                    std::env::temp_dir().join(format!("lotse-bench-{}", lotse_store::new_id()));
                format!("sqlite://{}", dir.join("bench.db").display())
            };
            let db = open(&url).await?;
            bench::reads(&db, *accounts, (*readers).max(1), (*seconds).max(1)).await?;
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(DemoCommand::Offers { count, seed }) => {
            let db = open(&url).await?;
            let started = std::time::Instant::now();
            let written = lotse_store::demo_offers::generate(&db, *count, *seed, |n| {
                if n % 10_000 == 0 || n == *count {
                    eprintln!("{n} offers written");
                }
            })
            .await?;
            println!(
                "{written} synthetic offers written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(DemoCommand::Cases { persons, seed }) => {
            let db = open(&url).await?;
            let started = std::time::Instant::now();
            let written = lotse_store::demo_cases::generate(&db, *persons, *seed, |n| {
                if n % 10_000 == 0 || n == *persons {
                    eprintln!("{n} persons written");
                }
            })
            .await?;
            println!(
                "cases of {written} synthetic persons written in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(DemoCommand::Services { families, seed }) => {
            let db = open(&url).await?;
            let w =
                lotse_store::demo_services::generate(&db, *families, *seed, lotse_store::now_ms())
                    .await?;
            println!(
                "{} interpreters, {} requests to the pool, {} families for the school counselling with {} appointments written",
                w.interpreters, w.requests, w.families, w.appointments
            );
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs(command) => jobs::jobs(&url, command).await,
        Command::Retention(RetentionCommand::Run { dry_run }) => {
            let db = Db::open(&url).await?;
            let now = lotse_store::now_ms();
            let today = lotse_store::day_of(now);
            let report = lotse_store::cases::run_retention(&db, today, *dry_run, now).await?;
            let (due, families) =
                lotse_store::school_counselling::run_retention(&db, today, *dry_run, now).await?;
            db.close().await;
            println!("{}", report.summary());
            if *dry_run {
                println!(
                    "Probelauf: {due} Familien der Schulischen Erstberatung wären anonymisiert worden."
                );
            } else {
                println!("{families} Familien der Schulischen Erstberatung anonymisiert.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = Db::open(&url).await?;
            let changes = audit::verify(&db).await?;
            let reads = lotse_store::access_log::verify(&db).await?;
            let mut intact = true;
            match changes.first_broken {
                None => println!("audit log intact: {} entries verified", changes.entries),
                Some(b) => {
                    intact = false;
                    println!(
                        "audit log BROKEN at entry {}: {} ({} entries before it are intact)",
                        b.seq, b.reason, changes.entries
                    );
                }
            }
            match reads.first_broken {
                None => println!(
                    "access log intact: {} reads in {} batches verified",
                    reads.entries, reads.batches
                ),
                Some((batch, reason)) => {
                    intact = false;
                    println!(
                        "access log BROKEN at batch {batch}: {reason} ({} reads in {} batches before it are intact)",
                        reads.entries, reads.batches
                    );
                }
            }
            Ok(if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
