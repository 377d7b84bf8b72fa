//! The interpreter pool's allowance statement for the finance office: one row per assignment,
//! amounts as numbers in euro format, so that they add up in Excel.

use lotse_store::interpreters::StatementLine;
use rust_xlsxwriter::Workbook;

use crate::funding::{Cell, write_sheet};

pub fn interpreter_statement_xlsx(lines: &[StatementLine]) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let language = |code: &str| {
        lotse_domain::offer::delivery_language_name(code)
            .unwrap_or(code)
            .to_owned()
    };
    write_sheet(
        &mut workbook,
        "Aufwandsentschädigungen",
        &[
            ("Sprachmittler:in", 28.0),
            ("Tag", 12.0),
            ("Sprache", 16.0),
            ("Ort", 16.0),
            ("Anfragende Stelle", 36.0),
            ("Minuten", 10.0),
            ("Kilometer", 10.0),
            ("Betrag", 14.0),
            ("Anfrage", 38.0),
        ],
        lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.interpreter.clone()),
                    Cell::Date(l.on_date),
                    Cell::Text(language(&l.language)),
                    Cell::Text(l.town.clone()),
                    Cell::Text(l.organisation.clone()),
                    Cell::Count(l.actual_minutes),
                    Cell::Count(l.travel_km),
                    Cell::Euro(l.allowance_cents),
                    Cell::Text(l.request_id.clone()),
                ]
            })
            .collect(),
    )
    .map_err(|e| format!("XLSX: {e}"))?;
    workbook.save_to_buffer().map_err(|e| format!("XLSX: {e}"))
}
