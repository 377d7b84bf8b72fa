//! Lotse's web layer: the staff pages (German, server-rendered, htmx-enhanced), the JSON API under
//! `/api/v1` and the public endpoints.
//!
//! The path of a request: [`routes`] (the table that names each route's permission) → [`guard`]
//! (who is asking, may they) → a handler in [`pages`] or [`api`] → `lotse_store` (which writes the
//! audit entry in the same transaction) → an askama template or JSON.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

pub mod api;
mod assets;
mod charts;
mod csrf;
mod error;
pub mod finder;
pub mod guard;
mod hsds_api;
mod i18n;
pub mod jobs;
pub mod mail;
mod null_bytes;
mod openapi;
pub mod pages;
pub mod public_forms;
pub mod routes;
pub mod server;
mod upload;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use lotse_store::Db;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use routes::{Access, RouteSpec, route_specs};
pub use view::{today, weekday_and_minute};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure`. Off only for plain-HTTP development setups that are not
    /// on localhost (browsers accept Secure cookies on http://localhost and 127.0.0.1).
    pub secure_cookies: bool,
    /// The fictitious demo data set is loaded: every page says so.
    pub demo: bool,
    /// Where reminders are sent through; `None` if no mail server is configured.
    pub mail: Option<mail::MailConfig>,
    /// The address the public reaches Lotse at ("https://angebote.kreis-warendorf.de"), for what
    /// leaves the screen: the QR code and the address on an offer's printout.
    pub public_url: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            demo: false,
            mail: None,
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    /// This node's search index of the published offers.
    pub finder: Arc<finder::Finder>,
    /// Where handlers get the time from.
    pub clock: Clock,
    /// The periods whose case figures this node is counting in the background right now, so
    /// that a second view of the same period waits for that count instead of starting another.
    pub counting:
        Arc<std::sync::Mutex<std::collections::HashSet<(lotse_domain::Date, lotse_domain::Date)>>>,
    /// The submissions of the public forms this node counted in the last hour.
    pub public_forms: Arc<public_forms::PublicLimit>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> Self {
        AppState {
            db,
            config: Arc::new(config),
            finder: Arc::new(finder::Finder::default()),
            clock: Clock::default(),
            counting: Arc::default(),
            public_forms: Arc::default(),
        }
    }

    /// Now, in epoch milliseconds, by this app's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Today in the district, by this app's clock.
    pub fn today(&self) -> lotse_domain::Date {
        view::day_of(self.now())
    }
}

/// The time handlers see: the system clock, or one a test sets, so that a test of a time-based rule
/// (a TOTP step, an expiry) does not race the wall clock.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<std::sync::atomic::AtomicI64>>);

impl Clock {
    /// A clock standing at `ms` until it is set or advanced.
    pub fn fixed(ms: i64) -> Clock {
        Clock(Some(Arc::new(std::sync::atomic::AtomicI64::new(ms))))
    }

    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            None => lotse_store::now_ms(),
            Some(t) => t.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// Moves a fixed clock on (the system clock moves by itself).
    pub fn advance(&self, ms: i64) {
        if let Some(t) = &self.0 {
            t.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[derive(Clone, Default)]
struct UuidRequestId;

impl MakeRequestId for UuidRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application with its middleware, ready to serve.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let security_headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let mut router = routes::router(state)
        .layer(axum::middleware::from_fn(null_bytes::refuse_null_bytes))
        .layer(axum::middleware::from_fn(csrf::reject_cross_origin_writes))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            8 * 1024 * 1024,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                // One INFO line per request (status, latency) inside the span that names the request id.
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
                .make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, UuidRequestId))
}
