//! The published data are the figures: for every report of a generated
//! 1,000-report site, `data/reports.json`, `data/reports.csv` and each
//! `report.json` read back to exactly the figures loaded from its YAML,
//! every cell, as exact decimals.

use crate::common;
use std::collections::BTreeMap;
use std::fs;

use gongkai::model::{Number, Report};

/// Every cell of a report as published: key → value (`None`: printed blank).
fn expected(report: &Report) -> BTreeMap<String, Option<Number>> {
    let mut out = BTreeMap::new();
    for row in report
        .active
        .iter()
        .chain(report.requests.iter())
        .chain(report.reviews.iter())
    {
        for i in 0..row.def.width() {
            let value = match row.cell(i) {
                Some(cell) => cell.value(),
                None => Some(row.value(i)),
            };
            out.insert(row.def.cell_key(i), value);
        }
    }
    out
}

/// The `"cells":{…}` of one JSON record, values kept as their exact text.
fn json_cells(record: &str) -> BTreeMap<String, Option<Number>> {
    let start = record.find("\"cells\":{").expect("a cells object") + "\"cells\":{".len();
    let body = &record[start..record.rfind("}}").expect("the record's end")];
    body.split(',')
        .map(|pair| {
            let (key, value) = pair.split_once(':').expect("key:value");
            let key = key.trim_matches('"').to_string();
            let value = match value {
                "null" => None,
                text => Some(Number::parse(text).unwrap_or_else(|_| panic!("{key}: {text}"))),
            };
            (key, value)
        })
        .collect()
}

#[test]
fn downloads_round_trip_to_the_loaded_figures() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let options = gongkai::generate::Options {
        agencies: 200,
        years: 5,
        last_year: 2024,
        seed: 11,
    };
    assert_eq!(gongkai::generate::generate(&site, &options).unwrap(), 1000);
    // The downloads are the point here; the search index (tests/search.rs)
    // would triple the time of a debug build.
    common::set_site_option(&site, "search = false");
    let loaded = gongkai::load(&site);
    assert!(!loaded.diagnostics.has_errors());
    let model = loaded.site.unwrap();
    let out = dir.path().join("public");
    gongkai::commands::build(&site, Some(out.clone())).unwrap();

    // reports.json: one record per line, in (agency, year) order.
    let json = fs::read_to_string(out.join("data/reports.json")).unwrap();
    let records: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| l.trim_end_matches(','))
        .collect();
    assert_eq!(records.len(), 1000);
    for (report, record) in model.reports.iter().zip(&records) {
        let head: serde_json::Value = serde_json::from_str(record).unwrap();
        assert_eq!(head["agency"], report.agency.as_str());
        assert_eq!(head["year"], report.year);
        assert_eq!(
            json_cells(record),
            expected(report),
            "{} {}",
            report.agency,
            report.year
        );
        // …and the report's own report.json is the same record.
        let own =
            fs::read_to_string(out.join(format!("{}/{}/report.json", report.year, report.agency)))
                .unwrap();
        assert_eq!(own.as_str(), *record);
    }

    // reports.csv: a column per cell key of both formats; empty where the
    // report's format has no such cell or it was printed blank.
    let csv = fs::read_to_string(out.join("data/reports.csv")).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 1000);
    for (report, line) in model.reports.iter().zip(rows) {
        assert!(!line.contains('"'), "{line}");
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header.len());
        assert_eq!(
            (fields[0], fields[3]),
            (report.agency.as_str(), report.year.to_string().as_str())
        );
        let cells = expected(report);
        for (key, field) in header.iter().zip(&fields).skip(7) {
            let want = cells.get(*key).copied().flatten();
            let got = (!field.is_empty()).then(|| Number::parse(field).unwrap());
            assert_eq!(got, want, "{} {} {key}", report.agency, report.year);
        }
    }
}
