//! A record as one viewer may have it: the record, reduced to what they may see, with what they may
//! do with it. Stores hand records out only this way (see `lotse_domain::access`), so views show
//! buttons by [`Access`] instead of working out permissions of their own.

use std::ops::Deref;

pub use lotse_domain::access::{Access, Viewer};

#[derive(Debug, Clone, PartialEq)]
pub struct Scoped<T> {
    pub record: T,
    pub access: Access,
}

impl<T> Scoped<T> {
    pub fn into_inner(self) -> T {
        self.record
    }
}

impl<T> Deref for Scoped<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.record
    }
}

impl From<&Viewer> for crate::Actor {
    fn from(viewer: &Viewer) -> crate::Actor {
        if viewer.is_system() {
            crate::Actor {
                user_id: None,
                name: viewer.username.clone(),
            }
        } else {
            crate::Actor::user(&viewer.user_id, &viewer.username)
        }
    }
}

/// Refuses, as "not found", what `viewer` may not do with a record of `organisation` (checked by
/// store functions inside their transaction, before they change anything).
pub(crate) fn require(
    viewer: &Viewer,
    record: lotse_domain::access::Record,
    organisation: Option<&str>,
    action: lotse_domain::access::Action,
) -> crate::Result<()> {
    if viewer.decide(record, organisation, action).allows() {
        Ok(())
    } else {
        Err(crate::StoreError::NotFound)
    }
}
