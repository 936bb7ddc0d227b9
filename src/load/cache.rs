//! What `serve` keeps from one load to the next: each agency folder's
//! agency, reports and diagnostics, and each report's rule findings. After a
//! save, only the folders the watcher names are read again and only the
//! reports whose inputs changed are checked again; the rest is reused
//! (reports share their tables, so reuse copies no figures).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};

use super::members::MemberCache;
use super::{Loaded, Loader};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Agency, Report, Site, rules};

#[derive(Default)]
pub struct LoadCache {
    /// `--allow-missing-members`.
    pub options: super::LoadOptions,
    /// The members' summaries as last read (see [`MemberCache`]).
    pub members: MemberCache,
    /// The site.toml the folders were loaded under; another one reloads all.
    config: Option<u64>,
    /// site.toml's and content/'s own diagnostics (stray files, folder names).
    top: Vec<Diagnostic>,
    folders: BTreeMap<String, Folder>,
    /// Rule findings by agency folder: the rules read a report, the same
    /// agency's last report, its category and the settings, all of which
    /// live in the folder or site.toml.
    rules: HashMap<String, Vec<Diagnostic>>,
    /// The folders the last load read again; `None`: all of them.
    reloaded: Option<BTreeSet<String>>,
}

#[derive(Clone)]
struct Folder {
    loaded: Option<(Agency, Vec<Report>)>,
    diagnostics: Vec<Diagnostic>,
    sources: BTreeMap<PathBuf, String>,
}

/// Loads the site, reusing what `cache` holds from the previous load.
/// `changed` are the paths (relative to the root or absolute) the watcher
/// saw change; empty means "anything may have changed": everything is read.
pub fn load_cached(root: &Path, cache: &mut LoadCache, changed: &[PathBuf]) -> Loaded {
    let clock = std::time::Instant::now();
    let mut loader = Loader {
        root: root.to_path_buf(),
        diagnostics: Diagnostics::default(),
        sources: BTreeMap::new(),
    };
    let mut site = loader.run_cached(cache, changed);
    if let Some(site) = &mut site {
        super::members::read_members_cached(
            site,
            cache.options.allow_missing_members,
            &mut loader.diagnostics,
            &mut cache.members,
            cache.config,
            changed,
        );
    }
    let read = clock.elapsed();
    let clock = std::time::Instant::now();
    if let Some(site) = &site {
        check_cached(site, cache, &mut loader.diagnostics);
    }
    let mut loaded = super::finish(loader, site);
    loaded.timings = vec![("load", read), ("validate", clock.elapsed())];
    loaded
}

/// The agency folders a change touches, or `None` when it may touch more
/// (site.toml, a file directly in content/, a rescan).
fn touched(root: &Path, changed: &[PathBuf]) -> Option<Vec<String>> {
    if changed.is_empty() {
        return None;
    }
    let mut slugs = Vec::new();
    for path in changed {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let mut parts = rel.components();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Component::Normal(top)), Some(Component::Normal(slug)), Some(_))
                if top == "content" =>
            {
                slugs.push(slug.to_string_lossy().to_string());
            }
            // themes/ and static/ do not change what is loaded.
            (Some(Component::Normal(top)), ..) if top == "themes" || top == "static" => {}
            _ => return None,
        }
    }
    slugs.sort();
    slugs.dedup();
    Some(slugs)
}

impl Loader {
    fn run_cached(&mut self, cache: &mut LoadCache, changed: &[PathBuf]) -> Option<Site> {
        let config = self.load_config();
        let fingerprint = config.as_ref().map(|c| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            format!("{c:?}").hash(&mut h);
            h.finish()
        });
        let Some(config) = config else {
            *cache = LoadCache {
                options: cache.options,
                ..LoadCache::default()
            };
            return None;
        };
        let reload = match touched(&self.root, changed) {
            Some(slugs) if cache.config == fingerprint => {
                cache.reloaded = Some(slugs.iter().cloned().collect());
                slugs
            }
            _ => {
                cache.reloaded = None;
                // Everything: the folder list and content/'s own problems.
                let config_diagnostics = std::mem::take(&mut self.diagnostics);
                let folders = self.walk_content(!config.members.is_empty());
                cache.top = config_diagnostics.into_vec();
                cache
                    .top
                    .extend(std::mem::take(&mut self.diagnostics).into_vec());
                cache.config = fingerprint;
                cache.folders.clear();
                folders
            }
        };
        let fresh: Vec<(String, Option<Folder>)> = {
            use rayon::prelude::*;
            reload
                .par_iter()
                .map(|slug| {
                    if !self.root.join("content").join(slug).is_dir() {
                        return (slug.clone(), None);
                    }
                    // `folder` keeps only the text its messages cite.
                    let (loaded, diagnostics, sources) = self.folder(slug, &config);
                    let diagnostics = diagnostics.into_vec();
                    (
                        slug.clone(),
                        Some(Folder {
                            loaded,
                            diagnostics,
                            sources,
                        }),
                    )
                })
                .collect()
        };
        for (slug, folder) in fresh {
            match folder {
                Some(folder) => {
                    cache.folders.insert(slug, folder);
                }
                None => {
                    cache.folders.remove(&slug);
                }
            }
        }
        self.diagnostics = Diagnostics::default();
        self.diagnostics.extend(cache.top.iter().cloned());
        let mut parts = Vec::new();
        for folder in cache.folders.values() {
            self.diagnostics.extend(folder.diagnostics.iter().cloned());
            self.sources
                .extend(folder.sources.iter().map(|(p, t)| (p.clone(), t.clone())));
            parts.extend(folder.loaded.clone());
        }
        Some(self.assemble(config, parts))
    }
}

/// The rules, run again only for the reports of the folders read again
/// (all of them after a change to site.toml or a rescan).
fn check_cached(site: &Site, cache: &mut LoadCache, diagnostics: &mut Diagnostics) {
    let reloaded = cache.reloaded.take();
    let mut keep = HashMap::with_capacity(cache.rules.len());
    let mut rest: &[Report] = &site.reports;
    // Reports are sorted by agency: one run of them per folder.
    while let Some(first) = rest.first() {
        let slug = &first.agency;
        let n = rest.iter().take_while(|r| &r.agency == slug).count();
        let (of, after) = rest.split_at(n);
        let unchanged = reloaded.as_ref().is_some_and(|r| !r.contains(slug));
        let found = match cache.rules.remove(slug) {
            Some(found) if unchanged => found,
            _ => of
                .iter()
                .flat_map(|r| rules::check_report(site, r))
                .collect(),
        };
        diagnostics.extend(found.iter().cloned());
        keep.insert(slug.clone(), found);
        rest = after;
    }
    cache.rules = keep;
}
