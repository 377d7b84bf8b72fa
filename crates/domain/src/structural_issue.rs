//! Structural issues (strukturelle Hürden): recurring barriers found in case work, escalated to the
//! steering group, tracked until solved.

use crate::date::Date;
use crate::validation::{FieldErrors, optional_multiline, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Reported,
    UnderDiscussion,
    SolutionAgreed,
    Resolved,
    NotSolvable,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 5] = [
        IssueStatus::Reported,
        IssueStatus::UnderDiscussion,
        IssueStatus::SolutionAgreed,
        IssueStatus::Resolved,
        IssueStatus::NotSolvable,
    ];

    pub fn key(self) -> &'static str {
        match self {
            IssueStatus::Reported => "reported",
            IssueStatus::UnderDiscussion => "under_discussion",
            IssueStatus::SolutionAgreed => "solution_agreed",
            IssueStatus::Resolved => "resolved",
            IssueStatus::NotSolvable => "not_solvable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IssueStatus::Reported => "gemeldet",
            IssueStatus::UnderDiscussion => "in Beratung",
            IssueStatus::SolutionAgreed => "Lösung vereinbart",
            IssueStatus::Resolved => "gelöst",
            IssueStatus::NotSolvable => "nicht lösbar",
        }
    }

    pub fn parse(text: &str) -> Option<IssueStatus> {
        let t = text.trim().to_lowercase();
        IssueStatus::ALL
            .into_iter()
            .find(|s| s.key() == t || s.label().to_lowercase() == t)
    }
}

/// Legal frameworks (Rechtskreise) between which people change and time is lost.
pub const JURISDICTIONS: &[(&str, &str)] = &[
    ("asylblg", "AsylbLG"),
    ("sgb2", "SGB II"),
    ("sgb3", "SGB III"),
    ("sgb8", "SGB VIII"),
    ("sgb12", "SGB XII"),
    ("aufenthg", "AufenthG"),
    ("stag", "StAG"),
];

pub fn jurisdiction_label(key: &str) -> Option<&'static str> {
    JURISDICTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| *l)
}

#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct IssueInput {
    pub title: String,
    pub description: String,
    pub from_organisation_id: String,
    pub from_jurisdiction: String,
    pub to_organisation_id: String,
    pub to_jurisdiction: String,
    pub towns: Vec<String>,
    pub evidence_count: String,
    pub status: String,
    pub reported_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueDraft {
    pub title: String,
    pub description: String,
    pub from_organisation_id: Option<String>,
    pub from_jurisdiction: Option<String>,
    pub to_organisation_id: Option<String>,
    pub to_jurisdiction: Option<String>,
    pub towns: Vec<String>,
    pub evidence_count: i64,
    pub status: IssueStatus,
    pub reported_on: Date,
}

impl IssueInput {
    pub fn validate(&self) -> Result<IssueDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = required_text(&mut e, "title", &self.title, 300);
        let description = optional_multiline(&mut e, "description", &self.description, 10_000);
        let non_empty = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let mut jurisdiction = |field: &str, value: &str| {
            let v = non_empty(value)?;
            if jurisdiction_label(&v).is_none() {
                e.add(field, "Unbekannter Rechtskreis.");
                return None;
            }
            Some(v)
        };
        let from_jurisdiction = jurisdiction("from_jurisdiction", &self.from_jurisdiction);
        let to_jurisdiction = jurisdiction("to_jurisdiction", &self.to_jurisdiction);
        let evidence_count = match self.evidence_count.trim() {
            "" => 0,
            t => match t.parse::<i64>() {
                Ok(n) if (0..=100_000).contains(&n) => n,
                _ => {
                    e.add("evidence_count", "Bitte eine ganze Zahl ab 0 angeben.");
                    0
                }
            },
        };
        let status = match IssueStatus::parse(&self.status) {
            Some(s) => s,
            None if self.status.trim().is_empty() => IssueStatus::Reported,
            None => {
                e.add("status", "Unbekannter Stand.");
                IssueStatus::Reported
            }
        };
        let reported_on = match Date::parse(&self.reported_on) {
            Some(d) => d,
            None => {
                e.add(
                    "reported_on",
                    "Bitte das Datum der Meldung angeben (TT.MM.JJJJ).",
                );
                Date::EARLIEST
            }
        };
        let mut towns: Vec<String> = Vec::new();
        for t in self.towns.iter().filter_map(|t| non_empty(t)) {
            if !towns.contains(&t) {
                towns.push(t);
            }
        }
        e.into_result(IssueDraft {
            title,
            description,
            from_organisation_id: non_empty(&self.from_organisation_id),
            from_jurisdiction,
            to_organisation_id: non_empty(&self.to_organisation_id),
            to_jurisdiction,
            towns,
            evidence_count,
            status,
            reported_on,
        })
    }
}

pub fn field_label(field: &str) -> &str {
    match field {
        "title" => "Titel",
        "description" => "Beschreibung",
        "from_organisation_id" => "Von (Organisation)",
        "from_jurisdiction" => "Von (Rechtskreis)",
        "to_organisation_id" => "An (Organisation)",
        "to_jurisdiction" => "An (Rechtskreis)",
        "towns" => "Städte/Gemeinden",
        "evidence_count" => "Zahl der Belegfälle",
        "status" => "Stand",
        "reported_on" => "Gemeldet am",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_bad_fields() {
        let input = IssueInput {
            from_jurisdiction: "SGB XIV".into(),
            evidence_count: "-3".into(),
            status: "vertagt".into(),
            ..Default::default()
        };
        let e = input.validate().expect_err("invalid");
        for f in [
            "title",
            "from_jurisdiction",
            "evidence_count",
            "status",
            "reported_on",
        ] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }

    #[test]
    fn statuses_parse() {
        assert_eq!(
            IssueStatus::parse("in Beratung"),
            Some(IssueStatus::UnderDiscussion)
        );
        assert_eq!(IssueStatus::parse("resolved"), Some(IssueStatus::Resolved));
    }
}
