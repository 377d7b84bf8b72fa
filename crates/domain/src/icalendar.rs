//! Calendar files (RFC 5545) for the appointments Lotse confirms by mail: an interpreter's
//! assignment, a counselling appointment. The person adds the date to their own calendar with one
//! tap, on a phone as in Outlook.
//!
//! One `VEVENT` per file, in the district's local time (`TZID=Europe/Berlin`) with the zone's
//! rules included, because a calendar that does not know the zone would otherwise show the
//! appointment an hour off for half of the year. The UID is stable per appointment and the
//! sequence grows with each change, so a rescheduled or cancelled date replaces the earlier entry
//! instead of adding a second one.

use crate::Date;

/// One appointment as a calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable for the appointment (e.g. `<request id>@lotse`).
    pub uid: String,
    /// 0 for the first message, one more for each change after.
    pub sequence: u32,
    /// When the file was made, epoch milliseconds (`DTSTAMP`, in UTC).
    pub stamp_ms: i64,
    pub date: Date,
    /// Local time in the district, minutes after midnight.
    pub start_minute: u16,
    pub duration_minutes: u16,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// A cancellation (`METHOD:CANCEL`, `STATUS:CANCELLED`) of an entry sent before.
    pub cancelled: bool,
}

/// The zone's rules since 1996 (EU summer time), as calendar programs expect them inline.
const BERLIN: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

impl Event {
    /// The whole `.ics` file, lines ending in CRLF and folded at 75 octets as RFC 5545 asks.
    pub fn to_ics(&self) -> String {
        let end = u32::from(self.start_minute) + u32::from(self.duration_minutes);
        // An appointment running past midnight ends on the next day.
        let end_date = self
            .date
            .add_days(i64::from(end / 1440))
            .unwrap_or(self.date);
        let method = if self.cancelled { "CANCEL" } else { "PUBLISH" };
        let head = [
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//Kreis Warendorf//Lotse//DE".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{method}"),
        ];
        let mut event = vec![
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", text(&self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", utc(self.stamp_ms)),
            format!(
                "DTSTART;TZID=Europe/Berlin:{}",
                local(self.date, u32::from(self.start_minute))
            ),
            format!("DTEND;TZID=Europe/Berlin:{}", local(end_date, end % 1440)),
            format!("SUMMARY:{}", text(&self.summary)),
        ];
        if !self.location.is_empty() {
            event.push(format!("LOCATION:{}", text(&self.location)));
        }
        if !self.description.is_empty() {
            event.push(format!("DESCRIPTION:{}", text(&self.description)));
        }
        event.push(format!(
            "STATUS:{}",
            if self.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        event.push("END:VEVENT".to_owned());
        let mut out = String::new();
        for line in &head {
            out.push_str(&fold(line));
        }
        out.push_str(BERLIN);
        for line in event {
            out.push_str(&fold(&line));
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }
}

/// `YYYYMMDDTHHMMSS`, local time.
fn local(date: Date, minute: u32) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        date.year(),
        date.month(),
        date.day(),
        minute / 60,
        minute % 60
    )
}

/// `YYYYMMDDTHHMMSSZ` of an instant.
fn utc(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let day = Date::from_day_number(seconds.div_euclid(86_400)).unwrap_or(Date::EARLIEST);
    let s = seconds.rem_euclid(86_400);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        day.year(),
        day.month(),
        day.day(),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
/// characters dropped (they have no place in a calendar entry).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let value = value.replace("\r\n", "\n");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line after at most 75 octets, never inside a character; continuation lines
/// begin with a space.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut octets = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if octets + len > 75 {
            out.push_str("\r\n ");
            // The leading space counts towards the next line's 75.
            octets = 1;
        }
        out.push(c);
        octets += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            uid: "abc@lotse".into(),
            sequence: 0,
            // 2026-03-01 12:00:00 UTC
            stamp_ms: 1_772_366_400_000,
            date: Date::new(2026, 3, 29).unwrap(),
            start_minute: 14 * 60,
            duration_minutes: 90,
            summary: "Sprachmittlung Arabisch".into(),
            location: "Grundschule Am Park, Raum 3; Ahlen".into(),
            description: "Ansprechperson: Frau Beispiel\nTelefon 02382 0000".into(),
            cancelled: false,
        }
    }

    #[test]
    fn an_event_in_local_time_with_its_zone() {
        let ics = event().to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("METHOD:PUBLISH\r\n"));
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20260329T140000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20260329T153000\r\n"));
        assert!(ics.contains("DTSTAMP:20260301T120000Z\r\n"));
        assert!(ics.contains("TZID:Europe/Berlin\r\n"));
        assert!(ics.contains("LOCATION:Grundschule Am Park\\, Raum 3\\; Ahlen\r\n"));
        assert!(ics.contains("DESCRIPTION:Ansprechperson: Frau Beispiel\\nTelefon 02382 0000"));
        // Every line ends in CRLF: no bare LF anywhere.
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn past_midnight_ends_the_next_day() {
        let mut e = event();
        e.start_minute = 23 * 60;
        e.duration_minutes = 120;
        assert!(
            e.to_ics()
                .contains("DTEND;TZID=Europe/Berlin:20260330T010000\r\n")
        );
    }

    #[test]
    fn a_cancellation_replaces_the_entry() {
        let mut e = event();
        e.cancelled = true;
        e.sequence = 2;
        let ics = e.to_ics();
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("UID:abc@lotse\r\n"));
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let mut e = event();
        e.description = "Übersetzung für die Familie – ".repeat(10) + "نعم";
        let ics = e.to_ics();
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        // Unfolded, the text is whole again.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", text(&e.description))));
    }

    #[test]
    fn control_characters_do_not_break_the_file() {
        let mut e = event();
        e.summary = "A\u{7}B\r\nC".into();
        assert!(e.to_ics().contains("SUMMARY:AB\\nC\r\n"));
    }
}
