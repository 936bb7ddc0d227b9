//! Watching the site's sources (site.toml, content/, static/, themes/) with
//! notify and notify-debouncer-full: a burst of events (an editor writing a
//! temp file and renaming it, vim's swap and `4913` probe files, several
//! writes per save) becomes one rebuild, and editor temp files never
//! trigger one on their own. A roll-up site's member summaries (files
//! outside the site, as a rule) are watched too: their folders, not
//! recursively, since a save replaces the file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache};

use crate::error::{Error, Result};
use crate::load::is_ignored;

/// The folders a change in which means a rebuild.
const WATCHED: [&str; 3] = ["content", "static", "themes"];
/// How often `--poll` looks at every file. notify's PollWatcher compares
/// modification times in whole seconds (and sizes), so an edit that keeps
/// the size within the same second as the one before is seen with the next.
const POLL: Duration = Duration::from_millis(500);

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, RecommendedCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }
}

pub struct Watcher {
    root: PathBuf,
    inner: Inner,
    watching: BTreeSet<PathBuf>,
    /// Member summary files (their folders canonical), shared with the
    /// event handler.
    files: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl Watcher {
    /// Starts watching; every debounced burst that touches the sources
    /// sends the changed paths (relative to the root) on `tx`.
    pub fn new(root: &Path, poll: bool, tx: Sender<Vec<PathBuf>>) -> Result<Watcher> {
        let root = root.to_path_buf();
        let filter_root = root.clone();
        let files: Arc<Mutex<BTreeSet<PathBuf>>> = Arc::default();
        let filter_files = files.clone();
        let handler = move |result: DebounceEventResult| {
            let paths = match result {
                Ok(events) => {
                    let files = filter_files.lock().unwrap_or_else(|e| e.into_inner());
                    relevant(&filter_root, &files, &events)
                }
                // The OS dropped events (a queue overflow): rebuild to be sure.
                Err(_) => Some(Vec::new()),
            };
            if let Some(paths) = paths {
                let _ = tx.send(paths);
            }
        };
        let fail = |e: notify::Error| Error::Serve(format!("cannot watch {}: {e}", root.display()));
        let inner = if poll {
            Inner::Poll(
                notify_debouncer_full::new_debouncer_opt(
                    super::DEBOUNCE,
                    None,
                    handler,
                    RecommendedCache::new(),
                    notify::Config::default().with_poll_interval(POLL),
                )
                .map_err(fail)?,
            )
        } else {
            Inner::Native(
                notify_debouncer_full::new_debouncer(super::DEBOUNCE, None, handler)
                    .map_err(fail)?,
            )
        };
        let mut watcher = Watcher {
            root: root.clone(),
            inner,
            watching: BTreeSet::new(),
            files,
        };
        // The root itself, not recursively: site.toml, and folders appearing.
        watcher
            .inner
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(fail)?;
        watcher.refresh();
        Ok(watcher)
    }

    /// Starts watching source folders that appeared since, and forgets
    /// those that went away (so they are watched again if they come back).
    pub fn refresh(&mut self) {
        for name in WATCHED {
            let dir = self.root.join(name);
            if dir.is_dir() {
                if !self.watching.contains(&dir)
                    && self.inner.watch(&dir, RecursiveMode::Recursive).is_ok()
                {
                    self.watching.insert(dir);
                }
            } else {
                self.watching.remove(&dir);
            }
        }
    }
}

impl Watcher {
    /// Watches the folders of `files` (member summaries) too; a change to
    /// one of the files is a change of the site.
    pub fn watch_files(&mut self, files: &[PathBuf]) {
        let mut watched = BTreeSet::new();
        for file in files {
            let (Some(parent), Some(name)) = (file.parent(), file.file_name()) else {
                continue;
            };
            let Ok(dir) = parent.canonicalize() else {
                continue;
            };
            if self.watching.contains(&dir)
                || self.inner.watch(&dir, RecursiveMode::NonRecursive).is_ok()
            {
                self.watching.insert(dir.clone());
            }
            watched.insert(dir.join(name));
        }
        *self.files.lock().unwrap_or_else(|e| e.into_inner()) = watched;
    }
}

/// The source paths a burst of events touched, relative to the root (a
/// member's summary: absolute), or `None` when it touched none (only
/// editor temp files, the output folder, reads).
fn relevant(
    root: &Path,
    files: &BTreeSet<PathBuf>,
    events: &[notify_debouncer_full::DebouncedEvent],
) -> Option<Vec<PathBuf>> {
    let mut out = BTreeSet::new();
    for event in events {
        if matches!(event.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write)) {
            continue;
        }
        if event.need_rescan() {
            return Some(Vec::new());
        }
        for path in &event.paths {
            if files.contains(path) {
                out.insert(path.clone());
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
            let Some(first) = parts.next() else {
                continue;
            };
            let source = first == "site.toml" || WATCHED.contains(&first.as_ref());
            let name = rel
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let hidden = rel
                .components()
                .any(|c| is_ignored(&c.as_os_str().to_string_lossy()));
            if source && !hidden && !name.is_empty() {
                out.insert(rel.to_path_buf());
            }
        }
    }
    (!out.is_empty()).then(|| out.into_iter().collect())
}
