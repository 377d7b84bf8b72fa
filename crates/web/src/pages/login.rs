//! Signing in (password, then a TOTP code where enrolled) and out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::totp;
use lotse_store::login_throttle::Throttle;
use lotse_store::sessions::SecondFactor;
use lotse_store::{login_throttle, password, sessions, users};
use serde::Deserialize;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::{PendingLogin, session_cookie_name, session_token};

/// One message for every failure, so that nobody can find out which usernames exist or are locked.
const LOGIN_FAILED: &str = "Anmeldung fehlgeschlagen. Bitte Benutzername und Passwort prüfen. Nach mehreren Fehlversuchen ist die Anmeldung für 15 Minuten gesperrt.";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    next: &'a str,
    username: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
    demo: bool,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    ok: Option<String>,
}

/// Only local paths are followed after login, never another site.
///
/// Browsers drop tabs and line breaks inside URLs and read `\\` as `/`, so `/\t/evil.example` would
/// become `//evil.example`: only plain visible ASCII path characters are accepted.
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/login")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if local { next } else { "/" }
}

pub async fn form(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if let Some(token) = session_token(&headers, session_cookie_name(app.config.secure_cookies))
        && sessions::lookup(&app.db, token, app.now())
            .await?
            .is_some_and(|s| !s.second_factor_pending)
    {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let notice = match q.ok.as_deref() {
        Some("logout") => Some("Sie sind abgemeldet."),
        Some("expired") => Some("Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an."),
        _ => None,
    };
    render(&LoginPage {
        next: safe_next(&q.next),
        username: "",
        error: None,
        notice,
        demo: app.config.demo,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn session_cookie(app: &AppState, token: &str, max_age_s: i64) -> HeaderValue {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}",
        session_cookie_name(app.config.secure_cookies)
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("lotse_session=; Path=/; Max-Age=0"))
}

pub async fn submit(
    State(app): State<AppState>,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let username: String = f.username.trim().to_lowercase().chars().take(64).collect();
    let now = app.now();
    let locked = login_throttle::is_locked(&app.db, Throttle::Password(&username), now).await?;
    let creds = users::credentials(&app.db, &username).await?;
    // Always hash, also for unknown users and locked accounts: the response time must not tell.
    let stored = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    let typed = f.password;
    let password_ok = password::run(move || password::verify(&stored, &typed)).await?;

    let accepted = match &creds {
        Some(c) if password_ok && c.active && !locked => Some(c),
        _ => None,
    };
    let Some(c) = accepted else {
        app.db
            .write(async |tx| {
                sessions::refuse_password(tx, &username, creds.as_ref(), locked, now).await
            })
            .await?;
        let page = LoginPage {
            next: safe_next(&f.next),
            username: &username,
            error: Some(LOGIN_FAILED),
            notice: None,
            demo: app.config.demo,
        };
        return render_invalid(&page);
    };

    let pending = c.totp_secret.is_some();
    let token = app
        .db
        .write(async |tx| sessions::sign_in(tx, c, now).await)
        .await?;

    let target = if pending {
        format!(
            "/login/totp?next={}",
            crate::view::url_encode(safe_next(&f.next))
        )
    } else {
        safe_next(&f.next).to_owned()
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&app, &token, sessions::ABSOLUTE_TIMEOUT_MS / 1000),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage<'a> {
    username: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

pub async fn totp_form(
    pending: PendingLogin,
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    render(&TotpPage {
        username: &pending.principal.username,
        next: safe_next(&q.next),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn totp_submit(
    State(app): State<AppState>,
    pending: PendingLogin,
    Form(f): Form<TotpForm>,
) -> Result<Response, AppError> {
    let now = app.now();
    let p = &pending.principal;
    let creds = users::credentials_by_id(&app.db, &p.user_id).await?;
    let throttle = Throttle::SecondFactor(&p.user_id);
    let locked = login_throttle::is_locked(&app.db, throttle, now).await?;
    let step = creds
        .totp_secret
        .as_deref()
        .and_then(totp::base32_decode)
        .and_then(|secret| totp::verify(&secret, &f.code, now / 1000, creds.totp_last_step));
    let outcome = app
        .db
        .write(async |tx| sessions::second_factor(tx, p, &pending.session, step, locked, now).await)
        .await?;
    match outcome {
        SecondFactor::Accepted => Ok(Redirect::to(safe_next(&f.next)).into_response()),
        SecondFactor::Locked => Ok(Redirect::to("/login").into_response()),
        SecondFactor::Refused => render_invalid(&TotpPage {
            username: &p.username,
            next: safe_next(&f.next),
            error: Some(
                "Der Code stimmt nicht oder ist abgelaufen. Bitte den aktuellen Code eingeben.",
            ),
        }),
    }
}

pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = session_token(&headers, session_cookie_name(app.config.secure_cookies)) {
        let now = app.now();
        if let Some(s) = sessions::lookup(&app.db, token, now).await? {
            app.db
                .write(async |tx| sessions::sign_out(tx, &s, now).await)
                .await?;
        }
    }
    let mut response = Redirect::to("/login?ok=logout").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&app, "", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/organisations?x=1"), "/organisations?x=1");
        for evil in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/ü",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "javascript:alert(1)",
            "/login",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil}");
        }
    }
}
