//! The offer directory in and out as Open Referral HSDS 3.0 (see `lotse_domain::hsds` for the
//! mapping): what is published goes out; an import writes all of its offers in one transaction
//! or, if anything is wrong, nothing.

use lotse_domain::FieldErrors;
use lotse_domain::hsds::{self, Directory, ExportOffer, ExportOrganisation, Imported};
use lotse_domain::organisation::OrganisationInput;
use serde::Serialize;

use crate::audit::Actor;
use crate::db::{Db, Tx, tx};
use crate::demo_offers::date_of;
use crate::offers::{self, SaveAs};
use crate::scoped::Viewer;
use crate::{Result, StoreError, organisations, reference};

/// `2026-11-25T14:05:00Z` of an instant in epoch milliseconds.
fn rfc3339(ms: i64) -> String {
    let seconds = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of(ms),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Every published, not withdrawn offer and its organisation, as HSDS tables. Offers outside their
/// validity (ended, or not begun) are marked `inactive`, the others `active`.
pub async fn export(db: &Db, today: &str) -> Result<Directory> {
    export_offers(db, &offers::published(db).await?, today).await
}

/// These offers and their organisations as HSDS tables (a page of the HSDS API).
pub async fn export_offers(
    db: &Db,
    published: &[offers::PublishedOffer],
    today: &str,
) -> Result<Directory> {
    let all_organisations = organisations::list(db, true).await?;
    let used: Vec<_> = all_organisations
        .iter()
        .filter(|o| published.iter().any(|p| p.organisation_id == o.id))
        .collect();
    let modified: Vec<String> = published.iter().map(|p| rfc3339(p.published_at)).collect();
    let export_orgs: Vec<ExportOrganisation<'_>> = used
        .iter()
        .map(|o| ExportOrganisation {
            id: &o.id,
            name: &o.name,
            description: &o.kind_label,
            email: &o.email,
            website: &o.website,
        })
        .collect();
    let export_offers: Vec<ExportOffer<'_>> = published
        .iter()
        .zip(&modified)
        .map(|(p, m)| ExportOffer {
            id: &p.id,
            organisation_id: &p.organisation_id,
            content: &p.content,
            verified_on: p.verified_on.as_deref(),
            last_modified: m,
            // Not (yet or any more) offered: other directories must not show it as open.
            status: if p.content.is_current(today) {
                "active"
            } else {
                "inactive"
            },
        })
        .collect();
    Ok(hsds::export(
        &export_orgs,
        &export_offers,
        &reference::town_names(db).await?,
    ))
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub organisations_created: usize,
    /// Services left out, with the reason (e.g. status "defunct").
    pub skipped: Vec<String>,
    /// Impossible values left out of imported offers.
    pub notes: Vec<String>,
}

/// Reads HSDS data into offers, checked against the district's towns. The errors name file,
/// line and column.
pub async fn parse(db: &Db, directory: &Directory) -> std::result::Result<Imported, Vec<String>> {
    let towns = reference::town_names(db)
        .await
        .map_err(|e| vec![e.to_string()])?;
    hsds::to_offers(directory, &towns)
}

/// The organisation an imported offer belongs to: the same id, else the same name (any case),
/// else a new one (kind "Sonstige").
async fn organisation_for(
    tx: &mut Tx,
    actor: &Actor,
    org: &hsds::ImportedOrganisation,
    vocabulary: &lotse_domain::organisation::OrganisationVocabulary,
    now: i64,
) -> Result<(String, bool)> {
    let found: Option<(String,)> = tx!(&mut *tx, |c| {
        sqlx::query_as("SELECT id FROM organisations WHERE id = $1 OR name_key = $2 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END")
            .bind(&org.id)
            .bind(org.name.trim().to_lowercase())
            .fetch_optional(c)
            .await
    })?;
    if let Some((id,)) = found {
        return Ok((id, false));
    }
    let input = OrganisationInput {
        name: org.name.clone(),
        kind: "other".into(),
        email: org.email.clone(),
        website: org.website.clone(),
        ..Default::default()
    };
    let draft = input.validate(vocabulary).map_err(|e| {
        let mut named = FieldErrors::new();
        for (field, message) in e.iter() {
            named.add(
                "organizations.csv",
                format!(
                    "Organisation „{}“ (id {}), {field}: {message}",
                    org.name, org.id
                ),
            );
        }
        StoreError::Invalid(named)
    })?;
    Ok((
        organisations::create(tx, actor, &draft, false, now).await?,
        true,
    ))
}

/// Writes the imported offers: new ones are created with their HSDS id, known ones get a new
/// revision. `save_as` is `Published` for the command line unless `--draft` is given. All or
/// nothing: one transaction, and every offer is checked before anything is written.
pub async fn import(
    db: &Db,
    viewer: &Viewer,
    imported: &Imported,
    save_as: SaveAs,
    today: &str,
    now: i64,
) -> Result<ImportReport> {
    let actor = &Actor::from(viewer);
    let mut errors = FieldErrors::new();
    for offer in &imported.offers {
        for (field, message) in offer.content.check_imported().iter() {
            errors.add(
                "services.csv",
                format!(
                    "Angebot „{}“ (id {}), {field}: {message}",
                    offer.content.title(),
                    offer.id
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let vocabulary = organisations::vocabulary(db).await?;
    let report = db.write(async |tx| {
        let mut report = ImportReport {
            skipped: imported.skipped.clone(),
            notes: imported.notes.clone(),
            ..ImportReport::default()
        };
        for offer in &imported.offers {
            let (organisation_id, created) =
                organisation_for(tx, actor, &offer.organisation, &vocabulary, now).await?;
            report.organisations_created += usize::from(created);
            let exists = match offers::get_in(tx, &offer.id).await {
                // Ids are public: a file must not take over another provider's offer.
                Ok(existing) if existing.organisation_id != organisation_id => {
                    return Err(StoreError::field(
                        "services.csv",
                        format!(
                            "Angebot „{}“ (id {}): Diese Kennung gehört zu einem Angebot von „{}“, nicht von „{}“.",
                            offer.content.title(),
                            offer.id,
                            existing.organisation,
                            offer.organisation.name
                        ),
                    ));
                }
                Ok(_) => true,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e),
            };
            if exists {
                offers::save(tx, viewer, &offer.id, &offer.content, save_as, None, today, now).await?;
                report.updated += 1;
            } else {
                offers::create(
                    tx,
                    viewer,
                    Some(&offer.id),
                    &organisation_id,
                    &offer.content,
                    save_as,
                    false,
                    today,
                    now,
                )
                .await?;
                report.created += 1;
            }
            // The date the data was last checked travels with it.
            if save_as == SaveAs::Published
                && let Some(verified) = &offer.verified_on
            {
                offers::set_verified_on(tx, &offer.id, verified).await?;
            }
        }
        Ok(report)
    })
    .await?;
    // The import's rows carry the time its transaction began, which may be long before it
    // committed; other app nodes look for changes by that time with only seconds of slack.
    // Touching the offers right after the commit makes them find every one.
    let ids: Vec<&str> = imported.offers.iter().map(|o| o.id.as_str()).collect();
    for chunk in ids.chunks(500) {
        let touched_at = crate::now_ms();
        // Bookkeeping for the other nodes, not a change of content: the import recorded that.
        db.write_exempt(async |tx| {
            for id in chunk {
                tx!(&mut *tx, |c| sqlx::query(
                    "UPDATE offers SET updated_at = $2 WHERE id = $1"
                )
                .bind(*id)
                .bind(touched_at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(report)
}
