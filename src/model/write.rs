//! The one writer of report YAML, driven by the official layout
//! ([`super::layout`]): every row in the official order, each labelled in a
//! comment, so a clerk can read the file against the printed tables. `new`
//! (a zero draft), `import` (a published report, blanks as `null`) and the
//! generator (synthetic sites) all write through it.

use std::fmt::Write as _;

use super::layout::{Format, REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, RowDef, request_rows};

/// A report to write: its metadata and the text of every cell (a number as
/// written, or `null`), row by row in the official order.
#[derive(Clone, Debug)]
pub struct ReportText {
    /// Comment lines at the top (without `# `).
    pub comments: Vec<String>,
    pub year: i32,
    pub format: Format,
    pub draft: bool,
    /// `YYYY-MM-DD`; unknown in a draft, a commented line shows where it
    /// goes.
    pub published: Option<String>,
    /// 索引号; unknown in a draft, a commented line shows where it goes.
    pub index_number: Option<String>,
    pub as_published: bool,
    /// 三（六） printed as one row (`other:`): the 2019 format, or a 2021
    /// report printed so.
    pub single_other: bool,
    /// Section 二, one entry per row of `format.active_rows()`: a scalar
    /// row has one cell.
    pub active: Vec<Vec<String>>,
    /// Section 三, one entry per row of `request_rows(single_other)`.
    pub requests: Vec<Vec<String>>,
    /// Section 四, one entry per row of `REVIEW_ROWS`.
    pub reviews: Vec<Vec<String>>,
}

impl ReportText {
    /// A report of zeros in `format` (every row, totals included).
    pub fn zeros(year: i32, format: Format) -> Self {
        let single_other = format == Format::F2019;
        let zeros = |defs: &[RowDef]| -> Vec<Vec<String>> {
            defs.iter()
                .map(|d| vec!["0".to_string(); if d.scalar { 1 } else { d.width() }])
                .collect()
        };
        ReportText {
            comments: Vec::new(),
            year,
            format,
            draft: true,
            published: None,
            index_number: None,
            as_published: false,
            single_other,
            active: zeros(format.active_rows()),
            requests: zeros(request_rows(single_other)),
            reviews: zeros(REVIEW_ROWS),
        }
    }

    /// `<year>.yaml` as text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            let _ = writeln!(out, "# {c}");
        }
        let year = self.year;
        let _ = writeln!(out, "year: {year}");
        let _ = writeln!(out, "format: {}", self.format);
        let _ = writeln!(out, "draft: {}", self.draft);
        match &self.published {
            Some(d) => {
                let _ = writeln!(out, "published: {d}");
            }
            None if self.draft => {
                let _ = writeln!(out, "# published: {}-01-20      # 公开日期", year + 1);
            }
            None => {}
        }
        match &self.index_number {
            Some(i) => {
                let _ = writeln!(out, "index_number: \"{}\"", i.replace(['"', '\\'], ""));
            }
            None if self.draft => {
                let _ = writeln!(out, "# index_number: \"\"          # 索引号");
            }
            None => {}
        }
        let _ = writeln!(out, "as_published: {}", self.as_published);
        let _ = writeln!(out);

        let _ = writeln!(out, "active:                 # 二、主动公开政府信息情况");
        for (def, cells) in self.format.active_rows().iter().zip(&self.active) {
            let value = if def.scalar {
                cells.first().cloned().unwrap_or_else(|| "null".into())
            } else {
                list(cells)
            };
            let labels: Vec<&str> = def.columns.iter().map(|c| c.label).collect();
            let comment = format!(
                "{} {}: {}",
                def.group.unwrap_or_default(),
                def.label,
                labels.join(", ")
            );
            line(&mut out, 2, def.path_in_section(), &value, &comment);
        }
        let _ = writeln!(out);

        let labels: Vec<&str> = REQUEST_COLUMNS.iter().map(|c| c.label).collect();
        let _ = writeln!(
            out,
            "requests:               # 三、收到和处理政府信息公开申请情况"
        );
        let _ = writeln!(out, "  # 列：{}, 总计", labels.join(", "));
        let mut group = "";
        for (def, cells) in request_rows(self.single_other).iter().zip(&self.requests) {
            self.request_row(&mut out, def, &list(cells), &mut group);
        }
        let _ = writeln!(out);

        let labels: Vec<&str> = REVIEW_COLUMNS.iter().map(|c| c.label).collect();
        let _ = writeln!(
            out,
            "reviews:                # 四、政府信息公开行政复议、行政诉讼情况"
        );
        let _ = writeln!(out, "  # 列：{}, 总计", labels.join(", "));
        for (def, cells) in REVIEW_ROWS.iter().zip(&self.reviews) {
            let comment = match def.group {
                Some(g) => format!("{g} · {}", def.label),
                None => def.label.to_string(),
            };
            line(&mut out, 2, def.path_in_section(), &list(cells), &comment);
        }
        out
    }

    /// A row of 三: rows of 三（三）…（六） sit under their group's key.
    fn request_row(&self, out: &mut String, def: &RowDef, value: &str, group: &mut &'static str) {
        match def.path_in_section().split_once('.') {
            Some((g, leaf)) => {
                if *group != g {
                    *group = g;
                    let label = def.group.unwrap_or_default();
                    let _ = writeln!(out, "  {:<46}# 三{label}", format!("{g}:"));
                }
                line(out, 4, leaf, value, def.label);
            }
            None => {
                *group = "";
                // A 2021 report printing （六） as one row says so (X6).
                let comment = if self.single_other
                    && self.format == Format::F2021
                    && def.key == "requests.other"
                {
                    format!("{}（本报告印为一行）", def.cite)
                } else {
                    def.cite.to_string()
                };
                line(out, 2, def.path_in_section(), value, &comment);
            }
        }
    }
}

/// `key: value` with its label as a comment in column 49 (or one space
/// after a long value: YAML needs the space before `#`).
fn line(out: &mut String, indent: usize, key: &str, value: &str, comment: &str) {
    let body = format!("{:indent$}{:<21} {value}", "", format!("{key}:"));
    let _ = writeln!(out, "{body:<47} # {comment}");
}

fn list(cells: &[String]) -> String {
    format!("[{}]", cells.join(", "))
}

/// `agency.yaml` for a new agency, with the optional keys as comments.
pub fn agency_yaml(name: &str, category: &str) -> String {
    format!(
        "name: {name}\n\
         category: {category}\n\
         # short_name: 简称，用于列表和表格\n\
         # order: 100             # 同类机构中的排序\n\
         # code: \"\"             # 统一社会信用代码，用于索引号\n\
         # reports_from: 2019     # 第一份应公开的年度报告（默认：第一份报告）\n\
         # reports_until: 2024    # 机构撤并后的最后一份年度报告\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;

    /// A long value keeps a space before its comment (YAML needs it).
    #[test]
    fn a_long_value_is_still_apart_from_its_comment() {
        let mut text = ReportText::zeros(2024, Format::F2021);
        text.requests[0] = vec!["123456789".to_string(); 7];
        let yaml = text.to_yaml();
        let row = yaml.lines().find(|l| l.starts_with("  new:")).unwrap();
        assert!(row.contains("123456789] # 一、本年新收"), "{row}");
        assert!(yaml::parse(&yaml).is_ok());
    }

    /// Every writer's output reads back as the layout's rows.
    #[test]
    fn zeros_of_both_formats_read_back_with_every_row() {
        for format in [Format::F2019, Format::F2021] {
            let text = ReportText::zeros(2024, format).to_yaml();
            let node = yaml::parse(&text).unwrap();
            let map = node.as_map().unwrap();
            let keys: Vec<String> = map.iter().map(|(k, _)| k.key_str()).collect();
            assert_eq!(
                keys,
                [
                    "year",
                    "format",
                    "draft",
                    "as_published",
                    "active",
                    "requests",
                    "reviews"
                ]
            );
            let rows = text
                .lines()
                .filter(|l| l.split('#').next().unwrap_or("").trim_end().ends_with(']'))
                .count();
            let want = format.active_rows().iter().filter(|d| !d.scalar).count()
                + request_rows(format == Format::F2019).len()
                + REVIEW_ROWS.len();
            assert_eq!(rows, want, "{format}");
        }
    }
}
