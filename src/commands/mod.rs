//! The commands as library functions; the binary only parses arguments and
//! prints. `check` is what every other command runs first.

mod init;
mod new;

pub use init::init;
pub use new::{NewReport, agency_yaml, new_report, prose_md, report_yaml};

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use crate::load::{Loaded, load};
use crate::render::BuildOptions;

/// Loads and validates the whole site; the caller decides how to report.
pub fn check(root: &Path) -> Loaded {
    load(root)
}

/// Checks, then builds into `output` (default: `output_dir` of site.toml),
/// durably, as `build` does. Content with errors is refused (the
/// diagnostics are in the error); warnings are returned with the summary.
pub fn build(
    root: &Path,
    output: Option<PathBuf>,
) -> Result<(Loaded, crate::render::BuildSummary)> {
    build_with(
        root,
        &BuildOptions {
            output,
            ..BuildOptions::default()
        },
    )
}

/// [`build`] with every option.
pub fn build_with(
    root: &Path,
    options: &BuildOptions,
) -> Result<(Loaded, crate::render::BuildSummary)> {
    let loaded = load(root);
    if loaded.diagnostics.has_errors() {
        return Err(Error::Invalid(loaded.diagnostics));
    }
    let Some(site) = &loaded.site else {
        return Err(Error::Invalid(loaded.diagnostics));
    };
    let summary = crate::render::build(site, options)?;
    Ok((loaded, summary))
}
