//! The committee status report as PDF/A-2b, the archival format the Kreis files committee papers
//! in. krilla writes the PDF/A parts (XMP metadata, embedded font subsets, output intent) and
//! refuses output that would break the standard; the layout here is deliberately simple: a single
//! column of headings, wrapped paragraphs and tables with wrapped cells, breaking across pages.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use krilla::configure::{Configuration, ValidationError, Validator};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use lotse_domain::Date;
use lotse_store::status_report::StatusReport;
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::document::{Block, status_report_blocks};

/// Fonts built in so a server without fonts still renders (decision 0008, licences in fonts/).
/// DejaVu Sans sets German, Turkish, Albanian, Kurdish (Latin), Vietnamese, Greek, Cyrillic and
/// Hebrew; the fallbacks after it cover the other scripts of the district's communities. Only the
/// glyphs a report uses are embedded (krilla subsets every font it writes).
const DEJAVU: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const DEJAVU_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
/// Fallbacks in the order they are tried, regular weight only: bold text in these scripts is set
/// in the regular weight.
const FALLBACKS: [&[u8]; 5] = [
    // Arabic, Persian, Dari, Pashto, Urdu, Kurdish (Sorani).
    include_bytes!("../fonts/NotoSansArabic-Regular.ttf"),
    // Tigrinya, Amharic, Oromo in Ge'ez script.
    include_bytes!("../fonts/NotoSansEthiopic-Regular.ttf"),
    // Hindi, Marathi, Nepali.
    include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf"),
    include_bytes!("../fonts/NotoSansTamil-Regular.ttf"),
    // Chinese, Japanese, Korean (Apache-2.0).
    include_bytes!("../fonts/DroidSansFallback.ttf"),
];
/// Positions in `Fonts::faces`: the two DejaVu weights, then the fallbacks in their order.
const REGULAR: usize = 0;
const BOLD: usize = 1;
const ARABIC: usize = 2;
/// Fonts whose runs are measured shaped (Arabic, Devanagari, Tamil: contextual forms, conjuncts
/// and reordered vowel signs), as are all right-to-left runs.
const SHAPED: [usize; 3] = [ARABIC, 4, 5];
const REGULAR_ORDER: [usize; 6] = [REGULAR, 2, 3, 4, 5, 6];
const BOLD_ORDER: [usize; 7] = [BOLD, REGULAR, 2, 3, 4, 5, 6];
/// Drawn for a character no built-in font has (DejaVu Sans has it in both weights).
const REPLACEMENT: char = '\u{FFFD}';

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
const TABLE: f32 = 8.0;
const CELL_PAD: f32 = 3.0;

struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Self, String> {
        let unreadable = || "PDF: Schrift nicht lesbar".to_owned();
        let font = Font::new(data.into(), 0).ok_or_else(unreadable)?;
        let font_ref = skrifa::FontRef::new(data).map_err(|_| unreadable())?;
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or_else(unreadable)?;
        let units_per_em = font_ref
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em;
        Ok(Self {
            font,
            shaper,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(units_per_em.max(1)),
        })
    }

    fn has(&self, c: char) -> bool {
        self.charmap.map(c).is_some_and(|g| g.to_u32() != 0)
    }

    /// The advance of a character's nominal glyph in points (no kerning or contextual forms:
    /// shaped text is as wide or a little narrower, which leaves slack at line ends).
    fn advance(&self, c: char, size: f32) -> f32 {
        if c == '\n' || is_ignorable(c) {
            return 0.0;
        }
        self.charmap
            .map(c)
            .and_then(|g| self.metrics.advance_width(g))
            .map_or(size * 0.6, |w| w * size / self.units_per_em)
    }

    /// The width of a text in em as krilla's shaper sets it (the same rustybuzz call as krilla's
    /// `simple-text`: script guessed from the text, no features, the run's direction).
    fn shaped_width(&self, text: &str, rtl: bool) -> f32 {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        let glyphs = rustybuzz::shape(&self.shaper, &[], buffer);
        let units: i32 = glyphs.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 / self.units_per_em
    }
}

/// A piece of a line set in one font at one bidi level (odd: right to left), as a byte range.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    face: usize,
    level: u8,
    range: Range<usize>,
}

/// The fonts, loaded once per process (parsing and hashing them is the same work for every
/// report): the two DejaVu weights, then the fallbacks in their order.
fn faces() -> Result<&'static [Face], String> {
    static FACES: OnceLock<Result<Vec<Face>, String>> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        let mut faces = vec![Face::load(DEJAVU)?, Face::load(DEJAVU_BOLD)?];
        for data in FALLBACKS {
            faces.push(Face::load(data)?);
        }
        Ok(faces)
    });
    faces.as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// The fonts as one report uses them.
struct Fonts {
    faces: &'static [Face],
    /// Shaped widths in em by font, direction and word: line breaking measures the same words
    /// again and again, and shaping is what costs.
    shaped: RefCell<HashMap<(usize, bool), HashMap<String, f32>>>,
}

impl Fonts {
    fn new() -> Result<Self, String> {
        Ok(Self {
            faces: faces()?,
            shaped: RefCell::default(),
        })
    }

    fn order(bold: bool) -> &'static [usize] {
        if bold { &BOLD_ORDER } else { &REGULAR_ORDER }
    }

    /// The text as it will be drawn: line ends normalised to `\n`, tabs to spaces, and every
    /// other control character, non-character and character that no built-in font has (private
    /// use, unassigned, scripts without a font here) replaced by U+FFFD, so one odd character
    /// never fails a report. `banned` holds characters that produced a missing glyph anyway.
    fn clean(&self, text: &str, banned: &HashSet<char>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(match c {
                c if banned.contains(&c) => REPLACEMENT,
                '\r' if chars.peek() == Some(&'\n') => continue,
                '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
                '\t' => ' ',
                c if c.is_control() || is_noncharacter(c) => REPLACEMENT,
                // Invisible format characters (joiners, direction marks, soft hyphen): the shaper
                // hides them whatever the font.
                c if is_ignorable(c) => c,
                c if REGULAR_ORDER.iter().any(|&f| self.faces[f].has(c)) => c,
                _ => REPLACEMENT,
            });
        }
        out
    }

    /// Splits a line (cleaned, in logical order) into runs of one font and one bidi level. Each
    /// character gets the first font of the fallback order that has it, except that Arabic
    /// letters prefer Noto Sans Arabic (a word must be shaped by one font to join), and marks,
    /// invisible joiners and the spaces and punctuation inside right-to-left text stay with the
    /// font of the character before them when it has them.
    fn runs(&self, text: &str, bold: bool) -> Vec<Run> {
        let order = Self::order(bold);
        let chars: Vec<char> = text.chars().collect();
        let levels = bidi_levels(&chars);
        let mut runs: Vec<Run> = Vec::new();
        let mut prev: Option<usize> = None;
        for ((start, c), level) in text.char_indices().zip(levels) {
            let sticky = is_mark(c) || (level % 2 == 1 && class(c) != Class::R);
            let face = if is_ignorable(c) {
                prev.unwrap_or(order[0])
            } else if let Some(p) = prev.filter(|&p| sticky && self.faces[p].has(c)) {
                p
            } else if is_arabic(c) && self.faces[ARABIC].has(c) {
                ARABIC
            } else {
                order
                    .iter()
                    .copied()
                    .find(|&f| self.faces[f].has(c))
                    .unwrap_or(order[0])
            };
            prev = Some(face);
            let end = start + c.len_utf8();
            match runs.last_mut() {
                Some(run) if run.face == face && run.level == level => run.range.end = end,
                _ => runs.push(Run {
                    face,
                    level,
                    range: start..end,
                }),
            }
        }
        runs
    }

    /// Width of a run in points: shaped for right-to-left text and the scripts in `SHAPED`, word
    /// by word (joining and conjuncts never cross a space), the sum of the nominal advances
    /// otherwise (no kerning: a little slack is left at line ends).
    fn run_width(&self, run: &Run, text: &str, size: f32) -> f32 {
        let face = &self.faces[run.face];
        let part = text.get(run.range.clone()).unwrap_or_default();
        let rtl = run.level % 2 == 1;
        if !rtl && !SHAPED.contains(&run.face) {
            return part.chars().map(|c| face.advance(c, size)).sum();
        }
        let mut cache = self.shaped.borrow_mut();
        let cache = cache.entry((run.face, rtl)).or_default();
        let mut width = 0.0;
        for (i, word) in part.split(' ').enumerate() {
            if i > 0 {
                width += face.advance(' ', size);
            }
            if word.is_empty() {
                continue;
            }
            let em = match cache.get(word) {
                Some(em) => *em,
                None => {
                    let em = face.shaped_width(word, rtl);
                    cache.insert(word.to_owned(), em);
                    em
                }
            };
            width += em * size;
        }
        width
    }

    /// Width of a text in points, each run measured with its own font.
    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        self.runs(text, bold)
            .iter()
            .map(|run| self.run_width(run, text, size))
            .sum()
    }

    /// Greedy line breaking at spaces; words longer than the line are split by characters (never
    /// before a combining mark or an invisible joiner).
    fn wrap(&self, text: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, bold, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    let attached = is_mark(c) || is_ignorable(c);
                    if !attached && !line.is_empty() && self.width(&next, bold, size) > max {
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

    /// Draws one line: its runs in visual order (right-to-left runs reversed as a whole, their
    /// glyphs ordered and joined by krilla's shaper), each with its own font.
    fn draw(&self, surface: &mut Surface, at: Point, bold: bool, size: f32, text: &str) {
        let mut runs = self.runs(text, bold);
        reorder(&mut runs);
        let mut x = at.x;
        for run in &runs {
            let Some(part) = text.get(run.range.clone()) else {
                continue;
            };
            let direction = if run.level % 2 == 1 {
                TextDirection::RightToLeft
            } else {
                TextDirection::LeftToRight
            };
            surface.draw_text(
                Point::from_xy(x, at.y),
                self.faces[run.face].font.clone(),
                size,
                part,
                false,
                direction,
            );
            x += self.run_width(run, text, size);
        }
    }
}

/// Zero-width format characters that shaping hides (Unicode's Default_Ignorable_Code_Point, the
/// parts that occur in text): soft hyphen, joiners, direction marks and embeddings, word joiner,
/// variation selectors, byte order mark, tags.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Combining marks that attach to the character before them (Latin, Cyrillic, Hebrew and
/// Arabic diacritics; the Indic vowel signs are in the same font as their letters anyway).
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{300}'..='\u{36F}' | '\u{483}'..='\u{489}' | '\u{591}'..='\u{5BD}' | '\u{5BF}'
        | '\u{5C1}'..='\u{5C2}' | '\u{5C4}'..='\u{5C5}' | '\u{5C7}' | '\u{610}'..='\u{61A}'
        | '\u{64B}'..='\u{65F}' | '\u{670}' | '\u{6D6}'..='\u{6DC}' | '\u{6DF}'..='\u{6E4}'
        | '\u{6E7}'..='\u{6E8}' | '\u{6EA}'..='\u{6ED}' | '\u{8D3}'..='\u{8E1}'
        | '\u{8E3}'..='\u{8FF}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FDD0}'..='\u{FDEF}') || (u32::from(c) & 0xFFFE) == 0xFFFE
}

fn is_arabic(c: char) -> bool {
    matches!(c,
        '\u{600}'..='\u{6FF}' | '\u{750}'..='\u{77F}' | '\u{8A0}'..='\u{8FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}')
}

/// Bidi classes, reduced to what the report's texts need (UAX #9 with a left-to-right paragraph
/// and without explicit embeddings, which are hidden like other format characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Letters of left-to-right scripts.
    L,
    /// Hebrew, Arabic and the other right-to-left scripts.
    R,
    /// European digits (also Persian ones).
    En,
    /// Arabic-Indic digits.
    An,
    /// Separators inside a number: `1.5`, `1,5`, `10:30`, `2024/25`, `2020-2024`.
    Sep,
    /// Signs that belong to a number next to them: `%`, `€`, `°`.
    Et,
    /// Combining marks and invisible format characters: the class of the character before.
    Nsm,
    /// Spaces, punctuation, symbols.
    N,
}

fn class(c: char) -> Class {
    match c {
        '0'..='9' | '\u{6F0}'..='\u{6F9}' => Class::En,
        '\u{660}'..='\u{669}' | '\u{66B}' | '\u{66C}' => Class::An,
        '.' | ',' | ':' | '/' | '-' | '+' | '\u{2013}' => Class::Sep,
        '%' | '\u{66A}' | '\u{2030}' | '\u{20AC}' | '$' | '\u{B0}' | '#' => Class::Et,
        c if is_mark(c) || is_ignorable(c) => Class::Nsm,
        '\u{590}'..='\u{8FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFE}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}' => Class::R,
        c if c.is_alphabetic() => Class::L,
        _ => Class::N,
    }
}

/// Embedding levels per character of one line: 0 left to right, 1 right to left, 2 a number
/// inside right-to-left text (which still reads left to right).
fn bidi_levels(chars: &[char]) -> Vec<u8> {
    let mut cls: Vec<Class> = Vec::with_capacity(chars.len());
    for &c in chars {
        let k = class(c);
        cls.push(if k == Class::Nsm {
            cls.last().copied().unwrap_or(Class::N)
        } else {
            k
        });
    }
    let n = cls.len();
    // A single separator between two digits of one kind belongs to the number (W4); signs next
    // to European digits too (W5); other separators and signs are neutral (W6).
    for i in 1..n.saturating_sub(1) {
        if cls[i] == Class::Sep
            && matches!(cls[i - 1], Class::En | Class::An)
            && cls[i - 1] == cls[i + 1]
        {
            cls[i] = cls[i - 1];
        }
    }
    for i in 0..n {
        if cls[i] == Class::Et {
            let touches = |j: Option<usize>| j.and_then(|j| cls.get(j)) == Some(&Class::En);
            if touches(i.checked_sub(1)) || touches(Some(i + 1)) {
                cls[i] = Class::En;
            }
        }
    }
    for i in (0..n).rev() {
        if cls[i] == Class::Et && cls.get(i + 1) == Some(&Class::En) {
            cls[i] = Class::En;
        }
    }
    for k in &mut cls {
        if matches!(k, Class::Sep | Class::Et) {
            *k = Class::N;
        }
    }
    // European digits after left-to-right text (or at the start) are left-to-right text (W7).
    let mut last_strong = Class::L;
    for k in &mut cls {
        match *k {
            Class::L | Class::R => last_strong = *k,
            Class::En if last_strong == Class::L => *k = Class::L,
            _ => {}
        }
    }
    // Neutrals between two right-to-left sides (numbers count as such) are right-to-left, all
    // others take the paragraph's direction (N1, N2).
    let side = |k: Class| match k {
        Class::L => Some(Class::L),
        Class::R | Class::En | Class::An => Some(Class::R),
        _ => None,
    };
    let mut i = 0;
    while i < n {
        if cls[i] != Class::N {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && cls[i] == Class::N {
            i += 1;
        }
        let before = start.checked_sub(1).and_then(|j| side(cls[j]));
        let after = cls.get(i).and_then(|&k| side(k));
        let resolved = if before == Some(Class::R) && after == Some(Class::R) {
            Class::R
        } else {
            Class::L
        };
        cls[start..i].iter_mut().for_each(|k| *k = resolved);
    }
    cls.into_iter()
        .map(|k| match k {
            Class::R => 1,
            Class::En | Class::An => 2,
            _ => 0,
        })
        .collect()
}

/// Visual order of a line's runs (UAX #9, L2): from the highest level down to 1, every stretch of
/// runs at that level or higher is reversed.
fn reorder(runs: &mut [Run]) {
    let top = runs.iter().map(|r| r.level).max().unwrap_or(0);
    for level in (1..=top).rev() {
        let mut i = 0;
        while i < runs.len() {
            if runs[i].level < level {
                i += 1;
                continue;
            }
            let start = i;
            while i < runs.len() && runs[i].level >= level {
                i += 1;
            }
            runs[start..i].reverse();
        }
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

fn layout(blocks: &[Block], fonts: &Fonts) -> Layout {
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
                let lines = fonts.wrap(text, true, size, width);
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
                for line in fonts.wrap(text, false, BODY, width) {
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
            Block::Table(header, rows) => table(&mut l, header, rows, fonts, width),
        }
    }
    l
}

/// Columns share the width in proportion to their longest content (at least a tenth each);
/// the header row repeats on every page the table continues on.
fn table(l: &mut Layout, header: &[String], rows: &[Vec<String>], fonts: &Fonts, width: f32) {
    let n = header.len().max(1);
    // Each column gets at least its longest word (so words are not split while there is room),
    // the rest of the width goes to the columns in proportion to their longest text.
    let mut longest_word = vec![0f32; n];
    let mut longest_text = vec![0f32; n];
    let cells = std::iter::once((header, true)).chain(rows.iter().map(|r| (r.as_slice(), false)));
    for (row, bold) in cells {
        for (i, c) in row.iter().enumerate().take(n) {
            let word = c
                .split_whitespace()
                .map(|w| fonts.width(w, bold, TABLE))
                .fold(0f32, f32::max);
            longest_word[i] = longest_word[i].max(word + 2.0 * CELL_PAD + 1.0);
            longest_text[i] = longest_text[i].max(fonts.width(c, bold, TABLE).min(width));
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
    let draw_row = |l: &mut Layout, cells: &[String], bold: bool| {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&cols)
            .map(|(c, w)| fonts.wrap(c, bold, TABLE, w - 2.0 * CELL_PAD))
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
                    bold,
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
    let row_height = |cells: &[String], bold: bool| {
        cells
            .iter()
            .zip(&cols)
            .map(|(c, w)| fonts.wrap(c, bold, TABLE, w - 2.0 * CELL_PAD).len())
            .max()
            .unwrap_or(1) as f32
            * line_h
            + 2.0 * CELL_PAD
    };
    let header_h = row_height(header, true);
    l.room(header_h + rows.first().map_or(0.0, |r| row_height(r, false)));
    draw_row(l, header, true);
    for row in rows {
        let h = row_height(row, false);
        let pages = l.pages.len();
        l.room(h);
        if l.pages.len() != pages {
            draw_row(l, header, true);
        }
        draw_row(l, row, false);
    }
    l.y += BODY;
}

fn draw(surface: &mut Surface, ops: &[Op], fonts: &Fonts) {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                bold,
                size,
                text,
            } => fonts.draw(surface, Point::from_xy(*x, *y), *bold, *size, text),
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

/// The report's texts as they will be drawn (see `Fonts::clean`).
fn clean_blocks(blocks: Vec<Block>, fonts: &Fonts, banned: &HashSet<char>) -> Vec<Block> {
    let clean = |t: &str| fonts.clean(t, banned);
    blocks
        .into_iter()
        .map(|block| match block {
            Block::Heading(level, text) => Block::Heading(level, clean(&text)),
            Block::Para(text) => Block::Para(clean(&text)),
            Block::Table(header, rows) => Block::Table(
                header.iter().map(|h| clean(h)).collect(),
                rows.iter()
                    .map(|row| row.iter().map(|c| clean(c)).collect())
                    .collect(),
            ),
        })
        .collect()
}

/// The characters of the missing glyphs krilla's PDF/A check found, if that is all it found.
fn missing_glyphs(error: &KrillaError) -> Option<HashSet<char>> {
    let KrillaError::Validation(errors) = error else {
        return None;
    };
    let mut chars = HashSet::new();
    for e in errors {
        let ValidationError::ContainsNotDefGlyph(_, _, text) = e else {
            return None;
        };
        chars.extend(text.chars());
    }
    Some(chars)
}

/// The report as a PDF/A-2b file. `created` is the creation date written to the
/// document's metadata, which PDF/A requires.
///
/// Characters no built-in font has are drawn as U+FFFD (see `Fonts::clean`). Should shaping still
/// end on a missing glyph (which PDF/A forbids, so krilla refuses the file), the characters
/// concerned are replaced too and the report written again: one glyph never fails a report.
pub fn status_report_pdf(report: &StatusReport, created: Date) -> Result<Vec<u8>, String> {
    blocks_pdf(
        "Sachstandsbericht",
        &report.round.title,
        || status_report_blocks(report),
        created,
    )
}

/// A document of `blocks` as a PDF/A-2b file: `kind` and `title` name it in the metadata and
/// in every page's footer ("Sachstandsbericht 2026 · Seite 2 von 9"). The blocks are made
/// again when a character has to be replaced (see [`status_report_pdf`]).
pub fn blocks_pdf(
    kind: &str,
    title: &str,
    blocks: impl Fn() -> Vec<Block>,
    created: Date,
) -> Result<Vec<u8>, String> {
    let fonts = Fonts::new()?;
    let mut banned = HashSet::new();
    loop {
        // The title also stands in the footer and the metadata: one line.
        let title = fonts.clean(title, &banned).replace('\n', " ");
        let cleaned = clean_blocks(blocks(), &fonts, &banned);
        match write(&fonts, kind, &title, &cleaned, created)? {
            Ok(pdf) => return Ok(pdf),
            Err(e) => match missing_glyphs(&e) {
                Some(chars) if !chars.is_subset(&banned) => banned.extend(chars),
                _ => return Err(format!("PDF: {e:?}")),
            },
        }
    }
}

/// Lays out and writes cleaned blocks; the inner error is krilla's (validation included).
fn write(
    fonts: &Fonts,
    kind: &str,
    title: &str,
    blocks: &[Block],
    created: Date,
) -> Result<Result<Vec<u8>, KrillaError>, String> {
    let layout = layout(blocks, fonts);

    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::A2_B),
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    let date = DateTime::new(created.year())
        .month(created.month())
        .day(created.day());
    document.set_metadata(
        Metadata::new()
            .title(format!("{kind}: {title}"))
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
        draw(&mut surface, ops, fonts);
        // Printed committee papers get separated; every page says what it belongs to.
        let footer = Op::Text {
            x: MARGIN,
            y: PAGE_H - MARGIN / 2.0,
            bold: false,
            size: TABLE,
            text: format!("{kind} {title} · Seite {} von {total}", i + 1),
        };
        draw(&mut surface, &[footer], fonts);
        surface.finish();
        page.finish();
    }
    Ok(document.finish())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::process::Command;

    use lotse_domain::Date;

    const JULY_FIRST: Date = Date::new(2026, 7, 1).expect("a day");

    use lotse_domain::measure::MeasureStatus;
    use lotse_store::bodies::{ActionItem, Decision};
    use lotse_store::rounds::{Proposal, Round, SnapshotRow};
    use lotse_store::status_report::{StatusChange, StatusReport};

    use super::{
        ARABIC, BODY, BOLD, Block, Fonts, REGULAR, REPLACEMENT, Run, bidi_levels, missing_glyphs,
        reorder, status_report_pdf, write,
    };

    const TIGRINYA: &str = "ትግርኛ ቋንቋ ትምህርቲ";
    const AMHARIC: &str = "የአማርኛ ቋንቋ ትምህርት";
    const CHINESE: &str = "中文 家长咨询";
    const ARABIC_TITLE: &str = "دورة اللغة العربية للمبتدئين";
    const PERSIAN: &str = "مشاوره‌ی خانواده به زبان فارسی";
    const SORANI: &str = "ڕاوێژکاری بە زمانی کوردی";
    const HINDI: &str = "हिन्दी भाषा परामर्श";
    const TAMIL: &str = "தமிழ் மொழி ஆலோசனை";
    const UKRAINIAN: &str = "Українська мова: консультації для батьків";
    const RUSSIAN: &str = "Русский язык для начинающих";
    const LATIN: &str = "Türkçe kurs, Shqip: mësimi i gjuhës, Kurmancî: şêwirdarî, Tiếng Việt";
    /// One text in each script of the district's communities.
    const SCRIPTS: [&str; 11] = [
        TIGRINYA,
        AMHARIC,
        CHINESE,
        ARABIC_TITLE,
        PERSIAN,
        SORANI,
        HINDI,
        TAMIL,
        UKRAINIAN,
        RUSSIAN,
        LATIN,
    ];

    fn fonts_loaded() -> Fonts {
        Fonts::new().unwrap()
    }

    fn row(code: &str, title: &str) -> SnapshotRow {
        SnapshotRow {
            measure_id: format!("m{code}"),
            concept: "KIM".into(),
            code: code.into(),
            title: title.into(),
            field_of_action: Some("Sprache".into()),
            lead_organisation: Some("Kreis Warendorf".into()),
            status: "in_progress".into(),
            update_state: "accepted".into(),
            progress: format!("Fortschritt: {title}"),
            adaptation: "adjust".into(),
            adaptation_reason: title.into(),
            fictitious: true,
            list_key: String::new(),
        }
    }

    fn round(id: &str, title: &str) -> Round {
        Round {
            id: id.into(),
            title: title.into(),
            reference_date: Date::new(2026, 6, 30).expect("a day"),
            state: "closed".into(),
            fictitious: true,
            opened_at: 0,
            opened_by: "u".into(),
            closed_at: Some(1),
            closed_by: Some("u".into()),
        }
    }

    /// A report whose every kind of text holds another script, a private-use character and
    /// control characters from old data.
    fn report() -> StatusReport {
        let titles = SCRIPTS.into_iter().chain([
            "Privat\u{E000}zeichen und Steuer\u{1}zeichen\u{7}\u{7F}\u{9F}\u{FFFF}",
            "Mischung: Kurs العربية 2024 und 中文 (Chinesisch) mit ትግርኛ\tTab\r\nneue Zeile",
        ]);
        let rows: Vec<SnapshotRow> = titles
            .enumerate()
            .map(|(i, t)| row(&(i + 1).to_string(), t))
            .collect();
        StatusReport {
            round: round("r2", "Überprüfung 2026 – ትግርኛ 中文 Русский"),
            previous: Some(round("r1", "Überprüfung 2025")),
            by_status: MeasureStatus::ALL.iter().map(|s| (*s, 2)).collect(),
            by_field: Vec::new(),
            changes: vec![StatusChange {
                concept: "KIM".into(),
                code: "8".into(),
                title: TAMIL.into(),
                from: MeasureStatus::Planned,
                to: MeasureStatus::InProgress,
            }],
            new_measures: Vec::new(),
            adaptations: rows.clone(),
            proposals: vec![Proposal {
                id: "p".into(),
                concept: "KIM".into(),
                title: PERSIAN.into(),
                description: String::new(),
                organisation: None,
                proposed_at: 0,
                proposed_by: "u".into(),
            }],
            decisions: vec![Decision {
                id: "d".into(),
                body_id: "b".into(),
                body: "BIKS".into(),
                meeting_id: None,
                number: "7/2026".into(),
                decided_on: Date::new(2026, 5, 1).expect("a day"),
                text: format!("{ARABIC_TITLE} – {CHINESE}"),
                measures: Vec::new(),
            }],
            open_actions: vec![ActionItem {
                id: "a".into(),
                title: HINDI.into(),
                owner_user_id: None,
                owner: Some("Integrationsbüro".into()),
                due_on: Date::new(2026, 9, 1),
                state: "open".into(),
                meeting_id: None,
                decision_id: None,
                created_at: 0,
            }],
            fictitious: rows.len(),
            without_report: 0,
            rows,
        }
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn run(program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("{program} (poppler-utils, installed by scripts/test): {e}")
            });
        assert!(out.status.success(), "{program}: {:?}", out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn wrapping_keeps_every_character_and_stays_within_the_width() {
        let fonts = &fonts_loaded();
        let text = "Kommunales Integrationsmanagement: rechtskreisübergreifendes Case Management \
                    für Menschen mit Einwanderungsgeschichte, Donaudampfschifffahrtsgesellschaftskapitän.\nZweite Zeile";
        let lines = fonts.wrap(text, false, BODY, 120.0);
        assert!(lines.len() > 4);
        assert!(lines.iter().all(|l| fonts.width(l, false, BODY) <= 120.0));
        let rejoined: String = lines
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(rejoined, original);
        assert_eq!(lines.last().map(String::as_str), Some("Zweite Zeile"));
    }

    #[test]
    fn wrapping_mixed_scripts_measures_each_run_with_its_own_font() {
        let fonts = &fonts_loaded();
        // Chinese in DejaVu's fallback width (0.6 em) would be far too narrow: 中 is a full em.
        assert!((fonts.width("中", false, 10.0) - 10.0).abs() < 0.5);
        assert!(fonts.width("ትግርኛ", false, 10.0) > 20.0);
        let text =
            format!("{TIGRINYA} {CHINESE}家长咨询家长咨询 {ARABIC_TITLE} {HINDI} {UKRAINIAN}");
        for bold in [false, true] {
            let lines = fonts.wrap(&text, bold, BODY, 90.0);
            assert!(lines.len() > 5, "{lines:?}");
            assert!(
                lines.iter().all(|l| fonts.width(l, bold, BODY) <= 90.0),
                "{lines:?}"
            );
            let rejoined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(rejoined, original);
        }
        // A word split by characters keeps a combining mark with its letter.
        let lines = fonts.wrap(
            "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
            false,
            BODY,
            10.0,
        );
        assert!(lines.iter().all(|l| !l.starts_with('\u{301}')), "{lines:?}");
    }

    #[test]
    fn each_character_gets_the_first_font_that_has_it() {
        let fonts = &fonts_loaded();
        let face_of = |text: &str, bold: bool| -> Vec<usize> {
            // The spaces between words are DejaVu's (first in the list): left out here.
            let mut faces: Vec<usize> = fonts
                .runs(text, bold)
                .iter()
                .filter(|r| !text[r.range.clone()].trim().is_empty())
                .map(|r| r.face)
                .collect();
            faces.dedup();
            faces
        };
        assert_eq!(face_of("Türkçe Русский Ελληνικά עברית", false), [REGULAR]);
        assert_eq!(face_of(TIGRINYA, false), [3]);
        assert_eq!(face_of(AMHARIC, false), [3]);
        assert_eq!(face_of(HINDI, false), [4]);
        assert_eq!(face_of(TAMIL, false), [5]);
        assert_eq!(face_of(CHINESE, false), [6]);
        assert_eq!(face_of("한국어 日本語", false), [6]);
        // Arabic script goes to Noto Sans Arabic even where DejaVu Sans has the letter, so that a
        // word is shaped by one font; Persian's zero-width non-joiner stays in that run.
        for text in [ARABIC_TITLE, PERSIAN, SORANI, "اردو ہے"] {
            assert_eq!(face_of(text, false), [ARABIC], "{text}");
            assert_eq!(face_of(text, true), [ARABIC], "{text}");
        }
        // Bold Latin stays bold; bold in other scripts falls back to the regular weight.
        assert_eq!(face_of("Überprüfung ትግርኛ", true), [BOLD, 3]);
        let runs = fonts.runs("ትግርኛ ቋንቋ", false);
        let faces: Vec<usize> = runs.iter().map(|r| r.face).collect();
        assert_eq!(faces, [3, REGULAR, 3]);
        // A combining mark stays with the letter before it when that font has it.
        assert_eq!(face_of("ትግርኛ\u{301}", false).len(), 2);
    }

    #[test]
    fn right_to_left_text_comes_in_visual_order() {
        let fonts = &fonts_loaded();
        let text = "Kurs العربية للمبتدئين 2024 Warendorf";
        let levels = bidi_levels(&text.chars().collect::<Vec<_>>());
        let mut runs = fonts.runs(text, false);
        reorder(&mut runs);
        let parts: Vec<(&str, u8)> = runs
            .iter()
            .map(|r: &Run| (&text[r.range.clone()], r.level))
            .collect();
        // Arabic words and the space between them are one right-to-left run (shaped and joined
        // by krilla); the number inside reads left to right and stands left of the Arabic words.
        assert_eq!(
            parts,
            [
                ("Kurs ", 0),
                ("2024", 2),
                ("العربية للمبتدئين ", 1),
                (" Warendorf", 0)
            ]
        );
        assert_eq!(levels.len(), text.chars().count());
        // Two Arabic phrases separated by Latin text keep their own order.
        let text = "أ ب und ج د";
        let mut runs = fonts.runs(text, false);
        reorder(&mut runs);
        let parts: Vec<&str> = runs.iter().map(|r| &text[r.range.clone()]).collect();
        assert_eq!(parts, ["أ ب", " und ", "ج د"]);
        // Hebrew is set in DejaVu Sans, right to left too.
        let runs = fonts.runs("עברית קלה", false);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].face, runs[0].level), (REGULAR, 1));
        // "1,5%" stays one number; a neutral at the line end takes the paragraph's direction.
        let levels = bidi_levels(&"ب 1,5% ب .".chars().collect::<Vec<_>>());
        assert_eq!(levels, [1, 1, 2, 2, 2, 2, 1, 1, 0, 0]);
    }

    #[test]
    fn clean_replaces_what_no_font_has_and_control_characters() {
        let fonts = &fonts_loaded();
        let none = HashSet::new();
        assert_eq!(
            fonts.clean(
                "a\u{1}b\u{E000}c\td\r\ne\rf\u{7F}\u{9F}\u{FFFF}\u{FFFE}\u{FDD0}\u{378}\u{10FFFD}\u{0}",
                &none
            ),
            "a\u{FFFD}b\u{FFFD}c d\ne\nf\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        // Every script of the report is kept as it is, and so are invisible format characters.
        for text in SCRIPTS.into_iter().chain([
            "\u{AD}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\u{2066}\u{2069}\u{FEFF}\u{FE0F}",
        ]) {
            assert_eq!(fonts.clean(text, &none), text);
        }
        let banned: HashSet<char> = ['x'].into();
        assert_eq!(fonts.clean("xyz", &banned), format!("{REPLACEMENT}yz"));
    }

    #[test]
    fn a_missing_glyph_is_replaced_and_the_report_written_again() {
        let fonts = &fonts_loaded();
        // Uncleaned text with a character no font has: krilla's PDF/A check refuses it ...
        let blocks = [Block::Para("Privat\u{E000}zeichen".into())];
        let err = write(fonts, "Sachstandsbericht", "Test", &blocks, JULY_FIRST)
            .unwrap()
            .unwrap_err();
        assert_eq!(missing_glyphs(&err), Some(['\u{E000}'].into()));
        // ... and with it cleaned the file is written.
        let blocks = [Block::Para(
            fonts.clean("Privat\u{E000}zeichen", &HashSet::new()),
        )];
        assert!(
            write(fonts, "Sachstandsbericht", "Test", &blocks, JULY_FIRST)
                .unwrap()
                .is_ok()
        );
    }

    #[test]
    fn text_of_any_code_points_never_fails_the_report() {
        // Deterministic pseudo-random titles over all planes, weighted to the awkward parts:
        // controls, marks without a letter, joiners, direction controls, private use,
        // non-characters, and letters of every script the fonts have.
        let awkward: Vec<char> = "\u{0}\u{1}\u{9}\u{A}\u{D}\u{1B}\u{7F}\u{85}\u{9F}\u{AD}\u{300}\u{34F}\u{64B}\u{670}\u{93F}\u{94D}\u{BCD}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\u{202A}\u{202B}\u{202E}\u{2066}\u{2069}\u{2028}\u{25CC}\u{E000}\u{F8FF}\u{FE0F}\u{FEFF}\u{FFFC}\u{FFFD}\u{FFFE}\u{FFFF}\u{1F600}\u{1F1E9}\u{E0041}\u{10FFFF} ()[]1234567890,.:%-/ትግ中文한日ابپ۱٣הअகЖğ"
            .chars()
            .collect();
        let mut seed: u64 = 0x5EED;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as u32
        };
        let titles: Vec<String> = (0..60)
            .map(|_| {
                (0..30)
                    .map(|_| {
                        let r = next();
                        if r % 3 == 0 {
                            char::from_u32(r % 0x11_0000).unwrap_or('\u{FFFF}')
                        } else {
                            awkward[(r as usize / 3) % awkward.len()]
                        }
                    })
                    .collect()
            })
            .collect();
        let mut r = report();
        r.round.title = titles[0].clone();
        r.rows = titles
            .iter()
            .enumerate()
            .map(|(i, t)| row(&i.to_string(), t))
            .collect();
        let pdf = status_report_pdf(&r, JULY_FIRST);
        assert!(pdf.is_ok(), "{pdf:?}");
    }

    #[test]
    fn every_script_of_the_district_renders_to_pdf_a() {
        let pdf = status_report_pdf(&report(), JULY_FIRST).unwrap();
        let xmp = String::from_utf8_lossy(&pdf);
        assert!(
            xmp.contains("<pdfaid:part>2</pdfaid:part>") && xmp.contains("<pdfaid:conformance>B"),
            "declares PDF/A-2b"
        );
        // Only the glyphs used are embedded: the file stays small despite 4 MB of CJK font.
        assert!(pdf.len() < 400_000, "{} bytes", pdf.len());

        let path =
            std::env::temp_dir().join(format!("lotse-report-scripts-{}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let file = path.to_str().unwrap();
        let text = squash(&run("pdftotext", &["-raw", file, "-"]));
        for expected in [
            TIGRINYA,
            AMHARIC,
            CHINESE,
            UKRAINIAN,
            RUSSIAN,
            LATIN,
            "Sachstandsbericht: Überprüfung 2026 – ትግርኛ 中文 Русский",
            "Privat\u{FFFD}zeichen und Steuer\u{FFFD}zeichen",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
        let fonts = run("pdffonts", &[file]);
        for name in [
            "DejaVuSans-Bold",
            "DejaVuSans",
            "NotoSansArabic-Regular",
            "NotoSansEthiopic-Regular",
            "NotoSansDevanagari-Regular",
            "NotoSansTamil-Regular",
            "DroidSansFallback",
        ] {
            assert!(
                fonts.lines().any(|l| l.contains(&format!("+{name} "))),
                "{name} not embedded:\n{fonts}"
            );
        }
        // Every font is an embedded subset ("emb" and "sub" both "yes").
        assert!(
            fonts
                .lines()
                .skip(2)
                .all(|l| l.split_whitespace().rev().nth(3) == Some("yes")
                    && l.split_whitespace().rev().nth(2) == Some("yes")),
            "{fonts}"
        );
        if std::env::var_os("LOTSE_KEEP_PDF").is_none() {
            let _ = std::fs::remove_file(&path);
        } else {
            eprintln!("kept {file}");
        }
    }
}
