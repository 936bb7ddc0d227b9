//! `data/summary.json` (format 1): what a parent site (a city over its
//! districts, a province over its cities) needs of this site to roll it up
//! without its reports: per year, how many reports were expected,
//! published, late and missing; the sums of every non-total cell (section
//! 二 per format, as the contract keeps them apart); the same per category;
//! and the indicators' summed numerators and denominators, so that the
//! parent computes its area's rates exactly instead of averaging rates.
//!
//! Totals are left out on purpose: as for every aggregate, a parent
//! derives them from the summed non-total cells. Numbers are exact
//! decimals written as strings, like the other data files; the bytes
//! depend only on the site (keys in table order, no floats, no clock).

use serde::Serialize;
use serde::ser::SerializeMap;

use super::context::{SiteContext, area_sum};
use crate::aggregate::{self, Aggregate};
use crate::indicators::{Indicators, Key, Terms};
use crate::model::layout::{Format, Role};
use crate::model::{Agency, Number, Report, Row};

/// The version of the file's shape; a parent refuses any other.
pub const FORMAT: u32 = 1;

#[derive(Serialize)]
struct Summary<'a> {
    format: u32,
    title: &'a str,
    base_url: Option<&'a str>,
    years: Vec<Year<'a>>,
}

#[derive(Serialize)]
struct Year<'a> {
    year: i32,
    #[serde(flatten)]
    sums: Sums,
    categories: Vec<Category<'a>>,
}

#[derive(Serialize)]
struct Category<'a> {
    key: &'a str,
    name: &'a str,
    #[serde(flatten)]
    sums: Sums,
}

/// What a year, or a category in a year, sums.
#[derive(Serialize)]
struct Sums {
    reports: Counts,
    /// Section 二, one entry per format with at least one report.
    active: Vec<Active>,
    /// Sections 三 and 四: every non-total cell.
    cells: Cells,
    /// Absent when the site has `indicators = false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    indicators: Option<IndicatorTerms>,
}

#[derive(Default, Serialize)]
struct Counts {
    expected: usize,
    published: usize,
    late: usize,
    missing: usize,
}

#[derive(Serialize)]
struct Active {
    format: u16,
    reports: usize,
    cells: Cells,
}

/// Keys and values as a JSON object, in the order given (table order),
/// not sorted.
struct Ordered<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Ordered<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Cell keys and their values.
type Cells = Ordered<String, String>;

/// One indicator's terms summed over the reports whose terms are all
/// printed (and, for `requests_change`, that have a previous year's report).
#[derive(Clone, Serialize)]
struct Term {
    numerator: String,
    denominator: String,
    /// How many reports the sums hold.
    reports: usize,
    /// How many reports were left out because a term was printed blank.
    blank: usize,
}

/// The six indicators' terms, by indicator key.
type IndicatorTerms = Ordered<&'static str, Term>;

/// The non-total cells of rows: every column but 总计, every row but
/// 三（七）总计.
fn cells<'r>(rows: impl Iterator<Item = &'r Row>) -> Cells {
    let mut out = Vec::new();
    for row in rows.filter(|r| r.def.role != Role::Total) {
        for i in 0..row.def.columns.len() {
            out.push((row.def.cell_key(i), row.value(i).to_string()));
        }
    }
    Ordered(out)
}

/// The status counts of `agencies` for `year`: as the year page counts
/// them, every agency expected that year or that published a report for it.
fn counts(
    ctx: &SiteContext,
    agencies: &[(&Agency, Vec<i32>)],
    year: i32,
    category: Option<&str>,
) -> Counts {
    let mut counts = Counts::default();
    for (agency, expected) in agencies {
        if category.is_some_and(|c| c != agency.category) {
            continue;
        }
        let published = ctx
            .site
            .report(&agency.slug, year)
            .is_some_and(|r| !r.draft);
        if !published && !expected.contains(&year) {
            continue;
        }
        counts.expected += 1;
        match aggregate::status(ctx.site, agency, year) {
            aggregate::Status::Missing => counts.missing += 1,
            aggregate::Status::Late { .. } => {
                counts.published += 1;
                counts.late += 1;
            }
            _ => counts.published += 1,
        }
    }
    let members = ctx.member_counts(year, category);
    counts.expected += members.expected;
    counts.published += members.published;
    counts.late += members.late;
    counts.missing += members.missing;
    counts
}

/// The indicators' terms summed over `reports` and the members' terms
/// (of `year`, one category or all); `None` on overflow, or when a member
/// of that year has no terms (its site shows no indicators): a parent
/// never reports a rate over part of its area as the whole's.
fn indicator_terms(
    ctx: &SiteContext,
    found: &Indicators,
    reports: &[&Report],
    (year, category): (i32, Option<&str>),
) -> Option<IndicatorTerms> {
    let mut sums = [(Number::ZERO, Number::ZERO, 0usize, 0usize); 6];
    for part in crate::model::member::parts(&ctx.site.members, year, category) {
        for (key, term) in part.indicators.as_ref()? {
            let at = Key::ALL.iter().position(|k| k.as_str() == key)?;
            let sum = &mut sums[at];
            sum.0 = sum.0.checked_add(term.numerator)?;
            sum.1 = sum.1.checked_add(term.denominator)?;
            sum.2 += term.reports;
            sum.3 += term.blank;
        }
    }
    for report in reports {
        // Every non-draft report of a known agency has its row.
        let Some(row) = found.row(&report.agency, report.year) else {
            continue;
        };
        for (sum, terms) in sums.iter_mut().zip(*row.terms) {
            match terms {
                Terms::Of(n, d) => {
                    sum.0 = sum.0.checked_add(n)?;
                    sum.1 = sum.1.checked_add(d)?;
                    sum.2 += 1;
                }
                Terms::Blank => sum.3 += 1,
                Terms::NoPrevious => {}
            }
        }
    }
    Some(Ordered(
        Key::ALL
            .into_iter()
            .zip(sums)
            .map(|(key, (n, d, reports, blank))| {
                (
                    key.as_str(),
                    Term {
                        numerator: n.to_string(),
                        denominator: d.to_string(),
                        reports,
                        blank,
                    },
                )
            })
            .collect(),
    ))
}

fn sums(
    ctx: &SiteContext,
    aggregate: &Aggregate,
    reports: &[&Report],
    counts: Counts,
    (year, category): (i32, Option<&str>),
) -> Sums {
    Sums {
        reports: counts,
        active: aggregate
            .active
            .iter()
            .map(|(format, n, rows)| Active {
                format: match format {
                    Format::F2019 => 2019,
                    Format::F2021 => 2021,
                },
                reports: *n,
                cells: cells(rows.iter()),
            })
            .collect(),
        cells: cells(aggregate.requests.iter().chain(aggregate.reviews.iter())),
        indicators: ctx
            .indicators
            .as_ref()
            .and_then(|found| indicator_terms(ctx, found, reports, (year, category))),
    }
}

impl SiteContext<'_> {
    /// `data/summary.json`. A year whose sums overflow is left out (its
    /// year page fails the build).
    pub(super) fn site_summary(&self) -> Vec<u8> {
        let c = &self.site.config;
        let agencies: Vec<(&Agency, Vec<i32>)> = self
            .site
            .agencies
            .values()
            .map(|a| (a, aggregate::expected_years(self.site, a, &self.year_set)))
            .collect();
        let mut years = Vec::new();
        for (&year, total) in &self.totals {
            let reports = &self.years[&year];
            let mut categories = Vec::new();
            for category in &c.categories {
                let of = self.of_category(year, &category.key);
                let key = Some(category.key.as_str());
                let Some(agg) = area_sum(self.site, self.sums, of, year, key) else {
                    continue;
                };
                let counts = counts(self, &agencies, year, key);
                categories.push(Category {
                    key: &category.key,
                    name: &category.name,
                    sums: sums(self, &agg, of, counts, (year, key)),
                });
            }
            years.push(Year {
                year,
                sums: sums(
                    self,
                    total,
                    reports,
                    counts(self, &agencies, year, None),
                    (year, None),
                ),
                categories,
            });
        }
        let summary = Summary {
            format: FORMAT,
            title: &c.title,
            base_url: c.base_url.as_deref(),
            years,
        };
        let mut out = serde_json::to_vec_pretty(&summary).expect("the summary always serializes");
        out.push(b'\n');
        out
    }
}
