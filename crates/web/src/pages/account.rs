//! The signed-in user's own account: password, second factor, API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::FieldErrors;
use lotse_domain::totp;
use lotse_domain::user::validate_new_password;
use lotse_store::login_throttle::Throttle;
use lotse_store::{StoreError, api_tokens, login_throttle, password, sessions, users};
use serde::Deserialize;

use super::{render, render_invalid};
use lotse_domain::ids::{TokenId, UserId};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, datetime, opt_datetime};

pub struct TokenRow {
    id: String,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    roles: String,
    totp_enabled: bool,
    totp_required: bool,
    tokens: Vec<TokenRow>,
    token_name: String,
    errors: FormErrors,
}

async fn account_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    errors: FormErrors,
    token_name: String,
) -> Result<AccountPage, AppError> {
    let tokens = api_tokens::list_for_user(&app.db, &user.principal.user_id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            created: datetime(t.created_at),
            last_used: opt_datetime(t.last_used_at),
            revoked: t.revoked_at.is_some(),
            id: t.id,
            name: t.name,
            prefix: t.prefix,
        })
        .collect();
    Ok(AccountPage {
        layout: Layout::new(app, user, "Mein Konto", path),
        username: user.principal.username.clone(),
        roles: user
            .principal
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", "),
        totp_enabled: user.principal.totp_enabled,
        totp_required: user.principal.second_factor_required,
        tokens,
        token_name,
        errors,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut page = account_page(&app, &user, uri.path(), FormErrors::none(), String::new()).await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

const WRONG_PASSWORD: &str = "Das bisherige Passwort stimmt nicht (nach mehreren Fehlversuchen ist die Prüfung 15 Minuten gesperrt).";

/// Re-checks the signed-in user's password before a security change. Failures count towards the
/// same lock as failed logins, so a stolen session cannot be used to guess the password.
async fn confirm_password(
    app: &AppState,
    user: &CurrentUser,
    typed: &str,
) -> Result<bool, AppError> {
    let now = app.now();
    let username = &user.principal.username;
    let creds = users::credentials_by_id(&app.db, &user.principal.user_id).await?;
    let typed = typed.to_owned();
    let ok = password::run(move || password::verify(&creds.password_hash, &typed)).await?
        && !login_throttle::is_locked(&app.db, Throttle::Password(username), now).await?;
    if !ok {
        app.db
            .write(async |tx| sessions::refuse_confirmation(tx, &user.principal, now).await)
            .await?;
    }
    Ok(ok)
}

pub async fn change_password(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let current_ok = confirm_password(&app, &user, &f.current_password).await?;
    let mut errors = FieldErrors::new();
    if !current_ok {
        errors.add("current_password", WRONG_PASSWORD);
    }
    validate_new_password(&mut errors, "new_password", &f.new_password);
    if f.new_password != f.repeat_password {
        errors.add(
            "repeat_password",
            "Die beiden neuen Passwörter stimmen nicht überein.",
        );
    }
    if !errors.is_empty() {
        return render_invalid(
            &account_page(&app, &user, uri.path(), FormErrors(errors), String::new()).await?,
        );
    }
    let new_password = f.new_password;
    let hash = password::run(move || password::hash(&new_password)).await??;
    let mut tx = app.db.begin().await?;
    users::set_password(
        &mut tx,
        &user.principal.actor(),
        &user.principal.user_id,
        &hash,
        user.session.as_deref(),
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?ok=password").into_response())
}

#[derive(Template)]
#[template(path = "account/totp.html")]
struct TotpPage {
    layout: Layout,
    required: bool,
    secret: String,
    secret_grouped: String,
    uri: String,
    /// The enrolment link as a QR code (SVG data URI), for scanning with the phone.
    qr: Option<String>,
    /// A refused confirmation: the field (`password` or `code`) and why.
    error: Option<(&'static str, &'static str)>,
}

fn totp_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    secret: String,
    required: bool,
    error: Option<(&'static str, &'static str)>,
) -> Result<TotpPage, AppError> {
    let bytes = totp::base32_decode(&secret)
        .ok_or_else(|| AppError::bad_request("Ungültiger Schlüssel."))?;
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let uri = totp::otpauth_uri("Lotse Kreis Warendorf", &user.principal.username, &bytes);
    Ok(TotpPage {
        layout: Layout::new(app, user, "Zweiten Faktor einrichten", path),
        required,
        qr: qr_data_uri(&uri),
        uri,
        secret,
        secret_grouped: grouped,
        error,
    })
}

fn qr_data_uri(text: &str) -> Option<String> {
    use base64::Engine;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

#[derive(Deserialize)]
pub struct SetupQuery {
    required: Option<String>,
}

pub async fn totp_setup(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<SetupQuery>,
) -> Result<Response, AppError> {
    if user.principal.totp_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    // 20 random bytes (160 bits), the size RFC 4226 recommends for HMAC-SHA1.
    let secret = totp::base32_encode(&password::random_bytes(20)?);
    let required = q.required.is_some() || user.principal.second_factor_required;
    render(&totp_page(&app, &user, uri.path(), secret, required, None)?)
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
    /// The account's password: a session alone (perhaps a stolen one) must not be enough to
    /// attach an authenticator, just as it is not enough to remove one.
    #[serde(default)]
    password: String,
}

pub async fn totp_confirm(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(f): Form<TotpForm>,
) -> Result<Response, AppError> {
    if user.principal.totp_enabled {
        return Ok(Redirect::to("/account").into_response());
    }
    let secret = totp::base32_decode(&f.secret)
        .filter(|s| s.len() >= 16)
        .ok_or_else(|| AppError::bad_request("Ungültiger Schlüssel."))?;
    let refused = |error| {
        let required = user.principal.second_factor_required;
        render_invalid(&totp_page(
            &app,
            &user,
            uri.path(),
            f.secret.clone(),
            required,
            Some(error),
        )?)
    };
    if !confirm_password(&app, &user, &f.password).await? {
        return refused(("password", WRONG_PASSWORD));
    }
    let now = app.now();
    let Some(step) = totp::verify(&secret, &f.code, now / 1000, None) else {
        return refused((
            "code",
            "Der Code stimmt nicht. Bitte prüfen Sie die Uhrzeit des Geräts und geben Sie den aktuellen Code ein.",
        ));
    };
    let mut tx = app.db.begin().await?;
    users::set_totp(
        &mut tx,
        &user.principal.actor(),
        &user.principal.user_id,
        Some(&totp::base32_encode(&secret)),
        now,
    )
    .await?;
    users::claim_totp_step(&mut tx, &user.principal.user_id, step).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?ok=totp").into_response())
}

#[derive(Deserialize)]
pub struct RemoveTotpForm {
    #[serde(default)]
    remove_password: String,
}

pub async fn totp_remove(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(f): Form<RemoveTotpForm>,
) -> Result<Response, AppError> {
    if user.principal.second_factor_required {
        return Err(AppError::Status(
            axum::http::StatusCode::FORBIDDEN,
            "Für Ihre Rolle ist der zweite Faktor vorgeschrieben.".into(),
        ));
    }
    if !confirm_password(&app, &user, &f.remove_password).await? {
        let mut errors = FieldErrors::new();
        errors.add("remove_password", WRONG_PASSWORD);
        return render_invalid(
            &account_page(&app, &user, uri.path(), FormErrors(errors), String::new()).await?,
        );
    }
    let mut tx = app.db.begin().await?;
    users::set_totp(
        &mut tx,
        &user.principal.actor(),
        &user.principal.user_id,
        None,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?ok=totp_removed").into_response())
}

#[derive(Template)]
#[template(path = "account/token_created.html")]
struct TokenCreated {
    layout: Layout,
    name: String,
    secret: String,
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut tx = app.db.begin().await?;
    match api_tokens::create(
        &mut tx,
        &user.principal.actor(),
        &user.principal.user_id,
        &f.name,
        app.now(),
    )
    .await
    {
        Ok((_, secret)) => {
            tx.commit().await?;
            render(&TokenCreated {
                layout: Layout::new(&app, &user, "API-Token erzeugt", "/account"),
                name: f.name.trim().to_owned(),
                secret,
            })
        }
        Err(StoreError::Invalid(errors)) => render_invalid(
            &account_page(&app, &user, uri.path(), FormErrors(errors), f.name).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<TokenId>,
) -> Result<Response, AppError> {
    let mut tx = app.db.begin().await?;
    api_tokens::revoke(
        &mut tx,
        &user.principal.actor(),
        &UserId::from(&user.principal.user_id),
        &id,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?ok=revoked").into_response())
}
