//! The route table is the access contract: walk all of it.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lotse_domain::{Permission, Role, allows};
use lotse_web::{Access, route_specs};

use crate::web_test;

fn concrete(path: &str) -> String {
    path.replace("{id}", "0190a0a0-0000-7000-8000-000000000000")
        .replace("{file}", "app.css")
}

async fn call(
    app: &crate::TestApp,
    method: &Method,
    path: &str,
    cookie: Option<&str>,
) -> crate::Reply {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(concrete(path))
        .header("sec-fetch-site", "same-origin");
    if *method == Method::POST {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

web_test!(only_public_routes_answer_without_a_session, |app| {
    let specs = route_specs();
    assert!(specs.len() > 30);
    for spec in specs {
        let reply = call(&app, &spec.method, spec.path, None).await;
        let to_login = reply.status == StatusCode::SEE_OTHER
            && (reply.location() == "/login" || reply.location().starts_with("/login?next="));
        let unauthorized = reply.status == StatusCode::UNAUTHORIZED;
        if spec.access == Access::Public {
            assert!(
                !to_login && !unauthorized,
                "{} {} is public but refused",
                spec.method,
                spec.path
            );
        } else if spec.path.starts_with("/api/") {
            assert!(
                unauthorized,
                "{} {} answered {} without a session",
                spec.method, spec.path, reply.status
            );
        } else {
            assert!(
                to_login,
                "{} {} answered {} without a session",
                spec.method, spec.path, reply.status
            );
        }
    }
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/", None).await.location(), "/login");
});

web_test!(each_role_is_refused_what_it_may_not_do, |app| {
    let demo_users = [
        ("admin", Role::Admin),
        ("koordination", Role::Coordination),
        ("fallmanagement", Role::CaseManager),
        ("partner", Role::Partner),
        ("abh", Role::ImmigrationOffice),
        ("schulberatung", Role::SchoolCounsellor),
        ("lesen", Role::Reader),
    ];
    for (username, role) in demo_users {
        let cookie = app.login(username).await;
        for spec in route_specs() {
            let Access::Permission(p) = spec.access else {
                continue;
            };
            let reply = call(&app, &spec.method, spec.path, Some(&cookie)).await;
            if allows(role, p) {
                assert_ne!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{username} should reach {} {}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{username} must not reach {} {}",
                    spec.method,
                    spec.path
                );
            }
        }
    }
    // The navigation offers only what the role may open.
    let partner = app.login("partner").await;
    let page = app.get("/", Some(&partner)).await.body;
    assert!(page.contains("href=\"/organisations\""));
    assert!(!page.contains("href=\"/admin/users\""));
    assert!(allows(Role::Admin, Permission::ViewAuditLog));
});

web_test!(cross_site_writes_are_refused, |app| {
    let cookie = app.login("admin").await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("name=Evil&kind=other"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/organisations")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=Evil&kind=other"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    assert!(
        lotse_store::organisations::list(&app.db, true)
            .await
            .unwrap()
            .iter()
            .all(|o| o.name != "Evil")
    );
});

web_test!(pages_carry_security_headers_and_embedded_assets, |app| {
    let reply = app.get("/login", None).await;
    let csp = reply
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(reply.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert!(reply.headers.get("x-request-id").is_some());
    assert!(reply.body.contains("<html lang=\"de\">"));
    assert!(reply.body.contains("Demo-Zugänge"));
    let css = app.get("/assets/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let js = app.get("/assets/htmx-2.0.11.min.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        app.get("/assets/nope.js", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/gibt-es-nicht", None).await.status,
        StatusCode::NOT_FOUND
    );
});
