//! The command line: every command and option, with its environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Lotse – integration management for Kreis Warendorf.
///
/// Every option can also be set as an environment variable (shown in brackets).
#[derive(Parser, Debug)]
#[command(name = "lotse", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Directory for the SQLite database and uploaded files.
    #[arg(
        long,
        env = "LOTSE_DATA_DIR",
        default_value = "./lotse-data",
        global = true
    )]
    pub(crate) data_dir: PathBuf,

    /// Database URL: sqlite://FILE or postgres://USER:PASSWORD@HOST/DB. Default: lotse.db in the data directory.
    #[arg(long, env = "LOTSE_DATABASE_URL", global = true)]
    pub(crate) database_url: Option<String>,

    /// Log format.
    #[arg(long, env = "LOTSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub(crate) log_format: LogFormat,

    /// Log filter (tracing syntax), e.g. "info" or "info,lotse_web=debug".
    #[arg(
        long,
        env = "LOTSE_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub(crate) log: String,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Database operations.
    #[command(subcommand)]
    Db(DbCommand),
    /// Write a consistent snapshot of the running database to FILE (a SQLite file, for either
    /// backend), encrypted in the age format: to --recipient public keys, or with the passphrase
    /// in LOTSE_BACKUP_PASSPHRASE. It holds personal data; --unencrypted writes it in the clear.
    Backup {
        /// The backup file to create; it must not exist yet.
        #[arg(env = "LOTSE_BACKUP_FILE")]
        file: PathBuf,
        /// An age public key (age1…) to encrypt to; several are allowed (comma-separated in the
        /// environment variable).
        #[arg(
            long = "recipient",
            env = "LOTSE_BACKUP_RECIPIENTS",
            value_delimiter = ','
        )]
        recipients: Vec<String>,
        /// Write the backup unencrypted (only into storage that is encrypted itself).
        #[arg(long)]
        unencrypted: bool,
    },
    /// Restore a backup FILE (encrypted or not) into the configured database, which must be empty.
    Restore {
        /// A file written by `lotse backup`.
        #[arg(env = "LOTSE_BACKUP_FILE")]
        file: PathBuf,
        /// The age identity file for a backup encrypted to a public key (else the passphrase in
        /// LOTSE_BACKUP_PASSPHRASE).
        #[arg(long, env = "LOTSE_BACKUP_IDENTITY")]
        identity: Option<PathBuf>,
    },
    /// Make a key pair for encrypted backups: the identity (secret) to stdout, to be kept
    /// offline; its public key, for `lotse backup --recipient`, to stderr.
    BackupKey,
    /// Audit log operations.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Retention of personal data.
    #[command(subcommand)]
    Retention(RetentionCommand),
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
pub(crate) enum JobsCommand {
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
pub(crate) enum DemoCommand {
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
    /// Write cases of N synthetic persons (invented, flagged fictitious), spread over the demo's
    /// case managers (load the demo first).
    Cases {
        /// Number of persons, each with a case.
        #[arg(long, default_value_t = 1000)]
        persons: usize,
        /// Seed of the generator: the same seed writes the same persons.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Write the KI's services with invented data (load the demo first): interpreters of the
    /// pool and requests to it, and N families registered for the first school counselling
    /// over the last four months, with appointments and each child's way so far.
    Services {
        /// Number of families.
        #[arg(long, default_value_t = 40)]
        families: usize,
        /// Seed of the generator: the same seed writes the same families.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum BenchCommand {
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
pub(crate) enum ReportCommand {
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
pub(crate) enum ReportFormat {
    Html,
    Xlsx,
    Pdf,
    Docx,
}

#[derive(Subcommand, Debug)]
pub(crate) enum ImportCommand {
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
    /// Import a case list (XLSX, or CSV with `;` or `,` in UTF-8): a person with a case per row,
    /// taken in by the named case manager, whose cases they become. The header row is found even
    /// below title rows; recognised headers: Name/Familienname, Vorname, Geburtsdatum,
    /// Geschlecht, Staatsangehörigkeit, Sprachen, Dolmetscher, Wohnort, Aufenthaltsstatus,
    /// Rechtskreis, Einreise, Zuzug, Zugangsweg, Beginn. A person already recorded (family name
    /// and birth date) is not taken in again. Nothing is written if a row is wrong, unless
    /// --valid-only is given.
    Cases {
        /// The case list.
        #[arg(env = "LOTSE_IMPORT_FILE")]
        file: PathBuf,
        /// The username of the case manager who takes the persons in.
        #[arg(long = "case-manager", env = "LOTSE_IMPORT_CASE_MANAGER")]
        case_manager: String,
        /// Map another header to a field: "Header=field" (fields: family_name, given_names,
        /// birth_date, gender, nationalities, languages, interpreter_language, town,
        /// residence_status, jurisdiction, arrived_in_germany, arrived_in_district,
        /// access_route, opened_on). Repeat for several.
        #[arg(long = "map", env = "LOTSE_IMPORT_MAP", value_delimiter = ',')]
        map: Vec<String>,
        /// Import the valid rows and report the others, instead of writing nothing.
        #[arg(long, env = "LOTSE_IMPORT_VALID_ONLY")]
        valid_only: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum ExportCommand {
    /// Export the published offers as Open Referral HSDS 3.0 into DIR: datapackage.json, one CSV
    /// per table, and services.json (every service fully nested, as the HSDS API gives it).
    Hsds {
        /// The directory to write; created if missing, files in it are replaced.
        dir: PathBuf,
    },
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "LOTSE_LISTEN", default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,

    /// Load the fictitious demo data set (organisations and one user per role) and print the logins.
    #[arg(long, env = "LOTSE_DEMO")]
    pub(crate) demo: bool,

    /// Mail server for reminders, e.g. smtp://relay.kreis-warendorf.de:25 (no mail is sent without it).
    #[arg(long, env = "LOTSE_SMTP_URL")]
    pub(crate) smtp_url: Option<String>,

    /// The address the public reaches Lotse at, e.g. https://angebote.kreis-warendorf.de: printed
    /// with its QR code on an offer's printout (default: http:// and the listen address).
    #[arg(long, env = "LOTSE_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,

    /// Sender address of mail from Lotse.
    #[arg(long, env = "LOTSE_MAIL_FROM", default_value = "lotse@localhost")]
    pub(crate) mail_from: String,

    /// Mark the session cookie Secure (HTTPS only; browsers also accept it on http://localhost).
    #[arg(long, env = "LOTSE_COOKIE_SECURE", default_value_t = true, action = clap::ArgAction::Set)]
    pub(crate) cookie_secure: bool,

    /// Seconds a client has to send a request's head; idle keep-alive connections close after as long.
    #[arg(long, env = "LOTSE_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) header_timeout: u64,

    /// Open connections per client address (set it higher behind a reverse proxy, whose
    /// connections all come from one address).
    #[arg(long, env = "LOTSE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_connections_per_client: u64,
}

#[derive(Subcommand, Debug)]
pub(crate) enum UserCommand {
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
        /// Role; repeat for several: admin, coordination, case_manager, partner, immigration_office, school_counsellor, interpreter, reader.
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
pub(crate) enum DbCommand {
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
pub(crate) enum RetentionCommand {
    /// Anonymise every person whose cases all closed longer ago than the retention period
    /// (setting `retention_years`, default 3); says what it did.
    Run {
        /// Only count who is due; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the audit log; exits non-zero and names the first broken entry.
    Verify,
}

pub(crate) fn init_logging(cli: &Cli) {
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
    pub(crate) fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("lotse.db").display()))
    }
}
