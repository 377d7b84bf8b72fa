//! Liveness and readiness for load balancers and monitoring.

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve requests: its database answers.
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
