//! The statistics module's SQL answers the same on both backends: percentiles against one oracle.

use lotse_store::statistics::{self, Durations};
use lotse_store::{Db, both_backends};

/// `percentile_cont` as the SQL standard (and PostgreSQL) defines it.
fn oracle(numbers: &[f64], fraction: f64) -> Option<f64> {
    if numbers.is_empty() {
        return None;
    }
    let mut sorted = numbers.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = fraction * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    Some(sorted[lower] + (position - lower as f64) * (sorted[upper] - sorted[lower]))
}

/// A small deterministic generator, so that a failure can be repeated.
fn numbers(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Durations in days with duplicates and a few negatives (clock skew, corrections).
            ((state >> 33) % 4000) as f64 / 8.0 - 20.0
        })
        .collect()
}

both_backends!(
    percentiles_answer_as_the_standard_defines_them,
    |db: Db| async move {
        let mut lists: Vec<Vec<f64>> = vec![
            vec![],
            vec![7.0],
            vec![1.0, 2.0],
            vec![3.0, 3.0, 3.0],
            vec![10.0, 1.0, 5.5, 2.25, 8.0],
        ];
        for seed in 0..20 {
            lists.push(numbers(seed, 1 + (seed as usize * 37) % 300));
        }
        for list in &lists {
            for fraction in [0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0] {
                let got = statistics::percentile_of(&db, list, fraction)
                    .await
                    .unwrap();
                let want = oracle(list, fraction);
                match (got, want) {
                    (None, None) => {}
                    (Some(g), Some(w)) => assert!(
                        (g - w).abs() < 1e-9,
                        "{fraction} of {} values: {g} ≠ {w}",
                        list.len()
                    ),
                    other => panic!("{fraction} of {list:?}: {other:?}"),
                }
            }
        }
    }
);

#[test]
fn small_groups_show_no_distribution() {
    let few = Durations {
        count: 4,
        median: Some(3.0),
        p90: Some(9.0),
    };
    assert_eq!(few.shown(), None);
    let enough = Durations { count: 5, ..few };
    assert_eq!(enough.shown(), Some((3.0, 9.0)));
}

mod snapshots {
    use lotse_domain::Date;
    use lotse_store::statistics::snapshots::{self, Plan, Snapshot};
    use lotse_store::statistics::{CaseFigure, case_figure};
    use lotse_store::{Db, both_backends};

    fn day(text: &str) -> Date {
        Date::parse(text).expect("a day")
    }

    fn snapshot(took_ms: i64, computed_at: i64, to: Date) -> Snapshot {
        Snapshot {
            from: day("2026-01-01"),
            to,
            computed_at,
            took_ms,
            figures: Vec::new(),
        }
    }

    /// Noon on 1 December 2026 in Warendorf (UTC+1), in epoch milliseconds.
    const NOON: i64 = 1_796_122_800_000;

    #[test]
    fn cheap_counts_are_repeated_and_slow_ones_served_until_stale() {
        assert_eq!(lotse_store::day_of(NOON), day("2026-12-01"));
        let today = day("2026-12-01");
        let cheap = snapshot(20, NOON, today);
        let slow = snapshot(40_000, NOON, today);
        // Cheap: always counted now, whether stored or not, whatever the caller.
        assert_eq!(
            snapshots::plan(Some(&cheap), Some(20), NOON, false),
            Plan::CountNow
        );
        assert_eq!(snapshots::plan(None, None, NOON, false), Plan::CountNow);
        assert_eq!(snapshots::plan(None, Some(20), NOON, false), Plan::CountNow);
        // Slow and stored: served; counted again once older than its freshness.
        assert_eq!(
            snapshots::plan(Some(&slow), Some(40_000), NOON + 60_000, false),
            Plan::Serve { refresh: false }
        );
        let later = NOON + snapshots::FRESH_FOR_MS + 1;
        assert_eq!(
            snapshots::plan(Some(&slow), Some(40_000), later, true),
            Plan::Serve { refresh: true }
        );
        // Slow and not stored: the page leaves it to the background, the API waits.
        assert_eq!(
            snapshots::plan(None, Some(40_000), NOON, false),
            Plan::CountInBackground
        );
        assert_eq!(
            snapshots::plan(None, Some(40_000), NOON, true),
            Plan::CountNow
        );
        // A period that had ended when it was counted stays fresh for a day.
        let past = snapshot(40_000, NOON, day("2026-11-30"));
        assert!(!past.is_stale(later));
        assert!(past.is_stale(NOON + snapshots::PAST_FRESH_FOR_MS + 1));
        // A period counted before its end is stale as soon as a count reaching today is.
        let before_end = snapshot(40_000, NOON, day("2026-12-31"));
        assert!(before_end.is_stale(later));
    }

    #[test]
    fn the_usual_periods_follow_the_calendar() {
        let periods = |t: &str| -> Vec<(&'static str, String, String)> {
            snapshots::usual_periods(day(t))
                .into_iter()
                .map(|(l, f, t)| (l, f.to_string(), t.to_string()))
                .collect()
        };
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let march: Vec<_> = periods("2024-03-15")
            .into_iter()
            .map(|(_, f, t)| (f, t))
            .collect();
        assert_eq!(
            march,
            vec![
                s("2024-01-01", "2024-03-15"),
                s("2023-01-01", "2023-12-31"),
                s("2024-03-01", "2024-03-15"),
                s("2024-02-01", "2024-02-29"),
                s("2023-03-16", "2024-03-15"),
            ]
        );
        let january = periods("2027-01-10");
        assert_eq!(
            january[3],
            ("Vormonat", "2026-12-01".into(), "2026-12-31".into())
        );
        assert_eq!(january[0].0, "dieses Jahr");
    }

    both_backends!(
        a_snapshot_holds_what_counting_live_shows_and_is_replaced_and_pruned,
        |db: Db| async move {
            lotse_store::reference::load(&db).await.unwrap();
            lotse_store::demo::load(&db).await.unwrap();
            lotse_store::demo_cases::generate(&db, 300, 7, |_| {})
                .await
                .unwrap();
            let towns = lotse_store::reference::town_names(&db).await.unwrap();
            let (from, to) = (day("2020-01-01"), day("2030-12-31"));
            assert_eq!(snapshots::stored(&db, from, to).await.unwrap(), None);
            assert_eq!(snapshots::last_took_ms(&db).await.unwrap(), None);
            let kept = snapshots::count_and_keep(&db, from, to, NOON)
                .await
                .unwrap();
            assert_eq!(kept.computed_at, NOON);
            assert_eq!(kept.figures.len(), CaseFigure::ALL.len());
            let stored = snapshots::stored(&db, from, to)
                .await
                .unwrap()
                .expect("kept");
            assert_eq!(stored, kept);
            assert_eq!(
                snapshots::last_took_ms(&db).await.unwrap(),
                Some(kept.took_ms)
            );
            // What the snapshot shows is what counting now shows, figure by figure, under the
            // statistics rule and with the same waiting times.
            for (counted, figure) in stored.figures.iter().zip(CaseFigure::ALL) {
                let live = case_figure(&db, figure, from, to, &towns).await.unwrap();
                assert_eq!(counted.shown(from, to, &towns), Some(live), "{figure:?}");
            }
            let persons: i64 = stored.figures[0].counts.iter().map(|(_, n)| n).sum();
            assert!(persons >= 300, "{persons}");
            // Counting again replaces the snapshot; one not counted again for a week goes.
            let again = snapshots::count_and_keep(&db, from, to, NOON + 1_000)
                .await
                .unwrap();
            assert_eq!(
                snapshots::stored(&db, from, to)
                    .await
                    .unwrap()
                    .unwrap()
                    .computed_at,
                again.computed_at
            );
            let other = snapshots::count_and_keep(
                &db,
                day("2021-01-01"),
                day("2021-12-31"),
                NOON - snapshots::KEPT_FOR_MS,
            )
            .await
            .unwrap();
            assert_eq!(snapshots::prune(&db, NOON + 2_000).await.unwrap(), 1);
            assert_eq!(
                snapshots::stored(&db, other.from, other.to).await.unwrap(),
                None
            );
            assert!(snapshots::stored(&db, from, to).await.unwrap().is_some());
        }
    );
}
