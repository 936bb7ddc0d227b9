//! Roll-up of roll-ups: three generated districts built, a city over their
//! `data/summary.json`, a province over the city and a fourth district.
//! Every figure at every level is compared with the sums of the reports
//! below it, computed here from their YAML (independently of gongkai), 二
//! per format. Then: late and missing reports named on the city's pages,
//! links to members at their `base_url`, each broken member refused with
//! a message naming it and nothing written, `--allow-missing-members`,
//! agencies and members in one site, `check`, and `serve` reloading when
//! a member's summary changes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common;
use crate::common::serve::{Served, save};
use crate::summary::{Read, actual, counts, expected, millionths, read_reports};

/// The built levels, shared by the tests that only read them.
struct Levels {
    dir: tempfile::TempDir,
}

impl Levels {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn generate(dir: &Path, seed: u64) {
    gongkai::generate::generate(
        dir,
        &gongkai::generate::Options {
            agencies: 4,
            years: 5,
            last_year: 2024,
            seed,
        },
    )
    .unwrap();
}

fn build(root: &Path) {
    let options = gongkai::pipeline::BuildOptions {
        sync: false,
        ..Default::default()
    };
    if let Err(e) = gongkai::pipeline::load_and_build(root, &options) {
        match e {
            gongkai::Error::Invalid(loaded) => panic!(
                "{} refused:\n{}",
                root.display(),
                common::lines(&loaded).join("\n")
            ),
            e => panic!("{}: {e}", root.display()),
        }
    }
}

fn member(key: &str, name: &str, summary: &str, base_url: Option<&str>) -> String {
    let mut out =
        format!("\n[[members]]\nkey = \"{key}\"\nname = \"{name}\"\nsummary = \"{summary}\"\n");
    if let Some(url) = base_url {
        out.push_str(&format!("base_url = \"{url}\"\n"));
    }
    out
}

fn roll_up(dir: &Path, title: &str, base_url: &str, members: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("site.toml"),
        format!("title = \"{title}\"\nbase_url = \"{base_url}\"\n{members}"),
    )
    .unwrap();
}

/// d1 has a missing report (a00002 2024 deleted) and a late one (a00003,
/// a 区直部门 due by 01-31, published 2025-06-30).
fn levels() -> &'static Levels {
    static LEVELS: OnceLock<Levels> = OnceLock::new();
    LEVELS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for (i, d) in ["d1", "d2", "d3", "d4"].iter().enumerate() {
            generate(&dir.path().join(d), i as u64 + 1);
        }
        let d1 = dir.path().join("d1/content");
        fs::remove_file(d1.join("a00002/2024.yaml")).unwrap();
        fs::remove_file(d1.join("a00002/2024.md")).unwrap();
        let late = d1.join("a00003/2024.yaml");
        let text = fs::read_to_string(&late).unwrap();
        let published = text
            .lines()
            .find(|l| l.starts_with("published: "))
            .unwrap()
            .to_string();
        fs::write(&late, text.replace(&published, "published: 2025-06-30")).unwrap();
        for d in ["d1", "d2", "d3", "d4"] {
            build(&dir.path().join(d));
        }
        let members = member(
            "d1",
            "甲区",
            "../d1/public/data/summary.json",
            Some("https://d1.example.gov.cn/gknb"),
        ) + &member("d2", "乙区", "../d2/public/data/summary.json", None)
            + &member("d3", "丙区", "../d3/public/data/summary.json", None);
        roll_up(
            &dir.path().join("city"),
            "示范市政府信息公开工作年度报告",
            "https://city.example.gov.cn/gknb/",
            &format!("area = \"全市\"\n{members}"),
        );
        build(&dir.path().join("city"));
        let members = member("city", "示范市", "../city/public/data/summary.json", None)
            + &member(
                "d4",
                "丁区",
                "../d4/public/data/summary.json",
                Some("https://d4.example.gov.cn/"),
            );
        roll_up(
            &dir.path().join("province"),
            "示范省政府信息公开工作年度报告",
            "https://province.example.gov.cn/",
            &format!("area = \"全省\"\n{members}"),
        );
        build(&dir.path().join("province"));
        Levels { dir }
    })
}

fn summary(site: &Path) -> Value {
    serde_json::from_slice(&fs::read(site.join("public/data/summary.json")).unwrap()).unwrap()
}

/// `<year>/summary.csv` as key → value.
fn summary_csv(site: &Path, year: i32) -> BTreeMap<String, i128> {
    let text = fs::read_to_string(site.join(format!("public/{year}/summary.csv"))).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let (key, rest) = l.split_once(',').unwrap();
            (
                key.to_string(),
                millionths(rest.rsplit(',').next().unwrap()),
            )
        })
        .collect()
}

/// Checks a level against the reports of the districts below it: every
/// cell of its summary.json (per year and category, 二 per format), every
/// status count, and every total of its year's summary.csv (row totals
/// from the summed cells, （七）总计 by R1, which the reports obey).
fn check_level(site: &Path, districts: &[&Path]) {
    let reports: Vec<Read> = districts.iter().flat_map(|d| read_reports(d)).collect();
    let below: Vec<Value> = districts.iter().map(|d| summary(d)).collect();
    let s = summary(site);
    assert_eq!(s["format"], 1);
    let years: Vec<i64> = s["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2020, 2021, 2022, 2023, 2024], "{}", site.display());
    for entry in s["years"].as_array().unwrap() {
        let year = entry["year"].as_i64().unwrap() as i32;
        let of_year: Vec<&Read> = reports.iter().filter(|r| r.year == year).collect();
        let want = expected(&of_year);
        assert_eq!(actual(entry), want, "{} {year}", site.display());
        // Both formats kept apart: 2020 is the 2019 format, later years 2021.
        let formats: Vec<&String> = want.active.keys().collect();
        assert_eq!(formats.len(), 1);
        assert_eq!(formats[0], if year == 2020 { "2019" } else { "2021" });
        assert_eq!(want.active[formats[0]].0, of_year.len());
        // The counts are the districts' counts added.
        let mut summed = [0u64; 4];
        for b in &below {
            let y = b["years"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["year"] == entry["year"])
                .unwrap();
            for (s, c) in summed.iter_mut().zip(counts(y)) {
                *s += c;
            }
        }
        assert_eq!(counts(entry), summed, "{} {year}", site.display());
        assert_eq!(counts(entry)[1] as usize, of_year.len());
        for c in entry["categories"].as_array().unwrap() {
            let key = c["key"].as_str().unwrap();
            let of: Vec<&Read> = of_year
                .iter()
                .copied()
                .filter(|r| r.category == key)
                .collect();
            let got = actual(c);
            if of.is_empty() {
                assert!(got.cells.values().all(|v| *v == 0), "{year} {key}");
            } else {
                assert_eq!(got, expected(&of), "{} {year} {key}", site.display());
            }
        }
        // Every total of the year's tables.
        let csv = summary_csv(site, year);
        for (key, value) in &want.cells {
            assert_eq!(csv[key], *value, "{} {year} {key}", site.display());
        }
        for (key, value) in &csv {
            let Some(row) = key.strip_suffix(".total") else {
                continue;
            };
            if row.starts_with("requests.total") {
                continue;
            }
            let of_row: i128 = want
                .cells
                .iter()
                .filter(|(k, _)| k.rsplit_once('.').unwrap().0 == row)
                .map(|(_, v)| v)
                .sum();
            assert_eq!(*value, of_row, "{} {year} {key}", site.display());
        }
        for column in ["natural_person", "commercial", "other", "total"] {
            let v = |row: &str| csv[&format!("requests.{row}.{column}")];
            assert_eq!(
                v("total"),
                v("new") + v("carried_over") - v("carried_forward"),
                "{} {year} （七）总计 · {column}",
                site.display()
            );
        }
    }
}

#[test]
fn every_total_at_every_level_equals_the_reports_below_it() {
    let l = levels();
    let (d1, d2, d3, d4) = (l.path("d1"), l.path("d2"), l.path("d3"), l.path("d4"));
    check_level(&l.path("city"), &[&d1, &d2, &d3]);
    check_level(&l.path("province"), &[&d1, &d2, &d3, &d4]);
    // The province lists the city exactly as the city lists districts.
    let province = summary(&l.path("province"));
    assert_eq!(province["title"], "示范省政府信息公开工作年度报告");
    assert_eq!(province["base_url"], "https://province.example.gov.cn/");
}

fn page(site: &Path, path: &str) -> String {
    fs::read_to_string(site.join("public").join(path)).unwrap()
}

#[test]
fn late_and_missing_reports_show_at_the_city_year_page_with_the_member_named() {
    let l = levels();
    let city = l.path("city");
    let year = page(&city, "2024/index.html");
    // 甲区: 4 expected, 3 published, 1 late, 1 missing.
    assert!(
        year.contains("<tr class=status-missing><th scope=row><a href=https://d1.example.gov.cn/gknb/2024/index.html>甲区</a></th><td class=num>3／4</td><td class=num>1</td><td class=num>1</td>"),
        "{year}"
    );
    assert!(
        year.contains("<tr class=status-on-time><th scope=row><a href=https://www.example.gov.cn/gknb/2024/index.html>乙区</a></th><td class=num>4／4</td><td class=num>0</td><td class=num>0</td>"),
        "{year}"
    );
    assert!(
        year.contains("应公开 12 份，已公开 11 份，其中逾期 1 份，未公开 1 份。"),
        "{year}"
    );
    let home = page(&city, "index.html");
    assert!(
        home.contains("<li>甲区：未公开 1 份，逾期公开 1 份</li>"),
        "{home}"
    );
    // Each level names its own area (`area` in site.toml; a district's
    // default is 全区).
    assert!(year.contains("2024年度全市汇总（"), "{year}");
    assert!(
        year.contains("<caption>全市汇总 · 收到和处理政府信息公开申请情况</caption>"),
        "{year}"
    );
    assert!(!year.contains("全区"), "{year}");
    assert!(home.contains("年度全市情况</h2>"), "{home}");
    let district = page(&l.path("d1"), "2024/index.html");
    assert!(
        district.contains("<caption>全区汇总 · 收到和处理政府信息公开申请情况</caption>"),
        "{district}"
    );
    let csv = page(&city, "2024/members.csv");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "\u{feff}key,name,url,expected,published,late,missing,new,closed,carried_forward,reviews,litigation"
    );
    assert!(
        rows[1].starts_with("d1,甲区,https://d1.example.gov.cn/gknb/2024/index.html,4,3,1,1,"),
        "{csv}"
    );
    assert_eq!(rows.len(), 4);
    // The province counts them too, under the city.
    let province = page(&l.path("province"), "2024/index.html");
    assert!(province.contains("2024年度全省汇总（"), "{province}");
    assert!(
        province.contains("<a href=https://city.example.gov.cn/gknb/2024/index.html>示范市</a></th><td class=num>11／12</td><td class=num>1</td><td class=num>1</td>"),
        "{province}"
    );
}

/// Every absolute link of a page.
fn absolute_links(html: &str) -> Vec<String> {
    html.split("href=")
        .skip(1)
        .map(|rest| {
            let rest = rest.trim_start_matches('"');
            rest.split(['"', '>', ' ']).next().unwrap().to_string()
        })
        .filter(|h| h.starts_with("http://") || h.starts_with("https://"))
        .collect()
}

#[test]
fn links_to_members_resolve_to_their_base_url_and_all_else_stays_relative() {
    let l = levels();
    let city = l.path("city");
    for year in 2020..=2024 {
        assert_eq!(
            absolute_links(&page(&city, &format!("{year}/index.html"))),
            [
                format!("https://d1.example.gov.cn/gknb/{year}/index.html"),
                // d2 and d3 have no base_url in site.toml: their summary's.
                format!("https://www.example.gov.cn/gknb/{year}/index.html"),
                format!("https://www.example.gov.cn/gknb/{year}/index.html"),
            ]
        );
    }
    assert_eq!(
        absolute_links(&page(&city, "index.html")),
        [
            "https://d1.example.gov.cn/gknb/",
            "https://www.example.gov.cn/gknb/",
            "https://www.example.gov.cn/gknb/",
        ]
    );
    assert_eq!(
        absolute_links(&page(&l.path("province"), "2024/index.html")),
        [
            "https://city.example.gov.cn/gknb/2024/index.html",
            "https://d4.example.gov.cn/2024/index.html",
        ]
    );
}

/// A city over one member whose summary is `summary` (written into the
/// city's folder), or at `path` when given.
fn city_over(summary: Option<&[u8]>, path: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(bytes) = summary {
        fs::create_dir_all(dir.path().join("members")).unwrap();
        fs::write(dir.path().join(path), bytes).unwrap();
    }
    roll_up(
        dir.path(),
        "示范市",
        "https://city.example.gov.cn/",
        &member("weibin", "卫滨区", path, None),
    );
    dir
}

/// The one diagnostic of a refused build, and that nothing was written.
fn refused(site: &Path) -> String {
    let options = gongkai::pipeline::BuildOptions {
        sync: false,
        ..Default::default()
    };
    let lines = match gongkai::pipeline::load_and_build(site, &options) {
        Err(gongkai::Error::Invalid(loaded)) => common::lines(&loaded),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("built"),
    };
    assert!(!site.join("public").exists(), "nothing written");
    let mut entries: Vec<String> = fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    entries.sort();
    assert!(
        entries.iter().all(|e| e == "site.toml" || e == "members"),
        "{entries:?}"
    );
    let errors = lines.iter().filter(|l| !l.starts_with("  help: ")).count();
    assert_eq!(errors, 1, "{lines:?}");
    lines.join("\n")
}

fn d2_summary() -> String {
    fs::read_to_string(levels().path("d2/public/data/summary.json")).unwrap()
}

#[test]
fn a_member_with_a_broken_sum_is_refused_naming_it() {
    let text = d2_summary();
    let summary: Value = serde_json::from_str(&text).unwrap();
    let last = summary["years"].as_array().unwrap().len() - 1;
    let was = summary["years"][last]["cells"]["requests.new.natural_person"]
        .as_str()
        .unwrap()
        .to_string();
    let mut broken = summary.clone();
    let plus = (was.parse::<i64>().unwrap() + 1).to_string();
    broken["years"][last]["cells"]["requests.new.natural_person"] = Value::String(plus.clone());
    let site = city_over(
        Some(&serde_json::to_vec_pretty(&broken).unwrap()),
        "members/weibin.json",
    );
    let line = refused(site.path());
    let carried: i64 = summary["years"][last]["cells"]["requests.carried_over.natural_person"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let left = plus.parse::<i64>().unwrap() + carried;
    assert!(
        line.starts_with(&format!(
            "error: site.toml:4:1: member `weibin` (members/weibin.json): 2024: R1 fails on the sums: 自然人: 一、本年新收 {plus} + 二、上年结转 {carried} = {left}, but 三（七）总计 "
        )),
        "{line}"
    );
    assert!(line.ends_with("(member)"), "{line}");
}

#[test]
fn a_member_with_an_unknown_format_is_refused_naming_it() {
    let text = d2_summary().replacen("\"format\": 1,", "\"format\": 2,", 1);
    let site = city_over(Some(text.as_bytes()), "members/weibin.json");
    assert_eq!(
        refused(site.path()),
        "error: site.toml:4:1: member `weibin` (members/weibin.json): unknown summary format 2: this gongkai reads format 1 (member)"
    );
}

#[test]
fn a_member_with_malformed_json_is_refused_naming_it() {
    let text = d2_summary();
    let site = city_over(Some(&text.as_bytes()[..200]), "members/weibin.json");
    let line = refused(site.path());
    assert!(
        line.starts_with(
            "error: site.toml:4:1: member `weibin` (members/weibin.json): malformed JSON: EOF while parsing"
        ),
        "{line}"
    );
    // Even with --allow-missing-members: a summary that is there but wrong
    // is an error.
    let options = gongkai::pipeline::BuildOptions {
        sync: false,
        load: gongkai::load::LoadOptions {
            allow_missing_members: true,
        },
        ..Default::default()
    };
    assert!(matches!(
        gongkai::pipeline::load_and_build(site.path(), &options),
        Err(gongkai::Error::Invalid(_))
    ));
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_member_whose_file_is_missing_is_refused_naming_it() {
    let site = city_over(None, "../weibin/public/data/summary.json");
    let line = refused(site.path());
    assert_eq!(
        line,
        "error: site.toml:4:1: member `weibin` (../weibin/public/data/summary.json): cannot read it: No such file or directory (os error 2) (member)\n  help: build with --allow-missing-members to publish without it (the pages then say so)"
    );
}

#[test]
fn a_member_at_a_refusing_url_is_refused_naming_it() {
    // A port that was free a moment ago: the connection is refused.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/data/summary.json");
    let site = city_over(None, &url);
    let line = refused(site.path());
    assert!(
        line.starts_with(&format!(
            "error: site.toml:4:1: member `weibin` ({url}): cannot fetch it: "
        )),
        "{line}"
    );
    assert!(line.to_lowercase().contains("refused"), "{line}");
}

#[test]
fn a_member_at_a_url_answering_500_is_refused_and_one_answering_200_is_used() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let body = d2_summary();
    let handle = std::thread::spawn(move || {
        // The first request fails, the second gets the summary.
        for (i, request) in server.incoming_requests().take(2).enumerate() {
            let response = if i == 0 {
                tiny_http::Response::from_string("busy").with_status_code(500)
            } else {
                tiny_http::Response::from_string(body.clone())
            };
            request.respond(response).unwrap();
        }
    });
    let url = format!("http://127.0.0.1:{port}/data/summary.json");
    let site = city_over(None, &url);
    assert_eq!(
        refused(site.path()),
        format!(
            "error: site.toml:4:1: member `weibin` ({url}): cannot fetch it: http status: 500 (member)\n  help: build with --allow-missing-members to publish without it (the pages then say so)"
        )
    );
    build(site.path());
    handle.join().unwrap();
    assert_eq!(
        summary(site.path())["years"][4]["cells"],
        summary(&levels().path("d2"))["years"][4]["cells"]
    );
}

#[test]
fn allow_missing_members_builds_without_it_and_says_so_on_the_pages() {
    let l = levels();
    let dir = tempfile::tempdir().unwrap();
    let members = member(
        "d2",
        "乙区",
        &l.path("d2/public/data/summary.json").display().to_string(),
        None,
    ) + &member("gone", "已撤销区", "../gone/data/summary.json", None);
    roll_up(
        dir.path(),
        "示范市",
        "https://city.example.gov.cn/",
        &members,
    );
    let out = common::gongkai_in(
        dir.path(),
        &["build", "--no-sync", "--allow-missing-members"],
    );
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("member `gone` (../gone/data/summary.json): cannot read it: No such file or directory (os error 2); left out of the totals"),
        "{stderr}"
    );
    assert!(stderr.contains("(1 warning(s))"), "{stderr}");
    for p in ["index.html", "2024/index.html", "agencies/index.html"] {
        let html = page(dir.path(), p);
        assert!(
            html.contains("以下下级单位的汇总数据未能读取，未计入本站各项合计：</p><ul><li>已撤销区（cannot read it: No such file or directory (os error 2)）</li></ul>"),
            "{p}: {html}"
        );
    }
    // The totals are d2's alone.
    check_level(dir.path(), &[&l.path("d2")]);
    // Without the flag: refused.
    let out = common::gongkai_in(dir.path(), &["check"]);
    assert!(!out.status.success());
    let out = common::gongkai_in(dir.path(), &["check", "--allow-missing-members"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

#[test]
fn check_validates_the_members_summaries() {
    let text = d2_summary().replacen("\"format\": 1,", "\"format\": 7,", 1);
    let site = city_over(Some(text.as_bytes()), "members/weibin.json");
    let out = common::gongkai_in(site.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains("member `weibin` (members/weibin.json): unknown summary format 7"),
        "{stderr}"
    );
}

#[test]
fn a_site_with_agencies_and_members_totals_both_and_shows_both() {
    let l = levels();
    let site = common::base_site();
    let toml = site.path().join("site.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    for (key, name) in [("d2", "乙区"), ("d3", "丙区")] {
        let path = l.path(key).join("public/data/summary.json");
        text.push_str(&member(key, name, &path.display().to_string(), None));
    }
    fs::write(&toml, text).unwrap();
    build(site.path());
    let s = summary(site.path());
    let own = read_reports(site.path());
    let below: Vec<Read> = [l.path("d2"), l.path("d3")]
        .iter()
        .flat_map(|d| read_reports(d))
        .collect();
    for entry in s["years"].as_array().unwrap() {
        let year = entry["year"].as_i64().unwrap() as i32;
        let all: Vec<&Read> = own
            .iter()
            .chain(&below)
            .filter(|r| r.year == year)
            .collect();
        assert_eq!(actual(entry), expected(&all), "{year}");
    }
    let years: Vec<i64> = s["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2020, 2021, 2022, 2023, 2024]);
    let year = page(site.path(), "2024/index.html");
    // Both lists: the members' table and the agencies' (卫滨区人民政府).
    assert!(year.contains("<h2>下级单位</h2>"), "{year}");
    assert!(year.contains(">乙区</a>"), "{year}");
    assert!(year.contains("卫滨区人民政府"), "{year}");
    // The base site's 2024: 3 expected, 2 published, 1 missing; plus 8.
    assert!(
        year.contains("应公开 11 份，已公开 10 份，未公开 1 份。"),
        "{year}"
    );
    let home = page(site.path(), "index.html");
    assert!(home.contains("<h2>下级单位</h2>"), "{home}");
    assert!(home.contains("<h2>机构</h2>"), "{home}");
}

#[test]
fn a_members_key_may_not_be_an_agencys() {
    let l = levels();
    let site = common::base_site();
    let toml = site.path().join("site.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    let path = l.path("d2").join("public/data/summary.json");
    text.push_str(&member("weibin", "乙区", &path.display().to_string(), None));
    fs::write(&toml, text).unwrap();
    let loaded = gongkai::load(site.path());
    let lines = common::lines(&loaded);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("member `weibin` (")
                && l.contains("its key is also an agency's folder")),
        "{lines:?}"
    );
}

/// `summary` (a member's data/summary.json) with one more request received
/// (and carried forward) in its last year, in the year and in its first
/// category with reports, so that it still adds up.
fn one_more_request(summary: &str) -> Value {
    let mut s: Value = serde_json::from_str(summary).unwrap();
    let last = s["years"].as_array().unwrap().len() - 1;
    for key in [
        "requests.new.natural_person",
        "requests.carried_forward.natural_person",
    ] {
        let v: i64 = s["years"][last]["cells"][key]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        s["years"][last]["cells"][key] = Value::String((v + 1).to_string());
    }
    let cats = s["years"][last]["categories"].as_array_mut().unwrap();
    let c = cats
        .iter_mut()
        .find(|c| c["reports"]["published"].as_u64().unwrap() > 0)
        .unwrap();
    for key in [
        "requests.new.natural_person",
        "requests.carried_forward.natural_person",
    ] {
        let v: i64 = c["cells"][key].as_str().unwrap().parse().unwrap();
        c["cells"][key] = Value::String((v + 1).to_string());
    }
    s
}

#[test]
fn serve_reloads_when_a_members_summary_changes() {
    let l = levels();
    let dir = tempfile::tempdir().unwrap();
    let member_dir = dir.path().join("d2");
    fs::create_dir_all(&member_dir).unwrap();
    let summary_path = member_dir.join("summary.json");
    fs::write(&summary_path, d2_summary()).unwrap();
    let city = dir.path().join("city");
    roll_up(
        &city,
        "示范市",
        "https://city.example.gov.cn/",
        &member("d2", "乙区", "../d2/summary.json", None),
    );
    let served = Served::start(&city, &[]);
    let events = served.events();
    let first = events.first();
    let before = served.get("/2024/members.csv").text();
    assert!(before.contains("d2,乙区,"), "{before}");
    let was = summary_csv(&l.path("d2"), 2024)["requests.new.total"] / 1_000_000;
    let row = |new: i128| {
        format!(
            ">乙区</a></th><td class=num>4／4</td><td class=num>0</td><td class=num>0</td><td class=num>{new}</td>"
        )
    };
    let page = served.get("/2024/index.html").text();
    assert!(page.contains(&row(was)), "{page}");
    // The member publishes again with one more request received in 2024.
    let s = one_more_request(&d2_summary());
    save(&summary_path, &serde_json::to_string_pretty(&s).unwrap());
    let generation = |v: &Value| v["generation"].as_u64().unwrap_or(0);
    events.until("a new generation", |v| generation(v) > generation(&first));
    let after = served.get("/2024/summary.csv").text();
    assert_eq!(new_total(&after), (was + 1) * 1_000_000);
    // The pages too (serve's page cache knows the member changed).
    let page = served.get("/2024/index.html").text();
    assert!(page.contains(&row(was + 1)), "{page}");
}

#[test]
fn a_negative_2019_change_is_read_and_a_negative_count_refused() {
    // 本年增/减 of the 2019 format may be negative, in a report and so in
    // a sum; a count may not.
    let mut s: Value = serde_json::from_str(&d2_summary()).unwrap();
    let y = &mut s["years"][0];
    assert_eq!(y["year"], 2020);
    let key = "active.licensing.change";
    let shift = |entry: &mut Value| {
        let cell = &mut entry["active"][0]["cells"][key];
        let v: i64 = cell.as_str().unwrap().parse().unwrap();
        *cell = Value::String((v - 1000).to_string());
    };
    shift(y);
    let c = y["categories"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["reports"]["published"].as_u64().unwrap() > 0)
        .unwrap();
    shift(c);
    let bytes = serde_json::to_vec_pretty(&s).unwrap();
    let site = city_over(Some(&bytes), "members/weibin.json");
    build(site.path());
    let got = summary(site.path());
    assert_eq!(
        got["years"][0]["active"][0]["cells"][key],
        s["years"][0]["active"][0]["cells"][key]
    );
    assert!(
        got["years"][0]["active"][0]["cells"][key]
            .as_str()
            .unwrap()
            .starts_with('-')
    );
    let text = String::from_utf8(bytes).unwrap().replacen(
        "\"reviews.review.upheld\": \"",
        "\"reviews.review.upheld\": \"-1",
        1,
    );
    let site = city_over(Some(text.as_bytes()), "members/weibin.json");
    let line = refused(site.path());
    assert!(
        line.contains("member `weibin` (members/weibin.json): 2020: category `")
            && line.contains("`reviews.review.upheld` is -1"),
        "{line}"
    );
    assert!(
        line.contains(": a sum is never negative (member)"),
        "{line}"
    );
}

/// 一、本年新收 · 总计 of a `summary.csv`, in millionths.
fn new_total(csv: &str) -> i128 {
    let cell = csv
        .lines()
        .find(|l| l.starts_with("requests.new.total,"))
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap();
    millionths(cell)
}

/// 一、本年新收 · 总计 of `year` as `serve` serves it (`<year>/summary.csv`).
fn served_new_total(preview: &gongkai::serve::Preview, year: i32) -> i128 {
    let file = crate::incremental::served(preview)[&format!("{year}/summary.csv")].clone();
    new_total(&String::from_utf8(file).unwrap())
}

#[test]
fn serve_fetches_a_url_member_once_and_again_when_site_toml_is_saved() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let handle = {
        let (server, requests, body) = (server.clone(), requests.clone(), d2_summary());
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                requests.fetch_add(1, Ordering::SeqCst);
                request
                    .respond(tiny_http::Response::from_string(body.clone()))
                    .unwrap();
            }
        })
    };
    let url = format!("http://127.0.0.1:{port}/data/summary.json");
    let site = city_over(None, &url);
    let root = site.path();
    let mut preview = gongkai::serve::Preview::new(root, crate::incremental::formatter());
    let was = summary_csv(&levels().path("d2"), 2024)["requests.new.total"];
    preview.rebuild(&[]);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    assert_eq!(served_new_total(&preview, 2024), was);
    // Saves in content/ and static/: the member is not fetched again.
    fs::create_dir_all(root.join("static")).unwrap();
    for (i, saved) in [
        "static/site.css",
        "content/weinan/2024.yaml",
        "static/site.css",
    ]
    .iter()
    .enumerate()
    {
        fs::write(root.join("static/site.css"), format!("/* {i} */")).unwrap();
        preview.rebuild(&[root.join(saved)]);
        assert_eq!(preview.snapshot.errors, None);
        assert_eq!(requests.load(Ordering::SeqCst), 1, "after {saved}");
        assert_eq!(served_new_total(&preview, 2024), was);
    }
    // site.toml saved (even unchanged): fetched again.
    preview.rebuild(&[root.join("site.toml")]);
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    assert_eq!(served_new_total(&preview, 2024), was);
    server.unblock();
    handle.join().unwrap();
}

#[test]
fn serve_reads_a_path_member_again_only_when_its_file_changed() {
    let path = "members/weibin.json";
    // The same summary with one more request, padded to the same size.
    let (mut before, mut after) = (
        d2_summary(),
        serde_json::to_string_pretty(&one_more_request(&d2_summary())).unwrap(),
    );
    let size = before.len().max(after.len());
    for text in [&mut before, &mut after] {
        text.push_str(&" ".repeat(size - text.len()));
    }
    let site = city_over(Some(before.as_bytes()), path);
    let root = site.path();
    let file = root.join(path);
    let mut preview = gongkai::serve::Preview::new(root, crate::incremental::formatter());
    preview.rebuild(&[]);
    let was = served_new_total(&preview, 2024);
    assert_eq!(
        was,
        summary_csv(&levels().path("d2"), 2024)["requests.new.total"]
    );
    let set_time = |time: std::time::SystemTime| {
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(time)
            .unwrap();
    };
    let time = fs::metadata(&file).unwrap().modified().unwrap();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/site.css"), "/* */").unwrap();
    // Rewritten with the same size and modification time, and not named
    // by the watcher: the summary read before is kept.
    fs::write(&file, &after).unwrap();
    set_time(time);
    preview.rebuild(&[root.join("static/site.css")]);
    assert_eq!(served_new_total(&preview, 2024), was);
    // Named by the watcher (absolute, its folder canonical): read again.
    let named = root
        .join("members")
        .canonicalize()
        .unwrap()
        .join("weibin.json");
    preview.rebuild(&[named]);
    assert_eq!(served_new_total(&preview, 2024), was + 1_000_000);
    // Changed on disk (a later modification time) while the watcher
    // names only another file: read again.
    fs::write(&file, &before).unwrap();
    set_time(time + std::time::Duration::from_secs(10));
    preview.rebuild(&[root.join("static/site.css")]);
    assert_eq!(served_new_total(&preview, 2024), was);
}
