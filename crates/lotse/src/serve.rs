//! `lotse serve`: the web server with its scheduler, until a signal stops it gracefully.

use std::process::ExitCode;
use std::time::Duration;

use lotse_store::{StoreError, demo, settings};

use crate::cli::*;
use crate::open;

/// The address printed on offers' printouts and in their share links: as configured (checked),
/// else the listen address, which outside a demo behind a proxy is rarely what the public
/// reaches, so the start says so.
fn public_url(
    configured: Option<&str>,
    listen: std::net::SocketAddr,
    demo: bool,
) -> Result<String, StoreError> {
    match configured.map(str::trim) {
        Some(url) => {
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok || url.contains(char::is_whitespace) || url.len() < 10 {
                return Err(StoreError::Config(format!(
                    "--public-url „{url}“: erwartet eine Adresse wie https://angebote.kreis-warendorf.de"
                )));
            }
            Ok(url.trim_end_matches('/').to_owned())
        }
        None => {
            if !demo {
                tracing::warn!(
                    "no --public-url (LOTSE_PUBLIC_URL): printouts and share links name http://{listen}"
                );
            }
            Ok(format!("http://{listen}"))
        }
    }
}

pub(crate) async fn serve(url: &str, args: &ServeArgs) -> Result<ExitCode, StoreError> {
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
    let public_url = public_url(args.public_url.as_deref(), args.listen, demo_loaded)?;
    let mail_for_jobs = mail.clone();
    let state = lotse_web::AppState::new(
        db.clone(),
        lotse_web::WebConfig {
            secure_cookies: args.cookie_secure,
            demo: demo_loaded,
            mail,
            public_url,
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
pub(crate) fn server_limits(args: &ServeArgs) -> lotse_web::server::ServerLimits {
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
pub(crate) async fn shutdown_signal() {
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
