//! Synthetic data for the KI's services (`lotse demo services`): interpreters of the pool,
//! requests to it, and families registered for the first school counselling with appointments
//! and each child's way so far, spread over the last months, so that the lists, the start
//! pages and the waiting times have something to show. Everything is invented and flagged
//! fictitious where the table can say so; the demo (`lotse serve --demo`) must be loaded first.

use lotse_domain::interpreters::{InterpreterInput, RequestInput};
use lotse_domain::school_counselling::{
    AppointmentDraft, ChildInput, ChildStatus, RegistrationInput,
};

use crate::db::{Db, day_of};
use crate::demo_offers::Rng;
use crate::scoped::Viewer;
use crate::{Result, StoreError, interpreters, school_counselling, users};

/// What one run wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub interpreters: usize,
    pub requests: usize,
    pub families: usize,
    pub appointments: usize,
}

const DAY_MS: i64 = 86_400_000;

const INTERPRETERS: &[(&str, &[&str])] = &[
    ("Amina Haddad (synthetisch)", &["ar"]),
    ("Dariush Karimi (synthetisch)", &["fa"]),
    ("Olena Bondar (synthetisch)", &["uk", "ru"]),
    ("Mehmet Yıldız (synthetisch)", &["tr", "ku"]),
    ("Senait Tesfay (synthetisch)", &["ti"]),
    ("Ioana Popescu (synthetisch)", &["ro"]),
    ("Hawa Abdi (synthetisch)", &["so", "ar"]),
    ("Nadia Rahimi (synthetisch)", &["fa"]),
];

const FAMILY_NAMES: &[&str] = &[
    "Haddad",
    "Karimi",
    "Bondar",
    "Yıldız",
    "Tesfay",
    "Popescu",
    "Abdi",
    "Rahimi",
    "Kovalenko",
    "Suleiman",
    "Nowak",
    "Petrova",
    "Hussein",
    "Demir",
    "Mahmoud",
    "Ivanova",
];
const GIVEN: &[&str] = &[
    "Omar", "Lina", "Yusuf", "Sofiia", "Amir", "Mariam", "Ali", "Daria", "Samir", "Aylin", "Hamid",
    "Nour", "Artem", "Selam", "Ionut", "Zahra",
];
const LANGUAGES: &[&str] = &["ar", "fa", "uk", "ru", "tr", "ti", "ku", "ro", "so"];

/// Writes `families` synthetic families (with the pool's interpreters and some requests) as of
/// `now`. The same `seed` writes the same data.
pub async fn generate(db: &Db, families: usize, seed: u64, now: i64) -> Result<Written> {
    let missing = || {
        StoreError::Config(
            "load the demo first (lotse serve --demo): the services need its accounts".into(),
        )
    };
    let kim = users::get_by_username(db, "koordination")
        .await
        .map_err(|_| missing())?;
    let counsellor = users::get_by_username(db, "schulberatung")
        .await
        .map_err(|_| missing())?;
    let partner = users::get_by_username(db, "partner")
        .await
        .map_err(|_| missing())?;
    let as_viewer = |u: &users::User| Viewer {
        user_id: u.id.clone(),
        username: u.username.clone(),
        organisation_id: u.organisation_id.clone(),
        roles: u.roles.clone(),
    };
    let (kim, counsellor, partner) = (as_viewer(&kim), as_viewer(&counsellor), as_viewer(&partner));
    let today = day_of(now);
    let towns = crate::reference::town_names(db).await?;
    let mut rng = Rng(seed.max(1));
    let mut written = Written::default();

    // The pool.
    let mut pool = Vec::new();
    for (i, (name, languages)) in INTERPRETERS.iter().enumerate() {
        let draft = InterpreterInput {
            name: (*name).to_owned(),
            email: format!("sprachmittlung{i}@example.org"),
            phone: format!("0151 000{i:04}"),
            languages: languages.iter().map(|l| (*l).to_owned()).collect(),
            level: "b2".into(),
            weekdays: [true, true, true, true, true, false, false],
            available_from: "08:00".into(),
            available_until: "20:00".into(),
            pledge_signed_on: today.add_days(-200).unwrap_or(today).to_string(),
            active: true,
            ..InterpreterInput::default()
        }
        .validate(today)
        .map_err(StoreError::Invalid)?;
        pool.push(interpreters::create_interpreter(db, &kim, &draft, "", true, now).await?);
        written.interpreters += 1;
    }

    // Requests of a welfare association, some assigned.
    for i in 0..12usize {
        let ahead = 8 + rng.below(40) as i64;
        let date = today.add_days(ahead).unwrap_or(today);
        if matches!(lotse_domain::working_days::weekday(date), 5 | 6) {
            continue;
        }
        let language = INTERPRETERS[i % INTERPRETERS.len()].1[0];
        let Ok(draft) = (RequestInput {
            language: language.into(),
            date: date.to_string(),
            start: format!("{}:00", 9 + rng.below(8)),
            duration_minutes: "60".into(),
            town: rng.pick(&towns).1.clone(),
            setting: "welfare_association".into(),
            place: "Beratungsstelle, Raum 1".into(),
            contact_name: "Sam Probe".into(),
            contact_email: "partner@example.org".into(),
            ..RequestInput::default()
        })
        .validate(today, &towns) else {
            continue;
        };
        let id =
            interpreters::submit(db, &partner, &partner.organisation_id, &draft, true, now).await?;
        written.requests += 1;
        if i % 2 == 0 {
            interpreters::review(db, &kim, &id, true, "", now).await?;
            // The first interpreter who fits; a clash leaves it approved.
            let _ = interpreters::assign(db, &kim, &id, &pool[i % pool.len()], now).await;
        }
    }

    // Families over the last four months, each child as far along as its days allow.
    for f in 0..families {
        let registered = now - (rng.below(120) as i64 + 1) * DAY_MS;
        let registered_day = day_of(registered);
        let arrival = registered_day
            .add_days(-(5 + rng.below(60) as i64))
            .unwrap_or(registered_day);
        let family = *rng.pick(FAMILY_NAMES);
        let language = *rng.pick(LANGUAGES);
        let children: Vec<ChildInput> = (0..1 + rng.below(3))
            .map(|_| ChildInput {
                first_name: (*rng.pick(GIVEN)).to_owned(),
                last_name: family.to_owned(),
                birth_date: registered_day
                    .years_back(6 + rng.below(12) as u16)
                    .and_then(|d| d.add_days(-(rng.below(300) as i64)))
                    .unwrap_or(registered_day)
                    .to_string(),
                schooling_years: rng.below(8).to_string(),
            })
            .collect();
        let draft = RegistrationInput {
            guardian_name: format!("{} {family} (synthetisch)", rng.pick(GIVEN)),
            phone: format!("02382 9{f:05}"),
            email: if f % 3 == 0 {
                String::new()
            } else {
                format!("familie{f}@example.org")
            },
            town: rng.pick(&towns).1.clone(),
            language: language.into(),
            interpreter_needed: f % 2 == 0,
            arrival_date: arrival.to_string(),
            source: [
                "registration_office",
                "school_authority",
                "town",
                "counselling_service",
            ][f % 4]
                .into(),
            children,
            ..RegistrationInput::default()
        }
        .validate(registered_day, &towns, false)
        .map_err(StoreError::Invalid)?;
        let id = school_counselling::register(db, &kim, &draft, true, registered).await?;
        written.families += 1;
        let family = school_counselling::registrations_for(db, &kim)
            .get(&id)
            .await?
            .record;
        // Booked a few days after the registration, held a week or three later.
        let booked = registered + (1 + rng.below(10) as i64) * DAY_MS;
        if booked > now {
            continue;
        }
        let on = day_of(booked)
            .add_days(7 + rng.below(14) as i64)
            .unwrap_or(today);
        let at_site = family.site_ags == "05570004";
        let appointment = AppointmentDraft {
            slot: lotse_domain::interpreters::Slot {
                date: on,
                start_minute: u16::try_from(8 * 60 + rng.below(16) * 30).unwrap_or(480),
                duration_minutes: 60,
            },
            counsellor: at_site.then(|| counsellor.user_id.clone()),
            place: format!("Kommunales Integrationszentrum, {}", family.site),
            interpreter_language: None,
        };
        let Ok(appointment_id) =
            school_counselling::book(db, &kim, &id, &appointment, None, booked).await
        else {
            // The counsellor was taken at that time: this family waits for another date.
            continue;
        };
        written.appointments += 1;
        if on > today {
            continue;
        }
        let held_at = (on.day_number() - today.day_number()) * DAY_MS + now;
        school_counselling::close_appointment(db, &kim, &appointment_id, "held", held_at).await?;
        for child in &family.children {
            let mut day = on;
            let mut at = held_at;
            for (step, after) in [
                (ChildStatus::Counselled, 0),
                (ChildStatus::Transmitted, 2 + rng.below(6) as i64),
                (ChildStatus::Assigned, 5 + rng.below(30) as i64),
                (ChildStatus::SchoolStarted, 3 + rng.below(10) as i64),
            ] {
                day = day.add_days(after).unwrap_or(day);
                at += after * DAY_MS;
                if day > today {
                    break;
                }
                school_counselling::advance(db, &kim, &child.id, step.key(), "", "", at).await?;
            }
        }
    }
    Ok(written)
}
