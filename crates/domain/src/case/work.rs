//! What a case manager records while working on a case (decision 0012, slices 4 and 5): the
//! assessment per life domain, goals, referrals, hand-offs between authorities, contacts,
//! follow-ups and the closure. Each input arrives as form text and is checked here, naming every
//! wrong field; the store only ever sees the checked drafts.

use super::UnmetReason;
use super::{ClosureReason, ContactChannel, HandoffType, LifeDomain, NeedLevel, ReferralOutcome};
use crate::date::Date;
use crate::validation::{
    FieldErrors, optional_date, optional_multiline, required_date, required_text,
};

vocabulary! {
    /// Where a goal of the plan stands.
    GoalStatus {
        Open => "open", "offen";
        Reached => "reached", "erreicht";
        PartlyReached => "partly_reached", "teilweise erreicht";
        NotReached => "not_reached", "nicht erreicht";
        Dropped => "dropped", "verworfen";
    }
}

vocabulary! {
    /// How far a closed case reached its goals.
    GoalsReached {
        All => "all", "alle Ziele erreicht";
        Partly => "partly", "teilweise erreicht";
        NoneReached => "none", "nicht erreicht";
    }
}

/// A required day that lies neither in the future nor before `earliest` (the case's opening).
pub(super) fn past_day(
    e: &mut FieldErrors,
    field: &str,
    text: &str,
    earliest: Date,
    today: Date,
) -> Option<Date> {
    let day = required_date(e, field, text)?;
    check_past(e, field, day, earliest, today);
    Some(day)
}

pub(super) fn check_past(e: &mut FieldErrors, field: &str, day: Date, earliest: Date, today: Date) {
    if day > today {
        e.add(field, "Das Datum liegt in der Zukunft.");
    } else if day < earliest {
        e.add(field, "Das Datum liegt vor dem Beginn des Falls.");
    }
}

pub(super) fn required_code<T: Copy>(
    e: &mut FieldErrors,
    field: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
    ask: &str,
) -> Option<T> {
    if text.trim().is_empty() {
        e.add(field, ask.to_owned());
        return None;
    }
    let found = parse(text);
    if found.is_none() {
        e.add(field, format!("„{}“ ist kein bekannter Wert.", text.trim()));
    }
    found
}

pub(super) fn optional_code<T: Copy>(
    e: &mut FieldErrors,
    field: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    if text.trim().is_empty() {
        return None;
    }
    let found = parse(text);
    if found.is_none() {
        e.add(field, format!("„{}“ ist kein bekannter Wert.", text.trim()));
    }
    found
}

/// An optional record id (a UUID); anything else is a field error.
pub(super) fn optional_id(e: &mut FieldErrors, field: &str, text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if !crate::validation::is_uuid(t) {
        e.add(field, "Bitte aus der Liste wählen.");
        return None;
    }
    Some(t.to_ascii_lowercase())
}

/// The situation and need in one life domain, as the case page's form sends it.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AssessmentInput {
    pub life_domain: String,
    pub need_level: String,
    pub situation: String,
    pub assessed_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentDraft {
    pub life_domain: LifeDomain,
    pub need_level: NeedLevel,
    pub situation: String,
    pub assessed_on: Date,
}

impl AssessmentInput {
    pub fn validate(&self, opened_on: Date, today: Date) -> Result<AssessmentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let life_domain = required_code(
            &mut e,
            "life_domain",
            &self.life_domain,
            LifeDomain::parse,
            "Bitte den Lebensbereich wählen.",
        );
        let need_level = required_code(
            &mut e,
            "need_level",
            &self.need_level,
            NeedLevel::parse,
            "Bitte den Bedarf wählen.",
        );
        let situation = optional_multiline(&mut e, "situation", &self.situation, 4000);
        let assessed_on = past_day(&mut e, "assessed_on", &self.assessed_on, opened_on, today);
        match (life_domain, need_level, assessed_on, e.is_empty()) {
            (Some(life_domain), Some(need_level), Some(assessed_on), true) => Ok(AssessmentDraft {
                life_domain,
                need_level,
                situation,
                assessed_on,
            }),
            _ => Err(e),
        }
    }
}

/// A goal of the plan.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GoalInput {
    pub life_domain: String,
    pub description: String,
    pub target_on: String,
    pub organisation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalDraft {
    pub life_domain: LifeDomain,
    pub description: String,
    pub target_on: Option<Date>,
    pub organisation_id: Option<String>,
}

impl GoalInput {
    /// A target day may lie in the future (that is its point), but not before the case began.
    pub fn validate(&self, opened_on: Date) -> Result<GoalDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let life_domain = required_code(
            &mut e,
            "life_domain",
            &self.life_domain,
            LifeDomain::parse,
            "Bitte den Lebensbereich wählen.",
        );
        let description = required_text(&mut e, "description", &self.description, 500);
        let target_on = optional_date(&mut e, "target_on", &self.target_on);
        if target_on.is_some_and(|d| d < opened_on) {
            e.add("target_on", "Das Datum liegt vor dem Beginn des Falls.");
        }
        let organisation_id = optional_id(&mut e, "organisation_id", &self.organisation_id);
        match (life_domain, e.is_empty()) {
            (Some(life_domain), true) => Ok(GoalDraft {
                life_domain,
                description,
                target_on,
                organisation_id,
            }),
            _ => Err(e),
        }
    }
}

/// A referral to an offer or an organisation, with what came of it so far.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ReferralInput {
    pub life_domain: String,
    pub offer_id: String,
    pub organisation_id: String,
    pub requested_on: String,
    pub first_contact_on: String,
    pub started_on: String,
    pub outcome: String,
    pub unmet_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralDraft {
    pub life_domain: LifeDomain,
    pub offer_id: Option<String>,
    pub organisation_id: Option<String>,
    pub requested_on: Date,
    pub first_contact_on: Option<Date>,
    pub started_on: Option<Date>,
    pub outcome: Option<ReferralOutcome>,
    pub unmet_reason: Option<UnmetReason>,
}

impl ReferralInput {
    /// The days follow each other (requested, first contact, start), none in the future. A
    /// referral goes to an offer or an organisation unless no suitable offer exists; a need
    /// that stays unmet names its reason, and a placed one has none.
    pub fn validate(&self, opened_on: Date, today: Date) -> Result<ReferralDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let life_domain = required_code(
            &mut e,
            "life_domain",
            &self.life_domain,
            LifeDomain::parse,
            "Bitte den Lebensbereich wählen.",
        );
        let offer_id = optional_id(&mut e, "offer_id", &self.offer_id);
        let organisation_id = optional_id(&mut e, "organisation_id", &self.organisation_id);
        let requested_on = past_day(&mut e, "requested_on", &self.requested_on, opened_on, today);
        let first_contact_on = optional_date(&mut e, "first_contact_on", &self.first_contact_on);
        let started_on = optional_date(&mut e, "started_on", &self.started_on);
        for (field, day) in [
            ("first_contact_on", first_contact_on),
            ("started_on", started_on),
        ] {
            if let Some(day) = day {
                check_past(&mut e, field, day, opened_on, today);
            }
        }
        if let (Some(r), Some(f)) = (requested_on, first_contact_on)
            && f < r
        {
            e.add(
                "first_contact_on",
                "Der Erstkontakt liegt vor der Vermittlung.",
            );
        }
        if let (Some(earlier), Some(s)) = (first_contact_on.or(requested_on), started_on)
            && s < earlier
        {
            e.add(
                "started_on",
                "Der Beginn liegt vor der Vermittlung oder dem Erstkontakt.",
            );
        }
        let outcome = optional_code(&mut e, "outcome", &self.outcome, ReferralOutcome::parse);
        let unmet_reason = optional_code(
            &mut e,
            "unmet_reason",
            &self.unmet_reason,
            UnmetReason::parse,
        );
        if offer_id.is_none()
            && organisation_id.is_none()
            && outcome != Some(ReferralOutcome::NoSuitableOffer)
            && e.get("offer_id").is_none()
            && e.get("organisation_id").is_none()
        {
            e.add(
                "offer_id",
                "Bitte ein Angebot oder eine Organisation wählen (oder als Ergebnis „kein passendes Angebot“).",
            );
        }
        match outcome {
            Some(ReferralOutcome::Placed) if unmet_reason.is_some() => e.add(
                "unmet_reason",
                "Eine erfolgreiche Vermittlung hat keinen Grund für einen offenen Bedarf.",
            ),
            Some(ReferralOutcome::NoSuitableOffer) if unmet_reason.is_none() => e.add(
                "unmet_reason",
                "Bitte angeben, warum der Bedarf offen bleibt.",
            ),
            _ => {}
        }
        if started_on.is_some()
            && outcome.is_some_and(|o| {
                matches!(
                    o,
                    ReferralOutcome::Declined | ReferralOutcome::NoSuitableOffer
                )
            })
        {
            e.add(
                "started_on",
                "Ein Beginn passt nicht zu einer Ablehnung oder „kein passendes Angebot“.",
            );
        }
        match (life_domain, requested_on, e.is_empty()) {
            (Some(life_domain), Some(requested_on), true) => Ok(ReferralDraft {
                life_domain,
                offer_id,
                organisation_id,
                requested_on,
                first_contact_on,
                started_on,
                outcome,
                unmet_reason,
            }),
            _ => Err(e),
        }
    }
}

/// A hand-off between authorities: its type and when it started (and, once done, ended).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct HandoffInput {
    pub handoff_type: String,
    pub started_on: String,
    pub completed_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffDraft {
    pub handoff_type: HandoffType,
    pub started_on: Date,
    pub completed_on: Option<Date>,
}

impl HandoffInput {
    /// A hand-off may have started before the case (the person came with a pending
    /// application), but not in the future, and cannot end before it started.
    pub fn validate(&self, today: Date) -> Result<HandoffDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let handoff_type = required_code(
            &mut e,
            "handoff_type",
            &self.handoff_type,
            HandoffType::parse,
            "Bitte die Art der Übergabe wählen.",
        );
        let started_on = past_day(
            &mut e,
            "started_on",
            &self.started_on,
            Date::EARLIEST,
            today,
        );
        let completed_on = optional_date(&mut e, "completed_on", &self.completed_on);
        if let Some(done) = completed_on {
            check_completion(&mut e, started_on, done, today);
        }
        match (handoff_type, started_on, e.is_empty()) {
            (Some(handoff_type), Some(started_on), true) => Ok(HandoffDraft {
                handoff_type,
                started_on,
                completed_on,
            }),
            _ => Err(e),
        }
    }
}

/// The day a hand-off ended: after it started, not in the future.
pub fn check_completion(e: &mut FieldErrors, started_on: Option<Date>, done: Date, today: Date) {
    if done > today {
        e.add("completed_on", "Das Datum liegt in der Zukunft.");
    } else if started_on.is_some_and(|s| done < s) {
        e.add(
            "completed_on",
            "Das Ende liegt vor dem Beginn der Übergabe.",
        );
    }
}

/// A contact with the person.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ContactInput {
    pub contact_on: String,
    pub minutes: String,
    pub channel: String,
    pub interpreter: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub contact_on: Date,
    pub minutes: i64,
    pub channel: ContactChannel,
    pub interpreter: bool,
    pub note: String,
}

impl ContactInput {
    pub fn validate(&self, opened_on: Date, today: Date) -> Result<ContactDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let contact_on = past_day(&mut e, "contact_on", &self.contact_on, opened_on, today);
        let minutes = match self.minutes.trim() {
            "" => 0,
            t => match t.parse::<i64>() {
                Ok(m) if (0..=1440).contains(&m) => m,
                _ => {
                    e.add(
                        "minutes",
                        "Bitte die Dauer in Minuten angeben (0 bis 1440).",
                    );
                    0
                }
            },
        };
        let channel = required_code(
            &mut e,
            "channel",
            &self.channel,
            ContactChannel::parse,
            "Bitte die Kontaktart wählen.",
        );
        let interpreter = matches!(self.interpreter.trim(), "yes" | "true" | "1" | "on" | "ja");
        let note = optional_multiline(&mut e, "note", &self.note, 4000);
        match (contact_on, channel, e.is_empty()) {
            (Some(contact_on), Some(channel), true) => Ok(ContactDraft {
                contact_on,
                minutes,
                channel,
                interpreter,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// Something to do on a day: the start page lists the due ones.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FollowUpInput {
    pub due_on: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpDraft {
    pub due_on: Date,
    pub subject: String,
}

impl FollowUpInput {
    pub fn validate(&self, opened_on: Date) -> Result<FollowUpDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let due_on = required_date(&mut e, "due_on", &self.due_on);
        if due_on.is_some_and(|d| d < opened_on) {
            e.add("due_on", "Das Datum liegt vor dem Beginn des Falls.");
        }
        let subject = required_text(&mut e, "subject", &self.subject, 300);
        match (due_on, e.is_empty()) {
            (Some(due_on), true) => Ok(FollowUpDraft { due_on, subject }),
            _ => Err(e),
        }
    }
}

/// What closing a case asks: why, and how far its goals were reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub reason: ClosureReason,
    pub goals_reached: GoalsReached,
}

/// Checks the closure's two answers (`closure_reason`, `goals_reached`).
pub fn closure(reason: &str, goals_reached: &str) -> Result<Closure, FieldErrors> {
    let mut e = FieldErrors::new();
    let reason = required_code(
        &mut e,
        "closure_reason",
        reason,
        ClosureReason::parse,
        "Bitte den Grund für den Abschluss wählen.",
    );
    let goals_reached = required_code(
        &mut e,
        "goals_reached",
        goals_reached,
        GoalsReached::parse,
        "Bitte angeben, wie weit die Ziele erreicht wurden.",
    );
    match (reason, goals_reached, e.is_empty()) {
        (Some(reason), Some(goals_reached), true) => Ok(Closure {
            reason,
            goals_reached,
        }),
        _ => Err(e),
    }
}

/// The label of a case-work field, for error summaries.
pub fn work_field_label(field: &str) -> &str {
    match field {
        "life_domain" => "Lebensbereich",
        "need_level" => "Bedarf",
        "situation" => "Situation",
        "assessed_on" => "eingeschätzt am",
        "description" => "Ziel",
        "target_on" => "Zieldatum",
        "organisation_id" => "Organisation",
        "offer_id" => "Angebot",
        "requested_on" => "vermittelt am",
        "first_contact_on" => "Erstkontakt am",
        "started_on" => "Beginn am",
        "outcome" => "Ergebnis",
        "unmet_reason" => "Grund für offenen Bedarf",
        "handoff_type" => "Art der Übergabe",
        "completed_on" => "abgeschlossen am",
        "contact_on" => "Kontakt am",
        "minutes" => "Dauer (Minuten)",
        "channel" => "Kontaktart",
        "note" => "Notiz",
        "due_on" => "fällig am",
        "subject" => "Was ist zu tun?",
        "closure_reason" => "Grund für den Abschluss",
        "goals_reached" => "Ziele erreicht",
        "status" => "Stand",
        "anonymised" => "Fall",
        "held_on" => "am",
        "topic" => "Anlass",
        "organisation_ids" => "beteiligte Organisationen",
        "agreements" => "Vereinbarungen",
        "next_on" => "nächster Termin",
        other => other,
    }
}

/// A case conference as its form sends it: when, about what, with which organisations, what
/// was agreed, and when to meet again.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ConferenceInput {
    pub held_on: String,
    pub topic: String,
    /// The participating organisations (repeated field).
    pub organisation_ids: Vec<String>,
    pub agreements: String,
    pub next_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceDraft {
    pub held_on: Date,
    pub topic: String,
    pub organisation_ids: Vec<String>,
    pub agreements: String,
    pub next_on: Option<Date>,
}

impl ConferenceInput {
    pub fn validate(&self, opened_on: Date, today: Date) -> Result<ConferenceDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let held_on = past_day(&mut e, "held_on", &self.held_on, opened_on, today);
        let topic = required_text(&mut e, "topic", &self.topic, 300);
        let mut organisation_ids = Vec::new();
        for id in &self.organisation_ids {
            let id = id.trim().to_ascii_lowercase();
            if id.is_empty() {
                continue;
            }
            if !crate::validation::is_uuid(&id) {
                e.add("organisation_ids", "Bitte aus der Liste wählen.");
                break;
            }
            if !organisation_ids.contains(&id) {
                organisation_ids.push(id);
            }
        }
        if organisation_ids.is_empty() && !e.has("organisation_ids") {
            e.add(
                "organisation_ids",
                "Bitte mindestens eine beteiligte Organisation wählen.",
            );
        }
        let agreements = optional_multiline(&mut e, "agreements", &self.agreements, 4000);
        let next_on = optional_date(&mut e, "next_on", &self.next_on);
        if let (Some(h), Some(n)) = (held_on, next_on)
            && n < h
        {
            e.add("next_on", "Der nächste Termin liegt vor dieser Konferenz.");
        }
        match (held_on, e.is_empty()) {
            (Some(held_on), true) => Ok(ConferenceDraft {
                held_on,
                topic,
                organisation_ids,
                agreements,
                next_on,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap_or(Date::EARLIEST)
    }

    const OPENED: (u16, u8, u8) = (2026, 1, 10);

    fn opened() -> Date {
        day(OPENED.0, OPENED.1, OPENED.2)
    }

    fn today() -> Date {
        day(2026, 11, 30)
    }

    #[test]
    fn an_assessment_names_domain_need_and_a_day_within_the_case() {
        let ok = AssessmentInput {
            life_domain: "health".into(),
            need_level: "high".into(),
            situation: "Arzttermine\r\nfehlen".into(),
            assessed_on: "2026-02-01".into(),
        }
        .validate(opened(), today());
        assert_eq!(
            ok.map(|d| (d.life_domain, d.need_level, d.situation)),
            Ok((
                LifeDomain::Health,
                NeedLevel::High,
                "Arzttermine\nfehlen".into()
            ))
        );
        let Err(e) = AssessmentInput {
            life_domain: "mars".into(),
            need_level: String::new(),
            situation: String::new(),
            assessed_on: "2025-12-31".into(),
        }
        .validate(opened(), today()) else {
            panic!("accepted");
        };
        assert!(e.get("life_domain").is_some());
        assert!(e.get("need_level").is_some());
        assert_eq!(
            e.get("assessed_on"),
            Some("Das Datum liegt vor dem Beginn des Falls.")
        );
    }

    fn referral() -> ReferralInput {
        ReferralInput {
            life_domain: "language".into(),
            organisation_id: "0190a0a0-0000-7000-8000-000000000001".into(),
            requested_on: "2026-03-01".into(),
            ..ReferralInput::default()
        }
    }

    #[test]
    fn a_referral_keeps_its_days_in_order_and_names_why_a_need_stays_unmet() {
        assert!(referral().validate(opened(), today()).is_ok());
        let late_contact = ReferralInput {
            first_contact_on: "2026-02-01".into(),
            ..referral()
        };
        let e = late_contact.validate(opened(), today()).err();
        assert!(e.is_some_and(|e| e.get("first_contact_on").is_some()));
        let unmet = ReferralInput {
            organisation_id: String::new(),
            outcome: "no_suitable_offer".into(),
            ..referral()
        };
        let e = unmet.clone().validate(opened(), today()).err();
        assert!(e.is_some_and(|e| e.get("unmet_reason").is_some()));
        let with_reason = ReferralInput {
            unmet_reason: "language".into(),
            ..unmet
        };
        assert!(with_reason.validate(opened(), today()).is_ok());
        let nowhere = ReferralInput {
            organisation_id: String::new(),
            ..referral()
        };
        let e = nowhere.validate(opened(), today()).err();
        assert!(e.is_some_and(|e| e.get("offer_id").is_some()));
        let placed_unmet = ReferralInput {
            outcome: "placed".into(),
            unmet_reason: "cost".into(),
            ..referral()
        };
        let e = placed_unmet.validate(opened(), today()).err();
        assert!(e.is_some_and(|e| e.get("unmet_reason").is_some()));
        let future = ReferralInput {
            started_on: "2027-01-01".into(),
            ..referral()
        };
        let e = future.validate(opened(), today()).err();
        assert!(e.is_some_and(|e| e.get("started_on") == Some("Das Datum liegt in der Zukunft.")));
    }

    #[test]
    fn a_handoff_may_predate_the_case_but_not_end_before_it_began() {
        let before_case = HandoffInput {
            handoff_type: "residence_permit".into(),
            started_on: "2025-06-01".into(),
            completed_on: String::new(),
        };
        assert!(before_case.validate(today()).is_ok());
        let backwards = HandoffInput {
            completed_on: "2025-05-01".into(),
            ..before_case
        };
        let e = backwards.validate(today()).err();
        assert!(e.is_some_and(|e| e.get("completed_on").is_some()));
        let e = HandoffInput::default().validate(today()).err();
        assert!(
            e.is_some_and(|e| e.get("handoff_type").is_some() && e.get("started_on").is_some())
        );
    }

    #[test]
    fn contacts_follow_ups_and_closure_name_their_fields() {
        let e = ContactInput {
            contact_on: "2026-05-01".into(),
            minutes: "-5".into(),
            channel: "pigeon".into(),
            ..ContactInput::default()
        }
        .validate(opened(), today())
        .err();
        assert!(e.is_some_and(|e| e.get("minutes").is_some() && e.get("channel").is_some()));
        let ok = ContactInput {
            contact_on: "2026-05-01".into(),
            minutes: "45".into(),
            channel: "phone".into(),
            interpreter: "on".into(),
            note: String::new(),
        }
        .validate(opened(), today());
        assert!(ok.is_ok_and(|c| c.interpreter && c.minutes == 45));
        let follow_up = FollowUpInput {
            due_on: "2027-01-15".into(),
            subject: "Bescheid nachfragen".into(),
        };
        assert!(follow_up.validate(opened()).is_ok());
        let e = closure("", "bogus").err();
        assert!(e.is_some_and(|e| e.get("closure_reason").is_some() && e.get("goals_reached").is_some()));
        assert!(closure("moved_away", "partly").is_ok());
    }
}
