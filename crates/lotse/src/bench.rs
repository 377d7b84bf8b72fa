//! Benchmarks run inside the process (results go to docs/benchmarks.md): what HTTP load from wrk
//! cannot isolate.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use lotse_store::now_ms;

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

pub(crate) async fn seed_accounts(db: &Db, n: usize) -> Result<Vec<String>, StoreError> {
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

pub(crate) async fn run_readers(
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

pub(crate) async fn bench_report(db: &Db, n: usize, runs: usize) -> Result<ExitCode, StoreError> {
    use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureStatus};
    use lotse_store::rounds::{self, Decision, UpdateInput};
    use std::time::Instant;

    let actor = Actor::system("bench");
    let now = now_ms();
    let setup = Instant::now();
    let vocab = organisations::vocabulary(db).await?;
    let round = db
        .write(async |tx| {
            let concept = lotse_store::measures::create_concept(
                tx,
                &actor,
                &lotse_store::measures::ConceptDraft {
                    short_name: "Bench".into(),
                    title: "Synthetischer Katalog".into(),
                    adopted_on: lotse_domain::Date::new(2020, 1, 1),
                    description: String::new(),
                },
                true,
                now,
            )
            .await?;
            let mut orgs = Vec::new();
            for i in 0..20 {
                let draft = OrganisationInput {
                    name: format!("Träger {i:02}"),
                    kind: "other".into(),
                    ..Default::default()
                }
                .validate(&vocab)?;
                orgs.push(organisations::create(tx, &actor, &draft, true, now).await?);
            }
            let mut fields = Vec::new();
            for f in 0..8 {
                fields.push(
                    lotse_store::measures::add_field_of_action(
                        tx,
                        &actor,
                        &concept,
                        &format!("Handlungsfeld {f}"),
                        now,
                    )
                    .await?,
                );
            }
            for i in 0..n {
                let draft = MeasureDraft {
                    concept_id: concept.clone(),
                    code: format!("{}.{}", i % 8 + 1, i / 8 + 1),
                    title: format!(
                        "Synthetische Maßnahme Nummer {i} mit einem realistisch langen Titel"
                    ),
                    description: "Beschreibung ".repeat(20),
                    field_of_action_id: Some(fields[i % 8].clone()),
                    lead_organisation_id: Some(orgs[i % 20].clone()),
                    partner_ids: vec![orgs[(i + 1) % 20].clone()],
                    ki_involvement: KiInvolvement::Involved,
                    target_group: "Familien".into(),
                    towns: Vec::new(),
                    planned_start: lotse_domain::Date::new(2021, 1, 1),
                    planned_end: None,
                    status: MeasureStatus::ALL[i % 6],
                    tags: Vec::new(),
                };
                lotse_store::measures::create(tx, &actor, &draft, true, now).await?;
            }
            let round = rounds::open(
                tx,
                &actor,
                "Bench-Runde",
                "2026-06-30",
                "2099-12-31",
                std::slice::from_ref(&concept),
                true,
                now,
            )
            .await?;
            let ids: Vec<String> = rounds::updates_in(tx, &round).await?;
            for (i, id) in ids.iter().enumerate() {
                let input = UpdateInput {
                    status: MeasureStatus::ALL[(i + 1) % 6].key().into(),
                    progress: "Fortschritt im Berichtszeitraum, mehrere Sätze lang. ".repeat(4),
                    adaptation: if i % 10 == 0 {
                        "adjust".into()
                    } else {
                        "none".into()
                    },
                    adaptation_reason: if i % 10 == 0 {
                        "Begründung".into()
                    } else {
                        String::new()
                    },
                    ..Default::default()
                };
                let viewer = lotse_store::scoped::Viewer::system("bench");
                rounds::submit(tx, &viewer, &id.as_str().into(), &input, now).await?;
                rounds::review(
                    tx,
                    &viewer,
                    &id.as_str().into(),
                    Decision::Accept,
                    "",
                    None,
                    now,
                )
                .await?;
            }
            rounds::close(tx, &actor, &round, now).await?;
            Ok(round)
        })
        .await?;
    println!(
        "setup: {n} measures reported, accepted and frozen in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut build, mut html, mut xlsx, mut docx, mut pdf) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut sizes = (0, 0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let report = lotse_store::status_report::build(db, &round).await?;
        build.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let x = lotse_reports::round_xlsx(&report).map_err(StoreError::Config)?;
        xlsx.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let d = lotse_reports::status_report_docx(&report, lotse_domain::Date::EARLIEST)
            .map_err(StoreError::Config)?;
        docx.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let p = lotse_reports::status_report_pdf(&report, lotse_domain::Date::EARLIEST)
            .map_err(StoreError::Config)?;
        pdf.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let h = lotse_web::pages::report::document_html(report, now)
            .map_err(|e| StoreError::Config(e.to_string()))?;
        html.push(t.elapsed().as_secs_f64() * 1000.0);
        sizes = (h.len(), x.len(), d.len(), p.len());
    }
    println!("| step ({n} measures, median of {runs}) | ms |");
    println!("|---|---|");
    println!(
        "| build the report from the snapshot | {:.1} |",
        median(build)
    );
    println!(
        "| render standalone HTML ({} KiB) | {:.1} |",
        sizes.0 / 1024,
        median(html)
    );
    println!(
        "| write XLSX ({} KiB) | {:.1} |",
        sizes.1 / 1024,
        median(xlsx)
    );
    println!(
        "| write DOCX ({} KiB) | {:.1} |",
        sizes.2 / 1024,
        median(docx)
    );
    println!(
        "| write PDF/A ({} KiB) | {:.1} |",
        sizes.3 / 1024,
        median(pdf)
    );
    Ok(ExitCode::SUCCESS)
}
