//! Moving a whole deployment between databases: `lotse db copy`, `lotse backup` and `lotse restore`.
//!
//! Every table is listed here with its columns, in an order that satisfies the foreign keys. A test
//! compares this list with the live schema, so a migration that adds a column cannot be forgotten.
//! The source is read inside one snapshot transaction, so a copy of a running system is consistent.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Backend, Conn, Db, Pool, Tx, tx};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    NullableText,
    Int,
    NullableInt,
    Bool,
    NullableFloat,
    Float,
    /// File contents (documents): read a few rows at a time.
    Bytes,
}

pub struct Table {
    pub name: &'static str,
    /// Columns in order; the first ones named in `order_by` make rows come out in a stable order.
    pub columns: &'static [(&'static str, Kind)],
    pub order_by: &'static str,
}

use Kind::*;

/// All tables with data, parents before children. `schema_migrations` is not copied: the target
/// is migrated by the program itself. The chain heads are copied by updating their single row.
pub const TABLES: &[Table] = &[
    Table {
        name: "towns",
        order_by: "ags",
        columns: &[
            ("ags", Text),
            ("name", Text),
            ("kind", Text),
            ("first_counselling_site", Bool),
        ],
    },
    Table {
        name: "organisation_kinds",
        order_by: "key",
        columns: &[("key", Text), ("label", Text), ("sort_order", Int)],
    },
    Table {
        name: "organisations",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("name_key", Text),
            ("kind", Text),
            ("town_ags", NullableText),
            ("street", Text),
            ("postcode", Text),
            ("city", Text),
            ("email", Text),
            ("phone", Text),
            ("website", Text),
            ("active", Bool),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("trusted_publisher", Bool),
            ("list_key", Text),
            ("search_text", Text),
        ],
    },
    Table {
        name: "users",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("username", Text),
            ("display_name", Text),
            ("email", Text),
            ("organisation_id", Text),
            ("password_hash", Text),
            ("totp_secret", NullableText),
            ("totp_last_step", NullableInt),
            ("active", Bool),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("search_text", Text),
        ],
    },
    Table {
        name: "user_roles",
        order_by: "user_id, role",
        columns: &[("user_id", Text), ("role", Text)],
    },
    Table {
        name: "concepts",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("short_name", Text),
            ("title", Text),
            ("adopted_on", NullableText),
            ("description", Text),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("name_key", Text),
        ],
    },
    Table {
        name: "fields_of_action",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("concept_id", Text),
            ("name", Text),
            ("sort_order", Int),
        ],
    },
    Table {
        name: "measures",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("concept_id", Text),
            ("field_of_action_id", NullableText),
            ("code", Text),
            ("title", Text),
            ("description", Text),
            ("lead_organisation_id", NullableText),
            ("ki_involvement", Text),
            ("target_group", Text),
            ("planned_start", NullableText),
            ("planned_end", NullableText),
            ("status", Text),
            ("tags", Text),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("list_key", Text),
            ("search_text", Text),
            ("tags_key", Text),
        ],
    },
    Table {
        name: "measure_partners",
        order_by: "measure_id, organisation_id",
        columns: &[("measure_id", Text), ("organisation_id", Text)],
    },
    Table {
        name: "measure_towns",
        order_by: "measure_id, town_ags",
        columns: &[("measure_id", Text), ("town_ags", Text)],
    },
    Table {
        name: "measure_status_changes",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("measure_id", Text),
            ("at", Int),
            ("actor_id", NullableText),
            ("actor_name", Text),
            ("from_status", NullableText),
            ("to_status", Text),
            ("reason", Text),
        ],
    },
    Table {
        name: "measure_indicators",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("measure_id", Text),
            ("name", Text),
            ("unit", Text),
            ("target", NullableFloat),
            ("created_at", Int),
        ],
    },
    Table {
        name: "indicator_values",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("indicator_id", Text),
            ("as_of", Text),
            ("value", Float),
            ("recorded_at", Int),
        ],
    },
    Table {
        name: "review_rounds",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("title", Text),
            ("reference_date", Text),
            ("state", Text),
            ("fictitious", Bool),
            ("opened_at", Int),
            ("opened_by", Text),
            ("closed_at", NullableInt),
            ("closed_by", NullableText),
            ("submission_deadline", NullableText),
            ("deadline_reminded_at", NullableInt),
        ],
    },
    Table {
        name: "review_updates",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("round_id", Text),
            ("measure_id", Text),
            ("organisation_id", NullableText),
            ("state", Text),
            ("status", NullableText),
            ("progress", Text),
            ("adaptation", Text),
            ("adaptation_reason", Text),
            ("submitted_at", NullableInt),
            ("submitted_by", NullableText),
            ("reviewed_at", NullableInt),
            ("reviewed_by", NullableText),
            ("review_comment", Text),
        ],
    },
    Table {
        name: "review_update_values",
        order_by: "update_id, indicator_id",
        columns: &[
            ("update_id", Text),
            ("indicator_id", Text),
            ("value", Float),
        ],
    },
    Table {
        name: "review_proposals",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("round_id", Text),
            ("concept_id", Text),
            ("title", Text),
            ("description", Text),
            ("organisation_id", NullableText),
            ("proposed_at", Int),
            ("proposed_by", Text),
        ],
    },
    Table {
        name: "review_snapshots",
        order_by: "round_id, measure_id",
        columns: &[
            ("round_id", Text),
            ("measure_id", Text),
            ("concept", Text),
            ("code", Text),
            ("title", Text),
            ("field_of_action", NullableText),
            ("lead_organisation", NullableText),
            ("status", Text),
            ("update_state", Text),
            ("progress", Text),
            ("adaptation", Text),
            ("adaptation_reason", Text),
            ("fictitious", Bool),
        ],
    },
    Table {
        name: "structural_issues",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("title", Text),
            ("description", Text),
            ("from_organisation_id", NullableText),
            ("from_jurisdiction", NullableText),
            ("to_organisation_id", NullableText),
            ("to_jurisdiction", NullableText),
            ("evidence_count", Int),
            ("status", Text),
            ("reported_on", Text),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("list_key", Text),
            ("search_text", Text),
        ],
    },
    Table {
        name: "structural_issue_towns",
        order_by: "issue_id, town_ags",
        columns: &[("issue_id", Text), ("town_ags", Text)],
    },
    Table {
        name: "bodies",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("description", Text),
            ("fictitious", Bool),
            ("created_at", Int),
        ],
    },
    Table {
        name: "body_members",
        order_by: "body_id, organisation_id",
        columns: &[("body_id", Text), ("organisation_id", Text)],
    },
    Table {
        name: "meetings",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("body_id", Text),
            ("held_on", Text),
            ("minutes", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "agenda_items",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("meeting_id", Text),
            ("position", Int),
            ("title", Text),
        ],
    },
    Table {
        name: "decisions",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("body_id", Text),
            ("meeting_id", NullableText),
            ("number", Text),
            ("decided_on", Text),
            ("text", Text),
            ("created_at", Int),
            ("list_key", Text),
        ],
    },
    Table {
        name: "decision_measures",
        order_by: "decision_id, measure_id",
        columns: &[("decision_id", Text), ("measure_id", Text)],
    },
    Table {
        name: "action_items",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("title", Text),
            ("owner_user_id", NullableText),
            ("due_on", NullableText),
            ("state", Text),
            ("meeting_id", NullableText),
            ("decision_id", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "structural_issue_links",
        order_by: "issue_id, meeting_id",
        columns: &[("issue_id", Text), ("meeting_id", Text)],
    },
    Table {
        name: "structural_issue_decisions",
        order_by: "issue_id, decision_id",
        columns: &[("issue_id", Text), ("decision_id", Text)],
    },
    Table {
        name: "offers",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("organisation_id", Text),
            ("title", Text),
            ("verified_on", NullableText),
            ("reminded_at", NullableInt),
            ("withdrawn_at", NullableInt),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("title_key", Text),
        ],
    },
    Table {
        name: "offer_revisions",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("offer_id", Text),
            ("state", Text),
            ("content", Text),
            ("title", Text),
            ("valid_from", NullableText),
            ("valid_to", NullableText),
            ("saved_by", NullableText),
            ("saved_at", Int),
            ("decided_by", NullableText),
            ("decided_at", NullableInt),
            ("note", Text),
            ("title_key", Text),
        ],
    },
    Table {
        name: "programmes",
        // Umbrellas (part_of NULL) before their parts, so the reference is there when a part comes.
        order_by: "CASE WHEN part_of IS NULL THEN 0 ELSE 1 END, id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("description", Text),
            ("part_of", NullableText),
            ("active", Bool),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "programme_partners",
        order_by: "programme_id, organisation_id",
        columns: &[("programme_id", Text), ("organisation_id", Text)],
    },
    Table {
        name: "programme_sites",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("programme_id", Text),
            ("name", Text),
            ("kind", Text),
            ("town_ags", Text),
            ("active", Bool),
            ("created_at", Int),
        ],
    },
    Table {
        name: "programme_figures",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("programme_id", Text),
            ("site_id", NullableText),
            ("period", Text),
            ("group_count", Int),
            ("participant_count", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "programme_measures",
        order_by: "programme_id, measure_id",
        columns: &[("programme_id", Text), ("measure_id", Text)],
    },
    Table {
        name: "funding_programmes",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("funder", Text),
            ("description", Text),
            ("active", Bool),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "funding_budgets",
        order_by: "funding_programme_id, year",
        columns: &[
            ("funding_programme_id", Text),
            ("year", Int),
            ("amount_cents", Int),
        ],
    },
    Table {
        name: "grants",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("funding_programme_id", Text),
            ("organisation_id", NullableText),
            ("programme_id", NullableText),
            ("purpose", Text),
            ("reference", Text),
            ("amount_cents", Int),
            ("period_from", Text),
            ("period_to", Text),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "grant_movements",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("grant_id", Text),
            ("kind", Text),
            ("on_date", Text),
            ("amount_cents", Int),
            ("note", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "reporting_deadlines",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("grant_id", Text),
            ("title", Text),
            ("due_on", Text),
            ("submitted_on", NullableText),
            ("reminded_at", NullableInt),
            ("created_at", Int),
        ],
    },
    Table {
        name: "sessions",
        order_by: "token_hash",
        columns: &[
            ("token_hash", Text),
            ("user_id", Text),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("expires_at", Int),
            ("second_factor_pending", Bool),
        ],
    },
    Table {
        name: "login_failures",
        order_by: "username",
        columns: &[
            ("username", Text),
            ("failures", Int),
            ("window_started_at", Int),
            ("locked_until", NullableInt),
        ],
    },
    Table {
        name: "api_tokens",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("token_hash", Text),
            ("prefix", Text),
            ("created_at", Int),
            ("last_used_at", NullableInt),
            ("revoked_at", NullableInt),
        ],
    },
    Table {
        name: "settings",
        order_by: "key",
        columns: &[("key", Text), ("value", Text)],
    },
    Table {
        name: "finder_misses",
        order_by: "term, locale",
        columns: &[
            ("term", Text),
            ("locale", Text),
            ("searches", Int),
            ("first_at", Int),
            ("last_at", Int),
        ],
    },
    Table {
        name: "accessibility_feedback",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("received_at", Int),
            ("locale", Text),
            ("page", Text),
            ("message", Text),
            ("contact", Text),
            ("handled_at", NullableInt),
            ("handled_by", NullableText),
        ],
    },
    Table {
        name: "notifications",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("created_at", Int),
            ("text", Text),
            ("href", Text),
            ("read_at", NullableInt),
        ],
    },
    Table {
        name: "interpreters",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("name_key", Text),
            ("email", Text),
            ("phone", Text),
            ("user_id", NullableText),
            ("dialects", Text),
            ("level", Text),
            ("training", Text),
            ("towns", Text),
            ("weekdays", Text),
            ("available_from", Int),
            ("available_until", Int),
            ("pledge_signed_on", NullableText),
            ("active", Bool),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "interpreter_languages",
        order_by: "interpreter_id, language",
        columns: &[("interpreter_id", Text), ("language", Text)],
    },
    Table {
        name: "interpreter_requests",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("organisation_id", Text),
            ("requested_by", NullableText),
            ("language", Text),
            ("dialect", Text),
            ("on_date", Text),
            ("start_minute", Int),
            ("duration_minutes", Int),
            ("town_ags", Text),
            ("setting", Text),
            ("occasion", NullableText),
            ("place", Text),
            ("contact_name", Text),
            ("contact_phone", Text),
            ("contact_email", Text),
            ("note", Text),
            ("status", Text),
            ("reason", Text),
            ("decided_at", NullableInt),
            ("interpreter_id", NullableText),
            ("assigned_at", NullableInt),
            ("actual_minutes", NullableInt),
            ("travel_km", NullableInt),
            ("allowance_cents", NullableInt),
            ("rates", NullableText),
            ("completed_at", NullableInt),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "mail_outbox",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("recipient", Text),
            ("subject", Text),
            ("body", Text),
            ("calendar", NullableText),
            ("about_entity", Text),
            ("about_id", Text),
            ("created_at", Int),
            ("due_at", Int),
            ("attempts", Int),
            ("last_error", Text),
            ("sent_at", NullableInt),
            ("failed_at", NullableInt),
        ],
    },
    Table {
        name: "counselling_site_counsellors",
        order_by: "site_ags, user_id",
        columns: &[("site_ags", Text), ("user_id", Text)],
    },
    Table {
        name: "school_registrations",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("site_ags", Text),
            ("town_ags", Text),
            ("guardian_name", Text),
            ("phone", Text),
            ("email", Text),
            ("address", Text),
            ("language", Text),
            ("interpreter_needed", Bool),
            ("arrival_date", NullableText),
            ("source", Text),
            ("note", Text),
            ("review", Text),
            ("locale", Text),
            ("registered_by", NullableText),
            ("registered_on", Text),
            ("fictitious", Bool),
            ("anonymised_at", NullableInt),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "school_children",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("registration_id", Text),
            ("position", Int),
            ("first_name", Text),
            ("last_name", Text),
            ("birth_date", Text),
            ("schooling_years", NullableInt),
            ("status", Text),
            ("status_on", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "school_child_steps",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("child_id", Text),
            ("status", Text),
            ("on_date", Text),
            ("note", Text),
            ("recorded_at", Int),
            ("recorded_by", NullableText),
        ],
    },
    Table {
        name: "school_appointments",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("registration_id", Text),
            ("site_ags", Text),
            ("counsellor_user_id", NullableText),
            ("on_date", Text),
            ("start_minute", Int),
            ("duration_minutes", Int),
            ("place", Text),
            ("status", Text),
            ("interpreter_request_id", NullableText),
            ("sequence", Int),
            ("reminded_at", NullableInt),
            ("booked_by", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "finder_concepts",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("labels", Text),
            ("withdrawn", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "audit_log",
        order_by: "seq",
        columns: &[
            ("seq", Int),
            ("at", Int),
            ("actor_id", NullableText),
            ("actor_name", Text),
            ("action", Text),
            ("entity", Text),
            ("record_id", Text),
            ("changes", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    },
    Table {
        name: "audit_head",
        order_by: "id",
        columns: &[("id", Int), ("seq", Int), ("hash", Text)],
    },
    Table {
        name: "access_log",
        order_by: "seq",
        columns: &[
            ("seq", Int),
            ("batch", Int),
            ("at", Int),
            ("actor_id", NullableText),
            ("actor_name", Text),
            ("entity", Text),
            ("record_id", Text),
        ],
    },
    Table {
        name: "access_batches",
        order_by: "batch",
        columns: &[
            ("batch", Int),
            ("first_seq", Int),
            ("last_seq", Int),
            ("written_at", Int),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    },
    Table {
        name: "access_head",
        order_by: "id",
        columns: &[("id", Int), ("batch", Int), ("seq", Int), ("hash", Text)],
    },
    Table {
        name: "job_runs",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("job", Text),
            ("trigger", Text),
            ("started_by", NullableText),
            ("started_at", Int),
            ("finished_at", NullableInt),
            ("outcome", NullableText),
            ("summary", Text),
        ],
    },
    Table {
        name: "households",
        order_by: "id",
        columns: &[("id", Text), ("label", Text), ("created_at", Int)],
    },
    Table {
        name: "persons",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("pseudonym", Text),
            ("family_name", Text),
            ("given_names", Text),
            ("name_key", Text),
            ("search_text", Text),
            ("birth_date", NullableText),
            ("gender", Text),
            ("nationalities", Text),
            ("languages", Text),
            ("interpreter_needed", Bool),
            ("interpreter_language", Text),
            ("arrived_in_germany", NullableText),
            ("arrived_in_district", NullableText),
            ("town_ags", NullableText),
            ("residence_status", Text),
            ("residence_legal_basis", Text),
            ("residence_valid_until", NullableText),
            ("jurisdiction", Text),
            ("household_id", NullableText),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("anonymised_at", NullableInt),
            ("birth_year", NullableText),
            ("family_key", Text),
        ],
    },
    Table {
        name: "cases",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("person_id", Text),
            ("organisation_id", Text),
            ("owner_user_id", Text),
            ("deputy_user_id", NullableText),
            ("phase", Text),
            ("access_route", Text),
            ("opened_on", Text),
            ("closed_on", NullableText),
            ("closure_reason", NullableText),
            ("list_key", Text),
            ("fictitious", Bool),
            ("created_at", Int),
            ("updated_at", Int),
            ("goals_reached", NullableText),
        ],
    },
    Table {
        name: "case_phase_changes",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("from_phase", NullableText),
            ("to_phase", Text),
            ("changed_on", Text),
            ("changed_by", NullableText),
            ("changed_at", Int),
        ],
    },
    Table {
        name: "case_assessments",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("life_domain", Text),
            ("need_level", Text),
            ("situation", Text),
            ("assessed_on", Text),
            ("assessed_by", NullableText),
            ("created_at", Int),
        ],
    },
    Table {
        name: "case_goals",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("life_domain", Text),
            ("description", Text),
            ("target_on", NullableText),
            ("organisation_id", NullableText),
            ("status", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "referrals",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("life_domain", Text),
            ("offer_id", NullableText),
            ("organisation_id", NullableText),
            ("requested_on", Text),
            ("first_contact_on", NullableText),
            ("started_on", NullableText),
            ("outcome", NullableText),
            ("unmet_reason", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "handoffs",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("handoff_type", Text),
            ("started_on", Text),
            ("target_days", Int),
            ("due_on", Text),
            ("completed_on", NullableText),
            ("reminded_on", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "case_contacts",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("contact_on", Text),
            ("minutes", Int),
            ("channel", Text),
            ("interpreter", Bool),
            ("note", Text),
            ("created_by", NullableText),
            ("created_at", Int),
        ],
    },
    Table {
        name: "case_follow_ups",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("due_on", Text),
            ("subject", Text),
            ("done_on", NullableText),
            ("created_by", NullableText),
            ("created_at", Int),
        ],
    },
    Table {
        name: "consents",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("person_id", NullableText),
            ("case_id", NullableText),
            ("purpose", Text),
            ("organisation_id", NullableText),
            ("given_on", Text),
            ("form", Text),
            ("witness", Text),
            ("valid_until", NullableText),
            ("covers_identity", Bool),
            ("covers_residence", Bool),
            ("covers_plan", Bool),
            ("covers_assessment", Bool),
            ("revoked_on", NullableText),
            ("recorded_by", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
            ("school_child_id", NullableText),
        ],
    },
    Table {
        name: "school_counselling_records",
        order_by: "child_id",
        columns: &[
            ("child_id", Text),
            ("consent_id", Text),
            ("counselled_on", Text),
            ("prior_schooling", Text),
            ("languages", Text),
            ("literate", Bool),
            ("german_level", Text),
            ("maths_level", Text),
            ("interests", Text),
            ("recommended_form", Text),
            ("recommended_year", NullableInt),
            ("recommended_school", Text),
            ("support_needs", Text),
            ("interpreter_used", Bool),
            ("recorded_by", NullableText),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "case_shares",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("access", Text),
            ("requested_by", Text),
            ("to_user_id", NullableText),
            ("to_organisation_id", Text),
            ("needs_release", Bool),
            ("override_reason", Text),
            ("message", Text),
            ("state", Text),
            ("requested_at", Int),
            ("answered_by", NullableText),
            ("answered_at", NullableInt),
            ("ended_at", NullableInt),
            ("reviewed_by", NullableText),
            ("reviewed_at", NullableInt),
            ("review_note", Text),
        ],
    },
    Table {
        name: "break_glass_accesses",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("user_id", Text),
            ("reason", Text),
            ("opened_at", Int),
            ("expires_at", Int),
            ("reviewed_by", NullableText),
            ("reviewed_at", NullableInt),
            ("review_note", Text),
        ],
    },
    Table {
        name: "case_documents",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("kind", Text),
            ("title", Text),
            ("file_name", Text),
            ("content_type", Text),
            ("size", Int),
            ("sha256", Text),
            ("content", Bytes),
            ("uploaded_by", NullableText),
            ("created_at", Int),
        ],
    },
    Table {
        name: "case_conferences",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("case_id", Text),
            ("held_on", Text),
            ("topic", Text),
            ("agreements", Text),
            ("next_on", NullableText),
            ("created_by", NullableText),
            ("created_at", Int),
        ],
    },
    Table {
        name: "case_conference_organisations",
        order_by: "conference_id, organisation_id",
        columns: &[("conference_id", Text), ("organisation_id", Text)],
    },
];

/// The chain heads: one row each, created by the migration, overwritten rather than inserted.
const HEADS: [&str; 2] = ["audit_head", "access_head"];

/// Tables that exist but are deliberately not in [`TABLES`].
/// The case figure snapshots are counts derived from the copied tables; the job counts them anew.
pub const NOT_COPIED: &[&str] = &["schema_migrations", "case_figure_snapshots"];

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Float(Option<f64>),
    Bytes(Vec<u8>),
}

impl Cell {
    fn fingerprint(&self, hasher: &mut Sha256) {
        match self {
            Cell::Text(Some(s)) => hasher.update(format!("T{}:{s}", s.len())),
            Cell::Text(None) | Cell::Int(None) | Cell::Float(None) => hasher.update("N"),
            Cell::Int(Some(i)) => hasher.update(format!("I{i};")),
            Cell::Bool(b) => hasher.update(if *b { "B1" } else { "B0" }),
            Cell::Float(Some(f)) => hasher.update(format!("F{:x};", f.to_bits())),
            Cell::Bytes(b) => {
                hasher.update(format!("X{}:", b.len()));
                hasher.update(b);
            }
        }
    }
}

const PAGE: i64 = 1000;

/// Rows per page of `table`: a page of documents must not hold gigabytes.
fn page_size(table: &Table) -> i64 {
    if table.columns.iter().any(|(_, k)| *k == Bytes) {
        10
    } else {
        PAGE
    }
}

/// The rows of `table` whose `key` column is one of `ids`, as JSON objects by column name, in
/// the table's order (the subject-access export: every column, typed as the copy reads it).
pub(crate) async fn rows_as_json(
    db: &Db,
    table: &str,
    key: &str,
    ids: &[String],
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let Some(t) = TABLES.iter().find(|t| t.name == table) else {
        return Err(StoreError::Config(format!("{table}: not a known table")));
    };
    if ids.is_empty() || !t.columns.iter().any(|(c, _)| *c == key) {
        return Ok(Vec::new());
    }
    let columns: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    // Table and column names come from the constant list above, never from input.
    let sql = format!(
        "SELECT {} FROM {} WHERE {key} IN ({}) ORDER BY {}",
        columns.join(", "),
        t.name,
        placeholders.join(", "),
        t.order_by
    );
    let out = crate::db::read!(db, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for id in ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut object = serde_json::Map::new();
            for (i, (name, kind)) in t.columns.iter().enumerate() {
                let value = match kind {
                    Text | NullableText => {
                        serde_json::json!(row.try_get::<Option<String>, _>(i)?)
                    }
                    Int | NullableInt => serde_json::json!(row.try_get::<Option<i64>, _>(i)?),
                    Bool => serde_json::json!(row.try_get::<bool, _>(i)?),
                    Float | NullableFloat => {
                        serde_json::json!(row.try_get::<Option<f64>, _>(i)?)
                    }
                    // Files are listed by size; their contents are handed over as files.
                    Bytes => serde_json::json!({ "bytes": row.try_get::<Vec<u8>, _>(i)?.len() }),
                };
                object.insert((*name).to_owned(), value);
            }
            out.push(object);
        }
        Ok::<_, sqlx::Error>(out)
    })?;
    Ok(out)
}

async fn read_page(tx: &mut Tx, table: &Table, offset: i64) -> Result<Vec<Vec<Cell>>> {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {} LIMIT {} OFFSET {offset}",
        columns.join(", "),
        table.name,
        table.order_by,
        page_size(table)
    );
    // Table and column names come from the constant list above, never from input.
    let rows = tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells = Vec::with_capacity(table.columns.len());
            for (i, (_, kind)) in table.columns.iter().enumerate() {
                cells.push(match kind {
                    Text | NullableText => Cell::Text(row.try_get::<Option<String>, _>(i)?),
                    Int | NullableInt => Cell::Int(row.try_get::<Option<i64>, _>(i)?),
                    Bool => Cell::Bool(row.try_get::<bool, _>(i)?),
                    Float | NullableFloat => Cell::Float(row.try_get::<Option<f64>, _>(i)?),
                    Bytes => Cell::Bytes(row.try_get::<Vec<u8>, _>(i)?),
                });
            }
            out.push(cells);
        }
        out
    });
    Ok(rows)
}

async fn write_rows(tx: &mut Tx, table: &Table, rows: &[Vec<Cell>]) -> Result<()> {
    let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let sql = if table.name == "audit_head" {
        // The migration created the single row; it is overwritten, not inserted.
        "UPDATE audit_head SET seq = $2, hash = $3 WHERE id = $1".to_owned()
    } else if table.name == "access_head" {
        "UPDATE access_head SET batch = $2, seq = $3, hash = $4 WHERE id = $1".to_owned()
    } else {
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name,
            columns.join(", "),
            placeholders.join(", ")
        )
    };
    // NUL is checked first: PostgreSQL refuses it with a message that names neither table nor
    // row, and such text can only have come in on SQLite before input was checked for it.
    for row in rows {
        let nul = table
            .columns
            .iter()
            .zip(row)
            .find(|(_, cell)| matches!(cell, Cell::Text(Some(text)) if text.contains('\0')));
        if let Some(((column, _), _)) = nul {
            return Err(StoreError::Config(format!(
                "{}: column {column} holds a NUL character (U+0000), which PostgreSQL cannot store; \
                 correct it in the source database and copy again",
                row_name(table, row)
            )));
        }
    }
    tx!(tx, |c| {
        for row in rows {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for cell in row {
                q = match cell {
                    Cell::Text(v) => q.bind(v.clone()),
                    Cell::Int(v) => q.bind(*v),
                    Cell::Bool(v) => q.bind(*v),
                    Cell::Float(v) => q.bind(*v),
                    Cell::Bytes(v) => q.bind(v.clone()),
                };
            }
            q.execute(&mut *c).await.map_err(|e| {
                StoreError::Config(format!("{}: not copied: {e}", row_name(table, row)))
            })?;
        }
    });
    Ok(())
}

/// A row as an operator can find it again: its table and the values of its ordering key.
fn row_name(table: &Table, row: &[Cell]) -> String {
    let key: Vec<String> = table
        .order_by
        .split(',')
        .filter_map(|part| {
            let column = part.trim();
            let i = table.columns.iter().position(|(c, _)| *c == column)?;
            let value = match row.get(i)? {
                Cell::Text(Some(t)) => format!("'{}'", t.escape_debug()),
                Cell::Int(Some(n)) => n.to_string(),
                Cell::Float(Some(f)) => f.to_string(),
                Cell::Bool(b) => b.to_string(),
                _ => "NULL".to_owned(),
            };
            Some(format!("{column} = {value}"))
        })
        .collect();
    format!("table {}, row {}", table.name, key.join(", "))
}

/// Begins a read-only snapshot of the whole database.
async fn snapshot(db: &Db) -> Result<Tx> {
    Ok(Tx::exempt(match &db.pool {
        Pool::Sqlite(s) => Conn::Sqlite(s.read.begin().await?),
        Pool::Postgres(p) => {
            let mut t = p.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *t)
                .await?;
            Conn::Postgres(t)
        }
    }))
}

/// Whether a database holds nothing but what a fresh migration creates.
pub async fn is_empty(db: &Db) -> Result<bool> {
    let mut tx = snapshot(db).await?;
    for table in TABLES.iter().filter(|t| !HEADS.contains(&t.name)) {
        if !read_page(&mut tx, table, 0).await?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: usize,
    pub rows: u64,
}

/// Copies everything from `from` into `to`, which must be empty (freshly migrated). All of it is
/// written in one transaction: a failure leaves the target as empty as it was.
pub async fn copy(from: &Db, to: &Db) -> Result<CopyReport> {
    if !is_empty(to).await? {
        return Err(StoreError::Config(
            "the target database already holds data; copy only into an empty database".into(),
        ));
    }
    let mut source = snapshot(from).await?;
    let mut target = to.begin_exempt().await?;
    let mut rows = 0u64;
    for table in TABLES {
        let mut offset = 0;
        loop {
            let page = read_page(&mut source, table, offset).await?;
            write_rows(&mut target, table, &page).await?;
            rows += page.len() as u64;
            if (page.len() as i64) < page_size(table) {
                break;
            }
            offset += page_size(table);
        }
    }
    target.commit().await?;
    Ok(CopyReport {
        tables: TABLES.len(),
        rows,
    })
}

/// A digest of every table's content, identical for identical data on either backend. Rows are
/// hashed one by one and the row hashes sorted, so the digest does not depend on the order in which
/// a backend's collation returns them.
pub async fn fingerprint(db: &Db) -> Result<Vec<(&'static str, u64, String)>> {
    let mut tx = snapshot(db).await?;
    let mut out = Vec::new();
    for table in TABLES {
        let mut row_hashes = Vec::new();
        let mut offset = 0;
        loop {
            let page = read_page(&mut tx, table, offset).await?;
            for row in &page {
                let mut hasher = Sha256::new();
                for cell in row {
                    cell.fingerprint(&mut hasher);
                }
                row_hashes.push(hasher.finalize());
            }
            if (page.len() as i64) < page_size(table) {
                break;
            }
            offset += page_size(table);
        }
        row_hashes.sort();
        let mut table_hash = Sha256::new();
        for h in &row_hashes {
            table_hash.update(h);
        }
        out.push((
            table.name,
            row_hashes.len() as u64,
            crate::audit::hex(&table_hash.finalize()),
        ));
    }
    Ok(out)
}

/// Writes a consistent snapshot of a running database to `file`, as a SQLite database that
/// [`restore`] (or any SQLite tool) can read. SQLite uses `VACUUM INTO`; PostgreSQL is copied
/// through a repeatable-read snapshot.
pub async fn backup(db: &Db, file: &std::path::Path) -> Result<CopyReport> {
    if file.exists() {
        return Err(StoreError::Config(format!(
            "{} exists already; choose a new file name",
            file.display()
        )));
    }
    let path = file
        .to_str()
        .ok_or_else(|| StoreError::Config("backup path is not valid UTF-8".into()))?;
    match &db.pool {
        Pool::Sqlite(s) => {
            sqlx::query("VACUUM INTO $1")
                .bind(path)
                .execute(&s.write)
                .await?;
            let rows = fingerprint(db).await?.iter().map(|(_, n, _)| n).sum();
            Ok(CopyReport {
                tables: TABLES.len(),
                rows,
            })
        }
        Pool::Postgres(_) => {
            let target = Db::open(&format!("sqlite://{path}")).await?;
            let report = copy(db, &target).await;
            target.close().await;
            report
        }
    }
}

/// Restores a backup file into `db`, which must be empty, and checks that the restored data equals
/// the backup. The backup file itself is never changed: it is copied aside first, because opening
/// it brings its schema up to date.
pub async fn restore(file: &std::path::Path, db: &Db) -> Result<CopyReport> {
    if !file.is_file() {
        return Err(StoreError::Config(format!(
            "{} is not a file",
            file.display()
        )));
    }
    let work = std::env::temp_dir().join(format!("lotse-restore-{}.db", crate::new_id()));
    std::fs::copy(file, &work)
        .map_err(|e| StoreError::Config(format!("cannot read {}: {e}", file.display())))?;
    let result = restore_from_copy(&work, db).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    result
}

/// Restores from a backup file that is already a private working copy (a decrypted backup):
/// read in place, not copied once more.
pub async fn restore_working_copy(work: &std::path::Path, db: &Db) -> Result<CopyReport> {
    restore_from_copy(work, db).await
}

async fn restore_from_copy(work: &std::path::Path, db: &Db) -> Result<CopyReport> {
    let source = Db::open(&format!("sqlite://{}", work.display())).await?;
    let report = copy(&source, db).await;
    let same = match &report {
        Ok(_) => fingerprint(&source).await? == fingerprint(db).await?,
        Err(_) => true,
    };
    source.close().await;
    if !same {
        return Err(StoreError::Config(
            "the restored database differs from the backup; do not use it".into(),
        ));
    }
    report
}

/// Table and column names as the database has them, for the test that keeps [`TABLES`] honest.
pub async fn live_schema(db: &Db) -> Result<Vec<(String, Vec<String>)>> {
    let tables: Vec<String> = match db.backend() {
        Backend::Sqlite => crate::db::read!(db, |c| {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            .fetch_all(c)
            .await
        })?,
        Backend::Postgres => crate::db::read!(db, |c| {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
            )
            .fetch_all(c)
            .await
        })?,
    };
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = match db.backend() {
            Backend::Sqlite => crate::db::read!(db, |c| sqlx::query_scalar(
                "SELECT name FROM pragma_table_info($1) ORDER BY cid"
            )
            .bind(&t)
            .fetch_all(c)
            .await)?,
            Backend::Postgres => crate::db::read!(db, |c| {
                sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            )
            .bind(&t)
            .fetch_all(c)
            .await
            })?,
        };
        out.push((t, columns));
    }
    Ok(out)
}
