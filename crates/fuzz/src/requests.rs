//! Request parsing of every route, through the real router with its middleware, signed in as
//! the demo admin on a demo database (SQLite): paths, queries, form and JSON bodies. Any 5xx
//! other than 503 (busy) is a defect, as is a panic.
//!
//! An input is `route byte` + lines: path parameters (separated by `/`), the query string, then
//! the body. Seeds are made from what the pages themselves show: real ids, field names and
//! option values, so that mutations start from requests the application understands.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lotse_domain::validation::is_uuid;
use lotse_store::testing::TestDb;
use lotse_web::{RouteSpec, route_specs};
use tower::ServiceExt;

use crate::targets::Target;

struct Session {
    _db: TestDb,
    router: Router,
    cookie: String,
    token: String,
}

pub struct Requests {
    runtime: tokio::runtime::Runtime,
    routes: Vec<RouteSpec>,
    session: Option<Session>,
    ids: Vec<String>,
    fields: Vec<String>,
    values: Vec<String>,
    links: Vec<String>,
    /// Answers by status code.
    statuses: std::collections::BTreeMap<u16, u64>,
}

/// Status, `Location` or the new session cookie (whichever the caller asks for), body.
struct Answer {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

async fn send(router: &Router, req: Request<Body>) -> Answer {
    let Ok(response) = router.clone().oneshot(req).await;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| {
            v.starts_with("__Host-lotse_session=") && !v.starts_with("__Host-lotse_session=;")
        })
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    Answer {
        status,
        location,
        cookie,
        body,
    }
}

fn form(method: Method, uri: &str, body: String, cookie: &str) -> Option<Request<Body>> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .ok()
}

async fn open_session() -> Result<Session, String> {
    let db = TestDb::sqlite().await;
    lotse_store::reference::load(&db.db)
        .await
        .map_err(|e| e.to_string())?;
    lotse_store::demo::load(&db.db)
        .await
        .map_err(|e| e.to_string())?;
    let state = lotse_web::AppState::new(
        db.db.clone(),
        lotse_web::WebConfig {
            secure_cookies: true,
            demo: true,
            mail: None,
            public_url: "http://lotse.test".to_owned(),
        },
    );
    let router = lotse_web::app(state);
    let login = form(
        Method::POST,
        "/login",
        "username=admin&password=lotse-demo".into(),
        "",
    )
    .ok_or("login request")?;
    let cookie = send(&router, login)
        .await
        .cookie
        .ok_or("admin could not sign in")?;
    let token_request = form(
        Method::POST,
        "/account/tokens",
        "name=Fuzzing".into(),
        &cookie,
    )
    .ok_or("token request")?;
    let page = send(&router, token_request).await.body;
    let start = page.find("value=\"lotse_").ok_or("no token shown")? + "value=\"".len();
    let len = page[start..].find('"').ok_or("no token end")?;
    let token = page[start..start + len].to_owned();
    Ok(Session {
        _db: db,
        router,
        cookie,
        token,
    })
}

/// Values of `attr="…"` in a page.
fn attributes(page: &str, attr: &str, into: &mut BTreeSet<String>) {
    let marker = format!("{attr}=\"");
    let mut rest = page;
    while let Some(i) = rest.find(&marker) {
        rest = &rest[i + marker.len()..];
        if let Some(end) = rest.find('"') {
            let value = rest[..end].replace("&amp;", "&");
            if value.len() < 200 {
                into.insert(value);
            }
            rest = &rest[end..];
        }
    }
}

/// UUIDs in a page (the ids of records).
fn uuids(page: &str, into: &mut BTreeSet<String>) {
    let bytes = page.as_bytes();
    for i in 0..bytes.len().saturating_sub(36) {
        if let Ok(id) = std::str::from_utf8(&bytes[i..i + 36])
            && is_uuid(id)
        {
            into.insert(id.to_owned());
        }
    }
}

impl Requests {
    pub fn new() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let session = runtime.block_on(open_session())?;
        let (mut ids, mut fields, mut values, mut links): (
            BTreeSet<String>,
            BTreeSet<String>,
            BTreeSet<String>,
            BTreeSet<String>,
        ) = Default::default();
        runtime.block_on(async {
            let mut pages: Vec<String> = [
                "/",
                "/organisations",
                "/measures",
                "/offers",
                "/rounds",
                "/bodies",
                "/issues",
                "/programmes",
                "/funding",
                "/users",
                "/concepts",
                "/towns",
                "/angebote",
                "/admin/settings",
                "/audit",
                "/account",
                "/organisations/new",
                "/measures/new",
                "/offers/new",
            ]
            .iter()
            .map(|p| (*p).to_owned())
            .collect();
            let mut seen = BTreeSet::new();
            while let Some(path) = pages.pop() {
                if seen.len() > 150 || !seen.insert(path.clone()) {
                    continue;
                }
                let Some(req) = Request::builder()
                    .uri(&path)
                    .header(header::COOKIE, &session.cookie)
                    .body(Body::empty())
                    .ok()
                else {
                    continue;
                };
                let page = send(&session.router, req).await.body;
                uuids(&page, &mut ids);
                attributes(&page, "name", &mut fields);
                attributes(&page, "value", &mut values);
                let mut hrefs = BTreeSet::new();
                attributes(&page, "href", &mut hrefs);
                for href in hrefs {
                    if href.starts_with('/') && !href.starts_with("/assets") {
                        if !seen.contains(&href) {
                            pages.push(href.clone());
                        }
                        links.insert(href);
                    }
                }
            }
        });
        Ok(Requests {
            runtime,
            routes: route_specs(),
            session: Some(session),
            ids: ids.into_iter().collect(),
            fields: fields.into_iter().collect(),
            values: values.into_iter().collect(),
            links: links.into_iter().collect(),
            statuses: Default::default(),
        })
    }

    /// The request an input describes, or `None` if it is no valid HTTP request at all.
    fn request(&self, input: &[u8], session: &Session) -> Option<(Method, String, Request<Body>)> {
        let (&which, rest) = input.split_first()?;
        let route = &self.routes[usize::from(which) % self.routes.len()];
        let text = String::from_utf8_lossy(rest);
        let mut lines = text.splitn(3, '\n');
        let params = lines.next().unwrap_or("");
        let query = lines.next().unwrap_or("");
        let body = lines.next().unwrap_or("").to_owned();
        let mut params = params.split('/');
        let path: Vec<String> = route
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    let value = params.next().unwrap_or("");
                    form_urlencoded::byte_serialize(value.as_bytes()).collect()
                } else {
                    segment.to_owned()
                }
            })
            .collect();
        let mut uri = path.join("/");
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(query);
        }
        let api = route.path.starts_with("/api/");
        let mut req = Request::builder()
            .method(route.method.clone())
            .uri(&uri)
            .header("sec-fetch-site", "same-origin");
        if api {
            req = req
                .header(header::AUTHORIZATION, format!("Bearer {}", session.token))
                .header(header::CONTENT_TYPE, "application/json");
        } else {
            req = req
                .header(header::COOKIE, &session.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req.body(Body::from(body)).ok()?;
        Some((route.method.clone(), uri, req))
    }

    fn seed_for(&self, index: usize, route: &RouteSpec, n: usize) -> Vec<u8> {
        let pick = |list: &[String], k: usize| {
            list.get(k % list.len().max(1)).cloned().unwrap_or_default()
        };
        let params: Vec<String> = route
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .enumerate()
            .map(|(k, s)| match s {
                "{locale}" => ["en", "ar", "fa", "tr", "uk", "ru", "xx"][(n + k) % 7].to_owned(),
                "{file}" => "lotse.css".to_owned(),
                _ => pick(&self.ids, n * 7 + k),
            })
            .collect();
        let query = if route.method == Method::GET {
            let link = pick(&self.links, n);
            link.split_once('?')
                .map(|(_, q)| q.to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let body = if route.path.starts_with("/api/") {
            let mut object = serde_json::Map::new();
            for k in 0..4 {
                object.insert(
                    pick(&self.fields, n + k * 13),
                    pick(&self.values, n + k * 7).into(),
                );
            }
            serde_json::Value::Object(object).to_string()
        } else {
            let mut body = form_urlencoded::Serializer::new(String::new());
            for k in 0..6 {
                body.append_pair(
                    &pick(&self.fields, n + k * 11),
                    &pick(&self.values, n * 3 + k),
                );
            }
            body.finish()
        };
        let mut seed = vec![index as u8];
        seed.extend(format!("{}\n{query}\n{body}", params.join("/")).into_bytes());
        seed
    }
}

impl Target for Requests {
    fn name(&self) -> &'static str {
        "requests"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        let mut seeds = Vec::new();
        for n in 0..3 {
            for (index, route) in self.routes.iter().enumerate().take(256) {
                seeds.push(self.seed_for(index, route, n));
            }
        }
        seeds
    }
    fn tokens(&self) -> &[&'static [u8]] {
        &[
            b"&q=",
            b"&page=",
            b"&offset=",
            b"&limit=",
            b"&per_page=",
            b"&town=",
            b"&topic=",
            b"&lang=",
            b"&status=",
            b"&concept=",
            b"&active=",
            b"&kind=",
            b"%FF",
            b"%C3%28",
            b"[]",
            b"=",
            b"&",
            b"+",
            b"%2F",
            b"..",
            b"\"\":",
            b"1e999",
        ]
    }
    fn max_len(&self) -> usize {
        16 * 1024
    }
    fn first_byte_selects(&self) -> bool {
        true
    }
    fn summary(&self) -> String {
        self.statuses
            .iter()
            .map(|(status, n)| format!("{status}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        if self.session.is_none() {
            self.session = Some(self.runtime.block_on(open_session())?);
        }
        let Some(session) = &self.session else {
            return Ok(false);
        };
        let Some((method, uri, req)) = self.request(input, session) else {
            return Ok(false);
        };
        let Answer {
            status,
            location,
            body,
            ..
        } = self.runtime.block_on(send(&session.router, req));
        *self.statuses.entry(status.as_u16()).or_default() += 1;
        // A fuzzed request may have signed the admin out, deactivated the account or changed
        // its password: start again on a fresh demo database.
        if location.as_deref().is_some_and(|l| l.starts_with("/login"))
            || status == StatusCode::UNAUTHORIZED
        {
            self.session = None;
        }
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            let excerpt: String = body.chars().take(300).collect();
            return Err(format!("{method} {uri} answered {status}: {excerpt}"));
        }
        Ok(status.is_success())
    }
}
