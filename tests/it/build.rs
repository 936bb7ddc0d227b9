//! `build` on the demo district and on altered copies of it: the files the
//! contract's layout asks for, exact aggregate numbers, links, determinism,
//! atomic output, refusals and sanitised prose.

use crate::common;
use common::{copy_tree, read_tree};
use std::fs;
use std::path::{Path, PathBuf};

use gongkai::commands;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the demo site (site.toml and content/) in a temp folder.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
    copy_tree(&repo().join("content"), &dir.path().join("content"));
    dir
}

fn build(root: &Path, out: &Path) -> gongkai::Result<()> {
    commands::build(root, Some(out.to_path_buf())).map(|_| ())
}

fn summary_value(out: &Path, year: i32, key: &str) -> String {
    let csv = fs::read_to_string(out.join(format!("{year}/summary.csv"))).unwrap();
    csv.lines()
        .find_map(|l| l.strip_prefix(&format!("{key},")))
        .and_then(|rest| rest.rsplit(',').next())
        .unwrap_or_else(|| panic!("{key} not in {year}/summary.csv"))
        .to_string()
}

#[test]
fn demo_site_has_every_page_and_download() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    for file in [
        "index.html",
        "404.html",
        "robots.txt",
        "agencies/index.html",
        "agencies/pingtan/index.html",
        "2023/index.html",
        "2023/pingtan/index.html",
        "2023/pingtan/report.json",
        "2023/summary.csv",
        "2024/zhongtongjie/index.html",
        "2025/shanghai-bgt/index.html",
        "data/reports.csv",
        "data/reports.json",
        "static/style.css",
    ] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    // No base_url in the demo: no sitemap or feed.
    assert!(!out.join("sitemap.xml").exists());
    assert!(!out.join("feed.xml").exists());
    let csv = fs::read_to_string(out.join("data/reports.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}agency,agency_name,category,year,format,published,as_published,active.regulations.issued,"));
    assert_eq!(csv.lines().count(), 6);
    let json = fs::read_to_string(out.join("2023/pingtan/report.json")).unwrap();
    assert!(json.contains("\"active.fees\":5949.088667"), "{json}");
    assert!(json.contains("\"requests.total.total\":81"), "{json}");
    let page = fs::read_to_string(out.join("2023/pingtan/index.html")).unwrap();
    assert!(page.contains("平潭综合实验区2023年政府信息公开工作年度报告"));
    assert!(page.contains("<html lang=zh-CN>") || page.contains("<html lang=\"zh-CN\">"));
}

#[test]
fn district_aggregates_are_the_sums_of_their_agencies() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    // 2023: pingtan (80 + 1 new, total 81) and shuyang-fagaiju (26).
    assert_eq!(
        summary_value(&out, 2023, "requests.new.natural_person"),
        "106"
    );
    assert_eq!(summary_value(&out, 2023, "requests.new.total"), "107");
    assert_eq!(
        summary_value(&out, 2023, "requests.unavailable.not_held.total"),
        "31"
    );
    assert_eq!(summary_value(&out, 2023, "reviews.review.total"), "3");
    assert_eq!(summary_value(&out, 2023, "active.fees"), "5949.088667");
    // 2024: hongzequ prints （六） as one row, so the district shows one row.
    assert_eq!(summary_value(&out, 2024, "requests.other.total"), "0");
    assert_eq!(summary_value(&out, 2024, "requests.total.total"), "95");
    assert_eq!(
        summary_value(&out, 2024, "reviews.litigation_after_review.total"),
        "3"
    );
}

#[test]
fn fee_sums_are_exact_and_formats_are_kept_apart() {
    let site = demo_copy();
    let dir = site.path().join("content/xinzhen");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("agency.yaml"),
        "name: 测试新镇人民政府\ncategory: township\n",
    )
    .unwrap();
    // A 2021 report with a fee of 0.000001 万元, and its agency's 2022 report in the 2019 format.
    let zhongtong = fs::read_to_string(site.path().join("content/zhongtongjie/2024.yaml")).unwrap();
    let report = zhongtong
        .replace("year: 2024", "year: 2023")
        .replace("fees: 0 ", "fees: 0.000001 ");
    assert!(report.contains("fees: 0.000001"), "fixture edit failed");
    fs::write(dir.join("2023.yaml"), &report).unwrap();
    // Another agency reports 2023 in the 2019 format (a warning, not an error).
    let old = site.path().join("content/laozhen");
    fs::create_dir_all(&old).unwrap();
    fs::write(
        old.join("agency.yaml"),
        "name: 测试老镇人民政府\ncategory: township\n",
    )
    .unwrap();
    let scaffold = commands::report_yaml(
        "测试老镇人民政府",
        2023,
        gongkai::model::Format::F2019,
        None,
    )
    .replacen("draft: true", "draft: false", 1);
    let licensing = scaffold
        .lines()
        .find(|l| l.trim_start().starts_with("licensing:"))
        .unwrap()
        .to_string();
    let scaffold = scaffold.replacen(&licensing, "  licensing: [5, -1, 7]", 1);
    fs::write(old.join("2023.yaml"), scaffold).unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    assert_eq!(summary_value(&out, 2023, "active.fees"), "5949.088668");
    // The 2021 licensing sum has only 2021-format reports; no 2019 rows appear.
    assert_eq!(summary_value(&out, 2023, "active.licensing"), "2629");
    assert_eq!(summary_value(&out, 2023, "active.licensing.decisions"), "7");
    assert_eq!(summary_value(&out, 2023, "active.licensing.change"), "-1");
}

#[test]
fn every_relative_link_resolves_to_a_file() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    let mut checked = 0;
    for (rel, bytes) in read_tree(&out) {
        if rel.extension().is_none_or(|e| e != "html") || rel == Path::new("404.html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=", "src="] {
            for piece in html.split(attr).skip(1) {
                let value: String = match piece.chars().next() {
                    Some(q @ ('"' | '\'')) => piece[1..].chars().take_while(|c| *c != q).collect(),
                    _ => piece
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect(),
                };
                if value.starts_with("http") || value.starts_with('#') {
                    continue;
                }
                assert!(
                    !value.starts_with('/'),
                    "{}: absolute link {value}",
                    rel.display()
                );
                let target = out.join(rel.parent().unwrap()).join(&value);
                assert!(
                    target.is_file(),
                    "{}: link {value} does not resolve to a file",
                    rel.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&repo(), &a).unwrap();
    build(&repo(), &b).unwrap();
    assert_eq!(read_tree(&a), read_tree(&b));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = demo_copy();
    let out = site.path().join("public");
    build(site.path(), &out).unwrap();
    let before = read_tree(&out);
    let file = site.path().join("content/pingtan/2023.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replacen("[80, 1, 0, 0, 0, 0, 81]", "[80, 1, 0, 0, 0, 0, 82]", 1),
    )
    .unwrap();
    let err = build(site.path(), &out).unwrap_err();
    assert!(matches!(err, gongkai::Error::Invalid(_)), "{err}");
    assert_eq!(read_tree(&out), before);
    // Nothing but the lock is left beside it (no staging or backup folder).
    let beside: Vec<String> = fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public."))
        .collect();
    assert_eq!(beside, [".public.gongkai-lock"]);
}

#[test]
fn dangerous_output_folders_are_refused() {
    let site = demo_copy();
    let root = site.path();
    for out in [
        root.to_path_buf(),
        root.parent().unwrap().to_path_buf(),
        root.join("content/out"),
    ] {
        let err = build(root, &out).unwrap_err();
        assert!(
            matches!(err, gongkai::Error::UnsafeOutput { .. }),
            "{}: {err}",
            out.display()
        );
    }
    // A folder gongkai did not create is never replaced.
    let foreign = root.join("mine");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let err = build(root, &foreign).unwrap_err();
    assert!(err.to_string().contains("not created by gongkai"), "{err}");
    assert_eq!(
        fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn prose_is_sanitised_and_never_evaluated() {
    let site = demo_copy();
    let md = site.path().join("content/zhongtongjie/2024.md");
    let text = fs::read_to_string(&md).unwrap();
    fs::write(
        &md,
        text.replacen(
            "## 六、其他需要报告的事项",
            "## 六、其他需要报告的事项\n\n<script>alert('x')</script>\n\n<img src=\"a.png\" onerror=\"alert(1)\">\n\n[点我](javascript:alert(2))\n\n模板 {{ site.title }} {% if true %}不求值{% endif %}\n",
            1,
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    let page = fs::read_to_string(out.join("2024/zhongtongjie/index.html")).unwrap();
    // The theme's own script is the only one.
    assert_eq!(page.matches("<script").count(), 1, "script survived");
    assert!(page.contains(r#"<script src="../../static/site.js"></script>"#));
    assert!(!page.contains("alert("), "script survived");
    assert!(!page.contains("onerror"), "handler survived");
    assert!(!page.contains("javascript:"), "javascript: URL survived");
    assert!(
        page.contains("{{ site.title }}"),
        "template syntax was evaluated"
    );
    assert!(page.contains("{% if true %}不求值{% endif %}"));
}

#[test]
fn drafts_are_left_out_of_pages_and_aggregates() {
    let site = demo_copy();
    let file = site.path().join("content/shuyang-fagaiju/2023.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, text.replacen("draft: false", "draft: true", 1)).unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    assert!(!out.join("2023/shuyang-fagaiju/index.html").exists());
    assert_eq!(summary_value(&out, 2023, "requests.new.total"), "81");
    let year = fs::read_to_string(out.join("2023/index.html")).unwrap();
    assert!(year.contains("未公开"), "the agency shows as missing");
}

#[test]
fn base_url_adds_sitemap_and_feed_and_minify_can_be_turned_off() {
    let site = demo_copy();
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        text.replacen(
            "output_dir",
            "base_url = \"https://www.example.gov.cn/gknb\"\nminify = false\noutput_dir",
            1,
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://www.example.gov.cn/gknb/2023/pingtan/index.html</loc>"));
    let feed = fs::read_to_string(out.join("feed.xml")).unwrap();
    // Only reports with a publication date, newest first.
    let pingtan = feed.find("平潭综合实验区2023年").unwrap();
    let shuyang = feed.find("沭阳县发展和改革局2023年").unwrap();
    assert!(pingtan < shuyang, "{feed}");
    assert_eq!(feed.matches("<entry>").count(), 2);
    let robots = fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://www.example.gov.cn/gknb/sitemap.xml"));
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"),
        "not minified"
    );
    let not_found = fs::read_to_string(out.join("404.html")).unwrap();
    assert!(not_found.contains("href=\"https://www.example.gov.cn/gknb/index.html\""));
}

#[test]
fn as_published_reports_list_their_inconsistencies() {
    let site = demo_copy();
    let file = site.path().join("content/pingtan/2023.yaml");
    let text = fs::read_to_string(&file).unwrap();
    let text = text
        .replacen("as_published: false", "as_published: true", 1)
        .replacen("[80, 1, 0, 0, 0, 0, 81]", "[80, 1, 0, 0, 0, 0, 82]", 1);
    fs::write(&file, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    let page = fs::read_to_string(out.join("2023/pingtan/index.html")).unwrap();
    assert!(page.contains("class=notice") || page.contains("class=\"notice\""));
    assert!(page.contains("一、本年新收政府信息公开申请数量 · 总计 is 82, but 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 = 80 + 1 + 0 + 0 + 0 + 0 = 81（R2）"), "notice missing");
    // The figure is shown as published.
    assert!(page.contains(">82<"));
}

#[test]
fn a_site_template_overrides_the_embedded_one_and_static_files_are_copied() {
    let site = demo_copy();
    let templates = site.path().join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>找不到了</p>{% endblock content %}",
    )
    .unwrap();
    fs::create_dir_all(site.path().join("static/img")).unwrap();
    fs::write(site.path().join("static/img/logo.svg"), "<svg/>").unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(site.path(), &out).unwrap();
    assert!(
        fs::read_to_string(out.join("404.html"))
            .unwrap()
            .contains("找不到了")
    );
    assert_eq!(
        fs::read_to_string(out.join("img/logo.svg")).unwrap(),
        "<svg/>"
    );
    // The other pages still come from the embedded theme.
    assert!(out.join("static/style.css").is_file());
}

#[test]
fn report_tables_have_the_official_shape() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    let page = fs::read_to_string(out.join("2023/pingtan/index.html")).unwrap();
    // 三: 25 rows × 7 columns of figures, the result stub merged over 22 rows,
    // （三）不予公开 over its 8 rows, the 勾稽关系 note over 3 header rows and columns.
    assert_eq!(page.matches("data-key=requests.").count(), 175);
    assert!(page.contains("<th rowspan=22 class=group id=q12 scope=row>三、本年度办理结果</th>"));
    assert!(page.contains("<th rowspan=8 class=group id=q15 scope=row>（三）不予公开</th>"));
    assert!(page.contains("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"));
    assert_eq!(page.matches("data-key=reviews.").count(), 15);
    assert_eq!(page.matches("data-key=active.").count(), 10);
    assert!(page.contains("data-key=active.fees>5949.088667<"));
    assert!(page.contains("data-key=requests.new.total>81<"));
    // 洪泽区 prints （六） as one row: 23 rows, the stub over 20.
    let hongze = fs::read_to_string(out.join("2024/hongzequ/index.html")).unwrap();
    assert_eq!(hongze.matches("data-key=requests.").count(), 161);
    assert!(hongze.contains("rowspan=20"));
    // 沭阳's blank cells stay blank.
    let shuyang = fs::read_to_string(out.join("2023/shuyang-fagaiju/index.html")).unwrap();
    assert!(shuyang.contains("data-key=requests.new.commercial></td>"));
    // …and are null in its data, in table order like every other cell.
    let json = fs::read_to_string(out.join("2023/shuyang-fagaiju/report.json")).unwrap();
    assert!(
        json.contains("\"requests.new.natural_person\":26,\"requests.new.commercial\":null,"),
        "{json}"
    );
}

/// Minification happens once per template, not per page: the pages must
/// still come out as small as minify-html would make them.
#[test]
fn pages_come_out_minified() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        ..minify_html::Cfg::default()
    };
    let mut pages = 0;
    for (path, bytes) in read_tree(&out) {
        if path.extension().is_some_and(|e| e == "html") {
            pages += 1;
            let again = minify_html::minify(&bytes, &cfg);
            // What is left: quotes around attributes that hold template
            // values, the odd space beside template tags, the newlines
            // pulldown-cmark puts between blocks of prose.
            assert!(
                again.len() * 100 >= bytes.len() * 95,
                "{}: {} bytes, minify-html makes {}",
                path.display(),
                bytes.len(),
                again.len()
            );
        }
    }
    assert!(pages >= 16, "{pages}");
}

#[test]
fn district_sums_past_64_bits_fail_the_build_with_a_message() {
    // Ten agencies each reporting fees just under the cell limit (10^12
    // 万元): each report is valid, their sum is past what a cell keeps.
    let site = common::base_site();
    let root = site.path();
    let yaml = fs::read_to_string(root.join("content/weibin/2024.yaml")).unwrap();
    let yaml = yaml.replace("fees: 123.45 ", "fees: 999999999999.5 ");
    for k in 0..10 {
        let dir = root.join(format!("content/big{k}"));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("agency.yaml"),
            format!("name: 大额机关{k}\ncategory: department\n"),
        )
        .unwrap();
        fs::write(dir.join("2024.yaml"), &yaml).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let err = build(root, &out.path().join("public")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the district sums of 2024 are too large to keep \
         (past 9.2×10^12 in one cell): look for figures typed with extra digits in the \
         reports of 2024"
    );
    assert!(!out.path().join("public").exists());
}

/// Every HTML page of a built folder, by relative path.
fn html_pages(out: &Path) -> Vec<(PathBuf, String)> {
    read_tree(out)
        .into_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

fn csp_meta(policy: &str) -> String {
    format!(r#"<meta http-equiv="Content-Security-Policy" content="{policy}">"#)
}

const STRICT: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'";

#[test]
fn every_page_carries_the_strict_policy_before_anything_it_governs() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build(&repo(), &out).unwrap();
    let pages = html_pages(&out);
    // The demo's pages, with the indicators' formulas page.
    assert_eq!(pages.len(), 18);
    for (path, page) in &pages {
        // The search page too: its client is a file of the site.
        let policy = STRICT.to_string();
        let head = format!(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset=utf-8>{}<meta"#,
            csp_meta(&policy)
        );
        assert!(
            page.starts_with(&head),
            "{}: {}",
            path.display(),
            &page[..300]
        );
        assert_eq!(
            page.matches("Content-Security-Policy").count(),
            1,
            "{}",
            path.display()
        );
        // Nothing the policy would refuse: no inline script or event
        // attribute, no style attribute or element (the charts' SVG
        // included); the theme's scripts are files of the site.
        assert_eq!(common::executable(page), None, "{}", path.display());
        let tags: Vec<&str> = page.split('<').skip(1).collect();
        for (i, tag) in tags.iter().enumerate() {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let attrs = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(!attrs.contains(" style="), "{}: <{attrs}>", path.display());
            assert_ne!(name, "style", "{}", path.display());
            if name == "script" {
                assert!(attrs.contains(" src="), "{}: <{attrs}>", path.display());
                assert!(
                    tag.ends_with('>') && tags[i + 1] == "/script>",
                    "{}: <{tag}",
                    path.display()
                );
            }
        }
    }
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("<svg class=chart") || home.contains("<svg class=\"chart\""),
        "the home page's chart"
    );
}

#[test]
fn csp_false_leaves_the_policy_out_and_a_sites_own_policy_replaces_it() {
    let site = demo_copy();
    let toml = fs::read_to_string(site.path().join("site.toml")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");

    common::set_site_option(site.path(), "csp = false");
    build(site.path(), &out).unwrap();
    for (path, page) in html_pages(&out) {
        assert!(
            !page.contains("Content-Security-Policy"),
            "{}",
            path.display()
        );
    }

    fs::write(site.path().join("site.toml"), &toml).unwrap();
    let own = "default-src 'self'; script-src 'self' https://tongji.example.gov.cn; img-src *";
    common::set_site_option(site.path(), &format!("csp = \"{own}\""));
    build(site.path(), &out).unwrap();
    let pages = html_pages(&out);
    assert!(pages.len() >= 16);
    for (path, page) in pages {
        // As written on every page, the search page too (nothing added).
        assert!(page.contains(&csp_meta(own)), "{}", path.display());
        assert_eq!(page.matches("Content-Security-Policy").count(), 1);
    }

    // csp = true is the strict policy.
    fs::write(site.path().join("site.toml"), &toml).unwrap();
    common::set_site_option(site.path(), "csp = true");
    build(site.path(), &out).unwrap();
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains(&csp_meta(STRICT)));
}

#[test]
fn a_policy_that_cannot_work_is_refused_at_its_line() {
    let site = demo_copy();
    let toml = fs::read_to_string(site.path().join("site.toml")).unwrap();
    let line = toml[..=toml.find("\n[").unwrap()].matches('\n').count() + 1;
    for (value, expected) in [
        (
            "3",
            format!(
                "error: site.toml:{line}:7: csp must be true, false or a policy string such as \"default-src 'self'\", not integer (config)"
            ),
        ),
        (
            "\"  \"",
            format!(
                "error: site.toml:{line}:7: csp is an empty policy: write csp = false to leave the policy out (config)"
            ),
        ),
        (
            "\"default-src 'self';\\nscript-src 'self'\"",
            format!(
                "error: site.toml:{line}:7: csp holds '\\n': a policy is printable ASCII on one line (directives separated by ';') (config)"
            ),
        ),
        (
            "\"default-src 'self'; frame-ancestors 'none'\"",
            format!(
                "warning: site.toml:{line}:7: csp: browsers ignore `frame-ancestors` in a policy given by a <meta> element; send it as a Content-Security-Policy header (see the README's server configurations) (config)"
            ),
        ),
    ] {
        fs::write(site.path().join("site.toml"), &toml).unwrap();
        common::set_site_option(site.path(), &format!("csp = {value}"));
        let loaded = commands::check(site.path());
        let lines: Vec<String> = common::lines(&loaded)
            .into_iter()
            .filter(|l| l.contains("site.toml"))
            .collect();
        assert_eq!(lines, [expected], "csp = {value}");
    }
}
