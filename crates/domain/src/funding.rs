//! State funding programmes, their budgets, grants, payments and spending-report deadlines.
//! Amounts are whole cents (`i64`): money is never a float.

use crate::date::Date;
use crate::validation::{FieldErrors, optional_multiline, optional_text, required_text};

/// Parses an amount in euros as people type it: "12.345,67 €", "12345,67", "12345.67", "12.3",
/// "1.500", "500". A comma is the decimal mark; without one, a single dot followed by one or two
/// digits is. Any other dot must group thousands (exactly three digits follow it), so a slip like
/// "1.234.56" is refused rather than read as a hundred times the amount.
pub fn parse_euro(text: &str) -> Option<i64> {
    let t: String = text
        .trim()
        .trim_end_matches('€')
        .trim_end_matches("EUR")
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if t.is_empty() || t.starts_with('-') {
        return None;
    }
    let (whole, cents) = match t.rsplit_once(',') {
        Some((w, c)) => (w.to_owned(), c.to_owned()),
        None => match t.rsplit_once('.') {
            Some((w, c)) if (1..=2).contains(&c.len()) && !w.contains('.') => {
                (w.to_owned(), c.to_owned())
            }
            _ => (t.clone(), String::new()),
        },
    };
    // Thousands groups: the first 1–3 digits, every further group exactly 3.
    let groups: Vec<&str> = whole.split('.').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let whole = whole.replace('.', "");
    if !grouped_well
        || whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || cents.len() > 2
        || !cents.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let euros: i64 = whole.parse().ok()?;
    let cents: i64 = match cents.len() {
        0 => 0,
        1 => cents.parse::<i64>().ok()? * 10,
        _ => cents.parse().ok()?,
    };
    euros.checked_mul(100)?.checked_add(cents)
}

/// "12.345,67 €"
pub fn format_euro(cents: i64) -> String {
    let negative = cents < 0;
    let abs = cents.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!(
        "{}{grouped},{:02} €",
        if negative { "-" } else { "" },
        abs % 100
    )
}

fn euro_field(e: &mut FieldErrors, field: &str, text: &str) -> i64 {
    match parse_euro(text) {
        // Up to a billion euros: anything larger is a typing slip.
        Some(c) if c <= 100_000_000_000 => c,
        _ => {
            e.add(
                field,
                format!(
                    "„{}“ ist kein Betrag in Euro (z. B. 12.500,00).",
                    text.trim()
                ),
            );
            0
        }
    }
}

/// A required date; [`Date::EARLIEST`] stands in for one that failed (the draft then carries
/// the field error and is never stored).
fn date_field(e: &mut FieldErrors, field: &str, text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|| {
        e.add(
            field,
            format!("„{}“ ist kein Datum (TT.MM.JJJJ).", text.trim()),
        );
        Date::EARLIEST
    })
}

/// A funding programme (Förderprogramm) as the form submits it.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FundingProgrammeInput {
    pub name: String,
    pub funder: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingProgrammeDraft {
    pub name: String,
    pub funder: String,
    pub description: String,
}

impl FundingProgrammeInput {
    pub fn validate(&self) -> Result<FundingProgrammeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = required_text(&mut e, "name", &self.name, 200);
        let funder = optional_text(&mut e, "funder", &self.funder, 200);
        let description = optional_multiline(&mut e, "description", &self.description, 5_000);
        e.into_result(FundingProgrammeDraft {
            name,
            funder,
            description,
        })
    }
}

/// The budget of one year.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct BudgetInput {
    pub year: String,
    pub amount: String,
}

impl BudgetInput {
    pub fn validate(&self) -> Result<(i64, i64), FieldErrors> {
        let mut e = FieldErrors::new();
        let year = match self.year.trim().parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                e.add("year", "Bitte ein Jahr zwischen 2000 und 2100 angeben.");
                0
            }
        };
        let amount = euro_field(&mut e, "amount", &self.amount);
        e.into_result((year, amount))
    }
}

/// A grant (Bewilligung): to an organisation, for a programme, or both.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GrantInput {
    pub organisation_id: String,
    pub programme_id: String,
    pub purpose: String,
    pub reference: String,
    pub amount: String,
    pub period_from: String,
    pub period_to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantDraft {
    pub organisation_id: Option<String>,
    pub programme_id: Option<String>,
    pub purpose: String,
    pub reference: String,
    pub amount_cents: i64,
    pub period_from: Date,
    pub period_to: Date,
}

impl GrantInput {
    pub fn validate(&self) -> Result<GrantDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let organisation_id =
            Some(self.organisation_id.trim().to_owned()).filter(|s| !s.is_empty());
        let programme_id = Some(self.programme_id.trim().to_owned()).filter(|s| !s.is_empty());
        if organisation_id.is_none() && programme_id.is_none() {
            e.add(
                "organisation_id",
                "Bitte den Empfänger oder das geförderte Programm angeben.",
            );
        }
        let purpose = required_text(&mut e, "purpose", &self.purpose, 500);
        let reference = optional_text(&mut e, "reference", &self.reference, 100);
        let amount_cents = euro_field(&mut e, "amount", &self.amount);
        let period_from = date_field(&mut e, "period_from", &self.period_from);
        let period_to = date_field(&mut e, "period_to", &self.period_to);
        if e.get("period_from").is_none() && e.get("period_to").is_none() && period_to < period_from
        {
            e.add("period_to", "Das Ende liegt vor dem Beginn.");
        }
        e.into_result(GrantDraft {
            organisation_id,
            programme_id,
            purpose,
            reference,
            amount_cents,
            period_from,
            period_to,
        })
    }
}

/// Money moving under a grant: paid out by the funder, or spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    Payment,
    Expense,
}

impl Movement {
    pub fn key(self) -> &'static str {
        match self {
            Movement::Payment => "payment",
            Movement::Expense => "expense",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Movement::Payment => "Auszahlung",
            Movement::Expense => "Ausgabe",
        }
    }

    pub fn parse(text: &str) -> Option<Movement> {
        [Movement::Payment, Movement::Expense]
            .into_iter()
            .find(|m| m.key() == text.trim())
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MovementInput {
    pub kind: String,
    pub on: String,
    pub amount: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementDraft {
    pub kind: Movement,
    pub on: Date,
    pub amount_cents: i64,
    pub note: String,
}

impl MovementInput {
    pub fn validate(&self) -> Result<MovementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = Movement::parse(&self.kind).unwrap_or_else(|| {
            e.add("kind", "Bitte Auszahlung oder Ausgabe wählen.");
            Movement::Payment
        });
        let on = date_field(&mut e, "on", &self.on);
        let amount_cents = euro_field(&mut e, "amount", &self.amount);
        if amount_cents == 0 && e.get("amount").is_none() {
            e.add("amount", "Der Betrag ist 0.");
        }
        let note = optional_text(&mut e, "note", &self.note, 300);
        e.into_result(MovementDraft {
            kind,
            on,
            amount_cents,
            note,
        })
    }
}

/// A reporting deadline (Verwendungsnachweis, Zwischennachweis).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DeadlineInput {
    pub title: String,
    pub due_on: String,
}

impl DeadlineInput {
    pub fn validate(&self) -> Result<(String, Date), FieldErrors> {
        let mut e = FieldErrors::new();
        let title = required_text(&mut e, "title", &self.title, 200);
        let due_on = date_field(&mut e, "due_on", &self.due_on);
        e.into_result((title, due_on))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_read_as_people_type_them() {
        assert_eq!(parse_euro("12.345,67 €"), Some(1_234_567));
        assert_eq!(parse_euro("12345,6"), Some(1_234_560));
        assert_eq!(parse_euro("12345.67"), Some(1_234_567));
        assert_eq!(parse_euro("1.500"), Some(150_000));
        assert_eq!(parse_euro("1.500.000"), Some(150_000_000));
        assert_eq!(parse_euro("500 EUR"), Some(50_000));
        assert_eq!(parse_euro("12.3"), Some(1_230));
        assert_eq!(parse_euro("1234.5"), Some(123_450));
        assert_eq!(parse_euro("1.234,5"), Some(123_450));
        for bad in [
            "",
            "-5",
            "zwölf",
            "1,234",
            "1.2.3,4,5",
            "€",
            "1.234.56",
            "12.34.567",
            "1234.567,00",
            ".500",
        ] {
            assert_eq!(parse_euro(bad), None, "{bad}");
        }
        assert_eq!(format_euro(1_234_567), "12.345,67 €");
        assert_eq!(format_euro(5), "0,05 €");
        assert_eq!(format_euro(-150_000), "-1.500,00 €");
    }

    #[test]
    fn a_grant_needs_a_recipient_a_purpose_an_amount_and_a_period() {
        let e = GrantInput {
            amount: "viel".into(),
            period_from: "2026-01-01".into(),
            period_to: "2025-12-31".into(),
            ..GrantInput::default()
        }
        .validate()
        .expect_err("invalid");
        for f in ["organisation_id", "purpose", "amount", "period_to"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
