//! Sharing, emergency access and their review (decision 0012, slice 3): the inbox of shares
//! (waiting for me, shared with me, shared by me), answering and ending shares, the emergency
//! access form and the coordination's review of emergency accesses and shares without release.
//! The store decides who may do what (`lotse_store::cases`); a share addressed to someone else
//! is not found.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::{BREAK_GLASS_HOURS, BreakGlassInput, consent_field_label};
use lotse_store::StoreError;
use lotse_store::cases::{self, AccessReview, Inbox};

use super::super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout, NoticeQuery, datetime};

#[derive(Template)]
#[template(path = "cases/shares.html")]
struct InboxPage {
    layout: Layout,
    inbox: Inbox,
}

impl InboxPage {
    fn when(&self, ms: &i64) -> String {
        datetime(*ms)
    }
}

pub async fn inbox(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let inbox = cases::inbox(&app.db, &viewer).await?;
    render(&InboxPage {
        layout: Layout::new(&app, &user, "Geteilte Fälle", uri.path()).with_notice(q.ok.as_deref()),
        inbox,
    })
}

/// What answering or ending a share sends (nothing but the button).
async fn share_action(
    app: &AppState,
    user: &CurrentUser,
    share: &str,
    what: &str,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let now = app.now();
    let result = app
        .db
        .write(async |tx| match what {
            "accept" => cases::answer_share(tx, &viewer, share, true, now).await,
            "decline" => cases::answer_share(tx, &viewer, share, false, now).await,
            _ => cases::end_share(tx, &viewer, share, now).await,
        })
        .await;
    match result {
        Ok(case) if what == "accept" => {
            Ok(Redirect::to(&format!("/cases/{case}?ok=saved")).into_response())
        }
        Ok(_) => Ok(Redirect::to("/cases/shares?ok=saved").into_response()),
        // A share that was answered meanwhile, or a release that lapsed: said on the inbox.
        Err(StoreError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|(_, m)| m.to_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Err(AppError::conflict(message))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn accept(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(share): Path<String>,
) -> Result<Response, AppError> {
    share_action(&app, &user, &share, "accept").await
}

pub async fn decline(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(share): Path<String>,
) -> Result<Response, AppError> {
    share_action(&app, &user, &share, "decline").await
}

pub async fn end(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(share): Path<String>,
) -> Result<Response, AppError> {
    share_action(&app, &user, &share, "end").await
}

#[derive(Template)]
#[template(path = "cases/break_glass.html")]
struct BreakGlassPage {
    layout: Layout,
    form: BreakGlassInput,
    hours: Vec<(String, String)>,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
}

fn break_glass_page(
    app: &AppState,
    user: &CurrentUser,
    form: BreakGlassInput,
    errors: FormErrors,
) -> BreakGlassPage {
    BreakGlassPage {
        layout: Layout::new(app, user, "Notfallzugriff", "/cases/break-glass"),
        form,
        hours: BREAK_GLASS_HOURS
            .iter()
            .map(|h| {
                let label = if *h == 1 {
                    "1 Stunde".to_owned()
                } else {
                    format!("{h} Stunden")
                };
                (h.to_string(), label)
            })
            .collect(),
        summary: errors.summary(consent_field_label),
        errors,
    }
}

pub async fn break_glass_form(
    State(app): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let form = BreakGlassInput {
        hours: "4".into(),
        ..BreakGlassInput::default()
    };
    render(&break_glass_page(&app, &user, form, FormErrors::none()))
}

pub async fn break_glass(
    State(app): State<AppState>,
    user: CurrentUser,
    axum::Form(form): axum::Form<BreakGlassInput>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = match form.validate() {
        Ok(draft) => {
            app.db
                .write(async |tx| cases::break_glass(tx, &viewer, &draft, app.now()).await)
                .await
        }
        Err(e) => Err(StoreError::Invalid(e)),
    };
    match result {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{case}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&break_glass_page(&app, &user, form, FormErrors(errors)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "cases/access_reviews.html")]
struct ReviewPage {
    layout: Layout,
    open: Vec<AccessReview>,
    done: Vec<AccessReview>,
}

impl ReviewPage {
    fn when(&self, ms: &i64) -> String {
        datetime(*ms)
    }

    fn maybe(&self, ms: &Option<i64>) -> String {
        ms.map(datetime).unwrap_or_else(|| "–".to_owned())
    }
}

/// How many entries each list shows.
const REVIEWS: i64 = 200;

pub async fn reviews(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    render(&ReviewPage {
        layout: Layout::new(&app, &user, "Zugriffe prüfen", uri.path())
            .with_notice(q.ok.as_deref()),
        open: cases::access_reviews(&app.db, &viewer, true, REVIEWS).await?,
        done: cases::access_reviews(&app.db, &viewer, false, 50).await?,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    review_note: String,
}

pub async fn review(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((kind, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<ReviewForm>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let result = app
        .db
        .write(async |tx| {
            cases::review_access(tx, &viewer, &kind, &id, &form.review_note, app.now()).await
        })
        .await;
    match result {
        Ok(()) => Ok(Redirect::to("/cases/access-reviews?ok=saved").into_response()),
        Err(StoreError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|(_, m)| m.to_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Err(AppError::bad_request(message))
        }
        Err(e) => Err(e.into()),
    }
}
