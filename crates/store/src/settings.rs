//! Platform settings that admins change at run time, kept as key/value rows.

use lotse_domain::Role;
use serde_json::json;

use crate::Result;
use crate::audit::{Action, Actor, Entity, Event};
use crate::db::{Db, Tx, read, tx};

/// Roles whose users must use a second factor (TOTP). JSON list of role keys.
pub const TOTP_REQUIRED_ROLES: &str = "totp_required_roles";
/// The words editors added to the finder's dictionary of compound parts, one per line.
pub const FINDER_WORDS: &str = "finder_words";
/// The public pages' legal texts (decision 0013), edited by admins: plain text, paragraphs
/// separated by blank lines, "## " starting a heading. Unset means the shipped draft.
pub const LEGAL_IMPRINT: &str = "legal_imprint";
pub const LEGAL_PRIVACY: &str = "legal_privacy";
pub const LEGAL_ACCESSIBILITY: &str = "legal_accessibility";
/// The coordination's public telephone number and e-mail address: whom the finder names when
/// a search finds nothing, and where barriers are reported.
pub const PUBLIC_PHONE: &str = "public_phone";
pub const PUBLIC_EMAIL: &str = "public_email";
/// Set when the fictitious demo data set was loaded; the UI then shows a banner.
pub const DEMO_DATA: &str = "demo_data";

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(read!(db, |c| {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(c)
            .await
    })?)
}

pub async fn set(tx: &mut Tx, actor: &Actor, key: &str, value: &str, now: i64) -> Result<()> {
    let old: Option<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *c)
            .await
    })?;
    if old.as_deref() == Some(value) {
        // Already so: nothing to record.
        tx.nothing_changed();
        return Ok(());
    }
    tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.record(
        Event::new(actor, now, Entity::Setting, Action::Update, key)
            .with(json!({ "value": { "from": old, "to": value } })),
    );
    Ok(())
}

/// Admins must use a second factor unless an admin decides otherwise.
pub async fn totp_required_roles(db: &Db) -> Result<Vec<Role>> {
    Ok(parse_totp_required_roles(
        get(db, TOTP_REQUIRED_ROLES).await?.as_deref(),
    ))
}

/// The stored JSON list of role keys; unset means the default, admins only.
pub fn parse_totp_required_roles(value: Option<&str>) -> Vec<Role> {
    // An unreadable value must not switch the rule off: it falls back to the default.
    value
        .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        .map(|keys| keys.iter().filter_map(|r| r.parse().ok()).collect())
        .unwrap_or_else(|| vec![Role::Admin])
}

pub async fn set_totp_required_roles(
    tx: &mut Tx,
    actor: &Actor,
    roles: &[Role],
    now: i64,
) -> Result<()> {
    let keys: Vec<&str> = roles.iter().map(|r| r.key()).collect();
    set(
        tx,
        actor,
        TOTP_REQUIRED_ROLES,
        &json!(keys).to_string(),
        now,
    )
    .await
}

pub async fn demo_data_loaded(db: &Db) -> Result<bool> {
    Ok(get(db, DEMO_DATA).await?.is_some())
}

/// The words editors added to the finder's dictionary (decision 0013), as stored.
pub async fn finder_words(db: &Db) -> Result<Vec<String>> {
    Ok(get(db, FINDER_WORDS)
        .await?
        .map(|v| {
            v.lines()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

/// Replaces the finder's added words (checked by `lotse_domain::offer::parse_finder_words`).
pub async fn set_finder_words(
    tx: &mut Tx,
    actor: &Actor,
    words: &[String],
    now: i64,
) -> Result<()> {
    set(tx, actor, FINDER_WORDS, &words.join("\n"), now).await
}

/// The coordination's public contact, as admins set it (none where unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicContact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub async fn public_contact(db: &Db) -> Result<PublicContact> {
    let value = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(PublicContact {
        phone: value(get(db, PUBLIC_PHONE).await?),
        email: value(get(db, PUBLIC_EMAIL).await?),
    })
}

/// The setting that holds a legal page's text.
pub fn legal_key(page: lotse_domain::legal::LegalPage) -> &'static str {
    use lotse_domain::legal::LegalPage;
    match page {
        LegalPage::Imprint => LEGAL_IMPRINT,
        LegalPage::Privacy => LEGAL_PRIVACY,
        LegalPage::Accessibility => LEGAL_ACCESSIBILITY,
    }
}

/// A legal page's text as admins saved it, or `None` while the shipped draft stands.
pub async fn legal_text(db: &Db, page: lotse_domain::legal::LegalPage) -> Result<Option<String>> {
    Ok(get(db, legal_key(page))
        .await?
        .filter(|t| !t.trim().is_empty()))
}
