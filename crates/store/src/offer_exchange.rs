//! The offer directory in and out as Open Referral HSDS 3.0 (see `lotse_domain::hsds` for the
//! mapping): what is published goes out; an import writes all of its offers in one transaction
//! or, if anything is wrong, nothing.

use std::collections::{HashMap, HashSet};

use lotse_domain::hsds::{self, Directory, ExportOffer, ExportOrganisation, Imported};
use lotse_domain::organisation::OrganisationInput;
use lotse_domain::{Date, FieldErrors};
use serde::Serialize;

use crate::audit::Actor;
use crate::db::{Db, Tx, ids_in, is_unique_violation, tx};
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
pub async fn export(db: &Db, today: Date) -> Result<Directory> {
    export_offers(db, &offers::published(db).await?, today).await
}

/// These offers and their organisations as HSDS tables (a page of the HSDS API).
pub async fn export_offers(
    db: &Db,
    published: &[offers::PublishedOffer],
    today: Date,
) -> Result<Directory> {
    // Only the organisations of these offers, by id (a page of the HSDS API names at most a
    // hundred), in the directory's order.
    let mut with_offers: Vec<&str> = published
        .iter()
        .map(|p| p.organisation_id.as_str())
        .collect();
    with_offers.sort_unstable();
    with_offers.dedup();
    let mut used = organisations::by_ids(db, &with_offers).await?;
    used.sort_by_cached_key(|o| lotse_domain::collation::sort_key(&o.name));
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
            verified_on: p.verified_on,
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

/// Offers created in one bulk insert; a bound on what is held in memory at once.
const CREATE_BATCH: usize = 1_000;

/// Ids per statement when the import looks up or touches offers.
const ID_BATCH: usize = 500;

/// The offers among `ids` that exist already, read inside the import's transaction: id →
/// (organisation id, organisation name).
async fn known_offers(tx: &mut Tx, ids: &[&str]) -> Result<HashMap<String, (String, String)>> {
    let sql = format!(
        "SELECT o.id, o.organisation_id, org.name FROM offers o \
         JOIN organisations org ON org.id = o.organisation_id WHERE o.id IN {}",
        ids_in(tx)
    );
    let mut known = HashMap::new();
    for chunk in ids.chunks(ID_BATCH) {
        let list = serde_json::to_string(chunk).map_err(|e| StoreError::Config(e.to_string()))?;
        let found: Vec<(String, String, String)> = tx!(&mut *tx, |c| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(&list)
        .fetch_all(c)
        .await)?;
        known.extend(found.into_iter().map(|(id, org, name)| (id, (org, name))));
    }
    Ok(known)
}

/// Offers waiting to be written together: new ones with their organisation ids, and changes to
/// known ones (each id once).
struct Pending<'a> {
    offers: Vec<(&'a hsds::ImportedOffer, String)>,
    changed: Vec<&'a hsds::ImportedOffer>,
    changed_ids: HashSet<&'a str>,
}

impl<'a> Pending<'a> {
    fn len(&self) -> usize {
        self.offers.len() + self.changed.len()
    }

    /// Creates the waiting new offers in bulk (`offers::create_many`) and saves the waiting
    /// changes likewise (`offers::save_many`).
    async fn write(
        &mut self,
        tx: &mut Tx,
        viewer: &Viewer,
        save_as: SaveAs,
        today: Date,
        now: i64,
    ) -> Result<()> {
        let changes: Vec<offers::OfferChange<'_>> = self
            .changed
            .iter()
            .map(|o| offers::OfferChange {
                id: &o.id,
                content: &o.content,
                verified_on: o.verified_on,
            })
            .collect();
        offers::save_many(tx, viewer, &changes, save_as, today, now).await?;
        self.changed.clear();
        self.changed_ids.clear();
        let new: Vec<offers::NewOffer<'_>> = self
            .offers
            .iter()
            .map(|(o, organisation_id)| offers::NewOffer {
                id: &o.id,
                organisation_id,
                content: &o.content,
                verified_on: o.verified_on,
            })
            .collect();
        match offers::create_many(tx, viewer, &new, save_as, today, now).await {
            // Another import created one of them since `known_offers` looked.
            Err(StoreError::Database(e)) if is_unique_violation(&e) => {
                return Err(StoreError::field(
                    "services.csv",
                    "Eines der Angebote wurde gerade angelegt, während der Import lief. Bitte den Import wiederholen.",
                ));
            }
            other => other?,
        }
        self.offers.clear();
        Ok(())
    }
}

/// Writes the imported offers: new ones are created with their HSDS id, known ones get a new
/// revision. `save_as` is `Published` for the command line unless `--draft` is given. All or
/// nothing: one transaction, and every offer is checked before anything is written.
///
/// New offers are created and known ones changed in bulk (`offers::create_many`,
/// `offers::save_many`: a few statements per thousand offers, not ten per offer).
pub async fn import(
    db: &Db,
    viewer: &Viewer,
    imported: &Imported,
    save_as: SaveAs,
    today: Date,
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
        let ids: Vec<&str> = imported.offers.iter().map(|o| o.id.as_str()).collect();
        let known = known_offers(tx, &ids).await?;
        // Organisations found or created, by (id, name key) as `organisation_for` looks them up:
        // most offers share their organisation with many others.
        let mut organisations: HashMap<(&str, String), String> = HashMap::new();
        let mut created: HashSet<&str> = HashSet::new();
        let mut pending = Pending {
            offers: Vec::new(),
            changed: Vec::new(),
            changed_ids: HashSet::new(),
        };
        for offer in &imported.offers {
            let key = (offer.organisation.id.as_str(), offer.organisation.name.trim().to_lowercase());
            let organisation_id = match organisations.get(&key) {
                Some(id) => id.clone(),
                None => {
                    let (id, created) =
                        organisation_for(tx, actor, &offer.organisation, &vocabulary, now).await?;
                    report.organisations_created += usize::from(created);
                    organisations.insert(key, id.clone());
                    id
                }
            };
            // Whether this import creates the offer already (written or still waiting): the
            // set lives as long as the import, batches come and go.
            let given_twice = created.contains(offer.id.as_str());
            if !known.contains_key(&offer.id) && !given_twice {
                created.insert(&offer.id);
                pending.offers.push((offer, organisation_id));
                report.created += 1;
                if pending.len() >= CREATE_BATCH {
                    pending.write(tx, viewer, save_as, today, now).await?;
                }
                continue;
            }
            // A known offer, or one given twice (its first time is written before it).
            let (owner, owner_name) = match known.get(&offer.id) {
                Some(found) if !given_twice => found.clone(),
                _ => {
                    pending.write(tx, viewer, save_as, today, now).await?;
                    let existing = offers::get_in(tx, &offer.id).await?;
                    (existing.organisation_id, existing.organisation)
                }
            };
            // Ids are public: a file must not take over another provider's offer.
            if owner != organisation_id {
                return Err(StoreError::field(
                    "services.csv",
                    format!(
                        "Angebot „{}“ (id {}): Diese Kennung gehört zu einem Angebot von „{}“, nicht von „{}“.",
                        offer.content.title(),
                        offer.id,
                        owner_name,
                        offer.organisation.name
                    ),
                ));
            }
            report.updated += 1;
            if given_twice {
                offers::save(tx, viewer, &offer.id, &offer.content, save_as, None, today, now).await?;
                // The date the data was last checked travels with it.
                if save_as == SaveAs::Published
                    && let Some(verified) = offer.verified_on
                {
                    offers::set_verified_on(tx, &offer.id, verified).await?;
                }
                continue;
            }
            // A known offer: saved in bulk, each id once per batch (the file may repeat one).
            if pending.changed_ids.contains(offer.id.as_str()) {
                pending.write(tx, viewer, save_as, today, now).await?;
            }
            pending.changed_ids.insert(&offer.id);
            pending.changed.push(offer);
            if pending.len() >= CREATE_BATCH {
                pending.write(tx, viewer, save_as, today, now).await?;
            }
        }
        pending.write(tx, viewer, save_as, today, now).await?;
        Ok(report)
    })
    .await?;
    // The import's rows carry the time its transaction began, which may be long before it
    // committed; other app nodes look for changes by that time with only seconds of slack.
    // Touching the offers right after the commit makes them find every one.
    let ids: Vec<&str> = imported.offers.iter().map(|o| o.id.as_str()).collect();
    for chunk in ids.chunks(ID_BATCH) {
        let touched_at = crate::now_ms();
        let list = serde_json::to_string(chunk).map_err(|e| StoreError::Config(e.to_string()))?;
        // Bookkeeping for the other nodes, not a change of content: the import recorded that.
        db.write_exempt(async |tx| {
            let sql = format!(
                "UPDATE offers SET updated_at = $2 WHERE id IN {}",
                ids_in(tx)
            );
            tx!(&mut *tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&list)
                .bind(touched_at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            Ok(())
        })
        .await?;
    }
    if report.created + report.updated >= 1_000 {
        db.refresh_statistics(&["offers", "offer_revisions"])
            .await?;
    }
    Ok(report)
}
