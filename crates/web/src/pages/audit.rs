//! Browsing the audit log (admins only).

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use lotse_store::audit::{self, AuditFilter};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, datetime, parse_date_ms, url_encode};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    record_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// Older than this entry (the "Ältere" link); empty: the newest.
    #[serde(default)]
    before: String,
    verify: Option<String>,
}

pub struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    record_id: String,
    changes: Vec<String>,
}

pub struct VerifyResult {
    ok: bool,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    filter: Filter,
    filter_error: Option<String>,
    /// (key, German label) for the filter selects.
    entities: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    entries: Vec<Row>,
    newer: Option<String>,
    older: Option<String>,
    verify: Option<VerifyResult>,
}

/// German words for the keys the log stores (the keys stay English and stable in the data).
fn action_label(key: &str) -> &str {
    match key {
        "create" => "angelegt",
        "update" => "geändert",
        "deactivate" => "deaktiviert",
        "reactivate" => "wieder aktiviert",
        "import" => "importiert",
        "load" => "geladen",
        "read" => "angesehen",
        "revoke" => "widerrufen",
        "login" => "Anmeldung",
        "logout" => "Abmeldung",
        "login_failed" => "Anmeldung fehlgeschlagen",
        "second_factor" => "zweiter Faktor bestätigt",
        "second_factor_failed" => "zweiter Faktor falsch",
        "change_password" => "Passwort geändert",
        "enrol_totp" => "zweiter Faktor eingerichtet",
        "remove_totp" => "zweiter Faktor entfernt",
        other => other,
    }
}

fn entity_label(key: &str) -> &str {
    match key {
        "organisation" => "Organisation",
        "user" => "Benutzerkonto",
        "session" => "Anmeldung",
        "setting" => "Einstellung",
        "api_token" => "API-Token",
        "reference_data" => "Referenzdaten",
        "finder_concept" => "Begriff der Suche",
        "finder_misses" => "nicht gefundene Suchen",
        other => other,
    }
}

fn field_label(key: &str) -> &str {
    match key {
        "name" | "display_name" => "Name",
        "kind" => "Art",
        "town_ags" => "Gemeinde (AGS)",
        "street" => "Straße",
        "postcode" => "PLZ",
        "city" => "Ort",
        "email" => "E-Mail",
        "phone" => "Telefon",
        "website" => "Webseite",
        "username" => "Benutzername",
        "organisation_id" => "Organisation",
        "roles" => "Rollen",
        "password" => "Passwort",
        "active" => "aktiv",
        "fictitious" => "fiktiv",
        "value" => "Wert",
        "totp" => "zweiter Faktor",
        "locked" => "gesperrt",
        "second_factor_pending" => "zweiter Faktor ausstehend",
        "rows" => "Zeilen",
        "created" => "angelegt",
        "rejected_rows" => "abgelehnte Zeilen",
        "rows_added" => "Zeilen hinzugefügt",
        "user_id" => "Benutzerkonto",
        other => other,
    }
}

/// One readable line per changed field.
fn change_lines(json: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return vec![json.to_owned()];
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if s.is_empty() => "(leer)".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "(leer)".to_owned(),
        other => other.to_string(),
    };
    map.iter()
        .map(|(field, value)| match value {
            serde_json::Value::Object(o) if o.contains_key("from") && o.contains_key("to") => {
                format!(
                    "{}: {} → {}",
                    field_label(field),
                    show(&o["from"]),
                    show(&o["to"])
                )
            }
            other => format!("{}: {}", field_label(field), show(other)),
        })
        .collect()
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    let mut filter_error = None;
    let mut date = |text: &str, label: &str, end_of_day: bool| -> Option<i64> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match parse_date_ms(text) {
            Some(ms) => Some(if end_of_day {
                ms + 24 * 60 * 60 * 1000
            } else {
                ms
            }),
            None => {
                filter_error = Some(format!("{label}: „{text}“ ist kein Datum (TT.MM.JJJJ)."));
                None
            }
        }
    };
    let from = date(&filter.from, "von", false);
    let until = date(&filter.until, "bis", true);
    let query = AuditFilter {
        entity: non_empty(&filter.entity),
        action: non_empty(&filter.action),
        actor: non_empty(&filter.actor),
        record_id: non_empty(&filter.record_id),
        from,
        until,
        // A number nobody wrote (hand-edited link) starts at the newest.
        before_seq: filter.before.trim().parse::<i64>().ok(),
    };
    // One extra row tells whether there is an older page.
    let mut found = audit::search(&app.db, &query, PAGE + 1, 0).await?;
    let has_older = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let oldest_shown = found.last().map(|e| e.seq);
    let entries = found
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            at: datetime(e.at),
            actor: e.actor_name,
            action: action_label(&e.action).to_owned(),
            entity: entity_label(&e.entity).to_owned(),
            record_id: e.record_id,
            changes: change_lines(&e.changes),
        })
        .collect();
    let link = |before: Option<i64>| {
        let before = before.map(|b| b.to_string()).unwrap_or_default();
        format!(
            "/admin/audit?entity={}&action={}&actor={}&record_id={}&from={}&until={}&before={before}",
            url_encode(&filter.entity),
            url_encode(&filter.action),
            url_encode(&filter.actor),
            url_encode(&filter.record_id),
            url_encode(&filter.from),
            url_encode(&filter.until)
        )
    };
    let verify = if filter.verify.is_some() {
        let report = audit::verify(&app.db).await?;
        let reads = lotse_store::access_log::verify(&app.db).await?;
        Some(match (report.first_broken, reads.first_broken) {
            (None, None) => VerifyResult {
                ok: true,
                text: format!(
                    "Die Kette ist unversehrt: {} Einträge geprüft. Das Zugriffsprotokoll ist unversehrt: {} Lesezugriffe in {} Blöcken geprüft.",
                    report.entries, reads.entries, reads.batches
                ),
            },
            (Some(b), _) => VerifyResult {
                ok: false,
                text: format!(
                    "Die Kette ist bei Eintrag {} gebrochen: {}. Bitte die Datenschutzbeauftragte informieren.",
                    b.seq, b.reason
                ),
            },
            (None, Some((batch, reason))) => VerifyResult {
                ok: false,
                text: format!(
                    "Das Zugriffsprotokoll ist bei Block {batch} gebrochen: {reason}. Bitte die Datenschutzbeauftragte informieren."
                ),
            },
        })
    } else {
        None
    };
    let (entities, actions) = audit::known_entities_and_actions();
    let entities = entities
        .into_iter()
        .map(|k| {
            let label = entity_label(&k).to_owned();
            (k, label)
        })
        .collect();
    let actions = actions
        .into_iter()
        .map(|k| {
            let label = action_label(&k).to_owned();
            (k, label)
        })
        .collect();
    render(&AuditPage {
        layout: Layout::new(&app, &user, "Protokoll", uri.path()),
        newer: query.before_seq.is_some().then(|| link(None)),
        older: has_older.then(|| link(oldest_shown)),
        filter,
        filter_error,
        entities,
        actions,
        entries,
        verify,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn changes_read_as_lines() {
        let lines = super::change_lines(r#"{"city":{"from":"","to":"Ahlen"},"name":"KI"}"#);
        assert_eq!(lines, ["Ort: (leer) → Ahlen", "Name: KI"]);
    }
}
