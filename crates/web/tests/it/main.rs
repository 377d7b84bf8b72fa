//! Web tests: requests through the whole router (`oneshot`), on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod account;
mod api;
mod audit_walk;
mod bodies;
mod case_sharing;
mod cases;
mod figures;
mod finder;
mod finder_guide;
mod funding;
mod hardening;
mod hsds;
mod interpreters;
mod legal;
mod login;
mod measures;
mod offers;
mod organisations;
mod programmes;
mod relevance;
mod rounds;
mod school_counselling;
mod start_page;
mod users;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lotse_store::Db;
use tower::ServiceExt;

pub struct TestApp {
    pub db: Db,
    pub router: Router,
    /// The app's clock: fixed at the start of the test, moved on only by the test itself, so no
    /// test races the wall clock (a TOTP step, a lock's expiry).
    pub clock: lotse_web::Clock,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The session cookie set by this response, as a `Cookie` header value.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| {
                v.starts_with("__Host-lotse_session=") && !v.starts_with("__Host-lotse_session=;")
            })
            .map(|v| v.split(';').next().unwrap().to_owned())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl TestApp {
    /// The platform as `lotse serve --demo` starts it.
    pub async fn new(db: Db) -> TestApp {
        lotse_store::reference::load(&db).await.unwrap();
        lotse_store::demo::load(&db).await.unwrap();
        let clock = lotse_web::Clock::fixed(lotse_store::now_ms());
        let router = lotse_web::app(lotse_web::AppState {
            clock: clock.clone(),
            ..Self::state(&db, None)
        });
        TestApp { db, router, clock }
    }

    fn state(db: &Db, mail: Option<lotse_web::mail::MailConfig>) -> lotse_web::AppState {
        lotse_web::AppState::new(
            db.clone(),
            lotse_web::WebConfig {
                secure_cookies: true,
                demo: true,
                mail,
                public_url: "http://lotse.test".to_owned(),
            },
        )
    }

    /// A second app node on the same database (as after a restart or behind a load balancer).
    pub fn router_for(db: &Db) -> Router {
        Self::router_with_mail(db, None)
    }

    /// Another node whose finder looks at the store on every request (no sync interval), to see
    /// changes made on this node at once.
    pub fn syncing_node(&self) -> Router {
        lotse_web::app(lotse_web::AppState {
            finder: std::sync::Arc::new(lotse_web::finder::Finder::with_sync_interval(0)),
            clock: self.clock.clone(),
            ..Self::state(&self.db, None)
        })
    }

    /// Another node on the same database and clock, serving through `router`.
    pub fn node(&self, router: Router) -> TestApp {
        TestApp {
            db: self.db.clone(),
            router,
            clock: self.clock.clone(),
        }
    }

    /// A node that sends mail through the given SMTP server.
    pub fn router_with_mail(db: &Db, mail: Option<lotse_web::mail::MailConfig>) -> Router {
        lotse_web::app(Self::state(db, mail))
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::builder().uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// The raw body of a download (reply bodies are text).
    pub async fn get_bytes(&self, path: &str, cookie: &str) -> Vec<u8> {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(req).await.unwrap();
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn api(&self, method: Method, path: &str, token: &str, json: Option<&str>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if json.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(req.body(Body::from(json.unwrap_or("").to_owned())).unwrap())
            .await
    }

    /// Signs in a demo user (no second factor) and returns the `Cookie` header value.
    pub async fn login(&self, username: &str) -> String {
        self.login_with(username, lotse_store::demo::DEMO_PASSWORD)
            .await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> String {
        let reply = self
            .post_form(
                "/login",
                &[("username", username), ("password", password)],
                None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "login {username}: {}",
            reply.body
        );
        reply.session_cookie().expect("session cookie")
    }

    /// A personal API token, created through the account page of a signed-in user and read
    /// from the page that shows it once.
    pub async fn api_token(&self, cookie: &str) -> String {
        let page = self
            .post_form("/account/tokens", &[("name", "Test-Skript")], Some(cookie))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let start = page.body.find("value=\"lotse_").unwrap() + "value=\"".len();
        let len = page.body[start..].find('"').unwrap();
        page.body[start..start + len].to_owned()
    }

    pub async fn organisation_id(&self, name: &str) -> String {
        lotse_store::organisations::list(&self.db, true)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name == name)
            .map(|o| o.id)
            .unwrap_or_else(|| panic!("no organisation {name}"))
    }
}

/// Defines a test that runs on both backends with a demo-loaded app.
#[macro_export]
macro_rules! web_test {
    ($name:ident, |$app:ident| $body:expr) => {
        lotse_store::both_backends!($name, |db: lotse_store::Db| async move {
            let $app = $crate::TestApp::new(db).await;
            $body
        });
    };
}

/// A multipart/form-data body: (name, file name for file parts, content).
pub fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let fields: Vec<(&str, Option<&str>, &[u8])> = fields
        .iter()
        .map(|(n, f, c)| (*n, *f, c.as_bytes()))
        .collect();
    multipart_bytes(&fields)
}

/// The same with binary content (spreadsheets).
pub fn multipart_bytes(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----lotsetestboundary";
    let mut body = Vec::new();
    for (name, filename, content) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A real SMTP server for tests: Python's aiosmtpd, writing every message to a maildir.
/// `scripts/test` installs it; outside CI a missing aiosmtpd skips the test.
pub struct SmtpSink {
    child: std::process::Child,
    pub port: u16,
    pub dir: std::path::PathBuf,
}

impl SmtpSink {
    pub fn start() -> Option<SmtpSink> {
        let available = std::process::Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs aiosmtpd (scripts/test installs it)"
            );
            eprintln!("aiosmtpd not installed: skipping the mail test");
            return None;
        }
        // The server binds port 0 itself and says which port it got: picking a free port here
        // and handing it over would leave a moment in which another test could take it.
        const SERVE: &str = r#"
import asyncio, sys
from aiosmtpd.smtp import SMTP
from aiosmtpd.handlers import Mailbox

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Mailbox(sys.argv[1])), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"#;
        let dir = lotse_store::testing::temp_dir().join("maildir");
        let mut child = std::process::Command::new("python3")
            .args(["-c", SERVE])
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Owned by the sink at once, so that Drop stops it on every path.
        let mut sink = SmtpSink {
            child,
            port: 0,
            dir,
        };
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        sink.port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("aiosmtpd did not start: {line:?}"));
        Some(sink)
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

/// Mail settings that deliver to `port` on this machine: a sink's, or a closed one to see how a
/// job behaves while the mail server is away.
pub fn mail_to_port(port: u16) -> lotse_web::mail::MailConfig {
    lotse_web::mail::MailConfig::from_url(
        &format!("smtp://127.0.0.1:{port}"),
        "ki@kreis-warendorf.example",
    )
    .unwrap()
}

/// One scheduled run of the named job at `now`, as the scheduler would start it.
pub async fn run_job(
    app: &TestApp,
    name: &str,
    mail: Option<&lotse_web::mail::MailConfig>,
    now: i64,
) -> lotse_web::jobs::Report {
    let job = lotse_web::jobs::find(name).expect("the job exists");
    let ctx = lotse_web::jobs::Context {
        db: &app.db,
        mail,
        now,
        today: lotse_store::day_of(now),
    };
    lotse_web::jobs::run(job, &ctx, lotse_store::jobs::Trigger::Schedule, None)
        .await
        .unwrap()
        .unwrap()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(self.dir.parent().unwrap_or(&self.dir));
    }
}

/// The texts of the `n`th `<td>` (from 1) of every row in a page's first table body: what a
/// sorted column shows, in order.
pub fn column(body: &str, n: usize) -> Vec<String> {
    body.split("<tbody>")
        .nth(1)
        .unwrap_or_default()
        .split("</tbody>")
        .next()
        .unwrap_or_default()
        .split("<tr>")
        .skip(1)
        .filter_map(|row| {
            row.split("<td")
                .nth(n)
                .and_then(|c| c.split_once('>'))
                .and_then(|(_, c)| c.split('<').next())
                .map(|c| c.trim().to_owned())
        })
        .collect()
}
