//! A sink that keeps files in memory (serve's downloads made on request).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Sink;
use crate::error::Result;

/// Files in the order they were written.
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<Vec<(PathBuf, Vec<u8>)>>,
}

impl Sink for MemorySink {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, bytes));
        Ok(())
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        Ok(Box::new(MemoryFile {
            sink: self,
            path: path.to_path_buf(),
            bytes: Vec::new(),
        }))
    }

    fn copy(&self, to: &Path, from: &Path) -> Result<u64> {
        let bytes = std::fs::read(from).map_err(|e| crate::Error::io(from, e))?;
        let n = bytes.len() as u64;
        self.file(to.to_path_buf(), bytes)?;
        Ok(n)
    }
}

/// A streamed file kept in memory; it lands in its sink when dropped.
struct MemoryFile<'a> {
    sink: &'a MemorySink,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Write for MemoryFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MemoryFile<'_> {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        let _ = self.sink.file(std::mem::take(&mut self.path), bytes);
    }
}
