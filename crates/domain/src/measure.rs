//! Measures (Maßnahmen) of the district's integration concepts: their vocabularies and validation.

use crate::date::Date;
use std::fmt;

use crate::validation::{
    FieldErrors, optional_date, optional_multiline, optional_text, required_text,
};

/// Where a measure stands (Sachstand). Keys are stored; labels are what users read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Planned,
    InProgress,
    Established,
    Completed,
    OnHold,
    Dropped,
}

impl MeasureStatus {
    pub const ALL: [MeasureStatus; 6] = [
        MeasureStatus::Planned,
        MeasureStatus::InProgress,
        MeasureStatus::Established,
        MeasureStatus::Completed,
        MeasureStatus::OnHold,
        MeasureStatus::Dropped,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "planned",
            MeasureStatus::InProgress => "in_progress",
            MeasureStatus::Established => "established",
            MeasureStatus::Completed => "completed",
            MeasureStatus::OnHold => "on_hold",
            MeasureStatus::Dropped => "dropped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "geplant",
            MeasureStatus::InProgress => "in Umsetzung",
            MeasureStatus::Established => "umgesetzt/verstetigt",
            MeasureStatus::Completed => "abgeschlossen",
            MeasureStatus::OnHold => "zurückgestellt",
            MeasureStatus::Dropped => "entfallen",
        }
    }

    /// Accepts the key or the German label (as in imported spreadsheets), ignoring case.
    pub fn parse(text: &str) -> Option<MeasureStatus> {
        let t = text.trim().to_lowercase();
        MeasureStatus::ALL.into_iter().find(|s| {
            let label = s.label().to_lowercase();
            s.key() == t
                || label == t
                || label.split('/').any(|part| part == t)
                || (t == "umgesetzt" && *s == MeasureStatus::Established)
        })
    }
}

impl fmt::Display for MeasureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How the integration centre (KI) takes part in a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KiInvolvement {
    Lead,
    Involved,
    None,
}

impl KiInvolvement {
    pub const ALL: [KiInvolvement; 3] = [
        KiInvolvement::Lead,
        KiInvolvement::Involved,
        KiInvolvement::None,
    ];

    pub fn key(self) -> &'static str {
        match self {
            KiInvolvement::Lead => "lead",
            KiInvolvement::Involved => "involved",
            KiInvolvement::None => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KiInvolvement::Lead => "federführend",
            KiInvolvement::Involved => "beteiligt",
            KiInvolvement::None => "nicht beteiligt",
        }
    }

    pub fn parse(text: &str) -> Option<KiInvolvement> {
        let t = text.trim().to_lowercase();
        KiInvolvement::ALL
            .into_iter()
            .find(|k| k.key() == t || k.label() == t)
    }
}

/// What a form or API call submits for a measure, before validation.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct MeasureInput {
    pub concept_id: String,
    pub code: String,
    pub title: String,
    pub description: String,
    pub field_of_action_id: String,
    pub lead_organisation_id: String,
    pub partner_ids: Vec<String>,
    pub ki_involvement: String,
    pub target_group: String,
    /// Empty means: all towns of the district.
    pub towns: Vec<String>,
    pub planned_start: String,
    pub planned_end: String,
    pub status: String,
    pub tags: String,
}

/// A validated measure. References (concept, field, organisations, towns) are checked against the
/// store by the caller, which knows what exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureDraft {
    pub concept_id: String,
    pub code: String,
    pub title: String,
    pub description: String,
    pub field_of_action_id: Option<String>,
    pub lead_organisation_id: Option<String>,
    pub partner_ids: Vec<String>,
    pub ki_involvement: KiInvolvement,
    pub target_group: String,
    pub towns: Vec<String>,
    pub planned_start: Option<Date>,
    pub planned_end: Option<Date>,
    pub status: MeasureStatus,
    pub tags: Vec<String>,
}

/// The day `days` after 1970-01-01 (before it if negative), so that neither spreadsheets
/// (serial days) nor the demo (epoch milliseconds) need a calendar library for it.
pub fn date_from_days(days: i64) -> Option<Date> {
    Date::new(1970, 1, 1)?.add_days(days)
}

/// Free tags: comma-separated, trimmed, without duplicates, in the order given.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            tags.push(t.to_owned());
        }
    }
    tags
}

impl MeasureInput {
    pub fn validate(&self) -> Result<MeasureDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        if self.concept_id.trim().is_empty() {
            e.add("concept_id", "Pflichtfeld: bitte ein Konzept wählen.");
        }
        let code = required_text(&mut e, "code", &self.code, 30);
        let title = required_text(&mut e, "title", &self.title, 300);
        let description = optional_multiline(&mut e, "description", &self.description, 10_000);
        let target_group = optional_text(&mut e, "target_group", &self.target_group, 300);
        let ki_involvement = match self.ki_involvement.trim() {
            "" => KiInvolvement::None,
            other => KiInvolvement::parse(other).unwrap_or_else(|| {
                e.add(
                    "ki_involvement",
                    "Erlaubt: federführend, beteiligt, nicht beteiligt.",
                );
                KiInvolvement::None
            }),
        };
        let status = match self.status.trim() {
            "" => {
                e.add("status", "Pflichtfeld: bitte einen Sachstand wählen.");
                MeasureStatus::Planned
            }
            other => MeasureStatus::parse(other).unwrap_or_else(|| {
                e.add(
                    "status",
                    format!("Unbekannter Sachstand „{other}“. Erlaubt: geplant, in Umsetzung, umgesetzt/verstetigt, abgeschlossen, zurückgestellt, entfallen."),
                );
                MeasureStatus::Planned
            }),
        };
        let planned_start = optional_date(&mut e, "planned_start", &self.planned_start);
        let planned_end = optional_date(&mut e, "planned_end", &self.planned_end);
        if let (Some(s), Some(end)) = (&planned_start, &planned_end)
            && end < s
        {
            e.add("planned_end", "Das Ende liegt vor dem Beginn.");
        }
        let tags = parse_tags(&self.tags);
        if tags.iter().any(|t| t.chars().count() > 40) || tags.len() > 20 {
            e.add(
                "tags",
                "Höchstens 20 Schlagworte mit je höchstens 40 Zeichen.",
            );
        }
        let non_empty = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let mut partner_ids: Vec<String> = Vec::new();
        for p in self.partner_ids.iter().filter_map(|p| non_empty(p)) {
            if !partner_ids.contains(&p) {
                partner_ids.push(p);
            }
        }
        let mut towns: Vec<String> = Vec::new();
        for t in self.towns.iter().filter_map(|t| non_empty(t)) {
            if !towns.contains(&t) {
                towns.push(t);
            }
        }
        e.into_result(MeasureDraft {
            concept_id: self.concept_id.trim().to_owned(),
            code,
            title,
            description,
            field_of_action_id: non_empty(&self.field_of_action_id),
            lead_organisation_id: non_empty(&self.lead_organisation_id),
            partner_ids,
            ki_involvement,
            target_group,
            towns,
            planned_start,
            planned_end,
            status,
            tags,
        })
    }
}

/// German labels of the fields, for messages and error summaries.
pub fn field_label(field: &str) -> &str {
    match field {
        "concept_id" => "Konzept",
        "code" => "Nr.",
        "title" => "Titel",
        "description" => "Beschreibung",
        "field_of_action_id" => "Handlungsfeld",
        "lead_organisation_id" => "Federführung",
        "partner_ids" => "Partner",
        "ki_involvement" => "Beteiligung KI",
        "target_group" => "Zielgruppe",
        "towns" => "Städte/Gemeinden",
        "planned_start" => "Beginn",
        "planned_end" => "Ende",
        "status" => "Sachstand",
        "reason" => "Begründung",
        "tags" => "Schlagworte",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_keys_and_german_labels() {
        assert_eq!(
            MeasureStatus::parse("in Umsetzung"),
            Some(MeasureStatus::InProgress)
        );
        assert_eq!(
            MeasureStatus::parse("Umgesetzt"),
            Some(MeasureStatus::Established)
        );
        assert_eq!(
            MeasureStatus::parse("verstetigt"),
            Some(MeasureStatus::Established)
        );
        assert_eq!(MeasureStatus::parse("on_hold"), Some(MeasureStatus::OnHold));
        assert_eq!(MeasureStatus::parse("irgendwie"), None);
    }

    #[test]
    fn dates_must_be_real_days() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("01.02.2024"), Date::new(2024, 2, 1));
        assert_eq!(Date::parse("2024-13-01"), None);
    }

    #[test]
    fn validation_names_each_bad_field() {
        let input = MeasureInput {
            status: "vielleicht".into(),
            planned_start: "2024-05-01".into(),
            planned_end: "2024-04-01".into(),
            ki_involvement: "sehr".into(),
            ..Default::default()
        };
        let e = input.validate().expect_err("invalid");
        for f in [
            "concept_id",
            "code",
            "title",
            "status",
            "planned_end",
            "ki_involvement",
        ] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }

    #[test]
    fn tags_are_trimmed_and_unique() {
        assert_eq!(
            parse_tags(" Sprache, Kita ,sprache,, "),
            ["Sprache", "Kita"]
        );
    }

    #[test]
    fn descriptions_keep_their_line_breaks() {
        let input = MeasureInput {
            concept_id: "c".into(),
            code: "1.1".into(),
            title: "T".into(),
            status: "geplant".into(),
            description: "Zeile 1\r\nZeile 2".into(),
            ..Default::default()
        };
        assert_eq!(
            input.validate().expect("valid").description,
            "Zeile 1\nZeile 2"
        );
    }
}

/// What a review proposes for a measure (Anpassungsbedarf). A new measure is proposed separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adaptation {
    None,
    Adjust,
    Drop,
}

impl Adaptation {
    pub const ALL: [Adaptation; 3] = [Adaptation::None, Adaptation::Adjust, Adaptation::Drop];

    pub fn key(self) -> &'static str {
        match self {
            Adaptation::None => "none",
            Adaptation::Adjust => "adjust",
            Adaptation::Drop => "drop",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Adaptation::None => "keine",
            Adaptation::Adjust => "anpassen",
            Adaptation::Drop => "streichen",
        }
    }

    pub fn parse(text: &str) -> Option<Adaptation> {
        let t = text.trim().to_lowercase();
        Adaptation::ALL
            .into_iter()
            .find(|a| a.key() == t || a.label() == t)
    }
}
