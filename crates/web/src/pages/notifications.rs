//! The bell: what concerns the signed-in person (a report returned or accepted, an offer
//! approved or returned, a new round, a deadline, work waiting for review), each linking to the
//! thing itself. Written by the acts that cause them (lotse_store::notifications).

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{Layout, NoticeQuery, datetime};

pub struct Item {
    id: String,
    at: String,
    text: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Item>,
}

/// `GET /notifications`: the newest, unread first.
pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let items = lotse_store::notifications::recent(
        &app.db,
        &user.principal.user_id,
        lotse_store::notifications::SHOWN,
    )
    .await?
    .into_iter()
    .map(|n| Item {
        unread: n.read_at.is_none(),
        at: datetime(n.created_at),
        id: n.id,
        text: n.text,
    })
    .collect();
    render(&ListPage {
        layout: Layout::new(&app, &user, "Benachrichtigungen", uri.path())
            .with_notice(q.ok.as_deref()),
        items,
    })
}

/// `GET /notifications/{id}`: marks it read and leads to the thing itself. Someone else's (or
/// a made-up) id is not found.
pub async fn open(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match lotse_store::notifications::open(&app.db, &user.principal.user_id, &id, app.now()).await?
    {
        // Only addresses Lotse wrote are stored; still, never leave the site.
        Some(href) if href.starts_with('/') && !href.starts_with("//") => {
            Ok(Redirect::to(&href).into_response())
        }
        Some(_) => Ok(Redirect::to("/notifications").into_response()),
        None => Err(lotse_store::StoreError::NotFound.into()),
    }
}

/// `POST /notifications/read`: marks every notification read.
pub async fn read_all(
    State(app): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    lotse_store::notifications::mark_all_read(&app.db, &user.principal.user_id, app.now()).await?;
    Ok(Redirect::to("/notifications?ok=notifications_read").into_response())
}
