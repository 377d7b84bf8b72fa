//! The interpreter pool (decision 0017): the API contract, the pool's rules with the lead time in
//! working days at midnight in Warendorf, the KI's review and matching without double-booking,
//! the interpreter's own view, completion and the allowance statement.

use axum::http::{Method, StatusCode};
use lotse_domain::Date;
use lotse_store::scoped::Viewer;

use crate::{TestApp, mail_to_port, run_job, web_test};

/// A day `days` after today that is at least five working days ahead whatever today is.
fn ahead(days: i64) -> String {
    lotse_web::today().add_days(days).unwrap().to_string()
}

fn request_json(date: &str, setting: &str, recurring: bool) -> String {
    format!(
        r#"{{"language":"ar","date":"{date}","start":"14:00","duration_minutes":60,"town":"Ahlen","setting":"{setting}","recurring":{recurring}}}"#
    )
}

async fn requests_in_store(app: &TestApp) -> usize {
    lotse_store::interpreters::requests_for(&app.db, &Viewer::system("test"))
        .page(
            &lotse_store::interpreters::RequestFilter::default(),
            &lotse_store::paging::PageRequest::first(200),
            true,
        )
        .await
        .unwrap()
        .items
        .len()
}

web_test!(
    the_api_takes_a_request_and_names_the_rule_that_refuses_one,
    |app| {
        let partner = app.login("partner").await;
        let token = app.api_token(&partner).await;
        let ok = app
            .api(
                Method::POST,
                "/api/v1/interpreter-requests",
                &token,
                Some(&request_json(&ahead(21), "school", false)),
            )
            .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        let id = ok.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(ok.json()["status"], "submitted");
        assert_eq!(ok.json()["town"], "Ahlen");

        let before = requests_in_store(&app).await;
        for (body, code) in [
            (request_json(&ahead(1), "school", false), "lead_time"),
            (
                request_json(&ahead(21), "private", false),
                "excluded_setting",
            ),
            (
                request_json(&ahead(21), "police", false),
                "excluded_setting",
            ),
            (request_json(&ahead(21), "court", false), "excluded_setting"),
            (
                request_json(&ahead(21), "medical", false),
                "excluded_setting",
            ),
            (request_json(&ahead(21), "school", true), "recurring"),
            // Several rules at once: what the pool never serves is named first.
            (request_json(&ahead(1), "police", true), "excluded_setting"),
        ] {
            let refused = app
                .api(
                    Method::POST,
                    "/api/v1/interpreter-requests",
                    &token,
                    Some(&body),
                )
                .await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                refused.body
            );
            assert_eq!(refused.json()["error"], code, "{body}");
            assert!(!refused.json()["message"].as_str().unwrap().is_empty());
        }
        // Fields that cannot be read are named.
        let bad = app
        .api(
            Method::POST,
            "/api/v1/interpreter-requests",
            &token,
            Some(r#"{"language":"xx","date":"morgen","start":"14:00","duration_minutes":60,"town":"Ahlen","setting":"school"}"#),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"], "invalid");
        assert!(bad.json()["errors"]["language"].is_string());
        assert!(bad.json()["errors"]["date"].is_string());
        let wrong_kind = app
            .api(
                Method::POST,
                "/api/v1/interpreter-requests",
                &token,
                Some(r#"{"language":"ar","recurring":"maybe"}"#),
            )
            .await;
        assert_eq!(wrong_kind.status, StatusCode::BAD_REQUEST);
        assert_eq!(wrong_kind.json()["field"], "recurring");
        // Nothing refused was written.
        assert_eq!(requests_in_store(&app).await, before);

        // The coordination lists every request with its status; the partner its own.
        let kim = app.login("koordination").await;
        let kim_token = app.api_token(&kim).await;
        let list = app
            .api(
                Method::GET,
                "/api/v1/interpreter-requests",
                &kim_token,
                None,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let items = list.json()["items"].as_array().unwrap().clone();
        assert!(
            items
                .iter()
                .any(|i| i["id"] == id.as_str() && i["status"] == "submitted")
        );
        let filtered = app
            .api(
                Method::GET,
                "/api/v1/interpreter-requests?status=approved",
                &kim_token,
                None,
            )
            .await;
        assert!(filtered.json()["items"].as_array().unwrap().is_empty());
        let unknown = app
            .api(
                Method::GET,
                "/api/v1/interpreter-requests?status=maybe",
                &kim_token,
                None,
            )
            .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        // Another organisation's request does not exist for a partner; the immigration office sees
        // none of the partner's.
        let abh = app.login("abh").await;
        let abh_token = app.api_token(&abh).await;
        let theirs = app
            .api(
                Method::GET,
                &format!("/api/v1/interpreter-requests/{id}"),
                &abh_token,
                None,
            )
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let list = app
            .api(
                Method::GET,
                "/api/v1/interpreter-requests",
                &abh_token,
                None,
            )
            .await;
        assert!(list.json()["items"].as_array().unwrap().is_empty());
        // Admins run the platform, not the pool.
        let admin = app.login("admin").await;
        let admin_token = app.api_token(&admin).await;
        let refused = app
            .api(
                Method::GET,
                "/api/v1/interpreter-requests",
                &admin_token,
                None,
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
);

/// Moves the app's clock to the next time it is `hour:minute` UTC on the day before a Monday.
fn to_sunday_utc(app: &TestApp, hour: i64, minute: i64) -> Date {
    let now = app.clock.now_ms();
    let day_ms = 86_400_000;
    let mut t = (now / day_ms + 1) * day_ms;
    // 1970-01-01 was a Thursday; Sunday is day 3 after it modulo 7.
    while (t / day_ms + 3).rem_euclid(7) != 6 {
        t += day_ms;
    }
    let target = t + (hour * 60 + minute) * 60_000;
    app.clock.advance(target - now);
    lotse_store::day_of(target - (hour * 60 + minute) * 60_000)
}

web_test!(
    the_lead_time_counts_from_the_day_in_warendorf_not_in_utc,
    |app| {
        // 23:30 UTC on a Sunday is 00:30 or 01:30 on Monday in Warendorf: the request is made on
        // Monday, and Friday of the same week is only four working days ahead.
        let sunday = to_sunday_utc(&app, 23, 30);
        let friday = sunday.add_days(5).unwrap();
        let monday_after = sunday.add_days(8).unwrap();
        let holidays_between = (1..=8)
            .any(|d| lotse_domain::working_days::holiday(sunday.add_days(d).unwrap()).is_some());
        let partner = app.login("partner").await;
        let token = app.api_token(&partner).await;
        let friday_reply = app
            .api(
                Method::POST,
                "/api/v1/interpreter-requests",
                &token,
                Some(&request_json(&friday.to_string(), "authority", false)),
            )
            .await;
        assert_eq!(
            friday_reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            friday_reply.body
        );
        assert_eq!(friday_reply.json()["error"], "lead_time");
        if !holidays_between {
            let monday_reply = app
                .api(
                    Method::POST,
                    "/api/v1/interpreter-requests",
                    &token,
                    Some(&request_json(&monday_after.to_string(), "authority", false)),
                )
                .await;
            assert_eq!(
                monday_reply.status,
                StatusCode::CREATED,
                "{}",
                monday_reply.body
            );
        }
    }
);

/// A pool member for the tests: speaks Arabic, every day from 07:00 to 22:00, pledge signed,
/// linked to `account` if given.
async fn add_interpreter(app: &TestApp, name: &str, account: &str) -> String {
    let draft = lotse_domain::interpreters::InterpreterInput {
        name: name.into(),
        languages: vec!["ar".into(), "ku".into()],
        level: "c1".into(),
        weekdays: [true; 7],
        available_from: "07:00".into(),
        available_until: "22:00".into(),
        pledge_signed_on: "2026-01-15".into(),
        active: true,
        email: "amal@example.org".into(),
        phone: "0151 000000".into(),
        ..Default::default()
    }
    .validate(lotse_web::today())
    .unwrap();
    lotse_store::interpreters::create_interpreter(
        &app.db,
        &Viewer::system("test"),
        &draft,
        account,
        false,
        app.clock.now_ms(),
    )
    .await
    .unwrap()
}

/// The request a redirect after sending the form leads to.
fn request_id(sent: &crate::Reply) -> String {
    sent.location()
        .strip_prefix("/interpreters/requests/")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

fn request_form<'a>(date: &'a str, setting: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("language", "ar"),
        ("date", date),
        ("start", "14:00"),
        ("duration_minutes", "60"),
        ("town", "05570004"),
        ("setting", setting),
        ("occasion", "parent_meeting"),
        ("place", "Grundschule Am Park, Raum 3"),
        ("note", "Vater spricht etwas Deutsch."),
    ]
}

web_test!(
    a_school_asks_the_ki_matches_and_the_interpreter_sees_the_assignment,
    |app| {
        let interpreter = add_interpreter(&app, "Amal Beispiel", "sprachmittlung").await;
        let partner = app.login("partner").await;
        let date = ahead(21);
        // The form is offered with the earliest day.
        let form = app.get("/interpreters/requests/new", Some(&partner)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("frühestens am"));
        // A recurring request is refused with the rule in a sentence, and nothing is written.
        let mut recurring = request_form(&date, "school");
        recurring.push(("recurring", "yes"));
        let refused = app
            .post_form("/interpreters/requests", &recurring, Some(&partner))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("keine regelmäßig wiederkehrenden Termine"),
            "{}",
            refused.body
        );
        assert!(
            refused
                .body
                .contains("Diese Anfrage kann der Pool nicht annehmen")
        );
        assert_eq!(requests_in_store(&app).await, 0);

        let sent = app
            .post_form(
                "/interpreters/requests",
                &request_form(&date, "school"),
                Some(&partner),
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let id = request_id(&sent);

        // The KI sees it waiting, with a bell.
        let kim = app.login("koordination").await;
        let list = app.get("/interpreters/requests", Some(&kim)).await;
        assert!(list.body.contains(&format!("/interpreters/requests/{id}")));
        assert!(list.body.contains("1 neu eingegangen"), "{}", list.body);
        let start = app.get("/", Some(&kim)).await;
        assert!(
            start.body.contains("Anfrage zu prüfen")
                && start
                    .body
                    .contains("/interpreters/requests?status=submitted"),
            "the start page counts what waits: {}",
            start.body
        );
        let school_start = app.get("/", Some(&partner)).await;
        assert!(
            school_start
                .body
                .contains("Offene Anfragen an den Sprachmittlerpool")
        );
        assert!(
            school_start
                .body
                .contains(&format!("/interpreters/requests/{id}"))
        );
        let bell = app.get("/notifications", Some(&kim)).await;
        assert!(bell.body.contains("Neue Anfrage an den Sprachmittlerpool"));
        // Rejecting needs a reason.
        let no_reason = app
            .post_form(
                &format!("/interpreters/requests/{id}/review"),
                &[("decision", "reject")],
                Some(&kim),
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("Grund der Ablehnung"));
        let approved = app
            .post_form(
                &format!("/interpreters/requests/{id}/review"),
                &[("decision", "approve")],
                Some(&kim),
            )
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
        // The proposal names the interpreter who fits.
        let page = app
            .get(&format!("/interpreters/requests/{id}"), Some(&kim))
            .await;
        assert!(
            page.body.contains("Amal Beispiel vermitteln"),
            "{}",
            page.body
        );
        let assigned = app
            .post_form(
                &format!("/interpreters/requests/{id}/assign"),
                &[("interpreter_id", &interpreter)],
                Some(&kim),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);

        // The school is told; the interpreter sees the assignment, without the note.
        let school_bell = app.get("/notifications", Some(&partner)).await;
        assert!(school_bell.body.contains("Sprachmittlung vermittelt"));
        let nour = app.login("sprachmittlung").await;
        let mine = app.get("/interpreters/requests", Some(&nour)).await;
        assert!(mine.body.contains("Meine Einsätze"));
        assert!(mine.body.contains(&format!("/interpreters/requests/{id}")));
        let interpreter_start = app.get("/", Some(&nour)).await;
        assert_eq!(interpreter_start.status, StatusCode::OK);
        assert!(interpreter_start.body.contains("Ihre nächsten Einsätze"));
        assert!(
            interpreter_start
                .body
                .contains(&format!("/interpreters/requests/{id}"))
        );
        let assignment = app
            .get(&format!("/interpreters/requests/{id}"), Some(&nour))
            .await;
        assert_eq!(assignment.status, StatusCode::OK);
        assert!(assignment.body.contains("Grundschule Am Park, Raum 3"));
        assert!(
            !assignment.body.contains("Vater spricht"),
            "the note is not the interpreter's"
        );
        assert!(!assignment.body.contains("Freigeben"));

        // Another school's request for the same hour: the interpreter is not proposed, and
        // assigning them anyway is refused naming why.
        let abh = app.login("abh").await;
        let second = app
            .post_form(
                "/interpreters/requests",
                &request_form(&date, "authority"),
                Some(&abh),
            )
            .await;
        let second = second
            .location()
            .strip_prefix("/interpreters/requests/")
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let page = app
            .get(&format!("/interpreters/requests/{second}"), Some(&kim))
            .await;
        assert!(!page.body.contains("Amal Beispiel vermitteln"));
        assert!(
            page.body.contains("zu dieser Zeit schon eingesetzt"),
            "{}",
            page.body
        );
        let double = app
            .post_form(
                &format!("/interpreters/requests/{second}/assign"),
                &[("interpreter_id", &interpreter)],
                Some(&kim),
            )
            .await;
        assert_eq!(double.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(double.body.contains("schon eingesetzt"));
        // Nobody found: it counts as unmet demand for Arabic.
        let unmet = app
            .post_form(
                &format!("/interpreters/requests/{second}/unmet"),
                &[("reason", "Alle Arabisch-Sprachmittler:innen sind gebucht.")],
                Some(&kim),
            )
            .await;
        assert_eq!(unmet.status, StatusCode::SEE_OTHER);
        let kim_token = app.api_token(&kim).await;
        let demand = app
            .api(
                Method::GET,
                "/api/v1/interpreter-pool/unmet?from=2000-01-01&to=2100-12-31",
                &kim_token,
                None,
            )
            .await;
        assert_eq!(demand.json()["items"][0]["language"], "ar");
        assert_eq!(demand.json()["items"][0]["count"], 1);

        // The school calls its request off; the interpreter is told.
        let cancelled = app
            .post_form(
                &format!("/interpreters/requests/{id}/cancel"),
                &[],
                Some(&partner),
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
        let bell = app.get("/notifications", Some(&nour)).await;
        assert!(bell.body.contains("Einsatz storniert"));
        // A partner cannot decide on requests.
        let refused = app
            .post_form(
                &format!("/interpreters/requests/{id}/review"),
                &[("decision", "approve")],
                Some(&partner),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
);

web_test!(
    two_assignments_at_the_same_time_never_double_book_one_interpreter,
    |app| {
        let interpreter = add_interpreter(&app, "Karim Beispiel", "").await;
        let system = Viewer::system("test");
        let towns = lotse_store::reference::town_names(&app.db).await.unwrap();
        let org = app
            .organisation_id("Kommunales Integrationszentrum (Demo)")
            .await;
        let now = app.clock.now_ms();
        let mut ids = Vec::new();
        for start in ["10:00", "10:45", "11:30"] {
            let draft = lotse_domain::interpreters::RequestInput {
                language: "ku".into(),
                date: ahead(28),
                start: start.into(),
                duration_minutes: "30".into(),
                town: "Warendorf".into(),
                setting: "institution".into(),
                ..Default::default()
            }
            .validate(lotse_web::today(), &towns)
            .unwrap();
            ids.push(
                lotse_store::interpreters::submit(&app.db, &system, &org, &draft, false, now)
                    .await
                    .unwrap(),
            );
        }
        // 10:00–10:30 and 10:45–11:15 are 15 minutes apart: not enough to travel. The two
        // assignments race; exactly one wins.
        let (a, b) = tokio::join!(
            lotse_store::interpreters::assign(&app.db, &system, &ids[0], &interpreter, now),
            lotse_store::interpreters::assign(&app.db, &system, &ids[1], &interpreter, now),
        );
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one assignment: {a:?} {b:?}"
        );
        // 11:30 is an hour after 10:30 and fifteen minutes after 11:15: clashes only with the
        // 10:45 one.
        let c =
            lotse_store::interpreters::assign(&app.db, &system, &ids[2], &interpreter, now).await;
        assert_eq!(c.is_ok(), a.is_ok(), "{c:?}");
    }
);

web_test!(
    a_completed_assignment_is_paid_by_the_rates_and_listed_for_the_finance_office,
    |app| {
        let interpreter = add_interpreter(&app, "Leyla Beispiel", "").await;
        let system = Viewer::system("test");
        let org = app
            .organisation_id("Kommunales Integrationszentrum (Demo)")
            .await;
        let now = app.clock.now_ms();
        let today = lotse_web::today();
        let draft = lotse_domain::interpreters::RequestDraft {
            language: "ar",
            dialect: String::new(),
            slot: lotse_domain::interpreters::Slot {
                date: today,
                start_minute: 7 * 60,
                duration_minutes: 120,
            },
            town_ags: "05570052",
            setting: lotse_domain::interpreters::Setting::Authority,
            occasion: None,
            place: String::new(),
            contact_name: "Kim".into(),
            contact_phone: String::new(),
            contact_email: String::new(),
            note: String::new(),
        };
        let id = lotse_store::interpreters::submit(&app.db, &system, &org, &draft, false, now)
            .await
            .unwrap();
        lotse_store::interpreters::assign(&app.db, &system, &id, &interpreter, now)
            .await
            .unwrap();
        let kim = app.login("koordination").await;
        // Rates: €30 up to 90 minutes, €12 per further hour, €0.35 per km.
        let rates = app
            .post_form(
                "/interpreters/pool/rates",
                &[
                    ("base", "30,00"),
                    ("base_minutes", "90"),
                    ("extra_hour", "12"),
                    ("km", "0,35"),
                ],
                Some(&kim),
            )
            .await;
        assert_eq!(rates.status, StatusCode::SEE_OTHER, "{}", rates.body);
        let bad_rate = app
            .post_form(
                "/interpreters/pool/rates",
                &[
                    ("base", "dreißig"),
                    ("base_minutes", "90"),
                    ("extra_hour", "12"),
                    ("km", "0,35"),
                ],
                Some(&kim),
            )
            .await;
        assert_eq!(bad_rate.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_rate.body.contains("Ein Betrag in Euro"));
        let done = app
            .post_form(
                &format!("/interpreters/requests/{id}/complete"),
                &[("actual_minutes", "150"), ("travel_km", "20")],
                Some(&kim),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        // 150 minutes: the base, one further started hour; 20 km: 30 + 12 + 7 = 49 €.
        let month = format!("{:04}-{:02}", today.year(), today.month());
        let statement = app
            .get(
                &format!("/interpreters/statement?month={month}"),
                Some(&kim),
            )
            .await;
        assert!(statement.body.contains("Leyla Beispiel"));
        assert!(statement.body.contains("49,00"), "{}", statement.body);
        let xlsx = app
            .get_bytes(&format!("/interpreters/statement.xlsx?month={month}"), &kim)
            .await;
        assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");
        // A later change of rates does not change a settled assignment.
        app.post_form(
            "/interpreters/pool/rates",
            &[
                ("base", "50,00"),
                ("base_minutes", "90"),
                ("extra_hour", "12"),
                ("km", "0,35"),
            ],
            Some(&kim),
        )
        .await;
        let statement = app
            .get(
                &format!("/interpreters/statement?month={month}"),
                Some(&kim),
            )
            .await;
        assert!(statement.body.contains("49,00"));
        // Settled once only.
        let again = app
            .post_form(
                &format!("/interpreters/requests/{id}/complete"),
                &[("actual_minutes", "60"), ("travel_km", "0")],
                Some(&kim),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

web_test!(
    the_pool_is_kept_by_the_coordination_with_checked_fields,
    |app| {
        let kim = app.login("koordination").await;
        let refused = app
            .post_form(
                "/interpreters/pool",
                &[
                    ("name", ""),
                    ("level", "a1"),
                    ("available_from", "18:00"),
                    ("available_until", "09:00"),
                ],
                Some(&kim),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        for message in [
            "Bitte mindestens eine Sprache angeben.",
            "Deutschniveau",
            "Das Ende muss nach dem Beginn liegen.",
            "Bitte mindestens einen Wochentag angeben.",
        ] {
            assert!(refused.body.contains(message), "{message}");
        }
        // Linking an account needs the interpreter role.
        let not_an_interpreter = app
            .post_form(
                "/interpreters/pool",
                &[
                    ("name", "Test"),
                    ("languages", "uk"),
                    ("level", "b2"),
                    ("available_from", "08:00"),
                    ("available_until", "18:00"),
                    ("weekdays", "0"),
                    ("username", "partner"),
                ],
                Some(&kim),
            )
            .await;
        assert_eq!(not_an_interpreter.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            not_an_interpreter
                .body
                .contains("mit der Rolle Sprachmittlung")
        );
        let created = app
            .post_form(
                "/interpreters/pool",
                &[
                    ("name", "Olena Beispiel"),
                    ("languages", "uk"),
                    ("languages", "ru"),
                    ("level", "c2"),
                    ("available_from", "08:00"),
                    ("available_until", "18:00"),
                    ("weekdays", "0"),
                    ("weekdays", "2"),
                    ("towns", "05570008"),
                    ("active", "yes"),
                ],
                Some(&kim),
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let pool = app.get("/interpreters/pool?language=uk", Some(&kim)).await;
        assert!(pool.body.contains("Olena Beispiel"));
        assert!(pool.body.contains("Verschwiegenheitserklärung fehlt"));
        assert!(pool.body.contains("Beckum"));
        let none = app.get("/interpreters/pool?language=ar", Some(&kim)).await;
        assert!(!none.body.contains("Olena Beispiel"));
        // Partners do not see the pool.
        let partner = app.login("partner").await;
        assert_eq!(
            app.get("/interpreters/pool", Some(&partner)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

web_test!(
    an_assignment_is_confirmed_by_mail_with_a_calendar_entry_and_a_cancellation_removes_it,
    |app| {
        let interpreter = add_interpreter(&app, "Amal Beispiel", "sprachmittlung").await;
        let partner = app.login("partner").await;
        let date = ahead(21);
        let mut form = request_form(&date, "school");
        form.push(("contact_name", "Frau Lehrerin"));
        form.push(("contact_phone", "02382 1234"));
        form.push(("contact_email", "schule@example.org"));
        let sent = app
            .post_form("/interpreters/requests", &form, Some(&partner))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let id = request_id(&sent);
        let kim = app.login("koordination").await;
        // Nothing is owed before the assignment.
        assert!(
            lotse_store::outbox::about(&app.db, "interpreter_request", &id)
                .await
                .unwrap()
                .is_empty()
        );
        let assigned = app
            .post_form(
                &format!("/interpreters/requests/{id}/assign"),
                &[("interpreter_id", &interpreter)],
                Some(&kim),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);

        // The assignment wrote both confirmations, each with the date as a calendar entry.
        let queued = lotse_store::outbox::about(&app.db, "interpreter_request", &id)
            .await
            .unwrap();
        let to_school = queued
            .iter()
            .find(|m| m.recipient == "schule@example.org")
            .expect("the school's contact is told");
        let to_interpreter = queued
            .iter()
            .find(|m| m.recipient == "amal@example.org")
            .expect("the interpreter is told");
        assert_eq!(queued.len(), 2);
        assert!(
            to_school
                .subject
                .starts_with("Bestätigt: Sprachmittlung Arabisch")
        );
        assert!(
            to_school
                .body
                .contains("Amal Beispiel, Telefon 0151 000000")
        );
        assert!(
            to_interpreter
                .body
                .contains("Frau Lehrerin, Telefon 02382 1234")
        );
        assert!(
            !to_interpreter.body.contains("Vater spricht"),
            "the note stays with the school"
        );
        let ics = to_interpreter.calendar.as_deref().unwrap();
        let day = ahead(21).replace('-', "");
        assert!(
            ics.contains(&format!("DTSTART;TZID=Europe/Berlin:{day}T140000")),
            "{ics}"
        );
        assert!(ics.contains(&format!("DTEND;TZID=Europe/Berlin:{day}T150000")));
        assert!(ics.contains(&format!("UID:{id}@lotse")));
        assert!(
            ics.contains("LOCATION:Grundschule Am Park\\, Raum 3\\, Ahlen"),
            "{ics}"
        );

        // The mail server is away: the mails stay and are tried again later.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let closed_port = closed.local_addr().unwrap().port();
        drop(closed);
        let now = lotse_store::now_ms();
        let away = run_job(&app, "mail-outbox", Some(&mail_to_port(closed_port)), now).await;
        assert!(!away.ok, "{}", away.summary);
        assert!(
            away.summary.contains("2 nicht zugestellt"),
            "{}",
            away.summary
        );
        assert_eq!(lotse_store::outbox::waiting(&app.db).await.unwrap(), 2);

        let Some(sink) = crate::SmtpSink::start() else {
            return;
        };
        let mail = mail_to_port(sink.port);
        // Not before the pause is over.
        let early = run_job(&app, "mail-outbox", Some(&mail), now + 1_000).await;
        assert_eq!(early.count, 0, "{}", early.summary);
        let later = run_job(&app, "mail-outbox", Some(&mail), now + 120_000).await;
        assert!(later.ok, "{}", later.summary);
        assert_eq!(later.count, 2, "{}", later.summary);
        let messages = sink.messages();
        assert_eq!(messages.len(), 2, "{messages:?}");
        for m in &messages {
            assert!(m.contains("text/calendar"), "{m}");
            assert!(m.contains("termin.ics"), "{m}");
        }
        assert!(
            messages
                .iter()
                .any(|m| m.contains("To: schule@example.org"))
        );
        assert!(messages.iter().any(|m| m.contains("To: amal@example.org")));
        // Sent once, never twice.
        assert_eq!(
            run_job(&app, "mail-outbox", Some(&mail), now + 240_000)
                .await
                .count,
            0
        );
        assert_eq!(sink.messages().len(), 2);

        // The school cancels: both are told, and the entry is withdrawn from their calendars.
        let cancelled = app
            .post_form(
                &format!("/interpreters/requests/{id}/cancel"),
                &[],
                Some(&partner),
            )
            .await;
        assert_eq!(
            cancelled.status,
            StatusCode::SEE_OTHER,
            "{}",
            cancelled.body
        );
        let queued = lotse_store::outbox::about(&app.db, "interpreter_request", &id)
            .await
            .unwrap();
        let withdrawals: Vec<_> = queued.iter().filter(|m| m.sent_at.is_none()).collect();
        assert_eq!(withdrawals.len(), 2);
        for m in &withdrawals {
            let ics = m.calendar.as_deref().unwrap();
            assert!(
                ics.contains("METHOD:CANCEL") && ics.contains("SEQUENCE:1"),
                "{ics}"
            );
            assert!(m.subject.contains("storniert") || m.subject.starts_with("Storniert"));
        }
        let sent = run_job(&app, "mail-outbox", Some(&mail), lotse_store::now_ms()).await;
        assert_eq!(sent.count, 2, "{}", sent.summary);
        assert!(
            sink.messages()
                .iter()
                .any(|m| m.contains("method=CANCEL") || m.contains("method=\"CANCEL\""))
        );
    }
);
