//! The search index of a build: gongkai's own files under `search-index/`,
//! made from the report and agency pages only, the same bytes for the same
//! site, a `search` phase in the timings, and nothing of it when
//! `search = false`; the ranking read back from the index as the browser
//! client reads it (an agency's names find its agency page and reports
//! first, a word inside the prose, a year with a name, a category); and
//! `serve`'s index made on first request and, after an edit, made again
//! reading only the pages that changed. The same queries run in Chromium
//! in tests/browser/search.mjs.

use crate::common;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use gongkai::render::search;

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
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

/// `query` on the index built into `out`.
fn find(out: &Path, query: &str) -> search::Found {
    let index = out.join(search::FOLDER);
    search::search(|name| fs::read(index.join(name)).ok(), query).unwrap()
}

fn urls(found: &search::Found) -> Vec<&str> {
    found.hits.iter().map(|h| h.url.as_str()).collect()
}

#[test]
fn the_index_holds_the_reports_and_agencies_and_is_made_the_same_each_time() {
    let site = common::base_site();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a");
    let summary = build(site.path(), &first);
    assert!(summary.timings.iter().any(|(phase, _)| *phase == "search"));
    let index = first.join("search-index");
    // Four reports and three agencies.
    let meta = fs::read_to_string(index.join("meta.json")).unwrap();
    assert_eq!(
        meta,
        r#"{"version":1,"docs":7,"shards":1,"chunk":8,"years":[2024,2023,2020],"categories":["区直部门","区人民政府","街道办事处"]}"#
    );
    assert_eq!(fs::read(index.join("docs.bin")).unwrap().len(), 14);
    assert_eq!(
        fs::read(index.join("search.js")).unwrap(),
        search::CLIENT.as_bytes()
    );
    let files: Vec<PathBuf> = tree(&index).into_keys().collect();
    assert_eq!(
        files,
        ["docs.bin", "meta.json", "search.js", "t/0.bin", "x/0.json"].map(PathBuf::from)
    );
    // The search page loads its client from the site itself, by a relative
    // link, as a file (no inline script).
    let page = fs::read_to_string(first.join("search/index.html")).unwrap();
    assert!(
        page.contains(r#"<script src="../search-index/search.js" defer></script>"#),
        "{page}"
    );
    assert!(page.contains(r#"data-index="../search-index/""#), "{page}");
    assert_eq!(
        page.matches("<script").count(),
        2,
        "site.js and search.js only: {page}"
    );
    assert!(
        !page.contains("src=\"http") && !page.contains("stylesheet href=\"http"),
        "the search page loads nothing from elsewhere"
    );

    let second = dir.path().join("b");
    build(site.path(), &second);
    assert!(
        tree(&index) == tree(&second.join("search-index")),
        "the index differs between builds"
    );
}

#[test]
fn an_agencys_names_find_its_pages_first_and_only_them() {
    let site = common::base_site();
    let out = tempfile::tempdir().unwrap();
    build(site.path(), out.path());
    let ours = [
        "agencies/zhongtongjie/index.html",
        "2024/zhongtongjie/index.html",
        "2023/zhongtongjie/index.html",
    ];
    for query in [
        "中同街",
        "中同街街道",
        "卫滨区中同街街道办事处",
        "中同街　街道",
    ] {
        let found = find(out.path(), query);
        let mut got = urls(&found);
        got.sort();
        let mut want = ours.to_vec();
        want.sort();
        assert_eq!(got, want, "{query}");
        assert!(!found.partial);
    }
    // The agency page, the shortest page with the name, comes first.
    assert_eq!(urls(&find(out.path(), "中同街"))[0], ours[0]);
    // A year and a name: that year's report first.
    assert_eq!(
        urls(&find(out.path(), "2023 中同街"))[0],
        "2023/zhongtongjie/index.html"
    );
    assert_eq!(
        urls(&find(out.path(), "2023年中同街")),
        ["2023/zhongtongjie/index.html"]
    );
    // The short name of another agency, in full-width and half-width.
    let found = find(out.path(), "卫滨区人民政府");
    assert_eq!(
        urls(&found)[..2],
        ["agencies/weibin/index.html", "2024/weibin/index.html"]
    );
    // A category: its agency first.
    let found = find(out.path(), "街道办事处");
    assert_eq!(found.hits[0].category, "街道办事处");
    // A word inside the prose only.
    let found = find(out.path(), "依申请公开");
    assert_eq!(urls(&found), ["2024/weibin/index.html"]);
    assert_eq!(found.hits[0].year, Some(2024));
    // Nothing has every word: the pages with the most, said so.
    let found = find(out.path(), "中同街 zzzz");
    assert!(found.partial);
    assert_eq!(found.hits.len(), 3);
    assert!(find(out.path(), "qqqq").hits.is_empty());
    assert!(find(out.path(), "").hits.is_empty());
}

/// The first query reads the meta, the filters and one shard per term.
#[test]
fn a_query_reads_only_the_shards_of_its_terms() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let options = gongkai::generate::Options {
        agencies: 100,
        years: 5,
        last_year: 2024,
        seed: 5,
    };
    assert_eq!(gongkai::generate::generate(&site, &options).unwrap(), 500);
    let out = dir.path().join("out");
    build(&site, &out);
    let shards = fs::read_dir(out.join("search-index/t")).unwrap().count();
    assert!(shards >= 8, "{shards} shards");
    assert_eq!(search::query_terms("中同街"), ["中同", "同街"]);
    assert_eq!(
        search::query_terms("信息处理费"),
        ["信息", "息处", "处理", "理费"]
    );
    assert_eq!(
        search::query_terms("示范区平阳街道"),
        ["示范", "区平", "阳街", "街道"]
    );
    assert_eq!(search::query_terms("2023年 PDF"), ["2023", "年", "pdf"]);
    let found = find(&out, "依申请公开");
    let read: Vec<&str> = found.read.iter().map(|(n, _)| n.as_str()).collect();
    // Four terms (依申, 申请, 请公, 公开): at most four shards, nothing else.
    assert_eq!(read[..2], ["meta.json", "docs.bin"]);
    assert!(read.len() > 2 && read.len() <= 2 + 4, "{read:?}");
    assert!(read[2..].iter().all(|n| n.starts_with("t/")));
    let mut shards = read[2..].to_vec();
    shards.dedup();
    assert_eq!(shards.len(), read.len() - 2, "each shard read once");
}

/// The query set on a generated site: each agency's full name finds its
/// agency page and its reports first; a year with the name, that report;
/// a phrase of the prose, every page that has it; a category, its pages
/// first.
#[test]
fn a_generated_site_ranks_names_years_words_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let options = gongkai::generate::Options {
        agencies: 30,
        years: 5,
        last_year: 2024,
        seed: 3,
    };
    assert_eq!(gongkai::generate::generate(&site, &options).unwrap(), 150);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&site, &a);
    build(&site, &b);
    assert!(tree(&a.join("search-index")) == tree(&b.join("search-index")));
    let meta = fs::read_to_string(a.join("search-index/meta.json")).unwrap();
    assert!(meta.contains(r#""docs":180,"#), "{meta}");

    for slug in ["a00002", "a00007", "a00020", "a00030"] {
        let yaml = fs::read_to_string(site.join("content").join(slug).join("agency.yaml")).unwrap();
        let name = yaml.lines().find_map(|l| l.strip_prefix("name: ")).unwrap();
        let found = find(&a, name);
        let mut top: Vec<&str> = urls(&found)[..6].to_vec();
        top.sort();
        let mut want: Vec<String> = (2020..=2024)
            .map(|y| format!("{y}/{slug}/index.html"))
            .collect();
        want.push(format!("agencies/{slug}/index.html"));
        assert_eq!(top, want, "{name}");
        let found = find(&a, &format!("2022 {name}"));
        assert_eq!(
            found.hits[0].url,
            format!("2022/{slug}/index.html"),
            "2022 {name}"
        );
    }

    let phrase = "征地拆迁";
    let found = find(&a, phrase);
    let hits: Vec<&str> = urls(&found);
    let mut with: Vec<String> = Vec::new();
    for (path, bytes) in tree(&a) {
        let p = path.to_string_lossy().to_string();
        if search::page(&path, &String::from_utf8_lossy(&bytes))
            .is_some_and(|page| page.text.contains(phrase))
        {
            with.push(p);
        }
    }
    assert!(with.len() > 5, "{} pages with {phrase}", with.len());
    for p in &with {
        assert!(hits.contains(&p.as_str()), "{p} not found for {phrase}");
    }
    assert_eq!(hits.len(), with.len(), "only the pages with {phrase}");

    let township = "乡镇人民政府";
    let found = find(&a, township);
    let pages = found.hits.iter().filter(|h| h.category == township).count();
    assert!(pages > 0);
    assert!(
        found.hits[..pages].iter().all(|h| h.category == township),
        "the category's pages first"
    );
}

#[test]
fn search_false_in_site_toml_builds_no_index_no_search_page_and_no_box() {
    let site = common::base_site();
    common::set_site_option(site.path(), "search = false");
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    let summary = build(site.path(), &out);
    assert!(!out.join("search-index").exists());
    assert!(!out.join("search").exists());
    assert!(!summary.timings.iter().any(|(phase, _)| *phase == "search"));
    let page = fs::read_to_string(out.join("2024/weibin/index.html")).unwrap();
    assert!(!page.contains("search-form"), "{page}");
    assert!(page.contains("id=large-toggle"));
}

/// `serve` makes the index when something under /search-index/ is first
/// asked for, keeps it while no served file changes, and after an edit
/// makes a new one that reads only the pages that changed.
#[test]
fn serve_indexes_on_first_request_and_again_after_a_page_changed() {
    use std::sync::Arc;
    let site = common::base_site();
    let mut preview = gongkai::serve::Preview::new(site.path(), Arc::new(|_| String::new()));
    preview.rebuild(&[]);
    let first = preview.snapshot.search.clone().expect("a search index");
    assert!(!first.is_made(), "made before anyone asked");
    let meta = first.get("meta.json").expect("meta.json");
    assert!(String::from_utf8_lossy(&meta).contains(r#""docs":7,"#));
    assert!(first.is_made());
    assert_eq!(first.pages_read(), 7);
    assert!(first.get("no-such-file").is_none());
    assert!(first.get("search.js").is_some());

    // A new word in one report's prose: only that page is read again, and
    // the word is found.
    let md = site.path().join("content/weibin/2024.md");
    let text = fs::read_to_string(&md).unwrap();
    fs::write(&md, format!("{text}\n本年度新增试点镇街公开专栏。\n")).unwrap();
    preview.rebuild(std::slice::from_ref(&md));
    assert!(
        preview.snapshot.errors.is_none(),
        "{:?}",
        preview.snapshot.errors
    );
    let second = preview.snapshot.search.clone().unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert!(!second.is_made());
    assert_eq!(second.pages_read(), 1);
    let found = search::search(|name| second.get(name).map(|b| b.to_vec()), "试点镇街").unwrap();
    assert_eq!(urls(&found), ["2024/weibin/index.html"]);
    let before = search::search(|name| first.get(name).map(|b| b.to_vec()), "试点镇街").unwrap();
    assert!(before.hits.is_empty());

    // A rebuild that changes no page keeps it.
    let unchanged = site.path().join("content/weibin/agency.yaml");
    preview.rebuild(&[unchanged]);
    let third = preview.snapshot.search.clone().unwrap();
    assert!(
        Arc::ptr_eq(&second, &third),
        "nothing changed, the same index"
    );
}
