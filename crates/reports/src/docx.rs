//! The committee status report as DOCX (Office Open XML), for the administration to edit into the
//! committee paper, with the structure of the PDF: cover, contents (a TOC field), headings per
//! field of action, bar charts as shaded one-row tables, tables with a repeated header row and
//! right-aligned numbers. Written directly as XML parts in a zip: a document library would be a
//! large dependency for that.

use std::io::{Cursor, Write};

use crate::document::{Block, Cell, Chart, Table, contents_entries, status_report_blocks};
use lotse_domain::Date;
use lotse_domain::limits::count_label;
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

/// A paragraph in `style` (one of [`STYLES`]).
fn styled(style: &str, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{}</w:p>",
        run(text, false)
    )
}

fn heading(level: u8, text: &str) -> String {
    styled(&format!("Heading{level}"), text)
}

const PAGE_BREAK: &str = "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>";

/// The usable width of an A4 page with the margins of [`status_report_docx`], in twentieths of
/// a point.
const TEXT_WIDTH: u32 = 11906 - 2 * 1134;

/// A small empty paragraph: keeps Word from joining two tables that follow each other.
const SPACER: &str = "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"120\" w:lineRule=\"exact\"/></w:pPr></w:p>";

/// A cell's paragraph: bold for the header and what changed, right-aligned for numbers, in the
/// table's size (half points).
fn cell(c: &Cell, right: bool, size: u32, width: u32) -> String {
    let jc = if right { "<w:jc w:val=\"right\"/>" } else { "" };
    let bold = if c.strong { "<w:b/>" } else { "" };
    let runs: Vec<String> = c
        .text
        .split('\n')
        .map(|l| format!("<w:t xml:space=\"preserve\">{}</w:t>", esc(l)))
        .collect();
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr><w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>{jc}</w:pPr><w:r><w:rPr>{bold}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>{}</w:r></w:p></w:tc>",
        runs.join("<w:br/>")
    )
}

/// A table with the column widths and font size of the PDF (measured from the content, see
/// `pdf::table_columns`; Arial is about a tenth narrower than DejaVu Sans, so the size is half
/// a point larger and words still fit), the PDF's cell padding, its header row repeated on
/// every page and numbers right-aligned.
fn table(t: &Table) -> Result<String, String> {
    let (widths, size) = crate::pdf::table_columns(t, f32::from(TEXT_WIDTH as u16) / 20.0)?;
    let size = ((size + 0.5) * 2.0).round() as u32;
    let twips: Vec<u32> = widths.iter().map(|w| (w * 20.0).round() as u32).collect();
    let total: u32 = twips.iter().sum();
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0020\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
    );
    for w in &twips {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    out.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (i, h) in t.header.iter().enumerate() {
        let right = t.numeric.get(i) == Some(&true);
        let w = twips.get(i).copied().unwrap_or(0);
        out.push_str(&cell(&Cell::strong(h.clone()), right, size, w));
    }
    out.push_str("</w:tr>");
    for row in &t.rows {
        out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, c) in row.iter().enumerate() {
            let right = t.numeric.get(i) == Some(&true);
            let w = twips.get(i).copied().unwrap_or(0);
            out.push_str(&cell(c, right, size, w));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out.push_str(&para(""));
    Ok(out)
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("{r:02X}{g:02X}{b:02X}")
}

/// A chart as Word draws it without a chart part: each bar a one-row table whose shaded cells
/// are as wide as their counts (the count inside where it fits), the label before and the total
/// after it, the table's description the chart's text alternative; the legend below, a
/// coloured square before each status (for a single bar with its count).
fn chart(c: &Chart) -> String {
    let scale = c.scale();
    if scale == 0 {
        return String::new();
    }
    let labelled = c.bars.iter().any(|b| !b.label.is_empty());
    let (label_w, total_w) = if labelled {
        (TEXT_WIDTH * 3 / 10, 800)
    } else {
        (0, 0)
    };
    let bar_w = TEXT_WIDTH - label_w - total_w;
    let plain = |text: &str, width: u32, right: bool| {
        let jc = if right { "<w:jc w:val=\"right\"/>" } else { "" };
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>{jc}</w:pPr><w:r><w:rPr><w:sz w:val=\"17\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
            esc(text)
        )
    };
    let mut out = String::new();
    for (k, bar) in c.bars.iter().enumerate() {
        let mut cells: Vec<(u32, String)> = Vec::new();
        if labelled {
            cells.push((label_w, plain(&bar.label, label_w, false)));
        }
        let total: usize = bar.counts.iter().sum();
        let mut used = 0;
        for (i, n) in bar.counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = ((*n as f64 / scale as f64) * f64::from(bar_w))
                .round()
                .max(20.0) as u32;
            used += w;
            let number = count_label(*n);
            // About 0.6 em per digit at 7.5 pt, in twips.
            let fits = number.len() as u32 * 90 + 40 <= w;
            let fill = hex(c.colours.get(i).copied().unwrap_or((0x99, 0x99, 0x99)));
            cells.push((
                w,
                format!(
                    "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/><w:jc w:val=\"center\"/></w:pPr>{}</w:p></w:tc>",
                    if fits {
                        format!("<w:r><w:rPr><w:sz w:val=\"15\"/></w:rPr><w:t>{number}</w:t></w:r>")
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        let rest = (bar_w + total_w).saturating_sub(used);
        if labelled || rest >= 20 {
            let text = if labelled {
                count_label(total)
            } else {
                String::new()
            };
            cells.push((rest.max(20), plain(&text, rest.max(20), false)));
        }
        let description = if k == 0 {
            format!(
                "<w:tblCaption w:val=\"Balkendiagramm\"/><w:tblDescription w:val=\"{}\"/>",
                esc(&c.alt)
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar>{description}</w:tblPr><w:tblGrid>"
        ));
        for (w, _) in &cells {
            out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
        }
        out.push_str(
            "</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:trHeight w:val=\"320\"/></w:trPr>",
        );
        for (_, xml) in cells {
            out.push_str(&xml);
        }
        out.push_str("</w:tr></w:tbl>");
        out.push_str(SPACER);
    }
    let mut legend = String::from("<w:p><w:pPr><w:keepLines/></w:pPr>");
    for (i, s) in c.series.iter().enumerate() {
        let text = if labelled {
            s.clone()
        } else {
            match c.bars[0].counts.get(i) {
                Some(n) if *n > 0 => format!("{s}: {}", count_label(*n)),
                _ => continue,
            }
        };
        let colour = hex(c.colours.get(i).copied().unwrap_or((0x99, 0x99, 0x99)));
        legend.push_str(&format!(
            "<w:r><w:rPr><w:color w:val=\"{colour}\"/><w:sz w:val=\"18\"/></w:rPr><w:t>\u{25A0}</w:t></w:r><w:r><w:rPr><w:sz w:val=\"18\"/></w:rPr><w:t xml:space=\"preserve\"> {}   </w:t></w:r>",
            esc(&text)
        ));
    }
    legend.push_str("</w:p>");
    out.push_str(&legend);
    out
}

/// The table of contents: a TOC field over the headings of levels 2 and 3, its shown result the
/// list of those headings (Word adds the page numbers when the field is updated).
fn contents(entries: &[(u8, String)]) -> String {
    let mut out = styled("TOCHeading", "Inhalt");
    let field_start = "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"2-3\" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>";
    let field_end = "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";
    if entries.is_empty() {
        return format!("{out}<w:p>{field_start}{field_end}</w:p>");
    }
    for (i, (level, text)) in entries.iter().enumerate() {
        out.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"TOC{level}\"/></w:pPr>{}{}{}</w:p>",
            if i == 0 { field_start } else { "" },
            run(text, false),
            if i + 1 == entries.len() {
                field_end
            } else {
                ""
            }
        ));
    }
    out
}

fn body(blocks: &[Block]) -> Result<String, String> {
    let entries = contents_entries(blocks);
    let mut b = String::new();
    for block in blocks {
        match block {
            Block::Cover(c) => {
                b.push_str(&styled("CoverIssuer", &c.issuer));
                b.push_str(&styled("CoverTitle", &c.title));
                for line in &c.lines {
                    b.push_str(&styled("CoverLine", line));
                }
                b.push_str(PAGE_BREAK);
            }
            Block::Contents => {
                b.push_str(&contents(&entries));
                b.push_str(PAGE_BREAK);
            }
            Block::Heading(level, text) => b.push_str(&heading(*level, text)),
            Block::Para(text) => b.push_str(&para(text)),
            Block::Table(t) => b.push_str(&table(t)?),
            Block::Chart(c) => b.push_str(&chart(c)),
        }
    }
    Ok(b)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:lang w:val="de-DE"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:spacing w:after="120"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="CoverIssuer"><w:name w:val="Deckblatt Absender"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="8" w:space="4" w:color="000000"/></w:pBdr><w:spacing w:after="3600"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="CoverTitle"><w:name w:val="Deckblatt Titel"/><w:basedOn w:val="Heading1"/><w:pPr><w:spacing w:after="360"/></w:pPr><w:rPr><w:sz w:val="48"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="CoverLine"><w:name w:val="Deckblatt Zeile"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9628"/></w:tabs><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TOC3"><w:name w:val="toc 3"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9628"/></w:tabs><w:spacing w:after="40"/><w:ind w:left="284"/></w:pPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tblBorders></w:tblPr></w:style></w:styles>"#;

/// The document's properties: title, language, creator and date.
fn core_properties(title: &str, created: Date) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>Lotse</dc:creator><dc:language>de-DE</dc:language><dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}T00:00:00Z</dcterms:created></cp:coreProperties>",
        esc(title)
    )
}

/// The report as a DOCX file with the structure of the PDF: cover, contents, headings per
/// field of action, charts and tables. `created` is the document's date.
pub fn status_report_docx(report: &StatusReport, created: Date) -> Result<Vec<u8>, String> {
    let blocks = status_report_blocks(report, created);
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1134\" w:header=\"709\" w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
        body(&blocks)?
    );
    let core = core_properties(
        &format!("Sachstandsbericht: {}", report.round.title),
        created,
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", core.as_str()),
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
    use crate::document::sample::presented;

    /// The text of each paragraph of a part, tags removed.
    fn paragraphs(xml: &str) -> Vec<String> {
        xml.split("</w:p>")
            .map(|p| {
                let mut out = String::new();
                let mut tag = false;
                for c in p.chars() {
                    match c {
                        '<' => tag = true,
                        '>' => tag = false,
                        c if !tag => out.push(c),
                        _ => {}
                    }
                }
                out.trim().replace("&amp;", "&")
            })
            .collect()
    }

    #[test]
    fn the_docx_has_the_structure_of_the_pdf() {
        let report = presented();
        let created = lotse_domain::Date::new(2026, 7, 1).expect("a day");
        let bytes = super::status_report_docx(&report, created).unwrap();
        let xml = super::docx_document_xml(&bytes).unwrap();
        let paras = paragraphs(&xml);
        // The cover, then the contents on their own page.
        let at = |text: &str| {
            paras
                .iter()
                .position(|p| p == text)
                .unwrap_or_else(|| panic!("no paragraph {text}"))
        };
        assert!(at("Kreis Warendorf") < at("Sachstandsbericht: Überprüfung 2026"));
        assert!(paras.iter().any(|p| p == "Stichtag: 30.06.2026"));
        assert!(paras.iter().any(|p| p == "Stand des Dokuments: 01.07.2026"));
        assert!(xml.contains("TOC \\o \"2-3\""), "a contents field");
        assert!(xml.matches("<w:br w:type=\"page\"/>").count() >= 2);
        // A heading per field of action, listed in the contents too.
        for f in &report.by_field {
            let heading = format!(
                "<w:pStyle w:val=\"Heading3\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t>",
                f.field
            );
            assert!(xml.contains(&heading), "{}", f.field);
            assert!(xml.contains(&format!(
                "<w:pStyle w:val=\"TOC3\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t>",
                f.field
            )));
        }
        // Every table's header repeats on each page; numbers are right-aligned; the chart is
        // described; the change is marked in bold.
        assert_eq!(
            xml.matches("<w:tblHeader/>").count(),
            xml.matches("<w:tblStyle w:val=\"TableGrid\"/>").count()
        );
        assert!(xml.contains("<w:jc w:val=\"right\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"17\"/><w:szCs w:val=\"17\"/></w:rPr><w:t xml:space=\"preserve\">1.203</w:t>"));
        assert!(xml.contains(
            "<w:tblDescription w:val=\"Balkendiagramm: Sachstand der Maßnahmen je Handlungsfeld."
        ));
        assert!(xml.contains("<w:b/><w:sz w:val=\"17\"/><w:szCs w:val=\"17\"/></w:rPr><w:t xml:space=\"preserve\">in Umsetzung (vorher: geplant)</w:t>"));
        for r in &report.rows {
            assert!(xml.contains(&r.title), "{}", r.title);
        }
    }
    #[test]
    fn text_is_escaped_and_breaks_kept() {
        assert_eq!(
            super::run("a<b\nc", true),
            "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">a&lt;b</w:t><w:br/><w:t xml:space=\"preserve\">c</w:t></w:r>"
        );
        assert_eq!(super::esc("a\u{1}b\u{FFFF}\u{0}c\td\u{7f}"), "abc\td");
    }
}
