//! The finder's relevance suite (decision 0013) on stored data: the directory of the search
//! crate's suite published through the store, in SQLite and in PostgreSQL, and every query sent
//! through the public API as people send it.

use lotse_domain::offer::{OfferInput, Topic};
use lotse_store::offers::SaveAs;

use crate::finder::{api, publish, titles};
use crate::web_test;

include!("../../../search/tests/shared/relevance_directory.rs");

web_test!(
    what_people_type_finds_what_they_mean_on_stored_offers,
    |app| {
        for (_, title, text, town, languages, topic) in DIRECTORY {
            let content = OfferInput {
                title: (*title).into(),
                description: (*text).into(),
                topics: vec![topic.key().into()],
                languages: languages.iter().map(|l| (*l).to_owned()).collect(),
                free_of_charge: "yes".into(),
                location_name: vec!["Treffpunkt".into()],
                location_street: vec![String::new()],
                location_postal_code: vec![String::new()],
                location_town: vec![(*town).into()],
                location_latitude: vec![String::new()],
                location_longitude: vec![String::new()],
                ..OfferInput::default()
            }
            .validate(None)
            .unwrap_or_else(|e| panic!("{title}: {e:?}"));
            publish(&app, &content, SaveAs::Published).await;
        }
        let key_of = |found: &str| {
            DIRECTORY
                .iter()
                .find(|(_, title, ..)| *title == found)
                .map_or("(another offer)", |(key, ..)| *key)
        };
        let mut failures = Vec::new();
        for (query, expected) in IN_TOP_THREE.iter().chain(THROUGH_CONCEPTS) {
            let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
            let (_, json) = api(&app, &format!("q={q}&limit=3")).await;
            let top: Vec<&str> = titles(&json).iter().map(|t| key_of(t)).collect();
            for e in *expected {
                if !top.contains(e) {
                    failures.push(format!("„{query}“: {e} not in the first three {top:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
);
