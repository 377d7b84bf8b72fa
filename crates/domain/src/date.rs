//! A calendar day: what a meeting, a deadline, a reference date or an offer's validity is on.
//!
//! Dates used to travel as `YYYY-MM-DD` text, checked where they entered and trusted after; a
//! `Date` can only hold a real day, so every later step (comparisons, the day a year back, the
//! German form on a page) works on a value that is known to be one. Storage keeps the ISO text
//! (it sorts and compares as the days do on both backends); JSON carries the same text.
//! Instants (when something happened) stay epoch milliseconds; the day of an instant depends on
//! the district's time zone and is taken in the web layer.

use std::fmt;
use std::str::FromStr;

/// The years Lotse accepts: wide enough for the 2010 concept and long-running grants, narrow
/// enough that a mistyped year ("0224", "20024") is caught at entry.
pub const YEARS: std::ops::RangeInclusive<u16> = 1900..=2100;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order is the order of days: the derived `Ord` compares year, then month, then day.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The first day Lotse accepts. Also what a draft carries in place of a date that failed to
    /// parse: such a draft comes with field errors and is never stored.
    pub const EARLIEST: Date = Date {
        year: 1900,
        month: 1,
        day: 1,
    };

    /// The day `year-month-day`, if it exists and lies in [`YEARS`].
    /// A `const fn`, so that fixed days (tests, demo data) can be constants.
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year >= *YEARS.start()
            && year <= *YEARS.end()
            && day >= 1
            && day <= days_in_month(year, month)
        {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// Reads `YYYY-MM-DD` (the form of date fields, imports and the API) or the German
    /// `TT.MM.JJJJ` (also `1.2.2027`), which people type where no date picker helps them (surrounding
    /// blanks aside). Other spellings are the importers' business (`measure_import`).
    pub fn parse(text: &str) -> Option<Date> {
        Date::iso(text).or_else(|| Date::parse_german(text.trim()))
    }

    /// Reads `YYYY-MM-DD` only (surrounding blanks aside): the exchanged and stored form, which
    /// JSON and the database carry.
    pub fn iso(text: &str) -> Option<Date> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = t.get(range)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        Date::new(digits(0..4)?, month, day)
    }

    /// `TT.MM.JJJJ` with one or two digits for day and month and four for the year.
    fn parse_german(t: &str) -> Option<Date> {
        let mut parts = t.split('.');
        let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |p: &str, len: std::ops::RangeInclusive<usize>| {
            (len.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        };
        if parts.next().is_some() {
            return None;
        }
        Date::new(
            digits(year, 4..=4)?,
            u8::try_from(digits(month, 1..=2)?).ok()?,
            u8::try_from(digits(day, 1..=2)?).ok()?,
        )
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// "03.11.2026", as German pages write a day.
    pub fn german(self) -> String {
        format!("{:02}.{:02}.{:04}", self.day, self.month, self.year)
    }

    /// The same day `years` earlier; 29 February becomes 28 February in a common year. `None`
    /// before [`YEARS`].
    pub fn years_back(self, years: u16) -> Option<Date> {
        let year = self.year.checked_sub(years)?;
        Date::new(
            year,
            self.month,
            self.day.min(days_in_month(year, self.month)),
        )
    }

    /// The day `days` after this one (before it for negative `days`); `None` outside [`YEARS`].
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_day_number(self.day_number().checked_add(days)?)
    }

    /// The day `n` days after 1970-01-01 (the inverse of [`Date::day_number`]); `None` outside
    /// [`YEARS`].
    pub fn from_day_number(n: i64) -> Option<Date> {
        let (y, m, d) = civil_from_days(n);
        Date::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }

    /// Days from this day to `later` (negative if `later` lies before it).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's `days_from_civil`).
    pub fn day_number(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// The inverse of `Date::day_number`: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`: the stored and exchanged form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The text was not a day in `YYYY-MM-DD` form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("„{0}“ ist kein Datum (JJJJ-MM-TT).")]
pub struct NotADate(pub String);

impl FromStr for Date {
    type Err = NotADate;

    fn from_str(s: &str) -> Result<Date, NotADate> {
        Date::iso(s).ok_or_else(|| NotADate(s.to_owned()))
    }
}

impl PartialEq<str> for Date {
    fn eq(&self, other: &str) -> bool {
        Date::iso(other) == Some(*self)
    }
}

impl PartialEq<&str> for Date {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::iso(&text).ok_or_else(|| serde::de::Error::custom(NotADate(text.into_owned())))
    }
}

/// Dates are stored as their ISO text on both backends (a `TEXT` column), so they bind and read
/// wherever a `String` does.
#[cfg(feature = "sqlx")]
mod sql {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode, Type};

    use super::Date;

    impl<DB: Database> Type<DB> for Date
    where
        String: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <String as Type<DB>>::type_info()
        }

        fn compatible(ty: &DB::TypeInfo) -> bool {
            <String as Type<DB>>::compatible(ty)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for Date
    where
        String: Decode<'r, DB>,
    {
        fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Date, BoxDynError> {
            let text = <String as Decode<'r, DB>>::decode(value)?;
            Ok(text.parse::<Date>()?)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for Date
    where
        String: Encode<'q, DB>,
    {
        fn encode_by_ref(
            &self,
            buf: &mut <DB as Database>::ArgumentBuffer,
        ) -> Result<IsNull, BoxDynError> {
            <String as Encode<'q, DB>>::encode(self.to_string(), buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_german_form_people_type_but_exchanges_only_iso() {
        let d = Date::new(2027, 2, 1);
        for typed in ["01.02.2027", "1.2.2027", " 1.02.2027 "] {
            assert_eq!(Date::parse(typed), d, "{typed}");
            assert_eq!(Date::iso(typed), None, "{typed}");
            assert!(serde_json::from_str::<Date>(&format!("\"{}\"", typed.trim())).is_err());
        }
        for bad in [
            "31.02.2027",
            "1.2.27",
            "1.2.2027.",
            "001.2.2027",
            "1..2027",
            "a.b.cdef",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_only_real_days_in_iso_form() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(
            Date::parse(" 2026-11-30 ").map(Date::german).as_deref(),
            Some("30.11.2026")
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-2-01",
            "1899-12-31",
            "2101-01-01",
            "+024-01-01",
            "2024-01-+1",
            "",
            "2024-01-01x",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_year_back_keeps_the_day_or_the_last_of_february() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2026-11-30").years_back(1), Some(d("2025-11-30")));
        assert_eq!(d("2024-02-29").years_back(1), Some(d("2023-02-28")));
        assert_eq!(d("1900-06-01").years_back(1), None);
    }

    #[test]
    fn serialises_as_its_iso_text() {
        let d = Date::parse("2026-01-05").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-01-05\"");
        assert_eq!(serde_json::from_str::<Date>("\"2026-01-05\"").unwrap(), d);
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    }

    proptest! {
        #[test]
        fn days_count_like_the_calendar(y in 1901u16..=2099, m in 1u8..=12, d in 1u8..=28, n in -20_000i64..20_000) {
            let date = Date::new(y, m, d).unwrap();
            // Text order is day order, and adding days moves by exactly that many.
            if let Some(later) = date.add_days(n) {
                prop_assert_eq!(date.days_until(later), n);
                prop_assert_eq!(later.cmp(&date), n.cmp(&0));
                prop_assert_eq!(later.to_string().cmp(&date.to_string()), n.cmp(&0));
                prop_assert_eq!(Date::parse(&later.to_string()), Some(later));
            }
            prop_assert_eq!(date.add_days(1).map(|t| date.days_until(t)), Some(1));
        }
    }
}
