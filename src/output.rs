//! Safe output: the site is written into a fresh folder beside the output
//! and swapped in at the end, so a failed or interrupted build leaves the
//! previous site untouched. gongkai only ever replaces a folder that carries
//! its marker file.

use std::path::{Path, PathBuf};

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
fn absolute(path: &Path) -> Result<PathBuf> {
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

/// A folder being filled, swapped into place by [`Staging::commit`].
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging> {
        let (target, dir) = beside(target, &format!("gongkai-tmp-{}", std::process::id()))?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        std::fs::write(dir.join(MARKER), "built by gongkai; safe to delete\n")
            .map_err(|e| Error::io(&dir, e))?;
        Ok(Staging { dir, target })
    }

    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// A new file in the staged folder, for writing piece by piece.
    pub fn create(&self, rel: &Path) -> Result<std::fs::File> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::File::create(&path).map_err(|e| Error::io(&path, e))
    }

    /// Replaces the target with the staged folder.
    pub fn commit(self) -> Result<()> {
        let old = self.dir.with_file_name(format!(
            "{}.old",
            self.dir.file_name().unwrap_or_default().to_string_lossy()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        if had_old {
            remove_tree(&old)?;
        }
        Ok(())
    }
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
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
