//! The viewer's scope over cases as SQL (decision 0012): for every tie the viewer's roles can
//! have to a case (assigned, deputy, accepted share, valid release, open emergency access), the
//! condition that it holds, read live in the same statement as the case. Nothing is copied into
//! a permission table: revoking a release or letting an emergency access expire changes the
//! next statement's answer, and there is no second copy to forget.
//!
//! The conditions are uncorrelated `IN (SELECT …)` sets where they can be, so a database can
//! compute them once per statement instead of once per case row.

use lotse_domain::access::{Action as Act, Decision, Fields, Record, Relationship};
use lotse_domain::case::ReleaseScope;

use crate::db::Value;
use crate::paging::Query;
use crate::scoped::Viewer;

/// A valid consent `k` on `today`: given, not revoked, not expired. The one predicate every
/// use of a consent goes through.
pub(crate) fn consent_valid(k: &str, today: &str) -> String {
    format!(
        "{k}.revoked_on IS NULL AND {k}.given_on <= {today} \
         AND ({k}.valid_until IS NULL OR {k}.valid_until >= {today})"
    )
}

/// A consent `k` that releases everything a whole view shows (every [`ReleaseScope`]): what a
/// full share to, or a deputy in, another organisation needs. A release naming less lets that
/// organisation see what it names, through `Released`, and no more.
pub(crate) fn releases_all(k: &str) -> String {
    ReleaseScope::ALL
        .iter()
        .map(|s| format!("{k}.{} = TRUE", s.column()))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A valid release of the person `person` (SQL) towards `organisation` (SQL) that releases
/// everything.
pub(crate) fn full_release_exists(person: &str, organisation: &str, today: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM consents k WHERE k.person_id = {person} AND k.purpose = 'release' \
         AND k.organisation_id = {organisation} AND {} AND {})",
        releases_all("k"),
        consent_valid("k", today)
    )
}

/// The scope of one viewer at one moment, as conditions over `c` (cases) whose placeholders are
/// bound into the query that built it.
pub(crate) struct Scope {
    /// Per tie the viewer's roles make worth something, the condition that it holds.
    pub ties: Vec<(Relationship, String)>,
    /// The viewer sees the case whole (names may be read).
    pub whole: String,
    /// The viewer sees the case only through a release: what it covers decides.
    pub released: String,
    /// The viewer sees the case at all.
    pub any: String,
    /// Per kind of data a release can cover, that the viewer's release covers it.
    pub covers: Vec<(ReleaseScope, String)>,
    /// A subquery of case ids that holds every case the viewer may see (and maybe more), each
    /// part found through an index; `None` for a viewer who may see any case (the
    /// coordination). See [`Scope::own_cases_first`].
    pub candidates: Option<String>,
}

impl Scope {
    /// The viewer may see this kind of data of the case: whole, or not through a release (the
    /// pseudonymised views show codes and days of everything), or through a release naming it.
    pub fn shows(&self, what: ReleaseScope) -> String {
        let covered = self
            .covers
            .iter()
            .find(|(s, _)| *s == what)
            .map_or("FALSE", |(_, c)| c.as_str());
        format!("({} OR NOT {} OR {covered})", self.whole, self.released)
    }

    /// The viewer may read names and free texts of this kind: whole, or a release names it.
    pub fn reads(&self, what: ReleaseScope) -> String {
        let covered = self
            .covers
            .iter()
            .find(|(s, _)| *s == what)
            .map_or("FALSE", |(_, c)| c.as_str());
        format!("({} OR {covered})", self.whole)
    }

    /// `FROM {table} {joins}` for a list of rows of the viewer's cases (`case_column` names a
    /// row's case); the condition that ties the rows to the candidates goes into `q`. A case
    /// manager sees a hundred cases of a million: the statement then starts from those cases,
    /// found through their indexes, and looks up their rows, instead of walking every overdue
    /// hand-off of the district and dropping all but a few (6 s for the start page at a million
    /// persons on SQLite, which has no statistics to see that). `CROSS JOIN` keeps that order
    /// on SQLite; PostgreSQL chooses by its statistics either way.
    pub fn own_cases_first(
        &self,
        q: &mut Query,
        table: &str,
        joins: &str,
        case_column: &str,
    ) -> String {
        match &self.candidates {
            None => format!("FROM {table} {joins}"),
            Some(candidates) => {
                q.and(format!("{case_column} = own.id"));
                format!("FROM ({candidates}) AS own CROSS JOIN {table} {joins}")
            }
        }
    }

    /// The SQL of one tie (`FALSE` where the viewer's roles cannot hold it).
    pub fn tie(&self, rel: Relationship) -> &str {
        self.ties
            .iter()
            .find(|(r, _)| *r == rel)
            .map_or("FALSE", |(_, c)| c.as_str())
    }
}

/// Binds a value the first time a condition needs it: PostgreSQL refuses a parameter no
/// statement uses, so nothing is bound for a tie the viewer cannot have.
struct Lazy {
    value: Value,
    placeholder: Option<String>,
}

impl Lazy {
    fn new(value: Value) -> Lazy {
        Lazy {
            value,
            placeholder: None,
        }
    }

    fn get(&mut self, q: &mut Query) -> String {
        self.placeholder
            .get_or_insert_with(|| q.bind(self.value.clone()))
            .clone()
    }
}

/// The scope of `viewer` at `now` (epoch ms; `today` is its day in the district).
pub(crate) fn scope(viewer: &Viewer, q: &mut Query, now: i64) -> Scope {
    let view = |rel| lotse_domain::access::decide(&viewer.roles, Record::Case, rel, Act::View);
    let today = crate::db::day_of(now);
    let mut me = Lazy::new(Value::Text(viewer.user_id.clone()));
    let mut org = Lazy::new(Value::Text(viewer.organisation_id.clone()));
    let mut day = Lazy::new(Value::Text(today.to_string()));
    let mut instant = Lazy::new(Value::Int(now));
    let mut ties = Vec::new();
    let (mut whole, mut released, mut any) = (Vec::new(), Vec::new(), Vec::new());
    // The candidates: per tie, the cases it may hold for, through an index.
    let (mut candidates, mut sees_any) = (Vec::<String>::new(), false);
    let person = !viewer.user_id.is_empty();
    for &rel in Record::Case.relationships() {
        let decision = view(rel);
        if !decision.allows() {
            continue;
        }
        let candidate = match rel {
            Relationship::Other => {
                sees_any = true;
                None
            }
            _ if !person => None,
            Relationship::AssignedCaseManager => Some(format!(
                "SELECT id AS id FROM cases WHERE owner_user_id = {}",
                me.get(q)
            )),
            Relationship::Deputy => Some(format!(
                "SELECT id AS id FROM cases WHERE deputy_user_id = {}",
                me.get(q)
            )),
            Relationship::SharedToEdit
            | Relationship::SharedToRead
            | Relationship::SharedPseudonymised => Some(format!(
                "SELECT case_id AS id FROM case_shares WHERE to_user_id = {} AND state = 'accepted'",
                me.get(q)
            )),
            Relationship::Released => Some(format!(
                "SELECT rc.id AS id FROM consents rk JOIN cases rc ON rc.person_id = rk.person_id \
                 WHERE rk.organisation_id = {} AND rk.purpose = 'release'",
                org.get(q)
            )),
            Relationship::BreakGlass => Some(format!(
                "SELECT case_id AS id FROM break_glass_accesses WHERE user_id = {}",
                me.get(q)
            )),
            Relationship::OwnOrganisation
            | Relationship::AssignedInterpreter
            | Relationship::OwnSite => None,
        };
        if let Some(c) = candidate
            && !candidates.contains(&c)
        {
            candidates.push(c);
        }
        let condition = match rel {
            Relationship::Other => "TRUE".to_owned(),
            _ if !person => continue,
            Relationship::AssignedCaseManager => format!("c.owner_user_id = {}", me.get(q)),
            // Null-safe: a case without deputy must answer false, not unknown (the answer is
            // read as a column, and `NOT unknown` would hide the case from its own viewers).
            // A deputy of another organisation stands in only while the person releases
            // everything towards that organisation (as for a full share).
            Relationship::Deputy => {
                let (me, org, day) = (me.get(q), org.get(q), day.get(q));
                format!(
                    "(c.deputy_user_id IS NOT NULL AND c.deputy_user_id = {me} \
                     AND (c.organisation_id = {org} OR {}))",
                    full_release_exists("c.person_id", &org, &day)
                )
            }
            Relationship::SharedToEdit
            | Relationship::SharedToRead
            | Relationship::SharedPseudonymised => {
                let access = match rel {
                    Relationship::SharedToEdit => "edit",
                    Relationship::SharedToRead => "read",
                    _ => "pseudonymous",
                };
                let (me, org, day) = (me.get(q), org.get(q), day.get(q));
                // A full share to another organisation lives as long as that organisation's
                // release of everything does: revoking it ends what the share shows. A share
                // holds only while its receiver is at the organisation it was made for.
                format!(
                    "c.id IN (SELECT s.case_id FROM case_shares s WHERE s.to_user_id = {me} \
                     AND s.to_organisation_id = {org} AND s.state = 'accepted' AND s.access = '{access}' \
                     AND (s.needs_release = FALSE OR EXISTS (SELECT 1 FROM cases sc \
                     WHERE sc.id = s.case_id AND {})))",
                    full_release_exists("sc.person_id", "s.to_organisation_id", &day)
                )
            }
            Relationship::Released => released_condition(q, &mut org, &mut day, None),
            Relationship::BreakGlass => format!(
                "c.id IN (SELECT b.case_id FROM break_glass_accesses b WHERE b.user_id = {} \
                 AND b.expires_at > {})",
                me.get(q),
                instant.get(q)
            ),
            Relationship::OwnOrganisation
            | Relationship::AssignedInterpreter
            | Relationship::OwnSite => continue,
        };
        match decision {
            Decision::Allow => whole.push(condition.clone()),
            Decision::Only(Fields::Released) => released.push(condition.clone()),
            _ => {}
        }
        any.push(condition.clone());
        ties.push((rel, condition));
    }
    let covers = if released.is_empty() {
        Vec::new()
    } else {
        ReleaseScope::ALL
            .iter()
            .map(|&s| (s, released_condition(q, &mut org, &mut day, Some(s))))
            .collect()
    };
    let or = |parts: Vec<String>| {
        if parts.is_empty() {
            "FALSE".to_owned()
        } else {
            format!("({})", parts.join(" OR "))
        }
    };
    let candidates = (!sees_any).then(|| {
        if candidates.is_empty() {
            "SELECT id AS id FROM cases WHERE 1 = 0".to_owned()
        } else {
            candidates.join(" UNION ")
        }
    });
    Scope {
        ties,
        whole: or(whole),
        released: or(released),
        any: or(any),
        covers,
        candidates,
    }
}

/// The case's person released the viewer's organisation from confidentiality, validly today
/// (and, with `covering`, for that kind of data).
fn released_condition(
    q: &mut Query,
    org: &mut Lazy,
    day: &mut Lazy,
    covering: Option<ReleaseScope>,
) -> String {
    let covers = covering.map_or(String::new(), |s| format!(" AND k.{} = TRUE", s.column()));
    let (org, day) = (org.get(q), day.get(q));
    format!(
        "c.person_id IN (SELECT k.person_id FROM consents k WHERE k.purpose = 'release' \
         AND k.organisation_id = {org}{covers} AND {})",
        consent_valid("k", &day)
    )
}
