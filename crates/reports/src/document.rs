//! The committee status report as a sequence of headings, paragraphs and tables: one source for
//! every document format, so DOCX and PDF cannot drift apart.

use lotse_domain::measure::{Adaptation, MeasureStatus};
use lotse_store::status_report::StatusReport;

pub enum Block {
    Heading(u8, String),
    Para(String),
    /// The header row, then the body rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

impl Block {
    fn heading(level: u8, text: &str) -> Self {
        Self::Heading(level, text.to_owned())
    }

    fn para(text: &str) -> Self {
        Self::Para(text.to_owned())
    }

    fn table(header: &[&str], rows: &[Vec<String>]) -> Self {
        Self::Table(
            header.iter().map(|h| (*h).to_owned()).collect(),
            rows.to_vec(),
        )
    }
}

fn label(status: &str) -> String {
    MeasureStatus::parse(status).map_or_else(|| status.to_owned(), |s| s.label().to_owned())
}

/// The report as a sequence of blocks, shared by the DOCX and PDF writers.
pub fn status_report_blocks(r: &StatusReport) -> Vec<Block> {
    let mut b = Vec::new();
    b.push(Block::heading(
        1,
        &format!("Sachstandsbericht: {}", r.round.title),
    ));
    let mut intro = format!(
        "Umsetzungsstand der Integrationskonzepte des Kreises Warendorf zum Stichtag {}, für den Ausschuss für Bildung, Integration, Kultur und Sport (BIKS).",
        r.round.reference_date.german()
    );
    if let Some(p) = &r.previous {
        intro.push_str(&format!(
            " Verglichen wird mit der Überprüfung „{}“ (Stichtag {}).",
            p.title,
            p.reference_date.german()
        ));
    }
    b.push(Block::para(&intro));
    if r.fictitious > 0 {
        b.push(Block::para(&format!(
            "Hinweis: {} der {} Maßnahmen sind erfundene Beispiele aus den Demo-Daten (Spalte „Beispiel“). Alle Sachstände in dieser Demo sind erfunden.",
            r.fictitious,
            r.rows.len()
        )));
    }

    b.push(Block::heading(2, "Zusammenfassung"));
    b.push(Block::para(&format!(
        "{} Maßnahmen wurden überprüft; für {} lag zum Stichtag kein angenommener Bericht vor.",
        r.rows.len(),
        r.without_report
    )));
    let rows: Vec<Vec<String>> = r
        .by_status
        .iter()
        .map(|(s, n)| vec![s.label().to_owned(), n.to_string()])
        .collect();
    b.push(Block::table(&["Sachstand", "Anzahl"], &rows));
    let mut header: Vec<&str> = vec!["Konzept", "Handlungsfeld"];
    header.extend(MeasureStatus::ALL.iter().map(|s| s.label()));
    header.push("gesamt");
    let rows: Vec<Vec<String>> = r
        .by_field
        .iter()
        .map(|f| {
            let mut row = vec![f.concept.clone(), f.field.clone()];
            row.extend(f.counts.iter().map(ToString::to_string));
            row.push(f.total.to_string());
            row
        })
        .collect();
    b.push(Block::table(&header, &rows));

    if r.previous.is_some() {
        b.push(Block::heading(
            2,
            "Veränderungen seit der letzten Überprüfung",
        ));
        if r.changes.is_empty() {
            b.push(Block::para("Keine Maßnahme hat ihren Sachstand geändert."));
        } else {
            let rows: Vec<Vec<String>> = r
                .changes
                .iter()
                .map(|c| {
                    vec![
                        format!("{} {}", c.concept, c.code),
                        c.title.clone(),
                        c.from.label().to_owned(),
                        c.to.label().to_owned(),
                    ]
                })
                .collect();
            b.push(Block::table(&["Nr.", "Maßnahme", "vorher", "jetzt"], &rows));
        }
    }

    b.push(Block::heading(2, "Anpassungsbedarf"));
    if r.adaptations.is_empty() {
        b.push(Block::para(
            "Für keine Maßnahme wurde Anpassungsbedarf gemeldet.",
        ));
    } else {
        let rows: Vec<Vec<String>> = r
            .adaptations
            .iter()
            .map(|m| {
                vec![
                    format!("{} {}", m.concept, m.code),
                    m.title.clone(),
                    Adaptation::parse(&m.adaptation)
                        .map_or("", Adaptation::label)
                        .to_owned(),
                    m.adaptation_reason.clone(),
                ]
            })
            .collect();
        b.push(Block::table(
            &["Nr.", "Maßnahme", "Vorschlag", "Begründung"],
            &rows,
        ));
    }
    b.push(Block::heading(3, "Vorgeschlagene neue Maßnahmen"));
    if r.proposals.is_empty() {
        b.push(Block::para("Keine."));
    }
    for p in &r.proposals {
        b.push(Block::para(&format!("{}: {}", p.concept, p.title)));
    }

    b.push(Block::heading(2, "Beschlüsse und offene Aufgaben"));
    let after = lotse_store::status_report::decisions_after(&r.round, r.previous.as_ref());
    b.push(Block::para(&format!(
        "Beschlüsse vom {} bis zum Stichtag {}.",
        after.add_days(1).unwrap_or(after).german(),
        r.round.reference_date.german()
    )));
    if r.decisions.is_empty() {
        b.push(Block::para("In diesem Zeitraum keine Beschlüsse erfasst."));
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
        b.push(Block::table(
            &["Gremium", "Nr.", "Datum", "Beschluss"],
            &rows,
        ));
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
        b.push(Block::table(&["Aufgabe", "Zuständig", "Fällig"], &rows));
    }

    b.push(Block::heading(2, "Alle Maßnahmen"));
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|m| {
            vec![
                format!("{} {}", m.concept, m.code),
                if m.fictitious {
                    format!("{} (Beispiel)", m.title)
                } else {
                    m.title.clone()
                },
                m.lead_organisation.clone().unwrap_or_default(),
                label(&m.status),
                if m.update_state == "accepted" {
                    m.progress.clone()
                } else {
                    "kein angenommener Bericht".to_owned()
                },
            ]
        })
        .collect();
    b.push(Block::table(
        &[
            "Nr.",
            "Maßnahme",
            "Federführung",
            "Sachstand",
            "Fortschritt",
        ],
        &rows,
    ));
    b
}
