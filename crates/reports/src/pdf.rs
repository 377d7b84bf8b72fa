//! The committee status report as a tagged PDF/A-2a file, the archival format the Kreis files
//! committee papers in, readable with a screen reader: krilla writes the PDF/A parts (XMP
//! metadata, embedded font subsets, output intent, structure tree) and refuses output that
//! would break the standard. The layout is deliberately simple: a cover, the contents with page
//! numbers, a single column of headings, wrapped paragraphs, bar charts drawn as paths and
//! tables whose columns are measured from their content, breaking across pages. Everything
//! drawn is either tagged content (headings, paragraphs, table cells, figures with their text
//! alternative) or an artifact (rules, page footers, repeated table headers).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::num::NonZeroU16;
use std::ops::Range;
use std::sync::OnceLock;

use krilla::color::rgb;
use krilla::configure::{Configuration, ValidationError, Validator};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    ArtifactType, BBox, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind,
    TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use lotse_domain::Date;
use lotse_domain::limits::count_label;
use lotse_store::status_report::StatusReport;
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::document::{
    Bar, Block, Cell, Chart, Cover, Table, contents_entries, status_report_blocks,
};

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
                // A byte order mark inside text shows nothing, and PDF/A-2a forbids mapping a
                // glyph to it: left out.
                '\u{FEFF}' => continue,
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

/// What a drawn piece is in the document's structure (the tag tree of the tagged PDF).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mark {
    /// Not content: rules, a table's header repeated on the next page, page footers.
    Artifact,
    /// The `n`th piece of content; the structure node that lists it says what it is.
    Content(usize),
}

/// Drawing operations, collected per page so that page breaks are decided before anything is
/// drawn. Coordinates from the page's top left corner, in points.
enum Op {
    Text {
        x: f32,
        y: f32,
        bold: bool,
        size: f32,
        text: String,
        mark: Mark,
    },
    /// A rule (always an artifact).
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A filled rectangle with a thin outline (a part of a bar).
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: (u8, u8, u8),
        mark: Mark,
    },
}

/// The structure elements the report uses.
enum Kind {
    Heading(u8, String),
    P,
    Toc,
    TocItem,
    Table,
    THead,
    TBody,
    Row,
    HeaderCell,
    Cell,
    /// With its text alternative and its box on a page (left, top, right, bottom).
    Figure {
        alt: String,
        bbox: (usize, [f32; 4]),
    },
}

enum Child {
    Node(usize),
    Content(usize),
}

/// A structure element and what it holds, in reading order.
struct Node {
    kind: Kind,
    children: Vec<Child>,
}

/// A heading as laid out: for the outline (bookmarks) and the table of contents.
struct Placed {
    level: u8,
    text: String,
    page: usize,
    y: f32,
}

/// The pages' drawing operations and the structure tree they belong to.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
    nodes: Vec<Node>,
    roots: Vec<usize>,
    /// Pieces of content so far (the next one's number).
    contents: usize,
    headings: Vec<Placed>,
    /// Where the table of contents prints a page number: page, operation, entry.
    toc_numbers: Vec<(usize, usize, usize)>,
    /// The page of each heading the table of contents lists, in order.
    toc_pages: Vec<usize>,
    /// Whether the headings laid out now are listed in the table of contents.
    after_contents: bool,
    /// Whether the first page is a cover (which has no footer).
    cover: bool,
}

impl Layout {
    fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN,
            nodes: Vec::new(),
            roots: Vec::new(),
            contents: 0,
            headings: Vec::new(),
            toc_numbers: Vec::new(),
            toc_pages: Vec::new(),
            after_contents: false,
            cover: false,
        }
    }

    fn page(&self) -> usize {
        self.pages.len() - 1
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes room for `height` points, starting a new page if the current one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// A new structure element, inside `parent` or at the top.
    fn node(&mut self, parent: Option<usize>, kind: Kind) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            children: Vec::new(),
        });
        match parent {
            Some(p) => self.nodes[p].children.push(Child::Node(id)),
            None => self.roots.push(id),
        }
        id
    }

    /// A new piece of content of `node`, or an artifact.
    fn mark(&mut self, node: Option<usize>) -> Mark {
        let Some(node) = node else {
            return Mark::Artifact;
        };
        let c = self.contents;
        self.contents += 1;
        self.nodes[node].children.push(Child::Content(c));
        Mark::Content(c)
    }

    fn text(&mut self, at: (f32, f32), bold: bool, size: f32, text: String, node: Option<usize>) {
        let mark = self.mark(node);
        self.op(Op::Text {
            x: at.0,
            y: at.1,
            bold,
            size,
            text,
            mark,
        });
    }

    /// A horizontal rule from the left margin, `length` long.
    fn rule(&mut self, y: f32, length: f32, width: f32) {
        self.op(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: MARGIN + length,
            y2: y,
            width,
        });
    }
}

fn heading_size(level: u8) -> f32 {
    match level {
        1 => 18.0,
        2 => 14.0,
        _ => 11.5,
    }
}

/// How much of what follows a heading stays on its page: a chart whole (with the start of
/// what follows it), a table's header and first row, three lines of a paragraph.
fn lead(blocks: &[Block], fonts: &Fonts, width: f32) -> f32 {
    match blocks.first() {
        Some(Block::Chart(c)) => {
            plan_chart(c, fonts, width).map_or(0.0, |p| p.height + BODY * 0.6)
                + lead(&blocks[1..], fonts, width)
        }
        Some(Block::Table(t)) => {
            let cols = fit_columns(fonts, &t.header, &t.rows, &t.numeric, width);
            let header: Vec<Cell> = t.header.iter().map(|h| Cell::strong(h.clone())).collect();
            cols.row_height(fonts, &header)
                + t.rows.first().map_or(0.0, |r| cols.row_height(fonts, r))
        }
        _ => BODY * 1.4 * 3.0,
    }
}

fn layout(blocks: &[Block], fonts: &Fonts) -> Layout {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut l = Layout::new();
    let entries = contents_entries(blocks);
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Cover(c) => cover(&mut l, c, fonts, width),
            Block::Contents => contents(&mut l, &entries, fonts, width),
            Block::Heading(level, text) => {
                let lead = lead(&blocks[i + 1..], fonts, width).min(PAGE_H / 2.0);
                heading(&mut l, *level, text, fonts, width, lead);
            }
            Block::Para(text) => {
                let p = l.node(None, Kind::P);
                for line in fonts.wrap(text, false, BODY, width) {
                    l.room(BODY * 1.4);
                    l.y += BODY * 1.4;
                    l.text((MARGIN, l.y), false, BODY, line, Some(p));
                }
                l.y += BODY * 0.6;
            }
            Block::Table(t) => table(&mut l, t, fonts, width),
            Block::Chart(c) => chart(&mut l, c, fonts, width),
        }
    }
    // The page numbers of the contents, now that the headings have their pages.
    for (page, op, entry) in std::mem::take(&mut l.toc_numbers) {
        let number = l
            .toc_pages
            .get(entry)
            .map_or_else(String::new, |p| (p + 1).to_string());
        if let Some(Op::Text { x, bold, text, .. }) = l.pages[page].get_mut(op) {
            *x = MARGIN + width - fonts.width(&number, *bold, BODY);
            *text = number;
        }
    }
    l
}

/// A heading, kept on one page with `lead` points of what follows it.
fn heading(l: &mut Layout, level: u8, text: &str, fonts: &Fonts, width: f32, lead: f32) {
    let size = heading_size(level);
    let lines = fonts.wrap(text, true, size, width);
    l.room(size * 1.3 * lines.len() as f32 + size * 0.9 + lead);
    l.y += size * 0.6;
    let node = l.node(None, Kind::Heading(level, text.replace('\n', " ")));
    l.headings.push(Placed {
        level,
        text: text.replace('\n', " "),
        page: l.page(),
        y: l.y,
    });
    if l.after_contents && (2..=3).contains(&level) {
        l.toc_pages.push(l.page());
    }
    for line in lines {
        l.y += size * 1.3;
        l.text((MARGIN, l.y), true, size, line, Some(node));
    }
    l.y += size * 0.3;
}

/// The title page: the issuer at the top, the title a third down (broken after its colon),
/// then one line each for the committee, the reference date and the document's date.
fn cover(l: &mut Layout, c: &Cover, fonts: &Fonts, width: f32) {
    l.cover = l.pages.len() == 1 && l.pages[0].is_empty();
    let issuer = l.node(None, Kind::P);
    for line in fonts.wrap(&c.issuer, true, 16.0, width) {
        l.y += 16.0 * 1.3;
        l.text((MARGIN, l.y), true, 16.0, line, Some(issuer));
    }
    l.y += 8.0;
    l.rule(l.y, width, 1.0);
    l.y = l.y.max(PAGE_H * 0.3);
    let size = 24.0;
    let title = l.node(None, Kind::Heading(1, c.title.replace('\n', " ")));
    l.headings.push(Placed {
        level: 1,
        text: c.title.replace('\n', " "),
        page: l.page(),
        y: l.y,
    });
    // "Sachstandsbericht:" on a line of its own, the round's title below it.
    let parts: Vec<&str> = match c.title.split_once(": ") {
        Some((kind, rest)) => vec![kind, rest],
        None => vec![c.title.as_str()],
    };
    for (i, part) in parts.iter().enumerate() {
        let part = if i + 1 < parts.len() {
            format!("{part}:")
        } else {
            (*part).to_owned()
        };
        for line in fonts.wrap(&part, true, size, width) {
            l.y += size * 1.25;
            l.text((MARGIN, l.y), true, size, line, Some(title));
        }
    }
    l.y += 16.0;
    for text in &c.lines {
        let p = l.node(None, Kind::P);
        for line in fonts.wrap(text, false, 12.0, width) {
            l.y += 12.0 * 1.5;
            l.text((MARGIN, l.y), false, 12.0, line, Some(p));
        }
        l.y += 4.0;
    }
    l.new_page();
}

/// The table of contents on its own page(s): the headings with their page numbers at the right
/// (filled in by [`layout`] once every heading has its page), level 3 indented.
fn contents(l: &mut Layout, entries: &[(u8, String)], fonts: &Fonts, width: f32) {
    heading(l, 2, "Inhalt", fonts, width, BODY * 3.0);
    let toc = l.node(None, Kind::Toc);
    let number_w = 28.0;
    for (i, (level, text)) in entries.iter().enumerate() {
        let (indent, bold) = if *level <= 2 {
            (0.0, true)
        } else {
            (14.0, false)
        };
        let lines = fonts.wrap(text, bold, BODY, width - indent - number_w);
        let line_h = BODY * 1.5;
        let gap = if bold && i > 0 { BODY * 0.5 } else { 0.0 };
        l.room(gap + line_h * lines.len() as f32);
        l.y += gap;
        let item = l.node(Some(toc), Kind::TocItem);
        let p = l.node(Some(item), Kind::P);
        for line in lines {
            l.y += line_h;
            l.text((MARGIN + indent, l.y), bold, BODY, line, Some(p));
        }
        let (page, op) = (l.page(), l.pages[l.page()].len());
        l.text(
            (MARGIN + width - number_w, l.y),
            bold,
            BODY,
            String::new(),
            Some(p),
        );
        l.toc_numbers.push((page, op, i));
    }
    l.after_contents = true;
    l.new_page();
}

/// Font sizes a table is set in, largest first; tables shrink to keep whole words.
const TABLE_SIZES: [f32; 5] = [TABLE, 7.5, 7.0, 6.5, 6.0];
/// How many of [`TABLE_SIZES`] are tried to keep every word of every cell whole; below that
/// only the header's words and the numbers are kept whole.
const WHOLE_CELL_SIZES: usize = 3;

/// A table's column widths (points) and font size.
struct Columns {
    widths: Vec<f32>,
    size: f32,
    numeric: Vec<bool>,
}

/// Column widths from the content, measured with the fonts at a table's size:
///
/// 1. At 8 pt, or else 7.5 or 7 pt: each column gets its longest word (header and cells), so no
///    word is broken; the rest of the width goes to the columns in proportion to how much
///    longer their longest text is.
/// 2. Where the words do not fit at 7 pt (a long compound or address in some cell): the largest
///    size at which the header's words and the numbers fit; those are never broken, the cells'
///    longest words get what is left, and a word longer than its column is broken there.
/// 3. Where even that does not fit at 6 pt (dozens of columns), the header's words share the
///    width in proportion.
fn fit_columns(
    fonts: &Fonts,
    header: &[String],
    rows: &[Vec<Cell>],
    numeric: &[bool],
    width: f32,
) -> Columns {
    let n = header.len().max(1);
    let pad = 2.0 * CELL_PAD + 1.0;
    let longest_word = |text: &str, bold: bool| {
        text.split([' ', '\n'])
            .map(|w| fonts.width(w, bold, TABLE))
            .fold(0f32, f32::max)
    };
    // Per column at 8 pt: what must stay whole (header words, numbers), every word, the
    // longest text. Widths grow in proportion to the size, so they are measured once.
    let mut hard = vec![0f32; n];
    let mut soft = vec![0f32; n];
    let mut text = vec![0f32; n];
    for (i, h) in header.iter().enumerate().take(n) {
        hard[i] = longest_word(h, true);
        text[i] = fonts.width(h, true, TABLE);
    }
    for row in rows {
        for (i, c) in row.iter().enumerate().take(n) {
            let word = longest_word(&c.text, c.strong);
            if numeric.get(i) == Some(&true) {
                hard[i] = hard[i].max(word);
            }
            soft[i] = soft[i].max(word);
            text[i] = text[i].max(fonts.width(&c.text, c.strong, TABLE));
        }
    }
    let at = |widths: &[f32], size: f32| -> Vec<f32> {
        widths
            .iter()
            .map(|w| (w * size / TABLE).min(width) + pad)
            .collect()
    };
    let columns = |widths: Vec<f32>, size: f32| Columns {
        widths,
        size,
        numeric: numeric.to_vec(),
    };
    for i in 0..n {
        soft[i] = soft[i].max(hard[i]);
        text[i] = text[i].max(soft[i]);
    }
    for size in &TABLE_SIZES[..WHOLE_CELL_SIZES] {
        let soft = at(&soft, *size);
        if soft.iter().sum::<f32>() <= width {
            return columns(share(soft, &[&at(&text, *size)], width), *size);
        }
    }
    for size in &TABLE_SIZES {
        let hard = at(&hard, *size);
        if hard.iter().sum::<f32>() <= width {
            let targets = [&at(&soft, *size), &at(&text, *size)];
            return columns(share(hard, &targets, width), *size);
        }
    }
    let size = TABLE_SIZES[TABLE_SIZES.len() - 1];
    let hard = at(&hard, size);
    let total = hard.iter().sum::<f32>().max(1.0);
    columns(hard.iter().map(|w| w / total * width).collect(), size)
}

/// A table's column widths (points, summing to `width`) and font size as the PDF sets it, for
/// the DOCX writer to give Word the same columns.
pub(crate) fn table_columns(t: &Table, width: f32) -> Result<(Vec<f32>, f32), String> {
    let fonts = Fonts::new()?;
    let cols = fit_columns(&fonts, &t.header, &t.rows, &t.numeric, width);
    Ok((cols.widths, cols.size))
}

/// Grows `widths` towards each target in turn (as far as `width` allows, in proportion to what
/// each column lacks). A table whose texts all fit on one line stays narrower than the page,
/// each column a little wider than its text; otherwise what is left is spread in proportion to
/// the widths.
fn share(mut widths: Vec<f32>, targets: &[&Vec<f32>], width: f32) -> Vec<f32> {
    for target in targets {
        let left = width - widths.iter().sum::<f32>();
        let lack: Vec<f32> = widths
            .iter()
            .zip(target.iter())
            .map(|(w, t)| (t - w).max(0.0))
            .collect();
        let total: f32 = lack.iter().sum();
        if left <= 0.0 || total <= 0.0 {
            continue;
        }
        let part = (left / total).min(1.0);
        for (w, l) in widths.iter_mut().zip(lack) {
            *w += l * part;
        }
    }
    let sum = widths.iter().sum::<f32>().max(1.0);
    let all_fit = targets
        .last()
        .is_some_and(|t| t.iter().zip(&widths).all(|(t, w)| w >= t));
    if all_fit {
        let grow = ((width - sum) / widths.len().max(1) as f32).clamp(0.0, 16.0);
        return widths.iter().map(|w| w + grow).collect();
    }
    widths.iter().map(|w| w / sum * width).collect()
}

impl Columns {
    fn line_h(&self) -> f32 {
        self.size * 1.3
    }

    fn wrapped(&self, fonts: &Fonts, cells: &[Cell]) -> Vec<Vec<String>> {
        cells
            .iter()
            .zip(&self.widths)
            .map(|(c, w)| fonts.wrap(&c.text, c.strong, self.size, w - 2.0 * CELL_PAD))
            .collect()
    }

    fn row_height(&self, fonts: &Fonts, cells: &[Cell]) -> f32 {
        self.wrapped(fonts, cells)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1) as f32
            * self.line_h()
            + 2.0 * CELL_PAD
    }

    /// Draws a row at the current position, cell by cell (so that a wrapped cell reads as one
    /// run of text), numbers right-aligned; `nodes` are the cells' structure elements, `None`
    /// for a header repeated on a new page (an artifact).
    fn draw_row(&self, l: &mut Layout, fonts: &Fonts, cells: &[Cell], nodes: Option<&[usize]>) {
        let wrapped = self.wrapped(fonts, cells);
        let height =
            wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * self.line_h() + 2.0 * CELL_PAD;
        let top = l.y;
        let mut x = MARGIN;
        for (i, (lines, w)) in wrapped.into_iter().zip(&self.widths).enumerate() {
            let bold = cells[i].strong;
            let right = self.numeric.get(i) == Some(&true);
            let node = nodes.and_then(|n| n.get(i).copied());
            let mut y = top + CELL_PAD;
            for line in lines {
                y += self.line_h();
                let lx = if right {
                    x + w - CELL_PAD - fonts.width(&line, bold, self.size)
                } else {
                    x + CELL_PAD
                };
                l.text((lx, y - self.size * 0.3), bold, self.size, line, node);
            }
            x += w;
        }
        l.y = top + height;
    }
}

/// A table: header row tagged as such (and repeated, as an artifact, on every page the table
/// continues on), rows never split across pages.
fn table(l: &mut Layout, t: &Table, fonts: &Fonts, width: f32) {
    let cols = fit_columns(fonts, &t.header, &t.rows, &t.numeric, width);
    let header: Vec<Cell> = t.header.iter().map(|h| Cell::strong(h.clone())).collect();
    let header_h = cols.row_height(fonts, &header);
    l.room(header_h + t.rows.first().map_or(0.0, |r| cols.row_height(fonts, r)));
    let table = l.node(None, Kind::Table);
    let head = l.node(Some(table), Kind::THead);
    let tr = l.node(Some(head), Kind::Row);
    let cells: Vec<usize> = header
        .iter()
        .map(|_| l.node(Some(tr), Kind::HeaderCell))
        .collect();
    let length: f32 = cols.widths.iter().sum();
    l.rule(l.y, length, 0.8);
    cols.draw_row(l, fonts, &header, Some(&cells));
    l.rule(l.y, length, 0.8);
    let body = l.node(Some(table), Kind::TBody);
    for row in &t.rows {
        let h = cols.row_height(fonts, row);
        let pages = l.pages.len();
        l.room(h);
        if l.pages.len() != pages {
            l.rule(l.y, length, 0.8);
            cols.draw_row(l, fonts, &header, None);
            l.rule(l.y, length, 0.8);
        }
        let tr = l.node(Some(body), Kind::Row);
        let cells: Vec<usize> = row.iter().map(|_| l.node(Some(tr), Kind::Cell)).collect();
        cols.draw_row(l, fonts, row, Some(&cells));
        l.rule(l.y, length, 0.4);
    }
    l.y += BODY;
}

const BAR_H: f32 = 14.0;
const CHART_TEXT: f32 = 7.5;
const CHART_LABEL: f32 = 8.5;

/// Horizontal stacked bars on one scale, drawn as vector paths: each bar's label at the left,
/// its total at the right, the count in every part wide enough to hold it, and the legend
/// below (for a single bar with the counts: "geplant: 3"). One figure with the text
/// alternative of the chart, kept on one page.
/// How a chart is laid out: its scale, the label column, each bar's label lines and row
/// height, the legend's lines, the whole height.
struct ChartPlan {
    scale: usize,
    labelled: bool,
    bar_x: f32,
    bar_w: f32,
    label_h: f32,
    bars: Vec<(Vec<String>, f32)>,
    legend: Vec<Vec<(usize, String)>>,
    height: f32,
}

fn legend_item_w(fonts: &Fonts, text: &str) -> f32 {
    11.0 + fonts.width(text, false, CHART_LABEL) + 12.0
}

fn plan_chart(c: &Chart, fonts: &Fonts, width: f32) -> Option<ChartPlan> {
    let scale = c.scale();
    if scale == 0 {
        return None;
    }
    let labelled = c.bars.iter().any(|b| !b.label.is_empty());
    let label_w = if labelled {
        c.bars
            .iter()
            .map(|b| fonts.width(&b.label, false, CHART_LABEL))
            .fold(0f32, f32::max)
            .clamp(60.0, width * 0.32)
    } else {
        0.0
    };
    let (gap, total_w) = if labelled { (8.0, 34.0) } else { (0.0, 0.0) };
    let label_h = CHART_LABEL * 1.25;
    let bars: Vec<(Vec<String>, f32)> = c
        .bars
        .iter()
        .map(|b| {
            let lines = if labelled {
                fonts.wrap(&b.label, false, CHART_LABEL, label_w)
            } else {
                Vec::new()
            };
            let h = (lines.len() as f32 * label_h).max(BAR_H) + 6.0;
            (lines, h)
        })
        .collect();
    // The legend: every status for several bars, the counts of a single one.
    let items: Vec<(usize, String)> = if labelled {
        c.series.iter().cloned().enumerate().collect()
    } else {
        c.series
            .iter()
            .zip(&c.bars[0].counts)
            .enumerate()
            .filter(|(_, (_, n))| **n > 0)
            .map(|(i, (s, n))| (i, format!("{s}: {}", count_label(*n))))
            .collect()
    };
    let mut legend: Vec<Vec<(usize, String)>> = vec![Vec::new()];
    let mut x = 0.0;
    for (i, t) in items {
        let w = legend_item_w(fonts, &t);
        if x + w > width && x > 0.0 {
            legend.push(Vec::new());
            x = 0.0;
        }
        x += w;
        if let Some(line) = legend.last_mut() {
            line.push((i, t));
        }
    }
    let legend_h = legend.len() as f32 * 13.0;
    let height = 4.0 + bars.iter().map(|(_, h)| h).sum::<f32>() + 4.0 + legend_h;
    Some(ChartPlan {
        scale,
        labelled,
        bar_x: MARGIN + label_w + gap,
        bar_w: width - label_w - gap - total_w,
        label_h,
        bars,
        legend,
        height,
    })
}

fn chart(l: &mut Layout, c: &Chart, fonts: &Fonts, width: f32) {
    let Some(ChartPlan {
        scale,
        labelled,
        bar_x,
        bar_w,
        label_h,
        bars,
        legend,
        height,
    }) = plan_chart(c, fonts, width)
    else {
        return;
    };
    l.room(height);
    let top = l.y;
    let fig = l.node(
        None,
        Kind::Figure {
            alt: c.alt.clone(),
            bbox: (l.page(), [MARGIN, top, MARGIN + width, top + height]),
        },
    );
    let mut y = top + 4.0;
    for (bar, (lines, row_h)) in c.bars.iter().zip(bars) {
        let mut ly = y + (row_h - lines.len() as f32 * label_h) / 2.0 - CHART_LABEL * 0.25;
        for line in lines {
            ly += label_h;
            l.text((MARGIN, ly), false, CHART_LABEL, line, Some(fig));
        }
        let by = y + (row_h - BAR_H) / 2.0;
        let mut x = bar_x;
        for (i, n) in bar.counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = *n as f32 / scale as f32 * bar_w;
            let colour = c.colours.get(i).copied().unwrap_or((0x99, 0x99, 0x99));
            let mark = l.mark(Some(fig));
            l.op(Op::Rect {
                x,
                y: by,
                w,
                h: BAR_H,
                colour,
                mark,
            });
            let number = count_label(*n);
            let nw = fonts.width(&number, false, CHART_TEXT);
            if nw + 3.0 <= w {
                l.text(
                    (x + (w - nw) / 2.0, by + BAR_H / 2.0 + CHART_TEXT * 0.35),
                    false,
                    CHART_TEXT,
                    number,
                    Some(fig),
                );
            }
            x += w;
        }
        if labelled {
            let total = count_label(bar.counts.iter().sum());
            l.text(
                (x + 4.0, by + BAR_H / 2.0 + CHART_LABEL * 0.35),
                true,
                CHART_LABEL,
                total,
                Some(fig),
            );
        }
        y += row_h;
    }
    y += 4.0;
    for line in legend {
        let mut x = MARGIN;
        for (i, t) in line {
            let w = legend_item_w(fonts, &t);
            let colour = c.colours.get(i).copied().unwrap_or((0x99, 0x99, 0x99));
            let mark = l.mark(Some(fig));
            l.op(Op::Rect {
                x,
                y: y + 2.0,
                w: 8.0,
                h: 8.0,
                colour,
                mark,
            });
            l.text((x + 11.0, y + 9.0), false, CHART_LABEL, t, Some(fig));
            x += w;
        }
        y += 13.0;
    }
    l.y = top + height + BODY * 0.6;
}

/// Wraps what is drawn in `f` as the content `mark` names (a span of text, a graphic) or as an
/// artifact, and notes the content's identifier for the tag tree.
fn tagged(
    surface: &mut Surface,
    mark: Mark,
    text: bool,
    ids: &mut [Option<Identifier>],
    f: impl FnOnce(&mut Surface),
) {
    let tag = match mark {
        Mark::Artifact => ContentTag::Artifact(ArtifactType::Other),
        Mark::Content(_) if text => ContentTag::Span(SpanTag::empty()),
        Mark::Content(_) => ContentTag::Other,
    };
    let id = surface.start_tagged(tag);
    f(surface);
    surface.end_tagged();
    if let Mark::Content(c) = mark
        && let Some(slot) = ids.get_mut(c)
    {
        *slot = Some(id);
    }
}

fn draw(surface: &mut Surface, ops: &[Op], fonts: &Fonts, ids: &mut [Option<Identifier>]) {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                bold,
                size,
                text,
                mark,
            } => tagged(surface, *mark, true, ids, |s| {
                fonts.draw(s, Point::from_xy(*x, *y), *bold, *size, text);
            }),
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => tagged(surface, Mark::Artifact, false, ids, |s| {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke {
                        width: *width,
                        ..Default::default()
                    }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }),
            Op::Rect {
                x,
                y,
                w,
                h,
                colour,
                mark,
            } => tagged(surface, *mark, false, ids, |s| {
                let mut pb = PathBuilder::new();
                if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(rect);
                }
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(Fill {
                        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                        ..Default::default()
                    }));
                    s.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(0x40, 0x40, 0x40).into(),
                        width: 0.4,
                        ..Default::default()
                    }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                    s.set_fill(None);
                }
            }),
        }
    }
}

/// The structure tree: the layout's nodes with the identifiers of their drawn content.
fn tag_tree(l: &Layout, ids: &[Option<Identifier>]) -> TagTree {
    fn group(l: &Layout, n: usize, ids: &[Option<Identifier>]) -> TagGroup {
        let node = &l.nodes[n];
        let kind: TagKind = match &node.kind {
            Kind::Heading(level, title) => Tag::Hn(
                NonZeroU16::new(u16::from(*level)).unwrap_or(NonZeroU16::MIN),
                Some(title.clone()),
            )
            .into(),
            Kind::P => Tag::P.into(),
            Kind::Toc => Tag::TOC.into(),
            Kind::TocItem => Tag::TOCI.into(),
            Kind::Table => Tag::Table.into(),
            Kind::THead => Tag::THead.into(),
            Kind::TBody => Tag::TBody.into(),
            Kind::Row => Tag::TR.into(),
            Kind::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
            Kind::Cell => Tag::TD.into(),
            Kind::Figure { alt, bbox } => {
                let (page, [left, top, right, bottom]) = *bbox;
                Tag::Figure(Some(alt.clone()))
                    .with_bbox(
                        Rect::from_ltrb(left, top, right, bottom).map(|r| BBox::new(page, r)),
                    )
                    .into()
            }
        };
        let mut g = TagGroup::new(kind);
        for child in &node.children {
            match child {
                Child::Node(c) => g.push(group(l, *c, ids)),
                Child::Content(c) => {
                    if let Some(Some(id)) = ids.get(*c) {
                        g.push(*id);
                    }
                }
            }
        }
        g
    }
    let mut tree = TagTree::new().with_lang(Some("de-DE".to_owned()));
    for root in &l.roots {
        tree.push(group(l, *root, ids));
    }
    tree
}

/// Bookmarks: the title and the sections at the top, their sub-sections below them.
fn outline(l: &Layout) -> Outline {
    let mut outline = Outline::new();
    let mut section: Option<OutlineNode> = None;
    for h in &l.headings {
        let node = OutlineNode::new(
            h.text.clone(),
            XyzDestination::new(h.page, Point::from_xy(MARGIN, h.y)),
        );
        match (h.level, section.as_mut()) {
            (3.., Some(s)) => s.push_child(node),
            _ => {
                if let Some(s) = section.replace(node) {
                    outline.push_child(s);
                }
            }
        }
    }
    if let Some(s) = section {
        outline.push_child(s);
    }
    outline
}

/// The report's texts as they will be drawn (see `Fonts::clean`).
fn clean_blocks(blocks: Vec<Block>, fonts: &Fonts, banned: &HashSet<char>) -> Vec<Block> {
    let clean = |t: &str| fonts.clean(t, banned);
    blocks
        .into_iter()
        .map(|block| match block {
            Block::Cover(c) => Block::Cover(Cover {
                issuer: clean(&c.issuer),
                title: clean(&c.title),
                lines: c.lines.iter().map(|t| clean(t)).collect(),
            }),
            Block::Contents => Block::Contents,
            Block::Heading(level, text) => Block::Heading(level, clean(&text)),
            Block::Para(text) => Block::Para(clean(&text)),
            Block::Table(t) => Block::Table(Table {
                header: t.header.iter().map(|h| clean(h)).collect(),
                rows: t
                    .rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|c| Cell {
                                text: clean(&c.text),
                                strong: c.strong,
                            })
                            .collect()
                    })
                    .collect(),
                numeric: t.numeric,
            }),
            Block::Chart(c) => Block::Chart(Chart {
                alt: clean(&c.alt),
                series: c.series.iter().map(|s| clean(s)).collect(),
                colours: c.colours,
                bars: c
                    .bars
                    .into_iter()
                    .map(|b| Bar {
                        label: clean(&b.label),
                        counts: b.counts,
                    })
                    .collect(),
            }),
        })
        .collect()
}

/// The characters krilla's PDF/A check refused (glyphs missing from every font, or mapped to
/// code points PDF/A forbids), if that is all it refused.
fn missing_glyphs(error: &KrillaError) -> Option<HashSet<char>> {
    let KrillaError::Validation(errors) = error else {
        return None;
    };
    let mut chars = HashSet::new();
    for e in errors {
        match e {
            ValidationError::ContainsNotDefGlyph(_, _, text) => chars.extend(text.chars()),
            ValidationError::InvalidCodepointMapping(_, _, c, _) => {
                chars.insert(*c);
            }
            _ => return None,
        }
    }
    Some(chars)
}

/// The standard the PDFs declare: PDF/A-2a, the archival standard with the accessibility
/// level (tagged structure, language, Unicode for every glyph). krilla 0.7 declares one
/// standard per file; the same tagging also passes its PDF/UA-1 checks (a test writes the
/// report with that validator too), see decision 0014, slice 8.
const STANDARD: Validator = Validator::A2_A;

/// The report as a tagged PDF/A-2a file. `created` is the creation date written to the
/// document's metadata, which PDF/A requires, and printed on the cover.
///
/// Characters no built-in font has are drawn as U+FFFD (see `Fonts::clean`). Should shaping still
/// end on a missing glyph (which PDF/A forbids, so krilla refuses the file), the characters
/// concerned are replaced too and the report written again: one glyph never fails a report.
pub fn status_report_pdf(report: &StatusReport, created: Date) -> Result<Vec<u8>, String> {
    blocks_pdf(
        "Sachstandsbericht",
        &report.round.title,
        || status_report_blocks(report, created),
        created,
    )
}

/// A document of `blocks` as a tagged PDF/A-2a file: `kind` and `title` name it in the
/// metadata and in every page's footer ("Sachstandsbericht 2026 · Seite 2 von 9"). The blocks
/// are made again when a character has to be replaced (see [`status_report_pdf`]).
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
        match write(&fonts, kind, &title, &cleaned, created, STANDARD)? {
            Ok(pdf) => return Ok(pdf),
            Err(e) => match missing_glyphs(&e) {
                Some(chars) if !chars.is_subset(&banned) => banned.extend(chars),
                _ => return Err(format!("PDF: {e:?}")),
            },
        }
    }
}

/// Lays out and writes cleaned blocks, tagged, checked by `validator`; the inner error is
/// krilla's (validation included).
fn write(
    fonts: &Fonts,
    kind: &str,
    title: &str,
    blocks: &[Block],
    created: Date,
    validator: Validator,
) -> Result<Result<Vec<u8>, KrillaError>, String> {
    let layout = layout(blocks, fonts);

    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(validator),
        enable_tagging: true,
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
    let mut ids: Vec<Option<Identifier>> = vec![None; layout.contents];
    for (i, ops) in layout.pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        draw(&mut surface, ops, fonts, &mut ids);
        // Printed committee papers get separated; every page but the cover says what it
        // belongs to.
        if !(layout.cover && i == 0) {
            let footer = format!("{kind} {title} · Seite {} von {total}", i + 1);
            surface.start_tagged(ContentTag::Artifact(ArtifactType::Footer));
            fonts.draw(
                &mut surface,
                Point::from_xy(MARGIN, PAGE_H - MARGIN / 2.0),
                false,
                TABLE,
                &footer,
            );
            surface.end_tagged();
        }
        surface.finish();
        page.finish();
    }
    document.set_outline(outline(&layout));
    document.set_tag_tree(tag_tree(&layout, &ids));
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
        ARABIC, BODY, BOLD, Block, CELL_PAD, Cell, Fonts, Mark, Op, REGULAR, REPLACEMENT, Run,
        STANDARD, TABLE_SIZES, bidi_levels, fit_columns, layout, missing_glyphs, reorder,
        status_report_pdf, write,
    };
    use crate::document::sample::{by_field, presented};
    use crate::document::{Table, status_report_blocks};
    use krilla::configure::Validator;

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
            submission_deadline: None,
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
            by_field: by_field(&rows),
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
        for text in SCRIPTS
            .into_iter()
            .chain(["\u{AD}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\u{2066}\u{2069}\u{FE0F}"])
        {
            assert_eq!(fonts.clean(text, &none), text);
        }
        assert_eq!(fonts.clean("a\u{FEFF}b", &none), "ab");
        let banned: HashSet<char> = ['x'].into();
        assert_eq!(fonts.clean("xyz", &banned), format!("{REPLACEMENT}yz"));
    }

    #[test]
    fn a_missing_glyph_is_replaced_and_the_report_written_again() {
        let fonts = &fonts_loaded();
        // Uncleaned text with a character no font has: krilla's PDF/A check refuses it ...
        let blocks = [Block::Para("Privat\u{E000}zeichen".into())];
        let err = write(
            fonts,
            "Sachstandsbericht",
            "Test",
            &blocks,
            JULY_FIRST,
            STANDARD,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(missing_glyphs(&err), Some(['\u{E000}'].into()));
        // ... and with it cleaned the file is written.
        let blocks = [Block::Para(
            fonts.clean("Privat\u{E000}zeichen", &HashSet::new()),
        )];
        assert!(
            write(
                fonts,
                "Sachstandsbericht",
                "Test",
                &blocks,
                JULY_FIRST,
                STANDARD
            )
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
            xmp.contains("<pdfaid:part>2</pdfaid:part>") && xmp.contains("<pdfaid:conformance>A"),
            "declares PDF/A-2a"
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

    /// Writes `pdf` to a temporary file, runs `f` on its path, removes it (unless
    /// `LOTSE_KEEP_PDF` is set).
    fn with_file(name: &str, pdf: &[u8], f: impl FnOnce(&str)) {
        let path = std::env::temp_dir().join(format!("lotse-{name}-{}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        f(path.to_str().unwrap());
        if std::env::var_os("LOTSE_KEEP_PDF").is_none() {
            let _ = std::fs::remove_file(&path);
        } else {
            eprintln!("kept {}", path.display());
        }
    }

    #[test]
    fn the_committee_report_is_tagged_with_cover_contents_and_fields() {
        let report = presented();
        let pdf = status_report_pdf(&report, JULY_FIRST).unwrap();
        with_file("committee-report", &pdf, |file| {
            let info = run("pdfinfo", &[file]);
            assert!(info.contains("Tagged:          yes"), "{info}");
            let xmp = String::from_utf8_lossy(&pdf);
            assert!(
                xmp.contains("<pdfaid:part>2</pdfaid:part>")
                    && xmp.contains("<pdfaid:conformance>A"),
                "declares PDF/A-2a"
            );
            assert!(
                info.contains("Title:           Sachstandsbericht: Überprüfung 2026"),
                "{info}"
            );
            let pages: usize = info
                .lines()
                .find_map(|l| l.strip_prefix("Pages:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap();
            let page = |n: usize| {
                let n = n.to_string();
                run("pdftotext", &["-layout", "-f", &n, "-l", &n, file, "-"])
            };
            // The cover: district, committee, title, reference date, date of the document.
            let cover = squash(&page(1));
            for want in [
                "Kreis Warendorf",
                "Sachstandsbericht: Überprüfung 2026",
                "Ausschuss für Bildung, Integration, Kultur und Sport (BIKS)",
                "Stichtag: 30.06.2026",
                "Stand des Dokuments: 01.07.2026",
            ] {
                assert!(cover.contains(want), "cover lacks {want}: {cover}");
            }
            assert!(!cover.contains("Seite 1 von"), "no footer on the cover");
            // The contents: each heading with the page it is on.
            let contents = page(2);
            assert!(contents.contains("Inhalt"));
            let mut listed = 0;
            for field in [
                "Sprache und Bildung",
                "Arbeit und Ausbildung",
                "Gesundheit",
                "Zusammenfassung",
                "Anpassungsbedarf",
            ] {
                let line = contents
                    .lines()
                    .find(|l| l.trim_start().starts_with(field))
                    .unwrap_or_else(|| panic!("{field} not in the contents:\n{contents}"));
                let number: usize = line.split_whitespace().last().unwrap().parse().unwrap();
                assert!(number > 2 && number <= pages, "{line}");
                assert!(
                    squash(&page(number)).contains(field),
                    "{field} not on page {number}"
                );
                listed += 1;
            }
            assert_eq!(listed, 5);

            let text = squash(&run("pdftotext", &["-layout", file, "-"]));
            let raw = squash(&run("pdftotext", &["-raw", file, "-"]));
            // Every measure, grouped under its field's heading, and every count.
            for r in &report.rows {
                assert!(raw.contains(&r.title), "{} missing", r.title);
            }
            for (status, n) in &report.by_status {
                let n = lotse_domain::limits::count_label(*n);
                assert!(
                    raw.contains(&format!("{} {n}", status.label())),
                    "{status:?} {n}"
                );
            }
            assert!(raw.contains("geplant 1.203"), "German thousands");
            for f in &report.by_field {
                let counts: Vec<String> = f.counts.iter().map(|n| n.to_string()).collect();
                assert!(
                    raw.contains(&format!(
                        "{} {} {} {}",
                        f.concept,
                        f.field,
                        counts.join(" "),
                        f.total
                    )),
                    "{} row missing in {raw}",
                    f.field
                );
                // The field's chart prints its numbers beside it.
                for (s, n) in MeasureStatus::ALL.iter().zip(&f.counts) {
                    if *n > 0 {
                        assert!(raw.contains(&format!("{}: {n}", s.label())), "{s:?}");
                    }
                }
            }
            assert!(
                raw.contains("in Umsetzung (vorher: geplant)"),
                "the change is marked"
            );
            assert!(
                raw.contains("in Umsetzung (neu)"),
                "the new measure is marked"
            );
            // No header word is broken across lines: each stands whole in the text.
            let words: HashSet<&str> = text.split(' ').collect();
            let mut header_words = vec![
                "Konzept",
                "Handlungsfeld",
                "gesamt",
                "Nr.",
                "Maßnahme",
                "Federführung",
                "Sachstand",
                "Fortschritt",
                "Anzahl",
                "vorher",
                "jetzt",
                "Vorschlag",
                "Begründung",
            ];
            header_words.extend(MeasureStatus::ALL.iter().flat_map(|s| s.label().split(' ')));
            for w in header_words {
                assert!(words.contains(w), "header word {w} not whole in:\n{text}");
            }
            assert!(text.contains(&format!("Seite {pages} von {pages}")));
        });
    }

    #[test]
    fn the_reports_pass_krillas_pdf_ua_checks_too() {
        // krilla 0.7 declares one standard per file (PDF/A-2a); written as PDF/UA-1, the same
        // tagging passes that validator's checks: title, language, outline, heading titles, alt
        // text of the figures, every glyph mapped to Unicode.
        let fonts = &fonts_loaded();
        for report in [presented(), report()] {
            let blocks = super::clean_blocks(
                status_report_blocks(&report, JULY_FIRST),
                fonts,
                &HashSet::new(),
            );
            let pdf = write(
                fonts,
                "Sachstandsbericht",
                &report.round.title,
                &blocks,
                JULY_FIRST,
                Validator::UA1,
            )
            .unwrap();
            let pdf = pdf.unwrap_or_else(|e| panic!("PDF/UA-1: {e:?}"));
            assert!(String::from_utf8_lossy(&pdf).contains("<pdfuaid:part>1</pdfuaid:part>"));
        }
    }

    #[test]
    fn header_words_are_never_broken_and_numbers_stay_whole() {
        let fonts = &fonts_loaded();
        let mut header: Vec<&str> = vec!["Konzept", "Handlungsfeld"];
        header.extend(MeasureStatus::ALL.iter().map(|s| s.label()));
        header.push("gesamt");
        let numbers: Vec<String> = (0..header.len()).map(|i| (1_000 * i).to_string()).collect();
        let long = "Rechtskreisübergreifendeintegrationsmanagementkoordinierungsstelle";
        let cases: Vec<(Table, f32)> = vec![
            // Nine columns do not fit at 8 pt: the table shrinks.
            (
                Table::new(
                    &header,
                    vec![{
                        let mut r = vec!["KIM".into(), "Sprache und Bildung".into()];
                        r.extend(numbers[2..].iter().cloned());
                        r
                    }],
                )
                .numbers(2..header.len()),
                483.0,
            ),
            // A compound longer than its column: only the cell's word is broken.
            (
                Table::new(
                    &[
                        "Nr.",
                        "Maßnahme",
                        "Federführung",
                        "Sachstand",
                        "Fortschritt",
                    ],
                    vec![vec![
                        "KIM\u{a0}1.1".into(),
                        long.into(),
                        long.into(),
                        "umgesetzt/verstetigt".into(),
                        long.repeat(2),
                    ]],
                ),
                483.0,
            ),
            // Narrow: the header's words still stand whole.
            (
                Table::new(
                    &["Zuständigkeit", "Begründung", "Anzahl"],
                    vec![vec![long.into(), long.into(), "12.345".into()]],
                )
                .numbers([2]),
                150.0,
            ),
        ];
        for (t, width) in cases {
            let cols = fit_columns(fonts, &t.header, &t.rows, &t.numeric, width);
            assert!(TABLE_SIZES.contains(&cols.size));
            assert!(cols.widths.iter().sum::<f32>() <= width + 0.01);
            for (h, w) in t.header.iter().zip(&cols.widths) {
                let words: Vec<&str> = h.split(' ').collect();
                for line in fonts.wrap(h, true, cols.size, w - 2.0 * CELL_PAD) {
                    assert!(
                        line.split(' ').all(|part| words.contains(&part)),
                        "{h:?} broken into {line:?} at {} pt in {w} pt",
                        cols.size
                    );
                }
            }
            for row in &t.rows {
                for ((c, w), numeric) in row.iter().zip(&cols.widths).zip(&t.numeric) {
                    if *numeric {
                        let lines = fonts.wrap(&c.text, false, cols.size, w - 2.0 * CELL_PAD);
                        assert_eq!(lines.len(), 1, "{lines:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_are_right_aligned_and_changes_set_in_bold() {
        let fonts = &fonts_loaded();
        let t = Table {
            header: vec!["Sachstand".into(), "Anzahl".into()],
            rows: vec![
                vec![Cell::new("geplant"), Cell::new("1.203")],
                vec![
                    Cell::strong("in Umsetzung (vorher: geplant)"),
                    Cell::new("7"),
                ],
            ],
            numeric: vec![false, true],
        };
        let l = layout(&[Block::Table(t)], fonts);
        let right_edge = |want: &str| {
            l.pages[0]
                .iter()
                .find_map(|op| match op {
                    Op::Text {
                        x,
                        text,
                        bold,
                        size,
                        ..
                    } if text == want => Some((x + fonts.width(text, *bold, *size), *bold)),
                    _ => None,
                })
                .unwrap()
        };
        let (a, _) = right_edge("Anzahl");
        let (b, _) = right_edge("1.203");
        let (c, _) = right_edge("7");
        assert!((a - b).abs() < 0.01 && (b - c).abs() < 0.01, "{a} {b} {c}");
        let (_, bold) = right_edge("in Umsetzung (vorher: geplant)");
        assert!(bold);
        // Every piece of text belongs to the structure; only rules are artifacts.
        assert!(l.pages[0].iter().all(|op| match op {
            Op::Text { mark, .. } => matches!(mark, Mark::Content(_)),
            _ => true,
        }));
    }
}
