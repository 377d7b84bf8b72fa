//! The work on a case as forms (decision 0012, slices 4 and 5): assessment, goals, referrals,
//! hand-offs, contacts and follow-ups. Each entry has a page of its own with one form (one form
//! per page keeps field ids unique and the error summary about that form), built from one
//! template (`cases/work_form.html`) by a list of fields. The store decides and checks
//! (`lotse_store::cases`); a case the user may not change is not found.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use lotse_domain::case::{
    AssessmentInput, ConferenceInput, ConsentForm, ConsentInput, ConsentPurpose, ContactChannel,
    ContactInput, FollowUpInput, GoalInput, GoalStatus, HandoffInput, HandoffType, LifeDomain,
    NeedLevel, ReferralInput, ReferralOutcome, ReleaseScope, RevocationInput, ShareAccess,
    ShareInput, UnmetReason, consent_field_label, work_field_label,
};
use lotse_store::StoreError;
use lotse_store::cases::{self, HandoffTargets};
use lotse_store::offers::OfferFilter;
use lotse_store::paging::PageRequest;

use super::super::organisations::{OrganisationPickQuery, organisation_pick};
use super::super::pick::Pick;
use super::super::{render, render_invalid, vocabulary_options};
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::view::{FormErrors, Layout};

/// One field of a case-work form; `kind` picks how the template draws it.
pub struct Field {
    /// "input" (with `input_type`), "select", "textarea", "checkbox", "checkboxes" (a group:
    /// `options`, the checked keys in `checked`).
    pub kind: &'static str,
    pub input_type: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: &'static str,
    pub options: Vec<(String, String)>,
    pub empty_label: &'static str,
    pub checked: Vec<String>,
}

fn input(name: &'static str, label: &'static str, value: &str, input_type: &'static str) -> Field {
    Field {
        kind: "input",
        input_type,
        name,
        label,
        value: value.to_owned(),
        required: false,
        hint: "",
        options: Vec::new(),
        empty_label: "",
        checked: Vec::new(),
    }
}

fn select(
    name: &'static str,
    label: &'static str,
    value: &str,
    options: Vec<(String, String)>,
    empty_label: &'static str,
) -> Field {
    Field {
        kind: "select",
        options,
        empty_label,
        ..input(name, label, value, "")
    }
}

fn textarea(name: &'static str, label: &'static str, value: &str) -> Field {
    Field {
        kind: "textarea",
        ..input(name, label, value, "")
    }
}

fn checkbox(name: &'static str, label: &'static str, checked: bool) -> Field {
    Field {
        kind: "checkbox",
        value: if checked { "on".into() } else { String::new() },
        ..input(name, label, "", "")
    }
}

fn checkboxes(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    checked: &[String],
) -> Field {
    Field {
        kind: "checkboxes",
        options,
        checked: checked.to_vec(),
        ..input(name, label, "", "")
    }
}

impl Field {
    /// Whether the group has this key checked (templates cannot call `contains` on `&String`).
    pub fn is_checked(&self, key: &str) -> bool {
        self.checked.iter().any(|c| c == key)
    }

    fn required(mut self) -> Field {
        self.required = true;
        self
    }

    fn hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
    }
}

#[derive(Template)]
#[template(path = "cases/work_form.html")]
struct WorkFormPage {
    layout: Layout,
    case_id: String,
    case_name: String,
    heading: &'static str,
    intro: &'static str,
    action: String,
    submit: &'static str,
    fields: Vec<Field>,
    errors: FormErrors,
    summary: Vec<(String, String, String)>,
    /// Organisations to choose from (goals, referrals), searched by POST with the form.
    org_pick: Option<Pick>,
    /// Offers of the directory to choose from (referrals), searched the same way.
    offer_pick: Option<Pick>,
    /// What the picks have chosen.
    offer_id: String,
    organisation_id: String,
    /// The organisation pick's label ("Organisation", "Stelle").
    organisation_label: &'static str,
    /// The pick ends in a select of one organisation (not for a conference's checkboxes).
    org_select: bool,
}

/// What a case-work form records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assessment,
    Goal,
    Referral,
    Handoff,
    Contact,
    FollowUp,
    /// A consent of the person; as an entry, its revocation.
    Consent,
    /// A request to share or hand over the case.
    Share,
    /// The household the case's person lives in.
    Household,
    /// A case conference with the organisations involved.
    Conference,
}

impl Kind {
    /// The path segment of its entries under `/cases/{id}/`.
    fn segment(self) -> &'static str {
        match self {
            Kind::Assessment => "assessments",
            Kind::Goal => "goals",
            Kind::Referral => "referrals",
            Kind::Handoff => "handoffs",
            Kind::Contact => "contacts",
            Kind::FollowUp => "follow-ups",
            Kind::Consent => "consents",
            Kind::Share => "shares",
            Kind::Household => "household",
            Kind::Conference => "conferences",
        }
    }

    /// Where the case page shows its entries.
    fn anchor(self) -> &'static str {
        match self {
            Kind::Assessment => "assessment",
            Kind::Goal => "plan",
            Kind::Referral => "referrals",
            Kind::Handoff => "handoffs",
            Kind::Contact => "contacts",
            Kind::FollowUp => "follow-ups",
            Kind::Consent => "consents",
            Kind::Share => "shares",
            Kind::Household => "household",
            Kind::Conference => "conferences",
        }
    }
}

/// The form as sent: every field any case-work form has, by name.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct WorkInput {
    life_domain: String,
    need_level: String,
    situation: String,
    assessed_on: String,
    description: String,
    target_on: String,
    organisation_id: String,
    offer_id: String,
    requested_on: String,
    first_contact_on: String,
    started_on: String,
    outcome: String,
    unmet_reason: String,
    handoff_type: String,
    completed_on: String,
    contact_on: String,
    minutes: String,
    channel: String,
    interpreter: String,
    note: String,
    due_on: String,
    subject: String,
    status: String,
    organisation_q: String,
    offer_q: String,
    purpose: String,
    given_on: String,
    form: String,
    witness: String,
    valid_until: String,
    covers: Vec<String>,
    revoked_on: String,
    access: String,
    to_user_id: String,
    message: String,
    override_reason: String,
    household_action: String,
    household_label: String,
    household_case: String,
    held_on: String,
    topic: String,
    organisation_ids: Vec<String>,
    agreements: String,
    next_on: String,
}

impl WorkInput {
    fn assessment(&self) -> AssessmentInput {
        AssessmentInput {
            life_domain: self.life_domain.clone(),
            need_level: self.need_level.clone(),
            situation: self.situation.clone(),
            assessed_on: self.assessed_on.clone(),
        }
    }

    fn goal(&self) -> GoalInput {
        GoalInput {
            life_domain: self.life_domain.clone(),
            description: self.description.clone(),
            target_on: self.target_on.clone(),
            organisation_id: self.organisation_id.clone(),
        }
    }

    fn referral(&self) -> ReferralInput {
        ReferralInput {
            life_domain: self.life_domain.clone(),
            offer_id: self.offer_id.clone(),
            organisation_id: self.organisation_id.clone(),
            requested_on: self.requested_on.clone(),
            first_contact_on: self.first_contact_on.clone(),
            started_on: self.started_on.clone(),
            outcome: self.outcome.clone(),
            unmet_reason: self.unmet_reason.clone(),
        }
    }

    fn handoff(&self) -> HandoffInput {
        HandoffInput {
            handoff_type: self.handoff_type.clone(),
            started_on: self.started_on.clone(),
            completed_on: self.completed_on.clone(),
        }
    }

    fn contact(&self) -> ContactInput {
        ContactInput {
            contact_on: self.contact_on.clone(),
            minutes: self.minutes.clone(),
            channel: self.channel.clone(),
            interpreter: self.interpreter.clone(),
            note: self.note.clone(),
        }
    }

    fn follow_up(&self) -> FollowUpInput {
        FollowUpInput {
            due_on: self.due_on.clone(),
            subject: self.subject.clone(),
        }
    }

    fn consent(&self) -> ConsentInput {
        ConsentInput {
            purpose: self.purpose.clone(),
            organisation_id: self.organisation_id.clone(),
            given_on: self.given_on.clone(),
            form: self.form.clone(),
            witness: self.witness.clone(),
            valid_until: self.valid_until.clone(),
            covers: self.covers.clone(),
        }
    }

    /// What the household form chose; a missing choice is named at its field.
    fn household(&self) -> Result<cases::HouseholdChoice, StoreError> {
        match self.household_action.as_str() {
            "new" => Ok(cases::HouseholdChoice::New(self.household_label.clone())),
            "join" if self.household_case.trim().is_empty() => Err(StoreError::field(
                "household_case",
                "Bitte den Fall wählen, dessen Haushalt die Person angehört.",
            )),
            "join" => Ok(cases::HouseholdChoice::Join(
                self.household_case.trim().to_owned(),
            )),
            "leave" => Ok(cases::HouseholdChoice::Leave),
            _ => Err(StoreError::field(
                "household_action",
                "Bitte wählen, was geschehen soll.",
            )),
        }
    }

    fn conference(&self) -> ConferenceInput {
        ConferenceInput {
            held_on: self.held_on.clone(),
            topic: self.topic.clone(),
            organisation_ids: self.organisation_ids.clone(),
            agreements: self.agreements.clone(),
            next_on: self.next_on.clone(),
        }
    }

    fn share(&self) -> ShareInput {
        ShareInput {
            access: self.access.clone(),
            to_user_id: self.to_user_id.clone(),
            organisation_id: self.organisation_id.clone(),
            message: self.message.clone(),
            override_reason: self.override_reason.clone(),
        }
    }
}

fn domains() -> Vec<(String, String)> {
    vocabulary_options(LifeDomain::ALL, LifeDomain::key, LifeDomain::label)
}

/// The fields of a form for `kind`; `entry` when an existing entry is edited. `choices` are
/// the accounts to share with (share form) or the other cases whose household to join.
fn fields(kind: Kind, entry: bool, f: &WorkInput, choices: Vec<(String, String)>) -> Vec<Field> {
    match (kind, entry) {
        (Kind::Assessment, _) => vec![
            select(
                "life_domain",
                "Lebensbereich",
                &f.life_domain,
                domains(),
                "bitte wählen",
            )
            .required(),
            select(
                "need_level",
                "Bedarf",
                &f.need_level,
                vocabulary_options(NeedLevel::ALL, NeedLevel::key, NeedLevel::label),
                "bitte wählen",
            )
            .required(),
            textarea("situation", "Situation", &f.situation)
                .hint("Was ist die Lage, was fehlt? Nur für die Fallbearbeitung sichtbar."),
            input("assessed_on", "eingeschätzt am", &f.assessed_on, "date").required(),
        ],
        (Kind::Goal, false) => vec![
            select(
                "life_domain",
                "Lebensbereich",
                &f.life_domain,
                domains(),
                "bitte wählen",
            )
            .required(),
            input("description", "Ziel", &f.description, "text").required(),
            input("target_on", "Zieldatum", &f.target_on, "date"),
        ],
        (Kind::Goal, true) => vec![
            select(
                "status",
                "Stand",
                &f.status,
                vocabulary_options(GoalStatus::ALL, GoalStatus::key, GoalStatus::label),
                "bitte wählen",
            )
            .required(),
        ],
        (Kind::Referral, _) => vec![
            select(
                "life_domain",
                "Lebensbereich",
                &f.life_domain,
                domains(),
                "bitte wählen",
            )
            .required(),
            input("requested_on", "vermittelt am", &f.requested_on, "date").required(),
            input(
                "first_contact_on",
                "Erstkontakt am",
                &f.first_contact_on,
                "date",
            ),
            input("started_on", "Beginn am", &f.started_on, "date"),
            select(
                "outcome",
                "Ergebnis",
                &f.outcome,
                vocabulary_options(
                    ReferralOutcome::ALL,
                    ReferralOutcome::key,
                    ReferralOutcome::label,
                ),
                "noch offen",
            ),
            select(
                "unmet_reason",
                "Grund, wenn der Bedarf offen bleibt",
                &f.unmet_reason,
                vocabulary_options(UnmetReason::ALL, UnmetReason::key, UnmetReason::label),
                "kein Grund / Bedarf gedeckt",
            ),
        ],
        (Kind::Handoff, false) => vec![
            select(
                "handoff_type",
                "Art der Übergabe",
                &f.handoff_type,
                vocabulary_options(HandoffType::ALL, HandoffType::key, HandoffType::label),
                "bitte wählen",
            )
            .required(),
            input("started_on", "begonnen am", &f.started_on, "date")
                .required()
                .hint("Der Tag des ersten Schritts, z. B. der Antrag."),
            input("completed_on", "abgeschlossen am", &f.completed_on, "date")
                .hint("Leer lassen, solange die Übergabe läuft."),
        ],
        (Kind::Handoff, true) => {
            vec![input("completed_on", "abgeschlossen am", &f.completed_on, "date").required()]
        }
        (Kind::Contact, _) => vec![
            input("contact_on", "Kontakt am", &f.contact_on, "date").required(),
            input("minutes", "Dauer (Minuten)", &f.minutes, "text"),
            select(
                "channel",
                "Kontaktart",
                &f.channel,
                vocabulary_options(
                    ContactChannel::ALL,
                    ContactChannel::key,
                    ContactChannel::label,
                ),
                "bitte wählen",
            )
            .required(),
            checkbox(
                "interpreter",
                "mit Sprachmittlung",
                !f.interpreter.is_empty(),
            ),
            textarea("note", "Notiz", &f.note),
        ],
        (Kind::FollowUp, _) => vec![
            input("due_on", "fällig am", &f.due_on, "date").required(),
            input("subject", "Was ist zu tun?", &f.subject, "text").required(),
        ],
        (Kind::Consent, false) => vec![
            select(
                "purpose",
                "Zweck",
                &f.purpose,
                vocabulary_options(
                    ConsentPurpose::ALL,
                    ConsentPurpose::key,
                    ConsentPurpose::label,
                ),
                "bitte wählen",
            )
            .required(),
            input("given_on", "erteilt am", &f.given_on, "date").required(),
            select(
                "form",
                "Form",
                &f.form,
                vocabulary_options(ConsentForm::ALL, ConsentForm::key, ConsentForm::label),
                "bitte wählen",
            )
            .required(),
            input(
                "witness",
                "Zeugin oder Zeuge (bei mündlicher Einwilligung)",
                &f.witness,
                "text",
            ),
            input("valid_until", "gültig bis", &f.valid_until, "date")
                .hint("Leer lassen, wenn die Einwilligung bis zum Widerruf gilt."),
            checkboxes(
                "covers",
                "Nur bei einer Schweigepflichtentbindung: welche Angaben die Stelle sehen darf",
                vocabulary_options(ReleaseScope::ALL, ReleaseScope::key, ReleaseScope::label),
                &f.covers,
            ),
        ],
        (Kind::Consent, true) => vec![
            input("revoked_on", "widerrufen am", &f.revoked_on, "date")
                .required()
                .hint("Ab sofort sieht niemand mehr, was die Einwilligung erlaubt hat."),
        ],
        (Kind::Share, _) => vec![
            select(
                "access",
                "Was wird geteilt?",
                &f.access,
                vocabulary_options(ShareAccess::ALL, ShareAccess::key, ShareAccess::label),
                "bitte wählen",
            )
            .required(),
            select(
                "to_user_id",
                "an eine Person",
                &f.to_user_id,
                choices,
                "keine einzelne Person",
            )
            .hint("Oder unten eine Organisation wählen: dort nimmt jemand mit passender Rolle an."),
            textarea(
                "message",
                "Nachricht an die Empfängerin oder den Empfänger",
                &f.message,
            )
            .hint("Lesen alle, an die die Anfrage geht, schon vor der Annahme: bitte ohne Namen und Gesundheitsangaben."),
            textarea(
                "override_reason",
                "Nur im Notfall: warum ohne Schweigepflichtentbindung geteilt wird",
                &f.override_reason,
            )
            .hint("Wird von der Koordination geprüft (bitte ohne Namen und Gesundheitsangaben). Leer lassen, wenn eine Entbindung vorliegt."),
        ],
        (Kind::Conference, _) => vec![
            input("held_on", "am", &f.held_on, "date").required(),
            input("topic", "Anlass", &f.topic, "text").required(),
            checkboxes(
                "organisation_ids",
                "beteiligte Organisationen (weitere über die Suche unten)",
                choices,
                &f.organisation_ids,
            ),
            textarea("agreements", "Vereinbarungen", &f.agreements),
            input("next_on", "nächster Termin", &f.next_on, "date"),
        ],
        (Kind::Household, _) => vec![
            select(
                "household_action",
                "Was soll geschehen?",
                &f.household_action,
                vec![
                    ("new".into(), "einen neuen Haushalt anlegen".into()),
                    (
                        "join".into(),
                        "dem Haushalt einer Person aus einem anderen Fall zuordnen".into(),
                    ),
                    ("leave".into(), "aus dem Haushalt lösen".into()),
                ],
                "bitte wählen",
            )
            .required(),
            input(
                "household_label",
                "Bezeichnung des neuen Haushalts",
                &f.household_label,
                "text",
            )
            .hint("Zum Beispiel „Familie H.“; nur für die Fallbearbeitung sichtbar."),
            select(
                "household_case",
                "Fall einer Person im selben Haushalt",
                &f.household_case,
                choices,
                "bitte wählen",
            )
            .hint("Ihre Fälle und die, die Sie bearbeiten dürfen."),
        ],
    }
}

fn heading(kind: Kind, entry: bool) -> (&'static str, &'static str, &'static str) {
    match (kind, entry) {
        (Kind::Assessment, _) => (
            "Einschätzung eines Lebensbereichs",
            "Die neueste Einschätzung je Lebensbereich gilt; frühere bleiben im Verlauf.",
            "Einschätzung speichern",
        ),
        (Kind::Goal, false) => (
            "Neues Ziel",
            "Ein Ziel des Hilfeplans mit Zieldatum und verantwortlicher Organisation.",
            "Ziel anlegen",
        ),
        (Kind::Goal, true) => ("Stand des Ziels", "", "Stand speichern"),
        (Kind::Referral, false) => (
            "Neue Vermittlung",
            "An ein Angebot des Verzeichnisses oder an eine Organisation. Bleibt der Bedarf offen, bitte den Grund angeben: er geht (ohne Namen) in die Lückenanalyse ein.",
            "Vermittlung speichern",
        ),
        (Kind::Referral, true) => (
            "Vermittlung fortschreiben",
            "Erstkontakt, Beginn und Ergebnis eintragen, sobald sie bekannt sind.",
            "Vermittlung speichern",
        ),
        (Kind::Handoff, false) => (
            "Neue Übergabe zwischen Behörden",
            "Jede Art hat eine Zielzeit. Ist sie überschritten, erscheint die Übergabe auf Ihrer Übersicht und (pseudonymisiert) bei der Koordination.",
            "Übergabe speichern",
        ),
        (Kind::Handoff, true) => ("Übergabe abschließen", "", "Abschluss speichern"),
        (Kind::Contact, _) => ("Neuer Kontakt", "", "Kontakt speichern"),
        (Kind::FollowUp, _) => (
            "Neue Wiedervorlage",
            "Fällige Wiedervorlagen stehen auf Ihrer Übersicht.",
            "Wiedervorlage speichern",
        ),
        (Kind::Consent, false) => (
            "Einwilligung erfassen",
            "Eine Schweigepflichtentbindung nennt die Stelle und die Angaben, die sie sehen darf; solange sie gilt, sieht die Stelle genau das. Das Formular zum Unterschreiben lässt sich nach dem Speichern drucken.",
            "Einwilligung speichern",
        ),
        (Kind::Consent, true) => (
            "Einwilligung widerrufen",
            "Der Widerruf gilt sofort: was die Einwilligung erlaubt hat, sieht niemand mehr.",
            "Widerruf speichern",
        ),
        (Kind::Conference, _) => (
            "Fallkonferenz festhalten",
            "Mit Einwilligung der Person (Zweck Fallkonferenz): wer beteiligt war und was vereinbart wurde.",
            "Fallkonferenz speichern",
        ),
        (Kind::Household, _) => (
            "Haushalt zuordnen",
            "Personen eines Haushalts erscheinen auf den Seiten ihrer Fälle, soweit Sie diese Fälle sehen.",
            "Haushalt speichern",
        ),
        (Kind::Share, _) => (
            "Fall teilen oder übergeben",
            "Die Empfängerin oder der Empfänger nimmt an oder lehnt ab. Mit einer anderen Organisation lässt sich ein Fall nur mit gültiger Schweigepflichtentbindung mit Namen teilen; pseudonymisiert geht es immer.",
            "Anfrage senden",
        ),
    }
}

/// An offer pick for the referral form: the chosen offer first, then at most [`PICK`]
/// offers whose title holds the words searched for.
const PICK: usize = 50;

async fn offer_pick(
    app: &AppState,
    user: &CurrentUser,
    action: &str,
    q: &str,
    chosen: &str,
) -> Result<Pick, AppError> {
    let viewer = user.principal.viewer();
    let offers = lotse_store::offers::for_viewer(&app.db, &viewer);
    let mut chosen_pairs = Vec::new();
    if lotse_domain::validation::is_uuid(chosen.trim())
        && let Ok(o) = offers.get(chosen.trim()).await
    {
        chosen_pairs.push((o.id.clone(), o.title.clone()));
    }
    let page = offers
        .list(
            &OfferFilter {
                q: q.trim().to_owned(),
                ..OfferFilter::default()
            },
            app.today(),
            &PageRequest::first(PICK + 1),
        )
        .await?;
    let more = page.items.len() > PICK;
    let found = page
        .items
        .into_iter()
        .take(PICK)
        .map(|o| {
            let label = format!("{} ({})", o.title, o.organisation);
            (o.id.clone(), label)
        })
        .collect();
    Ok(Pick::of(action.to_owned(), q, chosen_pairs, found, more, PICK).by_post())
}

/// The viewer's other cases that they may change, (id, name), at most [`PICK`] (the first page
/// of their list): whose household the case's person can join.
async fn household_choices(
    app: &AppState,
    viewer: &lotse_store::scoped::Viewer,
    case_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let page = cases::for_viewer(&app.db, viewer)
        .page(&PageRequest::first(PICK), app.now())
        .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|c| c.id != case_id && c.access.change)
        .map(|c| {
            (
                c.id.clone(),
                format!("{} ({})", c.shown_name(), c.pseudonym),
            )
        })
        .collect())
}

/// Whether the viewer may use the form of `kind` on the case: sharing is the assigned case
/// manager's decision, everything else needs the right to change the case.
fn may(kind: Kind, case: &lotse_store::scoped::Scoped<cases::CaseRecord>) -> bool {
    if kind == Kind::Share {
        case.access.decide
    } else {
        case.access.change
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    case_id: &str,
    kind: Kind,
    entry: Option<&str>,
    form: &WorkInput,
    errors: FormErrors,
) -> Result<WorkFormPage, AppError> {
    let viewer = user.principal.viewer();
    let case = cases::for_viewer(&app.db, &viewer)
        .get(case_id, app.now())
        .await?;
    if !may(kind, &case) {
        return Err(StoreError::NotFound.into());
    }
    let action = match entry {
        Some(e) => format!("/cases/{case_id}/{}/{e}", kind.segment()),
        None => format!("/cases/{case_id}/{}", kind.segment()),
    };
    let with_targets = matches!(
        (kind, entry),
        (
            Kind::Goal | Kind::Referral | Kind::Consent | Kind::Share,
            None
        ) | (Kind::Referral, Some(_))
    );
    let org_pick = if with_targets {
        let q = OrganisationPickQuery {
            organisation_q: form.organisation_q.clone(),
        };
        // A conference checks several organisations: each stays among the choices.
        let chosen: Vec<&str> = if kind == Kind::Conference {
            form.organisation_ids.iter().map(String::as_str).collect()
        } else {
            vec![form.organisation_id.as_str()]
        };
        Some(
            organisation_pick(app, action.clone(), &q, &chosen)
                .await?
                .by_post(),
        )
    } else {
        None
    };
    let offer_pick = if kind == Kind::Referral {
        Some(offer_pick(app, user, &action, &form.offer_q, &form.offer_id).await?)
    } else {
        None
    };
    let choices = match kind {
        Kind::Share => cases::possible_receivers(&app.db, &viewer, 500).await?,
        Kind::Household => household_choices(app, &viewer, case_id).await?,
        Kind::Conference => org_pick.as_ref().map(Pick::pairs).unwrap_or_default(),
        _ => Vec::new(),
    };
    let (heading, intro, submit) = heading(kind, entry.is_some());
    let field_label: fn(&str) -> &str = match kind {
        Kind::Consent | Kind::Share | Kind::Household => consent_field_label,
        _ => work_field_label,
    };
    Ok(WorkFormPage {
        layout: Layout::new(app, user, heading, path),
        case_name: case.shown_name(),
        case_id: case_id.to_owned(),
        heading,
        intro,
        action,
        submit,
        fields: fields(kind, entry.is_some(), form, choices),
        summary: errors.summary(field_label),
        errors,
        org_pick,
        offer_pick,
        offer_id: form.offer_id.trim().to_owned(),
        organisation_id: form.organisation_id.trim().to_owned(),
        // A conference lists the organisations as checkboxes among its fields.
        org_select: kind != Kind::Conference,
        organisation_label: match kind {
            Kind::Consent => "Stelle (bei einer Schweigepflichtentbindung)",
            Kind::Share => "an eine Organisation",
            _ => "Organisation",
        },
    })
}

/// The form for a new entry, with today's date where the form asks for a day.
pub async fn new_form(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    case_id: &str,
    kind: Kind,
) -> Result<Response, AppError> {
    let today = app.today().to_string();
    let form = WorkInput {
        assessed_on: today.clone(),
        requested_on: today.clone(),
        contact_on: today.clone(),
        given_on: today.clone(),
        held_on: today.clone(),
        started_on: if kind == Kind::Handoff {
            today.clone()
        } else {
            String::new()
        },
        ..WorkInput::default()
    };
    render(
        &page(
            app,
            user,
            path,
            case_id,
            kind,
            None,
            &form,
            FormErrors::none(),
        )
        .await?,
    )
}

/// The form for an existing entry, filled from what is stored.
pub async fn entry_form(
    app: &AppState,
    user: &CurrentUser,
    path: &str,
    case_id: &str,
    kind: Kind,
    entry: &str,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let cases = cases::for_viewer(&app.db, &viewer);
    let case = cases.get(case_id, app.now()).await?;
    let work = cases.work(&case).await?;
    let text = |d: Option<lotse_domain::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let form = match kind {
        Kind::Referral => {
            let r = work
                .referrals
                .iter()
                .find(|r| r.id == entry)
                .ok_or(StoreError::NotFound)?;
            WorkInput {
                life_domain: r.life_domain.clone(),
                offer_id: r.offer_id.clone().unwrap_or_default(),
                organisation_id: r.organisation_id.clone().unwrap_or_default(),
                requested_on: r.requested_on.to_string(),
                first_contact_on: text(r.first_contact_on),
                started_on: text(r.started_on),
                outcome: r.outcome.clone().unwrap_or_default(),
                unmet_reason: r.unmet_reason.clone().unwrap_or_default(),
                ..WorkInput::default()
            }
        }
        Kind::Handoff => {
            let h = work
                .handoffs
                .iter()
                .find(|h| h.id == entry)
                .ok_or(StoreError::NotFound)?;
            WorkInput {
                completed_on: h
                    .completed_on
                    .map_or_else(|| app.today().to_string(), |d| d.to_string()),
                ..WorkInput::default()
            }
        }
        Kind::Consent => {
            // A revoked consent still opens its page: saving says it is revoked already.
            if !cases.consents(&case).await?.iter().any(|k| k.id == entry) {
                return Err(StoreError::NotFound.into());
            }
            WorkInput {
                revoked_on: app.today().to_string(),
                ..WorkInput::default()
            }
        }
        Kind::Goal => {
            let g = work
                .goals
                .iter()
                .find(|g| g.id == entry)
                .ok_or(StoreError::NotFound)?;
            WorkInput {
                status: g.status.clone(),
                ..WorkInput::default()
            }
        }
        _ => return Err(StoreError::NotFound.into()),
    };
    render(
        &page(
            app,
            user,
            path,
            case_id,
            kind,
            Some(entry),
            &form,
            FormErrors::none(),
        )
        .await?,
    )
}

/// Saves a new entry or an entry's change; a search in a pick list brings the form back with
/// what it held, a refused one with its errors at the fields.
pub async fn save(
    app: &AppState,
    user: &CurrentUser,
    case_id: &str,
    kind: Kind,
    entry: Option<&str>,
    body: &str,
) -> Result<Response, AppError> {
    let form: WorkInput = serde_html_form::from_str(body)
        .map_err(|e| AppError::bad_request(format!("Formular nicht lesbar: {e}")))?;
    let path = match entry {
        Some(e) => format!("/cases/{case_id}/{}/{e}", kind.segment()),
        None => format!("/cases/{case_id}/{}/new", kind.segment()),
    };
    let searched = form_urlencoded::parse(body.as_bytes())
        .any(|(k, _)| k == "organisation_search" || k == "offer_search");
    if searched {
        return render(
            &page(
                app,
                user,
                &path,
                case_id,
                kind,
                entry,
                &form,
                FormErrors::none(),
            )
            .await?,
        );
    }
    let viewer = user.principal.viewer();
    let (today, now) = (app.today(), app.now());
    // Whoever may not do this with the case learns nothing about the form: not found, before
    // any check of what was sent (the store decides again in its transaction).
    let case = cases::for_viewer(&app.db, &viewer)
        .get(case_id, now)
        .await?;
    if !may(kind, &case) {
        return Err(StoreError::NotFound.into());
    }
    let targets = if kind == Kind::Handoff {
        HandoffTargets::load(&app.db).await?
    } else {
        HandoffTargets::default()
    };
    let result = app
        .db
        .write(async |tx| match (kind, entry) {
            (Kind::Assessment, None) => {
                cases::add_assessment(tx, &viewer, case_id, &form.assessment(), today, now)
                    .await
                    .map(drop)
            }
            (Kind::Goal, None) => cases::add_goal(tx, &viewer, case_id, &form.goal(), now)
                .await
                .map(drop),
            (Kind::Goal, Some(goal)) => match GoalStatus::parse(&form.status) {
                Some(status) => {
                    cases::set_goal_status(tx, &viewer, case_id, goal, status, now).await
                }
                None => Err(StoreError::field("status", "Bitte den Stand wählen.")),
            },
            (Kind::Referral, None) => {
                cases::add_referral(tx, &viewer, case_id, &form.referral(), today, now)
                    .await
                    .map(drop)
            }
            (Kind::Referral, Some(r)) => {
                cases::update_referral(tx, &viewer, case_id, r, &form.referral(), today, now).await
            }
            (Kind::Handoff, None) => {
                cases::add_handoff(tx, &viewer, case_id, &form.handoff(), &targets, today, now)
                    .await
                    .map(drop)
            }
            (Kind::Handoff, Some(h)) => {
                cases::complete_handoff(tx, &viewer, case_id, h, &form.completed_on, today, now)
                    .await
            }
            (Kind::Contact, None) => {
                cases::add_contact(tx, &viewer, case_id, &form.contact(), today, now)
                    .await
                    .map(drop)
            }
            (Kind::FollowUp, None) => {
                cases::add_follow_up(tx, &viewer, case_id, &form.follow_up(), now)
                    .await
                    .map(drop)
            }
            (Kind::Consent, None) => match form.consent().validate(today) {
                Ok(draft) => cases::record_consent(tx, &viewer, case_id, &draft, now)
                    .await
                    .map(drop),
                Err(e) => Err(StoreError::Invalid(e)),
            },
            (Kind::Consent, Some(k)) => {
                let revocation = RevocationInput {
                    revoked_on: form.revoked_on.clone(),
                };
                cases::revoke_consent(tx, &viewer, case_id, k, &revocation, today, now).await
            }
            (Kind::Share, None) => match form.share().validate() {
                Ok(draft) => cases::request_share(tx, &viewer, case_id, &draft, now)
                    .await
                    .map(drop),
                Err(e) => Err(StoreError::Invalid(e)),
            },
            (Kind::Conference, None) => {
                cases::add_conference(tx, &viewer, case_id, &form.conference(), today, now)
                    .await
                    .map(drop)
            }
            (Kind::Household, None) => match form.household() {
                Ok(choice) => cases::set_household(tx, &viewer, case_id, &choice, now)
                    .await
                    .map(drop),
                Err(e) => Err(e),
            },
            (
                Kind::Assessment
                | Kind::Contact
                | Kind::FollowUp
                | Kind::Share
                | Kind::Household
                | Kind::Conference,
                Some(_),
            ) => Err(StoreError::NotFound),
        })
        .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/cases/{case_id}?ok=saved#{}", kind.anchor())).into_response(),
        ),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &page(
                app,
                user,
                &path,
                case_id,
                kind,
                entry,
                &form,
                FormErrors(errors),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

macro_rules! work_routes {
    ($($kind:ident: $new_form:ident, $create:ident;)+) => {
        $(
            pub async fn $new_form(
                State(app): State<AppState>,
                user: CurrentUser,
                uri: OriginalUri,
                Path(id): Path<String>,
            ) -> Result<Response, AppError> {
                new_form(&app, &user, uri.path(), &id, Kind::$kind).await
            }

            pub async fn $create(
                State(app): State<AppState>,
                user: CurrentUser,
                Path(id): Path<String>,
                body: String,
            ) -> Result<Response, AppError> {
                save(&app, &user, &id, Kind::$kind, None, &body).await
            }
        )+
    };
}

work_routes! {
    Assessment: new_assessment, create_assessment;
    Goal: new_goal, create_goal;
    Referral: new_referral, create_referral;
    Handoff: new_handoff, create_handoff;
    Contact: new_contact, create_contact;
    FollowUp: new_follow_up, create_follow_up;
    Consent: new_consent, create_consent;
    Share: new_share, create_share;
    Household: household_form, set_household;
    Conference: new_conference, create_conference;
}

macro_rules! entry_routes {
    ($($kind:ident: $form:ident, $change:ident;)+) => {
        $(
            pub async fn $form(
                State(app): State<AppState>,
                user: CurrentUser,
                uri: OriginalUri,
                Path((id, entry)): Path<(String, String)>,
            ) -> Result<Response, AppError> {
                entry_form(&app, &user, uri.path(), &id, Kind::$kind, &entry).await
            }

            pub async fn $change(
                State(app): State<AppState>,
                user: CurrentUser,
                Path((id, entry)): Path<(String, String)>,
                body: String,
            ) -> Result<Response, AppError> {
                save(&app, &user, &id, Kind::$kind, Some(&entry), &body).await
            }
        )+
    };
}

entry_routes! {
    Goal: goal_form, change_goal;
    Referral: referral_form, change_referral;
    Handoff: handoff_form, complete_handoff;
    Consent: revocation_form, revoke_consent;
}

/// A follow-up is done (a button on the case page and the start page).
pub async fn finish_follow_up(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, entry)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let (today, now) = (app.today(), app.now());
    app.db
        .write(async |tx| cases::finish_follow_up(tx, &viewer, &id, &entry, today, now).await)
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}?ok=saved#follow-ups")).into_response())
}
