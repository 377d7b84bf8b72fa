//! Abuse protection of the public forms that store personal data (decision 0018): a limit per
//! client address and one for everybody together, each over a sliding hour.
//!
//! The counts live in this process's memory: a refused submission writes nothing, not even a
//! counter, so a flood cannot fill the database through the limiter itself. A restart forgets
//! them, which is fine for a limit of this size. The store keeps its own ceiling (the most
//! registrations waiting for review) behind it.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// The address a request came from, put into every request by [`crate::server::serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Submissions one address may make in an hour: a family with a few tries, a counselling
/// service at a shared address with several families.
pub const PER_ADDRESS: usize = 10;
/// Submissions from everybody together in an hour (the district registers a few hundred
/// families a year).
pub const OVERALL: usize = 100;
const HOUR_MS: i64 = 60 * 60 * 1000;
/// Addresses remembered at most; past it the oldest are forgotten (a flood from many
/// addresses is the overall limit's to stop).
const MOST_ADDRESSES: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This address sent too many.
    Address,
    /// Everybody together sent too many.
    Overall,
}

#[derive(Default)]
struct Counts {
    by_address: HashMap<IpAddr, VecDeque<i64>>,
    all: VecDeque<i64>,
}

#[derive(Default)]
pub struct PublicLimit {
    counts: Mutex<Counts>,
}

fn forget_before(times: &mut VecDeque<i64>, since: i64) {
    while times.front().is_some_and(|t| *t <= since) {
        times.pop_front();
    }
}

impl PublicLimit {
    /// Counts a submission from `address` at `now`, or refuses it (and counts nothing).
    /// Requests without a known address (not served over TCP) count only overall.
    pub fn admit(&self, address: Option<IpAddr>, now: i64) -> Result<(), Refused> {
        // A poisoned lock only means another request panicked mid-update; the counts stand.
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let since = now - HOUR_MS;
        forget_before(&mut c.all, since);
        if let Some(times) = address.and_then(|a| c.by_address.get_mut(&a)) {
            forget_before(times, since);
            if times.len() >= PER_ADDRESS {
                return Err(Refused::Address);
            }
        }
        if c.all.len() >= OVERALL {
            return Err(Refused::Overall);
        }
        c.all.push_back(now);
        if let Some(a) = address {
            if c.by_address.len() >= MOST_ADDRESSES && !c.by_address.contains_key(&a) {
                c.by_address
                    .retain(|_, t| t.back().is_some_and(|last| *last > since));
                if c.by_address.len() >= MOST_ADDRESSES {
                    let oldest = c
                        .by_address
                        .iter()
                        .min_by_key(|(_, t)| t.back().copied().unwrap_or(0))
                        .map(|(a, _)| *a);
                    if let Some(o) = oldest {
                        c.by_address.remove(&o);
                    }
                }
            }
            c.by_address.entry(a).or_default().push_back(now);
        }
        Ok(())
    }
}

/// The client's address: the connection's peer, or, where the peer is a reverse proxy on the
/// same machine (loopback), the last address that proxy put into `X-Forwarded-For`. A header
/// from anyone else is not believed: it would let a client pick its own address.
pub fn client_address(parts: &axum::http::request::Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ClientAddress>().map(|c| c.0)?;
    if peer.is_loopback()
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return Some(forwarded);
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_is_held_others_go_on_and_the_hour_slides() {
        let limit = PublicLimit::default();
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        for _ in 0..PER_ADDRESS {
            assert_eq!(limit.admit(Some(a), 1_000), Ok(()));
        }
        assert_eq!(limit.admit(Some(a), 2_000), Err(Refused::Address));
        assert_eq!(limit.admit(Some(b), 2_000), Ok(()));
        assert_eq!(limit.admit(Some(a), 1_000 + HOUR_MS + 1), Ok(()));
    }

    #[test]
    fn everybody_together_is_held_too() {
        let limit = PublicLimit::default();
        for i in 0..OVERALL {
            let a: IpAddr = [10, 0, (i / 250) as u8, (i % 250) as u8].into();
            assert_eq!(limit.admit(Some(a), 5), Ok(()));
        }
        assert_eq!(
            limit.admit(Some([10, 9, 9, 9].into()), 6),
            Err(Refused::Overall)
        );
        assert_eq!(limit.admit(None, 6), Err(Refused::Overall));
    }
}
