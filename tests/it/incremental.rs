//! `serve` loads incrementally (only the folders a change touches, rules
//! only for reports whose inputs changed): after every kind of change, what
//! it loads must equal a full load of the same files, and what it serves
//! after a rebuild must equal a first build of the same files.

use crate::common;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use gongkai::load::{LoadCache, load_cached};
use gongkai::serve::{Asset, Preview};
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

/// A new agency, `weibin-copy`: weibin's folder under another name.
fn copy_agency(root: &Path) {
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
    copy_agency(root);
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

/// Every file `serve` serves, as bytes (the lazily made downloads made).
pub(crate) fn served(preview: &Preview) -> BTreeMap<String, Vec<u8>> {
    assert_eq!(preview.snapshot.errors, None);
    preview
        .snapshot
        .files
        .iter()
        .map(|(path, asset)| {
            let bytes = match asset {
                Asset::Memory { bytes, .. } => bytes.to_vec(),
                Asset::Disk(from) => from.to_string_lossy().as_bytes().to_vec(),
                Asset::Lazy(tables) => tables.get(path).to_vec(),
            };
            (path.to_string(), bytes)
        })
        .collect()
}

/// After a rebuild that names `changed`, serve's site equals a first build
/// of the same files: every page, download and static file, byte for byte.
pub(crate) fn rebuild_same_as_full(
    root: &Path,
    preview: &mut Preview,
    changed: &[&str],
    step: &str,
) {
    let changed: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
    let outcome = preview.rebuild(&changed);
    let mut fresh = Preview::new(root, formatter());
    fresh.rebuild(&[]);
    let (now, full) = (served(preview), served(&fresh));
    let differ: Vec<&String> = full
        .keys()
        .chain(now.keys())
        .filter(|k| now.get(*k) != full.get(*k))
        .collect();
    assert!(differ.is_empty(), "after {step}: {differ:?} differ");
    assert!(!outcome.changed.is_empty(), "after {step}: nothing changed");
}

pub(crate) fn formatter() -> gongkai::serve::Formatter {
    std::sync::Arc::new(|loaded: &Loaded| {
        loaded
            .diagnostics
            .iter()
            .map(|d| format!("{d}\n"))
            .collect()
    })
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let site = common::base_site();
    let root = site.path();
    let mut preview = Preview::new(root, formatter());
    preview.rebuild(&[]);
    served(&preview);

    // Figures of one report: its page, its agency, its year, the sums of
    // its year and category, the home page and the downloads.
    replace(
        root,
        "content/weibin/2024.yaml",
        "review:                  [2, 1, 0, 0, 3]",
        "review:                  [3, 1, 0, 0, 4]",
    );
    replace(
        root,
        "content/weibin/2024.yaml",
        "licensing: 1532",
        "licensing: 1600",
    );
    let edit = ["content/weibin/2024.yaml"];
    rebuild_same_as_full(root, &mut preview, &edit, "new figures");
    // The same report again (the sums are patched twice in a row), then
    // back to what it was.
    replace(root, edit[0], "licensing: 1600", "licensing: 7");
    rebuild_same_as_full(root, &mut preview, &edit, "the same report again");
    replace(root, edit[0], "[3, 1, 0, 0, 4]", "[2, 1, 0, 0, 3]");
    replace(root, edit[0], "licensing: 7", "licensing: 1532");
    rebuild_same_as_full(root, &mut preview, &edit, "the figures restored");

    // Last year's report of another agency: next year's page cites it.
    replace(
        root,
        "content/zhongtongjie/2023.yaml",
        "licensing: 3 ",
        "licensing: 4 ",
    );
    fs::write(
        root.join("content/zhongtongjie/2023.md"),
        fs::read_to_string(root.join("content/zhongtongjie/2023.md")).unwrap() + "\n补充。\n",
    )
    .unwrap();
    rebuild_same_as_full(
        root,
        &mut preview,
        &[
            "content/zhongtongjie/2023.yaml",
            "content/zhongtongjie/2023.md",
        ],
        "last year's report and prose",
    );

    // A report becomes a draft, then is published again.
    replace(root, edit[0], "draft: false", "draft: true");
    rebuild_same_as_full(root, &mut preview, &edit, "a draft");
    replace(root, edit[0], "draft: true", "draft: false");
    rebuild_same_as_full(root, &mut preview, &edit, "published again");

    // A new agency, then gone again; then the settings.
    copy_agency(root);
    let new = [
        "content/weibin-copy/agency.yaml",
        "content/weibin-copy/2024.yaml",
    ];
    rebuild_same_as_full(root, &mut preview, &new, "a new agency");
    fs::remove_dir_all(root.join("content/weibin-copy")).unwrap();
    rebuild_same_as_full(root, &mut preview, &new[..1], "the agency deleted");
    replace(root, "site.toml", "title = \"", "title = \"新");
    rebuild_same_as_full(root, &mut preview, &["site.toml"], "site.toml");
}
