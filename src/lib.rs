//! gongkai (公开): a static site generator for government information-disclosure
//! portals. It reads a folder of per-agency annual reports (政府信息公开工作年度报告)
//! as YAML and Markdown, checks every number against the official consistency
//! rules, and (with `build`) renders the portal.
//!
//! The parts, in the order data flows through them:
//! - [`model`]: the report, the two official table layouts, exact numbers, the rules;
//! - [`load`]: the content folder → the model, with a position for every cell;
//! - [`diagnostics`]: problems with file, line, column and rule;
//! - [`aggregate`]: district sums, key figures, publication status;
//! - [`indicators`]: indicators, peer quartiles and the supervisor's flags;
//! - [`render`]: the plan of a site's output (pages as jobs, other files as
//!   products), view models, tables, charts, data downloads;
//! - [`output`]: sinks: the staging folder and its atomic swap, memory;
//! - [`pipeline`]: load → validate → aggregate → plan → render → sink, timed;
//! - [`serve`]: the preview server: in-memory site, watch, live reload;
//! - [`import`]: published reports' text → the content format, never guessing;
//! - [`audit`]: `gongkai audit`, the supervisor's review out of the public site;
//! - [`commands`]: `check`, `new`, `init`, `build`, `generate` as library functions.

pub mod aggregate;
pub mod audit;
pub mod commands;
pub mod diagnostics;
mod error;
pub mod import;
pub mod indicators;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod serve;

/// `gongkai generate`: synthetic consistent sites (benchmarks, tests).
pub use commands::generate;
pub use diagnostics::{Diagnostic, Diagnostics, Rule, Severity, Span};
pub use error::{Error, Result};
pub use load::{Loaded, load};
pub use model::{Report, Site};
