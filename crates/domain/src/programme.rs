//! The KI's programmes (Griffbereit, Rucksack, Mercator, …): their sites, their figures per
//! school year or period, and the statistics rule that keeps small groups of people unseen.

use std::fmt;

use crate::validation::{FieldErrors, optional_multiline, required_text};

/// What a programme form submits.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProgrammeInput {
    pub name: String,
    pub description: String,
    /// Id of the umbrella programme, or empty.
    pub part_of: String,
    pub partners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeDraft {
    pub name: String,
    pub description: String,
    pub part_of: Option<String>,
    pub partners: Vec<String>,
}

impl ProgrammeInput {
    pub fn validate(&self) -> Result<ProgrammeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = required_text(&mut e, "name", &self.name, 200);
        let description = optional_multiline(&mut e, "description", &self.description, 5_000);
        let mut partners: Vec<String> = Vec::new();
        for p in self
            .partners
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !partners.iter().any(|x| x == p) {
                partners.push(p.to_owned());
            }
        }
        let part_of = Some(self.part_of.trim().to_owned()).filter(|p| !p.is_empty());
        e.into_result(ProgrammeDraft {
            name,
            description,
            part_of,
            partners,
        })
    }
}

/// Where a programme runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Kita,
    School,
    FamilyCentre,
    Other,
}

impl SiteKind {
    pub const ALL: [SiteKind; 4] = [
        SiteKind::Kita,
        SiteKind::School,
        SiteKind::FamilyCentre,
        SiteKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SiteKind::Kita => "kita",
            SiteKind::School => "school",
            SiteKind::FamilyCentre => "family_centre",
            SiteKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SiteKind::Kita => "Kita",
            SiteKind::School => "Schule",
            SiteKind::FamilyCentre => "Familienzentrum",
            SiteKind::Other => "anderer Ort",
        }
    }

    pub fn parse(text: &str) -> Option<SiteKind> {
        let t = text.trim().to_lowercase();
        SiteKind::ALL
            .into_iter()
            .find(|k| k.key() == t || k.label().to_lowercase() == t)
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A period of figures: a school year `2025/26`, a calendar year `2026`, or a half year
/// `2026-1` / `2026-2`. Normalised, so "2025/2026" and "2025/26" are the same period.
pub fn parse_period(text: &str) -> Option<String> {
    let t = text.trim();
    let year = |s: &str| {
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
            .filter(|y| (2000..=2100).contains(y))
    };
    if let Some((a, b)) = t.split_once('/') {
        let first = year(a)?;
        let next = first + 1;
        let ok = b == format!("{:02}", next % 100) || b == next.to_string();
        return ok.then(|| format!("{first}/{:02}", next % 100));
    }
    if let Some((a, half)) = t.split_once('-') {
        let y = year(a)?;
        return matches!(half, "1" | "2").then(|| format!("{y}-{half}"));
    }
    year(t).map(|y| y.to_string())
}

/// What the figures form submits.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FiguresInput {
    pub period: String,
    /// A site of the programme, or empty for the programme as a whole.
    pub site_id: String,
    pub groups: String,
    pub participants: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub period: String,
    pub site_id: Option<String>,
    pub groups: i64,
    pub participants: i64,
}

impl FiguresInput {
    pub fn validate(&self) -> Result<Figures, FieldErrors> {
        let mut e = FieldErrors::new();
        let period = parse_period(&self.period).unwrap_or_else(|| {
            e.add(
                "period",
                format!(
                    "„{}“ ist kein Zeitraum: Schuljahr wie 2025/26, Jahr wie 2026 oder Halbjahr wie 2026-1.",
                    self.period.trim()
                ),
            );
            String::new()
        });
        let mut count = |field: &str, text: &str| match text.trim().parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => n,
            _ => {
                e.add(
                    field,
                    format!("„{}“ ist keine Anzahl (0 bis 100.000).", text.trim()),
                );
                0
            }
        };
        let groups = count("groups", &self.groups);
        let participants = count("participants", &self.participants);
        e.into_result(Figures {
            period,
            site_id: Some(self.site_id.trim().to_owned()).filter(|s| !s.is_empty()),
            groups,
            participants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_school_years_years_or_half_years() {
        assert_eq!(parse_period("2025/26").as_deref(), Some("2025/26"));
        assert_eq!(parse_period("2025/2026").as_deref(), Some("2025/26"));
        assert_eq!(parse_period("2099/2100").as_deref(), Some("2099/00"));
        assert_eq!(parse_period("2026").as_deref(), Some("2026"));
        assert_eq!(parse_period("2026-2").as_deref(), Some("2026-2"));
        for bad in ["2025/27", "26/27", "2026-3", "Sommer", "", "1999"] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn figures_name_each_bad_field() {
        let e = FiguresInput {
            period: "Sommer".into(),
            groups: "-1".into(),
            participants: "viele".into(),
            ..FiguresInput::default()
        }
        .validate()
        .expect_err("invalid");
        for f in ["period", "groups", "participants"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
