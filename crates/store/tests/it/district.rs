//! Many persons at once: the synthetic district of the benchmark (`demo_cases::generate`), the
//! import of a case list in bulk, and the family key the duplicate checks look persons up by.

use lotse_domain::Date;
use lotse_domain::case::{AccessRoute, CaseRow, PersonInput};
use lotse_store::Backend;
use lotse_store::cases::{self, IntakeDraft};
use lotse_store::organisations::ImportMode;
use lotse_store::paging::PageRequest;
use lotse_store::statistics::{CaseFigure, case_figure};
use lotse_store::{Db, both_backends};

use crate::{now, prepared, viewer};

const TODAY: Date = Date::new(2026, 11, 30).expect("a day");

async fn count(db: &Db, sql: &str) -> i64 {
    lotse_store::testing::count(db, sql, None).await
}

both_backends!(
    a_synthetic_district_is_consistent_and_spread_over_realistic_caseloads,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let before = count(&db, "SELECT COUNT(*) FROM persons").await;
        let written = lotse_store::demo_cases::generate(&db, 400, 3, |_| {})
            .await
            .unwrap();
        assert_eq!(written, 400);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM persons").await,
            before + 400
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM cases WHERE fictitious = FALSE").await,
            0
        );
        // Every case stands where its last change of phase put it, closed ones with the
        // closing's day and reason, open ones without.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM cases c WHERE c.phase <> (SELECT pc.to_phase FROM case_phase_changes pc \
                 WHERE pc.case_id = c.id ORDER BY pc.changed_at DESC, pc.id DESC LIMIT 1)"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM cases WHERE (phase = 'closed') <> (closed_on IS NOT NULL AND closure_reason IS NOT NULL)"
            )
            .await,
            0
        );
        let closed = count(&db, "SELECT COUNT(*) FROM cases WHERE phase = 'closed'").await;
        assert!(closed > 40 && closed < 200, "{closed} closed of 400");
        // Work on the cases: what the case page, the monitor and the statistics read.
        for table in [
            "SELECT COUNT(*) FROM case_assessments",
            "SELECT COUNT(*) FROM case_contacts",
            "SELECT COUNT(*) FROM referrals",
            "SELECT COUNT(*) FROM handoffs WHERE completed_on IS NOT NULL",
            "SELECT COUNT(*) FROM handoffs WHERE completed_on IS NULL",
            "SELECT COUNT(*) FROM case_follow_ups",
        ] {
            assert!(count(&db, table).await > 20, "{table}");
        }
        // Caseloads: a synthetic case manager per 80 open cases, nobody with far more.
        let synthetic = count(
            &db,
            "SELECT COUNT(*) FROM users WHERE username LIKE 'fm-synth-%' AND fictitious = TRUE",
        )
        .await;
        assert!(synthetic >= 3, "{synthetic} synthetic case managers");
        let most = count(
            &db,
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM cases WHERE phase <> 'closed' GROUP BY owner_user_id) AS loads",
        )
        .await;
        assert!(most <= 80, "{most} open cases for one case manager");
        // The family key is what the migration derives from the search text: both ways of
        // writing it agree.
        let derived = match db.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM persons WHERE family_key <> substr(search_text, 4, instr(search_text, ' g:') - 4)"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM persons WHERE family_key <> substr(search_text, 4, strpos(search_text, ' g:') - 4)"
            }
        };
        assert_eq!(count(&db, derived).await, 0);

        // The demo's case manager holds some of them, and sees those only.
        let owner = viewer(&db, "fallmanagement").await;
        let mine = cases::for_viewer(&db, &owner)
            .page(&PageRequest::first(200), now())
            .await
            .unwrap()
            .items;
        let owned = lotse_store::testing::count(
            &db,
            "SELECT COUNT(*) FROM cases WHERE owner_user_id = $1 OR deputy_user_id = $1",
            Some(&owner.user_id),
        )
        .await;
        assert_eq!(mine.len() as i64, owned);
        assert!(owned > 10);

        // The start page's lists: the first few in order and how many in all, in one
        // statement each, agree with counting directly.
        let coordination = viewer(&db, "koordination").await;
        let today = lotse_store::demo_offers::date_of(now());
        let (first, total) = cases::for_viewer(&db, &coordination)
            .overdue_handoffs(today, 3, now())
            .await
            .unwrap();
        let overdue = lotse_store::testing::count(
            &db,
            "SELECT COUNT(*) FROM handoffs WHERE completed_on IS NULL AND due_on < $1",
            Some(&today.to_string()),
        )
        .await;
        assert!(overdue > 3, "{overdue}");
        assert_eq!(total, lotse_store::paging::Count::of(overdue));
        assert_eq!(first.len(), 3);
        assert!(
            first
                .windows(2)
                .all(|w| (w[0].due_on, &w[0].id) <= (w[1].due_on, &w[1].id))
        );
        let (none_shown, still_counted) = cases::for_viewer(&db, &coordination)
            .overdue_handoffs(today, 0, now())
            .await
            .unwrap();
        assert!(none_shown.is_empty());
        assert_eq!(still_counted, total);
        let (theirs, due) = cases::for_viewer(&db, &owner)
            .due_follow_ups(today, 2, now())
            .await
            .unwrap();
        let own_due = lotse_store::testing::count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM case_follow_ups f JOIN cases c ON c.id = f.case_id \
                 WHERE f.done_on IS NULL AND f.due_on <= $1 AND '{}' IN (c.owner_user_id, c.deputy_user_id)",
                owner.user_id
            ),
            Some(&today.to_string()),
        )
        .await;
        assert_eq!(due, lotse_store::paging::Count::of(own_due));
        assert_eq!(theirs.len() as i64, own_due.min(2));

        // The figures have something to count.
        let towns = lotse_store::reference::town_names(&db).await.unwrap();
        let figure = case_figure(
            &db,
            CaseFigure::Town,
            Date::new(2000, 1, 1).unwrap(),
            lotse_store::demo_offers::date_of(now()),
            &towns,
        )
        .await
        .unwrap();
        assert!(!figure.lines.is_empty());

        // A second run adds to the district: no pseudonym twice, no account twice.
        lotse_store::demo_cases::generate(&db, 150, 4, |_| {})
            .await
            .unwrap();
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM persons").await,
            before + 550
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM (SELECT username FROM users GROUP BY username HAVING COUNT(*) > 1) AS twice"
            )
            .await,
            0
        );
    }
);

fn row(line: usize, family: String) -> CaseRow {
    CaseRow {
        line,
        person: PersonInput {
            family_name: family,
            given_names: "Amal".into(),
            birth_date: format!(
                "{:02}.{:02}.19{}",
                1 + line % 28,
                1 + line % 12,
                60 + line % 40
            ),
            town: "Ahlen".into(),
            jurisdiction: "sgb2".into(),
            ..PersonInput::default()
        },
        access_route: "Jobcenter".into(),
        opened_on: "01.03.2025".into(),
    }
}

/// A family name of letters only whose skeleton differs for every `n` (consonants that never
/// repeat side by side).
fn family(mut n: usize) -> String {
    const LETTERS: &[u8] = b"bcdfghjklmnpqrstvwxz";
    let mut word = String::from("Qu");
    let mut prev = 0;
    loop {
        prev = (prev + 1 + n % 19) % 20;
        word.push(char::from(LETTERS[prev]));
        word.push('a');
        n /= 19;
        if n == 0 {
            return word;
        }
    }
}

both_backends!(
    a_long_case_list_is_taken_in_at_once_with_an_event_per_person_and_not_twice,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let towns = lotse_store::reference::town_names(&db).await.unwrap();
        // More rows than one look-up statement of recorded persons takes (a thousand).
        let rows: Vec<CaseRow> = (2..2_502).map(|line| row(line, family(line))).collect();
        let events = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'person'",
        )
        .await;
        let report = cases::import_cases(
            &db,
            &owner,
            &rows,
            &towns,
            ImportMode::AllOrNothing,
            TODAY,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            (report.created, report.errors.len()),
            (2_500, 0),
            "{report:?}"
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'person'"
            )
            .await,
            events + 2_500
        );
        assert_eq!(
            count(&db, "SELECT COUNT(DISTINCT pseudonym) FROM persons").await,
            count(&db, "SELECT COUNT(*) FROM persons").await
        );
        let mine = cases::for_viewer(&db, &owner)
            .page(&PageRequest::first(10), now())
            .await
            .unwrap();
        assert_eq!(mine.items.len(), 10);

        // The same list again: every row is refused by its line, and nothing is written.
        let again = cases::import_cases(
            &db,
            &owner,
            &rows,
            &towns,
            ImportMode::ValidRowsOnly,
            TODAY,
            now(),
        )
        .await
        .unwrap();
        assert_eq!((again.created, again.errors.len()), (0, 2_500));
        assert!(
            again.errors[0].starts_with("Zeile 2: "),
            "{}",
            again.errors[0]
        );
        // One row recorded already among new ones: only that row is refused.
        let mixed = vec![row(2, family(2)), row(9_000, family(9_000))];
        let report = cases::import_cases(
            &db,
            &owner,
            &mixed,
            &towns,
            ImportMode::ValidRowsOnly,
            TODAY,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(report.created, 1);
        assert_eq!(report.errors.len(), 1);
        assert!(report.errors[0].starts_with("Zeile 2: "));
    }
);

both_backends!(
    a_corrected_family_name_is_what_the_duplicate_hint_finds,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let owner = viewer(&db, "fallmanagement").await;
        let p = |family: &str| {
            PersonInput {
                family_name: family.into(),
                given_names: "Olena".into(),
                birth_date: "1985-02-03".into(),
                town: "05570004".into(),
                jurisdiction: "sgb2".into(),
                ..PersonInput::default()
            }
            .validate(TODAY)
            .unwrap()
        };
        let intake = IntakeDraft {
            access_route: AccessRoute::Jobcenter,
            opened_on: TODAY,
        };
        let case_id = db
            .write(async |tx| {
                cases::intake(tx, &owner, &p("Petrenko"), &intake, false, now()).await
            })
            .await
            .unwrap();
        db.write(async |tx| {
            cases::correct_person(tx, &owner, &case_id, &p("Kovalenko"), now()).await
        })
        .await
        .unwrap();
        let hint = |family: &'static str| {
            let db = db.clone();
            let owner = owner.clone();
            let draft = p(family);
            async move {
                cases::likely_duplicates(&db, &owner, &draft, now())
                    .await
                    .unwrap()
                    .visible
                    .len()
            }
        };
        assert_eq!(hint("Kovalenko").await, 1);
        assert_eq!(hint("Petrenko").await, 0);
    }
);
