//! Rendering: a loaded, aggregated site → the bytes of every page and
//! download of the portal.
//!
//! [`Renderer::plan`] is the one list of what a site's output holds (pages
//! as [`Job`]s, other files as [`Product`]s); `build` (crate::pipeline) and
//! `serve` (crate::serve) both go through it, so a new page type is added in
//! `jobs.rs` with its template and view, and appears in both. View models are
//! computed in `views/`, ready-made, so templates stay thin.

mod cache;
mod charts;
mod context;
pub mod csp;
pub(crate) mod data;
mod feeds;
pub(crate) mod hash;
mod jobs;
pub mod markdown;
pub mod search;
mod summary;
pub mod tables;
mod theme;
mod views;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::aggregate::SumCache;
use crate::error::Result;
use crate::model::Site;
use crate::output::Sink;

use context::SiteContext;

pub use cache::{PageCache, Pass, etag};
pub use context::Reuse;
pub(crate) use feeds::xml_escape;
pub use jobs::{Job, Plan, Product};
pub use theme::{TEMPLATES, Theme};

/// A loaded site prepared for rendering: its aggregates computed once (the
/// pipeline's `aggregate` step), shared by every job.
pub struct Renderer<'a> {
    ctx: SiteContext<'a>,
    theme: &'a Theme,
}

impl<'a> Renderer<'a> {
    /// Computes the district sums; with `sums`, reuses (and keeps) the sums
    /// of earlier rebuilds (serve).
    pub fn new(site: &'a Site, theme: &'a Theme, sums: Option<&'a SumCache>) -> Self {
        Self::reusing(
            site,
            theme,
            Reuse {
                sums,
                indicators: None,
            },
        )
    }

    /// [`Renderer::new`], reusing (and keeping) what earlier rebuilds
    /// computed: sums and indicators (serve).
    pub fn reusing(site: &'a Site, theme: &'a Theme, reuse: Reuse<'a>) -> Self {
        Renderer {
            ctx: SiteContext::new(site, reuse),
            theme,
        }
    }

    /// Everything the site's output holds: every page, then every other file.
    pub fn plan(&self) -> Plan {
        self.ctx.plan()
    }

    /// Where a page goes, relative to the output folder.
    pub fn path(&self, job: &Job) -> PathBuf {
        self.ctx.job_path(job)
    }

    /// Renders one page (or a report's `report.json`).
    pub fn render(&self, job: &Job) -> Result<String> {
        self.ctx.render(self.theme, job)
    }

    /// The files of a small product, made in memory: a year's
    /// `summary.csv`, the feeds, the indicator downloads or
    /// `data/summary.json`. Other products are made by their sink
    /// (copied, streamed or indexed) and give nothing here.
    pub fn make(&self, product: &Product) -> Vec<(PathBuf, Vec<u8>)> {
        match product {
            Product::Summary(year) => self.ctx.summary(*year),
            Product::Feeds => self.ctx.feeds(),
            Product::Indicators => self.ctx.indicator_files(),
            Product::SiteSummary => {
                vec![(PathBuf::from("data/summary.json"), self.ctx.site_summary())]
            }
            Product::Tables | Product::Original { .. } | Product::Static | Product::SearchIndex => {
                Vec::new()
            }
        }
    }

    /// Streams `data/reports.csv` and `data/reports.json` into `sink`.
    pub fn write_tables(&self, sink: &dyn Sink) -> Result<()> {
        data::write_tables(self.ctx.site, &self.ctx.reports, sink)
    }

    /// The theme's and the site's static files.
    pub fn static_files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        self.theme.static_files(&self.ctx.site.root)
    }

    /// CPU time spent in the parts of rendering so far, summed over the
    /// threads: markdown, views (without markdown), render (Tera).
    pub fn spent(&self) -> [(&'static str, Duration); 3] {
        let s = &self.ctx.spent;
        [
            ("· markdown", s.get(&s.markdown)),
            (
                "· views",
                s.get(&s.views).saturating_sub(s.get(&s.markdown)),
            ),
            ("· render", s.get(&s.render)),
        ]
    }

    /// What every page and the feeds are made from besides the reports'
    /// figures: settings, theme, agencies, which reports exist and when
    /// they were published.
    pub fn global_fingerprint(&self) -> u64 {
        self.ctx.global
    }

    /// What data/reports.csv and data/reports.json are made from: the
    /// site's settings, agencies and every report.
    pub fn tables_fingerprint(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.ctx.global.hash(&mut h);
        for r in &self.ctx.reports {
            r.source_hash.hash(&mut h);
        }
        h.finish()
    }

    /// Whether the site has a search index (`search` in site.toml).
    pub fn search(&self) -> bool {
        self.ctx.search
    }
}

/// Every site-wide download ([`Product::downloads`]) made in memory, for
/// `serve`, which makes them when one is first asked for: the tables of
/// every cell, the indicator files (when the site shows indicators) and
/// `data/summary.json`. The same bytes as `build` writes.
pub fn site_downloads(site: &Site) -> Vec<(PathBuf, Vec<u8>)> {
    let ctx = SiteContext::new(site, Reuse::default());
    let mut files = data::site_tables(site);
    files.extend(ctx.indicator_files());
    files.push((PathBuf::from("data/summary.json"), ctx.site_summary()));
    files
}

/// The output path of a report's signed original.
fn original_path(year: i32, agency: &str) -> PathBuf {
    Path::new(&year.to_string())
        .join(agency)
        .join(format!("{year}.pdf"))
}
