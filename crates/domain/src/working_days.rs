//! Working days in North Rhine-Westphalia: Monday to Friday, without the state's public holidays.
//!
//! The interpreter pool wants requests "at least five working days ahead"; a deadline counted in
//! calendar days would let a request on the Friday before Easter through with two days' notice.

use crate::date::Date;

/// The day of the week, Monday = 0 … Sunday = 6.
pub fn weekday(day: Date) -> u8 {
    // 1970-01-01 was a Thursday (3).
    u8::try_from((day.day_number() + 3).rem_euclid(7)).unwrap_or(0)
}

/// Easter Sunday of `year` (Gregorian computus, the "anonymous" algorithm of Meeus/Jones/Butcher).
pub fn easter_sunday(year: u16) -> Option<Date> {
    let y = i64::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
}

/// The public holidays of NRW in `year`, with their names, in the order of the year.
pub fn nrw_holidays(year: u16) -> Vec<(Date, &'static str)> {
    let fixed = |m: u8, d: u8| Date::new(year, m, d);
    let easter = easter_sunday(year);
    let from_easter = |days: i64| easter.and_then(|e| e.add_days(days));
    let mut days: Vec<(Date, &'static str)> = [
        (fixed(1, 1), "Neujahr"),
        (from_easter(-2), "Karfreitag"),
        (from_easter(1), "Ostermontag"),
        (fixed(5, 1), "Tag der Arbeit"),
        (from_easter(39), "Christi Himmelfahrt"),
        (from_easter(50), "Pfingstmontag"),
        (from_easter(60), "Fronleichnam"),
        (fixed(10, 3), "Tag der Deutschen Einheit"),
        (fixed(11, 1), "Allerheiligen"),
        (fixed(12, 25), "1. Weihnachtstag"),
        (fixed(12, 26), "2. Weihnachtstag"),
    ]
    .into_iter()
    .filter_map(|(d, name)| d.map(|d| (d, name)))
    .collect();
    days.sort();
    days
}

/// The name of the NRW public holiday on `day`, if it is one.
pub fn holiday(day: Date) -> Option<&'static str> {
    nrw_holidays(day.year())
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| name)
}

/// Whether people work on `day`: Monday to Friday and not a public holiday in NRW.
pub fn is_working_day(day: Date) -> bool {
    weekday(day) < 5 && holiday(day).is_none()
}

/// The `n`-th working day after `day` (`day` itself not counted, whatever it is). `None` only
/// past the last year a `Date` holds.
pub fn add_working_days(day: Date, n: u32) -> Option<Date> {
    let mut current = day;
    let mut left = n;
    while left > 0 {
        current = current.add_days(1)?;
        if is_working_day(current) {
            left -= 1;
        }
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::iso(text).unwrap()
    }

    #[test]
    fn weekdays_are_counted_from_monday() {
        assert_eq!(weekday(d("2026-12-07")), 0); // Monday
        assert_eq!(weekday(d("2026-12-01")), 1); // Tuesday
        assert_eq!(weekday(d("2026-12-06")), 6); // Sunday
        assert_eq!(weekday(d("1970-01-01")), 3);
    }

    #[test]
    fn easter_matches_the_calendar() {
        assert_eq!(easter_sunday(2024), Some(d("2024-03-31")));
        assert_eq!(easter_sunday(2025), Some(d("2025-04-20")));
        assert_eq!(easter_sunday(2026), Some(d("2026-04-05")));
        assert_eq!(easter_sunday(2027), Some(d("2027-03-28")));
        assert_eq!(easter_sunday(2038), Some(d("2038-04-25")));
    }

    #[test]
    fn nrw_has_eleven_holidays_including_corpus_christi_and_all_saints() {
        let days = nrw_holidays(2026);
        assert_eq!(days.len(), 11);
        for (day, name) in [
            ("2026-04-03", "Karfreitag"),
            ("2026-04-06", "Ostermontag"),
            ("2026-05-14", "Christi Himmelfahrt"),
            ("2026-05-25", "Pfingstmontag"),
            ("2026-06-04", "Fronleichnam"),
            ("2026-11-01", "Allerheiligen"),
            ("2026-12-26", "2. Weihnachtstag"),
        ] {
            assert_eq!(holiday(d(day)), Some(name), "{day}");
        }
        // Christmas Eve and New Year's Eve are working days in law.
        assert!(is_working_day(d("2026-12-24")));
        assert!(is_working_day(d("2026-12-31")));
    }

    #[test]
    fn five_working_days_skip_weekends_and_holidays() {
        // Monday → the Monday after.
        assert_eq!(add_working_days(d("2026-12-07"), 5), Some(d("2026-12-14")));
        // Friday → the Friday after.
        assert_eq!(add_working_days(d("2026-12-04"), 5), Some(d("2026-12-11")));
        // Saturday and Sunday count from Monday.
        assert_eq!(add_working_days(d("2026-12-05"), 5), Some(d("2026-12-11")));
        // Over Christmas: 25 and 26 December (Friday, Saturday) and the weekend.
        assert_eq!(add_working_days(d("2026-12-21"), 5), Some(d("2026-12-29")));
        // Over Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        assert_eq!(add_working_days(d("2027-03-24"), 5), Some(d("2027-04-02")));
        assert_eq!(add_working_days(d("2026-12-07"), 0), Some(d("2026-12-07")));
    }
}
