//! The statistics rule holds on any data (decision 0012, slice 6): over districts of random
//! synthetic cases, no case figure shows a count of one to four people, and no suppressed count
//! can be worked out from what is shown (every column that hides something hides at least two
//! entries, and not only small ones).

use lotse_domain::Date;
use lotse_store::statistics::{CaseFigure, Figure, Shown, case_figure};
use lotse_store::{Db, both_backends, day_of};

use crate::{now, prepared};

/// What a reader of `figure` can see, checked against the rule.
fn check(figure: &Figure, what: &str) {
    let entries: Vec<Shown> = figure
        .lines
        .iter()
        .map(|l| l.shown)
        .chain(std::iter::once(figure.total))
        .collect();
    for (i, s) in entries.iter().enumerate() {
        if let Shown::Count(n) = s {
            assert!(!(1..5).contains(n), "{what}: entry {i} shows {n}");
        }
    }
    let suppressed: Vec<&Shown> = entries
        .iter()
        .filter(|s| !matches!(s, Shown::Count(_)))
        .collect();
    if !suppressed.is_empty() {
        assert!(
            suppressed.len() >= 2,
            "{what}: one suppressed entry can be worked out from the total: {entries:?}"
        );
        assert!(
            suppressed.iter().any(|s| matches!(s, Shown::Hidden))
                || !matches!(figure.total, Shown::Count(_)),
            "{what}: only small counts hidden, their sum is known: {entries:?}"
        );
    }
    // Waiting times are shown only where enough hand-offs stand behind them.
    for line in &figure.lines {
        if line.durations.and_then(|d| d.shown()).is_some() {
            assert!(
                matches!(line.shown, Shown::Count(n) if n >= 5),
                "{what}: durations of {} beside {:?}",
                line.key,
                line.shown
            );
        }
    }
}

both_backends!(
    no_case_figure_gives_a_small_group_away_on_random_districts,
    |db: Db| async move {
        prepared(&db).await;
        lotse_store::demo::load(&db).await.unwrap();
        let towns = lotse_store::reference::town_names(&db).await.unwrap();
        let today = day_of(now());
        let periods = [
            (Date::new(today.year(), 1, 1).unwrap(), today),
            (today.years_back(3).unwrap(), today),
            (today.add_days(-30).unwrap(), today),
        ];
        // Districts that grow by uneven steps, each from its own seed: small districts are
        // where the rule matters most.
        let mut seed = 7u64;
        for step in [1usize, 2, 3, 5, 9, 17, 31] {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            lotse_store::demo_cases::generate(&db, step, seed, |_| {})
                .await
                .unwrap();
            for (from, to) in periods {
                for f in CaseFigure::ALL {
                    let figure = case_figure(&db, f, from, to, &towns).await.unwrap();
                    check(&figure, &format!("{} {from}–{to} after +{step}", f.key()));
                }
            }
        }
    }
);
