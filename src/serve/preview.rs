//! The site as `serve` holds it: every output file in memory (never the
//! `build` output folder), rebuilt in process after each change. Pages are
//! re-rendered only when their inputs changed (the render page cache); a
//! rebuild reports which files changed so the browser reloads only then.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use std::time::{Duration, Instant};

use crate::aggregate::SumCache;
use crate::indicators::IndicatorCache;
use crate::load::{LoadCache, Loaded, load_cached};
use crate::model::Site;
use crate::render::{PageCache, Product, Renderer, Reuse, Theme, etag, search, site_downloads};

/// One file of the served site.
#[derive(Clone, Debug)]
pub enum Asset {
    /// Rendered or copied bytes, with their ETag.
    Memory { bytes: Arc<Vec<u8>>, etag: u64 },
    /// A large original (a report's PDF), read from disk when asked for.
    Disk(PathBuf),
    /// A site-wide download (data/reports.csv: 100 MB on a large site;
    /// data/summary.json, which sums every report), made when first asked
    /// for rather than on every rebuild.
    Lazy(Arc<Downloads>),
}

/// The site-wide downloads of one rebuild, made once, on first request.
#[derive(Debug)]
pub struct Downloads {
    site: Arc<Site>,
    pub etag: u64,
    made: OnceLock<HashMap<String, Arc<Vec<u8>>>>,
}

impl Downloads {
    /// The bytes of `file` (`data/reports.csv`), made on first use.
    pub fn get(&self, file: &str) -> Arc<Vec<u8>> {
        self.made
            .get_or_init(|| {
                site_downloads(&self.site)
                    .into_iter()
                    .map(|(p, b)| (key(&p).to_string(), Arc::new(b)))
                    .collect()
            })
            .get(file)
            .cloned()
            .unwrap_or_default()
    }
}

/// The search index of one rebuild, made when something under
/// `search-index/` is first asked for (most rebuilds are never searched).
/// The pages read for an earlier index are kept with the ETag they were read
/// at, so a new index reads again only the pages that changed.
#[derive(Debug)]
pub struct Search {
    /// The generation of the served files it indexes.
    pub etag: u64,
    /// Those files (the pages are picked from them only when indexing, so
    /// that a rebuild costs nothing more with search on).
    files: Arc<HashMap<Arc<str>, Asset>>,
    /// Pages read, by path: the ETag they were read at and what was read.
    /// Shared with the next rebuild's index.
    read: ReadPages,
    made: OnceLock<Made>,
}

/// Pages read for the index, by path, with the ETag they were read at.
type ReadPages = Arc<Mutex<HashMap<Arc<str>, (u64, Arc<search::Page>)>>>;

#[derive(Debug)]
struct Made {
    files: HashMap<String, Arc<Vec<u8>>>,
    /// Pages read for this index (the others came from an earlier one).
    fresh: usize,
}

impl Search {
    /// The file `name` of `search-index/` (`meta.json`, `search.js`),
    /// indexing first if need be.
    pub fn get(&self, name: &str) -> Option<Arc<Vec<u8>>> {
        self.made()
            .files
            .get(&format!("{}/{name}", search::FOLDER))
            .cloned()
    }

    fn made(&self) -> &Made {
        self.made.get_or_init(|| {
            let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
            let wanted: Vec<_> = self
                .files
                .iter()
                .filter_map(|(path, asset)| match asset {
                    Asset::Memory { bytes, etag } if search::indexed(Path::new(&**path)) => {
                        Some((path, *etag, bytes))
                    }
                    _ => None,
                })
                .collect();
            let fresh: Vec<(Arc<str>, u64, Option<search::Page>)> = wanted
                .par_iter()
                .filter(|(path, etag, _)| read.get(*path).is_none_or(|(e, _)| e != etag))
                .map(|(path, etag, bytes)| {
                    let page = search::page(Path::new(&***path), &String::from_utf8_lossy(bytes));
                    (Arc::clone(path), *etag, page)
                })
                .collect();
            let count = fresh.len();
            read.retain(|path, _| self.files.contains_key(path));
            for (path, etag, page) in fresh {
                match page {
                    Some(page) => {
                        read.insert(path, (etag, Arc::new(page)));
                    }
                    None => {
                        read.remove(&path);
                    }
                }
            }
            let pages: Vec<Arc<search::Page>> = read.values().map(|(_, p)| p.clone()).collect();
            Made {
                files: search::index(&pages)
                    .into_iter()
                    .map(|(p, b)| (key(&p).to_string(), Arc::new(b)))
                    .collect(),
                fresh: count,
            }
        })
    }

    /// Whether the index has been made (tests, and the terminal).
    pub fn is_made(&self) -> bool {
        self.made.get().is_some()
    }

    /// How many pages this index read (the others were read for an earlier
    /// one and had not changed); makes the index if need be.
    pub fn pages_read(&self) -> usize {
        self.made().fresh
    }
}

/// What the server shows: the last good site and, when the content has
/// errors now, the diagnostics to overlay on every page.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Bumped whenever a rebuild changes any served file.
    pub generation: u64,
    /// Output path (`2024/weibin/index.html`) → file. Empty until the site
    /// first builds.
    pub files: Arc<HashMap<Arc<str>, Asset>>,
    /// The diagnostics as `check` prints them, while the content has errors.
    pub errors: Option<String>,
    /// The search index, when the site has one.
    pub search: Option<Arc<Search>>,
}

/// What a rebuild did, for the terminal and the browsers.
#[derive(Debug)]
pub struct Outcome {
    pub changed: Vec<String>,
    /// Pages rendered anew (unchanged inputs are not rendered at all).
    pub rendered: usize,
    pub took: Duration,
    pub warnings: usize,
    /// Where the time went, phase by phase (`serve --timings`).
    pub phases: Vec<(&'static str, Duration)>,
}

/// Turns a loaded site's diagnostics into text as `check` prints them; the
/// binary supplies it (it owns the terminal rendering).
pub type Formatter = Arc<dyn Fn(&Loaded) -> String + Send + Sync>;

pub struct Preview {
    root: PathBuf,
    loads: LoadCache,
    sums: SumCache,
    /// Each report's indicators and the peer groups.
    indicators: IndicatorCache,
    /// sitemap.xml, feed.xml, robots.txt, with the fingerprint they were
    /// made under.
    feeds: (u64, Vec<(Arc<str>, Asset)>),
    pages: PageCache,
    /// The served files that are not pages, as of the last rebuild.
    others: Vec<Arc<str>>,
    /// Whether the served files hold every page of `pages` (a rebuild that
    /// failed after rendering leaves them behind).
    synced: bool,
    format: Formatter,
    pub snapshot: Snapshot,
    /// The summary files of the site's path members, as of the last load
    /// (watched beside the site's own sources).
    member_files: Vec<PathBuf>,
}

impl Preview {
    pub fn new(root: &Path, format: Formatter) -> Self {
        Preview {
            root: root.to_path_buf(),
            loads: LoadCache::default(),
            sums: SumCache::default(),
            indicators: IndicatorCache::default(),
            feeds: (0, Vec::new()),
            pages: PageCache::default(),
            others: Vec::new(),
            synced: false,
            format,
            snapshot: Snapshot::default(),
            member_files: Vec::new(),
        }
    }

    /// Loads with `options` (`--allow-missing-members`).
    pub fn with_load_options(mut self, options: crate::load::LoadOptions) -> Self {
        self.loads.options = options;
        self
    }

    /// The summary files of the site's path members (outside the site's
    /// folder, as a rule), for the watcher.
    pub fn member_files(&self) -> &[PathBuf] {
        &self.member_files
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Loads, checks and renders the site again, reading only what
    /// `changed` touches (all of it when `changed` is empty). With errors,
    /// the served files stay as they were and `snapshot.errors` says why.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Outcome {
        let start = Instant::now();
        let mut loaded = load_cached(&self.root, &mut self.loads, changed);
        if let Some(site) = &loaded.site {
            self.member_files = site
                .config
                .members
                .iter()
                .filter(|m| !m.is_url())
                .map(|m| self.root.join(&m.summary))
                .collect();
        }
        let warnings = loaded.diagnostics.warning_count();
        let mut phases = std::mem::take(&mut loaded.timings);
        let mut lap = Instant::now();
        let mut clock = |name: &'static str, part: Option<Duration>| {
            phases.push((name, lap.elapsed()));
            if let Some(part) = part {
                phases.push(("· render", part));
            }
            lap = Instant::now();
        };
        let failed = |this: &mut Self, text: String| {
            this.snapshot.errors = Some(text);
            Outcome {
                changed: Vec::new(),
                rendered: 0,
                took: start.elapsed(),
                warnings,
                phases: Vec::new(),
            }
        };
        let site = match loaded.site.take() {
            Some(site) if !loaded.diagnostics.has_errors() => Arc::new(site),
            other => {
                loaded.site = other;
                let text = (self.format)(&loaded);
                return failed(self, text);
            }
        };
        let theme = match Theme::load(&site.root, &site.config.theme, site.config.minify) {
            Ok(t) => t,
            Err(e) => return failed(self, format!("error: {e}\n")),
        };
        clock("templates", None);
        let renderer = Renderer::reusing(
            &site,
            &theme,
            Reuse {
                sums: Some(&self.sums),
                indicators: Some(&self.indicators),
            },
        );
        clock("aggregate", None);
        let plan = renderer.plan();
        let synced = std::mem::replace(&mut self.synced, false);
        let pass = match renderer.pages(&plan.pages, &mut self.pages) {
            Ok(p) => p,
            Err(e) => return failed(self, format!("error: {e}\n")),
        };
        self.sums.prune();
        clock("pages", Some(pass.render));
        // The pages change a few at a time: the last map is patched with
        // them. The other files are few and are compared one by one.
        let whole = !synced || self.snapshot.files.is_empty();
        let mut files: HashMap<Arc<str>, Asset> = if whole {
            let mut all = HashMap::with_capacity(self.pages.len() + 64);
            for (path, bytes, etag) in self.pages.iter() {
                let bytes = bytes.clone();
                all.insert(key(path), Asset::Memory { bytes, etag });
            }
            all
        } else {
            let mut files = (*self.snapshot.files).clone();
            for path in &pass.changed {
                match self.pages.get(path) {
                    Some((bytes, etag)) => {
                        let bytes = bytes.clone();
                        files.insert(key(path), Asset::Memory { bytes, etag });
                    }
                    None => {
                        files.remove(&*key(path));
                    }
                }
            }
            files
        };
        let mut changed: Vec<String> = pass.changed.iter().map(|p| key(p).to_string()).collect();
        // The other files of the plan, each kind as memory needs it.
        let mut others: Vec<(Arc<str>, Asset)> = Vec::new();
        let mut search = false;
        let mut downloads: Option<Arc<Downloads>> = None;
        for product in &plan.files {
            match product {
                Product::Summary(_) => {
                    for (path, bytes) in renderer.make(product) {
                        others.push((key(&path), memory(Arc::new(bytes))));
                    }
                }
                // The sitemap and the feed list every report: made again
                // only when a report appears, goes or changes its date (or
                // the settings do).
                Product::Feeds => {
                    let global = renderer.global_fingerprint();
                    if self.feeds.0 != global || self.feeds.1.is_empty() {
                        self.feeds = (
                            global,
                            renderer
                                .make(product)
                                .into_iter()
                                .map(|(path, bytes)| (key(&path), memory(Arc::new(bytes))))
                                .collect(),
                        );
                    }
                    others.extend(self.feeds.1.iter().cloned());
                }
                // Made when first asked for, as long as no report changes.
                Product::Tables | Product::Indicators | Product::SiteSummary => {
                    let downloads = downloads.get_or_insert_with(|| {
                        let etag = renderer.tables_fingerprint();
                        match self.snapshot.files.get("data/reports.csv") {
                            Some(Asset::Lazy(t)) if t.etag == etag => t.clone(),
                            _ => Arc::new(Downloads {
                                site: site.clone(),
                                etag,
                                made: OnceLock::new(),
                            }),
                        }
                    });
                    for path in product.downloads() {
                        others.push((Arc::from(*path), Asset::Lazy(downloads.clone())));
                    }
                }
                // Read from disk when asked for.
                Product::Original { path, source } => {
                    others.push((key(path), Asset::Disk(source.clone())));
                }
                Product::Static => match renderer.static_files() {
                    Ok(files) => others.extend(
                        files
                            .into_iter()
                            .map(|(path, bytes)| (key(&path), memory(Arc::new(bytes)))),
                    ),
                    Err(e) => return failed(self, format!("error: {e}\n")),
                },
                // Made from the served pages when first asked for (below).
                Product::SearchIndex => search = true,
            }
        }
        let old = &self.snapshot.files;
        let now: HashSet<&Arc<str>> = others.iter().map(|(k, _)| k).collect();
        for gone in self.others.iter().filter(|k| !now.contains(k)) {
            files.remove(gone);
            changed.push(gone.to_string());
        }
        for (k, new) in &others {
            if !same_asset(old.get(k), new) {
                changed.push(k.to_string());
            }
        }
        self.others = others.iter().map(|(k, _)| k.clone()).collect();
        files.extend(others);
        if whole {
            // Made whole from the pages: compared whole with what is served
            // (a rebuild that failed after rendering left pages unserved).
            changed = files
                .iter()
                .filter(|(k, new)| !same_asset(old.get(*k), new))
                .map(|(k, _)| k.to_string())
                .chain(
                    old.keys()
                        .filter(|k| !files.contains_key(*k))
                        .map(|k| k.to_string()),
                )
                .collect();
        }
        changed.sort();
        clock("files", None);
        if !changed.is_empty() || self.snapshot.files.is_empty() {
            self.snapshot.generation += 1;
            self.snapshot.files = Arc::new(files);
        }
        // A new index (made when first asked for) whenever a served file
        // changed.
        self.snapshot.search = search.then(|| match &self.snapshot.search {
            Some(old) if old.etag == self.snapshot.generation => old.clone(),
            old => Arc::new(Search {
                etag: self.snapshot.generation,
                files: self.snapshot.files.clone(),
                read: old.as_ref().map(|o| o.read.clone()).unwrap_or_default(),
                made: OnceLock::new(),
            }),
        });
        self.synced = true;
        self.snapshot.errors = None;
        Outcome {
            changed,
            rendered: pass.rendered,
            took: start.elapsed(),
            warnings,
            phases,
        }
    }
}

/// Whether a served file is unchanged (by ETag, source or download set).
fn same_asset(old: Option<&Asset>, new: &Asset) -> bool {
    match (old, new) {
        (Some(Asset::Memory { etag: a, .. }), Asset::Memory { etag: b, .. }) => a == b,
        (Some(Asset::Disk(a)), Asset::Disk(b)) => a == b,
        (Some(Asset::Lazy(a)), Asset::Lazy(b)) => a.etag == b.etag,
        _ => false,
    }
}

fn key(path: &Path) -> Arc<str> {
    match path.to_str() {
        Some(text) if !text.contains('\\') => Arc::from(text),
        _ => Arc::from(path.to_string_lossy().replace('\\', "/")),
    }
}

fn memory(bytes: Arc<Vec<u8>>) -> Asset {
    Asset::Memory {
        etag: etag(&bytes),
        bytes,
    }
}
