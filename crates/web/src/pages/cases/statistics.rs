//! The case statistics (decision 0012, slice 6): caseload and flows of a period as tables with
//! charts, as a workbook and (in `api::cases`) as JSON. Every count comes from
//! `lotse_store::statistics::case_figure`, which applies the one statistics rule: no count of 1
//! to 4 persons is shown, and none that would let one be worked out from the totals.

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use lotse_domain::Date;
use lotse_store::reference;
use lotse_store::statistics::{Figure, Shown, case_figures};

use super::super::{render, xlsx_download};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, date_de};

/// The period as the page's form and the API's query string send it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: String,
    pub to: String,
    pub by: String,
}

/// A period's parameter that is wrong: its name and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub field: &'static str,
    pub message: String,
}

/// The longest period one request may ask for: the figures scan every case in it.
const LONGEST_YEARS: u16 = 20;

impl PeriodQuery {
    /// The period asked for; missing ends mean this calendar year up to today.
    pub fn period(&self, today: Date) -> Result<(Date, Date), PeriodError> {
        let parse = |field: &'static str, text: &str, default: Date| {
            let t = text.trim();
            if t.is_empty() {
                return Ok(default);
            }
            Date::parse(t).ok_or_else(|| PeriodError {
                field,
                message: format!("„{t}“ ist kein Datum (JJJJ-MM-TT)."),
            })
        };
        let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
        let from = parse("from", &self.from, year_start)?;
        let to = parse("to", &self.to, today)?;
        if to < from {
            return Err(PeriodError {
                field: "to",
                message: "Das Ende des Zeitraums liegt vor seinem Beginn.".into(),
            });
        }
        if to.year() - from.year() > LONGEST_YEARS {
            return Err(PeriodError {
                field: "from",
                message: format!("Der Zeitraum darf höchstens {LONGEST_YEARS} Jahre umfassen."),
            });
        }
        Ok((from, to))
    }
}

/// Every figure of the period, in the order the page shows them.
pub async fn all_figures(app: &AppState, from: Date, to: Date) -> Result<Vec<Figure>, AppError> {
    let towns = reference::town_names(&app.db).await?;
    Ok(case_figures(&app.db, from, to, &towns).await?)
}

/// A figure as the page shows it: lines of (label, shown count, right-aligned number or mark,
/// median and p90 in words), the total, and a chart of the counts that may be shown.
struct FigureView {
    by: &'static str,
    label: &'static str,
    lines: Vec<(String, String, String)>,
    total: String,
    with_durations: bool,
    chart: Option<String>,
}

fn view(f: &Figure) -> FigureView {
    let with_durations = f.lines.iter().any(|l| l.durations.is_some());
    let lines = f
        .lines
        .iter()
        .map(|l| {
            let durations = match l.durations.and_then(|d| d.shown()) {
                Some((median, p90)) => format!(
                    "{} / {}",
                    crate::view::number_de(median),
                    crate::view::number_de(p90)
                ),
                None if with_durations => "–".into(),
                None => String::new(),
            };
            (l.label.clone(), l.shown.to_string(), durations)
        })
        .collect();
    let bars: Vec<(String, usize)> = f
        .lines
        .iter()
        .filter_map(|l| match l.shown {
            Shown::Count(n) if n > 0 => Some((l.label.clone(), usize::try_from(n).unwrap_or(0))),
            _ => None,
        })
        .collect();
    FigureView {
        by: f.by,
        label: f.label,
        lines,
        total: f.total.to_string(),
        with_durations,
        chart: (!bars.is_empty()).then(|| crate::charts::bar_chart_data_uri(&bars)),
    }
}

#[derive(Template)]
#[template(path = "cases/statistics.html")]
struct StatisticsPage {
    layout: Layout,
    from: String,
    to: String,
    period: String,
    error: Option<PeriodError>,
    figures: Vec<FigureView>,
    xlsx: String,
}

pub async fn page(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let layout = Layout::new(&app, &user, "Fallstatistik", uri.path());
    let (from, to, error) = match q.period(app.today()) {
        Ok((from, to)) => (from, to, None),
        Err(e) => {
            // The form comes back with what was typed; the links name the default period.
            let today = app.today();
            let (from, to) = PeriodQuery::default()
                .period(today)
                .unwrap_or((today, today));
            (from, to, Some(e))
        }
    };
    let figures = if error.is_none() {
        all_figures(&app, from, to)
            .await?
            .iter()
            .map(view)
            .collect()
    } else {
        Vec::new()
    };
    let mut link = form_urlencoded::Serializer::new(String::new());
    link.append_pair("from", &from.to_string());
    link.append_pair("to", &to.to_string());
    let page = StatisticsPage {
        layout,
        from: if q.from.trim().is_empty() {
            from.to_string()
        } else {
            q.from.clone()
        },
        to: if q.to.trim().is_empty() {
            to.to_string()
        } else {
            q.to.clone()
        },
        period: format!("{} bis {}", date_de(&from), date_de(&to)),
        error,
        figures,
        xlsx: format!("/cases/statistics.xlsx?{}", link.finish()),
    };
    if page.error.is_some() {
        return super::super::render_invalid(&page);
    }
    render(&page)
}

pub async fn xlsx(
    State(app): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (from, to) = q
        .period(app.today())
        .map_err(|e| AppError::bad_request(format!("{}: {}", e.field, e.message)))?;
    let figures = all_figures(&app, from, to).await?;
    xlsx_download(
        lotse_reports::case_statistics_xlsx(&figures),
        &format!("fallstatistik-{from}-{to}.xlsx"),
    )
}
