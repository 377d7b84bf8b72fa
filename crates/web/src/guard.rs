//! Who is asking, and may they? Runs before every non-public handler (see [`crate::routes`]).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::policy::any_allows;
use lotse_store::users::Principal;
use lotse_store::{api_tokens, sessions};

use crate::routes::Access;
use crate::{AppState, error};

/// The session cookie's name. With `Secure`, the `__Host-` prefix makes browsers refuse a cookie of
/// that name set by any other host (a sibling subdomain cannot plant or shadow a session).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-lotse_session"
    } else {
        "lotse_session"
    }
}

/// The signed-in user of this request, put there by [`check`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub principal: Principal,
    /// The hash of the session token; `None` for API tokens.
    pub session: Option<String>,
    /// Unread notifications: the bell's number on every page (0 for API requests, which have
    /// no bell).
    pub unread: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Only reachable if a route was declared Public but its handler wants a user: a bug.
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(StatusCode::UNAUTHORIZED)
    }
}

/// A session whose password step is done but whose second factor is still outstanding.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub principal: Principal,
    pub session: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PendingLogin {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PendingLogin>()
            .cloned()
            .ok_or(StatusCode::UNAUTHORIZED)
    }
}

pub fn session_token<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

enum Identity {
    Session(sessions::Session),
    Token(Principal),
}

async fn identify(
    app: &AppState,
    headers: &HeaderMap,
    api: bool,
    now: i64,
) -> lotse_store::Result<Option<Identity>> {
    if api && let Some(token) = bearer_token(headers) {
        return Ok(api_tokens::authenticate(&app.db, token, now)
            .await?
            .map(Identity::Token));
    }
    match session_token(headers, session_cookie_name(app.config.secure_cookies)) {
        Some(token) => Ok(sessions::lookup(&app.db, token, now)
            .await?
            .map(Identity::Session)),
        None => Ok(None),
    }
}

fn refuse(api: bool, status: StatusCode, message: &str) -> Response {
    if api {
        error::api_error(status, message)
    } else {
        error::page_error(status, message)
    }
}

pub async fn check(
    State((app, access)): State<(AppState, Access)>,
    mut req: Request,
    next: Next,
) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let identity = match identify(&app, req.headers(), api, app.now()).await {
        Ok(i) => i,
        Err(e) => return error::internal(e, api),
    };
    let (principal, session, pending) = match identity {
        None if api => {
            return refuse(
                true,
                StatusCode::UNAUTHORIZED,
                "Anmeldung erforderlich (im Browser angemeldet oder mit API-Token).",
            );
        }
        None => {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = if next == "/" {
                "/login".to_owned()
            } else {
                format!("/login?next={}", crate::view::url_encode(next))
            };
            return Redirect::to(&target).into_response();
        }
        Some(Identity::Token(p)) => (p, None, false),
        Some(Identity::Session(s)) => (s.principal, Some(s.token_hash), s.second_factor_pending),
    };

    if access == Access::SecondFactor {
        if !pending {
            return Redirect::to("/").into_response();
        }
        if let Some(session) = session {
            req.extensions_mut()
                .insert(PendingLogin { principal, session });
        }
        return private(next.run(req).await);
    }
    if pending {
        return if api {
            refuse(true, StatusCode::UNAUTHORIZED, "Zweiter Faktor ausstehend.")
        } else {
            Redirect::to("/login/totp").into_response()
        };
    }
    if access != Access::Enrolment && principal.second_factor_required && !principal.totp_enabled {
        return if api {
            refuse(
                true,
                StatusCode::FORBIDDEN,
                "Für dieses Konto ist ein zweiter Faktor (TOTP) vorgeschrieben; bitte zuerst einrichten.",
            )
        } else {
            Redirect::to("/account/totp?required=1").into_response()
        };
    }
    if let Access::Permission(p) = access
        && !any_allows(&principal.roles, p)
    {
        tracing::info!(user = %principal.username, path = %path, "access refused");
        return refuse(
            api,
            StatusCode::FORBIDDEN,
            "Dafür fehlt Ihrer Rolle die Berechtigung.",
        );
    }
    // Counted for pages only, along an index (user, read, time).
    let unread = if api || session.is_none() {
        0
    } else {
        match lotse_store::notifications::unread_count(&app.db, &principal.user_id).await {
            Ok(n) => n,
            Err(e) => return error::internal(e, api),
        }
    };
    req.extensions_mut().insert(CurrentUser {
        principal,
        session,
        unread,
    });
    private(next.run(req).await)
}

/// Pages behind the login hold personal or secret data (a TOTP key, a token shown once): no
/// browser or proxy may keep a copy, so Back after logout on a shared office PC shows nothing.
fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
