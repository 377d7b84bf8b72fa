//! The funding overview for the finance office (Kämmerei) as a spreadsheet: amounts as numbers
//! in euro format (so they add up in Excel), dates as dates, one sheet per kind of record.

use lotse_store::funding::{Deadline, FundingSummary, Grant, Movement};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// A cell: text, an amount in cents, or a `YYYY-MM-DD` date.
pub(crate) enum Cell {
    Text(String),
    Euro(i64),
    Date(lotse_domain::Date),
    /// A whole number that adds up (minutes, kilometres).
    Count(i64),
}

pub(crate) fn write_sheet(
    workbook: &mut Workbook,
    name: &str,
    header: &[(&str, f64)],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format("#,##0.00 \"€\"");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let ws: &mut Worksheet = workbook.add_worksheet();
    ws.set_name(name)?;
    for (col, (title, width)) in header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *title, &bold)?;
        ws.set_column_width(col as u16, *width)?;
    }
    let count = rows.len();
    for (r, row) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, t)?;
                }
                Cell::Euro(cents) => {
                    ws.write_number_with_format(r, c, cents as f64 / 100.0, &euro)?;
                }
                Cell::Count(n) => {
                    ws.write_number(r, c, n as f64)?;
                }
                Cell::Date(d) => {
                    let day =
                        rust_xlsxwriter::ExcelDateTime::from_ymd(d.year(), d.month(), d.day())?;
                    ws.write_datetime_with_format(r, c, &day, &date)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, count as u32, header.len().saturating_sub(1) as u16)?;
    Ok(())
}

fn err(e: XlsxError) -> String {
    format!("XLSX: {e}")
}

/// Everything the finance office needs: per funding programme the sums and budgets, every grant
/// with granted, paid out, spent and remaining, every movement, every deadline.
pub fn funding_xlsx(
    summaries: &[FundingSummary],
    budgets: &[(String, i64, i64)],
    grants: &[Grant],
    movements: &[Movement],
    deadlines: &[Deadline],
) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let name_of = |id: &str| {
        summaries
            .iter()
            .find(|s| s.id == id)
            .map_or(String::new(), |s| s.name.clone())
    };
    write_sheet(
        &mut workbook,
        "Förderprogramme",
        &[
            ("Förderprogramm", 40.0),
            ("Fördergeber", 25.0),
            ("Bewilligungen", 14.0),
            ("bewilligt", 16.0),
            ("ausgezahlt", 16.0),
            ("ausgegeben", 16.0),
            ("offene Nachweise", 16.0),
        ],
        summaries
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.name.clone()),
                    Cell::Text(s.funder.clone()),
                    Cell::Text(s.grants.to_string()),
                    Cell::Euro(s.granted_cents),
                    Cell::Euro(s.paid_cents),
                    Cell::Euro(s.spent_cents),
                    Cell::Text(s.open_deadlines.to_string()),
                ]
            })
            .collect(),
    )
    .map_err(err)?;
    write_sheet(
        &mut workbook,
        "Budgets",
        &[("Förderprogramm", 40.0), ("Jahr", 8.0), ("Budget", 16.0)],
        budgets
            .iter()
            .map(|(id, year, cents)| {
                vec![
                    Cell::Text(name_of(id)),
                    Cell::Text(year.to_string()),
                    Cell::Euro(*cents),
                ]
            })
            .collect(),
    )
    .map_err(err)?;
    write_sheet(
        &mut workbook,
        "Bewilligungen",
        &[
            ("Förderprogramm", 30.0),
            ("Empfänger", 35.0),
            ("Programm", 25.0),
            ("Zweck", 40.0),
            ("Aktenzeichen", 16.0),
            ("von", 12.0),
            ("bis", 12.0),
            ("bewilligt", 16.0),
            ("ausgezahlt", 16.0),
            ("ausgegeben", 16.0),
            ("verbleibend", 16.0),
        ],
        grants
            .iter()
            .map(|g| {
                vec![
                    Cell::Text(g.funding_programme.clone()),
                    Cell::Text(g.organisation.clone().unwrap_or_default()),
                    Cell::Text(g.programme.clone().unwrap_or_default()),
                    Cell::Text(g.purpose.clone()),
                    Cell::Text(g.reference.clone()),
                    Cell::Date(g.period_from),
                    Cell::Date(g.period_to),
                    Cell::Euro(g.amount_cents),
                    Cell::Euro(g.paid_cents),
                    Cell::Euro(g.spent_cents),
                    Cell::Euro(g.remaining_cents()),
                ]
            })
            .collect(),
    )
    .map_err(err)?;
    let grant_of = |id: &str| grants.iter().find(|g| g.id == id);
    write_sheet(
        &mut workbook,
        "Zahlungen",
        &[
            ("Förderprogramm", 30.0),
            ("Bewilligung", 40.0),
            ("Art", 12.0),
            ("Datum", 12.0),
            ("Betrag", 16.0),
            ("Notiz", 40.0),
        ],
        movements
            .iter()
            .map(|m| {
                let g = grant_of(&m.grant_id);
                vec![
                    Cell::Text(g.map_or(String::new(), |g| g.funding_programme.clone())),
                    Cell::Text(g.map_or(String::new(), |g| {
                        format!("{} – {}", g.recipient(), g.purpose)
                    })),
                    Cell::Text(
                        lotse_domain::funding::Movement::parse(&m.kind)
                            .map_or(m.kind.clone(), |k| k.label().to_owned()),
                    ),
                    Cell::Date(m.on_date),
                    Cell::Euro(m.amount_cents),
                    Cell::Text(m.note.clone()),
                ]
            })
            .collect(),
    )
    .map_err(err)?;
    write_sheet(
        &mut workbook,
        "Nachweisfristen",
        &[
            ("Förderprogramm", 30.0),
            ("Bewilligung", 40.0),
            ("Nachweis", 30.0),
            ("fällig am", 12.0),
            ("eingereicht am", 14.0),
        ],
        deadlines
            .iter()
            .map(|d| {
                let g = grant_of(&d.grant_id);
                vec![
                    Cell::Text(g.map_or(String::new(), |g| g.funding_programme.clone())),
                    Cell::Text(g.map_or(String::new(), |g| {
                        format!("{} – {}", g.recipient(), g.purpose)
                    })),
                    Cell::Text(d.title.clone()),
                    Cell::Date(d.due_on),
                    d.submitted_on.map_or(Cell::Text(String::new()), Cell::Date),
                ]
            })
            .collect(),
    )
    .map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}
