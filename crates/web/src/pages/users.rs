//! Account administration (admins only): create, edit, roles, deactivate, reset password or TOTP.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::user::validate_new_password;
use lotse_domain::{FieldErrors, Role};
use lotse_store::login_throttle::Throttle;
use lotse_store::paging::PageRequest;
use lotse_store::users::{self, User, UserInput};
use lotse_store::{StoreError, login_throttle, password, sessions};
use serde::Deserialize;

use super::organisations::{OrganisationPickQuery, organisation_pick};
use super::pick::Pick;
use super::{ActiveForm, render, render_invalid};

use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery};

pub struct UserRow {
    id: String,
    username: String,
    display_name: String,
    organisation_name: String,
    roles: String,
    totp: bool,
    active: bool,
    fictitious: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    users: Vec<UserRow>,
    count: String,
    first: Option<String>,
    next: Option<String>,
    page_label: String,
    size_links: Vec<crate::view::SizeLink>,
    sort_columns: Vec<crate::view::SortLink>,
}

/// How many accounts the list shows per page.
const PAGE_SIZE: usize = 50;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    after: String,
    /// The order: username (default) or organisation.
    #[serde(default)]
    sort: String,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<ListQuery>,
    Query(paging): Query<crate::view::Paging>,
) -> Result<Response, AppError> {
    let order = users::AccountOrder::parse(&q.sort).unwrap_or_default();
    let page = users::read_account_page_in_order(
        &app.db,
        &user.principal.actor(),
        order,
        &PageRequest::new(Some(&q.after), Some(paging.size(PAGE_SIZE))),
        app.now(),
    )
    .await?;
    let counted = lotse_store::paging::Count::of(users::count(&app.db).await?);
    let count = crate::view::count_text(counted, "Konto", "Konten");
    let link_in =
        |order: users::AccountOrder, paging: &crate::view::Paging, after: Option<&str>| {
            let mut s = form_urlencoded::Serializer::new(String::new());
            if order != users::AccountOrder::Username {
                s.append_pair("sort", order.key());
            }
            paging.append(&mut s, PAGE_SIZE, after);
            format!("/admin/users?{}", s.finish())
        };
    let link = |paging: &crate::view::Paging, after: Option<&str>| link_in(order, paging, after);
    let sort_columns = crate::view::sort_links(
        &[
            ("Benutzername", "username", users::AccountOrder::Username),
            (
                "Organisation",
                "organisation",
                users::AccountOrder::Organisation,
            ),
        ],
        order,
        |o| link_in(o, &paging, None),
    );
    let first = (!page.first).then(|| link(&paging, None));
    let next = page.next.as_ref().map(|c| link(&paging, Some(&c.encode())));
    let page_label = crate::view::page_label(paging.number(), counted, paging.size(PAGE_SIZE));
    let size_links = crate::view::size_links(&paging, PAGE_SIZE, |p| link(p, None));
    let users = page
        .items
        .into_iter()
        .map(|u| UserRow {
            roles: u
                .roles
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            organisation_name: u.organisation_name,
            totp: u.totp_enabled,
            active: u.active,
            fictitious: u.fictitious,
        })
        .collect();
    render(&ListPage {
        layout: Layout::new(&app, &user, "Benutzerkonten", uri.path()).with_notice(q.ok.as_deref()),
        users,
        count,
        first,
        next,
        page_label,
        size_links,
        sort_columns,
    })
}

fn field_label(field: &str) -> &str {
    match field {
        "username" => "Benutzername",
        "display_name" => "Name",
        "email" => "E-Mail",
        "organisation_id" => "Organisation",
        "roles" => "Rollen",
        "password" => "Passwort",
        other => other,
    }
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    existing: Option<User>,
    form: UserInput,
    roles: Vec<(&'static str, &'static str, bool)>,
    /// The account's organisation, then those matching the search words.
    org_pick: Pick,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// Error of the separate "set a new password" form on the edit page.
    password_error: Option<String>,
}

async fn form_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    existing: Option<User>,
    form: UserInput,
    errors: FormErrors,
    org_query: &OrganisationPickQuery,
) -> Result<FormPage, AppError> {
    // The new-account form holds the first password: its search goes by POST, never into an
    // address (history, logs); an existing account's form searches by GET, reloading itself.
    let org_pick = match &existing {
        Some(u) => {
            organisation_pick(
                app,
                format!("/admin/users/{}", u.id),
                org_query,
                &[form.organisation_id.as_str()],
            )
            .await?
        }
        None => organisation_pick(
            app,
            "/admin/users",
            org_query,
            &[form.organisation_id.as_str()],
        )
        .await?
        .by_post(),
    };
    let roles = Role::ALL
        .iter()
        .map(|r| (r.key(), r.label(), form.roles.iter().any(|k| k == r.key())))
        .collect();
    let (title, action) = match &existing {
        Some(u) => (
            format!("Konto {}", u.username),
            format!("/admin/users/{}", u.id),
        ),
        None => ("Neues Benutzerkonto".to_owned(), "/admin/users".to_owned()),
    };
    Ok(FormPage {
        layout: Layout::new(app, user, title, path),
        action,
        existing,
        form,
        roles,
        org_pick,
        summary: errors.summary(field_label),
        errors,
        password_error: None,
    })
}

/// Reads a form whose `roles` checkboxes repeat the same key, which serde_urlencoded cannot.
fn parse_user_form(body: &str) -> (UserInput, String) {
    let mut input = UserInput::default();
    let mut password = String::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        match key.as_ref() {
            "username" => input.username = value.into_owned(),
            "display_name" => input.display_name = value.into_owned(),
            "email" => input.email = value.into_owned(),
            "organisation_id" => input.organisation_id = value.into_owned(),
            "roles" => input.roles.push(value.into_owned()),
            "password" => password = value.into_owned(),
            _ => {}
        }
    }
    (input, password)
}

fn input_of(u: &User) -> UserInput {
    UserInput {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        organisation_id: u.organisation_id.clone(),
        roles: u.roles.iter().map(|r| r.key().to_owned()).collect(),
    }
}

pub async fn new_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    render(
        &form_page(
            &app,
            &user,
            uri.path(),
            None,
            UserInput::default(),
            FormErrors::none(),
            &OrganisationPickQuery::default(),
        )
        .await?,
    )
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let (input, password) = parse_user_form(&body);
    let org_query = OrganisationPickQuery::from_encoded(&body);
    // A search for the organisation: the form again with what it held (but not the password).
    if OrganisationPickQuery::searched(&body) {
        return render(
            &form_page(
                &app,
                &user,
                uri.path(),
                None,
                input,
                FormErrors::none(),
                &org_query,
            )
            .await?,
        );
    }
    let result = match users::validate_new(&app.db, &input, &password).await {
        Ok(draft) => {
            let hash = password::run(move || password::hash(&password)).await??;
            app.db
                .write(async |tx| {
                    users::create(tx, &user.principal.actor(), &draft, &hash, false, app.now())
                        .await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/users?ok=created").into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                None,
                input,
                FormErrors(errors),
                &org_query,
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let existing = users::read_account(&app.db, &user.principal.actor(), &id, app.now()).await?;
    let query = query.unwrap_or_default();
    // A search for the organisation comes back here with everything the form held.
    let form = if OrganisationPickQuery::is_search(Some(&query)) {
        parse_user_form(&query).0
    } else {
        input_of(&existing)
    };
    let mut page = form_page(
        &app,
        &user,
        uri.path(),
        Some(existing),
        form,
        FormErrors::none(),
        &OrganisationPickQuery::from_encoded(&query),
    )
    .await?;
    page.layout = page.layout.with_notice(q.ok.as_deref());
    render(&page)
}

pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let existing = users::get(&app.db, &id).await?;
    let (input, _) = parse_user_form(&body);
    let org_ok = users::organisation_exists(&app.db, input.organisation_id.trim()).await?
        || input.organisation_id.trim() == existing.organisation_id;
    let mut result = input.validate(org_ok).map_err(StoreError::Invalid);
    // An admin must not lock everyone out by removing their own admin role.
    if let Ok(draft) = &result
        && existing.id == user.principal.user_id
        && !draft.roles.contains(&Role::Admin)
    {
        let mut e = FieldErrors::new();
        e.add(
            "roles",
            "Sie können sich die Rolle Administration nicht selbst entziehen.",
        );
        result = Err(StoreError::Invalid(e));
    }
    let result = match result {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    users::update(tx, &user.principal.actor(), &existing, &draft, app.now()).await
                })
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?ok=saved")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(
                &app,
                &user,
                uri.path(),
                Some(existing),
                input,
                FormErrors(errors),
                &OrganisationPickQuery::from_encoded(&body),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn set_active(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let active = f.value()?;
    if !active && id == user.principal.user_id {
        return Err(AppError::bad_request(
            "Sie können Ihr eigenes Konto nicht deaktivieren.",
        ));
    }
    users::get(&app.db, &id).await?;
    let mut tx = app.db.begin().await?;
    users::set_active(&mut tx, &user.principal.actor(), &id, active, app.now()).await?;
    tx.commit().await?;
    let notice = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::to(&format!("/admin/users/{id}?ok={notice}")).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn set_password(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let existing = users::get(&app.db, &id).await?;
    let mut errors = FieldErrors::new();
    validate_new_password(&mut errors, "password", &f.password);
    if let Some(message) = errors.get("password") {
        let message = message.to_owned();
        let form = input_of(&existing);
        let mut page = form_page(
            &app,
            &user,
            uri.path(),
            Some(existing),
            form,
            FormErrors::none(),
            &OrganisationPickQuery::default(),
        )
        .await?;
        page.password_error = Some(message);
        return render_invalid(&page);
    }
    let password = f.password;
    let hash = password::run(move || password::hash(&password)).await??;
    let mut tx = app.db.begin().await?;
    users::set_password(
        &mut tx,
        &user.principal.actor(),
        &id,
        &hash,
        user.session.as_deref(),
        app.now(),
    )
    .await?;
    // A new password is a fresh start: the account's login lock goes too.
    login_throttle::clear(&mut tx, Throttle::Password(&existing.username)).await?;
    login_throttle::clear(&mut tx, Throttle::SecondFactor(&existing.id)).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?ok=password")).into_response())
}

pub async fn reset_totp(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    users::get(&app.db, &id).await?;
    let mut tx = app.db.begin().await?;
    users::set_totp(&mut tx, &user.principal.actor(), &id, None, app.now()).await?;
    // Whoever is signed in with the old second factor must sign in again.
    sessions::delete_for_user(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?ok=totp_reset")).into_response())
}
