//! The built demo district in headless Chromium (tests/browser/site.mjs):
//! every page opened from disk at desktop and phone width, every link and
//! download resolving, tables and charts drawn, no sideways scrolling, and
//! a report printed to A4 without navigation; and the accessibility, 大字模式,
//! print and search checks of tests/browser/a11y.mjs.

use crate::common;
use std::path::Path;

#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn demo_site_works_in_a_real_browser() {
    common::require_browser();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    gongkai::commands::build(Path::new(env!("CARGO_MANIFEST_DIR")), Some(site.clone())).unwrap();
    let report = common::node("site.mjs", &[site.as_os_str()]);
    // The search page is the eighteenth (about/indicators/ the seventeenth).
    let pages = 18;
    assert!(
        report.contains(&format!(
            "{pages} pages, 57 tables, 6 charts checked at 1280px and 375px; 0 problems"
        )),
        "{report}"
    );
}

/// tests/browser/a11y.mjs on the built demo, served over HTTP under a
/// sub-path: axe-core on every page type at both text sizes, the keyboard,
/// 大字模式, print, screenshots (in target/tmp/screenshots) and search.
#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn the_demo_is_accessible_searchable_and_printable_in_a_real_browser() {
    common::require_browser();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("public");
    gongkai::commands::build(Path::new(env!("CARGO_MANIFEST_DIR")), Some(site.clone())).unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let audit = out.path().join("audit");
    gongkai::audit::audit(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &gongkai::audit::AuditOptions {
            year: None,
            output: Some(audit.clone()),
        },
    )
    .unwrap();
    let report = common::node(
        "a11y.mjs",
        &[site.as_os_str(), shots.as_os_str(), audit.as_os_str()],
    );
    let pages = [
        "home",
        "year",
        "report",
        "agency",
        "agencies",
        "indicators",
        "search",
        "404",
    ];
    let mut steps: Vec<String> = Vec::new();
    for page in pages {
        steps.push(format!("ok: axe finds no violation on the {page} page"));
        steps.push(format!(
            "ok: axe finds no violation on the {page} page in 大字模式"
        ));
        for mode in ["", " in 大字模式"] {
            steps.push(format!(
                "ok: Tab alone reaches every link and control of the {page} page{mode}, always outlined"
            ));
        }
    }
    for step in [
        "ok: axe finds no violation on the audit page index.html",
        "ok: axe finds no violation on the audit page 2024/index.html",
        "ok: the skip link takes the keyboard past the header to the content",
        "ok: line spacing is at least 1.5 on every page type",
        "ok: nothing overflows at 1280px and 375px but table scroll boxes (screenshots taken)",
        "ok: a search for 中同街 lists its report, and a click lands on it",
        "ok: 依申请公开, an agency's name and a year find reports",
        "ok: the search box of every page leads to the results",
        "ok: 大字模式 switches on and persists across pages",
        "ok: line spacing is at least 1.5 in 大字模式",
        "ok: nothing overflows a phone in 大字模式 (screenshots taken)",
        "ok: 大字模式 switches off again, and stays off",
        "ok: without JavaScript: 大字模式 is an alternate stylesheet, search a link to the agencies",
        "ok: a report prints on A4 with no navigation, headers repeated, small tables whole",
        "ok: nothing popped up and nothing failed to load",
    ] {
        steps.push(step.to_string());
    }
    for step in &steps {
        assert!(
            report.lines().any(|l| l == step),
            "missing {step:?} in:\n{report}"
        );
    }
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok: ")).count(),
        steps.len(),
        "{report}"
    );
    for page in pages {
        for shot in ["1280", "375", "375-large"] {
            let file = shots.join(format!("{page}-{shot}.png"));
            assert!(file.is_file(), "{}", file.display());
        }
    }
}

/// The search query set (tests/browser/search.mjs) on `site`, built: every
/// case passes, served under a sub-path with `script-src 'self'`. Returns
/// the line with the bytes of the first query.
fn query_set(site: &Path, cases: &serde_json::Value) -> String {
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    gongkai::commands::build(site, Some(public.clone())).unwrap();
    let file = out.path().join("cases.json");
    std::fs::write(&file, cases.to_string()).unwrap();
    let report = common::node("search.mjs", &[public.as_os_str(), file.as_os_str()]);
    let cases = cases.as_array().unwrap();
    let oks = report.lines().filter(|l| l.starts_with("ok: ")).count();
    assert_eq!(oks, cases.len() + 1, "{report}");
    assert!(!report.contains("FAILED"), "{report}");
    let bytes = report
        .lines()
        .find(|l| l.starts_with("first query downloaded"))
        .unwrap_or_else(|| panic!("{report}"));
    println!("{}: {bytes}", site.display());
    bytes.to_string()
}

/// The demo's query set: each agency's full and short names find its agency
/// page and its report first (中同街 only those), a word of one report's
/// prose finds that report, a year with a name, a category, the year and
/// category filters, and nothing for words that are nowhere.
#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn the_demo_finds_what_it_must_in_a_real_browser() {
    common::require_browser();
    let zhongtongjie = [
        "agencies/zhongtongjie/index.html",
        "2024/zhongtongjie/index.html",
    ];
    let cases = serde_json::json!([
        {"q": "中同街", "first": zhongtongjie, "only": true, "mark": "中同街"},
        {"q": "中同街街道", "first": zhongtongjie, "only": true},
        {"q": "卫滨区中同街街道办事处", "first": zhongtongjie, "only": true},
        {"q": "沭阳县发改局", "first": ["agencies/shuyang-fagaiju/index.html", "2023/shuyang-fagaiju/index.html"]},
        {"q": "上海市人民政府办公厅", "first": ["agencies/shanghai-bgt/index.html", "2025/shanghai-bgt/index.html"]},
        {"q": "洪泽区", "first": ["agencies/hongzequ/index.html", "2024/hongzequ/index.html"]},
        {"q": "2023 沭阳县发展和改革局", "first": ["2023/shuyang-fagaiju/index.html"], "only": true},
        {"q": "营商环境", "first": ["2025/shanghai-bgt/index.html"], "only": true, "mark": "营商环境"},
        {"q": "信息处理费", "first": ["2024/hongzequ/index.html", "2023/pingtan/index.html"], "only": true, "mark": "信息处理费"},
        {"q": "街道办事处", "first": zhongtongjie},
        {"q": "依申请公开", "year": "2024", "mark": "依申请公开"},
        {"q": "依申请公开", "category": "政府部门"},
        {"q": "量子纠缠", "none": true},
    ]);
    query_set(Path::new(env!("CARGO_MANIFEST_DIR")), &cases);
}

/// A generated site's query set: each agency's full name (with its number:
/// the generator repeats names) finds its agency page and five reports
/// first; a year with the name, that report first; a phrase of the prose
/// with a year filter; a category with its filter.
#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn a_generated_site_finds_what_it_must_in_a_real_browser() {
    common::require_browser();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let options = gongkai::generate::Options {
        agencies: 40,
        years: 5,
        last_year: 2024,
        seed: 11,
    };
    gongkai::generate::generate(&site, &options).unwrap();
    let mut cases = Vec::new();
    for slug in ["a00003", "a00012", "a00025", "a00040"] {
        let yaml =
            std::fs::read_to_string(site.join("content").join(slug).join("agency.yaml")).unwrap();
        let name = yaml.lines().find_map(|l| l.strip_prefix("name: ")).unwrap();
        let mut first: Vec<String> = (2020..=2024)
            .map(|y| format!("{y}/{slug}/index.html"))
            .collect();
        first.push(format!("agencies/{slug}/index.html"));
        // The name without its number is what the excerpt marks as one.
        let words = name.split('（').next().unwrap();
        cases.push(serde_json::json!({"q": name, "first": first, "mark": words}));
        // The 2020 report names 2021 too (its publication date), after.
        cases.push(serde_json::json!({"q": format!("2021 {name}"), "first": [format!("2021/{slug}/index.html")]}));
    }
    cases.push(serde_json::json!({"q": "征地拆迁", "year": "2022", "mark": "征地拆迁"}));
    cases.push(serde_json::json!({"q": "乡镇人民政府", "category": "乡镇人民政府"}));
    query_set(&site, &serde_json::Value::Array(cases));
}

#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn a_served_page_follows_edits_in_a_real_browser() {
    common::require_browser();
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
        "ok: the served site searches itself (the index made on request)",
        "ok: no errors in the page",
    ] {
        assert!(report.contains(step), "{report}");
    }
}

/// tests/browser/csp.mjs: the demo's pages under their Content-Security-
/// Policy (no violation on any page type, with search, 大字模式, the charts
/// and print working), and a copy of the demo whose theme override slipped
/// in an inline script, an event handler, a style attribute and a script
/// from another site, each refused and reported by the browser.
#[test]
#[ignore = "needs Chromium, node and pdftotext: .ci/run installs them and runs --include-ignored"]
fn no_page_runs_script_that_is_not_the_sites_own_in_a_real_browser() {
    common::require_browser();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let demo = out.path().join("demo");
    gongkai::commands::build(repo, Some(demo.clone())).unwrap();

    let site = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("site.toml"), site.path().join("site.toml")).unwrap();
    common::copy_tree(&repo.join("content"), &site.path().join("content"));
    let templates = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("report.html"),
        r#"{% extends "base.html" %}{% block content %}<script>window.__inline = 1;</script>
<img src="data:," alt="" onerror="window.__handler = 1">
<p id="styled" style="color: red">注入</p>
<script src="http://127.0.0.2:9/evil.js" onload="window.__foreign = 1"></script>
<h1>{{ report.title }}</h1>{% endblock content %}"#,
    )
    .unwrap();
    let injected = out.path().join("injected");
    gongkai::commands::build(site.path(), Some(injected.clone())).unwrap();
    let page = std::fs::read_to_string(injected.join("2024/zhongtongjie/index.html")).unwrap();
    assert!(
        page.contains("<script>window.__inline = 1;</script>"),
        "{page}"
    );

    let report = common::node("csp.mjs", &[demo.as_os_str(), injected.as_os_str()]);
    let mut steps: Vec<String> = [
        "home", "year", "report", "agency", "agencies", "search", "404",
    ]
    .iter()
    .map(|p| format!("ok: the {p} page carries the policy and the browser reports no violation"))
    .collect();
    steps.extend(
        [
            "ok: search finds 中同街's report under the policy",
            "ok: 大字模式 switches on under the policy",
            "ok: the charts are drawn, textures and all, under the policy",
            "ok: a report prints under the policy, without navigation",
            "ok: injected script, handler, style and foreign script are refused and reported",
        ]
        .map(String::from),
    );
    let ok: Vec<&str> = report.lines().filter(|l| l.starts_with("ok: ")).collect();
    assert_eq!(ok, steps, "{report}");
}
