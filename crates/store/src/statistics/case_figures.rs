//! The case figures (decision 0012, slice 6): what is counted, and how it is shown. Counting
//! ([`count_case_figures`]) gives the raw counts per key, which the snapshots keep; showing
//! ([`Counted::shown`]) applies the statistics rule to them, every time they leave the store.

use serde::{Deserialize, Serialize};

use super::days_between;
use super::{Durations, MIN_GROUP, Shown, durations, suppress_column};
use crate::Result;
use crate::db::{Db, Value, bind_values, read};
use crate::paging::Query;
use lotse_domain::Date;

/// What the case figures are counted by (decision 0012, slice 6). Each is a column of persons:
/// the caseload of a period (cases open at some point in it) by town, phase at the period's
/// end, life domain with a need and highest need level; the intake of a period by access route;
/// the closures by reason; the referrals requested in the period by outcome and unmet-need
/// reason; the hand-offs completed in the period by type (with their waiting times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFigure {
    Town,
    Phase,
    AccessRoute,
    LifeDomain,
    NeedLevel,
    ClosureReason,
    ReferralOutcome,
    UnmetReason,
    HandoffType,
}

impl CaseFigure {
    pub const ALL: [CaseFigure; 9] = [
        CaseFigure::Town,
        CaseFigure::Phase,
        CaseFigure::AccessRoute,
        CaseFigure::LifeDomain,
        CaseFigure::NeedLevel,
        CaseFigure::ClosureReason,
        CaseFigure::ReferralOutcome,
        CaseFigure::UnmetReason,
        CaseFigure::HandoffType,
    ];

    /// The API's `by` value.
    pub fn key(self) -> &'static str {
        match self {
            CaseFigure::Town => "town",
            CaseFigure::Phase => "phase",
            CaseFigure::AccessRoute => "access_route",
            CaseFigure::LifeDomain => "life_domain",
            CaseFigure::NeedLevel => "need_level",
            CaseFigure::ClosureReason => "closure_reason",
            CaseFigure::ReferralOutcome => "referral_outcome",
            CaseFigure::UnmetReason => "unmet_reason",
            CaseFigure::HandoffType => "handoff_type",
        }
    }

    pub fn parse(text: &str) -> Option<CaseFigure> {
        CaseFigure::ALL.into_iter().find(|f| f.key() == text.trim())
    }

    /// The heading of the figure, in German.
    pub fn label(self) -> &'static str {
        match self {
            CaseFigure::Town => "Personen im Fallmanagement nach Wohnort",
            CaseFigure::Phase => "Personen nach Phase am Ende des Zeitraums",
            CaseFigure::AccessRoute => "Neue Fälle nach Zugangsweg",
            CaseFigure::LifeDomain => "Personen mit Bedarf nach Lebensbereich",
            CaseFigure::NeedLevel => "Personen nach höchstem Bedarf",
            CaseFigure::ClosureReason => "Abgeschlossene Fälle nach Grund",
            CaseFigure::ReferralOutcome => "Vermittlungen nach Ergebnis (Personen)",
            CaseFigure::UnmetReason => "Offener Bedarf nach Grund (Personen)",
            CaseFigure::HandoffType => "Abgeschlossene Übergaben nach Art",
        }
    }

    /// Every key the figure has, with its label, in the vocabulary's order (towns come from
    /// the reference data, so the caller passes them).
    fn keys(self, towns: &[(String, String)]) -> Vec<(String, String)> {
        use lotse_domain::case as v;
        use lotse_domain::vocabulary_options as pairs;
        match self {
            CaseFigure::Town => {
                let mut out = towns.to_vec();
                out.push((UNKNOWN.to_owned(), "ohne Angabe".to_owned()));
                out
            }
            CaseFigure::Phase => pairs(v::CasePhase::ALL, v::CasePhase::key, v::CasePhase::label),
            CaseFigure::AccessRoute => pairs(
                v::AccessRoute::ALL,
                v::AccessRoute::key,
                v::AccessRoute::label,
            ),
            CaseFigure::LifeDomain => {
                pairs(v::LifeDomain::ALL, v::LifeDomain::key, v::LifeDomain::label)
            }
            CaseFigure::NeedLevel => {
                pairs(v::NeedLevel::ALL, v::NeedLevel::key, v::NeedLevel::label)
            }
            CaseFigure::ClosureReason => pairs(
                v::ClosureReason::ALL,
                v::ClosureReason::key,
                v::ClosureReason::label,
            ),
            CaseFigure::ReferralOutcome => {
                let mut out = pairs(
                    v::ReferralOutcome::ALL,
                    v::ReferralOutcome::key,
                    v::ReferralOutcome::label,
                );
                out.push((OPEN.to_owned(), "noch offen".to_owned()));
                out
            }
            CaseFigure::UnmetReason => pairs(
                v::UnmetReason::ALL,
                v::UnmetReason::key,
                v::UnmetReason::label,
            ),
            CaseFigure::HandoffType => pairs(
                v::HandoffType::ALL,
                v::HandoffType::key,
                v::HandoffType::label,
            ),
        }
    }
}

/// The key of persons without a town, and of referrals without an outcome yet.
const UNKNOWN: &str = "unknown";
const OPEN: &str = "open";

/// One line of a case figure: its key, label and the count as it may be shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureLine {
    pub key: String,
    pub label: String,
    #[serde(skip)]
    pub shown: Shown,
    /// Waiting times in days (hand-off types only), shown from [`MIN_GROUP`] values on.
    pub durations: Option<Durations>,
}

/// A case figure for a period, under the statistics rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub by: &'static str,
    pub label: &'static str,
    pub from: Date,
    pub to: Date,
    pub lines: Vec<FigureLine>,
    #[serde(skip)]
    pub total: Shown,
}

/// One figure as counted, before the statistics rule: persons per key (keys without persons
/// left out) and, for the hand-off types, the waiting times of every type with at least
/// [`MIN_GROUP`] persons. Never shown as it is: [`Counted::shown`] is the way out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub by: String,
    pub counts: Vec<(String, i64)>,
    #[serde(default)]
    pub durations: Vec<(String, Durations)>,
}

impl Counted {
    /// The figure under the statistics rule: counts of 1 to 4 are "<5", and the complementary
    /// cells that would let one be worked out from the total are hidden too. `None` when `by`
    /// names no figure (a snapshot from a later version).
    pub fn shown(&self, from: Date, to: Date, towns: &[(String, String)]) -> Option<Figure> {
        let figure = CaseFigure::parse(&self.by)?;
        let keys = figure.keys(towns);
        let counts: Vec<i64> = keys
            .iter()
            .map(|(k, _)| {
                self.counts
                    .iter()
                    .filter(|(ck, _)| ck == k)
                    .map(|(_, n)| *n)
                    .sum()
            })
            .collect();
        let (shown, total) = suppress_column(&counts);
        let lines = keys
            .into_iter()
            .zip(shown)
            .map(|((key, label), shown)| {
                // Waiting times only beside a count of persons that is shown itself: five
                // hand-offs of one person are still that person's own figures. Withheld
                // ones have no values at all, so nothing reads a count from them.
                let durations = (figure == CaseFigure::HandoffType).then(|| {
                    self.durations
                        .iter()
                        .find(|(k, _)| *k == key && matches!(shown, Shown::Count(_)))
                        .map(|(_, d)| *d)
                        .unwrap_or(Durations {
                            count: 0,
                            median: None,
                            p90: None,
                        })
                });
                FigureLine {
                    key,
                    label,
                    shown,
                    durations,
                }
            })
            .collect();
        Some(Figure {
            by: figure.key(),
            label: figure.label(),
            from,
            to,
            lines,
            total,
        })
    }
}

/// Every case figure of the period as counted, in the order of [`CaseFigure::ALL`]. One after
/// the other: computed side by side on SQLite at a million persons they took longer than in a
/// row (49 s against 32 s; the readers contend for the pages, see docs/benchmarks.md).
pub async fn count_case_figures(db: &Db, from: Date, to: Date) -> Result<Vec<Counted>> {
    let mut out = Vec::with_capacity(CaseFigure::ALL.len());
    for figure in CaseFigure::ALL {
        out.push(count(db, figure, from, to).await?);
    }
    Ok(out)
}

/// Every case figure of the period, counted now and shown under the statistics rule.
pub async fn case_figures(
    db: &Db,
    from: Date,
    to: Date,
    towns: &[(String, String)],
) -> Result<Vec<Figure>> {
    Ok(count_case_figures(db, from, to)
        .await?
        .iter()
        .filter_map(|c| c.shown(from, to, towns))
        .collect())
}

/// One case figure of the period, counted now and shown under the statistics rule.
pub async fn case_figure(
    db: &Db,
    figure: CaseFigure,
    from: Date,
    to: Date,
    towns: &[(String, String)],
) -> Result<Figure> {
    let counted = count(db, figure, from, to).await?;
    counted
        .shown(from, to, towns)
        .ok_or_else(|| crate::StoreError::Config(format!("unknown figure {}", counted.by)))
}

/// Counts persons for `figure` in the period `from` to `to` (both included).
async fn count(db: &Db, figure: CaseFigure, from: Date, to: Date) -> Result<Counted> {
    let mut q = Query::default();
    let f = q.bind(Value::Text(from.to_string()));
    let t = q.bind(Value::Text(to.to_string()));
    // Cases open at some point in the period: the caseload.
    let active = format!("c.opened_on <= {t} AND (c.closed_on IS NULL OR c.closed_on >= {f})");
    let sql = match figure {
        CaseFigure::Town => format!(
            "SELECT COALESCE(p.town_ags, '{UNKNOWN}') AS k, COUNT(DISTINCT c.person_id) AS n \
             FROM cases c JOIN persons p ON p.id = c.person_id WHERE {active} GROUP BY COALESCE(p.town_ags, '{UNKNOWN}')"
        ),
        CaseFigure::Phase => format!(
            "SELECT pc.to_phase AS k, COUNT(DISTINCT c.person_id) AS n FROM cases c \
             JOIN (SELECT case_id, to_phase, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY changed_on DESC, changed_at DESC, id DESC) AS rn \
                   FROM case_phase_changes WHERE changed_on <= {t}) pc ON pc.case_id = c.id AND pc.rn = 1 \
             WHERE {active} GROUP BY pc.to_phase"
        ),
        CaseFigure::AccessRoute => format!(
            "SELECT c.access_route AS k, COUNT(DISTINCT c.person_id) AS n FROM cases c \
             WHERE c.opened_on >= {f} AND c.opened_on <= {t} GROUP BY c.access_route"
        ),
        CaseFigure::ClosureReason => format!(
            "SELECT c.closure_reason AS k, COUNT(DISTINCT c.person_id) AS n FROM cases c \
             WHERE c.closed_on >= {f} AND c.closed_on <= {t} AND c.closure_reason IS NOT NULL GROUP BY c.closure_reason"
        ),
        CaseFigure::LifeDomain | CaseFigure::NeedLevel => {
            let current = format!(
                "SELECT a.case_id, a.life_domain, a.need_level, ROW_NUMBER() OVER \
                 (PARTITION BY a.case_id, a.life_domain ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC) AS rn \
                 FROM case_assessments a WHERE a.assessed_on <= {t}"
            );
            if figure == CaseFigure::LifeDomain {
                format!(
                    "SELECT a.life_domain AS k, COUNT(DISTINCT c.person_id) AS n FROM cases c \
                     JOIN ({current}) a ON a.case_id = c.id AND a.rn = 1 \
                     WHERE {active} AND a.need_level <> 'none' GROUP BY a.life_domain"
                )
            } else {
                // The highest current level per person, by the levels' order.
                format!(
                    "SELECT CASE m.lvl WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'none' END AS k, \
                     COUNT(*) AS n FROM (SELECT c.person_id, MAX(CASE a.need_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 \
                     WHEN 'low' THEN 1 ELSE 0 END) AS lvl FROM cases c JOIN ({current}) a ON a.case_id = c.id AND a.rn = 1 \
                     WHERE {active} GROUP BY c.person_id) m GROUP BY m.lvl"
                )
            }
        }
        CaseFigure::ReferralOutcome => format!(
            "SELECT COALESCE(r.outcome, '{OPEN}') AS k, COUNT(DISTINCT c.person_id) AS n FROM referrals r \
             JOIN cases c ON c.id = r.case_id WHERE r.requested_on >= {f} AND r.requested_on <= {t} \
             GROUP BY COALESCE(r.outcome, '{OPEN}')"
        ),
        CaseFigure::UnmetReason => format!(
            "SELECT r.unmet_reason AS k, COUNT(DISTINCT c.person_id) AS n FROM referrals r \
             JOIN cases c ON c.id = r.case_id WHERE r.requested_on >= {f} AND r.requested_on <= {t} \
             AND r.unmet_reason IS NOT NULL GROUP BY r.unmet_reason"
        ),
        CaseFigure::HandoffType => format!(
            "SELECT h.handoff_type AS k, COUNT(DISTINCT c.person_id) AS n FROM handoffs h \
             JOIN cases c ON c.id = h.case_id WHERE h.completed_on >= {f} AND h.completed_on <= {t} \
             GROUP BY h.handoff_type"
        ),
    };
    let sql = sqlx::AssertSqlSafe(sql);
    let counts: Vec<(String, i64)> = read!(db, |c| {
        bind_values!(sqlx::query_as(sql), &q.values)
            .fetch_all(c)
            .await
    })?;
    let mut waits = Vec::new();
    if figure == CaseFigure::HandoffType {
        for (key, persons) in &counts {
            if *persons < MIN_GROUP {
                continue;
            }
            let values = format!(
                "SELECT {} AS v FROM handoffs h WHERE h.handoff_type = $1 AND h.completed_on >= $2 AND h.completed_on <= $3",
                days_between(db, "h.started_on", "h.completed_on")
            );
            let d = durations(db, &values, |q| {
                q.bind(Value::Text(key.clone()));
                q.bind(Value::Text(from.to_string()));
                q.bind(Value::Text(to.to_string()));
            })
            .await?;
            waits.push((key.clone(), d));
        }
    }
    Ok(Counted {
        by: figure.key().to_owned(),
        counts,
        durations: waits,
    })
}
