//! The case statistics (decision 0012, slice 6): caseload and flows of a period as tables with
//! charts, as a workbook and (in `api::cases`) as JSON. Every count comes from
//! `lotse_store::statistics::case_figure`, which applies the one statistics rule: no count of 1
//! to 4 persons is shown, and none that would let one be worked out from the totals.

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use lotse_domain::Date;
use lotse_store::reference;
use lotse_store::statistics::snapshots::{self, Plan};
use lotse_store::statistics::{Figure, Shown};

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
                message: format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."),
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

/// The figures of a period as a view gets them (decision 0012, "Case figures are served from
/// snapshots").
pub enum Figures {
    /// Every figure under the statistics rule, counted at `as_of`.
    Ready { figures: Vec<Figure>, as_of: i64 },
    /// Counting takes long in this district and nothing is counted for the period yet: it is
    /// being counted in the background, which took `expect_ms` last time.
    Counting { expect_ms: i64 },
}

impl PeriodQuery {
    /// The period, or a plain 400 naming the parameter: for the workbook and the page's part,
    /// which only links ever call (the page's form shows the error at its field instead).
    fn period_or_bad_request(&self, today: Date) -> Result<(Date, Date), AppError> {
        self.period(today)
            .map_err(|e| AppError::bad_request(format!("{}: {}", e.field, e.message)))
    }
}

/// Every figure of the period, in the order the page shows them: counted now where that is
/// cheap, else from the period's snapshot. `may_wait` callers (the workbook) get the figures
/// even if that means counting them now; the page rather shows that they are on their way.
pub async fn all_figures(
    app: &AppState,
    from: Date,
    to: Date,
    may_wait: bool,
) -> Result<Figures, AppError> {
    let db = &app.db;
    let now = app.now();
    let (stored, last) = snapshots::stored_with_cost(db, from, to).await?;
    let snapshot = match (
        snapshots::plan(stored.as_ref(), last, now, may_wait),
        stored,
    ) {
        (Plan::Serve { refresh }, Some(s)) => {
            if refresh {
                count_in_background(app, from, to);
            }
            s
        }
        (Plan::CountInBackground, _) => {
            count_in_background(app, from, to);
            return Ok(Figures::Counting {
                expect_ms: last.unwrap_or(0),
            });
        }
        _ => snapshots::count_and_keep(db, from, to, now).await?,
    };
    let towns = reference::town_names(db).await?;
    Ok(Figures::Ready {
        figures: snapshot
            .figures
            .iter()
            .filter_map(|c| c.shown(from, to, &towns))
            .collect(),
        as_of: snapshot.computed_at,
    })
}

/// Most periods a node counts in the background at once.
const COUNTING_AT_ONCE: usize = 2;

/// Counts the period's figures on a task of its own and keeps them; a period this node is
/// counting already is not counted twice.
pub fn count_in_background(app: &AppState, from: Date, to: Date) {
    let started = {
        let mut counting = app
            .counting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Each count reads every case of its period for half a minute at a million persons:
        // a node counts at most two periods at once, so many periods asked for at once cannot
        // take the database's connections (one asked for again later is counted then).
        counting.len() < COUNTING_AT_ONCE && counting.insert((from, to))
    };
    if !started {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = snapshots::count_and_keep(&app.db, from, to, app.now()).await {
            tracing::warn!(error = %e, %from, %to, "case figures not counted");
        }
        app.counting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&(from, to));
    });
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
            (l.label.clone(), crate::view::shown_de(&l.shown), durations)
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
        total: crate::view::shown_de(&f.total),
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
    error: Option<PeriodError>,
    /// The periods offered as links: label, link, is it the one shown.
    periods: Vec<(&'static str, String, bool)>,
    /// [`FiguresPart`], rendered.
    figures: String,
}

/// The figures of the page, or the note that they are being counted; fetched again by htmx
/// until they are there.
#[derive(Template)]
#[template(path = "cases/_statistics_figures.html")]
struct FiguresPart {
    period: String,
    figures: Vec<FigureView>,
    xlsx: String,
    /// When the figures were counted, in German.
    as_of: String,
    /// While counting: where this part is fetched from again, the page's own link (for a
    /// reload by hand) and how long counting took last time, in words.
    counting: Option<(String, String, String)>,
}

fn period_query(from: Date, to: Date) -> String {
    let mut link = form_urlencoded::Serializer::new(String::new());
    link.append_pair("from", &from.to_string());
    link.append_pair("to", &to.to_string());
    link.finish()
}

/// The figures part for a valid period.
async fn figures_of(app: &AppState, from: Date, to: Date) -> Result<FiguresPart, AppError> {
    let query = period_query(from, to);
    let mut part = FiguresPart {
        period: format!("{} bis {}", date_de(&from), date_de(&to)),
        figures: Vec::new(),
        xlsx: format!("/cases/statistics.xlsx?{query}"),
        as_of: String::new(),
        counting: None,
    };
    match all_figures(app, from, to, false).await? {
        Figures::Ready { figures, as_of } => {
            part.figures = figures.iter().map(view).collect();
            part.as_of = format!("{} Uhr", crate::view::datetime(as_of));
        }
        Figures::Counting { expect_ms } => {
            let seconds = (expect_ms + 999) / 1000;
            let expect = if seconds <= 1 {
                "etwa eine Sekunde".to_owned()
            } else if seconds < 120 {
                format!("etwa {seconds} Sekunden")
            } else {
                format!("etwa {} Minuten", (seconds + 59) / 60)
            };
            part.counting = Some((
                format!("/cases/statistics/figures?{query}"),
                format!("/cases/statistics?{query}"),
                expect,
            ));
        }
    }
    Ok(part)
}

pub async fn page(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let layout = Layout::new(&app, &user, "Fallstatistik", uri.path());
    let today = app.today();
    let (from, to, error) = match q.period(today) {
        Ok((from, to)) => (from, to, None),
        Err(e) => {
            // The form comes back with what was typed; the links name the default period.
            let (from, to) = PeriodQuery::default()
                .period(today)
                .unwrap_or((today, today));
            (from, to, Some(e))
        }
    };
    let figures = if error.is_none() {
        figures_of(&app, from, to).await?.render()?
    } else {
        String::new()
    };
    let periods = snapshots::usual_periods(today)
        .into_iter()
        .map(|(label, f, t)| {
            (
                label,
                format!("/cases/statistics?{}", period_query(f, t)),
                error.is_none() && (f, t) == (from, to),
            )
        })
        .collect();
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
        error,
        periods,
        figures,
    };
    if page.error.is_some() {
        return super::super::render_invalid(&page);
    }
    render(&page)
}

/// The figures part alone, for the page's htmx while the figures are being counted.
pub async fn figures_part(
    State(app): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (from, to) = q.period_or_bad_request(app.today())?;
    render(&figures_of(&app, from, to).await?)
}

pub async fn xlsx(
    State(app): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (from, to) = q.period_or_bad_request(app.today())?;
    let Figures::Ready { figures, .. } = all_figures(&app, from, to, true).await? else {
        return Err(AppError::Status(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Die Zahlen werden gerade gezählt; bitte gleich noch einmal.".into(),
        ));
    };
    xlsx_download(
        lotse_reports::case_statistics_xlsx(&figures),
        &format!("fallstatistik-{from}-{to}.xlsx"),
    )
}
