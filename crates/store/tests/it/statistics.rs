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
