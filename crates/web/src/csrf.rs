//! Cross-site request forgery protection without tokens, as Go 1.25's net/http does it
//! (Filippo Valsorda, "Cross-Site Request Forgery", 2025): browsers tell us where a request comes
//! from (`Sec-Fetch-Site`, `Origin`); a state-changing request from another site is refused. Clients
//! that send neither header are not browsers and carry no ambient cookies of our users' sessions
//! except by their own choice. `SameSite=Lax` on the session cookie is the second line.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn reject_cross_origin_writes(req: Request, next: Next) -> Response {
    if is_allowed(&req) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-origin write refused");
        (
            StatusCode::FORBIDDEN,
            "Anfrage abgelehnt: sie kam von einer anderen Website (CSRF-Schutz).",
        )
            .into_response()
    }
}

fn is_allowed(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::builder().method("POST").uri("/x");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).expect("request")
    }

    #[test]
    fn same_origin_and_non_browser_writes_pass() {
        assert!(is_allowed(&post(&[("sec-fetch-site", "same-origin")])));
        assert!(is_allowed(&post(&[])));
        assert!(is_allowed(&post(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
    }

    #[test]
    fn cross_site_writes_are_refused() {
        assert!(!is_allowed(&post(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_allowed(&post(&[("sec-fetch-site", "same-site")])));
        assert!(!is_allowed(&post(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!is_allowed(&post(&[
            ("origin", "null"),
            ("host", "127.0.0.1:8080")
        ])));
    }
}
