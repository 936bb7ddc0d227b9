//! Serve's incremental layer over rendering: rendered pages kept from one
//! rebuild to the next, each with a fingerprint of everything it was made
//! from, so a rebuild renders only the pages whose inputs changed (and,
//! after the usual edit, looks only at the pages that show the changed
//! reports).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::context::SiteContext;
use super::jobs::{Job, template_of};
use super::{Renderer, Theme};
use crate::error::Result;

/// Rendered pages kept from one build to the next (by `serve`): each page's
/// bytes with a fingerprint of everything it was made from, so that a
/// rebuild renders only the pages whose inputs changed.
#[derive(Default)]
pub struct PageCache {
    pages: HashMap<PathBuf, Cached>,
    /// What the last pass rendered from.
    seen: Option<Seen>,
}

/// What a rendering pass was made from, to tell the next pass which
/// reports changed and nothing else.
struct Seen {
    /// The global fingerprint (settings, agencies, which reports exist).
    global: u64,
    /// Every template's fingerprint.
    templates: u64,
    /// Every report's (agency, year, draft), drafts included: when equal,
    /// `sources` lines up report by report.
    reports: u64,
    /// Each report's source fingerprint, in `Site::reports` order.
    sources: Vec<u64>,
}

impl Seen {
    fn of(ctx: &SiteContext<'_>, theme: &Theme) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for r in &ctx.site.reports {
            (&r.agency, r.year, r.draft).hash(&mut h);
        }
        Seen {
            global: ctx.global,
            templates: theme.fingerprint,
            reports: h.finish(),
            sources: ctx.site.reports.iter().map(|r| r.source_hash).collect(),
        }
    }

    /// The indexes (in `Site::reports`) of the reports whose files changed
    /// since `self`, when nothing else did; `None` when more changed.
    fn changed_reports(&self, now: &Seen) -> Option<Vec<usize>> {
        (self.global == now.global
            && self.templates == now.templates
            && self.reports == now.reports)
            .then(|| {
                (self.sources.iter().zip(&now.sources))
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(i, _)| i)
                    .collect()
            })
    }
}

struct Cached {
    fingerprint: u64,
    bytes: Arc<Vec<u8>>,
    /// A hash of the bytes, for HTTP caching.
    etag: u64,
}

impl PageCache {
    /// A page's bytes and ETag.
    pub fn get(&self, path: &Path) -> Option<(&Arc<Vec<u8>>, u64)> {
        self.pages.get(path).map(|c| (&c.bytes, c.etag))
    }

    /// Every page: its path, bytes and ETag.
    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Arc<Vec<u8>>, u64)> {
        self.pages.iter().map(|(p, c)| (p, &c.bytes, c.etag))
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// A hash of some bytes, for ETags.
pub fn etag(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// What one rendering pass did.
#[derive(Debug, Default)]
pub struct Pass {
    /// Pages rendered anew (their bytes may still equal the old ones).
    pub rendered: usize,
    /// Pages whose bytes changed, appeared or disappeared.
    pub changed: Vec<PathBuf>,
    pub render: Duration,
}

impl Renderer<'_> {
    /// Renders every page of `pages` (the plan's) whose fingerprint is not
    /// the one in `cache`, in parallel, and drops pages the site no longer
    /// has.
    pub fn pages(&self, pages: &[Job], cache: &mut PageCache) -> Result<Pass> {
        let ctx = &self.ctx;
        let seen = Seen::of(ctx, self.theme);
        // After the usual edit (some reports' files, nothing else), only
        // the pages that show those reports need a fingerprint at all.
        let incremental = match &cache.seen {
            Some(old) if !cache.pages.is_empty() => old.changed_reports(&seen),
            _ => None,
        };
        let fingerprint = |job: Job| {
            let path = ctx.job_path(&job);
            let mut h = std::collections::hash_map::DefaultHasher::new();
            ctx.job_fingerprint(&job, seen.global).hash(&mut h);
            template_of(&job)
                .map(|t| self.theme.template_fingerprint(t))
                .hash(&mut h);
            let print = h.finish();
            (job, path, print)
        };
        let jobs: Vec<(Job, PathBuf, u64)> = match &incremental {
            Some(changed) => ctx
                .jobs_showing(changed)
                .into_iter()
                .map(fingerprint)
                .collect(),
            None => pages.par_iter().cloned().map(fingerprint).collect(),
        };
        cache.seen = Some(seen);
        let clock = Instant::now();
        let todo: Vec<&(Job, PathBuf, u64)> = jobs
            .iter()
            .filter(|(_, path, print)| {
                cache
                    .pages
                    .get(path)
                    .is_none_or(|c| c.fingerprint != *print)
            })
            .collect();
        let bytes: Vec<(Vec<u8>, u64)> = todo
            .par_iter()
            .map(|(job, _, _)| {
                let bytes = ctx.render(self.theme, job)?.into_bytes();
                let tag = etag(&bytes);
                Ok((bytes, tag))
            })
            .collect::<Result<_>>()?;
        let render = clock.elapsed();
        let mut changed = Vec::new();
        for ((_, path, print), (bytes, etag)) in todo.iter().zip(bytes) {
            let same = cache.pages.get(path).is_some_and(|c| *c.bytes == bytes);
            if !same {
                changed.push(path.clone());
            }
            cache.pages.insert(
                path.clone(),
                Cached {
                    fingerprint: *print,
                    bytes: Arc::new(bytes),
                    etag,
                },
            );
        }
        // An incremental pass has the same pages as the last one.
        let gone: Vec<PathBuf> = match incremental {
            Some(_) => Vec::new(),
            None => {
                let live: HashSet<&PathBuf> = jobs.iter().map(|(_, p, _)| p).collect();
                cache
                    .pages
                    .keys()
                    .filter(|p| !live.contains(p))
                    .cloned()
                    .collect()
            }
        };
        for path in gone {
            cache.pages.remove(&path);
            changed.push(path);
        }
        changed.sort();
        Ok(Pass {
            rendered: todo.len(),
            changed,
            render,
        })
    }
}
