//! Indicators, peer comparison and flags: what a district's reports say
//! when read side by side, every figure an exact fraction of exact cells.
//!
//! - [`ratio`]: exact fractions, rounded half away from zero only when printed;
//! - this module: the six indicators of a report, from the 总计 column of 三 and from 四;
//! - [`peers`]: quartiles (as QUARTILE.INC) and places per year, category and indicator;
//! - [`flags`]: the facts a supervisor must look at, each with its evidence;
//! - [`similarity`]: how alike two years' prose are (for `copied_prose`);
//! - [`csv`]: `indicators.csv`, `peers.csv`, `flags.csv`.
//!
//! The public site shows indicators and peer medians; `gongkai audit`
//! (see [`crate::audit`]) writes the supervisor's review.

mod cache;
pub mod csv;
pub mod flags;
pub mod peers;
pub mod ratio;
pub mod similarity;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

pub use cache::IndicatorCache;
pub use ratio::Ratio;

use crate::model::layout::Role;
use crate::model::{Number, Report, Row, Site};

/// The six indicators, in the order of the data files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    DisclosureRate,
    NotHeldRate,
    CarryForwardRate,
    ReviewCorrectionRate,
    LitigationCorrectionRate,
    RequestsChange,
}

impl Key {
    pub const ALL: [Key; 6] = [
        Key::DisclosureRate,
        Key::NotHeldRate,
        Key::CarryForwardRate,
        Key::ReviewCorrectionRate,
        Key::LitigationCorrectionRate,
        Key::RequestsChange,
    ];

    /// The key of code, CSV columns, templates and docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::DisclosureRate => "disclosure_rate",
            Key::NotHeldRate => "not_held_rate",
            Key::CarryForwardRate => "carry_forward_rate",
            Key::ReviewCorrectionRate => "review_correction_rate",
            Key::LitigationCorrectionRate => "litigation_correction_rate",
            Key::RequestsChange => "requests_change",
        }
    }

    pub fn parse(text: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The Chinese name printed on pages.
    pub fn name(self) -> &'static str {
        match self {
            Key::DisclosureRate => "公开率",
            Key::NotHeldRate => "本机关不掌握占比",
            Key::CarryForwardRate => "结转率",
            Key::ReviewCorrectionRate => "复议纠正率",
            Key::LitigationCorrectionRate => "诉讼纠正率",
            Key::RequestsChange => "申请量同比",
        }
    }

    /// The formula written out in Chinese (口径说明), cells named as printed.
    pub fn formula(self) -> &'static str {
        match self {
            Key::DisclosureRate => {
                "（三（一）予以公开 + 三（二）部分公开）÷ 三（七）总计，均取“总计”列"
            }
            Key::NotHeldRate => "三（四）1.本机关不掌握相关政府信息 ÷ 三（七）总计，均取“总计”列",
            Key::CarryForwardRate => {
                "四、结转下年度继续办理 ÷（一、本年新收 + 二、上年结转），均取“总计”列"
            }
            Key::ReviewCorrectionRate => {
                "行政复议“结果纠正”÷（行政复议“总计”− 行政复议“尚未审结”）"
            }
            Key::LitigationCorrectionRate => {
                "（未经复议直接起诉“结果纠正”+ 复议后起诉“结果纠正”）÷（两者“总计”之和 − 两者“尚未审结”之和）"
            }
            Key::RequestsChange => {
                "本年 一、本年新收（总计）÷ 同一机关上一年度 一、本年新收（总计）− 1"
            }
        }
    }

    /// When the indicator does not apply, in words.
    pub fn not_applicable(self) -> &'static str {
        match self {
            Key::DisclosureRate | Key::NotHeldRate => "三（七）总计为 0",
            Key::CarryForwardRate => "本年新收与上年结转之和为 0",
            Key::ReviewCorrectionRate => "已审结的行政复议为 0",
            Key::LitigationCorrectionRate => "已审结的行政诉讼为 0",
            Key::RequestsChange => "上一年度本年新收为 0，或没有上一年度报告",
        }
    }

    /// A change rather than a share: printed with its sign.
    pub fn is_change(self) -> bool {
        self == Key::RequestsChange
    }
}

#[derive(Clone, Debug, serde::Serialize)]
/// One indicator's 口径说明, for pages.
pub struct FormulaView {
    pub key: &'static str,
    pub name: &'static str,
    pub formula: &'static str,
    pub not_applicable: &'static str,
}

/// Every indicator's 口径说明 (key, name, formula, when it does not apply), for the review and the public formulas page.
pub fn formulas() -> Vec<FormulaView> {
    Key::ALL
        .into_iter()
        .map(|k| FormulaView {
            key: k.as_str(),
            name: k.name(),
            formula: k.formula(),
            not_applicable: k.not_applicable(),
        })
        .collect()
}

/// One indicator of one report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Rate(Ratio),
    /// The denominator is 0 (or, for `requests_change`, there is no
    /// previous year's report): neither 0% nor 100%.
    NotApplicable,
    /// A term of the formula was printed blank (`null`).
    Blank,
}

impl Value {
    pub fn ratio(self) -> Option<Ratio> {
        match self {
            Value::Rate(r) => Some(r),
            _ => None,
        }
    }

    /// In data files: four decimals, or empty.
    pub fn csv(self) -> String {
        self.ratio().map(|r| r.decimal(4)).unwrap_or_default()
    }

    /// On pages: a percentage with one decimal, 「—」 when not applicable,
    /// 「空白」 when a term was printed blank.
    pub fn page(self, key: Key) -> String {
        match self {
            Value::Rate(r) if key.is_change() => r.signed_percent(),
            Value::Rate(r) => r.percent(),
            Value::NotApplicable => "—".to_string(),
            Value::Blank => "空白".to_string(),
        }
    }
}

/// A term of a formula: the value of column `i` of `row` (`i ==
/// columns.len()` is 总计); `None` when it was printed blank, or when a
/// left-out 总计 would be summed from a blank.
fn term(row: &Row, i: usize) -> Option<Number> {
    if i < row.cells.len() {
        return row.cells[i].value();
    }
    match row.total {
        Some(cell) => cell.value(),
        None if row.cells.iter().any(|c| c.value().is_none()) => None,
        None => row.derived_total(),
    }
}

fn total_term(report: &Report, pick: impl Fn(&Row) -> bool) -> Option<Option<Number>> {
    let row = report
        .requests
        .iter()
        .chain(report.reviews.iter())
        .find(|r| pick(r))?;
    if row.def.role == Role::Total && row.derived {
        // Summed from the outcome rows at load: blank if any of theirs was.
        let blank = report
            .requests
            .iter()
            .filter(|r| r.def.role == Role::Outcome)
            .any(|r| (0..r.def.width()).any(|i| r.cell(i).is_some_and(|c| c.value().is_none())));
        if blank {
            return Some(None);
        }
    }
    Some(term(row, row.def.columns.len()))
}

/// 总计 of the section-三 row with `role` or the row with key `key`.
fn requests_total(report: &Report, key: &str) -> Option<Number> {
    total_term(report, |r| r.def.key == key).flatten()
}

fn review_cell(report: &Report, key: &str, column: &str) -> Option<Number> {
    let row = report.reviews.iter().find(|r| r.def.key == key)?;
    if column == "total" {
        return term(row, row.def.columns.len());
    }
    let i = row.def.columns.iter().position(|c| c.key == column)?;
    term(row, i)
}

/// The two terms of one indicator of one report, before dividing: what a
/// parent site sums over its area to compute the area's rate exactly
/// (`data/summary.json`), rather than average its members' rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terms {
    /// Numerator and denominator (for `requests_change`: this year's 本年新收
    /// and last year's; the change is their quotient − 1).
    Of(Number, Number),
    /// `requests_change` without a previous year's report.
    NoPrevious,
    /// A term of the formula was printed blank (`null`).
    Blank,
}

impl Terms {
    fn of(num: Option<Number>, den: Option<Number>) -> Terms {
        match (num, den) {
            (Some(n), Some(d)) => Terms::Of(n, d),
            _ => Terms::Blank,
        }
    }

    /// The indicator: not applicable when the denominator is 0.
    fn value(self, key: Key) -> Value {
        match self {
            Terms::Of(n, d) => {
                let ratio = Ratio::of(n, d);
                let ratio = if key.is_change() {
                    ratio.and_then(|r| r.checked_sub(Ratio::integer(1)))
                } else {
                    ratio
                };
                ratio.map_or(Value::NotApplicable, Value::Rate)
            }
            Terms::NoPrevious => Value::NotApplicable,
            Terms::Blank => Value::Blank,
        }
    }
}

fn add(a: Option<Number>, b: Option<Number>) -> Option<Number> {
    a?.checked_add(b?)
}

fn sub(a: Option<Number>, b: Option<Number>) -> Option<Number> {
    a?.checked_sub(b?)
}

/// 一、本年新收 · 总计 (blank when printed blank).
pub fn new_requests(report: &Report) -> Option<Number> {
    requests_total(report, "requests.new")
}

/// The terms of the six indicators of `report`, in the order of
/// [`Key::ALL`]; `previous` is the same agency's non-draft report of the
/// year before, if any.
pub fn terms_of_report(report: &Report, previous: Option<&Report>) -> [Terms; 6] {
    let total = requests_total(report, "requests.total");
    let new = new_requests(report);
    let disclosure = Terms::of(
        add(
            requests_total(report, "requests.granted"),
            requests_total(report, "requests.partially_granted"),
        ),
        total,
    );
    let not_held = Terms::of(
        requests_total(report, "requests.unavailable.not_held"),
        total,
    );
    let carry_forward = Terms::of(
        requests_total(report, "requests.carried_forward"),
        add(new, requests_total(report, "requests.carried_over")),
    );
    let review = Terms::of(
        review_cell(report, "reviews.review", "corrected"),
        sub(
            review_cell(report, "reviews.review", "total"),
            review_cell(report, "reviews.review", "pending"),
        ),
    );
    let both = |column: &str| {
        add(
            review_cell(report, "reviews.litigation_direct", column),
            review_cell(report, "reviews.litigation_after_review", column),
        )
    };
    let litigation = Terms::of(both("corrected"), sub(both("total"), both("pending")));
    let change = match previous {
        None => Terms::NoPrevious,
        Some(prev) => Terms::of(new, new_requests(prev)),
    };
    [
        disclosure,
        not_held,
        carry_forward,
        review,
        litigation,
        change,
    ]
}

/// One report's indicators, with what places it among its peers.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub report: &'a Report,
    pub category: &'a str,
    /// What `values` are computed from; `data/summary.json` sums them.
    /// Shared (with `serve`'s next rebuild): an entry is small to sort.
    pub terms: Arc<[Terms; 6]>,
    pub values: Arc<[Value; 6]>,
}

/// Every non-draft report's indicators, sorted by year, then category in
/// the order of `site.toml`, then agency slug; with the peer quartiles.
#[derive(Clone, Debug, Default)]
pub struct Indicators<'a> {
    pub rows: Vec<Entry<'a>>,
    /// By (year, category key); shared with `serve`'s next rebuild.
    pub peers: BTreeMap<(i32, String), Arc<peers::Group>>,
    /// Each agency's rows (indexes in `rows`), by year: an agency page
    /// looks up its own without reading every row.
    by_agency: BTreeMap<&'a str, Vec<usize>>,
}

/// The same agency's non-draft report of the year before.
pub fn previous<'a>(site: &'a Site, report: &Report) -> Option<&'a Report> {
    site.report(&report.agency, report.year - 1)
        .filter(|r| !r.draft)
}

impl<'a> Indicators<'a> {
    pub fn compute(site: &'a Site) -> Indicators<'a> {
        Self::compute_cached(site, None)
    }

    /// [`Indicators::compute`], reusing (and keeping in `cache`) the
    /// indicators of reports and the groups whose sources did not change
    /// since the last call (serve). The same result either way.
    pub fn compute_cached(site: &'a Site, cache: Option<&IndicatorCache>) -> Indicators<'a> {
        let mut kept = cache.map(IndicatorCache::take).unwrap_or_default();
        let category_order = |key: &str| {
            site.config
                .categories
                .iter()
                .position(|c| c.key == key)
                .unwrap_or(usize::MAX)
        };
        // In parallel, and each report's predecessor found beside it
        // (`site.reports` is sorted by agency, then year).
        let reports = &site.reports;
        let known = &kept.reports;
        type Made<'a> = (i32, usize, Entry<'a>, cache::Sources, bool);
        let mut rows: Vec<Made<'a>> = (0..reports.len())
            .into_par_iter()
            .filter(|&i| !reports[i].draft)
            .filter_map(|i| {
                let r = &reports[i];
                let agency = site.agencies.get(&r.agency)?;
                let previous = i
                    .checked_sub(1)
                    .map(|p| &reports[p])
                    .filter(|p| p.agency == r.agency && p.year == r.year - 1 && !p.draft);
                let sources = cache::Sources {
                    report: r.source_hash,
                    previous: previous.map(|p| p.source_hash),
                };
                let (terms, values, fresh) = match known.get(&sources) {
                    Some((terms, values)) => (terms.clone(), values.clone(), false),
                    None => {
                        let terms = terms_of_report(r, previous);
                        let values = std::array::from_fn(|i| terms[i].value(Key::ALL[i]));
                        (Arc::new(terms), Arc::new(values), true)
                    }
                };
                let entry = Entry {
                    report: r,
                    category: agency.category.as_str(),
                    terms,
                    values,
                };
                Some((
                    r.year,
                    category_order(&agency.category),
                    entry,
                    sources,
                    fresh,
                ))
            })
            .collect();
        // Stable: within a year and category, agencies stay in slug order.
        rows.sort_by_key(|(year, order, ..)| (*year, *order));
        let mut sources = Vec::with_capacity(rows.len());
        let mut entries = Vec::with_capacity(rows.len());
        for (_, _, entry, source, fresh) in rows {
            if fresh && cache.is_some() {
                kept.reports
                    .insert(source, (entry.terms.clone(), entry.values.clone()));
            }
            sources.push(source);
            entries.push(entry);
        }
        let rows = entries;
        // Each year's reports of each category, then their figures, unless
        // the same reports with the same sources were grouped before.
        let mut members: BTreeMap<(i32, &'a str), Vec<usize>> = BTreeMap::new();
        let mut by_agency: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, e) in rows.iter().enumerate() {
            members
                .entry((e.report.year, e.category))
                .or_default()
                .push(i);
            by_agency
                .entry(e.report.agency.as_str())
                .or_default()
                .push(i);
        }
        let known = &kept.groups;
        let groups: Vec<((i32, String), u64, Arc<peers::Group>)> = members
            .into_par_iter()
            .map(|((year, category), of)| {
                let print = cache::group_fingerprint(of.iter().map(|&i| &sources[i]));
                let group = match known.get(&print) {
                    Some(group) => group.clone(),
                    None => Arc::new(peers::group(of.iter().map(|&i| &rows[i]))),
                };
                ((year, category.to_string()), print, group)
            })
            .collect();
        if let Some(cache) = cache {
            // What this site no longer has is forgotten: the groups at
            // once, the reports when they outnumber the site's twice.
            kept.groups = groups.iter().map(|(_, p, g)| (*p, g.clone())).collect();
            if kept.reports.len() > 2 * rows.len() + 64 {
                kept.reports = sources
                    .iter()
                    .zip(&rows)
                    .map(|(s, e)| (*s, (e.terms.clone(), e.values.clone())))
                    .collect();
            }
            cache.put(kept);
        }
        Indicators {
            rows,
            peers: groups.into_iter().map(|(k, _, g)| (k, g)).collect(),
            by_agency,
        }
    }

    /// An agency's rows, by year.
    pub fn of_agency(&self, agency: &str) -> impl Iterator<Item = &Entry<'a>> {
        self.by_agency
            .get(agency)
            .into_iter()
            .flatten()
            .map(|&i| &self.rows[i])
    }

    /// The row of one report.
    pub fn row(&self, agency: &str, year: i32) -> Option<&Entry<'a>> {
        self.of_agency(agency).find(|r| r.report.year == year)
    }

    /// The peer group of a report's year and category.
    pub fn group(&self, year: i32, category: &str) -> Option<&peers::Group> {
        self.peers.get(&(year, category.to_string())).map(|g| &**g)
    }
}
