//! `data/summary.json` (format 1): every figure a parent site rolls up
//! equals the sum of the fixture's reports computed here, independently of
//! gongkai (from the YAML text itself), with section 二 kept apart per
//! format; the status counts, categories and indicator terms; the same
//! bytes on every build; and the same file from `serve`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common;
use crate::common::serve::Served;

/// A decimal of a data file as millionths (exact; `356.75`, `-2`).
pub(crate) fn millionths(text: &str) -> i128 {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    assert!(frac.len() <= 6, "{text}");
    let value =
        int.parse::<i128>().unwrap() * 1_000_000 + format!("{frac:0<6}").parse::<i128>().unwrap();
    if negative { -value } else { value }
}

/// One report read from its YAML text: its format, its category and its
/// cells by row key (the printed values, 总计 included).
pub(crate) struct Read {
    agency: String,
    pub(crate) year: i32,
    format: String,
    pub(crate) category: String,
    rows: BTreeMap<String, Vec<i128>>,
}

/// Reads the reports of a site's `content/` line by line: section keys at
/// the margin, rows (or groups of rows) indented below them.
pub(crate) fn read_reports(site: &Path) -> Vec<Read> {
    let mut out = Vec::new();
    for agency in fs::read_dir(site.join("content")).unwrap() {
        let dir = agency.unwrap().path();
        let slug = dir.file_name().unwrap().to_string_lossy().to_string();
        let meta = fs::read_to_string(dir.join("agency.yaml")).unwrap();
        let category = meta
            .lines()
            .find_map(|l| l.strip_prefix("category: "))
            .unwrap()
            .trim()
            .to_string();
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let Some(year) = name.strip_suffix(".yaml").and_then(|y| y.parse().ok()) else {
                continue;
            };
            let text = fs::read_to_string(&path).unwrap();
            let mut read = Read {
                agency: slug.clone(),
                year,
                format: String::new(),
                category: category.clone(),
                rows: BTreeMap::new(),
            };
            let (mut section, mut group) = (String::new(), String::new());
            for line in text.lines() {
                let line = line.split('#').next().unwrap().trim_end();
                let Some((key, value)) = line.split_once(':') else {
                    continue;
                };
                let indent = key.len() - key.trim_start().len();
                let (key, value) = (key.trim(), value.trim());
                match indent {
                    0 if value.is_empty() => section = key.to_string(),
                    0 if key == "format" => read.format = value.to_string(),
                    0 => assert!(key != "draft" || value == "false", "{name}"),
                    2 if value.is_empty() => group = key.to_string(),
                    _ => {
                        let row = if indent == 2 {
                            format!("{section}.{key}")
                        } else {
                            format!("{section}.{group}.{key}")
                        };
                        let values = value
                            .trim_matches(|c| c == '[' || c == ']')
                            .split(',')
                            .map(|v| millionths(v.trim()))
                            .collect();
                        read.rows.insert(row, values);
                    }
                }
            }
            out.push(read);
        }
    }
    out
}

const REQUEST_COLUMNS: [&str; 6] = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other",
];
const REVIEW_COLUMNS: [&str; 4] = ["upheld", "corrected", "other_result", "pending"];

/// The column keys of a section-二 row, as the contract names them.
fn active_columns(format: &str, row: &str) -> Vec<&'static str> {
    match (format, row) {
        ("2021", "active.regulations" | "active.normative_documents") => {
            vec!["issued", "repealed", "in_force"]
        }
        ("2021", _) => vec![""],
        ("2019", "active.regulations" | "active.normative_documents") => {
            vec!["made", "published", "total_published"]
        }
        ("2019", "active.fees") => vec!["previous", "change"],
        ("2019", "active.procurement") => vec!["items", "amount"],
        ("2019", _) => vec!["previous", "change", "decisions"],
        _ => panic!("format {format}"),
    }
}

fn cell_key(row: &str, column: &str) -> String {
    if column.is_empty() {
        row.to_string()
    } else {
        format!("{row}.{column}")
    }
}

/// What the summary must hold for a set of reports: section 二 by format
/// (with how many reports), and the non-total cells of 三 and 四 (the
/// three （六） rows folded into one when any report printed one).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Expected {
    pub(crate) active: BTreeMap<String, (usize, BTreeMap<String, i128>)>,
    pub(crate) cells: BTreeMap<String, i128>,
}

pub(crate) fn expected(reports: &[&Read]) -> Expected {
    let single = reports
        .iter()
        .any(|r| r.rows.contains_key("requests.other"));
    let mut out = Expected::default();
    for r in reports {
        let (count, active) = out.active.entry(r.format.clone()).or_default();
        *count += 1;
        for (row, values) in &r.rows {
            if row.starts_with("active.") {
                for (column, v) in active_columns(&r.format, row).iter().zip(values) {
                    *active.entry(cell_key(row, column)).or_default() += v;
                }
                continue;
            }
            if row == "requests.total" {
                continue;
            }
            let columns: &[&str] = if row.starts_with("requests.") {
                &REQUEST_COLUMNS
            } else {
                &REVIEW_COLUMNS
            };
            let row = if single && row.starts_with("requests.other.") {
                "requests.other"
            } else {
                row.as_str()
            };
            // The last value is 总计: left out.
            for (column, v) in columns.iter().zip(values) {
                *out.cells.entry(cell_key(row, column)).or_default() += v;
            }
        }
    }
    out
}

/// The same, read from a year's (or a category's) entry of the summary.
pub(crate) fn actual(entry: &Value) -> Expected {
    let cells = |v: &Value| -> BTreeMap<String, i128> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), millionths(v.as_str().expect("a string"))))
            .collect()
    };
    Expected {
        active: entry["active"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["format"].to_string(),
                    (a["reports"].as_u64().unwrap() as usize, cells(&a["cells"])),
                )
            })
            .collect(),
        cells: cells(&entry["cells"]),
    }
}

/// The base site with the 卫滨区人民政府 2024 report published after its
/// category's deadline (03-31): late. 区发改委 (reports since 2020) has
/// none for 2023 and 2024: missing.
fn site_with_late_report() -> tempfile::TempDir {
    let site = common::base_site();
    let path = site.path().join("content/weibin/2024.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("published: 2025-03-28", "published: 2025-04-02"),
    )
    .unwrap();
    site
}

fn build(site: &Path) -> (tempfile::TempDir, Vec<u8>) {
    let out = tempfile::tempdir().unwrap();
    gongkai::commands::build(site, Some(out.path().join("public"))).unwrap();
    let bytes = fs::read(out.path().join("public/data/summary.json")).unwrap();
    (out, bytes)
}

pub(crate) fn counts(entry: &Value) -> [u64; 4] {
    ["expected", "published", "late", "missing"].map(|k| entry["reports"][k].as_u64().unwrap())
}

#[test]
fn every_sum_equals_the_reports_summed_independently() {
    let site = site_with_late_report();
    let (_out, bytes) = build(site.path());
    let summary: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(summary["format"], 1);
    assert_eq!(summary["title"], "卫滨区政府信息公开工作年度报告");
    assert_eq!(summary["base_url"], "https://www.example.gov.cn/gknb/");
    let reports = read_reports(site.path());
    let years: Vec<i64> = summary["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2020, 2023, 2024]);
    let categories = ["government", "department", "street", "township"];
    for entry in summary["years"].as_array().unwrap() {
        let year = entry["year"].as_i64().unwrap() as i32;
        let of_year: Vec<&Read> = reports.iter().filter(|r| r.year == year).collect();
        let want = expected(&of_year);
        assert!(!want.cells.is_empty());
        assert_eq!(actual(entry), want, "{year}");
        let keys: Vec<&str> = entry["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap())
            .collect();
        assert_eq!(
            keys, categories,
            "{year}: every category of site.toml, in order"
        );
        for c in entry["categories"].as_array().unwrap() {
            let key = c["key"].as_str().unwrap();
            let of: Vec<&Read> = of_year
                .iter()
                .copied()
                .filter(|r| r.category == key)
                .collect();
            if of.is_empty() {
                // No report: zero sums, and no section 二.
                let got = actual(c);
                assert!(got.active.is_empty(), "{year} {key}");
                assert!(got.cells.contains_key("requests.new.natural_person"));
                assert!(got.cells.values().all(|v| *v == 0), "{year} {key}");
                continue;
            }
            let want = expected(&of);
            assert_eq!(actual(c), want, "{year} {key}");
        }
    }
    // Both formats kept apart: 2020 is the 2019 format only.
    let y2020 = &summary["years"][0];
    assert_eq!(y2020["active"][0]["format"], 2019);
    assert_eq!(
        y2020["active"][0]["cells"]["active.procurement.amount"],
        "356.75"
    );
    assert_eq!(y2020["active"][0]["cells"]["active.licensing.change"], "-2");
    assert_eq!(y2020["active"].as_array().unwrap().len(), 1);
    // Totals are derived by the reader, never summed: none is written.
    assert!(!String::from_utf8_lossy(&bytes).contains(".total\""));
    assert!(!String::from_utf8_lossy(&bytes).contains("requests.total."));
}

#[test]
fn late_and_missing_reports_are_counted_per_year_and_category() {
    let site = site_with_late_report();
    let (_out, bytes) = build(site.path());
    let summary: Value = serde_json::from_slice(&bytes).unwrap();
    let year = |y: i64| {
        summary["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["year"] == y)
            .unwrap()
            .clone()
    };
    let category = |e: &Value, key: &str| {
        e["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .unwrap()
            .clone()
    };
    // [expected, published, late, missing]
    assert_eq!(counts(&year(2020)), [1, 1, 0, 0]);
    // 卫滨区人民政府 reports from 2024 only: not expected in 2023.
    assert_eq!(counts(&year(2023)), [2, 1, 0, 1]);
    let y2024 = year(2024);
    assert_eq!(counts(&y2024), [3, 2, 1, 1]);
    assert_eq!(counts(&category(&y2024, "government")), [1, 1, 1, 0]);
    assert_eq!(counts(&category(&y2024, "department")), [1, 0, 0, 1]);
    assert_eq!(counts(&category(&y2024, "street")), [1, 1, 0, 0]);
    assert_eq!(counts(&category(&y2024, "township")), [0, 0, 0, 0]);
    assert_eq!(category(&y2024, "government")["name"], "区人民政府");
    assert_eq!(category(&y2024, "street")["name"], "街道办事处");
}

/// The 总计 of a row of a report read: as printed, or the sum of its
/// columns when the report left it out (as 三（七）总计 may be left out:
/// then the sum of the outcome rows).
fn total(r: &Read, row: &str) -> i128 {
    let width = if row.starts_with("requests.") { 6 } else { 4 };
    match r.rows.get(row) {
        Some(values) if values.len() > width => values[width],
        Some(values) => values.iter().sum(),
        None => {
            assert_eq!(row, "requests.total");
            r.rows
                .keys()
                .filter(|k| {
                    k.starts_with("requests.")
                        && ![
                            "requests.new",
                            "requests.carried_over",
                            "requests.total",
                            "requests.carried_forward",
                        ]
                        .contains(&k.as_str())
                })
                .map(|k| total(r, k))
                .sum()
        }
    }
}

#[test]
fn indicator_numerators_and_denominators_are_the_reports_terms_summed() {
    let site = site_with_late_report();
    let (_out, bytes) = build(site.path());
    let summary: Value = serde_json::from_slice(&bytes).unwrap();
    let reports = read_reports(site.path());
    for entry in summary["years"].as_array().unwrap() {
        let year = entry["year"].as_i64().unwrap() as i32;
        let of: Vec<&Read> = reports.iter().filter(|r| r.year == year).collect();
        let sum = |f: &dyn Fn(&Read) -> i128| of.iter().map(|r| f(r)).sum::<i128>();
        // A column of 四 (4 is its 总计).
        let review = |r: &Read, row: &str, i: usize| {
            if i == 4 {
                total(r, row)
            } else {
                r.rows[row][i]
            }
        };
        let want: [(&str, i128, i128); 5] = [
            (
                "disclosure_rate",
                sum(&|r| total(r, "requests.granted") + total(r, "requests.partially_granted")),
                sum(&|r| total(r, "requests.total")),
            ),
            (
                "not_held_rate",
                sum(&|r| total(r, "requests.unavailable.not_held")),
                sum(&|r| total(r, "requests.total")),
            ),
            (
                "carry_forward_rate",
                sum(&|r| total(r, "requests.carried_forward")),
                sum(&|r| total(r, "requests.new") + total(r, "requests.carried_over")),
            ),
            (
                "review_correction_rate",
                sum(&|r| review(r, "reviews.review", 1)),
                sum(&|r| review(r, "reviews.review", 4) - review(r, "reviews.review", 3)),
            ),
            (
                "litigation_correction_rate",
                sum(&|r| {
                    review(r, "reviews.litigation_direct", 1)
                        + review(r, "reviews.litigation_after_review", 1)
                }),
                sum(&|r| {
                    review(r, "reviews.litigation_direct", 4)
                        + review(r, "reviews.litigation_after_review", 4)
                        - review(r, "reviews.litigation_direct", 3)
                        - review(r, "reviews.litigation_after_review", 3)
                }),
            ),
        ];
        for (key, num, den) in want {
            let got = &entry["indicators"][key];
            assert_eq!(
                millionths(got["numerator"].as_str().unwrap()),
                num,
                "{year} {key}"
            );
            assert_eq!(
                millionths(got["denominator"].as_str().unwrap()),
                den,
                "{year} {key}"
            );
            assert_eq!(got["reports"], of.len(), "{year} {key}");
            assert_eq!(got["blank"], 0, "{year} {key}");
        }
    }
    // 申请量同比: only 中同街街道 has a report the year before (2023):
    // its 2024 本年新收 over its 2023 本年新收.
    let y2024 = &summary["years"][2];
    let zht = |y: i32| {
        reports
            .iter()
            .find(|r| r.agency == "zhongtongjie" && r.year == y)
            .unwrap()
    };
    let change = &y2024["indicators"]["requests_change"];
    assert_eq!(
        millionths(change["numerator"].as_str().unwrap()),
        total(zht(2024), "requests.new")
    );
    assert_eq!(
        millionths(change["denominator"].as_str().unwrap()),
        total(zht(2023), "requests.new")
    );
    assert_eq!(change["reports"], 1);
    // Exact figures of the fixture, as a reader sees them.
    // 卫滨区人民政府 6 + 2, 中同街街道 2 + 0.
    assert_eq!(y2024["indicators"]["disclosure_rate"]["numerator"], "10");
    let street = &y2024["categories"][2];
    assert_eq!(street["key"], "street");
    assert_eq!(street["indicators"]["requests_change"]["reports"], 1);
    assert_eq!(street["indicators"]["disclosure_rate"]["denominator"], "4");
}

#[test]
fn indicators_off_leaves_their_terms_out() {
    let site = common::base_site();
    common::set_site_option(site.path(), "indicators = false");
    let (_out, bytes) = build(site.path());
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("\"indicators\""), "{text}");
    assert!(!text.contains("disclosure_rate"));
    let summary: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(summary["years"].as_array().unwrap().len(), 3);
}

#[test]
fn the_same_site_gives_the_same_bytes() {
    let site = site_with_late_report();
    let (_a, first) = build(site.path());
    let (_b, second) = build(site.path());
    assert_eq!(first, second);
    assert!(first.ends_with(b"}\n"));
}

#[test]
fn serve_publishes_the_same_summary() {
    let site = site_with_late_report();
    let (_out, built) = build(site.path());
    let served = Served::start(site.path(), &[]);
    let reply = served.get("/data/summary.json");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(reply.body, built);
}
