//! The answer to a person's request for access (Art. 15 GDPR) as a PDF: everything held about
//! them, table by table, one field per line, in the order of the export
//! (`lotse_store::cases::SubjectAccess`), and who read their case.

use lotse_domain::Date;
use lotse_store::cases::SubjectAccess;

use crate::document::Block;

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
                .map(|(field, v)| vec![field.clone(), value(field, v)])
                .collect();
            b.push(Block::Table(vec!["Feld".into(), "Wert".into()], lines));
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
        b.push(Block::Table(vec!["Tag".into(), "Konto".into()], rows));
    }
    b
}

/// The answer as a PDF/A-2b file.
pub fn subject_access_pdf(s: &SubjectAccess, created: Date) -> Result<Vec<u8>, String> {
    crate::pdf::blocks_pdf(
        "Auskunft",
        &s.pseudonym,
        || subject_access_blocks(s, created),
        created,
    )
}
