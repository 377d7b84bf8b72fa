//! Report and exchange formats. Spreadsheets (XLSX) for the measure catalogue and a review round's
//! results, and reading XLSX catalogues for import. Kept out of the web crate so that editing a
//! handler never recompiles these libraries.

mod document;
mod docx;
mod funding;
mod pdf;

use std::io::Cursor;

pub use docx::{docx_document_xml, status_report_docx};
pub use funding::funding_xlsx;
pub use pdf::status_report_pdf;

use calamine::{Data, Reader, Xlsx};
use lotse_domain::measure::{Adaptation, KiInvolvement, MeasureStatus};
use lotse_store::measures::Measure;
use lotse_store::status_report::StatusReport;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn err(e: XlsxError) -> String {
    format!("XLSX: {e}")
}

/// A worksheet with a bold, frozen header row and a filter, then one row per item.
fn sheet(
    workbook: &mut Workbook,
    name: &str,
    header: &[(&str, f64)],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let ws = workbook.add_worksheet();
    ws.set_name(name)?;
    for (col, (title, width)) in header.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *title, &bold)?;
        ws.set_column_width(col, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, cell, &wrap)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        rows.len() as u32,
        header.len().saturating_sub(1) as u16,
    )?;
    Ok(())
}

fn status_label(key: &str) -> String {
    MeasureStatus::parse(key).map_or_else(|| key.to_owned(), |s| s.label().to_owned())
}

/// The measure catalogue (as filtered) as a spreadsheet with German headers, importable again.
pub fn measures_xlsx(measures: &[Measure]) -> Result<Vec<u8>, String> {
    let rows: Vec<Vec<String>> = measures
        .iter()
        .map(|m| {
            vec![
                m.concept.clone(),
                m.code.clone(),
                m.title.clone(),
                m.description.clone(),
                m.field_of_action.clone().unwrap_or_default(),
                m.lead_organisation.clone().unwrap_or_default(),
                m.partners
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                KiInvolvement::parse(&m.ki_involvement)
                    .map_or("", KiInvolvement::label)
                    .to_owned(),
                m.target_group.clone(),
                if m.towns.is_empty() {
                    "alle".to_owned()
                } else {
                    m.towns
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                },
                m.planned_start.clone().unwrap_or_default(),
                m.planned_end.clone().unwrap_or_default(),
                status_label(&m.status),
                m.tags.clone(),
                if m.fictitious {
                    "ja".to_owned()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let header = [
        ("Konzept", 12.0),
        ("Nr.", 8.0),
        ("Maßnahme", 45.0),
        ("Beschreibung", 45.0),
        ("Handlungsfeld", 25.0),
        ("Federführung", 30.0),
        ("Partner", 30.0),
        ("Beteiligung KI", 14.0),
        ("Zielgruppe", 20.0),
        ("Städte/Gemeinden", 20.0),
        ("Beginn", 12.0),
        ("Ende", 12.0),
        ("Sachstand", 18.0),
        ("Schlagworte", 20.0),
        ("Beispiel (erfunden)", 10.0),
    ];
    let mut workbook = Workbook::new();
    sheet(&mut workbook, "Maßnahmen", &header, &rows).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

/// A closed round's results: every measure's frozen state, and the summary by status.
pub fn round_xlsx(report: &StatusReport) -> Result<Vec<u8>, String> {
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.concept.clone(),
                r.code.clone(),
                r.title.clone(),
                r.field_of_action.clone().unwrap_or_default(),
                r.lead_organisation.clone().unwrap_or_default(),
                status_label(&r.status),
                if r.update_state == "accepted" {
                    "ja".to_owned()
                } else {
                    "nein".to_owned()
                },
                r.progress.clone(),
                Adaptation::parse(&r.adaptation)
                    .map_or("", Adaptation::label)
                    .to_owned(),
                r.adaptation_reason.clone(),
                if r.fictitious {
                    "ja".to_owned()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let header = [
        ("Konzept", 12.0),
        ("Nr.", 8.0),
        ("Maßnahme", 45.0),
        ("Handlungsfeld", 25.0),
        ("Federführung", 30.0),
        ("Sachstand", 18.0),
        ("Bericht angenommen", 12.0),
        ("Fortschritt", 50.0),
        ("Anpassungsbedarf", 14.0),
        ("Begründung", 40.0),
        ("Beispiel (erfunden)", 10.0),
    ];
    let summary: Vec<Vec<String>> = report
        .by_status
        .iter()
        .map(|(s, n)| vec![s.label().to_owned(), n.to_string()])
        .collect();
    let mut workbook = Workbook::new();
    sheet(&mut workbook, "Maßnahmen", &header, &rows).map_err(err)?;
    sheet(
        &mut workbook,
        "Zusammenfassung",
        &[("Sachstand", 22.0), ("Anzahl", 10.0)],
        &summary,
    )
    .map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

/// Days since 1899-12-30 (Excel's serial dates) to `YYYY-MM-DD`.
fn excel_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Serial day 25 569 is 1970-01-01.
    Some(lotse_domain::measure::date_from_days(
        serial.floor() as i64 - 25_569,
    ))
}

/// Reads the first worksheet of an XLSX file into rows of text cells (dates as `YYYY-MM-DD`).
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec()))
        .map_err(|e| format!("Die Datei ist keine lesbare XLSX-Datei: {e}"))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "Die XLSX-Datei enthält kein Tabellenblatt.".to_owned())?
        .map_err(|e| format!("Das erste Tabellenblatt ist nicht lesbar: {e}"))?;
    // Rows are numbered from the sheet's first row, so that messages match what Excel shows.
    let offset = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); offset];
    for row in range.rows() {
        rows.push(
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => {
                        if *b {
                            "ja".into()
                        } else {
                            "nein".into()
                        }
                    }
                    Data::DateTime(dt) => excel_date(dt.as_f64()).unwrap_or_default(),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect(),
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(25_569.0).as_deref(), Some("1970-01-01"));
        assert_eq!(excel_date(45_658.0).as_deref(), Some("2025-01-01"));
        assert_eq!(excel_date(-3.0), None);
    }

    #[test]
    fn a_written_catalogue_reads_back() {
        let header = [("Nr.", 8.0), ("Maßnahme", 40.0)];
        let rows = vec![vec!["1.1".to_owned(), "Sprachcafé".to_owned()]];
        let mut workbook = Workbook::new();
        sheet(&mut workbook, "Maßnahmen", &header, &rows).expect("sheet");
        let bytes = workbook.save_to_buffer().expect("xlsx");
        let read = read_xlsx(&bytes).expect("readable");
        assert_eq!(
            read,
            vec![
                vec!["Nr.".to_owned(), "Maßnahme".to_owned()],
                vec!["1.1".to_owned(), "Sprachcafé".to_owned()]
            ]
        );
        assert!(read_xlsx(b"not a zip").is_err());
    }
}
