//! Moving a case list in from Excel or CSV: upload, check the column mapping, import (decision
//! 0012, slice 8). The same steps as the measure catalogue's import.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use lotse_domain::case::{CaseColumn, case_rows, find_case_header};
use lotse_store::cases::{self, CaseImportReport};
use lotse_store::organisations::ImportMode;
use lotse_store::reference;

use super::super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::upload;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "cases/import.html")]
struct ImportPage {
    layout: Layout,
    file_error: Option<String>,
    /// (column index, header text, selected field key)
    header: Vec<(usize, String, String)>,
    header_line: usize,
    fields: Vec<(String, String)>,
    filename: String,
    /// The uploaded file, base64, carried through the mapping step.
    content: String,
    valid_only: bool,
    /// Where the mapping step posts, and the page's own fields it carries on.
    import_action: &'static str,
    carried_fields: Vec<(String, String)>,
    report: Option<CaseImportReport>,
}

fn page(app: &AppState, user: &CurrentUser) -> ImportPage {
    ImportPage {
        layout: Layout::new(app, user, "Fallliste importieren", "/cases/import"),
        file_error: None,
        header: Vec::new(),
        header_line: 0,
        fields: super::super::vocabulary_options(
            CaseColumn::ALL,
            CaseColumn::key,
            CaseColumn::label,
        ),
        filename: String::new(),
        content: String::new(),
        valid_only: false,
        import_action: "/cases/import",
        carried_fields: Vec::new(),
        report: None,
    }
}

pub async fn form(State(app): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render(&page(&app, &user))
}

pub async fn submit(
    State(app): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut p = page(&app, &user);
    let upload = match upload::table_upload(&mut multipart).await {
        Ok(u) => u,
        Err(message) => {
            p.file_error = Some(message);
            return render_invalid(&p);
        }
    };
    p.valid_only = upload.valid_only;
    p.filename = upload.filename.clone();
    let rows = match upload.rows() {
        Ok(rows) => rows,
        Err(message) => {
            p.file_error = Some(message);
            return render_invalid(&p);
        }
    };
    let Some((index, mut columns)) = find_case_header(&rows) else {
        p.file_error = Some(
            "Keine Kopfzeile gefunden: Sie braucht eine Spalte „Name“ oder „Familienname“ und mindestens eine weitere bekannte Spalte (z. B. „Vorname“, „Geburtsdatum“)."
                .into(),
        );
        return render_invalid(&p);
    };
    p.header_line = index + 1;
    p.content = upload.carried();
    if upload.step == "import" {
        // The user's mapping replaces the recognised one.
        for (i, key) in &upload.mapping {
            if let Some(slot) = columns.get_mut(*i) {
                *slot = CaseColumn::parse(key).filter(|c| c.key() == key.trim());
            }
        }
        let data = case_rows(&rows, index, &columns);
        let mode = if p.valid_only {
            ImportMode::ValidRowsOnly
        } else {
            ImportMode::AllOrNothing
        };
        let towns = reference::town_names(&app.db).await?;
        let report = cases::import_cases(
            &app.db,
            &user.principal.viewer(),
            &data,
            &towns,
            mode,
            app.today(),
            app.now(),
        )
        .await?;
        let failed = report.created == 0 && !report.errors.is_empty();
        p.report = Some(report);
        if failed {
            p.header = upload::header_view(&rows[index], &columns, CaseColumn::key);
            return render_invalid(&p);
        }
        p.content.clear();
        return render(&p);
    }
    p.header = upload::header_view(&rows[index], &columns, CaseColumn::key);
    render(&p)
}
