//! The committee status report of a closed review round: as a page in Lotse, and as a standalone
//! HTML document (`lotse report status --format html`), both from one view model.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use lotse_domain::measure::MeasureStatus;
use lotse_store::status_report::{self, StatusReport};

use super::render;
use crate::AppState;
use crate::charts::bar_chart_data_uri;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, date_de, datetime};

pub struct Row {
    concept: String,
    code: String,
    title: String,
    lead: String,
    status: &'static str,
    progress: String,
    reported: bool,
    fictitious: bool,
}

pub struct DecisionRow {
    body: String,
    number: String,
    date: String,
    text: String,
}

/// What both forms of the report show.
pub struct ReportView {
    r: StatusReport,
    date: String,
    previous_date: String,
    by_status: Vec<(&'static str, usize)>,
    status_labels: Vec<&'static str>,
    status_chart: String,
    status_chart_height: usize,
    rows: Vec<Row>,
    decisions: Vec<DecisionRow>,
    /// The first day of the report period whose decisions are listed (German notation).
    decisions_from: String,
    /// (title, owner, due)
    actions: Vec<(String, String, String)>,
}

fn view(r: StatusReport) -> ReportView {
    let by_status: Vec<(&'static str, usize)> =
        r.by_status.iter().map(|(s, n)| (s.label(), *n)).collect();
    let chart_items: Vec<(String, usize)> = by_status
        .iter()
        .map(|(l, n)| ((*l).to_owned(), *n))
        .collect();
    let rows = r
        .rows
        .iter()
        .map(|m| Row {
            concept: m.concept.clone(),
            code: m.code.clone(),
            title: m.title.clone(),
            lead: m.lead_organisation.clone().unwrap_or_else(|| "–".into()),
            status: MeasureStatus::parse(&m.status).map_or("", MeasureStatus::label),
            progress: m.progress.clone(),
            reported: m.update_state == "accepted",
            fictitious: m.fictitious,
        })
        .collect();
    let decisions = r
        .decisions
        .iter()
        .map(|d| DecisionRow {
            body: d.body.clone(),
            number: d.number.clone(),
            date: date_de(&d.decided_on),
            text: d.text.clone(),
        })
        .collect();
    let actions = r
        .open_actions
        .iter()
        .map(|a| {
            (
                a.title.clone(),
                a.owner.clone().unwrap_or_else(|| "–".into()),
                a.due_on.map_or_else(|| "–".into(), |d| date_de(&d)),
            )
        })
        .collect();
    let after = status_report::decisions_after(&r.round, r.previous.as_ref());
    ReportView {
        decisions_from: date_de(&after.add_days(1).unwrap_or(after)),
        date: date_de(&r.round.reference_date),
        previous_date: r
            .previous
            .as_ref()
            .map(|p| date_de(&p.reference_date))
            .unwrap_or_default(),
        status_chart: bar_chart_data_uri(&chart_items),
        status_chart_height: 28 * chart_items.len() + 8,
        status_labels: MeasureStatus::ALL.iter().map(|s| s.label()).collect(),
        by_status,
        rows,
        decisions,
        actions,
        r,
    }
}

#[derive(Template)]
#[template(path = "rounds/report.html")]
struct ReportPage {
    layout: Layout,
    v: ReportView,
}

pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = status_report::build(&app.db, &id).await?;
    render(&ReportPage {
        layout: Layout::new(
            &app,
            &user,
            format!("Sachstandsbericht {}", r.round.title),
            uri.path(),
        ),
        v: view(r),
    })
}

#[derive(Template)]
#[template(path = "rounds/report_document.html")]
struct ReportDocument {
    v: ReportView,
    /// The stylesheet, inlined so that the file stands alone (it is ours, not user input).
    css: &'static str,
    generated: String,
}

/// The report as a standalone HTML document: one file, no links into Lotse, styles included.
pub fn document_html(report: StatusReport, generated_at_ms: i64) -> Result<String, askama::Error> {
    ReportDocument {
        v: view(report),
        css: include_str!("../../assets/app.css"),
        generated: datetime(generated_at_ms),
    }
    .render()
}

/// A closed round's results as an Excel file.
pub async fn export(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = status_report::build(&app.db, &id).await?;
    super::xlsx_download(lotse_reports::round_xlsx(&r), "ueberpruefung.xlsx")
}

/// A closed round's report as DOCX, for the administration to edit into the committee paper.
pub async fn export_docx(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = status_report::build(&app.db, &id).await?;
    let name = lotse_reports::status_report_file_name(&r, "docx");
    let today = app.today();
    // Column widths are measured with the PDF's fonts: off the async workers too.
    let bytes = tokio::task::spawn_blocking(move || lotse_reports::status_report_docx(&r, today))
        .await
        .map_err(|e| {
            AppError::Status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?;
    download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &name,
    )
}

/// A closed round's report as tagged PDF/A, the version that is filed.
pub async fn export_pdf(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = status_report::build(&app.db, &id).await?;
    let name = lotse_reports::status_report_file_name(&r, "pdf");
    let today = app.today();
    // Layout and font subsetting take milliseconds per hundred measures; off the async workers.
    let bytes = tokio::task::spawn_blocking(move || lotse_reports::status_report_pdf(&r, today))
        .await
        .map_err(|e| {
            AppError::Status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        })?;
    download(bytes, "application/pdf", &name)
}

/// A generated file as a download named `filename` (see [`super::attachment`]).
pub(crate) fn download(
    bytes: Result<Vec<u8>, String>,
    content_type: &'static str,
    filename: &str,
) -> Result<Response, AppError> {
    use axum::response::IntoResponse;
    let bytes =
        bytes.map_err(|e| AppError::Status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                super::attachment(filename),
            ),
        ],
        bytes,
    )
        .into_response())
}
