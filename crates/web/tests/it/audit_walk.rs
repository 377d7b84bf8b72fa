//! Every change is audited: walk each state-changing route of the route table, make it succeed
//! the way a user would, and require a new entry in the audit chain for it.
//!
//! The store refuses to commit a transaction that wrote without recording an event, but a route
//! can still slip past that: a write outside an audited transaction, or a success page without
//! any write at all. Only doing each change through the web and looking at the chain proves it.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request, header};
use lotse_domain::offer::OfferInput;
use lotse_domain::totp;
use lotse_store::audit::{self, AuditFilter};
use lotse_store::demo::DEMO_PASSWORD;
use lotse_store::offers::{self, SaveAs};
use lotse_store::scoped::Viewer;
use lotse_store::{Actor, users};
use lotse_web::route_specs;

use crate::{Reply, SmtpSink, TestApp, web_test};

/// Every state-changing route with the demo account that performs it in this walk. A route added
/// to the table without a row here (or in [`EXEMPT`]) fails the test before anything runs.
const FIXTURES: &[(&str, &str)] = &[
    // Signing in and out, own account, API
    ("/login", "schulberatung"),
    ("/logout", "schulberatung"),
    ("/account/tokens", "koordination"),
    ("/api/v1/organisations", "koordination"),
    ("/account/tokens/{id}/revoke", "koordination"),
    ("/account/totp", "abh"),
    ("/login/totp", "abh"),
    ("/account/totp/remove", "abh"),
    ("/account/password", "abh"),
    // Organisations
    ("/organisations", "koordination"),
    ("/organisations/{id}", "koordination"),
    ("/organisations/import", "koordination"),
    ("/organisations/{id}/active", "koordination"),
    ("/organisations/{id}/trusted", "koordination"),
    // Concepts and measures
    ("/concepts", "koordination"),
    ("/concepts/{id}/fields", "koordination"),
    ("/measures", "koordination"),
    ("/measures/{id}", "koordination"),
    ("/measures/{id}/indicators", "koordination"),
    (
        "/measures/{id}/indicators/{indicator}/values",
        "koordination",
    ),
    ("/measures/import", "koordination"),
    // Programmes
    ("/programmes", "koordination"),
    ("/programmes/{id}", "koordination"),
    ("/programmes/{id}/sites", "koordination"),
    ("/programmes/{id}/sites/{site}/active", "koordination"),
    ("/programmes/{id}/figures", "koordination"),
    ("/programmes/{id}/measures", "koordination"),
    ("/programmes/{id}/measures/{measure}/unlink", "koordination"),
    // Funding
    ("/funding", "koordination"),
    ("/funding/{id}", "koordination"),
    ("/funding/{id}/budgets", "koordination"),
    ("/funding/{id}/grants", "koordination"),
    ("/grants/{id}/movements", "koordination"),
    ("/grants/{id}/deadlines", "koordination"),
    ("/deadlines/{id}/submitted", "koordination"),
    ("/funding/reminders", "koordination"),
    // Interpreter pool
    ("/api/v1/interpreter-requests", "koordination"),
    ("/interpreters/pool", "koordination"),
    ("/interpreters/pool/{id}", "koordination"),
    ("/interpreters/pool/rates", "koordination"),
    ("/interpreters/requests", "partner"),
    ("/interpreters/requests/{id}/review", "koordination"),
    ("/interpreters/requests/{id}/assign", "koordination"),
    ("/interpreters/requests/{id}/unmet", "koordination"),
    ("/interpreters/requests/{id}/complete", "koordination"),
    ("/interpreters/requests/{id}/cancel", "partner"),
    // School counselling
    ("/school-counselling", "partner"),
    ("/school-counselling/sites/{ags}", "koordination"),
    ("/schulanmeldung", "koordination"),
    ("/{locale}/schulanmeldung", "koordination"),
    ("/school-counselling/{id}/accept", "koordination"),
    ("/school-counselling/{id}/reject", "koordination"),
    ("/school-counselling/{id}/site", "koordination"),
    ("/school-counselling/children/{id}/status", "schulberatung"),
    ("/school-counselling/{id}/appointments", "schulberatung"),
    (
        "/school-counselling/appointments/{id}/move",
        "schulberatung",
    ),
    (
        "/school-counselling/appointments/{id}/close",
        "schulberatung",
    ),
    ("/school-counselling/children/{id}/record", "schulberatung"),
    // Structural issues, bodies
    // Cases
    ("/cases", "fallmanagement"),
    ("/cases/{id}/deputy", "fallmanagement"),
    ("/cases/{id}/phase", "fallmanagement"),
    ("/cases/{id}/assessments", "fallmanagement"),
    ("/cases/{id}/goals", "fallmanagement"),
    ("/cases/{id}/goals/{entry}", "fallmanagement"),
    ("/cases/{id}/referrals", "fallmanagement"),
    ("/cases/{id}/referrals/{entry}", "fallmanagement"),
    ("/cases/{id}/handoffs", "fallmanagement"),
    ("/cases/{id}/handoffs/{entry}", "fallmanagement"),
    ("/cases/{id}/contacts", "fallmanagement"),
    ("/cases/{id}/follow-ups", "fallmanagement"),
    ("/cases/{id}/follow-ups/{entry}/done", "fallmanagement"),
    ("/cases/import", "fallmanagement"),
    ("/cases/{id}/household", "fallmanagement"),
    ("/cases/{id}/documents", "fallmanagement"),
    ("/cases/{id}/conferences", "fallmanagement"),
    ("/cases/{id}/person", "fallmanagement"),
    ("/cases/{id}/anonymise", "fallmanagement"),
    ("/cases/{id}/consents", "fallmanagement"),
    ("/cases/{id}/consents/{entry}", "fallmanagement"),
    ("/cases/{id}/shares", "fallmanagement"),
    ("/cases/shares/{id}/accept", "fallmanagement2"),
    ("/cases/shares/{id}/decline", "fallmanagement2"),
    ("/cases/shares/{id}/end", "fallmanagement"),
    ("/cases/break-glass", "fallmanagement2"),
    ("/cases/access-reviews/{kind}/{id}", "koordination"),
    ("/cases/monitor/targets", "koordination"),
    ("/issues", "fallmanagement"),
    ("/issues/{id}", "fallmanagement"),
    ("/bodies", "koordination"),
    ("/bodies/{id}/meetings", "koordination"),
    ("/bodies/{id}/decisions", "koordination"),
    ("/meetings/{id}/agenda", "koordination"),
    ("/meetings/{id}/minutes", "koordination"),
    ("/meetings/{id}/issues", "koordination"),
    ("/decisions/{id}/issues", "koordination"),
    ("/action-items", "koordination"),
    ("/action-items/{id}/state", "partner"),
    // Offers
    ("/offers", "partner"),
    ("/offers/{id}/approve", "koordination"),
    ("/offers/{id}", "partner"),
    ("/offers/{id}/return", "koordination"),
    ("/offers/{id}/discard", "partner"),
    ("/offers/{id}/translations/{locale}", "partner"),
    ("/offers/{id}/verify", "partner"),
    ("/offers/{id}/withdraw", "partner"),
    ("/offers/reminders", "koordination"),
    ("/offers/words", "koordination"),
    ("/offers/concepts", "koordination"),
    ("/offers/misses/clear", "koordination"),
    ("/offers/concepts/{id}", "koordination"),
    ("/offers/concepts/{id}/withdraw", "koordination"),
    // Review rounds
    ("/rounds", "koordination"),
    ("/rounds/{id}/updates/{update}", "partner"),
    ("/rounds/{id}/updates/{update}/review", "koordination"),
    ("/rounds/{id}/proposals", "partner"),
    ("/rounds/{id}/remind", "koordination"),
    ("/rounds/{id}/accept", "koordination"),
    ("/rounds/{id}/deadline", "koordination"),
    ("/rounds/{id}/close", "koordination"),
    // Administration
    ("/admin/users", "admin"),
    ("/admin/users/{id}", "admin"),
    ("/admin/users/{id}/password", "admin"),
    ("/admin/users/{id}/totp/reset", "admin"),
    ("/admin/users/{id}/active", "admin"),
    ("/admin/settings", "admin"),
    ("/admin/legal", "admin"),
    ("/admin/legal/feedback/{id}/handled", "admin"),
    ("/admin/legal/feedback/handled", "admin"),
    ("/admin/jobs/{job}/run", "admin"),
];

/// State-changing routes that record no change by design, each with the reason. (The read-only
/// variants of other routes – logging out without a session, the mapping step of the catalogue
/// import, a reminder run with nothing due – share their route with a variant that changes
/// data, and that one is walked.)
const EXEMPT: &[(&str, &str)] = &[
    (
        "/barrierefreiheit",
        "a member of the public reports a barrier: the report is the record; nobody on the staff changed anything (admins marking it handled is audited)",
    ),
    (
        "/{locale}/barrierefreiheit",
        "the same report from a page in another language",
    ),
    (
        "/notifications/read",
        "a person marks their own notifications read: their bookkeeping, not an act on records (the acts that caused the notifications are audited)",
    ),
];

/// Routes known to succeed without an audit entry (or to fail for want of one), to be fixed in
/// production code: the walk prints what they did instead of failing. A route listed here that
/// turns out audited fails the walk, so the list cannot outlive the fix.
const KNOWN_UNAUDITED: &[&str] = &[];

/// The reminder routes: they change data only once a mail went out, so they need an SMTP server.
const NEED_MAIL: [&str; 3] = [
    "/offers/reminders",
    "/funding/reminders",
    "/rounds/{id}/remind",
];

const PARTNER_ORG: &str = "Beratungsdienst Musterverband Beckum (Demo)";
const KI_ORG: &str = "Kommunales Integrationszentrum (Demo)";

/// What a request carries.
enum Payload<'p> {
    Form(&'p [(&'p str, &'p str)]),
    Multipart(&'p [(&'p str, Option<&'p str>, &'p str)]),
    /// The JSON API takes a bearer token, not the session cookie.
    Json {
        token: &'p str,
        body: &'p str,
    },
}

struct Walk<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<&'static str, String>,
    performed: BTreeSet<&'static str>,
    /// What each route recorded, for the summary printed at the end.
    recorded: Vec<(&'static str, Vec<String>)>,
    /// Routes of KNOWN_UNAUDITED with what they did.
    unaudited: Vec<String>,
    /// Routes of KNOWN_UNAUDITED that are audited after all.
    fixed: Vec<&'static str>,
}

impl<'a> Walk<'a> {
    fn new(app: &'a TestApp) -> Walk<'a> {
        Walk {
            app,
            cookies: BTreeMap::new(),
            performed: BTreeSet::new(),
            recorded: Vec::new(),
            unaudited: Vec::new(),
            fixed: Vec::new(),
        }
    }

    /// A session of a demo account, signed in once for the whole walk.
    async fn cookie(&mut self, username: &'static str) -> String {
        if let Some(c) = self.cookies.get(username) {
            return c.clone();
        }
        let cookie = self.app.login(username).await;
        self.cookies.insert(username, cookie.clone());
        cookie
    }

    /// Performs `route` as its account from [`FIXTURES`] with a form, on the walk's node.
    async fn form(
        &mut self,
        route: &'static str,
        params: &[&str],
        fields: &[(&str, &str)],
    ) -> Reply {
        let app = self.app;
        self.form_on(app, route, params, fields).await
    }

    /// The same on another node (the one that can send mail).
    async fn form_on(
        &mut self,
        node: &TestApp,
        route: &'static str,
        params: &[&str],
        fields: &[(&str, &str)],
    ) -> Reply {
        let cookie = self.cookie(performer(route)).await;
        self.perform(node, route, params, Some(&cookie), Payload::Form(fields))
            .await
    }

    /// Sends one request for `route` and checks that it succeeded and left an audit entry.
    async fn perform(
        &mut self,
        node: &TestApp,
        route: &'static str,
        params: &[&str],
        cookie: Option<&str>,
        payload: Payload<'_>,
    ) -> Reply {
        let user = performer(route);
        assert!(
            self.performed.insert(route),
            "{route}: walked twice; one fixture per route"
        );
        let method = route_specs()
            .into_iter()
            .find(|s| s.path == route && s.method != Method::GET)
            .map(|s| s.method)
            .unwrap_or_else(|| panic!("{route}: no state-changing route in the table"));
        let path = fill(route, params);
        let mut req = Request::builder()
            .method(method.clone())
            .uri(&path)
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let body = match payload {
            Payload::Form(fields) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                )
            }
            Payload::Multipart(fields) => {
                let (content_type, bytes) = crate::multipart(fields);
                req = req.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            Payload::Json { token, body } => {
                req = req
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_owned())
            }
        };
        let before = newest_seq(self.app).await;
        let reply = node
            .send(
                req.body(body)
                    .unwrap_or_else(|e| panic!("{route}: request: {e}")),
            )
            .await;
        let after = newest_seq(self.app).await;
        let known = KNOWN_UNAUDITED.contains(&route);
        let what = format!(
            "{method} {route} ({path}) as {user}: answered {}{}",
            reply.status,
            if reply.location().is_empty() {
                String::new()
            } else {
                format!(" to {}", reply.location())
            }
        );
        if !succeeded(&reply) {
            // A route refused for want of an audit event answers 500.
            if known && reply.status.is_server_error() {
                self.unaudited
                    .push(format!("{what}: {}", excerpt(&reply.body)));
                return reply;
            }
            panic!("{what}, not a success: {}", excerpt(&reply.body));
        }
        if after <= before {
            if known {
                self.unaudited
                    .push(format!("{what}, succeeded without an audit entry"));
                return reply;
            }
            panic!("{what}, succeeded but left no audit entry (newest seq {before})");
        }
        if known {
            self.fixed.push(route);
        }
        let entries = audit::search(&self.app.db, &AuditFilter::default(), after - before, 0)
            .await
            .unwrap_or_else(|e| panic!("{route}: reading the audit log: {e}"));
        self.recorded.push((
            route,
            entries
                .iter()
                .rev()
                .map(|e| format!("{}.{}", e.entity, e.action))
                .collect(),
        ));
        reply
    }
}

/// The account that performs `route` in this walk.
fn performer(route: &str) -> &'static str {
    FIXTURES
        .iter()
        .find(|(r, _)| *r == route)
        .map(|(_, user)| *user)
        .unwrap_or_else(|| panic!("{route}: walked but has no row in FIXTURES"))
}

/// The route with its `{…}` parameters replaced by `params`, in order.
fn fill(route: &str, params: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = route;
    let mut values = params.iter();
    while let Some(open) = rest.find('{') {
        let close = open
            + rest[open..]
                .find('}')
                .unwrap_or_else(|| panic!("{route}: unclosed parameter"));
        out.push_str(&rest[..open]);
        out.push_str(
            values
                .next()
                .unwrap_or_else(|| panic!("{route}: no value for {}", &rest[open..=close])),
        );
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    assert!(
        values.next().is_none(),
        "{route}: more values than parameters: {params:?}"
    );
    out
}

/// A success as the user sees it: a page or a redirect, but not the guard's redirect to the
/// login or to the enrolment of a second factor (which would be a refusal).
fn succeeded(reply: &Reply) -> bool {
    let location = reply.location();
    let to_guard = location == "/login"
        || location.starts_with("/login?next=")
        || location.starts_with("/login/totp")
        || location.starts_with("/account/totp?required");
    reply.status.is_success() || (reply.status.is_redirection() && !to_guard)
}

async fn newest_seq(app: &TestApp) -> i64 {
    audit::search(&app.db, &AuditFilter::default(), 1, 0)
        .await
        .unwrap_or_else(|e| panic!("reading the audit log: {e}"))
        .first()
        .map_or(0, |e| e.seq)
}

/// The text of a page without its markup, shortened: enough to read an error message in a
/// failed assertion.
fn excerpt(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(4000).collect()
}

/// The text between `start` and the next `end` in a page: an id from a link or a form's action.
fn between(page: &str, start: &str, end: &str) -> String {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page: {}", excerpt(page)))
        + start.len();
    let len = page[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end} not after {start} in page"));
    page[from..from + len].to_owned()
}

/// The record id of a redirect to `{prefix}{id}?ok=…`.
fn id_from(reply: &Reply, prefix: &str) -> String {
    let location = reply.location();
    let id = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("redirect to {location:?}, expected {prefix}…"));
    id.split('?').next().unwrap_or(id).to_owned()
}

/// The code an authenticator shows at the app's time, `offset_steps` steps of 30 s away.
fn totp_code(app: &TestApp, secret_b32: &str, offset_steps: i64) -> String {
    let secret = totp::base32_decode(secret_b32)
        .unwrap_or_else(|| panic!("TOTP secret {secret_b32:?} is not base32"));
    format!(
        "{:06}",
        totp::code_at_step(
            &secret,
            totp::step_at(app.clock.now_ms() / 1000) + offset_steps
        )
    )
}

/// Gives a demo account an e-mail address, so that reminders reach it.
async fn give_email(app: &TestApp, username: &str, email: &str) {
    let user = users::get_by_username(&app.db, username)
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"));
    let draft = users::UserDraft {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: email.into(),
        organisation_id: user.organisation_id.clone(),
        roles: user.roles.clone(),
    };
    app.db
        .write(async |tx| {
            users::update(
                tx,
                &Actor::system("test"),
                &user,
                &draft,
                app.clock.now_ms(),
            )
            .await
        })
        .await
        .unwrap_or_else(|e| panic!("e-mail address for {username}: {e}"));
}

/// A published offer of the partner's organisation last verified long ago, so that the reminder
/// run has something to remind of.
async fn overdue_offer(app: &TestApp, organisation_id: &str) {
    let content = OfferInput {
        title: "Migrationsberatung (Rundgang)".into(),
        description: "Beratung".into(),
        topics: vec!["counselling".into()],
        languages: vec!["de".into()],
        free_of_charge: "yes".into(),
        ..OfferInput::default()
    }
    .validate(None)
    .unwrap_or_else(|e| panic!("offer content: {e:?}"));
    app.db
        .write(async |tx| {
            offers::create(
                tx,
                &Viewer::system("test"),
                None,
                organisation_id,
                &content,
                SaveAs::Published,
                false,
                lotse_domain::Date::new(2025, 6, 1).expect("a day"),
                app.clock.now_ms(),
            )
            .await
            .map(|saved| saved.id)
        })
        .await
        .unwrap_or_else(|e| panic!("overdue offer: {e}"));
}

fn offer_form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_owned()),
        ("description", "Deutsch lernen im Alltag.".to_owned()),
        ("topics", "language_course".to_owned()),
        ("languages", "de".to_owned()),
        ("free_of_charge", "yes".to_owned()),
        ("registration", "Einfach vorbeikommen.".to_owned()),
        ("save_as", "submit".to_owned()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

web_test!(every_mutating_route_leaves_an_audit_entry, |app| {
    let mutating: Vec<(Method, &'static str)> = route_specs()
        .into_iter()
        .filter(|s| s.method != Method::GET)
        .map(|s| (s.method, s.path))
        .collect();
    let has_fixture = |path: &str| FIXTURES.iter().any(|(r, _)| *r == path);
    let is_exempt = |path: &str| EXEMPT.iter().any(|(r, _)| *r == path);
    let missing: Vec<String> = mutating
        .iter()
        .filter(|(_, path)| !has_fixture(path) && !is_exempt(path))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "state-changing routes with neither a fixture nor an exemption: {missing:?}"
    );
    let listed = FIXTURES
        .iter()
        .map(|(r, _)| *r)
        .chain(EXEMPT.iter().map(|(r, _)| *r))
        .chain(KNOWN_UNAUDITED.iter().copied());
    let stale: Vec<&str> = listed
        .filter(|r| !mutating.iter().any(|(_, path)| path == r))
        .collect();
    assert!(
        stale.is_empty(),
        "listed, but not a state-changing route of the table: {stale:?}"
    );
    let both: Vec<&str> = EXEMPT
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| has_fixture(r))
        .collect();
    assert!(both.is_empty(), "both walked and exempt: {both:?}");

    let mut w = Walk::new(&app);
    // The control: reading leaves the chain alone, or a growing seq would prove nothing.
    let koordination = w.cookie("koordination").await;
    let before = newest_seq(&app).await;
    let page = app.get("/offers", Some(&koordination)).await;
    assert!(page.status.is_success(), "GET /offers: {}", page.status);
    assert_eq!(
        newest_seq(&app).await,
        before,
        "a read wrote into the audit log"
    );

    // --- Signing in and out, own account, API ---------------------------------------------
    let login = w
        .perform(
            &app,
            "/login",
            &[],
            None,
            Payload::Form(&[("username", "schulberatung"), ("password", DEMO_PASSWORD)]),
        )
        .await;
    let session = login
        .session_cookie()
        .unwrap_or_else(|| panic!("/login: no session cookie"));
    w.perform(&app, "/logout", &[], Some(&session), Payload::Form(&[]))
        .await;

    let created = w
        .form("/account/tokens", &[], &[("name", "Audit-Rundgang")])
        .await;
    let token = between(&created.body, "value=\"lotse_", "\"");
    let token = format!("lotse_{token}");
    w.perform(
        &app,
        "/api/v1/organisations",
        &[],
        None,
        Payload::Json {
            token: &token,
            body: r#"{"name":"Jugendmigrationsdienst Rundgang","kind":"welfare_association","town":"Telgte"}"#,
        },
    )
    .await;
    let in_a_month = lotse_web::today().add_days(30).unwrap().to_string();
    w.perform(
        &app,
        "/api/v1/interpreter-requests",
        &[],
        None,
        Payload::Json {
            token: &token,
            body: &format!(
                r#"{{"language":"ar","date":"{in_a_month}","start":"10:00","duration_minutes":60,"town":"Ahlen","setting":"authority","recurring":false}}"#
            ),
        },
    )
    .await;
    let kim_user = users::get_by_username(&app.db, "koordination")
        .await
        .unwrap_or_else(|e| panic!("koordination: {e}"));
    let token_id = lotse_store::api_tokens::list_for_user(&app.db, &kim_user.id)
        .await
        .unwrap_or_else(|e| panic!("tokens: {e}"))
        .into_iter()
        .find(|t| t.name == "Audit-Rundgang")
        .map(|t| t.id)
        .unwrap_or_else(|| panic!("the token just created is not listed"));
    w.form("/account/tokens/{id}/revoke", &[&token_id], &[])
        .await;

    // The second factor: enrolled with the code of the previous step, so that signing in within
    // the same step still finds a fresh one.
    let abh = w.cookie("abh").await;
    let setup = app.get("/account/totp", Some(&abh)).await;
    let secret = between(&setup.body, "name=\"secret\" value=\"", "\"");
    let code = totp_code(&app, &secret, -1);
    w.form(
        "/account/totp",
        &[],
        &[
            ("secret", &secret),
            ("code", &code),
            ("password", DEMO_PASSWORD),
        ],
    )
    .await;
    let step1 = app
        .post_form(
            "/login",
            &[("username", "abh"), ("password", DEMO_PASSWORD)],
            None,
        )
        .await;
    assert!(
        step1.location().starts_with("/login/totp"),
        "abh with a second factor: {}",
        step1.location()
    );
    let half = step1
        .session_cookie()
        .unwrap_or_else(|| panic!("abh: no half session"));
    let code = totp_code(&app, &secret, 0);
    w.perform(
        &app,
        "/login/totp",
        &[],
        Some(&half),
        Payload::Form(&[("code", &code), ("next", "/")]),
    )
    .await;
    w.form(
        "/account/totp/remove",
        &[],
        &[("remove_password", DEMO_PASSWORD)],
    )
    .await;
    w.form(
        "/account/password",
        &[],
        &[
            ("current_password", DEMO_PASSWORD),
            ("new_password", "ein ganz neues Passwort"),
            ("repeat_password", "ein ganz neues Passwort"),
        ],
    )
    .await;

    // --- Organisations ----------------------------------------------------------------------
    let organisation = |name: &str, postcode: &str| {
        vec![
            ("name", name.to_owned()),
            ("kind", "welfare_association".to_owned()),
            ("town", "05570004".to_owned()),
            ("street", "Marktplatz 1".to_owned()),
            ("postcode", postcode.to_owned()),
            ("city", "Ahlen".to_owned()),
            ("email", String::new()),
            ("phone", String::new()),
            ("website", String::new()),
        ]
    };
    let created = w
        .form(
            "/organisations",
            &[],
            &pairs(&organisation("Caritasverband Rundgang", "59227")),
        )
        .await;
    let org = id_from(&created, "/organisations/");
    w.form(
        "/organisations/{id}",
        &[&org],
        &pairs(&organisation("Caritasverband Rundgang e. V.", "59229")),
    )
    .await;
    let csv = "Name;Art;Gemeinde;PLZ\r\nAWO Ortsverein Rundgang;Wohlfahrtsverband;Oelde;59302\r\n";
    let cookie = w.cookie("koordination").await;
    let imported = w
        .perform(
            &app,
            "/organisations/import",
            &[],
            Some(&cookie),
            Payload::Multipart(&[
                ("file", Some("organisationen.csv"), csv),
                ("mode", None, "all"),
            ]),
        )
        .await;
    assert!(
        imported.body.contains("1 Organisation"),
        "/organisations/import: {}",
        excerpt(&imported.body)
    );
    w.form(
        "/organisations/{id}/active",
        &[&org],
        &[("active", "false")],
    )
    .await;

    // --- Concepts and measures --------------------------------------------------------------
    w.form(
        "/concepts",
        &[],
        &[
            ("short_name", "AR 2026"),
            ("title", "Audit-Rundgang 2026"),
            ("adopted_on", "2026-03-01"),
        ],
    )
    .await;
    let concept = lotse_store::measures::concepts(&app.db)
        .await
        .unwrap_or_else(|e| panic!("concepts: {e}"))
        .into_iter()
        .find(|c| c.short_name == "AR 2026")
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("/concepts: the concept is not there"));
    w.form(
        "/concepts/{id}/fields",
        &[&concept],
        &[("name", "Digitale Teilhabe")],
    )
    .await;
    let lead = app.organisation_id(KI_ORG).await;
    let measure = |title: &str| {
        vec![
            ("concept_id", concept.clone()),
            ("code", "1".to_owned()),
            ("title", title.to_owned()),
            (
                "description",
                "Ehrenamtliche begleiten Familien.".to_owned(),
            ),
            ("status", "planned".to_owned()),
            ("lead_organisation_id", lead.clone()),
            ("towns", "05570020".to_owned()),
            ("ki_involvement", "lead".to_owned()),
            ("planned_start", "2026-01-01".to_owned()),
            ("tags", "Sprache, Ehrenamt".to_owned()),
        ]
    };
    let created = w
        .form(
            "/measures",
            &[],
            &pairs(&measure("Sprachpatenschaften im Rundgang")),
        )
        .await;
    let measure_id = id_from(&created, "/measures/");
    w.form(
        "/measures/{id}",
        &[&measure_id],
        &pairs(&measure("Sprachpatenschaften im Rundgang, erweitert")),
    )
    .await;
    w.form(
        "/measures/{id}/indicators",
        &[&measure_id],
        &[
            ("indicator_name", "Patenschaften"),
            ("indicator_unit", "Anzahl"),
            ("indicator_target", "25"),
        ],
    )
    .await;
    let page = app
        .get(&format!("/measures/{measure_id}"), Some(&koordination))
        .await;
    let indicator = between(
        &page.body,
        &format!("action=\"/measures/{measure_id}/indicators/"),
        "/values\"",
    );
    w.form(
        "/measures/{id}/indicators/{indicator}/values",
        &[&measure_id, &indicator],
        &[("value_as_of", "2026-06-30"), ("value", "1.234,5")],
    )
    .await;
    let catalogue = "Nr.;Maßnahme;Sachstand\n2;Importierte Maßnahme im Rundgang;geplant\n";
    let imported = w
        .perform(
            &app,
            "/measures/import",
            &[],
            Some(&koordination),
            Payload::Multipart(&[
                ("step", None, "import"),
                ("concept_id", None, &concept),
                ("file", Some("massnahmen.csv"), catalogue),
                ("mode", None, "all"),
            ]),
        )
        .await;
    assert!(
        imported.body.contains("1 Maßnahmen angelegt"),
        "/measures/import: {}",
        excerpt(&imported.body)
    );

    // --- Programmes -------------------------------------------------------------------------
    let created = w
        .form(
            "/programmes",
            &[],
            &[
                ("name", "Elterncafé Rundgang"),
                ("description", "Neu."),
                ("part_of", ""),
            ],
        )
        .await;
    let programme = id_from(&created, "/programmes/");
    w.form(
        "/programmes/{id}",
        &[&programme],
        &[
            ("name", "Elterncafé Rundgang plus"),
            ("description", "Erweitert."),
            ("part_of", ""),
        ],
    )
    .await;
    w.form(
        "/programmes/{id}/sites",
        &[&programme],
        &[
            ("site_name", "Grundschule Nord"),
            ("site_kind", "school"),
            ("site_town", "05570052"),
        ],
    )
    .await;
    let page = app
        .get(&format!("/programmes/{programme}"), Some(&koordination))
        .await;
    let site = between(
        &page.body,
        &format!("action=\"/programmes/{programme}/sites/"),
        "/active\"",
    );
    w.form(
        "/programmes/{id}/figures",
        &[&programme],
        &[
            ("period", "2025/2026"),
            ("site_id", &site),
            ("groups", "2"),
            ("participants", "17"),
        ],
    )
    .await;
    w.form(
        "/programmes/{id}/sites/{site}/active",
        &[&programme, &site],
        &[("active", "false")],
    )
    .await;
    w.form(
        "/programmes/{id}/measures",
        &[&programme],
        &[("measure_id", &measure_id)],
    )
    .await;
    w.form(
        "/programmes/{id}/measures/{measure}/unlink",
        &[&programme, &measure_id],
        &[],
    )
    .await;

    // --- Funding ----------------------------------------------------------------------------
    let created = w
        .form(
            "/funding",
            &[],
            &[
                ("name", "Rundgang-Förderung"),
                ("funder", "Land NRW"),
                ("description", ""),
            ],
        )
        .await;
    let funding = id_from(&created, "/funding/");
    w.form(
        "/funding/{id}",
        &[&funding],
        &[
            ("name", "Rundgang-Förderung"),
            ("funder", "Land NRW"),
            ("description", "Für Ehrenamtskoordination."),
        ],
    )
    .await;
    w.form(
        "/funding/{id}/budgets",
        &[&funding],
        &[("year", "2026"), ("amount", "10.000,00")],
    )
    .await;
    let recipient = app
        .organisation_id("Integrationsagentur Beispielstadt (Demo)")
        .await;
    let created = w
        .form(
            "/funding/{id}/grants",
            &[&funding],
            &[
                ("organisation_id", &recipient),
                ("purpose", "Ehrenamtskoordination"),
                ("amount", "12.345,67"),
                ("period_from", "2026-01-01"),
                ("period_to", "2026-12-31"),
            ],
        )
        .await;
    let grant = id_from(&created, "/grants/");
    w.form(
        "/grants/{id}/movements",
        &[&grant],
        &[
            ("kind", "expense"),
            ("on", "2026-06-30"),
            ("amount", "345,67"),
            ("note", "Schulung"),
        ],
    )
    .await;
    // Due far ahead, so that the reminder run below reminds of the demo's deadlines only.
    w.form(
        "/grants/{id}/deadlines",
        &[&grant],
        &[
            ("title", "Verwendungsnachweis 2026"),
            ("due_on", "2027-03-31"),
        ],
    )
    .await;
    let page = app
        .get(&format!("/grants/{grant}"), Some(&koordination))
        .await;
    let deadline = between(&page.body, "action=\"/deadlines/", "/submitted\"");
    w.form(
        "/deadlines/{id}/submitted",
        &[&deadline],
        &[("submitted", "true")],
    )
    .await;

    // --- Interpreter pool -------------------------------------------------------------------
    let in_a_month = lotse_web::today().add_days(30).unwrap().to_string();
    let all_week: Vec<(&str, &str)> = ["0", "1", "2", "3", "4", "5", "6"]
        .iter()
        .map(|d| ("weekdays", *d))
        .collect();
    let mut interpreter_fields = vec![
        ("name", "Rundgang Sprachmittlerin"),
        ("languages", "ar"),
        ("level", "c1"),
        ("available_from", "07:00"),
        ("available_until", "22:00"),
        ("pledge_signed_on", "2026-01-15"),
        ("active", "yes"),
    ];
    interpreter_fields.extend(all_week);
    w.form("/interpreters/pool", &[], &interpreter_fields).await;
    let pool = app
        .get("/interpreters/pool?language=ar", Some(&koordination))
        .await;
    let interpreter = between(
        &pool.body,
        "<th scope=\"row\"><a href=\"/interpreters/pool/",
        "\"",
    );
    interpreter_fields.push(("training", "Basisschulung 2026"));
    w.form(
        "/interpreters/pool/{id}",
        &[&interpreter],
        &interpreter_fields,
    )
    .await;
    w.form(
        "/interpreters/pool/rates",
        &[],
        &[
            ("base", "25,00"),
            ("base_minutes", "120"),
            ("extra_hour", "10,00"),
            ("km", "0,30"),
        ],
    )
    .await;
    let request_fields = [
        ("language", "ar"),
        ("date", in_a_month.as_str()),
        ("start", "14:00"),
        ("duration_minutes", "60"),
        ("town", "05570004"),
        ("setting", "school"),
        ("occasion", "parent_meeting"),
    ];
    let created = w.form("/interpreters/requests", &[], &request_fields).await;
    let request = id_from(&created, "/interpreters/requests/");
    w.form(
        "/interpreters/requests/{id}/review",
        &[&request],
        &[("decision", "approve")],
    )
    .await;
    w.form(
        "/interpreters/requests/{id}/assign",
        &[&request],
        &[("interpreter_id", &interpreter)],
    )
    .await;
    // A second request the pool finds nobody for, a third the school calls off.
    let partner_viewer = {
        let u = users::get_by_username(&app.db, "partner").await.unwrap();
        Viewer {
            user_id: u.id,
            username: u.username,
            organisation_id: u.organisation_id,
            roles: u.roles,
        }
    };
    let towns = lotse_store::reference::town_names(&app.db).await.unwrap();
    let draft = lotse_domain::interpreters::RequestInput {
        language: "ti".into(),
        date: in_a_month.clone(),
        start: "09:00".into(),
        duration_minutes: "90".into(),
        town: "Beckum".into(),
        setting: "welfare_association".into(),
        ..Default::default()
    }
    .validate(lotse_web::today(), &towns)
    .unwrap();
    let now = app.clock.now_ms();
    let unmet = lotse_store::interpreters::submit(
        &app.db,
        &partner_viewer,
        &partner_viewer.organisation_id,
        &draft,
        false,
        now,
    )
    .await
    .unwrap();
    w.form(
        "/interpreters/requests/{id}/unmet",
        &[&unmet],
        &[("reason", "Niemand spricht Tigrinya an diesem Tag.")],
    )
    .await;
    let called_off = lotse_store::interpreters::submit(
        &app.db,
        &partner_viewer,
        &partner_viewer.organisation_id,
        &draft,
        false,
        now,
    )
    .await
    .unwrap();
    w.form("/interpreters/requests/{id}/cancel", &[&called_off], &[])
        .await;
    // An assignment of today, to settle: written through the store, since the form refuses
    // days inside the lead time.
    let system = Viewer::system("test");
    let today_draft = lotse_domain::interpreters::RequestDraft {
        slot: lotse_domain::interpreters::Slot {
            date: lotse_web::today(),
            start_minute: 8 * 60,
            duration_minutes: 60,
        },
        language: "ar",
        ..draft.clone()
    };
    let done = lotse_store::interpreters::submit(
        &app.db,
        &system,
        &partner_viewer.organisation_id,
        &today_draft,
        false,
        now,
    )
    .await
    .unwrap();
    lotse_store::interpreters::assign(&app.db, &system, &done, &interpreter, now)
        .await
        .unwrap();
    w.form(
        "/interpreters/requests/{id}/complete",
        &[&done],
        &[("actual_minutes", "150"), ("travel_km", "12")],
    )
    .await;

    // --- School counselling ------------------------------------------------------------------
    let child_born = lotse_web::today().years_back(9).unwrap().to_string();
    let family_fields = [
        ("source", "town"),
        ("guardian_name", "Rundgang Familie"),
        ("phone", "02382 1"),
        ("town", "05570004"),
        ("language", "uk"),
        (
            "arrival_date",
            lotse_web::today().to_string().leak() as &str,
        ),
        ("child_first_name_1", "Mykola"),
        ("child_last_name_1", "Rundgang"),
        ("child_birth_date_1", child_born.as_str()),
    ];
    w.form("/school-counselling", &[], &family_fields).await;
    let counsellor = users::get_by_username(&app.db, "schulberatung")
        .await
        .unwrap();
    w.form(
        "/school-counselling/sites/{ags}",
        &["05570004"],
        &[("counsellors", &counsellor.id)],
    )
    .await;
    let public_fields = [
        ("guardian_name", "Rundgang Online"),
        ("phone", "0151 1"),
        ("town", "05570008"),
        ("language", "ar"),
        ("child_first_name_1", "Yusuf"),
        ("child_last_name_1", "Rundgang"),
        ("child_birth_date_1", child_born.as_str()),
        ("consent", "yes"),
    ];
    w.form("/schulanmeldung", &[], &public_fields).await;
    w.form("/{locale}/schulanmeldung", &["ar"], &public_fields)
        .await;
    let system = Viewer::system("test");
    let pending = lotse_store::school_counselling::registrations_for(&app.db, &system)
        .page(
            &lotse_store::school_counselling::Filter {
                pending: true,
                ..Default::default()
            },
            &lotse_store::paging::PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(pending.items.len(), 2);
    let (online, twice) = (&pending.items[0].record, &pending.items[1].record);
    w.form(
        "/school-counselling/{id}/accept",
        &[&online.id],
        &[("site", "05570004")],
    )
    .await;
    w.form(
        "/school-counselling/{id}/reject",
        &[&twice.id],
        &[("reason", "doppelt gemeldet")],
    )
    .await;
    w.form(
        "/school-counselling/{id}/site",
        &[&online.id],
        &[("site", "05570008")],
    )
    .await;
    let family = lotse_store::school_counselling::registrations_for(&app.db, &system)
        .page(
            &lotse_store::school_counselling::Filter {
                site: Some("05570004".into()),
                ..Default::default()
            },
            &lotse_store::paging::PageRequest::first(10),
        )
        .await
        .unwrap();
    let child = family.items[0].record.children[0].id.clone();
    w.form(
        "/school-counselling/children/{id}/status",
        &[&child],
        &[("status", "invited")],
    )
    .await;
    let family_id = family.items[0].record.id.clone();
    let in_a_week = lotse_web::today().add_days(7).unwrap().to_string();
    let in_two_weeks = lotse_web::today().add_days(14).unwrap().to_string();
    let booked = w
        .form(
            "/school-counselling/{id}/appointments",
            &[&family_id],
            &[
                ("date", in_a_week.as_str()),
                ("start", "10:00"),
                ("place", "KI Ahlen"),
            ],
        )
        .await;
    assert!(booked.location().contains("ok=school_booked"));
    let appointment = lotse_store::school_counselling::registrations_for(&app.db, &system)
        .get(&family_id)
        .await
        .unwrap()
        .record
        .appointments[0]
        .id
        .clone();
    w.form(
        "/school-counselling/appointments/{id}/move",
        &[&appointment],
        &[
            ("date", in_two_weeks.as_str()),
            ("start", "10:00"),
            ("place", "KI Ahlen"),
        ],
    )
    .await;
    w.form(
        "/school-counselling/appointments/{id}/close",
        &[&appointment],
        &[("outcome", "cancelled")],
    )
    .await;
    // Today's appointment (through the store: its route is walked above), then the record.
    lotse_store::school_counselling::book(
        &app.db,
        &system,
        &family_id,
        &lotse_domain::school_counselling::AppointmentDraft {
            slot: lotse_domain::interpreters::Slot {
                date: lotse_web::today(),
                start_minute: 8 * 60,
                duration_minutes: 60,
            },
            counsellor: None,
            place: "KI Ahlen".into(),
            interpreter_language: None,
        },
        None,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    let today = lotse_web::today().to_string();
    w.form(
        "/school-counselling/children/{id}/record",
        &[&child],
        &[
            ("consent_given_on", today.as_str()),
            ("consent_form", "written"),
            ("counselled_on", today.as_str()),
            ("german_level", "none"),
            ("maths_level", "unknown"),
            ("recommended_form", "primary"),
        ],
    )
    .await;

    // --- Structural issues, bodies ----------------------------------------------------------
    let issue_form = |title: &str| {
        vec![
            ("title", title.to_owned()),
            ("from_jurisdiction", "sgb2".to_owned()),
            ("evidence_count", "4".to_owned()),
            ("status", "reported".to_owned()),
            ("reported_on", "2026-05-04".to_owned()),
            ("towns", "05570004".to_owned()),
        ]
    };
    let opened = w
        .form(
            "/cases",
            &[],
            &[
                ("family_name", "Rundgang"),
                ("given_names", "Amal"),
                ("access_route", "jobcenter"),
                ("opened_on", "2026-05-04"),
            ],
        )
        .await;
    let case = id_from(&opened, "/cases/");
    let deputy = users::get_by_username(&app.db, "fallmanagement2")
        .await
        .unwrap();
    // The deputy works at another organisation: the person releases everything towards it
    // (through the store: the consent route is walked below).
    let owner = users::get_by_username(&app.db, "fallmanagement")
        .await
        .unwrap();
    let owner = Viewer {
        user_id: owner.id.clone(),
        username: owner.username.clone(),
        organisation_id: owner.organisation_id.clone(),
        roles: vec![lotse_domain::Role::CaseManager],
    };
    let everything = lotse_domain::case::ConsentInput {
        purpose: "release".into(),
        organisation_id: deputy.organisation_id.clone(),
        given_on: lotse_web::today().to_string(),
        form: "written".into(),
        covers: ["identity", "residence", "plan", "assessment"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    }
    .validate(lotse_web::today())
    .unwrap();
    app.db
        .write(async |tx| {
            lotse_store::cases::record_consent(tx, &owner, &case, &everything, app.clock.now_ms())
                .await
        })
        .await
        .unwrap();
    let deputy_org = deputy.organisation_id.clone();
    let deputy = deputy.id;
    w.form(
        "/cases/{id}/deputy",
        &[&case],
        &[("deputy_user_id", deputy.as_str())],
    )
    .await;
    w.form(
        "/cases/{id}/phase",
        &[&case],
        &[("phase", "clearing"), ("changed_on", "2026-05-05")],
    )
    .await;
    w.form(
        "/cases/{id}/assessments",
        &[&case],
        &[
            ("life_domain", "housing"),
            ("need_level", "high"),
            ("assessed_on", "2026-05-05"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/goals",
        &[&case],
        &[
            ("life_domain", "housing"),
            ("description", "Wohnung finden"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/referrals",
        &[&case],
        &[
            ("life_domain", "housing"),
            ("outcome", "no_suitable_offer"),
            ("unmet_reason", "no_capacity"),
            ("requested_on", "2026-05-06"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/handoffs",
        &[&case],
        &[
            ("handoff_type", "residence_permit"),
            ("started_on", "2026-05-06"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/contacts",
        &[&case],
        &[
            ("contact_on", "2026-05-06"),
            ("minutes", "30"),
            ("channel", "phone"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/follow-ups",
        &[&case],
        &[("due_on", "2026-06-01"), ("subject", "Bescheid nachfragen")],
    )
    .await;
    let page = app
        .get(
            &format!("/cases/{case}"),
            Some(&w.cookie("fallmanagement").await),
        )
        .await;
    let entry = |kind: &str| between(&page.body, &format!("/cases/{case}/{kind}/"), "\"");
    let (goal, referral, handoff) = (entry("goals"), entry("referrals"), entry("handoffs"));
    let follow_up = between(&page.body, &format!("/cases/{case}/follow-ups/"), "/done");
    w.form(
        "/cases/{id}/goals/{entry}",
        &[&case, &goal],
        &[("status", "reached")],
    )
    .await;
    w.form(
        "/cases/{id}/referrals/{entry}",
        &[&case, &referral],
        &[
            ("life_domain", "housing"),
            ("outcome", "no_suitable_offer"),
            ("unmet_reason", "cost"),
            ("requested_on", "2026-05-06"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/handoffs/{entry}",
        &[&case, &handoff],
        &[("completed_on", "2026-05-20")],
    )
    .await;
    w.form(
        "/cases/{id}/follow-ups/{entry}/done",
        &[&case, &follow_up],
        &[],
    )
    .await;
    w.form(
        "/cases/{id}/household",
        &[&case],
        &[
            ("household_action", "new"),
            ("household_label", "Familie R."),
        ],
    )
    .await;
    let cookie = w.cookie("fallmanagement").await;
    w.perform(
        &app,
        "/cases/{id}/documents",
        &[&case],
        Some(&cookie),
        Payload::Multipart(&[
            ("kind", None, "notice"),
            ("title", None, "Bescheid"),
            ("file", Some("bescheid.pdf"), "%PDF-1.4 Rundgang"),
        ]),
    )
    .await;
    let imported = w
        .perform(
            &app,
            "/cases/import",
            &[],
            Some(&cookie),
            Payload::Multipart(&[
                ("step", None, "import"),
                ("mode", None, "all"),
                (
                    "file",
                    Some("faelle.csv"),
                    "Name;Vorname;Geburtsdatum;Zugangsweg\nImportiert;Jana;01.02.1991;jobcenter\n",
                ),
            ]),
        )
        .await;
    assert!(
        imported.body.contains("1 Fälle angelegt"),
        "/cases/import: {}",
        excerpt(&imported.body)
    );
    // A case conference needs the person's consent to it first (recorded through the store).
    let to_confer = lotse_domain::case::ConsentInput {
        purpose: "case_conference".into(),
        given_on: lotse_web::today().to_string(),
        form: "written".into(),
        ..Default::default()
    }
    .validate(lotse_web::today())
    .unwrap();
    app.db
        .write(async |tx| {
            lotse_store::cases::record_consent(tx, &owner, &case, &to_confer, app.clock.now_ms())
                .await
        })
        .await
        .unwrap();
    let today = lotse_web::today().to_string();
    w.form(
        "/cases/{id}/conferences",
        &[&case],
        &[
            ("held_on", today.as_str()),
            ("topic", "Übergang Jobcenter"),
            ("organisation_ids", deputy_org.as_str()),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/person",
        &[&case],
        &[
            ("family_name", "Rundgang-Berichtigt"),
            ("given_names", "Amal"),
            ("jurisdiction", "sgb2"),
        ],
    )
    .await;
    // Anonymising on request: a second case, closed (through the store).
    let closed = {
        let draft = lotse_domain::case::PersonInput {
            family_name: "Rundgang-Anonym".into(),
            ..Default::default()
        }
        .validate(lotse_web::today())
        .unwrap();
        let intake = lotse_store::cases::IntakeDraft {
            access_route: lotse_domain::case::AccessRoute::Jobcenter,
            opened_on: lotse_web::today(),
        };
        let now = app.clock.now_ms();
        app.db
            .write(async |tx| {
                let id =
                    lotse_store::cases::intake(tx, &owner, &draft, &intake, false, now).await?;
                let closure = lotse_domain::case::closure("goals_reached", "all")
                    .map_err(lotse_store::StoreError::Invalid)?;
                lotse_store::cases::change_phase(
                    tx,
                    &owner,
                    &id,
                    lotse_domain::case::CasePhase::Closed,
                    Some(closure),
                    lotse_web::today(),
                    lotse_web::today(),
                    now,
                )
                .await?;
                Ok(id)
            })
            .await
            .unwrap()
    };
    w.form("/cases/{id}/anonymise", &[&closed], &[("confirm", "1")])
        .await;
    // Consent, sharing with another organisation's case manager, and emergency access.
    let other = users::get_by_username(&app.db, "fallmanagement2")
        .await
        .unwrap();
    w.form(
        "/cases/{id}/consents",
        &[&case],
        &[
            ("purpose", "release"),
            ("organisation_id", other.organisation_id.as_str()),
            ("given_on", "2026-05-06"),
            ("form", "written"),
            ("covers", "identity"),
            ("covers", "plan"),
        ],
    )
    .await;
    w.form(
        "/cases/{id}/shares",
        &[&case],
        &[("access", "read"), ("to_user_id", other.id.as_str())],
    )
    .await;
    let inbox = app
        .get("/cases/shares", Some(&w.cookie("fallmanagement2").await))
        .await;
    let first = between(&inbox.body, "/cases/shares/", "/accept");
    w.form("/cases/shares/{id}/accept", &[&first], &[]).await;
    // A second request (through the store: the web route was walked above), declined.
    let draft = lotse_domain::case::ShareInput {
        access: "edit".into(),
        to_user_id: other.id.clone(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let second = app
        .db
        .write(async |tx| {
            lotse_store::cases::request_share(tx, &owner, &case, &draft, app.clock.now_ms()).await
        })
        .await
        .unwrap();
    w.form("/cases/shares/{id}/decline", &[&second], &[]).await;
    w.form("/cases/shares/{id}/end", &[&first], &[]).await;
    let page = app
        .get(
            &format!("/cases/{case}"),
            Some(&w.cookie("fallmanagement").await),
        )
        .await;
    let consent = between(&page.body, &format!("/cases/{case}/consents/"), "/print");
    let pseudonym = between(&page.body, "<dt>Pseudonym</dt><dd>", "</dd>");
    w.form(
        "/cases/{id}/consents/{entry}",
        &[&case, &consent],
        &[("revoked_on", lotse_web::today().to_string().as_str())],
    )
    .await;
    w.form(
        "/cases/break-glass",
        &[],
        &[
            ("pseudonym", pseudonym.as_str()),
            ("reason", "Kollegin erkrankt, Räumung droht morgen früh."),
            ("hours", "1"),
        ],
    )
    .await;
    let reviews = app
        .get(
            "/cases/access-reviews",
            Some(&w.cookie("koordination").await),
        )
        .await;
    let glass = between(&reviews.body, "/cases/access-reviews/break_glass/", "\"");
    w.form(
        "/cases/access-reviews/{kind}/{id}",
        &["break_glass", &glass],
        &[("review_note", "Notfall nachvollziehbar")],
    )
    .await;
    w.form("/cases/monitor/targets", &[], &[("residence_permit", "60")])
        .await;
    let created = w
        .form(
            "/issues",
            &[],
            &pairs(&issue_form("Dolmetschkosten im Rundgang ungeklärt")),
        )
        .await;
    let issue = id_from(&created, "/issues/");
    w.form(
        "/issues/{id}",
        &[&issue],
        &pairs(&issue_form("Dolmetschkosten im Rundgang weiter ungeklärt")),
    )
    .await;
    let created = w
        .form("/bodies", &[], &[("name", "Projektgruppe Rundgang")])
        .await;
    let body = id_from(&created, "/bodies/");
    let created = w
        .form(
            "/bodies/{id}/meetings",
            &[&body],
            &[("held_on", "2026-10-01")],
        )
        .await;
    let meeting = id_from(&created, "/meetings/");
    w.form(
        "/bodies/{id}/decisions",
        &[&body],
        &[
            ("number", "PG-1"),
            ("decided_on", "2026-10-01"),
            ("text", "Wir starten."),
            ("meeting_id", &meeting),
            ("measure_ids", &measure_id),
        ],
    )
    .await;
    w.form(
        "/meetings/{id}/agenda",
        &[&meeting],
        &[("agenda_title", "Fallbeispiele")],
    )
    .await;
    w.form(
        "/meetings/{id}/minutes",
        &[&meeting],
        &[("minutes", "Alle anwesend.")],
    )
    .await;
    w.form(
        "/meetings/{id}/issues",
        &[&meeting],
        &[("issue_id", &issue)],
    )
    .await;
    let page = app
        .get(&format!("/bodies/{body}"), Some(&koordination))
        .await;
    let decision = between(&page.body, "action=\"/decisions/", "/issues\"");
    w.form(
        "/decisions/{id}/issues",
        &[&decision],
        &[("issue_id", &issue)],
    )
    .await;
    let partner_user = users::get_by_username(&app.db, "partner")
        .await
        .unwrap_or_else(|e| panic!("partner: {e}"));
    w.form(
        "/action-items",
        &[],
        &[
            ("action_title", "Zahlen sammeln"),
            ("owner_user_id", &partner_user.id),
            ("due_on", "2026-11-30"),
            ("meeting_id", &meeting),
        ],
    )
    .await;
    let page = app
        .get(&format!("/meetings/{meeting}"), Some(&koordination))
        .await;
    let item = between(&page.body, "action=\"/action-items/", "/state\"");
    w.form("/action-items/{id}/state", &[&item], &[("state", "done")])
        .await;

    // --- Offers: the partner's offer through its whole life ---------------------------------
    let created = w
        .form("/offers", &[], &pairs(&offer_form("Sprachcafé Rundgang")))
        .await;
    let offer = id_from(&created, "/offers/");
    w.form("/offers/{id}/approve", &[&offer], &[]).await;
    w.form(
        "/offers/{id}",
        &[&offer],
        &pairs(&offer_form("Sprachcafé Rundgang für Frauen")),
    )
    .await;
    w.form(
        "/offers/{id}/return",
        &[&offer],
        &[("note", "Bitte auch die Kinderbetreuung nennen.")],
    )
    .await;
    w.form("/offers/{id}/discard", &[&offer], &[]).await;
    w.form(
        "/offers/{id}/translations/{locale}",
        &[&offer, "ar"],
        &[
            ("title", "مقهى اللغة"),
            ("description", ""),
            ("save_as", "submit"),
        ],
    )
    .await;
    w.form("/offers/{id}/verify", &[&offer], &[]).await;
    w.form("/offers/{id}/withdraw", &[&offer], &[("withdrawn", "true")])
        .await;
    let partner_org = app.organisation_id(PARTNER_ORG).await;
    w.form(
        "/organisations/{id}/trusted",
        &[&partner_org],
        &[("trusted", "true")],
    )
    .await;

    // --- Review rounds ----------------------------------------------------------------------
    let kim = lotse_store::measures::concepts(&app.db)
        .await
        .unwrap_or_else(|e| panic!("concepts: {e}"))
        .into_iter()
        .find(|c| c.short_name == "KIM")
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("the demo concept KIM is missing"));
    let created = w
        .form(
            "/rounds",
            &[],
            &[
                ("title", "Überprüfung Rundgang"),
                ("reference_date", "2026-06-30"),
                ("concept_ids", &kim),
            ],
        )
        .await;
    let round = id_from(&created, "/rounds/");
    let partner = w.cookie("partner").await;
    let page = app.get(&format!("/rounds/{round}"), Some(&partner)).await;
    let report = between(
        &page.body,
        &format!("href=\"/rounds/{round}/updates/"),
        "\"",
    );
    w.form(
        "/rounds/{id}/updates/{update}",
        &[&round, &report],
        &[
            ("status", "completed"),
            ("progress", "Projekt erfolgreich beendet."),
            ("adaptation", "none"),
        ],
    )
    .await;
    w.form(
        "/rounds/{id}/updates/{update}/review",
        &[&round, &report],
        &[("decision", "accept")],
    )
    .await;
    // A second round, whose report the partner submits and the coordination accepts together
    // with any others chosen (the bulk acceptance).
    // (set up outside the walk, which walks each route once)
    let coordination = w.cookie("koordination").await;
    let created = app
        .post_form(
            "/rounds",
            &[
                ("title", "Überprüfung Rundgang, zweite"),
                ("reference_date", "2026-12-31"),
                ("concept_ids", &kim),
            ],
            Some(&coordination),
        )
        .await;
    let second_round = id_from(&created, "/rounds/");
    let page = app
        .get(&format!("/rounds/{second_round}"), Some(&partner))
        .await;
    let second = between(
        &page.body,
        &format!("href=\"/rounds/{second_round}/updates/"),
        "\"",
    );
    let sent = app
        .post_form(
            &format!("/rounds/{second_round}/updates/{second}"),
            &[
                ("status", "in_progress"),
                ("progress", "Läuft."),
                ("adaptation", "none"),
            ],
            Some(&partner),
        )
        .await;
    assert_eq!(
        sent.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        sent.body
    );
    let seen = lotse_store::rounds::update(&app.db, &second)
        .await
        .unwrap_or_else(|e| panic!("report: {e}"))
        .submitted_at
        .unwrap_or_default();
    w.form(
        "/rounds/{id}/accept",
        &[&second_round],
        &[("report", &format!("{second}@{seen}"))],
    )
    .await;
    let later = lotse_store::day_of(lotse_store::now_ms())
        .add_days(40)
        .map(|d| d.german())
        .unwrap_or_default();
    w.form(
        "/rounds/{id}/deadline",
        &[&round],
        &[("submission_deadline", &later)],
    )
    .await;
    w.form(
        "/rounds/{id}/proposals",
        &[&round],
        &[
            ("proposal_concept", &kim),
            ("proposal_title", "Sprachcafé für Väter"),
            ("proposal_description", "Ein Treffpunkt am Samstag."),
        ],
    )
    .await;

    // --- Administration ---------------------------------------------------------------------
    let ki = app.organisation_id(KI_ORG).await;
    w.form(
        "/admin/users",
        &[],
        &[
            ("username", "rundgang"),
            ("display_name", "Rita Rundgang"),
            ("email", ""),
            ("organisation_id", &ki),
            ("roles", "case_manager"),
            ("password", "ein langes passwort"),
        ],
    )
    .await;
    let rita = users::get_by_username(&app.db, "rundgang")
        .await
        .unwrap_or_else(|e| panic!("/admin/users: the account is not there: {e}"))
        .id;
    w.form(
        "/admin/users/{id}",
        &[&rita],
        &[
            ("username", "rundgang"),
            ("display_name", "Rita Rundgang-Beispiel"),
            ("email", "rita@example.org"),
            ("organisation_id", &ki),
            ("roles", "case_manager"),
        ],
    )
    .await;
    w.form(
        "/admin/users/{id}/password",
        &[&rita],
        &[("password", "noch ein neues passwort")],
    )
    .await;
    w.form("/admin/users/{id}/totp/reset", &[&rita], &[]).await;
    w.form("/admin/users/{id}/active", &[&rita], &[("active", "false")])
        .await;
    // Readers only: no account the walk signs in with must enrol a second factor.
    w.form("/admin/settings", &[], &[("totp_required", "reader")])
        .await;
    w.form("/offers/words", &[], &[("words", "Kita\nNähcafé")])
        .await;
    w.form(
        "/offers/concepts",
        &[],
        &[("de", "Nähcafé, Nähtreff"), ("uk", "кафе шиття")],
    )
    .await;
    let kita = lotse_store::finder_concepts::shipped_id("kita");
    w.form("/offers/concepts/{id}", &[&kita], &[("de", "Kita, Krippe")])
        .await;
    w.form("/offers/concepts/{id}/withdraw", &[&kita], &[])
        .await;
    w.form("/offers/misses/clear", &[], &[]).await;
    w.form(
        "/admin/legal",
        &[],
        &[
            ("impressum", "## Herausgeber\n\nKreis Warendorf"),
            (
                "datenschutz",
                lotse_domain::legal::LegalPage::Privacy.draft(),
            ),
            (
                "barrierefreiheit",
                lotse_domain::legal::LegalPage::Accessibility.draft(),
            ),
            ("phone", "02581 53-0"),
            ("email", ""),
        ],
    )
    .await;
    let report = lotse_domain::legal::check_feedback("Kontrast zu schwach", "/angebote", "")
        .unwrap_or_else(|e| panic!("feedback: {e:?}"));
    lotse_store::accessibility_feedback::receive(&app.db, &report, "de", lotse_store::now_ms())
        .await
        .unwrap_or_else(|e| panic!("receive: {e}"));
    let reports = lotse_store::accessibility_feedback::list(
        &app.db,
        &Actor::system("walk"),
        1,
        lotse_store::now_ms(),
    )
    .await
    .unwrap_or_else(|e| panic!("reports: {e}"));
    w.form("/admin/legal/feedback/{id}/handled", &[&reports[0].id], &[])
        .await;
    lotse_store::accessibility_feedback::receive(&app.db, &report, "uk", lotse_store::now_ms())
        .await
        .unwrap_or_else(|e| panic!("receive: {e}"));
    w.form("/admin/legal/feedback/handled", &[], &[]).await;
    // A job run by hand is the administrator's act, whatever the job finds to do.
    w.form("/admin/jobs/{job}/run", &["session-purge"], &[])
        .await;

    // --- Reminders: they change data only once a mail went out ------------------------------
    let sink = SmtpSink::start();
    if let Some(sink) = &sink {
        let mail = lotse_web::mail::MailConfig::from_url(
            &format!("smtp://127.0.0.1:{}", sink.port),
            "lotse@kreis-warendorf.de",
        )
        .unwrap_or_else(|e| panic!("mail config: {e}"));
        let node = app.node(TestApp::router_with_mail(&app.db, Some(mail)));
        give_email(&app, "partner", "partner@example.org").await;
        give_email(&app, "koordination", "kim@example.org").await;
        overdue_offer(&app, &partner_org).await;
        w.form_on(&node, "/offers/reminders", &[], &[]).await;
        w.form_on(&node, "/funding/reminders", &[], &[]).await;
        w.form_on(&node, "/rounds/{id}/remind", &[&round], &[])
            .await;
        assert!(
            sink.messages().len() >= 3,
            "one mail at least per reminder run: {}",
            sink.messages().len()
        );
    } else {
        eprintln!("no SMTP sink: not walked {NEED_MAIL:?}");
    }
    w.form(
        "/rounds/{id}/close",
        &[&round],
        &[("confirm", "yes"), ("outstanding_ok", "yes")],
    )
    .await;

    // --- What was walked --------------------------------------------------------------------
    let skipped = |r: &str| sink.is_none() && NEED_MAIL.contains(&r);
    let not_walked: Vec<&str> = FIXTURES
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| !w.performed.contains(r) && !skipped(r))
        .collect();
    assert!(
        not_walked.is_empty(),
        "fixtures listed but never walked: {not_walked:?}"
    );
    for (route, actions) in &w.recorded {
        eprintln!("{route}: {}", actions.join(", "));
    }
    for line in &w.unaudited {
        eprintln!("KNOWN_UNAUDITED {line}");
    }
    assert!(
        w.fixed.is_empty(),
        "audited now, remove from KNOWN_UNAUDITED: {:?}",
        w.fixed
    );
    let chain = audit::verify(&app.db)
        .await
        .unwrap_or_else(|e| panic!("verifying the audit chain: {e}"));
    assert!(
        chain.first_broken.is_none(),
        "the audit chain broke: {:?}",
        chain.first_broken
    );
});
