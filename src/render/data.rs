//! Open-data downloads: every report and every cell with one stable key per
//! cell (`data/reports.csv`, `data/reports.json`, `<year>/<agency>/report.json`),
//! and each year's district aggregate (`<year>/summary.csv`).
//!
//! Numbers are written from their exact decimal text, never through floats.

use std::fmt::Write as _;

use crate::aggregate::Aggregate;
use crate::model::layout::all_cell_keys;
use crate::model::{Report, Site};

const META: [&str; 7] = [
    "agency",
    "agency_name",
    "category",
    "year",
    "format",
    "published",
    "as_published",
];

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn json_str(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialize")
}

/// Every cell of a report: `(key, value text)`; blank cells and cells of
/// the other format are absent.
fn cells(report: &Report) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in report
        .active
        .iter()
        .chain(&report.requests)
        .chain(&report.reviews)
    {
        for i in 0..row.def.width() {
            let value = match row.cell(i) {
                Some(cell) => cell.value,
                None => Some(row.value(i)),
            };
            if let Some(v) = value {
                out.push((row.def.cell_key(i), v.to_string()));
            }
        }
    }
    out
}

fn meta(site: &Site, report: &Report) -> [String; 7] {
    let agency = &site.agencies[&report.agency];
    [
        report.agency.clone(),
        agency.name.clone(),
        agency.category.clone(),
        report.year.to_string(),
        report.format.to_string(),
        report.published.map(|d| d.to_string()).unwrap_or_default(),
        report.as_published.to_string(),
    ]
}

/// `data/reports.csv`: UTF-8 with BOM so Excel reads the Chinese names.
pub fn reports_csv(site: &Site, reports: &[&Report]) -> String {
    let keys = all_cell_keys();
    let mut out = String::from("\u{feff}");
    let header: Vec<&str> = META
        .iter()
        .copied()
        .chain(keys.iter().map(|(k, _)| k.as_str()))
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for report in reports {
        let values = cells(report);
        let mut fields: Vec<String> = meta(site, report).iter().map(|f| csv_field(f)).collect();
        for (key, _) in &keys {
            fields.push(
                values
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One report as a JSON object.
pub fn report_json(site: &Site, report: &Report) -> String {
    let m = meta(site, report);
    let mut out = String::from("{");
    for (i, (name, value)) in META.iter().zip(&m).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let v = match *name {
            "year" | "format" | "as_published" => value.clone(),
            "published" if value.is_empty() => "null".to_string(),
            _ => json_str(value),
        };
        let _ = write!(out, "{}:{v}", json_str(name));
    }
    out.push_str(",\"cells\":{");
    let blank: Vec<String> = report
        .active
        .iter()
        .chain(&report.requests)
        .chain(&report.reviews)
        .flat_map(|row| {
            (0..row.def.width())
                .filter(|&i| row.cell(i).is_some_and(|c| c.value.is_none()))
                .map(|i| row.def.cell_key(i))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut first = true;
    for (key, value) in cells(report)
        .into_iter()
        .chain(blank.into_iter().map(|k| (k, "null".to_string())))
    {
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "{}:{value}", json_str(&key));
    }
    out.push_str("}}");
    out
}

/// `data/reports.json`: an array of the report objects.
pub fn reports_json(site: &Site, reports: &[&Report]) -> String {
    let items: Vec<String> = reports.iter().map(|r| report_json(site, r)).collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

/// `<year>/summary.csv`: the year's district aggregate, one row per cell key.
pub fn summary_csv(aggregate: &Aggregate) -> String {
    let mut out = String::from("\u{feff}key,label,value\r\n");
    let rows = aggregate
        .active
        .iter()
        .flat_map(|(_, _, rows)| rows.iter())
        .chain(&aggregate.requests)
        .chain(&aggregate.reviews);
    for row in rows {
        for i in 0..row.def.width() {
            let _ = write!(
                out,
                "{},{},{}\r\n",
                row.def.cell_key(i),
                csv_field(&row.def.cite_cell(i)),
                row.value(i)
            );
        }
    }
    out
}
