//! Indicators, peer quartiles, flags and `gongkai audit`, on small sites
//! written by the test with known cells: every expected value is a fraction
//! the test computes from the cells it wrote.

use crate::common;

use std::fs;
use std::path::Path;

use gongkai::diagnostics::{Diagnostic, Diagnostics};
use gongkai::indicators::flags::{Kind, flags};
use gongkai::indicators::{Indicators, Key, Ratio, Value};

/// The figures of one report (all in the 自然人 column; the others 0).
#[derive(Clone, Copy)]
struct Fig {
    new: i64,
    carried_over: i64,
    granted: i64,
    partial: i64,
    not_held: i64,
    carried_forward: i64,
    /// 维持, 纠正, 其他, 尚未审结 of 行政复议, 直接起诉, 复议后起诉.
    review: [i64; 4],
    direct: [i64; 4],
    after: [i64; 4],
}

const FIG: Fig = Fig {
    new: 19,
    carried_over: 2,
    granted: 7,
    partial: 2,
    not_held: 4,
    carried_forward: 2,
    review: [3, 2, 1, 1],
    direct: [2, 1, 0, 1],
    after: [0, 1, 1, 0],
};

fn row(v: i64) -> String {
    format!("[{v}, 0, 0, 0, 0, 0, {v}]")
}

fn review(v: [i64; 4]) -> String {
    format!(
        "[{}, {}, {}, {}, {}]",
        v[0],
        v[1],
        v[2],
        v[3],
        v.iter().sum::<i64>()
    )
}

/// A report consistent by R1–R6: what the outcomes do not account for
/// goes to 三（六）其他处理.
fn report_yaml(year: i32, f: &Fig, published: &str) -> String {
    let format_2019 = year <= 2020;
    let other = f.new + f.carried_over - f.carried_forward - f.granted - f.partial - f.not_held;
    assert!(other >= 0, "the test's figures must leave other ≥ 0");
    let total = f.granted + f.partial + f.not_held + other;
    let active = if format_2019 {
        "active:\n  regulations: [0, 0, 0]\n  normative_documents: [0, 0, 0]\n  licensing: [0, 0, 0]\n  other_services: [0, 0, 0]\n  punishment: [0, 0, 0]\n  coercion: [0, 0, 0]\n  fees: [0, 0]\n  procurement: [0, 0]\n"
    } else {
        "active:\n  regulations: [0, 0, 0]\n  normative_documents: [0, 0, 0]\n  licensing: 0\n  punishment: 0\n  coercion: 0\n  fees: 0\n"
    };
    let z = row(0);
    let other_rows = if format_2019 {
        format!("  other: {}\n", row(other))
    } else {
        format!(
            "  other:\n    no_correction: {z}\n    unpaid_fee: {z}\n    other: {}\n",
            row(other)
        )
    };
    format!(
        "year: {year}\nformat: {}\ndraft: false\npublished: {published}\nas_published: false\n{active}requests:\n  new: {}\n  carried_over: {}\n  granted: {}\n  partially_granted: {}\n  withheld:\n    state_secret: {z}\n    prohibited_by_law: {z}\n    security_stability: {z}\n    third_party_rights: {z}\n    internal_affairs: {z}\n    process_information: {z}\n    enforcement_files: {z}\n    administrative_query: {z}\n  unavailable:\n    not_held: {}\n    needs_creation: {z}\n    unclear: {z}\n  not_processed:\n    complaint: {z}\n    duplicate: {z}\n    publication: {z}\n    excessive: {z}\n    confirmation: {z}\n{other_rows}  total: {}\n  carried_forward: {}\nreviews:\n  review: {}\n  litigation_direct: {}\n  litigation_after_review: {}\n",
        if format_2019 { 2019 } else { 2021 },
        row(f.new),
        row(f.carried_over),
        row(f.granted),
        row(f.partial),
        row(f.not_held),
        row(total),
        row(f.carried_forward),
        review(f.review),
        review(f.direct),
        review(f.after),
    )
}

const SITE_TOML: &str = "title = \"测试区\"\n\n[[categories]]\nkey = \"government\"\nname = \"区人民政府\"\ndeadline = \"03-31\"\n\n[[categories]]\nkey = \"department\"\nname = \"区直部门\"\ndeadline = \"01-31\"\n";

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("site.toml"), SITE_TOML).unwrap();
        fs::create_dir(dir.path().join("content")).unwrap();
        Site { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn agency(&self, slug: &str, category: &str, extra: &str) -> &Site {
        let d = self.root().join("content").join(slug);
        fs::create_dir_all(&d).unwrap();
        fs::write(
            d.join("agency.yaml"),
            format!("name: {slug}局\ncategory: {category}\n{extra}"),
        )
        .unwrap();
        self
    }

    /// A report published on time (01-15 of the next year).
    fn report(&self, slug: &str, year: i32, f: &Fig) -> &Site {
        self.report_text(
            slug,
            year,
            &report_yaml(year, f, &format!("{}-01-15", year + 1)),
        )
    }

    fn report_text(&self, slug: &str, year: i32, text: &str) -> &Site {
        fs::write(
            self.root()
                .join("content")
                .join(slug)
                .join(format!("{year}.yaml")),
            text,
        )
        .unwrap();
        self
    }

    fn prose(&self, slug: &str, year: i32, problems: &str, other: &str) -> &Site {
        fs::write(
            self.root().join("content").join(slug).join(format!("{year}.md")),
            format!("## 一、总体情况\n\n{other}\n\n## 五、存在的主要问题及改进情况\n\n{problems}\n\n## 六、其他需要报告的事项\n\n无。\n"),
        )
        .unwrap();
        self
    }

    fn load(&self) -> gongkai::Loaded {
        let loaded = gongkai::load(self.root());
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        loaded
    }
}

fn r(n: i64, d: i64) -> Value {
    Value::Rate(Ratio::new(n.into(), d.into()).unwrap())
}

fn values(indicators: &Indicators, agency: &str, year: i32) -> [Value; 6] {
    *indicators.row(agency, year).unwrap().values
}

#[test]
fn indicators_are_the_exact_fractions_of_the_cells_in_both_formats() {
    let site = Site::new();
    let prev = Fig { new: 20, ..FIG };
    site.agency("a", "government", "")
        .report("a", 2020, &prev)
        .report("a", 2021, &FIG);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let ind = Indicators::compute(s);
    let f = FIG;
    let other = f.new + f.carried_over - f.carried_forward - f.granted - f.partial - f.not_held;
    let total = f.granted + f.partial + f.not_held + other;
    let expected = [
        r(f.granted + f.partial, total),
        r(f.not_held, total),
        r(f.carried_forward, f.new + f.carried_over),
        r(f.review[1], f.review.iter().sum::<i64>() - f.review[3]),
        r(
            f.direct[1] + f.after[1],
            f.direct.iter().sum::<i64>() + f.after.iter().sum::<i64>() - f.direct[3] - f.after[3],
        ),
        r(f.new - prev.new, prev.new),
    ];
    // The 2021 report against the 2020 one (2019 format, （六） as one row).
    assert_eq!(values(&ind, "a", 2021), expected);
    // By hand: 9/19, 4/19, 2/21, 2/(7−1), 2/(4+2−1), 19/20 − 1.
    let printed: Vec<String> = expected.iter().map(|v| v.csv()).collect();
    assert_eq!(
        printed,
        ["0.4737", "0.2105", "0.0952", "0.3333", "0.4000", "-0.0500"]
    );
    let pages: Vec<String> = Key::ALL
        .iter()
        .zip(&expected)
        .map(|(k, v)| v.page(*k))
        .collect();
    assert_eq!(pages, ["47.4%", "21.1%", "9.5%", "33.3%", "40.0%", "-5.0%"]);
    // The 2019-format report: the same formulas, no previous year.
    let old = values(&ind, "a", 2020);
    let p = prev;
    let p_total = p.new + p.carried_over - p.carried_forward;
    assert_eq!(old[0], r(p.granted + p.partial, p_total));
    assert_eq!(old[2], r(p.carried_forward, p.new + p.carried_over));
    assert_eq!(old[5], Value::NotApplicable);
    // The CSV: BOM, header, one row per report.
    let csv = gongkai::indicators::csv::indicators_csv(s, &ind, None);
    assert_eq!(
        csv,
        "\u{feff}year,agency,name,category,disclosure_rate,not_held_rate,carry_forward_rate,review_correction_rate,litigation_correction_rate,requests_change\r\n\
         2020,a,a局,government,0.4500,0.2000,0.0909,0.3333,0.4000,\r\n\
         2021,a,a局,government,0.4737,0.2105,0.0952,0.3333,0.4000,-0.0500\r\n"
    );
}

#[test]
fn a_zero_denominator_is_not_applicable_and_a_blank_term_empties_the_indicator() {
    let site = Site::new();
    let zero = Fig {
        new: 0,
        carried_over: 0,
        granted: 0,
        partial: 0,
        not_held: 0,
        carried_forward: 0,
        review: [0, 0, 0, 2],
        direct: [0; 4],
        after: [0; 4],
    };
    site.agency("z", "government", "")
        .report("z", 2023, &zero)
        .report("z", 2024, &zero);
    // not_held printed blank (its 总计 too): that indicator is empty, the others are not.
    let blank = report_yaml(2024, &FIG, "2025-01-15")
        .replace(
            "    not_held: [4, 0, 0, 0, 0, 0, 4]",
            "    not_held: [4, 0, 0, 0, 0, 0, null]",
        )
        // A transcription keeping a blank total keeps the report as published.
        .replace("as_published: false", "as_published: true");
    assert!(blank.contains("null"));
    site.agency("b", "government", "")
        .report_text("b", 2024, &blank);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let ind = Indicators::compute(s);
    // Every denominator 0: 三（七）总计, 新收 + 结转, 复议 all pending, no
    // litigation, last year's 新收 0.
    assert_eq!(values(&ind, "z", 2024), [Value::NotApplicable; 6]);
    let b = values(&ind, "b", 2024);
    assert_eq!(b[1], Value::Blank);
    assert_eq!(b[0], r(9, 19));
    assert_eq!(Value::Blank.csv(), "");
    assert_eq!(Value::NotApplicable.page(Key::DisclosureRate), "—");
    let csv = gongkai::indicators::csv::indicators_csv(s, &ind, Some(2024));
    assert!(
        csv.contains("\r\n2024,b,b局,government,0.4737,,0.0952,"),
        "{csv}"
    );
    assert!(csv.contains("\r\n2024,z,z局,government,,,,,,\r\n"), "{csv}");
}

/// A site of one category with the given 公开率 numerators over 10 requests.
fn peer_site(granted: &[i64]) -> Site {
    let site = Site::new();
    for (i, g) in granted.iter().enumerate() {
        let slug = format!("p{i}");
        let f = Fig {
            new: 10,
            carried_over: 0,
            granted: *g,
            partial: 0,
            not_held: 0,
            carried_forward: 0,
            ..FIG
        };
        site.agency(&slug, "department", "").report(&slug, 2024, &f);
    }
    site
}

#[test]
fn peer_quartiles_follow_quartile_inc_for_odd_and_even_counts() {
    // Odd: 公开率 1/10, 3/10, 5/10, 7/10, 9/10: ranks 1, 2, 3 → P25 0.3, P50 0.5, P75 0.7.
    let site = peer_site(&[9, 1, 5, 3, 7]);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let ind = Indicators::compute(s);
    let stat = ind
        .group(2024, "department")
        .unwrap()
        .stat(Key::DisclosureRate)
        .unwrap();
    assert_eq!(stat.reports, 5);
    assert_eq!(stat.quartiles.p25, Ratio::new(3, 10).unwrap());
    assert_eq!(stat.quartiles.p50, Ratio::new(5, 10).unwrap());
    assert_eq!(stat.quartiles.p75, Ratio::new(7, 10).unwrap());
    let csv = gongkai::indicators::csv::peers_csv(&ind, None);
    assert!(
        csv.starts_with("\u{feff}year,category,key,reports,p25,p50,p75\r\n2024,department,disclosure_rate,5,0.3000,0.5000,0.7000\r\n"),
        "{csv}"
    );
    // The place of 7/10 among five: second from the highest.
    let group = ind.group(2024, "department").unwrap();
    assert_eq!(
        group
            .place_text(Key::DisclosureRate, Ratio::new(7, 10).unwrap())
            .unwrap(),
        "第 2 / 5"
    );

    // Even: 1/10, 2/10, 4/10, 7/10: h = 0.75, 1.5, 2.25 →
    // P25 = 0.1 + 0.75·0.1 = 0.175, P50 = 0.3, P75 = 0.4 + 0.25·0.3 = 0.475.
    let site = peer_site(&[7, 1, 4, 2]);
    let loaded = site.load();
    let ind = Indicators::compute(loaded.site.as_ref().unwrap());
    let stat = ind
        .group(2024, "department")
        .unwrap()
        .stat(Key::DisclosureRate)
        .unwrap();
    assert_eq!(stat.quartiles.p25, Ratio::new(175, 1000).unwrap());
    assert_eq!(stat.quartiles.p50, Ratio::new(3, 10).unwrap());
    assert_eq!(stat.quartiles.p75, Ratio::new(475, 1000).unwrap());
    let csv = gongkai::indicators::csv::peers_csv(&ind, Some(2024));
    assert!(
        csv.contains("2024,department,disclosure_rate,4,0.1750,0.3000,0.4750\r\n"),
        "{csv}"
    );
    // 复议纠正率 applies to none when no review is closed: no row at all.
    assert!(!csv.contains("requests_change"), "{csv}");
}

fn kinds_of(site: &Site, agency: &str, year: i32) -> Vec<Kind> {
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    flags(s, &loaded.diagnostics, year)
        .into_iter()
        .filter(|f| f.agency.slug == agency)
        .map(|f| f.kind)
        .collect()
}

#[test]
fn late_is_raised_after_the_deadline_and_not_on_it() {
    let site = Site::new();
    site.agency("late", "department", "")
        .agency("ontime", "department", "");
    site.report_text("late", 2024, &report_yaml(2024, &FIG, "2025-02-01"));
    site.report_text("ontime", 2024, &report_yaml(2024, &FIG, "2025-01-31"));
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    let late: Vec<_> = all.iter().filter(|f| f.kind == Kind::Late).collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].agency.slug, "late");
    assert_eq!(
        late[0].detail,
        "2025-02-01 公开，期限 2025-01-31，逾期 1 天"
    );
    assert!(kinds_of(&site, "ontime", 2024).is_empty());
}

#[test]
fn missing_is_raised_for_an_expected_year_without_a_report_and_not_for_a_draft_free_one() {
    let site = Site::new();
    site.agency("gone", "department", "reports_from: 2023\n")
        .report("gone", 2023, &FIG)
        .agency("here", "department", "")
        .report("here", 2023, &FIG)
        .report("here", 2024, &FIG);
    // A draft is not a published report.
    site.report_text(
        "gone",
        2024,
        &report_yaml(2024, &FIG, "2025-01-15").replace("draft: false", "draft: true"),
    );
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    let missing: Vec<_> = all.iter().filter(|f| f.kind == Kind::Missing).collect();
    assert_eq!(missing.len(), 1, "{all:?}");
    assert_eq!(missing[0].agency.slug, "gone");
    assert_eq!(missing[0].detail, "未公开 2024 年度报告（期限 2025-01-31）");
    assert!(missing[0].report.is_none());
    assert!(kinds_of(&site, "here", 2024).is_empty());
}

#[test]
fn inconsistent_lists_the_broken_rules_of_an_as_published_report() {
    let site = Site::new();
    let broken = report_yaml(2024, &FIG, "2025-01-15")
        .replace("as_published: false", "as_published: true")
        .replace(
            "  granted: [7, 0, 0, 0, 0, 0, 7]",
            "  granted: [7, 0, 0, 0, 0, 0, 8]",
        );
    let kept =
        report_yaml(2024, &FIG, "2025-01-15").replace("as_published: false", "as_published: true");
    site.agency("bad", "department", "")
        .report_text("bad", 2024, &broken)
        .agency("fine", "department", "")
        .report_text("fine", 2024, &kept);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    let bad: Vec<_> = all
        .iter()
        .filter(|f| f.kind == Kind::Inconsistent)
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].agency.slug, "bad");
    assert_eq!(bad[0].detail, "按原样公开，2 处违反勾稽关系");
    assert_eq!(
        bad[0].evidence,
        [
            "R2 第 16 行：三（一）予以公开 · 总计 is 8, but 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 = 7 + 0 + 0 + 0 + 0 + 0 = 7",
            "R3 第 41 行：三（七）总计 · 总计 is 19, but the sum of rows （一）…（六） is 20",
        ]
    );
    assert!(kinds_of(&site, "fine", 2024).is_empty());
}

#[test]
fn blank_cells_are_counted_and_a_report_without_any_is_not_flagged() {
    let site = Site::new();
    let blank = report_yaml(2024, &FIG, "2025-01-15").replace(
        "    state_secret: [0, 0, 0, 0, 0, 0, 0]",
        "    state_secret: [null, null, 0, 0, 0, 0, 0]",
    );
    site.agency("b", "department", "")
        .report_text("b", 2024, &blank)
        .agency("c", "department", "")
        .report("c", 2024, &FIG);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].kind, Kind::BlankCells);
    assert_eq!(
        all[0].detail,
        "2 个单元格印为空白，第一个为 三（三）1.属于国家秘密 · 自然人（第 19 行）"
    );
}

#[test]
fn prose_mismatch_takes_the_x3_diagnostics_of_the_report_when_there_are_any() {
    let site = Site::new();
    site.agency("a", "department", "")
        .report("a", 2024, &FIG)
        .agency("b", "department", "")
        .report("b", 2024, &FIG);
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    // No X3 diagnostic: no flag.
    assert!(flags(s, &loaded.diagnostics, 2024).is_empty());
    // An X3 finding on a's prose (as the rule of issue 15 reports it).
    let mut diagnostics = Diagnostics::default();
    diagnostics.push(Diagnostic::warning(
        gongkai::diagnostics::Rule::X3,
        Path::new("content/a/2024.md"),
        Some(gongkai::Span::new(3, 5, 20, 2)),
        "正文 says 20 requests, but 一、本年新收 · 总计 is 19".to_string(),
    ));
    diagnostics.push(Diagnostic::warning(
        gongkai::diagnostics::Rule::X7,
        Path::new("content/b/2024.yaml"),
        Some(gongkai::Span::new(3, 5, 20, 2)),
        "not a prose rule".to_string(),
    ));
    let all = flags(s, &diagnostics, 2024);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].kind, Kind::ProseMismatch);
    assert_eq!(all[0].agency.slug, "a");
    assert_eq!(all[0].detail, "1 处正文数字与表格不符");
    assert_eq!(
        all[0].evidence,
        ["content/a/2024.md 第 3 行：正文 says 20 requests, but 一、本年新收 · 总计 is 19"]
    );
}

/// 201 different characters: 200 character pairs.
fn text_of(changed: usize) -> String {
    (0..201u32)
        .map(|i| {
            // Every 4th character from the 4th on is changed, up to `changed`:
            // each change costs two pairs that no other change shares.
            let i = i as usize;
            if i % 4 == 3 && i / 4 < changed {
                char::from_u32(0x9000 + i as u32).unwrap()
            } else {
                char::from_u32(0x4e00 + i as u32).unwrap()
            }
        })
        .collect()
}

#[test]
fn copied_prose_is_raised_at_ninety_percent_and_not_at_eighty_nine() {
    use gongkai::indicators::similarity::similarity;
    let original = text_of(0);
    // 10 changes: 180 of 200 pairs shared = 90%; 11 changes: 178/200 = 89%.
    assert_eq!(similarity(&original, &text_of(10)), Ratio::new(9, 10));
    assert_eq!(similarity(&original, &text_of(11)), Ratio::new(89, 100));
    let site = Site::new();
    let short = "本机关全年共收到申请 12 件。";
    site.agency("copy", "department", "")
        .report("copy", 2023, &FIG)
        .report("copy", 2024, &FIG)
        .prose("copy", 2023, &original, short)
        .prose("copy", 2024, &text_of(10), short)
        .agency("near", "department", "")
        .report("near", 2023, &FIG)
        .report("near", 2024, &FIG)
        .prose("near", 2023, &original, short)
        .prose(
            "near",
            2024,
            &text_of(11),
            "本机关全年共收到申请 30 件，另有大量新内容写入本节以免全文雷同。",
        );
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    let copied: Vec<_> = all.iter().filter(|f| f.kind == Kind::CopiedProse).collect();
    assert_eq!(copied.len(), 1, "{all:?}");
    assert_eq!(copied[0].agency.slug, "copy");
    assert_eq!(copied[0].detail, "正文与 2023 年度报告雷同");
    assert_eq!(
        copied[0].evidence[0],
        "五、存在的主要问题及改进情况与上年相似度 90.0%"
    );
    // The whole prose of `copy` is also ≥ 90% alike; `near`'s is not.
    assert_eq!(copied[0].evidence.len(), 2);
    assert!(copied[0].evidence[1].starts_with("全文与上年相似度 9"));
}

#[test]
fn a_fivefold_jump_is_flagged_and_four_point_nine_is_not() {
    let site = Site::new();
    let with_new = |new| Fig {
        new,
        carried_over: 0,
        granted: 1,
        partial: 0,
        not_held: 0,
        carried_forward: 0,
        ..FIG
    };
    site.agency("up", "department", "")
        .report("up", 2023, &with_new(20))
        .report("up", 2024, &with_new(100))
        .agency("near", "department", "")
        .report("near", 2023, &with_new(20))
        .report("near", 2024, &with_new(98))
        .agency("down", "department", "")
        .report("down", 2023, &with_new(100))
        .report("down", 2024, &with_new(20))
        .agency("small", "department", "")
        .report("small", 2023, &with_new(3))
        .report("small", 2024, &with_new(19));
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let jumps: Vec<(String, String)> = flags(s, &loaded.diagnostics, 2024)
        .into_iter()
        .filter(|f| f.kind == Kind::Jump)
        .map(|f| (f.agency.slug.clone(), f.detail))
        .collect();
    assert_eq!(
        jumps,
        [
            (
                "down".to_string(),
                "一、本年新收 20 件，2023 年 100 件，为上年的 0.20 倍".to_string()
            ),
            (
                "up".to_string(),
                "一、本年新收 100 件，2023 年 20 件，为上年的 5.00 倍".to_string()
            ),
        ]
    );
}

#[test]
fn a_zero_report_is_flagged_only_where_its_peers_median_is_above_zero() {
    let zero = Fig {
        new: 0,
        carried_over: 0,
        granted: 0,
        partial: 0,
        not_held: 0,
        carried_forward: 0,
        review: [0; 4],
        direct: [0; 4],
        after: [0; 4],
    };
    // Department: zero, 5, 7 → median 5 > 0: flagged.
    // Government: zero, zero, 4 → median 0: not flagged.
    let site = Site::new();
    site.agency("d0", "department", "")
        .report("d0", 2024, &zero)
        .agency("d1", "department", "")
        .report(
            "d1",
            2024,
            &Fig {
                new: 5,
                carried_over: 0,
                granted: 5,
                partial: 0,
                not_held: 0,
                carried_forward: 0,
                ..FIG
            },
        )
        .agency("d2", "department", "")
        .report(
            "d2",
            2024,
            &Fig {
                new: 7,
                carried_over: 0,
                granted: 7,
                partial: 0,
                not_held: 0,
                carried_forward: 0,
                ..FIG
            },
        )
        .agency("g0", "government", "")
        .report("g0", 2024, &zero)
        .agency("g1", "government", "")
        .report("g1", 2024, &zero)
        .agency("g2", "government", "")
        .report(
            "g2",
            2024,
            &Fig {
                new: 4,
                carried_over: 0,
                granted: 4,
                partial: 0,
                not_held: 0,
                carried_forward: 0,
                ..FIG
            },
        );
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let zeros: Vec<(String, String)> = flags(s, &loaded.diagnostics, 2024)
        .into_iter()
        .filter(|f| f.kind == Kind::ZeroReport)
        .map(|f| (f.agency.slug.clone(), f.detail))
        .collect();
    assert_eq!(
        zeros,
        [(
            "d0".to_string(),
            "三、四两部分所有数字均为 0，同类机关本年新收中位数为 5".to_string()
        )]
    );
}

/// A site with one late report (2024) and one clean agency.
fn flagged_site() -> Site {
    let site = Site::new();
    site.agency("late", "department", "")
        .agency("fine", "department", "")
        .report("fine", 2023, &FIG)
        .report("fine", 2024, &FIG)
        .report("late", 2023, &FIG);
    site.report_text("late", 2024, &report_yaml(2024, &FIG, "2025-03-01"));
    site
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn audit_writes_a_page_and_csvs_per_year_and_exits_zero_unless_denied() {
    let site = flagged_site();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("audit");
    let t = target.to_str().unwrap();
    let run = common::gongkai_in(site.root(), &["audit", "--output", t]);
    assert_eq!(run.status.code(), Some(0), "{}", common::stderr(&run));
    let printed = common::stdout(&run);
    assert!(printed.contains("2024: 1 of 2 agencies flagged (1 flag(s))\n  late             1\n  missing          0\n"), "{printed}");
    assert!(
        printed.contains("2023: 0 of 2 agencies flagged (0 flag(s))"),
        "{printed}"
    );
    let mut files: Vec<String> = walk(&target);
    files.sort();
    assert_eq!(
        files,
        [
            ".gongkai-output",
            "2023/flags.csv",
            "2023/index.html",
            "2023/indicators.csv",
            "2023/peers.csv",
            "2024/flags.csv",
            "2024/index.html",
            "2024/indicators.csv",
            "2024/peers.csv",
            "flags.csv",
            "index.html",
        ]
    );
    assert_eq!(
        read(&target.join("2024/flags.csv")),
        "\u{feff}year,agency,name,flag,detail\r\n2024,late,late局,late,2025-03-01 公开，期限 2025-01-31，逾期 29 天\r\n"
    );
    assert_eq!(
        read(&target.join("2023/flags.csv")),
        "\u{feff}year,agency,name,flag,detail\r\n"
    );
    assert!(
        read(&target.join("2024/indicators.csv")).contains(
            "\r\n2024,fine,fine局,department,0.4737,0.2105,0.0952,0.3333,0.4000,0.0000\r\n"
        )
    );
    assert!(
        read(&target.join("2024/peers.csv"))
            .contains("\r\n2024,department,disclosure_rate,2,0.4737,0.4737,0.4737\r\n")
    );
    let page = read(&target.join("2024/index.html"));
    assert!(page.contains("<span class=\"flag\">逾期公开</span>（<code>late</code>）：2025-03-01 公开，期限 2025-01-31，逾期 29 天"), "{page}");
    // The link to the report page: the built site beside the site's files.
    let public = site.root().join("public/2024/late/index.html");
    let link = format!(
        "{}/2024/late/index.html",
        relative_to(&target.join("2024"), &site.root().join("public"))
    );
    assert!(
        page.contains(&format!("<a href=\"{link}\">late局 2024年度报告页面</a>")),
        "{link}\n{page}"
    );
    assert!(
        !public.exists(),
        "the review builds nothing of the public site"
    );
    assert!(page.contains("@page{size:A4"), "printable on A4");
    assert!(page.contains("47.4%<span class=\"place\">第 1 / 2</span>"));
    assert!(page.contains("（三（一）予以公开 + 三（二）部分公开）÷ 三（七）总计"));

    // --deny-flags: 1 with a flag, 0 without.
    let denied = common::gongkai_in(site.root(), &["audit", "--output", t, "--deny-flags"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(common::stderr(&denied).contains("--deny-flags: 1 flag(s) raised"));
    let clean = common::gongkai_in(
        site.root(),
        &["audit", "--output", t, "--deny-flags", "--year", "2023"],
    );
    assert_eq!(clean.status.code(), Some(0), "{}", common::stderr(&clean));
    assert!(
        !target.join("2024").exists(),
        "--year 2023 writes 2023 only"
    );
    assert!(target.join("2023/index.html").exists());
}

#[test]
fn audit_refuses_an_unknown_year_content_with_errors_and_the_public_folder() {
    let site = flagged_site();
    let out = tempfile::tempdir().unwrap();
    let t = out.path().join("audit");
    let t = t.to_str().unwrap();
    let run = common::gongkai_in(site.root(), &["audit", "--output", t, "--year", "1999"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        common::stderr(&run).contains("no report of 1999 in the site (its years: 2023, 2024)"),
        "{}",
        common::stderr(&run)
    );

    let public = site.root().join("public");
    let run = common::gongkai_in(
        site.root(),
        &["audit", "--output", public.join("review").to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(
        common::stderr(&run).contains("it is inside the public site's folder"),
        "{}",
        common::stderr(&run)
    );

    site.report_text(
        "fine",
        2024,
        &report_yaml(2024, &FIG, "2025-01-15").replace(
            "  granted: [7, 0, 0, 0, 0, 0, 7]",
            "  granted: [7, 0, 0, 0, 0, 0, 8]",
        ),
    );
    let run = common::gongkai_in(site.root(), &["audit", "--output", t]);
    assert_eq!(run.status.code(), Some(1));
    let err = common::stderr(&run);
    assert!(err.contains("audit refused: 2 error(s)"), "{err}");
    assert!(err.contains("(R2)"), "{err}");
    assert!(!Path::new(t).exists());
}

#[test]
fn the_review_pages_have_landmarks_a_skip_link_labelled_tables_and_unique_ids() {
    let site = flagged_site();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("audit");
    let run = common::gongkai_in(
        site.root(),
        &["audit", "--output", target.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(0));
    for rel in ["index.html", "2023/index.html", "2024/index.html"] {
        let html = read(&target.join(rel));
        assert!(html.contains("<html lang=\"zh-CN\">"), "{rel}");
        assert!(
            html.contains("<a class=\"skip\" href=\"#main\">跳到正文</a>"),
            "{rel}"
        );
        assert_eq!(html.matches("<main ").count(), 1, "{rel}");
        assert!(
            html.contains("<header") && html.contains("<footer"),
            "{rel}"
        );
        assert!(html.contains("<nav aria-label=\"审阅导航\">"), "{rel}");
        assert_eq!(
            html.matches("<table").count(),
            html.matches("<caption").count(),
            "{rel}: every table has a caption"
        );
        for (i, _) in html.match_indices("<th") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if tag.starts_with("<thead") {
                continue;
            }
            assert!(tag.contains("scope="), "{rel}: {tag}");
        }
        let ids: Vec<&str> = html
            .match_indices(" id=\"")
            .map(|(i, _)| html[i + 5..].split('"').next().unwrap())
            .collect();
        let unique: std::collections::HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{rel}: {ids:?}");
        // Every aria-labelledby names an id of the page.
        for (i, _) in html.match_indices("aria-labelledby=\"") {
            let id = html[i + 17..].split('"').next().unwrap();
            assert!(ids.contains(&id), "{rel}: {id}");
        }
    }
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).into_iter().map(|e| e.unwrap()) {
        if e.file_type().is_file() {
            out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out
}

/// The path from folder `from` to `to` (both absolute), as the review writes it.
fn relative_to(from: &Path, to: &Path) -> String {
    let (from, to) = (
        from.canonicalize().unwrap_or(from.to_path_buf()),
        to.to_path_buf(),
    );
    let to = to
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap()
        .join(to.file_name().unwrap());
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[test]
fn the_public_site_shows_indicators_unless_site_toml_turns_them_off() {
    let site = flagged_site();
    let out = tempfile::tempdir().unwrap();
    let on = out.path().join("on");
    gongkai::commands::build(site.root(), Some(on.clone())).unwrap();
    assert!(read(&on.join("about/indicators/index.html")).contains("<code>disclosure_rate</code>"));
    assert!(
        read(&on.join("data/indicators.csv")).contains("\r\n2024,fine,fine局,department,0.4737,")
    );
    assert!(
        read(&on.join("data/peers.csv"))
            .contains("\r\n2024,department,disclosure_rate,2,0.4737,0.4737,0.4737\r\n")
    );
    let year = read(&on.join("2024/index.html"));
    assert!(year.contains("2024年度指标的同类比较"));
    assert!(year.contains("href=\"../about/indicators/index.html\""));
    let agency = read(&on.join("agencies/fine/index.html"));
    assert!(
        agency.contains(
            "47.4%<span class=peer>同类中位数 47.4%</span><span class=peer>第 1 / 2</span>"
        ),
        "{agency}"
    );
    assert!(agency.contains("href=\"../../about/indicators/index.html\""));

    let toml = read(&site.root().join("site.toml"));
    fs::write(
        site.root().join("site.toml"),
        format!("indicators = false\n{toml}"),
    )
    .unwrap();
    let off = out.path().join("off");
    gongkai::commands::build(site.root(), Some(off.clone())).unwrap();
    assert!(!off.join("about").exists());
    assert!(!off.join("data/indicators.csv").exists());
    assert!(!off.join("data/peers.csv").exists());
    assert!(off.join("data/reports.csv").exists());
    assert!(!read(&off.join("2024/index.html")).contains("指标"));
    assert!(!read(&off.join("agencies/fine/index.html")).contains("about/indicators"));
}

#[test]
fn serve_renders_again_the_pages_a_changed_report_moves_among_its_peers() {
    let site = flagged_site();
    let root = site.root();
    let mut preview = gongkai::serve::Preview::new(root, crate::incremental::formatter());
    preview.rebuild(&[]);
    let page = |p: &gongkai::serve::Preview, rel: &str| {
        String::from_utf8(crate::incremental::served(p)[rel].clone()).unwrap()
    };
    let fine_before = page(&preview, "agencies/fine/index.html");
    let year_before = page(&preview, "2024/index.html");
    // late's 2023 report: other figures move fine's category medians, and
    // its 新收 moves late's 2024 申请量同比 on the 2024 year page.
    let changed = Fig {
        new: 38,
        granted: 20,
        ..FIG
    };
    site.report("late", 2023, &changed);
    crate::incremental::rebuild_same_as_full(
        root,
        &mut preview,
        &["content/late/2023.yaml"],
        "a peer's figures",
    );
    assert_ne!(page(&preview, "agencies/fine/index.html"), fine_before);
    assert_ne!(page(&preview, "2024/index.html"), year_before);
}

#[test]
fn the_fixture_reports_indicators_are_the_fractions_of_their_cells() {
    let loaded = gongkai::load(&common::base_dir());
    let s = loaded.site.as_ref().unwrap();
    let ind = Indicators::compute(s);
    let cell = |r: &gongkai::Report, key: &str| -> i64 {
        r.cell_value(key)
            .unwrap_or_else(|| panic!("{key}"))
            .unwrap()
            .as_integer()
            .unwrap()
    };
    let mut checked = 0;
    for r in s.reports.iter().filter(|r| !r.draft) {
        let total = cell(r, "requests.total.total");
        let new = cell(r, "requests.new.total");
        let review = |c: &str| cell(r, &format!("reviews.review.{c}"));
        let both = |c: &str| {
            cell(r, &format!("reviews.litigation_direct.{c}"))
                + cell(r, &format!("reviews.litigation_after_review.{c}"))
        };
        let rate = |n: i64, d: i64| match Ratio::new(n.into(), d.into()) {
            Some(x) => Value::Rate(x),
            None => Value::NotApplicable,
        };
        let prev = s.report(&r.agency, r.year - 1).filter(|p| !p.draft);
        let expected = [
            rate(
                cell(r, "requests.granted.total") + cell(r, "requests.partially_granted.total"),
                total,
            ),
            rate(cell(r, "requests.unavailable.not_held.total"), total),
            rate(
                cell(r, "requests.carried_forward.total"),
                new + cell(r, "requests.carried_over.total"),
            ),
            rate(review("corrected"), review("total") - review("pending")),
            rate(both("corrected"), both("total") - both("pending")),
            match prev {
                Some(p) => rate(
                    new - cell(p, "requests.new.total"),
                    cell(p, "requests.new.total"),
                ),
                None => Value::NotApplicable,
            },
        ];
        assert_eq!(
            values(&ind, &r.agency, r.year),
            expected,
            "{} {}",
            r.agency,
            r.year
        );
        checked += 1;
    }
    // Both formats: fagaiju 2020 (2019), weibin and zhongtongjie (2021).
    assert_eq!(checked, 4);
    assert_eq!(values(&ind, "zhongtongjie", 2024)[5], r(-2, 5));
}

#[test]
fn prose_mismatch_is_raised_from_the_rule_x3_of_the_load() {
    let site = Site::new();
    site.agency("said", "department", "")
        .report("said", 2024, &FIG)
        .prose(
            "said",
            2024,
            "公开内容还不够丰富。",
            "本年度共收到政府信息公开申请20件。",
        )
        .agency("right", "department", "")
        .report("right", 2024, &FIG)
        .prose(
            "right",
            2024,
            "公开内容还不够丰富。",
            "本年度共收到政府信息公开申请19件。",
        );
    let loaded = site.load();
    let s = loaded.site.as_ref().unwrap();
    let all = flags(s, &loaded.diagnostics, 2024);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(
        (all[0].agency.slug.as_str(), all[0].kind),
        ("said", Kind::ProseMismatch)
    );
    assert_eq!(all[0].evidence.len(), 1);
    assert!(
        all[0].evidence[0].starts_with(
            "content/said/2024.md 第 3 行：the prose states 「共收到政府信息公开申请20件」"
        ),
        "{:?}",
        all[0].evidence
    );
}

/// The indicator table of an agency page, from its heading to its end.
fn indicator_table(page: &str) -> &str {
    let start = page.find("历年指标与同类比较").expect("an indicator table");
    let end = start + page[start..].find("</table>").unwrap();
    &page[start..end]
}

#[test]
fn serve_indicators_after_a_changed_figure_equal_a_fresh_build() {
    let site = flagged_site();
    let root = site.root();
    let mut preview = gongkai::serve::Preview::new(root, crate::incremental::formatter());
    preview.rebuild(&[]);
    // A figure of late's 2023 report: its 公开率 becomes 22/38, fine's
    // category median of 2023 moves from 9/19 to 10/19 and late's 2024
    // 申请量同比 becomes 19/38 − 1.
    site.report(
        "late",
        2023,
        &Fig {
            new: 38,
            granted: 20,
            ..FIG
        },
    );
    let outcome = preview.rebuild(&[root.join("content/late/2023.yaml")]);
    assert!(
        outcome
            .changed
            .contains(&"agencies/fine/index.html".to_string()),
        "{:?}",
        outcome.changed
    );
    let served = crate::incremental::served(&preview);
    let out = tempfile::tempdir().unwrap();
    let built = out.path().join("public");
    gongkai::commands::build(root, Some(built.clone())).unwrap();
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
    for file in ["data/indicators.csv", "data/peers.csv"] {
        assert_eq!(text(&served[file]), read(&built.join(file)), "{file}");
    }
    let csv = text(&served["data/indicators.csv"]);
    assert!(
        csv.contains("\r\n2023,late,late局,department,0.5789,"),
        "{csv}"
    );
    assert!(csv.contains(",-0.5000\r\n"), "{csv}");
    assert!(
        text(&served["data/peers.csv"])
            .contains("\r\n2023,department,disclosure_rate,2,0.5000,0.5263,0.5526\r\n")
    );
    for agency in ["fine", "late"] {
        let path = format!("agencies/{agency}/index.html");
        let page = text(&served[&path]);
        assert_eq!(
            indicator_table(&page),
            indicator_table(&read(&built.join(&path))),
            "{path}"
        );
    }
    let fine = text(&served["agencies/fine/index.html"]);
    assert!(
        fine.contains(
            "47.4%<span class=peer>同类中位数 52.6%</span><span class=peer>第 2 / 2</span>"
        ),
        "{fine}"
    );
    let late = text(&served["agencies/late/index.html"]);
    assert!(late.contains("<td class=num>-50.0%<"), "{late}");
}

#[test]
fn indicators_kept_between_rebuilds_equal_indicators_computed_afresh() {
    use gongkai::indicators::IndicatorCache;
    use gongkai::indicators::csv::{indicators_csv, peers_csv};
    let site = flagged_site();
    site.agency("third", "department", "")
        .report("third", 2023, &Fig { new: 25, ..FIG })
        .report("third", 2024, &Fig { granted: 1, ..FIG });
    let cache = IndicatorCache::default();
    let files =
        |s: &gongkai::Site, ind: &Indicators| (indicators_csv(s, ind, None), peers_csv(ind, None));
    let steps: [(&str, i32, Fig); 3] = [
        // Only 2024's figures: 2023's group and 2024's other reports kept.
        ("fine", 2024, Fig { partial: 5, ..FIG }),
        // A 2023 report: its successor's 申请量同比 changes with it.
        ("third", 2023, Fig { new: 30, ..FIG }),
        // Back as it was: the same files give the same figures.
        ("third", 2023, Fig { new: 25, ..FIG }),
    ];
    let loaded = gongkai::load(site.root());
    let s = loaded.site.as_ref().unwrap();
    let first = files(s, &Indicators::compute_cached(s, Some(&cache)));
    assert_eq!(first, files(s, &Indicators::compute(s)));
    // 6 reports, 5 distinct (fine's and late's 2023 files are the same,
    // neither has a predecessor); 2 years of 1 category.
    assert_eq!(cache.len(), (5, 2));
    for (agency, year, fig) in steps {
        site.report(agency, year, &fig);
        let loaded = gongkai::load(site.root());
        let s = loaded.site.as_ref().unwrap();
        let kept = files(s, &Indicators::compute_cached(s, Some(&cache)));
        assert_eq!(kept, files(s, &Indicators::compute(s)), "{agency} {year}");
        assert_ne!(kept, first, "{agency} {year}");
    }
}
