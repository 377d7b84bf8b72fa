//! The committee status report as a sequence of blocks (cover, contents, headings, paragraphs,
//! tables, charts): one source for every document format, so DOCX and PDF cannot drift apart.

use std::collections::HashSet;

use lotse_domain::Date;
use lotse_domain::limits::count_label;
use lotse_domain::measure::{Adaptation, MeasureStatus};
use lotse_store::rounds::SnapshotRow;
use lotse_store::status_report::StatusReport;

/// Who issues the report and for whom (the report is the Kreis's committee paper).
pub const DISTRICT: &str = "Kreis Warendorf";
pub const COMMITTEE: &str = "Ausschuss für Bildung, Integration, Kultur und Sport (BIKS)";

/// The colour of each status in the charts, in the order of [`MeasureStatus::ALL`]: light
/// enough that black numbers on them keep a contrast above 7:1, and never the only carrier of
/// the information (legend and numbers are printed beside every bar).
pub const STATUS_COLOURS: [(u8, u8, u8); 6] = [
    (0xC6, 0xDB, 0xEF), // geplant
    (0x6B, 0xAE, 0xD6), // in Umsetzung
    (0x74, 0xC4, 0x76), // umgesetzt/verstetigt
    (0xC7, 0xE9, 0xC0), // abgeschlossen
    (0xFD, 0xAE, 0x6B), // zurückgestellt
    (0xBD, 0xBD, 0xBD), // entfallen
];

pub enum Block {
    /// The title page; the writers start the next block on a new page.
    Cover(Cover),
    /// The table of contents: the headings of levels 2 and 3 that follow it (with page numbers
    /// in the PDF); the writers start the next block on a new page.
    Contents,
    Heading(u8, String),
    Para(String),
    Table(Table),
    Chart(Chart),
}

pub struct Cover {
    /// Above the title, e.g. the district.
    pub issuer: String,
    /// The document's main heading (level 1).
    pub title: String,
    /// Below the title, one paragraph each: committee, reference date, date of the document.
    pub lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    /// Set in bold, for what changed since the previous round (the text says so as well).
    pub strong: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            strong: false,
        }
    }

    pub fn strong(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            strong: true,
        }
    }
}

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns of numbers: right-aligned, never broken.
    pub numeric: Vec<bool>,
}

impl Table {
    /// A table of text; empty cells read "–" (an empty cell would drop out of the tagged PDF's
    /// table structure and shift the columns for a screen reader).
    pub fn new(header: &[&str], rows: Vec<Vec<String>>) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|c| Cell::new(dash(c))).collect())
                .collect(),
            numeric: vec![false; header.len()],
        }
    }

    /// Marks the columns at `columns` as numbers.
    pub fn numbers(mut self, columns: impl IntoIterator<Item = usize>) -> Self {
        for c in columns {
            if let Some(n) = self.numeric.get_mut(c) {
                *n = true;
            }
        }
        self
    }
}

fn dash(text: String) -> String {
    if text.trim().is_empty() {
        "–".to_owned()
    } else {
        text
    }
}

/// Horizontal stacked bars, one per item (a field of action), each split by status.
pub struct Chart {
    /// The text alternative: every number the chart shows, in words.
    pub alt: String,
    /// The names of the parts of a bar (the statuses), in order; the legend.
    pub series: Vec<String>,
    pub colours: Vec<(u8, u8, u8)>,
    pub bars: Vec<Bar>,
}

pub struct Bar {
    /// Printed left of the bar; empty for a chart of one bar.
    pub label: String,
    pub counts: Vec<usize>,
}

impl Chart {
    /// The longest bar's total: the scale every bar of the chart shares.
    pub fn scale(&self) -> usize {
        self.bars
            .iter()
            .map(|b| b.counts.iter().sum::<usize>())
            .max()
            .unwrap_or(0)
    }
}

fn label(status: &str) -> String {
    MeasureStatus::parse(status).map_or_else(|| status.to_owned(), |s| s.label().to_owned())
}

/// "3 geplant, 5 in Umsetzung" (statuses without measures left out).
fn counts_text(counts: &[usize]) -> String {
    MeasureStatus::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{} {}", count_label(*n), s.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn measures(n: usize) -> String {
    if n == 1 {
        "1 Maßnahme".to_owned()
    } else {
        format!("{} Maßnahmen", count_label(n))
    }
}

/// A measure's number as the catalogue writes it ("IK 2010 3.1"), with no-break spaces so that
/// a table never splits it over two lines.
fn number(concept: &str, code: &str) -> String {
    format!("{concept} {code}").replace(' ', "\u{a0}")
}

/// The file name a download of the report gets (without characters file systems refuse), e.g.
/// `Sachstandsbericht-Überprüfung-2026-Stichtag-30.06.2026.pdf`.
pub fn status_report_file_name(report: &StatusReport, extension: &str) -> String {
    let mut title = String::new();
    for c in report.round.title.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '.' | '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && (title.is_empty() || title.ends_with('-'))) {
            title.push(c);
        }
        if title.chars().count() >= 80 {
            break;
        }
    }
    let title = title.trim_matches(['-', '.']);
    let title = if title.is_empty() { "Runde" } else { title };
    format!(
        "Sachstandsbericht-{title}-Stichtag-{}.{extension}",
        report.round.reference_date.german()
    )
}

/// The heading of a field's section: the field, with its concept where the report holds
/// several concepts.
fn field_heading(concept: &str, field: &str, several_concepts: bool) -> String {
    if several_concepts {
        format!("{concept} – {field}")
    } else {
        field.to_owned()
    }
}

fn field_of(row: &SnapshotRow) -> &str {
    row.field_of_action
        .as_deref()
        .unwrap_or("ohne Handlungsfeld")
}

/// The report as a sequence of blocks, shared by the DOCX and PDF writers. `created` is the
/// document's date, printed on the cover.
pub fn status_report_blocks(r: &StatusReport, created: Date) -> Vec<Block> {
    let mut b = Vec::new();
    let mut lines = vec![
        format!("für den {COMMITTEE}"),
        format!("Stichtag: {}", r.round.reference_date.german()),
    ];
    if let Some(p) = &r.previous {
        lines.push(format!(
            "Verglichen mit: {} (Stichtag {})",
            p.title,
            p.reference_date.german()
        ));
    }
    lines.push(format!("Stand des Dokuments: {}", created.german()));
    b.push(Block::Cover(Cover {
        issuer: DISTRICT.to_owned(),
        title: format!("Sachstandsbericht: {}", r.round.title),
        lines,
    }));
    b.push(Block::Contents);

    b.push(Block::Heading(2, "Zusammenfassung".to_owned()));
    let mut intro = format!(
        "Umsetzungsstand der Integrationskonzepte des Kreises Warendorf zum Stichtag {}, für den {COMMITTEE}.",
        r.round.reference_date.german()
    );
    if let Some(p) = &r.previous {
        intro.push_str(&format!(
            " Verglichen wird mit der Überprüfung „{}“ (Stichtag {}); was sich seitdem geändert hat, ist fett gesetzt und mit „vorher:“ oder „neu“ gekennzeichnet.",
            p.title,
            p.reference_date.german()
        ));
    }
    b.push(Block::Para(intro));
    if r.fictitious > 0 {
        b.push(Block::Para(format!(
            "Hinweis: {} der {} Maßnahmen sind erfundene Beispiele aus den Demo-Daten (Kennzeichen „Beispiel“). Alle Sachstände in dieser Demo sind erfunden.",
            count_label(r.fictitious),
            count_label(r.rows.len())
        )));
    }
    b.push(Block::Para(format!(
        "{} Maßnahmen wurden überprüft; für {} lag zum Stichtag kein angenommener Bericht vor.",
        count_label(r.rows.len()),
        count_label(r.without_report)
    )));
    let rows: Vec<Vec<String>> = r
        .by_status
        .iter()
        .map(|(s, n)| vec![s.label().to_owned(), count_label(*n)])
        .collect();
    b.push(Block::Table(
        Table::new(&["Sachstand", "Anzahl"], rows).numbers([1]),
    ));

    let several_concepts = r
        .by_field
        .iter()
        .map(|f| f.concept.as_str())
        .collect::<HashSet<_>>()
        .len()
        > 1;
    let series: Vec<String> = MeasureStatus::ALL
        .iter()
        .map(|s| s.label().to_owned())
        .collect();
    if !r.by_field.is_empty() {
        b.push(Block::Heading(3, "Sachstand nach Handlungsfeld".to_owned()));
        let alt = format!(
            "Balkendiagramm: Sachstand der Maßnahmen je Handlungsfeld. {}",
            r.by_field
                .iter()
                .map(|f| format!(
                    "{}: {}, davon {}.",
                    field_heading(&f.concept, &f.field, several_concepts),
                    measures(f.total),
                    counts_text(&f.counts)
                ))
                .collect::<Vec<_>>()
                .join(" ")
        );
        b.push(Block::Chart(Chart {
            alt,
            series: series.clone(),
            colours: STATUS_COLOURS.to_vec(),
            bars: r
                .by_field
                .iter()
                .map(|f| Bar {
                    label: field_heading(&f.concept, &f.field, several_concepts),
                    counts: f.counts.clone(),
                })
                .collect(),
        }));
        let mut header: Vec<&str> = vec!["Konzept", "Handlungsfeld"];
        header.extend(MeasureStatus::ALL.iter().map(|s| s.label()));
        header.push("gesamt");
        let rows: Vec<Vec<String>> = r
            .by_field
            .iter()
            .map(|f| {
                let mut row = vec![f.concept.clone(), f.field.clone()];
                row.extend(f.counts.iter().map(|n| count_label(*n)));
                row.push(count_label(f.total));
                row
            })
            .collect();
        let numbers = 2..header.len();
        b.push(Block::Table(Table::new(&header, rows).numbers(numbers)));
    }

    if r.previous.is_some() {
        b.push(Block::Heading(
            2,
            "Veränderungen seit der letzten Überprüfung".to_owned(),
        ));
        if r.changes.is_empty() {
            b.push(Block::Para(
                "Keine Maßnahme hat ihren Sachstand geändert.".to_owned(),
            ));
        } else {
            b.push(Block::Para(if r.changes.len() == 1 {
                "1 Maßnahme hat ihren Sachstand geändert.".to_owned()
            } else {
                format!(
                    "{} Maßnahmen haben ihren Sachstand geändert.",
                    count_label(r.changes.len())
                )
            }));
            let rows: Vec<Vec<String>> = r
                .changes
                .iter()
                .map(|c| {
                    vec![
                        number(&c.concept, &c.code),
                        c.title.clone(),
                        c.from.label().to_owned(),
                        c.to.label().to_owned(),
                    ]
                })
                .collect();
            b.push(Block::Table(Table::new(
                &["Nr.", "Maßnahme", "vorher", "jetzt"],
                rows,
            )));
        }
        if !r.new_measures.is_empty() {
            b.push(Block::Para(format!(
                "Neu aufgenommen seit der letzten Überprüfung: {}.",
                measures(r.new_measures.len())
            )));
        }
    }

    b.push(Block::Heading(2, "Maßnahmen nach Handlungsfeld".to_owned()));
    let changed: std::collections::HashMap<(&str, &str), MeasureStatus> = r
        .changes
        .iter()
        .map(|c| ((c.concept.as_str(), c.code.as_str()), c.from))
        .collect();
    let new: HashSet<&str> = r
        .new_measures
        .iter()
        .map(|m| m.measure_id.as_str())
        .collect();
    for f in &r.by_field {
        b.push(Block::Heading(
            3,
            field_heading(&f.concept, &f.field, several_concepts),
        ));
        b.push(Block::Chart(Chart {
            alt: format!(
                "Balkendiagramm: Sachstand der {} im Handlungsfeld {}: {}.",
                measures(f.total),
                f.field,
                counts_text(&f.counts)
            ),
            series: series.clone(),
            colours: STATUS_COLOURS.to_vec(),
            bars: vec![Bar {
                label: String::new(),
                counts: f.counts.clone(),
            }],
        }));
        let rows: Vec<Vec<Cell>> = r
            .rows
            .iter()
            .filter(|m| m.concept == f.concept && field_of(m) == f.field)
            .map(|m| {
                let status = label(&m.status);
                let status = match changed.get(&(m.concept.as_str(), m.code.as_str())) {
                    Some(before) => Cell::strong(format!("{status} (vorher: {})", before.label())),
                    None if new.contains(m.measure_id.as_str()) => {
                        Cell::strong(format!("{status} (neu)"))
                    }
                    None => Cell::new(status),
                };
                vec![
                    Cell::new(number(&m.concept, &m.code)),
                    Cell::new(if m.fictitious {
                        format!("{} (Beispiel)", m.title)
                    } else {
                        m.title.clone()
                    }),
                    Cell::new(dash(m.lead_organisation.clone().unwrap_or_default())),
                    status,
                    Cell::new(if m.update_state == "accepted" {
                        dash(m.progress.clone())
                    } else {
                        "kein angenommener Bericht".to_owned()
                    }),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            header: [
                "Nr.",
                "Maßnahme",
                "Federführung",
                "Sachstand",
                "Fortschritt",
            ]
            .map(str::to_owned)
            .to_vec(),
            numeric: vec![false; 5],
            rows,
        }));
    }

    b.push(Block::Heading(2, "Anpassungsbedarf".to_owned()));
    if r.adaptations.is_empty() {
        b.push(Block::Para(
            "Für keine Maßnahme wurde Anpassungsbedarf gemeldet.".to_owned(),
        ));
    } else {
        let rows: Vec<Vec<String>> = r
            .adaptations
            .iter()
            .map(|m| {
                vec![
                    number(&m.concept, &m.code),
                    m.title.clone(),
                    Adaptation::parse(&m.adaptation)
                        .map_or("", Adaptation::label)
                        .to_owned(),
                    m.adaptation_reason.clone(),
                ]
            })
            .collect();
        b.push(Block::Table(Table::new(
            &["Nr.", "Maßnahme", "Vorschlag", "Begründung"],
            rows,
        )));
    }
    b.push(Block::Heading(
        3,
        "Vorgeschlagene neue Maßnahmen".to_owned(),
    ));
    if r.proposals.is_empty() {
        b.push(Block::Para("Keine.".to_owned()));
    }
    for p in &r.proposals {
        b.push(Block::Para(format!("{}: {}", p.concept, p.title)));
    }

    b.push(Block::Heading(
        2,
        "Beschlüsse und offene Aufgaben".to_owned(),
    ));
    let after = lotse_store::status_report::decisions_after(&r.round, r.previous.as_ref());
    b.push(Block::Para(format!(
        "Beschlüsse vom {} bis zum Stichtag {}.",
        after.add_days(1).unwrap_or(after).german(),
        r.round.reference_date.german()
    )));
    if r.decisions.is_empty() {
        b.push(Block::Para(
            "In diesem Zeitraum keine Beschlüsse erfasst.".to_owned(),
        ));
    } else {
        let rows: Vec<Vec<String>> = r
            .decisions
            .iter()
            .map(|d| {
                vec![
                    d.body.clone(),
                    d.number.clone(),
                    d.decided_on.german(),
                    d.text.clone(),
                ]
            })
            .collect();
        b.push(Block::Table(Table::new(
            &["Gremium", "Nr.", "Datum", "Beschluss"],
            rows,
        )));
    }
    if !r.open_actions.is_empty() {
        let rows: Vec<Vec<String>> = r
            .open_actions
            .iter()
            .map(|a| {
                vec![
                    a.title.clone(),
                    a.owner.clone().unwrap_or_default(),
                    a.due_on.map(lotse_domain::Date::german).unwrap_or_default(),
                ]
            })
            .collect();
        b.push(Block::Table(Table::new(
            &["Aufgabe", "Zuständig", "Fällig"],
            rows,
        )));
    }
    b
}

/// The headings a table of contents lists: levels 2 and 3 after the `Contents` block.
pub fn contents_entries(blocks: &[Block]) -> Vec<(u8, String)> {
    blocks
        .iter()
        .skip_while(|b| !matches!(b, Block::Contents))
        .filter_map(|b| match b {
            Block::Heading(level @ 2..=3, text) => Some((*level, text.clone())),
            _ => None,
        })
        .collect()
}

/// Reports for the writers' tests.
#[cfg(test)]
pub(crate) mod sample {
    use lotse_domain::Date;
    use lotse_domain::measure::MeasureStatus;
    use lotse_store::rounds::{Round, SnapshotRow};
    use lotse_store::status_report::{FieldSummary, StatusChange, StatusReport};

    pub fn round(id: &str, title: &str) -> Round {
        Round {
            id: id.into(),
            title: title.into(),
            reference_date: Date::new(2026, 6, 30).expect("a day"),
            state: "closed".into(),
            fictitious: false,
            opened_at: 0,
            opened_by: "u".into(),
            closed_at: Some(1),
            closed_by: Some("u".into()),
            submission_deadline: None,
        }
    }

    /// The summary by field of action, as `status_report::build` makes it.
    pub fn by_field(rows: &[SnapshotRow]) -> Vec<FieldSummary> {
        let mut fields: Vec<FieldSummary> = Vec::new();
        for r in rows {
            let field = r
                .field_of_action
                .clone()
                .unwrap_or_else(|| "ohne Handlungsfeld".into());
            let status = MeasureStatus::parse(&r.status).unwrap_or(MeasureStatus::Planned);
            let i = MeasureStatus::ALL
                .iter()
                .position(|s| *s == status)
                .unwrap_or(0);
            let pos = fields
                .iter()
                .position(|f| f.concept == r.concept && f.field == field);
            let f = match pos {
                Some(p) => &mut fields[p],
                None => {
                    fields.push(FieldSummary {
                        concept: r.concept.clone(),
                        field,
                        counts: vec![0; MeasureStatus::ALL.len()],
                        total: 0,
                    });
                    fields.last_mut().unwrap()
                }
            };
            f.counts[i] += 1;
            f.total += 1;
        }
        fields
    }

    /// A report as a committee sees it: three fields of action, every status, long compound
    /// words, changes and a new measure since the previous round, over 1.000 measures in one
    /// count.
    pub fn presented() -> StatusReport {
        let specs: [(&str, &str, &str, &str); 14] = [
            (
                "1.1",
                "Sprache und Bildung",
                "Sprachcafé für Eltern in Ahlen",
                "planned",
            ),
            (
                "1.2",
                "Sprache und Bildung",
                "Integrationskurse mit Kinderbetreuung",
                "in_progress",
            ),
            (
                "1.3",
                "Sprache und Bildung",
                "Berufssprachkurse in Teilzeit",
                "established",
            ),
            (
                "1.4",
                "Sprache und Bildung",
                "Hausaufgabenhilfe an Grundschulen",
                "completed",
            ),
            ("1.5", "Sprache und Bildung", "Lesepatenschaften", "on_hold"),
            (
                "2.1",
                "Arbeit und Ausbildung",
                "Anerkennungsberatung für ausländische Berufsabschlüsse",
                "in_progress",
            ),
            (
                "2.2",
                "Arbeit und Ausbildung",
                "Ausbildungslotsen für junge Geflüchtete",
                "in_progress",
            ),
            (
                "2.3",
                "Arbeit und Ausbildung",
                "Jobcenter-Sprechstunde mit Sprachmittlung",
                "dropped",
            ),
            (
                "2.4",
                "Arbeit und Ausbildung",
                "Arbeitsmarktintegrationsnetzwerk Warendorf",
                "planned",
            ),
            (
                "3.1",
                "Gesundheit",
                "Gesundheitslotsinnen und Gesundheitslotsen",
                "established",
            ),
            (
                "3.2",
                "Gesundheit",
                "Psychosoziale Erstberatung",
                "in_progress",
            ),
            (
                "3.3",
                "Gesundheit",
                "Impfberatung in Gemeinschaftsunterkünften",
                "completed",
            ),
            (
                "3.4",
                "Gesundheit",
                "Dolmetscherpool für Arztbesuche",
                "planned",
            ),
            ("3.5", "Gesundheit", "Hebammensprechstunde", "in_progress"),
        ];
        let rows: Vec<SnapshotRow> = specs
            .iter()
            .enumerate()
            .map(|(i, (code, field, title, status))| SnapshotRow {
                measure_id: format!("m{code}"),
                concept: "KIM".into(),
                code: (*code).into(),
                title: (*title).into(),
                field_of_action: Some((*field).into()),
                lead_organisation: Some(
                    if i % 2 == 0 {
                        "Kommunales Integrationszentrum"
                    } else {
                        "Jobcenter Kreis Warendorf"
                    }
                    .into(),
                ),
                status: (*status).into(),
                update_state: if i == 4 { "missing" } else { "accepted" }.into(),
                progress: format!(
                    "Stand zum Stichtag: {title} läuft mit {} Teilnehmenden; Rechtskreisübergreifende Zusammenarbeit vereinbart.",
                    10 + i
                ),
                adaptation: if i == 7 { "drop" } else { "none" }.into(),
                adaptation_reason: if i == 7 { "Bedarf gedeckt." } else { "" }.into(),
                fictitious: false,
                list_key: String::new(),
            })
            .collect();
        let mut by_status: Vec<(MeasureStatus, usize)> =
            MeasureStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &rows {
            if let Some(e) = by_status
                .iter_mut()
                .find(|(s, _)| Some(*s) == MeasureStatus::parse(&r.status))
            {
                e.1 += 1;
            }
        }
        by_status[0].1 += 1_200;
        StatusReport {
            round: round("r2", "Überprüfung 2026"),
            previous: Some(Round {
                reference_date: Date::new(2025, 6, 30).expect("a day"),
                ..round("r1", "Überprüfung 2025")
            }),
            by_status,
            by_field: by_field(&rows),
            changes: vec![StatusChange {
                concept: "KIM".into(),
                code: "2.2".into(),
                title: "Ausbildungslotsen für junge Geflüchtete".into(),
                from: MeasureStatus::Planned,
                to: MeasureStatus::InProgress,
            }],
            new_measures: vec![rows[13].clone()],
            adaptations: vec![rows[7].clone()],
            proposals: Vec::new(),
            decisions: Vec::new(),
            open_actions: Vec::new(),
            fictitious: 0,
            without_report: 1,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lotse_store::rounds::Round;

    #[test]
    fn the_file_name_says_what_it_is() {
        let round = Round {
            id: "r".into(),
            title: "Überprüfung 2026: Stand/Juni".into(),
            reference_date: Date::new(2026, 6, 30).expect("a day"),
            state: "closed".into(),
            fictitious: false,
            opened_at: 0,
            opened_by: "u".into(),
            closed_at: None,
            closed_by: None,
            submission_deadline: None,
        };
        let r = StatusReport {
            round,
            previous: None,
            rows: Vec::new(),
            by_status: Vec::new(),
            by_field: Vec::new(),
            changes: Vec::new(),
            new_measures: Vec::new(),
            adaptations: Vec::new(),
            proposals: Vec::new(),
            decisions: Vec::new(),
            open_actions: Vec::new(),
            fictitious: 0,
            without_report: 0,
        };
        assert_eq!(
            status_report_file_name(&r, "pdf"),
            "Sachstandsbericht-Überprüfung-2026-Stand-Juni-Stichtag-30.06.2026.pdf"
        );
        let blocks = status_report_blocks(&r, Date::new(2026, 7, 1).expect("a day"));
        let Some(Block::Cover(cover)) = blocks.first() else {
            panic!("the report starts with its cover");
        };
        assert_eq!(cover.issuer, "Kreis Warendorf");
        assert!(cover.lines.iter().any(|l| l == "Stichtag: 30.06.2026"));
        assert!(cover.lines.iter().any(|l| l.ends_with("01.07.2026")));
        assert!(cover.lines.iter().any(|l| l.contains("BIKS")));
    }
}
