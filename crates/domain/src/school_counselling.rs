//! The KI's first school counselling (Schulische Erstberatung) for newly arrived families
//! (decision 0018): who is registered, which site counsels them, and where each child stands on
//! the way to a school place.
//!
//! A registration is a family (one contact, a town, a language) with one or more children; each
//! child moves through [`ChildStatus`] on its own, and every step keeps the day it happened, so
//! that the waiting times (arrival → counselling → placement) can be counted.

use crate::Date;
use crate::town::TownPlace;
use crate::validation::{self, FieldErrors};

/// Where a child stands. The order is the way to a school place; `Withdrawn` ends it early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChildStatus {
    /// Registered (by an authority, a town, or the family itself).
    Reported,
    /// The KI invited the family to a counselling appointment.
    Invited,
    /// An appointment is booked.
    Appointment,
    /// Counselled: a recommendation of school form and year exists.
    Counselled,
    /// The recommendation went to the school authority (Schulamt or Bezirksregierung).
    Transmitted,
    /// The school authority assigned a school.
    Assigned,
    /// The school confirmed that the child started.
    SchoolStarted,
    /// No longer waiting: moved away, a place found elsewhere, registered twice.
    Withdrawn,
}

impl ChildStatus {
    pub const ALL: [ChildStatus; 8] = [
        ChildStatus::Reported,
        ChildStatus::Invited,
        ChildStatus::Appointment,
        ChildStatus::Counselled,
        ChildStatus::Transmitted,
        ChildStatus::Assigned,
        ChildStatus::SchoolStarted,
        ChildStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ChildStatus::Reported => "reported",
            ChildStatus::Invited => "invited",
            ChildStatus::Appointment => "appointment",
            ChildStatus::Counselled => "counselled",
            ChildStatus::Transmitted => "transmitted",
            ChildStatus::Assigned => "assigned",
            ChildStatus::SchoolStarted => "school_started",
            ChildStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<ChildStatus> {
        ChildStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChildStatus::Reported => "gemeldet",
            ChildStatus::Invited => "eingeladen",
            ChildStatus::Appointment => "Termin",
            ChildStatus::Counselled => "beraten",
            ChildStatus::Transmitted => "übermittelt",
            ChildStatus::Assigned => "zugewiesen",
            ChildStatus::SchoolStarted => "Schulantritt bestätigt",
            ChildStatus::Withdrawn => "abgemeldet",
        }
    }

    /// The button that moves a child here.
    pub fn action(self) -> &'static str {
        match self {
            ChildStatus::Reported => "als gemeldet führen",
            ChildStatus::Invited => "Einladung vermerken",
            ChildStatus::Appointment => "Termin vermerken",
            ChildStatus::Counselled => "Beratung vermerken",
            ChildStatus::Transmitted => "Übermittlung an die Schulaufsicht vermerken",
            ChildStatus::Assigned => "Schulzuweisung vermerken",
            ChildStatus::SchoolStarted => "Schulantritt bestätigen",
            ChildStatus::Withdrawn => "abmelden",
        }
    }

    /// Whether the way has ended (a school place, or no longer waiting).
    pub fn is_final(self) -> bool {
        matches!(self, ChildStatus::SchoolStarted | ChildStatus::Withdrawn)
    }

    /// Where a child in this status may go: the next step; back to "invited" from a booked
    /// appointment (rescheduled, or the family did not come); out, from anywhere not final.
    pub fn next(self) -> Vec<ChildStatus> {
        use ChildStatus::*;
        let mut next = match self {
            Reported => vec![Invited],
            Invited => vec![Appointment],
            Appointment => vec![Counselled, Invited],
            Counselled => vec![Transmitted],
            Transmitted => vec![Assigned],
            Assigned => vec![SchoolStarted],
            SchoolStarted | Withdrawn => vec![],
        };
        if !self.is_final() {
            next.push(Withdrawn);
        }
        next
    }

    pub fn may_become(self, to: ChildStatus) -> bool {
        self.next().contains(&to)
    }

    /// Still waiting for a school place (the start page's and the waiting times' children).
    pub fn is_waiting(self) -> bool {
        self < ChildStatus::Assigned
    }
}

/// Who registered the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The registration office (Einwohnermeldeamt) of a town.
    RegistrationOffice,
    /// The school administration or the school authority.
    SchoolAuthority,
    /// A town's social or refugee office.
    Town,
    /// A counselling service or welfare association.
    CounsellingService,
    /// A school.
    School,
    /// The family, through the public form.
    Family,
    Other,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::RegistrationOffice,
        Source::SchoolAuthority,
        Source::Town,
        Source::CounsellingService,
        Source::School,
        Source::Family,
        Source::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Source::RegistrationOffice => "registration_office",
            Source::SchoolAuthority => "school_authority",
            Source::Town => "town",
            Source::CounsellingService => "counselling_service",
            Source::School => "school",
            Source::Family => "family",
            Source::Other => "other",
        }
    }

    pub fn parse(key: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::RegistrationOffice => "Einwohnermeldeamt",
            Source::SchoolAuthority => "Schulverwaltung / Schulamt",
            Source::Town => "Stadt / Gemeinde (Sozial-, Flüchtlingsamt)",
            Source::CounsellingService => "Beratungsstelle / Wohlfahrtsverband",
            Source::School => "Schule",
            Source::Family => "Familie (Online-Formular)",
            Source::Other => "andere",
        }
    }
}

/// The youngest and oldest age (on the day of registration) the counselling is for: from the
/// year before school starts to the end of the Berufskolleg age.
pub const YOUNGEST: u16 = 5;
pub const OLDEST: u16 = 21;
/// Children on one registration: a family, not a class list.
pub const MOST_CHILDREN: usize = 8;
pub const LONGEST_NAME: usize = 120;
pub const LONGEST_NOTE: usize = 2_000;
/// How far back an arrival date may lie: the counselling is for the newly arrived.
pub const ARRIVAL_YEARS_BACK: u16 = 5;

/// One child as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildInput {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    /// Years of school attended before (in any country), as typed.
    pub schooling_years: String,
}

impl ChildInput {
    fn is_blank(&self) -> bool {
        self.first_name.trim().is_empty()
            && self.last_name.trim().is_empty()
            && self.birth_date.trim().is_empty()
            && self.schooling_years.trim().is_empty()
    }
}

/// A registration as typed: the staff form, the public form and the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationInput {
    pub guardian_name: String,
    pub phone: String,
    pub email: String,
    /// A town of the district: key, name, village or postcode.
    pub town: String,
    pub address: String,
    pub language: String,
    pub interpreter_needed: bool,
    pub arrival_date: String,
    pub source: String,
    pub note: String,
    pub children: Vec<ChildInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDraft {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Date,
    pub schooling_years: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationDraft {
    pub guardian_name: String,
    pub phone: String,
    pub email: String,
    pub town_ags: &'static str,
    pub address: String,
    pub language: &'static str,
    pub interpreter_needed: bool,
    pub arrival_date: Option<Date>,
    pub source: Source,
    pub note: String,
    pub children: Vec<ChildDraft>,
}

/// The field name of a child's field in forms and error lists: `child_birth_date_2` for the
/// second child (counted from 1, as the form shows them).
pub fn child_field(field: &str, row: usize) -> String {
    format!("child_{field}_{row}")
}

/// Age in full years on `day`.
pub fn age_on(birth: Date, day: Date) -> u16 {
    let before_birthday = (day.month(), day.day()) < (birth.month(), birth.day());
    day.year()
        .saturating_sub(birth.year())
        .saturating_sub(u16::from(before_birthday))
}

impl RegistrationInput {
    /// Checks a registration made on `today`. `towns` are the district's towns by key, as the
    /// reference data names them. `public`: the family typed it (the source is the family, and
    /// an arrival date is asked but not required: a family may not know the day).
    pub fn validate(
        &self,
        today: Date,
        towns: &[(String, String)],
        public: bool,
    ) -> Result<RegistrationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let guardian_name =
            validation::required_text(&mut e, "guardian_name", &self.guardian_name, LONGEST_NAME);
        let phone = validation::optional_text(&mut e, "phone", &self.phone, 40);
        if !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
        {
            e.add(
                "phone",
                "Bitte nur Ziffern, Leerzeichen und + - / ( ) (z. B. 02382 12345).",
            );
        }
        let email = validation::optional_email(&mut e, "email", &self.email);
        if phone.is_empty() && email.is_empty() && !e.has("phone") && !e.has("email") {
            e.add(
                "phone",
                "Bitte eine Telefonnummer oder eine E-Mail-Adresse angeben, damit das KI einladen kann.",
            );
        }
        let town = match self.town.trim() {
            "" => {
                e.add("town", "Bitte den Wohnort im Kreis Warendorf angeben.");
                None
            }
            t => {
                let found = crate::town::town_named(towns, t);
                if found.is_none() {
                    e.add(
                        "town",
                        format!("„{t}“ ist keine Stadt oder Gemeinde im Kreis Warendorf."),
                    );
                }
                found.map(|p| p.ags)
            }
        };
        let address = validation::optional_text(&mut e, "address", &self.address, 200);
        let language = match self.language.trim() {
            "" => {
                e.add("language", "Bitte die Sprache der Familie angeben.");
                None
            }
            t => {
                let l = crate::offer::parse_delivery_language(t);
                if l.is_none() {
                    e.add(
                        "language",
                        format!("„{t}“ ist keine bekannte Sprache (ISO-Kürzel wie „ar“ oder der deutsche Name)."),
                    );
                }
                l
            }
        };
        let arrival_date = match self.arrival_date.trim() {
            "" if public => None,
            "" => {
                e.add(
                    "arrival_date",
                    "Bitte das Datum des Zuzugs angeben (TT.MM.JJJJ); ungefähr genügt.",
                );
                None
            }
            t => match Date::parse(t) {
                None => {
                    e.add(
                        "arrival_date",
                        format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."),
                    );
                    None
                }
                Some(d) if d > today => {
                    e.add(
                        "arrival_date",
                        "Der Zuzug kann nicht in der Zukunft liegen.",
                    );
                    None
                }
                Some(d) if today.years_back(ARRIVAL_YEARS_BACK).is_some_and(|b| d < b) => {
                    e.add(
                        "arrival_date",
                        format!(
                            "Die Erstberatung ist für Neuzugewanderte: der Zuzug liegt höchstens {ARRIVAL_YEARS_BACK} Jahre zurück."
                        ),
                    );
                    None
                }
                Some(d) => Some(d),
            },
        };
        let source = if public {
            Source::Family
        } else {
            match Source::parse(self.source.trim()) {
                Some(s) => s,
                None => {
                    e.add("source", "Bitte angeben, wer die Familie meldet.");
                    Source::Other
                }
            }
        };
        let note = validation::optional_multiline(&mut e, "note", &self.note, LONGEST_NOTE);
        let rows: Vec<(usize, &ChildInput)> = self
            .children
            .iter()
            .enumerate()
            .map(|(i, c)| (i + 1, c))
            .filter(|(_, c)| !c.is_blank())
            .collect();
        let mut children = Vec::new();
        if rows.is_empty() {
            e.add(
                &child_field("first_name", 1),
                "Bitte mindestens ein Kind mit Vorname, Nachname und Geburtsdatum angeben.",
            );
        } else if rows.len() > MOST_CHILDREN {
            e.add(
                &child_field("first_name", MOST_CHILDREN + 1),
                format!("Höchstens {MOST_CHILDREN} Kinder je Meldung; bitte weitere Kinder einzeln melden."),
            );
        }
        for (row, c) in rows.into_iter().take(MOST_CHILDREN) {
            if let Some(child) = c.validate(row, today, &mut e) {
                children.push(child);
            }
        }
        let draft = RegistrationDraft {
            guardian_name,
            phone,
            email,
            town_ags: town.unwrap_or(""),
            address,
            language: language.unwrap_or(""),
            interpreter_needed: self.interpreter_needed,
            arrival_date,
            source,
            note,
            children,
        };
        e.into_result(draft)
    }
}

impl ChildInput {
    /// Checks one child (row `row`, from 1); errors go to `e` under the row's field names.
    pub fn validate(&self, row: usize, today: Date, e: &mut FieldErrors) -> Option<ChildDraft> {
        let first_name = validation::required_text(
            e,
            &child_field("first_name", row),
            &self.first_name,
            LONGEST_NAME,
        );
        let last_name = validation::required_text(
            e,
            &child_field("last_name", row),
            &self.last_name,
            LONGEST_NAME,
        );
        let field = child_field("birth_date", row);
        let birth_date = match self.birth_date.trim() {
            "" => {
                e.add(
                    &field,
                    format!("Kind {row}: bitte das Geburtsdatum angeben (TT.MM.JJJJ)."),
                );
                None
            }
            t => match Date::parse(t) {
                None => {
                    e.add(
                        &field,
                        format!("Kind {row}: „{t}“ ist kein Datum (TT.MM.JJJJ)."),
                    );
                    None
                }
                Some(d) if d > today || !(YOUNGEST..=OLDEST).contains(&age_on(d, today)) => {
                    e.add(
                        &field,
                        format!(
                            "Kind {row}: die Erstberatung ist für Kinder und Jugendliche von {YOUNGEST} bis {OLDEST} Jahren."
                        ),
                    );
                    None
                }
                Some(d) => Some(d),
            },
        };
        let field = child_field("schooling_years", row);
        let schooling_years = match self.schooling_years.trim() {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(n) if n <= 15 => Some(n),
                _ => {
                    e.add(
                        &field,
                        format!("Kind {row}: die Schuljahre bisher als Zahl von 0 bis 15."),
                    );
                    None
                }
            },
        };
        Some(ChildDraft {
            first_name,
            last_name,
            birth_date: birth_date?,
            schooling_years,
        })
    }
}

/// The counselling site nearest to a town: where a family of that town is invited. `sites` are
/// the towns that hold a counselling site (reference data); the KI can move a family.
pub fn nearest_site<'a>(town: &TownPlace, sites: &[&'a TownPlace]) -> Option<&'a TownPlace> {
    sites.iter().copied().min_by(|a, b| {
        let da = crate::town::distance_km((town.lat, town.lon), (a.lat, a.lon));
        let db = crate::town::distance_km((town.lat, town.lon), (b.lat, b.lon));
        da.total_cmp(&db)
    })
}

/// Checks the day a step happened: not in the future, not before the step before it.
pub fn check_step_day(
    text: &str,
    today: Date,
    previous: Option<Date>,
) -> Result<Date, FieldErrors> {
    let mut e = FieldErrors::new();
    let day = match text.trim() {
        "" => Some(today),
        t => Date::parse(t).or_else(|| {
            e.add("on", format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
            None
        }),
    };
    if let Some(d) = day {
        if d > today {
            e.add("on", "Der Tag kann nicht in der Zukunft liegen.");
        } else if let Some(p) = previous.filter(|p| d < *p) {
            e.add(
                "on",
                format!("Der Tag liegt vor dem letzten Schritt ({}).", p.german()),
            );
        }
    }
    e.into_result(day.unwrap_or(today))
}

// ---------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppointmentStatus {
    Booked,
    /// The counselling took place.
    Held,
    /// The family did not come.
    Missed,
    Cancelled,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 4] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Held,
        AppointmentStatus::Missed,
        AppointmentStatus::Cancelled,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Held => "held",
            AppointmentStatus::Missed => "missed",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(key: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "gebucht",
            AppointmentStatus::Held => "fand statt",
            AppointmentStatus::Missed => "nicht erschienen",
            AppointmentStatus::Cancelled => "abgesagt",
        }
    }
}

/// The shortest and longest counselling appointment in minutes.
pub const SHORTEST_APPOINTMENT: u16 = 15;
pub const LONGEST_APPOINTMENT: u16 = 240;

/// An appointment as typed (booking and moving it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentInput {
    pub date: String,
    pub start: String,
    pub duration_minutes: String,
    /// The counsellor's account id; empty: not yet decided.
    pub counsellor: String,
    pub place: String,
    /// Ask the interpreter pool for this appointment.
    pub interpreter: bool,
    pub interpreter_language: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentDraft {
    pub slot: crate::interpreters::Slot,
    pub counsellor: Option<String>,
    pub place: String,
    /// The language to ask the pool for, when an interpreter is wanted.
    pub interpreter_language: Option<&'static str>,
}

impl AppointmentInput {
    /// Checks an appointment booked on `today`: a day from today on, a time, a sensible length.
    pub fn validate(&self, today: Date) -> Result<AppointmentDraft, FieldErrors> {
        use crate::interpreters::{Slot, parse_time};
        let mut e = FieldErrors::new();
        let date = match self.date.trim() {
            "" => {
                e.add("date", "Bitte den Tag des Termins angeben (TT.MM.JJJJ).");
                None
            }
            t => match Date::parse(t) {
                None => {
                    e.add("date", format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
                    None
                }
                Some(d) if d < today => {
                    e.add("date", "Der Termin kann nicht in der Vergangenheit liegen.");
                    None
                }
                Some(d) => Some(d),
            },
        };
        let start = match self.start.trim() {
            "" => {
                e.add("start", "Bitte die Uhrzeit angeben (HH:MM).");
                None
            }
            t => parse_time(t).or_else(|| {
                e.add(
                    "start",
                    format!("„{t}“ ist keine Uhrzeit (HH:MM, z. B. 09:30)."),
                );
                None
            }),
        };
        let duration = match self.duration_minutes.trim() {
            "" => Some(60),
            t => match t.parse::<u16>() {
                Ok(n) if (SHORTEST_APPOINTMENT..=LONGEST_APPOINTMENT).contains(&n) => Some(n),
                _ => {
                    e.add(
                        "duration_minutes",
                        format!(
                            "Die Dauer in Minuten, von {SHORTEST_APPOINTMENT} bis {LONGEST_APPOINTMENT}."
                        ),
                    );
                    None
                }
            },
        };
        if let (Some(s), Some(d)) = (start, duration)
            && s + d > 24 * 60
        {
            e.add("duration_minutes", "Der Termin muss am selben Tag enden.");
        }
        let place = validation::required_text(&mut e, "place", &self.place, 200);
        let counsellor = Some(self.counsellor.trim().to_owned()).filter(|c| !c.is_empty());
        let interpreter_language = if self.interpreter {
            match crate::interpreters::parse_language(self.interpreter_language.trim()) {
                Some(l) => Some(l),
                None => {
                    e.add(
                        "interpreter_language",
                        "Bitte die Sprache für die Sprachmittlung wählen (nicht Deutsch).",
                    );
                    None
                }
            }
        } else {
            None
        };
        let slot = Slot {
            date: date.unwrap_or(today),
            start_minute: start.unwrap_or(0),
            duration_minutes: duration.unwrap_or(60),
        };
        e.into_result(AppointmentDraft {
            slot,
            counsellor,
            place,
            interpreter_language,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The counselling record
// ---------------------------------------------------------------------------------------------

/// The purpose under which a school child's consent is kept in the district's consents.
pub const CONSENT_PURPOSE: &str = "school_counselling";

vocabulary! {
    /// German as the counselling found it.
    GermanLevel {
        None => "none", "keine Deutschkenntnisse";
        A1 => "a1", "A1 (Anfänge)";
        A2 => "a2", "A2";
        B1 => "b1", "B1";
        B2 => "b2", "B2 oder besser";
    }
}

vocabulary! {
    /// Mathematics against what the child's age would expect.
    MathsLevel {
        Below => "below", "unter der Altersstufe";
        AtLevel => "at_level", "entsprechend der Altersstufe";
        Above => "above", "über der Altersstufe";
        Unknown => "unknown", "nicht einschätzbar";
    }
}

vocabulary! {
    /// The school form the counselling recommends.
    SchoolForm {
        Primary => "primary", "Grundschule";
        Hauptschule => "hauptschule", "Hauptschule";
        Realschule => "realschule", "Realschule";
        Sekundarschule => "sekundarschule", "Sekundarschule";
        Gesamtschule => "gesamtschule", "Gesamtschule";
        Gymnasium => "gymnasium", "Gymnasium";
        Berufskolleg => "berufskolleg", "Berufskolleg";
        Foerderschule => "foerderschule", "Förderschule";
    }
}

impl SchoolForm {
    /// Who assigns the school: the lower school authority (Schulamt) for primary and lower
    /// secondary, the Bezirksregierung for the upper secondary and the Berufskolleg.
    pub fn assigned_by_district_government(self, year: Option<u8>) -> bool {
        self == SchoolForm::Berufskolleg || year.is_some_and(|y| y >= 11)
    }
}

/// The record as the form sends it, with the consent it rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordInput {
    pub consent_given_on: String,
    /// `written` or `oral_with_witness`.
    pub consent_form: String,
    pub consent_witness: String,
    pub counselled_on: String,
    pub prior_schooling: String,
    pub languages: String,
    pub literate: bool,
    pub german_level: String,
    pub maths_level: String,
    pub interests: String,
    pub recommended_form: String,
    pub recommended_year: String,
    pub recommended_school: String,
    pub support_needs: String,
    pub interpreter_used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDraft {
    pub consent_given_on: Date,
    pub consent_form: crate::case::ConsentForm,
    pub consent_witness: String,
    pub counselled_on: Date,
    pub prior_schooling: String,
    pub languages: String,
    pub literate: bool,
    pub german_level: GermanLevel,
    pub maths_level: MathsLevel,
    pub interests: String,
    pub recommended_form: SchoolForm,
    pub recommended_year: Option<u8>,
    pub recommended_school: String,
    pub support_needs: String,
    pub interpreter_used: bool,
}

impl RecordInput {
    /// Checks a record made on `today`: the consent given before or on the day of the
    /// counselling, neither in the future.
    pub fn validate(&self, today: Date) -> Result<RecordDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let day = |e: &mut FieldErrors, field: &str, text: &str, what: &str| match text.trim() {
            "" => {
                e.add(field, format!("Bitte {what} angeben (TT.MM.JJJJ)."));
                None
            }
            t => match Date::parse(t) {
                None => {
                    e.add(field, format!("„{t}“ ist kein Datum (TT.MM.JJJJ)."));
                    None
                }
                Some(d) if d > today => {
                    e.add(field, "Der Tag kann nicht in der Zukunft liegen.");
                    None
                }
                Some(d) => Some(d),
            },
        };
        let consent_given_on = day(
            &mut e,
            "consent_given_on",
            &self.consent_given_on,
            "den Tag der Einwilligung",
        );
        let counselled_on = day(
            &mut e,
            "counselled_on",
            &self.counselled_on,
            "den Tag der Beratung",
        );
        if let (Some(c), Some(b)) = (consent_given_on, counselled_on)
            && c > b
        {
            e.add(
                "consent_given_on",
                "Die Einwilligung muss vor oder bei der Beratung gegeben sein.",
            );
        }
        let consent_form = crate::case::ConsentForm::parse(self.consent_form.trim());
        if consent_form.is_none() {
            e.add(
                "consent_form",
                "Bitte wählen, wie die Einwilligung gegeben wurde.",
            );
        }
        let consent_witness =
            validation::optional_text(&mut e, "consent_witness", &self.consent_witness, 200);
        if consent_form == Some(crate::case::ConsentForm::OralWithWitness)
            && consent_witness.is_empty()
        {
            e.add(
                "consent_witness",
                "Eine mündliche Einwilligung braucht den Namen der Zeugin oder des Zeugen.",
            );
        }
        let prior_schooling =
            validation::optional_multiline(&mut e, "prior_schooling", &self.prior_schooling, 1_000);
        let languages = validation::optional_text(&mut e, "languages", &self.languages, 200);
        let german_level = GermanLevel::parse(self.german_level.trim());
        if german_level.is_none() {
            e.add("german_level", "Bitte die Deutschkenntnisse einschätzen.");
        }
        let maths_level = MathsLevel::parse(self.maths_level.trim());
        if maths_level.is_none() {
            e.add("maths_level", "Bitte die Mathematikkenntnisse einschätzen.");
        }
        let interests = validation::optional_text(&mut e, "interests", &self.interests, 500);
        let recommended_form = SchoolForm::parse(self.recommended_form.trim());
        if recommended_form.is_none() {
            e.add("recommended_form", "Bitte die empfohlene Schulform wählen.");
        }
        let recommended_year = match self.recommended_year.trim() {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(y) if (1..=13).contains(&y) => Some(y),
                _ => {
                    e.add(
                        "recommended_year",
                        "Die Jahrgangsstufe als Zahl von 1 bis 13.",
                    );
                    None
                }
            },
        };
        let recommended_school =
            validation::optional_text(&mut e, "recommended_school", &self.recommended_school, 200);
        let support_needs =
            validation::optional_multiline(&mut e, "support_needs", &self.support_needs, 1_000);
        match (
            consent_given_on,
            consent_form,
            counselled_on,
            german_level,
            maths_level,
            recommended_form,
            e.is_empty(),
        ) {
            (Some(cg), Some(cf), Some(co), Some(gl), Some(ml), Some(rf), true) => Ok(RecordDraft {
                consent_given_on: cg,
                consent_form: cf,
                consent_witness,
                counselled_on: co,
                prior_schooling,
                languages,
                literate: self.literate,
                german_level: gl,
                maths_level: ml,
                interests,
                recommended_form: rf,
                recommended_year,
                recommended_school,
                support_needs,
                interpreter_used: self.interpreter_used,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn towns() -> Vec<(String, String)> {
        vec![
            ("05570004".into(), "Ahlen".into()),
            ("05570008".into(), "Beckum".into()),
            ("05570052".into(), "Warendorf".into()),
            ("05570040".into(), "Sendenhorst".into()),
            ("05570048".into(), "Wadersloh".into()),
            ("05570044".into(), "Telgte".into()),
        ]
    }

    fn today() -> Date {
        Date::iso("2026-12-02").unwrap()
    }

    fn input() -> RegistrationInput {
        RegistrationInput {
            guardian_name: "Fatima Beispiel".into(),
            phone: "02382 12345".into(),
            town: "Ahlen".into(),
            language: "ar".into(),
            arrival_date: "01.10.2026".into(),
            source: "registration_office".into(),
            children: vec![ChildInput {
                first_name: "Omar".into(),
                last_name: "Beispiel".into(),
                birth_date: "12.03.2015".into(),
                schooling_years: "3".into(),
            }],
            ..RegistrationInput::default()
        }
    }

    #[test]
    fn a_complete_registration_is_read() {
        let d = input().validate(today(), &towns(), false).unwrap();
        assert_eq!(d.town_ags, "05570004");
        assert_eq!(d.language, "ar");
        assert_eq!(d.source, Source::RegistrationOffice);
        assert_eq!(d.children.len(), 1);
        assert_eq!(d.children[0].schooling_years, Some(3));
    }

    #[test]
    fn errors_name_the_field_and_the_child() {
        let mut i = input();
        i.phone = String::new();
        i.town = "Münster".into();
        i.children.push(ChildInput {
            first_name: "Lina".into(),
            last_name: "Beispiel".into(),
            birth_date: "01.01.2024".into(),
            ..ChildInput::default()
        });
        let e = i.validate(today(), &towns(), false).unwrap_err();
        assert!(e.get("phone").is_some());
        assert!(e.get("town").unwrap().contains("Münster"));
        assert!(e.get("child_birth_date_2").unwrap().starts_with("Kind 2"));
        assert!(e.get("child_birth_date_1").is_none());
    }

    #[test]
    fn blank_child_rows_are_skipped_and_one_child_is_needed() {
        let mut i = input();
        i.children.insert(0, ChildInput::default());
        let d = i.validate(today(), &towns(), false).unwrap();
        assert_eq!(d.children.len(), 1);
        i.children = vec![ChildInput::default(), ChildInput::default()];
        let e = i.validate(today(), &towns(), false).unwrap_err();
        assert!(e.get("child_first_name_1").is_some());
    }

    #[test]
    fn the_family_need_not_know_the_arrival_day_staff_must() {
        let mut i = input();
        i.arrival_date = String::new();
        i.source = String::new();
        let d = i.validate(today(), &towns(), true).unwrap();
        assert_eq!(d.source, Source::Family);
        assert_eq!(d.arrival_date, None);
        let e = i.validate(today(), &towns(), false).unwrap_err();
        assert!(e.has("arrival_date") && e.has("source"));
        i.arrival_date = "03.12.2026".into();
        assert!(
            i.validate(today(), &towns(), true)
                .unwrap_err()
                .has("arrival_date")
        );
    }

    #[test]
    fn too_many_children_are_refused() {
        let mut i = input();
        i.children = vec![i.children[0].clone(); MOST_CHILDREN + 1];
        let e = i.validate(today(), &towns(), false).unwrap_err();
        assert!(e.has(&child_field("first_name", MOST_CHILDREN + 1)));
    }

    #[test]
    fn age_counts_full_years() {
        let birth = Date::iso("2015-12-03").unwrap();
        assert_eq!(age_on(birth, today()), 10);
        assert_eq!(age_on(birth, Date::iso("2026-12-03").unwrap()), 11);
    }

    #[test]
    fn the_way_goes_forward_one_step_back_only_from_an_appointment() {
        use ChildStatus::*;
        assert!(Reported.may_become(Invited));
        assert!(!Reported.may_become(Counselled));
        assert!(Appointment.may_become(Invited));
        assert!(!Counselled.may_become(Invited));
        assert!(Assigned.may_become(Withdrawn));
        assert!(SchoolStarted.next().is_empty());
        assert!(Withdrawn.next().is_empty());
        for s in ChildStatus::ALL {
            assert_eq!(ChildStatus::parse(s.key()), Some(s));
        }
    }

    #[test]
    fn families_go_to_the_nearest_site() {
        let site = |ags| crate::town::town_place(ags).unwrap();
        let sites = [site("05570004"), site("05570008"), site("05570052")];
        assert_eq!(
            nearest_site(site("05570040"), &sites).unwrap().ags,
            "05570004"
        );
        assert_eq!(
            nearest_site(site("05570048"), &sites).unwrap().ags,
            "05570008"
        );
        assert_eq!(
            nearest_site(site("05570044"), &sites).unwrap().ags,
            "05570052"
        );
    }

    #[test]
    fn an_appointment_needs_a_coming_day_a_time_and_a_place() {
        let ok = AppointmentInput {
            date: "2026-12-09".into(),
            start: "09:30".into(),
            place: "KI Ahlen".into(),
            interpreter: true,
            interpreter_language: "ar".into(),
            ..AppointmentInput::default()
        };
        let d = ok.validate(today()).unwrap();
        assert_eq!(d.slot.duration_minutes, 60);
        assert_eq!(d.interpreter_language, Some("ar"));
        let bad = AppointmentInput {
            date: "01.12.2026".into(),
            start: "25:00".into(),
            duration_minutes: "5".into(),
            interpreter: true,
            interpreter_language: "de".into(),
            ..AppointmentInput::default()
        };
        let e = bad.validate(today()).unwrap_err();
        for field in [
            "date",
            "start",
            "duration_minutes",
            "place",
            "interpreter_language",
        ] {
            assert!(e.has(field), "{field}");
        }
    }

    #[test]
    fn a_record_rests_on_a_consent_given_by_the_day_of_counselling() {
        let ok = RecordInput {
            consent_given_on: "2026-11-30".into(),
            consent_form: "written".into(),
            counselled_on: "2026-12-01".into(),
            german_level: "a1".into(),
            maths_level: "at_level".into(),
            recommended_form: "gesamtschule".into(),
            recommended_year: "7".into(),
            ..RecordInput::default()
        };
        let d = ok.validate(today()).unwrap();
        assert_eq!(d.recommended_year, Some(7));
        assert!(
            !d.recommended_form
                .assigned_by_district_government(d.recommended_year)
        );
        assert!(SchoolForm::Berufskolleg.assigned_by_district_government(None));
        let late = RecordInput {
            consent_given_on: "2026-12-02".into(),
            consent_form: "oral_with_witness".into(),
            ..ok.clone()
        };
        let e = late.validate(today()).unwrap_err();
        assert!(e.has("consent_given_on") && e.has("consent_witness"));
        let e = RecordInput::default().validate(today()).unwrap_err();
        for f in [
            "consent_given_on",
            "consent_form",
            "counselled_on",
            "german_level",
            "maths_level",
            "recommended_form",
        ] {
            assert!(e.has(f), "{f}");
        }
    }

    #[test]
    fn a_step_day_is_neither_future_nor_before_the_last() {
        let prev = Date::iso("2026-11-20");
        assert_eq!(check_step_day("", today(), prev).unwrap(), today());
        assert!(check_step_day("03.12.2026", today(), prev).is_err());
        assert!(check_step_day("19.11.2026", today(), prev).is_err());
        assert!(check_step_day("21.11.2026", today(), prev).is_ok());
    }
}
