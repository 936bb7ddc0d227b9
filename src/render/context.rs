//! What every page shares: the site prepared once for rendering (non-draft
//! reports, years, the district sums), the variables every template gets,
//! and the dispatch of a job to its view and template.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tera::Context;

use super::jobs::{Job, template_of};
use super::{Theme, csp, data, markdown, tables};
use crate::aggregate::{self, Aggregate, SumCache};
use crate::error::Result;
use crate::indicators::IndicatorCache;
use crate::model::{Report, Site};

/// What `serve` keeps from one rebuild to the next for the aggregate step
/// (`build` keeps nothing: the default).
#[derive(Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// District sums.
    pub sums: Option<&'a SumCache>,
    /// Each report's indicators and the peer groups.
    pub indicators: Option<&'a IndicatorCache>,
}

/// Everything computed once and shared by all jobs.
pub(super) struct SiteContext<'a> {
    pub(super) site: &'a Site,
    /// Non-draft reports.
    pub(super) reports: Vec<&'a Report>,
    pub(super) years: BTreeMap<i32, Vec<&'a Report>>,
    /// Non-draft reports by year and category key (in site order).
    by_category: BTreeMap<(i32, &'a str), Vec<&'a Report>>,
    pub(super) year_set: BTreeSet<i32>,
    pub(super) totals: BTreeMap<i32, Aggregate>,
    /// Sums from earlier rebuilds (serve).
    pub(super) sums: Option<&'a SumCache>,
    /// The site has a search index (`search` in site.toml).
    pub(super) search: bool,
    /// Indicators and peer quartiles, when the site shows them.
    pub(super) indicators: Option<crate::indicators::Indicators<'a>>,
    /// See [`SiteContext::fingerprint_global`].
    pub(super) global: u64,
    /// The Content-Security-Policy `<meta>` of every page but the search
    /// page, and of the search page (see [`csp`]); none with `csp = false`.
    csp_meta: [Option<String>; 2],
    pub(super) spent: Spent,
    /// The tables' layouts, made once for all reports of a shape.
    skeletons: tables::Skeletons,
}

pub(super) fn sum(cache: Option<&SumCache>, reports: &[&Report]) -> Option<Aggregate> {
    match cache {
        Some(cache) => cache.sum(reports),
        None => aggregate::sum(reports),
    }
}

/// The area's sums of `year` (of one category, or all): the site's own
/// `reports` summed, plus every member's summed sums. `None` on overflow.
pub(super) fn area_sum(
    site: &Site,
    cache: Option<&SumCache>,
    reports: &[&Report],
    year: i32,
    category: Option<&str>,
) -> Option<Aggregate> {
    let own = sum(cache, reports)?;
    if site.members.is_empty() {
        return Some(own);
    }
    let parts = crate::model::member::parts(&site.members, year, category).map(|p| &p.sums);
    aggregate::combine(std::iter::once(&own).chain(parts))
}

#[derive(Serialize)]
struct UnreadView<'a> {
    name: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    language: &'a str,
    area: &'a str,
    base_url: Option<&'a str>,
    footer: FooterView<'a>,
}

#[derive(Serialize)]
struct FooterView<'a> {
    organizer: Option<&'a str>,
    contact: Option<&'a str>,
    site_id_code: Option<&'a str>,
    icp: Option<&'a str>,
    police_record: Option<&'a str>,
}

/// CPU time spent in the parts of rendering, summed over the threads that
/// share them (nanoseconds).
#[derive(Default)]
pub(super) struct Spent {
    pub(super) markdown: AtomicU64,
    /// View models (markdown included) and their conversion for Tera.
    pub(super) views: AtomicU64,
    pub(super) render: AtomicU64,
}

impl Spent {
    pub(super) fn add(&self, counter: &AtomicU64, since: Instant) {
        counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    pub(super) fn get(&self, counter: &AtomicU64) -> Duration {
        Duration::from_nanos(counter.load(Ordering::Relaxed))
    }
}

impl<'a> SiteContext<'a> {
    pub(super) fn new(site: &'a Site, reuse: Reuse<'a>) -> Self {
        let sums = reuse.sums;
        let mut years = aggregate::years(site);
        // A year only members report on is a year of the area too.
        for m in &site.members {
            for y in m.years.keys() {
                years.entry(*y).or_default();
            }
        }
        let reports: Vec<&Report> = site.reports.iter().filter(|r| !r.draft).collect();
        let mut by_category: BTreeMap<(i32, &str), Vec<&Report>> = BTreeMap::new();
        for (r, category) in site.reports.iter().zip(aggregate::report_categories(site)) {
            if let Some(category) = category.filter(|_| !r.draft) {
                by_category.entry((r.year, category)).or_default().push(r);
            }
        }
        let totals = years
            .iter()
            .filter_map(|(y, rs)| area_sum(site, sums, rs, *y, None).map(|a| (*y, a)))
            .collect();
        SiteContext {
            site,
            year_set: years.keys().copied().collect(),
            years,
            by_category,
            global: Self::fingerprint_global(site, &reports),
            reports,
            totals,
            sums,
            search: site.config.search,
            csp_meta: [false, true]
                .map(|searches| csp::policy(&site.config.csp, searches).map(|p| csp::meta(&p))),
            indicators: site
                .config
                .indicators
                .then(|| crate::indicators::Indicators::compute_cached(site, reuse.indicators)),
            spent: Spent::default(),
            skeletons: tables::Skeletons::default(),
        }
    }

    /// The non-draft reports of `year` of one category, in site order.
    pub(super) fn of_category(&self, year: i32, category: &str) -> &[&'a Report] {
        // A search among a few dozen keys (`get` would tie the reports'
        // lifetime to `category`'s).
        self.by_category
            .iter()
            .find(|((y, c), _)| *y == year && *c == category)
            .map_or(&[], |(_, of)| of.as_slice())
    }

    /// Every year's reports of one category.
    pub(super) fn category_reports(&self, category: &str) -> impl Iterator<Item = &'a Report> {
        self.by_category
            .iter()
            .filter(move |((_, c), _)| *c == category)
            .flat_map(|(_, of)| of.iter().copied())
    }

    pub(super) fn base_context(&self, root: &str, page_title: &str) -> Context {
        let c = &self.site.config;
        let mut ctx = Context::new();
        ctx.insert(
            "site",
            &SiteView {
                title: &c.title,
                language: &c.language,
                area: &c.area,
                base_url: c.base_url.as_deref(),
                footer: FooterView {
                    organizer: c.footer.organizer.as_deref(),
                    contact: c.footer.contact.as_deref(),
                    site_id_code: c.footer.site_id_code.as_deref(),
                    icp: c.footer.icp.as_deref(),
                    police_record: c.footer.police_record.as_deref(),
                },
            },
        );
        ctx.insert("root", root);
        ctx.insert("page_title", page_title);
        ctx.insert("search", &self.search);
        // Members left out (--allow-missing-members): every page says so.
        let unread: Vec<UnreadView> = self
            .site
            .unread
            .iter()
            .map(|u| UnreadView {
                name: &u.name,
                reason: &u.reason,
            })
            .collect();
        ctx.insert("unread", &unread);
        let nav: Vec<i32> = self.year_set.iter().rev().copied().collect();
        ctx.insert("nav_years", &nav);
        ctx
    }

    /// Tables print on one line when minified; otherwise a row per line,
    /// for people reading the HTML.
    pub(super) fn table(&self, table: tables::Table) -> tables::Table {
        table
            .lines(!self.site.config.minify)
            .shaped(&self.skeletons)
    }

    pub(super) fn markdown(&self, text: &str) -> String {
        let clock = Instant::now();
        let html = markdown::to_html(text);
        self.spent.add(&self.spent.markdown, clock);
        html
    }

    pub(super) fn render(&self, theme: &Theme, job: &Job) -> Result<String> {
        let clock = Instant::now();
        let ctx = match job {
            Job::ReportData(i) => return Ok(data::report_json(self.site, self.reports[*i])),
            Job::Home => {
                let mut ctx = self.base_context("", &self.site.config.title);
                ctx.insert("home", &self.home_view());
                ctx.insert("categories", &self.categories());
                ctx
            }
            Job::Agencies => {
                let mut ctx = self.base_context("../", "机构");
                ctx.insert("categories", &self.categories());
                ctx
            }
            Job::NotFound => {
                let root = self.site.config.base_url.clone().unwrap_or_default();
                self.base_context(&root, "页面不存在")
            }
            Job::Search => self.base_context("../", "搜索"),
            Job::Formulas => {
                let mut ctx = self.base_context("../../", "指标口径说明");
                ctx.insert("page", &self.formulas_view());
                ctx
            }
            Job::Year(year) => {
                let mut ctx = self.base_context("../", &format!("{year}年度"));
                ctx.insert("year", &self.year_view(*year)?);
                ctx.insert("indicators", &self.year_indicators(*year));
                ctx
            }
            Job::Agency(slug) => {
                let agency = &self.site.agencies[slug];
                let mut ctx = self.base_context("../../", &agency.name);
                ctx.insert("agency", &self.agency_view(slug));
                ctx.insert("indicators", &self.agency_indicators(slug));
                ctx
            }
            Job::Report(i) => {
                let report = self.reports[*i];
                let view = self.report_view(report);
                let mut ctx = self.base_context("../../", &view.title);
                ctx.insert("report", &view);
                ctx
            }
        };
        self.spent.add(&self.spent.views, clock);
        let clock = Instant::now();
        // Every job but report.json (returned above) has a template.
        let template = template_of(job).unwrap_or_default();
        let mut html = theme.render(template, &ctx)?;
        let searches = matches!(job, Job::Search) && self.search;
        if let Some(meta) = &self.csp_meta[usize::from(searches)] {
            html = csp::insert(&html, meta);
        }
        self.spent.add(&self.spent.render, clock);
        Ok(html)
    }

    pub(super) fn agency_name(&self, slug: &str) -> &str {
        &self.site.agencies[slug].name
    }

    /// `data/indicators.csv` and `data/peers.csv`.
    pub(super) fn indicator_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let Some(indicators) = &self.indicators else {
            return Vec::new();
        };
        use crate::indicators::csv::{indicators_csv, peers_csv};
        vec![
            (
                PathBuf::from("data/indicators.csv"),
                indicators_csv(self.site, indicators, None).into_bytes(),
            ),
            (
                PathBuf::from("data/peers.csv"),
                peers_csv(indicators, None).into_bytes(),
            ),
        ]
    }

    /// A year's `summary.csv` (its area's sums) and, on a site with
    /// members, `members.csv` (one row per member).
    pub(super) fn summary(&self, year: i32) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out: Vec<(PathBuf, Vec<u8>)> = self
            .totals
            .get(&year)
            .map(|agg| {
                (
                    PathBuf::from(format!("{year}/summary.csv")),
                    data::summary_csv(agg).into_bytes(),
                )
            })
            .into_iter()
            .collect();
        if !self.site.config.members.is_empty() {
            out.push((
                PathBuf::from(format!("{year}/members.csv")),
                self.members_csv(year).into_bytes(),
            ));
        }
        out
    }
}
