//! The site as `serve` holds it: every output file in memory (never the
//! `build` output folder), rebuilt in process after each change. Pages are
//! re-rendered only when their inputs changed (the render page cache); a
//! rebuild reports which files changed so the browser reloads only then.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::load::{Loaded, load};
use crate::render::{PageCache, Renderer, Theme};

/// One file of the served site.
#[derive(Clone, Debug)]
pub enum Asset {
    /// Rendered or copied bytes, with their ETag.
    Memory { bytes: Arc<Vec<u8>>, etag: u64 },
    /// A large original (a report's PDF), read from disk when asked for.
    Disk(PathBuf),
}

/// What the server shows: the last good site and, when the content has
/// errors now, the diagnostics to overlay on every page.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Bumped whenever a rebuild changes any served file.
    pub generation: u64,
    /// Output path (`2024/weibin/index.html`) → file. Empty until the site
    /// first builds.
    pub files: Arc<HashMap<String, Asset>>,
    /// The diagnostics as `check` prints them, while the content has errors.
    pub errors: Option<String>,
}

/// What a rebuild did, for the terminal and the browsers.
#[derive(Debug)]
pub struct Outcome {
    pub changed: Vec<String>,
    /// Pages rendered anew (unchanged inputs are not rendered at all).
    pub rendered: usize,
    pub took: Duration,
    pub warnings: usize,
}

/// Turns a loaded site's diagnostics into text as `check` prints them; the
/// binary supplies it (it owns the terminal rendering).
pub type Formatter = Arc<dyn Fn(&Loaded) -> String + Send + Sync>;

pub struct Preview {
    root: PathBuf,
    pages: PageCache,
    format: Formatter,
    pub snapshot: Snapshot,
}

impl Preview {
    pub fn new(root: &Path, format: Formatter) -> Self {
        Preview {
            root: root.to_path_buf(),
            pages: PageCache::default(),
            format,
            snapshot: Snapshot::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Loads, checks and renders the site again. With errors, the served
    /// files stay as they were and `snapshot.errors` says why.
    pub fn rebuild(&mut self) -> Outcome {
        let start = Instant::now();
        let loaded = load(&self.root);
        let warnings = loaded.diagnostics.warning_count();
        let failed = |this: &mut Self, text: String| {
            this.snapshot.errors = Some(text);
            Outcome {
                changed: Vec::new(),
                rendered: 0,
                took: start.elapsed(),
                warnings,
            }
        };
        let site = match &loaded.site {
            Some(site) if !loaded.diagnostics.has_errors() => site,
            _ => {
                let text = (self.format)(&loaded);
                return failed(self, text);
            }
        };
        let theme = match Theme::load(&site.root, &site.config.theme, site.config.minify) {
            Ok(t) => t,
            Err(e) => return failed(self, format!("error: {e}\n")),
        };
        let renderer = Renderer::new(site, &theme);
        let pass = match renderer.pages(&mut self.pages) {
            Ok(p) => p,
            Err(e) => return failed(self, format!("error: {e}\n")),
        };
        let statics = match theme.static_files(&site.root) {
            Ok(s) => s,
            Err(e) => return failed(self, format!("error: {e}\n")),
        };
        let mut files: HashMap<String, Asset> = HashMap::with_capacity(self.pages.len() * 2);
        for (path, bytes) in self.pages.iter() {
            files.insert(key(path), memory(bytes.clone()));
        }
        for (path, bytes) in renderer.data_files().into_iter().chain(statics) {
            files.insert(key(&path), memory(Arc::new(bytes)));
        }
        for (to, from) in renderer.pdfs() {
            files.insert(key(&to), Asset::Disk(from));
        }
        let old = &self.snapshot.files;
        let mut changed: Vec<String> = files
            .iter()
            .filter(|(k, new)| match (old.get(*k), new) {
                (Some(Asset::Memory { etag: a, .. }), Asset::Memory { etag: b, .. }) => a != b,
                (Some(Asset::Disk(a)), Asset::Disk(b)) => a != b,
                _ => true,
            })
            .map(|(k, _)| k.clone())
            .chain(old.keys().filter(|k| !files.contains_key(*k)).cloned())
            .collect();
        changed.sort();
        if !changed.is_empty() || self.snapshot.files.is_empty() {
            self.snapshot.generation += 1;
            self.snapshot.files = Arc::new(files);
        }
        self.snapshot.errors = None;
        Outcome {
            changed,
            rendered: pass.rendered,
            took: start.elapsed(),
            warnings,
        }
    }
}

fn key(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn memory(bytes: Arc<Vec<u8>>) -> Asset {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    Asset::Memory {
        bytes,
        etag: h.finish(),
    }
}
