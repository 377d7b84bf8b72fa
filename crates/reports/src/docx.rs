//! The committee status report as DOCX (Office Open XML), for the administration to edit into the
//! committee paper. Written directly as XML parts in a zip: headings, paragraphs and tables are all
//! the report needs, and a document library would be a large dependency for that.

use std::io::{Cursor, Write};

use crate::document::{Block, status_report_blocks};
use lotse_store::status_report::StatusReport;
use zip::write::SimpleFileOptions;

/// Escapes text for XML and leaves out what XML 1.0 cannot hold at all (control characters
/// other than tab, U+FFFE, U+FFFF): input is checked for them, but text stored before that
/// check must not make the whole document unreadable.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push(c),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A run of text; line breaks become `<w:br/>`.
fn run(text: &str, bold: bool) -> String {
    let props = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    let parts: Vec<String> = text
        .split('\n')
        .map(|l| format!("<w:t xml:space=\"preserve\">{}</w:t>", esc(l)))
        .collect();
    format!("<w:r>{props}{}</w:r>", parts.join("<w:br/>"))
}

fn para(text: &str) -> String {
    format!("<w:p>{}</w:p>", run(text, false))
}

fn heading(level: u8, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/></w:pPr>{}</w:p>",
        run(text, false)
    )
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |t: &str, bold: bool| format!("<w:tc><w:p>{}</w:p></w:tc>", run(t, bold));
    let mut out = String::from(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr>",
    );
    out.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for h in header {
        out.push_str(&cell(h, true));
    }
    out.push_str("</w:tr>");
    for row in rows {
        out.push_str("<w:tr>");
        for c in row {
            out.push_str(&cell(c, false));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out.push_str(&para(""));
    out
}

fn body(r: &StatusReport) -> String {
    let mut b = String::new();
    for block in status_report_blocks(r) {
        match block {
            Block::Heading(level, text) => b.push_str(&heading(level, &text)),
            Block::Para(text) => b.push_str(&para(&text)),
            Block::Table(header, rows) => {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                b.push_str(&table(&header, &rows));
            }
        }
    }
    b
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:lang w:val="de-DE"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:spacing w:after="120"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tblBorders></w:tblPr></w:style></w:styles>"#;

/// The report as a DOCX file.
pub fn status_report_docx(report: &StatusReport) -> Result<Vec<u8>, String> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1134\" w:header=\"709\" w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
        body(report)
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, options)
            .map_err(|e| format!("DOCX: {e}"))?;
        zip.write_all(content.as_bytes())
            .map_err(|e| format!("DOCX: {e}"))?;
    }
    Ok(zip.finish().map_err(|e| format!("DOCX: {e}"))?.into_inner())
}

/// The text of a DOCX file's main document part (for tests and checks).
pub fn docx_document_xml(bytes: &[u8]) -> Result<String, String> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a DOCX: {e}"))?;
    let mut part = archive
        .by_name("word/document.xml")
        .map_err(|e| format!("no document part: {e}"))?;
    let mut xml = String::new();
    part.read_to_string(&mut xml).map_err(|e| e.to_string())?;
    Ok(xml)
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped_and_breaks_kept() {
        assert_eq!(
            super::run("a<b\nc", true),
            "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">a&lt;b</w:t><w:br/><w:t xml:space=\"preserve\">c</w:t></w:r>"
        );
        assert_eq!(super::esc("a\u{1}b\u{FFFF}\u{0}c\td\u{7f}"), "abc\td");
    }
}
