//! District roll-ups: sums of reports per year and per category, key figures,
//! and each agency's publication status.
//!
//! As the contract says, aggregates never add printed totals: they sum the
//! data cells of every non-draft report and derive each total from the sums.
//! Section 二 is summed per format only (2019 and 2021 figures differ).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::layout::{Format, REVIEW_ROWS, Role, request_rows};
use crate::model::{Agency, Cell, Date, Number, Report, Row, Site};

/// The summed tables of a set of reports.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub reports: usize,
    /// （六） is shown as one row when any report printed it so.
    pub single_other: bool,
    pub requests: Vec<Row>,
    pub reviews: Vec<Row>,
    /// Section 二 per format, with how many reports each sums.
    pub active: Vec<(Format, usize, Vec<Row>)>,
}

fn summed_row(def: &'static crate::model::RowDef, values: Vec<Number>) -> Row {
    Row {
        def,
        cells: values
            .into_iter()
            .map(|v| Cell {
                value: Some(v),
                span: Default::default(),
            })
            .collect(),
        total: None,
        span: Default::default(),
        derived: true,
    }
}

/// Running sums of rows, by row key: each report's rows are added in one
/// pass, whatever order or layout (（六） as one row or three) it has.
struct Sums {
    defs: &'static [crate::model::RowDef],
    index: HashMap<&'static str, usize>,
    values: Vec<Vec<Number>>,
}

impl Sums {
    fn new(defs: &'static [crate::model::RowDef]) -> Self {
        Sums {
            defs,
            index: defs.iter().enumerate().map(|(i, d)| (d.key, i)).collect(),
            values: defs
                .iter()
                .map(|d| vec![Number::ZERO; d.columns.len()])
                .collect(),
        }
    }

    /// Adds a report's rows; with `fold_other`, the three （六） rows go
    /// into the single `requests.other`. `None` on overflow.
    fn add(&mut self, rows: &[Row], fold_other: bool) -> Option<()> {
        for (at, row) in rows.iter().enumerate() {
            // Rows come in layout order: the same place in the same layout
            // is the common case, and needs no lookup.
            let same = self.defs.get(at).is_some_and(|d| std::ptr::eq(d, row.def));
            let key = if fold_other && row.def.key.starts_with("requests.other.") {
                "requests.other"
            } else {
                row.def.key
            };
            let found = if same {
                Some(at)
            } else {
                self.index.get(key).copied()
            };
            if let Some(i) = found {
                for (v, cell) in self.values[i].iter_mut().zip(&row.cells) {
                    *v = v.checked_add(cell.number())?;
                }
            }
        }
        Some(())
    }

    fn rows(self) -> Vec<Row> {
        self.defs
            .iter()
            .zip(self.values)
            .map(|(def, values)| summed_row(def, values))
            .collect()
    }
}

/// Sums kept from one rebuild to the next (serve): a district's table is
/// summed again only when one of its reports changed. Summing touches every
/// cell of every report, which on a large site is most of a rebuild.
#[derive(Default)]
pub struct SumCache {
    entries: std::sync::Mutex<HashMap<u64, (bool, Aggregate)>>,
}

impl SumCache {
    /// [`sum`], or the sum of the same reports made before.
    pub fn sum(&self, reports: &[&Report]) -> Option<Aggregate> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for r in reports {
            (&r.agency, r.year, r.source_hash).hash(&mut h);
        }
        let key = h.finish();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((used, agg)) = entries.get_mut(&key) {
            *used = true;
            return Some(agg.clone());
        }
        drop(entries);
        let agg = sum(reports)?;
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (true, agg.clone()));
        Some(agg)
    }

    /// Forgets the sums the last rebuild did not use.
    pub fn prune(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (used, _)| std::mem::take(used));
    }
}

/// Sums reports (drafts must already be left out). `None` on overflow,
/// which the cell limit makes unreachable in practice.
pub fn sum(reports: &[&Report]) -> Option<Aggregate> {
    let single_other = reports.iter().any(|r| r.single_other);
    let defs = request_rows(single_other);
    let mut values = Sums::new(defs);
    for report in reports {
        // The one （六） row sums the three 2021 rows.
        values.add(&report.requests, single_other)?;
    }
    let mut requests: Vec<Row> = values.rows();
    // （七）总计 from the summed leaves, never from printed totals.
    let total_index = requests.iter().position(|r| r.def.role == Role::Total)?;
    for c in 0..defs[total_index].columns.len() {
        let s = Number::sum(
            requests
                .iter()
                .filter(|r| r.def.role == Role::Outcome)
                .map(|r| r.cells[c].number()),
        )?;
        requests[total_index].cells[c].value = Some(s);
    }
    let mut values = Sums::new(REVIEW_ROWS);
    for report in reports {
        values.add(&report.reviews, false)?;
    }
    let reviews = values.rows();
    let mut active = Vec::new();
    for format in [Format::F2021, Format::F2019] {
        let of_format: Vec<&&Report> = reports.iter().filter(|r| r.format == format).collect();
        if of_format.is_empty() {
            continue;
        }
        let mut values = Sums::new(format.active_rows());
        for report in &of_format {
            values.add(&report.active, false)?;
        }
        let rows = values.rows();
        active.push((format, of_format.len(), rows));
    }
    Some(Aggregate {
        reports: reports.len(),
        single_other,
        requests,
        reviews,
        active,
    })
}

/// The figures a citizen looks for first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct KeyFigures {
    /// 一、本年新收 · 总计
    pub new: Number,
    /// 三（七）总计 · 总计 (办结)
    pub closed: Number,
    /// 四、结转下年度继续办理 · 总计
    pub carried_forward: Number,
    /// 行政复议 · 总计
    pub reviews: Number,
    /// 行政诉讼 · 总计 (both kinds)
    pub litigation: Number,
}

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Key figures of a report or an aggregate's rows.
pub fn key_figures(requests: &[Row], reviews: &[Row]) -> KeyFigures {
    let total_of = |role: Role| {
        requests
            .iter()
            .find(|r| r.def.role == role)
            .map(|r| r.value(r.def.columns.len()))
            .unwrap_or_default()
    };
    let review_total = |key: &str| {
        reviews
            .iter()
            .find(|r| r.def.key == key)
            .map(|r| r.value(r.def.columns.len()))
            .unwrap_or_default()
    };
    KeyFigures {
        new: total_of(Role::New),
        closed: total_of(Role::Total),
        carried_forward: total_of(Role::CarriedForward),
        reviews: review_total("reviews.review"),
        litigation: review_total("reviews.litigation_direct")
            .checked_add(review_total("reviews.litigation_after_review"))
            .unwrap_or_default(),
    }
}

/// Whether an agency's report for a year was published, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    OnTime(Date),
    Late {
        published: Date,
        deadline: Date,
    },
    /// Published, but the date is not recorded.
    Published,
    Missing,
}

impl Status {
    pub fn key(&self) -> &'static str {
        match self {
            Status::OnTime(_) => "on-time",
            Status::Late { .. } => "late",
            Status::Published => "published",
            Status::Missing => "missing",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Status::OnTime(d) => format!("按时公开（{d}）"),
            Status::Late {
                published,
                deadline,
            } => format!("逾期公开（{published}，期限 {deadline}）"),
            Status::Published => "已公开".to_string(),
            Status::Missing => "未公开".to_string(),
        }
    }
}

/// The published (non-draft) reports of a site, by year.
pub fn years(site: &Site) -> BTreeMap<i32, Vec<&Report>> {
    let mut out: BTreeMap<i32, Vec<&Report>> = BTreeMap::new();
    for r in site.reports.iter().filter(|r| !r.draft) {
        out.entry(r.year).or_default().push(r);
    }
    out
}

/// The years for which `agency` is expected to publish, within the site's years.
pub fn expected_years(site: &Site, agency: &Agency, site_years: &BTreeSet<i32>) -> Vec<i32> {
    let own: Vec<i32> = site
        .reports_of(&agency.slug)
        .iter()
        .filter(|r| !r.draft)
        .map(|r| r.year)
        .collect();
    let Some(first) = agency.reports_from.or_else(|| own.iter().min().copied()) else {
        return Vec::new();
    };
    let last = agency
        .reports_until
        .or_else(|| site_years.iter().max().copied())
        .unwrap_or(first);
    site_years
        .iter()
        .copied()
        .filter(|y| (first..=last).contains(y))
        .collect()
}

/// The status of `agency` for `year`.
pub fn status(site: &Site, agency: &Agency, year: i32) -> Status {
    let Some(report) = site.report(&agency.slug, year).filter(|r| !r.draft) else {
        return Status::Missing;
    };
    let Some(published) = report.published else {
        return Status::Published;
    };
    let deadline = site
        .config
        .category(&agency.category)
        .map(|c| c.deadline.deadline_for(year));
    match deadline {
        Some(deadline) if published > deadline => Status::Late {
            published,
            deadline,
        },
        _ => Status::OnTime(published),
    }
}
