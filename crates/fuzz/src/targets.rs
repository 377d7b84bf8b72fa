//! What is fuzzed: every importer (catalogue CSV and XLSX, organisation CSV, HSDS datapackage
//! and JSON), each followed through to what the import makes of the input, and the request
//! parsing of every route of the real router.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use lotse_domain::hsds;
use lotse_domain::measure_import::{
    data_rows, find_header, parse_catalogue_date, parse_catalogue_status, read_csv,
};

pub use crate::requests::Requests;

/// One fuzz target.
pub trait Target {
    fn name(&self) -> &'static str;
    /// Valid (and some invalid) inputs to start from.
    fn seeds(&self) -> Vec<Vec<u8>>;
    /// Tokens this target's parser cares about, besides the common ones.
    fn tokens(&self) -> &[&'static [u8]] {
        &[]
    }
    fn max_len(&self) -> usize {
        256 * 1024
    }
    /// Whether the first byte of an input picks among alternatives (routes, files): the loop
    /// then re-draws it for half the inputs, so that the corpus, which grows with accepted
    /// inputs, does not narrow down to the alternatives that are accepted most easily.
    fn first_byte_selects(&self) -> bool {
        false
    }
    /// What the target saw, for the closing line (e.g. answers by status).
    fn summary(&self) -> String {
        String::new()
    }
    /// Runs one input. `Ok(true)`: accepted (kept as a seed for more mutations), `Ok(false)`:
    /// refused with a message, as it should be; `Err`: a defect other than a panic (a 500).
    fn run(&mut self, input: &[u8]) -> Result<bool, String>;
}

pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repository().join(path)).unwrap_or_default()
}

/// Follows a table through the catalogue import as far as the domain goes.
fn catalogue(rows: &[Vec<String>]) -> bool {
    let Some((index, columns)) = find_header(rows) else {
        return false;
    };
    for row in data_rows(rows, index, &columns) {
        let _ = parse_catalogue_date(&row.start);
        let _ = parse_catalogue_date(&row.end);
        let _ = parse_catalogue_status(&row.status);
    }
    true
}

const CSV_TOKENS: &[&[u8]] = &[
    b"Nr.;Ma\xc3\x9fnahme;Sachstand;Beginn;Ende\n",
    b"Titel,Code,Status\n",
    b";in Umsetzung;01.09.2010;2011\n",
    b"\"a;b\"",
    b"\"\"\"",
    b"09/2010",
];

pub struct CatalogueCsv;

impl Target for CatalogueCsv {
    fn name(&self) -> &'static str {
        "catalogue-csv"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![
            read("crates/store/reference/measures_2010_known.csv"),
            "Katalog\nStand: 2024;;\n\nNr.;Maßnahme;Federführung;Partner;Sachstand;Beginn;Ende\n1.1;Sprachcafé;Caritas;\"AWO; DRK\";in Umsetzung;01.09.2010;2012\n"
                .as_bytes()
                .to_vec(),
            b"Titel,Code,Status\nA,1,geplant\n".to_vec(),
        ]
    }
    fn tokens(&self) -> &[&'static [u8]] {
        CSV_TOKENS
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        Ok(read_csv(input).is_ok_and(|rows| catalogue(&rows)))
    }
}

pub struct OrganisationsCsv;

impl Target for OrganisationsCsv {
    fn name(&self) -> &'static str {
        "organisations-csv"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![
            "Name;Art;Gemeinde;Straße;PLZ;Ort;E-Mail;Telefon;Webseite\nCaritas Ahlen;welfare_association;Ahlen;Südstr. 1;59227;Ahlen;info@caritas.de;02382 1;https://caritas.de\n"
                .as_bytes()
                .to_vec(),
            b"name,kind,town\nSchule,school,05570052\n".to_vec(),
        ]
    }
    fn tokens(&self) -> &[&'static [u8]] {
        CSV_TOKENS
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        Ok(lotse_domain::parse_organisation_csv(input).is_ok())
    }
}

/// A minimal XLSX around the given worksheet XML.
pub fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    const PARTS: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Katalog" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in PARTS {
        let _ = zip.start_file(name, options);
        let _ = zip.write_all(text.as_bytes());
    }
    let _ = zip.start_file("xl/worksheets/sheet1.xml", options);
    let _ = zip.write_all(sheet);
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nr.</t></is></c><c r="B1" t="inlineStr"><is><t>Maßnahme</t></is></c><c r="C1" t="inlineStr"><is><t>Beginn</t></is></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>Sprachcafé</t></is></c><c r="C2" s="1"><v>45658</v></c></row><row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="d"><v>2024-01-01T00:00:00</v></c></row></sheetData></worksheet>"#;

/// Input starting with `S` is worksheet XML put into an XLSX; anything else is the file.
pub struct CatalogueXlsx;

impl Target for CatalogueXlsx {
    fn name(&self) -> &'static str {
        "catalogue-xlsx"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        let mut seeds = vec![[b"S".as_slice(), SHEET.as_bytes()].concat()];
        for file in ["far-cell.xlsx", "far-row.xlsx", "control-chars.xlsx"] {
            seeds.push(read(&format!("tests/fixtures/hostile/{file}")));
        }
        seeds.push(xlsx_with_sheet(SHEET.as_bytes()));
        seeds
    }
    fn tokens(&self) -> &[&'static [u8]] {
        &[
            b"<row r=\"1048576\">",
            b"<c r=\"XFD1\" t=\"inlineStr\"><is><t>x</t></is></c>",
            b"<c r=\"A1\" t=\"s\"><v>99999</v></c>",
            b"<c r=\"ZZZZZ99999999\"><v>1</v></c>",
            b"<v>1e308</v>",
            b"<v>-1</v>",
            b"t=\"d\"",
            b"t=\"s\"",
            b"s=\"1\"",
            b"</row>",
            b"<dimension ref=\"A1:XFD1048576\"/>",
            b"_x0001_",
        ]
    }
    fn max_len(&self) -> usize {
        1024 * 1024
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        let file = match input.strip_prefix(b"S") {
            Some(sheet) => xlsx_with_sheet(sheet),
            None => input.to_vec(),
        };
        Ok(lotse_reports::read_xlsx(&file).is_ok_and(|rows| catalogue(&rows)))
    }
}

/// The district's towns (AGS, name), as the HSDS import recognises them.
fn towns() -> Vec<(String, String)> {
    String::from_utf8_lossy(&read("crates/store/reference/towns.csv"))
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.split(',');
            Some((cells.next()?.to_owned(), cells.next()?.to_owned()))
        })
        .collect()
}

fn hsds_through(directory: &hsds::Directory, towns: &[(String, String)]) -> bool {
    match hsds::to_offers(directory, towns) {
        Ok(imported) => {
            for offer in &imported.offers {
                let _ = offer.content.check_imported();
            }
            true
        }
        Err(_) => false,
    }
}

/// Input: one byte choosing which file of the example package it replaces, then that file.
pub struct HsdsDatapackage {
    files: BTreeMap<String, Vec<u8>>,
    towns: Vec<(String, String)>,
}

impl HsdsDatapackage {
    pub fn new() -> Self {
        let dir = repository().join("tests/fixtures/hsds-3.0/examples-csv");
        let mut files = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.insert(name, std::fs::read(entry.path()).unwrap_or_default());
            }
        }
        HsdsDatapackage {
            files,
            towns: towns(),
        }
    }
}

impl Target for HsdsDatapackage {
    fn name(&self) -> &'static str {
        "hsds-datapackage"
    }
    fn first_byte_selects(&self) -> bool {
        true
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        self.files
            .values()
            .enumerate()
            .map(|(i, bytes)| [&[i as u8][..], bytes].concat())
            .collect()
    }
    fn tokens(&self) -> &[&'static [u8]] {
        &[
            b"\"resources\"",
            b"\"path\": \"services.csv\"",
            b"\"name\": \"service\"",
            b"id,organization_id,name,status\n",
            b"latitude,longitude\n",
            b",91.5,",
            b",-181,",
            b"'=cmd",
        ]
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        let Some((&which, file)) = input.split_first() else {
            return Ok(false);
        };
        let mut files = self.files.clone();
        if let Some(name) = files
            .keys()
            .nth(usize::from(which) % files.len().max(1))
            .cloned()
        {
            files.insert(name, file.to_vec());
        }
        Ok(hsds::read_datapackage(&files).is_ok_and(|d| hsds_through(&d, &self.towns)))
    }
}

pub struct HsdsJson {
    towns: Vec<(String, String)>,
}

impl HsdsJson {
    pub fn new() -> Self {
        HsdsJson { towns: towns() }
    }
}

impl Target for HsdsJson {
    fn name(&self) -> &'static str {
        "hsds-json"
    }
    fn seeds(&self) -> Vec<Vec<u8>> {
        let service = read("tests/fixtures/hsds-3.0/service_full.json");
        vec![
            service.clone(),
            [b"[".as_slice(), &service, b",", &service, b"]"].concat(),
            [b"{\"contents\": [".as_slice(), &service, b"]}"].concat(),
            read("tests/fixtures/hsds-3.0/organization_full.json"),
            read("tests/fixtures/hsds-3.0/service_at_location_full.json"),
        ]
    }
    fn tokens(&self) -> &[&'static [u8]] {
        &[
            b"\"id\": \"\"",
            b"\"name\": null",
            b"\"latitude\": 1e400",
            b"\"organization\": {}",
            b"\"service_at_locations\": [{}]",
            b"\\u0000",
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ]
    }
    fn max_len(&self) -> usize {
        1024 * 1024
    }
    fn run(&mut self, input: &[u8]) -> Result<bool, String> {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(input) else {
            return Ok(false);
        };
        Ok(hsds::from_service_json(&json).is_ok_and(|d| hsds_through(&d, &self.towns)))
    }
}
