//! Importing a measure catalogue in the browser: upload, check the column mapping, import.

use askama::Template;
use axum::extract::{Multipart, OriginalUri, State};
use axum::response::Response;
use base64::Engine;
use lotse_domain::measure_import::{Column, data_rows, find_header, read_csv};
use lotse_store::measure_import::{self, CatalogueReport};
use lotse_store::measures;
use lotse_store::organisations::ImportMode;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::upload;
use crate::view::Layout;

fn column_label(c: Column) -> &'static str {
    match c {
        Column::Code => "Nr.",
        Column::Title => "Maßnahme (Titel)",
        Column::Description => "Beschreibung",
        Column::Field => "Handlungsfeld",
        Column::Lead => "Federführung",
        Column::Partners => "Partner",
        Column::Status => "Sachstand",
        Column::Start => "Beginn",
        Column::End => "Ende",
        Column::TargetGroup => "Zielgruppe",
    }
}

#[derive(Template)]
#[template(path = "measures/import.html")]
struct ImportPage {
    layout: Layout,
    concepts: Vec<(String, String)>,
    concept_id: String,
    file_error: Option<String>,
    /// (column index, header text, selected field key)
    header: Vec<(usize, String, String)>,
    header_line: usize,
    fields: Vec<(String, String)>,
    filename: String,
    /// The uploaded file, base64, carried through the mapping step.
    content: String,
    valid_only: bool,
    report: Option<CatalogueReport>,
}

async fn page(app: &AppState, user: &CurrentUser, path: &str) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        layout: Layout::new(app, user, "Maßnahmenkatalog importieren", path),
        concepts: measures::concept_names(&app.db).await?,
        concept_id: String::new(),
        file_error: None,
        header: Vec::new(),
        header_line: 0,
        fields: Column::ALL
            .iter()
            .map(|c| (c.key().to_owned(), column_label(*c).to_owned()))
            .collect(),
        filename: String::new(),
        content: String::new(),
        valid_only: false,
        report: None,
    })
}

pub async fn form(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    render(&page(&app, &user, uri.path()).await?)
}

fn read_rows(filename: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    if filename.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        lotse_reports::read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

pub async fn submit(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut p = page(&app, &user, uri.path()).await?;
    let (mut step, mut bytes, mut mapping) = (String::new(), Vec::new(), Vec::new());
    let parts = match upload::parts(&mut multipart).await {
        Ok(parts) => parts,
        Err(message) => {
            p.file_error = Some(message);
            return render_invalid(&p);
        }
    };
    for upload::Part {
        name,
        file_name: upload_name,
        data,
    } in parts
    {
        let text = match name.as_str() {
            "file" => String::new(),
            _ => match upload::text(&name, &data) {
                Ok(text) => text,
                Err(message) => {
                    p.file_error = Some(message);
                    return render_invalid(&p);
                }
            },
        };
        match name.as_str() {
            "step" => step = text,
            "concept_id" => p.concept_id = text,
            "mode" => p.valid_only = text == "valid",
            "filename" => p.filename = text,
            "file" if !data.is_empty() => {
                bytes = data.to_vec();
                p.filename = upload_name.unwrap_or_default();
            }
            "content" if !data.is_empty() => {
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
    let Some((index, mut columns)) = find_header(&rows) else {
        p.file_error = Some(
            "Keine Kopfzeile gefunden: Sie braucht eine Spalte „Maßnahme“ oder „Titel“ und mindestens eine weitere bekannte Spalte (z. B. „Nr.“)."
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
                *slot = Column::parse_key(key);
            }
        }
        let data = data_rows(&rows, index, &columns);
        let mode = if p.valid_only {
            ImportMode::ValidRowsOnly
        } else {
            ImportMode::AllOrNothing
        };
        let report = measure_import::import(
            &app.db,
            &user.principal.actor(),
            &p.concept_id,
            &data,
            mode,
            app.now(),
        )
        .await?;
        let failed = report.created == 0 && !report.errors.is_empty();
        p.report = Some(report);
        if failed {
            // Keep the mapping on the page so that the user can import the valid rows only.
            p.header = header_view(&rows[index], &columns);
            return render_invalid(&p);
        }
        p.content.clear();
        return render(&p);
    }
    p.header = header_view(&rows[index], &columns);
    render(&p)
}

fn header_view(header: &[String], columns: &[Option<Column>]) -> Vec<(usize, String, String)> {
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
