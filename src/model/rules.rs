//! The consistency rules (勾稽关系) of the contract, on loaded reports.
//!
//! Rules return findings; the severity is decided here from the contract
//! (`as_published` turns R1–R6 and X1 into warnings, `draft` turns every
//! problem of its report into a warning). Shape rules (R7, R8) are checked
//! while loading, where the raw YAML is still at hand.

use super::layout::{Format, Role};
use super::{Number, Report, Row, Site, stated};
use crate::diagnostics::{Diagnostic, Diagnostics, Rule, Severity, Span};

/// One broken rule in one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub span: Span,
    pub message: String,
}

/// R1–R6 on one report: the inconsistencies an `as_published` report
/// keeps and lists on its page.
pub fn arithmetic(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    r1(report, &mut out);
    r2(report, &mut out);
    r3(report, &mut out);
    r4_r6(report, &mut out);
    out
}

fn sum_text(values: &[Number]) -> String {
    values
        .iter()
        .map(Number::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// R1: per column, 一 + 二 = （七） + 四.
fn r1(report: &Report, out: &mut Vec<Finding>) {
    let (Some(new), Some(carried_over), Some(total), Some(carried_forward)) = (
        report.request_row(Role::New),
        report.request_row(Role::CarriedOver),
        report.request_row(Role::Total),
        report.request_row(Role::CarriedForward),
    ) else {
        return;
    };
    let width = new.def.width();
    let mut applicant_failed = false;
    for c in 0..width {
        let is_total_column = c == new.def.columns.len();
        if is_total_column && applicant_failed {
            // Already explained by the applicant columns.
            continue;
        }
        let left = new.value(c).checked_add(carried_over.value(c));
        let right = total.value(c).checked_add(carried_forward.value(c));
        if left != right {
            applicant_failed = true;
            let span = carried_forward
                .cell(c)
                .map(|cell| cell.span)
                .unwrap_or(carried_forward.span);
            out.push(Finding {
                rule: Rule::R1,
                span,
                message: format!(
                    "{}: 一、本年新收 {} + 二、上年结转 {} = {}, but 三（七）总计 {} + 四、结转下年度 {} = {}",
                    new.def.column_label(c),
                    new.value(c),
                    carried_over.value(c),
                    left.map(|n| n.to_string()).unwrap_or_else(|| "overflow".into()),
                    total.value(c),
                    carried_forward.value(c),
                    right.map(|n| n.to_string()).unwrap_or_else(|| "overflow".into()),
                ),
            });
        }
    }
}

/// R2: each row of 三 with a written 总计 equals the sum of its six cells.
fn r2(report: &Report, out: &mut Vec<Finding>) {
    for row in report.requests.iter() {
        row_total_rule(row, Rule::R2, out);
    }
}

/// R4–R6: each row of 四 with a written 总计.
fn r4_r6(report: &Report, out: &mut Vec<Finding>) {
    for (row, rule) in report.reviews.iter().zip([Rule::R4, Rule::R5, Rule::R6]) {
        row_total_rule(row, rule, out);
    }
}

fn row_total_rule(row: &Row, rule: Rule, out: &mut Vec<Finding>) {
    let Some(total) = row.total else { return };
    let derived = row.derived_total();
    if derived != Some(total.number()) {
        let labels: Vec<&str> = row.def.columns.iter().map(|c| c.label).collect();
        let values: Vec<Number> = row.cells.iter().map(|c| c.number()).collect();
        out.push(Finding {
            rule,
            span: total.span,
            message: format!(
                "{} is {}, but {} = {} = {}",
                row.def.cite_cell(row.def.columns.len()),
                total.number(),
                labels.join(" + "),
                sum_text(&values),
                derived
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "overflow".into()),
            ),
        });
    }
}

/// R3: per column, a written （七）总计 equals the sum of the rows （一）…（六）.
fn r3(report: &Report, out: &mut Vec<Finding>) {
    let Some(total) = report.request_row(Role::Total).filter(|r| !r.derived) else {
        return;
    };
    for c in 0..total.def.width() {
        let Some(cell) = total.cell(c) else { continue };
        let sum = Number::sum(
            report
                .requests
                .iter()
                .filter(|r| r.def.role == Role::Outcome)
                .map(|r| r.value(c)),
        );
        if sum != Some(cell.number()) {
            out.push(Finding {
                rule: Rule::R3,
                span: cell.span,
                message: format!(
                    "{} is {}, but the sum of rows （一）…（六） is {}",
                    total.def.cite_cell(c),
                    cell.number(),
                    sum.map(|n| n.to_string())
                        .unwrap_or_else(|| "overflow".into()),
                ),
            });
        }
    }
}

/// X6 and X7 on one report: format and blank-cell warnings.
pub fn format_warnings(
    report: &Report,
    format_span: Span,
    other_span: Option<Span>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let expected = Format::for_year(report.year);
    if report.format != expected {
        out.push(Finding {
            rule: Rule::X6,
            span: format_span,
            message: format!(
                "format {} is used for the {} report, but {} reports use the {} format",
                report.format,
                report.year,
                if report.year <= 2020 {
                    "2019 and 2020"
                } else {
                    "2021 and later"
                },
                expected
            ),
        });
    }
    if report.format == Format::F2021 && report.single_other {
        out.push(Finding {
            rule: Rule::X6,
            span: other_span.unwrap_or(format_span),
            message: "三（六）其他处理 is one row, but the 2021 format prints three (no_correction, unpaid_fee, other); kept as published".to_string(),
        });
    }
    // One warning per report: a transcription that keeps a report's blanks
    // has many, and each is deliberate.
    let blank_rows = blank_cells(report);
    if let Some((first_row, first_blanks)) = blank_rows.first() {
        let cells: usize = blank_rows.iter().map(|(_, b)| b.len()).sum();
        let first = first_row.def.cite_cell(first_blanks[0]);
        let message = if cells == 1 {
            format!("{first} is printed blank (null); it is shown blank and counted as 0")
        } else {
            format!(
                "{cells} cells in {} row(s) are printed blank (null), the first {first}; they are shown blank and counted as 0",
                blank_rows.len()
            )
        };
        out.push(Finding {
            rule: Rule::X7,
            span: first_row
                .cell(first_blanks[0])
                .map(|c| c.span)
                .unwrap_or(first_row.span),
            message,
        });
    }
    out
}

/// The cells of a report printed blank (`null`): each row that has some,
/// with their columns (X7, and the audit's `blank_cells` flag).
pub fn blank_cells(report: &Report) -> Vec<(&Row, Vec<usize>)> {
    let mut blank_rows: Vec<(&Row, Vec<usize>)> = Vec::new();
    for row in report
        .active
        .iter()
        .chain(report.requests.iter())
        .chain(report.reviews.iter())
    {
        let blanks: Vec<usize> = (0..row.def.width())
            .filter(|&i| row.cell(i).is_some_and(|c| c.value().is_none()))
            .collect();
        if !blanks.is_empty() {
            blank_rows.push((row, blanks));
        }
    }
    blank_rows
}

/// Checks the rules that look across reports (X1, X2, X5) and adds every
/// report's own arithmetic (R1–R6), with the contract's severities.
pub fn check_site(site: &Site, diagnostics: &mut Diagnostics) {
    use rayon::prelude::*;
    // Each report's rules read only it and its predecessor: in parallel,
    // collected in the reports' order (the diagnostics are sorted anyway).
    let found: Vec<Vec<Diagnostic>> = site
        .reports
        .par_iter()
        .map(|report| check_report(site, report))
        .collect();
    for list in found {
        diagnostics.extend(list);
    }
}

/// The rules of one report: its arithmetic, its carry-over from last year
/// (X1, X2) and its publication date (X5).
pub fn check_report(site: &Site, report: &Report) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for f in arithmetic(report) {
        found.push((f, !report.as_published));
    }
    if let Some(prev) = previous_report(site, report) {
        for f in x1(report, prev) {
            found.push((f, !report.as_published));
        }
        for f in x2(report, prev) {
            found.push((f, false));
        }
    }
    if let Some(f) = x5(site, report) {
        found.push((f, false));
    }
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .map(|(finding, is_error)| Diagnostic {
            severity: if is_error && !report.draft {
                Severity::Error
            } else {
                Severity::Warning
            },
            rule: finding.rule,
            file: report.file.clone(),
            span: Some(finding.span),
            message: finding.message,
            help: None,
        })
        .collect();
    out.extend(x3(report));
    out
}

/// X3: the figures the prose states (「共收到政府信息公开申请26件」) against
/// the table's cells. A warning on the prose file, at the phrase, naming the
/// cell and where it is written.
pub fn x3(report: &Report) -> Vec<Diagnostic> {
    let Some(prose) = &report.prose else {
        return Vec::new();
    };
    let md = report.file.with_extension("md");
    let mut out = Vec::new();
    for section in &prose.sections {
        for s in stated::find(&section.markdown, report.year) {
            let Some((value, cells)) = stated_value(report, &s) else {
                continue;
            };
            if value == s.value {
                continue;
            }
            let before = &section.markdown[..s.start];
            let line = section.body_line + before.matches('\n').count() as u32;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() as u32 + 1;
            let span = Span::new(line, column, section.body_offset + s.start, s.end - s.start);
            out.push(Diagnostic {
                severity: Severity::Warning,
                rule: Rule::X3,
                file: md.clone(),
                span: Some(span),
                message: format!("the prose states 「{}」, but {cells}", s.phrase),
                help: None,
            });
        }
    }
    out
}

/// What the table holds for a stated figure: the sum of its cells, and
/// the cells named with their values and where they are written (`三（七）
/// 总计 · 总计 is 17 (content/a/2024.yaml:45:42)`).
pub fn stated_value(report: &Report, s: &stated::Stated) -> Option<(Number, String)> {
    let mut values = Vec::new();
    let mut names = Vec::new();
    let mut places = Vec::new();
    for &(key, column) in s.cells {
        // 二's phrasings name the 2021 format's columns.
        if key.starts_with("active.") && report.format != Format::F2021 {
            return None;
        }
        let row = report.row(key)?;
        if !row.def.has_total && column.is_none() {
            return None;
        }
        let c = column.unwrap_or(row.def.columns.len());
        values.push(row.value(c));
        names.push(row.def.cite_cell(c));
        let at = row.cell(c).map_or(row.span, |cell| cell.span);
        places.push(format!(
            "{}:{}:{}",
            report.file.display(),
            at.line,
            at.column
        ));
    }
    let sum = Number::sum(values.iter().copied())?;
    let shown = if values.len() == 1 {
        sum.to_string()
    } else {
        format!("{} = {sum}", sum_text(&values))
    };
    Some((
        sum,
        format!("{} is {shown} ({})", names.join(" + "), places.join(", ")),
    ))
}

/// Last year's report of the same agency, unless it is a draft (a draft's
/// figures are not final, so nothing is compared against them).
fn previous_report<'a>(site: &'a Site, report: &Report) -> Option<&'a Report> {
    site.report(&report.agency, report.year - 1)
        .filter(|prev| !prev.draft)
}

/// X1: this year's 二、上年结转 equals last year's 四、结转下年度继续办理.
pub fn x1(report: &Report, prev: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Some(now), Some(then)) = (
        report.request_row(Role::CarriedOver),
        prev.request_row(Role::CarriedForward),
    ) else {
        return out;
    };
    let mut applicant_failed = false;
    for c in 0..now.def.width() {
        if c == now.def.columns.len() && applicant_failed {
            continue;
        }
        if now.value(c) != then.value(c) {
            applicant_failed = true;
            out.push(Finding {
                rule: Rule::X1,
                span: now.cell(c).map(|cell| cell.span).unwrap_or(now.span),
                message: format!(
                    "{} is {}, but the {} report's 四、结转下年度继续办理 · {} is {}",
                    now.def.cite_cell(c),
                    now.value(c),
                    prev.year,
                    now.def.column_label(c),
                    then.value(c)
                ),
            });
        }
    }
    out
}

/// X2: 现行有效 ≈ last year's 现行有效 + 制发 − 废止 (2021 format both years).
pub fn x2(report: &Report, prev: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    if report.format != Format::F2021 || prev.format != Format::F2021 {
        return out;
    }
    for key in ["active.regulations", "active.normative_documents"] {
        let (Some(now), Some(then)) = (report.row(key), prev.row(key)) else {
            continue;
        };
        let (issued, repealed, in_force) = (now.value(0), now.value(1), now.value(2));
        let expected = then
            .value(2)
            .checked_add(issued)
            .and_then(|n| n.checked_sub(repealed));
        if expected != Some(in_force) {
            out.push(Finding {
                rule: Rule::X2,
                span: now.cell(2).map(|c| c.span).unwrap_or(now.span),
                message: format!(
                    "{} is {}, but the {} report's {} + 本年制发件数 {} − 本年废止件数 {} = {}",
                    now.def.cite_cell(2),
                    in_force,
                    prev.year,
                    then.value(2),
                    issued,
                    repealed,
                    expected
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "overflow".into())
                ),
            });
        }
    }
    out
}

/// X5: published after the category's deadline in the following year.
pub fn x5(site: &Site, report: &Report) -> Option<Finding> {
    let published = report.published?;
    let agency = site.agencies.get(&report.agency)?;
    let category = site.config.category(&agency.category)?;
    let deadline = category.deadline.deadline_for(report.year);
    (published > deadline).then(|| Finding {
        rule: Rule::X5,
        span: report.published_span.unwrap_or(Span::start()),
        message: format!(
            "published {published}, after the {} deadline {deadline}: shown as late",
            category.name
        ),
    })
}
