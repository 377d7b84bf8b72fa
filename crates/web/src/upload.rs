//! File uploads (measure catalogue, organisation list): one limit, [`limits::UPLOAD_BYTES`],
//! stated on the pages and enforced the same way at every step: on the request body, on the
//! file as uploaded and on the file carried on to the mapping step.

use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use lotse_domain::limits;

/// The largest request an upload form may send: the file base64-encoded (the catalogue page
/// carries it on to the mapping step that way, 4/3 of its size) plus the form's other fields.
pub const BODY_BYTES: usize = limits::UPLOAD_BYTES.div_ceil(3) * 4 + 256 * 1024;

/// What the pages say about the limit, and the message when a file exceeds it.
pub fn too_large() -> String {
    format!(
        "Die Datei ist zu groß: höchstens {} sind erlaubt.",
        limits::UPLOAD_LABEL
    )
}

/// The limits as the upload pages state them: "höchstens 5 MB und 20.000 Zeilen".
pub fn limits_label() -> String {
    format!(
        "höchstens {} und {} Zeilen",
        limits::UPLOAD_LABEL,
        limits::count_label(limits::TABLE_ROWS)
    )
}

/// Checks the file itself (after decoding, in whichever step it arrives).
pub fn check_size(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > limits::UPLOAD_BYTES {
        Err(too_large())
    } else {
        Ok(())
    }
}

/// A form that could not be read, as a message for the page: a body over [`BODY_BYTES`] is
/// a file that is too large, whatever else the parser says.
fn unreadable(e: &MultipartError) -> String {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        format!("Das Formular konnte nicht gelesen werden: {e}")
    }
}

/// A text field of an upload form (not the file): NUL refused as everywhere else
/// (see `null_bytes`), surrounding space trimmed.
pub fn text(name: &str, data: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(data);
    if text.contains('\0') {
        return Err(format!(
            "Das Feld „{name}“ enthält ein unzulässiges Steuerzeichen (U+0000)."
        ));
    }
    Ok(text.trim().to_owned())
}

/// One part of an upload form.
pub struct Part {
    pub name: String,
    /// The name the browser gave the file, for file parts.
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// All parts of an upload form (bounded by [`BODY_BYTES`]), or the page's message why the form
/// could not be read.
pub async fn parts(multipart: &mut Multipart) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(|e| unreadable(&e))?;
        parts.push(Part {
            name,
            file_name,
            data,
        });
    }
    Ok(parts)
}

/// What a table import form sent (the measure catalogue, a case list): the step, the file (as
/// uploaded, or carried through the mapping step as base64), the column mapping and the mode.
#[derive(Debug, Default)]
pub struct TableUpload {
    /// "map" (show the mapping) or "import".
    pub step: String,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// (column index, field key) as the user mapped them.
    pub mapping: Vec<(usize, String)>,
    pub valid_only: bool,
    /// The form's other text fields, by name.
    pub fields: Vec<(String, String)>,
}

impl TableUpload {
    /// A text field the form sent besides the import's own.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The file as rows of cells: XLSX by content or name, CSV otherwise.
    pub fn rows(&self) -> Result<Vec<Vec<String>>, String> {
        if self.filename.to_lowercase().ends_with(".xlsx") || self.bytes.starts_with(b"PK\x03\x04")
        {
            lotse_reports::read_xlsx(&self.bytes)
        } else {
            lotse_domain::measure_import::read_csv(&self.bytes)
        }
    }

    /// The file carried on to the next step.
    pub fn carried(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}

/// Reads a table import form: the message for the page where it cannot be read, has no file
/// or a file over the limit.
pub async fn table_upload(multipart: &mut Multipart) -> Result<TableUpload, String> {
    use base64::Engine;
    let mut u = TableUpload::default();
    for part in parts(multipart).await? {
        if part.name == "file" {
            if !part.data.is_empty() {
                u.bytes = part.data.to_vec();
                u.filename = part.file_name.unwrap_or_default();
            }
            continue;
        }
        let value = text(&part.name, &part.data)?;
        match part.name.as_str() {
            "step" => u.step = value,
            "mode" => u.valid_only = value == "valid",
            "filename" if u.filename.is_empty() => u.filename = value,
            "content" if !value.is_empty() && u.bytes.is_empty() => {
                u.bytes = base64::engine::general_purpose::STANDARD
                    .decode(&value)
                    .map_err(|_| {
                        "Der Dateiinhalt ist beschädigt; bitte erneut hochladen.".to_owned()
                    })?;
            }
            n if n.starts_with("col_") => {
                if let Ok(i) = n["col_".len()..].parse::<usize>() {
                    u.mapping.push((i, value));
                }
            }
            _ => u.fields.push((part.name, value)),
        }
    }
    if u.bytes.is_empty() {
        return Err("Bitte eine Datei auswählen.".into());
    }
    check_size(&u.bytes)?;
    Ok(u)
}

/// The header row as the mapping step shows it: (column index, header text, mapped key).
pub fn header_view<C: Copy>(
    header: &[String],
    columns: &[Option<C>],
    key: fn(C) -> &'static str,
) -> Vec<(usize, String, String)> {
    header
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty())
        .map(|(i, h)| {
            (
                i,
                h.trim().to_owned(),
                columns
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or_else(String::new, |c| key(c).to_owned()),
            )
        })
        .collect()
}
