//! The committee status report as PDF/A-2b, the archival format the Kreis files committee papers
//! in. krilla writes the PDF/A parts (XMP metadata, embedded font subsets, output intent) and
//! refuses output that would break the standard; the layout here is deliberately simple: a single
//! column of headings, wrapped paragraphs and tables with wrapped cells, breaking across pages.

use krilla::configure::{Configuration, Validator};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use lotse_store::status_report::StatusReport;
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::document::{Block, status_report_blocks};

/// DejaVu Sans (free licence, see fonts/LICENSE-DejaVu.txt), built in so a server without fonts
/// still renders; it covers German, Turkish, Arabic script names and the other languages of the
/// people the reports are about.
const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
const TABLE: f32 = 8.0;
const CELL_PAD: f32 = 3.0;

struct Face {
    font: Font,
    data: &'static [u8],
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Self, String> {
        let font = Font::new(data.to_vec().into(), 0).ok_or("PDF: Schrift nicht lesbar")?;
        Ok(Self { font, data })
    }

    /// Width of a text in points, from the glyph advances (no kerning: a little slack is
    /// left at line ends instead).
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = skrifa::FontRef::new(self.data) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// Greedy line breaking at spaces; words longer than the line are split by characters.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if self.width(&next, size) > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Collects drawing operations per page, so page breaks are decided before anything is drawn.
#[derive(Default)]
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
}

impl Layout {
    fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    /// Makes room for `height` points, starting a new page if the current one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn op(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }
}

fn layout(blocks: &[Block], regular: &Face, bold: &Face) -> Layout {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut l = Layout::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let size = match level {
                    1 => 18.0,
                    2 => 14.0,
                    _ => 11.5,
                };
                let lines = bold.wrap(text, size, width);
                // Keep a heading with at least three lines of what follows.
                l.room(size * 1.3 * lines.len() as f32 + size * 0.6 + BODY * 4.0);
                l.y += size * 0.6;
                for line in lines {
                    l.y += size * 1.3;
                    l.op(Op::Text {
                        x: MARGIN,
                        y: l.y,
                        bold: true,
                        size,
                        text: line,
                    });
                }
                l.y += size * 0.3;
            }
            Block::Para(text) => {
                for line in regular.wrap(text, BODY, width) {
                    l.room(BODY * 1.4);
                    l.y += BODY * 1.4;
                    l.op(Op::Text {
                        x: MARGIN,
                        y: l.y,
                        bold: false,
                        size: BODY,
                        text: line,
                    });
                }
                l.y += BODY * 0.6;
            }
            Block::Table(header, rows) => table(&mut l, header, rows, regular, bold, width),
        }
    }
    l
}

/// Columns share the width in proportion to their longest content (at least a tenth each);
/// the header row repeats on every page the table continues on.
fn table(
    l: &mut Layout,
    header: &[String],
    rows: &[Vec<String>],
    regular: &Face,
    bold: &Face,
    width: f32,
) {
    let n = header.len().max(1);
    // Each column gets at least its longest word (so words are not split while there is room),
    // the rest of the width goes to the columns in proportion to their longest text.
    let mut longest_word = vec![0f32; n];
    let mut longest_text = vec![0f32; n];
    let cells = std::iter::once((header, bold)).chain(rows.iter().map(|r| (r.as_slice(), regular)));
    for (row, face) in cells {
        for (i, c) in row.iter().enumerate().take(n) {
            let word = c
                .split_whitespace()
                .map(|w| face.width(w, TABLE))
                .fold(0f32, f32::max);
            longest_word[i] = longest_word[i].max(word + 2.0 * CELL_PAD + 1.0);
            longest_text[i] = longest_text[i].max(face.width(c, TABLE).min(width));
        }
    }
    let floor: f32 = longest_word.iter().sum();
    let mut cols: Vec<f32> = if floor >= width {
        longest_word.iter().map(|w| w / floor * width).collect()
    } else {
        let extra: Vec<f32> = longest_text
            .iter()
            .zip(&longest_word)
            .map(|(t, w)| (t - w).max(0.0))
            .collect();
        let extra_total = extra.iter().sum::<f32>().max(1.0);
        longest_word
            .iter()
            .zip(&extra)
            .map(|(w, e)| w + e / extra_total * (width - floor))
            .collect()
    };
    let scale = width / cols.iter().sum::<f32>().max(1.0);
    cols.iter_mut().for_each(|c| *c *= scale);

    let line_h = TABLE * 1.3;
    let draw_row = |l: &mut Layout, cells: &[String], face: &Face, is_bold: bool| {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&cols)
            .map(|(c, w)| face.wrap(c, TABLE, w - 2.0 * CELL_PAD))
            .collect();
        let height =
            wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * CELL_PAD;
        let top = l.y;
        let mut x = MARGIN;
        for (lines, w) in wrapped.into_iter().zip(&cols) {
            let mut y = top + CELL_PAD;
            for line in lines {
                y += line_h;
                l.op(Op::Text {
                    x: x + CELL_PAD,
                    y: y - TABLE * 0.3,
                    bold: is_bold,
                    size: TABLE,
                    text: line,
                });
            }
            x += w;
        }
        l.y = top + height;
        l.op(Op::Line {
            x1: MARGIN,
            y1: l.y,
            x2: MARGIN + width,
            y2: l.y,
        });
        height
    };
    let row_height = |cells: &[String], face: &Face| {
        cells
            .iter()
            .zip(&cols)
            .map(|(c, w)| face.wrap(c, TABLE, w - 2.0 * CELL_PAD).len())
            .max()
            .unwrap_or(1) as f32
            * line_h
            + 2.0 * CELL_PAD
    };
    let header_h = row_height(header, bold);
    l.room(header_h + rows.first().map_or(0.0, |r| row_height(r, regular)));
    draw_row(l, header, bold, true);
    for row in rows {
        let h = row_height(row, regular);
        let pages = l.pages.len();
        l.room(h);
        if l.pages.len() != pages {
            draw_row(l, header, bold, true);
        }
        draw_row(l, row, regular, false);
    }
    l.y += BODY;
}

fn draw(surface: &mut Surface, ops: &[Op], regular: &Face, bold: &Face) {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                bold: is_bold,
                size,
                text,
            } => {
                let face = if *is_bold { bold } else { regular };
                surface.draw_text(
                    Point::from_xy(*x, *y),
                    face.font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            Op::Line { x1, y1, x2, y2 } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: 0.5,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
    }
}

/// The report as a PDF/A-2b file. `created` is the creation date (YYYY-MM-DD) written to the
/// document's metadata, which PDF/A requires.
pub fn status_report_pdf(report: &StatusReport, created: &str) -> Result<Vec<u8>, String> {
    let regular = Face::load(REGULAR)?;
    let bold = Face::load(BOLD)?;
    let layout = layout(&status_report_blocks(report), &regular, &bold);

    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::A2_B),
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    let mut date = DateTime::new(
        created
            .get(0..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(2026),
    );
    if let (Some(m), Some(d)) = (
        created.get(5..7).and_then(|m| m.parse().ok()),
        created.get(8..10).and_then(|d| d.parse().ok()),
    ) {
        date = date.month(m).day(d);
    }
    document.set_metadata(
        Metadata::new()
            .title(format!("Sachstandsbericht: {}", report.round.title))
            .language("de-DE".into())
            .creator("Lotse".into())
            .creation_date(date),
    );
    let Some(page_settings) = PageSettings::from_wh(PAGE_W, PAGE_H) else {
        return Err("PDF: ungültiges Seitenformat".into());
    };
    let total = layout.pages.len();
    for (i, ops) in layout.pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        draw(&mut surface, ops, &regular, &bold);
        // Printed committee papers get separated; every page says what it belongs to.
        let footer = Op::Text {
            x: MARGIN,
            y: PAGE_H - MARGIN / 2.0,
            bold: false,
            size: TABLE,
            text: format!(
                "Sachstandsbericht {} · Seite {} von {total}",
                report.round.title,
                i + 1
            ),
        };
        draw(&mut surface, &[footer], &regular, &bold);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::{BODY, Face, REGULAR};

    #[test]
    fn wrapping_keeps_every_character_and_stays_within_the_width() {
        let face = Face::load(REGULAR).unwrap();
        let text = "Kommunales Integrationsmanagement: rechtskreisübergreifendes Case Management \
                    für Menschen mit Einwanderungsgeschichte, Donaudampfschifffahrtsgesellschaftskapitän.\nZweite Zeile";
        let lines = face.wrap(text, BODY, 120.0);
        assert!(lines.len() > 4);
        assert!(lines.iter().all(|l| face.width(l, BODY) <= 120.0));
        let rejoined: String = lines
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(rejoined, original);
        assert_eq!(lines.last().map(String::as_str), Some("Zweite Zeile"));
    }
}
