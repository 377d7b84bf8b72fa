use axum::http::StatusCode;
use lotse_domain::hsds::derived_id;

use crate::{TestApp, web_test};

async fn json(app: &TestApp, path: &str) -> serde_json::Value {
    let reply = app.get(path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.json()
}

web_test!(
    the_hsds_api_serves_the_published_directory_in_pages,
    |app| {
        let published = lotse_store::offers::published(&app.db).await.unwrap();
        let n = published.len();
        assert!(n >= 10);
        assert_eq!(json(&app, "/hsds/").await["version"], "3.0");

        // Services, paged as the HSDS OpenAPI describes.
        let first = json(&app, "/hsds/services?per_page=4").await;
        assert_eq!(first["total_items"], n);
        assert_eq!(first["total_pages"], n.div_ceil(4));
        assert_eq!(
            (first["size"].as_u64(), first["first_page"].as_bool()),
            (Some(4), Some(true))
        );
        let last = json(
            &app,
            &format!("/hsds/services?per_page=4&page={}", n.div_ceil(4)),
        )
        .await;
        assert_eq!(last["last_page"], true);
        assert_eq!(last["size"], n - 4 * (n.div_ceil(4) - 1));
        for (query, field) in [
            ("page=0", "page"),
            ("per_page=101", "per_page"),
            ("page=x", "page"),
        ] {
            let reply = app.get(&format!("/hsds/services?{query}"), None).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(reply.json()["field"], field);
        }

        // One service, fully nested; search and taxonomy filters.
        let cafe = published
            .iter()
            .find(|o| o.content.title().starts_with("Sprachcafé"))
            .unwrap();
        let service = json(&app, &format!("/hsds/services/{}", cafe.id)).await;
        assert_eq!(service["name"], cafe.content.title());
        assert_eq!(service["organization"]["name"], cafe.organisation);
        assert!(
            service["attributes"].as_array().unwrap().len() > 5,
            "topics and translations"
        );
        assert!(service["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Beckum");
        let found = json(&app, "/hsds/services?search=Sprachcaf%C3%A9").await;
        assert!(
            found["contents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == cafe.id.as_str())
        );
        let term = derived_id(&["taxonomy_term", "lotse-themen", "language_course"]);
        let courses = json(
            &app,
            &format!("/hsds/services?taxonomy_term_id={term}&full=true"),
        )
        .await;
        assert!(courses["total_items"].as_u64().unwrap() >= 2);
        assert!(
            courses["contents"][0]["attributes"].is_array(),
            "full=true nests"
        );
        assert_eq!(
            app.get("/hsds/services/unknown", None).await.status,
            StatusCode::NOT_FOUND
        );

        // An offer that has not begun yet is published, but not active for other directories.
        let later = published
            .iter()
            .find(|o| o.content.valid_from.as_deref() > Some(lotse_web::today().as_str()))
            .unwrap();
        assert_eq!(
            json(&app, &format!("/hsds/services/{}", later.id)).await["status"],
            "inactive"
        );

        // Organisations with published offers.
        let orgs = json(&app, "/hsds/organizations").await;
        let org_id = cafe.organisation_id.clone();
        assert!(
            orgs["contents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == org_id.as_str())
        );
        let org = json(&app, &format!("/hsds/organizations/{org_id}")).await;
        assert!(
            org["services"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == cafe.id.as_str())
        );

        // Services at locations: one per place, over several pages without gaps or repeats.
        let places: usize = published.iter().map(|o| o.content.locations.len()).sum();
        let mut seen = Vec::new();
        for page in 1..=places.div_ceil(3) {
            let p = json(
                &app,
                &format!("/hsds/service_at_locations?per_page=3&page={page}"),
            )
            .await;
            assert_eq!(p["total_items"], places);
            for sal in p["contents"].as_array().unwrap() {
                seen.push(sal["id"].as_str().unwrap().to_owned());
                assert!(sal["location"]["id"].is_string());
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (places, places));
        let one = json(&app, &format!("/hsds/service_at_locations/{}", seen[0])).await;
        assert!(one["service"]["id"].is_string());

        // Lotse's taxonomies.
        let taxonomies = json(&app, "/hsds/taxonomies").await;
        assert_eq!(taxonomies["total_items"], 4);
        let topics_id = derived_id(&["taxonomy", "lotse-themen"]);
        let terms = json(
            &app,
            &format!("/hsds/taxonomy_terms?taxonomy_id={topics_id}"),
        )
        .await;
        assert_eq!(terms["total_items"], lotse_domain::offer::Topic::ALL.len());
        assert_eq!(
            json(&app, &format!("/hsds/taxonomy_terms/{term}")).await["code"],
            "language_course"
        );
        assert_eq!(
            json(&app, &format!("/hsds/taxonomies/{topics_id}")).await["name"],
            "Lotse: Themen"
        );
    }
);
