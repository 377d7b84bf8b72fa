//! The demo catalogue of measures: the few measures of the 2010 concept known from public sources
//! (reference/measures_2010_known.csv) plus invented ones, flagged `fictitious`, to reach the real
//! sizes (80+ measures in 2010, 35 in 2016, a handful for KIM). Statuses are invented throughout.

use lotse_domain::Date;
use lotse_domain::measure::{KiInvolvement, MeasureDraft, MeasureStatus};

use crate::audit::Actor;
use crate::measures::{self, ConceptDraft};
use crate::scoped::Viewer;
use crate::{Result, StoreError, Tx};

const KNOWN_2010: &str = include_str!("../reference/measures_2010_known.csv");

struct ConceptSpec {
    short_name: &'static str,
    title: &'static str,
    adopted_on: Option<&'static str>,
    description: &'static str,
    fields: &'static [&'static str],
    /// How many measures the concept has in total (known + invented).
    size: usize,
}

const CONCEPTS: &[ConceptSpec] = &[
    ConceptSpec {
        short_name: "IK 2010",
        title: "Integrationskonzept 2010 – Integrationsbericht „Einander kennen lernen“",
        adopted_on: Some("2010-07-02"),
        description: "Beschluss des Kreistags vom 02.07.2010; über 80 Maßnahmen im Handlungsprogramm, erarbeitet in den Planungsgruppen Sprache, Bildung, Arbeit/Wirtschaft, Gesundheit/Sport und einer Bürgerplanungsgruppe.",
        fields: &[
            "Sprache",
            "Bildung",
            "Arbeit und Wirtschaft",
            "Gesundheit und Sport",
            "Querschnitt und Steuerung",
        ],
        size: 82,
    },
    ConceptSpec {
        short_name: "HK 2016",
        title: "Handlungskonzept für geflüchtete Menschen „Fördern und Fordern“",
        adopted_on: None,
        description: "Seit Sommer 2016 in Kraft. Der Text und die einzelnen Maßnahmen sind nicht öffentlich belegt; alle Maßnahmen hier sind Beispiele.",
        fields: &[
            "Ankommen und Orientierung",
            "Sprache",
            "Bildung und Ausbildung",
            "Arbeit",
            "Wohnen",
            "Gesundheit",
            "Ehrenamt",
        ],
        size: 35,
    },
    ConceptSpec {
        short_name: "KIM",
        title: "Kommunales Integrationsmanagement (KIM)",
        adopted_on: None,
        description: "Landesprogramm, im Kreis Warendorf seit Mai 2021: strategische Steuerung, Case Management, Ausländer- und Einbürgerungsbehörde.",
        fields: &[
            "Strategische Steuerung",
            "Case Management",
            "Ausländer- und Einbürgerungsbehörde",
        ],
        size: 6,
    },
];

/// Field of the 2010 concept for a known measure's "Handlungsfeld" text.
fn field_for_known(handlungsfeld: &str) -> usize {
    let h = handlungsfeld.to_lowercase();
    if h.starts_with("sprache") {
        0
    } else if h.contains("bildung") {
        1
    } else if h.contains("gesundheit") {
        3
    } else {
        4
    }
}

/// Invented measure titles per topic; combined with target groups and towns for variety.
const TOPICS: &[&str] = &[
    "Sprachcafé für Erwachsene",
    "Elternabende in mehreren Sprachen",
    "Lotsenprojekt für Neuzugewanderte",
    "Interkulturelle Öffnung der Verwaltung",
    "Ausbildungsmesse mit Migrantenorganisationen",
    "Mentoring beim Übergang Schule–Beruf",
    "Sportangebote für Mädchen",
    "Gesundheitsinformation in Leichter Sprache",
    "Qualifizierung ehrenamtlicher Sprachmittler",
    "Netzwerktreffen der Integrationsakteure",
    "Beratung zur Anerkennung ausländischer Abschlüsse",
    "Hausaufgabenhilfe in Stadtteilzentren",
    "Fortbildung Deutsch als Zielsprache",
    "Wohnraumvermittlung mit Patenschaften",
    "Willkommensmappe für neue Familien",
    "Bewerbungstraining für junge Erwachsene",
];
const GROUPS: &[&str] = &[
    "Familien",
    "Jugendliche",
    "Frauen",
    "Geflüchtete",
    "Seniorinnen und Senioren",
    "Fachkräfte",
];
const TOWNS: &[&str] = &[
    "05570004", "05570008", "05570012", "05570016", "05570020", "05570024", "05570028", "05570032",
    "05570036", "05570040", "05570044", "05570048", "05570052",
];

/// Invented statuses: most measures running or established, some planned, a few on hold or dropped.
fn invented_status(i: usize) -> MeasureStatus {
    match i % 10 {
        0..=2 => MeasureStatus::InProgress,
        3..=5 => MeasureStatus::Established,
        6 => MeasureStatus::Planned,
        7 => MeasureStatus::Completed,
        8 => MeasureStatus::OnHold,
        _ => MeasureStatus::Dropped,
    }
}

fn ki_for(i: usize) -> KiInvolvement {
    match i % 3 {
        0 => KiInvolvement::Lead,
        1 => KiInvolvement::Involved,
        _ => KiInvolvement::None,
    }
}

/// Loads the catalogue inside the demo transaction. `organisations` are the demo organisations that
/// may lead or partner a measure (the first is the integration centre).
pub async fn load(tx: &mut Tx, actor: &Actor, organisations: &[String], now: i64) -> Result<usize> {
    let ki = organisations
        .first()
        .ok_or_else(|| StoreError::Config("no demo organisations".into()))?;
    let mut created = 0;
    for (c_index, spec) in CONCEPTS.iter().enumerate() {
        let draft = ConceptDraft {
            short_name: spec.short_name.into(),
            title: spec.title.into(),
            adopted_on: spec.adopted_on.and_then(Date::parse),
            description: spec.description.into(),
        };
        let concept = measures::create_concept(tx, actor, &draft, false, now).await?;
        let mut fields = Vec::new();
        for name in spec.fields {
            fields.push(measures::add_field_of_action(tx, actor, &concept, name, now).await?);
        }
        let mut numbers = vec![0usize; fields.len()];
        let mut count = 0;

        if c_index == 0 {
            let mut reader = csv::Reader::from_reader(KNOWN_2010.as_bytes());
            for (i, row) in reader.records().enumerate() {
                let row =
                    row.map_err(|e| StoreError::Config(format!("measures_2010_known.csv: {e}")))?;
                let get = |n: usize| row.get(n).unwrap_or("").trim().to_owned();
                let field = field_for_known(&get(1));
                numbers[field] += 1;
                let draft = MeasureDraft {
                    concept_id: concept.clone(),
                    code: format!("{}.{}", field + 1, numbers[field]),
                    title: get(2),
                    description: format!(
                        "Aus öffentlichen Quellen bekannte Maßnahme ({}).\nFederführung laut Quelle: {}\nBeteiligte laut Quelle: {}\nQuellen: {}\nDer Sachstand in dieser Demo ist erfunden.",
                        get(0),
                        get(3),
                        get(4),
                        get(6)
                    ),
                    field_of_action_id: Some(fields[field].clone()),
                    lead_organisation_id: (get(5).contains("ja")).then(|| ki.clone()),
                    partner_ids: Vec::new(),
                    ki_involvement: if get(5).contains("ja") {
                        KiInvolvement::Involved
                    } else {
                        KiInvolvement::None
                    },
                    target_group: String::new(),
                    towns: Vec::new(),
                    planned_start: Date::new(2010, 9, 1),
                    planned_end: None,
                    status: invented_status(i + 3),
                    tags: vec!["bekannt".into()],
                };
                measures::create(tx, actor, &draft, false, now).await?;
                count += 1;
            }
        }

        let mut i = c_index * 7;
        while count < spec.size {
            let field = i % fields.len();
            numbers[field] += 1;
            let topic = TOPICS[(i * 5 + c_index) % TOPICS.len()];
            let group = GROUPS[i % GROUPS.len()];
            let towns: Vec<String> = match i % 4 {
                0 | 1 => Vec::new(),
                2 => vec![TOWNS[i % TOWNS.len()].to_owned()],
                _ => vec![
                    TOWNS[i % TOWNS.len()].to_owned(),
                    TOWNS[(i + 5) % TOWNS.len()].to_owned(),
                ],
            };
            let lead = organisations[i % organisations.len()].clone();
            let partner = organisations[(i + 1) % organisations.len()].clone();
            let start_year: u16 = match c_index {
                0 => 2010 + (i % 6) as u16,
                1 => 2016 + (i % 3) as u16,
                _ => 2021 + (i % 3) as u16,
            };
            let draft = MeasureDraft {
                concept_id: concept.clone(),
                code: format!("{}.{}", field + 1, numbers[field]),
                title: format!("{topic} – {group}"),
                description: format!(
                    "Erfundenes Beispiel für eine Maßnahme im Handlungsfeld „{}“.",
                    spec.fields[field]
                ),
                field_of_action_id: Some(fields[field].clone()),
                lead_organisation_id: Some(lead),
                partner_ids: vec![partner],
                ki_involvement: ki_for(i),
                target_group: group.into(),
                towns,
                planned_start: Date::new(start_year, 1, 1),
                planned_end: Date::new(start_year + 3, 12, 31).filter(|_| i % 5 == 0),
                status: invented_status(i),
                tags: vec!["Beispiel".into()],
            };
            measures::create(tx, actor, &draft, true, now).await?;
            count += 1;
            i += 1;
        }
        created += count;
    }
    Ok(created)
}

/// An earlier status for the first demo round, so that the report shows changes between rounds.
fn earlier(status: MeasureStatus) -> MeasureStatus {
    match status {
        MeasureStatus::Established | MeasureStatus::Completed => MeasureStatus::InProgress,
        MeasureStatus::InProgress | MeasureStatus::OnHold => MeasureStatus::Planned,
        other => other,
    }
}

/// Two invented review rounds: one closed (Stichtag 31.12.2024), one still open (30.06.2026).
pub async fn load_rounds(tx: &mut Tx, actor: &Actor, now: i64) -> Result<()> {
    use crate::db::tx;
    use crate::rounds::{self, Decision, UpdateInput};

    let originals: Vec<(String, String)> = tx!(&mut *tx, |c| {
        sqlx::query_as("SELECT id, status FROM measures")
            .fetch_all(c)
            .await
    })?;
    let original = |measure_id: &str| {
        originals
            .iter()
            .find(|(id, _)| id == measure_id)
            .and_then(|(_, s)| MeasureStatus::parse(s))
            .unwrap_or(MeasureStatus::Planned)
    };
    let update_ids = async |tx: &mut Tx, round: &str| -> Result<Vec<(String, String)>> {
        Ok(tx!(tx, |c| {
            sqlx::query_as(
                "SELECT id, measure_id FROM review_updates WHERE round_id = $1 ORDER BY measure_id",
            )
            .bind(round)
            .fetch_all(c)
            .await
        })?)
    };

    // Deadlines from the day the demo is made: the closed round's was that day, the open round's
    // lies three weeks ahead, so the start pages and reminders have something to show.
    let today = crate::db::day_of(now).to_string();
    let deadline = crate::db::day_of(now)
        .add_days(21)
        .map(|d| d.to_string())
        .unwrap_or_else(|| today.clone());
    let first = rounds::open(
        tx,
        actor,
        "Überprüfung 2024",
        "2024-12-31",
        &today,
        &[],
        true,
        now,
    )
    .await?;
    for (i, (update, measure)) in update_ids(tx, &first).await?.into_iter().enumerate() {
        if i % 9 == 0 {
            continue;
        }
        let status = if i % 3 == 0 {
            earlier(original(&measure))
        } else {
            original(&measure)
        };
        let (adaptation, reason) = match i {
            i if i % 17 == 0 => (
                "drop",
                "Bedarf ist durch andere Angebote gedeckt (Beispiel).",
            ),
            i if i % 11 == 0 => ("adjust", "Zielgruppe und Zeitplan anpassen (Beispiel)."),
            _ => ("none", ""),
        };
        let input = UpdateInput {
            status: status.key().into(),
            progress: format!(
                "Beispiel-Bericht zum Stichtag 31.12.2024: Stand „{}“.",
                status.label()
            ),
            adaptation: adaptation.into(),
            adaptation_reason: reason.into(),
            ..Default::default()
        };
        rounds::submit(
            tx,
            &Viewer::system("demo"),
            &update.as_str().into(),
            &input,
            now,
        )
        .await?;
        rounds::review(
            tx,
            &Viewer::system("demo"),
            &update.as_str().into(),
            Decision::Accept,
            "",
            None,
            now,
        )
        .await?;
    }
    rounds::close(tx, actor, &first, now).await?;

    let second = rounds::open(
        tx,
        actor,
        "Überprüfung 2026",
        "2026-06-30",
        &deadline,
        &[],
        true,
        now,
    )
    .await?;
    for (i, (update, measure)) in update_ids(tx, &second).await?.into_iter().enumerate() {
        if i % 2 == 1 {
            continue;
        }
        let status = original(&measure);
        let input = UpdateInput {
            status: status.key().into(),
            progress: format!(
                "Beispiel-Bericht zum Stichtag 30.06.2026: Stand „{}“.",
                status.label()
            ),
            adaptation: if i % 10 == 0 {
                "adjust".into()
            } else {
                "none".into()
            },
            adaptation_reason: if i % 10 == 0 {
                "Mehr Standorte einbeziehen (Beispiel).".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        rounds::submit(
            tx,
            &Viewer::system("demo"),
            &update.as_str().into(),
            &input,
            now,
        )
        .await?;
        if i % 4 == 0 {
            rounds::review(
                tx,
                &Viewer::system("demo"),
                &update.as_str().into(),
                Decision::Accept,
                "",
                None,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// A few invented structural issues, as case management would report them.
pub async fn load_issues(
    tx: &mut Tx,
    actor: &Actor,
    organisations: &[String],
    now: i64,
) -> Result<()> {
    use lotse_domain::structural_issue::IssueInput;
    let issues = [
        (
            "Lücke beim Wechsel vom AsylbLG ins SGB II",
            "asylblg",
            "sgb2",
            "18",
            "under_discussion",
            "2025-03-12",
        ),
        (
            "Wartezeit auf Termine zur Verlängerung des Aufenthaltstitels",
            "aufenthg",
            "aufenthg",
            "27",
            "reported",
            "2025-09-01",
        ),
        (
            "Keine Integrationskurse mit Kinderbetreuung im Süden des Kreises",
            "",
            "",
            "9",
            "solution_agreed",
            "2024-11-20",
        ),
        (
            "Anerkennung ausländischer Abschlüsse dauert zu lange",
            "sgb3",
            "sgb2",
            "6",
            "resolved",
            "2024-02-02",
        ),
    ];
    for (i, (title, from, to, evidence, status, date)) in issues.into_iter().enumerate() {
        let input = IssueInput {
            title: format!("{title} (Beispiel)"),
            description: "Erfundenes Beispiel einer strukturellen Hürde aus der Fallarbeit.".into(),
            from_organisation_id: organisations
                .get(i % organisations.len())
                .cloned()
                .unwrap_or_default(),
            from_jurisdiction: from.into(),
            to_jurisdiction: to.into(),
            towns: if i == 2 {
                vec!["05570048".into(), "05570008".into()]
            } else {
                Vec::new()
            },
            evidence_count: evidence.into(),
            status: status.into(),
            reported_on: date.into(),
            ..Default::default()
        };
        let draft = input.validate().map_err(StoreError::Invalid)?;
        crate::structural_issues::create(tx, actor, &draft, true, now).await?;
    }
    Ok(())
}

/// Bodies of the district with an invented meeting, decision and action item each.
pub async fn load_bodies(
    tx: &mut Tx,
    actor: &Actor,
    organisations: &[String],
    owner_user_id: &str,
    now: i64,
) -> Result<()> {
    use crate::bodies::{self, ActionItemInput, DecisionInput};
    use crate::db::tx;

    let measures: Vec<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT id FROM measures ORDER BY id LIMIT 3")
            .fetch_all(c)
            .await
    })?;
    let issue: Option<String> = tx!(&mut *tx, |c| {
        sqlx::query_scalar("SELECT id FROM structural_issues ORDER BY reported_on LIMIT 1")
            .fetch_optional(c)
            .await
    })?;
    let specs = [
        (
            "Ausschuss für Bildung, Integration, Kultur und Sport (BIKS)",
            "BIKS-2026/07",
            "2026-02-12",
            "Der Ausschuss nimmt den Sachstandsbericht zur Kenntnis und bittet um Fortschreibung des Integrationskonzepts.",
        ),
        (
            "Lenkungsgruppe KIM",
            "LG-2026/02",
            "2026-03-04",
            "Die Lenkungsgruppe richtet eine Projektgruppe zum Rechtskreiswechsel ein.",
        ),
        (
            "AG Integration",
            "AG-2026/01",
            "2026-01-20",
            "Die AG vereinbart gemeinsame Sprechzeiten in den Städten und Gemeinden.",
        ),
    ];
    for (i, (name, number, date, text)) in specs.into_iter().enumerate() {
        let body = bodies::create_body(
            tx,
            actor,
            name,
            "Beispieldaten: Sitzung, Beschluss und Aufgabe sind erfunden.",
            organisations,
            true,
            now,
        )
        .await?;
        let meeting = bodies::create_meeting(tx, actor, &body, date, now).await?;
        for item in [
            "Begrüßung und Protokoll",
            "Bericht der Koordination",
            "Verschiedenes",
        ] {
            bodies::add_agenda_item(tx, actor, &meeting, item, now).await?;
        }
        bodies::set_minutes(tx, actor, &meeting, "Erfundenes Beispielprotokoll.", now).await?;
        let decision = bodies::create_decision(
            tx,
            actor,
            &body,
            &DecisionInput {
                number: number.into(),
                decided_on: date.into(),
                text: text.into(),
                meeting_id: meeting.clone(),
                measure_ids: measures.get(i).cloned().into_iter().collect(),
            },
            now,
        )
        .await?;
        bodies::create_action_item(
            tx,
            actor,
            &ActionItemInput {
                title: format!("Umsetzung von Beschluss {number} vorbereiten (Beispiel)"),
                owner_user_id: owner_user_id.into(),
                due_on: "2026-12-15".into(),
                decision_id: decision,
                meeting_id: meeting.clone(),
            },
            now,
        )
        .await?;
        if i == 1
            && let Some(issue) = &issue
        {
            bodies::link_issue(tx, actor, &meeting.into(), &issue.into(), now).await?;
        }
    }
    Ok(())
}

/// Sites, figures and measure links of the seeded programmes, invented for the demo. One
/// Griffbereit group is small on purpose, so the statistics rule ("<5") can be seen.
pub async fn load_programmes(
    tx: &mut Tx,
    viewer: &Viewer,
    partners: &[String],
    now: i64,
) -> Result<()> {
    use crate::db::tx;
    use crate::programmes;
    use lotse_domain::programme::{Figures, ProgrammeDraft, SiteKind};

    const FIT: &str = "485fea7c-eb61-46fe-bfdc-6e001ac9f024";
    const GRIFFBEREIT: &str = "5c578973-2319-4da1-a37c-55502705461c";
    const RUCKSACK_KITA: &str = "87afa387-308d-49b2-8e53-7573d6b1c9a0";
    let griffbereit = ProgrammeDraft {
        name: "Griffbereit".into(),
        description: "Eltern-Kind-Gruppen für die Jüngsten (bis drei Jahre), geleitet von Elternbegleiterinnen, in der Familiensprache und auf Deutsch.".into(),
        part_of: Some(FIT.into()),
        partners: partners.to_vec(),
    };
    programmes::update(tx, viewer, GRIFFBEREIT, &griffbereit, now).await?;
    let mut sites = Vec::new();
    for (name, kind, town) in [
        (
            "Familienzentrum Am Markt (Demo)",
            SiteKind::FamilyCentre,
            "05570008",
        ),
        ("Kita Sonnenschein (Demo)", SiteKind::Kita, "05570020"),
        ("Kita Regenbogen (Demo)", SiteKind::Kita, "05570004"),
    ] {
        sites.push(
            programmes::add_site(
                tx,
                viewer,
                &GRIFFBEREIT.into(),
                name,
                kind,
                &town.into(),
                now,
            )
            .await?,
        );
    }
    for (period, site, groups, participants) in [
        ("2024/25", 0, 2, 18),
        ("2024/25", 1, 1, 9),
        ("2025/26", 0, 2, 21),
        ("2025/26", 1, 1, 11),
        ("2025/26", 2, 1, 3),
    ] {
        let f = Figures {
            period: period.into(),
            site_id: Some(sites[site].clone()),
            groups,
            participants,
        };
        programmes::set_figures(tx, viewer, GRIFFBEREIT, &f, now).await?;
    }
    let kita = programmes::add_site(
        tx,
        viewer,
        &RUCKSACK_KITA.into(),
        "Kita Regenbogen (Demo)",
        SiteKind::Kita,
        &"05570004".into(),
        now,
    )
    .await?;
    let f = Figures {
        period: "2025/26".into(),
        site_id: Some(kita),
        groups: 1,
        participants: 12,
    };
    programmes::set_figures(tx, viewer, RUCKSACK_KITA, &f, now).await?;
    // The known 2010 measure on FIT is carried by the FIT programmes.
    let fit_measures: Vec<(String,)> = tx!(&mut *tx, |c| sqlx::query_as(
        "SELECT id FROM measures WHERE title LIKE 'FIT%'"
    )
    .fetch_all(c)
    .await)?;
    for (m,) in fit_measures {
        for p in [FIT, GRIFFBEREIT, RUCKSACK_KITA] {
            programmes::link_measure(tx, viewer, &p.into(), &m.as_str().into(), now).await?;
        }
    }
    Ok(())
}

/// Budgets, grants, money and deadlines under two of the funding programmes, invented for the
/// demo: one spending report is due in three weeks, one was handed in.
pub async fn load_funding(
    tx: &mut Tx,
    viewer: &Viewer,
    recipients: &[String],
    now: i64,
) -> Result<()> {
    use crate::funding;
    use lotse_domain::funding::{GrantDraft, Movement, MovementDraft};

    const KOMM_AN: &str = "9d94421f-d7c0-48a2-b6d2-598b72aa3586";
    const IFKUF: &str = "c0a7ee9e-bfa1-418e-a42d-1b62fae747e0";
    const GRIFFBEREIT: &str = "5c578973-2319-4da1-a37c-55502705461c";
    let today = crate::demo_offers::date_of(now);
    let year = i64::from(today.year());
    let in_three_weeks = crate::demo_offers::date_of(now + 21 * 86_400_000);
    for (programme, cents) in [(KOMM_AN, 18_000_000), (IFKUF, 6_500_000)] {
        funding::set_budget(tx, viewer, programme, year, cents, now).await?;
        funding::set_budget(tx, viewer, programme, year - 1, cents - 500_000, now).await?;
    }
    let grants = [
        (
            KOMM_AN,
            recipients.first(),
            None,
            "Ankommenstreffpunkt und Begleitung (Demo)",
            4_500_000,
        ),
        (
            IFKUF,
            recipients.get(1),
            Some(GRIFFBEREIT),
            "Griffbereit-Gruppen und Elternbegleiterinnen (Demo)",
            2_800_000,
        ),
    ];
    for (programme, organisation, for_programme, purpose, cents) in grants {
        let draft = GrantDraft {
            organisation_id: organisation.cloned(),
            programme_id: for_programme.map(str::to_owned),
            purpose: purpose.into(),
            reference: format!("IM-{year}-0{}", purpose.len() % 9),
            amount_cents: cents,
            period_from: Date::new(today.year(), 1, 1).unwrap_or(today),
            period_to: Date::new(today.year(), 12, 31).unwrap_or(today),
        };
        let id = funding::create_grant(tx, viewer, programme, &draft, true, now).await?;
        for (kind, share) in [(Movement::Payment, 2), (Movement::Expense, 3)] {
            let m = MovementDraft {
                kind,
                on: Date::new(today.year(), 3, 31).unwrap_or(today),
                amount_cents: cents / share,
                note: "Demo".into(),
            };
            funding::add_movement(tx, viewer, &id, &m, now).await?;
        }
        funding::add_deadline(
            tx,
            viewer,
            &id,
            &format!("Zwischennachweis {year}"),
            in_three_weeks,
            now,
        )
        .await?;
    }
    Ok(())
}
