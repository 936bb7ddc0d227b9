//! Where the output goes: a [`Sink`] takes the files a rendering pass
//! makes. `build` writes into a staging folder swapped in at the end
//! ([`disk`]); `serve` and the in-memory downloads keep them in memory
//! ([`memory`]).

mod disk;
mod memory;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::Result;

pub use disk::*;
pub use memory::MemorySink;

/// Where a build's files go: the staging folder (`build`) or memory
/// (`serve`). `file` is called from several threads at once.
pub trait Sink: Sync {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()>;
    /// A big file written piece by piece; the caller flushes it.
    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>>;
    /// A file copied as it is from `from` (a signed original); its size.
    fn copy(&self, to: &Path, from: &Path) -> Result<u64>;
}

/// A sink that counts what goes through it (the build summary) and the
/// time spent writing (`--timings`).
pub struct Counted<'a> {
    sink: &'a dyn Sink,
    files: AtomicU64,
    bytes: AtomicU64,
    /// Nanoseconds spent in `file`, summed over threads.
    spent: AtomicU64,
}

impl<'a> Counted<'a> {
    pub fn new(sink: &'a dyn Sink) -> Self {
        Counted {
            sink,
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            spent: AtomicU64::new(0),
        }
    }

    /// Files written so far.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed) as usize
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed) as usize
    }

    /// Time spent writing whole files so far, summed over threads.
    pub fn spent(&self) -> Duration {
        Duration::from_nanos(self.spent.load(Ordering::Relaxed))
    }
}

impl Sink for Counted<'_> {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        let clock = Instant::now();
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let done = self.sink.file(path, bytes);
        self.spent
            .fetch_add(clock.elapsed().as_nanos() as u64, Ordering::Relaxed);
        done
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(CountedWriter {
            inner: self.sink.stream(path)?,
            bytes: &self.bytes,
        }))
    }

    fn copy(&self, to: &Path, from: &Path) -> Result<u64> {
        let n = self.sink.copy(to, from)?;
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(n, Ordering::Relaxed);
        Ok(n)
    }
}

struct CountedWriter<'a> {
    inner: Box<dyn Write + 'a>,
    bytes: &'a AtomicU64,
}

impl Write for CountedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
