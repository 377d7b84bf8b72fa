//! Input from forms, files and API calls must never panic the server: whatever arrives, the parsers
//! and validators answer with a value or an error. Property tests over arbitrary input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use lotse_domain::offer::{OfferInput, parse_time, verification_overdue};
use lotse_domain::organisation::{OrganisationInput, OrganisationVocabulary};
use lotse_domain::{Ags, parse_organisation_csv, totp};
use proptest::prelude::*;

fn vocab() -> OrganisationVocabulary {
    OrganisationVocabulary {
        kinds: vec![("school".into(), "Schule".into())],
        towns: vec![("05570004".parse::<Ags>().unwrap(), "Ahlen".into())],
    }
}

proptest! {
    #[test]
    fn csv_import_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = parse_organisation_csv(&bytes);
    }

    #[test]
    fn csv_rows_keep_spreadsheet_line_numbers(names in proptest::collection::vec("[A-Za-z ]{1,20}", 1..30), crlf in any::<bool>()) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut file = format!("Name;Art{eol}");
        for n in &names {
            file.push_str(&format!("\"{n}\";Schule{eol}"));
        }
        let rows = parse_organisation_csv(file.as_bytes());
        // Rows of only spaces are skipped; every other row keeps its line number.
        if let Ok(rows) = rows {
            for row in rows {
                prop_assert_eq!(&row.input.name, &names[(row.line - 2) as usize]);
            }
        }
    }

    #[test]
    fn validation_never_panics(name in ".{0,300}", kind in ".{0,40}", town in ".{0,40}", postcode in ".{0,10}",
                               email in ".{0,80}", phone in ".{0,60}", website in ".{0,320}") {

        let input = OrganisationInput { name, kind, town, postcode, email, phone, website, ..Default::default() };
        let _ = input.validate(&vocab());
    }

    #[test]
    fn totp_checks_never_panic(secret in proptest::collection::vec(any::<u8>(), 0..64), code in ".{0,12}", t in any::<i64>(), last in any::<Option<i64>>()) {
        let _ = totp::verify(&secret, &code, t, last);
    }

    #[test]
    fn base32_round_trips_and_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), text in ".{0,64}") {
        prop_assert_eq!(totp::base32_decode(&totp::base32_encode(&bytes)), Some(bytes));
        let _ = totp::base32_decode(&text);
    }

    #[test]
    fn offer_validation_never_panics(texts in proptest::collection::vec(".{0,40}", 12), rows in proptest::collection::vec(".{0,12}", 0..9),
                                     today in ".{0,12}", verified in ".{0,12}") {
        let input = OfferInput {
            title: texts[0].clone(), description: texts[1].clone(), min_age: texts[2].clone(), max_age: texts[3].clone(),
            free_of_charge: texts[4].clone(), capacity: texts[5].clone(), valid_from: texts[6].clone(), valid_to: texts[7].clone(),
            website: texts[8].clone(), phone: texts[9].clone(), email: texts[10].clone(),
            topics: vec![texts[11].clone()], languages: rows.clone(),
            location_town: rows.clone(), location_latitude: rows.iter().rev().cloned().collect(), location_postal_code: rows.clone(),
            hours_day: rows.clone(), hours_opens: rows.iter().skip(1).cloned().collect(), hours_closes: rows.clone(),
            ..OfferInput::default()
        };
        let _ = input.validate(None);
        let _ = parse_time(&texts[0]);
        if let (Some(verified), Some(today)) = (lotse_domain::Date::parse(&verified), lotse_domain::Date::parse(&today)) {
            let _ = verification_overdue(verified, today);
        }
    }
}

#[test]
fn a_large_file_of_empty_rows_is_read_in_one_pass() {
    // 2 MB of separator-only rows: refused (too many rows), and without rescanning per row.
    let mut file = String::from("Name;Art\n");
    while file.len() < 2 * 1024 * 1024 {
        file.push_str(";\n");
    }
    let e = parse_organisation_csv(file.as_bytes()).unwrap_err();
    assert!(e.contains("mehr als 20.000 Zeilen"), "{e}");
    // Within the row limit, empty rows are still "no data rows".
    let file = format!("Name;Art\n{}", ";\n".repeat(10_000));
    let e = parse_organisation_csv(file.as_bytes()).unwrap_err();
    assert!(e.contains("keine Datenzeilen"), "{e}");
}
