//! Importing a measure catalogue in the browser: upload, check the column mapping, import.

use askama::Template;
use axum::extract::{Multipart, OriginalUri, State};
use axum::response::Response;
use lotse_domain::measure_import::{Column, data_rows, find_header};
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
    /// Where the mapping step posts, and the page's own fields it carries on.
    import_action: &'static str,
    carried_fields: Vec<(String, String)>,
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
        import_action: "/measures/import",
        carried_fields: Vec::new(),
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

pub async fn submit(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut p = page(&app, &user, uri.path()).await?;
    let upload = match upload::table_upload(&mut multipart).await {
        Ok(u) => u,
        Err(message) => {
            p.file_error = Some(message);
            return render_invalid(&p);
        }
    };
    p.concept_id = upload.field("concept_id").to_owned();
    p.carried_fields = vec![("concept_id".to_owned(), p.concept_id.clone())];
    p.valid_only = upload.valid_only;
    p.filename = upload.filename.clone();
    let rows = match upload.rows() {
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
    p.content = upload.carried();
    if upload.step == "import" {
        // The user's mapping replaces the recognised one.
        for (i, key) in &upload.mapping {
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
            p.header = upload::header_view(&rows[index], &columns, Column::key);
            return render_invalid(&p);
        }
        p.content.clear();
        return render(&p);
    }
    p.header = upload::header_view(&rows[index], &columns, Column::key);
    render(&p)
}
