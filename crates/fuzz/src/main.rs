//! `lotse-fuzz TARGET|all [--seconds N] [--seed S] [--artifacts DIR]`: runs fuzz targets on
//! stable Rust for a given time each and reports what it found.
//!
//! Findings are panics, 5xx answers (requests), inputs that take longer than a second, and
//! inputs that hang (30 s) or exhaust memory (the process is limited to a few GiB and aborts;
//! the input it was running is in `ARTIFACTS/TARGET/current`, and `scripts/fuzz` keeps it).
//! Each finding is written to `ARTIFACTS/TARGET/` so that it can be replayed and turned into a
//! regression test.

mod mutate;
mod requests;
mod targets;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mutate::{Rng, mutate};
use targets::{
    CatalogueCsv, CatalogueXlsx, HsdsDatapackage, HsdsJson, OrganisationsCsv, Requests, Target,
};

const TARGETS: [&str; 6] = [
    "catalogue-csv",
    "catalogue-xlsx",
    "organisations-csv",
    "hsds-datapackage",
    "hsds-json",
    "requests",
];

/// Inputs slower than this are reported (the importers' bounds are meant to keep every input
/// far below it); `--slow-ms` changes it, e.g. for the unoptimised smoke run in scripts/test.
const SLOW: Duration = Duration::from_secs(1);
/// An input still running after this long is a hang: the process saves it and exits.
const HANG: Duration = Duration::from_secs(30);
/// Address space of the fuzzing process: an input that allocates by coordinates rather than
/// content aborts here instead of taking the machine.
const MEMORY: u64 = 8 * 1024 * 1024 * 1024;
/// Accepted inputs kept as further seeds.
const CORPUS: usize = 2_000;

fn make(name: &str) -> Result<Box<dyn Target>, String> {
    Ok(match name {
        "catalogue-csv" => Box::new(CatalogueCsv),
        "catalogue-xlsx" => Box::new(CatalogueXlsx),
        "organisations-csv" => Box::new(OrganisationsCsv),
        "hsds-datapackage" => Box::new(HsdsDatapackage::new()),
        "hsds-json" => Box::new(HsdsJson::new()),
        "requests" => Box::new(Requests::new()?),
        other => {
            return Err(format!(
                "unknown target {other}; known: {}",
                TARGETS.join(", ")
            ));
        }
    })
}

struct Args {
    targets: Vec<String>,
    /// Inputs to run once each (a finding, to reproduce it), instead of fuzzing.
    replay: Vec<PathBuf>,
    seconds: u64,
    slow: Duration,
    seed: u64,
    artifacts: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        targets: Vec::new(),
        replay: Vec::new(),
        seconds: 60,
        slow: SLOW,
        seed: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        artifacts: PathBuf::from("fuzz-artifacts"),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                parsed.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?;
            }
            "--slow-ms" => {
                let ms = value("--slow-ms")?
                    .parse()
                    .map_err(|e| format!("--slow-ms: {e}"))?;
                parsed.slow = Duration::from_millis(ms);
            }
            "--seed" => {
                parsed.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--artifacts" => parsed.artifacts = PathBuf::from(value("--artifacts")?),
            "--replay" => parsed.replay.push(PathBuf::from(value("--replay")?)),
            "all" => parsed
                .targets
                .extend(TARGETS.iter().map(|t| (*t).to_owned())),
            "-h" | "--help" => {
                return Err(format!(
                    "usage: lotse-fuzz TARGET|all [--seconds N] [--seed S] [--artifacts DIR] [--slow-ms N] [--replay FILE]…\ntargets: {}",
                    TARGETS.join(", ")
                ));
            }
            target => parsed.targets.push(target.to_owned()),
        }
    }
    if parsed.targets.is_empty() {
        return Err("name a target or all (--help)".into());
    }
    Ok(parsed)
}

/// Milliseconds since the start at which the running input began (0: none running).
static STARTED: AtomicU64 = AtomicU64::new(0);

fn save(dir: &Path, kind: &str, input: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let name = format!("{kind}-{:016x}", fingerprint(input));
    let path = dir.join(name);
    let _ = std::fs::write(&path, input);
    path
}

fn fingerprint(input: &[u8]) -> u64 {
    input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[derive(Default)]
struct Tally {
    runs: u64,
    accepted: u64,
    findings: Vec<String>,
}

fn fuzz(
    target: &mut dyn Target,
    seconds: u64,
    slow: Duration,
    rng: &mut Rng,
    dir: &Path,
    clock: Instant,
) -> Tally {
    let mut corpus = target.seeds();
    corpus.retain(|s| !s.is_empty());
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let current = dir.join("current");
    let _ = std::fs::create_dir_all(dir);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tally = Tally::default();
    let mut seen_findings = std::collections::BTreeSet::new();
    // The seeds themselves first, unchanged.
    let mut queue: Vec<Vec<u8>> = corpus.clone();
    while Instant::now() < deadline {
        let input = match queue.pop() {
            Some(seed) => seed,
            None => {
                let mut input = rng.pick(&corpus).cloned().unwrap_or_default();
                mutate(rng, &mut input, target.tokens(), &corpus, target.max_len());
                if target.first_byte_selects()
                    && rng.below(2) == 0
                    && let Some(first) = input.first_mut()
                {
                    *first = rng.next() as u8;
                }
                input
            }
        };
        // Written before the run so that an abort (memory) or a hang leaves it behind.
        let _ = std::fs::write(&current, &input);
        let started = Instant::now();
        STARTED.store(clock.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        STARTED.store(0, Ordering::Relaxed);
        let took = started.elapsed();
        tally.runs += 1;
        let finding = match outcome {
            Ok(Ok(accepted)) => {
                if accepted {
                    tally.accepted += 1;
                    if corpus.len() < CORPUS {
                        corpus.push(input.clone());
                    } else {
                        let i = rng.below(corpus.len());
                        corpus[i] = input.clone();
                    }
                }
                // Wall time: a busy machine makes any input look slow once, so a slow input
                // counts only if it is slow again.
                let mut again = || {
                    let started = Instant::now();
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
                    started.elapsed()
                };
                (took > slow && again() > slow).then(|| format!("slow ({} ms)", took.as_millis()))
            }
            Ok(Err(defect)) => Some(defect),
            Err(panic) => Some(format!(
                "panic: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
            )),
        };
        if let Some(finding) = finding {
            let kind = finding
                .split([' ', ':'])
                .next()
                .unwrap_or("finding")
                .to_owned();
            // One report per kind of finding and message start, not one per input.
            let key: String = finding.chars().take(60).collect();
            if seen_findings.insert(key) {
                let path = save(dir, &kind, &input);
                eprintln!("  {}: {finding} (input {})", target.name(), path.display());
                tally.findings.push(finding);
            }
        }
    }
    let _ = std::fs::remove_file(current);
    tally
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Panics are findings, reported once by the loop: the default hook would print each.
    std::panic::set_hook(Box::new(|_| {}));
    if let Err(e) = rlimit::setrlimit(rlimit::Resource::AS, MEMORY, MEMORY) {
        eprintln!("memory limit not set: {e}");
    }
    let clock = Instant::now();
    let watched = Arc::new(std::sync::Mutex::new(PathBuf::new()));
    {
        let watched = Arc::clone(&watched);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let started = STARTED.load(Ordering::Relaxed);
                let now = clock.elapsed().as_millis() as u64 + 1;
                if started > 0 && now.saturating_sub(started) > HANG.as_millis() as u64 {
                    let dir = watched.lock().map(|d| d.clone()).unwrap_or_default();
                    let input = std::fs::read(dir.join("current")).unwrap_or_default();
                    let path = save(&dir, "hang", &input);
                    eprintln!(
                        "hang: an input ran longer than {HANG:?} (input {})",
                        path.display()
                    );
                    std::process::exit(3);
                }
            }
        });
    }
    let mut rng = Rng::new(args.seed);
    println!(
        "lotse-fuzz: seed {}, {} s per target",
        args.seed, args.seconds
    );
    let (mut passed, mut failed) = (0, 0);
    for name in &args.targets {
        let dir = args.artifacts.join(name);
        if let Ok(mut d) = watched.lock() {
            d.clone_from(&dir);
        }
        let mut target = match make(name) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{name}: {e}");
                failed += 1;
                continue;
            }
        };
        if !args.replay.is_empty() {
            for file in &args.replay {
                let input = std::fs::read(file).unwrap_or_default();
                let started = Instant::now();
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
                println!(
                    "{name} {}: {:?} in {} ms",
                    file.display(),
                    outcome.map_err(|_| "panic"),
                    started.elapsed().as_millis()
                );
            }
            continue;
        }
        let tally = fuzz(
            target.as_mut(),
            args.seconds,
            args.slow,
            &mut rng,
            &dir,
            clock,
        );
        println!(
            "{name}: {} inputs, {} accepted, {} findings",
            tally.runs,
            tally.accepted,
            tally.findings.len()
        );
        let summary = target.summary();
        if !summary.is_empty() {
            println!("{name}: {summary}");
        }
        if tally.findings.is_empty() {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("fuzz: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
