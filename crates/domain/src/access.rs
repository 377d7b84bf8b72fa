//! Who may do what with which record: one decision over facts, written down as a table.
//!
//! The route table ([`crate::policy`]) is the first, coarse gate: may this role use this page at
//! all? This module decides about one record: given who asks (their roles), how they stand to the
//! record (is it their own organisation's?) and what they want to do, it answers allow, allow with
//! these fields only, or deny. The stores ask it where they read and write, inside the query and
//! the transaction, and hand out nothing outside the answer: a record the viewer may not see is
//! "not found", never "forbidden, it belongs to someone else".
//!
//! [`RULES`] is the table. The first row that matches decides; nothing matching means deny.
//! docs/access.md is generated from it, and the web tests walk every record-bearing route against
//! it on both databases.

use crate::role::Role;

/// The kinds of record whose access depends on more than the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Record {
    /// An offer of the directory, kept by its provider organisation.
    Offer,
    /// A review round of the concept monitoring.
    ReviewRound,
    /// One organisation's report on one measure in a review round.
    ReviewReport,
    /// A programme of the KI (FIT, Mercator, …) with its sites, figures and partners.
    Programme,
    /// A funding programme with its budgets, grants, payments and deadlines.
    Funding,
    /// A KIM case with its person: personal data (decision 0012).
    Case,
    /// A request to the interpreter pool, kept by the requesting organisation (decision 0017).
    InterpreterRequest,
    /// A family registered for the first school counselling, with its children: personal data
    /// of minors, kept by the KI and the counsellors of the family's site (decision 0018).
    SchoolRegistration,
}

impl Record {
    pub const ALL: [Record; 8] = [
        Record::Offer,
        Record::ReviewRound,
        Record::ReviewReport,
        Record::Programme,
        Record::Funding,
        Record::Case,
        Record::InterpreterRequest,
        Record::SchoolRegistration,
    ];

    /// How a viewer can stand to a record of this kind: to an organisation's record through
    /// their organisation, to a case through the case itself.
    pub fn relationships(self) -> &'static [Relationship] {
        match self {
            Record::Case => &[
                Relationship::AssignedCaseManager,
                Relationship::Deputy,
                Relationship::SharedToEdit,
                Relationship::SharedToRead,
                Relationship::SharedPseudonymised,
                Relationship::Released,
                Relationship::BreakGlass,
                Relationship::Other,
            ],
            Record::InterpreterRequest => &[
                Relationship::OwnOrganisation,
                Relationship::AssignedInterpreter,
                Relationship::Other,
            ],
            Record::SchoolRegistration => &[Relationship::OwnSite, Relationship::Other],
            _ => &[Relationship::OwnOrganisation, Relationship::Other],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Record::Offer => "Angebot",
            Record::ReviewRound => "Berichtsrunde",
            Record::ReviewReport => "Bericht in einer Runde",
            Record::Programme => "Programm",
            Record::Funding => "Förderprogramm",
            Record::Case => "Fall",
            Record::InterpreterRequest => "Sprachmittlungsanfrage",
            Record::SchoolRegistration => "Meldung zur Schulischen Erstberatung",
        }
    }
}

/// How the viewer stands to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relationship {
    /// The record is their own organisation's: the provider of an offer, the organisation asked
    /// for a report.
    OwnOrganisation,
    /// They are the case manager a case is assigned to.
    AssignedCaseManager,
    /// They are the named deputy of a case's case manager.
    Deputy,
    /// The case was shared with them (or their organisation) to work on it, and they accepted.
    SharedToEdit,
    /// The case was shared with them to read it, and they accepted.
    SharedToRead,
    /// The case was shared with them without names, and they accepted.
    SharedPseudonymised,
    /// The person released the case management from confidentiality towards their organisation,
    /// and the release is valid today.
    Released,
    /// They opened an emergency access to the case that has not expired.
    BreakGlass,
    /// They are the interpreter the pool assigned to the request.
    AssignedInterpreter,
    /// They counsel at the counselling site the family belongs to.
    OwnSite,
    /// Anything else.
    Other,
}

impl Relationship {
    pub const ALL: [Relationship; 11] = [
        Relationship::OwnOrganisation,
        Relationship::AssignedCaseManager,
        Relationship::Deputy,
        Relationship::SharedToEdit,
        Relationship::SharedToRead,
        Relationship::SharedPseudonymised,
        Relationship::Released,
        Relationship::BreakGlass,
        Relationship::AssignedInterpreter,
        Relationship::OwnSite,
        Relationship::Other,
    ];

    pub fn of(viewer_organisation: &str, record_organisation: Option<&str>) -> Relationship {
        if record_organisation == Some(viewer_organisation) {
            Relationship::OwnOrganisation
        } else {
            Relationship::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relationship::OwnOrganisation => "eigene Organisation",
            Relationship::AssignedCaseManager => "zuständiges Fallmanagement",
            Relationship::Deputy => "Vertretung",
            Relationship::SharedToEdit => "geteilt zur Mitarbeit",
            Relationship::SharedToRead => "geteilt zur Einsicht",
            Relationship::SharedPseudonymised => "geteilt pseudonymisiert",
            Relationship::Released => "Schweigepflichtentbindung",
            Relationship::BreakGlass => "Notfallzugriff",
            Relationship::AssignedInterpreter => "eingesetzte Sprachmittlung",
            Relationship::OwnSite => "Beratung am eigenen Standort",
            Relationship::Other => "andere",
        }
    }
}

/// How one viewer stands to one case: every tie that holds, read from the case's facts in the
/// same statement as the case (owner, deputy, accepted shares, valid releases, open emergency
/// access). Several can hold at once (a deputy whose organisation also holds a release); the
/// widest answer over them decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CaseTies {
    pub assigned: bool,
    pub deputy: bool,
    pub shared_to_edit: bool,
    pub shared_to_read: bool,
    pub shared_pseudonymised: bool,
    pub released: bool,
    pub break_glass: bool,
}

impl CaseTies {
    /// The ties of `viewer_user_id` through assignment alone (a case just opened, or a fact
    /// read without shares and releases).
    pub fn of_assignment(viewer_user_id: &str, owner: &str, deputy: Option<&str>) -> CaseTies {
        let me = !viewer_user_id.is_empty();
        CaseTies {
            assigned: me && viewer_user_id == owner,
            deputy: me && deputy == Some(viewer_user_id),
            ..CaseTies::default()
        }
    }

    /// The relationships that hold; `Other` always does (it is what remains of anyone).
    pub fn relationships(self) -> impl Iterator<Item = Relationship> {
        [
            (self.assigned, Relationship::AssignedCaseManager),
            (self.deputy, Relationship::Deputy),
            (self.shared_to_edit, Relationship::SharedToEdit),
            (self.shared_to_read, Relationship::SharedToRead),
            (self.shared_pseudonymised, Relationship::SharedPseudonymised),
            (self.released, Relationship::Released),
            (self.break_glass, Relationship::BreakGlass),
            (true, Relationship::Other),
        ]
        .into_iter()
        .filter_map(|(holds, r)| holds.then_some(r))
    }

    /// The one tie a relationship stands for (the access tests build cases from it).
    pub fn only(relationship: Relationship) -> CaseTies {
        let mut t = CaseTies::default();
        match relationship {
            Relationship::AssignedCaseManager => t.assigned = true,
            Relationship::Deputy => t.deputy = true,
            Relationship::SharedToEdit => t.shared_to_edit = true,
            Relationship::SharedToRead => t.shared_to_read = true,
            Relationship::SharedPseudonymised => t.shared_pseudonymised = true,
            Relationship::Released => t.released = true,
            Relationship::BreakGlass => t.break_glass = true,
            Relationship::OwnOrganisation
            | Relationship::AssignedInterpreter
            | Relationship::OwnSite
            | Relationship::Other => {}
        }
        t
    }
}

/// What the viewer wants to do with the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See it (and, for lists, find it).
    View,
    /// Change it: edit an offer, submit a report, keep a programme's figures.
    Change,
    /// Decide on someone else's change: approve an offer, accept or return a report, open and
    /// close a round.
    Decide,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::View, Action::Change, Action::Decide];

    pub fn label(self) -> &'static str {
        match self {
            Action::View => "ansehen",
            Action::Change => "ändern",
            Action::Decide => "entscheiden",
        }
    }
}

/// The parts of a record a restricted viewer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fields {
    /// Of an offer, only what is published: no drafts, no pending changes, no history.
    Published,
    /// Of a case, no names, no free text, the birth year instead of the date: what steering
    /// needs (decision 0012).
    Pseudonymous,
    /// Of a case, what the person's release towards the viewer's organisation names (identity,
    /// residence, plan, assessment); everything else shows as "vertraulich".
    Released,
    /// Of an interpreter request, what the assigned interpreter needs to get there and do it:
    /// day, time, place, language, the requester's contact; not the note or the review.
    Assignment,
}

impl Fields {
    /// How much of a record the fields show, to pick the widest of two restrictions.
    fn breadth(self) -> u8 {
        match self {
            Fields::Pseudonymous => 0,
            Fields::Released | Fields::Published | Fields::Assignment => 1,
        }
    }
}

impl Fields {
    pub fn label(self) -> &'static str {
        match self {
            Fields::Published => "nur die veröffentlichte Fassung",
            Fields::Pseudonymous => "pseudonymisiert, ohne Namen",
            Fields::Released => "nur was die Schweigepflichtentbindung nennt",
            Fields::Assignment => "nur was für den Einsatz nötig ist",
        }
    }
}

/// The answer of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    /// Allowed, but only these fields.
    Only(Fields),
    Deny,
}

impl Decision {
    pub fn allows(self) -> bool {
        self != Decision::Deny
    }

    /// The more permissive of two answers (a user with several roles gets the widest).
    fn or(self, other: Decision) -> Decision {
        match (self, other) {
            (Decision::Allow, _) | (_, Decision::Allow) => Decision::Allow,
            (Decision::Only(a), Decision::Only(b)) => {
                Decision::Only(if b.breadth() > a.breadth() { b } else { a })
            }
            (Decision::Only(f), _) | (_, Decision::Only(f)) => Decision::Only(f),
            _ => Decision::Deny,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Allow => "erlaubt",
            Decision::Only(_) => "eingeschränkt",
            Decision::Deny => "verweigert",
        }
    }
}

/// One row of the table. `None` in `relationship` or `action` matches any.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub roles: &'static [Role],
    pub record: Record,
    pub relationship: Option<Relationship>,
    pub action: Option<Action>,
    pub decision: Decision,
}

use Action::{Change, Decide, View};
use Decision::{Allow, Deny, Only};
use Relationship::{
    AssignedCaseManager, AssignedInterpreter, BreakGlass, Deputy, OwnOrganisation, OwnSite,
    Released, SharedPseudonymised, SharedToEdit, SharedToRead,
};
use Role::*;

const STEERING: &[Role] = &[Admin, Coordination];
/// Organisations that provide offers and report on the measures they lead.
const PROVIDERS: &[Role] = &[Partner, ImmigrationOffice];
/// Who can be given a case to work on or to read, and who can be named in a release: the
/// organisations that work with the person (welfare associations, the immigration office,
/// schools) and other case managers. Not the coordination (it steers with pseudonyms) nor
/// admins and readers.
const CASE_PARTNERS: &[Role] = &[CaseManager, Partner, ImmigrationOffice, SchoolCounsellor];
/// Organisations of the district that may ask the interpreter pool (decision 0017).
const REQUESTERS: &[Role] = &[CaseManager, Partner, ImmigrationOffice, SchoolCounsellor];
const EVERYONE: &[Role] = &[
    Admin,
    Coordination,
    CaseManager,
    Partner,
    ImmigrationOffice,
    SchoolCounsellor,
    Interpreter,
    Reader,
];

/// The table. Read it top down: the first row whose role, record, relationship and action match
/// decides.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    // The KI/KIM coordination steers everything it runs; admins stand in for it.
    Rule { roles: STEERING, record: Record::Offer, relationship: None, action: None, decision: Allow },
    Rule { roles: STEERING, record: Record::ReviewRound, relationship: None, action: None, decision: Allow },
    Rule { roles: STEERING, record: Record::ReviewReport, relationship: None, action: None, decision: Allow },
    Rule { roles: STEERING, record: Record::Programme, relationship: None, action: None, decision: Allow },
    Rule { roles: STEERING, record: Record::Funding, relationship: None, action: None, decision: Allow },
    // Providers keep their own organisation's offers, drafts and history included; the approval
    // of their changes is the coordination's.
    Rule { roles: PROVIDERS, record: Record::Offer, relationship: Some(OwnOrganisation), action: Some(View), decision: Allow },
    Rule { roles: PROVIDERS, record: Record::Offer, relationship: Some(OwnOrganisation), action: Some(Change), decision: Allow },
    // They report on the measures their organisation was asked about, and see only those reports.
    Rule { roles: PROVIDERS, record: Record::ReviewReport, relationship: Some(OwnOrganisation), action: Some(View), decision: Allow },
    Rule { roles: PROVIDERS, record: Record::ReviewReport, relationship: Some(OwnOrganisation), action: Some(Change), decision: Allow },
    // Everyone who refers people on sees every offer as published: other organisations' drafts
    // and pending changes are theirs and the coordination's.
    Rule { roles: EVERYONE, record: Record::Offer, relationship: None, action: Some(View), decision: Only(Fields::Published) },
    // Rounds and programmes are no one's secret: the committee reads the figures.
    Rule { roles: EVERYONE, record: Record::ReviewRound, relationship: None, action: Some(View), decision: Allow },
    Rule { roles: EVERYONE, record: Record::Programme, relationship: None, action: Some(View), decision: Allow },
    // Funding is the KI's own bookkeeping towards the state: nobody else's (the rows above).
    Rule { roles: EVERYONE, record: Record::Funding, relationship: None, action: None, decision: Deny },
    // A case is its case manager's and their deputy's; the coordination sees it without names
    // (steering, hand-off overview); admins run the platform, they do not read cases.
    Rule { roles: &[CaseManager], record: Record::Case, relationship: Some(AssignedCaseManager), action: None, decision: Allow },
    Rule { roles: &[CaseManager], record: Record::Case, relationship: Some(Deputy), action: Some(View), decision: Allow },
    Rule { roles: &[CaseManager], record: Record::Case, relationship: Some(Deputy), action: Some(Change), decision: Allow },
    // A share is what its receiver accepted: to work on the case, to read it, or to read it
    // without names. Only the assigned case manager decides (shares, deputy, handing it on).
    Rule { roles: CASE_PARTNERS, record: Record::Case, relationship: Some(SharedToEdit), action: Some(View), decision: Allow },
    Rule { roles: CASE_PARTNERS, record: Record::Case, relationship: Some(SharedToEdit), action: Some(Change), decision: Allow },
    Rule { roles: CASE_PARTNERS, record: Record::Case, relationship: Some(SharedToRead), action: Some(View), decision: Allow },
    Rule { roles: CASE_PARTNERS, record: Record::Case, relationship: Some(SharedPseudonymised), action: Some(View), decision: Only(Fields::Pseudonymous) },
    // A valid release lets the named organisation read what it names, nothing else.
    Rule { roles: CASE_PARTNERS, record: Record::Case, relationship: Some(Released), action: Some(View), decision: Only(Fields::Released) },
    // Emergency access: a case manager who gave a reason reads and records, for a few hours,
    // and the coordination reviews it; passing the case on stays the assigned case manager's.
    Rule { roles: &[CaseManager], record: Record::Case, relationship: Some(BreakGlass), action: Some(View), decision: Allow },
    Rule { roles: &[CaseManager], record: Record::Case, relationship: Some(BreakGlass), action: Some(Change), decision: Allow },
    Rule { roles: &[Coordination], record: Record::Case, relationship: None, action: Some(View), decision: Only(Fields::Pseudonymous) },
    Rule { roles: EVERYONE, record: Record::Case, relationship: None, action: None, decision: Deny },
    // The interpreter pool is the KI's service: the coordination reviews, matches and settles
    // every request. The requesting organisation follows and may cancel its own; the assigned
    // interpreter reads what the assignment needs. Admins run the platform, not the pool.
    Rule { roles: &[Coordination], record: Record::InterpreterRequest, relationship: None, action: None, decision: Allow },
    Rule { roles: REQUESTERS, record: Record::InterpreterRequest, relationship: Some(OwnOrganisation), action: Some(View), decision: Allow },
    Rule { roles: REQUESTERS, record: Record::InterpreterRequest, relationship: Some(OwnOrganisation), action: Some(Change), decision: Allow },
    Rule { roles: &[Interpreter], record: Record::InterpreterRequest, relationship: Some(AssignedInterpreter), action: Some(View), decision: Only(Fields::Assignment) },
    Rule { roles: EVERYONE, record: Record::InterpreterRequest, relationship: None, action: None, decision: Deny },
    // The first school counselling is the KI's service: the coordination reviews and books for
    // all three sites; a counsellor works on the families of their own site. Whoever registered
    // a family (a town, a school) does not read it afterwards; admins and interpreters never.
    Rule { roles: &[Coordination], record: Record::SchoolRegistration, relationship: None, action: None, decision: Allow },
    Rule { roles: &[SchoolCounsellor], record: Record::SchoolRegistration, relationship: Some(OwnSite), action: Some(View), decision: Allow },
    Rule { roles: &[SchoolCounsellor], record: Record::SchoolRegistration, relationship: Some(OwnSite), action: Some(Change), decision: Allow },
    Rule { roles: EVERYONE, record: Record::SchoolRegistration, relationship: None, action: None, decision: Deny },
];

/// What one role may do: the first matching row of [`RULES`], deny if none matches.
pub fn decide_for_role(
    role: Role,
    record: Record,
    relationship: Relationship,
    action: Action,
) -> Decision {
    RULES
        .iter()
        .find(|r| {
            r.record == record
                && r.roles.contains(&role)
                && r.relationship.is_none_or(|x| x == relationship)
                && r.action.is_none_or(|x| x == action)
        })
        .map_or(Deny, |r| r.decision)
}

/// What a user with these roles may do: the widest answer over their roles.
pub fn decide(
    roles: &[Role],
    record: Record,
    relationship: Relationship,
    action: Action,
) -> Decision {
    roles.iter().fold(Deny, |d, role| {
        d.or(decide_for_role(*role, record, relationship, action))
    })
}

/// Who asks: what the stores need to know to scope their answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub username: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
}

impl Viewer {
    /// The platform itself doing `what` (an import, the demo loader, a job): the coordination's
    /// access, recorded as `system:what`.
    pub fn system(what: &str) -> Viewer {
        Viewer {
            user_id: String::new(),
            username: format!("system:{what}"),
            organisation_id: String::new(),
            roles: vec![Role::Coordination],
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id.is_empty()
    }

    pub fn relationship(&self, record_organisation: Option<&str>) -> Relationship {
        Relationship::of(&self.organisation_id, record_organisation)
    }

    /// The decision for one record of `record_organisation`.
    pub fn decide(
        &self,
        record: Record,
        record_organisation: Option<&str>,
        action: Action,
    ) -> Decision {
        decide(
            &self.roles,
            record,
            self.relationship(record_organisation),
            action,
        )
    }

    /// The decision for one case the viewer has these ties to: the widest over all of them.
    pub fn decide_case(&self, ties: CaseTies, action: Action) -> Decision {
        ties.relationships().fold(Deny, |d, rel| {
            d.or(decide(&self.roles, Record::Case, rel, action))
        })
    }

    /// The decisions for records of the viewer's own organisation and for all others: what a
    /// list query turns into its scope.
    pub fn decisions(&self, record: Record, action: Action) -> (Decision, Decision) {
        (
            decide(&self.roles, record, OwnOrganisation, action),
            decide(&self.roles, record, Relationship::Other, action),
        )
    }
}

/// What the viewer may do with one record: handed to views with the record itself, so templates
/// show buttons by it instead of working out permissions of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub view: Decision,
    pub change: bool,
    pub decide: bool,
}

impl Access {
    pub fn of(viewer: &Viewer, record: Record, record_organisation: Option<&str>) -> Access {
        Access {
            view: viewer.decide(record, record_organisation, View),
            change: viewer.decide(record, record_organisation, Change).allows(),
            decide: viewer.decide(record, record_organisation, Decide).allows(),
        }
    }

    /// What the viewer may do with one case (see [`Viewer::decide_case`]).
    pub fn of_case(viewer: &Viewer, ties: CaseTies) -> Access {
        Access {
            view: viewer.decide_case(ties, View),
            change: viewer.decide_case(ties, Change).allows(),
            decide: viewer.decide_case(ties, Decide).allows(),
        }
    }

    /// Sees the whole record, not a restricted part.
    pub fn sees_all(&self) -> bool {
        self.view == Allow
    }
}

/// The table spelt out: one line per role, record, relationship and action, as docs/access.md
/// shows it.
pub fn table_markdown() -> String {
    let mut out = String::from(
        "| Rolle | Datensatz | Beziehung | Handlung | Entscheidung |\n|---|---|---|---|---|\n",
    );
    for role in Role::ALL {
        for record in Record::ALL {
            for &relationship in record.relationships() {
                for action in Action::ALL {
                    let d = decide_for_role(role, record, relationship, action);
                    let decision = match d {
                        Only(f) => format!("{} ({})", d.label(), f.label()),
                        _ => d.label().to_owned(),
                    };
                    out.push_str(&format!(
                        "| {} | {} | {} | {} | {} |\n",
                        role.label(),
                        record.label(),
                        relationship.label(),
                        action.label(),
                        decision
                    ));
                }
            }
        }
    }
    out
}

/// The line in docs/access.md after which the generated table stands.
pub const TABLE_MARK: &str = "<!-- generated from lotse_domain::access::RULES -->";

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use Relationship::Other;

    #[test]
    fn providers_change_their_own_offers_and_see_others_as_published() {
        let d = |rel, action| decide(&[Partner], Record::Offer, rel, action);
        assert_eq!(d(OwnOrganisation, Change), Allow);
        assert_eq!(d(OwnOrganisation, View), Allow);
        assert_eq!(d(OwnOrganisation, Decide), Deny);
        assert_eq!(d(Other, Change), Deny);
        assert_eq!(d(Other, View), Only(Fields::Published));
    }

    #[test]
    fn several_roles_get_the_widest_answer() {
        assert_eq!(
            decide(&[Reader, Coordination], Record::Offer, Other, Change),
            Allow
        );
        assert_eq!(decide(&[], Record::Offer, Other, View), Deny);
    }

    #[test]
    fn reports_are_seen_by_the_asked_organisation_and_the_coordination_only() {
        for role in Role::ALL {
            let own = decide_for_role(role, Record::ReviewReport, OwnOrganisation, View);
            let other = decide_for_role(role, Record::ReviewReport, Other, View);
            assert_eq!(other.allows(), STEERING.contains(&role), "{role:?}");
            assert_eq!(
                own.allows(),
                STEERING.contains(&role) || PROVIDERS.contains(&role),
                "{role:?}"
            );
        }
    }

    #[test]
    fn funding_is_the_coordinations_only() {
        for role in Role::ALL {
            for action in Action::ALL {
                for rel in Relationship::ALL {
                    assert_eq!(
                        decide_for_role(role, Record::Funding, rel, action).allows(),
                        STEERING.contains(&role)
                    );
                }
            }
        }
    }

    #[test]
    fn a_case_is_its_case_managers_and_deputys_and_the_coordination_sees_no_names() {
        let d = |role, rel, action| decide_for_role(role, Record::Case, rel, action);
        assert_eq!(d(CaseManager, AssignedCaseManager, Change), Allow);
        assert_eq!(d(CaseManager, AssignedCaseManager, Decide), Allow);
        assert_eq!(d(CaseManager, Deputy, View), Allow);
        assert_eq!(d(CaseManager, Deputy, Decide), Deny);
        assert_eq!(d(CaseManager, Other, View), Deny);
        assert_eq!(d(Coordination, Other, View), Only(Fields::Pseudonymous));
        assert_eq!(d(Coordination, Other, Change), Deny);
        // Admins and readers never; the partners only through a share or a release.
        for role in [Admin, Reader] {
            for &rel in Record::Case.relationships() {
                for action in Action::ALL {
                    assert_eq!(d(role, rel, action), Deny, "{role:?} {rel:?} {action:?}");
                }
            }
        }
        for role in [Partner, ImmigrationOffice, SchoolCounsellor] {
            for rel in [AssignedCaseManager, Deputy, BreakGlass, Other] {
                for action in Action::ALL {
                    assert_eq!(d(role, rel, action), Deny, "{role:?} {rel:?} {action:?}");
                }
            }
            assert_eq!(d(role, Released, View), Only(Fields::Released));
            assert_eq!(d(role, Released, Change), Deny);
            assert_eq!(d(role, SharedToEdit, Change), Allow);
            assert_eq!(d(role, SharedToRead, Change), Deny);
            assert_eq!(d(role, SharedToEdit, Decide), Deny);
        }
        assert_eq!(d(CaseManager, BreakGlass, Change), Allow);
        assert_eq!(d(CaseManager, BreakGlass, Decide), Deny);
        let ties = |owner, deputy| CaseTies::of_assignment("u2", owner, deputy);
        assert!(ties("u2", None).assigned);
        assert!(ties("u1", Some("u2")).deputy);
        assert_eq!(CaseTies::of_assignment("", "", None), CaseTies::default());
    }

    #[test]
    fn the_widest_tie_decides() {
        let partner = Viewer {
            user_id: "u".into(),
            username: "u".into(),
            organisation_id: "o".into(),
            roles: vec![Partner],
        };
        let both = CaseTies {
            released: true,
            shared_pseudonymised: true,
            ..CaseTies::default()
        };
        assert_eq!(partner.decide_case(both, View), Only(Fields::Released));
        let read = CaseTies {
            shared_to_read: true,
            ..both
        };
        assert_eq!(partner.decide_case(read, View), Allow);
        assert_eq!(partner.decide_case(read, Change), Deny);
        assert_eq!(partner.decide_case(CaseTies::default(), View), Deny);
    }

    /// docs/access.md shows the table spelt out; `LOTSE_BLESS=1 cargo test -p lotse-domain`
    /// writes it anew after a change of [`RULES`].
    #[test]
    fn the_documented_table_is_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        let (head, _) = doc.split_once(TABLE_MARK).unwrap_or((&doc, ""));
        let expected = format!("{head}{TABLE_MARK}\n\n{}", table_markdown());
        if std::env::var_os("LOTSE_BLESS").is_some() {
            std::fs::write(path, &expected).unwrap_or_else(|e| panic!("write {path}: {e}"));
        }
        assert!(
            doc == expected,
            "docs/access.md is out of date: run LOTSE_BLESS=1 cargo test -p lotse-domain"
        );
    }
}
