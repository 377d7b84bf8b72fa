//! User accounts and their roles.

use lotse_domain::user::{validate_new_password, validate_username};
use lotse_domain::validation::{optional_email, required_text};
use lotse_domain::{FieldErrors, Role};
use serde::Serialize;
use serde_json::json;

use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Backend, Db, On, Tx, bind_values, is_unique_violation, new_id, on, read, tx};
use crate::paging::{Cursor, Keyset, Page, PageRequest, Query};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub active: bool,
    pub fictitious: bool,
    pub totp_enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    #[sqlx(skip)]
    pub roles: Vec<Role>,
}

/// Who is acting: what the web layer and the policy need to know about the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub roles: Vec<Role>,
    pub totp_enabled: bool,
    /// One of the user's roles must use a second factor (a platform setting).
    pub second_factor_required: bool,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user_id, &self.username)
    }

    /// Who asks, as the scoped stores need it.
    pub fn viewer(&self) -> lotse_domain::access::Viewer {
        lotse_domain::access::Viewer {
            user_id: self.user_id.clone(),
            username: self.username.clone(),
            organisation_id: self.organisation_id.clone(),
            roles: self.roles.clone(),
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

const SELECT: &str = "SELECT u.id, u.username, u.display_name, u.email, u.organisation_id, o.name AS organisation_name, \
    u.active, u.fictitious, (u.totp_secret IS NOT NULL) AS totp_enabled, u.created_at, u.updated_at \
    FROM users u JOIN organisations o ON o.id = u.organisation_id";

fn select(tail: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("{SELECT} {tail}"))
}

/// Fills in the roles of `users`, read for these accounts only.
async fn attach_roles(db: &Db, mut users: Vec<User>) -> Result<Vec<User>> {
    if users.is_empty() {
        return Ok(users);
    }
    let mut q = Query::default();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let which = q.any_of("user_id", &ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT user_id, role FROM user_roles WHERE {which}"
    ));
    let rows: Vec<(String, String)> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    let mut by_user: std::collections::HashMap<String, Vec<Role>> = Default::default();
    for (id, role) in rows {
        if let Ok(role) = role.parse() {
            by_user.entry(id).or_default().push(role);
        }
    }
    for user in &mut users {
        user.roles = by_user.remove(&user.id).unwrap_or_default();
        user.roles.sort();
    }
    Ok(users)
}

/// Every account, by username. No request uses it: lists that people page through use
/// [`read_account_page`], pick lists [`pick`], reminders [`reachable_in`] and [`reachable_with`].
pub async fn list(db: &Db) -> Result<Vec<User>> {
    let mut users: Vec<User> = read!(db, |c| sqlx::query_as(select("")).fetch_all(c).await)?;
    // Sorted here, not by the database: PostgreSQL's locale ignores "." and "_", SQLite does not.
    users.sort_by(|a, b| a.username.cmp(&b.username));
    attach_roles(db, users).await
}

/// The active accounts with an e-mail address of these organisations: whom a reminder can reach.
pub async fn reachable_in(db: &Db, organisation_ids: &[&str]) -> Result<Vec<User>> {
    if organisation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::default();
    let which = q.any_of("u.organisation_id", organisation_ids);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE {which} AND u.active = TRUE AND u.email <> ''"
    ));
    let mut users: Vec<User> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    users.sort_by(|a, b| a.username.cmp(&b.username));
    attach_roles(db, users).await
}

/// The active accounts with an e-mail address that hold one of `roles`: whom a reminder to a
/// function (e.g. everyone who keeps the funding books) can reach.
pub async fn reachable_with(db: &Db, roles: &[Role]) -> Result<Vec<User>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = roles.iter().map(|r| r.key()).collect();
    let mut q = Query::default();
    let which = q.any_of("r.role", &keys);
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE u.active = TRUE AND u.email <> '' \
         AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND {which})"
    ));
    let mut users: Vec<User> = read!(db, |c| bind_values!(sqlx::query_as(sql), &q.values)
        .fetch_all(c)
        .await)?;
    users.sort_by(|a, b| a.username.cmp(&b.username));
    attach_roles(db, users).await
}

/// A pick list of people for a form (who owns an action item): (id, display name) of at most
/// `limit` active accounts by username whose name or username holds every word of `q`, and
/// whether more match. No roles are read.
pub async fn pick(db: &Db, q: &str, limit: usize) -> Result<(Vec<(String, String)>, bool)> {
    let mut query = Query::default();
    query.and("u.active = TRUE");
    // Folded words in the folded names: umlauts and case alike on both backends.
    for word in lotse_domain::collation::fold(q).split_whitespace() {
        let p = query.bind(crate::db::Value::Text(format!(
            "%{}%",
            crate::measures::like_escape(word)
        )));
        query.and(format!("u.search_text LIKE {p} ESCAPE '\\'"));
    }
    // Byte order on both backends, as for the account list.
    let order = match db.backend() {
        Backend::Sqlite => "u.username",
        Backend::Postgres => "u.username COLLATE \"C\"",
    };
    let n = query.bind(crate::db::Value::Int(limit as i64 + 1));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.display_name FROM users u{} ORDER BY {order} LIMIT {n}",
        query.where_clause()
    ));
    let mut rows: Vec<(String, String)> =
        read!(db, |c| bind_values!(sqlx::query_as(sql), &query.values)
            .fetch_all(c)
            .await)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}

/// One page of accounts by username, as a person reads it: one access-log entry per account
/// shown (accounts hold personal data: names, e-mail addresses, roles).
pub async fn read_account_page(
    db: &Db,
    reader: &Actor,
    request: &PageRequest,
    now: i64,
) -> Result<Page<User>> {
    read_account_page_in_order(db, reader, AccountOrder::Username, request, now).await
}

/// The orders of the account list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountOrder {
    #[default]
    Username,
    /// By organisation (German collation), then username.
    Organisation,
}

impl AccountOrder {
    pub const ALL: [AccountOrder; 2] = [AccountOrder::Username, AccountOrder::Organisation];

    pub fn key(self) -> &'static str {
        match self {
            AccountOrder::Username => "username",
            AccountOrder::Organisation => "organisation",
        }
    }

    pub fn parse(text: &str) -> Option<AccountOrder> {
        AccountOrder::ALL
            .into_iter()
            .find(|o| o.key() == text.trim())
    }
}

#[derive(sqlx::FromRow)]
struct KeyedUser {
    #[sqlx(flatten)]
    user: User,
    page_key: String,
}

/// [`read_account_page`] in one of the list's orders.
pub async fn read_account_page_in_order(
    db: &Db,
    reader: &Actor,
    order: AccountOrder,
    request: &PageRequest,
    now: i64,
) -> Result<Page<User>> {
    // Byte order on both backends: PostgreSQL's locale would ignore "." and "_" in usernames.
    let key = match order {
        AccountOrder::Username => "u.username",
        AccountOrder::Organisation => "(o.list_key || u.username)",
    };
    let key_column = match db.backend() {
        Backend::Sqlite => key.to_owned(),
        Backend::Postgres => format!("({key}) COLLATE \"C\""),
    };
    let keyset = Keyset {
        key_column: &key_column,
        id_column: "u.id",
    };
    let select = SELECT.replacen(
        " FROM users u",
        &format!(", {key} AS page_key FROM users u"),
        1,
    );
    let page = crate::paging::read_page(
        db,
        &select,
        Query::default(),
        &keyset,
        request,
        |k: &KeyedUser| Cursor {
            key: k.page_key.clone(),
            id: k.user.id.clone(),
        },
    )
    .await?;
    let page = page.map(|k| k.user);
    let items = attach_roles(db, page.items).await?;
    for user in &items {
        db.access_log()
            .record(reader, now, Entity::User, &user.id)
            .await;
    }
    Ok(Page { items, ..page })
}

pub async fn get<'a>(on: impl Into<On<'a>>, id: &str) -> Result<User> {
    let mut on = on.into();
    let user: Option<User> = on!(on.reborrow(), |c| sqlx::query_as(select("WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let user = user.ok_or(StoreError::NotFound)?;
    let roles: Vec<String> = on!(on, |c| {
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    let mut roles: Vec<Role> = roles.iter().filter_map(|r| r.parse().ok()).collect();
    roles.sort();
    Ok(User { roles, ..user })
}

/// An account as a person reads it: the read is recorded in the access log (accounts hold
/// personal data: names, e-mail addresses, roles).
pub async fn read_account(db: &Db, reader: &Actor, id: &str, now: i64) -> Result<User> {
    let user = get(db, id).await?;
    db.access_log()
        .record(reader, now, Entity::User, &user.id)
        .await;
    Ok(user)
}

pub async fn get_by_username(db: &Db, username: &str) -> Result<User> {
    let id: Option<String> = read!(db, |c| {
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(c)
            .await
    })?;
    get(db, &id.ok_or(StoreError::NotFound)?).await
}

#[derive(sqlx::FromRow)]
pub(crate) struct PrincipalRow {
    user_id: String,
    username: String,
    display_name: String,
    organisation_id: String,
    organisation_name: String,
    totp_enabled: bool,
    roles: Option<String>,
    totp_required_roles: Option<String>,
}

/// The columns of a [`PrincipalRow`], for queries that join `users u` and `organisations o`.
/// Roles and the second-factor setting come as subqueries; only the string aggregate differs
/// between the backends.
pub(crate) fn principal_columns(backend: Backend) -> String {
    let aggregate = match backend {
        Backend::Sqlite => "group_concat(role, ',')",
        Backend::Postgres => "string_agg(role, ',')",
    };
    format!(
        "u.id AS user_id, u.username, u.display_name, u.organisation_id, o.name AS organisation_name, \
         (u.totp_secret IS NOT NULL) AS totp_enabled, \
         (SELECT {aggregate} FROM user_roles r WHERE r.user_id = u.id) AS roles, \
         (SELECT value FROM settings WHERE key = '{}') AS totp_required_roles",
        crate::settings::TOTP_REQUIRED_ROLES
    )
}

impl From<PrincipalRow> for Principal {
    fn from(r: PrincipalRow) -> Self {
        let mut roles: Vec<Role> = r
            .roles
            .unwrap_or_default()
            .split(',')
            .filter_map(|k| k.parse().ok())
            .collect();
        roles.sort();
        let required = crate::settings::parse_totp_required_roles(r.totp_required_roles.as_deref());
        Principal {
            second_factor_required: roles.iter().any(|role| required.contains(role)),
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            roles,
            totp_enabled: r.totp_enabled,
        }
    }
}

/// The principal of an active user, in one query (it runs for every API token request).
pub async fn principal(db: &Db, user_id: &str) -> Result<Option<Principal>> {
    let sql = format!(
        "SELECT {} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1 AND u.active = TRUE",
        principal_columns(db.backend())
    );
    let row: Option<PrincipalRow> = read!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_optional(c)
            .await
    })?;
    Ok(row.map(Principal::from))
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await)?)
}

/// What a form, the API or the command line submits for an account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub organisation_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDraft {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
}

impl UserInput {
    /// Validates the fields; `organisation_exists` is checked by the caller's lookup.
    pub fn validate(&self, organisation_exists: bool) -> Result<UserDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let username = validate_username(&mut e, "username", &self.username);
        let display_name = required_text(&mut e, "display_name", &self.display_name, 120);
        let email = optional_email(&mut e, "email", &self.email);
        if self.organisation_id.trim().is_empty() {
            e.add(
                "organisation_id",
                "Pflichtfeld: bitte eine Organisation wählen.",
            );
        } else if !organisation_exists {
            e.add(
                "organisation_id",
                "Diese Organisation gibt es nicht (mehr).",
            );
        }
        let mut roles = Vec::new();
        for r in &self.roles {
            match r.parse::<Role>() {
                Ok(role) if !roles.contains(&role) => roles.push(role),
                Ok(_) => {}
                Err(err) => e.add("roles", err.to_string()),
            }
        }
        if roles.is_empty() && e.get("roles").is_none() {
            e.add("roles", "Mindestens eine Rolle wählen.");
        }
        roles.sort();
        e.into_result(UserDraft {
            username,
            display_name,
            email,
            organisation_id: self.organisation_id.trim().to_owned(),
            roles,
        })
    }
}

pub async fn organisation_exists(db: &Db, id: &str) -> Result<bool> {
    let n: i64 = read!(db, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1 AND active = TRUE")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    Ok(n > 0)
}

/// Validates input including the password and whether the organisation exists.
pub async fn validate_new(db: &Db, input: &UserInput, password: &str) -> Result<UserDraft> {
    let org_ok = organisation_exists(db, input.organisation_id.trim()).await?;
    let draft = input.validate(org_ok);
    let mut pw = FieldErrors::new();
    validate_new_password(&mut pw, "password", password);
    match (draft, pw.is_empty()) {
        (Ok(d), true) => Ok(d),
        (Ok(_), false) => Err(StoreError::Invalid(pw)),
        (Err(mut e), _) => {
            for (f, m) in pw.iter() {
                e.add(f, m);
            }
            Err(StoreError::Invalid(e))
        }
    }
}

async fn write_roles(tx: &mut Tx, user_id: &str, roles: &[Role]) -> Result<()> {
    tx!(tx, |c| {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role.key())
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(",")
}

/// Creates an account. `password_hash` comes from [`crate::password::hash`].
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    draft: &UserDraft,
    password_hash: &str,
    fictitious: bool,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let inserted = tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO users (id, username, display_name, email, organisation_id, password_hash, active, fictitious, created_at, updated_at, search_text) \
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $8, $9)",
        )
        .bind(&id)
        .bind(&draft.username)
        .bind(&draft.display_name)
        .bind(&draft.email)
        .bind(&draft.organisation_id)
        .bind(password_hash)
        .bind(fictitious)
        .bind(now)
        .bind(crate::sort_keys::user_search_text(&draft.username, &draft.display_name))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "username",
                format!("Den Benutzernamen „{}“ gibt es schon.", draft.username),
            ));
        }
        other => other?,
    };
    write_roles(tx, &id, &draft.roles).await?;
    tx.record(Event::new(actor, now, Entity::User, Action::Create, &id).with(json!({
            "username": draft.username, "display_name": draft.display_name, "email": draft.email,
            "organisation_id": draft.organisation_id, "roles": roles_text(&draft.roles), "password": "gesetzt",
        })));
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    old: &User,
    draft: &UserDraft,
    now: i64,
) -> Result<()> {
    let updated = tx!(&mut *tx, |c| {
        sqlx::query("UPDATE users SET username = $2, display_name = $3, email = $4, organisation_id = $5, updated_at = $6, search_text = $7 WHERE id = $1")
            .bind(&old.id)
            .bind(&draft.username)
            .bind(&draft.display_name)
            .bind(&draft.email)
            .bind(&draft.organisation_id)
            .bind(now)
            .bind(crate::sort_keys::user_search_text(&draft.username, &draft.display_name))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    });
    match updated {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::field(
                "username",
                format!("Den Benutzernamen „{}“ gibt es schon.", draft.username),
            ));
        }
        other => other?,
    };
    write_roles(tx, &old.id, &draft.roles).await?;
    let after = get(&mut *tx, &old.id).await?;
    tx.record(Event::updated(
        actor,
        now,
        Entity::User,
        &old.id,
        old,
        &after,
    ));
    Ok(())
}

/// Deactivating also ends every session and token of the account at once.
pub async fn set_active(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    active: bool,
    now: i64,
) -> Result<()> {
    let affected = tx!(&mut *tx, |c| {
        let r = sqlx::query(
            "UPDATE users SET active = $2, updated_at = $3 WHERE id = $1 AND active <> $2",
        )
        .bind(id)
        .bind(active)
        .bind(now)
        .execute(&mut *c)
        .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        r.rows_affected()
    });
    if affected > 0 {
        let action = if active {
            Action::Activate
        } else {
            Action::Deactivate
        };
        tx.record(
            Event::new(actor, now, Entity::User, action, id)
                .with(json!({ "active": { "from": !active, "to": active } })),
        );
    } else {
        // Already so (and a deactivated account has no sessions or tokens left).
        tx.nothing_changed();
    }
    Ok(())
}

/// Stores a new password hash and ends the account's other sessions (`keep_session` is the
/// token hash of the session that made the change, if any).
pub async fn set_password(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    password_hash: &str,
    keep_session: Option<&str>,
    now: i64,
) -> Result<()> {
    tx!(&mut *tx, |c| {
        let r = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *c)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *c)
            .await?;
    });
    // Someone setting their own password changes it; an administrator setting another's resets it.
    let action = if actor.user_id.as_deref() == Some(id) {
        Action::ChangePassword
    } else {
        Action::ResetPassword
    };
    tx.record(
        Event::new(actor, now, Entity::User, action, id).with(json!({ "password": "geändert" })),
    );
    Ok(())
}

/// What login needs to check a password and a second factor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub active: bool,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT id, username, password_hash, active, totp_secret, totp_last_step FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(c)
            .await
    })?)
}

pub async fn credentials_by_id(db: &Db, id: &str) -> Result<Credentials> {
    read!(db, |c| {
        sqlx::query_as("SELECT id, username, password_hash, active, totp_secret, totp_last_step FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?
    .ok_or(StoreError::NotFound)
}

/// Enrols (`Some`) or removes (`None`) the TOTP secret (base32).
pub async fn set_totp(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    secret: Option<&str>,
    now: i64,
) -> Result<()> {
    tx!(&mut *tx, |c| {
        sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = NULL, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let action = if secret.is_some() {
        Action::EnrolTotp
    } else {
        Action::RemoveTotp
    };
    tx.record(
        Event::new(actor, now, Entity::User, action, id).with(json!({ "totp": secret.is_some() })),
    );
    Ok(())
}

/// Claims the time step of an accepted code: true if it is newer than the last one used, false if
/// the code (or a later one) was used already, so no code works twice, even in racing requests.
pub async fn claim_totp_step(tx: &mut Tx, id: &str, step: i64) -> Result<bool> {
    let updated = tx!(tx, |c| {
        sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(updated == 1)
}
