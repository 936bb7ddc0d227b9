//! The commands as library functions; the binary only parses arguments and
//! prints. `check` is what every other command runs first.

pub mod generate;
mod init;
mod new;

pub use crate::model::write::agency_yaml;
pub use init::init;
pub use new::{NewReport, new_report, prose_md, report_yaml};

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::load::{Loaded, load};
use crate::pipeline::{self, BuildOptions, BuildSummary};

/// Loads and validates the whole site; the caller decides how to report.
pub fn check(root: &Path) -> Loaded {
    load(root)
}

/// [`check`], with options (`--allow-missing-members`).
pub fn check_with(root: &Path, options: crate::load::LoadOptions) -> Loaded {
    crate::load::load_with(root, options)
}

/// Checks, then builds into `output` (default: `output_dir` of site.toml),
/// durably, as `build` does. Content with errors is refused (what was
/// loaded is in the error); warnings are returned with the summary.
pub fn build(root: &Path, output: Option<PathBuf>) -> Result<(Loaded, BuildSummary)> {
    let options = BuildOptions {
        output,
        ..BuildOptions::default()
    };
    pipeline::load_and_build(root, &options)
}

/// Refuses a category `site.toml` does not have, naming the ones it has.
pub fn known_category(config: &crate::model::Config, key: &str) -> Result<()> {
    if config.category(key).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = config.categories.iter().map(|c| c.key.as_str()).collect();
    Err(crate::error::Error::UnknownCategory {
        key: key.to_string(),
        known: known.join(", "),
    })
}
