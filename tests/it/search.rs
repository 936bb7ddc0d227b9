//! The search index of a build: pagefind's files under `pagefind/`, made
//! from the report and agency pages only, the same bytes for the same site,
//! a `search` phase in the timings, and nothing of it when `search = false`
//! (or gongkai was built without the `search` feature); `serve`'s index made
//! on first request and made anew after a change. That a search for a
//! word finds its report is checked in a real browser (tests/browser/).

use crate::common;
use std::fs;
use std::path::Path;

/// Every file under `dir`, by relative path.
#[cfg(feature = "search")]
fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn build(site: &Path, out: &Path) -> gongkai::pipeline::BuildSummary {
    gongkai::commands::build(site, Some(out.to_path_buf()))
        .unwrap()
        .1
}

#[cfg(feature = "search")]
#[test]
fn the_index_holds_the_reports_and_agencies_and_is_made_the_same_each_time() {
    let site = common::base_site();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a");
    let summary = build(site.path(), &first);
    assert!(summary.timings.iter().any(|(phase, _)| *phase == "search"));
    let entry = fs::read_to_string(first.join("pagefind/pagefind-entry.json")).unwrap();
    // Four reports and three agencies, read as Chinese.
    assert!(
        entry.contains(r#""languages":{"zh-cn":{"#) && entry.contains(r#""page_count":7}"#),
        "{entry}"
    );
    for file in [
        "pagefind.js",
        "pagefind-ui.js",
        "pagefind-ui.css",
        "wasm.unknown.pagefind",
    ] {
        assert!(first.join("pagefind").join(file).is_file(), "{file}");
    }
    let fragments = fs::read_dir(first.join("pagefind/fragment"))
        .unwrap()
        .count();
    assert_eq!(fragments, 7);
    // The search page loads pagefind from the site itself, by relative links.
    let page = fs::read_to_string(first.join("search/index.html")).unwrap();
    assert!(
        page.contains(r#"<script src="../pagefind/pagefind-ui.js"></script>"#),
        "{page}"
    );
    assert!(page.contains(r#"data-bundle="../pagefind/""#), "{page}");
    assert!(
        !page.contains("src=\"http") && !page.contains("stylesheet href=\"http"),
        "the search page loads nothing from elsewhere"
    );

    let second = dir.path().join("b");
    build(site.path(), &second);
    let (a, b) = (
        tree(&first.join("pagefind")),
        tree(&second.join("pagefind")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            b[path] == *bytes,
            "pagefind/{} differs between builds",
            path.display()
        );
    }
}

#[cfg(feature = "search")]
#[test]
fn a_generated_site_gets_the_same_index_twice() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let options = gongkai::generate::Options {
        agencies: 20,
        years: 2,
        last_year: 2024,
        seed: 3,
    };
    assert_eq!(gongkai::generate::generate(&site, &options).unwrap(), 40);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&site, &a);
    build(&site, &b);
    let entry = fs::read_to_string(a.join("pagefind/pagefind-entry.json")).unwrap();
    assert!(entry.contains(r#""page_count":60}"#), "{entry}");
    assert!(tree(&a.join("pagefind")) == tree(&b.join("pagefind")));
}

#[test]
fn search_false_in_site_toml_builds_no_index_no_search_page_and_no_box() {
    let site = common::base_site();
    common::set_site_option(site.path(), "search = false");
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    let summary = build(site.path(), &out);
    assert!(!out.join("pagefind").exists());
    assert!(!out.join("search").exists());
    assert!(!summary.timings.iter().any(|(phase, _)| *phase == "search"));
    let page = fs::read_to_string(out.join("2024/weibin/index.html")).unwrap();
    assert!(!page.contains("search-form"), "{page}");
    assert!(page.contains("id=large-toggle"));
}

/// Built without the feature, a site asking for search builds without it.
#[cfg(not(feature = "search"))]
#[test]
fn without_the_feature_there_is_no_index() {
    let site = common::base_site();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out);
    assert!(!out.join("pagefind").exists());
    assert!(!out.join("search").exists());
}

/// `serve` makes the index when something under /pagefind/ is first asked
/// for, keeps it while no indexed page changes, and starts a new one (made
/// again when asked for) after one does.
#[cfg(feature = "search")]
#[test]
fn serve_indexes_on_first_request_and_again_after_a_page_changed() {
    use std::sync::Arc;
    let site = common::base_site();
    let mut preview = gongkai::serve::Preview::new(site.path(), Arc::new(|_| String::new()));
    preview.rebuild(&[]);
    let first = preview.snapshot.search.clone().expect("a search index");
    assert!(!first.is_made(), "made before anyone asked");
    let entry = first
        .get("pagefind-entry.json")
        .expect("pagefind-entry.json");
    assert!(String::from_utf8_lossy(&entry).contains(r#""page_count":7}"#));
    assert!(first.is_made());
    assert!(first.get("no-such-file").is_none());

    // The footer is on every page, the indexed ones too: a new index.
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, text.replace("0373-0000000", "0373-1234567")).unwrap();
    preview.rebuild(&[toml]);
    assert!(
        preview.snapshot.errors.is_none(),
        "{:?}",
        preview.snapshot.errors
    );
    let second = preview.snapshot.search.clone().unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert!(!second.is_made());

    // A rebuild that changes no page keeps it.
    let unchanged = site.path().join("content/weibin/agency.yaml");
    preview.rebuild(&[unchanged]);
    let third = preview.snapshot.search.clone().unwrap();
    assert!(
        Arc::ptr_eq(&second, &third),
        "nothing changed, the same index"
    );
}
