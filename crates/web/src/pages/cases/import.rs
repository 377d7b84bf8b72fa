//! Moving a case list in from Excel or CSV: upload, check the column mapping, import (decision
//! 0012, slice 8). The same steps as the measure catalogue's import.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use base64::Engine;
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
        report: None,
    }
}

pub async fn form(State(app): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render(&page(&app, &user))
}

fn read_rows(filename: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    if filename.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        lotse_reports::read_xlsx(bytes)
    } else {
        lotse_domain::measure_import::read_csv(bytes)
    }
}

pub async fn submit(
    State(app): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut p = page(&app, &user);
    let (mut step, mut bytes, mut mapping) = (String::new(), Vec::new(), Vec::new());
    let parts = match upload::parts(&mut multipart).await {
        Ok(parts) => parts,
        Err(message) => {
            p.file_error = Some(message);
            return render_invalid(&p);
        }
    };
    for part in parts {
        let text = if part.name == "file" {
            String::new()
        } else {
            match upload::text(&part.name, &part.data) {
                Ok(text) => text,
                Err(message) => {
                    p.file_error = Some(message);
                    return render_invalid(&p);
                }
            }
        };
        match part.name.as_str() {
            "step" => step = text,
            "mode" => p.valid_only = text == "valid",
            "filename" => p.filename = text,
            "file" if !part.data.is_empty() => {
                bytes = part.data.to_vec();
                p.filename = part.file_name.unwrap_or_default();
            }
            "content" if !text.is_empty() => {
                bytes = base64::engine::general_purpose::STANDARD
                    .decode(&text)
                    .map_err(|_| {
                        AppError::bad_request(
                            "Der Dateiinhalt ist beschädigt; bitte erneut hochladen.",
                        )
                    })?;
            }
            n if n.starts_with("col_") => {
                if let Ok(i) = n["col_".len()..].parse::<usize>() {
                    mapping.push((i, text));
                }
            }
            _ => {}
        }
    }
    if bytes.is_empty() {
        p.file_error = Some("Bitte eine Datei auswählen.".into());
        return render_invalid(&p);
    }
    if let Err(message) = upload::check_size(&bytes) {
        p.file_error = Some(message);
        return render_invalid(&p);
    }
    let rows = match read_rows(&p.filename, &bytes) {
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
    p.content = base64::engine::general_purpose::STANDARD.encode(&bytes);
    if step == "import" {
        // The user's mapping replaces the recognised one.
        for (i, key) in &mapping {
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
            p.header = header_view(&rows[index], &columns);
            return render_invalid(&p);
        }
        p.content.clear();
        return render(&p);
    }
    p.header = header_view(&rows[index], &columns);
    render(&p)
}

fn header_view(header: &[String], columns: &[Option<CaseColumn>]) -> Vec<(usize, String, String)> {
    header
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(i, h)| {
            (
                i,
                h.trim().to_owned(),
                columns
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or_else(String::new, |c| c.key().to_owned()),
            )
        })
        .collect()
}
