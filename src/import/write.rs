//! Writing an imported report in the content format: `<year>.yaml` with
//! every official row (labels as comments, blanks as `null`), `<year>.md`,
//! and `agency.yaml` for a new agency.

use std::fmt::Write as _;

use super::Imported;
use crate::model::layout::{REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, RowDef, request_rows};

fn list(cells: &[super::tables::Cell]) -> String {
    let items: Vec<String> = cells.iter().map(super::tables::Cell::text).collect();
    format!("[{}]", items.join(", "))
}

fn line(out: &mut String, indent: usize, key: &str, value: &str, comment: &str) {
    let text = format!("{:indent$}{key}: {value}", "");
    let _ = writeln!(out, "{text:<52} # {comment}");
}

/// `<year>.yaml` of an imported report.
pub fn report_yaml(r: &Imported, source: &str) -> String {
    let t = &r.tables;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} {}年政府信息公开工作年度报告（gongkai import: {source}）",
        r.name, r.year
    );
    let _ = writeln!(out, "year: {}", r.year);
    let _ = writeln!(out, "format: {}", t.format);
    let _ = writeln!(out, "draft: false");
    if let Some(d) = r.published {
        let _ = writeln!(out, "published: {d}");
    }
    if let Some(i) = &r.index_number {
        let _ = writeln!(out, "index_number: \"{}\"", i.replace('"', ""));
    }
    let _ = writeln!(out, "as_published: {}", r.as_published());
    let _ = writeln!(out);
    let _ = writeln!(out, "active:                 # 二、主动公开政府信息情况");
    for (def, cells) in t.format.active_rows().iter().zip(&t.active) {
        let value = if def.scalar {
            cells[0].text()
        } else {
            list(cells)
        };
        let labels: Vec<&str> = def.columns.iter().map(|c| c.label).collect();
        line(
            &mut out,
            2,
            def.path_in_section(),
            &value,
            &format!(
                "{} {}: {}",
                def.group.unwrap_or_default(),
                def.label,
                labels.join(", ")
            ),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "requests:               # 三、收到和处理政府信息公开申请情况"
    );
    let labels: Vec<&str> = REQUEST_COLUMNS.iter().map(|c| c.label).collect();
    let _ = writeln!(out, "  # columns: {}, 总计", labels.join(", "));
    let mut group = "";
    for (def, cells) in request_rows(t.single_other).iter().zip(&t.requests) {
        row(&mut out, def, &list(cells), &mut group, t.single_other);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "reviews:                # 四、政府信息公开行政复议、行政诉讼情况"
    );
    let labels: Vec<&str> = REVIEW_COLUMNS.iter().map(|c| c.label).collect();
    let _ = writeln!(out, "  # columns: {}, 总计", labels.join(", "));
    for (def, cells) in REVIEW_ROWS.iter().zip(&t.reviews) {
        let comment = match def.group {
            Some(g) => format!("{g} · {}", def.label),
            None => def.label.to_string(),
        };
        line(&mut out, 2, def.path_in_section(), &list(cells), &comment);
    }
    out
}

fn row(out: &mut String, def: &RowDef, value: &str, group: &mut &'static str, single: bool) {
    match def.path_in_section().split_once('.') {
        Some((g, leaf)) => {
            if *group != g {
                *group = g;
                let _ = writeln!(
                    out,
                    "  {:<50} # 三{}",
                    format!("{g}:"),
                    def.group.unwrap_or_default()
                );
            }
            line(out, 4, leaf, value, def.label);
        }
        None => {
            *group = "";
            let comment = if single && def.key == "requests.other" {
                format!("{}（本报告印为一行）", def.cite)
            } else {
                def.cite.to_string()
            };
            line(out, 2, def.path_in_section(), value, &comment);
        }
    }
}
