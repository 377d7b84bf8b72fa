//! Invented KIM cases for the demo, and the generator of a synthetic district (`lotse demo
//! cases --persons N`, in `generator`). Every person is fictitious and flagged so; the names
//! are common ones, put together at random, and belong to nobody.

use lotse_domain::Date;
use lotse_domain::case::{AccessRoute, Gender, Jurisdiction, PersonDraft};

use crate::Result;
use crate::cases::{self, IntakeDraft};
use crate::db::Tx;
use crate::demo_offers::{Rng, date_of};
use crate::scoped::Viewer;

mod generator;
pub use generator::generate;

const FAMILY_NAMES: &[&str] = &[
    "Haddad",
    "Petrenko",
    "Kaya",
    "Nowak",
    "Rahimi",
    "Bakari",
    "Hussein",
    "Popescu",
    "Yilmaz",
    "Kovalenko",
    "Ahmadi",
    "Osei",
    "Demir",
    "Ivanova",
    "Nasser",
    "Mensah",
];
const GIVEN_NAMES: &[&str] = &[
    "Mariam",
    "Olena",
    "Ahmet",
    "Katarzyna",
    "Farid",
    "Amina",
    "Yusuf",
    "Ioana",
    "Elif",
    "Dmytro",
    "Zahra",
    "Kwame",
    "Leyla",
    "Anna",
    "Omar",
    "Abena",
];
const TOWNS: &[&str] = &[
    "05570004", "05570008", "05570052", "05570016", "05570028", "05570040",
];
const LANGUAGES: &[&str] = &[
    "Arabisch",
    "Ukrainisch",
    "Türkisch",
    "Dari",
    "Russisch",
    "Englisch",
];

/// One invented person.
fn person(rng: &mut Rng, today: Date) -> PersonDraft {
    let born = Date::new(
        1960 + rng.below(45) as u16,
        1 + rng.below(12) as u8,
        1 + rng.below(28) as u8,
    )
    .unwrap_or(Date::EARLIEST);
    let arrived = today
        .add_days(-(30 + rng.below(3_000) as i64))
        .unwrap_or(today);
    let language = (*rng.pick(LANGUAGES)).to_owned();
    PersonDraft {
        family_name: (*rng.pick(FAMILY_NAMES)).to_owned(),
        given_names: (*rng.pick(GIVEN_NAMES)).to_owned(),
        birth_date: Some(born),
        gender: *rng.pick(&[Gender::Female, Gender::Male, Gender::NotStated]),
        nationalities: Vec::new(),
        interpreter_needed: rng.below(3) == 0,
        interpreter_language: String::new(),
        languages: vec![language],
        arrived_in_germany: Some(arrived),
        arrived_in_district: arrived
            .add_days(rng.below(200) as i64)
            .filter(|d| *d <= today),
        town: Some((*rng.pick(TOWNS)).to_owned()),
        residence_status: String::new(),
        residence_legal_basis: String::new(),
        residence_valid_until: None,
        jurisdiction: *rng.pick(&[
            Jurisdiction::Asylblg,
            Jurisdiction::Sgb2,
            Jurisdiction::Sgb12,
            Jurisdiction::NoJurisdiction,
        ]),
    }
}

fn intake(rng: &mut Rng, today: Date) -> IntakeDraft {
    IntakeDraft {
        access_route: *rng.pick(&[
            AccessRoute::Jobcenter,
            AccessRoute::ImmigrationOffice,
            AccessRoute::SocialWelfareOffice,
            AccessRoute::School,
            AccessRoute::CounsellingService,
            AccessRoute::OnOwnInitiative,
        ]),
        opened_on: today.add_days(-(rng.below(400) as i64)).unwrap_or(today),
    }
}

/// Invented work on a case: an assessment of one life domain, a referral (some ending with an
/// unmet need), a hand-off between authorities (some past their target, so that the monitor
/// has something to show) and a follow-up.
async fn work(
    tx: &mut Tx,
    owner: &Viewer,
    case_id: &str,
    opened: Date,
    rng: &mut Rng,
    today: Date,
    now: i64,
) -> Result<()> {
    use lotse_domain::case::{
        AssessmentInput, FollowUpInput, HandoffInput, HandoffType, LifeDomain, NeedLevel,
        ReferralInput,
    };
    let day = |rng: &mut Rng| {
        let span = opened.days_until(today).max(0);
        opened
            .add_days(rng.below(span as usize + 1) as i64)
            .unwrap_or(opened)
            .to_string()
    };
    let domain = *rng.pick(LifeDomain::ALL);
    let assessment = AssessmentInput {
        life_domain: domain.key().into(),
        need_level: rng.pick(NeedLevel::ALL).key().into(),
        situation: "Erfundene Angabe für die Vorführung.".into(),
        assessed_on: day(rng),
    };
    cases::add_assessment(tx, owner, case_id, &assessment, today, now).await?;
    let unmet = rng.below(3) == 0;
    let referral = ReferralInput {
        life_domain: domain.key().into(),
        organisation_id: if unmet {
            String::new()
        } else {
            owner.organisation_id.clone()
        },
        requested_on: day(rng),
        outcome: if unmet {
            "no_suitable_offer".into()
        } else {
            String::new()
        },
        unmet_reason: if unmet {
            rng.pick(&["no_offer", "no_capacity", "language", "distance"])
                .to_string()
        } else {
            String::new()
        },
        ..ReferralInput::default()
    };
    cases::add_referral(tx, owner, case_id, &referral, today, now).await?;
    let handoff = HandoffInput {
        handoff_type: rng.pick(HandoffType::ALL).key().into(),
        started_on: day(rng),
        completed_on: String::new(),
    };
    cases::add_handoff(
        tx,
        owner,
        case_id,
        &handoff,
        &cases::HandoffTargets::default(),
        today,
        now,
    )
    .await?;
    let follow_up = FollowUpInput {
        due_on: today
            .add_days(rng.below(14) as i64)
            .unwrap_or(today)
            .to_string(),
        subject: "Erfundene Wiedervorlage: Stand nachfragen".into(),
    };
    cases::add_follow_up(tx, owner, case_id, &follow_up, now).await?;
    Ok(())
}

/// The demo's cases: a handful per case manager, so that each sees their own and not the
/// other's.
pub(crate) async fn load(tx: &mut Tx, owners: &[Viewer], now: i64) -> Result<()> {
    let today = date_of(now);
    let mut rng = Rng(0x5eed_ca5e);
    for (i, owner) in owners.iter().enumerate() {
        for _ in 0..(6 - 2 * i.min(2)) {
            let p = person(&mut rng, today);
            let c = intake(&mut rng, today);
            let id = cases::intake(tx, owner, &p, &c, true, now).await?;
            work(tx, owner, &id, c.opened_on, &mut rng, today, now).await?;
        }
    }
    Ok(())
}
