//! The committee status report (Sachstandsbericht) of a closed review round, as data: built from
//! the round's frozen snapshot, so it reads the same however the measures change later. The web
//! page renders it as HTML; the report formats (PDF/A, DOCX) render the same model.

use lotse_domain::Date;
use lotse_domain::collation::sort_key;
use lotse_domain::measure::{Adaptation, MeasureStatus};
use serde::Serialize;

use crate::rounds::{self, Proposal, Round, SnapshotRow};
use crate::{Db, Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub round: Round,
    /// The closed round before this one, if any: the basis of "changes since".
    pub previous: Option<Round>,
    pub rows: Vec<SnapshotRow>,
    /// Count per status, in the order of the vocabulary (zero counts included).
    pub by_status: Vec<(MeasureStatus, usize)>,
    pub by_field: Vec<FieldSummary>,
    /// Measures whose status differs from the previous round.
    pub changes: Vec<StatusChange>,
    /// Measures that were not in the previous round.
    pub new_measures: Vec<SnapshotRow>,
    /// Rows with an adaptation need (adjust or drop).
    pub adaptations: Vec<SnapshotRow>,
    pub proposals: Vec<Proposal>,
    /// Decisions taken in the report period (after [`decisions_after`], up to the reference
    /// date), newest first.
    pub decisions: Vec<crate::bodies::Decision>,
    /// Action items created up to the reference date and still open today.
    pub open_actions: Vec<crate::bodies::ActionItem>,
    /// How many rows are invented examples (demo data): the report says so.
    pub fictitious: usize,
    /// How many measures had no accepted report by the reference date.
    pub without_report: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldSummary {
    pub concept: String,
    pub field: String,
    /// Per status, in vocabulary order.
    pub counts: Vec<usize>,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatusChange {
    pub concept: String,
    pub code: String,
    pub title: String,
    pub from: MeasureStatus,
    pub to: MeasureStatus,
}

fn status(row: &SnapshotRow) -> MeasureStatus {
    MeasureStatus::parse(&row.status).unwrap_or(MeasureStatus::Planned)
}

fn index(s: MeasureStatus) -> usize {
    MeasureStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

pub async fn build(db: &Db, round_id: &str) -> Result<StatusReport> {
    let round = rounds::round(db, round_id).await?;
    if round.is_open() {
        return Err(StoreError::field(
            "round",
            "Der Sachstandsbericht entsteht aus einer abgeschlossenen Runde; diese Runde ist noch offen.",
        ));
    }
    let rows = rounds::snapshot(db, round_id).await?;
    let previous = crate::rounds::previous_round(db, &round).await?;
    let previous_rows = match &previous {
        Some(p) => rounds::snapshot(db, &p.id).await?,
        None => Vec::new(),
    };

    let mut by_status: Vec<(MeasureStatus, usize)> =
        MeasureStatus::ALL.iter().map(|s| (*s, 0)).collect();
    let mut by_field: Vec<FieldSummary> = Vec::new();
    for row in &rows {
        let i = index(status(row));
        by_status[i].1 += 1;
        let field = row
            .field_of_action
            .clone()
            .unwrap_or_else(|| "ohne Handlungsfeld".into());
        let pos = by_field
            .iter()
            .position(|f| f.concept == row.concept && f.field == field);
        let entry = match pos {
            Some(p) => &mut by_field[p],
            None => {
                by_field.push(FieldSummary {
                    concept: row.concept.clone(),
                    field,
                    counts: vec![0; MeasureStatus::ALL.len()],
                    total: 0,
                });
                let last = by_field.len() - 1;
                &mut by_field[last]
            }
        };
        entry.counts[i] += 1;
        entry.total += 1;
    }
    by_field.sort_by_cached_key(|f| (sort_key(&f.concept), sort_key(&f.field)));

    let mut changes = Vec::new();
    let mut new_measures = Vec::new();
    if previous.is_some() {
        for row in &rows {
            match previous_rows
                .iter()
                .find(|p| p.measure_id == row.measure_id)
            {
                Some(before) if status(before) != status(row) => changes.push(StatusChange {
                    concept: row.concept.clone(),
                    code: row.code.clone(),
                    title: row.title.clone(),
                    from: status(before),
                    to: status(row),
                }),
                Some(_) => {}
                None => new_measures.push(row.clone()),
            }
        }
    }
    let adaptations = rows
        .iter()
        .filter(|r| Adaptation::parse(&r.adaptation).is_some_and(|a| a != Adaptation::None))
        .cloned()
        .collect();
    // The decisions of the report period (decision 0010: since the previous round's reference
    // date), not every decision ever taken.
    let decisions = crate::bodies::decisions_between(
        db,
        Some(decisions_after(&round, previous.as_ref())),
        round.reference_date,
    )
    .await?;
    // Items created after the reference date belong to a later report; whether an item is still
    // open is shown as of today (the page says so).
    let cutoff = end_of_day_ms(round.reference_date);
    let open_actions = crate::bodies::open_actions_until(db, cutoff).await?;
    Ok(StatusReport {
        decisions,
        open_actions,
        proposals: rounds::proposals(db, round_id).await?,
        fictitious: rows.iter().filter(|r| r.fictitious).count(),
        without_report: rows.iter().filter(|r| r.update_state != "accepted").count(),
        round,
        previous,
        by_status,
        by_field,
        changes,
        new_measures,
        adaptations,
        rows,
    })
}

/// How long before its reference date the period of a first report (one without a previous
/// round) reaches back.
pub const FIRST_PERIOD_YEARS: u16 = 1;

/// The day after which a report's decisions were taken (its period ends on the reference date):
/// the previous round's reference date, or for the first report [`FIRST_PERIOD_YEARS`] before
/// its own.
pub fn decisions_after(round: &Round, previous: Option<&Round>) -> Date {
    match previous {
        Some(p) => p.reference_date,
        None => round
            .reference_date
            .years_back(FIRST_PERIOD_YEARS)
            .unwrap_or(Date::EARLIEST),
    }
}

/// The last millisecond of `date` (UTC; a day's slack is irrelevant at this scale).
fn end_of_day_ms(date: Date) -> i64 {
    (date.day_number() + 1) * 86_400_000 - 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn end_of_day() {
        let day = |s| lotse_domain::Date::parse(s).unwrap_or(lotse_domain::Date::EARLIEST);
        assert_eq!(super::end_of_day_ms(day("1970-01-01")), 86_399_999);
        assert_eq!(super::end_of_day_ms(day("2024-12-31")), 1_735_689_599_999);
    }
}
