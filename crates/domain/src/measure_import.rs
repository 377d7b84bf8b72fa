//! Reading a measure catalogue as the district keeps it (CSV or spreadsheet rows): the header row is
//! found even below title rows, common German and English headers are recognised, and other
//! headers can be mapped explicitly.

use crate::csv_file;
use crate::date::Date;
use crate::measure::MeasureStatus;

/// The fields a catalogue column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Code,
    Title,
    Description,
    Field,
    Lead,
    Partners,
    Status,
    Start,
    End,
    TargetGroup,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Code,
        Column::Title,
        Column::Description,
        Column::Field,
        Column::Lead,
        Column::Partners,
        Column::Status,
        Column::Start,
        Column::End,
        Column::TargetGroup,
    ];

    /// The key used in explicit mappings (`--map "Spalte=title"`).
    pub fn key(self) -> &'static str {
        match self {
            Column::Code => "code",
            Column::Title => "title",
            Column::Description => "description",
            Column::Field => "field",
            Column::Lead => "lead",
            Column::Partners => "partners",
            Column::Status => "status",
            Column::Start => "start",
            Column::End => "end",
            Column::TargetGroup => "target_group",
        }
    }

    pub fn parse_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key.trim())
    }
}

/// The column a header names, for the headers the Kreis and others commonly use.
pub fn column_for(header: &str) -> Option<Column> {
    let h = header.trim().trim_end_matches(':').to_lowercase();
    let h = h.as_str();
    Some(match h {
        "nr." | "nr" | "nummer" | "code" | "id" | "lfd. nr." | "kennung" | "no." => Column::Code,
        "maßnahme" | "massnahme" | "titel" | "title" | "bezeichnung" | "measure" => Column::Title,
        "beschreibung" | "description" | "inhalt" | "erläuterung" => Column::Description,
        "handlungsfeld" | "field of action" | "bereich" | "themenfeld" => Column::Field,
        "federführung" | "federfuehrung" | "zuständigkeit" | "zustaendigkeit"
        | "verantwortlich" | "lead" => Column::Lead,
        "partner" | "beteiligte" | "kooperationspartner" | "partners" => Column::Partners,
        "status" | "sachstand" | "umsetzungsstand" | "stand" => Column::Status,
        "beginn" | "start" | "von" | "begin" => Column::Start,
        "ende" | "end" | "bis" => Column::End,
        "zielgruppe" | "target group" | "zielgruppen" => Column::TargetGroup,
        _ => return None,
    })
}

/// The header row: the first row among the first 30 that names a title column and at least one
/// other known column. Returns its index and the column of each cell.
pub fn find_header(rows: &[Vec<String>]) -> Option<(usize, Vec<Option<Column>>)> {
    rows.iter().take(30).enumerate().find_map(|(i, row)| {
        let columns: Vec<Option<Column>> = row.iter().map(|c| column_for(c)).collect();
        let known = columns.iter().flatten().count();
        (columns.contains(&Some(Column::Title)) && known >= 2).then_some((i, columns))
    })
}

/// Applies explicit `header=key` mappings on top of the recognised columns.
pub fn apply_mapping(
    header: &[String],
    columns: &mut [Option<Column>],
    mapping: &[(String, String)],
) -> Result<(), String> {
    let keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
    map_columns(header, columns, mapping, Column::parse_key, &keys)
}

/// Applies `header=key` mappings to the columns of any import (`parse` reads a key, `keys`
/// lists the allowed ones for the message), naming an unknown field or header.
pub fn map_columns<C>(
    header: &[String],
    columns: &mut [Option<C>],
    mapping: &[(String, String)],
    parse: impl Fn(&str) -> Option<C>,
    keys: &[&str],
) -> Result<(), String> {
    for (name, key) in mapping {
        let column = parse(key).ok_or_else(|| {
            format!(
                "Unbekanntes Zielfeld „{key}“. Erlaubt: {}.",
                keys.join(", ")
            )
        })?;
        let index = header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("Die Spalte „{name}“ gibt es in der Kopfzeile nicht."))?;
        columns[index] = Some(column);
    }
    Ok(())
}

/// One catalogue row, numbered as the spreadsheet shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub code: String,
    pub title: String,
    pub description: String,
    pub field: String,
    pub lead: String,
    pub partners: Vec<String>,
    pub status: String,
    pub start: String,
    pub end: String,
    pub target_group: String,
}

/// The data rows below the header (empty rows skipped).
pub fn data_rows(
    rows: &[Vec<String>],
    header_index: usize,
    columns: &[Option<Column>],
) -> Vec<ImportRow> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut r = ImportRow {
            line: i + 1,
            ..Default::default()
        };
        for (cell, column) in row.iter().zip(columns) {
            let cell = cell.trim().to_owned();
            match column {
                Some(Column::Code) => r.code = cell,
                Some(Column::Title) => r.title = cell,
                Some(Column::Description) => r.description = cell,
                Some(Column::Field) => r.field = cell,
                Some(Column::Lead) => r.lead = cell,
                Some(Column::Partners) => {
                    r.partners = cell
                        .split([';', '\n'])
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                Some(Column::Status) => r.status = cell,
                Some(Column::Start) => r.start = cell,
                Some(Column::End) => r.end = cell,
                Some(Column::TargetGroup) => r.target_group = cell,
                None => {}
            }
        }
        out.push(r);
    }
    out
}

/// Dates as catalogues write them: `01.09.2010`, `2010-09-01`, `09/2010` or just `2010`.
pub fn parse_catalogue_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if let Some(iso) = Date::parse(t) {
        return Some(iso);
    }
    let parts: Vec<&str> = t.split(['.', '/']).collect();
    let candidate = match parts.as_slice() {
        [d, m, y] if y.len() == 4 => format!("{y}-{:0>2}-{:0>2}", m, d),
        [m, y] if y.len() == 4 => format!("{y}-{:0>2}-01", m),
        [y] if y.len() == 4 => format!("{y}-01-01"),
        _ => return None,
    };
    Date::parse(&candidate)
}

/// A status as catalogues write it; empty means "geplant".
pub fn parse_catalogue_status(text: &str) -> Option<MeasureStatus> {
    if text.trim().is_empty() {
        Some(MeasureStatus::Planned)
    } else {
        MeasureStatus::parse(text)
    }
}

/// Reads CSV (`;` or `,`, UTF-8 with or without BOM) into rows of cells; rows may differ in length.
/// Broken quoting and tables beyond [`crate::limits`] are refused with the line concerned.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let text = csv_file::decode(bytes)?;
    let semicolons = text
        .lines()
        .take(30)
        .map(|l| l.matches(';').count())
        .sum::<usize>();
    let commas = text
        .lines()
        .take(30)
        .map(|l| l.matches(',').count())
        .sum::<usize>();
    let delimiter = if commas > semicolons { b',' } else { b';' };
    csv_file::check_quotes(text, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let bytes = text.as_bytes();
    let (mut scanned, mut line) = (0usize, 1usize);
    for record in reader.records() {
        let record = record.map_err(|e| format!("Die CSV-Datei ist nicht lesbar: {e}"))?;
        // The reader skips empty lines; pad them back so that row i is line i + 1 of the file,
        // as a spreadsheet numbers it.
        if let Some(p) = record.position() {
            let mut start = (p.byte() as usize).min(bytes.len());
            while start < bytes.len() && (bytes[start] == b'\r' || bytes[start] == b'\n') {
                start += 1;
            }
            if start > scanned {
                line += bytes[scanned..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                scanned = start;
            }
            csv_file::check_shape(line, record.len())?;
            while rows.len() + 1 < line {
                rows.push(Vec::new());
            }
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "Maßnahmenkatalog Integrationskonzept 2010;;;\nStand: März 2024;;;\n;;;\nNr.;Maßnahme;Federführung;Sachstand;Beginn;Bemerkung\n1.1;Sprachcafé;Caritas;in Umsetzung;01.09.2010;x\n;;;\n1.2;Elternkurse;AWO; umgesetzt ;2011;\n";

    #[test]
    fn the_header_is_found_below_title_rows() {
        let rows = read_csv(FILE.as_bytes()).expect("csv");
        let (index, columns) = find_header(&rows).expect("header");
        assert_eq!(index, 3);
        assert_eq!(
            columns[..5],
            [
                Some(Column::Code),
                Some(Column::Title),
                Some(Column::Lead),
                Some(Column::Status),
                Some(Column::Start)
            ]
        );
        assert_eq!(
            columns[5], None,
            "unknown columns are ignored unless mapped"
        );
        let data = data_rows(&rows, index, &columns);
        assert_eq!(data.len(), 2);
        assert_eq!(
            (data[0].line, data[0].title.as_str(), data[0].lead.as_str()),
            (5, "Sprachcafé", "Caritas")
        );
        assert_eq!(data[1].line, 7);
    }

    #[test]
    fn explicit_mappings_cover_other_headers() {
        let rows = read_csv(FILE.as_bytes()).expect("csv");
        let (index, mut columns) = find_header(&rows).expect("header");
        apply_mapping(
            &rows[index],
            &mut columns,
            &[("Bemerkung".into(), "description".into())],
        )
        .expect("mapped");
        assert_eq!(data_rows(&rows, index, &columns)[0].description, "x");
        assert!(
            apply_mapping(
                &rows[index],
                &mut columns,
                &[("Fehlt".into(), "title".into())]
            )
            .is_err()
        );
        assert!(
            apply_mapping(
                &rows[index],
                &mut columns,
                &[("Bemerkung".into(), "farbe".into())]
            )
            .is_err()
        );
    }

    #[test]
    fn catalogue_dates_and_statuses() {
        assert_eq!(
            parse_catalogue_date("01.09.2010")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2010-09-01")
        );
        assert_eq!(
            parse_catalogue_date("9/2010")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2010-09-01")
        );
        assert_eq!(
            parse_catalogue_date("2011")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2011-01-01")
        );
        assert_eq!(parse_catalogue_date("31.02.2010"), None);
        assert_eq!(
            parse_catalogue_status(" umgesetzt "),
            Some(MeasureStatus::Established)
        );
        assert_eq!(parse_catalogue_status(""), Some(MeasureStatus::Planned));
        assert_eq!(parse_catalogue_status("läuft"), None);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_not_one_long_title() {
        let e = read_csv("Nr.;Maßnahme\n1;\"Sprachcafé\n2;Elternkurse\n".as_bytes())
            .expect_err("unbalanced");
        assert!(
            e.contains("Zeile 2") && e.contains("Anführungszeichen"),
            "{e}"
        );
    }

    #[test]
    fn tables_beyond_the_limits_are_refused_before_they_are_built() {
        let many_rows = "a;b\n".repeat(crate::limits::TABLE_ROWS + 1);
        assert!(read_csv(many_rows.as_bytes()).is_err());
        let empty_lines = format!("a;b\n{}c;d\n", "\n".repeat(crate::limits::TABLE_ROWS));
        assert!(read_csv(empty_lines.as_bytes()).is_err());
        let wide = ";".repeat(crate::limits::TABLE_COLUMNS + 1);
        let e = read_csv(wide.as_bytes()).expect_err("wide");
        assert!(e.contains("Zeile 1"), "{e}");
    }

    #[test]
    fn a_file_without_a_header_is_recognised_as_such() {
        let rows = read_csv(b"a;b\nc;d\n").expect("csv");
        assert!(find_header(&rows).is_none());
    }
}
