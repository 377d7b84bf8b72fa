//! Who read whose personal data: the access log, for administrators and the data protection
//! officer (the reads themselves are recorded by the stores, `lotse_store::access_log`).

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::response::Response;
use lotse_store::access_log;

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, datetime, url_encode};

const PAGE: i64 = 100;

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    record_id: String,
    /// Older than this entry (the "Ältere" link); empty: the newest.
    #[serde(default)]
    before: String,
}

pub struct Row {
    seq: i64,
    at: String,
    actor: String,
    entity: &'static str,
    record_id: String,
}

#[derive(Template)]
#[template(path = "admin/reads.html")]
struct ReadsPage {
    layout: Layout,
    filter: Filter,
    rows: Vec<Row>,
    newer: Option<String>,
    older: Option<String>,
}

fn entity_label(key: &str) -> &'static str {
    match key {
        "user" => "Benutzerkonto",
        _ => "Datensatz",
    }
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    fn non_empty(s: &str) -> Option<&str> {
        Some(s.trim()).filter(|s| !s.is_empty())
    }
    let before = filter.before.trim().parse::<i64>().ok();
    let mut found = access_log::search(
        &app.db,
        non_empty(&filter.actor),
        non_empty(&filter.record_id),
        before,
        PAGE + 1,
    )
    .await?;
    let has_older = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let oldest = found.last().map(|e| e.seq);
    let link = |before: Option<i64>| {
        format!(
            "/admin/reads?actor={}&record_id={}&before={}",
            url_encode(&filter.actor),
            url_encode(&filter.record_id),
            before.map(|b| b.to_string()).unwrap_or_default()
        )
    };
    let rows = found
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            at: datetime(e.at),
            actor: e.actor_name,
            entity: entity_label(&e.entity),
            record_id: e.record_id,
        })
        .collect();
    render(&ReadsPage {
        layout: Layout::new(&app, &user, "Lesezugriffe", uri.path()),
        newer: before.is_some().then(|| link(None)),
        older: has_older.then(|| link(oldest)),
        filter,
        rows,
    })
}
