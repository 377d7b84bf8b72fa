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
