//! The published offers in id order, for pages whose cost does not depend on how deep they are.
//!
//! The HSDS API exists so that other directories can harvest all of ours page by page; a page
//! found by SQL `OFFSET` or by ranking the first `offset + limit` hits costs more the deeper it
//! lies (decision 0009). This list is kept next to the search index (same documents, same
//! updates, so it is in step on every node): the page of the unfiltered list is a slice of it,
//! a filtered page (organisation, topic, target group) one pass over compact entries, and the
//! caller then loads just those rows by id. Ids are UUIDv7, so new offers join at the end and a
//! harvest in progress does not see earlier pages shift.

use std::collections::HashMap;
use std::sync::Arc;

use lotse_domain::hsds::derived_id;
use lotse_domain::offer::{TargetGroup, Topic};

/// What the list keeps of one offer (a few dozen bytes; texts stay in the index and the store).
#[derive(Debug, Clone)]
struct Entry {
    id: Arc<str>,
    /// Index into `Listing::organisations`.
    organisation: u32,
    /// Bit `i` set: the offer has `Topic::ALL[i]`.
    topics: u32,
    /// Bit `i` set: the offer names `TargetGroup::ALL[i]` (as its HSDS attributes do; no
    /// "everyone" is implied).
    groups: u32,
    /// Number of places (HSDS service-at-locations).
    places: u32,
}

/// One offer as the list takes it in.
pub struct ListedOffer<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub topics: &'a [Topic],
    pub target_groups: &'a [TargetGroup],
    pub places: usize,
}

/// A filter of the service list; all given parts must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter<'a> {
    pub organisation_id: Option<&'a str>,
    pub topic: Option<Topic>,
    pub target_group: Option<TargetGroup>,
}

impl ListFilter<'_> {
    fn is_empty(&self) -> bool {
        self.organisation_id.is_none() && self.topic.is_none() && self.target_group.is_none()
    }
}

/// A page of a list: the ids on it and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub total: usize,
}

fn mask<T: PartialEq + Copy>(all: &[T], picked: &[T]) -> u32 {
    all.iter()
        .take(32)
        .enumerate()
        .filter(|(_, v)| picked.contains(v))
        .fold(0, |m, (i, _)| m | (1 << i))
}

fn bit<T: PartialEq + Copy>(all: &[T], value: T) -> u32 {
    all.iter()
        .take(32)
        .position(|v| *v == value)
        .map_or(0, |i| 1 << i)
}

/// The key of a service-at-location id (UUID text), or `None` for anything else.
fn place_key(id: &str) -> Option<u128> {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn place_id(offer: &str, n: usize) -> Option<u128> {
    place_key(&derived_id(&[offer, "service_at_location", &n.to_string()]))
}

#[derive(Debug, Default)]
pub struct Listing {
    /// Sorted by id, no id twice.
    entries: Vec<Entry>,
    /// `places_before[i]`: places of `entries[..i]`; one longer than `entries`.
    places_before: Vec<usize>,
    /// Organisation ids seen, with their number of listed offers (only ever appended, so the
    /// indexes in the entries stay valid).
    organisations: Vec<(String, usize)>,
    organisation_index: HashMap<String, u32>,
    /// Indexes of the organisations with at least one offer, in id order.
    publishing: Vec<u32>,
    /// Service-at-location id → offer id.
    places: HashMap<u128, Arc<str>>,
}

impl Listing {
    pub fn new<'a>(offers: impl IntoIterator<Item = ListedOffer<'a>>) -> Listing {
        let mut listing = Listing::default();
        for offer in offers {
            let entry = listing.entry(&offer);
            listing.entries.push(entry);
        }
        listing.entries.sort_by(|a, b| a.id.cmp(&b.id));
        // A duplicate id (which the store cannot produce) counts once: the last one given wins.
        listing.entries.reverse();
        listing
            .entries
            .dedup_by(|later, earlier| later.id == earlier.id);
        listing.entries.reverse();
        let entries = std::mem::take(&mut listing.entries);
        for e in &entries {
            listing.added(e);
        }
        listing.entries = entries;
        listing.reindex();
        listing
    }

    fn entry(&mut self, offer: &ListedOffer<'_>) -> Entry {
        let organisation = match self.organisation_index.get(offer.organisation_id) {
            Some(i) => *i,
            None => {
                let i = u32::try_from(self.organisations.len()).unwrap_or(u32::MAX);
                self.organisations
                    .push((offer.organisation_id.to_owned(), 0));
                self.organisation_index
                    .insert(offer.organisation_id.to_owned(), i);
                i
            }
        };
        Entry {
            id: Arc::from(offer.id),
            organisation,
            topics: mask(Topic::ALL, offer.topics),
            groups: mask(TargetGroup::ALL, offer.target_groups),
            places: u32::try_from(offer.places).unwrap_or(u32::MAX),
        }
    }

    /// Counts an entry in (its organisation, its places); the entry itself is placed by the caller.
    fn added(&mut self, e: &Entry) {
        if let Some(org) = self.organisations.get_mut(e.organisation as usize) {
            org.1 += 1;
        }
        for n in 0..e.places as usize {
            if let Some(key) = place_id(&e.id, n) {
                self.places.insert(key, Arc::clone(&e.id));
            }
        }
    }

    fn removed(&mut self, e: &Entry) {
        if let Some(org) = self.organisations.get_mut(e.organisation as usize) {
            org.1 = org.1.saturating_sub(1);
        }
        for n in 0..e.places as usize {
            if let Some(key) = place_id(&e.id, n) {
                self.places.remove(&key);
            }
        }
    }

    /// Recomputes what depends on positions: the running count of places and the publishing
    /// organisations. One pass, done once per change (changes are rare, pages are not).
    fn reindex(&mut self) {
        self.places_before.clear();
        self.places_before.reserve(self.entries.len() + 1);
        let mut sum = 0usize;
        self.places_before.push(0);
        for e in &self.entries {
            sum += e.places as usize;
            self.places_before.push(sum);
        }
        let mut publishing: Vec<u32> = (0..self.organisations.len())
            .filter(|i| self.organisations[*i].1 > 0)
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        publishing.sort_by(|a, b| {
            self.organisations[*a as usize]
                .0
                .cmp(&self.organisations[*b as usize].0)
        });
        self.publishing = publishing;
    }

    /// Puts one offer in (replacing its older entry), or takes it out when `offer` is `None`.
    pub fn update(&mut self, id: &str, offer: Option<ListedOffer<'_>>) {
        let at = self.entries.binary_search_by(|e| (*e.id).cmp(id));
        if let Ok(i) = at {
            let old = self.entries.remove(i);
            self.removed(&old);
        }
        if let Some(offer) = offer {
            let entry = self.entry(&ListedOffer { id, ..offer });
            self.added(&entry);
            let i = self.entries.partition_point(|e| *e.id < *id);
            self.entries.insert(i, entry);
        }
        self.reindex();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Ids of the offers `offset..offset + limit` of the (filtered) list, in id order, and how
    /// many the list holds. Unfiltered: a slice. Filtered: one pass over the entries, the same
    /// for every page.
    pub fn services(
        &self,
        filter: ListFilter<'_>,
        offset: usize,
        limit: usize,
    ) -> ListPage<String> {
        if filter.is_empty() {
            let start = offset.min(self.entries.len());
            let end = offset.saturating_add(limit).min(self.entries.len());
            return ListPage {
                items: self.entries[start..end]
                    .iter()
                    .map(|e| e.id.to_string())
                    .collect(),
                total: self.entries.len(),
            };
        }
        let organisation = match filter.organisation_id {
            Some(id) => match self.organisation_index.get(id) {
                Some(i) => Some(*i),
                None => {
                    return ListPage {
                        items: Vec::new(),
                        total: 0,
                    };
                }
            },
            None => None,
        };
        let topic = filter.topic.map_or(0, |t| bit(Topic::ALL, t));
        let group = filter.target_group.map_or(0, |g| bit(TargetGroup::ALL, g));
        let mut items = Vec::new();
        let mut total = 0usize;
        for e in &self.entries {
            if organisation.is_some_and(|o| o != e.organisation)
                || e.topics & topic != topic
                || e.groups & group != group
            {
                continue;
            }
            if total >= offset && items.len() < limit {
                items.push(e.id.to_string());
            }
            total += 1;
        }
        ListPage { items, total }
    }

    /// The (offer id, place number) pairs `offset..offset + limit` of all services at locations
    /// (offers in id order, each offer's places in their order), and how many there are.
    /// Found by binary search in the running count of places.
    pub fn service_at_locations(&self, offset: usize, limit: usize) -> ListPage<(String, usize)> {
        let total = self.places_before.last().copied().unwrap_or(0);
        let mut items = Vec::new();
        // The first entry whose places reach past `offset`.
        let mut i = self
            .places_before
            .partition_point(|before| *before <= offset)
            .saturating_sub(1);
        let mut n = offset.saturating_sub(self.places_before.get(i).copied().unwrap_or(0));
        while items.len() < limit {
            let Some(e) = self.entries.get(i) else {
                break;
            };
            if n < e.places as usize {
                items.push((e.id.to_string(), n));
                n += 1;
            } else {
                i += 1;
                n = 0;
            }
        }
        ListPage { items, total }
    }

    /// The offer a service-at-location id belongs to.
    pub fn offer_of_place(&self, id: &str) -> Option<String> {
        self.places.get(&place_key(id)?).map(|o| o.to_string())
    }

    /// Ids `offset..offset + limit` of the organisations with published offers, in id order.
    pub fn organisations(&self, offset: usize, limit: usize) -> ListPage<String> {
        let start = offset.min(self.publishing.len());
        let end = offset.saturating_add(limit).min(self.publishing.len());
        ListPage {
            items: self.publishing[start..end]
                .iter()
                .filter_map(|i| self.organisations.get(*i as usize))
                .map(|(id, _)| id.clone())
                .collect(),
            total: self.publishing.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn offer<'a>(id: &'a str, org: &'a str, topics: &'a [Topic], places: usize) -> ListedOffer<'a> {
        ListedOffer {
            id,
            organisation_id: org,
            topics,
            target_groups: &[],
            places,
        }
    }

    fn listing() -> Listing {
        Listing::new([
            offer("c", "org-b", &[Topic::Health], 2),
            offer("a", "org-a", &[Topic::Counselling, Topic::Health], 1),
            offer("b", "org-a", &[], 0),
            offer("d", "org-b", &[Topic::Counselling], 3),
        ])
    }

    #[test]
    fn pages_are_slices_in_id_order() {
        let l = listing();
        let all = ListFilter::default();
        assert_eq!(l.services(all, 0, 3).items, ["a", "b", "c"]);
        assert_eq!(l.services(all, 3, 3).items, ["d"]);
        assert_eq!(l.services(all, 3, 3).total, 4);
        assert!(l.services(all, usize::MAX, usize::MAX).items.is_empty());
    }

    #[test]
    fn filters_count_every_match_and_page_them() {
        let l = listing();
        let health = ListFilter {
            topic: Some(Topic::Health),
            ..ListFilter::default()
        };
        assert_eq!(l.services(health, 0, 1).items, ["a"]);
        assert_eq!(l.services(health, 1, 1).items, ["c"]);
        assert_eq!(l.services(health, 1, 1).total, 2);
        let org_b_counselling = ListFilter {
            organisation_id: Some("org-b"),
            topic: Some(Topic::Counselling),
            target_group: None,
        };
        assert_eq!(l.services(org_b_counselling, 0, 10).items, ["d"]);
        let nobody = ListFilter {
            organisation_id: Some("org-x"),
            ..ListFilter::default()
        };
        assert_eq!(l.services(nobody, 0, 10).total, 0);
        let seniors = ListFilter {
            target_group: Some(TargetGroup::Seniors),
            ..ListFilter::default()
        };
        assert_eq!(l.services(seniors, 0, 10).total, 0);
    }

    #[test]
    fn places_are_paged_across_offers() {
        let l = listing();
        let all: Vec<(String, usize)> = (0..10)
            .flat_map(|p| l.service_at_locations(p * 2, 2).items)
            .collect();
        let expected: Vec<(String, usize)> =
            [("a", 0), ("c", 0), ("c", 1), ("d", 0), ("d", 1), ("d", 2)]
                .iter()
                .map(|(i, n)| ((*i).to_owned(), *n))
                .collect();
        assert_eq!(all, expected);
        assert_eq!(l.service_at_locations(0, 1).total, 6);
        assert_eq!(l.service_at_locations(4, 10).items.len(), 2);
        let d2 = derived_id(&["d", "service_at_location", "2"]);
        assert_eq!(l.offer_of_place(&d2).as_deref(), Some("d"));
        assert_eq!(l.offer_of_place("nonsense"), None);
    }

    #[test]
    fn updates_keep_order_counts_and_organisations() {
        let mut l = listing();
        l.update("bb", Some(offer("bb", "org-c", &[Topic::Health], 1)));
        l.update("a", None);
        l.update("c", Some(offer("c", "org-b", &[], 0)));
        assert_eq!(
            l.services(ListFilter::default(), 0, 10).items,
            ["b", "bb", "c", "d"]
        );
        assert_eq!(l.service_at_locations(0, 10).total, 4);
        let c0 = derived_id(&["c", "service_at_location", "0"]);
        assert_eq!(l.offer_of_place(&c0), None, "c has no places any more");
        assert_eq!(l.organisations(0, 10).items, ["org-a", "org-b", "org-c"]);
        l.update("b", None);
        assert_eq!(l.organisations(0, 10).items, ["org-b", "org-c"]);
        assert_eq!(l.organisations(1, 10).items, ["org-c"]);
        assert_eq!(l.len(), 3);
    }
}
