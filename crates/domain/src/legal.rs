//! The legal pages a public authority's site must have (decision 0013): the imprint, the privacy
//! statement and the accessibility statement with its feedback route. Admins edit their texts;
//! until they do, the shipped drafts stand.

use crate::validation::{FieldErrors, optional_email};

/// One of the legal pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalPage {
    Imprint,
    Privacy,
    Accessibility,
}

impl LegalPage {
    pub const ALL: [LegalPage; 3] = [
        LegalPage::Imprint,
        LegalPage::Privacy,
        LegalPage::Accessibility,
    ];

    /// Its address: `/impressum`, `/{locale}/impressum`.
    pub fn slug(self) -> &'static str {
        match self {
            LegalPage::Imprint => "impressum",
            LegalPage::Privacy => "datenschutz",
            LegalPage::Accessibility => "barrierefreiheit",
        }
    }

    pub fn german_title(self) -> &'static str {
        match self {
            LegalPage::Imprint => "Impressum",
            LegalPage::Privacy => "Datenschutzerklärung",
            LegalPage::Accessibility => "Erklärung zur Barrierefreiheit",
        }
    }

    /// The shipped draft, for the administration to check and adapt.
    pub fn draft(self) -> &'static str {
        match self {
            LegalPage::Imprint => include_str!("legal/impressum.txt"),
            LegalPage::Privacy => include_str!("legal/datenschutz.txt"),
            LegalPage::Accessibility => include_str!("legal/barrierefreiheit.txt"),
        }
    }

    pub fn from_slug(slug: &str) -> Option<LegalPage> {
        LegalPage::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// The longest text of a legal page, in characters.
pub const LONGEST_TEXT: usize = 50_000;

/// A piece of a line: text, or an address that becomes a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Link { href: String, text: String },
}

/// A block of a legal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    /// Lines kept as written (addresses are lines).
    Paragraph(Vec<Vec<Inline>>),
}

/// The text as admins write it: paragraphs separated by blank lines, "## " starting a heading;
/// web and e-mail addresses become links. Nothing else is markup, so a text cannot break the
/// page.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines: Vec<Vec<Inline>> = Vec::new();
    let flush = |lines: &mut Vec<Vec<Inline>>, out: &mut Vec<Block>| {
        if !lines.is_empty() {
            out.push(Block::Paragraph(std::mem::take(lines)));
        }
    };
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            flush(&mut lines, &mut out);
        } else if let Some(heading) = line.trim_start().strip_prefix("## ") {
            flush(&mut lines, &mut out);
            out.push(Block::Heading(heading.trim().to_owned()));
        } else {
            lines.push(inlines(line.trim()));
        }
    }
    flush(&mut lines, &mut out);
    out
}

/// A line cut into text and links at the words that are web or e-mail addresses.
fn inlines(line: &str) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let mut text = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            text.push(' ');
        }
        // Punctuation after an address ends the sentence, not the address.
        let bare = word.trim_end_matches(['.', ',', ';', ':', ')']);
        let tail = &word[bare.len()..];
        let href = if bare.starts_with("https://") || bare.starts_with("http://") {
            Some(bare.to_owned())
        } else if is_email(bare) {
            Some(format!("mailto:{bare}"))
        } else {
            None
        };
        match href {
            Some(href) => {
                if !text.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut text)));
                }
                out.push(Inline::Link {
                    href,
                    text: bare.to_owned(),
                });
                text.push_str(tail);
            }
            None => text.push_str(word),
        }
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

fn is_email(word: &str) -> bool {
    let Some((user, domain)) = word.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "@.-_+".contains(c))
}

/// A barrier someone reported, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub message: String,
    pub page: String,
    /// An e-mail address for the answer, or empty.
    pub contact: String,
}

pub const LONGEST_MESSAGE: usize = 4_000;
pub const LONGEST_PAGE: usize = 300;

/// The feedback form as sent; the fields that are wrong are named by their form names
/// (`message`, `page`, `contact`), for the page to explain in its language.
pub fn check_feedback(
    message: &str,
    page: &str,
    contact: &str,
) -> Result<Feedback, Vec<&'static str>> {
    let mut wrong = Vec::new();
    let message = message.trim();
    if message.is_empty()
        || message.chars().count() > LONGEST_MESSAGE
        || message
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        wrong.push("message");
    }
    let page = page.trim();
    if page.chars().count() > LONGEST_PAGE || page.chars().any(char::is_control) {
        wrong.push("page");
    }
    let mut errors = FieldErrors::new();
    let contact = optional_email(&mut errors, "contact", contact);
    if errors.has("contact") {
        wrong.push("contact");
    }
    if wrong.is_empty() {
        Ok(Feedback {
            message: message.replace("\r\n", "\n"),
            page: page.to_owned(),
            contact,
        })
    } else {
        Err(wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_become_headings_paragraphs_and_links() {
        let b = blocks(
            "## Kontakt\n\nKreis Warendorf\nWaldenburger Straße 2\n\nSiehe https://www.kreis-warendorf.de. Oder a.b@kreis-warendorf.de\n",
        );
        assert_eq!(b[0], Block::Heading("Kontakt".into()));
        assert_eq!(
            b[1],
            Block::Paragraph(vec![
                vec![Inline::Text("Kreis Warendorf".into())],
                vec![Inline::Text("Waldenburger Straße 2".into())],
            ])
        );
        assert_eq!(
            b[2],
            Block::Paragraph(vec![vec![
                Inline::Text("Siehe ".into()),
                Inline::Link {
                    href: "https://www.kreis-warendorf.de".into(),
                    text: "https://www.kreis-warendorf.de".into()
                },
                Inline::Text(". Oder ".into()),
                Inline::Link {
                    href: "mailto:a.b@kreis-warendorf.de".into(),
                    text: "a.b@kreis-warendorf.de".into()
                },
            ]])
        );
        // Markup stays text; "javascript:" is no address.
        let b = blocks("<script>x</script> javascript:alert(1)");
        assert_eq!(
            b,
            [Block::Paragraph(vec![vec![Inline::Text(
                "<script>x</script> javascript:alert(1)".into()
            )]])]
        );
    }

    #[test]
    fn the_drafts_have_their_sections() {
        for page in LegalPage::ALL {
            let b = blocks(page.draft());
            assert!(
                b.iter().filter(|x| matches!(x, Block::Heading(_))).count() >= 3,
                "{page:?}"
            );
            assert_eq!(LegalPage::from_slug(page.slug()), Some(page));
        }
        assert!(
            LegalPage::Accessibility
                .draft()
                .contains("Durchsetzungsverfahren")
        );
        assert!(LegalPage::Privacy.draft().contains("Art. 15"));
    }

    #[test]
    fn feedback_names_what_is_wrong() {
        let ok = check_feedback(
            " Der Kontrast ist zu schwach.\r\nBitte prüfen. ",
            "/angebote",
            "",
        )
        .unwrap();
        assert_eq!(ok.message, "Der Kontrast ist zu schwach.\nBitte prüfen.");
        assert_eq!(
            check_feedback("", "", "kein-mail"),
            Err(vec!["message", "contact"])
        );
        let long = "x".repeat(LONGEST_MESSAGE + 1);
        assert_eq!(
            check_feedback(&long, &"y".repeat(301), "a@b.de"),
            Err(vec!["message", "page"])
        );
        assert!(check_feedback("Text", "", "person@example.org").is_ok());
    }
}
