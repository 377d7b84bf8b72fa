//! Documents on a case (decision 0012, slice 4): the upload form, the upload (type read from
//! the content, size limited before the body is read), and the download, recorded in the
//! access log. The store decides who may (`lotse_store::cases`).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::{DOCUMENT_LABEL, DocumentKind, check_document};
use lotse_domain::validation::FieldErrors;
use lotse_store::StoreError;
use lotse_store::cases;

use super::super::{render, render_invalid, vocabulary_options};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout};

/// The largest upload request: the document and the form's few fields.
pub const BODY_BYTES: usize = lotse_domain::case::DOCUMENT_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "cases/document_form.html")]
struct DocumentForm {
    layout: Layout,
    case_id: String,
    case_name: String,
    kinds: Vec<(String, String)>,
    kind: String,
    title: String,
    limit: &'static str,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

fn field_label(field: &str) -> &str {
    match field {
        "kind" => "Art",
        "title" => "Titel",
        "file" => "Datei",
        other => other,
    }
}

async fn form(
    app: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: String,
    title: String,
    errors: FormErrors,
) -> Result<DocumentForm, AppError> {
    let viewer = user.principal.viewer();
    let case = cases::for_viewer(&app.db, &viewer)
        .get(id, app.now())
        .await?;
    if !case.access.change {
        return Err(StoreError::NotFound.into());
    }
    Ok(DocumentForm {
        layout: Layout::new(
            app,
            user,
            "Dokument hochladen",
            &format!("/cases/{id}/documents/new"),
        ),
        case_id: id.to_owned(),
        case_name: case.shown_name(),
        kinds: vocabulary_options(DocumentKind::ALL, DocumentKind::key, DocumentKind::label),
        kind,
        title,
        limit: DOCUMENT_LABEL,
        summary: errors.summary(field_label),
        errors,
    })
}

pub async fn new_document(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    render(
        &form(
            &app,
            &user,
            &id,
            String::new(),
            String::new(),
            FormErrors::none(),
        )
        .await?,
    )
}

pub async fn upload(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    // Not found before the upload is looked at, for whoever may not change the case (so the
    // body is read as a form only after this).
    form(
        &app,
        &user,
        &id,
        String::new(),
        String::new(),
        FormErrors::none(),
    )
    .await?;
    let (mut kind, mut title, mut file_name, mut content) =
        (String::new(), String::new(), None, Vec::new());
    let mut errors = FieldErrors::new();
    let parts = match Multipart::from_request(request, &()).await {
        Ok(mut multipart) => crate::upload::parts(&mut multipart).await,
        Err(e) => Err(format!("Das Formular konnte nicht gelesen werden: {e}")),
    };
    match parts {
        Ok(parts) => {
            for part in parts {
                match part.name.as_str() {
                    "kind" => kind = crate::upload::text("Art", &part.data).unwrap_or_default(),
                    "title" => match crate::upload::text("Titel", &part.data) {
                        Ok(t) => title = t,
                        Err(m) => errors.add("title", m),
                    },
                    "file" => {
                        file_name = part.file_name;
                        content = part.data.to_vec();
                    }
                    _ => {}
                }
            }
        }
        Err(message) => errors.add("file", message),
    }
    let viewer = user.principal.viewer();
    let result = match check_document(&kind, &title, file_name.as_deref(), &content) {
        Ok(draft) if errors.is_empty() => {
            app.db
                .write(async |tx| {
                    cases::add_document(tx, &viewer, &id, &draft, &content, app.now()).await
                })
                .await
        }
        Ok(_) => Err(StoreError::Invalid(errors)),
        Err(e) => {
            for (field, message) in e.iter() {
                errors.add(field, message);
            }
            Err(StoreError::Invalid(errors))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?ok=saved#documents")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&form(&app, &user, &id, kind, title, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn download(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, entry)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let store = cases::for_viewer(&app.db, &viewer);
    let case = store.get(&id, app.now()).await?;
    let file = store.document_file(&case, &entry, app.now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (
                header::CONTENT_DISPOSITION,
                super::super::attachment(&file.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.content,
    )
        .into_response())
}
