//! Safe output: the site is written into a folder beside the output and
//! swapped in at the end, so a failed or interrupted build leaves the
//! previous site untouched. gongkai only ever replaces a folder that carries
//! its marker file. Before the swap every file and folder of the new site
//! is flushed to disk, and the swap itself after it, so that a power cut
//! (not only a killed process) leaves the previous site or the whole new one.
//!
//! The site swapped out is not removed: it stays beside the output as the
//! next build's staging folder, whose files that build writes over (the
//! same files, mostly the same bytes) instead of creating new ones, then
//! removes what it did not write. Creating and removing tens of thousands
//! of files was most of a rebuild's time; overwriting one is cheaper.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Sink;
use crate::error::{Error, Result};

/// Written into every output folder gongkai creates.
pub const MARKER: &str = ".gongkai-output";

/// Refuses output folders that would destroy the site: the root, a parent of
/// it, a folder holding `content/`, or anything inside `content/`.
pub fn check_target(root: &Path, output: &Path) -> Result<()> {
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let out = absolute(output)?;
    let refuse = |why: &str| {
        Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            why: why.to_string(),
        })
    };
    if root.starts_with(&out) {
        return refuse("it is the site folder or a parent of it");
    }
    if out.starts_with(root.join("content")) {
        return refuse("it is inside content/");
    }
    if out.join("content").is_dir() || out.join("site.toml").is_file() {
        return refuse("it holds a site (content/ or site.toml)");
    }
    if out.exists() && !out.join(MARKER).is_file() {
        let empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return refuse(
                "it exists and was not created by gongkai (no marker file); remove it or choose another --output",
            );
        }
    }
    Ok(())
}

/// The absolute form of a path that may not exist yet.
pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut abs = existing
        .canonicalize()
        .map_err(|e| Error::io(&existing, e))?;
    for name in rest.into_iter().rev() {
        abs.push(name);
    }
    Ok(abs)
}

/// The absolute target and the hidden path `.<target name>.<suffix>` beside
/// it, whose folder is created.
fn beside(target: &Path, suffix: &str) -> Result<(PathBuf, PathBuf)> {
    let target = absolute(target)?;
    let parent = target.parent().unwrap_or(Path::new(".")).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let path = parent.join(format!(".{name}.{suffix}"));
    Ok((target, path))
}

/// Held while a build writes an output folder: two builds swapping folders
/// into the same place at once would leave either's files. An OS file lock
/// (released by the OS if the build dies, so it never goes stale) on a
/// small file beside the output, which stays there.
pub struct BuildLock {
    _file: std::fs::File,
}

impl BuildLock {
    pub fn acquire(target: &Path) -> Result<BuildLock> {
        let (target, lock) = beside(target, "gongkai-lock")?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|e| Error::io(&lock, e))?;
        match file.try_lock() {
            Ok(()) => Ok(BuildLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy {
                output: target,
                lock,
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&lock, e)),
        }
    }
}

/// The folder a build fills, beside the output: `.<name>.gongkai-staging`.
/// Only the build holding the lock uses it, so one name does.
const STAGING: &str = "gongkai-staging";
/// Where the two-step swap parks the previous output: `.<name>.gongkai-backup`.
const BACKUP: &str = "gongkai-backup";

/// How the staged folder takes the output's place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Swap {
    /// One `renameat2(RENAME_EXCHANGE)` where the OS has it, else two renames.
    #[default]
    Exchange,
    /// Always two renames (output → backup, staging → output): what file
    /// systems without the exchange get; the tests force it to cover both.
    TwoRenames,
}

/// How [`Staging::commit`] puts the new site in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Flush every file and folder to disk before the swap, and the swap
    /// after it (`build --no-sync` turns it off for throwaway builds).
    pub sync: bool,
    pub swap: Swap,
}

impl Default for Commit {
    fn default() -> Self {
        Commit {
            sync: true,
            swap: Swap::Exchange,
        }
    }
}

/// A folder being filled, swapped into place by [`Staging::commit`].
/// Creating one first puts right what a killed build left beside the
/// output (see [`recover`]); the caller holds the [`BuildLock`].
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
    backup: PathBuf,
    /// The output's parent and the folders above it that this build
    /// created: each one's entry in its own parent is synced with the swap.
    parents: Vec<PathBuf>,
    /// The folders made so far inside `dir`: every page would otherwise
    /// ask the file system to make its folder again (a failing `mkdir` and
    /// a `stat` per file, on the render threads).
    made: Mutex<HashSet<PathBuf>>,
    /// `dir` holds an earlier site (the one the last build swapped out),
    /// written over by this build; what this build writes is then recorded
    /// in `written`, and the rest removed before the swap.
    recycled: bool,
    written: Mutex<HashSet<PathBuf>>,
    /// Set once committed: `dir` then holds the previous site, kept.
    committed: bool,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging> {
        let parents = missing_parents(&absolute(target)?);
        let (target, dir) = beside(target, STAGING)?;
        let (_, backup) = beside(&target, BACKUP)?;
        recover(&target, &dir, &backup)?;
        let recycled = dir.join(MARKER).is_file();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        std::fs::write(dir.join(MARKER), "built by gongkai; safe to delete\n")
            .map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            target,
            backup,
            parents,
            made: Mutex::default(),
            recycled,
            written: Mutex::default(),
            committed: false,
        })
    }

    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        let path = self.place(rel)?;
        if self.recycled && holds(&path, bytes) {
            return Ok(());
        }
        open_new(&path)
            .and_then(|mut file| file.write_all(bytes))
            .map_err(|e| Error::io(&path, e))
    }

    /// The path of `rel` in the staged folder, its folder made; in a
    /// recycled folder, recorded as written, and a folder of the earlier
    /// site that stands where the file goes removed.
    fn place(&self, rel: &Path) -> Result<PathBuf> {
        let path = self.dir.join(rel);
        self.make_parent(&path)?;
        if self.recycled {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            }
            self.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.clone());
        }
        Ok(path)
    }

    /// Makes the folder that will hold `path`, unless this build made it.
    fn make_parent(&self, path: &Path) -> Result<()> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        let lock = || self.made.lock().unwrap_or_else(|e| e.into_inner());
        if lock().contains(parent) {
            return Ok(());
        }
        if let Err(e) = std::fs::create_dir_all(parent) {
            // In a recycled folder, a file of the earlier site may stand
            // where a folder now goes: it is removed, and the folder made.
            if !self.recycled {
                return Err(Error::io(parent, e));
            }
            for above in parent.ancestors().take_while(|a| a.starts_with(&self.dir)) {
                if std::fs::symlink_metadata(above).is_ok_and(|m| !m.is_dir()) {
                    std::fs::remove_file(above).map_err(|e| Error::io(above, e))?;
                }
            }
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        lock().insert(parent.to_path_buf());
        Ok(())
    }

    /// A new file in the staged folder, for writing piece by piece.
    pub fn create(&self, rel: &Path) -> Result<std::fs::File> {
        let path = self.place(rel)?;
        open_new(&path).map_err(|e| Error::io(&path, e))
    }

    /// Copies a file into the staged folder without holding it in memory
    /// (a signed PDF can be large).
    pub fn copy(&self, rel: &Path, from: &Path) -> Result<u64> {
        let path = self.place(rel)?;
        let mut source = std::fs::File::open(from).map_err(|e| Error::io(from, e))?;
        let mut copy = open_new(&path).map_err(|e| Error::io(&path, e))?;
        // File to file: the kernel copies (copy_file_range on Linux).
        std::io::copy(&mut source, &mut copy).map_err(|e| Error::io(from, e))
    }

    /// In a recycled folder, removes every file this build did not write
    /// and every folder left empty: the staged folder is then the new site
    /// exactly.
    fn prune(&self) -> Result<()> {
        if !self.recycled {
            return Ok(());
        }
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let marker = self.dir.join(MARKER);
        for entry in walkdir::WalkDir::new(&self.dir)
            .min_depth(1)
            .contents_first(true)
        {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&self.dir).to_path_buf();
                Error::io(&path, std::io::Error::other(e))
            })?;
            let path = entry.path();
            if entry.file_type().is_dir() {
                // Not empty: it holds something this build wrote.
                let _ = std::fs::remove_dir(path);
            } else if !written.contains(path) && path != marker {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
            }
        }
        Ok(())
    }

    /// Starts writing what is staged so far to disk, in the background,
    /// and returns at once: the disk works while the build goes on
    /// computing (the search index), and [`Staging::commit`]'s flush then
    /// waits only for the rest. Linux only (one `syncfs`; elsewhere a
    /// second walk of the tree would cost more than it saves). Not a
    /// guarantee of anything: the flush in `commit` is the one that counts,
    /// so this one's errors are left to it.
    pub fn start_flush(&self) -> Option<std::thread::JoinHandle<()>> {
        #[cfg(target_os = "linux")]
        {
            let dir = self.dir.clone();
            std::thread::Builder::new()
                .name("early-flush".into())
                .spawn(move || {
                    let _ = flush(&dir);
                })
                .ok()
        }
        #[cfg(not(target_os = "linux"))]
        None
    }

    /// Replaces the target with the staged folder. With an existing target
    /// this is one atomic exchange where the OS has it: at every moment
    /// the target is either the whole previous site or the whole new one.
    /// Elsewhere it takes two renames (target → backup, staging → target),
    /// and a build killed between them leaves the previous site in the
    /// backup, which the next build puts back first.
    ///
    /// With `sync`, every file of the staged folder, then every folder of
    /// it, is flushed to disk first, and the output's parent folder (which
    /// holds the renamed entries) after the swap: a power cut at any moment
    /// then leaves the previous site or the whole new one, never a new
    /// page that is empty because its data had not reached the disk when
    /// the rename did.
    pub fn commit(mut self, how: &Commit) -> Result<()> {
        self.prune()?;
        if how.sync {
            flush(&self.dir)?;
        }
        // The previous site, once swapped out, is kept as the next build's
        // staging folder (see the module's comment).
        let old = self.swap(how.swap)?;
        self.committed = true;
        if let Some(old) = &old
            && *old != self.dir
        {
            std::fs::rename(old, &self.dir).map_err(|e| Error::io(old, e))?;
        }
        if how.sync {
            for dir in &self.parents {
                sync_dir(dir)?;
            }
        }
        Ok(())
    }

    /// Puts the staged folder in place; the previous site's folder, if
    /// there was one, is returned for removal.
    fn swap(&self, swap: Swap) -> Result<Option<PathBuf>> {
        if !self.target.exists() {
            std::fs::rename(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
            return Ok(None);
        }
        let exchanged = swap == Swap::Exchange
            && exchange(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
        if exchanged {
            // The staging path now holds the previous site.
            return Ok(Some(self.dir.clone()));
        }
        std::fs::rename(&self.target, &self.backup).map_err(|e| Error::io(&self.target, e))?;
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            let _ = std::fs::rename(&self.backup, &self.target);
            return Err(Error::io(&self.target, e));
        }
        Ok(Some(self.backup.clone()))
    }
}

/// The output's parent, and each folder above it that does not exist yet:
/// the folders whose entries a swap (and the creation of the parent) adds.
fn missing_parents(target: &Path) -> Vec<PathBuf> {
    let mut parents = Vec::new();
    let mut dir = target.parent();
    while let Some(d) = dir {
        parents.push(d.to_path_buf());
        if d.exists() {
            break;
        }
        dir = d.parent();
    }
    parents
}

/// Flushes the staged folder to disk: on Linux one `syncfs` of its file
/// system, which writes back every file's data and every folder's entries
/// there and waits for them (the file system's journal commit included);
/// elsewhere each file, then each folder, one by one ([`sync_tree`]).
///
/// Why `syncfs`: reopening every file to `fdatasync` it cost one `open`,
/// one flush and one `close` per file (26,000 at 10,000 reports), most of
/// a durable build's extra time; one call flushes the same data. It also
/// flushes whatever else is waiting on that file system, which on a
/// publishing machine is little.
pub fn flush(dir: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let folder = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        // SAFETY: a plain system call on a descriptor that `folder` keeps open.
        if unsafe { libc::syncfs(folder.as_raw_fd()) } == 0 {
            return Ok(());
        }
        Err(Error::io(dir, std::io::Error::last_os_error()))
    }
    #[cfg(not(target_os = "linux"))]
    sync_tree(dir)
}

/// How many files are flushed at once. A flush mostly waits on the disk,
/// and the file system commits the flushes that wait together in one
/// journal commit, so many at once cost little more than one (measured:
/// 20,000 files in 9.8 s one at a time, 0.2 s 64 at a time).
#[cfg(any(not(target_os = "linux"), test))]
const SYNC_THREADS: usize = 64;

/// Flushes every file of a folder tree to disk, then every folder of it
/// (which holds the files' names): all before the swap, so their order
/// among themselves does not matter.
#[cfg(any(not(target_os = "linux"), test))]
pub fn sync_tree(root: &Path) -> Result<()> {
    let (files, dirs) = walk(root)?;
    in_parallel(&files, |path| {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        file.sync_data().map_err(|e| Error::io(path, e))
    })?;
    in_parallel(&dirs, sync_dir)
}

/// Flushes a folder's entries to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    let file = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
    file.sync_all().map_err(|e| Error::io(dir, e))
}

/// Every file and folder under `root` (links are not followed: a build
/// writes none).
#[cfg(any(not(target_os = "linux"), test))]
fn walk(root: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if kind.is_dir() {
                todo.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
        dirs.push(dir);
    }
    Ok((files, dirs))
}

/// Runs `job` on every path with [`SYNC_THREADS`] threads of its own (not
/// rayon's, one per core: these threads wait on the disk, not the CPU);
/// the first error is returned.
#[cfg(any(not(target_os = "linux"), test))]
fn in_parallel(paths: &[PathBuf], job: impl Fn(&Path) -> Result<()> + Sync) -> Result<()> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let threads = SYNC_THREADS.min(paths.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    if let Err(e) = job(path) {
                        // Stop every thread: the build fails anyway.
                        next.store(paths.len(), Ordering::Relaxed);
                        failed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_or_insert(e);
                        break;
                    }
                }
            });
        }
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Swaps two paths in one step (`renameat2` with `RENAME_EXCHANGE`);
/// `Ok(false)` when the OS or the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // Called through syscall(), not glibc's wrapper, which older glibc
    // (before 2.28) does not have.
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let done = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Puts right what a build killed part-way left beside the output: a
/// backup with no output is the previous site, parked by a two-step swap
/// that did not finish, and goes back; a backup beside an output is the
/// previous site, swapped out, and becomes the staging folder (or goes,
/// if there is one). A staging folder (the site the last build swapped
/// out, or a build that never finished) is kept to be written over when it
/// carries the marker; anything else there is removed (a link only as a
/// link). The names are gongkai's own, and the caller holds the lock: no
/// build is using them.
fn recover(target: &Path, staging: &Path, backup: &Path) -> Result<()> {
    let link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    for path in [backup, staging] {
        if link(path) {
            std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
        }
    }
    if backup.exists() {
        if !target.exists() {
            std::fs::rename(backup, target).map_err(|e| Error::io(backup, e))?;
        } else if !staging.exists() {
            std::fs::rename(backup, staging).map_err(|e| Error::io(backup, e))?;
        } else {
            remove_tree(backup)?;
        }
    }
    if staging.exists() && !staging.join(MARKER).is_file() {
        remove_tree(staging)?;
    }
    Ok(())
}

/// The file at `path` (not a link) holds exactly `bytes`: a recycled
/// folder's file that this build would write the same is left as it is.
/// Most of a rebuild's files are (the pages of the reports that did not
/// change), and writing a file over frees its blocks and allocates new
/// ones, which on a disk mounted with `discard` costs more than making it
/// anew. It was flushed to disk before the build that made it swapped it in,
/// and nothing else writes in the staging folder.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let same_size = std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes.len() as u64);
    same_size && std::fs::read(path).is_ok_and(|there| there == bytes)
}

/// Opens a file of the staged folder for writing from its start: made when
/// new, emptied when there (a recycled folder's). On Linux a link there is
/// refused rather than followed: the staged folder holds no links.
fn open_new(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Removes a folder, its subfolders in parallel: the old copy of a large
/// site is tens of thousands of files.
fn remove_tree(dir: &Path) -> Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|path| {
        let gone = if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        gone.map_err(|e| Error::io(path, e))
    })?;
    std::fs::remove_dir(dir).map_err(|e| Error::io(dir, e))
}

impl Drop for Staging {
    /// A build that fails leaves no half-written folder behind.
    fn drop(&mut self) {
        if !self.committed && self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.write(&path, &bytes)
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        Ok(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            self.create(path)?,
        )))
    }

    fn copy(&self, to: &Path, from: &Path) -> Result<u64> {
        Staging::copy(self, to, from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flush used where there is no `syncfs`: every file, then every
    /// folder of the tree, none left out.
    #[test]
    fn the_tree_flush_finds_every_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("t");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("x.html"), "x").unwrap();
        std::fs::write(root.join("a/b/y.html"), "y").unwrap();
        let (mut files, mut dirs) = walk(&root).unwrap();
        files.sort();
        dirs.sort();
        assert_eq!(files, [root.join("a/b/y.html"), root.join("x.html")]);
        assert_eq!(dirs, [root.clone(), root.join("a"), root.join("a/b")]);
        sync_tree(&root).unwrap();
        flush(&root).unwrap();
        assert!(flush(&root.join("missing")).is_err());
    }

    /// A target holding `old`, and a staging folder holding `new`.
    fn staged(dir: &Path) -> (PathBuf, Staging) {
        let target = dir.join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join(MARKER), "").unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        let staging = Staging::new(&target).unwrap();
        staging.write(Path::new("index.html"), b"new").unwrap();
        (target, staging)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_ways_of_swapping_replace_the_target_and_keep_the_previous_site_beside_it() {
        for swap in [Swap::Exchange, Swap::TwoRenames] {
            let dir = tempfile::tempdir().unwrap();
            let (target, staging) = staged(dir.path());
            let kept = staging.dir.clone();
            staging.commit(&Commit { sync: true, swap }).unwrap();
            let index = std::fs::read_to_string(target.join("index.html")).unwrap();
            assert_eq!(index, "new", "{swap:?}");
            assert_eq!(
                names(dir.path()),
                [".public.gongkai-staging", "public"],
                "{swap:?}"
            );
            // The previous site, whole, for the next build to write over.
            assert_eq!(
                std::fs::read_to_string(kept.join("index.html")).unwrap(),
                "old"
            );
        }
    }

    /// A build over the kept site leaves a file that it would write the
    /// same as it is, writes over the others (the same inodes: nothing
    /// created), removes what it did not write (files, and folders left
    /// empty), and replaces a folder standing where a file goes and a
    /// file standing where a folder goes: the result is the new site
    /// exactly.
    #[test]
    fn a_rebuild_writes_over_the_kept_site_and_removes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = staged(dir.path());
        let write = |staging: &Staging, files: &[(&str, &str)]| {
            for (path, text) in files {
                staging.write(Path::new(path), text.as_bytes()).unwrap();
            }
        };
        write(
            &staging,
            &[
                ("2024/a/index.html", "a"),
                ("2024/gone/index.html", "gone"),
                ("data", "a file, later a folder"),
                ("x/y.html", "a folder, later a file"),
            ],
        );
        staging.commit(&Commit::default()).unwrap();
        // Again: the site the first commit swapped out is written over.
        let staging = Staging::new(&target).unwrap();
        assert!(staging.recycled);
        let kept = staging.dir.clone();
        #[cfg(unix)]
        let inode = |p: &Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(p).unwrap().ino()
        };
        // The same bytes: the file is left as it is (its time unchanged).
        let index = kept.join("index.html");
        let stamp = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
        let modified = || std::fs::metadata(&index).unwrap().modified().unwrap();
        std::fs::File::options()
            .write(true)
            .open(&index)
            .unwrap()
            .set_modified(stamp)
            .unwrap();
        staging.write(Path::new("index.html"), b"old").unwrap();
        assert_eq!(modified(), stamp, "the same bytes written again");
        #[cfg(unix)]
        let before = inode(&index);
        staging.write(Path::new("index.html"), b"newer").unwrap();
        assert_ne!(modified(), stamp);
        #[cfg(unix)]
        assert_eq!(
            inode(&kept.join("index.html")),
            before,
            "written over, not made anew"
        );
        write(
            &staging,
            &[
                ("2024/a/index.html", "a2"),
                ("data/reports.csv", "csv"),
                ("x", "x"),
            ],
        );
        staging.commit(&Commit::default()).unwrap();
        let mut files: Vec<String> = walkdir::WalkDir::new(&target)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                e.path()
                    .strip_prefix(&target)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                MARKER,
                "2024/a/index.html",
                "data/reports.csv",
                "index.html",
                "x"
            ]
        );
        assert!(
            !target.join("2024/gone").exists(),
            "a folder left empty is removed"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "newer"
        );
        assert_eq!(std::fs::read_to_string(target.join("x")).unwrap(), "x");
    }

    /// A link where the staging folder goes is removed as a link: what it
    /// points at is neither emptied nor written into.
    #[cfg(unix)]
    #[test]
    fn a_link_in_the_staging_place_is_removed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join(MARKER), "").unwrap();
        std::fs::write(elsewhere.join("keep.txt"), "mine").unwrap();
        let target = dir.path().join("public");
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(".public.gongkai-staging")).unwrap();
        let staging = Staging::new(&target).unwrap();
        assert!(!staging.recycled);
        staging.write(Path::new("index.html"), b"new").unwrap();
        staging.commit(&Commit::default()).unwrap();
        assert_eq!(names(&elsewhere), [MARKER, "keep.txt"]);
        assert_eq!(
            std::fs::read_to_string(elsewhere.join("keep.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "new"
        );
    }

    /// The exchange is really taken where the OS has it, so the test above
    /// covers both ways.
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_exchanges_two_folders_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x"), "").unwrap();
        assert!(exchange(&a, &b).unwrap());
        assert!(b.join("x").is_file() && !a.join("x").exists());
    }

    #[test]
    fn a_swap_cut_between_its_two_renames_is_undone_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = staged(dir.path());
        // Killed after target → backup, before staging → target.
        std::fs::rename(&target, &staging.backup).unwrap();
        let backup = staging.backup.clone();
        std::mem::forget(staging);
        assert!(!target.exists());
        let next = Staging::new(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert!(!backup.exists());
        // The half-built folder is kept, to be written over.
        assert!(next.recycled);
        assert_eq!(names(&next.dir), [MARKER, "index.html"]);
    }

    #[test]
    fn a_backup_beside_an_output_is_cleared_when_a_staging_folder_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = staged(dir.path());
        let (dir_path, backup) = (staging.dir.clone(), staging.backup.clone());
        std::mem::forget(staging);
        // An earlier site parked in the backup (a two-step swap killed
        // before it moved it to the staging place), and a staging folder.
        std::fs::create_dir_all(backup.join("2024")).unwrap();
        std::fs::write(backup.join(MARKER), "").unwrap();
        std::fs::write(backup.join("2024/index.html"), "old").unwrap();
        let next = Staging::new(&target).unwrap();
        assert!(!backup.exists());
        assert_eq!(next.dir, dir_path);
        assert_eq!(names(&next.dir), [MARKER, "index.html"]);
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_backup_beside_an_output_becomes_the_staging_folder_and_a_staging_folder_without_the_marker_goes()
     {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = staged(dir.path());
        let (dir_path, backup) = (staging.dir.clone(), staging.backup.clone());
        drop(staging);
        std::fs::create_dir_all(&backup).unwrap();
        std::fs::write(backup.join(MARKER), "").unwrap();
        std::fs::write(backup.join("a.html"), "a").unwrap();
        let next = Staging::new(&target).unwrap();
        assert!(!backup.exists() && next.recycled);
        assert_eq!(names(&next.dir), [MARKER, "a.html"]);
        drop(next);
        // A folder there that gongkai did not mark is not written over.
        std::fs::create_dir_all(&dir_path).unwrap();
        std::fs::write(dir_path.join("stray.txt"), "?").unwrap();
        let next = Staging::new(&target).unwrap();
        assert!(!next.recycled);
        assert_eq!(names(&next.dir), [MARKER]);
    }
}
