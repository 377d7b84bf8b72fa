//! A review round's progress per organisation as a workbook, for chasing the missing reports by
//! telephone (decision 0014): who owes what, with their number and address.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

fn xlsx_error(e: XlsxError) -> String {
    format!("XLSX: {e}")
}

/// A sheet's header in `row`: bold titles, each column as wide as given.
fn header_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    header: &[(&str, f64)],
    bold: &Format,
) -> Result<(), String> {
    for (col, (title, width)) in header.iter().enumerate() {
        let col = u16::try_from(col).map_err(|e| e.to_string())?;
        ws.write_string_with_format(row, col, *title, bold)
            .map_err(xlsx_error)?;
        ws.set_column_width(col, *width).map_err(xlsx_error)?;
    }
    Ok(())
}

/// One organisation asked for reports in the round.
#[derive(Debug, Clone, Default)]
pub struct Chase {
    pub organisation: String,
    pub phone: String,
    pub email: String,
    pub missing: u32,
    pub returned: u32,
    pub submitted: u32,
    pub accepted: u32,
    /// The reports it still owes (missing or returned): number, measure, state.
    pub owed: Vec<(String, String, String)>,
}

/// Two sheets: the organisations with their counts and contact (those owing most first), and
/// every report still owed with whom to call.
pub fn round_progress_xlsx(round: &str, rows: &[Chase]) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_align(FormatAlign::Right);
    let mut rows: Vec<&Chase> = rows.iter().collect();
    rows.sort_by(|a, b| {
        (b.missing + b.returned)
            .cmp(&(a.missing + a.returned))
            .then_with(|| a.organisation.cmp(&b.organisation))
    });

    let ws = workbook.add_worksheet();
    ws.set_name("Stand je Organisation").map_err(xlsx_error)?;
    ws.write_string_with_format(0, 0, format!("{round}: Stand der Berichte"), &bold)
        .map_err(xlsx_error)?;
    let header = [
        ("Organisation", 40.0),
        ("Telefon", 20.0),
        ("E-Mail", 30.0),
        ("ausstehend", 12.0),
        ("zurückgegeben", 14.0),
        ("eingereicht", 12.0),
        ("angenommen", 12.0),
    ];
    header_row(ws, 2, &header, &bold)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 3).map_err(|e| e.to_string())?;
        ws.write_string(row, 0, &r.organisation)
            .map_err(xlsx_error)?;
        ws.write_string(row, 1, &r.phone).map_err(xlsx_error)?;
        ws.write_string(row, 2, &r.email).map_err(xlsx_error)?;
        for (col, n) in [
            (3, r.missing),
            (4, r.returned),
            (5, r.submitted),
            (6, r.accepted),
        ] {
            ws.write_number_with_format(row, col, f64::from(n), &number)
                .map_err(xlsx_error)?;
        }
    }

    let ws = workbook.add_worksheet();
    ws.set_name("Offene Berichte").map_err(xlsx_error)?;
    let header = [
        ("Organisation", 40.0),
        ("Telefon", 20.0),
        ("Nr.", 10.0),
        ("Maßnahme", 50.0),
        ("Bericht", 14.0),
    ];
    header_row(ws, 0, &header, &bold)?;
    let mut row = 1u32;
    for r in &rows {
        for (code, title, state) in &r.owed {
            ws.write_string(row, 0, &r.organisation)
                .map_err(xlsx_error)?;
            ws.write_string(row, 1, &r.phone).map_err(xlsx_error)?;
            ws.write_string(row, 2, code).map_err(xlsx_error)?;
            ws.write_string(row, 3, title).map_err(xlsx_error)?;
            ws.write_string(row, 4, state).map_err(xlsx_error)?;
            row += 1;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workbook_lists_who_owes_what_with_their_number() {
        let rows = vec![
            Chase {
                organisation: "Alle abgegeben e. V.".into(),
                accepted: 3,
                ..Chase::default()
            },
            Chase {
                organisation: "Caritas".into(),
                phone: "02581 123".into(),
                email: "info@example.org".into(),
                missing: 2,
                returned: 1,
                owed: vec![
                    ("KIM 1".into(), "Fallmanagement".into(), "ausstehend".into()),
                    ("KIM 2".into(), "Lotsen".into(), "zurückgegeben".into()),
                ],
                ..Chase::default()
            },
        ];
        let bytes = round_progress_xlsx("Überprüfung 2026", &rows).unwrap();
        let cells = crate::read_xlsx(&bytes).unwrap();
        // The first sheet: title, header, the organisation owing most first.
        assert_eq!(cells[0][0], "Überprüfung 2026: Stand der Berichte");
        assert_eq!(cells[2][0], "Organisation");
        assert_eq!(cells[3][0], "Caritas");
        assert_eq!(cells[3][1], "02581 123");
        assert_eq!(cells[3][3], "2");
        assert_eq!(cells[4][0], "Alle abgegeben e. V.");
    }
}
