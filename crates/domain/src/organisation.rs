//! Organisations (Träger, Behörden, Schulen …): validation of what a form, an import row or an API
//! call submits.

use crate::csv_file;
use crate::town::Ags;
use crate::validation::{FieldErrors, optional_email, optional_text, required_text};

/// What someone typed, before validation. Field names match the form and the API.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct OrganisationInput {
    pub name: String,
    /// Key of an organisation kind (`organisation_kinds` reference table), or its German label.
    pub kind: String,
    /// AGS or name of the town; empty when the organisation works district-wide or elsewhere.
    pub town: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub email: String,
    pub phone: String,
    pub website: String,
}

/// A validated organisation, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: String,
    pub town_ags: Option<Ags>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub email: String,
    pub phone: String,
    pub website: String,
}

/// The vocabularies an organisation refers to, as currently stored.
#[derive(Debug, Clone, Default)]
pub struct OrganisationVocabulary {
    /// (key, German label)
    pub kinds: Vec<(String, String)>,
    /// (AGS, name)
    pub towns: Vec<(Ags, String)>,
}

impl OrganisationInput {
    pub fn validate(
        &self,
        vocab: &OrganisationVocabulary,
    ) -> Result<OrganisationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = required_text(&mut e, "name", &self.name, 200);

        let kind_raw = self.kind.trim();
        let kind = if kind_raw.is_empty() {
            e.add(
                "kind",
                "Pflichtfeld: bitte eine Art der Organisation wählen.",
            );
            String::new()
        } else {
            match vocab
                .kinds
                .iter()
                .find(|(key, label)| key == kind_raw || label.eq_ignore_ascii_case(kind_raw))
            {
                Some((key, _)) => key.clone(),
                None => {
                    e.add(
                        "kind",
                        format!("Unbekannte Art der Organisation „{kind_raw}“."),
                    );
                    String::new()
                }
            }
        };

        let town_raw = self.town.trim();
        let town_ags = if town_raw.is_empty() {
            None
        } else {
            let found = vocab.towns.iter().find(|(ags, name)| {
                ags.as_str() == town_raw || name.eq_ignore_ascii_case(town_raw)
            });
            match found {
                Some((ags, _)) => Some(ags.clone()),
                None => {
                    e.add(
                        "town",
                        format!("„{town_raw}“ ist keine Stadt oder Gemeinde des Kreises."),
                    );
                    None
                }
            }
        };

        let street = optional_text(&mut e, "street", &self.street, 200);
        let postcode = optional_text(&mut e, "postcode", &self.postcode, 5);
        let valid_postcode = postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit());
        if !postcode.is_empty() && !valid_postcode {
            e.add("postcode", "Die Postleitzahl hat 5 Ziffern.");
        }
        let city = optional_text(&mut e, "city", &self.city, 100);
        let email = optional_email(&mut e, "email", &self.email);
        let phone = optional_text(&mut e, "phone", &self.phone, 50);
        if phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-/()".contains(c)))
        {
            e.add(
                "phone",
                "Nur Ziffern, Leerzeichen und + - / ( ) sind erlaubt.",
            );
        }
        let website = optional_text(&mut e, "website", &self.website, 300);
        let web_scheme = website.starts_with("https://") || website.starts_with("http://");
        if !website.is_empty() && !web_scheme {
            e.add("website", "Die Webseite beginnt mit https:// oder http://.");
        }

        e.into_result(OrganisationDraft {
            name,
            kind,
            town_ags,
            street,
            postcode,
            city,
            email,
            phone,
            website,
        })
    }
}

/// German labels of the fields, for messages that name a field ("Zeile 4, PLZ: …").
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "kind" => "Art",
        "town" => "Gemeinde",
        "street" => "Straße",
        "postcode" => "PLZ",
        "city" => "Ort",
        "email" => "E-Mail",
        "phone" => "Telefon",
        "website" => "Webseite",
        other => other,
    }
}

/// One data row of an import file, numbered as a spreadsheet shows it (header = line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationImportRow {
    pub line: u64,
    pub input: OrganisationInput,
}

/// Reads organisations from CSV as German Excel writes it: `;`-separated, UTF-8 with or without
/// BOM, a header row naming the columns (any order; unknown columns are an error so that a typo
/// in a header does not silently drop a column).
///
/// Returns the rows, or a message about the file as a whole (encoding, header, broken quoting).
pub fn parse_organisation_csv(bytes: &[u8]) -> Result<Vec<OrganisationImportRow>, String> {
    let text = csv_file::decode(bytes)?;
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|h| !h.contains(';') && h.contains(','))
    {
        b','
    } else {
        b';'
    };
    csv_file::check_quotes(text, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());

    let headers = reader
        .headers()
        .map_err(|e| format!("Kopfzeile nicht lesbar: {e}"))?
        .clone();
    let mut columns: Vec<&'static str> = Vec::new();
    for header in headers.iter() {
        let column = match header.trim().to_lowercase().as_str() {
            "name" => "name",
            "art" | "typ" | "kind" => "kind",
            "gemeinde" | "stadt/gemeinde" | "ags" | "town" => "town",
            "straße" | "strasse" | "street" => "street",
            "plz" | "postleitzahl" | "postcode" => "postcode",
            "ort" | "city" => "city",
            "e-mail" | "email" | "mail" => "email",
            "telefon" | "phone" => "phone",
            "webseite" | "website" | "internet" => "website",
            _ => {
                return Err(format!(
                    "Unbekannte Spalte „{}“ in der Kopfzeile. Erlaubt: Name; Art; Gemeinde; Straße; PLZ; Ort; E-Mail; Telefon; Webseite.",
                    header.trim()
                ));
            }
        };
        if columns.contains(&column) {
            return Err(format!("Die Spalte „{}“ kommt doppelt vor.", header.trim()));
        }
        columns.push(column);
    }
    for required in ["name", "kind"] {
        if !columns.contains(&required) {
            return Err(format!(
                "Die Pflichtspalte „{}“ fehlt in der Kopfzeile.",
                field_label(required)
            ));
        }
    }

    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                    "Zeile {line}: {len} statt {expected_len} Spalten. Enthält ein Feld ein Semikolon ohne Anführungszeichen?"
                ),
                _ => format!("Zeile {line}: nicht lesbar ({e})."),
            }
        })?;
        // Counted from the byte offset: the reader's own line count is off for CRLF files, where a
        // record's position can point at the line break that ends the previous record.
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte() as usize))
            .unwrap_or(0);
        csv_file::check_shape(line as usize, record.len())?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut input = OrganisationInput::default();
        for (column, value) in columns.iter().zip(record.iter()) {
            let slot = match *column {
                "name" => &mut input.name,
                "kind" => &mut input.kind,
                "town" => &mut input.town,
                "street" => &mut input.street,
                "postcode" => &mut input.postcode,
                "city" => &mut input.city,
                "email" => &mut input.email,
                "phone" => &mut input.phone,
                _ => &mut input.website,
            };
            *slot = value.to_owned();
        }
        rows.push(OrganisationImportRow { line, input });
    }
    if rows.is_empty() {
        return Err("Die Datei enthält keine Datenzeilen.".to_owned());
    }
    Ok(rows)
}

/// Turns the byte offsets of records into 1-based line numbers. Offsets only grow, so the text is
/// scanned once in all (a per-record rescan made a 2 MB file of empty rows take minutes).
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line on which the record starting at `byte` begins.
    fn line_at(&mut self, byte: usize) -> u64 {
        let mut start = byte.min(self.bytes.len());
        while start < self.bytes.len() && (self.bytes[start] == b'\r' || self.bytes[start] == b'\n')
        {
            start += 1;
        }
        if start > self.pos {
            self.line += self.bytes[self.pos..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> OrganisationVocabulary {
        OrganisationVocabulary {
            kinds: vec![("welfare_association".into(), "Wohlfahrtsverband".into())],
            towns: vec![("05570004".parse().expect("valid"), "Ahlen".into())],
        }
    }

    #[test]
    fn validate_resolves_labels_and_town_names() {
        let vocab = vocab();
        let input = OrganisationInput {
            name: " Caritas ".into(),
            kind: "Wohlfahrtsverband".into(),
            town: "ahlen".into(),
            postcode: "59227".into(),
            ..Default::default()
        };
        let draft = input.validate(&vocab).expect("valid");
        assert_eq!(draft.name, "Caritas");
        assert_eq!(draft.kind, "welfare_association");
        assert_eq!(
            draft.town_ags.map(|a| a.to_string()).as_deref(),
            Some("05570004")
        );
    }

    #[test]
    fn validate_names_each_bad_field() {
        let vocab = vocab();
        let input = OrganisationInput {
            kind: "Bank".into(),
            town: "Münster".into(),
            postcode: "123".into(),
            email: "x@".into(),
            website: "www.example.org".into(),
            ..Default::default()
        };
        let errors = input.validate(&vocab).expect_err("invalid");
        for field in ["name", "kind", "town", "postcode", "email", "website"] {
            assert!(errors.get(field).is_some(), "{field} should be reported");
        }
    }

    #[test]
    fn line_numbers_match_the_spreadsheet_for_crlf_files() {
        let file = "Name;Art\r\nA;x\r\n\"B\r\nmit Umbruch\";x\r\nC;x\r\n";
        let lines: Vec<u64> = parse_organisation_csv(file.as_bytes())
            .expect("parses")
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, [2, 3, 5]);
    }

    #[test]
    fn parses_german_excel_csv_with_bom() {
        let file = "\u{feff}Name;Art;Gemeinde;PLZ\nCaritas;Wohlfahrtsverband;Ahlen;59227\n;;;\n\"AWO; Ortsverein\";Wohlfahrtsverband;;\n";
        let rows = parse_organisation_csv(file.as_bytes()).expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].input.name, "AWO; Ortsverein");
    }

    #[test]
    fn file_level_errors_are_explained() {
        assert!(
            parse_organisation_csv(b"Name;Farbe\nx;y\n")
                .expect_err("bad header")
                .contains("Farbe")
        );
        assert!(
            parse_organisation_csv(b"Art\nx\n")
                .expect_err("no name")
                .contains("Name")
        );
        assert!(
            parse_organisation_csv(b"Name;Art\n\xff;x\n")
                .expect_err("latin1")
                .contains("UTF-8")
        );
        assert!(
            parse_organisation_csv(b"Name;Art\na;b;c\n")
                .expect_err("columns")
                .contains("Zeile 2")
        );
    }
}
