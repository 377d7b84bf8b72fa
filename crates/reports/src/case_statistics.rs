//! The case statistics as a workbook: one sheet per figure, counts as the statistics rule shows
//! them ("<5" and "x" stay text: a suppressed cell must not turn into a number anywhere).

use lotse_store::statistics::{Figure, Shown};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn xlsx_error(e: XlsxError) -> String {
    format!("XLSX: {e}")
}

/// One sheet per figure: key, label, count (and for hand-offs the median and 90th percentile
/// of the waiting days, from five hand-offs on), then the total.
pub fn case_statistics_xlsx(figures: &[Figure]) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (i, figure) in figures.iter().enumerate() {
        let ws = workbook.add_worksheet();
        // Sheet names: at most 31 characters, unique.
        ws.set_name(
            format!("{} {}", i + 1, figure.by)
                .chars()
                .take(31)
                .collect::<String>(),
        )
        .map_err(xlsx_error)?;
        ws.write_string_with_format(0, 0, figure.label, &bold)
            .map_err(xlsx_error)?;
        ws.write_string(
            1,
            0,
            format!(
                "Zeitraum {} bis {}; Werte unter 5 als „<5“, daraus ableitbare als „x“.",
                figure.from, figure.to
            ),
        )
        .map_err(xlsx_error)?;
        let mut header = vec![
            ("Schlüssel", 24.0),
            ("Bezeichnung", 44.0),
            ("Personen", 12.0),
        ];
        let durations = figure.lines.iter().any(|l| l.durations.is_some());
        if durations {
            header.push(("Median Tage", 14.0));
            header.push(("90. Perzentil Tage", 18.0));
        }
        for (c, (title, width)) in header.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(3, c, *title, &bold)
                .map_err(xlsx_error)?;
            ws.set_column_width(c, *width).map_err(xlsx_error)?;
        }
        let mut row = 4u32;
        let count = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, shown: Shown| match shown {
            Shown::Count(n) => ws.write_number(r, 2, n as f64).map(drop),
            other => ws.write_string(r, 2, other.to_string()).map(drop),
        };
        for line in &figure.lines {
            ws.write_string(row, 0, &line.key).map_err(xlsx_error)?;
            ws.write_string(row, 1, &line.label).map_err(xlsx_error)?;
            count(ws, row, line.shown).map_err(xlsx_error)?;
            if let Some((median, p90)) = line.durations.and_then(|d| d.shown()) {
                ws.write_number(row, 3, median).map_err(xlsx_error)?;
                ws.write_number(row, 4, p90).map_err(xlsx_error)?;
            }
            row += 1;
        }
        ws.write_string_with_format(row, 1, "Summe", &bold)
            .map_err(xlsx_error)?;
        count(ws, row, figure.total).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}
