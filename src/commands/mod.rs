//! The commands as library functions; the binary only parses arguments and
//! prints. `check` is what every other command runs first.

mod init;
mod new;

pub use init::init;
pub use new::{NewReport, agency_yaml, new_report, prose_md, report_yaml};

use std::path::Path;

use crate::load::{Loaded, load};

/// Loads and validates the whole site; the caller decides how to report.
pub fn check(root: &Path) -> Loaded {
    load(root)
}
