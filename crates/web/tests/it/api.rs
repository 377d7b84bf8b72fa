use axum::http::{Method, StatusCode};
use lotse_web::{Access, route_specs};

use crate::{TestApp, web_test};

/// Signs in and creates a token through the account page.
async fn token_for(app: &TestApp, username: &str) -> String {
    let cookie = app.login(username).await;
    app.api_token(&cookie).await
}

web_test!(tokens_authenticate_api_clients, |app| {
    let token = token_for(&app, "koordination").await;
    let me = app.api(Method::GET, "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "koordination");
    let orgs = app
        .api(Method::GET, "/api/v1/organisations", &token, None)
        .await;
    assert_eq!(orgs.status, StatusCode::OK);
    assert_eq!(orgs.json()["items"].as_array().unwrap().len(), 7);
    assert_eq!(orgs.json()["next"], serde_json::Value::Null);
    let towns = app
        .api(Method::GET, "/api/v1/towns", &token, None)
        .await
        .json();
    assert_eq!(towns.as_array().unwrap().len(), 13);
    assert_eq!(
        app.api(Method::GET, "/api/v1/users", &token, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", "lotse_wrong", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/organisations", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    let admin = token_for(&app, "admin").await;
    let users = app.api(Method::GET, "/api/v1/users", &admin, None).await;
    assert_eq!(users.status, StatusCode::OK);
    let users = users.json();
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        lotse_store::demo::DEMO_USERS.len()
    );
    assert!(
        !users.to_string().contains("argon2"),
        "no password hashes in the API"
    );
});

web_test!(api_writes_validate_and_audit, |app| {
    let token = token_for(&app, "koordination").await;
    let created = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &token,
            Some(
                r#"{"name":"Jugendmigrationsdienst","kind":"welfare_association","town":"Telgte"}"#,
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.headers.get("location").unwrap(),
        &format!("/api/v1/organisations/{id}")
    );
    let fetched = app
        .api(
            Method::GET,
            &format!("/api/v1/organisations/{id}"),
            &token,
            None,
        )
        .await
        .json();
    assert_eq!(fetched["town_name"], "Telgte");

    let invalid = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &token,
            Some(r#"{"name":"","kind":"bank","postcode":"1"}"#),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &invalid.json()["errors"];
    for field in ["name", "kind", "postcode"] {
        assert!(errors[field].is_string(), "{field}: {errors}");
    }
    let broken = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &token,
            Some("{not json"),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(broken.json()["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(
        app.api(Method::GET, "/api/v1/organisations/nope", &token, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let partner = token_for(&app, "partner").await;
    let refused = app
        .api(
            Method::POST,
            "/api/v1/organisations",
            &partner,
            Some(r#"{"name":"X","kind":"other"}"#),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let log = lotse_store::audit::search(
        &app.db,
        &lotse_store::audit::AuditFilter {
            record_id: Some(id),
            ..Default::default()
        },
        5,
        0,
    )
    .await
    .unwrap();
    assert_eq!(log[0].actor_name, "koordination");
});

web_test!(revoked_tokens_stop_working, |app| {
    let cookie = app.login("lesen").await;
    let page = app
        .post_form("/account/tokens", &[("name", "kurzlebig")], Some(&cookie))
        .await;
    let start = page.body.find("value=\"lotse_").unwrap() + 7;
    let token = page.body[start..start + page.body[start..].find('"').unwrap()].to_owned();
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &token, None)
            .await
            .status,
        StatusCode::OK
    );
    let account = app.get("/account", Some(&cookie)).await.body;
    assert!(account.contains("kurzlebig"));
    assert!(!account.contains(&token), "the secret is shown only once");
    let user_id = lotse_store::users::get_by_username(&app.db, "lesen")
        .await
        .unwrap()
        .id;
    let id = lotse_store::api_tokens::list_for_user(&app.db, &user_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let revoked = app
        .post_form(&format!("/account/tokens/{id}/revoke"), &[], Some(&cookie))
        .await;
    assert_eq!(revoked.location(), "/account?ok=revoked");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", &token, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let nameless = app
        .post_form("/account/tokens", &[("name", " ")], Some(&cookie))
        .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
});

web_test!(openapi_describes_exactly_the_api_routes, |app| {
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    let mut routed: Vec<(String, String)> = route_specs()
        .into_iter()
        .filter(|s| s.path.starts_with("/api/") || s.path.starts_with("/hsds/"))
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    // Every $ref points at a schema that exists.
    let text = doc.to_string();
    for part in text.split("#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
    assert!(
        route_specs()
            .iter()
            .any(|s| s.path == "/api/v1/openapi.json" && s.access == Access::Public)
    );
});

web_test!(unreadable_or_unknown_filters_are_json_400s, |app| {
    let token = token_for(&app, "koordination").await;
    for (path, field) in [
        ("/api/v1/measures?status=laeuft", Some("status")),
        ("/api/v1/measures?ki=k", Some("ki")),
        ("/api/v1/measures?adaptation=x", Some("adaptation")),
        ("/api/v1/organisations?include_inactive=null", None),
    ] {
        let reply = app.api(Method::GET, path, &token, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        let json = reply.json();
        assert!(json["error"].is_string(), "{path}: {}", reply.body);
        if let Some(field) = field {
            assert_eq!(json["field"], field, "{path}");
        }
    }
    // Empty means no filter.
    let all = app
        .api(Method::GET, "/api/v1/measures?status=", &token, None)
        .await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(!all.json()["items"].as_array().unwrap().is_empty());
});

/// Every item of `path`, page by page with `limit` entries per page.
async fn walk(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<serde_json::Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let url = match &next {
            None => format!("{path}{sep}limit={limit}"),
            Some(after) => format!("{path}{sep}limit={limit}&after={after}"),
        };
        let reply = app.api(Method::GET, &url, token, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {}", reply.body);
        let page = reply.json();
        let got = page["items"].as_array().unwrap().clone();
        assert!(got.len() <= limit, "{url}");
        items.extend(got);
        match page["next"].as_str() {
            Some(after) => next = Some(after.to_owned()),
            None => break,
        }
        assert!(items.len() < 10_000, "{path} never ends");
    }
    items
}

web_test!(the_api_reads_every_record_the_pages_show, |app| {
    let token = token_for(&app, "koordination").await;
    for (path, filtered) in [
        ("/api/v1/rounds", Some(("state", "open"))),
        ("/api/v1/offers", Some(("state", "public"))),
        ("/api/v1/programmes", None),
        ("/api/v1/funding", None),
        ("/api/v1/bodies", None),
        ("/api/v1/decisions", None),
        ("/api/v1/structural-issues", Some(("status", "reported"))),
        ("/api/v1/organisations", None),
        ("/api/v1/measures", Some(("status", "planned"))),
    ] {
        // Small pages and one big page hold the same entries, each once, in the same order.
        let all = walk(&app, &token, path, 200).await;
        assert!(!all.is_empty(), "{path}: the demo data has entries");
        let paged = walk(&app, &token, path, 2).await;
        let ids = |items: &[serde_json::Value]| -> Vec<String> {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(&paged), ids(&all), "{path}");
        let mut unique = ids(&all);
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{path}: an entry twice");
        // Each entry can be read on its own.
        for item in all.iter().take(3) {
            let id = item["id"].as_str().unwrap();
            let one = app
                .api(Method::GET, &format!("{path}/{id}"), &token, None)
                .await;
            assert_eq!(one.status, StatusCode::OK, "{path}/{id}: {}", one.body);
            assert_eq!(one.json()["id"], id);
        }
        // A filter narrows; an unknown filter value, a foreign cursor and a bad limit are named.
        if let Some((field, value)) = filtered {
            let narrowed = walk(&app, &token, &format!("{path}?{field}={value}"), 200).await;
            assert!(narrowed.len() <= all.len(), "{path}");
            let reply = app
                .api(
                    Method::GET,
                    &format!("{path}?{field}=gibtsnicht"),
                    &token,
                    None,
                )
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(reply.json()["field"], field, "{path}");
        }
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("limit=zehn", "limit"),
            ("after=nicht-von-hier", "after"),
            // base64 of "a␀b␀c": a NUL in the id part, which PostgreSQL refuses in text.
            ("after=YQBiAGM", "after"),
        ] {
            let reply = app
                .api(Method::GET, &format!("{path}?{query}"), &token, None)
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_eq!(reply.json()["field"], field, "{path}?{query}");
        }
        assert_eq!(
            app.api(
                Method::GET,
                &format!("{path}/{}", uuid_nobody_has()),
                &token,
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // What the pages show, the API shows: a round's state and progress, the statistics rule on
    // evidence counts, the decisions of one body.
    let rounds = walk(&app, &token, "/api/v1/rounds", 200).await;
    for r in &rounds {
        let reports = &r["reports"];
        let sum: i64 = ["missing", "submitted", "returned", "accepted"]
            .iter()
            .map(|k| reports[k].as_i64().unwrap())
            .sum();
        assert_eq!(reports["total"].as_i64().unwrap(), sum);
        assert!(r["state"] == "open" || r["state"] == "closed");
    }
    for issue in walk(&app, &token, "/api/v1/structural-issues", 200).await {
        let evidence = issue["evidence"].as_str().unwrap();
        assert!(
            evidence == "<5" || evidence == "0" || evidence.parse::<i64>().unwrap() >= 5,
            "{evidence}"
        );
    }
    let bodies = walk(&app, &token, "/api/v1/bodies", 200).await;
    let all_decisions = walk(&app, &token, "/api/v1/decisions", 200).await;
    let mut by_body = 0;
    for b in &bodies {
        let id = b["id"].as_str().unwrap();
        let of_body = walk(&app, &token, &format!("/api/v1/decisions?body={id}"), 200).await;
        assert!(of_body.iter().all(|d| d["body_id"] == id));
        by_body += of_body.len();
    }
    assert_eq!(by_body, all_decisions.len());

    // The funding books are the coordination's: a provider's token is refused.
    let partner = token_for(&app, "partner").await;
    assert_eq!(
        app.api(Method::GET, "/api/v1/funding", &partner, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

/// A well-formed id no record has.
fn uuid_nobody_has() -> &'static str {
    "01900000-0000-7000-8000-000000000000"
}

web_test!(rounds_show_how_long_reports_took_once_five_are_in, |app| {
    let token = token_for(&app, "koordination").await;
    let cookie = app.login("koordination").await;
    let rounds = walk(&app, &token, "/api/v1/rounds", 200).await;
    let mut shown = 0;
    for r in rounds {
        let id = r["id"].as_str().unwrap();
        let detail = app
            .api(Method::GET, &format!("/api/v1/rounds/{id}"), &token, None)
            .await
            .json();
        let reports = &detail["reports"];
        let submitted = reports["submitted"].as_i64().unwrap()
            + reports["returned"].as_i64().unwrap()
            + reports["accepted"].as_i64().unwrap();
        let page = app.get(&format!("/rounds/{id}"), Some(&cookie)).await;
        if submitted >= 5 {
            let t = &detail["turnaround"];
            assert_eq!(t["reports"].as_i64(), Some(submitted), "{detail}");
            assert!(t["median_days"].as_f64().unwrap() <= t["p90_days"].as_f64().unwrap());
            assert!(page.body.contains("Die Hälfte der Berichte kam binnen"));
            shown += 1;
        } else {
            assert!(detail["turnaround"].is_null(), "{detail}");
            assert!(!page.body.contains("Die Hälfte der Berichte"));
        }
    }
    assert!(shown > 0, "the demo has a round with five reports in");
});
