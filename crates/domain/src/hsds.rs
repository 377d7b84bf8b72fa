//! Exchange of the offer directory as Open Referral HSDS 3.0: the tabular datapackage
//! (`datapackage.json` + CSV files) and the JSON of the HSDS API.
//!
//! Everything Lotse holds about an offer has a place: HSDS columns where HSDS has one (name,
//! description, application process, eligibility, ages, assured date, phones, contacts, languages,
//! locations with addresses, weekly schedules, cost options, required documents, accessibility),
//! and otherwise an `attribute` that links the service to a term of one of Lotse's own
//! taxonomies: topics, target groups, the texts of the other languages (`text.title.ar`),
//! capacity and validity. So `export → import` gives back the same offers, and other directories
//! still read everything they know. Identifiers of rows Lotse does not store (locations,
//! schedules, …) are derived from the offer's id, so an unchanged offer exports identically.

use std::borrow::Cow;
use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

use crate::csv_file;
use crate::date::Date;
use crate::limits;
use crate::offer::{
    Capacity, Locale, OfferContent, OfferLocation, OfferTexts, OpeningHours, TEXT_FIELDS,
    TargetGroup, Topic, Weekday, delivery_language_name, parse_time,
};
use crate::validation::{Lines, forbidden_character, forbidden_character_message, is_uuid};

/// A column: name and its datapackage type (`string`, `number`, `date`, `datetime`, `time`).
pub type Column = (&'static str, &'static str);

/// One HSDS table as Lotse reads and writes it: only the columns it uses, in schema order.
pub struct TableSpec {
    /// Resource name in `datapackage.json` (and the HSDS schema file name without `.json`).
    pub name: &'static str,
    pub file: &'static str,
    pub columns: &'static [Column],
}

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "organization",
        file: "organizations.csv",
        columns: &[
            ("id", "string"),
            ("name", "string"),
            ("description", "string"),
            ("email", "string"),
            ("website", "string"),
        ],
    },
    TableSpec {
        name: "service",
        file: "services.csv",
        columns: &[
            ("id", "string"),
            ("organization_id", "string"),
            ("name", "string"),
            ("description", "string"),
            ("url", "string"),
            ("email", "string"),
            ("status", "string"),
            ("application_process", "string"),
            ("fees_description", "string"),
            ("eligibility_description", "string"),
            ("minimum_age", "number"),
            ("maximum_age", "number"),
            ("assured_date", "date"),
            ("last_modified", "datetime"),
        ],
    },
    TableSpec {
        name: "location",
        file: "locations.csv",
        columns: &[
            ("id", "string"),
            ("location_type", "string"),
            ("organization_id", "string"),
            ("name", "string"),
            ("latitude", "number"),
            ("longitude", "number"),
            ("external_identifier", "string"),
            ("external_identifier_type", "string"),
        ],
    },
    TableSpec {
        name: "address",
        file: "addresses.csv",
        columns: &[
            ("id", "string"),
            ("location_id", "string"),
            ("address_1", "string"),
            ("city", "string"),
            ("region", "string"),
            ("state_province", "string"),
            ("postal_code", "string"),
            ("country", "string"),
            ("address_type", "string"),
        ],
    },
    TableSpec {
        name: "service_at_location",
        file: "service_at_location.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("location_id", "string"),
        ],
    },
    TableSpec {
        name: "schedule",
        file: "schedules.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("freq", "string"),
            ("wkst", "string"),
            ("byday", "string"),
            ("opens_at", "time"),
            ("closes_at", "time"),
            ("description", "string"),
            ("notes", "string"),
        ],
    },
    TableSpec {
        name: "language",
        file: "languages.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("name", "string"),
            ("code", "string"),
        ],
    },
    TableSpec {
        name: "phone",
        file: "phones.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("number", "string"),
        ],
    },
    TableSpec {
        name: "contact",
        file: "contacts.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("name", "string"),
        ],
    },
    TableSpec {
        name: "cost_option",
        file: "cost_options.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("option", "string"),
            ("currency", "string"),
            ("amount", "number"),
        ],
    },
    TableSpec {
        name: "required_document",
        file: "required_documents.csv",
        columns: &[
            ("id", "string"),
            ("service_id", "string"),
            ("document", "string"),
        ],
    },
    TableSpec {
        name: "accessibility",
        file: "accessibility.csv",
        columns: &[
            ("id", "string"),
            ("location_id", "string"),
            ("description", "string"),
        ],
    },
    TableSpec {
        name: "taxonomy",
        file: "taxonomies.csv",
        columns: &[
            ("id", "string"),
            ("name", "string"),
            ("description", "string"),
            ("version", "string"),
        ],
    },
    TableSpec {
        name: "taxonomy_term",
        file: "taxonomy_terms.csv",
        columns: &[
            ("id", "string"),
            ("code", "string"),
            ("name", "string"),
            ("description", "string"),
            ("taxonomy_id", "string"),
            ("language", "string"),
        ],
    },
    TableSpec {
        name: "attribute",
        file: "attributes.csv",
        columns: &[
            ("id", "string"),
            ("link_id", "string"),
            ("taxonomy_term_id", "string"),
            ("link_type", "string"),
            ("link_entity", "string"),
            ("value", "string"),
        ],
    },
];

pub fn spec(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// A row: column name → text (empty cells are absent).
pub type Row = BTreeMap<String, String>;

/// The directory as HSDS tables, keyed by resource name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Directory {
    pub tables: BTreeMap<String, Vec<Row>>,
}

impl Directory {
    pub fn rows(&self, table: &str) -> &[Row] {
        self.tables.get(table).map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, table: &str, cells: &[(&str, String)]) {
        let row: Row = cells
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self.tables.entry(table.to_owned()).or_default().push(row);
    }
}

/// A stable UUID (version 5, SHA-1, Lotse's own namespace) for a row Lotse does not store itself.
pub fn derived_id(parts: &[&str]) -> String {
    // Namespace: a fixed random UUID for Lotse's HSDS rows.
    const NAMESPACE: [u8; 16] = [
        0x6c, 0x6f, 0x74, 0x73, 0x65, 0x2d, 0x48, 0x53, 0x91, 0x53, 0x2d, 0x33, 0x2e, 0x30, 0x00,
        0x01,
    ];
    let mut hasher = Sha1::new();
    hasher.update(NAMESPACE);
    hasher.update(parts.join("/").as_bytes());
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    // Lower-case hex digits; a `format!` per byte was a tenth of a large export.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for x in b {
        hex.push(char::from(DIGITS[usize::from(x >> 4)]));
        hex.push(char::from(DIGITS[usize::from(x & 0x0f)]));
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

const TOPICS_TAXONOMY: &str = "lotse-themen";
const GROUPS_TAXONOMY: &str = "lotse-zielgruppen";
const TEXTS_TAXONOMY: &str = "lotse-texte";
const FACTS_TAXONOMY: &str = "lotse-angaben";

/// Lotse's taxonomies: (key, name, description).
const TAXONOMIES: &[(&str, &str, &str)] = &[
    (
        TOPICS_TAXONOMY,
        "Lotse: Themen",
        "Themen des Angebotsverzeichnisses im Kreis Warendorf",
    ),
    (
        GROUPS_TAXONOMY,
        "Lotse: Zielgruppen",
        "Zielgruppen des Angebotsverzeichnisses im Kreis Warendorf",
    ),
    (
        TEXTS_TAXONOMY,
        "Lotse: Texte und Übersetzungen",
        "Texte eines Angebots je Sprache, für die HSDS keine Spalte hat (Wert des Attributs = Text)",
    ),
    (
        FACTS_TAXONOMY,
        "Lotse: weitere Angaben",
        "Platzangebot (places_free, waiting_list, full), Gültigkeit (JJJJ-MM-TT)",
    ),
];

/// One term: (taxonomy key, code, name, language).
fn terms() -> Vec<(&'static str, String, String, String)> {
    let mut terms = Vec::new();
    for t in Topic::ALL {
        terms.push((
            TOPICS_TAXONOMY,
            t.key().to_owned(),
            t.label().to_owned(),
            "de".into(),
        ));
    }
    for g in TargetGroup::ALL {
        terms.push((
            GROUPS_TAXONOMY,
            g.key().to_owned(),
            g.label().to_owned(),
            "de".into(),
        ));
    }
    for locale in Locale::ALL {
        for f in &TEXT_FIELDS {
            terms.push((
                TEXTS_TAXONOMY,
                format!("text.{}.{}", f.name, locale.key()),
                format!("{} ({})", f.label, locale.german_name()),
                // A BCP 47 tag: Leichte Sprache is "de-x-ls", not its short key.
                locale.lang_tag().to_owned(),
            ));
        }
    }
    for (code, name) in [
        ("capacity", "Plätze"),
        ("valid_from", "Gültig ab"),
        ("valid_to", "Gültig bis"),
    ] {
        terms.push((
            FACTS_TAXONOMY,
            code.to_owned(),
            name.to_owned(),
            "de".into(),
        ));
    }
    terms
}

fn term_id(taxonomy: &str, code: &str) -> String {
    derived_id(&["taxonomy_term", taxonomy, code])
}

/// An organisation as exported.
pub struct ExportOrganisation<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub email: &'a str,
    pub website: &'a str,
}

/// An offer as exported.
pub struct ExportOffer<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub content: &'a OfferContent,
    pub verified_on: Option<Date>,
    /// RFC 3339 instant of the publication.
    pub last_modified: &'a str,
    /// `active`, or `inactive` when past its end date.
    pub status: &'a str,
}

/// Builds the HSDS tables of the given offers. `towns` are (AGS, name) of the district.
pub fn export(
    organisations: &[ExportOrganisation<'_>],
    offers: &[ExportOffer<'_>],
    towns: &[(String, String)],
) -> Directory {
    let mut d = Directory::default();
    for o in organisations {
        d.push(
            "organization",
            &[
                ("id", o.id.to_owned()),
                ("name", o.name.to_owned()),
                // HSDS requires a description; the kind of organisation is a fair one.
                ("description", o.description.to_owned()),
                ("email", o.email.to_owned()),
                ("website", o.website.to_owned()),
            ],
        );
    }
    // HSDS requires a description column value; keep the key even when empty.
    for row in d.tables.entry("organization".into()).or_default() {
        row.entry("description".into()).or_default();
    }
    for (key, name, description) in TAXONOMIES {
        d.push(
            "taxonomy",
            &[
                ("id", derived_id(&["taxonomy", key])),
                ("name", (*name).to_owned()),
                ("description", (*description).to_owned()),
                ("version", "1".to_owned()),
            ],
        );
    }
    for (taxonomy, code, name, language) in terms() {
        d.push(
            "taxonomy_term",
            &[
                ("id", term_id(taxonomy, &code)),
                ("code", code.clone()),
                ("name", name.clone()),
                ("description", name),
                ("taxonomy_id", derived_id(&["taxonomy", taxonomy])),
                ("language", language),
            ],
        );
    }
    for offer in offers {
        export_offer(&mut d, offer, towns);
    }
    d
}

fn export_offer(d: &mut Directory, offer: &ExportOffer<'_>, towns: &[(String, String)]) {
    let c = offer.content;
    let id = offer.id;
    let g = c.german();
    d.push(
        "service",
        &[
            ("id", id.to_owned()),
            ("organization_id", offer.organisation_id.to_owned()),
            ("name", g.title.clone()),
            ("description", g.description.clone()),
            ("url", c.website.clone()),
            ("email", c.email.clone()),
            ("status", offer.status.to_owned()),
            ("application_process", g.registration.clone()),
            ("fees_description", g.fees.clone()),
            ("eligibility_description", g.eligibility.clone()),
            (
                "minimum_age",
                c.min_age.map(|a| a.to_string()).unwrap_or_default(),
            ),
            (
                "maximum_age",
                c.max_age.map(|a| a.to_string()).unwrap_or_default(),
            ),
            (
                "assured_date",
                offer.verified_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("last_modified", offer.last_modified.to_owned()),
        ],
    );
    if !c.phone.is_empty() {
        d.push(
            "phone",
            &[
                ("id", derived_id(&[id, "phone"])),
                ("service_id", id.to_owned()),
                ("number", c.phone.clone()),
            ],
        );
    }
    if !c.contact_name.is_empty() {
        d.push(
            "contact",
            &[
                ("id", derived_id(&[id, "contact"])),
                ("service_id", id.to_owned()),
                ("name", c.contact_name.clone()),
            ],
        );
    }
    for code in &c.languages {
        d.push(
            "language",
            &[
                ("id", derived_id(&[id, "language", code])),
                ("service_id", id.to_owned()),
                (
                    "name",
                    delivery_language_name(code).unwrap_or(code).to_owned(),
                ),
                ("code", code.clone()),
            ],
        );
    }
    if c.free_of_charge {
        d.push(
            "cost_option",
            &[
                ("id", derived_id(&[id, "cost"])),
                ("service_id", id.to_owned()),
                ("option", "kostenlos".to_owned()),
                ("currency", "EUR".to_owned()),
                ("amount", "0".to_owned()),
            ],
        );
    }
    if !g.required_documents.is_empty() {
        d.push(
            "required_document",
            &[
                ("id", derived_id(&[id, "documents"])),
                ("service_id", id.to_owned()),
                ("document", g.required_documents.clone()),
            ],
        );
    }
    for (i, l) in c.locations.iter().enumerate() {
        let n = i.to_string();
        let location_id = derived_id(&[id, "location", &n]);
        let town = towns.iter().find(|(a, _)| *a == l.town).map(|(_, n)| n);
        d.push(
            "location",
            &[
                ("id", location_id.clone()),
                ("location_type", "physical".to_owned()),
                ("organization_id", offer.organisation_id.to_owned()),
                ("name", l.name.clone()),
                (
                    "latitude",
                    l.latitude.map(|v| v.to_string()).unwrap_or_default(),
                ),
                (
                    "longitude",
                    l.longitude.map(|v| v.to_string()).unwrap_or_default(),
                ),
                ("external_identifier", l.town.clone()),
                (
                    "external_identifier_type",
                    if l.town.is_empty() { "" } else { "AGS" }.to_owned(),
                ),
            ],
        );
        let city = town.cloned().unwrap_or_else(|| l.city.clone());
        if !l.street.is_empty() || !l.postal_code.is_empty() || !city.is_empty() {
            d.push(
                "address",
                &[
                    ("id", derived_id(&[id, "address", &n])),
                    ("location_id", location_id.clone()),
                    ("address_1", l.street.clone()),
                    ("city", city),
                    (
                        "region",
                        if town.is_some() {
                            "Kreis Warendorf"
                        } else {
                            ""
                        }
                        .to_owned(),
                    ),
                    (
                        "state_province",
                        if town.is_some() {
                            "Nordrhein-Westfalen"
                        } else {
                            ""
                        }
                        .to_owned(),
                    ),
                    ("postal_code", l.postal_code.clone()),
                    ("country", "DE".to_owned()),
                    ("address_type", "physical".to_owned()),
                ],
            );
            // HSDS requires these columns on every address, even when Lotse has no value.
            if let Some(row) = d.tables.get_mut("address").and_then(|r| r.last_mut()) {
                for required in ["address_1", "city", "state_province", "postal_code"] {
                    row.entry(required.into()).or_default();
                }
            }
        }
        if !g.accessibility.is_empty() {
            d.push(
                "accessibility",
                &[
                    ("id", derived_id(&[id, "accessibility", &n])),
                    ("location_id", location_id.clone()),
                    ("description", g.accessibility.clone()),
                ],
            );
        }
        d.push(
            "service_at_location",
            &[
                ("id", derived_id(&[id, "service_at_location", &n])),
                ("service_id", id.to_owned()),
                ("location_id", location_id),
            ],
        );
    }
    for (i, h) in c.opening_hours.iter().enumerate() {
        d.push(
            "schedule",
            &[
                ("id", derived_id(&[id, "schedule", &i.to_string()])),
                ("service_id", id.to_owned()),
                ("freq", "WEEKLY".to_owned()),
                ("wkst", "MO".to_owned()),
                ("byday", h.day.key().to_uppercase()),
                ("opens_at", h.opens.clone()),
                ("closes_at", h.closes.clone()),
                ("notes", g.schedule_note.clone()),
            ],
        );
    }
    // Texts without an HSDS column: the German ones that have no place above, and every
    // translation.
    let mut attribute = |taxonomy: &str, code: &str, value: String| {
        if value.is_empty() {
            return;
        }
        d.push(
            "attribute",
            &[
                ("id", derived_id(&[id, "attribute", taxonomy, code])),
                ("link_id", id.to_owned()),
                ("taxonomy_term_id", term_id(taxonomy, code)),
                ("link_type", "service".to_owned()),
                ("link_entity", "service".to_owned()),
                ("value", value),
            ],
        );
    };
    for t in &c.topics {
        attribute(TOPICS_TAXONOMY, t.key(), t.label().to_owned());
    }
    for g in &c.target_groups {
        attribute(GROUPS_TAXONOMY, g.key(), g.label().to_owned());
    }
    let has_locations = !c.locations.is_empty();
    let has_schedules = !c.opening_hours.is_empty();
    for (locale, texts) in &c.texts {
        for f in &TEXT_FIELDS {
            let placed_in_columns = *locale == Locale::De
                && match f.name {
                    "easy_summary" => false,
                    "accessibility" => has_locations,
                    "schedule_note" => has_schedules,
                    _ => true,
                };
            if !placed_in_columns {
                attribute(
                    TEXTS_TAXONOMY,
                    &format!("text.{}.{}", f.name, locale.key()),
                    (f.get)(texts).to_owned(),
                );
            }
        }
    }
    if let Some(cap) = c.capacity {
        attribute(FACTS_TAXONOMY, "capacity", cap.key().to_owned());
    }
    if let Some(v) = &c.valid_from {
        attribute(FACTS_TAXONOMY, "valid_from", v.to_string());
    }
    if let Some(v) = &c.valid_to {
        attribute(FACTS_TAXONOMY, "valid_to", v.to_string());
    }
}

// ---------------------------------------------------------------------------------------------
// Files

/// The tables as files: `datapackage.json` and one CSV per table (UTF-8, comma, RFC 4180), the
/// layout of the HSDS tabular reference.
pub fn write_datapackage(d: &Directory) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for t in TABLES {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(t.columns.iter().map(|(c, _)| *c))
            .map_err(|e| e.to_string())?;
        for row in d.rows(t.name) {
            let cells: Vec<Cow<'_, str>> = t
                .columns
                .iter()
                .map(|(c, ty)| {
                    let value = row.get(*c).map_or("", String::as_str);
                    if *ty == "number" {
                        Cow::Borrowed(value)
                    } else {
                        csv_file::guard_cell(value)
                    }
                })
                .collect();
            w.write_record(cells.iter().map(|c| c.as_bytes()))
                .map_err(|e| e.to_string())?;
        }
        files.push((
            t.file.to_owned(),
            w.into_inner().map_err(|e| e.to_string())?,
        ));
        let fields: Vec<serde_json::Value> = t
            .columns
            .iter()
            .map(|(c, ty)| {
                let required = matches!(*c, "id");
                serde_json::json!({
                    "name": c, "type": ty,
                    "constraints": { "required": required, "unique": required }
                })
            })
            .collect();
        resources.push(serde_json::json!({
            "name": t.name, "path": t.file, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "profile": "tabular-data-resource",
            "schema": { "primaryKey": "id", "fields": fields }
        }));
    }
    let package = serde_json::json!({
        "name": "lotse-angebote-kreis-warendorf",
        "title": "Angebotsverzeichnis Kreis Warendorf (Lotse)",
        "description": "Open Referral HSDS 3.0, tabellarisch: veröffentlichte Angebote mit Übersetzungen als Attribute.",
        "profile": "tabular-data-package",
        "version": "3.0",
        "resources": resources
    });
    let json = serde_json::to_vec_pretty(&package).map_err(|e| e.to_string())?;
    files.insert(0, ("datapackage.json".to_owned(), json));
    Ok(files)
}

/// Reads a datapackage (file name → bytes). Only the tables Lotse knows are read; columns it
/// does not use are ignored. Every problem is reported with file, line and column. A package
/// holds at most `limits::EXCHANGE_RECORDS` records, all its tables together (decision 0011).
pub fn read_datapackage(files: &BTreeMap<String, Vec<u8>>) -> Result<Directory, Vec<String>> {
    read_datapackage_within(files, limits::EXCHANGE_RECORDS)
}

/// [`read_datapackage`] with at most `max_records` records in all tables together.
fn read_datapackage_within(
    files: &BTreeMap<String, Vec<u8>>,
    max_records: usize,
) -> Result<Directory, Vec<String>> {
    let mut errors = Vec::new();
    let Some(package) = files.get("datapackage.json") else {
        return Err(vec![
            "datapackage.json fehlt: ohne sie ist es kein HSDS-Datenpaket.".into(),
        ]);
    };
    let package: serde_json::Value = match serde_json::from_slice(package) {
        Ok(v) => v,
        Err(e) => return Err(vec![format!("datapackage.json: kein gültiges JSON ({e}).")]),
    };
    let Some(resources) = package["resources"].as_array() else {
        return Err(vec!["datapackage.json: „resources“ fehlt.".into()]);
    };
    let mut d = Directory::default();
    // Records read so far, all tables together; one more than allowed ends the reading.
    let mut records = 0;
    for resource in resources {
        if records > max_records {
            break;
        }
        let (Some(name), Some(path)) = (resource["name"].as_str(), resource["path"].as_str())
        else {
            errors.push("datapackage.json: eine Ressource ohne „name“ oder „path“.".into());
            continue;
        };
        let Some(spec) = spec(name) else {
            continue;
        };
        let Some(bytes) = files.get(path) else {
            errors.push(format!(
                "{path}: fehlt (in datapackage.json als „{name}“ genannt)."
            ));
            continue;
        };
        match read_csv(path, spec, bytes, &mut records, max_records) {
            Ok(rows) => {
                d.tables.insert(name.to_owned(), rows);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if d.rows("service").is_empty() && errors.is_empty() {
        errors.push("Das Datenpaket enthält keine Angebote (services).".into());
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(errors)
    }
}

/// One table's rows; `records` counts the records of the whole package, at most `max_records`.
fn read_csv(
    path: &str,
    spec: &TableSpec,
    bytes: &[u8],
    records: &mut usize,
    max_records: usize,
) -> Result<Vec<Row>, Vec<String>> {
    let text = csv_file::decode(bytes).map_err(|e| vec![format!("{path}: {e}")])?;
    csv_file::check_quotes(text, b',').map_err(|e| vec![format!("{path}: {e}")])?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_owned()).collect(),
        Err(e) => return Err(vec![format!("{path}: Kopfzeile nicht lesbar ({e}).")]),
    };
    if !headers.iter().any(|h| h == "id") {
        return Err(vec![format!("{path}: Spalte „id“ fehlt.")]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        *records += 1;
        if *records > max_records {
            errors.push(format!(
                "{path}: Das Datenpaket hat mehr als {} Datensätze (alle Dateien zusammen); bitte in Teilen austauschen.",
                limits::count_label(max_records)
            ));
            break;
        }
        if errors.len() >= limits::REPORTED_PROBLEMS {
            errors.push(format!("{path}: weitere Fehler nicht aufgeführt."));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{path}, Zeile {line}: nicht lesbar ({e})."));
                continue;
            }
        };
        let mut row = Row::new();
        for (header, value) in headers.iter().zip(record.iter()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if let Some((_, ty)) = spec.columns.iter().find(|(c, _)| c == header) {
                if *ty == "number" && value.parse::<f64>().is_err() {
                    errors.push(format!(
                        "{path}, Zeile {line}, Spalte {header}: „{value}“ ist keine Zahl."
                    ));
                    continue;
                }
                // Lotse's own exports guard text cells against formula injection; undone here so
                // that an export reads back as it was.
                let value = if *ty == "number" {
                    value
                } else {
                    csv_file::unguard_cell(value)
                };
                row.insert(header.clone(), value.to_owned());
            }
        }
        if row.get("id").is_none_or(String::is_empty) {
            errors.push(format!("{path}, Zeile {line}: „id“ ist leer."));
            continue;
        }
        rows.push(row);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// From HSDS to offers

/// An organisation found in the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedOrganisation {
    pub id: String,
    pub name: String,
    pub email: String,
    pub website: String,
}

/// An offer found in the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedOffer {
    pub id: String,
    pub organisation: ImportedOrganisation,
    pub content: OfferContent,
    pub verified_on: Option<Date>,
}

/// What the import made of the data: offers, and services it left out (with the reason).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Imported {
    pub offers: Vec<ImportedOffer>,
    pub skipped: Vec<String>,
    /// Values left out of an imported offer because they are impossible (e.g. a latitude of 100).
    pub notes: Vec<String>,
}

fn cell<'a>(row: &'a Row, column: &str) -> &'a str {
    row.get(column).map_or("", String::as_str)
}

fn by<'a>(d: &'a Directory, table: &str, column: &str, value: &str) -> Vec<&'a Row> {
    d.rows(table)
        .iter()
        .filter(|r| cell(r, column) == value)
        .collect()
}

/// How the import and the nested JSON find rows: the first row of a table with an id, and the
/// rows whose column names another row, in table order. A `Directory` searches its tables (fine
/// for one service); an `Index` looks both up in maps built once (for every service of a
/// directory: a search per service made exports and imports quadratic).
trait Lookup {
    fn with_id(&self, table: &str, id: &str) -> Option<&Row>;
    fn referring(&self, table: &str, column: &str, value: &str) -> Vec<&Row>;
}

impl Lookup for Directory {
    fn with_id(&self, table: &str, id: &str) -> Option<&Row> {
        self.rows(table).iter().find(|r| cell(r, "id") == id)
    }

    fn referring(&self, table: &str, column: &str, value: &str) -> Vec<&Row> {
        by(self, table, column, value)
    }
}

/// The tables whose rows are looked up by id.
const BY_ID: &[&str] = &[
    "organization",
    "service",
    "location",
    "taxonomy",
    "taxonomy_term",
];

/// The references followed from a service, location or organisation: (table, column).
const REFERENCES: &[(&str, &str)] = &[
    ("phone", "service_id"),
    ("schedule", "service_id"),
    ("language", "service_id"),
    ("cost_option", "service_id"),
    ("required_document", "service_id"),
    ("contact", "service_id"),
    ("service_at_location", "service_id"),
    ("attribute", "link_id"),
    ("address", "location_id"),
    ("accessibility", "location_id"),
    ("location", "organization_id"),
];

type ByValue<'a> = std::collections::HashMap<&'a str, Vec<&'a Row>>;

/// A directory indexed once, for work on all of its services: every lookup is a hash lookup,
/// and it finds exactly the rows a search of the tables would, in the same order.
pub struct Index<'a> {
    directory: &'a Directory,
    /// Per table of `BY_ID`: id → the first row with it.
    ids: Vec<(&'static str, std::collections::HashMap<&'a str, &'a Row>)>,
    /// Per reference of `REFERENCES`: value → the rows holding it, in table order.
    references: Vec<(&'static str, &'static str, ByValue<'a>)>,
}

impl<'a> Index<'a> {
    pub fn new(directory: &'a Directory) -> Self {
        let ids = BY_ID
            .iter()
            .map(|&table| {
                let mut map = std::collections::HashMap::new();
                for row in directory.rows(table) {
                    map.entry(cell(row, "id")).or_insert(row);
                }
                (table, map)
            })
            .collect();
        let references = REFERENCES
            .iter()
            .map(|&(table, column)| {
                let mut map = ByValue::new();
                for row in directory.rows(table) {
                    map.entry(cell(row, column)).or_default().push(row);
                }
                (table, column, map)
            })
            .collect();
        Index {
            directory,
            ids,
            references,
        }
    }

    /// A service fully nested, as [`service_json`] builds it.
    pub fn service_json(&self, service_id: &str) -> Option<serde_json::Value> {
        nested_service(self, service_id)
    }
}

impl Lookup for Index<'_> {
    fn with_id(&self, table: &str, id: &str) -> Option<&Row> {
        match self.ids.iter().find(|(t, _)| *t == table) {
            Some((_, map)) => map.get(id).copied(),
            None => self.directory.with_id(table, id),
        }
    }

    fn referring(&self, table: &str, column: &str, value: &str) -> Vec<&Row> {
        match self
            .references
            .iter()
            .find(|(t, c, _)| *t == table && *c == column)
        {
            Some((_, _, map)) => map.get(value).cloned().unwrap_or_default(),
            None => self.directory.referring(table, column, value),
        }
    }
}

fn age(text: &str) -> Option<u8> {
    text.parse::<f64>()
        .ok()
        .filter(|a| (0.0..=120.0).contains(a))
        .map(|a| a.round() as u8)
}

/// `09:00`, `9:00` or `09:00:00` as `HH:MM`.
fn hhmm(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    match parts.as_slice() {
        [h, m] | [h, m, _] => parse_time(&format!("{h}:{m}")),
        _ => None,
    }
}

/// Turns the tables into offers. References between tables are checked; a service that points
/// to an organisation missing from the data is an error, as are duplicate ids. `towns` are the
/// district's (AGS, name), to recognise towns by key or name.
pub fn to_offers(d: &Directory, towns: &[(String, String)]) -> Result<Imported, Vec<String>> {
    let mut errors = Vec::new();
    for t in TABLES {
        let mut seen = std::collections::HashSet::new();
        for (i, row) in d.rows(t.name).iter().enumerate() {
            // The character rule for every cell of both formats, before anything is built from it.
            for (column, value) in row {
                if let Some(found) = forbidden_character(value, Lines::Many)
                    && errors.len() < limits::REPORTED_PROBLEMS
                {
                    errors.push(format!(
                        "{}, Datensatz {} (id „{}“), Spalte {column}: {}",
                        t.file,
                        i + 1,
                        cell(row, "id").escape_debug(),
                        forbidden_character_message(found)
                    ));
                }
            }
            if !seen.insert(cell(row, "id")) {
                errors.push(format!(
                    "{}: die id „{}“ kommt doppelt vor.",
                    t.file,
                    cell(row, "id")
                ));
            }
        }
    }
    // Terms by id: (taxonomy key, code); only Lotse's own taxonomies carry meaning here.
    let taxonomy_key: BTreeMap<&str, &str> = TAXONOMIES
        .iter()
        .map(|(k, _, _)| (k, derived_id(&["taxonomy", k])))
        .filter_map(|(k, id)| {
            d.rows("taxonomy")
                .iter()
                .find(|r| cell(r, "id") == id)
                .map(|r| (cell(r, "id"), *k))
        })
        .collect();
    let terms: BTreeMap<&str, (&str, &str)> = d
        .rows("taxonomy_term")
        .iter()
        .filter_map(|r| {
            taxonomy_key
                .get(cell(r, "taxonomy_id"))
                .map(|k| (cell(r, "id"), (*k, cell(r, "code"))))
        })
        .collect();
    // By id and by reference, once: a search per service made large packages quadratic.
    let index = Index::new(d);
    let organisations: std::collections::HashMap<&str, &Row> = d
        .rows("organization")
        .iter()
        .map(|o| (cell(o, "id"), o))
        .collect();
    let mut imported = Imported::default();
    for (i, s) in d.rows("service").iter().enumerate() {
        let line = i + 2;
        let id = cell(s, "id");
        let name = cell(s, "name");
        if name.is_empty() {
            errors.push(format!(
                "services.csv, Zeile {line} (id {id}): „name“ ist leer."
            ));
            continue;
        }
        // The id becomes a record id and part of addresses (/angebote/{id}); records are
        // named by UUIDs, as HSDS 3.0 requires of every id.
        if !is_uuid(id) {
            errors.push(format!(
                "services.csv, Zeile {line}: die id „{}“ ist unzulässig: HSDS verlangt eine UUID (z. B. ac148810-d857-441c-9679-408f346de14b).",
                id.escape_debug()
            ));
            continue;
        }
        let org_id = cell(s, "organization_id");
        let Some(org) = organisations.get(org_id).copied() else {
            errors.push(format!(
                "services.csv, Zeile {line} (id {id}): Organisation „{org_id}“ fehlt in organizations.csv."
            ));
            continue;
        };
        if !is_uuid(org_id) {
            errors.push(format!(
                "services.csv, Zeile {line} (id {id}): die Organisations-id „{}“ ist keine UUID, wie HSDS sie verlangt.",
                org_id.escape_debug()
            ));
            continue;
        }
        if cell(s, "status") == "defunct" {
            imported
                .skipped
                .push(format!("{name}: Status „defunct“ (eingestellt)"));
            continue;
        }
        let mut content = OfferContent::default();
        let mut german = OfferTexts {
            title: name.to_owned(),
            description: cell(s, "description").to_owned(),
            registration: cell(s, "application_process").to_owned(),
            fees: cell(s, "fees_description").to_owned(),
            eligibility: cell(s, "eligibility_description").to_owned(),
            ..OfferTexts::default()
        };
        german.required_documents = index
            .referring("required_document", "service_id", id)
            .iter()
            .map(|r| cell(r, "document"))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        content.min_age = age(cell(s, "minimum_age"));
        content.max_age = age(cell(s, "maximum_age"));
        content.website = cell(s, "url").to_owned();
        content.email = cell(s, "email").to_owned();
        content.phone = index
            .referring("phone", "service_id", id)
            .first()
            .map(|r| cell(r, "number").to_owned())
            .unwrap_or_default();
        content.contact_name = index
            .referring("contact", "service_id", id)
            .first()
            .map(|r| cell(r, "name").to_owned())
            .unwrap_or_default();
        for l in index.referring("language", "service_id", id) {
            let code = cell(l, "code").trim().to_lowercase();
            if code.len() == 2 && !content.languages.contains(&code) {
                content.languages.push(code);
            }
        }
        if content.languages.is_empty() {
            content.languages.push("de".into());
        }
        content.free_of_charge = index
            .referring("cost_option", "service_id", id)
            .iter()
            .any(|c| cell(c, "amount").parse::<f64>().is_ok_and(|a| a == 0.0));
        // Locations through service_at_location, in the order given.
        let mut accessibility = Vec::new();
        for sal in index.referring("service_at_location", "service_id", id) {
            let location_id = cell(sal, "location_id");
            let Some(loc) = index.with_id("location", location_id) else {
                errors.push(format!(
                    "service_at_location.csv (id {}): Ort „{location_id}“ fehlt in locations.csv.",
                    cell(sal, "id")
                ));
                continue;
            };
            let address = index
                .referring("address", "location_id", location_id)
                .into_iter()
                .next();
            let coordinate = |column: &str, limit: f64| {
                cell(loc, column)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && v.abs() <= limit)
            };
            let (mut latitude, mut longitude) =
                (coordinate("latitude", 90.0), coordinate("longitude", 180.0));
            let given = !cell(loc, "latitude").is_empty() || !cell(loc, "longitude").is_empty();
            if given && (latitude.is_none() || longitude.is_none()) {
                imported.notes.push(format!(
                    "{name}: Koordinaten „{}, {}“ des Ortes „{}“ sind ungültig und wurden weggelassen.",
                    cell(loc, "latitude"),
                    cell(loc, "longitude"),
                    cell(loc, "name")
                ));
                latitude = None;
                longitude = None;
            }
            let city = address.map_or("", |a| cell(a, "city"));
            let key = cell(loc, "external_identifier");
            let town = towns
                .iter()
                .find(|(ags, n)| {
                    (cell(loc, "external_identifier_type") == "AGS" && ags == key)
                        || n.eq_ignore_ascii_case(city)
                })
                .map(|(ags, _)| ags.clone());
            content.locations.push(OfferLocation {
                name: cell(loc, "name").to_owned(),
                street: address.map_or("", |a| cell(a, "address_1")).to_owned(),
                postal_code: address.map_or("", |a| cell(a, "postal_code")).to_owned(),
                city: if town.is_some() {
                    String::new()
                } else {
                    city.to_owned()
                },
                town: town.unwrap_or_default(),
                latitude,
                longitude,
                located: None,
            });
            for a in index.referring("accessibility", "location_id", location_id) {
                let text = cell(a, "description");
                if !text.is_empty() && !accessibility.contains(&text) {
                    accessibility.push(text);
                }
            }
        }
        german.accessibility = accessibility.join("\n");
        let mut notes: Vec<String> = Vec::new();
        for sch in index.referring("schedule", "service_id", id) {
            for text in [cell(sch, "description"), cell(sch, "notes")] {
                if !text.is_empty() && !notes.iter().any(|n| n == text) {
                    notes.push(text.to_owned());
                }
            }
            if !cell(sch, "freq").eq_ignore_ascii_case("weekly") {
                continue;
            }
            let (Some(opens), Some(closes)) =
                (hhmm(cell(sch, "opens_at")), hhmm(cell(sch, "closes_at")))
            else {
                continue;
            };
            for day in cell(sch, "byday").split(',') {
                // RRULE days may carry a position ("1MO"); a weekly slot has none.
                let day = day
                    .trim()
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
                if let Some(day) = Weekday::parse(&day.to_lowercase()) {
                    content.opening_hours.push(OpeningHours {
                        day,
                        opens: opens.clone(),
                        closes: closes.clone(),
                    });
                }
            }
        }
        german.schedule_note = notes.join("\n");
        content.texts.insert(Locale::De, german);
        for a in index.referring("attribute", "link_id", id) {
            let Some((taxonomy, code)) = terms.get(cell(a, "taxonomy_term_id")) else {
                continue;
            };
            let value = cell(a, "value");
            match *taxonomy {
                TOPICS_TAXONOMY => {
                    if let Some(t) = Topic::parse(code)
                        && !content.topics.contains(&t)
                    {
                        content.topics.push(t);
                    }
                }
                GROUPS_TAXONOMY => {
                    if let Some(g) = TargetGroup::parse(code)
                        && !content.target_groups.contains(&g)
                    {
                        content.target_groups.push(g);
                    }
                }
                TEXTS_TAXONOMY => {
                    let mut parts = code.split('.');
                    let (Some("text"), Some(field), Some(locale)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    let (Some(locale), Some(f)) = (
                        Locale::parse(locale),
                        TEXT_FIELDS.iter().find(|f| f.name == field),
                    ) else {
                        continue;
                    };
                    (f.set)(content.texts.entry(locale).or_default(), value.to_owned());
                }
                _ => match *code {
                    "capacity" => content.capacity = Capacity::parse(value),
                    "valid_from" => {
                        content.valid_from = Date::iso(value);
                    }
                    "valid_to" => content.valid_to = Date::iso(value),
                    _ => {}
                },
            }
        }
        let assured = cell(s, "assured_date");
        imported.offers.push(ImportedOffer {
            id: id.to_owned(),
            organisation: ImportedOrganisation {
                id: cell(org, "id").to_owned(),
                name: cell(org, "name").to_owned(),
                email: cell(org, "email").to_owned(),
                website: cell(org, "website").to_owned(),
            },
            content,
            verified_on: Date::iso(assured.get(..10).unwrap_or(assured)),
        });
    }
    if errors.is_empty() {
        Ok(imported)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON of the HSDS API

fn json_value(spec: &TableSpec, column: &str, value: &str) -> serde_json::Value {
    let ty = spec
        .columns
        .iter()
        .find(|(c, _)| *c == column)
        .map_or("string", |(_, t)| *t);
    if ty == "number"
        && let Ok(n) = value.parse::<f64>()
        && let Some(number) = serde_json::Number::from_f64(n)
    {
        return serde_json::Value::Number(number);
    }
    serde_json::Value::String(value.to_owned())
}

/// A row as a JSON object with typed values.
pub fn row_json(table: &str, row: &Row) -> serde_json::Value {
    let Some(spec) = spec(table) else {
        return serde_json::Value::Null;
    };
    let map: serde_json::Map<String, serde_json::Value> = row
        .iter()
        .map(|(k, v)| (k.clone(), json_value(spec, k, v)))
        .collect();
    serde_json::Value::Object(map)
}

fn rows_json(d: &impl Lookup, table: &str, column: &str, value: &str) -> serde_json::Value {
    serde_json::Value::Array(
        d.referring(table, column, value)
            .into_iter()
            .map(|r| row_json(table, r))
            .collect(),
    )
}

fn attributes_json(d: &impl Lookup, link_id: &str) -> serde_json::Value {
    serde_json::Value::Array(
        d.referring("attribute", "link_id", link_id)
            .into_iter()
            .map(|a| {
                let mut json = row_json("attribute", a);
                if let Some(term) = d.with_id("taxonomy_term", cell(a, "taxonomy_term_id")) {
                    json["taxonomy_term"] = row_json("taxonomy_term", term);
                }
                json
            })
            .collect(),
    )
}

/// A location with its addresses and accessibility, as nested in HSDS API answers.
pub fn location_json(d: &Directory, location_id: &str) -> Option<serde_json::Value> {
    nested_location(d, location_id)
}

fn nested_location(d: &impl Lookup, location_id: &str) -> Option<serde_json::Value> {
    let loc = d.with_id("location", location_id)?;
    let mut json = row_json("location", loc);
    json["addresses"] = rows_json(d, "address", "location_id", location_id);
    json["accessibility"] = rows_json(d, "accessibility", "location_id", location_id);
    Some(json)
}

/// A service fully nested, as `GET /services/{id}` of the HSDS API answers. For many services
/// of one directory, [`services_json`] or [`Index::service_json`].
pub fn service_json(d: &Directory, service_id: &str) -> Option<serde_json::Value> {
    nested_service(d, service_id)
}

/// Every service of the directory fully nested, in table order: what [`service_json`] gives for
/// each of them, with the directory indexed once.
pub fn services_json(d: &Directory) -> Vec<serde_json::Value> {
    let index = Index::new(d);
    d.rows("service")
        .iter()
        .filter_map(|s| s.get("id").and_then(|id| index.service_json(id)))
        .collect()
}

/// Writes [`services_json`] as a pretty-printed JSON array, one service built at a time (the
/// same bytes as `serde_json::to_vec_pretty` of it, without holding every service in memory).
/// Returns the number of services written.
pub fn write_services_json(d: &Directory, out: impl std::io::Write) -> Result<usize, String> {
    use serde::Serializer;
    let index = Index::new(d);
    let mut written = 0;
    let services = d
        .rows("service")
        .iter()
        .filter_map(|s| s.get("id").and_then(|id| index.service_json(id)))
        .inspect(|_| written += 1);
    serde_json::Serializer::pretty(out)
        .collect_seq(services)
        .map_err(|e| e.to_string())?;
    Ok(written)
}

fn nested_service(d: &impl Lookup, service_id: &str) -> Option<serde_json::Value> {
    let s = d.with_id("service", service_id)?;
    let mut json = row_json("service", s);
    if let Some(org) = d.with_id("organization", cell(s, "organization_id")) {
        json["organization"] = row_json("organization", org);
    }
    for (key, table) in [
        ("phones", "phone"),
        ("schedules", "schedule"),
        ("languages", "language"),
        ("cost_options", "cost_option"),
        ("required_documents", "required_document"),
        ("contacts", "contact"),
    ] {
        json[key] = rows_json(d, table, "service_id", service_id);
    }
    json["service_at_locations"] = serde_json::Value::Array(
        d.referring("service_at_location", "service_id", service_id)
            .into_iter()
            .map(|sal| nested_service_at_location(d, sal))
            .collect(),
    );
    json["attributes"] = attributes_json(d, service_id);
    Some(json)
}

/// A service-at-location with its location nested.
pub fn service_at_location_json(d: &Directory, sal: &Row) -> serde_json::Value {
    nested_service_at_location(d, sal)
}

fn nested_service_at_location(d: &impl Lookup, sal: &Row) -> serde_json::Value {
    let mut json = row_json("service_at_location", sal);
    if let Some(location) = nested_location(d, cell(sal, "location_id")) {
        json["location"] = location;
    }
    json
}

/// An organisation with its services' ids, as `GET /organizations/{id}` answers (services are
/// listed under their own endpoint).
pub fn organization_json(d: &Directory, org_id: &str) -> Option<serde_json::Value> {
    let org = d.with_id("organization", org_id)?;
    let mut json = row_json("organization", org);
    json["locations"] = serde_json::Value::Array(
        d.referring("location", "organization_id", org_id)
            .into_iter()
            .filter_map(|l| nested_location(d, cell(l, "id")))
            .collect(),
    );
    Some(json)
}

/// Rebuilds tables from fully nested services (the JSON of `GET /services/{id}`, or an array of
/// them), so the JSON form imports through the same path as the datapackage.
pub fn from_service_json(value: &serde_json::Value) -> Result<Directory, Vec<String>> {
    let services: Vec<&serde_json::Value> = match value {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) if o.contains_key("contents") => value["contents"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        serde_json::Value::Object(_) => vec![value],
        _ => {
            return Err(vec![
                "JSON: erwartet ein Angebot (service) oder eine Liste davon.".into(),
            ]);
        }
    };
    let mut d = Directory::default();
    let mut errors = Vec::new();
    let flat = |table: &str, v: &serde_json::Value| -> Row {
        let mut row = Row::new();
        if let (Some(spec), Some(o)) = (spec(table), v.as_object()) {
            for (c, _) in spec.columns {
                match o.get(*c) {
                    Some(serde_json::Value::String(s)) if !s.is_empty() => {
                        row.insert((*c).to_owned(), s.clone());
                    }
                    Some(serde_json::Value::Number(n)) => {
                        row.insert((*c).to_owned(), n.to_string());
                    }
                    _ => {}
                }
            }
        }
        row
    };
    if services.len() > limits::EXCHANGE_RECORDS {
        return Err(vec![format!(
            "JSON: mehr als {} Angebote; bitte in Teilen austauschen.",
            limits::count_label(limits::EXCHANGE_RECORDS)
        )]);
    }
    // Rows already taken, by table and id: nested services repeat their organisation and
    // taxonomy, and a linear search per row made large files quadratic.
    let mut taken = std::collections::HashSet::new();
    let mut add = |d: &mut Directory, table: &str, row: Row| {
        if taken.insert((table.to_owned(), row.get("id").cloned())) {
            d.tables.entry(table.to_owned()).or_default().push(row);
        }
    };
    for (i, s) in services.iter().enumerate() {
        let mut service = flat("service", s);
        let Some(id) = service.get("id").cloned() else {
            errors.push(format!("JSON, Angebot {}: „id“ fehlt.", i + 1));
            continue;
        };
        if let Some(org) = s.get("organization").filter(|o| o.is_object()) {
            let org = flat("organization", org);
            // Nested services name their organisation by nesting it, not always by id.
            if let Some(org_id) = org.get("id") {
                service
                    .entry("organization_id".into())
                    .or_insert_with(|| org_id.clone());
            }
            add(&mut d, "organization", org);
        }
        add(&mut d, "service", service);
        for (key, table) in [
            ("phones", "phone"),
            ("schedules", "schedule"),
            ("languages", "language"),
            ("cost_options", "cost_option"),
            ("required_documents", "required_document"),
            ("contacts", "contact"),
        ] {
            for item in s[key].as_array().into_iter().flatten() {
                let mut row = flat(table, item);
                row.entry("service_id".into()).or_insert_with(|| id.clone());
                add(&mut d, table, row);
            }
        }
        for sal in s["service_at_locations"].as_array().into_iter().flatten() {
            let mut row = flat("service_at_location", sal);
            row.entry("service_id".into()).or_insert_with(|| id.clone());
            let location = &sal["location"];
            if location.is_object() {
                let loc = flat("location", location);
                if let Some(location_id) = loc.get("id").cloned() {
                    row.entry("location_id".into())
                        .or_insert_with(|| location_id.clone());
                    for (key, table) in
                        [("addresses", "address"), ("accessibility", "accessibility")]
                    {
                        for item in location[key].as_array().into_iter().flatten() {
                            let mut r = flat(table, item);
                            r.entry("location_id".into())
                                .or_insert_with(|| location_id.clone());
                            add(&mut d, table, r);
                        }
                    }
                    add(&mut d, "location", loc);
                }
            }
            add(&mut d, "service_at_location", row);
        }
        for a in s["attributes"].as_array().into_iter().flatten() {
            let mut row = flat("attribute", a);
            row.entry("link_id".into()).or_insert_with(|| id.clone());
            if let Some(term) = a.get("taxonomy_term").filter(|t| t.is_object()) {
                let term_row = flat("taxonomy_term", term);
                if let Some(t) = term_row.get("id") {
                    row.entry("taxonomy_term_id".into())
                        .or_insert_with(|| t.clone());
                }
                add(&mut d, "taxonomy_term", term_row);
            }
            add(&mut d, "attribute", row);
        }
        // The same bound as for a datapackage: records of all tables together.
        if d.tables.values().map(Vec::len).sum::<usize>() > limits::EXCHANGE_RECORDS {
            return Err(vec![format!(
                "JSON: mehr als {} Datensätze (Angebote mit allem, was zu ihnen gehört); bitte in Teilen austauschen.",
                limits::count_label(limits::EXCHANGE_RECORDS)
            )]);
        }
    }
    // Lotse's own taxonomies are known without being sent along.
    for (key, name, description) in TAXONOMIES {
        let mut row = Row::new();
        row.insert("id".into(), derived_id(&["taxonomy", key]));
        row.insert("name".into(), (*name).to_owned());
        row.insert("description".into(), (*description).to_owned());
        add(&mut d, "taxonomy", row);
    }
    for (taxonomy, code, name, language) in terms() {
        let mut row = Row::new();
        row.insert("id".into(), term_id(taxonomy, &code));
        row.insert("code".into(), code);
        row.insert("name".into(), name);
        row.insert("taxonomy_id".into(), derived_id(&["taxonomy", taxonomy]));
        row.insert("language".into(), language);
        add(&mut d, "taxonomy_term", row);
    }
    if d.rows("service").is_empty() && errors.is_empty() {
        errors.push("JSON: keine Angebote (services) gefunden.".into());
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_version_5_uuids() {
        let a = derived_id(&["x", "location", "0"]);
        assert_eq!(a, derived_id(&["x", "location", "0"]));
        assert_ne!(a, derived_id(&["x", "location", "1"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    /// Two offers of one organisation, with a place, an opening time, a translation and topics.
    fn small_directory() -> Directory {
        let mut content = OfferContent::default();
        for (locale, title) in [(Locale::De, "Sprachcafé"), (Locale::En, "Language café")] {
            content.texts.insert(
                locale,
                OfferTexts {
                    title: title.into(),
                    description: "Deutsch sprechen".into(),
                    accessibility: "Erdgeschoss".into(),
                    ..OfferTexts::default()
                },
            );
        }
        content.topics = Topic::ALL.iter().copied().take(2).collect();
        content.languages = vec!["de".into(), "ar".into()];
        content.locations.push(OfferLocation {
            name: "Familienzentrum".into(),
            street: "Marktplatz 3".into(),
            town: "05570008".into(),
            ..OfferLocation::default()
        });
        content.opening_hours.push(OpeningHours {
            day: Weekday::Wednesday,
            opens: "15:00".into(),
            closes: "17:00".into(),
        });
        let organisation = ExportOrganisation {
            id: "0b6a2ab5-0000-4000-8000-000000000001",
            name: "Verein",
            description: "Sonstige",
            email: "",
            website: "",
        };
        let ids = [
            "0b6a2ab5-0000-4000-8000-000000000002",
            "0b6a2ab5-0000-4000-8000-000000000003",
        ];
        let offers: Vec<ExportOffer<'_>> = ids
            .iter()
            .map(|id| ExportOffer {
                id,
                organisation_id: organisation.id,
                content: &content,
                verified_on: Date::parse("2026-11-25"),
                last_modified: "2026-11-25T10:00:00Z",
                status: "active",
            })
            .collect();
        export(
            &[organisation],
            &offers,
            &[("05570008".into(), "Beckum".into())],
        )
    }

    #[test]
    fn the_index_finds_what_searching_the_tables_finds() {
        let mut d = small_directory();
        // Oddities a received file may have: a second row with a service's id, rows naming
        // nothing, an attribute of an unknown term.
        let first = d.rows("service")[0].clone();
        let mut twin = first.clone();
        twin.insert("name".into(), "Zwilling".into());
        d.tables.get_mut("service").unwrap().push(twin);
        d.push("address", &[("id", "a-1".into()), ("city", "Ahlen".into())]);
        d.push(
            "attribute",
            &[
                ("id", "x-1".into()),
                ("link_id", first["id"].clone()),
                ("taxonomy_term_id", "unbekannt".into()),
            ],
        );
        let one_by_one: Vec<serde_json::Value> = d
            .rows("service")
            .iter()
            .filter_map(|s| service_json(&d, &s["id"]))
            .collect();
        assert_eq!(one_by_one.len(), 3);
        assert_eq!(
            one_by_one[2]["name"], "Sprachcafé",
            "the first row with the id"
        );
        assert_eq!(services_json(&d), one_by_one);
        let mut written = Vec::new();
        assert_eq!(write_services_json(&d, &mut written).unwrap(), 3);
        assert_eq!(written, serde_json::to_vec_pretty(&one_by_one).unwrap());
    }

    #[test]
    fn a_package_holds_a_bounded_number_of_records_in_all_tables_together() {
        let d = small_directory();
        let files: BTreeMap<String, Vec<u8>> = write_datapackage(&d).unwrap().into_iter().collect();
        let records: usize = d.tables.values().map(Vec::len).sum();
        assert!(read_datapackage(&files).is_ok());
        assert!(read_datapackage_within(&files, records).is_ok());
        let errors = read_datapackage_within(&files, records - 1).unwrap_err();
        assert_eq!(
            errors,
            [format!(
                "attributes.csv: Das Datenpaket hat mehr als {} Datensätze (alle Dateien zusammen); bitte in Teilen austauschen.",
                records - 1
            )],
            "one message, naming the file in which the count was passed"
        );
        // Passed in an earlier file: the files after it are not read at all.
        let errors = read_datapackage_within(&files, 2).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("mehr als 2 Datensätze"), "{errors:?}");
    }

    #[test]
    fn times_are_read_with_or_without_seconds() {
        assert_eq!(hhmm("10:00:00").as_deref(), Some("10:00"));
        assert_eq!(hhmm("9:30").as_deref(), Some("09:30"));
        assert_eq!(hhmm("noon"), None);
    }
}
