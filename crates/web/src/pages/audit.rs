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
    /// The entry in words; the technical details (who by account name, record id, changed
    /// fields) sit behind a disclosure.
    sentence: String,
    actor: String,
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

/// German words for the keys the log stores (the keys stay English and stable in the data): the
/// filter's choices.
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
        "reset_password" => "Passwort zurückgesetzt",
        "enrol_totp" => "zweiter Faktor eingerichtet",
        "remove_totp" => "zweiter Faktor entfernt",
        "open" => "eröffnet",
        "close" => "abgeschlossen",
        "submit" => "eingereicht",
        "accept" => "angenommen",
        "return" => "zurückgegeben",
        "propose" => "vorgeschlagen",
        "remind" => "erinnert",
        "approve" => "freigegeben",
        "discard" => "verworfen",
        "verify" => "bestätigt",
        "withdraw" => "zurückgezogen",
        "reinstate" => "wieder aufgenommen",
        "link" => "verknüpft",
        "link_measure" => "mit Maßnahme verknüpft",
        "unlink_measure" => "von Maßnahme gelöst",
        "record_value" => "Wert erfasst",
        "add_site" => "Standort ergänzt",
        "deactivate_site" => "Standort deaktiviert",
        "reactivate_site" => "Standort wieder aktiviert",
        "set_figures" => "Teilnehmerzahlen erfasst",
        "set_budget" => "Budget festgelegt",
        "payment" => "Zahlung erfasst",
        "expense" => "Ausgabe erfasst",
        "add_deadline" => "Frist ergänzt",
        "submit_report" => "Nachweis eingereicht",
        "run" => "ausgeführt",
        "reject" => "abgelehnt",
        "assign" => "vermittelt",
        "complete" => "als durchgeführt erfasst",
        "mark_unmet" => "als nicht vermittelbar erfasst",
        other => other,
    }
}

/// The record kinds, as the filter names them.
fn entity_label(key: &str) -> &str {
    entity_words(key).1
}

/// A record kind as a sentence names it: (accusative article, noun).
fn entity_words(key: &str) -> (&'static str, &str) {
    match key {
        "organisation" => ("die", "Organisation"),
        "user" => ("das", "Benutzerkonto"),
        "session" => ("die", "Anmeldung"),
        "setting" => ("die", "Einstellung"),
        "api_token" => ("den", "API-Schlüssel"),
        "reference_data" => ("die", "Referenzdaten"),
        "concept" => ("das", "Konzept"),
        "field_of_action" => ("das", "Handlungsfeld"),
        "measure" => ("die", "Maßnahme"),
        "indicator" => ("den", "Indikator"),
        "review_round" => ("die", "Überprüfungsrunde"),
        "review_update" => ("den", "Bericht zur Maßnahme"),
        "review_proposal" => ("den", "Vorschlag"),
        "structural_issue" => ("die", "strukturelle Hürde"),
        "body" => ("das", "Gremium"),
        "meeting" => ("die", "Sitzung"),
        "agenda_item" => ("den", "Tagesordnungspunkt"),
        "decision" => ("den", "Beschluss"),
        "action_item" => ("die", "Aufgabe"),
        "offer" => ("das", "Angebot"),
        "programme" => ("das", "Programm"),
        "funding_programme" => ("das", "Förderprogramm"),
        "grant" => ("die", "Zuwendung"),
        "reporting_deadline" => ("den", "Verwendungsnachweis"),
        "job" => ("die", "Hintergrundaufgabe"),
        "person" => ("die", "Person"),
        "case" => ("den", "Fall"),
        "finder_concept" => ("den", "Begriff der Suche"),
        "finder_misses" => ("die", "nicht gefundenen Suchen"),
        "accessibility_feedback" => ("die", "Barrieremeldung"),
        "interpreter" => ("die Person im", "Sprachmittlerpool"),
        "interpreter_request" => ("die", "Sprachmittlungsanfrage"),
        "counselling_site" => ("den", "Standort der Erstberatung"),
        "school_registration" => ("die", "Meldung zur Schulischen Erstberatung"),
        other => ("", other),
    }
}

/// Who acted, as people know them: the account's display name, or Lotse itself for scheduled
/// and command-line work.
fn actor_words(actor_name: &str, display: Option<&str>) -> String {
    match (display, actor_name.strip_prefix("system:")) {
        (Some(name), _) => name.to_owned(),
        // A family registering itself on the public page.
        (None, Some("public-form")) => "Online-Formular (Familie)".to_owned(),
        (None, Some(what)) => match crate::jobs::find(what) {
            Some(job) => format!("Lotse (automatisch: {})", job.label),
            None => "Lotse (automatisch)".to_owned(),
        },
        (None, None) => actor_name.to_owned(),
    }
}

/// One entry as a sentence: "Kim Beispiel hat das Angebot „Sprachcafé“ freigegeben."
fn sentence(actor: &str, action: &str, entity: &str, name: Option<&str>) -> String {
    let named = |article: &str, noun: &str| match name {
        Some(n) => format!("{article} {noun} „{n}“"),
        None => format!("{article} {noun}"),
    };
    let (article, noun) = entity_words(entity);
    let thing = named(article, noun);
    match action {
        "login" => format!("{actor} hat sich angemeldet."),
        "logout" => format!("{actor} hat sich abgemeldet."),
        "login_failed" => format!("Anmeldung als „{actor}“ fehlgeschlagen."),
        "second_factor" => format!("{actor} hat sich mit dem zweiten Faktor bestätigt."),
        "second_factor_failed" => format!("{actor} hat einen falschen zweiten Faktor eingegeben."),
        "change_password" => format!("{actor} hat das eigene Passwort geändert."),
        "reset_password" => format!("{actor} hat das Passwort für {thing} zurückgesetzt."),
        "enrol_totp" => format!("{actor} hat einen zweiten Faktor eingerichtet für {thing}."),
        "remove_totp" => format!("{actor} hat den zweiten Faktor entfernt für {thing}."),
        "remind" => format!("{actor} hat an {thing} erinnert."),
        "record_value" => format!("{actor} hat einen Wert erfasst für {thing}."),
        "add_site" => format!("{actor} hat einen Standort ergänzt für {thing}."),
        "deactivate_site" => format!("{actor} hat einen Standort deaktiviert bei {thing}."),
        "reactivate_site" => format!("{actor} hat einen Standort wieder aktiviert bei {thing}."),
        "set_figures" => format!("{actor} hat Teilnehmerzahlen erfasst für {thing}."),
        "set_budget" => format!("{actor} hat das Budget festgelegt für {thing}."),
        "payment" => format!("{actor} hat eine Zahlung erfasst für {thing}."),
        "expense" => format!("{actor} hat eine Ausgabe erfasst für {thing}."),
        "add_deadline" => format!("{actor} hat eine Frist ergänzt für {thing}."),
        "submit_report" => format!("{actor} hat den Verwendungsnachweis eingereicht für {thing}."),
        "link_measure" => format!("{actor} hat {thing} mit einer Maßnahme verknüpft."),
        "unlink_measure" => format!("{actor} hat {thing} von einer Maßnahme gelöst."),
        "run" => format!("{actor} hat {thing} ausgeführt."),
        other => format!("{actor} hat {thing} {}.", action_label(other)),
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
        "title" => "Titel",
        "status" => "Sachstand",
        "state" => "Stand",
        "adaptation" => "Anpassungsbedarf",
        "reference_date" => "Stichtag",
        "submission_deadline" => "Abgabefrist",
        "previous_deadline" => "bisherige Abgabefrist",
        "measures" => "Maßnahmen",
        "measure_id" => "Maßnahme",
        "sent_to" => "verschickt an",
        "failed" => "nicht zugestellt",
        "fields" => "Felder",
        "note" | "comment" | "review_comment" => "Anmerkung",
        "reason" => "Begründung",
        "code" => "Nr.",
        "description" => "Beschreibung",
        "due_on" => "fällig am",
        "held_on" | "on" => "Datum",
        "amount" | "amount_cents" => "Betrag",
        "year" => "Jahr",
        "period_from" => "Beginn",
        "period_to" => "Ende",
        other => other,
    }
}

/// One readable line per changed field, days and figures written the German way (the log
/// stores them ISO and in cents).
fn change_lines(json: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return vec![json.to_owned()];
    };
    let show = |field: &str, v: &serde_json::Value| match v {
        serde_json::Value::String(s) if s.is_empty() => "(leer)".to_owned(),
        serde_json::Value::String(s) if is_iso_day(s) => {
            lotse_domain::Date::parse(s).map_or_else(|| s.clone(), lotse_domain::Date::german)
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "(leer)".to_owned(),
        serde_json::Value::Number(n) if field.ends_with("_cents") => n
            .as_i64()
            .map_or_else(|| n.to_string(), lotse_domain::funding::format_euro),
        // A year is a name, not a figure: 2026, never 2.026.
        serde_json::Value::Number(n) if field == "year" || field.ends_with("_year") => {
            n.to_string()
        }
        serde_json::Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::view::number_de),
        other => other.to_string(),
    };
    map.iter()
        .map(|(field, value)| match value {
            serde_json::Value::Object(o) if o.contains_key("from") && o.contains_key("to") => {
                format!(
                    "{}: {} → {}",
                    field_label(field),
                    show(field, &o["from"]),
                    show(field, &o["to"])
                )
            }
            other => format!("{}: {}", field_label(field), show(field, other)),
        })
        .collect()
}

/// `2026-06-30`, exactly: a day as the log stores it.
fn is_iso_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
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
    // The names behind the ids of this page: records, and the accounts that acted.
    let mut refs: Vec<(&str, &str)> = found
        .iter()
        .map(|e| (e.entity.as_str(), e.record_id.as_str()))
        .collect();
    refs.extend(
        found
            .iter()
            .filter_map(|e| e.actor_id.as_deref().map(|id| ("user", id))),
    );
    let names = audit::record_names(&app.db, &refs).await?;
    let name_of = |entity: &str, id: &str| {
        names
            .iter()
            .find(|(e, i, _)| e == entity && i == id)
            .map(|(_, _, n)| n.as_str())
    };
    let entries = found
        .iter()
        .map(|e| {
            let actor = actor_words(
                &e.actor_name,
                e.actor_id.as_deref().and_then(|id| name_of("user", id)),
            );
            // A session's record is the account; its name would repeat the actor.
            let name = (e.entity != "session")
                .then(|| name_of(&e.entity, &e.record_id))
                .flatten();
            Row {
                seq: e.seq,
                at: datetime(e.at),
                sentence: sentence(&actor, &e.action, &e.entity, name),
                actor: e.actor_name.clone(),
                record_id: e.record_id.clone(),
                changes: change_lines(&e.changes),
            }
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
    fn entries_read_as_sentences() {
        use super::{actor_words, sentence};
        assert_eq!(
            sentence("Kim Beispiel", "approve", "offer", Some("Sprachcafé")),
            "Kim Beispiel hat das Angebot „Sprachcafé“ freigegeben."
        );
        assert_eq!(
            sentence("Sam Probe", "submit", "review_update", Some("Elterncafé")),
            "Sam Probe hat den Bericht zur Maßnahme „Elterncafé“ eingereicht."
        );
        assert_eq!(
            sentence("Kim Beispiel", "login", "session", None),
            "Kim Beispiel hat sich angemeldet."
        );
        assert_eq!(
            actor_words("system:round-reminders", None),
            "Lotse (automatisch: Erinnerung an ausstehende Berichte vor der Abgabefrist einer Überprüfungsrunde)"
        );
        // Every action and record kind the log knows has German words: no key shows through.
        let (entities, actions) = lotse_store::audit::known_entities_and_actions();
        for e in &entities {
            assert_ne!(super::entity_words(e).0, "", "{e}");
        }
        for a in &actions {
            assert_ne!(super::action_label(a), a.as_str(), "{a}");
        }
    }

    #[test]
    fn changes_read_as_lines() {
        let lines = super::change_lines(r#"{"city":{"from":"","to":"Ahlen"},"name":"KI"}"#);
        assert_eq!(lines, ["Ort: (leer) → Ahlen", "Name: KI"]);
        let lines = super::change_lines(
            r#"{"due_on":{"from":"2026-06-30","to":"2026-07-15"},"amount_cents":123450,"rows":1500,"year":2026}"#,
        );
        assert_eq!(
            lines,
            [
                "Betrag: 1.234,50 €",
                "fällig am: 30.06.2026 → 15.07.2026",
                "Zeilen: 1.500",
                "Jahr: 2026"
            ]
        );
    }
}
