//! The commands as library functions; the binary only parses arguments and
//! prints. `check` is what every other command runs first.

mod init;
mod new;

pub use init::init;
pub use new::{NewReport, agency_yaml, new_report, prose_md, report_yaml};

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::load::{Loaded, load};
use crate::pipeline::{self, BuildOptions, BuildSummary};

/// Loads and validates the whole site; the caller decides how to report.
pub fn check(root: &Path) -> Loaded {
    load(root)
}

/// Checks, then builds. Content with errors is refused (what was loaded
/// is in the error); warnings are returned with the summary.
pub fn build(root: &Path, output: Option<PathBuf>) -> Result<(Loaded, BuildSummary)> {
    pipeline::load_and_build(root, &BuildOptions { output })
}
