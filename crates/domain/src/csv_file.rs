//! CSV files as people make them (Excel's "CSV UTF-8", other directories' exports): decoding,
//! the checks every CSV reader shares, and the guard every CSV writer applies.

use std::borrow::Cow;

use crate::limits;

/// The text of a CSV file: UTF-8, with or without byte-order mark.
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "Die Datei ist nicht UTF-8-kodiert (Byte {}). Bitte in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern.",
            e.valid_up_to() + 1
        )
    })
}

/// Refuses a file whose quoting is broken. A quote that opens a field and never closes makes a
/// CSV reader take the rest of the file as one field; the reader does not call that an error,
/// so the import would silently turn hundreds of rows into one title. The rules are RFC 4180's:
/// a quote opens a field only at its start, `""` inside a quoted field is a quote, and the
/// closing quote must be followed by the delimiter or the end of the line.
pub fn check_quotes(text: &str, delimiter: u8) -> Result<(), String> {
    let bytes = text.as_bytes();
    let (mut line, mut i, mut field_start) = (1usize, 0usize, true);
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' && field_start {
            let opened = line;
            i += 1;
            loop {
                match bytes.get(i) {
                    None => {
                        return Err(format!(
                            "Zeile {opened}: Ein Anführungszeichen wird geöffnet und bis zum Dateiende nicht geschlossen. Bitte das Feld prüfen."
                        ));
                    }
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\n') => {
                        line += 1;
                        i += 1;
                    }
                    Some(_) => i += 1,
                }
            }
            match bytes.get(i) {
                None | Some(b'\n' | b'\r') => {}
                Some(&next) if next == delimiter => {}
                Some(_) => {
                    return Err(format!(
                        "Zeile {line}: Nach einem schließenden Anführungszeichen folgt Text. Anführungszeichen in einem Feld werden verdoppelt (\"\"), und das ganze Feld steht in Anführungszeichen."
                    ));
                }
            }
            field_start = false;
            continue;
        }
        field_start = b == delimiter || b == b'\n' || b == b'\r';
        if b == b'\n' {
            line += 1;
        }
        i += 1;
    }
    Ok(())
}

/// Refuses a table larger than an import may be (see [`limits`]); `row` counts from 1.
pub fn check_shape(row: usize, columns: usize) -> Result<(), String> {
    if row > limits::TABLE_ROWS {
        return Err(format!(
            "Die Datei hat mehr als {} Zeilen; bitte in kleineren Teilen importieren.",
            limits::count_label(limits::TABLE_ROWS)
        ));
    }
    if columns > limits::TABLE_COLUMNS {
        return Err(format!(
            "Zeile {row} hat {columns} Spalten; erlaubt sind höchstens {}.",
            limits::TABLE_COLUMNS
        ));
    }
    Ok(())
}

/// Whether a spreadsheet program would read the cell as a formula (or a formula trick).
fn needs_guard(value: &str) -> bool {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_guard(&value[1..]),
        _ => false,
    }
}

/// Guards a text cell of a CSV that Lotse writes against formula injection: a cell that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return at the start)
/// gets a leading apostrophe, which spreadsheets show as text. [`unguard_cell`] undoes it
/// exactly, so Lotse's own exports read back unchanged. Number columns are not guarded: `-3.5`
/// is a number, not a formula.
pub fn guard_cell(value: &str) -> Cow<'_, str> {
    if needs_guard(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The inverse of [`guard_cell`], applied to text cells on import.
pub fn unguard_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_quoting_passes() {
        let text = "a;\"b;c\";\"d \"\"e\"\"\"\n\"mehr\nzeilig\";x\r\n\"\";\n";
        assert_eq!(check_quotes(text, b';'), Ok(()));
        assert_eq!(
            check_quotes("a\"b;c\n", b';'),
            Ok(()),
            "quote inside a field"
        );
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let text = "Nr.;Maßnahme\n1;\"Sprachcafé\n2;Elternkurse\n3;Mentoring\n";
        let e = check_quotes(text, b';').expect_err("unclosed");
        assert!(e.starts_with("Zeile 2:"), "{e}");
        let e = check_quotes("a;\"b\"c;d\n", b';').expect_err("text after quote");
        assert!(e.starts_with("Zeile 1:"), "{e}");
    }

    #[test]
    fn the_guard_is_undone_exactly() {
        for v in [
            "=HYPERLINK(\"x\")",
            "+49 2382 1234",
            "-1+1",
            "@SUM(A1)",
            "\tx",
            "'=x",
            "''+x",
            "'plain",
            "plain",
            "",
        ] {
            let guarded = guard_cell(v);
            assert!(!matches!(
                guarded.chars().next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r')
            ));
            assert_eq!(unguard_cell(&guarded), v, "{v:?}");
        }
        assert_eq!(guard_cell("=1+1"), "'=1+1");
        assert_eq!(guard_cell("Sprachcafé"), "Sprachcafé");
    }
}
