//! What every page shares: the layout (navigation per role, demo banner, notices) and formatting.

use lotse_domain::{Date, FieldErrors, Permission, Role, policy::any_allows};

use crate::AppState;
use crate::guard::CurrentUser;

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// Menu items under one heading.
pub struct NavGroup {
    pub label: &'static str,
    pub items: Vec<NavItem>,
}

/// Shared by all pages rendered inside `base.html`.
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub organisation_name: String,
    /// Every area the user's roles open, in menu order (the start page lists them as cards).
    pub nav: Vec<NavItem>,
    /// The same, grouped as the menu shows them.
    pub nav_groups: Vec<NavGroup>,
    /// The trail above the page's heading, start page first, the page itself last (not
    /// linked). Empty on the start page. Pages with more levels write their own trail.
    pub crumbs: Vec<(String, String)>,
    pub demo: bool,
    pub notice: Option<&'static str>,
    /// Unread notifications: the bell's number.
    pub unread: i64,
}

/// Who uses an area, beyond who may: the menu shows it only to these roles, so that each role
/// sees what its work needs (a partner may look up the towns but does not keep them).
const KEEPERS: &[Role] = &[Role::Admin, Role::Coordination];

/// The menu: (group, label, address, permission needed, roles that use it (`None`: all who
/// may)).
type NavEntry = (
    &'static str,
    &'static str,
    &'static str,
    Option<Permission>,
    Option<&'static [Role]>,
);

const NAV: &[NavEntry] = &[
    ("", "Übersicht", "/", None, None),
    (
        "Fallarbeit",
        "Fälle",
        "/cases",
        Some(Permission::ViewCases),
        None,
    ),
    (
        "Fallarbeit",
        "Fallstatistik",
        "/cases/statistics",
        Some(Permission::ViewCaseStatistics),
        None,
    ),
    (
        "KI-Dienste",
        "Schulische Erstberatung",
        "/school-counselling",
        Some(Permission::ViewSchoolCounselling),
        None,
    ),
    (
        "KI-Dienste",
        "Wartezeiten Erstberatung",
        "/school-counselling/figures",
        Some(Permission::ViewSchoolCounsellingFigures),
        None,
    ),
    (
        "KI-Dienste",
        "Kind zur Erstberatung melden",
        "/school-counselling/new",
        Some(Permission::RegisterForSchoolCounselling),
        Some(&[Role::CaseManager, Role::Partner, Role::ImmigrationOffice]),
    ),
    (
        "KI-Dienste",
        "Sprachmittlung",
        "/interpreters/requests",
        Some(Permission::ViewInterpreterRequests),
        None,
    ),
    (
        "KI-Dienste",
        "Sprachmittlerpool",
        "/interpreters/pool",
        Some(Permission::ManageInterpreterPool),
        None,
    ),
    (
        "Integrationskonzept",
        "Maßnahmen",
        "/measures",
        Some(Permission::ViewMeasures),
        None,
    ),
    (
        "Integrationskonzept",
        "Überprüfungen",
        "/rounds",
        Some(Permission::ViewMeasures),
        None,
    ),
    (
        "Integrationskonzept",
        "Konzepte",
        "/concepts",
        Some(Permission::ViewMeasures),
        None,
    ),
    (
        "Integrationskonzept",
        "Strukturelle Hürden",
        "/issues",
        Some(Permission::ViewStructuralIssues),
        None,
    ),
    (
        "Integrationskonzept",
        "Gremien",
        "/bodies",
        Some(Permission::ViewBodies),
        None,
    ),
    (
        "Angebote und Programme",
        "Angebote",
        "/offers",
        Some(Permission::ViewOffers),
        None,
    ),
    (
        "Angebote und Programme",
        "Programme",
        "/programmes",
        Some(Permission::ViewProgrammes),
        None,
    ),
    (
        "Angebote und Programme",
        "Förderung",
        "/funding",
        Some(Permission::ManageFunding),
        None,
    ),
    (
        "Netzwerk",
        "Organisationen",
        "/organisations",
        Some(Permission::ViewOrganisations),
        None,
    ),
    (
        "Netzwerk",
        "Städte und Gemeinden",
        "/towns",
        Some(Permission::ViewTowns),
        Some(KEEPERS),
    ),
    (
        "Verwaltung",
        "Benutzerkonten",
        "/admin/users",
        Some(Permission::ManageUsers),
        None,
    ),
    (
        "Verwaltung",
        "Protokoll",
        "/admin/audit",
        Some(Permission::ViewAuditLog),
        None,
    ),
    (
        "Verwaltung",
        "Einstellungen",
        "/admin/settings",
        Some(Permission::ManageSettings),
        None,
    ),
    (
        "Verwaltung",
        "Rechtliche Seiten",
        "/admin/legal",
        Some(Permission::ManageSettings),
        None,
    ),
    (
        "Verwaltung",
        "Hintergrundaufgaben",
        "/admin/jobs",
        Some(Permission::ManageSettings),
        None,
    ),
    ("Mein Konto", "Mein Konto", "/account", None, None),
];

impl Layout {
    pub fn new(app: &AppState, user: &CurrentUser, title: impl Into<String>, path: &str) -> Layout {
        let roles = &user.principal.roles;
        let title = title.into();
        let shown: Vec<&NavEntry> = NAV
            .iter()
            .filter(|(_, _, _, p, _)| p.is_none_or(|p| any_allows(roles, p)))
            .filter(|(_, _, _, _, users)| users.is_none_or(|u| roles.iter().any(|r| u.contains(r))))
            .collect();
        let item = |(_, label, href, _, _): &&NavEntry| NavItem {
            label,
            href,
            current: if *href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
        };
        let nav: Vec<NavItem> = shown.iter().map(item).collect();
        let mut nav_groups: Vec<NavGroup> = Vec::new();
        for entry in &shown {
            match nav_groups.last_mut() {
                Some(g) if g.label == entry.0 => g.items.push(item(entry)),
                _ => nav_groups.push(NavGroup {
                    label: entry.0,
                    items: vec![item(entry)],
                }),
            }
        }
        // The trail: the start page, the area the page belongs to (the longest menu address it
        // starts with) unless the page is that area, then the page.
        let mut crumbs = Vec::new();
        if path != "/" {
            crumbs.push(("Übersicht".to_owned(), "/".to_owned()));
            let area = shown
                .iter()
                .filter(|(_, _, href, _, _)| *href != "/" && path.starts_with(href))
                .max_by_key(|(_, _, href, _, _)| href.len());
            if let Some((_, label, href, _, _)) = area
                && path.trim_end_matches('/') != *href
            {
                crumbs.push(((*label).to_owned(), (*href).to_owned()));
            }
            crumbs.push((title.clone(), String::new()));
        }
        Layout {
            title,
            user_name: user.principal.display_name.clone(),
            organisation_name: user.principal.organisation_name.clone(),
            nav,
            nav_groups,
            crumbs,
            demo: app.config.demo,
            notice: None,
            unread: user.unread,
        }
    }

    /// Shows a confirmation after a redirect (`?ok=saved`); only known keys map to text, so the
    /// query string cannot inject messages.
    pub fn with_notice(mut self, key: Option<&str>) -> Layout {
        self.notice = key.and_then(notice_text);
        self
    }
}

fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "saved" => "Gespeichert.",
        "job_run" => "Die Aufgabe wurde ausgeführt; das Ergebnis steht im Verlauf.",
        "created" => "Angelegt.",
        "deactivated" => "Deaktiviert.",
        "reactivated" => "Wieder aktiviert.",
        "password" => "Das Passwort wurde geändert.",
        "totp" => "Der zweite Faktor ist eingerichtet.",
        "totp_removed" => "Der zweite Faktor wurde entfernt.",
        "totp_reset" => "Der zweite Faktor des Kontos wurde zurückgesetzt.",
        "revoked" => "Der Token wurde widerrufen.",
        "imported" => "Der Import ist abgeschlossen.",
        "reminded" => "Die Erinnerungen sind verschickt.",
        "accepted" => "Die ausgewählten Berichte sind angenommen.",
        "notifications_read" => "Alle Benachrichtigungen sind als gelesen markiert.",
        "request_submitted" => {
            "Die Anfrage ist eingegangen. Das Kommunale Integrationszentrum prüft sie und meldet sich, sobald jemand gefunden ist."
        }
        "request_cancelled" => "Die Anfrage ist storniert.",
        "school_registered" => "Die Familie ist gemeldet; die Kinder stehen auf „gemeldet“.",
        "school_passed_on" => {
            "Die Familie ist gemeldet. Das Kommunale Integrationszentrum lädt sie zur Erstberatung ein."
        }
        "school_accepted" => "Die Online-Meldung ist angenommen.",
        "school_rejected" => "Die Online-Meldung ist verworfen; ihre Angaben sind gelöscht.",
        "school_moved" => "Die Familie ist einem anderen Standort zugeordnet.",
        "school_step" => "Der Schritt ist vermerkt.",
        "school_booked" => {
            "Der Termin ist gebucht; die Kinder stehen auf „Termin“. Familie und Beratung erhalten ihn per E-Mail, soweit eine Adresse bekannt ist."
        }
        "school_moved_appointment" => {
            "Der Termin ist verlegt; die Beteiligten werden benachrichtigt."
        }
        "school_appointment_closed" => "Der Ausgang des Termins ist vermerkt.",
        "school_recorded" => "Die Beratung ist erfasst; das Kind steht auf „beraten“.",
        "request_reviewed" => {
            "Die Entscheidung ist gespeichert; die anfragende Stelle ist benachrichtigt."
        }
        "request_assigned" => {
            "Vermittelt: Die anfragende Stelle und die Sprachmittlung sind benachrichtigt."
        }
        "request_unmet" => {
            "Als nicht vermittelbar erfasst; die Anfrage zählt als ungedeckter Bedarf."
        }
        "request_completed" => "Der Einsatz ist abgerechnet.",
        "deadline" => {
            "Die Abgabefrist ist geändert; die automatischen Erinnerungen richten sich nach der neuen Frist."
        }
        "round_closed" => {
            "Die Runde ist abgeschlossen: Der Stand aller Maßnahmen ist zum Stichtag eingefroren, der Sachstandsbericht steht bereit."
        }
        "offer_draft" => {
            "Als Entwurf gespeichert. Öffentlich sichtbar ist weiterhin die bisherige Fassung."
        }
        "offer_submitted" => {
            "Zur Freigabe eingereicht. Nach der Freigabe durch die Koordination erscheint die Änderung im Angebotsfinder."
        }
        "offer_published" => "Veröffentlicht.",
        "offer_verified" => "Bestätigt: Die Angaben sind aktuell.",
        "offer_withdrawn" => "Zurückgezogen: Das Angebot erscheint nicht mehr im Angebotsfinder.",
        "offer_reinstated" => "Das Angebot wird wieder angeboten.",
        "offer_discarded" => "Die Änderung wurde verworfen.",
        "offer_returned" => "Die Änderung wurde mit Begründung an den Träger zurückgegeben.",
        _ => return None,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    pub ok: Option<String>,
}

/// "25.11.2026, 14:05" in German local time.
pub fn datetime(ms: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    match jiff::tz::db().get("Europe/Berlin") {
        Ok(tz) => ts.to_zoned(tz).strftime("%d.%m.%Y, %H:%M").to_string(),
        Err(_) => ts.strftime("%d.%m.%Y, %H:%M UTC").to_string(),
    }
}

pub fn opt_datetime(ms: Option<i64>) -> String {
    ms.map(datetime).unwrap_or_else(|| "–".to_owned())
}

/// Today's date in German local time.
pub fn today() -> Date {
    day_of(lotse_store::now_ms())
}

/// The day (in the district's time zone) of an instant in epoch milliseconds.
pub fn day_of(ms: i64) -> Date {
    lotse_store::day_of(ms)
}

/// The weekday and the minute of the day (in the district's time zone) of an instant in epoch
/// milliseconds: what "open now" is checked against.
pub fn weekday_and_minute(ms: i64) -> (lotse_domain::offer::Weekday, u16) {
    use lotse_domain::offer::Weekday;
    let at = jiff::Timestamp::from_millisecond(ms).unwrap_or_else(|_| jiff::Timestamp::now());
    let zoned = match jiff::tz::db().get("Europe/Berlin") {
        Ok(tz) => at.to_zoned(tz),
        Err(_) => at.to_zoned(jiff::tz::TimeZone::UTC),
    };
    let day = match zoned.weekday() {
        jiff::civil::Weekday::Monday => Weekday::Monday,
        jiff::civil::Weekday::Tuesday => Weekday::Tuesday,
        jiff::civil::Weekday::Wednesday => Weekday::Wednesday,
        jiff::civil::Weekday::Thursday => Weekday::Thursday,
        jiff::civil::Weekday::Friday => Weekday::Friday,
        jiff::civil::Weekday::Saturday => Weekday::Saturday,
        jiff::civil::Weekday::Sunday => Weekday::Sunday,
    };
    let minute =
        u16::try_from(i32::from(zoned.hour()) * 60 + i32::from(zoned.minute())).unwrap_or(0);
    (day, minute)
}

/// Parses a date (`YYYY-MM-DD` or `TT.MM.JJJJ`) as the start of that day in German local time,
/// in epoch ms.
pub fn parse_date_ms(text: &str) -> Option<i64> {
    let day = lotse_domain::Date::parse(text)?;
    let date = jiff::civil::Date::new(
        i16::try_from(day.year()).ok()?,
        i8::try_from(day.month()).ok()?,
        i8::try_from(day.day()).ok()?,
    )
    .ok()?;
    let tz = jiff::tz::db().get("Europe/Berlin").ok()?;
    Some(date.to_zoned(tz).ok()?.timestamp().as_millisecond())
}

/// `path` with the non-empty `pairs` as its query: the links of filtered, paged lists.
pub fn link_with(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    let q = s.finish();
    if q.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{q}")
    }
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Errors of a form, with the field order kept for the summary at the top of the form.
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors(FieldErrors::new())
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (field, label, message) for the error summary.
    pub fn summary(&self, label: fn(&str) -> &str) -> Vec<(String, String, String)> {
        self.0
            .iter()
            .map(|(f, m)| (f.to_owned(), label(f).to_owned(), m.to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_and_minute_are_german_local_time() {
        // 2026-12-01 is a Tuesday; 08:30 UTC is 09:30 in Berlin (winter time).
        let ms = parse_date_ms("2026-12-01").unwrap_or(0) + (9 * 60 + 30) * 60_000;
        assert_eq!(
            weekday_and_minute(ms),
            (lotse_domain::offer::Weekday::Tuesday, 9 * 60 + 30)
        );
    }

    #[test]
    fn datetime_is_german_local_time() {
        // 2026-07-01T10:00:00Z is 12:00 in summer time.
        assert_eq!(datetime(1_782_900_000_000), "01.07.2026, 12:00");
        let ms = parse_date_ms("2026-01-15").expect("date");
        assert_eq!(datetime(ms), "15.01.2026, 00:00");
        assert_eq!(
            parse_date_ms("15.01.2026"),
            Some(ms),
            "typed the German way"
        );
        assert_eq!(parse_date_ms("15.01."), None);
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert_eq!(notice_text("saved"), Some("Gespeichert."));
        assert_eq!(notice_text("<script>"), None);
    }
}

/// How many rows a paged list has, in words: "1 Angebot", "3 Angebote", "Mehr als 1.000 Angebote".
pub fn count_text(count: lotse_store::paging::Count, one: &str, many: &str) -> String {
    match count {
        lotse_store::paging::Count::Exactly(1) => format!("1 {one}"),
        lotse_store::paging::Count::Exactly(n) => format!("{} {many}", figure(n)),
        lotse_store::paging::Count::MoreThan(n) => {
            format!("Mehr als {} {many}", figure(n))
        }
    }
}

/// A number as Germans write it: decimal comma, thousands with a dot, no needless decimals
/// (at most two).
pub fn number_de(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let int = abs.trunc() as u64;
    let frac = ((abs - abs.trunc()) * 100.0).round() as u64;
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let mut out = if negative {
        format!("-{grouped}")
    } else {
        grouped
    };
    if frac > 0 {
        let f = format!("{frac:02}");
        out.push(',');
        out.push_str(f.trim_end_matches('0'));
    }
    out
}

/// A day as pages show it: `31.12.2025`. `Date`'s own `Display` is ISO (the stored and
/// exchanged form), so a template never prints a date as it is: it writes
/// `{{ crate::view::date_de(x.due_on) }}`.
pub fn date_de(date: &Date) -> String {
    date.german()
}

/// A sortable column's header in a list: its label, the list's address in that order (same
/// filter, first page), and whether the list is in that order now (`aria-sort`).
pub struct SortLink {
    /// The order's key in the address (`sort=`).
    pub key: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The headers of a list's sortable columns: (label, the order's key in the address, the
/// order), the list's `current` order, and how the list's address in an order is written.
pub fn sort_links<O: Copy + PartialEq>(
    columns: &[(&'static str, &'static str, O)],
    current: O,
    link: impl Fn(O) -> String,
) -> Vec<SortLink> {
    columns
        .iter()
        .map(|(label, key, order)| SortLink {
            key,
            label,
            href: link(*order),
            current: *order == current,
        })
        .collect()
}

/// The rows a reader may choose per page of a list.
pub const PAGE_SIZES: [usize; 4] = [25, 50, 100, 200];

/// How a list is paged, from its address: rows per page (`size`, one of [`PAGE_SIZES`]) and the
/// page's number (`page`, carried by the pager's links: keyset pages have no offset). Read
/// beside each list's own filter.
#[derive(serde::Deserialize, Default, Debug, Clone)]
pub struct Paging {
    #[serde(default)]
    size: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    after: String,
}

impl Paging {
    pub fn size(&self, default: usize) -> usize {
        self.size
            .trim()
            .parse()
            .ok()
            .filter(|n| PAGE_SIZES.contains(n))
            .unwrap_or(default)
    }

    /// Where the page starts: a cursor from the previous page's link, or empty.
    pub fn after(&self) -> &str {
        &self.after
    }

    /// 1 on the first page; what the link said on later ones.
    pub fn number(&self) -> usize {
        if self.after.trim().is_empty() {
            1
        } else {
            self.page
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 1)
                .unwrap_or(2)
        }
    }

    /// Adds `size` (when not the list's default) and, for the page after `next`, the cursor and
    /// the page's number to a list's address.
    pub fn append(
        &self,
        s: &mut form_urlencoded::Serializer<'_, String>,
        default: usize,
        next: Option<&str>,
    ) {
        let size = self.size(default);
        if size != default {
            s.append_pair("size", &size.to_string());
        }
        if let Some(cursor) = next {
            s.append_pair("after", cursor);
            s.append_pair("page", &(self.number() + 1).to_string());
        }
    }

    /// The same paging with another size, from the first page.
    pub fn with_size(&self, size: usize) -> Paging {
        Paging {
            size: size.to_string(),
            ..Paging::default()
        }
    }
}

/// One choice of rows per page: its link (same filter, first page) and whether it is chosen.
pub struct SizeLink {
    pub size: usize,
    pub href: String,
    pub current: bool,
}

/// The size choices of a list whose address `link` writes for a paging.
pub fn size_links(
    paging: &Paging,
    default: usize,
    link: impl Fn(&Paging) -> String,
) -> Vec<SizeLink> {
    let chosen = paging.size(default);
    PAGE_SIZES
        .iter()
        .map(|n| SizeLink {
            size: *n,
            href: link(&paging.with_size(*n)),
            current: *n == chosen,
        })
        .collect()
}

/// "Seite 2 von 5": which page of a keyset-paged list this is, and of how many when the list
/// was counted exactly.
pub fn page_label(number: usize, count: lotse_store::paging::Count, size: usize) -> String {
    match count {
        lotse_store::paging::Count::Exactly(n) => {
            let pages = (usize::try_from(n).unwrap_or(0))
                .div_ceil(size.max(1))
                .max(1);
            format!("Seite {number} von {pages}")
        }
        lotse_store::paging::Count::MoreThan(_) => format!("Seite {number}"),
    }
}

/// A count or measurement as pages show it, German: `1.234`, `7,5`. In a table its cell and
/// the column's header carry `class="num"` (right-aligned, digits of equal width). Amounts of
/// money are [`crate::pages::funding::euro`] (`1.234,50 €`).
pub fn figure(value: impl Figure) -> String {
    number_de(value.value())
}

/// What [`figure`] takes: any number, by value or by reference.
pub trait Figure {
    fn value(&self) -> f64;
}

macro_rules! figures {
    ($($t:ty),*) => {$(
        impl Figure for $t {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn value(&self) -> f64 {
                *self as f64
            }
        }
    )*};
}

figures!(u8, u16, u32, u64, usize, i8, i16, i32, i64, f32, f64);

impl<T: Figure + ?Sized> Figure for &T {
    fn value(&self) -> f64 {
        (**self).value()
    }
}

/// A count of the statistics as shown: the count German (`1.234`), "<5" or "x" where hidden.
pub fn shown_de(shown: &lotse_domain::statistics::Shown) -> String {
    match shown {
        lotse_domain::statistics::Shown::Count(n) => figure(n),
        other => other.to_string(),
    }
}

/// Seconds with one decimal, German: "0,4 s".
pub fn seconds_de(ms: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let tenths = (ms as f64 / 100.0).round() / 10.0;
    format!("{} s", number_de(tenths))
}

/// A deadline as people say it from `today`: "noch 5 Tage", "heute", "seit 2 Tagen
/// überschritten".
pub fn deadline_words(deadline: Date, today: Date) -> String {
    match today.days_until(deadline) {
        0 => "heute".into(),
        1 => "noch 1 Tag".into(),
        n if n > 1 => format!("noch {n} Tage"),
        -1 => "seit 1 Tag überschritten".into(),
        n => format!("seit {} Tagen überschritten", -n),
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn german_numbers_and_dates() {
        assert_eq!(number_de(1234.5), "1.234,5");
        assert_eq!(number_de(12.0), "12");
        assert_eq!(number_de(-0.25), "-0,25");
        assert_eq!(number_de(1_000_000.0), "1.000.000");
        let day = Date::new(2025, 12, 31).expect("a day");
        assert_eq!(date_de(&day), "31.12.2025");
        assert_eq!(figure(12_345_usize), "12.345");
        let by_reference = &-1234_i64;
        assert_eq!(figure(by_reference), "-1.234");
        assert_eq!(figure(7.5_f64), "7,5");
        assert_eq!(seconds_de(1234), "1,2 s");
        use lotse_domain::statistics::Shown;
        assert_eq!(shown_de(&Shown::Count(1234)), "1.234");
        assert_eq!(shown_de(&Shown::Small), "<5");
        assert_eq!(seconds_de(400), "0,4 s");
        assert_eq!(seconds_de(2000), "2 s");
    }
}
