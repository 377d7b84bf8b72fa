//! Benchmarks run inside the process (results go to docs/benchmarks.md): what HTTP load from wrk
//! cannot isolate.

use std::time::{Duration, Instant};

use lotse_domain::organisation::OrganisationInput;
use lotse_store::users::{self, UserInput};
use lotse_store::{Actor, Db, StoreError, organisations};

/// Reads of protected records (accounts) by `readers` concurrent readers for `seconds`, once with
/// the access log and once without: reads per second and latencies, and the logged share of the
/// unlogged rate (the aim: within 20 %).
pub async fn reads(
    db: &Db,
    accounts: usize,
    readers: usize,
    seconds: u64,
) -> Result<(), StoreError> {
    let ids = seed_accounts(db, accounts).await?;
    let mut rates = Vec::new();
    for logged in [false, true, false, true] {
        db.access_log().set_enabled(logged);
        let (rate, p50, p99) = run_readers(db, &ids, readers, Duration::from_secs(seconds)).await?;
        db.access_log().flush().await;
        println!(
            "{:<28} {rate:>9.0} reads/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
            if logged {
                "with the access log"
            } else {
                "without the access log"
            },
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0,
        );
        rates.push((logged, rate));
    }
    db.access_log().set_enabled(true);
    let mean = |l: bool| {
        let r: Vec<f64> = rates
            .iter()
            .filter(|(x, _)| *x == l)
            .map(|(_, r)| *r)
            .collect();
        r.iter().sum::<f64>() / r.len().max(1) as f64
    };
    println!(
        "logged reads run at {:.0} % of the unlogged rate ({readers} readers, {accounts} accounts)",
        100.0 * mean(true) / mean(false).max(1.0)
    );
    let check = lotse_store::access_log::verify(db).await?;
    println!(
        "access log: {} reads in {} batches, chain {}",
        check.entries,
        check.batches,
        if check.first_broken.is_none() {
            "intact"
        } else {
            "BROKEN"
        }
    );
    Ok(())
}

async fn seed_accounts(db: &Db, n: usize) -> Result<Vec<String>, StoreError> {
    lotse_store::reference::load(db).await?;
    let actor = Actor::system("bench");
    let vocab = organisations::vocabulary(db).await?;
    let org = OrganisationInput {
        name: format!("Bench {}", lotse_store::new_id()),
        kind: "integration_centre".into(),
        ..Default::default()
    }
    .validate(&vocab)?;
    let now = lotse_store::now_ms();
    let org = db
        .write(async |tx| organisations::create(tx, &actor, &org, true, now).await)
        .await?;
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut drafts = Vec::new();
        for i in chunk {
            let input = UserInput {
                username: format!("bench{}{i}", &org[..8]),
                display_name: format!("Person {i}"),
                organisation_id: org.clone(),
                roles: vec!["case_manager".into()],
                ..Default::default()
            };
            drafts.push(users::validate_new(db, &input, "ein langes passwort").await?);
        }
        let created = db
            .write(async |tx| {
                let mut created = Vec::new();
                for d in &drafts {
                    // The hash is never checked here: reading accounts is what is measured.
                    created.push(users::create(tx, &actor, d, "x", true, now).await?);
                }
                Ok(created)
            })
            .await?;
        ids.extend(created);
    }
    Ok(ids)
}

async fn run_readers(
    db: &Db,
    ids: &[String],
    readers: usize,
    length: Duration,
) -> Result<(f64, Duration, Duration), StoreError> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for r in 0..readers {
        let db = db.clone();
        let ids = ids.to_vec();
        tasks.push(tokio::spawn(async move {
            let reader = Actor::user(&format!("bench-reader-{r}"), &format!("leser{r}"));
            let mut latencies = Vec::new();
            let mut i = r;
            while start.elapsed() < length {
                let t = Instant::now();
                users::read_account(&db, &reader, &ids[i % ids.len()], lotse_store::now_ms())
                    .await?;
                latencies.push(t.elapsed());
                i += readers;
            }
            Ok::<_, StoreError>(latencies)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(
            t.await
                .map_err(|e| StoreError::Config(format!("reader: {e}")))??,
        );
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok((all.len() as f64 / elapsed, at(0.5), at(0.99)))
}
