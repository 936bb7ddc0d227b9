//! What `serve` keeps of the indicators from one rebuild to the next, the
//! way [`crate::aggregate::SumCache`] keeps the sums: each report's terms
//! and values by the hash of its files and of its predecessor's (the only
//! inputs of its six indicators: `requests_change` reads last year's
//! 一、本年新收), and each peer group by the hashes of its reports. After a
//! save, only the saved report and the next year's are computed again, and
//! only the groups they are in; at 10,000 reports computing all of them was
//! a third of a rebuild.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::peers::Group;
use super::{Terms, Value};

/// Indicators kept between rebuilds (see the module's comment).
#[derive(Default)]
pub struct IndicatorCache {
    kept: Mutex<Kept>,
}

/// What one report's indicators are computed from: the hash of its files
/// and, when it has one, of its predecessor's (the same agency's non-draft
/// report of the year before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Sources {
    pub(super) report: u64,
    pub(super) previous: Option<u64>,
}

/// One report's terms and values, shared by its entries of every rebuild.
pub(super) type Shared = (Arc<[Terms; 6]>, Arc<[Value; 6]>);

#[derive(Default)]
pub(super) struct Kept {
    /// Terms and values by their sources (two reports with the same files
    /// have the same indicators, whatever their agency).
    pub(super) reports: HashMap<Sources, Shared>,
    /// Groups by [`group_fingerprint`].
    pub(super) groups: HashMap<u64, Arc<Group>>,
}

impl IndicatorCache {
    /// What the last computation kept (the cache is empty until
    /// [`IndicatorCache::put`] gives it back).
    pub(super) fn take(&self) -> Kept {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub(super) fn put(&self, kept: Kept) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = kept;
    }

    /// How many reports' indicators and groups it holds (tests).
    pub fn len(&self) -> (usize, usize) {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        (kept.reports.len(), kept.groups.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

/// What a group's figures are made from: its reports' sources, in order.
pub(super) fn group_fingerprint<'s>(sources: impl Iterator<Item = &'s Sources>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for s in sources {
        s.hash(&mut h);
    }
    h.finish()
}
