//! The answer to a person's request for access (Art. 15 GDPR) as a PDF: everything held about
//! them, table by table, one field per line, in the order of the export
//! (`lotse_store::cases::SubjectAccess`), and who read their case.

use lotse_domain::Date;
use lotse_store::cases::SubjectAccess;

use crate::document::{Block, Table};

/// A value as the reader should see it: dates as TT.MM.JJJJ (also the instants of fields
/// ending in `_at`, as days in the district), yes/no, nothing as "–".
fn value(field: &str, v: &serde_json::Value) -> String {
    if field.ends_with("_at")
        && let Some(ms) = v.as_i64()
    {
        return lotse_store::day_of(ms).german();
    }
    match v {
        serde_json::Value::Null => "–".to_owned(),
        serde_json::Value::Bool(true) => "ja".to_owned(),
        serde_json::Value::Bool(false) => "nein".to_owned(),
        serde_json::Value::String(s) if s.is_empty() => "–".to_owned(),
        serde_json::Value::String(s) => Date::parse(s).map_or_else(|| s.clone(), |d| d.german()),
        other => other.to_string(),
    }
}

/// A column as the person reads it: the form labels where a form has the field, plain German
/// for the rest, the technical name where nothing fits.
fn field_label(field: &str) -> String {
    use lotse_domain::case::{consent_field_label, person_field_label, work_field_label};
    let plain = match field {
        "id" => "Kennung",
        "pseudonym" => "Fallnummer",
        "person_id" => "Person",
        "case_id" => "Fall",
        "birth_year" => "Geburtsjahr",
        "interpreter_needed" => "Sprachmittlung nötig",
        "town_ags" => "Wohnort (Gemeindeschlüssel)",
        "household_id" => "Haushalt",
        "label" => "Bezeichnung",
        "created_at" => "angelegt am",
        "updated_at" => "geändert am",
        "anonymised_at" => "anonymisiert am",
        "phase" => "Phase",
        "access_route" => "Zugangsweg",
        "opened_on" => "Beginn des Falls",
        "closed_on" => "Abschluss des Falls",
        "owner_user_id" => "zuständiges Konto",
        "deputy_user_id" => "Vertretung",
        "organisation_id" => "Organisation",
        "from_phase" => "von Phase",
        "to_phase" => "zu Phase",
        "changed_on" => "geändert am",
        "changed_by" => "geändert von",
        "assessed_by" | "created_by" | "recorded_by" | "uploaded_by" => "erfasst von",
        "covers_identity" => "freigegeben: Name und Geburtsdatum",
        "covers_residence" => "freigegeben: Aufenthalt",
        "covers_plan" => "freigegeben: Hilfeplan",
        "covers_assessment" => "freigegeben: Einschätzung",
        "requested_by" => "angefragt von",
        "to_organisation_id" => "an Organisation",
        "state" => "Stand",
        "answered_by" => "beantwortet von",
        "user_id" => "Konto",
        "opened_at" => "geöffnet am",
        "expires_at" => "gültig bis",
        "file_name" => "Dateiname",
        "content_type" => "Dateiart",
        "size" => "Größe (Bytes)",
        "content" => "Inhalt",
        "kind" => "Art",
        "title" => "Titel",
        _ => "",
    };
    if !plain.is_empty() {
        return plain.to_owned();
    }
    [
        person_field_label(field),
        work_field_label(field),
        consent_field_label(field),
    ]
    .into_iter()
    .find(|l| *l != field)
    .unwrap_or(field)
    .to_owned()
}

/// The blocks of the answer.
pub fn subject_access_blocks(s: &SubjectAccess, created: Date) -> Vec<Block> {
    let mut b = vec![
        Block::Heading(
            1,
            "Auskunft über gespeicherte Daten (Art. 15 DSGVO)".to_owned(),
        ),
        Block::Para(format!(
            "Kreis Warendorf, Kommunales Integrationsmanagement. Stand: {}. Fallnummer: {}. \
             Enthalten sind alle Angaben, die Lotse über die Person speichert, und wer ihre Fälle \
             gelesen hat.",
            created.german(),
            s.pseudonym
        )),
    ];
    for (label, _, rows) in &s.tables {
        b.push(Block::Heading(2, format!("{label} ({})", rows.len())));
        if rows.is_empty() {
            b.push(Block::Para("Keine Einträge.".to_owned()));
        }
        for row in rows {
            let lines: Vec<Vec<String>> = row
                .iter()
                .map(|(field, v)| vec![field_label(field), value(field, v)])
                .collect();
            b.push(Block::Table(Table::new(&["Feld", "Wert"], lines)));
        }
    }
    b.push(Block::Heading(
        2,
        format!("Wer die Fälle gelesen hat ({})", s.reads.len()),
    ));
    if s.reads.is_empty() {
        b.push(Block::Para("Keine Lesezugriffe verzeichnet.".to_owned()));
    } else {
        let rows: Vec<Vec<String>> = s
            .reads
            .iter()
            .map(|r| vec![lotse_store::day_of(r.at).german(), r.actor_name.clone()])
            .collect();
        b.push(Block::Table(Table::new(&["Tag", "Konto"], rows)));
    }
    b
}

/// The answer as a tagged PDF/A-2a file.
pub fn subject_access_pdf(s: &SubjectAccess, created: Date) -> Result<Vec<u8>, String> {
    crate::pdf::blocks_pdf(
        "Auskunft",
        &s.pseudonym,
        || subject_access_blocks(s, created),
        created,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_in_german_and_days_as_days() {
        let mut row = serde_json::Map::new();
        row.insert("family_name".into(), serde_json::json!("Haddad"));
        row.insert("opened_on".into(), serde_json::json!("2026-01-02"));
        row.insert("interpreter_needed".into(), serde_json::json!(true));
        row.insert("closed_on".into(), serde_json::Value::Null);
        let s = SubjectAccess {
            generated_at: 0,
            pseudonym: "P-2222-3333".into(),
            tables: vec![("Person".into(), "persons".into(), vec![row])],
            reads: Vec::new(),
        };
        let created = Date::new(2026, 11, 30).unwrap_or(Date::EARLIEST);
        let text: Vec<String> = subject_access_blocks(&s, created)
            .into_iter()
            .flat_map(|b| match b {
                Block::Table(t) => t.rows.into_iter().flatten().map(|c| c.text).collect(),
                Block::Heading(_, t) | Block::Para(t) => vec![t],
                _ => Vec::new(),
            })
            .collect();
        for expected in [
            "Familienname",
            "Beginn des Falls",
            "02.01.2026",
            "ja",
            "–",
            "P-2222-3333",
        ] {
            assert!(text.iter().any(|t| t.contains(expected)), "{expected}");
        }
        assert!(!text.iter().any(|t| t == "family_name"));
    }
}
