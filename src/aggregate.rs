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

/// A row of sums; `None` when a sum is too large to keep in a cell.
fn summed_row(def: &'static crate::model::RowDef, values: &[Number]) -> Option<Row> {
    Some(Row {
        def,
        cells: values
            .iter()
            .map(|&v| Cell::new(Some(v), Default::default()))
            .collect::<Option<_>>()?,
        total: None,
        span: Default::default(),
        derived: true,
    })
}

/// Running sums of rows, by row key: each report's rows are added in one
/// pass, whatever order or layout (（六） as one row or three) it has.
#[derive(Clone)]
struct Sums {
    defs: &'static [crate::model::RowDef],
    values: Vec<Vec<Number>>,
}

impl Sums {
    fn new(defs: &'static [crate::model::RowDef]) -> Self {
        Sums {
            defs,
            values: defs
                .iter()
                .map(|d| vec![Number::ZERO; d.columns.len()])
                .collect(),
        }
    }

    /// Adds (or with `remove`, takes away) a report's rows; with
    /// `fold_other`, the three （六） rows go into the single
    /// `requests.other`. `None` on overflow.
    fn add(&mut self, rows: &[Row], fold_other: bool, remove: bool) -> Option<()> {
        for (at, row) in rows.iter().enumerate() {
            // Rows come in layout order: the same place in the same layout
            // is the common case, and needs no lookup.
            let found = if self.defs.get(at).is_some_and(|d| std::ptr::eq(d, row.def)) {
                Some(at)
            } else {
                let key = if fold_other && row.def.key.starts_with("requests.other.") {
                    "requests.other"
                } else {
                    row.def.key
                };
                self.defs.iter().position(|d| d.key == key)
            };
            if let Some(i) = found {
                for (v, cell) in self.values[i].iter_mut().zip(&row.cells) {
                    *v = if remove {
                        v.checked_sub(cell.number())?
                    } else {
                        v.checked_add(cell.number())?
                    };
                }
            }
        }
        Some(())
    }

    fn rows(&self) -> Option<Vec<Row>> {
        self.defs
            .iter()
            .zip(&self.values)
            .map(|(def, values)| summed_row(def, values))
            .collect()
    }
}

/// What a sum reads of a report: its tables, shared.
#[derive(Clone)]
struct Tables {
    format: Format,
    active: std::sync::Arc<[Row]>,
    requests: std::sync::Arc<[Row]>,
    reviews: std::sync::Arc<[Row]>,
}

impl From<&Report> for Tables {
    fn from(r: &Report) -> Self {
        Tables {
            format: r.format,
            active: r.active.clone(),
            requests: r.requests.clone(),
            reviews: r.reviews.clone(),
        }
    }
}

/// The running sums of a set of reports, before totals are derived.
#[derive(Clone)]
struct Running {
    reports: usize,
    single_other: bool,
    requests: Sums,
    reviews: Sums,
    /// Section 二 per format, with how many reports each holds.
    active: Vec<(Format, usize, Sums)>,
}

impl Running {
    fn new(single_other: bool) -> Self {
        Running {
            reports: 0,
            single_other,
            requests: Sums::new(request_rows(single_other)),
            reviews: Sums::new(REVIEW_ROWS),
            active: [Format::F2021, Format::F2019]
                .into_iter()
                .map(|f| (f, 0, Sums::new(f.active_rows())))
                .collect(),
        }
    }

    /// Adds a report, or takes it away again. `None` on overflow.
    fn add(&mut self, report: &Tables, remove: bool) -> Option<()> {
        // The one （六） row sums the three 2021 rows.
        self.requests
            .add(&report.requests, self.single_other, remove)?;
        self.reviews.add(&report.reviews, false, remove)?;
        let (_, count, sums) = self.active.iter_mut().find(|(f, ..)| *f == report.format)?;
        sums.add(&report.active, false, remove)?;
        if remove {
            *count -= 1;
            self.reports -= 1;
        } else {
            *count += 1;
            self.reports += 1;
        }
        Some(())
    }

    /// Adds the sums of another set of reports (a member site's).
    fn add_sums(&mut self, part: &Aggregate) -> Option<()> {
        self.requests
            .add(&part.requests, self.single_other, false)?;
        self.reviews.add(&part.reviews, false, false)?;
        for (format, n, rows) in &part.active {
            let (_, count, sums) = self.active.iter_mut().find(|(f, ..)| f == format)?;
            sums.add(rows, false, false)?;
            *count += n;
        }
        self.reports += part.reports;
        Some(())
    }

    fn aggregate(&self) -> Option<Aggregate> {
        let mut requests: Vec<Row> = self.requests.rows()?;
        // （七）总计 from the summed leaves, never from printed totals.
        let total_index = requests.iter().position(|r| r.def.role == Role::Total)?;
        for c in 0..requests[total_index].cells.len() {
            let s = Number::sum(
                requests
                    .iter()
                    .filter(|r| r.def.role == Role::Outcome)
                    .map(|r| r.cells[c].number()),
            )?;
            requests[total_index].cells[c] = Cell::new(Some(s), Default::default())?;
        }
        Some(Aggregate {
            reports: self.reports,
            single_other: self.single_other,
            requests,
            reviews: self.reviews.rows()?,
            active: self
                .active
                .iter()
                .filter(|(_, n, _)| *n > 0)
                .map(|(f, n, sums)| Some((*f, *n, sums.rows()?)))
                .collect::<Option<_>>()?,
        })
    }
}

/// Sums kept from one rebuild to the next (serve): a district's table is
/// summed again only when one of its reports changed, and then by taking
/// the old report away and adding the new one, not by summing every cell of
/// every report again (on a large site, most of a rebuild).
#[derive(Default)]
pub struct SumCache {
    entries: std::sync::Mutex<SumEntries>,
}

#[derive(Default)]
struct SumEntries {
    /// By the fingerprint of the reports summed (which and their sources).
    sums: HashMap<u64, Kept>,
    /// By which reports were summed, whatever their sources: the sum that
    /// a changed report's new sum is patched from.
    sets: HashMap<u64, u64>,
}

struct Kept {
    used: bool,
    running: Running,
    aggregate: Aggregate,
    /// The reports summed: their sources' fingerprints and tables.
    members: Vec<(u64, Tables)>,
}

/// More changed reports than this, and summing again is as quick.
const PATCH_LIMIT: usize = 64;

impl SumCache {
    /// [`sum`], or the sum of the same reports made before, or patched from
    /// the sum of the same reports before some of them changed.
    pub fn sum(&self, reports: &[&Report]) -> Option<Aggregate> {
        use std::hash::{Hash, Hasher};
        // One pass: which reports (`set`), and which with what sources (`key`).
        let mut which = std::collections::hash_map::DefaultHasher::new();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for r in reports {
            (&r.agency, r.year).hash(&mut which);
            (&r.agency, r.year, r.source_hash).hash(&mut h);
        }
        let set = which.finish();
        let key = h.finish();
        let single_other = reports.iter().any(|r| r.single_other);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = entries.sums.get_mut(&key) {
            kept.used = true;
            return Some(kept.aggregate.clone());
        }
        let patched = entries
            .sets
            .get(&set)
            .and_then(|old| entries.sums.get(old))
            .filter(|old| {
                old.members.len() == reports.len() && old.running.single_other == single_other
            })
            .and_then(|old| {
                let changed: Vec<usize> = (0..reports.len())
                    .filter(|&i| old.members[i].0 != reports[i].source_hash)
                    .take(PATCH_LIMIT + 1)
                    .collect();
                if changed.len() > PATCH_LIMIT {
                    return None;
                }
                let mut running = old.running.clone();
                for i in changed {
                    running.add(&old.members[i].1, true)?;
                    running.add(&Tables::from(reports[i]), false)?;
                }
                Some(running)
            });
        drop(entries);
        let running = match patched {
            Some(running) => running,
            None => {
                let mut running = Running::new(single_other);
                for report in reports {
                    running.add(&Tables::from(*report), false)?;
                }
                running
            }
        };
        let aggregate = running.aggregate()?;
        let kept = Kept {
            used: true,
            running,
            aggregate: aggregate.clone(),
            members: reports
                .iter()
                .map(|r| (r.source_hash, Tables::from(*r)))
                .collect(),
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.sums.insert(key, kept);
        entries.sets.insert(set, key);
        Some(aggregate)
    }

    /// Forgets the sums the last rebuild did not use.
    pub fn prune(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .sums
            .retain(|_, kept| std::mem::take(&mut kept.used));
        let SumEntries { sums, sets } = &mut *entries;
        sets.retain(|_, key| sums.contains_key(key));
    }
}

/// Sums reports (drafts must already be left out). `None` on overflow,
/// which the cell limit makes unreachable in practice.
pub fn sum(reports: &[&Report]) -> Option<Aggregate> {
    let mut running = Running::new(reports.iter().any(|r| r.single_other));
    for report in reports {
        running.add(&Tables::from(*report), false)?;
    }
    running.aggregate()
}

/// Sums of sums: the cells of `parts` (each the sums of a set of reports:
/// the site's own, a member site's) added, the totals derived from the
/// summed cells as for reports. `None` on overflow.
pub fn combine<'a>(parts: impl IntoIterator<Item = &'a Aggregate>) -> Option<Aggregate> {
    let parts: Vec<&Aggregate> = parts.into_iter().collect();
    let mut running = Running::new(parts.iter().any(|p| p.single_other));
    for part in parts {
        running.add_sums(part)?;
    }
    running.aggregate()
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

/// The category of each report of `site`, in `site.reports` order (`None`
/// for a report without an agency, which a loaded site does not have).
/// Reports and agencies are both sorted by slug, so one walk finds them
/// all: looking each report's agency up by name was a tenth of a `serve`
/// rebuild at 10,000 reports.
pub fn report_categories(site: &Site) -> Vec<Option<&str>> {
    let mut agencies = site.agencies.values().peekable();
    site.reports
        .iter()
        .map(|r| {
            while agencies.next_if(|a| a.slug < r.agency).is_some() {}
            agencies
                .peek()
                .filter(|a| a.slug == r.agency)
                .map(|a| a.category.as_str())
        })
        .collect()
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
    let Some((first, last)) = expected_span(agency, site.reports_of(&agency.slug), site_years)
    else {
        return Vec::new();
    };
    site_years
        .iter()
        .copied()
        .filter(|y| (first..=last).contains(y))
        .collect()
}

/// Whether `year` is one of [`expected_years`], without making the list
/// (a year page asks it of every agency): `own` are the agency's reports,
/// drafts included.
pub fn is_expected(agency: &Agency, own: &[Report], year: i32, site_years: &BTreeSet<i32>) -> bool {
    site_years.contains(&year)
        && expected_span(agency, own, site_years)
            .is_some_and(|(first, last)| (first..=last).contains(&year))
}

/// The first and last year `agency` is expected to publish for: from
/// `reports_from` (else its first non-draft report) to `reports_until`
/// (else the site's last year).
fn expected_span(
    agency: &Agency,
    own: &[Report],
    site_years: &BTreeSet<i32>,
) -> Option<(i32, i32)> {
    let first = agency
        .reports_from
        .or_else(|| own.iter().filter(|r| !r.draft).map(|r| r.year).min())?;
    let last = agency
        .reports_until
        .or_else(|| site_years.iter().max().copied())
        .unwrap_or(first);
    Some((first, last))
}

/// The status of `agency` for `year`.
pub fn status(site: &Site, agency: &Agency, year: i32) -> Status {
    status_of(
        site,
        agency,
        site.report(&agency.slug, year).filter(|r| !r.draft),
    )
}

/// The status of `agency` for the year of `report`, its non-draft report
/// of that year, when it has one (found already by the caller).
pub fn status_of(site: &Site, agency: &Agency, report: Option<&Report>) -> Status {
    let Some(report) = report else {
        return Status::Missing;
    };
    let year = report.year;
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
