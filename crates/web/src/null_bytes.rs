//! No request that carries a NUL character reaches a handler.
//!
//! NUL has no place in any text a person sends, PostgreSQL cannot store it (every query that
//! binds it fails), and on SQLite it would be stored and break the next copy to PostgreSQL.
//! Rather than each of a hundred handlers remembering it, the request is refused here with 400,
//! naming the parameter or field, for the address (path and query), form bodies and JSON
//! bodies alike. Multipart uploads carry binary files; their text fields are checked where they
//! are read (`upload::text`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{api_error, page_error};

/// Bodies are buffered to be checked; the outer body limit has already bounded them.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub async fn refuse_null_bytes(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    if let Some(place) = in_address(req.uri()) {
        return refused(api, &place);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = "Die Anfrage ist zu groß oder wurde nicht vollständig gesendet.";
            return if api {
                api_error(StatusCode::PAYLOAD_TOO_LARGE, message)
            } else {
                page_error(StatusCode::PAYLOAD_TOO_LARGE, message)
            };
        }
    };
    let found = if form {
        in_form(&bytes)
    } else {
        in_json(&bytes).then(|| "im JSON-Inhalt".to_owned())
    };
    if let Some(place) = found {
        return refused(api, &place);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/hsds/")
}

fn refused(api: bool, place: &str) -> Response {
    let message = format!(
        "Die Anfrage enthält ein unzulässiges Steuerzeichen (U+0000) {place}. Bitte den Text ohne Steuerzeichen erneut senden."
    );
    if api {
        api_error(StatusCode::BAD_REQUEST, &message)
    } else {
        page_error(StatusCode::BAD_REQUEST, &message)
    }
}

/// NUL can only appear in an address percent-encoded.
fn in_address(uri: &axum::http::Uri) -> Option<String> {
    if contains_encoded_nul(uri.path().as_bytes()) {
        return Some("in der Adresse".to_owned());
    }
    let query = uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| format!("im Parameter „{}“", k.replace('\0', "")))
}

fn contains_encoded_nul(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"%00")
}

fn in_form(body: &[u8]) -> Option<String> {
    if !contains_encoded_nul(body) && !body.contains(&0) {
        return None;
    }
    form_urlencoded::parse(body)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| format!("im Feld „{}“", k.replace('\0', "")))
}

/// A raw NUL byte, or the escape `\u0000` where the backslash is not itself escaped.
fn in_json(body: &[u8]) -> bool {
    if body.contains(&0) {
        return true;
    }
    let mut backslashes = 0usize;
    for (i, &b) in body.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if b == b'u' && backslashes % 2 == 1 && body.get(i + 1..i + 5) == Some(b"0000".as_slice()) {
            return true;
        }
        backslashes = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_every_encoding_and_only_there() {
        assert_eq!(in_form(b"a=1&b=x%00y").as_deref(), Some("im Feld „b“"));
        assert_eq!(in_form(b"a=1&b=%2500"), None, "an encoded percent sign");
        assert!(in_json(br#"{"name":"a\u0000b"}"#));
        assert!(in_json(br#"{"name":"a\\\u0000b"}"#));
        assert!(!in_json(br#"{"name":"a\\u0000b"}"#), "an escaped backslash");
        assert!(!in_json(br#"{"name":"\u00e4"}"#));
        let uri: axum::http::Uri = "/angebote?q=a%00".parse().expect("uri");
        assert_eq!(in_address(&uri).as_deref(), Some("im Parameter „q“"));
        let uri: axum::http::Uri = "/angebote/%00".parse().expect("uri");
        assert_eq!(in_address(&uri).as_deref(), Some("in der Adresse"));
    }
}
