//! The route table: every route with the access it requires, in one list.
//!
//! Declaring access here, beside the path, rather than inside handlers means a route cannot be
//! added without deciding who may use it, and the test suite can walk this list and prove that
//! nothing but the public routes answers without a session and that each role is refused what
//! its permissions do not cover.

use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use lotse_domain::Permission;
use lotse_domain::access::{Action as RecordAction, Record};
use lotse_domain::validation::is_uuid;

use axum::extract::DefaultBodyLimit;

use crate::{AppState, api, assets, guard, hsds_api, pages, upload};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: login, health checks, static assets, the API description.
    Public,
    /// Password accepted, second factor still to come: only the code form.
    SecondFactor,
    /// Any signed-in user, even one who must still enrol a second factor.
    Enrolment,
    /// Any fully signed-in user.
    SignedIn,
    /// A fully signed-in user whose roles grant the permission.
    Permission(Permission),
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// For a route about one record (its id in the path as `{id}`, or `{update}` for a report):
    /// the kind of record and what the route does with it. The store decides by
    /// `lotse_domain::access`; the web tests walk every such route against that table.
    pub record: Option<(Record, RecordAction)>,
}

struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

/// The public school registration's largest body: every field at its limit fits in well
/// under this.
const SCHOOL_FORM_BODY_LIMIT: usize = 32 * 1024;

fn r(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            record: None,
        },
        handler,
    }
}

impl Route {
    /// Marks the route as one about a single record (see [`RouteSpec::record`]).
    fn on(mut self, record: Record, action: RecordAction) -> Route {
        self.spec.record = Some((record, action));
        self
    }
}

fn table() -> Vec<Route> {
    use Access::{Enrolment, Public, SecondFactor, SignedIn};
    use Method as M;
    use Permission::*;
    vec![
        // Operations and assets
        r(M::GET, "/healthz", Public, get(pages::health::healthz)),
        r(M::GET, "/readyz", Public, get(pages::health::readyz)),
        r(M::GET, "/assets/{file}", Public, get(assets::serve)),
        r(M::GET, "/favicon.ico", Public, get(assets::favicon)),
        // Signing in and out
        r(M::GET, "/login", Public, get(pages::login::form)),
        r(M::POST, "/login", Public, post(pages::login::submit)),
        r(
            M::GET,
            "/login/totp",
            SecondFactor,
            get(pages::login::totp_form),
        ),
        r(
            M::POST,
            "/login/totp",
            SecondFactor,
            post(pages::login::totp_submit),
        ),
        r(M::POST, "/logout", Public, post(pages::login::logout)),
        // The public offer finder (no login; German at /angebote, translations under a prefix)
        r(
            M::GET,
            "/angebote",
            Public,
            get(pages::finder::search_german),
        ),
        r(
            M::GET,
            "/angebote/{id}",
            Public,
            get(pages::finder::offer_german),
        ),
        r(
            M::GET,
            "/angebote/{id}/druck",
            Public,
            get(pages::finder::print_german),
        ),
        r(
            M::GET,
            "/{locale}/angebote",
            Public,
            get(pages::finder::search_translated),
        ),
        r(
            M::GET,
            "/{locale}/angebote/{id}/druck",
            Public,
            get(pages::finder::print_translated),
        ),
        r(
            M::GET,
            "/{locale}/angebote/{id}",
            Public,
            get(pages::finder::offer_translated),
        ),
        // The legal pages every public page links (German, and in every finder language)
        r(M::GET, "/impressum", Public, get(pages::legal::show_german)),
        r(
            M::GET,
            "/datenschutz",
            Public,
            get(pages::legal::show_german),
        ),
        r(
            M::GET,
            "/barrierefreiheit",
            Public,
            get(pages::legal::show_german),
        ),
        r(
            M::POST,
            "/barrierefreiheit",
            Public,
            post(pages::legal::report_german),
        ),
        r(
            M::GET,
            "/{locale}/impressum",
            Public,
            get(pages::legal::show_translated),
        ),
        r(
            M::GET,
            "/{locale}/datenschutz",
            Public,
            get(pages::legal::show_translated),
        ),
        r(
            M::GET,
            "/{locale}/barrierefreiheit",
            Public,
            get(pages::legal::show_translated),
        ),
        r(
            M::POST,
            "/{locale}/barrierefreiheit",
            Public,
            post(pages::legal::report_translated),
        ),
        // The public registration for the first school counselling, in every finder language;
        // a registration is a few kilobytes, so the body limit is small.
        r(
            M::GET,
            "/schulanmeldung",
            Public,
            get(pages::school_form::show_german),
        ),
        r(
            M::POST,
            "/schulanmeldung",
            Public,
            post(pages::school_form::submit_german)
                .layer(axum::extract::DefaultBodyLimit::max(SCHOOL_FORM_BODY_LIMIT)),
        ),
        r(
            M::GET,
            "/{locale}/schulanmeldung",
            Public,
            get(pages::school_form::show_translated),
        ),
        r(
            M::POST,
            "/{locale}/schulanmeldung",
            Public,
            post(pages::school_form::submit_translated)
                .layer(axum::extract::DefaultBodyLimit::max(SCHOOL_FORM_BODY_LIMIT)),
        ),
        // The read-only HSDS 3.0 API for other directories
        r(M::GET, "/hsds/", Public, get(hsds_api::root)),
        r(M::GET, "/hsds/services", Public, get(hsds_api::services)),
        r(
            M::GET,
            "/hsds/services/{id}",
            Public,
            get(hsds_api::service),
        ),
        r(
            M::GET,
            "/hsds/organizations",
            Public,
            get(hsds_api::organizations),
        ),
        r(
            M::GET,
            "/hsds/organizations/{id}",
            Public,
            get(hsds_api::organization),
        ),
        r(
            M::GET,
            "/hsds/service_at_locations",
            Public,
            get(hsds_api::service_at_locations),
        ),
        r(
            M::GET,
            "/hsds/service_at_locations/{id}",
            Public,
            get(hsds_api::service_at_location),
        ),
        r(
            M::GET,
            "/hsds/taxonomies",
            Public,
            get(hsds_api::taxonomies),
        ),
        r(
            M::GET,
            "/hsds/taxonomies/{id}",
            Public,
            get(hsds_api::taxonomy),
        ),
        r(
            M::GET,
            "/hsds/taxonomy_terms",
            Public,
            get(hsds_api::taxonomy_terms),
        ),
        r(
            M::GET,
            "/hsds/taxonomy_terms/{id}",
            Public,
            get(hsds_api::taxonomy_term),
        ),
        r(
            M::GET,
            "/api/v1/public/offers",
            Public,
            get(pages::finder::api_search),
        ),
        r(
            M::GET,
            "/api/v1/public/offers/{id}",
            Public,
            get(pages::finder::api_offer),
        ),
        // Start page
        r(M::GET, "/", SignedIn, get(pages::dashboard::show)),
        // The staff search in the header, over what the person's roles may see
        r(M::GET, "/search", SignedIn, get(pages::search::show)),
        // The bell: what concerns the signed-in person
        r(
            M::GET,
            "/notifications",
            SignedIn,
            get(pages::notifications::list),
        ),
        r(
            M::GET,
            "/notifications/{id}",
            SignedIn,
            get(pages::notifications::open),
        ),
        r(
            M::POST,
            "/notifications/read",
            SignedIn,
            post(pages::notifications::read_all),
        ),
        // Own account
        r(M::GET, "/account", Enrolment, get(pages::account::show)),
        r(
            M::POST,
            "/account/password",
            Enrolment,
            post(pages::account::change_password),
        ),
        r(
            M::GET,
            "/account/totp",
            Enrolment,
            get(pages::account::totp_setup),
        ),
        r(
            M::POST,
            "/account/totp",
            Enrolment,
            post(pages::account::totp_confirm),
        ),
        r(
            M::POST,
            "/account/totp/remove",
            SignedIn,
            post(pages::account::totp_remove),
        ),
        r(
            M::POST,
            "/account/tokens",
            SignedIn,
            post(pages::account::create_token),
        ),
        r(
            M::POST,
            "/account/tokens/{id}/revoke",
            SignedIn,
            post(pages::account::revoke_token),
        ),
        // Towns and organisations
        r(
            M::GET,
            "/towns",
            Access::Permission(ViewTowns),
            get(pages::towns::list),
        ),
        r(
            M::GET,
            "/organisations",
            Access::Permission(ViewOrganisations),
            get(pages::organisations::list),
        ),
        r(
            M::GET,
            "/organisations/new",
            Access::Permission(ManageOrganisations),
            get(pages::organisations::new_form),
        ),
        r(
            M::POST,
            "/organisations",
            Access::Permission(ManageOrganisations),
            post(pages::organisations::create),
        ),
        r(
            M::GET,
            "/organisations/import",
            Access::Permission(ManageOrganisations),
            get(pages::organisations::import_form),
        ),
        r(
            M::POST,
            "/organisations/import",
            Access::Permission(ManageOrganisations),
            post(pages::organisations::import).layer(DefaultBodyLimit::max(upload::BODY_BYTES)),
        ),
        r(
            M::GET,
            "/organisations/{id}",
            Access::Permission(ViewOrganisations),
            get(pages::organisations::show),
        ),
        r(
            M::GET,
            "/organisations/{id}/edit",
            Access::Permission(ManageOrganisations),
            get(pages::organisations::edit_form),
        ),
        r(
            M::POST,
            "/organisations/{id}",
            Access::Permission(ManageOrganisations),
            post(pages::organisations::update),
        ),
        r(
            M::POST,
            "/organisations/{id}/active",
            Access::Permission(ManageOrganisations),
            post(pages::organisations::set_active),
        ),
        r(
            M::POST,
            "/organisations/{id}/trusted",
            Access::Permission(ManageOffers),
            post(pages::organisations::set_trusted),
        ),
        // Offers (staff side; the public finder is under /angebote)
        r(
            M::GET,
            "/offers",
            Access::Permission(ViewOffers),
            get(pages::offers::list),
        ),
        r(
            M::GET,
            "/offers/new",
            Access::Permission(MaintainOwnOffers),
            get(pages::offers::new_form),
        ),
        r(
            M::POST,
            "/offers",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::create),
        ),
        r(
            M::GET,
            "/offers/misses",
            Access::Permission(ManageOffers),
            get(pages::finder_misses::list),
        ),
        r(
            M::POST,
            "/offers/misses/clear",
            Access::Permission(ManageOffers),
            post(pages::finder_misses::clear),
        ),
        r(
            M::GET,
            "/offers/concepts",
            Access::Permission(ManageOffers),
            get(pages::finder_concepts::list),
        ),
        r(
            M::GET,
            "/offers/concepts/new",
            Access::Permission(ManageOffers),
            get(pages::finder_concepts::new_form),
        ),
        r(
            M::POST,
            "/offers/concepts",
            Access::Permission(ManageOffers),
            post(pages::finder_concepts::create),
        ),
        r(
            M::GET,
            "/offers/concepts/{id}",
            Access::Permission(ManageOffers),
            get(pages::finder_concepts::edit_form),
        ),
        r(
            M::POST,
            "/offers/concepts/{id}",
            Access::Permission(ManageOffers),
            post(pages::finder_concepts::update),
        ),
        r(
            M::POST,
            "/offers/concepts/{id}/withdraw",
            Access::Permission(ManageOffers),
            post(pages::finder_concepts::withdraw),
        ),
        r(
            M::GET,
            "/offers/words",
            Access::Permission(ManageOffers),
            get(pages::finder_words::show),
        ),
        r(
            M::POST,
            "/offers/words",
            Access::Permission(ManageOffers),
            post(pages::finder_words::update),
        ),
        r(
            M::POST,
            "/offers/reminders",
            Access::Permission(ManageOffers),
            post(pages::offers::remind),
        ),
        r(
            M::GET,
            "/offers/{id}",
            Access::Permission(ViewOffers),
            get(pages::offers::show),
        )
        .on(Record::Offer, RecordAction::View),
        r(
            M::GET,
            "/offers/{id}/edit",
            Access::Permission(MaintainOwnOffers),
            get(pages::offers::edit_form),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::update),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::GET,
            "/offers/{id}/translations/{locale}",
            Access::Permission(MaintainOwnOffers),
            get(pages::offers::translation_form),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}/translations/{locale}",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::save_translation),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}/verify",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::verify),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}/withdraw",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::withdraw),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}/discard",
            Access::Permission(MaintainOwnOffers),
            post(pages::offers::discard),
        )
        .on(Record::Offer, RecordAction::Change),
        r(
            M::POST,
            "/offers/{id}/approve",
            Access::Permission(ManageOffers),
            post(pages::offers::approve),
        )
        .on(Record::Offer, RecordAction::Decide),
        r(
            M::POST,
            "/offers/{id}/return",
            Access::Permission(ManageOffers),
            post(pages::offers::return_change),
        )
        .on(Record::Offer, RecordAction::Decide),
        // The integration centre's programmes
        r(
            M::GET,
            "/programmes",
            Access::Permission(ViewProgrammes),
            get(pages::programmes::list),
        ),
        r(
            M::GET,
            "/programmes/new",
            Access::Permission(ManageProgrammes),
            get(pages::programmes::new_form),
        ),
        r(
            M::POST,
            "/programmes",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::create),
        ),
        r(
            M::GET,
            "/programmes/{id}",
            Access::Permission(ViewProgrammes),
            get(pages::programmes::show),
        )
        .on(Record::Programme, RecordAction::View),
        r(
            M::GET,
            "/programmes/{id}/edit",
            Access::Permission(ManageProgrammes),
            get(pages::programmes::edit_form),
        )
        .on(Record::Programme, RecordAction::Change),
        r(
            M::POST,
            "/programmes/{id}",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::update),
        )
        .on(Record::Programme, RecordAction::Change),
        r(
            M::POST,
            "/programmes/{id}/sites",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::add_site),
        )
        .on(Record::Programme, RecordAction::Change),
        r(
            M::POST,
            "/programmes/{id}/sites/{site}/active",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::set_site_active),
        ),
        r(
            M::POST,
            "/programmes/{id}/figures",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::set_figures),
        )
        .on(Record::Programme, RecordAction::Change),
        r(
            M::POST,
            "/programmes/{id}/measures",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::link_measure),
        )
        .on(Record::Programme, RecordAction::Change),
        r(
            M::POST,
            "/programmes/{id}/measures/{measure}/unlink",
            Access::Permission(ManageProgrammes),
            post(pages::programmes::unlink_measure),
        ),
        // The first school counselling (decision 0018): registering families, their children's
        // steps, the KI's review, the sites' counsellors
        r(
            M::GET,
            "/school-counselling",
            Access::Permission(ViewSchoolCounselling),
            get(pages::school_counselling::list),
        ),
        r(
            M::GET,
            "/school-counselling/new",
            Access::Permission(RegisterForSchoolCounselling),
            get(pages::school_counselling::new_registration),
        ),
        r(
            M::POST,
            "/school-counselling",
            Access::Permission(RegisterForSchoolCounselling),
            post(pages::school_counselling::create_registration),
        ),
        r(
            M::GET,
            "/school-counselling/figures",
            Access::Permission(ViewSchoolCounsellingFigures),
            get(pages::school_counselling::figures),
        ),
        r(
            M::GET,
            "/school-counselling/sites",
            Access::Permission(ManageSchoolCounselling),
            get(pages::school_counselling::sites),
        ),
        r(
            M::POST,
            "/school-counselling/sites/{ags}",
            Access::Permission(ManageSchoolCounselling),
            post(pages::school_counselling::set_counsellors),
        ),
        r(
            M::GET,
            "/school-counselling/{id}",
            Access::Permission(ViewSchoolCounselling),
            get(pages::school_counselling::show),
        )
        .on(Record::SchoolRegistration, RecordAction::View),
        r(
            M::POST,
            "/school-counselling/{id}/accept",
            Access::Permission(ManageSchoolCounselling),
            post(pages::school_counselling::accept),
        )
        .on(Record::SchoolRegistration, RecordAction::Decide),
        r(
            M::POST,
            "/school-counselling/{id}/reject",
            Access::Permission(ManageSchoolCounselling),
            post(pages::school_counselling::reject),
        )
        .on(Record::SchoolRegistration, RecordAction::Decide),
        r(
            M::POST,
            "/school-counselling/{id}/site",
            Access::Permission(ManageSchoolCounselling),
            post(pages::school_counselling::move_site),
        )
        .on(Record::SchoolRegistration, RecordAction::Decide),
        r(
            M::POST,
            "/school-counselling/{id}/appointments",
            Access::Permission(ViewSchoolCounselling),
            post(pages::school_counselling::book),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        r(
            M::POST,
            "/school-counselling/appointments/{id}/move",
            Access::Permission(ViewSchoolCounselling),
            post(pages::school_counselling::move_appointment),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        r(
            M::POST,
            "/school-counselling/appointments/{id}/close",
            Access::Permission(ViewSchoolCounselling),
            post(pages::school_counselling::close_appointment),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        r(
            M::GET,
            "/school-counselling/children/{id}/handoff",
            Access::Permission(ViewSchoolCounselling),
            get(pages::school_counselling::handoff_document),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        r(
            M::POST,
            "/school-counselling/children/{id}/record",
            Access::Permission(ViewSchoolCounselling),
            post(pages::school_counselling::record),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        r(
            M::POST,
            "/school-counselling/children/{id}/status",
            Access::Permission(ViewSchoolCounselling),
            post(pages::school_counselling::advance),
        )
        .on(Record::SchoolRegistration, RecordAction::Change),
        // The interpreter pool (decision 0017): requests, review and matching, the pool itself
        r(
            M::GET,
            "/interpreters/requests",
            Access::Permission(ViewInterpreterRequests),
            get(pages::interpreters::list),
        ),
        r(
            M::GET,
            "/interpreters/requests/new",
            Access::Permission(RequestInterpreters),
            get(pages::interpreters::new_request),
        ),
        r(
            M::POST,
            "/interpreters/requests",
            Access::Permission(RequestInterpreters),
            post(pages::interpreters::create_request),
        ),
        r(
            M::GET,
            "/interpreters/requests/{id}",
            Access::Permission(ViewInterpreterRequests),
            get(pages::interpreters::show_request),
        )
        .on(Record::InterpreterRequest, RecordAction::View),
        r(
            M::POST,
            "/interpreters/requests/{id}/cancel",
            Access::Permission(RequestInterpreters),
            post(pages::interpreters::cancel),
        )
        .on(Record::InterpreterRequest, RecordAction::Change),
        r(
            M::POST,
            "/interpreters/requests/{id}/review",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::review),
        )
        .on(Record::InterpreterRequest, RecordAction::Decide),
        r(
            M::POST,
            "/interpreters/requests/{id}/assign",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::assign),
        )
        .on(Record::InterpreterRequest, RecordAction::Decide),
        r(
            M::POST,
            "/interpreters/requests/{id}/unmet",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::unmet),
        )
        .on(Record::InterpreterRequest, RecordAction::Decide),
        r(
            M::POST,
            "/interpreters/requests/{id}/complete",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::complete),
        )
        .on(Record::InterpreterRequest, RecordAction::Decide),
        r(
            M::GET,
            "/interpreters/pool",
            Access::Permission(ManageInterpreterPool),
            get(pages::interpreters::pool),
        ),
        r(
            M::GET,
            "/interpreters/pool/new",
            Access::Permission(ManageInterpreterPool),
            get(pages::interpreters::new_interpreter),
        ),
        r(
            M::POST,
            "/interpreters/pool",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::create_interpreter),
        ),
        r(
            M::POST,
            "/interpreters/pool/rates",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::set_rates),
        ),
        r(
            M::GET,
            "/interpreters/pool/{id}",
            Access::Permission(ManageInterpreterPool),
            get(pages::interpreters::edit_interpreter),
        ),
        r(
            M::POST,
            "/interpreters/pool/{id}",
            Access::Permission(ManageInterpreterPool),
            post(pages::interpreters::update_interpreter),
        ),
        r(
            M::GET,
            "/interpreters/statement",
            Access::Permission(ManageInterpreterPool),
            get(pages::interpreters::statement),
        ),
        r(
            M::GET,
            "/interpreters/statement.xlsx",
            Access::Permission(ManageInterpreterPool),
            get(pages::interpreters::statement_xlsx),
        ),
        // State funding: funding programmes, grants, deadlines
        r(
            M::GET,
            "/funding",
            Access::Permission(ManageFunding),
            get(pages::funding::list),
        ),
        r(
            M::GET,
            "/funding/new",
            Access::Permission(ManageFunding),
            get(pages::funding::new_form),
        ),
        r(
            M::POST,
            "/funding",
            Access::Permission(ManageFunding),
            post(pages::funding::create),
        ),
        r(
            M::GET,
            "/funding/export.xlsx",
            Access::Permission(ManageFunding),
            get(pages::funding::export),
        ),
        r(
            M::POST,
            "/funding/reminders",
            Access::Permission(ManageFunding),
            post(pages::funding::remind),
        ),
        r(
            M::GET,
            "/funding/{id}",
            Access::Permission(ManageFunding),
            get(pages::funding::show),
        )
        .on(Record::Funding, RecordAction::View),
        r(
            M::GET,
            "/funding/{id}/edit",
            Access::Permission(ManageFunding),
            get(pages::funding::edit_form),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::POST,
            "/funding/{id}",
            Access::Permission(ManageFunding),
            post(pages::funding::update),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::POST,
            "/funding/{id}/budgets",
            Access::Permission(ManageFunding),
            post(pages::funding::set_budget),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::POST,
            "/funding/{id}/grants",
            Access::Permission(ManageFunding),
            post(pages::funding::create_grant),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::GET,
            "/grants/{id}",
            Access::Permission(ManageFunding),
            get(pages::funding::grant),
        )
        .on(Record::Funding, RecordAction::View),
        r(
            M::POST,
            "/grants/{id}/movements",
            Access::Permission(ManageFunding),
            post(pages::funding::add_movement),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::POST,
            "/grants/{id}/deadlines",
            Access::Permission(ManageFunding),
            post(pages::funding::add_deadline),
        )
        .on(Record::Funding, RecordAction::Change),
        r(
            M::POST,
            "/deadlines/{id}/submitted",
            Access::Permission(ManageFunding),
            post(pages::funding::set_submitted),
        ),
        // Integration concepts and their measures
        r(
            M::GET,
            "/concepts",
            Access::Permission(ViewMeasures),
            get(pages::concepts::list),
        ),
        r(
            M::POST,
            "/concepts",
            Access::Permission(ManageMeasures),
            post(pages::concepts::create),
        ),
        r(
            M::POST,
            "/concepts/{id}/fields",
            Access::Permission(ManageMeasures),
            post(pages::concepts::add_field),
        ),
        r(
            M::GET,
            "/measures",
            Access::Permission(ViewMeasures),
            get(pages::measures::list),
        ),
        r(
            M::GET,
            "/measures/new",
            Access::Permission(ManageMeasures),
            get(pages::measures::new_form),
        ),
        r(
            M::GET,
            "/measures/export.xlsx",
            Access::Permission(ViewMeasures),
            get(pages::measures::export),
        ),
        r(
            M::GET,
            "/measures/import",
            Access::Permission(ManageMeasures),
            get(pages::measure_import::form),
        ),
        r(
            M::POST,
            "/measures/import",
            Access::Permission(ManageMeasures),
            post(pages::measure_import::submit).layer(DefaultBodyLimit::max(upload::BODY_BYTES)),
        ),
        r(
            M::POST,
            "/measures",
            Access::Permission(ManageMeasures),
            post(pages::measures::create),
        ),
        r(
            M::GET,
            "/measures/{id}",
            Access::Permission(ViewMeasures),
            get(pages::measures::show),
        ),
        r(
            M::GET,
            "/measures/{id}/edit",
            Access::Permission(ManageMeasures),
            get(pages::measures::edit_form),
        ),
        r(
            M::POST,
            "/measures/{id}",
            Access::Permission(ManageMeasures),
            post(pages::measures::update),
        ),
        r(
            M::POST,
            "/measures/{id}/indicators",
            Access::Permission(ManageMeasures),
            post(pages::measures::add_indicator),
        ),
        r(
            M::POST,
            "/measures/{id}/indicators/{indicator}/values",
            Access::Permission(ManageMeasures),
            post(pages::measures::record_value),
        ),
        // Bodies, meetings, decisions, action items
        r(
            M::GET,
            "/bodies",
            Access::Permission(ViewBodies),
            get(pages::bodies::list),
        ),
        r(
            M::POST,
            "/bodies",
            Access::Permission(ManageBodies),
            post(pages::bodies::create),
        ),
        r(
            M::GET,
            "/bodies/{id}",
            Access::Permission(ViewBodies),
            get(pages::bodies::show),
        ),
        r(
            M::POST,
            "/bodies/{id}/meetings",
            Access::Permission(ManageBodies),
            post(pages::bodies::create_meeting),
        ),
        r(
            M::POST,
            "/bodies/{id}/decisions",
            Access::Permission(ManageBodies),
            post(pages::bodies::create_decision),
        ),
        r(
            M::GET,
            "/meetings/{id}",
            Access::Permission(ViewBodies),
            get(pages::bodies::meeting),
        ),
        r(
            M::POST,
            "/meetings/{id}/agenda",
            Access::Permission(ManageBodies),
            post(pages::bodies::add_agenda),
        ),
        r(
            M::POST,
            "/meetings/{id}/minutes",
            Access::Permission(ManageBodies),
            post(pages::bodies::set_minutes),
        ),
        r(
            M::POST,
            "/meetings/{id}/issues",
            Access::Permission(ManageBodies),
            post(pages::bodies::link_issue),
        ),
        r(
            M::POST,
            "/decisions/{id}/issues",
            Access::Permission(ManageBodies),
            post(pages::bodies::link_decision_issue),
        ),
        r(
            M::POST,
            "/action-items",
            Access::Permission(ManageBodies),
            post(pages::bodies::create_action),
        ),
        r(
            M::POST,
            "/action-items/{id}/state",
            SignedIn,
            post(pages::bodies::set_action_state),
        ),
        // KIM cases: personal data; which cases and fields, the store decides (Record::Case)
        r(
            M::GET,
            "/cases",
            Access::Permission(ViewCases),
            get(pages::cases::list),
        ),
        r(
            M::GET,
            "/cases/monitor",
            Access::Permission(ViewCases),
            get(pages::cases::monitor::show),
        ),
        r(
            M::POST,
            "/cases/monitor/targets",
            Access::Permission(SetHandoffTargets),
            post(pages::cases::monitor::set_targets),
        ),
        r(
            M::GET,
            "/cases/statistics",
            Access::Permission(ViewCaseStatistics),
            get(pages::cases::statistics::page),
        ),
        r(
            M::GET,
            "/cases/statistics/figures",
            Access::Permission(ViewCaseStatistics),
            get(pages::cases::statistics::figures_part),
        ),
        r(
            M::GET,
            "/cases/statistics.xlsx",
            Access::Permission(ViewCaseStatistics),
            get(pages::cases::statistics::xlsx),
        ),
        r(
            M::GET,
            "/cases/shares",
            Access::Permission(ViewCases),
            get(pages::cases::shares::inbox),
        ),
        // Answering and ending shares: the store finds only shares addressed to or made by
        // the user.
        r(
            M::POST,
            "/cases/shares/{id}/accept",
            Access::Permission(ViewCases),
            post(pages::cases::shares::accept),
        ),
        r(
            M::POST,
            "/cases/shares/{id}/decline",
            Access::Permission(ViewCases),
            post(pages::cases::shares::decline),
        ),
        r(
            M::POST,
            "/cases/shares/{id}/end",
            Access::Permission(ViewCases),
            post(pages::cases::shares::end),
        ),
        r(
            M::GET,
            "/cases/break-glass",
            Access::Permission(BreakGlass),
            get(pages::cases::shares::break_glass_form),
        ),
        r(
            M::POST,
            "/cases/break-glass",
            Access::Permission(BreakGlass),
            post(pages::cases::shares::break_glass),
        ),
        r(
            M::GET,
            "/cases/access-reviews",
            Access::Permission(ReviewCaseAccess),
            get(pages::cases::shares::reviews),
        ),
        r(
            M::POST,
            "/cases/access-reviews/{kind}/{id}",
            Access::Permission(ReviewCaseAccess),
            post(pages::cases::shares::review),
        ),
        r(
            M::GET,
            "/cases/import",
            Access::Permission(OpenCases),
            get(pages::cases::import::form),
        ),
        r(
            M::POST,
            "/cases/import",
            Access::Permission(OpenCases),
            post(pages::cases::import::submit).layer(DefaultBodyLimit::max(upload::BODY_BYTES)),
        ),
        r(
            M::GET,
            "/cases/new",
            Access::Permission(OpenCases),
            get(pages::cases::new_form),
        ),
        r(
            M::POST,
            "/cases",
            Access::Permission(OpenCases),
            post(pages::cases::create),
        ),
        r(
            M::GET,
            "/cases/{id}",
            Access::Permission(ViewCases),
            get(pages::cases::show),
        )
        .on(Record::Case, RecordAction::View),
        r(
            M::POST,
            "/cases/{id}/deputy",
            Access::Permission(WorkOnCases),
            post(pages::cases::set_deputy),
        )
        .on(Record::Case, RecordAction::Decide),
        r(
            M::POST,
            "/cases/{id}/phase",
            Access::Permission(WorkOnCases),
            post(pages::cases::change_phase),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/assessments/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_assessment),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/assessments",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_assessment),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/goals/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_goal),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/goals",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_goal),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/referrals/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_referral),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/referrals",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_referral),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/handoffs/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_handoff),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/handoffs",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_handoff),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/contacts/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_contact),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/contacts",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_contact),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/follow-ups/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_follow_up),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/follow-ups",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_follow_up),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/goals/{entry}",
            Access::Permission(WorkOnCases),
            get(pages::cases::goal_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/goals/{entry}",
            Access::Permission(WorkOnCases),
            post(pages::cases::change_goal),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/referrals/{entry}",
            Access::Permission(WorkOnCases),
            get(pages::cases::referral_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/referrals/{entry}",
            Access::Permission(WorkOnCases),
            post(pages::cases::change_referral),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/handoffs/{entry}",
            Access::Permission(WorkOnCases),
            get(pages::cases::handoff_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/handoffs/{entry}",
            Access::Permission(WorkOnCases),
            post(pages::cases::complete_handoff),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/follow-ups/{entry}/done",
            Access::Permission(WorkOnCases),
            post(pages::cases::finish_follow_up),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/consents/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_consent),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/consents",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_consent),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/consents/{entry}",
            Access::Permission(WorkOnCases),
            get(pages::cases::revocation_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/consents/{entry}",
            Access::Permission(WorkOnCases),
            post(pages::cases::revoke_consent),
        )
        .on(Record::Case, RecordAction::Change),
        // Printing the form to sign is part of recording the consent.
        r(
            M::GET,
            "/cases/{id}/consents/{entry}/print",
            Access::Permission(WorkOnCases),
            get(pages::cases::consent_form::print),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/conferences/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_conference),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/conferences",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_conference),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/documents/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::documents::new_document),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/documents",
            Access::Permission(WorkOnCases),
            post(pages::cases::documents::upload)
                .layer(DefaultBodyLimit::max(pages::cases::documents::BODY_BYTES)),
        )
        .on(Record::Case, RecordAction::Change),
        // Documents go to whoever works on the case; every download is in the access log.
        r(
            M::GET,
            "/cases/{id}/documents/{entry}",
            Access::Permission(WorkOnCases),
            get(pages::cases::documents::download),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/person",
            Access::Permission(WorkOnCases),
            get(pages::cases::subject::person_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/person",
            Access::Permission(WorkOnCases),
            post(pages::cases::subject::correct),
        )
        .on(Record::Case, RecordAction::Change),
        // The person's rights: the assigned case manager answers for the district.
        r(
            M::GET,
            "/cases/{id}/export.json",
            Access::Permission(WorkOnCases),
            get(pages::cases::subject::export_json),
        )
        .on(Record::Case, RecordAction::Decide),
        r(
            M::GET,
            "/cases/{id}/export.pdf",
            Access::Permission(WorkOnCases),
            get(pages::cases::subject::export_pdf),
        )
        .on(Record::Case, RecordAction::Decide),
        r(
            M::POST,
            "/cases/{id}/anonymise",
            Access::Permission(WorkOnCases),
            post(pages::cases::subject::anonymise),
        )
        .on(Record::Case, RecordAction::Decide),
        r(
            M::GET,
            "/cases/{id}/household/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::household_form),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::POST,
            "/cases/{id}/household",
            Access::Permission(WorkOnCases),
            post(pages::cases::set_household),
        )
        .on(Record::Case, RecordAction::Change),
        r(
            M::GET,
            "/cases/{id}/shares/new",
            Access::Permission(WorkOnCases),
            get(pages::cases::new_share),
        )
        .on(Record::Case, RecordAction::Decide),
        r(
            M::POST,
            "/cases/{id}/shares",
            Access::Permission(WorkOnCases),
            post(pages::cases::create_share),
        )
        .on(Record::Case, RecordAction::Decide),
        // Structural issues
        r(
            M::GET,
            "/issues",
            Access::Permission(ViewStructuralIssues),
            get(pages::structural_issues::list),
        ),
        r(
            M::GET,
            "/issues/new",
            Access::Permission(ManageStructuralIssues),
            get(pages::structural_issues::new_form),
        ),
        r(
            M::POST,
            "/issues",
            Access::Permission(ManageStructuralIssues),
            post(pages::structural_issues::create),
        ),
        r(
            M::GET,
            "/issues/{id}",
            Access::Permission(ViewStructuralIssues),
            get(pages::structural_issues::show),
        ),
        r(
            M::GET,
            "/issues/{id}/edit",
            Access::Permission(ManageStructuralIssues),
            get(pages::structural_issues::edit_form),
        ),
        r(
            M::POST,
            "/issues/{id}",
            Access::Permission(ManageStructuralIssues),
            post(pages::structural_issues::update),
        ),
        // Review rounds
        r(
            M::GET,
            "/rounds",
            Access::Permission(ViewMeasures),
            get(pages::rounds::list),
        ),
        r(
            M::POST,
            "/rounds",
            Access::Permission(ManageReviews),
            post(pages::rounds::open),
        ),
        r(
            M::GET,
            "/rounds/{id}",
            Access::Permission(ViewMeasures),
            get(pages::rounds::show),
        ),
        r(
            M::GET,
            "/rounds/{id}/close",
            Access::Permission(ManageReviews),
            get(pages::rounds::close_form),
        ),
        r(
            M::POST,
            "/rounds/{id}/close",
            Access::Permission(ManageReviews),
            post(pages::rounds::close),
        ),
        r(
            M::GET,
            "/rounds/{id}/report",
            Access::Permission(ViewMeasures),
            get(pages::report::show),
        ),
        r(
            M::GET,
            "/rounds/{id}/export.xlsx",
            Access::Permission(ViewMeasures),
            get(pages::report::export),
        ),
        r(
            M::GET,
            "/rounds/{id}/report.docx",
            Access::Permission(ViewMeasures),
            get(pages::report::export_docx),
        ),
        r(
            M::GET,
            "/rounds/{id}/report.pdf",
            Access::Permission(ViewMeasures),
            get(pages::report::export_pdf),
        ),
        r(
            M::GET,
            "/rounds/{id}/progress.xlsx",
            Access::Permission(ManageReviews),
            get(pages::rounds::progress_xlsx),
        ),
        r(
            M::POST,
            "/rounds/{id}/accept",
            Access::Permission(ManageReviews),
            post(pages::rounds::accept_many),
        ),
        r(
            M::POST,
            "/rounds/{id}/deadline",
            Access::Permission(ManageReviews),
            post(pages::rounds::set_deadline),
        ),
        r(
            M::POST,
            "/rounds/{id}/remind",
            Access::Permission(ManageReviews),
            post(pages::rounds::remind),
        ),
        r(
            M::POST,
            "/rounds/{id}/proposals",
            Access::Permission(SubmitReviewUpdates),
            post(pages::rounds::propose),
        ),
        r(
            M::GET,
            "/rounds/{id}/updates/{update}",
            Access::Permission(SubmitReviewUpdates),
            get(pages::rounds::update_form),
        )
        .on(Record::ReviewReport, RecordAction::View),
        r(
            M::POST,
            "/rounds/{id}/updates/{update}",
            Access::Permission(SubmitReviewUpdates),
            post(pages::rounds::submit),
        )
        .on(Record::ReviewReport, RecordAction::Change),
        r(
            M::POST,
            "/rounds/{id}/updates/{update}/review",
            Access::Permission(ManageReviews),
            post(pages::rounds::review),
        )
        .on(Record::ReviewReport, RecordAction::Decide),
        // Administration
        r(
            M::GET,
            "/admin/users",
            Access::Permission(ManageUsers),
            get(pages::users::list),
        ),
        r(
            M::GET,
            "/admin/users/new",
            Access::Permission(ManageUsers),
            get(pages::users::new_form),
        ),
        r(
            M::POST,
            "/admin/users",
            Access::Permission(ManageUsers),
            post(pages::users::create),
        ),
        r(
            M::GET,
            "/admin/users/{id}",
            Access::Permission(ManageUsers),
            get(pages::users::edit_form),
        ),
        r(
            M::POST,
            "/admin/users/{id}",
            Access::Permission(ManageUsers),
            post(pages::users::update),
        ),
        r(
            M::POST,
            "/admin/users/{id}/active",
            Access::Permission(ManageUsers),
            post(pages::users::set_active),
        ),
        r(
            M::POST,
            "/admin/users/{id}/password",
            Access::Permission(ManageUsers),
            post(pages::users::set_password),
        ),
        r(
            M::POST,
            "/admin/users/{id}/totp/reset",
            Access::Permission(ManageUsers),
            post(pages::users::reset_totp),
        ),
        r(
            M::GET,
            "/admin/reads",
            Access::Permission(ViewAuditLog),
            get(pages::reads::list),
        ),
        r(
            M::GET,
            "/admin/audit",
            Access::Permission(ViewAuditLog),
            get(pages::audit::list),
        ),
        r(
            M::GET,
            "/admin/jobs",
            Access::Permission(ManageSettings),
            get(pages::jobs::list),
        ),
        r(
            M::POST,
            "/admin/jobs/{job}/run",
            Access::Permission(ManageSettings),
            post(pages::jobs::run),
        ),
        r(
            M::GET,
            "/admin/settings",
            Access::Permission(ManageSettings),
            get(pages::settings::show),
        ),
        r(
            M::POST,
            "/admin/settings",
            Access::Permission(ManageSettings),
            post(pages::settings::update),
        ),
        r(
            M::GET,
            "/admin/legal",
            Access::Permission(ManageSettings),
            get(pages::legal::edit),
        ),
        r(
            M::POST,
            "/admin/legal",
            Access::Permission(ManageSettings),
            post(pages::legal::save),
        ),
        r(
            M::POST,
            "/admin/legal/feedback/handled",
            Access::Permission(ManageSettings),
            post(pages::legal::all_handled),
        ),
        r(
            M::POST,
            "/admin/legal/feedback/{id}/handled",
            Access::Permission(ManageSettings),
            post(pages::legal::handled),
        ),
        // JSON API
        r(
            M::GET,
            "/api/v1/openapi.json",
            Public,
            get(api::openapi_document),
        ),
        r(M::GET, "/api/v1/me", SignedIn, get(api::accounts::me)),
        r(
            M::GET,
            "/api/v1/towns",
            Access::Permission(ViewTowns),
            get(api::towns),
        ),
        r(
            M::GET,
            "/api/v1/organisations",
            Access::Permission(ViewOrganisations),
            get(api::organisations::list),
        ),
        r(
            M::POST,
            "/api/v1/organisations",
            Access::Permission(ManageOrganisations),
            post(api::organisations::create),
        ),
        r(
            M::GET,
            "/api/v1/organisations/{id}",
            Access::Permission(ViewOrganisations),
            get(api::organisations::get),
        ),
        r(
            M::GET,
            "/api/v1/users",
            Access::Permission(ManageUsers),
            get(api::accounts::list),
        ),
        r(
            M::GET,
            "/api/v1/measures",
            Access::Permission(ViewMeasures),
            get(api::measures::list),
        ),
        r(
            M::GET,
            "/api/v1/measures/{id}",
            Access::Permission(ViewMeasures),
            get(api::measures::get),
        ),
        r(
            M::GET,
            "/api/v1/rounds",
            Access::Permission(ViewMeasures),
            get(api::rounds::list),
        ),
        r(
            M::GET,
            "/api/v1/rounds/{id}",
            Access::Permission(ViewMeasures),
            get(api::rounds::get),
        ),
        r(
            M::GET,
            "/api/v1/offers",
            Access::Permission(ViewOffers),
            get(api::offers::list),
        ),
        r(
            M::GET,
            "/api/v1/offers/{id}",
            Access::Permission(ViewOffers),
            get(api::offers::get),
        )
        .on(Record::Offer, RecordAction::View),
        r(
            M::GET,
            "/api/v1/programmes",
            Access::Permission(ViewProgrammes),
            get(api::programmes::list),
        ),
        r(
            M::GET,
            "/api/v1/programmes/{id}",
            Access::Permission(ViewProgrammes),
            get(api::programmes::get),
        )
        .on(Record::Programme, RecordAction::View),
        r(
            M::GET,
            "/api/v1/funding",
            Access::Permission(ManageFunding),
            get(api::funding::list),
        ),
        r(
            M::GET,
            "/api/v1/funding/{id}",
            Access::Permission(ManageFunding),
            get(api::funding::get),
        )
        .on(Record::Funding, RecordAction::View),
        r(
            M::GET,
            "/api/v1/bodies",
            Access::Permission(ViewBodies),
            get(api::bodies::list),
        ),
        r(
            M::GET,
            "/api/v1/bodies/{id}",
            Access::Permission(ViewBodies),
            get(api::bodies::get),
        ),
        r(
            M::GET,
            "/api/v1/decisions",
            Access::Permission(ViewBodies),
            get(api::bodies::decisions),
        ),
        r(
            M::GET,
            "/api/v1/decisions/{id}",
            Access::Permission(ViewBodies),
            get(api::bodies::decision),
        ),
        r(
            M::GET,
            "/api/v1/statistics/cases",
            Access::Permission(ViewCaseStatistics),
            get(api::cases::statistics),
        ),
        r(
            M::GET,
            "/api/v1/cases",
            Access::Permission(ViewCases),
            get(api::cases::list),
        ),
        r(
            M::GET,
            "/api/v1/cases/{id}",
            Access::Permission(ViewCases),
            get(api::cases::get),
        )
        .on(Record::Case, RecordAction::View),
        r(
            M::GET,
            "/api/v1/structural-issues",
            Access::Permission(ViewStructuralIssues),
            get(api::structural_issues::list),
        ),
        r(
            M::GET,
            "/api/v1/structural-issues/{id}",
            Access::Permission(ViewStructuralIssues),
            get(api::structural_issues::get),
        ),
        r(
            M::GET,
            "/api/v1/interpreter-requests",
            Access::Permission(ViewInterpreterRequests),
            get(api::interpreters::list),
        ),
        r(
            M::POST,
            "/api/v1/interpreter-requests",
            Access::Permission(RequestInterpreters),
            post(api::interpreters::create),
        ),
        r(
            M::GET,
            "/api/v1/interpreter-requests/{id}",
            Access::Permission(ViewInterpreterRequests),
            get(api::interpreters::get),
        )
        .on(Record::InterpreterRequest, RecordAction::View),
        r(
            M::GET,
            "/api/v1/interpreter-pool/unmet",
            Access::Permission(ManageInterpreterPool),
            get(api::interpreters::unmet),
        ),
    ]
}

/// Every route with its access rule, for tests and documentation.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_iter().map(|r| r.spec).collect()
}

/// Path parameters that are not record ids (`kind`: of an access to review, a fixed word the
/// handler matches, anything else is not found; `ags`: a town's eight-digit key, looked up
/// among the counselling sites).
const NOT_IDS: [&str; 5] = ["locale", "file", "job", "kind", "ags"];

/// Every record has a UUID; a path parameter that is not one cannot name a record, and is
/// answered 404 before a handler sees it. Handlers put ids into queries and into the `Location`
/// of their redirects: a fuzzed id with a control character once made a redirect header
/// unbuildable (500). Runs inside the guard, so the access rules answer first.
async fn record_ids(
    params: axum::extract::RawPathParams,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let not_a_record = params
        .iter()
        .any(|(name, value)| !NOT_IDS.contains(&name) && !is_uuid(value));
    if not_a_record {
        if req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/hsds/") {
            return crate::error::api_error(axum::http::StatusCode::NOT_FOUND, "not found");
        }
        return pages::not_found().await;
    }
    next.run(req).await
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in table() {
        let guarded = route
            .handler
            .route_layer(axum::middleware::from_fn(record_ids))
            .route_layer(axum::middleware::from_fn_with_state(
                (state.clone(), route.spec.access),
                guard::check,
            ));
        router = router.route(route.spec.path, guarded);
    }
    router.fallback(pages::not_found).with_state(state)
}
