//! Open-data downloads: every report and every cell with one stable key per
//! cell (`data/reports.csv`, `data/reports.json`, `<year>/<agency>/report.json`),
//! and each year's district aggregate (`<year>/summary.csv`).
//!
//! Numbers are written from their exact decimal text, never through floats.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::aggregate::Aggregate;
use crate::error::{Error, Result};
use crate::model::layout::{RowDef, all_cell_keys};
use crate::model::{Number, Report, Site};
use crate::output::{MemorySink, Sink};

const META: [&str; 7] = [
    "agency",
    "agency_name",
    "category",
    "year",
    "format",
    "published",
    "as_published",
];

/// A text field of a CSV download. Text starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`: a spreadsheet opening the
/// file would otherwise run it as a formula (`=HYPERLINK(…)`). Only names
/// and labels go through here, never figures (a 2019 change may be -3).
pub(crate) fn csv_field(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        return format!("\"'{}\"", text.replace('"', "\"\""));
    }
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn json_str(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialize")
}

/// Every cell of a report in table order, as its row, column and value;
/// `None` for a cell the published report left blank. Cells of the other
/// format are absent.
fn all_cells(
    report: &Report,
) -> impl Iterator<Item = (&'static RowDef, usize, Option<Number>)> + '_ {
    report
        .active
        .iter()
        .chain(report.requests.iter())
        .chain(report.reviews.iter())
        .flat_map(|row| {
            (0..row.def.width()).map(move |i| {
                let value = match row.cell(i) {
                    Some(cell) => cell.value(),
                    None => Some(row.value(i)),
                };
                (row.def, i, value)
            })
        })
}

/// The cells that have a value.
fn cells(report: &Report) -> impl Iterator<Item = (&'static RowDef, usize, Number)> + '_ {
    all_cells(report).filter_map(|(def, i, value)| value.map(|v| (def, i, v)))
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

/// `data/reports.csv`: UTF-8 with BOM so Excel reads the Chinese names;
/// one line per report, a column per cell key of both formats.
pub struct CsvColumns {
    keys: Vec<(String, String)>,
    column: HashMap<String, usize>,
}

impl CsvColumns {
    pub fn new() -> Self {
        let keys = all_cell_keys();
        let column = keys
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
        CsvColumns { keys, column }
    }

    /// The BOM and the header line.
    pub fn header(&self) -> String {
        let header: Vec<&str> = META
            .iter()
            .copied()
            .chain(self.keys.iter().map(|(k, _)| k.as_str()))
            .collect();
        format!("\u{feff}{}\r\n", header.join(","))
    }

    /// One report's line.
    pub fn line(&self, site: &Site, report: &Report) -> String {
        let mut line = String::with_capacity(1024);
        for (i, field) in meta(site, report).iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&csv_field(field));
        }
        let mut values: Vec<Option<Number>> = vec![None; self.keys.len()];
        let mut key = String::new();
        for (def, i, value) in cells(report) {
            key.clear();
            def.push_cell_key(i, &mut key);
            if let Some(&at) = self.column.get(key.as_str()) {
                values[at] = Some(value);
            }
        }
        for value in values {
            line.push(',');
            if let Some(v) = value {
                let _ = write!(line, "{v}");
            }
        }
        line.push_str("\r\n");
        line
    }
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
    for (n, (def, i, value)) in all_cells(report).enumerate() {
        if n > 0 {
            out.push(',');
        }
        // Cell keys are `[a-z_.]`: nothing to escape.
        out.push('"');
        def.push_cell_key(i, &mut out);
        out.push_str("\":");
        match value {
            Some(v) => {
                let _ = write!(out, "{v}");
            }
            None => out.push_str("null"),
        }
    }
    out.push_str("}}");
    out
}

/// `data/reports.json` is an array of the report objects made by
/// [`report_json`], one per line.
pub const JSON_OPEN: &str = "[\n";
pub const JSON_SEPARATOR: &str = ",\n";
pub const JSON_CLOSE: &str = "\n]\n";

/// `<year>/summary.csv`: the year's district aggregate, one row per cell key.
pub fn summary_csv(aggregate: &Aggregate) -> String {
    let mut out = String::from("\u{feff}key,label,value\r\n");
    let rows = aggregate
        .active
        .iter()
        .flat_map(|(_, _, rows)| rows.iter())
        .chain(aggregate.requests.iter())
        .chain(aggregate.reviews.iter());
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

/// `data/reports.csv` and `data/reports.json`, streamed a slice of reports
/// at a time, so that the 100 MB of a large site's data never sit in memory
/// at once.
pub(super) fn write_tables(site: &Site, reports: &[&Report], sink: &dyn Sink) -> Result<()> {
    fn io(path: &'static str) -> impl Fn(std::io::Error) -> Error {
        move |e| Error::io(Path::new(path), e)
    }
    let keys = CsvColumns::new();
    let mut csv = sink.stream(Path::new("data/reports.csv"))?;
    let mut json = sink.stream(Path::new("data/reports.json"))?;
    csv.write_all(keys.header().as_bytes())
        .map_err(io("data/reports.csv"))?;
    json.write_all(JSON_OPEN.as_bytes())
        .map_err(io("data/reports.json"))?;
    for (n, slice) in reports.chunks(512).enumerate() {
        let records: Vec<(String, String)> = slice
            .par_iter()
            .map(|report| Ok((report_json(site, report), keys.line(site, report))))
            .collect::<Result<_>>()?;
        for (i, (record, line)) in records.iter().enumerate() {
            if n > 0 || i > 0 {
                json.write_all(JSON_SEPARATOR.as_bytes())
                    .map_err(io("data/reports.json"))?;
            }
            json.write_all(record.as_bytes())
                .map_err(io("data/reports.json"))?;
            csv.write_all(line.as_bytes())
                .map_err(io("data/reports.csv"))?;
        }
    }
    json.write_all(JSON_CLOSE.as_bytes())
        .map_err(io("data/reports.json"))?;
    json.flush().map_err(io("data/reports.json"))?;
    csv.flush().map_err(io("data/reports.csv"))
}

/// `data/reports.csv` and `data/reports.json` of a site, in memory (serve
/// makes them when first asked for, not on every rebuild).
pub fn site_tables(site: &Site) -> Vec<(PathBuf, Vec<u8>)> {
    let reports: Vec<&Report> = site.reports.iter().filter(|r| !r.draft).collect();
    let sink = MemorySink::default();
    // Memory cannot fail.
    let _ = write_tables(site, &reports, &sink);
    sink.files.into_inner().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_that_a_spreadsheet_would_run_is_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "\"'+1\"");
        assert_eq!(csv_field("-1+2"), "\"'-1+2\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("\tx"), "\"'\tx\"");
        assert_eq!(csv_field("卫滨区, 新乡"), "\"卫滨区, 新乡\"");
        assert_eq!(csv_field("卫滨区=1"), "卫滨区=1");
    }
}
