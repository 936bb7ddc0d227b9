//! `serve` loads incrementally (only the folders a change touches, rules
//! only for reports whose inputs changed): after every kind of change, what
//! it loads must equal a full load of the same files.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use gongkai::load::{LoadCache, load_cached};
use gongkai::{Loaded, load};

/// Everything a load decides: each diagnostic as printed, each report and
/// agency with the hash of its sources.
fn summary(loaded: &Loaded) -> Vec<String> {
    let mut out: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    if let Some(site) = &loaded.site {
        out.extend(
            site.reports
                .iter()
                .map(|r| format!("report {} {} {:x}", r.agency, r.year, r.source_hash)),
        );
        out.extend(
            site.agencies
                .values()
                .map(|a| format!("agency {} {} {}", a.slug, a.name, a.category)),
        );
    }
    out
}

fn same_as_full(root: &Path, cache: &mut LoadCache, changed: &[&str], step: &str) -> String {
    let changed: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
    let incremental = summary(&load_cached(root, cache, &changed));
    let full = summary(&load(root));
    assert_eq!(incremental, full, "after {step}");
    full.join("\n")
}

fn replace(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn incremental_loads_equal_full_loads() {
    let site = common::base_site();
    let root = site.path();
    let mut cache = LoadCache::default();
    same_as_full(root, &mut cache, &[], "the first load");

    // A figure that breaks a rule, then its repair.
    replace(
        root,
        "content/weibin/2024.yaml",
        "licensing: 1532",
        "licensing: -1",
    );
    let seen = same_as_full(
        root,
        &mut cache,
        &["content/weibin/2024.yaml"],
        "a bad figure",
    );
    assert!(seen.contains("(R7)"), "{seen}");
    replace(
        root,
        "content/weibin/2024.yaml",
        "licensing: -1",
        "licensing: 1533",
    );
    same_as_full(
        root,
        &mut cache,
        &["content/weibin/2024.yaml"],
        "its repair",
    );

    // Prose only.
    fs::write(root.join("content/weibin/2024.md"), "前言。\n").unwrap();
    same_as_full(root, &mut cache, &["content/weibin/2024.md"], "new prose");

    // A new agency, then the same agency's folder gone.
    common::copy_tree(
        &root.join("content/weibin"),
        &root.join("content/weibin-copy"),
    );
    replace(
        root,
        "content/weibin-copy/agency.yaml",
        "name: ",
        "name: 副本",
    );
    let seen = same_as_full(
        root,
        &mut cache,
        &[
            "content/weibin-copy/agency.yaml",
            "content/weibin-copy/2024.yaml",
        ],
        "a new agency",
    );
    assert!(seen.contains("agency weibin-copy"), "{seen}");
    fs::remove_dir_all(root.join("content/weibin-copy")).unwrap();
    same_as_full(
        root,
        &mut cache,
        &["content/weibin-copy/agency.yaml"],
        "a deleted agency",
    );

    // Last year's report changes this year's carry-over check (X1), which
    // is reported in this year's file.
    replace(
        root,
        "content/zhongtongjie/2023.yaml",
        "carried_forward:   [1,",
        "carried_forward:   [2,",
    );
    let seen = same_as_full(
        root,
        &mut cache,
        &["content/zhongtongjie/2023.yaml"],
        "last year's report",
    );
    assert!(
        seen.lines()
            .any(|l| l.starts_with("content/zhongtongjie/2024.yaml") && l.contains("(X1)")),
        "{seen}"
    );

    // site.toml and a stray file in content/ reload everything.
    replace(root, "site.toml", "title = \"", "title = \"新");
    same_as_full(root, &mut cache, &["site.toml"], "site.toml");
    fs::write(root.join("content/notes.txt"), "x").unwrap();
    let seen = same_as_full(root, &mut cache, &["content/notes.txt"], "a stray file");
    assert!(seen.contains("notes.txt"), "{seen}");
    // A change the watcher could not name (a rescan).
    fs::remove_file(root.join("content/notes.txt")).unwrap();
    same_as_full(root, &mut cache, &[], "a rescan");
}
