//! The access policy: the one place that decides what a role may do.
//!
//! Every route declares the [`Permission`] it needs (see the web crate's route table): the first,
//! coarse gate. Which records a permitted user may see and change (your organisation's offer, the
//! report your organisation was asked for) is decided per record by [`crate::access`].

use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the 13 towns and their keys (reference data, no personal data).
    ViewTowns,
    /// See the directory of organisations (no personal data).
    ViewOrganisations,
    /// Create, edit, deactivate and import organisations.
    ManageOrganisations,
    /// Create, edit and deactivate user accounts; reset passwords and second factors.
    ManageUsers,
    /// Browse the audit log.
    ViewAuditLog,
    /// Change platform settings such as which roles must use a second factor.
    ManageSettings,
    /// See the concepts and their measures (no personal data; the committee reads them).
    ViewMeasures,
    /// Create and edit concepts, fields of action and measures; change a measure's status.
    ManageMeasures,
    /// Open and close review rounds; accept or return the updates submitted in them.
    ManageReviews,
    /// Report on measures in a review round: for measures led by one's own organisation only
    /// (which reports: [`crate::access`]).
    SubmitReviewUpdates,
    /// See the register of structural issues (no personal data: counts and descriptions only).
    ViewStructuralIssues,
    /// Enter and update structural issues.
    ManageStructuralIssues,
    /// See bodies, meetings, decisions and action items.
    ViewBodies,
    /// Keep bodies, meetings, minutes, decisions and action items.
    ManageBodies,
    /// See the staff offer directory, including offers waiting for approval.
    ViewOffers,
    /// Create and change offers of one's own organisation (which offers: [`crate::access`]); changes of
    /// organisations not marked trusted wait for the coordination's approval.
    MaintainOwnOffers,
    /// Create, change, approve and withdraw any organisation's offers.
    ManageOffers,
    /// See the KI's programmes and the funding behind them (no personal data).
    ViewProgrammes,
    /// Keep programmes, their sites, groups and participant figures.
    ManageProgrammes,
    /// Keep funding programmes, budgets, grants, payments and spending-report deadlines.
    ManageFunding,
    /// See KIM cases: a case manager their own (with names), the coordination all of them
    /// pseudonymised, partners what was shared with them or released to them (which cases and
    /// fields: [`crate::access`]).
    ViewCases,
    /// Open cases (intake): case managers.
    OpenCases,
    /// Work on cases one may change (phases, contacts, consents, …): case managers, and partners
    /// a case was shared with to work on (which cases: [`crate::access`]).
    WorkOnCases,
    /// Open an emergency access to a case one is not assigned to, with a reason, for a few hours.
    BreakGlass,
    /// Share a case with another organisation without a valid release (a documented emergency),
    /// with a reason the coordination reviews.
    OverrideConsent,
    /// Review emergency accesses and shares without release.
    ReviewCaseAccess,
    /// Read the case statistics: counts under the statistics rule, no person in them.
    ViewCaseStatistics,
    /// Set the target duration of each hand-off type (the monitor's yardstick).
    SetHandoffTargets,
    /// Ask the KI's interpreter pool for an interpreter, and follow one's organisation's
    /// requests (which requests: [`crate::access`]).
    RequestInterpreters,
    /// Run the interpreter pool: keep the interpreters, review and match requests, record
    /// assignments and allowances.
    ManageInterpreterPool,
    /// See requests to the interpreter pool: a requester its organisation's, an interpreter
    /// their own assignments, the coordination all of them (which: [`crate::access`]).
    ViewInterpreterRequests,
    /// Register a newly arrived family for the first school counselling: the authorities,
    /// towns, schools and services that meet them (they do not see the registration after).
    RegisterForSchoolCounselling,
    /// See and work on registrations for the first school counselling: the KI all of them, a
    /// counsellor their site's (which: [`crate::access`]).
    ViewSchoolCounselling,
    /// Keep the counselling sites' counsellors and review what families sent themselves.
    ManageSchoolCounselling,
    /// Read the waiting times of the school counselling: counts under the statistics rule,
    /// no child in them.
    ViewSchoolCounsellingFigures,
}

impl Permission {
    pub const ALL: [Permission; 35] = [
        Permission::ViewTowns,
        Permission::ViewOrganisations,
        Permission::ManageOrganisations,
        Permission::ManageUsers,
        Permission::ViewAuditLog,
        Permission::ManageSettings,
        Permission::ViewMeasures,
        Permission::ManageMeasures,
        Permission::ManageReviews,
        Permission::SubmitReviewUpdates,
        Permission::ViewStructuralIssues,
        Permission::ManageStructuralIssues,
        Permission::ViewBodies,
        Permission::ManageBodies,
        Permission::ViewOffers,
        Permission::MaintainOwnOffers,
        Permission::ManageOffers,
        Permission::ViewProgrammes,
        Permission::ManageProgrammes,
        Permission::ManageFunding,
        Permission::ViewCases,
        Permission::OpenCases,
        Permission::WorkOnCases,
        Permission::BreakGlass,
        Permission::OverrideConsent,
        Permission::ReviewCaseAccess,
        Permission::ViewCaseStatistics,
        Permission::SetHandoffTargets,
        Permission::RequestInterpreters,
        Permission::ManageInterpreterPool,
        Permission::ViewInterpreterRequests,
        Permission::RegisterForSchoolCounselling,
        Permission::ViewSchoolCounselling,
        Permission::ManageSchoolCounselling,
        Permission::ViewSchoolCounsellingFigures,
    ];
}

/// Whether a user holding `role` may do what `permission` names.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        // Reference data and the organisation directory are needed by everyone who refers people on.
        ViewTowns | ViewOrganisations | ViewMeasures => true,
        // The steering's registers and minutes are for staff; the pool's interpreters are
        // volunteers who come for their assignments.
        ViewStructuralIssues | ViewBodies => role != Role::Interpreter,
        // Offers are public once published; staff see the pipeline too, so they know what is coming.
        ViewOffers | ViewProgrammes => true,
        // Providers keep their own offers; the integration centre keeps the directory as a whole.
        MaintainOwnOffers => matches!(
            role,
            Role::Admin | Role::Coordination | Role::Partner | Role::ImmigrationOffice
        ),
        ManageOffers | ManageProgrammes => matches!(role, Role::Admin | Role::Coordination),
        // Funding is the integration centre's own bookkeeping towards the state.
        ManageFunding => matches!(role, Role::Admin | Role::Coordination),
        // The integration centre runs the bodies' business (minutes, decisions, action items).
        ManageBodies => matches!(role, Role::Admin | Role::Coordination),
        // Case managers find the barriers; the coordination takes them to the steering group.
        ManageStructuralIssues => {
            matches!(role, Role::Admin | Role::Coordination | Role::CaseManager)
        }
        // Organisations are kept by the integration centre (KI/KIM) and the platform admins.
        ManageOrganisations => matches!(role, Role::Admin | Role::Coordination),
        // The concepts are steered by the KI/KIM coordination; partners report through review rounds.
        ManageMeasures | ManageReviews => matches!(role, Role::Admin | Role::Coordination),
        // Organisations that lead measures report on them: providers, the immigration office, and
        // the KI itself (coordination).
        SubmitReviewUpdates => matches!(
            role,
            Role::Admin | Role::Coordination | Role::Partner | Role::ImmigrationOffice
        ),
        // Cases hold personal data: their case managers work on them; the coordination steers
        // with pseudonymised figures; partners see what a share or a release gives them;
        // administrators and readers never.
        ViewCases => matches!(
            role,
            Role::Coordination
                | Role::CaseManager
                | Role::Partner
                | Role::ImmigrationOffice
                | Role::SchoolCounsellor
        ),
        WorkOnCases => matches!(
            role,
            Role::CaseManager | Role::Partner | Role::ImmigrationOffice | Role::SchoolCounsellor
        ),
        OpenCases | BreakGlass | OverrideConsent => role == Role::CaseManager,
        // Emergency access and sharing without release are reviewed by someone who did neither.
        ReviewCaseAccess => role == Role::Coordination,
        // The figures are evidence for the steering group and the committee (readers); they go
        // through the statistics rule and name no one.
        ViewCaseStatistics => matches!(role, Role::Coordination | Role::CaseManager | Role::Reader),
        SetHandoffTargets => role == Role::Coordination,
        // Authorities, schools, institutions and welfare associations of the district ask the
        // pool; private persons cannot (they have no account), and the pool's rules refuse the
        // settings it does not serve.
        RequestInterpreters => matches!(
            role,
            Role::Coordination
                | Role::CaseManager
                | Role::Partner
                | Role::ImmigrationOffice
                | Role::SchoolCounsellor
        ),
        // The pool is the KI's own service.
        ManageInterpreterPool => role == Role::Coordination,
        ViewInterpreterRequests => matches!(
            role,
            Role::Coordination
                | Role::CaseManager
                | Role::Partner
                | Role::ImmigrationOffice
                | Role::SchoolCounsellor
                | Role::Interpreter
        ),
        // Newly arrived families are met by the registration offices and social offices of the
        // towns, schools, counselling services and case managers: they pass a family on.
        RegisterForSchoolCounselling => matches!(
            role,
            Role::Coordination
                | Role::CaseManager
                | Role::Partner
                | Role::ImmigrationOffice
                | Role::SchoolCounsellor
        ),
        // The counselling is the KI's own service, given by its counsellors at three sites.
        ViewSchoolCounselling => matches!(role, Role::Coordination | Role::SchoolCounsellor),
        ManageSchoolCounselling => role == Role::Coordination,
        // Waiting times are evidence for the steering group and the committee, as the case
        // figures are.
        ViewSchoolCounsellingFigures => matches!(
            role,
            Role::Coordination | Role::SchoolCounsellor | Role::CaseManager | Role::Reader
        ),
        // Accounts, the audit trail and settings are an administrator's job only: the audit log is
        // the one record that must stay out of the hands of those it records.
        ManageUsers | ViewAuditLog | ManageSettings => role == Role::Admin,
    }
}

/// Whether any of the roles allows the permission (a user may hold several roles).
pub fn any_allows(roles: &[Role], permission: Permission) -> bool {
    roles.iter().any(|r| allows(*r, permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_see_the_audit_log_and_manage_users() {
        for role in Role::ALL {
            assert_eq!(allows(role, Permission::ViewAuditLog), role == Role::Admin);
            assert_eq!(allows(role, Permission::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn coordination_manages_organisations_partners_do_not() {
        assert!(allows(Role::Coordination, Permission::ManageOrganisations));
        assert!(!allows(Role::Partner, Permission::ManageOrganisations));
        assert!(!allows(Role::Reader, Permission::ManageOrganisations));
    }
}
