//! `<year>.yaml` → [`Report`]: metadata, then every row of the three tables,
//! each cell read from its source text with its position.

use super::fields::{self, Fields, FileCx, show};
use super::yaml::{Kind, Node};
use crate::diagnostics::Rule;
use crate::model::layout::{ColumnKind, Format, REVIEW_ROWS, Role, RowDef, request_rows};
use crate::model::number::{MAX_CELL, ParseNumberError};
use crate::model::{Cell, Date, Number, Report, Row, rules};

const TOP_KEYS: &[&str] = &[
    "year",
    "format",
    "draft",
    "published",
    "index_number",
    "as_published",
    "active",
    "requests",
    "reviews",
];

/// Reads a report. Returns `None` when its tables could not be read whole;
/// every problem is in `cx`.
pub fn parse(cx: &mut FileCx, root: &Node, agency: &str, file_year: i32) -> Option<Report> {
    let fields = Fields::new(cx, root, TOP_KEYS, "the report")?;

    let year = fields
        .require(cx, "year", "the report")
        .and_then(|n| fields::year(cx, n, "`year`"));
    if let (Some(y), Some(node)) = (year, fields.get("year"))
        && y != file_year
    {
        cx.error_help(
            Rule::Year,
            node.span,
            format!("`year` is {y}, but the file is named {file_year}.yaml"),
            format!("rename the file to {y}.yaml, or write `year: {file_year}`"),
        );
    }

    let (format, format_span) = match fields.get("format") {
        Some(node) => {
            let text = match &node.kind {
                Kind::Number(t) | Kind::Str(t) => t.as_str(),
                _ => "",
            };
            match Format::parse(text) {
                Some(f) => (Some(f), node.span),
                None => {
                    cx.error(
                        Rule::Type,
                        node.span,
                        format!("`format` must be 2019 or 2021, not {}", show(node)),
                    );
                    (None, node.span)
                }
            }
        }
        None => (Some(Format::F2021), fields.span),
    };

    let flag = |cx: &mut FileCx, key: &str| {
        fields
            .get(key)
            .and_then(|n| fields::boolean(cx, n, &format!("`{key}`")))
            .unwrap_or(false)
    };
    let draft = flag(cx, "draft");
    let as_published = flag(cx, "as_published");

    let published_span = fields.get("published").map(|n| n.span);
    let published = fields.get("published").and_then(|node| {
        let text = fields::text(cx, node, "`published`")?;
        let date = Date::parse(&text);
        if date.is_none() {
            cx.error(
                Rule::Type,
                node.span,
                format!("`published` must be a date such as 2025-01-20, not \"{text}\""),
            );
        }
        date
    });
    let index_number = fields
        .get("index_number")
        .and_then(|n| fields::text(cx, n, "`index_number`"))
        .filter(|s| !s.is_empty());

    let errors_before = cx.has_errors();
    let mut tables = Tables::default();
    let format = format?;

    if let Some(node) = fields.require(cx, "active", "the report") {
        let context = format!("`active` (二、主动公开政府信息情况, {format} format)");
        tables.active = read_section(cx, node, format.active_rows(), "active", &context);
    }
    let mut single_other = format == Format::F2019;
    let mut other_span = None;
    if let Some(node) = fields.require(cx, "requests", "the report") {
        if let Some((key, value)) = node.as_map().and_then(|m| {
            m.iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == "other"))
        }) {
            other_span = Some(key.span);
            if format == Format::F2021 {
                single_other = matches!(value.kind, Kind::Seq(_));
            }
        }
        let context = "`requests` (三、收到和处理政府信息公开申请情况)";
        tables.requests = read_section(cx, node, request_rows(single_other), "requests", context);
    }
    if let Some(node) = fields.require(cx, "reviews", "the report") {
        let context = "`reviews` (四、政府信息公开行政复议、行政诉讼情况)";
        tables.reviews = read_section(cx, node, REVIEW_ROWS, "reviews", context);
    }

    let (Some(year), Some(active), Some(mut requests), Some(reviews)) =
        (year, tables.active, tables.requests, tables.reviews)
    else {
        return None;
    };
    if cx.has_errors() && !errors_before {
        return None;
    }
    if !derive_total(cx, &mut requests) {
        return None;
    }
    let report = Report {
        agency: agency.to_string(),
        year,
        format,
        draft,
        published,
        index_number,
        as_published,
        single_other,
        active: active.into(),
        requests: requests.into(),
        reviews: reviews.into(),
        file: cx.file.clone(),
        published_span,
        prose: None,
        has_pdf: false,
        source_hash: 0,
    };
    for finding in rules::format_warnings(&report, format_span, other_span) {
        cx.warning(finding.rule, finding.span, finding.message);
    }
    if cx.has_errors() {
        return None;
    }
    Some(report)
}

#[derive(Default)]
struct Tables {
    active: Option<Vec<Row>>,
    requests: Option<Vec<Row>>,
    reviews: Option<Vec<Row>>,
}

/// Reads the rows `defs` from a section mapping (`requests:` …), including
/// its nested groups (`withheld:` …). `None` if any row is missing or broken.
fn read_section(
    cx: &mut FileCx,
    node: &Node,
    defs: &'static [RowDef],
    section: &str,
    context: &str,
) -> Option<Vec<Row>> {
    let mut rows: Vec<Option<Row>> = vec![None; defs.len()];
    let mut ok = true;
    read_group(cx, node, defs, section, context, &mut rows, &mut ok);
    if !ok {
        return None;
    }
    rows.into_iter()
        .zip(defs)
        .map(|(row, def)| {
            row.or_else(|| {
                // Only the （七）总计 row may be left out; it is derived below.
                (def.role == Role::Total).then(|| Row {
                    def,
                    cells: Vec::new(),
                    total: None,
                    span: node.span,
                    derived: true,
                })
            })
        })
        .collect()
}

fn read_group(
    cx: &mut FileCx,
    node: &Node,
    defs: &'static [RowDef],
    prefix: &str,
    context: &str,
    rows: &mut [Option<Row>],
    ok: &mut bool,
) {
    let below =
        |def: &RowDef| -> Option<&'static str> { def.key.strip_prefix(prefix)?.strip_prefix('.') };
    let mut known: Vec<&str> = Vec::new();
    for def in defs {
        if let Some(rest) = below(def) {
            let first = rest.split('.').next().unwrap_or(rest);
            if !known.contains(&first) {
                known.push(first);
            }
        }
    }
    let Some(fields) = Fields::new(cx, node, &known, context) else {
        *ok = false;
        return;
    };
    if cx.has_errors() {
        *ok = false;
    }
    for name in &known {
        let path = format!("{prefix}.{name}");
        let members: Vec<usize> = (0..defs.len())
            .filter(|&i| {
                defs[i]
                    .key
                    .strip_prefix(path.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
            .collect();
        let value = fields.get(name);
        if members.len() == 1 && defs[members[0]].key == path {
            let def = &defs[members[0]];
            match value {
                Some(v) => match read_row(cx, v, def) {
                    Some(row) => rows[members[0]] = Some(row),
                    None => *ok = false,
                },
                None if def.role == Role::Total => {}
                None => {
                    *ok = false;
                    cx.error_help(
                        Rule::MissingRow,
                        fields.span,
                        format!("missing row `{name}` ({}) in {context}", def.cite),
                        "every row of the official table is required, even when all zero: `gongkai new` scaffolds them all".to_string(),
                    );
                }
            }
        } else {
            let group_context = format!("`{path}`");
            match value {
                Some(v) => read_group(cx, v, defs, &path, &group_context, rows, ok),
                None => {
                    *ok = false;
                    let cites: Vec<&str> = members.iter().map(|&i| defs[i].cite).collect();
                    cx.error_help(
                        Rule::MissingRow,
                        fields.span,
                        format!(
                            "missing `{name}` in {context}: its {} rows {} are required",
                            members.len(),
                            cites.join("、")
                        ),
                        "every row of the official table is required, even when all zero: `gongkai new` scaffolds them all".to_string(),
                    );
                }
            }
        }
    }
}

/// Reads one row: a list of cells (or one figure), checking R7 and R8.
fn read_row(cx: &mut FileCx, node: &Node, def: &'static RowDef) -> Option<Row> {
    let items: Vec<&Node> = match (&node.kind, def.scalar) {
        (Kind::Seq(items), false) => items.iter().collect(),
        (Kind::Seq(_), true) => {
            cx.error(
                Rule::R8,
                node.span,
                format!(
                    "{} is one figure ({}) in the 2021 format, not a list",
                    def.cite, def.columns[0].label
                ),
            );
            return None;
        }
        (Kind::Map(_), false) if def.key == "requests.other" => {
            cx.error_help(
                Rule::R8,
                node.span,
                "三（六）其他处理 is one row in the 2019 format, not three".to_string(),
                "write `other: [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计]`, or use `format: 2021`".to_string(),
            );
            return None;
        }
        (_, true) => vec![node],
        (_, false) => {
            cx.error(
                Rule::R8,
                node.span,
                format!(
                    "{} must be a list of numbers such as [{}], not {}",
                    def.cite,
                    vec!["0"; def.columns.len()].join(", "),
                    node.describe()
                ),
            );
            return None;
        }
    };
    let data = def.columns.len();
    let fits = items.len() == data || (def.has_total && items.len() == data + 1);
    if !fits {
        let labels: Vec<&str> = def.columns.iter().map(|c| c.label).collect();
        let expected = if def.has_total {
            format!("{data} ({}) or {} (with 总计)", labels.join(", "), data + 1)
        } else {
            format!("{data} ({})", labels.join(", "))
        };
        cx.error(
            Rule::R8,
            node.span,
            format!(
                "{} has {} number{}, but this row has {expected}",
                def.cite,
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            ),
        );
        return None;
    }
    let mut cells = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let kind = def.columns.get(i).map_or(ColumnKind::Count, |c| c.kind);
        match read_cell(cx, item, def, i, kind) {
            Some(cell) => cells.push(cell),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let total = (cells.len() > data).then(|| cells.pop()).flatten();
    Some(Row {
        def,
        cells,
        total,
        span: node.span,
        derived: false,
    })
}

/// Reads one cell from its source text (R7).
fn read_cell(
    cx: &mut FileCx,
    node: &Node,
    def: &RowDef,
    column: usize,
    kind: ColumnKind,
) -> Option<Cell> {
    // Only messages need the cell's name: made when one is printed.
    let cite = || def.cite_cell(column);
    let text = match &node.kind {
        Kind::Null => {
            return Some(Cell::blank(node.span));
        }
        Kind::Number(t) => t,
        Kind::Str(s) => {
            let quoted_number = Number::parse(s.trim()).is_ok();
            let message = format!("{} is the text \"{s}\", not a number", cite());
            if quoted_number {
                cx.error_help(
                    Rule::R7,
                    node.span,
                    message,
                    format!("write the number without quotes: {}", s.trim()),
                );
            } else {
                cx.error_help(
                    Rule::R7,
                    node.span,
                    message,
                    "write a number, or null (~) for a cell the published report left blank"
                        .to_string(),
                );
            }
            return None;
        }
        _ => {
            cx.error(
                Rule::R7,
                node.span,
                format!("{} must be a number, not {}", cite(), node.describe()),
            );
            return None;
        }
    };
    let too_large = |cx: &mut FileCx| {
        cx.error(
            Rule::TooLarge,
            node.span,
            if text.starts_with('-') {
                format!(
                    "{} is {text}, further below zero than any real figure (the limit is -{MAX_CELL})",
                    cite()
                )
            } else {
                format!(
                    "{} is {text}, larger than any real figure (the limit is {MAX_CELL})",
                    cite()
                )
            },
        );
    };
    let number = match Number::parse(text) {
        Ok(n) => n,
        Err(ParseNumberError::TooLarge) => {
            too_large(cx);
            return None;
        }
        Err(ParseNumberError::TooManyDecimals) => {
            cx.error(
                Rule::R7,
                node.span,
                format!("{} is {text}: at most 6 decimal places", cite()),
            );
            return None;
        }
        Err(ParseNumberError::NotANumber) => {
            cx.error(
                Rule::R7,
                node.span,
                format!("{} is {text}, not a plain decimal number", cite()),
            );
            return None;
        }
    };
    let problem = match kind {
        ColumnKind::Count if !number.is_integer() || number.is_negative() => {
            Some("counts are whole numbers ≥ 0")
        }
        ColumnKind::Change if !number.is_integer() => Some("本年增/减 is a whole number"),
        ColumnKind::Amount if number.is_negative() => Some("an amount in 万元 is ≥ 0"),
        _ => None,
    };
    if let Some(problem) = problem {
        cx.error(
            Rule::R7,
            node.span,
            format!("{} is {text}, but {problem}", cite()),
        );
        return None;
    }
    let cell = Cell::new(Some(number), node.span);
    if cell.is_none() {
        too_large(cx);
    }
    cell
}

/// Fills a left-out （七）总计 row with the sums of the rows （一）…（六）.
fn derive_total(cx: &mut FileCx, requests: &mut [Row]) -> bool {
    let Some(index) = requests
        .iter()
        .position(|r| r.def.role == Role::Total && r.derived)
    else {
        return true;
    };
    let columns = requests[index].def.columns.len();
    let mut cells = Vec::with_capacity(columns);
    for c in 0..columns {
        let sum = Number::sum(
            requests
                .iter()
                .filter(|r| r.def.role == Role::Outcome)
                .map(|r| r.value(c)),
        );
        let Some(cell) = sum.and_then(|sum| Cell::new(Some(sum), requests[index].span)) else {
            cx.error(
                Rule::TooLarge,
                requests[index].span,
                "the sum of rows （一）…（六） overflows".to_string(),
            );
            return false;
        };
        cells.push(cell);
    }
    requests[index].cells = cells;
    true
}
