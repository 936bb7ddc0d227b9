//! The built demo district in headless Chromium (tests/browser/site.mjs):
//! every page opened from disk at desktop and phone width, every link and
//! download resolving, tables and charts drawn, no sideways scrolling, and
//! a report printed to A4 without navigation.

mod common;

use std::path::Path;

#[test]
fn demo_site_works_in_a_real_browser() {
    if !common::browser_ready() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    gongkai::commands::build(Path::new(env!("CARGO_MANIFEST_DIR")), Some(site.clone())).unwrap();
    let report = common::node("site.mjs", &[site.as_os_str()]);
    assert!(
        report.contains("16 pages, 46 tables, 6 charts checked at 1280px and 375px; 0 problems"),
        "{report}"
    );
}

#[test]
fn a_served_page_follows_edits_in_a_real_browser() {
    if !common::browser_ready() {
        return;
    }
    let site = common::base_site();
    let served = common::serve::Served::start(site.path(), &[]);
    let url = format!("http://{}/", served.addr);
    let report = common::node(
        "serve.mjs",
        &[std::ffi::OsStr::new(&url), site.path().as_os_str()],
    );
    for step in [
        "ok: the report page opens",
        "ok: an edit shows without being asked to reload",
        "ok: a broken file shows the overlay with file, line and rule",
        "ok: fixing it takes the overlay away",
        "ok: a wrong total names the cell",
        "ok: a stylesheet edit restyles the page without a reload",
        "ok: no errors in the page",
    ] {
        assert!(report.contains(step), "{report}");
    }
}
