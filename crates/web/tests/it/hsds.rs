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
            .find(|o| o.content.valid_from > Some(lotse_web::today()))
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

/// Every page of a list, with `per_page`, as (ids in order, total_items of the first page).
async fn walk(app: &TestApp, list: &str, per_page: usize) -> (Vec<String>, usize) {
    let join = if list.contains('?') { '&' } else { '?' };
    let first = json(app, &format!("{list}{join}per_page={per_page}")).await;
    let total = usize::try_from(first["total_items"].as_u64().unwrap()).unwrap();
    let pages = total.div_ceil(per_page).max(1);
    assert_eq!(first["total_pages"], pages, "{list}");
    let mut ids = Vec::new();
    for page in 1..=pages {
        let p = json(app, &format!("{list}{join}per_page={per_page}&page={page}")).await;
        assert_eq!(p["page_number"], page);
        assert_eq!(p["last_page"], page == pages, "{list} page {page}");
        let contents = p["contents"].as_array().unwrap();
        assert_eq!(p["size"], contents.len());
        assert!(
            page == pages || contents.len() == per_page,
            "{list} page {page}"
        );
        ids.extend(
            contents
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_owned()),
        );
    }
    (ids, total)
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

web_test!(hsds_pages_hold_every_published_offer_exactly_once, |app| {
    use lotse_domain::offer::{TargetGroup, Topic};
    let published = lotse_store::offers::published(&app.db).await.unwrap();
    let all: Vec<String> = published.iter().map(|o| o.id.clone()).collect();

    // All services, page by page: each published offer once, in id order.
    let (ids, total) = walk(&app, "/hsds/services", 3).await;
    assert_eq!(total, published.len());
    assert_eq!(ids, sorted(all.clone()), "id order, no gaps, no repeats");

    // Past the end: an empty page, not an error.
    for page in [published.len().div_ceil(3) + 1, 1_000_000] {
        let past = json(&app, &format!("/hsds/services?per_page=3&page={page}")).await;
        assert_eq!(
            (past["empty"].as_bool(), past["size"].as_u64()),
            (Some(true), Some(0))
        );
        assert_eq!(past["total_items"], published.len());
        assert_eq!(past["last_page"], true);
    }

    // Filtered lists page alike: one organisation, one topic, one target group (as the
    // services' attributes link them), and both together.
    let org = published[0].organisation_id.clone();
    let (ids, _) = walk(&app, &format!("/hsds/services?organization_id={org}"), 2).await;
    let expected: Vec<String> = published
        .iter()
        .filter(|o| o.organisation_id == org)
        .map(|o| o.id.clone())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids, sorted(expected));
    let topic_term = derived_id(&["taxonomy_term", "lotse-themen", "language_course"]);
    let (ids, _) = walk(
        &app,
        &format!("/hsds/services?taxonomy_term_id={topic_term}"),
        2,
    )
    .await;
    let courses: Vec<String> = published
        .iter()
        .filter(|o| o.content.topics.contains(&Topic::LanguageCourse))
        .map(|o| o.id.clone())
        .collect();
    assert!(courses.len() >= 2);
    assert_eq!(ids, sorted(courses.clone()));
    let group = published
        .iter()
        .flat_map(|o| o.content.target_groups.iter().copied())
        .next()
        .unwrap_or(TargetGroup::Families);
    let group_term = derived_id(&["taxonomy_term", "lotse-zielgruppen", group.key()]);
    let (ids, _) = walk(
        &app,
        &format!("/hsds/services?taxonomy_term_id={group_term}"),
        2,
    )
    .await;
    let for_group: Vec<String> = published
        .iter()
        .filter(|o| o.content.target_groups.contains(&group))
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(ids, sorted(for_group));
    let course_org = published
        .iter()
        .find(|o| o.content.topics.contains(&Topic::LanguageCourse))
        .unwrap()
        .organisation_id
        .clone();
    let (ids, _) = walk(
        &app,
        &format!("/hsds/services?organization_id={course_org}&taxonomy_term_id={topic_term}"),
        2,
    )
    .await;
    let both: Vec<String> = published
        .iter()
        .filter(|o| {
            o.organisation_id == course_org && o.content.topics.contains(&Topic::LanguageCourse)
        })
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(ids, sorted(both));
    assert_eq!(
        json(&app, "/hsds/services?organization_id=unbekannt").await["total_items"],
        0
    );

    // Organisations with published offers: each once.
    let (orgs, _) = walk(&app, "/hsds/organizations", 1).await;
    let mut publishing: Vec<String> = published
        .iter()
        .map(|o| o.organisation_id.clone())
        .collect();
    publishing.sort();
    publishing.dedup();
    assert_eq!(orgs, publishing);

    // Services at locations: one per place, found again by id.
    let (places, total) = walk(&app, "/hsds/service_at_locations", 2).await;
    assert_eq!(
        total,
        published
            .iter()
            .map(|o| o.content.locations.len())
            .sum::<usize>()
    );
    assert_eq!(places.len(), total);
    assert_eq!(
        sorted(places.clone())
            .windows(2)
            .filter(|w| w[0] == w[1])
            .count(),
        0
    );
    let last = json(
        &app,
        &format!("/hsds/service_at_locations/{}", places[total - 1]),
    )
    .await;
    assert!(last["service"]["id"].is_string());
    assert_eq!(
        app.get("/hsds/service_at_locations/unbekannt", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Nonsense paging is refused with the parameter named, on every list.
    for list in [
        "/hsds/services",
        "/hsds/organizations",
        "/hsds/service_at_locations",
        "/hsds/taxonomies",
        "/hsds/taxonomy_terms",
    ] {
        for (query, field) in [
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=1.5", "page"),
            ("page=zwei", "page"),
            ("page=1000001", "page"),
            ("page=99999999999999999999999", "page"),
            ("per_page=0", "per_page"),
            ("per_page=101", "per_page"),
            ("per_page=viele", "per_page"),
        ] {
            let reply = app.get(&format!("{list}?{query}"), None).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{list}?{query}");
            assert_eq!(reply.json()["field"], field, "{list}?{query}");
        }
    }

    // `search` ranks by relevance and so has the finder's window; its pages stop there.
    let ok = json(
        &app,
        "/hsds/services?search=Sprachcaf%C3%A9&per_page=100&page=10",
    )
    .await;
    assert_eq!(ok["empty"], true);
    let first = json(&app, "/hsds/services?search=Kurs&per_page=100").await;
    assert!(first["total_pages"].as_u64().unwrap() <= 10);
    let beyond = app
        .get(
            "/hsds/services?search=Sprachcaf%C3%A9&per_page=100&page=11",
            None,
        )
        .await;
    assert_eq!(beyond.status, StatusCode::BAD_REQUEST);
    assert_eq!(beyond.json()["field"], "page");
    assert!(
        beyond.json()["error"]
            .as_str()
            .unwrap()
            .contains("ohne search")
    );

    // A node sees an offer published elsewhere on its next look at the store.
    let node = app.syncing_node();
    let other = app.node(node);
    assert_eq!(
        json(&other, "/hsds/services").await["total_items"],
        all.len()
    );
    lotse_store::demo_offers::generate(&app.db, 1, 3, |_| {})
        .await
        .unwrap();
    let (ids, total) = walk(&other, "/hsds/services", 3).await;
    assert_eq!(total, all.len() + 1);
    let new: Vec<&String> = ids.iter().filter(|id| !all.contains(id)).collect();
    assert_eq!(new.len(), 1);
    assert_eq!(
        ids.last(),
        new.first().copied(),
        "new offers join at the end"
    );
});
