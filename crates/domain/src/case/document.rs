//! Documents on a case (decision 0012, slice 4): what kind, a title, and a file whose type is
//! read from its content, not from its name or what the browser claims.

use crate::validation::{FieldErrors, optional_text};

vocabulary! {
    /// What a document on a case is.
    DocumentKind {
        Notice => "notice", "Bescheid";
        Identity => "identity", "Ausweis oder Aufenthaltstitel";
        Certificate => "certificate", "Zeugnis oder Nachweis";
        Application => "application", "Antrag";
        Consent => "consent", "unterschriebene Einwilligung";
        Other => "other", "Sonstiges";
    }
}

/// The largest document, in bytes: a scanned notice of a few pages. Below the server's limit on
/// any request body (8 MiB), with room for the form around it.
pub const DOCUMENT_BYTES: usize = 7 * 1024 * 1024;
/// How the limit is stated on the page.
pub const DOCUMENT_LABEL: &str = "7 MB";

/// The type of a file by its first bytes: PDF, JPEG or PNG, the formats scanners and phones
/// produce and browsers show safely; `None` for anything else.
pub fn document_type(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A document as the upload form sends it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDraft {
    pub kind: DocumentKind,
    pub title: String,
    /// The file's name without any path, at most 200 characters.
    pub file_name: String,
    pub content_type: &'static str,
}

/// Checks an upload: the kind, the title, and the file (present, not too large, PDF, JPEG or
/// PNG by its content). Each problem is named at its field.
pub fn check_document(
    kind: &str,
    title: &str,
    file_name: Option<&str>,
    content: &[u8],
) -> Result<DocumentDraft, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = match DocumentKind::parse(kind) {
        Some(k) => Some(k),
        None => {
            e.add("kind", "Bitte die Art des Dokuments wählen.");
            None
        }
    };
    let title = optional_text(&mut e, "title", title, 200);
    let content_type = if content.is_empty() {
        e.add("file", "Bitte eine Datei auswählen.");
        None
    } else if content.len() > DOCUMENT_BYTES {
        e.add(
            "file",
            format!("Die Datei ist zu groß: höchstens {DOCUMENT_LABEL} sind erlaubt."),
        );
        None
    } else {
        let found = document_type(content);
        if found.is_none() {
            e.add(
                "file",
                "Nur PDF, JPEG und PNG werden angenommen (nach dem Inhalt der Datei geprüft).",
            );
        }
        found
    };
    // The name as the browser sent it, without any folder, and without control characters.
    let file_name: String = file_name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    match (kind, content_type, e.is_empty()) {
        (Some(kind), Some(content_type), true) => Ok(DocumentDraft {
            kind,
            title,
            file_name: if file_name.trim().is_empty() {
                "dokument".to_owned()
            } else {
                file_name
            },
            content_type,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_the_type_and_the_name_loses_its_path() {
        let d = check_document(
            "notice",
            "",
            Some("C:\\Scans\\bescheid\u{7}.pdf"),
            b"%PDF-1.7 x",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (d.content_type, d.file_name.as_str()),
            ("application/pdf", "bescheid.pdf")
        );
        let e = check_document("", "", Some("virus.pdf"), b"MZ\x90\x00")
            .err()
            .unwrap_or_default();
        assert!(e.has("kind") && e.has("file"));
        let big = vec![0xFFu8; DOCUMENT_BYTES + 1];
        assert!(check_document("other", "", None, &big).is_err());
        assert!(check_document("other", "", None, b"").is_err());
    }
}
