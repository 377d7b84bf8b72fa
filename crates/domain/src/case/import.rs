//! Moving case lists in from Excel or CSV (decision 0012, slice 8): the header row is found
//! even below title rows, the headers case managers commonly use are recognised, any column can
//! be mapped by hand, and every row is checked as the intake form checks it, naming line and
//! field.

use super::{AccessRoute, PersonInput};
use crate::date::Date;
use crate::measure_import::parse_catalogue_date;
use crate::validation::FieldErrors;

vocabulary! {
    /// The fields a column of a case list can feed.
    CaseColumn {
        FamilyName => "family_name", "Familienname";
        GivenNames => "given_names", "Vornamen";
        BirthDate => "birth_date", "Geburtsdatum";
        Gender => "gender", "Geschlecht";
        Nationalities => "nationalities", "Staatsangehörigkeiten";
        Languages => "languages", "Sprachen";
        InterpreterLanguage => "interpreter_language", "Sprache für die Sprachmittlung";
        Town => "town", "Wohnort";
        ResidenceStatus => "residence_status", "Aufenthaltsstatus";
        Jurisdiction => "jurisdiction", "zuständiger Rechtskreis";
        ArrivedInGermany => "arrived_in_germany", "Ankunft in Deutschland";
        ArrivedInDistrict => "arrived_in_district", "Ankunft im Kreis";
        AccessRoute => "access_route", "Zugangsweg";
        OpenedOn => "opened_on", "Beginn des Falls";
    }
}

/// The column a header names, for the headers case lists commonly have.
pub fn case_column_for(header: &str) -> Option<CaseColumn> {
    let h = header.trim().trim_end_matches(':').to_lowercase();
    use CaseColumn::*;
    Some(match h.as_str() {
        "name" | "nachname" | "familienname" | "family name" | "surname" => FamilyName,
        "vorname" | "vornamen" | "given name" | "given names" | "first name" => GivenNames,
        "geburtsdatum" | "geb." | "geb.-datum" | "date of birth" | "birth date" => BirthDate,
        "geschlecht" | "gender" => Gender,
        "staatsangehörigkeit" | "staatsangehörigkeiten" | "nationalität" | "nationality" => {
            Nationalities
        }
        "sprache" | "sprachen" | "languages" | "language" => Languages,
        "dolmetscher" | "sprachmittlung" | "dolmetschersprache" => InterpreterLanguage,
        "wohnort" | "ort" | "stadt" | "gemeinde" | "town" | "kommune" => Town,
        "aufenthaltsstatus" | "aufenthalt" | "status aufenthalt" | "residence status" => {
            ResidenceStatus
        }
        "rechtskreis" | "leistungsbezug" | "zuständigkeit" | "jurisdiction" => Jurisdiction,
        "einreise" | "ankunft in deutschland" | "einreisedatum" => ArrivedInGermany,
        "zuzug" | "ankunft im kreis" | "zuzug kreis" => ArrivedInDistrict,
        "zugang" | "zugangsweg" | "zuweisung durch" | "access route" => AccessRoute,
        "beginn" | "fallbeginn" | "aufnahme" | "aufnahmedatum" | "beginn des falls" => OpenedOn,
        _ => return None,
    })
}

/// The header row: the first of the first 30 rows that names the family name and at least one
/// other known column. Its index and the column of each cell.
pub fn find_case_header(rows: &[Vec<String>]) -> Option<(usize, Vec<Option<CaseColumn>>)> {
    rows.iter().take(30).enumerate().find_map(|(i, row)| {
        let columns: Vec<Option<CaseColumn>> = row.iter().map(|c| case_column_for(c)).collect();
        let known = columns.iter().flatten().count();
        (columns.contains(&Some(CaseColumn::FamilyName)) && known >= 2).then_some((i, columns))
    })
}

/// One row of a case list, numbered as the spreadsheet shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseRow {
    pub line: usize,
    pub person: PersonInput,
    pub access_route: String,
    pub opened_on: String,
}

/// The data rows below the header (empty rows skipped).
pub fn case_rows(
    rows: &[Vec<String>],
    header: usize,
    columns: &[Option<CaseColumn>],
) -> Vec<CaseRow> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut r = CaseRow {
            line: i + 1,
            ..CaseRow::default()
        };
        for (cell, column) in row.iter().zip(columns) {
            let cell = cell.trim().to_owned();
            let p = &mut r.person;
            match column {
                Some(CaseColumn::FamilyName) => p.family_name = cell,
                Some(CaseColumn::GivenNames) => p.given_names = cell,
                Some(CaseColumn::BirthDate) => p.birth_date = cell,
                Some(CaseColumn::Gender) => p.gender = cell,
                Some(CaseColumn::Nationalities) => p.nationalities = cell,
                Some(CaseColumn::Languages) => p.languages = cell,
                Some(CaseColumn::InterpreterLanguage) => {
                    // Lists write a language, or only whether one is needed ("ja", "nein", "x").
                    let answer = cell.to_lowercase();
                    let (needed, language) = match answer.as_str() {
                        "" | "nein" | "no" | "-" | "0" | "n" => (false, String::new()),
                        "ja" | "yes" | "x" | "1" | "j" => (true, String::new()),
                        _ => (true, cell),
                    };
                    p.interpreter_needed = if needed { "yes" } else { "" }.into();
                    p.interpreter_language = language;
                }
                Some(CaseColumn::Town) => p.town = cell,
                Some(CaseColumn::ResidenceStatus) => p.residence_status = cell,
                Some(CaseColumn::Jurisdiction) => p.jurisdiction = cell,
                Some(CaseColumn::ArrivedInGermany) => p.arrived_in_germany = cell,
                Some(CaseColumn::ArrivedInDistrict) => p.arrived_in_district = cell,
                Some(CaseColumn::AccessRoute) => r.access_route = cell,
                Some(CaseColumn::OpenedOn) => r.opened_on = cell,
                None => {}
            }
        }
        out.push(r);
    }
    out
}

/// A date as lists write it (`01.09.2024`, `2024-09-01`, `09/2024`) in the form's ISO text; a
/// text that is no date stays as it is, for the check to name.
fn iso(text: &str) -> String {
    parse_catalogue_date(text).map_or_else(|| text.trim().to_owned(), |d| d.to_string())
}

/// Jurisdictions as lists write them ("SGB II", "AsylbLG", "Jobcenter") in the form's keys.
fn jurisdiction(text: &str) -> String {
    let t = text.trim().to_lowercase().replace([' ', '.', '-'], "");
    match t.as_str() {
        "sgbii" | "sgb2" | "jobcenter" | "alg2" | "bürgergeld" => "sgb2".into(),
        "sgbiii" | "sgb3" | "agentur" | "agenturfürarbeit" | "alg1" => "sgb3".into(),
        "sgbviii" | "sgb8" | "jugendamt" => "sgb8".into(),
        "sgbxii" | "sgb12" | "sozialamt" => "sgb12".into(),
        "asylblg" | "asylbewerberleistungsgesetz" => "asylblg".into(),
        "" | "keiner" | "kein" | "none" => "none".into(),
        _ => text.trim().to_owned(),
    }
}

/// Genders as lists write them (w/m/d).
fn gender(text: &str) -> String {
    match text.trim().to_lowercase().as_str() {
        "w" | "weiblich" | "f" | "female" => "female".into(),
        "m" | "männlich" | "male" => "male".into(),
        "d" | "divers" | "diverse" => "diverse".into(),
        "" => "not_stated".into(),
        other => other.to_owned(),
    }
}

/// A checked row: the person and how the case began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRowDraft {
    pub line: usize,
    pub person: super::PersonDraft,
    pub access_route: AccessRoute,
    pub opened_on: Date,
}

impl CaseRow {
    /// Checks the row as the intake form would; `towns` are (AGS, name) to accept a town by
    /// its name. Errors name the field.
    pub fn check(
        &self,
        towns: &[(String, String)],
        today: Date,
    ) -> Result<CaseRowDraft, FieldErrors> {
        let mut person = self.person.clone();
        // A year alone is no birth date: taking it as 1 January would invent a day.
        let year_only = {
            let b = person.birth_date.trim();
            b.len() == 4 && b.chars().all(|c| c.is_ascii_digit())
        };
        for d in [
            &mut person.birth_date,
            &mut person.arrived_in_germany,
            &mut person.arrived_in_district,
            &mut person.residence_valid_until,
        ] {
            *d = iso(d);
        }
        person.jurisdiction = jurisdiction(&person.jurisdiction);
        person.gender = gender(&person.gender);
        let town = person.town.trim().to_lowercase();
        if let Some((ags, _)) = towns
            .iter()
            .find(|(ags, name)| *ags == town || name.to_lowercase() == town)
        {
            person.town = ags.clone();
        }
        let mut e = FieldErrors::new();
        if year_only {
            e.add(
                "birth_date",
                "Nur ein Geburtsjahr: bitte das ganze Datum angeben oder das Feld leer lassen.",
            );
        }
        let checked = person.validate(today);
        if let Err(errors) = &checked {
            for (field, message) in errors.iter() {
                e.add(field, message);
            }
        }
        let route = if self.access_route.trim().is_empty() {
            Some(AccessRoute::Other)
        } else {
            let found = AccessRoute::parse(&self.access_route);
            if found.is_none() {
                e.add(
                    "access_route",
                    format!(
                        "„{}“ ist kein bekannter Zugangsweg.",
                        self.access_route.trim()
                    ),
                );
            }
            found
        };
        let opened_on = if self.opened_on.trim().is_empty() {
            Some(today)
        } else {
            let d = parse_catalogue_date(&self.opened_on);
            match d {
                None => e.add("opened_on", "Bitte ein Datum angeben (TT.MM.JJJJ)."),
                Some(d) if d > today => e.add("opened_on", "Das Datum liegt in der Zukunft."),
                Some(_) => {}
            }
            d
        };
        match (checked, route, opened_on, e.is_empty()) {
            (Ok(person), Some(access_route), Some(opened_on), true) => Ok(CaseRowDraft {
                line: self.line,
                person,
                access_route,
                opened_on,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap_or(Date::EARLIEST)
    }

    #[test]
    fn a_list_with_title_rows_and_german_headers_is_read_and_checked() {
        let rows: Vec<Vec<String>> = [
            vec!["Fallliste KIM 2025", "", "", "", ""],
            vec!["Name", "Vorname", "Geb.", "Ort", "Rechtskreis"],
            vec!["Haddad", "Mariam", "12.04.1990", "Ahlen", "SGB II"],
            vec!["", "", "", "", ""],
            vec!["", "Ohne", "31.02.1990", "Atlantis", "SGB 99"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect();
        let (header, columns) = find_case_header(&rows).unwrap_or_default();
        assert_eq!(header, 1);
        let data = case_rows(&rows, header, &columns);
        assert_eq!(data.len(), 2);
        let towns = vec![("05570004".to_owned(), "Ahlen".to_owned())];
        let ok = data[0]
            .check(&towns, today())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.person.town.as_deref(), Some("05570004"));
        assert_eq!(ok.person.jurisdiction.key(), "sgb2");
        assert_eq!(ok.line, 3);
        let bad = data[1].check(&towns, today()).err().unwrap_or_default();
        assert!(bad.has("family_name") && bad.has("birth_date") && bad.has("town"));
        assert!(bad.has("jurisdiction"));
    }

    #[test]
    fn an_interpreter_column_may_say_only_yes_or_no_and_a_year_is_no_date() {
        let rows: Vec<Vec<String>> = [
            vec!["Name", "Geburtsdatum", "Dolmetscher"],
            vec!["Kaya", "1990", "nein"],
            vec!["Nowak", "01.02.1990", "Polnisch"],
            vec!["Osei", "", "ja"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
        .collect();
        let (header, columns) = find_case_header(&rows).unwrap_or_default();
        let data = case_rows(&rows, header, &columns);
        assert_eq!(data[0].person.interpreter_language, "");
        assert_eq!(data[0].person.interpreter_needed, "");
        assert!(
            data[0]
                .check(&[], today())
                .err()
                .unwrap_or_default()
                .has("birth_date")
        );
        assert_eq!(data[1].person.interpreter_language, "Polnisch");
        assert_eq!(
            (
                data[2].person.interpreter_needed.as_str(),
                data[2].person.interpreter_language.as_str()
            ),
            ("yes", "")
        );
    }
}
