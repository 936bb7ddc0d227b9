//! The repository's own demo district: five real published reports. The
//! figures below are copied by hand from the published reports (sections 三
//! and 四 as transcribed in the project's sections-3-4.json, section 二 from
//! the report texts), so a loader that misreads any cell, or a rule that
//! rejects a real report, fails here.

use crate::common;
use std::path::Path;

use gongkai::model::{Format, Number, Report};

fn demo() -> gongkai::Loaded {
    gongkai::load(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn report<'a>(site: &'a gongkai::Site, agency: &str, year: i32) -> &'a Report {
    site.report(agency, year)
        .unwrap_or_else(|| panic!("the demo has the {agency} {year} report"))
}

/// A cell printed blank.
const B: i64 = -1;

/// One published report's sections 三 and 四, every cell, 总计 included.
struct Published {
    agency: &'static str,
    year: i32,
    /// （六）其他处理 printed as one row.
    single_other: bool,
    rows: &'static [(&'static str, &'static [i64])],
}

const REQUEST_COLUMNS: [&str; 7] = [
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other",
    "total",
];
const REVIEW_COLUMNS: [&str; 5] = ["upheld", "corrected", "other_result", "pending", "total"];

fn expected_value(v: i64) -> Option<Number> {
    (v != B).then(|| Number::from_int(v))
}

#[test]
fn the_demo_has_no_errors_and_exactly_its_two_warnings() {
    let loaded = demo();
    let actual = common::lines(&loaded);
    let expected = [
        "warning: content/hongzequ/2024.yaml:39:3: 三（六）其他处理 is one row, but the 2021 format prints three (no_correction, unpaid_fee, other); kept as published (X6)",
        "warning: content/shuyang-fagaiju/2023.yaml:18:27: 125 cells in 25 row(s) are printed blank (null), the first 一、本年新收政府信息公开申请数量 · 商业企业; they are shown blank and counted as 0 (X7)",
    ];
    assert!(
        actual == expected,
        "the demo site's diagnostics:\n{}",
        common::diff(&expected.map(String::from), &actual)
    );
    assert!(common::span_problems(&loaded).is_empty());
}

#[test]
fn the_five_reports_load() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let reports: Vec<(&str, i32, Format, bool, bool)> = site
        .reports
        .iter()
        .map(|r| (r.agency.as_str(), r.year, r.format, r.single_other, r.draft))
        .collect();
    assert_eq!(
        reports,
        [
            ("hongzequ", 2024, Format::F2021, true, false),
            ("pingtan", 2023, Format::F2021, false, false),
            ("shanghai-bgt", 2025, Format::F2021, false, false),
            ("shuyang-fagaiju", 2023, Format::F2021, false, false),
            ("zhongtongjie", 2024, Format::F2021, false, false),
        ]
    );
    assert_eq!(site.agencies.len(), 5);
    for r in &site.reports {
        let prose = r.prose.as_ref().expect("every demo report has its prose");
        assert_eq!(
            prose.sections.len(),
            3,
            "{} {}: 一、五、六",
            r.agency,
            r.year
        );
    }
    let pingtan = report(&site, "pingtan", 2023);
    assert_eq!(
        pingtan.published.map(|d| d.to_string()).as_deref(),
        Some("2024-03-08")
    );
    let shuyang = report(&site, "shuyang-fagaiju", 2023);
    assert_eq!(
        shuyang.published.map(|d| d.to_string()).as_deref(),
        Some("2024-01-17")
    );
    assert_eq!(
        shuyang.index_number.as_deref(),
        Some("014314799/2024-00002")
    );
    assert_eq!(site.agencies["pingtan"].name, "平潭综合实验区");
    assert_eq!(site.agencies["shanghai-bgt"].category, "department");
}

#[test]
fn sections_3_and_4_are_the_published_figures() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let mut wrong = Vec::new();
    for published in [
        PINGTAN,
        HONGZEQU,
        SHANGHAI_BGT,
        SHUYANG_FAGAIJU,
        ZHONGTONGJIE,
    ] {
        let r = report(&site, published.agency, published.year);
        let name = format!("{} {}", r.agency, r.year);
        assert_eq!(
            r.single_other, published.single_other,
            "{name}: single （六） row"
        );
        // The report has exactly the published rows, in the printed order.
        let rows: Vec<&str> = r
            .requests
            .iter()
            .chain(r.reviews.iter())
            .map(|row| row.def.key)
            .collect();
        let keys: Vec<&str> = published.rows.iter().map(|(k, _)| *k).collect();
        assert_eq!(rows, keys, "{name}: the rows of 三 and 四");
        for (row_key, cells) in published.rows {
            let columns: &[&str] = if row_key.starts_with("requests.") {
                &REQUEST_COLUMNS
            } else {
                &REVIEW_COLUMNS
            };
            assert_eq!(cells.len(), columns.len(), "{name} {row_key}");
            for (column, &value) in columns.iter().zip(cells.iter()) {
                let key = format!("{row_key}.{column}");
                let got = r.cell_value(&key);
                if got != Some(expected_value(value)) {
                    wrong.push(format!("{name} {key}: {got:?}, published {value}"));
                }
            }
            // Every 总计 (of each row of 三 and 四, and of （七）总计) as
            // written in the file, not merely derived.
            let row = r.row(row_key).expect("the row exists");
            let total = cells[cells.len() - 1];
            if row.total.map(|c| c.number()) != Some(Number::from_int(total)) {
                wrong.push(format!(
                    "{name} {row_key} 总计: written {:?}, published {total}",
                    row.total.map(|c| c.number().to_string())
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "cells that differ:\n{}", wrong.join("\n"));
}

/// Spot checks that the comparison above really looks at the figures.
#[test]
fn a_sample_of_published_figures() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let cell = |agency: &str, year: i32, key: &str| -> String {
        match report(&site, agency, year).cell_value(key) {
            Some(Some(n)) => n.to_string(),
            Some(None) => "blank".to_string(),
            None => format!("no cell {key}"),
        }
    };
    assert_eq!(cell("pingtan", 2023, "requests.new.natural_person"), "80");
    assert_eq!(
        cell("pingtan", 2023, "requests.unavailable.not_held.total"),
        "31"
    );
    assert_eq!(
        cell("pingtan", 2023, "reviews.litigation_direct.pending"),
        "1"
    );
    assert_eq!(
        cell("hongzequ", 2024, "requests.granted.natural_person"),
        "50"
    );
    assert_eq!(
        cell("hongzequ", 2024, "reviews.litigation_after_review.total"),
        "3"
    );
    assert_eq!(
        cell("shanghai-bgt", 2025, "requests.carried_over.legal_services"),
        "4"
    );
    assert_eq!(
        cell(
            "shanghai-bgt",
            2025,
            "requests.unavailable.not_held.commercial"
        ),
        "28"
    );
    assert_eq!(
        cell("shanghai-bgt", 2025, "requests.other.other.total"),
        "276"
    );
    assert_eq!(cell("shanghai-bgt", 2025, "requests.total.total"), "1191");
    assert_eq!(cell("shanghai-bgt", 2025, "reviews.review.upheld"), "40");
    assert_eq!(
        cell("shuyang-fagaiju", 2023, "requests.granted.natural_person"),
        "26"
    );
    assert_eq!(cell("shuyang-fagaiju", 2023, "reviews.review.pending"), "1");
}

#[test]
fn section_2_is_the_published_figures() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let active = |agency: &str, year: i32| -> Vec<String> {
        let r = report(&site, agency, year);
        [
            "active.regulations.issued",
            "active.regulations.repealed",
            "active.regulations.in_force",
            "active.normative_documents.issued",
            "active.normative_documents.repealed",
            "active.normative_documents.in_force",
            "active.licensing",
            "active.punishment",
            "active.coercion",
            "active.fees",
        ]
        .iter()
        .map(|key| match r.cell_value(key) {
            Some(Some(n)) => n.to_string(),
            other => format!("{key}: {other:?}"),
        })
        .collect()
    };
    // regulations ×3, normative_documents ×3, licensing, punishment, coercion, fees
    assert_eq!(
        active("pingtan", 2023),
        [
            "0",
            "0",
            "0",
            "77",
            "132",
            "470",
            "2629",
            "1330",
            "54",
            "5949.088667"
        ]
    );
    assert_eq!(
        active("hongzequ", 2024),
        ["0", "0", "0", "3", "0", "8", "9487", "2776", "84", "7545"]
    );
    assert_eq!(
        active("shanghai-bgt", 2025),
        ["22", "22", "235", "34", "55", "189", "0", "0", "0", "0"]
    );
    assert_eq!(
        active("shuyang-fagaiju", 2023),
        ["0", "0", "0", "8", "0", "18", "0", "0", "0", "0"]
    );
    assert_eq!(
        active("zhongtongjie", 2024),
        ["0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    );
    // The fee is exact: read from its text, never through a binary float.
    let fees = report(&site, "pingtan", 2023)
        .cell_value("active.fees")
        .flatten()
        .unwrap();
    assert_eq!(fees, Number::parse("5949.088667").unwrap());
    assert!(!fees.is_integer());
}

#[test]
fn shuyang_keeps_its_printed_blanks() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let r = report(&site, "shuyang-fagaiju", 2023);
    assert_eq!(r.cell_value("requests.new.commercial"), Some(None));
    assert_eq!(r.cell_value("requests.total.other"), Some(None));
    assert_eq!(
        r.cell_value("requests.new.natural_person"),
        Some(Some(Number::from_int(26)))
    );
    let blanks = r
        .requests
        .iter()
        .chain(r.reviews.iter())
        .chain(r.active.iter())
        .flat_map(|row| row.cells.iter().chain(row.total.iter()))
        .filter(|c| c.value().is_none())
        .count();
    assert_eq!(
        blanks, 125,
        "five blank applicant columns in each of 25 rows"
    );
}

#[test]
fn hongzequ_prints_its_other_outcomes_as_one_row() {
    let loaded = demo();
    let site = loaded.site.expect("the demo site loads");
    let r = report(&site, "hongzequ", 2024);
    assert!(r.single_other);
    assert_eq!(r.format, Format::F2021);
    assert_eq!(
        r.cell_value("requests.other.total"),
        Some(Some(Number::ZERO))
    );
    assert_eq!(r.cell_value("requests.other.no_correction.total"), None);
    assert_eq!(r.requests.len(), 23);
}

/// 2023_pingtan.txt (2021).
const PINGTAN: Published = Published {
    agency: "pingtan",
    year: 2023,
    single_other: false,
    rows: &[
        ("requests.new", &[80, 1, 0, 0, 0, 0, 81]),
        ("requests.carried_over", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.granted", &[22, 0, 0, 0, 0, 0, 22]),
        ("requests.partially_granted", &[19, 1, 0, 0, 0, 0, 20]),
        ("requests.withheld.state_secret", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.prohibited_by_law",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.security_stability",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.third_party_rights",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        ("requests.withheld.internal_affairs", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.process_information",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.enforcement_files",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.administrative_query",
            &[2, 0, 0, 0, 0, 0, 2],
        ),
        ("requests.unavailable.not_held", &[31, 0, 0, 0, 0, 0, 31]),
        (
            "requests.unavailable.needs_creation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.unavailable.unclear", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.complaint", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.duplicate", &[1, 0, 0, 0, 0, 0, 1]),
        ("requests.not_processed.publication", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.excessive", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.not_processed.confirmation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.other.no_correction", &[1, 0, 0, 0, 0, 0, 1]),
        ("requests.other.unpaid_fee", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.other.other", &[1, 0, 0, 0, 0, 0, 1]),
        ("requests.total", &[80, 1, 0, 0, 0, 0, 81]),
        ("requests.carried_forward", &[0, 0, 0, 0, 0, 0, 0]),
        ("reviews.review", &[1, 1, 0, 0, 2]),
        ("reviews.litigation_direct", &[4, 0, 0, 1, 5]),
        ("reviews.litigation_after_review", &[1, 0, 1, 0, 2]),
    ],
};

/// 2024_hongzequ.txt (2021 but (六) one row).
const HONGZEQU: Published = Published {
    agency: "hongzequ",
    year: 2024,
    single_other: true,
    rows: &[
        ("requests.new", &[95, 0, 0, 0, 0, 0, 95]),
        ("requests.carried_over", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.granted", &[50, 0, 0, 0, 0, 0, 50]),
        ("requests.partially_granted", &[9, 0, 0, 0, 0, 0, 9]),
        ("requests.withheld.state_secret", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.prohibited_by_law",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.security_stability",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.third_party_rights",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.withheld.internal_affairs", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.process_information",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.enforcement_files",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.administrative_query",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.unavailable.not_held", &[31, 0, 0, 0, 0, 0, 31]),
        (
            "requests.unavailable.needs_creation",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        ("requests.unavailable.unclear", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.complaint", &[1, 0, 0, 0, 0, 0, 1]),
        ("requests.not_processed.duplicate", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.publication", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.excessive", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.not_processed.confirmation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.other", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.total", &[95, 0, 0, 0, 0, 0, 95]),
        ("requests.carried_forward", &[0, 0, 0, 0, 0, 0, 0]),
        ("reviews.review", &[1, 1, 0, 0, 2]),
        ("reviews.litigation_direct", &[1, 0, 0, 0, 1]),
        ("reviews.litigation_after_review", &[2, 0, 1, 0, 3]),
    ],
};

/// 2025_shanghai_bgt.txt (2021).
const SHANGHAI_BGT: Published = Published {
    agency: "shanghai-bgt",
    year: 2025,
    single_other: false,
    rows: &[
        ("requests.new", &[1259, 36, 0, 0, 0, 0, 1295]),
        ("requests.carried_over", &[170, 15, 0, 0, 4, 0, 189]),
        ("requests.granted", &[201, 5, 0, 0, 0, 0, 206]),
        ("requests.partially_granted", &[2, 0, 0, 0, 0, 0, 2]),
        ("requests.withheld.state_secret", &[4, 0, 0, 0, 0, 0, 4]),
        (
            "requests.withheld.prohibited_by_law",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.security_stability",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.third_party_rights",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.withheld.internal_affairs", &[8, 0, 0, 0, 1, 0, 9]),
        (
            "requests.withheld.process_information",
            &[1, 0, 0, 0, 0, 0, 1],
        ),
        (
            "requests.withheld.enforcement_files",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.administrative_query",
            &[5, 0, 0, 0, 0, 0, 5],
        ),
        ("requests.unavailable.not_held", &[484, 28, 0, 0, 1, 0, 513]),
        (
            "requests.unavailable.needs_creation",
            &[47, 1, 0, 0, 0, 0, 48],
        ),
        ("requests.unavailable.unclear", &[3, 0, 0, 0, 0, 0, 3]),
        ("requests.not_processed.complaint", &[61, 1, 0, 0, 0, 0, 62]),
        ("requests.not_processed.duplicate", &[16, 0, 0, 0, 0, 0, 16]),
        ("requests.not_processed.publication", &[1, 0, 0, 0, 0, 0, 1]),
        ("requests.not_processed.excessive", &[1, 0, 0, 0, 0, 0, 1]),
        (
            "requests.not_processed.confirmation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.other.no_correction", &[40, 1, 0, 0, 2, 0, 43]),
        ("requests.other.unpaid_fee", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.other.other", &[264, 12, 0, 0, 0, 0, 276]),
        ("requests.total", &[1139, 48, 0, 0, 4, 0, 1191]),
        ("requests.carried_forward", &[290, 3, 0, 0, 0, 0, 293]),
        ("reviews.review", &[40, 0, 10, 5, 55]),
        ("reviews.litigation_direct", &[2, 0, 4, 6, 12]),
        ("reviews.litigation_after_review", &[6, 0, 9, 7, 22]),
    ],
};

/// 2023_shuyang_fagaiju.txt (2021).
const SHUYANG_FAGAIJU: Published = Published {
    agency: "shuyang-fagaiju",
    year: 2023,
    single_other: false,
    rows: &[
        ("requests.new", &[26, B, B, B, B, B, 26]),
        ("requests.carried_over", &[0, B, B, B, B, B, 0]),
        ("requests.granted", &[26, B, B, B, B, B, 26]),
        ("requests.partially_granted", &[0, B, B, B, B, B, 0]),
        ("requests.withheld.state_secret", &[0, B, B, B, B, B, 0]),
        (
            "requests.withheld.prohibited_by_law",
            &[0, B, B, B, B, B, 0],
        ),
        (
            "requests.withheld.security_stability",
            &[0, B, B, B, B, B, 0],
        ),
        (
            "requests.withheld.third_party_rights",
            &[0, B, B, B, B, B, 0],
        ),
        ("requests.withheld.internal_affairs", &[0, B, B, B, B, B, 0]),
        (
            "requests.withheld.process_information",
            &[0, B, B, B, B, B, 0],
        ),
        (
            "requests.withheld.enforcement_files",
            &[0, B, B, B, B, B, 0],
        ),
        (
            "requests.withheld.administrative_query",
            &[0, B, B, B, B, B, 0],
        ),
        ("requests.unavailable.not_held", &[0, B, B, B, B, B, 0]),
        (
            "requests.unavailable.needs_creation",
            &[0, B, B, B, B, B, 0],
        ),
        ("requests.unavailable.unclear", &[0, B, B, B, B, B, 0]),
        ("requests.not_processed.complaint", &[0, B, B, B, B, B, 0]),
        ("requests.not_processed.duplicate", &[0, B, B, B, B, B, 0]),
        ("requests.not_processed.publication", &[0, B, B, B, B, B, 0]),
        ("requests.not_processed.excessive", &[0, B, B, B, B, B, 0]),
        (
            "requests.not_processed.confirmation",
            &[0, B, B, B, B, B, 0],
        ),
        ("requests.other.no_correction", &[0, B, B, B, B, B, 0]),
        ("requests.other.unpaid_fee", &[0, B, B, B, B, B, 0]),
        ("requests.other.other", &[0, B, B, B, B, B, 0]),
        ("requests.total", &[26, B, B, B, B, B, 26]),
        ("requests.carried_forward", &[0, B, B, B, B, B, 0]),
        ("reviews.review", &[0, 0, 0, 1, 1]),
        ("reviews.litigation_direct", &[0, 0, 0, 0, 0]),
        ("reviews.litigation_after_review", &[0, 0, 0, 0, 0]),
    ],
};

/// 2024_weibin_zhongtongjie.txt (2021).
const ZHONGTONGJIE: Published = Published {
    agency: "zhongtongjie",
    year: 2024,
    single_other: false,
    rows: &[
        ("requests.new", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.carried_over", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.granted", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.partially_granted", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.withheld.state_secret", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.prohibited_by_law",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.security_stability",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.third_party_rights",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.withheld.internal_affairs", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.withheld.process_information",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.enforcement_files",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        (
            "requests.withheld.administrative_query",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.unavailable.not_held", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.unavailable.needs_creation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.unavailable.unclear", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.complaint", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.duplicate", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.publication", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.not_processed.excessive", &[0, 0, 0, 0, 0, 0, 0]),
        (
            "requests.not_processed.confirmation",
            &[0, 0, 0, 0, 0, 0, 0],
        ),
        ("requests.other.no_correction", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.other.unpaid_fee", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.other.other", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.total", &[0, 0, 0, 0, 0, 0, 0]),
        ("requests.carried_forward", &[0, 0, 0, 0, 0, 0, 0]),
        ("reviews.review", &[0, 0, 0, 0, 0]),
        ("reviews.litigation_direct", &[0, 0, 0, 0, 0]),
        ("reviews.litigation_after_review", &[0, 0, 0, 0, 0]),
    ],
};
