//! The indicator downloads: `indicators.csv`, `peers.csv` and the audit's
//! `flags.csv`; UTF-8 with a BOM and CRLF like the other downloads, rates
//! with four decimals rounded half away from zero, empty where one does
//! not apply or a term was blank.

use std::fmt::Write as _;

use super::flags::Flag;
use super::{Indicators, Key};
use crate::model::Site;
use crate::render::data::csv_field;

/// `year, agency, name, category, ` then the six keys: one row per report
/// (of `year`, or of every year).
pub fn indicators_csv(site: &Site, indicators: &Indicators, year: Option<i32>) -> String {
    let mut out = String::from("\u{feff}year,agency,name,category");
    for key in Key::ALL {
        out.push(',');
        out.push_str(key.as_str());
    }
    out.push_str("\r\n");
    for entry in &indicators.rows {
        let report = entry.report;
        if year.is_some_and(|y| y != report.year) {
            continue;
        }
        let name = site
            .agencies
            .get(&report.agency)
            .map_or("", |a| a.name.as_str());
        let _ = write!(
            out,
            "{},{},{},{}",
            report.year,
            csv_field(&report.agency),
            csv_field(name),
            csv_field(entry.category)
        );
        for v in *entry.values {
            out.push(',');
            out.push_str(&v.csv());
        }
        out.push_str("\r\n");
    }
    out
}

/// `year, category, key, reports, p25, p50, p75`: one row per year,
/// category and indicator that applies to at least one report.
pub fn peers_csv(indicators: &Indicators, year: Option<i32>) -> String {
    let mut out = String::from("\u{feff}year,category,key,reports,p25,p50,p75\r\n");
    for ((y, category), group) in &indicators.peers {
        if year.is_some_and(|year| year != *y) {
            continue;
        }
        for key in Key::ALL {
            let Some(stat) = group.stat(key) else {
                continue;
            };
            let q = stat.quartiles;
            let _ = write!(
                out,
                "{y},{},{},{},{},{},{}\r\n",
                csv_field(category),
                key.as_str(),
                stat.reports,
                q.p25.decimal(4),
                q.p50.decimal(4),
                q.p75.decimal(4)
            );
        }
    }
    out
}

/// `year, agency, name, flag, detail`: one row per flag.
pub fn flags_csv(flags: &[Flag]) -> String {
    let mut out = String::from("\u{feff}year,agency,name,flag,detail\r\n");
    for flag in flags {
        let _ = write!(
            out,
            "{},{},{},{},{}\r\n",
            flag.year,
            csv_field(&flag.agency.slug),
            csv_field(&flag.agency.name),
            flag.kind.as_str(),
            csv_field(&flag.line())
        );
    }
    out
}
