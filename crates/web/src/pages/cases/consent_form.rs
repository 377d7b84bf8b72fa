//! The printable consent form (decision 0012, slice 3): the recorded consent in German, the
//! binding text, beside the same text in the person's language (one of the finder's seven), to
//! sign on paper. The texts are the public pages' catalogue (`crates/web/i18n/*.txt`,
//! `consent.*`), so translators keep them where they keep every other public text.

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::response::Response;
use lotse_domain::case::{ConsentPurpose, ReleaseScope};
use lotse_domain::offer::Locale;
use lotse_store::StoreError;
use lotse_store::cases;

use super::super::render;
use crate::AppState;
use crate::error::AppError;
use crate::guard::CurrentUser;
use crate::i18n::Texts;
use crate::view::{Layout, date_de};

/// One language's column of the form.
struct Column {
    lang: &'static str,
    dir: &'static str,
    language: &'static str,
    title: &'static str,
    issuer: &'static str,
    person: &'static str,
    birth_date: &'static str,
    pseudonym: &'static str,
    purpose: &'static str,
    organisation_label: &'static str,
    covers_intro: &'static str,
    covers: Vec<&'static str>,
    validity: String,
    voluntary: &'static str,
    revoke: &'static str,
    rights: &'static str,
    place_date: &'static str,
    signature: &'static str,
    signature_staff: &'static str,
    witness: &'static str,
    translation_note: &'static str,
}

fn column(locale: Locale, purpose: ConsentPurpose, covers: &[ReleaseScope], until: &str) -> Column {
    let t = Texts::new(locale);
    let purpose_key = match purpose {
        ConsentPurpose::CaseManagement => "consent.purpose.case_management",
        ConsentPurpose::Release => "consent.purpose.release",
        ConsentPurpose::CaseConference => "consent.purpose.case_conference",
    };
    Column {
        lang: t.lang(),
        dir: t.dir(),
        language: locale.native_name(),
        title: t.get("consent.title"),
        issuer: t.get("consent.issuer"),
        person: t.get("consent.person"),
        birth_date: t.get("consent.birth_date"),
        pseudonym: t.get("consent.pseudonym"),
        purpose: t.get(purpose_key),
        organisation_label: t.get("consent.organisation"),
        covers_intro: t.get("consent.covers"),
        covers: covers.iter().map(|s| t.get(s.text_key())).collect(),
        validity: if until.is_empty() {
            t.get("consent.valid_open").to_owned()
        } else {
            t.fill("consent.valid_until", &[("date", until)])
        },
        voluntary: t.get("consent.voluntary"),
        revoke: t.get("consent.revoke"),
        rights: t.get("consent.rights"),
        place_date: t.get("consent.place_date"),
        signature: t.get("consent.signature"),
        signature_staff: t.get("consent.signature_staff"),
        witness: t.get("consent.witness"),
        translation_note: t.get("consent.translation_note"),
    }
}

#[derive(Template)]
#[template(path = "cases/consent_form.html")]
struct ConsentFormPage {
    layout: Layout,
    case_id: String,
    consent_id: String,
    name: String,
    birth: String,
    pseudonym: String,
    organisation: String,
    release: bool,
    oral: bool,
    /// German first, then the person's language (if another).
    columns: Vec<Column>,
    /// (key, name) of the languages to choose from, and the chosen one.
    languages: Vec<(String, String)>,
    chosen: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FormQuery {
    lang: String,
}

/// The finder language a person's recorded languages name first ("Arabisch, Kurdisch" → ar),
/// by code, German name or the language's own name.
pub fn language_of(recorded: &str) -> Option<Locale> {
    recorded
        .split([',', ';', '/'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .find_map(|w| {
            let lower = w.to_lowercase();
            Locale::parse(w).filter(|_| w.len() <= 5).or_else(|| {
                Locale::ALL.into_iter().find(|l| {
                    let german = l.german_name().to_lowercase();
                    lower == l.native_name().to_lowercase()
                        || lower == german
                        || german.starts_with(&format!("{lower} "))
                        || (lower.len() >= 4 && german.starts_with(&lower))
                })
            })
        })
}

pub async fn print(
    State(app): State<AppState>,
    user: CurrentUser,
    uri: OriginalUri,
    Path((id, entry)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Result<Response, AppError> {
    let viewer = user.principal.viewer();
    let store = cases::for_viewer(&app.db, &viewer);
    let case = store.get(&id, app.now()).await?;
    // The form is printed to be signed: by whoever records consents on the case.
    if !case.access.change {
        return Err(StoreError::NotFound.into());
    }
    let consent = store
        .consents(&case)
        .await?
        .into_iter()
        .find(|k| k.id == entry)
        .ok_or(StoreError::NotFound)?;
    let purpose = ConsentPurpose::parse(&consent.purpose).ok_or(StoreError::NotFound)?;
    let locale = Locale::parse(&q.lang)
        .or_else(|| case.languages.as_deref().and_then(language_of))
        .unwrap_or(Locale::De);
    let covers = consent.covers();
    let until = consent.valid_until.map(|d| date_de(&d)).unwrap_or_default();
    let mut columns = vec![column(Locale::De, purpose, &covers, &until)];
    if locale != Locale::De {
        columns.push(column(locale, purpose, &covers, &until));
    }
    render(&ConsentFormPage {
        layout: Layout::new(&app, &user, "Einwilligung drucken", uri.path()),
        case_id: id.clone(),
        consent_id: entry.clone(),
        name: case.shown_name(),
        birth: case.birth_date.map(|d| date_de(&d)).unwrap_or_default(),
        pseudonym: case.pseudonym.clone(),
        organisation: consent.organisation.clone().unwrap_or_default(),
        release: purpose == ConsentPurpose::Release,
        oral: consent.form == "oral_with_witness",
        columns,
        languages: Locale::ALL
            .into_iter()
            .map(|l| {
                (
                    l.key().to_owned(),
                    format!("{} – {}", l.german_name(), l.native_name()),
                )
            })
            .collect(),
        chosen: locale.key().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_languages_name_a_finder_language() {
        assert_eq!(language_of("Arabisch, Kurdisch"), Some(Locale::Ar));
        assert_eq!(language_of("Kurdisch; Persisch"), Some(Locale::Ku));
        assert_eq!(language_of("Persisch, Kurdisch"), Some(Locale::Fa));
        assert_eq!(language_of("Dari"), Some(Locale::Prs));
        assert_eq!(language_of("uk"), Some(Locale::Uk));
        assert_eq!(language_of("Русский"), Some(Locale::Ru));
        assert_eq!(language_of("Tigrinya"), Some(Locale::Ti));
        assert_eq!(language_of("Amharisch"), None);
        assert_eq!(language_of(""), None);
    }
}
