//! Keeps the search index of this app node in step with the store.
//!
//! The index is built on first use (so every node, test and restart starts right), each change
//! made through this node is applied at once ([`Finder::refresh`]), and changes made by other
//! nodes on the same PostgreSQL are picked up within [`SYNC_INTERVAL_MS`] by asking the store
//! which offers changed since the last look. Index work runs on the blocking pool: a rebuild of
//! many offers must not stall the async workers.
//!
//! The index carries the same offers in id order as well ([`Listing`]): the HSDS API's pages are
//! slices of it, so their cost does not grow with the page number (decision 0009).

use std::sync::Arc;

use lotse_search::{Listing, OfferDocument, OfferIndex, OfferQuery, SearchPage};
use lotse_store::offers::{self, PublishedOffer};
use lotse_store::{Db, StoreError, finder_concepts, finder_misses, now_ms, reference, settings};
use tokio::sync::Mutex;

/// How stale another node's changes may be in this node's finder.
pub const SYNC_INTERVAL_MS: i64 = 5_000;

/// More changed offers than this since the last look are taken in by rebuilding the index.
const BULK_CHANGE: usize = 500;

/// Most notes of searches that found nothing that wait for the database at a time.
const NOTES_IN_FLIGHT: usize = 4;

/// Clock differences between nodes, absorbed by looking back a little further than needed.
const CLOCK_SLACK_MS: i64 = 10_000;

pub struct Finder {
    index: tokio::sync::OnceCell<Arc<OfferIndex>>,
    /// When the store was last asked for changes (ms).
    synced_at: Mutex<i64>,
    sync_interval_ms: i64,
    /// The editors' words of the dictionary the index was last built with.
    words: Mutex<Vec<String>>,
    /// Notes of searches that found nothing, written or waiting to be ([`Finder::note_if_missed`]).
    notes: Arc<std::sync::atomic::AtomicUsize>,
    /// The concepts as they were last read (a handful of rows: compared whole, so that no
    /// change can slip past a summary of them).
    concepts: Mutex<Option<Vec<lotse_domain::finder_concept::ConceptLabels>>>,
}

impl Default for Finder {
    fn default() -> Self {
        Finder::with_sync_interval(SYNC_INTERVAL_MS)
    }
}

fn search_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("search: {e}"))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, lotse_search::SearchError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(search_error)?
        .map_err(search_error)
}

fn document(o: &PublishedOffer) -> OfferDocument<'_> {
    OfferDocument {
        id: &o.id,
        organisation_id: &o.organisation_id,
        organisation: &o.organisation,
        content: &o.content,
    }
}

/// Puts the published version of one offer into the index, or takes the offer out if nothing of
/// it is published (any more).
async fn reread(db: &Db, index: &Arc<OfferIndex>, id: &str) -> Result<(), StoreError> {
    let offer = match offers::published_one(db, id).await {
        Ok(o) => Some(o),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let (index, id) = (Arc::clone(index), id.to_owned());
    blocking(move || index.update(&id, offer.as_ref().map(document))).await
}

impl Finder {
    /// A finder that looks for other nodes' changes at most every `ms` (tests use 0).
    pub fn with_sync_interval(ms: i64) -> Finder {
        Finder {
            index: tokio::sync::OnceCell::new(),
            synced_at: Mutex::new(0),
            sync_interval_ms: ms,
            words: Mutex::new(Vec::new()),
            concepts: Mutex::new(None),
            notes: Arc::default(),
        }
    }

    /// The index, built from the store the first time it is needed.
    async fn index(&self, db: &Db) -> Result<Arc<OfferIndex>, StoreError> {
        self.index
            .get_or_try_init(|| async {
                let started = now_ms();
                let towns = reference::town_names(db).await?;
                let published = offers::published(db).await?;
                let words = settings::finder_words(db).await?;
                let applied = words.clone();
                let index = blocking(move || {
                    let index = OfferIndex::new(towns)?;
                    index.set_words(words)?;
                    index.rebuild(published.iter().map(document))?;
                    Ok(Arc::new(index))
                })
                .await?;
                *self.words.lock().await = applied;
                self.apply_concepts(db, &index).await?;
                *self.synced_at.lock().await = started;
                tracing::info!(
                    offers = index.len(),
                    ms = now_ms() - started,
                    "offer search index built"
                );
                Ok(index)
            })
            .await
            .cloned()
    }

    /// Builds the index now rather than on the first search (`lotse serve` does this at start).
    pub async fn warm(&self, db: &Db) -> Result<(), StoreError> {
        self.index(db).await.map(|_| ())
    }

    /// Re-reads one offer after a change made through this node.
    pub async fn refresh(&self, db: &Db, id: &str) -> Result<(), StoreError> {
        let Some(index) = self.index.get().cloned() else {
            // Not built yet: the first search reads everything anyway.
            return Ok(());
        };
        reread(db, &index, id).await
    }

    /// Builds the index again if the editors' words changed since it was built (on this node
    /// or another): a word added splits compounds in every offer, so every offer is indexed
    /// again. Returns whether it did.
    async fn apply_words(&self, db: &Db, index: &Arc<OfferIndex>) -> Result<bool, StoreError> {
        let words = settings::finder_words(db).await?;
        let mut applied = self.words.lock().await;
        if *applied == words {
            return Ok(false);
        }
        let published = offers::published(db).await?;
        let (index, new) = (Arc::clone(index), words.clone());
        blocking(move || {
            index.set_words(new)?;
            index.rebuild(published.iter().map(document)).map(|_| ())
        })
        .await?;
        *applied = words;
        Ok(true)
    }

    /// Reads the concepts again if they changed since they were last read (on any node).
    async fn apply_concepts(&self, db: &Db, index: &Arc<OfferIndex>) -> Result<(), StoreError> {
        let list: Vec<_> = finder_concepts::list(db)
            .await?
            .into_iter()
            .map(|c| c.labels)
            .collect();
        let mut read = self.concepts.lock().await;
        if read.as_ref() == Some(&list) {
            return Ok(());
        }
        let (index, new) = (Arc::clone(index), list.clone());
        blocking(move || index.set_concepts(new)).await?;
        *read = Some(list);
        Ok(())
    }

    /// After a concept was saved through this node: takes the concepts in at once.
    pub async fn concepts_changed(&self, db: &Db) -> Result<(), StoreError> {
        if let Some(index) = self.index.get().cloned() {
            self.apply_concepts(db, &index).await?;
        }
        Ok(())
    }

    /// After the editors' words were saved through this node: takes them in at once.
    pub async fn words_changed(&self, db: &Db) -> Result<(), StoreError> {
        if let Some(index) = self.index.get().cloned() {
            self.apply_words(db, &index).await?;
        }
        Ok(())
    }

    /// How the finder cuts a word into the parts it searches for (the editors' word page):
    /// the terms of the whole word, then of its parts.
    pub async fn explain(&self, db: &Db, word: &str) -> Result<Vec<String>, StoreError> {
        let index = self.index(db).await?;
        let word = word.to_owned();
        blocking(move || Ok(index.explain(&word))).await
    }

    /// Picks up changes other nodes made, at most every `sync_interval_ms`.
    async fn sync(&self, db: &Db, index: &Arc<OfferIndex>) -> Result<(), StoreError> {
        let now = now_ms();
        let mut synced_at = self.synced_at.lock().await;
        if now - *synced_at < self.sync_interval_ms {
            return Ok(());
        }
        self.apply_concepts(db, index).await?;
        if self.apply_words(db, index).await? {
            *synced_at = now;
            return Ok(());
        }
        let since = *synced_at - CLOCK_SLACK_MS;
        // Only advanced once every change is in: after an error the next search tries again.
        let changed = offers::changed_since(db, since).await?;
        if changed.len() > BULK_CHANGE {
            // An import on another node: one rebuild beats thousands of single updates.
            let published = offers::published(db).await?;
            let index = Arc::clone(index);
            blocking(move || index.rebuild(published.iter().map(document)).map(|_| ())).await?;
            *synced_at = now;
            return Ok(());
        }
        for id in changed {
            reread(db, index, &id).await?;
        }
        *synced_at = now;
        Ok(())
    }

    /// Notes a public search that found nothing for its words alone (decision 0013: "what people
    /// looked for and did not find"), on a task of its own so the answer does not wait for it.
    /// At most [`NOTES_IN_FLIGHT`] notes wait for the database at a time; past that a note is
    /// dropped, so a flood of searches for nonsense cannot queue writes in front of the staff's
    /// (the counts are a guide, not a record).
    pub fn note_if_missed(&self, db: &Db, query: &OfferQuery, found: usize) {
        use std::sync::atomic::Ordering;
        if found > 0 || !query.is_words_only() || query.offset > 0 {
            return;
        }
        if self.notes.fetch_add(1, Ordering::AcqRel) >= NOTES_IN_FLIGHT {
            self.notes.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        let (db, text, locale) = (db.clone(), query.text.clone(), query.locale.key());
        let notes = Arc::clone(&self.notes);
        tokio::spawn(async move {
            if let Err(e) = finder_misses::note(&db, &text, locale, now_ms()).await {
                tracing::warn!(error = %e, "missed search not noted");
            }
            notes.fetch_sub(1, Ordering::AcqRel);
        });
    }

    /// "Did you mean" for words that found nothing (see [`OfferIndex::suggest`]).
    pub async fn suggest(&self, db: &Db, text: String) -> Result<Option<String>, StoreError> {
        let index = self.index(db).await?;
        blocking(move || index.suggest(&text)).await
    }

    pub async fn search(&self, db: &Db, query: OfferQuery) -> Result<SearchPage, StoreError> {
        let index = self.index(db).await?;
        self.sync(db, &index).await?;
        blocking(move || index.search(&query)).await
    }

    /// Reads the published offers in id order (see [`Listing`]), as current as the search.
    pub async fn listing<T: Send + 'static>(
        &self,
        db: &Db,
        read: impl FnOnce(&Listing) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let index = self.index(db).await?;
        self.sync(db, &index).await?;
        blocking(move || Ok(read(&*index.listing()?))).await
    }

    /// Results and the number of results per town (for the finder's town overview).
    pub async fn search_with_town_counts(
        &self,
        db: &Db,
        query: OfferQuery,
    ) -> Result<(SearchPage, Vec<(String, usize)>), StoreError> {
        let index = self.index(db).await?;
        self.sync(db, &index).await?;
        blocking(move || index.search_with_town_counts(&query)).await
    }
}
