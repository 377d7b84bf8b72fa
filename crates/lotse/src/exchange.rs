//! Imports, exports and reports from the command line: measure catalogues, HSDS, the committee
//! status report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lotse_store::{Actor, Db, StoreError, now_ms, organisations};

use crate::cli::*;

pub(crate) async fn import_measures(
    db: &Db,
    file: &Path,
    concept: &str,
    map: &[String],
    valid_only: bool,
) -> Result<ExitCode, StoreError> {
    use lotse_domain::measure_import::{apply_mapping, data_rows, find_header};
    let concept_id = lotse_store::measures::concepts(db)
        .await?
        .into_iter()
        .find(|c| c.id == concept || c.short_name.eq_ignore_ascii_case(concept.trim()))
        .map(|c| c.id)
        .ok_or_else(|| {
            StoreError::Config(format!(
                "no concept '{concept}' (give its short name or id)"
            ))
        })?;
    let rows = read_table(file)?;
    let (index, mut columns) = find_header(&rows).ok_or_else(|| {
        StoreError::Config("no header row found: it needs a title column (Maßnahme/Titel) and one more known column; use --map".into())
    })?;
    let mapping = mapping_pairs(map)?;
    apply_mapping(&rows[index], &mut columns, &mapping).map_err(StoreError::Config)?;
    let data = data_rows(&rows, index, &columns);
    let mode = if valid_only {
        organisations::ImportMode::ValidRowsOnly
    } else {
        organisations::ImportMode::AllOrNothing
    };
    let report = lotse_store::measure_import::import(
        db,
        &Actor::system("import"),
        &concept_id,
        &data,
        mode,
        now_ms(),
    )
    .await?;
    for e in &report.errors {
        eprintln!("{e}");
    }
    println!(
        "{} rows read, {} measures created ({} organisations and {} fields of action created), {} errors",
        report.rows,
        report.created,
        report.organisations_created,
        report.fields_created,
        report.errors.len()
    );
    if !report.errors.is_empty() && !valid_only {
        println!("nothing was imported; correct the rows or use --valid-only");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a table file as rows of cells: XLSX by its extension, else CSV.
fn read_table(file: &Path) -> Result<Vec<Vec<String>>, StoreError> {
    let bytes = std::fs::read(file)
        .map_err(|e| StoreError::Config(format!("cannot read {}: {e}", file.display())))?;
    let is_xlsx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        lotse_reports::read_xlsx(&bytes)
    } else {
        lotse_domain::measure_import::read_csv(&bytes)
    }
    .map_err(StoreError::Config)
}

/// `--map Header=field` arguments as pairs.
fn mapping_pairs(map: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    map.iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, f)| (h.to_owned(), f.to_owned()))
                .ok_or_else(|| StoreError::Config(format!("--map '{m}': expected Header=field")))
        })
        .collect()
}

/// `lotse import cases`: the web's case list import, for lists too long to upload (the same
/// checks, the same report), in the name of a case manager.
pub(crate) async fn import_cases(
    db: &Db,
    file: &Path,
    case_manager: &str,
    map: &[String],
    valid_only: bool,
) -> Result<ExitCode, StoreError> {
    use lotse_domain::case::{CaseColumn, case_rows, find_case_header};
    let user = lotse_store::users::get_by_username(db, case_manager)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::Config(format!("no account '{case_manager}' (give a username)"))
            }
            other => other,
        })?;
    // As the web sees a signed-in account: only an active one has a principal.
    let viewer = lotse_store::users::principal(db, &user.id)
        .await?
        .ok_or_else(|| StoreError::Config(format!("the account '{case_manager}' is deactivated")))?
        .viewer();
    let rows = read_table(file)?;
    let (index, mut columns) = find_case_header(&rows).ok_or_else(|| {
        StoreError::Config(
            "no header row found: it needs a family name column (Name/Familienname) and one more known column; use --map"
                .into(),
        )
    })?;
    let keys: Vec<&str> = CaseColumn::ALL.iter().map(|c| c.key()).collect();
    let by_key = |k: &str| {
        CaseColumn::ALL
            .iter()
            .copied()
            .find(|c| c.key() == k.trim())
    };
    lotse_domain::measure_import::map_columns(
        &rows[index],
        &mut columns,
        &mapping_pairs(map)?,
        by_key,
        &keys,
    )
    .map_err(StoreError::Config)?;
    let data = case_rows(&rows, index, &columns);
    let mode = if valid_only {
        organisations::ImportMode::ValidRowsOnly
    } else {
        organisations::ImportMode::AllOrNothing
    };
    let towns = lotse_store::reference::town_names(db).await?;
    let now = now_ms();
    let report =
        lotse_store::cases::import_cases(db, &viewer, &data, &towns, mode, lotse_web::today(), now)
            .await?;
    for e in &report.errors {
        eprintln!("{e}");
    }
    println!(
        "{} rows read, {} persons with a case created, {} errors",
        report.rows,
        report.created,
        report.errors.len()
    );
    if report.created == 0 && !report.errors.is_empty() {
        println!("nothing was imported; correct the rows or use --valid-only");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn status_report_file(
    db: &Db,
    round: &str,
    format: ReportFormat,
    out: &PathBuf,
) -> Result<ExitCode, StoreError> {
    let id = lotse_store::rounds::rounds(db)
        .await?
        .into_iter()
        .find(|r| r.id == round || r.title.eq_ignore_ascii_case(round.trim()))
        .map(|r| r.id)
        .ok_or_else(|| {
            StoreError::Config(format!("no review round '{round}' (give its id or title)"))
        })?;
    let report = lotse_store::status_report::build(db, &id).await?;
    let bytes = match format {
        ReportFormat::Html => lotse_web::pages::report::document_html(report, now_ms())
            .map_err(|e| StoreError::Config(format!("rendering failed: {e}")))?
            .into_bytes(),
        ReportFormat::Xlsx => lotse_reports::round_xlsx(&report).map_err(StoreError::Config)?,
        ReportFormat::Docx => lotse_reports::status_report_docx(&report, lotse_web::today())
            .map_err(StoreError::Config)?,
        ReportFormat::Pdf => lotse_reports::status_report_pdf(&report, lotse_web::today())
            .map_err(StoreError::Config)?,
    };
    std::fs::write(out, bytes)
        .map_err(|e| StoreError::Config(format!("cannot write {}: {e}", out.display())))?;
    println!("report written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Synthetic data for the report benchmark: one concept with `n` measures in 8 fields, all
/// reported and accepted in one round, which is then closed.
/// Reads an HSDS datapackage directory (every file it names) or a JSON file of services.
pub(crate) fn read_hsds(path: &Path) -> Result<lotse_domain::hsds::Directory, Vec<String>> {
    use lotse_domain::{hsds, limits};
    // Sizes are checked before a file is read into memory.
    let read = |file: &Path| -> Result<Vec<u8>, Vec<String>> {
        let size = std::fs::metadata(file)
            .map_err(|e| vec![format!("{}: {e}", file.display())])?
            .len();
        if size > limits::EXCHANGE_FILE_BYTES {
            return Err(vec![format!(
                "{}: {} MB; eine Datei darf höchstens {} MB groß sein. Bitte in Teilen austauschen.",
                file.display(),
                size / 1024 / 1024,
                limits::EXCHANGE_FILE_BYTES / 1024 / 1024
            )]);
        }
        std::fs::read(file).map_err(|e| vec![format!("{}: {e}", file.display())])
    };
    if path.is_dir() {
        let mut files = std::collections::BTreeMap::new();
        let entries =
            std::fs::read_dir(path).map_err(|e| vec![format!("{}: {e}", path.display())])?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "datapackage.json" || name.ends_with(".csv") {
                files.insert(name, read(&entry.path())?);
            }
        }
        hsds::read_datapackage(&files)
    } else {
        let bytes = read(path)?;
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| vec![format!("{}: kein gültiges JSON ({e}).", path.display())])?;
        hsds::from_service_json(&json)
    }
}

pub(crate) async fn import_hsds(db: &Db, path: &Path, draft: bool) -> Result<ExitCode, StoreError> {
    use lotse_store::offer_exchange;
    let refused = |errors: Vec<String>| {
        eprintln!("Import abgelehnt, nichts wurde geschrieben:");
        for e in errors {
            eprintln!("  {e}");
        }
        Ok(ExitCode::FAILURE)
    };
    let directory = match read_hsds(path) {
        Ok(d) => d,
        Err(errors) => return refused(errors),
    };
    let imported = match offer_exchange::parse(db, &directory).await {
        Ok(i) => i,
        Err(errors) => return refused(errors),
    };
    let save_as = if draft {
        lotse_store::offers::SaveAs::Draft
    } else {
        lotse_store::offers::SaveAs::Published
    };
    let today = lotse_web::today();
    match offer_exchange::import(
        db,
        &lotse_store::scoped::Viewer::system("hsds-import"),
        &imported,
        save_as,
        today,
        now_ms(),
    )
    .await
    {
        Ok(report) => {
            println!(
                "{} Angebote angelegt, {} aktualisiert ({}), {} Organisationen angelegt",
                report.created,
                report.updated,
                if draft {
                    "als Entwurf"
                } else {
                    "veröffentlicht"
                },
                report.organisations_created
            );
            for s in &report.skipped {
                println!("übersprungen: {s}");
            }
            for n in &report.notes {
                println!("Hinweis: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Invalid(errors)) => {
            refused(errors.iter().map(|(_, m)| m.to_owned()).collect())
        }
        Err(e) => Err(e),
    }
}

pub(crate) async fn export_hsds(db: &Db, dir: &Path) -> Result<ExitCode, StoreError> {
    use lotse_domain::hsds;
    let io = |e: std::io::Error| StoreError::Config(format!("{}: {e}", dir.display()));
    let directory = lotse_store::offer_exchange::export(db, lotse_web::today()).await?;
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, bytes) in hsds::write_datapackage(&directory).map_err(StoreError::Config)? {
        std::fs::write(dir.join(name), bytes).map_err(io)?;
    }
    // Each service nested and written in turn, the directory indexed once (a search per service
    // was quadratic, and 100,000 nested services held at once take gigabytes).
    let path = dir.join("services.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    let services = hsds::write_services_json(&directory, &mut out).map_err(StoreError::Config)?;
    std::io::Write::flush(&mut out).map_err(io)?;
    println!(
        "{} Angebote von {} Organisationen nach {} geschrieben (HSDS 3.0)",
        services,
        directory.rows("organization").len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
