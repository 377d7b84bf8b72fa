//! The interpreter pool (Sprachmittlerpool) of the KI: who may ask for an interpreter and when,
//! who is proposed, and what an assignment pays (decision 0017).
//!
//! The pool is publicly funded and small, so its rules are strict and each has a name: a refused
//! request says which rule refused it, in the API (`error`) and in a sentence on the form.

use crate::Date;
use crate::offer::DELIVERY_LANGUAGES;
use crate::validation::{self, FieldErrors};
use crate::working_days;

vocabulary! {
    /// Where the interpreter is needed, as the requester says.
    Setting {
        School => "school", "Schule";
        Authority => "authority", "Behörde";
        Institution => "institution", "Einrichtung";
        WelfareAssociation => "welfare_association", "Wohlfahrtsverband";
        Private => "private", "Privatperson";
        Police => "police", "Polizei";
        Court => "court", "Gericht";
        Medical => "medical", "medizinischer Termin";
    }
}

impl Setting {
    /// The settings the pool never serves (private persons; police, courts and medical settings,
    /// where the law asks for sworn or professional interpreters).
    pub fn excluded(self) -> bool {
        matches!(
            self,
            Setting::Private | Setting::Police | Setting::Court | Setting::Medical
        )
    }
}

vocabulary! {
    /// What a school needs the interpreter for: the pool serves schools at parent meetings and
    /// information evenings only.
    SchoolOccasion {
        ParentMeeting => "parent_meeting", "Elterngespräch";
        InformationEvening => "information_evening", "Informationsabend";
        Other => "other", "anderer Anlass (z. B. Unterricht, Förderdiagnostik)";
    }
}

vocabulary! {
    /// Where a request stands.
    RequestStatus {
        Submitted => "submitted", "eingegangen";
        Approved => "approved", "freigegeben, wird vermittelt";
        Rejected => "rejected", "abgelehnt";
        Assigned => "assigned", "vermittelt";
        Completed => "completed", "durchgeführt";
        Cancelled => "cancelled", "storniert";
        Unmet => "unmet", "nicht vermittelbar";
    }
}

impl RequestStatus {
    /// Still waiting for something to happen: what the coordination's inbox counts.
    pub fn open(self) -> bool {
        matches!(
            self,
            RequestStatus::Submitted | RequestStatus::Approved | RequestStatus::Assigned
        )
    }

    /// The requester may still call it off.
    pub fn cancellable(self) -> bool {
        self.open()
    }
}

/// How many working days ahead a request must come.
pub const LEAD_WORKING_DAYS: u32 = 5;

/// Minutes kept free between two assignments of one interpreter, to travel inside the district.
pub const TRAVEL_MINUTES: i64 = 30;

pub const MIN_DURATION: u16 = 15;
pub const MAX_DURATION: u16 = 480;

/// A rule of the pool that refused a request. The order of [`PoolRule::ALL`] is the order they
/// are checked in: what the pool never serves first, the lead time last (an earlier day would not
/// help the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolRule {
    ExcludedSetting,
    Recurring,
    WrittenTranslation,
    LongCounselling,
    SchoolOccasion,
    OutsideDistrict,
    LeadTime,
}

impl PoolRule {
    pub const ALL: [PoolRule; 7] = [
        PoolRule::ExcludedSetting,
        PoolRule::Recurring,
        PoolRule::WrittenTranslation,
        PoolRule::LongCounselling,
        PoolRule::SchoolOccasion,
        PoolRule::OutsideDistrict,
        PoolRule::LeadTime,
    ];

    /// The stable code the API answers with.
    pub fn code(self) -> &'static str {
        match self {
            PoolRule::ExcludedSetting => "excluded_setting",
            PoolRule::Recurring => "recurring",
            PoolRule::WrittenTranslation => "written_translation",
            PoolRule::LongCounselling => "long_counselling",
            PoolRule::SchoolOccasion => "school_occasion",
            PoolRule::OutsideDistrict => "outside_district",
            PoolRule::LeadTime => "lead_time",
        }
    }

    /// The form field the rule is about.
    pub fn field(self) -> &'static str {
        match self {
            PoolRule::ExcludedSetting => "setting",
            PoolRule::Recurring => "recurring",
            PoolRule::WrittenTranslation => "written",
            PoolRule::LongCounselling => "long_counselling",
            PoolRule::SchoolOccasion => "occasion",
            PoolRule::OutsideDistrict => "town",
            PoolRule::LeadTime => "date",
        }
    }

    /// The rule as the pool's terms of use state it (Kreis Warendorf, "Hinweise zur Nutzung").
    pub fn rule(self) -> &'static str {
        match self {
            PoolRule::ExcludedSetting => {
                "Der Sprachmittlerpool ist nicht für Privatpersonen und nicht für Termine bei Polizei, Gerichten oder im medizinischen Bereich da."
            }
            PoolRule::Recurring => {
                "Der Sprachmittlerpool vermittelt keine regelmäßig wiederkehrenden Termine."
            }
            PoolRule::WrittenTranslation => {
                "Der Sprachmittlerpool dolmetscht nur mündlich; schriftliche Übersetzungen sind Sache der anfragenden Einrichtung."
            }
            PoolRule::LongCounselling => {
                "Der Sprachmittlerpool begleitet keine längerfristigen Beratungsprozesse."
            }
            PoolRule::SchoolOccasion => {
                "Schulen erhalten Sprachmittlung nur für Elterngespräche und Informationsabende."
            }
            PoolRule::OutsideDistrict => {
                "Der Sprachmittlerpool vermittelt nur Einsätze im Kreis Warendorf."
            }
            PoolRule::LeadTime => {
                "Anfragen müssen mindestens fünf Werktage vor dem Termin eingehen (Wochenenden und Feiertage in NRW zählen nicht)."
            }
        }
    }
}

/// A refused request: a rule of the pool, or fields that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The pool does not serve this request; `message` says why, naming the rule.
    Rule {
        rule: PoolRule,
        message: String,
    },
    Invalid(FieldErrors),
}

impl Refusal {
    /// The refusal as field errors, for a form that shows each message at its field.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            Refusal::Rule { rule, message } => {
                let mut e = FieldErrors::new();
                e.add(rule.field(), message.clone());
                e
            }
            Refusal::Invalid(e) => e.clone(),
        }
    }
}

/// A request as typed: the form's fields and the API's JSON, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInput {
    pub language: String,
    pub dialect: String,
    pub date: String,
    pub start: String,
    pub duration_minutes: String,
    pub town: String,
    pub setting: String,
    pub occasion: String,
    pub recurring: bool,
    pub written: bool,
    pub long_counselling: bool,
    pub place: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub note: String,
}

/// A request that the pool serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDraft {
    pub language: &'static str,
    pub dialect: String,
    pub slot: Slot,
    pub town_ags: &'static str,
    pub setting: Setting,
    pub occasion: Option<SchoolOccasion>,
    pub place: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub note: String,
}

/// The languages the pool can be asked for: the directory's languages but German.
pub fn languages() -> impl Iterator<Item = (&'static str, &'static str)> {
    DELIVERY_LANGUAGES
        .iter()
        .filter(|(code, _, _)| *code != "de")
        .map(|(code, name, _)| (*code, *name))
}

/// A language of the pool by ISO 639-1 code or German name.
pub fn parse_language(text: &str) -> Option<&'static str> {
    crate::offer::parse_delivery_language(text).filter(|c| *c != "de")
}

/// `HH:MM` (also `H:MM` and `HH.MM`) as minutes after midnight.
pub fn parse_time(text: &str) -> Option<u16> {
    let t = text.trim();
    let (h, m) = t.split_once(':').or_else(|| t.split_once('.'))?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Minutes after midnight as `HH:MM`.
pub fn time_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl RequestInput {
    /// Checks the request against the pool's rules on `today` (the day in the district) and
    /// reads its fields. `towns` are the district's towns by key, as the reference data names
    /// them.
    pub fn validate(
        &self,
        today: Date,
        towns: &[(String, String)],
    ) -> Result<RequestDraft, Refusal> {
        let mut e = FieldErrors::new();
        let language = match self.language.trim() {
            "" => {
                e.add("language", "Bitte die Sprache angeben.");
                None
            }
            t => {
                let l = parse_language(t);
                if l.is_none() {
                    e.add(
                        "language",
                        format!("„{t}“ ist keine Sprache des Pools (ISO-639-1-Kürzel wie „ar“ oder der deutsche Name)."),
                    );
                }
                l
            }
        };
        let dialect = validation::optional_text(&mut e, "dialect", &self.dialect, 80);
        let date = match self.date.trim() {
            "" => {
                e.add("date", "Bitte den Tag des Termins angeben (TT.MM.JJJJ).");
                None
            }
            t => {
                let d = Date::parse(t);
                if d.is_none() {
                    e.add("date", format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
                }
                d
            }
        };
        let start = match self.start.trim() {
            "" => {
                e.add("start", "Bitte die Uhrzeit angeben (HH:MM).");
                None
            }
            t => {
                let s = parse_time(t);
                if s.is_none() {
                    e.add(
                        "start",
                        format!("„{t}“ ist keine Uhrzeit (HH:MM, z. B. 14:30)."),
                    );
                }
                s
            }
        };
        let duration = match self.duration_minutes.trim().parse::<u16>() {
            Ok(n) if (MIN_DURATION..=MAX_DURATION).contains(&n) => Some(n),
            _ => {
                e.add(
                    "duration_minutes",
                    format!("Die Dauer in Minuten, von {MIN_DURATION} bis {MAX_DURATION}."),
                );
                None
            }
        };
        if let (Some(s), Some(d)) = (start, duration)
            && s + d > 24 * 60
        {
            e.add("duration_minutes", "Der Termin muss am selben Tag enden.");
        }
        let town_text = self.town.trim();
        let town = crate::town::town_named(towns, town_text).map(|t| t.ags);
        let setting = match self.setting.trim() {
            "" => {
                e.add(
                    "setting",
                    "Bitte angeben, wofür die Sprachmittlung gebraucht wird.",
                );
                None
            }
            t => {
                let s = Setting::parse(t);
                if s.is_none() {
                    e.add(
                        "setting",
                        format!(
                            "„{t}“ ist kein bekannter Einsatzbereich; bekannt: {}.",
                            Setting::ALL
                                .iter()
                                .map(|s| s.key())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                s
            }
        };
        let occasion = match self.occasion.trim() {
            "" => None,
            t => {
                let o = SchoolOccasion::parse(t);
                if o.is_none() {
                    e.add(
                        "occasion",
                        format!("„{t}“ ist kein bekannter Anlass; bekannt: parent_meeting, information_evening, other."),
                    );
                }
                o
            }
        };
        let place = validation::optional_text(&mut e, "place", &self.place, 200);
        let contact_name =
            validation::optional_text(&mut e, "contact_name", &self.contact_name, 120);
        let contact_phone =
            validation::optional_text(&mut e, "contact_phone", &self.contact_phone, 40);
        let contact_email =
            validation::optional_email(&mut e, "contact_email", &self.contact_email);
        let note = validation::optional_multiline(&mut e, "note", &self.note, 2000);

        // The pool's rules, in their order, on what could be read.
        let earliest = earliest_day(today);
        let broken = PoolRule::ALL.into_iter().find(|rule| match rule {
            PoolRule::ExcludedSetting => setting.is_some_and(Setting::excluded),
            PoolRule::Recurring => self.recurring,
            PoolRule::WrittenTranslation => self.written,
            PoolRule::LongCounselling => self.long_counselling,
            PoolRule::SchoolOccasion => {
                setting == Some(Setting::School) && occasion == Some(SchoolOccasion::Other)
            }
            PoolRule::OutsideDistrict => !town_text.is_empty() && town.is_none(),
            PoolRule::LeadTime => match (date, earliest) {
                (Some(d), Some(earliest)) => d < earliest,
                _ => false,
            },
        });
        if let Some(rule) = broken {
            let message = match rule {
                PoolRule::LeadTime => format!(
                    "{} Frühestmöglicher Termin für eine heutige Anfrage: {}.",
                    rule.rule(),
                    earliest.map(Date::german).unwrap_or_default()
                ),
                PoolRule::OutsideDistrict => format!(
                    "„{town_text}“ liegt nicht im Kreis Warendorf. {}",
                    rule.rule()
                ),
                PoolRule::ExcludedSetting => format!(
                    "{}: {}",
                    setting.map(Setting::label).unwrap_or_default(),
                    rule.rule()
                ),
                _ => rule.rule().to_owned(),
            };
            return Err(Refusal::Rule { rule, message });
        }
        if town_text.is_empty() {
            e.add(
                "town",
                "Bitte den Ort des Einsatzes angeben (eine der 13 Städte und Gemeinden).",
            );
        }
        match (language, date, start, duration, town, setting) {
            (
                Some(language),
                Some(date),
                Some(start),
                Some(duration),
                Some(town_ags),
                Some(setting),
            ) if e.is_empty() => Ok(RequestDraft {
                language,
                dialect,
                slot: Slot {
                    date,
                    start_minute: start,
                    duration_minutes: duration,
                },
                town_ags,
                setting,
                occasion: if setting == Setting::School {
                    occasion
                } else {
                    None
                },
                place,
                contact_name,
                contact_phone,
                contact_email,
                note,
            }),
            _ => Err(Refusal::Invalid(e)),
        }
    }
}

/// The first day a request made on `today` may ask for.
pub fn earliest_day(today: Date) -> Option<Date> {
    working_days::add_working_days(today, LEAD_WORKING_DAYS)
}

/// When an assignment takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    pub date: Date,
    /// Minutes after midnight, local time in the district.
    pub start_minute: u16,
    pub duration_minutes: u16,
}

impl Slot {
    /// A slot as the database keeps it (minutes as integers); a value out of range, which the
    /// checks on the way in prevent, reads as 0.
    pub fn stored(date: Date, start_minute: i64, duration_minutes: i64) -> Slot {
        Slot {
            date,
            start_minute: u16::try_from(start_minute).unwrap_or(0),
            duration_minutes: u16::try_from(duration_minutes).unwrap_or(0),
        }
    }

    fn start(self) -> i64 {
        self.date.day_number() * 24 * 60 + i64::from(self.start_minute)
    }

    fn end(self) -> i64 {
        self.start() + i64::from(self.duration_minutes)
    }

    pub fn end_minute(self) -> u16 {
        self.start_minute + self.duration_minutes
    }

    /// Whether one interpreter could not take both: they overlap, or leave less than
    /// [`TRAVEL_MINUTES`] between them.
    pub fn clashes_with(self, other: Slot) -> bool {
        self.start() < other.end() + TRAVEL_MINUTES && other.start() < self.end() + TRAVEL_MINUTES
    }

    /// Whether the two overlap at all (one person cannot be in both).
    pub fn overlaps(self, other: Slot) -> bool {
        self.start() < other.end() && other.start() < self.end()
    }

    /// "Mo, 14.12.2026, 14:30–15:30 Uhr".
    pub fn german(self) -> String {
        format!(
            "{}, {}, {}–{} Uhr",
            WEEKDAYS[usize::from(working_days::weekday(self.date))],
            self.date.german(),
            time_text(self.start_minute),
            time_text(self.end_minute())
        )
    }
}

/// What matching knows of one interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub pledge_signed: bool,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// Town keys served; empty: the whole district.
    pub towns: Vec<String>,
    /// Weekdays available, Monday = index 0.
    pub weekdays: [bool; 7],
    /// The daily window of availability, minutes after midnight.
    pub available_from: u16,
    pub available_until: u16,
    /// Assignments already held (assigned, not yet done or called off).
    pub booked: Vec<Slot>,
    /// Assignments in the last 90 days, and their minutes: the fair-distribution measure.
    pub recent_assignments: u32,
    pub recent_minutes: u32,
}

/// Why an interpreter is not proposed; `None` in [`Candidate::fits`] means they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotProposed {
    Inactive,
    NoPledge,
    Language,
    Town,
    NotAvailable,
    Booked,
}

impl NotProposed {
    pub fn label(self) -> &'static str {
        match self {
            NotProposed::Inactive => "nicht aktiv",
            NotProposed::NoPledge => "Verschwiegenheitserklärung fehlt",
            NotProposed::Language => "spricht die Sprache nicht",
            NotProposed::Town => "nicht in diesem Ort tätig",
            NotProposed::NotAvailable => "zu dieser Zeit nicht verfügbar",
            NotProposed::Booked => "zu dieser Zeit schon eingesetzt",
        }
    }
}

impl Candidate {
    /// Whether the interpreter can take the request, and if not, the first reason why not.
    pub fn fits(&self, language: &str, town_ags: &str, slot: Slot) -> Result<(), NotProposed> {
        if !self.active {
            return Err(NotProposed::Inactive);
        }
        if !self.pledge_signed {
            return Err(NotProposed::NoPledge);
        }
        if !self.languages.iter().any(|l| l == language) {
            return Err(NotProposed::Language);
        }
        if !self.towns.is_empty() && !self.towns.iter().any(|t| t == town_ags) {
            return Err(NotProposed::Town);
        }
        let day = usize::from(working_days::weekday(slot.date));
        if !self.weekdays[day]
            || slot.start_minute < self.available_from
            || slot.end_minute() > self.available_until
        {
            return Err(NotProposed::NotAvailable);
        }
        if self.booked.iter().any(|b| b.clashes_with(slot)) {
            return Err(NotProposed::Booked);
        }
        Ok(())
    }
}

/// The interpreters who can take a request, fairest first: fewest assignments in the last 90
/// days, then fewest minutes, then by name.
pub fn propose<'a>(
    language: &str,
    town_ags: &str,
    slot: Slot,
    candidates: &'a [Candidate],
) -> Vec<&'a Candidate> {
    let mut fitting: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.fits(language, town_ags, slot).is_ok())
        .collect();
    fitting.sort_by(|a, b| {
        (a.recent_assignments, a.recent_minutes)
            .cmp(&(b.recent_assignments, b.recent_minutes))
            .then_with(|| {
                crate::collation::sort_key(&a.name).cmp(&crate::collation::sort_key(&b.name))
            })
    });
    fitting
}

vocabulary! {
    /// How well an interpreter speaks German (the pool asks for B2 at least).
    GermanLevel {
        B2 => "b2", "B2";
        C1 => "c1", "C1";
        C2 => "c2", "C2";
        Native => "native", "Muttersprache";
    }
}

/// The weekdays' short German names, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

/// An interpreter of the pool as typed in the coordination's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterpreterInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// ISO codes or German names, separated by commas or chosen in a list.
    pub languages: Vec<String>,
    pub dialects: String,
    pub level: String,
    pub training: String,
    /// Town keys; none: the whole district.
    pub towns: Vec<String>,
    pub weekdays: [bool; 7],
    pub available_from: String,
    pub available_until: String,
    pub pledge_signed_on: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpreterDraft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub languages: Vec<&'static str>,
    pub dialects: String,
    pub level: GermanLevel,
    pub training: String,
    pub towns: Vec<&'static str>,
    pub weekdays: [bool; 7],
    pub available_from: u16,
    pub available_until: u16,
    pub pledge_signed_on: Option<Date>,
    pub active: bool,
}

/// `[true, …]` as "1111100", the stored form.
pub fn weekdays_text(days: [bool; 7]) -> String {
    days.iter().map(|d| if *d { '1' } else { '0' }).collect()
}

/// The stored form back; anything unreadable is no day.
pub fn weekdays_of(text: &str) -> [bool; 7] {
    let mut days = [false; 7];
    for (i, c) in text.chars().take(7).enumerate() {
        days[i] = c == '1';
    }
    days
}

impl InterpreterInput {
    pub fn validate(&self, today: Date) -> Result<InterpreterDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = validation::required_text(&mut e, "name", &self.name, 120);
        let email = validation::optional_email(&mut e, "email", &self.email);
        let phone = validation::optional_text(&mut e, "phone", &self.phone, 40);
        let mut languages = Vec::new();
        for text in self.languages.iter().flat_map(|l| l.split(',')) {
            let t = text.trim();
            if t.is_empty() {
                continue;
            }
            match parse_language(t) {
                Some(l) if !languages.contains(&l) => languages.push(l),
                Some(_) => {}
                None => e.add("languages", format!("„{t}“ ist keine Sprache des Pools.")),
            }
        }
        if languages.is_empty() && !e.has("languages") {
            e.add("languages", "Bitte mindestens eine Sprache angeben.");
        }
        let dialects = validation::optional_text(&mut e, "dialects", &self.dialects, 200);
        let level = GermanLevel::parse(&self.level);
        if level.is_none() {
            e.add(
                "level",
                "Bitte das Deutschniveau angeben (B2, C1, C2 oder Muttersprache).",
            );
        }
        let training = validation::optional_text(&mut e, "training", &self.training, 200);
        let mut towns = Vec::new();
        for t in &self.towns {
            match crate::town::town_place(t.trim()) {
                Some(place) if !towns.contains(&place.ags) => towns.push(place.ags),
                Some(_) => {}
                None => e.add(
                    "towns",
                    format!("„{t}“ ist keine Stadt oder Gemeinde des Kreises."),
                ),
            }
        }
        let from = parse_time(&self.available_from);
        let until = parse_time(&self.available_until);
        match (from, until) {
            (None, _) => e.add("available_from", "Eine Uhrzeit (HH:MM)."),
            (_, None) => e.add("available_until", "Eine Uhrzeit (HH:MM)."),
            (Some(f), Some(u)) if f >= u => {
                e.add("available_until", "Das Ende muss nach dem Beginn liegen.")
            }
            _ => {}
        }
        if !self.weekdays.iter().any(|d| *d) {
            e.add("weekdays", "Bitte mindestens einen Wochentag angeben.");
        }
        let pledge_signed_on =
            validation::optional_date(&mut e, "pledge_signed_on", &self.pledge_signed_on);
        if pledge_signed_on.is_some_and(|d| d > today) {
            e.add(
                "pledge_signed_on",
                "Die Verschwiegenheitserklärung kann nicht in der Zukunft unterschrieben sein.",
            );
        }
        e.into_result(())?;
        Ok(InterpreterDraft {
            name,
            email,
            phone,
            languages,
            dialects,
            level: level.unwrap_or(GermanLevel::B2),
            training,
            towns,
            weekdays: self.weekdays,
            available_from: from.unwrap_or(0),
            available_until: until.unwrap_or(0),
            pledge_signed_on,
            active: self.active,
        })
    }
}

/// What the pool pays per assignment; kept as settings by the coordination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    /// Paid for an assignment up to `base_minutes`.
    pub base_cents: i64,
    pub base_minutes: i64,
    /// Paid for each started hour beyond `base_minutes`.
    pub extra_hour_cents: i64,
    /// Paid per kilometre travelled (there and back).
    pub km_cents: i64,
}

impl Default for Rates {
    /// €25 for up to two hours, €10 per further started hour, €0.30 per kilometre (what NRW
    /// pools pay, see ../shared/design/domain-facts.md §6).
    fn default() -> Self {
        Rates {
            base_cents: 2500,
            base_minutes: 120,
            extra_hour_cents: 1000,
            km_cents: 30,
        }
    }
}

impl Rates {
    /// The allowance for an assignment of `minutes` with `km` kilometres travelled.
    pub fn allowance_cents(self, minutes: i64, km: i64) -> i64 {
        let extra = (minutes - self.base_minutes).max(0);
        let extra_hours = (extra + 59) / 60;
        self.base_cents + extra_hours * self.extra_hour_cents + km.max(0) * self.km_cents
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Date {
        Date::iso(text).unwrap()
    }

    fn towns() -> Vec<(String, String)> {
        vec![
            ("05570004".into(), "Ahlen".into()),
            ("05570052".into(), "Warendorf".into()),
        ]
    }

    fn input(date: &str) -> RequestInput {
        RequestInput {
            language: "ar".into(),
            date: date.into(),
            start: "14:00".into(),
            duration_minutes: "60".into(),
            town: "Ahlen".into(),
            setting: "school".into(),
            ..RequestInput::default()
        }
    }

    fn rule_of(r: Result<RequestDraft, Refusal>) -> Option<&'static str> {
        match r {
            Err(Refusal::Rule { rule, .. }) => Some(rule.code()),
            _ => None,
        }
    }

    #[test]
    fn a_request_five_working_days_ahead_is_taken() {
        // Tuesday 1 December → Tuesday 8 December is the fifth working day.
        let today = d("2026-12-01");
        let draft = input("2026-12-08").validate(today, &towns()).unwrap();
        assert_eq!(draft.town_ags, "05570004");
        assert_eq!(draft.slot.start_minute, 14 * 60);
        assert_eq!(
            rule_of(input("2026-12-07").validate(today, &towns())),
            Some("lead_time")
        );
        // German dates are read too.
        assert!(input("08.12.2026").validate(today, &towns()).is_ok());
    }

    #[test]
    fn the_lead_time_counts_working_days_over_christmas() {
        let today = d("2026-12-21");
        assert_eq!(
            rule_of(input("2026-12-28").validate(today, &towns())),
            Some("lead_time")
        );
        assert!(input("2026-12-29").validate(today, &towns()).is_ok());
        let Err(Refusal::Rule { message, .. }) = input("2026-12-22").validate(today, &towns())
        else {
            panic!("refused")
        };
        assert!(message.contains("29.12.2026"), "{message}");
    }

    #[test]
    fn each_rule_is_named() {
        let today = d("2026-12-01");
        let far = "2027-02-01";
        for (setting, code) in [
            ("private", "excluded_setting"),
            ("police", "excluded_setting"),
            ("court", "excluded_setting"),
            ("medical", "excluded_setting"),
        ] {
            let i = RequestInput {
                setting: setting.into(),
                ..input(far)
            };
            assert_eq!(
                rule_of(i.validate(today, &towns())),
                Some(code),
                "{setting}"
            );
        }
        let i = RequestInput {
            recurring: true,
            ..input(far)
        };
        assert_eq!(rule_of(i.validate(today, &towns())), Some("recurring"));
        let i = RequestInput {
            written: true,
            ..input(far)
        };
        assert_eq!(
            rule_of(i.validate(today, &towns())),
            Some("written_translation")
        );
        let i = RequestInput {
            long_counselling: true,
            ..input(far)
        };
        assert_eq!(
            rule_of(i.validate(today, &towns())),
            Some("long_counselling")
        );
        let i = RequestInput {
            occasion: "other".into(),
            ..input(far)
        };
        assert_eq!(
            rule_of(i.validate(today, &towns())),
            Some("school_occasion")
        );
        let i = RequestInput {
            town: "Münster".into(),
            ..input(far)
        };
        assert_eq!(
            rule_of(i.validate(today, &towns())),
            Some("outside_district")
        );
        // The pool's exclusions come before the lead time.
        let i = RequestInput {
            recurring: true,
            ..input("2026-12-02")
        };
        assert_eq!(rule_of(i.validate(today, &towns())), Some("recurring"));
        for setting in ["authority", "institution", "welfare_association"] {
            let i = RequestInput {
                setting: setting.into(),
                ..input(far)
            };
            assert!(i.validate(today, &towns()).is_ok(), "{setting}");
        }
    }

    #[test]
    fn unreadable_fields_are_named() {
        let i = RequestInput {
            language: "xx".into(),
            date: "31.02.2027".into(),
            start: "25:00".into(),
            duration_minutes: "0".into(),
            setting: "space".into(),
            ..RequestInput::default()
        };
        let Err(Refusal::Invalid(e)) = i.validate(d("2026-12-01"), &towns()) else {
            panic!("invalid")
        };
        for field in [
            "language",
            "date",
            "start",
            "duration_minutes",
            "setting",
            "town",
        ] {
            assert!(e.has(field), "{field}: {e:?}");
        }
        // German language names and AGS keys are read.
        let i = RequestInput {
            language: "Arabisch".into(),
            town: "05570052".into(),
            ..input("2027-02-01")
        };
        let draft = i.validate(d("2026-12-01"), &towns()).unwrap();
        assert_eq!((draft.language, draft.town_ags), ("ar", "05570052"));
    }

    #[test]
    fn allowance_follows_the_rates() {
        let r = Rates::default();
        assert_eq!(r.allowance_cents(60, 0), 2500);
        assert_eq!(r.allowance_cents(120, 0), 2500);
        assert_eq!(r.allowance_cents(121, 0), 3500);
        assert_eq!(r.allowance_cents(240, 20), 2500 + 2000 + 600);
    }

    fn candidate(id: &str, booked: Vec<Slot>, recent: u32) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.into(),
            active: true,
            pledge_signed: true,
            languages: vec!["ar".into()],
            towns: vec![],
            weekdays: [true; 7],
            available_from: 8 * 60,
            available_until: 20 * 60,
            booked,
            recent_assignments: recent,
            recent_minutes: recent * 60,
        }
    }

    #[test]
    fn matching_proposes_the_least_used_free_interpreter_first() {
        let slot = Slot {
            date: d("2027-02-01"),
            start_minute: 600,
            duration_minutes: 60,
        };
        let busy = Slot {
            date: d("2027-02-01"),
            start_minute: 680,
            duration_minutes: 60,
        };
        let after_travel = Slot {
            start_minute: 690,
            ..busy
        };
        let cs = vec![
            candidate("a", vec![], 3),
            candidate("b", vec![], 1),
            candidate("c", vec![busy], 0),
        ];
        let ids: Vec<&str> = propose("ar", "05570004", slot, &cs)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        // c's assignment starts 20 minutes after this one ends: too close to travel there.
        assert_eq!(ids, ["b", "a"]);
        // Thirty minutes are enough.
        assert!(!slot.clashes_with(after_travel));
        assert_eq!(cs[2].fits("ar", "05570004", slot), Err(NotProposed::Booked));
        assert_eq!(
            cs[0].fits("tr", "05570004", slot),
            Err(NotProposed::Language)
        );
    }

    fn slot_strategy() -> impl Strategy<Value = Slot> {
        (0i64..6, 6u16..20, 0u16..4, 1u16..16).prop_map(|(day, hour, quarter, quarters)| Slot {
            date: d("2027-02-01").add_days(day).unwrap(),
            start_minute: hour * 60 + quarter * 15,
            duration_minutes: quarters * 15,
        })
    }

    proptest! {
        /// Assigning every request to the first proposed interpreter, in any order of requests,
        /// never gives anyone two assignments that clash.
        #[test]
        fn matching_never_double_books(requests in proptest::collection::vec(slot_strategy(), 1..40), pool in 1usize..5) {
            let mut cs: Vec<Candidate> = (0..pool).map(|i| candidate(&format!("i{i}"), vec![], 0)).collect();
            for slot in requests {
                let chosen = propose("ar", "05570004", slot, &cs).first().map(|c| c.id.clone());
                if let Some(id) = chosen {
                    let c = cs.iter_mut().find(|c| c.id == id).unwrap();
                    c.booked.push(slot);
                    c.recent_assignments += 1;
                }
            }
            for c in &cs {
                for (i, a) in c.booked.iter().enumerate() {
                    for b in &c.booked[i + 1..] {
                        prop_assert!(!a.clashes_with(*b), "{} holds {a:?} and {b:?}", c.id);
                    }
                }
            }
        }
    }
}
