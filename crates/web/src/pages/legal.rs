//! The legal pages (decision 0013): imprint, privacy statement and accessibility statement with
//! its feedback form, public in every finder language (the texts themselves are German, the law
//! is; the page around them speaks the reader's language), and the admins' page that edits them
//! and reads the barriers reported.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lotse_domain::legal::{self, Block, Inline, LegalPage};
use lotse_domain::offer::Locale;
use lotse_store::accessibility_feedback::{self, Received};
use lotse_store::settings;

use super::finder::{LanguageLink, language_links, locale_from_path, public};
use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::i18n::Texts;
use crate::view::{Layout, NoticeQuery, datetime};

/// A line of a legal text: pieces of text and links.
pub struct Piece {
    pub text: String,
    pub href: Option<String>,
}

/// A block of a legal text, as the template shows it.
pub struct Shown {
    pub heading: Option<String>,
    pub lines: Vec<Vec<Piece>>,
}

fn shown(text: &str) -> Vec<Shown> {
    legal::blocks(text)
        .into_iter()
        .map(|b| match b {
            Block::Heading(h) => Shown {
                heading: Some(h),
                lines: Vec::new(),
            },
            Block::Paragraph(lines) => Shown {
                heading: None,
                lines: lines
                    .into_iter()
                    .map(|line| {
                        line.into_iter()
                            .map(|i| match i {
                                Inline::Text(text) => Piece { text, href: None },
                                Inline::Link { href, text } => Piece {
                                    text,
                                    href: Some(href),
                                },
                            })
                            .collect()
                    })
                    .collect(),
            },
        })
        .collect()
}

/// The feedback form as typed, and what is wrong with it (in the page's language).
#[derive(Default)]
pub struct FeedbackForm {
    pub message: String,
    pub page: String,
    pub contact: String,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl FeedbackForm {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| *m)
    }
}

#[derive(Template)]
#[template(path = "public/legal.html")]
struct LegalView {
    t: Texts,
    languages: Vec<LanguageLink>,
    heading: &'static str,
    /// The page is not in German: the text is, and says so.
    german_only: bool,
    blocks: Vec<Shown>,
    /// The accessibility statement's form, and whether a report was just sent.
    feedback: Option<FeedbackForm>,
    sent: bool,
    action: String,
    email: Option<String>,
}

fn path_of(locale: Locale, page: LegalPage) -> String {
    Texts::new(locale).legal_path(page.slug())
}

fn heading_key(page: LegalPage) -> &'static str {
    match page {
        LegalPage::Imprint => "footer.imprint",
        LegalPage::Privacy => "footer.privacy_statement",
        LegalPage::Accessibility => "footer.accessibility",
    }
}

async fn view(
    app: &AppState,
    locale: Locale,
    page: LegalPage,
    form: FeedbackForm,
    sent: bool,
) -> Result<LegalView, AppError> {
    let t = Texts::new(locale);
    let text = settings::legal_text(&app.db, page)
        .await?
        .unwrap_or_else(|| page.draft().to_owned());
    Ok(LegalView {
        languages: language_links(locale, |l| path_of(l, page)),
        heading: t.get(heading_key(page)),
        german_only: !locale.is_german(),
        blocks: shown(&text),
        feedback: (page == LegalPage::Accessibility).then_some(form),
        sent,
        action: path_of(locale, page),
        email: settings::public_contact(&app.db).await?.email,
        t,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LegalQuery {
    /// Set after a report was sent (the form redirects here).
    gesendet: String,
    /// The page a report is about, filled in by links from other pages.
    seite: String,
}

async fn show(
    app: &AppState,
    locale: Locale,
    page: LegalPage,
    q: LegalQuery,
) -> Result<Response, AppError> {
    let form = FeedbackForm {
        page: q.seite.chars().take(legal::LONGEST_PAGE).collect(),
        ..FeedbackForm::default()
    };
    let html = view(app, locale, page, form, q.gesendet == "1")
        .await?
        .render()?;
    Ok(public(html))
}

fn page_of_path(path: &str) -> Option<LegalPage> {
    LegalPage::from_slug(path.rsplit('/').next().unwrap_or(""))
}

/// `GET /impressum`, `/datenschutz`, `/barrierefreiheit` (German).
pub async fn show_german(
    State(app): State<AppState>,
    uri: OriginalUri,
    Query(q): Query<LegalQuery>,
) -> Result<Response, AppError> {
    let page =
        page_of_path(uri.path()).ok_or(AppError::Store(lotse_store::StoreError::NotFound))?;
    show(&app, Locale::De, page, q).await
}

/// The same pages in another finder language: `/{locale}/impressum`, ….
pub async fn show_translated(
    State(app): State<AppState>,
    uri: OriginalUri,
    Path(locale): Path<String>,
    Query(q): Query<LegalQuery>,
) -> Result<Response, AppError> {
    let page =
        page_of_path(uri.path()).ok_or(AppError::Store(lotse_store::StoreError::NotFound))?;
    if locale == "de" {
        return Ok(Redirect::permanent(&path_of(Locale::De, page)).into_response());
    }
    show(&app, locale_from_path(&locale)?, page, q).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedbackInput {
    message: String,
    page: String,
    contact: String,
}

async fn report(
    app: &AppState,
    locale: Locale,
    input: FeedbackInput,
) -> Result<Response, AppError> {
    let t = Texts::new(locale);
    let wrong = match legal::check_feedback(&input.message, &input.page, &input.contact) {
        Ok(feedback) => {
            match accessibility_feedback::receive(&app.db, &feedback, locale.key(), app.now())
                .await?
            {
                Received::Kept => {
                    let to = format!(
                        "{}?gesendet=1#feedback-h",
                        path_of(locale, LegalPage::Accessibility)
                    );
                    return Ok(Redirect::to(&to).into_response());
                }
                Received::Full => vec![("message", t.get("feedback.error.full"))],
            }
        }
        Err(fields) => fields
            .into_iter()
            .map(|f| (f, t.get(&format!("feedback.error.{f}"))))
            .collect(),
    };
    let form = FeedbackForm {
        message: input
            .message
            .chars()
            .take(legal::LONGEST_MESSAGE * 2)
            .collect(),
        page: input.page.chars().take(legal::LONGEST_PAGE * 2).collect(),
        contact: input.contact.chars().take(400).collect(),
        errors: wrong,
    };
    let html = view(app, locale, LegalPage::Accessibility, form, false)
        .await?
        .render()?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// `POST /barrierefreiheit`: a barrier reported, from the German page.
pub async fn report_german(
    State(app): State<AppState>,
    axum::Form(input): axum::Form<FeedbackInput>,
) -> Result<Response, AppError> {
    report(&app, Locale::De, input).await
}

pub async fn report_translated(
    State(app): State<AppState>,
    Path(locale): Path<String>,
    axum::Form(input): axum::Form<FeedbackInput>,
) -> Result<Response, AppError> {
    report(&app, locale_from_path(&locale)?, input).await
}

// ---------------------------------------------------------------------------------------------
// The admins' page

/// One legal text in the admins' form.
struct TextField {
    slug: &'static str,
    title: &'static str,
    value: String,
    /// Nothing saved yet: the shipped draft is shown publicly.
    draft: bool,
    error: Option<String>,
}

struct ReportLine {
    id: String,
    received: String,
    language: &'static str,
    page: String,
    message: String,
    contact: String,
    handled: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/legal.html")]
struct AdminPage {
    layout: Layout,
    texts: Vec<TextField>,
    phone: String,
    email: String,
    phone_error: Option<String>,
    email_error: Option<String>,
    reports: Vec<ReportLine>,
    open_count: usize,
}

/// The most reports of each kind (open, handled) the page lists.
const LISTED: i64 = 200;

async fn admin_page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    notice: Option<&str>,
    texts: Vec<TextField>,
    (phone, email): (String, String),
    (phone_error, email_error): (Option<String>, Option<String>),
) -> Result<AdminPage, AppError> {
    let reports: Vec<ReportLine> =
        accessibility_feedback::list(&app.db, &user.principal.actor(), LISTED, app.now())
            .await?
            .into_iter()
            .map(|r| ReportLine {
                received: datetime(r.received_at),
                language: Locale::parse(&r.locale).map_or("?", Locale::german_name),
                handled: r
                    .handled_at
                    .map(|at| format!("{} ({})", datetime(at), r.handled_by.unwrap_or_default())),
                id: r.id,
                page: r.page,
                message: r.message,
                contact: r.contact,
            })
            .collect();
    Ok(AdminPage {
        layout: Layout::new(app, user, "Rechtliche Seiten", path).with_notice(notice),
        texts,
        phone,
        email,
        phone_error,
        email_error,
        open_count: reports.iter().filter(|r| r.handled.is_none()).count(),
        reports,
    })
}

pub async fn edit(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut texts = Vec::new();
    for page in LegalPage::ALL {
        let saved = settings::legal_text(&app.db, page).await?;
        texts.push(TextField {
            slug: page.slug(),
            title: page.german_title(),
            draft: saved.is_none(),
            value: saved.unwrap_or_else(|| page.draft().to_owned()),
            error: None,
        });
    }
    let contact = settings::public_contact(&app.db).await?;
    render(
        &admin_page(
            &app,
            &user,
            uri.path(),
            q.ok.as_deref(),
            texts,
            (
                contact.phone.unwrap_or_default(),
                contact.email.unwrap_or_default(),
            ),
            (None, None),
        )
        .await?,
    )
}

/// A telephone number as people write it: digits, spaces, +, -, /, ( and ).
fn phone_ok(text: &str) -> bool {
    text.chars().count() <= 40
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
        && text.chars().filter(char::is_ascii_digit).count() >= 4
}

pub async fn save(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    body: String,
) -> Result<Response, AppError> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default()
    };
    let mut invalid = false;
    let texts: Vec<TextField> = LegalPage::ALL
        .into_iter()
        .map(|page| {
            let text = value(page.slug());
            let error = if text.trim().is_empty() {
                Some(
                    "Bitte einen Text eintragen; eine öffentliche Stelle muss diese Seite haben."
                        .to_owned(),
                )
            } else if text.chars().count() > legal::LONGEST_TEXT {
                Some(format!("Höchstens {} Zeichen.", legal::LONGEST_TEXT))
            } else if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                Some("Der Text enthält ein Steuerzeichen; bitte entfernen.".to_owned())
            } else {
                None
            };
            invalid |= error.is_some();
            TextField {
                slug: page.slug(),
                title: page.german_title(),
                value: text,
                draft: false,
                error,
            }
        })
        .collect();
    let phone = value("phone").trim().to_owned();
    let phone_error = (!phone.is_empty() && !phone_ok(&phone)).then(|| {
        "Telefon: nur Ziffern, Leerzeichen und + - / ( ), höchstens 40 Zeichen.".to_owned()
    });
    let mut errors = lotse_domain::validation::FieldErrors::new();
    let email = lotse_domain::validation::optional_email(&mut errors, "email", &value("email"));
    let email_error = errors.get("email").map(str::to_owned);
    if invalid || phone_error.is_some() || email_error.is_some() {
        let page = admin_page(
            &app,
            &user,
            uri.path(),
            None,
            texts,
            (phone, value("email")),
            (phone_error, email_error),
        )
        .await?;
        return render_invalid(&page);
    }
    let actor = user.principal.actor();
    let now = app.now();
    app.db
        .write(async |tx| {
            for (page, field) in LegalPage::ALL.into_iter().zip(&texts) {
                settings::set(tx, &actor, settings::legal_key(page), &field.value, now).await?;
            }
            settings::set(tx, &actor, settings::PUBLIC_PHONE, &phone, now).await?;
            settings::set(tx, &actor, settings::PUBLIC_EMAIL, &email, now).await
        })
        .await?;
    Ok(Redirect::to("/admin/legal?ok=saved").into_response())
}

/// `POST /admin/legal/feedback/handled`: every open report at once (after a flood).
pub async fn all_handled(
    State(app): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let actor = user.principal.actor();
    let now = app.now();
    app.db
        .write(async |tx| accessibility_feedback::mark_all_handled(tx, &actor, now).await)
        .await?;
    Ok(Redirect::to("/admin/legal?ok=saved#reports-h").into_response())
}

/// `POST /admin/legal/feedback/{id}/handled`.
pub async fn handled(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let actor = user.principal.actor();
    let now = app.now();
    app.db
        .write(async |tx| accessibility_feedback::mark_handled(tx, &actor, &id, now).await)
        .await?;
    Ok(Redirect::to("/admin/legal?ok=saved#reports-h").into_response())
}
