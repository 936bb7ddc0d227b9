//! Flags: the facts a supervisor must look at in a year's reports, each
//! with its evidence (the cells, rules, dates or measures behind it).
//!
//! `prose_mismatch` is raised from the diagnostics of rule X3 (prose
//! figures against the tables) when the load produced any: the flag reads
//! whatever X3 diagnostics it is given, so it needs no change when that rule
//! is added or refined.

use std::collections::BTreeSet;

use super::similarity::similarity;
use super::{Ratio, new_requests, peers, previous};
use crate::aggregate::{self, Status};
use crate::diagnostics::{Diagnostics, Rule};
use crate::model::{Agency, Date, Number, ProseKind, Report, Site, rules};

/// The kinds of flag, in the order of pages and files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Late,
    Missing,
    Inconsistent,
    BlankCells,
    ProseMismatch,
    CopiedProse,
    Jump,
    ZeroReport,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Late,
        Kind::Missing,
        Kind::Inconsistent,
        Kind::BlankCells,
        Kind::ProseMismatch,
        Kind::CopiedProse,
        Kind::Jump,
        Kind::ZeroReport,
    ];

    /// The key of code, `flags.csv`, templates and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Late => "late",
            Kind::Missing => "missing",
            Kind::Inconsistent => "inconsistent",
            Kind::BlankCells => "blank_cells",
            Kind::ProseMismatch => "prose_mismatch",
            Kind::CopiedProse => "copied_prose",
            Kind::Jump => "jump",
            Kind::ZeroReport => "zero_report",
        }
    }

    /// The Chinese name printed on the review page.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Late => "逾期公开",
            Kind::Missing => "未公开",
            Kind::Inconsistent => "数据不一致",
            Kind::BlankCells => "表格留空",
            Kind::ProseMismatch => "正文与表格不符",
            Kind::CopiedProse => "正文雷同上年",
            Kind::Jump => "申请量突变",
            Kind::ZeroReport => "全零报告",
        }
    }

    /// When it is raised, in Chinese (the review page's 口径说明).
    pub fn rule(self) -> &'static str {
        match self {
            Kind::Late => "公开日期晚于所属类别的公开期限（次年）",
            Kind::Missing => "应公开年度没有正式（非草稿）报告",
            Kind::Inconsistent => {
                "按原样公开（as_published）的报告违反勾稽关系 R1–R6 或与上年衔接 X1"
            }
            Kind::BlankCells => "表格中有印为空白的单元格（X7）",
            Kind::ProseMismatch => "正文中的数字与表格不符（X3）",
            Kind::CopiedProse => {
                "“五、存在的主要问题及改进情况”或全文与本机关上一年度报告的相似度不低于 90%"
            }
            Kind::Jump => {
                "一、本年新收（总计）为上年的 5 倍及以上或 1/5 及以下，且两年中较大者不少于 20 件"
            }
            Kind::ZeroReport => {
                "三、四两部分所有数字均为 0，而同类机关本年新收（总计）的中位数大于 0"
            }
        }
    }
}

/// One flag of one agency in one year.
#[derive(Clone, Debug)]
pub struct Flag<'a> {
    pub year: i32,
    pub agency: &'a Agency,
    pub kind: Kind,
    /// What was found, in one line.
    pub detail: String,
    /// The findings behind it (broken rules, each with its line), if several.
    pub evidence: Vec<String>,
    /// The report, when there is one (not for `missing`).
    pub report: Option<&'a Report>,
}

impl Flag<'_> {
    /// The detail and its evidence in one line (`flags.csv`).
    pub fn line(&self) -> String {
        if self.evidence.is_empty() {
            self.detail.clone()
        } else {
            format!("{}：{}", self.detail, self.evidence.join("；"))
        }
    }
}

/// The similarity from which prose counts as copied: 90%.
pub const COPIED: (i128, i128) = (9, 10);
/// A jump: a factor of 5 either way…
pub const JUMP_FACTOR: i128 = 5;
/// …with the larger year at least 20 requests.
pub const JUMP_FLOOR: i128 = 20;

/// Days from 1970-01-01 (proleptic Gregorian), to count days late.
fn days(d: Date) -> i64 {
    let (y, m) = if d.month <= 2 {
        (i64::from(d.year) - 1, i64::from(d.month) + 9)
    } else {
        (i64::from(d.year), i64::from(d.month) - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A count or median as text: whole, or with its decimals (a median of an
/// even count may be x.5).
fn plain(r: Ratio) -> String {
    if r.denominator() == 1 {
        r.numerator().to_string()
    } else {
        r.decimal(4).trim_end_matches('0').to_string()
    }
}

/// Every flag of `year`, in the order of agencies (slug) and kinds.
/// `diagnostics` are the load's: its X3 findings raise `prose_mismatch`.
pub fn flags<'a>(site: &'a Site, diagnostics: &Diagnostics, year: i32) -> Vec<Flag<'a>> {
    let site_years: BTreeSet<i32> = aggregate::years(site).keys().copied().collect();
    let medians = new_request_medians(site, year);
    let mut out = Vec::new();
    for agency in site.agencies.values() {
        if !aggregate::expected_years(site, agency, &site_years).contains(&year) {
            continue;
        }
        let report = site.report(&agency.slug, year).filter(|r| !r.draft);
        let mut push = |kind: Kind, detail: String, evidence: Vec<String>| {
            out.push(Flag {
                year,
                agency,
                kind,
                detail,
                evidence,
                report,
            })
        };
        let deadline = site
            .config
            .category(&agency.category)
            .map(|c| c.deadline.deadline_for(year));
        match aggregate::status(site, agency, year) {
            Status::Late {
                published,
                deadline,
            } => push(
                Kind::Late,
                format!(
                    "{published} 公开，期限 {deadline}，逾期 {} 天",
                    days(published) - days(deadline)
                ),
                Vec::new(),
            ),
            Status::Missing => push(
                Kind::Missing,
                match deadline {
                    Some(d) => format!("未公开 {year} 年度报告（期限 {d}）"),
                    None => format!("未公开 {year} 年度报告"),
                },
                Vec::new(),
            ),
            _ => {}
        }
        let Some(report) = report else { continue };
        let prev = previous(site, report);
        if let Some((detail, evidence)) = inconsistent(report, prev) {
            push(Kind::Inconsistent, detail, evidence);
        }
        if let Some(detail) = blank_cells(report) {
            push(Kind::BlankCells, detail, Vec::new());
        }
        let mismatches = prose_mismatches(report, diagnostics);
        if !mismatches.is_empty() {
            push(
                Kind::ProseMismatch,
                format!("{} 处正文数字与表格不符", mismatches.len()),
                mismatches,
            );
        }
        if let Some(evidence) = prev.and_then(|p| copied_prose(report, p)) {
            let detail = format!("正文与 {} 年度报告雷同", year - 1);
            push(Kind::CopiedProse, detail, evidence);
        }
        if let Some(detail) = prev.and_then(|p| jump(report, p)) {
            push(Kind::Jump, detail, Vec::new());
        }
        if let Some(median) = medians.get(&agency.category).copied().flatten()
            && median > Ratio::integer(0)
            && zero_report(report)
        {
            push(
                Kind::ZeroReport,
                format!(
                    "三、四两部分所有数字均为 0，同类机关本年新收中位数为 {}",
                    plain(median)
                ),
                Vec::new(),
            );
        }
    }
    out
}

/// R1–R6 and X1 broken by an `as_published` report (kept as published).
pub fn inconsistent(report: &Report, prev: Option<&Report>) -> Option<(String, Vec<String>)> {
    if !report.as_published {
        return None;
    }
    let mut findings = rules::arithmetic(report);
    if let Some(prev) = prev {
        findings.extend(rules::x1(report, prev));
    }
    if findings.is_empty() {
        return None;
    }
    let evidence = findings
        .iter()
        .map(|f| format!("{} 第 {} 行：{}", f.rule, f.span.line, f.message))
        .collect();
    Some((
        format!("按原样公开，{} 处违反勾稽关系", findings.len()),
        evidence,
    ))
}

/// X7's count, and the first blank cell with its line.
pub fn blank_cells(report: &Report) -> Option<String> {
    let rows = rules::blank_cells(report);
    let (row, columns) = rows.first()?;
    let count: usize = rows.iter().map(|(_, c)| c.len()).sum();
    let line = row.cell(columns[0]).map_or(row.span.line, |c| c.span.line);
    Some(format!(
        "{count} 个单元格印为空白，第一个为 {}（第 {line} 行）",
        row.def.cite_cell(columns[0])
    ))
}

/// The X3 diagnostics of a report's files, each as `第 L 行：message`.
pub fn prose_mismatches(report: &Report, diagnostics: &Diagnostics) -> Vec<String> {
    let md = report.file.with_extension("md");
    diagnostics
        .iter()
        .filter(|d| d.rule == Rule::X3 && (d.file == report.file || d.file == md))
        .map(|d| match d.span {
            Some(span) => format!("{} 第 {} 行：{}", d.file.display(), span.line, d.message),
            None => format!("{}：{}", d.file.display(), d.message),
        })
        .collect()
}

/// The whole prose of a report as one text.
fn whole(prose: &crate::model::Prose) -> String {
    let mut text = prose.preamble.clone();
    for s in &prose.sections {
        text.push('\n');
        text.push_str(&s.title);
        text.push('\n');
        text.push_str(&s.markdown);
    }
    text
}

/// Section 五 or the whole prose at least 90% like last year's: each
/// measure that reached it, as evidence.
pub fn copied_prose(report: &Report, prev: &Report) -> Option<Vec<String>> {
    let (now, then) = (report.prose.as_deref()?, prev.prose.as_deref()?);
    let mut evidence = Vec::new();
    let threshold = Ratio::new(COPIED.0, COPIED.1)?;
    let problems = ProseKind::Problems;
    if let (Some(a), Some(b)) = (now.section(problems), then.section(problems))
        && let Some(s) = similarity(&a.markdown, &b.markdown).filter(|s| *s >= threshold)
    {
        evidence.push(format!(
            "{}、{}与上年相似度 {}",
            problems.numeral(),
            problems.title(),
            s.percent_down()
        ));
    }
    if let Some(s) = similarity(&whole(now), &whole(then)).filter(|s| *s >= threshold) {
        evidence.push(format!("全文与上年相似度 {}", s.percent_down()));
    }
    (!evidence.is_empty()).then_some(evidence)
}

/// 本年新收 at least 5× or at most 1/5 of last year's, the larger ≥ 20.
pub fn jump(report: &Report, prev: &Report) -> Option<String> {
    let (now, then) = (new_requests(report)?, new_requests(prev)?);
    let (n, p) = (now.as_integer()?, then.as_integer()?);
    let (n, p) = (i128::from(n), i128::from(p));
    if n.max(p) < JUMP_FLOOR {
        return None;
    }
    let up = n >= JUMP_FACTOR * p;
    let down = JUMP_FACTOR * n <= p;
    if !(up || down) {
        return None;
    }
    let times = match Ratio::new(n, p) {
        Some(r) => format!("为上年的 {} 倍", r.decimal(2)),
        None => "上年为 0".to_string(),
    };
    Some(format!(
        "一、本年新收 {n} 件，{} 年 {p} 件，{times}",
        report.year - 1
    ))
}

/// Every figure of 三 and 四 is 0 (a blank counts as 0, as in the rules).
pub fn zero_report(report: &Report) -> bool {
    report
        .requests
        .iter()
        .chain(report.reviews.iter())
        .all(|row| (0..row.def.width()).all(|i| row.cell(i).is_none_or(|c| c.number().is_zero())))
}

/// The median of 一、本年新收 (总计) per category over `year`'s non-draft
/// reports (blank ones left out); `None` for a category with none.
pub fn new_request_medians(
    site: &Site,
    year: i32,
) -> std::collections::HashMap<String, Option<Ratio>> {
    let mut values: std::collections::HashMap<String, Vec<Ratio>> = Default::default();
    for r in site.reports.iter().filter(|r| r.year == year && !r.draft) {
        let Some(agency) = site.agencies.get(&r.agency) else {
            continue;
        };
        let slot = values.entry(agency.category.clone()).or_default();
        if let Some(n) = new_requests(r) {
            slot.push(Ratio::of(n, Number::from_int(1)).unwrap_or(Ratio::integer(0)));
        }
    }
    values
        .into_iter()
        .map(|(k, v)| (k, peers::quartiles(&v).map(|q| q.p50)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_days_across_months_and_leap_years() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(days(d("1970-01-01")), 0);
        assert_eq!(days(d("2025-03-01")) - days(d("2025-01-31")), 29);
        assert_eq!(days(d("2024-03-01")) - days(d("2024-02-28")), 2);
    }
}
