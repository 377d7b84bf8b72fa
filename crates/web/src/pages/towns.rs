//! The towns of the district (reference data).

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use lotse_store::reference::{self, Town};

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "towns.html")]
struct TownsPage {
    layout: Layout,
    towns: Vec<Town>,
}

pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    render(&TownsPage {
        layout: Layout::new(&app, &user, "Städte und Gemeinden", uri.path()),
        towns: reference::towns(&app.db).await?,
    })
}
