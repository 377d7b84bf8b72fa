//! Numbers and dates on the staff pages (issue 12, decision 0016): walk the staff area with the
//! demo data as the coordination, the administration and a case manager, and require on every
//! page reached that no date reads as ISO (`2026-05-01`) in the visible text, that every figure
//! in a table cell is right-aligned (`class="num"`) under a right-aligned column header, and that
//! right-aligned figures are written the German way (1.234,5).
//!
//! Input values stay ISO where the browser needs them (`<input type="date" value="2026-05-01">`):
//! the check reads only text, never tags or their attributes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use axum::http::StatusCode;

use crate::{TestApp, web_test};

/// Where the walk may go: the staff area. The public finder, downloads and signing out are not
/// pages of it.
const AREAS: &[&str] = &[
    "/measures",
    "/rounds",
    "/concepts",
    "/issues",
    "/bodies",
    "/meetings",
    "/offers",
    "/programmes",
    "/funding",
    "/grants",
    "/organisations",
    "/towns",
    "/admin",
    "/account",
    "/cases",
];

/// Pages of one kind (the path with its ids replaced) visited at most this often.
const PER_KIND: usize = 2;

/// Pages visited at most per person.
const MAX_PAGES: usize = 150;

/// Column headers over identifiers that look like figures ("1.2" is a measure's number, the
/// official municipality key is eight digits).
const IDENTIFIER_COLUMNS: &[&str] = &["Nr.", "AGS"];

/// The page's text as a reader sees it: every tag with its attributes gone (input values,
/// addresses, hidden fields), and the contents of scripts, styles and text areas too.
pub fn visible_text(html: &str) -> String {
    let mut html = html.to_owned();
    for element in ["script", "style", "textarea"] {
        while let Some(start) = html.find(&format!("<{element}")) {
            let close = format!("</{element}>");
            let end = html[start..]
                .find(&close)
                .map_or(html.len(), |e| start + e + close.len());
            html.replace_range(start..end, " ");
        }
    }
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Every ISO date (`\b20\d\d-\d\d-\d\d\b`) in `text`, with a little context.
pub fn iso_dates(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let pattern = b"20dd-dd-dd";
    for i in 0..bytes.len().saturating_sub(pattern.len() - 1) {
        let matches = pattern.iter().enumerate().all(|(k, p)| match p {
            b'd' => bytes[i + k].is_ascii_digit(),
            p => bytes[i + k] == *p,
        });
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes
                .get(i + pattern.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        if matches && bounded {
            let mut from = i.saturating_sub(40);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (i + 50).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            found.push(
                text[from..to]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    found
}

#[derive(Debug)]
struct Cell {
    header: bool,
    num: bool,
    colspan: usize,
    text: String,
}

#[derive(Debug)]
struct Table {
    head: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

/// The cells of one row, in order.
fn cells(row: &str) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut rest = row;
    while let Some(start) = rest.find("<t") {
        let after = &rest[start + 2..];
        let header = after.starts_with("h ") || after.starts_with("h>");
        let data = after.starts_with("d ") || after.starts_with("d>");
        if !header && !data {
            rest = after;
            continue;
        }
        let tag_end = after.find('>').unwrap_or(after.len());
        let tag = &after[..tag_end];
        let close = if header { "</th>" } else { "</td>" };
        let body = &after[tag_end.min(after.len())..];
        let body_end = body.find(close).unwrap_or(body.len());
        let inner = body.get(1..body_end).unwrap_or_default();
        cells.push(Cell {
            header,
            num: attribute(tag, "class").is_some_and(|c| c.split(' ').any(|c| c == "num")),
            colspan: attribute(tag, "colspan")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            text: visible_text(inner)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        });
        rest = &body[body_end..];
    }
    cells
}

fn tables(html: &str) -> Vec<Table> {
    html.split("<table")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().unwrap_or_default();
            let (head, body) = match t.split_once("</thead>") {
                Some((head, body)) => (cells(head), body),
                None => (Vec::new(), t),
            };
            let rows = body.split("<tr").skip(1).map(cells).collect();
            Table { head, rows }
        })
        .collect()
}

/// The cell of `row` under column `index` (colspans counted).
fn at(row: &[Cell], index: usize) -> Option<&Cell> {
    let mut column = 0;
    for cell in row {
        if (column..column + cell.colspan).contains(&index) {
            return Some(cell);
        }
        column += cell.colspan;
    }
    None
}

/// Whether `text` holds a German date, `TT.MM.JJJJ`.
fn has_german_date(text: &str) -> bool {
    text.as_bytes().windows(10).any(|b| {
        b.iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b'.'
            } else {
                c.is_ascii_digit()
            }
        })
    })
}

/// A cell that holds nothing but a figure: a count, an amount, a percentage.
fn is_figure(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ".,€%/<x -–\u{a0}".contains(c))
        && !has_german_date(text)
}

/// What is wrong with a right-aligned figure's writing: a run of four digits or more without
/// the thousands dot, or a decimal point.
fn not_german(text: &str) -> Option<&'static str> {
    let runs: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .filter(|r| !r.is_empty())
        .collect();
    for run in runs {
        let whole = run.split(',').next().unwrap_or_default();
        if whole.split('.').any(|group| group.len() > 3) {
            return Some("without the thousands dot");
        }
        if whole.contains('.') && whole.split('.').skip(1).any(|group| group.len() != 3) {
            return Some("with a decimal point");
        }
    }
    None
}

/// Everything wrong with the figures and dates of one page.
pub fn problems(path: &str, html: &str) -> Vec<String> {
    let mut problems: Vec<String> = iso_dates(&visible_text(html))
        .into_iter()
        .map(|d| format!("{path}: ISO date in \"{d}\""))
        .collect();
    for table in tables(html) {
        let columns = table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.colspan).sum::<usize>())
            .max()
            .unwrap_or(0);
        for index in 0..columns {
            let header = at(&table.head, index);
            // A sortable header reads "Nr. ▲" or "Nr. (danach sortieren)": the column's name is
            // what comes before.
            let title = header
                .map_or("", |h| h.text.as_str())
                .split([' ', '\u{a0}'])
                .next()
                .unwrap_or_default();
            let title = if IDENTIFIER_COLUMNS.contains(&title) {
                title
            } else {
                header.map_or("", |h| h.text.as_str())
            };
            let mut right = false;
            for row in &table.rows {
                let Some(cell) = at(row, index) else { continue };
                if cell.header || cell.colspan > 1 {
                    continue;
                }
                right |= cell.num;
                if cell.num {
                    if let Some(what) = not_german(&cell.text) {
                        problems.push(format!(
                            "{path}: figure {what}: \"{}\" (column \"{title}\")",
                            cell.text
                        ));
                    }
                } else if is_figure(&cell.text) && !IDENTIFIER_COLUMNS.contains(&title) {
                    problems.push(format!(
                        "{path}: figure not right-aligned: \"{}\" (column \"{title}\")",
                        cell.text
                    ));
                }
            }
            if right && header.is_some_and(|h| !h.num && !h.text.is_empty()) {
                problems.push(format!(
                    "{path}: column \"{title}\" holds right-aligned figures, its header is not right-aligned"
                ));
            }
        }
    }
    problems
}

/// The kind of a page: its path with every id replaced, and the names of its query parameters.
fn kind(href: &str) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.len() >= 20 && s.contains('-') {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    let keys: BTreeSet<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    format!(
        "{}?{}",
        path.join("/"),
        keys.into_iter().collect::<Vec<_>>().join("&")
    )
}

/// The staff pages a page links to.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&#38;", "&").replace("&amp;", "&"))
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .filter(|h| {
            AREAS.iter().any(|a| {
                h == a || h.starts_with(&format!("{a}/")) || h.starts_with(&format!("{a}?"))
            })
        })
        .filter(|h| {
            ![".xlsx", ".pdf", ".docx", ".json", ".csv"]
                .iter()
                .any(|e| h.split('?').next().unwrap_or_default().ends_with(e))
                && !h.contains("/documents/")
        })
        .collect()
}

/// Walks the staff area from the start page as `username`; returns the pages seen and what is
/// wrong on them.
async fn walk(app: &TestApp, username: &str) -> (BTreeSet<String>, Vec<String>) {
    let cookie = app.login(username).await;
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut seen = BTreeSet::new();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    while let Some(href) = queue.pop_front() {
        if seen.len() >= MAX_PAGES {
            break;
        }
        let reply = app.get(&href, Some(&cookie)).await;
        seen.insert(href.clone());
        if reply.status != StatusCode::OK {
            continue;
        }
        problems.extend(
            self::problems(&href, &reply.body)
                .into_iter()
                .map(|p| format!("{username} {p}")),
        );
        for link in links(&reply.body) {
            if seen.contains(&link) || queue.contains(&link) {
                continue;
            }
            let count = per_kind.entry(kind(&link)).or_default();
            if *count < PER_KIND {
                *count += 1;
                queue.push_back(link);
            }
        }
    }
    (seen, problems)
}

web_test!(
    staff_pages_show_german_dates_and_right_aligned_german_figures,
    |app| {
        let mut all = Vec::new();
        for username in ["koordination", "admin", "fallmanagement"] {
            let (seen, problems) = walk(&app, username).await;
            assert!(seen.len() > 30, "{username} saw only {seen:?}");
            all.extend(problems);
            let expect: &[&str] = match username {
                "koordination" => &[
                    "/measures",
                    "/rounds",
                    "/funding",
                    "/programmes",
                    "/organisations",
                    "/bodies",
                    "/issues",
                    "/offers",
                    "/concepts",
                ],
                "admin" => &[
                    "/admin/users",
                    "/admin/audit",
                    "/admin/jobs",
                    "/admin/legal",
                ],
                _ => &["/cases", "/cases/monitor", "/cases/shares"],
            };
            for page in expect {
                assert!(
                    seen.contains(*page),
                    "{username} did not reach {page}: {seen:?}"
                );
            }
            // And the detail pages behind the lists.
            let details: &[&str] = match username {
                "koordination" => &[
                    "/measures/",
                    "/rounds/",
                    "/funding/",
                    "/grants/",
                    "/programmes/",
                    "/organisations/",
                    "/bodies/",
                    "/meetings/",
                    "/issues/",
                    "/offers/",
                ],
                "admin" => &["/admin/users/"],
                _ => &["/cases/"],
            };
            for prefix in details {
                assert!(
                    seen.iter()
                        .any(|s| s.starts_with(prefix) && kind(s).contains("{id}")),
                    "{username} reached no page under {prefix}: {seen:?}"
                );
            }
        }
        assert!(
            all.is_empty(),
            "{} problems:\n{}",
            all.len(),
            all.join("\n")
        );

        // Known figures, where they stand: sums of money under right-aligned headers, counts of
        // reports, the day a concept was adopted.
        let coordination = app.login("koordination").await;
        let funding = app.get("/funding", Some(&coordination)).await.body;
        assert!(funding.contains(r#"<th scope="col" class="num">bewilligt</th>"#));
        let granted = funding
            .split(r#"<td class="num">"#)
            .nth(2)
            .and_then(|c| c.split('<').next())
            .unwrap_or_default();
        assert!(
            granted.ends_with(" €") && granted.contains(','),
            "an amount in euros: {granted:?}"
        );
        let rounds = app.get("/rounds", Some(&coordination)).await.body;
        assert!(rounds.contains(r#"<th scope="col" class="num">angenommen</th>"#));
        assert!(rounds.contains(r#"<td class="num">"#) && rounds.contains(" von "));
        let concepts = lotse_store::measures::concepts(&app.db).await.unwrap();
        let page = app.get("/concepts", Some(&coordination)).await.body;
        for adopted in concepts.iter().filter_map(|c| c.adopted_on) {
            assert!(
                page.contains(&format!("Beschlossen am {}.", adopted.german())),
                "{page}"
            );
        }
    }
);

#[test]
fn the_checks_find_what_they_look_for() {
    // An ISO date in text is found, in an input's value not.
    let page = r#"<p>Stand: 2026-05-01</p><input type="date" value="2026-05-02"><a href="/x?d=2026-05-03">01.05.2026</a>"#;
    assert_eq!(problems("/p", page).len(), 1, "{:?}", problems("/p", page));
    assert!(iso_dates("Nr. 12026-05-011").is_empty());
    // A figure in a left-aligned cell, a header left over right-aligned figures, a figure
    // without its thousands dot.
    let table = r#"<table><thead><tr><th>Name</th><th>Zahl</th><th class="num">Betrag</th><th>Datum</th><th>Nr.</th></tr></thead>
        <tbody><tr><th scope="row">A</th><td>12</td><td class="num">1234,50 €</td><td>01.05.2026</td><td>1.2</td></tr>
        <tr><th scope="row">B</th><td class="num">1.234</td><td class="num">0,5 €</td><td>01.05.2026 – 31.12.2026</td><td>2.1</td></tr></tbody></table>"#;
    let found = problems("/t", table);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("not right-aligned: \"12\""));
    assert!(found[1].contains("header is not right-aligned"));
    assert!(found[2].contains("without the thousands dot"));
    assert_eq!(not_german("1.234.567,5 €"), None);
    assert_eq!(not_german("3,25"), None);
    assert_eq!(not_german("3.25"), Some("with a decimal point"));
}
