//! Concepts (Integrationskonzept 2010, Handlungskonzept 2016, KIM …) and their fields of action.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::{Permission, policy::any_allows};
use lotse_store::StoreError;
use lotse_store::measures::{self, Concept, ConceptInput, FieldOfAction};

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery};

#[derive(Template)]
#[template(path = "concepts/list.html")]
struct ConceptsPage {
    layout: Layout,
    concepts: Vec<Concept>,
    fields: Vec<FieldOfAction>,
    can_manage: bool,
    form: ConceptInput,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// An error from adding a field of action (shown apart from the new-concept form).
    field_error: Option<String>,
}

fn field_label(field: &str) -> &str {
    match field {
        "short_name" => "Kurzbezeichnung",
        "title" => "Titel",
        "adopted_on" => "Beschlossen am",
        "description" => "Beschreibung",
        "name" => "Handlungsfeld",
        other => other,
    }
}

async fn page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    form: ConceptInput,
    errors: FormErrors,
) -> Result<ConceptsPage, AppError> {
    Ok(ConceptsPage {
        layout: Layout::new(app, user, "Konzepte und Handlungsfelder", path),
        concepts: measures::concepts(&app.db).await?,
        fields: measures::fields_of_action(&app.db).await?,
        can_manage: any_allows(&user.principal.roles, Permission::ManageMeasures),
        form,
        summary: errors.summary(field_label),
        errors,
        field_error: None,
    })
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut p = page(
        &app,
        &user,
        uri.path(),
        ConceptInput::default(),
        FormErrors::none(),
    )
    .await?;
    p.layout = p.layout.with_notice(q.ok.as_deref());
    render(&p)
}

pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Form(input): Form<ConceptInput>,
) -> Result<Response, AppError> {
    let result = match input.validate() {
        Ok(draft) => {
            app.db
                .write(async |tx| {
                    measures::create_concept(tx, &user.principal.actor(), &draft, false, app.now())
                        .await
                })
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/concepts?ok=created").into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&page(&app, &user, uri.path(), input, FormErrors(errors)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct FieldForm {
    #[serde(default)]
    name: String,
}

pub async fn add_field(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(f): Form<FieldForm>,
) -> Result<Response, AppError> {
    measures::concept(&app.db, &id).await?;
    let result = app
        .db
        .write(async |tx| {
            measures::add_field_of_action(tx, &user.principal.actor(), &id, &f.name, app.now())
                .await
        })
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/concepts?ok=saved").into_response()),
        Err(StoreError::Invalid(errors)) => {
            let mut p = page(
                &app,
                &user,
                uri.path(),
                ConceptInput::default(),
                FormErrors::none(),
            )
            .await?;
            p.field_error = Some(
                errors
                    .iter()
                    .map(|(_, m)| m.to_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            render_invalid(&p)
        }
        Err(e) => Err(e.into()),
    }
}
