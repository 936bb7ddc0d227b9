//! gongkai's integration tests, one crate (one binary to link) with a module
//! per area. Tests that need Chromium or pdftotext are `#[ignore]`d with the
//! reason; `.ci/run` installs both and runs them with `--include-ignored`.

mod common;

mod accessibility;
mod audit;
mod browser;
mod build;
mod cases;
mod cli;
mod crash;
mod demo;
mod deploy;
mod fuzz;
mod golden;
mod hostile;
mod import;
mod import_folder;
mod import_formats;
mod import_pages;
mod import_rules;
mod incremental;
mod rollup;
mod roundtrip;
mod rules;
mod search;
mod serve;
mod serve_load;
mod summary;
