//! The bounds on everything Lotse reads from outside: uploads, imported tables, exchange files.
//!
//! Every importer checks these before it allocates, so that the cost of reading a file follows
//! its content and never the coordinates or counts it merely claims (a spreadsheet cell at
//! XFD1048576, a zip that unpacks a thousandfold). The numbers are a district's needs with room
//! to spare: the Kreis's catalogues have a few hundred measures, its directory a few thousand
//! offers. docs/security.md lists them with the tests that hold them.

/// Largest file accepted by an upload form (measure catalogue, organisation list).
pub const UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// The same, as the pages state it.
pub const UPLOAD_LABEL: &str = "5 MB";

/// Rows of an imported table (catalogue, organisation list), counted as the spreadsheet numbers
/// them, empty rows included.
pub const TABLE_ROWS: usize = 20_000;

/// Columns of an imported table.
pub const TABLE_COLUMNS: usize = 200;

/// Cells holding a value in an imported table.
pub const TABLE_CELLS: usize = 1_000_000;

/// Bytes an XLSX file may unpack to, all its parts together: a 5 MB spreadsheet of plain text
/// unpacks to well under this, a zip bomb does not.
pub const XLSX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;

/// Parts (files) inside an XLSX file.
pub const XLSX_PARTS: usize = 1_000;

/// Size of one file of an HSDS exchange package (datapackage CSV or services JSON).
pub const EXCHANGE_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Records (rows) of one HSDS exchange package, all its tables together (decision 0011). 100,000
/// offers with their places, schedules, languages and attributes are about 2.3 million; every
/// record read is held until the import is written (about 1.4 KiB each, file bytes included).
pub const EXCHANGE_RECORDS: usize = 3_000_000;

/// Problems listed for one import before the rest are summarised: a broken file of 100,000 rows
/// should say what is wrong, not print 100,000 lines.
pub const REPORTED_PROBLEMS: usize = 200;

/// `limit` + `offset` of a search in the public finder and its API: relevance-ordered results
/// are paged by ranking the first `offset + limit` matches, so deep pages are refused with a
/// message rather than ranked (decision 0009). Whole-directory harvesting uses the HSDS API,
/// whose pages cost the same at any depth.
pub const SEARCH_WINDOW: usize = 1_000;

/// A count as German text writes it: 20.000, 1.000.000.
pub fn count_label(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_the_german_way() {
        assert_eq!(super::count_label(5), "5");
        assert_eq!(super::count_label(20_000), "20.000");
        assert_eq!(super::count_label(1_000_000), "1.000.000");
    }
}
