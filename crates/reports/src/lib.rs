//! Report and exchange formats. Spreadsheets (XLSX) for the measure catalogue and a review round's
//! results, and reading XLSX catalogues for import. Kept out of the web crate so that editing a
//! handler never recompiles these libraries.

mod case_statistics;
mod document;
mod docx;
mod funding;
mod interpreters;
mod pdf;
mod round_progress;
mod subject_access;

pub use case_statistics::case_statistics_xlsx;

use std::io::Cursor;

pub use document::status_report_file_name;
pub use docx::{docx_document_xml, status_report_docx};
pub use funding::funding_xlsx;
pub use interpreters::interpreter_statement_xlsx;
pub use pdf::status_report_pdf;
pub use round_progress::{Chase, round_progress_xlsx};
pub use subject_access::subject_access_pdf;

use calamine::{DataRef, Reader, Xlsx};
use lotse_domain::limits;
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
                m.planned_start.map(|d| d.to_string()).unwrap_or_default(),
                m.planned_end.map(|d| d.to_string()).unwrap_or_default(),
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
    lotse_domain::measure::date_from_days(serial.floor() as i64 - 25_569).map(|d| d.to_string())
}

/// Reads the first worksheet of an XLSX file into rows of text cells (dates as `YYYY-MM-DD`).
///
/// The cost follows the file's content, never the coordinates it names: the parts are unpacked
/// once under a size limit (a zip bomb stops there), cells are read as a stream and kept only
/// when they hold a value, and a value beyond [`limits::TABLE_ROWS`] or
/// [`limits::TABLE_COLUMNS`] is refused with its cell named. (Reading the sheet as a dense
/// range allocated rows × columns: one value in XFD1048576 asked for 512 GB.)
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    check_unpacked_size(bytes, limits::XLSX_UNPACKED_BYTES)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| format!("Die Datei ist keine lesbare XLSX-Datei: {e}"))?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| "Die XLSX-Datei enthält kein Tabellenblatt.".to_owned())?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("Das erste Tabellenblatt ist nicht lesbar: {e}"))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut count = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("Das erste Tabellenblatt ist nicht lesbar: {e}"))?
    {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if row >= limits::TABLE_ROWS || column >= limits::TABLE_COLUMNS {
            return Err(format!(
                "Zelle {} enthält einen Wert; eine Tabelle darf höchstens {} Zeilen und {} Spalten haben. Bitte den Wert löschen oder die Tabelle teilen.",
                cell_name(row, column),
                limits::count_label(limits::TABLE_ROWS),
                limits::TABLE_COLUMNS
            ));
        }
        count += 1;
        if count > limits::TABLE_CELLS {
            return Err(format!(
                "Die Tabelle hat mehr als {} gefüllte Zellen.",
                limits::count_label(limits::TABLE_CELLS)
            ));
        }
        // Rows are numbered from the sheet's top, so that messages match what Excel shows.
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if cells.len() <= column {
            cells.resize_with(column + 1, String::new);
        }
        cells[column] = text;
    }
    Ok(rows)
}

/// Unpacks every part once, counting, and refuses the file before it is parsed when the parts
/// are too many or too large together. The sizes a zip declares are not trusted: the bytes are.
fn check_unpacked_size(bytes: &[u8], limit: u64) -> Result<(), String> {
    use std::io::Read;
    let not_xlsx =
        |e: zip::result::ZipError| format!("Die Datei ist keine lesbare XLSX-Datei: {e}");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    if zip.len() > limits::XLSX_PARTS {
        return Err(format!(
            "Die XLSX-Datei hat mehr als {} Bestandteile.",
            limits::XLSX_PARTS
        ));
    }
    let too_large = || {
        format!(
            "Die XLSX-Datei ist entpackt größer als {} MB; bitte die Tabelle teilen.",
            limit / 1024 / 1024
        )
    };
    let mut left = limit;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(not_xlsx)?;
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| format!("Die Datei ist keine lesbare XLSX-Datei: {e}"))?;
        left = left.checked_sub(read).ok_or_else(too_large)?;
    }
    Ok(())
}

fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(true) => "ja".into(),
        DataRef::Bool(false) => "nein".into(),
        DataRef::DateTime(dt) => excel_date(dt.as_f64()).unwrap_or_default(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().take(10).collect(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// A cell as Excel names it: `XFD1048576` for row 1,048,575 and column 16,383 counted from 0.
fn cell_name(row: usize, column: usize) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    let mut name: String = letters.iter().rev().collect();
    name.push_str(&(row + 1).to_string());
    name
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

    fn workbook_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        for (row, col, text) in cells {
            ws.write_string(*row, *col, *text).expect("cell");
        }
        workbook.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_value_in_the_last_cell_is_refused_by_name_without_building_the_grid() {
        // Read densely, this sheet asked for 512 GB and aborted the server.
        let bytes = workbook_with(&[(0, 0, "Nr."), (1_048_575, 16_383, "x")]);
        let e = read_xlsx(&bytes).expect_err("too far");
        assert!(e.contains("XFD1048576"), "{e}");
        let bytes = workbook_with(&[(1_048_575, 299, "x")]);
        let e = read_xlsx(&bytes).expect_err("too far down");
        assert!(e.contains("KN1048576"), "{e}");
    }

    #[test]
    fn sparse_cells_land_where_excel_shows_them() {
        let bytes = workbook_with(&[(2, 1, "Maßnahme"), (4, 3, "x")]);
        let rows = read_xlsx(&bytes).expect("read");
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[2], vec![String::new(), "Maßnahme".to_owned()]);
        assert_eq!(rows[4][3], "x");
        assert!(rows[3].is_empty());
    }

    #[test]
    fn a_zip_that_unpacks_beyond_the_limit_is_refused_before_parsing() {
        let bytes = workbook_with(&[(0, 0, &"Sprachcafé ".repeat(2_000))]);
        assert!(check_unpacked_size(&bytes, 10 * 1024 * 1024).is_ok());
        let e = check_unpacked_size(&bytes, 16 * 1024).expect_err("bomb");
        assert!(e.contains("entpackt"), "{e}");
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
