//! `lotse`: web server, command-line tools and background jobs in one binary.

mod bench;

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lotse_domain::organisation::OrganisationInput;
use lotse_domain::user::validate_new_password;
use lotse_domain::{FieldErrors, Role};
use lotse_store::users::UserInput;
use lotse_store::{
    Actor, Db, StoreError, audit, copy, demo, now_ms, organisations, password, reference, settings,
    users,
};

/// Lotse – integration management for Kreis Warendorf.
///
/// Every option can also be set as an environment variable (shown in brackets).
#[derive(Parser, Debug)]
#[command(name = "lotse", version, about, long_about = None)]
struct Cli {
    /// Directory for the SQLite database and uploaded files.
    #[arg(
        long,
        env = "LOTSE_DATA_DIR",
        default_value = "./lotse-data",
        global = true
    )]
    data_dir: PathBuf,

    /// Database URL: sqlite://FILE or postgres://USER:PASSWORD@HOST/DB. Default: lotse.db in the data directory.
    #[arg(long, env = "LOTSE_DATABASE_URL", global = true)]
    database_url: Option<String>,

    /// Log format.
    #[arg(long, env = "LOTSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    /// Log filter (tracing syntax), e.g. "info" or "info,lotse_web=debug".
    #[arg(
        long,
        env = "LOTSE_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Database operations.
    #[command(subcommand)]
    Db(DbCommand),
    /// Write a consistent snapshot of the running database to FILE (a SQLite file, for either backend).
    Backup {
        /// The backup file to create; it must not exist yet.
        #[arg(env = "LOTSE_BACKUP_FILE")]
        file: PathBuf,
    },
    /// Restore a backup FILE into the configured database, which must be empty.
    Restore {
        /// A file written by `lotse backup`.
        #[arg(env = "LOTSE_BACKUP_FILE")]
        file: PathBuf,
    },
    /// Audit log operations.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Produce reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Measure performance on synthetic data (results go to docs/benchmarks.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Generate synthetic data into the configured database.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Scheduled work (reminders, clean-ups): list it, or run a job now.
    #[command(subcommand)]
    Jobs(JobsCommand),
}

#[derive(Subcommand, Debug)]
enum JobsCommand {
    /// The jobs, their schedule and their last run.
    List,
    /// Run one job now, whatever its schedule (kept in the run history like every run).
    Run {
        /// The job's name, as `lotse jobs list` shows it.
        name: String,
        /// Mail server for jobs that send mail, e.g. smtp://relay.kreis-warendorf.de:25.
        #[arg(long, env = "LOTSE_SMTP_URL")]
        smtp_url: Option<String>,
        /// Sender address of mail from Lotse.
        #[arg(long, env = "LOTSE_MAIL_FROM", default_value = "lotse@localhost")]
        mail_from: String,
    },
}

#[derive(Subcommand, Debug)]
enum DemoCommand {
    /// Write N synthetic, published offers with texts in all seven finder languages (for
    /// benchmarks of the public finder; flagged fictitious, providers "Anbieter NN (synthetisch)").
    Offers {
        /// Number of offers.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Seed of the generator: the same seed writes the same offers.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Time the committee status report for a closed round with N measures (a temporary SQLite
    /// database unless --database-url points elsewhere, which must then be empty).
    Report {
        /// Number of measures.
        #[arg(long, default_value_t = 1000)]
        measures: usize,
        /// Timed repetitions; the median is reported.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// Reads of protected records (accounts) by concurrent readers, with and without the access
    /// log (a temporary SQLite database unless --database-url points elsewhere).
    Reads {
        /// Number of accounts to read.
        #[arg(long, default_value_t = 10_000)]
        accounts: usize,
        /// Concurrent readers.
        #[arg(long, default_value_t = 64)]
        readers: usize,
        /// Seconds per measurement (four measurements: unlogged, logged, twice).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// The committee status report (Sachstandsbericht) of a closed review round.
    Status {
        /// The round: its id or its title.
        #[arg(long, env = "LOTSE_REPORT_ROUND")]
        round: String,
        /// Output format.
        #[arg(long, env = "LOTSE_REPORT_FORMAT", value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
        /// The file to write.
        #[arg(long, env = "LOTSE_REPORT_OUT")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ReportFormat {
    Html,
    Xlsx,
    Pdf,
    Docx,
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import a measure catalogue (XLSX, or CSV with `;` or `,` in UTF-8) into a concept. The header row is found
    /// even below title rows; recognised headers: Nr./Code, Maßnahme/Titel, Beschreibung,
    /// Handlungsfeld, Federführung/Zuständigkeit, Partner/Beteiligte, Status/Sachstand, Beginn,
    /// Ende, Zielgruppe. Nothing is written if a row is wrong, unless --valid-only is given.
    Measures {
        /// The catalogue file.
        #[arg(env = "LOTSE_IMPORT_FILE")]
        file: PathBuf,
        /// The concept: its short name (e.g. "IK 2010") or id.
        #[arg(long, env = "LOTSE_IMPORT_CONCEPT")]
        concept: String,
        /// Map another header to a field: "Header=field" (fields: code, title, description, field,
        /// lead, partners, status, start, end, target_group). Repeat for several.
        #[arg(long = "map", env = "LOTSE_IMPORT_MAP", value_delimiter = ',')]
        map: Vec<String>,
        /// Import the valid rows and report the others, instead of writing nothing.
        #[arg(long, env = "LOTSE_IMPORT_VALID_ONLY")]
        valid_only: bool,
    },
    /// Import offers from Open Referral HSDS 3.0: a directory with a tabular datapackage
    /// (datapackage.json + CSV files), or a JSON file of services as the HSDS API gives them.
    /// Offers with a known id get a new version, others are created; organisations are matched
    /// by id or name, or created. Nothing is written if anything is wrong.
    Hsds {
        /// The datapackage directory or JSON file.
        #[arg(env = "LOTSE_IMPORT_FILE")]
        path: PathBuf,
        /// Keep the offers as drafts instead of publishing them.
        #[arg(long)]
        draft: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ExportCommand {
    /// Export the published offers as Open Referral HSDS 3.0 into DIR: datapackage.json, one CSV
    /// per table, and services.json (every service fully nested, as the HSDS API gives it).
    Hsds {
        /// The directory to write; created if missing, files in it are replaced.
        dir: PathBuf,
    },
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "LOTSE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Load the fictitious demo data set (organisations and one user per role) and print the logins.
    #[arg(long, env = "LOTSE_DEMO")]
    demo: bool,

    /// Mail server for reminders, e.g. smtp://relay.kreis-warendorf.de:25 (no mail is sent without it).
    #[arg(long, env = "LOTSE_SMTP_URL")]
    smtp_url: Option<String>,

    /// Sender address of mail from Lotse.
    #[arg(long, env = "LOTSE_MAIL_FROM", default_value = "lotse@localhost")]
    mail_from: String,

    /// Mark the session cookie Secure (HTTPS only; browsers also accept it on http://localhost).
    #[arg(long, env = "LOTSE_COOKIE_SECURE", default_value_t = true, action = clap::ArgAction::Set)]
    cookie_secure: bool,

    /// Seconds a client has to send a request's head; idle keep-alive connections close after as long.
    #[arg(long, env = "LOTSE_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    header_timeout: u64,

    /// Open connections per client address (set it higher behind a reverse proxy, whose
    /// connections all come from one address).
    #[arg(long, env = "LOTSE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections_per_client: u64,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account, e.g. the first admin on an empty database. The password is read from
    /// LOTSE_USER_PASSWORD or standard input; without either a random one is generated and printed.
    Create {
        /// Username (lower-case letters, digits, . _ -).
        #[arg(long, env = "LOTSE_USER_NAME")]
        name: String,
        /// Organisation: its id or name. A name that does not exist yet is created.
        #[arg(long, env = "LOTSE_USER_ORG")]
        org: String,
        /// Kind of a newly created organisation (see the organisation kinds).
        #[arg(
            long,
            env = "LOTSE_USER_ORG_KIND",
            default_value = "district_administration"
        )]
        org_kind: String,
        /// Role; repeat for several: admin, coordination, case_manager, partner, immigration_office, school_counsellor, reader.
        #[arg(
            long = "role",
            env = "LOTSE_USER_ROLES",
            value_delimiter = ',',
            required = true
        )]
        roles: Vec<String>,
        /// Display name (default: the username).
        #[arg(long, env = "LOTSE_USER_DISPLAY_NAME")]
        display_name: Option<String>,
        /// E-mail address.
        #[arg(long, env = "LOTSE_USER_EMAIL", default_value = "")]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Copy a whole deployment from one database to another (empty) one, then verify the copy.
    Copy {
        /// Source database URL.
        #[arg(long, env = "LOTSE_COPY_FROM")]
        from: String,
        /// Target database URL; must be empty.
        #[arg(long, env = "LOTSE_COPY_TO")]
        to: String,
    },
    /// Apply pending schema migrations and exit.
    Migrate,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the hash chain of the audit log; exits non-zero and names the first broken entry.
    Verify,
}

fn init_logging(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

impl Cli {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("lotse.db").display()))
    }
}

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
        Command::Serve(args) => serve(&url, args).await,
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
        Command::Backup { file } => {
            let db = Db::open(&url).await?;
            let report = copy::backup(&db, file).await?;
            println!(
                "backup written to {} ({} rows)",
                file.display(),
                report.rows
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file } => {
            let db = Db::open(&url).await?;
            let report = copy::restore(file, &db).await?;
            println!("restored {} rows from {}", report.rows, file.display());
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
        Command::Jobs(command) => jobs(&url, command).await,
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

async fn serve(url: &str, args: &ServeArgs) -> Result<ExitCode, StoreError> {
    let db = open(url).await?;
    if args.demo {
        let logins = demo::load(&db).await?;
        println!(
            "Demo data loaded (all fictitious). Logins, password '{}':",
            demo::DEMO_PASSWORD
        );
        for (username, role) in logins {
            println!("  {username:<16} {}", role.label());
        }
    }
    let demo_loaded = settings::demo_data_loaded(&db).await?;
    let mail = match &args.smtp_url {
        Some(url) => Some(
            lotse_web::mail::MailConfig::from_url(url, &args.mail_from)
                .map_err(StoreError::Config)?,
        ),
        None => None,
    };
    let mail_for_jobs = mail.clone();
    let state = lotse_web::AppState::new(
        db.clone(),
        lotse_web::WebConfig {
            secure_cookies: args.cookie_secure,
            demo: demo_loaded,
            mail,
        },
    );
    // Build the finder's search index before the first visitor asks (it would be built then).
    state.finder.warm(&db).await?;
    let app = lotse_web::app(state);

    // Reminders, clean-ups: the scheduled work (lotse_web::jobs), once per interval in a cluster.
    lotse_web::jobs::spawn_scheduler(db.clone(), mail_for_jobs, lotse_web::Clock::default());

    let limits = server_limits(args);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| StoreError::Config(format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StoreError::Config(e.to_string()))?;
    println!("Lotse is listening on http://{addr}");
    lotse_web::server::serve(listener, app, limits, shutdown_signal()).await;
    tracing::info!("shut down; closing the database");
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// File descriptors kept for the database pool, log and files besides the connections.
const RESERVED_FILES: u64 = 256;

/// The server's connection limits. The file-descriptor limit is raised to the hard limit first
/// (distributions start services with a soft limit of 1,024), and all connections together are
/// kept below it, so that accepting never fails for want of descriptors.
fn server_limits(args: &ServeArgs) -> lotse_web::server::ServerLimits {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "file-descriptor limit not raised");
            1_024
        }
    };
    let total = usize::try_from(files.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(usize::MAX);
    let per_client = usize::try_from(args.max_connections_per_client).unwrap_or(usize::MAX);
    tracing::info!(files, total, per_client, "connection limits");
    lotse_web::server::ServerLimits {
        header_read: Duration::from_secs(args.header_timeout),
        per_client,
        total,
        ..Default::default()
    }
}

/// Finishes in-flight requests on SIGTERM (service managers) or Ctrl-C, then exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing open requests");
}

fn read_password() -> Result<Option<String>, StoreError> {
    if let Ok(p) = std::env::var("LOTSE_USER_PASSWORD") {
        return Ok(Some(p));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| StoreError::Config(format!("cannot read stdin: {e}")))?;
    let line = text.lines().next().unwrap_or("").to_owned();
    Ok((!line.is_empty()).then_some(line))
}

async fn create_user(
    db: &Db,
    username: &str,
    org: &str,
    org_kind: &str,
    roles: &[String],
    display_name: Option<&str>,
    email: &str,
) -> Result<(), StoreError> {
    let actor = Actor::system("cli");
    let existing = organisations::list(db, true)
        .await?
        .into_iter()
        .find(|o| o.id == org || o.name.eq_ignore_ascii_case(org.trim()));
    let (password, generated) = match read_password()? {
        Some(p) => (p, false),
        None => (password::random_token(15)?, true),
    };
    // Everything is validated before anything is written, and the organisation and the account are
    // created in one transaction: a refused account leaves no orphaned organisation behind.
    let new_org = match &existing {
        Some(_) => None,
        None => {
            let vocab = organisations::vocabulary(db).await?;
            let draft = OrganisationInput {
                name: org.into(),
                kind: org_kind.into(),
                ..Default::default()
            }
            .validate(&vocab)?;
            Some(draft)
        }
    };
    let input = UserInput {
        username: username.into(),
        display_name: display_name.unwrap_or(username).into(),
        email: email.into(),
        organisation_id: existing
            .as_ref()
            .map_or_else(|| "(neu)".to_owned(), |o| o.id.clone()),
        roles: roles.to_vec(),
    };
    let mut password_errors = FieldErrors::new();
    validate_new_password(&mut password_errors, "password", &password);
    let mut draft = match input.validate(true) {
        Ok(d) if password_errors.is_empty() => d,
        Ok(_) => return Err(StoreError::Invalid(password_errors)),
        Err(mut e) => {
            for (field, message) in password_errors.iter() {
                e.add(field, message);
            }
            return Err(StoreError::Invalid(e));
        }
    };
    let hash = password::hash(&password)?;
    let mut tx = db.begin().await?;
    if let Some(org_draft) = &new_org {
        draft.organisation_id =
            organisations::create(&mut tx, &actor, org_draft, false, now_ms()).await?;
    }
    users::create(&mut tx, &actor, &draft, &hash, false, now_ms()).await?;
    tx.commit().await?;
    if let Some(org_draft) = &new_org {
        println!("created organisation '{}'", org_draft.name);
    }
    let role_names: Vec<&str> = draft.roles.iter().map(|r: &Role| r.key()).collect();
    println!(
        "created user '{}' with roles {}",
        draft.username,
        role_names.join(", ")
    );
    if generated {
        println!("initial password (shown once, change it after the first login): {password}");
    }
    Ok(())
}

async fn import_measures(
    db: &Db,
    file: &PathBuf,
    concept: &str,
    map: &[String],
    valid_only: bool,
) -> Result<ExitCode, StoreError> {
    use lotse_domain::measure_import::{apply_mapping, data_rows, find_header, read_csv};
    let concept_id = lotse_store::measures::concepts(db)
        .await?
        .into_iter()
        .find(|c| c.id == concept || c.short_name.eq_ignore_ascii_case(concept.trim()))
        .map(|c| c.id)
        .ok_or_else(|| {
            StoreError::Config(format!(
                "no concept '{concept}' (give its short name or id)"
            ))
        })?;
    let bytes = std::fs::read(file)
        .map_err(|e| StoreError::Config(format!("cannot read {}: {e}", file.display())))?;
    let is_xlsx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let rows = if is_xlsx {
        lotse_reports::read_xlsx(&bytes)
    } else {
        read_csv(&bytes)
    }
    .map_err(StoreError::Config)?;
    let (index, mut columns) = find_header(&rows).ok_or_else(|| {
        StoreError::Config("no header row found: it needs a title column (Maßnahme/Titel) and one more known column; use --map".into())
    })?;
    let mapping: Vec<(String, String)> = map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, f)| (h.to_owned(), f.to_owned()))
                .ok_or_else(|| StoreError::Config(format!("--map '{m}': expected Header=field")))
        })
        .collect::<Result<_, _>>()?;
    apply_mapping(&rows[index], &mut columns, &mapping).map_err(StoreError::Config)?;
    let data = data_rows(&rows, index, &columns);
    let mode = if valid_only {
        organisations::ImportMode::ValidRowsOnly
    } else {
        organisations::ImportMode::AllOrNothing
    };
    let report = lotse_store::measure_import::import(
        db,
        &Actor::system("import"),
        &concept_id,
        &data,
        mode,
        now_ms(),
    )
    .await?;
    for e in &report.errors {
        eprintln!("{e}");
    }
    println!(
        "{} rows read, {} measures created ({} organisations and {} fields of action created), {} errors",
        report.rows,
        report.created,
        report.organisations_created,
        report.fields_created,
        report.errors.len()
    );
    if !report.errors.is_empty() && !valid_only {
        println!("nothing was imported; correct the rows or use --valid-only");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

async fn status_report_file(
    db: &Db,
    round: &str,
    format: ReportFormat,
    out: &PathBuf,
) -> Result<ExitCode, StoreError> {
    let id = lotse_store::reviews::rounds(db)
        .await?
        .into_iter()
        .find(|r| r.id == round || r.title.eq_ignore_ascii_case(round.trim()))
        .map(|r| r.id)
        .ok_or_else(|| {
            StoreError::Config(format!("no review round '{round}' (give its id or title)"))
        })?;
    let report = lotse_store::status_report::build(db, &id).await?;
    let bytes = match format {
        ReportFormat::Html => lotse_web::pages::report::document_html(report, now_ms())
            .map_err(|e| StoreError::Config(format!("rendering failed: {e}")))?
            .into_bytes(),
        ReportFormat::Xlsx => lotse_reports::round_xlsx(&report).map_err(StoreError::Config)?,
        ReportFormat::Docx => {
            lotse_reports::status_report_docx(&report).map_err(StoreError::Config)?
        }
        ReportFormat::Pdf => lotse_reports::status_report_pdf(&report, &lotse_web::today())
            .map_err(StoreError::Config)?,
    };
    std::fs::write(out, bytes)
        .map_err(|e| StoreError::Config(format!("cannot write {}: {e}", out.display())))?;
    println!("report written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Synthetic data for the report benchmark: one concept with `n` measures in 8 fields, all
/// reported and accepted in one round, which is then closed.
/// Reads an HSDS datapackage directory (every file it names) or a JSON file of services.
fn read_hsds(path: &Path) -> Result<lotse_domain::hsds::Directory, Vec<String>> {
    use lotse_domain::{hsds, limits};
    // Sizes are checked before a file is read into memory.
    let read = |file: &Path| -> Result<Vec<u8>, Vec<String>> {
        let size = std::fs::metadata(file)
            .map_err(|e| vec![format!("{}: {e}", file.display())])?
            .len();
        if size > limits::EXCHANGE_FILE_BYTES {
            return Err(vec![format!(
                "{}: {} MB; eine Datei darf höchstens {} MB groß sein. Bitte in Teilen austauschen.",
                file.display(),
                size / 1024 / 1024,
                limits::EXCHANGE_FILE_BYTES / 1024 / 1024
            )]);
        }
        std::fs::read(file).map_err(|e| vec![format!("{}: {e}", file.display())])
    };
    if path.is_dir() {
        let mut files = std::collections::BTreeMap::new();
        let entries =
            std::fs::read_dir(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "datapackage.json" || name.ends_with(".csv") {
                files.insert(name, read(&entry.path())?);
            }
        }
        hsds::read_datapackage(&files)
    } else {
        let bytes = read(path)?;
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| vec![format!("{}: kein gültiges JSON ({e}).", path.display())])?;
        hsds::from_service_json(&json)
    }
}

async fn import_hsds(db: &Db, path: &Path, draft: bool) -> Result<ExitCode, StoreError> {
    use lotse_store::offer_exchange;
    let refused = |errors: Vec<String>| {
        eprintln!("Import abgelehnt, nichts wurde geschrieben:");
        for e in errors {
            eprintln!("  {e}");
        }
        Ok(ExitCode::FAILURE)
    };
    let directory = match read_hsds(path) {
        Ok(d) => d,
        Err(errors) => return refused(errors),
    };
    let imported = match offer_exchange::parse(db, &directory).await {
        Ok(i) => i,
        Err(errors) => return refused(errors),
    };
    let save_as = if draft {
        lotse_store::offers::SaveAs::Draft
    } else {
        lotse_store::offers::SaveAs::Published
    };
    let today = lotse_web::today();
    match offer_exchange::import(
        db,
        &lotse_store::scoped::Viewer::system("hsds-import"),
        &imported,
        save_as,
        &today,
        now_ms(),
    )
    .await
    {
        Ok(report) => {
            println!(
                "{} Angebote angelegt, {} aktualisiert ({}), {} Organisationen angelegt",
                report.created,
                report.updated,
                if draft {
                    "als Entwurf"
                } else {
                    "veröffentlicht"
                },
                report.organisations_created
            );
            for s in &report.skipped {
                println!("übersprungen: {s}");
            }
            for n in &report.notes {
                println!("Hinweis: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Invalid(errors)) => {
            refused(errors.iter().map(|(_, m)| m.to_owned()).collect())
        }
        Err(e) => Err(e),
    }
}

async fn export_hsds(db: &Db, dir: &Path) -> Result<ExitCode, StoreError> {
    use lotse_domain::hsds;
    let io = |e: std::io::Error| StoreError::Config(format!("{}: {e}", dir.display()));
    let directory = lotse_store::offer_exchange::export(db, &lotse_web::today()).await?;
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, bytes) in hsds::write_datapackage(&directory).map_err(StoreError::Config)? {
        std::fs::write(dir.join(name), bytes).map_err(io)?;
    }
    let services: Vec<serde_json::Value> = directory
        .rows("service")
        .iter()
        .filter_map(|s| {
            s.get("id")
                .and_then(|id| hsds::service_json(&directory, id))
        })
        .collect();
    let json =
        serde_json::to_vec_pretty(&services).map_err(|e| StoreError::Config(e.to_string()))?;
    std::fs::write(dir.join("services.json"), json).map_err(io)?;
    println!(
        "{} Angebote von {} Organisationen nach {} geschrieben (HSDS 3.0)",
        services.len(),
        directory.rows("organization").len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn bench_report(db: &Db, n: usize, runs: usize) -> Result<ExitCode, StoreError> {
    use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureStatus};
    use lotse_store::reviews::{self, Decision, UpdateInput};
    use std::time::Instant;

    let actor = Actor::system("bench");
    let now = now_ms();
    let setup = Instant::now();
    let vocab = organisations::vocabulary(db).await?;
    let round = db
        .write(async |tx| {
            let concept = lotse_store::measures::create_concept(
                tx,
                &actor,
                &lotse_store::measures::ConceptDraft {
                    short_name: "Bench".into(),
                    title: "Synthetischer Katalog".into(),
                    adopted_on: Some("2020-01-01".into()),
                    description: String::new(),
                },
                true,
                now,
            )
            .await?;
            let mut orgs = Vec::new();
            for i in 0..20 {
                let draft = OrganisationInput {
                    name: format!("Träger {i:02}"),
                    kind: "other".into(),
                    ..Default::default()
                }
                .validate(&vocab)?;
                orgs.push(organisations::create(tx, &actor, &draft, true, now).await?);
            }
            let mut fields = Vec::new();
            for f in 0..8 {
                fields.push(
                    lotse_store::measures::add_field_of_action(
                        tx,
                        &actor,
                        &concept,
                        &format!("Handlungsfeld {f}"),
                        now,
                    )
                    .await?,
                );
            }
            for i in 0..n {
                let draft = MeasureDraft {
                    concept_id: concept.clone(),
                    code: format!("{}.{}", i % 8 + 1, i / 8 + 1),
                    title: format!(
                        "Synthetische Maßnahme Nummer {i} mit einem realistisch langen Titel"
                    ),
                    description: "Beschreibung ".repeat(20),
                    field_of_action_id: Some(fields[i % 8].clone()),
                    lead_organisation_id: Some(orgs[i % 20].clone()),
                    partner_ids: vec![orgs[(i + 1) % 20].clone()],
                    ki_involvement: KiInvolvement::Involved,
                    target_group: "Familien".into(),
                    towns: Vec::new(),
                    planned_start: Some("2021-01-01".into()),
                    planned_end: None,
                    status: MeasureStatus::ALL[i % 6],
                    tags: Vec::new(),
                };
                lotse_store::measures::create(tx, &actor, &draft, true, now).await?;
            }
            let round = reviews::open(
                tx,
                &actor,
                "Bench-Runde",
                "2026-06-30",
                std::slice::from_ref(&concept),
                true,
                now,
            )
            .await?;
            let ids: Vec<String> = reviews::updates_in(tx, &round).await?;
            for (i, id) in ids.iter().enumerate() {
                let input = UpdateInput {
                    status: MeasureStatus::ALL[(i + 1) % 6].key().into(),
                    progress: "Fortschritt im Berichtszeitraum, mehrere Sätze lang. ".repeat(4),
                    adaptation: if i % 10 == 0 {
                        "adjust".into()
                    } else {
                        "none".into()
                    },
                    adaptation_reason: if i % 10 == 0 {
                        "Begründung".into()
                    } else {
                        String::new()
                    },
                    ..Default::default()
                };
                let viewer = lotse_store::scoped::Viewer::system("bench");
                reviews::submit(tx, &viewer, id, &input, now).await?;
                reviews::review(tx, &viewer, id, Decision::Accept, "", None, now).await?;
            }
            reviews::close(tx, &actor, &round, now).await?;
            Ok(round)
        })
        .await?;
    println!(
        "setup: {n} measures reported, accepted and frozen in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut build, mut html, mut xlsx, mut docx, mut pdf) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut sizes = (0, 0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let report = lotse_store::status_report::build(db, &round).await?;
        build.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let x = lotse_reports::round_xlsx(&report).map_err(StoreError::Config)?;
        xlsx.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let d = lotse_reports::status_report_docx(&report).map_err(StoreError::Config)?;
        docx.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let p =
            lotse_reports::status_report_pdf(&report, "2026-01-01").map_err(StoreError::Config)?;
        pdf.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let h = lotse_web::pages::report::document_html(report, now)
            .map_err(|e| StoreError::Config(e.to_string()))?;
        html.push(t.elapsed().as_secs_f64() * 1000.0);
        sizes = (h.len(), x.len(), d.len(), p.len());
    }
    println!("| step ({n} measures, median of {runs}) | ms |");
    println!("|---|---|");
    println!(
        "| build the report from the snapshot | {:.1} |",
        median(build)
    );
    println!(
        "| render standalone HTML ({} KiB) | {:.1} |",
        sizes.0 / 1024,
        median(html)
    );
    println!(
        "| write XLSX ({} KiB) | {:.1} |",
        sizes.1 / 1024,
        median(xlsx)
    );
    println!(
        "| write DOCX ({} KiB) | {:.1} |",
        sizes.2 / 1024,
        median(docx)
    );
    println!(
        "| write PDF/A ({} KiB) | {:.1} |",
        sizes.3 / 1024,
        median(pdf)
    );
    Ok(ExitCode::SUCCESS)
}

async fn jobs(url: &str, command: &JobsCommand) -> Result<ExitCode, StoreError> {
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
