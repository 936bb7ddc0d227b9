//! The one job list: what a site's output holds. Pages are [`Job`]s, each
//! rendered on its own (in parallel; by serve only when its fingerprint
//! changed); the other files are [`Product`]s, made from the site as a
//! whole. A new page type is a `Job` variant, its template (`template_of`),
//! its path and fingerprint here, and its view in `views/`.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use super::context::SiteContext;
use crate::model::{Report, Site};

/// What a site's output holds, in the order it is made.
#[derive(Debug)]
pub struct Plan {
    /// Every page and every report's `report.json`.
    pub pages: Vec<Job>,
    /// Every other file.
    pub files: Vec<Product>,
}

/// A file (or set of files) of the output that is not a page. `build` and
/// `serve` each handle every variant (the compiler checks it), the way
/// their sinks need: written, copied or streamed to disk; held in memory,
/// read from disk on request or made on first request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Product {
    /// `<year>/summary.csv`: the district sums of a year.
    Summary(i32),
    /// `robots.txt`, and `sitemap.xml` and `feed.xml` when the site has a
    /// `base_url`.
    Feeds,
    /// `data/reports.csv` and `data/reports.json`: every cell of every
    /// report (100 MB on a large site: streamed, or made on request).
    Tables,
    /// A report's signed original, copied as it is from `content/`.
    Original { path: PathBuf, source: PathBuf },
    /// The theme's and the site's static files.
    Static,
    /// The search index over the pages (`search-index/`).
    SearchIndex,
    /// `data/indicators.csv` and `data/peers.csv` (when the site shows
    /// indicators).
    Indicators,
    /// `data/summary.json`: the site's sums, for a parent site's roll-up.
    SiteSummary,
}

impl Product {
    /// The files of a site-wide download, which depend on every report:
    /// `serve` makes them only when one is asked for (see
    /// [`super::site_downloads`]), not on every rebuild. Empty for the
    /// other products.
    pub fn downloads(&self) -> &'static [&'static str] {
        match self {
            Product::Tables => &["data/reports.csv", "data/reports.json"],
            Product::Indicators => &["data/indicators.csv", "data/peers.csv"],
            Product::SiteSummary => &["data/summary.json"],
            _ => &[],
        }
    }
}

/// One page to render.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    Home,
    Agencies,
    NotFound,
    /// `search/index.html` (only when the site has a search index).
    Search,
    /// `about/indicators/index.html`: the indicators' formulas (when the
    /// site shows indicators).
    Formulas,
    Year(i32),
    Agency(String),
    Report(usize),
    /// A report's `report.json`.
    ReportData(usize),
}

/// The template a page is rendered with (`report.json` has none).
pub(super) fn template_of(job: &Job) -> Option<&'static str> {
    Some(match job {
        Job::Home => "index.html",
        Job::Agencies => "agencies.html",
        Job::NotFound => "404.html",
        Job::Search => "search.html",
        Job::Formulas => "indicators.html",
        Job::Year(_) => "year.html",
        Job::Agency(_) => "agency.html",
        Job::Report(_) => "report.html",
        Job::ReportData(_) => return None,
    })
}

impl SiteContext<'_> {
    /// The one list of the site's output: every page, then every file made
    /// from the site as a whole.
    pub(super) fn plan(&self) -> Plan {
        let mut pages = vec![Job::Home, Job::Agencies, Job::NotFound];
        if self.search {
            pages.push(Job::Search);
        }
        if self.indicators.is_some() {
            pages.push(Job::Formulas);
        }
        pages.extend(self.year_set.iter().map(|y| Job::Year(*y)));
        pages.extend(self.site.agencies.keys().map(|s| Job::Agency(s.clone())));
        pages.extend((0..self.reports.len()).map(Job::Report));
        pages.extend((0..self.reports.len()).map(Job::ReportData));
        let mut files: Vec<Product> = self.totals.keys().map(|y| Product::Summary(*y)).collect();
        files.extend([
            Product::Feeds,
            Product::Tables,
            Product::SiteSummary,
            Product::Static,
        ]);
        if self.indicators.is_some() {
            files.push(Product::Indicators);
        }
        files.extend(self.reports.iter().filter(|r| r.has_pdf).map(|r| {
            Product::Original {
                path: super::original_path(r.year, &r.agency),
                source: self
                    .site
                    .root
                    .join("content")
                    .join(&r.agency)
                    .join(format!("{}.pdf", r.year)),
            }
        }));
        if self.search {
            files.push(Product::SearchIndex);
        }
        Plan { pages, files }
    }

    /// The jobs whose fingerprint depends on the reports `changed` (indexes
    /// in `Site::reports`): their pages and report.json, the next year's
    /// page (it cites its predecessor), their agencies' and years' pages
    /// and the home page.
    pub(super) fn jobs_showing(&self, changed: &[usize]) -> Vec<Job> {
        let mut jobs = Vec::new();
        let mut agencies = BTreeSet::new();
        let mut years = BTreeSet::new();
        for &i in changed {
            let r = &self.site.reports[i];
            if self.indicators.is_some() {
                // Peer medians: the agencies of the category; 申请量同比:
                // the next year's page.
                if let Some(category) = self.peers_of(&r.agency) {
                    agencies.extend(
                        self.site
                            .agencies
                            .values()
                            .filter(|a| a.category == category)
                            .map(|a| a.slug.clone()),
                    );
                }
                if self.years.contains_key(&(r.year + 1)) {
                    years.insert(r.year + 1);
                }
            }
            if let Some(next) = self.report_index(&r.agency, r.year + 1) {
                jobs.push(Job::Report(next));
            }
            if let Some(at) = self.report_index(&r.agency, r.year) {
                jobs.push(Job::Report(at));
                jobs.push(Job::ReportData(at));
                agencies.insert(r.agency.clone());
                years.insert(r.year);
            }
        }
        if !agencies.is_empty() {
            jobs.push(Job::Home);
        }
        jobs.extend(years.into_iter().map(Job::Year));
        jobs.extend(agencies.into_iter().map(Job::Agency));
        jobs.sort();
        jobs.dedup();
        jobs
    }

    /// The category whose medians an agency's page shows, when the site
    /// shows indicators.
    fn peers_of(&self, slug: &str) -> Option<&str> {
        self.indicators.as_ref()?;
        self.site.agencies.get(slug).map(|a| a.category.as_str())
    }

    /// Where a non-draft report is in `reports` (sorted as the site's).
    pub(super) fn report_index(&self, agency: &str, year: i32) -> Option<usize> {
        self.reports
            .binary_search_by(|r| (r.agency.as_str(), r.year).cmp(&(agency, year)))
            .ok()
    }

    pub(super) fn job_path(&self, job: &Job) -> PathBuf {
        match job {
            Job::Home => PathBuf::from("index.html"),
            Job::Agencies => PathBuf::from("agencies/index.html"),
            Job::NotFound => PathBuf::from("404.html"),
            Job::Search => PathBuf::from("search/index.html"),
            Job::Formulas => PathBuf::from("about/indicators/index.html"),
            Job::Year(year) => PathBuf::from(format!("{year}/index.html")),
            Job::Agency(slug) => PathBuf::from(format!("agencies/{slug}/index.html")),
            Job::Report(i) => {
                let r = self.reports[*i];
                PathBuf::from(format!("{}/{}/index.html", r.year, r.agency))
            }
            Job::ReportData(i) => {
                let r = self.reports[*i];
                PathBuf::from(format!("{}/{}/report.json", r.year, r.agency))
            }
        }
    }

    /// What every page shows: the site's settings, the navigation (years)
    /// and which agency has which year (statuses, links between years).
    /// Each page adds its template's fingerprint.
    pub(super) fn fingerprint_global(site: &Site, reports: &[&Report]) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{:?}", site.config).hash(&mut h);
        for a in site.agencies.values() {
            (&a.slug, &a.name, &a.category).hash(&mut h);
        }
        for r in reports {
            (&r.agency, r.year, r.published).hash(&mut h);
        }
        // A roll-up's pages show its members' figures and who is left out.
        for m in &site.members {
            (&m.key, &m.base_url, m.fingerprint).hash(&mut h);
        }
        format!("{:?}", site.unread).hash(&mut h);
        h.finish()
    }

    /// The global fingerprint plus the reports the page shows.
    pub(super) fn job_fingerprint(&self, job: &Job, global: u64) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        global.hash(&mut h);
        match job {
            Job::Home => self.reports.iter().for_each(|r| r.source_hash.hash(&mut h)),
            Job::Agencies | Job::NotFound | Job::Search | Job::Formulas => {}
            Job::Year(year) => {
                self.years[year]
                    .iter()
                    .for_each(|r| r.source_hash.hash(&mut h));
                // 申请量同比 compares with last year's reports.
                if self.indicators.is_some()
                    && let Some(before) = self.years.get(&(year - 1))
                {
                    before.iter().for_each(|r| r.source_hash.hash(&mut h));
                }
            }
            Job::Agency(slug) => match self.peers_of(slug) {
                // Beside its own figures, its category's medians: every
                // report of the category counts.
                Some(category) => self
                    .category_reports(category)
                    .for_each(|r| r.source_hash.hash(&mut h)),
                None => self
                    .site
                    .reports_of(slug)
                    .iter()
                    .filter(|r| !r.draft)
                    .for_each(|r| r.source_hash.hash(&mut h)),
            },
            Job::ReportData(i) => self.reports[*i].source_hash.hash(&mut h),
            Job::Report(i) => {
                let r = self.reports[*i];
                r.source_hash.hash(&mut h);
                // An as-published report lists its carry-over (X1) breaks.
                self.site
                    .report(&r.agency, r.year - 1)
                    .map(|p| p.source_hash)
                    .hash(&mut h);
            }
        }
        h.finish()
    }
}
