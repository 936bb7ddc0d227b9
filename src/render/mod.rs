//! Rendering: the loaded site → every page and download of the portal.
//!
//! Pages are a flat list of independent jobs rendered in parallel (rayon);
//! view models are computed here, ready-made, so templates stay thin.
//! Each phase is timed for `build --timings`.

mod charts;
mod data;
pub mod markdown;
pub mod search;
pub mod tables;
mod theme;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::aggregate::{self, Aggregate, KeyFigures, SumCache};
use crate::error::{Error, Result};
use crate::model::{ProseKind, Report, Site, rules};
use crate::output::{self, Staging};

pub use theme::{TEMPLATES, Theme};

/// What a build did, and how long each phase took.
#[derive(Debug, Default)]
pub struct BuildSummary {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub bytes: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Output folder; default `output_dir` of site.toml, relative to the root.
    pub output: Option<PathBuf>,
}

/// Builds the site into its output folder, atomically. Each page is
/// written by the job that renders it, so the finished site is never held
/// in memory whole.
pub fn build(site: &Site, options: &BuildOptions) -> Result<BuildSummary> {
    let mut clock = Clock::new();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| site.root.join(&site.config.output_dir));
    output::check_target(&site.root, &output)?;
    let _lock = output::BuildLock::acquire(&output)?;
    let theme = Theme::load(&site.root, &site.config.theme, site.config.minify)?;
    clock.lap("templates");

    let renderer = Renderer::new(site, &theme);
    clock.lap("aggregate");

    let staging = Staging::new(&output)?;
    let ctx = &renderer.ctx;
    let jobs = ctx.jobs();
    // The pages the search index reads, as it reads them (made here, on
    // the threads that render, while the page is at hand).
    let found = Mutex::new(Vec::new());
    let pages = jobs
        .par_iter()
        .map(|job| {
            let html = ctx.render(&theme, job)?;
            let clock = Instant::now();
            let path = ctx.job_path(job);
            staging.write(&path, html.as_bytes())?;
            ctx.spent.add(&ctx.spent.write, clock);
            if ctx.search {
                let clock = Instant::now();
                if let Some(page) = search::page(&path, &html) {
                    found.lock().unwrap_or_else(|e| e.into_inner()).push(page);
                }
                ctx.spent.add(&ctx.spent.search, clock);
            }
            Ok(html.len())
        })
        .collect::<Result<Vec<usize>>>()?;
    clock.lap("pages");
    clock.add("· markdown", ctx.spent.get(&ctx.spent.markdown));
    clock.add(
        "· views",
        ctx.spent
            .get(&ctx.spent.views)
            .saturating_sub(ctx.spent.get(&ctx.spent.markdown)),
    );
    clock.add("· render", ctx.spent.get(&ctx.spent.render));
    clock.add("· write", ctx.spent.get(&ctx.spent.write));
    if ctx.search {
        clock.add("· search", ctx.spent.get(&ctx.spent.search));
    }

    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if ctx.search {
        files = search::index(&found);
        drop(found);
        clock.lap("search");
    }

    let counted = Counted {
        sink: &staging,
        files: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    };
    ctx.write_data(&counted)?;
    let data_files = counted.files.load(Ordering::Relaxed) as usize;
    let data_bytes = counted.bytes.load(Ordering::Relaxed) as usize;
    files.extend(theme.static_files(&site.root)?);
    files
        .par_iter()
        .map(|(path, bytes)| staging.write(path, bytes))
        .collect::<Result<Vec<()>>>()?;
    // Signed originals are copied, not read into memory.
    let pdfs = renderer
        .pdfs()
        .par_iter()
        .map(|(to, from)| staging.copy(to, from))
        .collect::<Result<Vec<u64>>>()?;
    clock.lap("data");
    staging.commit()?;
    clock.lap("commit");

    Ok(BuildSummary {
        output,
        pages: pages.len(),
        files: pages.len() + files.len() + pdfs.len() + data_files,
        bytes: pages.iter().sum::<usize>()
            + files.iter().map(|(_, b)| b.len()).sum::<usize>()
            + pdfs.iter().sum::<u64>() as usize
            + data_bytes,
        timings: clock.laps,
    })
}

/// `data/reports.csv` and `data/reports.json` (and, with `each`, every
/// report's `report.json`), streamed a slice of reports at a time, each
/// report's record made once for both, so that the 100 MB of a large
/// site's data never sit in memory at once.
fn write_tables(site: &Site, reports: &[&Report], sink: &dyn Sink, each: bool) -> Result<()> {
    fn io(path: &'static str) -> impl Fn(std::io::Error) -> Error {
        move |e| Error::io(Path::new(path), e)
    }
    let keys = data::CsvColumns::new();
    let mut csv = sink.stream(Path::new("data/reports.csv"))?;
    let mut json = sink.stream(Path::new("data/reports.json"))?;
    csv.write_all(keys.header().as_bytes())
        .map_err(io("data/reports.csv"))?;
    json.write_all(data::JSON_OPEN.as_bytes())
        .map_err(io("data/reports.json"))?;
    for (n, slice) in reports.chunks(512).enumerate() {
        let records: Vec<(String, String)> = slice
            .par_iter()
            .map(|report| {
                let record = data::report_json(site, report);
                if each {
                    sink.file(
                        PathBuf::from(format!("{}/{}/report.json", report.year, report.agency)),
                        record.clone().into_bytes(),
                    )?;
                }
                Ok((record, keys.line(site, report)))
            })
            .collect::<Result<_>>()?;
        for (i, (record, line)) in records.iter().enumerate() {
            if n > 0 || i > 0 {
                json.write_all(data::JSON_SEPARATOR.as_bytes())
                    .map_err(io("data/reports.json"))?;
            }
            json.write_all(record.as_bytes())
                .map_err(io("data/reports.json"))?;
            csv.write_all(line.as_bytes())
                .map_err(io("data/reports.csv"))?;
        }
    }
    json.write_all(data::JSON_CLOSE.as_bytes())
        .map_err(io("data/reports.json"))?;
    json.flush().map_err(io("data/reports.json"))?;
    csv.flush().map_err(io("data/reports.csv"))
}

/// `data/reports.csv` and `data/reports.json` of a site, in memory (serve
/// makes them when first asked for, not on every rebuild).
pub fn site_tables(site: &Site) -> Vec<(PathBuf, Vec<u8>)> {
    let reports: Vec<&Report> = site.reports.iter().filter(|r| !r.draft).collect();
    let sink = MemorySink::default();
    // Memory cannot fail.
    let _ = write_tables(site, &reports, &sink, false);
    sink.files.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Where a build's files go: the staging folder (`build`) or memory
/// (`serve`). `file` is called from several threads at once.
pub trait Sink: Sync {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()>;
    /// A big file written piece by piece; the caller flushes it.
    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>>;
}

impl Sink for Staging {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.write(&path, &bytes)
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        Ok(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            self.create(path)?,
        )))
    }
}

/// A sink that counts what goes through it, for the build summary.
struct Counted<'a> {
    sink: &'a dyn Sink,
    files: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for Counted<'_> {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.sink.file(path, bytes)
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(CountedWriter {
            inner: self.sink.stream(path)?,
            bytes: &self.bytes,
        }))
    }
}

struct CountedWriter<'a> {
    inner: Box<dyn Write + 'a>,
    bytes: &'a AtomicU64,
}

impl Write for CountedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Default)]
struct MemorySink {
    files: Mutex<Vec<(PathBuf, Vec<u8>)>>,
}

impl Sink for MemorySink {
    fn file(&self, path: PathBuf, bytes: Vec<u8>) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path, bytes));
        Ok(())
    }

    fn stream(&self, path: &Path) -> Result<Box<dyn Write + '_>> {
        Ok(Box::new(MemoryFile {
            sink: self,
            path: path.to_path_buf(),
            bytes: Vec::new(),
        }))
    }
}

/// A streamed file kept in memory; it lands in its sink when dropped.
struct MemoryFile<'a> {
    sink: &'a MemorySink,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Write for MemoryFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MemoryFile<'_> {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        let _ = self.sink.file(std::mem::take(&mut self.path), bytes);
    }
}

/// CPU time spent in the parts of rendering, summed over the threads that
/// share them (nanoseconds).
#[derive(Default)]
struct Spent {
    markdown: AtomicU64,
    /// View models (markdown included) and their conversion for Tera.
    views: AtomicU64,
    render: AtomicU64,
    write: AtomicU64,
    /// Reading the rendered pages for the search index.
    search: AtomicU64,
}

impl Spent {
    fn add(&self, counter: &AtomicU64, since: Instant) {
        counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    fn get(&self, counter: &AtomicU64) -> Duration {
        Duration::from_nanos(counter.load(Ordering::Relaxed))
    }
}

/// Times the phases of a build, one after another.
struct Clock {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Clock {
    fn new() -> Self {
        Clock {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, name: &'static str) {
        self.laps.push((name, self.last.elapsed()));
        self.last = Instant::now();
    }

    /// A phase timed elsewhere, which ended just now.
    fn add(&mut self, name: &'static str, took: Duration) {
        self.laps.push((name, took));
        self.last = Instant::now();
    }
}

/// Rendered pages kept from one build to the next (by `serve`): each page's
/// bytes with a fingerprint of everything it was made from, so that a
/// rebuild renders only the pages whose inputs changed.
#[derive(Default)]
pub struct PageCache {
    pages: HashMap<PathBuf, Cached>,
    /// What the last pass rendered from.
    seen: Option<Seen>,
}

/// What a rendering pass was made from, to tell the next pass which
/// reports changed and nothing else.
struct Seen {
    /// The global fingerprint (settings, agencies, which reports exist).
    global: u64,
    /// Every template's fingerprint.
    templates: u64,
    /// Every report's (agency, year, draft), drafts included: when equal,
    /// `sources` lines up report by report.
    reports: u64,
    /// Each report's source fingerprint, in `Site::reports` order.
    sources: Vec<u64>,
}

impl Seen {
    fn of(ctx: &SiteContext, theme: &Theme) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for r in &ctx.site.reports {
            (&r.agency, r.year, r.draft).hash(&mut h);
        }
        Seen {
            global: ctx.global,
            templates: theme.fingerprint,
            reports: h.finish(),
            sources: ctx.site.reports.iter().map(|r| r.source_hash).collect(),
        }
    }

    /// The indexes (in `Site::reports`) of the reports whose files changed
    /// since `self`, when nothing else did; `None` when more changed.
    fn changed_reports(&self, now: &Seen) -> Option<Vec<usize>> {
        (self.global == now.global
            && self.templates == now.templates
            && self.reports == now.reports)
            .then(|| {
                (self.sources.iter().zip(&now.sources))
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(i, _)| i)
                    .collect()
            })
    }
}

struct Cached {
    fingerprint: u64,
    bytes: Arc<Vec<u8>>,
    /// A hash of the bytes, for HTTP caching.
    etag: u64,
}

impl PageCache {
    /// A page's bytes and ETag.
    pub fn get(&self, path: &Path) -> Option<(&Arc<Vec<u8>>, u64)> {
        self.pages.get(path).map(|c| (&c.bytes, c.etag))
    }

    /// Every page: its path, bytes and ETag.
    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Arc<Vec<u8>>, u64)> {
        self.pages.iter().map(|(p, c)| (p, &c.bytes, c.etag))
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// A hash of some bytes, for ETags.
pub fn etag(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// What one rendering pass did.
#[derive(Debug, Default)]
pub struct Pass {
    /// Pages rendered anew (their bytes may still equal the old ones).
    pub rendered: usize,
    /// Pages whose bytes changed, appeared or disappeared.
    pub changed: Vec<PathBuf>,
    pub render: Duration,
}

/// A loaded site prepared for rendering: aggregates computed once, shared by
/// every job.
pub struct Renderer<'a> {
    ctx: SiteContext<'a>,
    theme: &'a Theme,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        Renderer {
            ctx: SiteContext::new(site, None),
            theme,
        }
    }

    /// A renderer that reuses (and keeps) sums in `sums` (serve).
    pub fn with_sums(site: &'a Site, theme: &'a Theme, sums: &'a SumCache) -> Self {
        Renderer {
            ctx: SiteContext::new(site, Some(sums)),
            theme,
        }
    }

    /// Renders every page whose fingerprint is not the one in `cache`,
    /// in parallel, and drops pages the site no longer has.
    pub fn pages(&self, cache: &mut PageCache) -> Result<Pass> {
        let ctx = &self.ctx;
        let seen = Seen::of(ctx, self.theme);
        // After the usual edit (some reports' files, nothing else), only
        // the pages that show those reports need a fingerprint at all.
        let incremental = match &cache.seen {
            Some(old) if !cache.pages.is_empty() => old.changed_reports(&seen),
            _ => None,
        };
        let fingerprint = |job: Job| {
            let path = ctx.job_path(&job);
            let mut h = std::collections::hash_map::DefaultHasher::new();
            ctx.job_fingerprint(&job, seen.global).hash(&mut h);
            template_of(&job)
                .map(|t| self.theme.template_fingerprint(t))
                .hash(&mut h);
            let print = h.finish();
            (job, path, print)
        };
        let jobs: Vec<(Job, PathBuf, u64)> = match &incremental {
            Some(changed) => ctx
                .jobs_showing(changed)
                .into_iter()
                .map(fingerprint)
                .collect(),
            None => {
                let all: Vec<Job> = ctx
                    .jobs()
                    .into_iter()
                    .chain((0..ctx.reports.len()).map(Job::ReportData))
                    .collect();
                all.into_par_iter().map(fingerprint).collect()
            }
        };
        cache.seen = Some(seen);
        let clock = Instant::now();
        let todo: Vec<&(Job, PathBuf, u64)> = jobs
            .iter()
            .filter(|(_, path, print)| {
                cache
                    .pages
                    .get(path)
                    .is_none_or(|c| c.fingerprint != *print)
            })
            .collect();
        let bytes: Vec<(Vec<u8>, u64)> = todo
            .par_iter()
            .map(|(job, _, _)| {
                let bytes = ctx.render(self.theme, job)?.into_bytes();
                let tag = etag(&bytes);
                Ok((bytes, tag))
            })
            .collect::<Result<_>>()?;
        let render = clock.elapsed();
        let mut changed = Vec::new();
        for ((_, path, print), (bytes, etag)) in todo.iter().zip(bytes) {
            let same = cache.pages.get(path).is_some_and(|c| *c.bytes == bytes);
            if !same {
                changed.push(path.clone());
            }
            cache.pages.insert(
                path.clone(),
                Cached {
                    fingerprint: *print,
                    bytes: Arc::new(bytes),
                    etag,
                },
            );
        }
        // An incremental pass has the same pages as the last one.
        let gone: Vec<PathBuf> = match incremental {
            Some(_) => Vec::new(),
            None => {
                let live: HashSet<&PathBuf> = jobs.iter().map(|(_, p, _)| p).collect();
                cache
                    .pages
                    .keys()
                    .filter(|p| !live.contains(p))
                    .cloned()
                    .collect()
            }
        };
        for path in gone {
            cache.pages.remove(&path);
            changed.push(path);
        }
        changed.sort();
        Ok(Pass {
            rendered: todo.len(),
            changed,
            render,
        })
    }

    /// The quick downloads: summary.csv, sitemap, feed, robots.txt (serve;
    /// it renders report.json with the pages and makes data/ lazily).
    pub fn small_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.ctx.small_files()
    }

    /// Each year's summary.csv.
    pub fn summaries(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.ctx.summaries()
    }

    /// sitemap.xml, feed.xml and robots.txt.
    pub fn feeds(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.ctx.feeds()
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

    /// Whether the site has a search index (the `search` feature, and
    /// `search` in site.toml).
    pub fn search(&self) -> bool {
        self.ctx.search
    }

    /// The original PDFs, as (output path, source file).
    pub fn pdfs(&self) -> Vec<(PathBuf, PathBuf)> {
        let site = self.ctx.site;
        self.ctx
            .reports
            .iter()
            .filter(|r| r.has_pdf)
            .map(|r| {
                let name = format!("{}.pdf", r.year);
                (
                    Path::new(&r.year.to_string()).join(&r.agency).join(&name),
                    site.root.join("content").join(&r.agency).join(&name),
                )
            })
            .collect()
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
    Year(i32),
    Agency(String),
    Report(usize),
    /// A report's `report.json` (serve renders it with the pages; build
    /// writes it with the other downloads).
    ReportData(usize),
}

/// The template a page is rendered with (`report.json` has none).
fn template_of(job: &Job) -> Option<&'static str> {
    Some(match job {
        Job::Home => "index.html",
        Job::Agencies => "agencies.html",
        Job::NotFound => "404.html",
        Job::Search => "search.html",
        Job::Year(_) => "year.html",
        Job::Agency(_) => "agency.html",
        Job::Report(_) => "report.html",
        Job::ReportData(_) => return None,
    })
}

/// Everything computed once and shared by all jobs.
struct SiteContext<'a> {
    site: &'a Site,
    /// Non-draft reports.
    reports: Vec<&'a Report>,
    years: BTreeMap<i32, Vec<&'a Report>>,
    year_set: BTreeSet<i32>,
    totals: BTreeMap<i32, Aggregate>,
    /// Sums from earlier rebuilds (serve).
    sums: Option<&'a SumCache>,
    /// The site has a search index (the feature, and `search` in site.toml).
    search: bool,
    /// See [`SiteContext::fingerprint_global`].
    global: u64,
    spent: Spent,
}

fn sum(cache: Option<&SumCache>, reports: &[&Report]) -> Option<Aggregate> {
    match cache {
        Some(cache) => cache.sum(reports),
        None => aggregate::sum(reports),
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    language: &'a str,
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

#[derive(Serialize)]
struct ProseView {
    numeral: &'static str,
    title: String,
    html: String,
}

#[derive(Serialize)]
struct ReportView {
    agency: String,
    agency_name: String,
    year: i32,
    title: String,
    index_number: Option<String>,
    published: Option<String>,
    notices: Vec<String>,
    preamble: String,
    before: Vec<ProseView>,
    after: Vec<ProseView>,
    active: tables::Table,
    requests: tables::Table,
    reviews: tables::Table,
    pdf: bool,
    other_years: Vec<i32>,
    search: SearchFacts,
}

#[derive(Serialize)]
struct StatusRow {
    name: String,
    href: Option<String>,
    year: i32,
    status: String,
    status_key: &'static str,
    figures: Option<KeyFigures>,
}

#[derive(Serialize)]
struct Group<T> {
    name: String,
    rows: Vec<T>,
}

/// One category's agencies on a year page, as a ready table: a district
/// has hundreds, and a table printed in Rust is what keeps the year page
/// (re-rendered by serve after every edit) fast.
#[derive(Serialize)]
struct StatusTable {
    name: String,
    table: String,
}

/// The agencies' status and key figures as compact HTML.
fn status_table(rows: &[StatusRow], lines: bool) -> String {
    use std::fmt::Write as _;
    let eol = if lines { "\n" } else { "" };
    let mut out = String::with_capacity(256 + rows.len() * 320);
    let _ = write!(
        out,
        "<div class=table-scroll tabindex=0><table class=list><thead><tr><th scope=col>机构</th><th scope=col>状态</th>{}</tr></thead><tbody>{eol}",
        FIGURES_HEAD
    );
    for row in rows {
        let _ = write!(out, "<tr class=status-{}><th scope=row>", row.status_key);
        let name = tables::escape(&row.name);
        match &row.href {
            Some(href) => {
                let _ = write!(out, "<a href={}>{name}</a>", tables::attr(href));
            }
            None => out.push_str(&name),
        }
        let _ = write!(out, "</th><td>{}</td>", tables::escape(&row.status));
        match &row.figures {
            Some(f) => {
                for n in [f.new, f.closed, f.carried_forward, f.reviews, f.litigation] {
                    let _ = write!(out, "<td class=num>{n}</td>");
                }
            }
            None => out.push_str("<td colspan=5></td>"),
        }
        out.push_str("</tr>");
        out.push_str(eol);
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The key figures' column heads (as `figures_head.html` prints them).
const FIGURES_HEAD: &str = "<th scope=col>本年新收</th><th scope=col>办结</th><th scope=col>结转下年</th><th scope=col>行政复议</th><th scope=col>行政诉讼</th>";

#[derive(Serialize)]
struct AgencyLink {
    slug: String,
    name: String,
}

#[derive(Serialize)]
struct CategoryAgencies {
    name: String,
    agencies: Vec<AgencyLink>,
}

#[derive(Serialize)]
struct CategoryTables {
    name: String,
    reports: usize,
    requests: tables::Table,
    reviews: tables::Table,
}

#[derive(Serialize)]
struct YearView {
    year: i32,
    expected: usize,
    published: usize,
    late: usize,
    missing: usize,
    groups: Vec<StatusTable>,
    active: Vec<tables::Table>,
    requests: tables::Table,
    reviews: tables::Table,
    categories: Vec<CategoryTables>,
}

#[derive(Serialize)]
struct TrendRow {
    year: i32,
    reports: usize,
    figures: KeyFigures,
}

#[derive(Serialize)]
struct LatestView {
    year: i32,
    expected: usize,
    published: usize,
    figures: KeyFigures,
    absent: Vec<StatusRow>,
}

#[derive(Serialize)]
struct HomeView {
    latest: Option<LatestView>,
    trend: Vec<TrendRow>,
    chart: Option<String>,
}

#[derive(Serialize)]
struct AgencyView {
    name: String,
    category: String,
    years: Vec<StatusRow>,
    chart: Option<String>,
    search: SearchFacts,
}

/// What the search index reads from a page besides its text (the
/// `data-search-names` and `data-search-category` attributes): the agency's
/// full and short names, and its category's name.
#[derive(Serialize)]
struct SearchFacts {
    names: String,
    category: String,
}

impl<'a> SiteContext<'a> {
    fn new(site: &'a Site, sums: Option<&'a SumCache>) -> Self {
        let years = aggregate::years(site);
        let reports: Vec<&Report> = site.reports.iter().filter(|r| !r.draft).collect();
        let totals = years
            .iter()
            .filter_map(|(y, rs)| sum(sums, rs).map(|a| (*y, a)))
            .collect();
        SiteContext {
            site,
            year_set: years.keys().copied().collect(),
            years,
            global: Self::fingerprint_global(site, &reports),
            reports,
            totals,
            sums,
            search: site.config.search,
            spent: Spent::default(),
        }
    }

    fn jobs(&self) -> Vec<Job> {
        let mut jobs = vec![Job::Home, Job::Agencies, Job::NotFound];
        if self.search {
            jobs.push(Job::Search);
        }
        jobs.extend(self.year_set.iter().map(|y| Job::Year(*y)));
        jobs.extend(self.site.agencies.keys().map(|s| Job::Agency(s.clone())));
        jobs.extend((0..self.reports.len()).map(Job::Report));
        jobs
    }

    /// The jobs whose fingerprint depends on the reports `changed` (indexes
    /// in `Site::reports`): their pages and report.json, the next year's
    /// page (it cites its predecessor), their agencies' and years' pages
    /// and the home page.
    fn jobs_showing(&self, changed: &[usize]) -> Vec<Job> {
        let mut jobs = Vec::new();
        let mut agencies = BTreeSet::new();
        let mut years = BTreeSet::new();
        for &i in changed {
            let r = &self.site.reports[i];
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

    /// Where a non-draft report is in `reports` (sorted as the site's).
    fn report_index(&self, agency: &str, year: i32) -> Option<usize> {
        self.reports
            .binary_search_by(|r| (r.agency.as_str(), r.year).cmp(&(agency, year)))
            .ok()
    }

    fn job_path(&self, job: &Job) -> PathBuf {
        match job {
            Job::Home => PathBuf::from("index.html"),
            Job::Agencies => PathBuf::from("agencies/index.html"),
            Job::NotFound => PathBuf::from("404.html"),
            Job::Search => PathBuf::from("search/index.html"),
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
    fn fingerprint_global(site: &Site, reports: &[&Report]) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{:?}", site.config).hash(&mut h);
        for a in site.agencies.values() {
            (&a.slug, &a.name, &a.category).hash(&mut h);
        }
        for r in reports {
            (&r.agency, r.year, r.published).hash(&mut h);
        }
        h.finish()
    }

    /// The global fingerprint plus the reports the page shows.
    fn job_fingerprint(&self, job: &Job, global: u64) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        global.hash(&mut h);
        match job {
            Job::Home => self.reports.iter().for_each(|r| r.source_hash.hash(&mut h)),
            Job::Agencies | Job::NotFound | Job::Search => {}
            Job::Year(year) => self.years[year]
                .iter()
                .for_each(|r| r.source_hash.hash(&mut h)),
            Job::Agency(slug) => self
                .site
                .reports_of(slug)
                .iter()
                .filter(|r| !r.draft)
                .for_each(|r| r.source_hash.hash(&mut h)),
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

    fn base_context(&self, root: &str, page_title: &str) -> Context {
        let c = &self.site.config;
        let mut ctx = Context::new();
        ctx.insert(
            "site",
            &SiteView {
                title: &c.title,
                language: &c.language,
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
        let nav: Vec<i32> = self.year_set.iter().rev().copied().collect();
        ctx.insert("nav_years", &nav);
        ctx
    }

    /// Tables print on one line when minified; otherwise a row per line,
    /// for people reading the HTML.
    fn table(&self, table: tables::Table) -> tables::Table {
        table.lines(!self.site.config.minify)
    }

    fn markdown(&self, text: &str) -> String {
        let clock = Instant::now();
        let html = markdown::to_html(text);
        self.spent.add(&self.spent.markdown, clock);
        html
    }

    fn render(&self, theme: &Theme, job: &Job) -> Result<String> {
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
            Job::Year(year) => {
                let mut ctx = self.base_context("../", &format!("{year}年度"));
                ctx.insert("year", &self.year_view(*year)?);
                ctx
            }
            Job::Agency(slug) => {
                let agency = &self.site.agencies[slug];
                let mut ctx = self.base_context("../../", &agency.name);
                ctx.insert("agency", &self.agency_view(slug));
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
        let html = theme.render(template, &ctx)?;
        self.spent.add(&self.spent.render, clock);
        Ok(html)
    }

    fn agency_name(&self, slug: &str) -> &str {
        &self.site.agencies[slug].name
    }

    fn search_facts(&self, slug: &str) -> SearchFacts {
        let agency = &self.site.agencies[slug];
        let mut names = agency.name.clone();
        if let Some(short) = agency.short_name.as_ref().filter(|s| **s != agency.name) {
            names.push(' ');
            names.push_str(short);
        }
        SearchFacts {
            names,
            category: self
                .site
                .config
                .category(&agency.category)
                .map_or(agency.category.clone(), |c| c.name.clone()),
        }
    }

    fn report_view(&self, report: &Report) -> ReportView {
        let name = self.agency_name(&report.agency).to_string();
        let prose = |kinds: &[ProseKind]| -> Vec<ProseView> {
            kinds
                .iter()
                .map(|&kind| {
                    let section = report.prose.as_ref().and_then(|p| p.section(kind));
                    ProseView {
                        numeral: kind.numeral(),
                        title: section.map_or(kind.title().to_string(), |s| s.title.clone()),
                        html: section.map_or_else(
                            || "<p class=\"absent\">（本报告未载明）</p>".to_string(),
                            |s| self.markdown(&s.markdown),
                        ),
                    }
                })
                .collect()
        };
        let notices = if report.as_published {
            let mut found: Vec<String> = rules::arithmetic(report)
                .into_iter()
                .map(|f| format!("{}（{}）", f.message, f.rule))
                .collect();
            if let Some(prev) = self.site.report(&report.agency, report.year - 1) {
                found.extend(
                    rules::x1(report, prev)
                        .into_iter()
                        .map(|f| format!("{}（{}）", f.message, f.rule)),
                );
            }
            found
        } else {
            Vec::new()
        };
        let other_years = self
            .site
            .reports_of(&report.agency)
            .iter()
            .filter(|r| !r.draft && r.year != report.year)
            .map(|r| r.year)
            .collect();
        ReportView {
            agency: report.agency.clone(),
            agency_name: name.clone(),
            year: report.year,
            title: format!("{name}{}年政府信息公开工作年度报告", report.year),
            index_number: report.index_number.clone(),
            published: report.published.map(|d| d.to_string()),
            notices,
            preamble: report
                .prose
                .as_ref()
                .map(|p| self.markdown(&p.preamble))
                .unwrap_or_default(),
            before: prose(&[ProseKind::Overview]),
            after: prose(&[ProseKind::Problems, ProseKind::Other]),
            active: self.table(tables::active(
                &report.active,
                report.format,
                &format!("表一 主动公开政府信息情况（{}年格式）", report.format),
            )),
            requests: self.table(tables::requests(
                &report.requests,
                "表二 收到和处理政府信息公开申请情况",
            )),
            reviews: self.table(tables::reviews(
                &report.reviews,
                "表三 政府信息公开行政复议、行政诉讼情况",
            )),
            pdf: report.has_pdf,
            other_years,
            search: self.search_facts(&report.agency),
        }
    }

    fn status_row(&self, slug: &str, year: i32, root: &str) -> StatusRow {
        let agency = &self.site.agencies[slug];
        let status = aggregate::status(self.site, agency, year);
        let report = self.site.report(slug, year).filter(|r| !r.draft);
        StatusRow {
            name: agency.display_name().to_string(),
            href: report.map(|_| format!("{root}{year}/{slug}/index.html")),
            year,
            status: status.label(),
            status_key: status.key(),
            figures: report.map(|r| aggregate::key_figures(&r.requests, &r.reviews)),
        }
    }

    /// Agencies by category, in the categories' order, then `order`, then slug.
    fn agencies_by_category(&self) -> Vec<(String, Vec<&'a crate::model::Agency>)> {
        self.site
            .config
            .categories
            .iter()
            .map(|c| {
                let mut list: Vec<_> = self
                    .site
                    .agencies
                    .values()
                    .filter(|a| a.category == c.key)
                    .collect();
                list.sort_by(|a, b| (a.order, &a.slug).cmp(&(b.order, &b.slug)));
                (c.name.clone(), list)
            })
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }

    fn categories(&self) -> Vec<CategoryAgencies> {
        self.agencies_by_category()
            .into_iter()
            .map(|(name, list)| CategoryAgencies {
                name,
                agencies: list
                    .into_iter()
                    .map(|a| AgencyLink {
                        slug: a.slug.clone(),
                        name: a.display_name().to_string(),
                    })
                    .collect(),
            })
            .collect()
    }

    fn year_rows(&self, year: i32, root: &str) -> Vec<Group<StatusRow>> {
        self.agencies_by_category()
            .into_iter()
            .map(|(name, list)| Group {
                name,
                rows: list
                    .into_iter()
                    .filter(|a| {
                        aggregate::expected_years(self.site, a, &self.year_set).contains(&year)
                            || self.site.report(&a.slug, year).is_some_and(|r| !r.draft)
                    })
                    .map(|a| self.status_row(&a.slug, year, root))
                    .collect(),
            })
            .filter(|g| !g.rows.is_empty())
            .collect()
    }

    fn year_view(&self, year: i32) -> Result<YearView> {
        let groups = self.year_rows(year, "../");
        let all: Vec<&StatusRow> = groups.iter().flat_map(|g| &g.rows).collect();
        // Sums past 64 bits (9.2×10^12 in one cell) come only from figures
        // typed with extra digits by the dozen.
        let total = self.totals.get(&year).ok_or(Error::SumTooLarge(year))?;
        let mut categories = Vec::new();
        for c in &self.site.config.categories {
            let of: Vec<&Report> = self.years[&year]
                .iter()
                .copied()
                .filter(|r| self.site.agencies[&r.agency].category == c.key)
                .collect();
            if of.is_empty() {
                continue;
            }
            if let Some(agg) = sum(self.sums, &of) {
                categories.push(CategoryTables {
                    name: c.name.clone(),
                    reports: of.len(),
                    requests: self
                        .table(tables::requests(
                            &agg.requests,
                            &format!("{} · 收到和处理政府信息公开申请情况", c.name),
                        ))
                        .id_suffix(&c.key),
                    reviews: self
                        .table(tables::reviews(
                            &agg.reviews,
                            &format!("{} · 政府信息公开行政复议、行政诉讼情况", c.name),
                        ))
                        .id_suffix(&c.key),
                });
            }
        }
        Ok(YearView {
            year,
            expected: all.len(),
            published: all.iter().filter(|r| r.status_key != "missing").count(),
            late: all.iter().filter(|r| r.status_key == "late").count(),
            missing: all.iter().filter(|r| r.status_key == "missing").count(),
            groups: groups
                .iter()
                .map(|g| StatusTable {
                    name: g.name.clone(),
                    table: status_table(&g.rows, !self.site.config.minify),
                })
                .collect(),
            active: total
                .active
                .iter()
                .map(|(format, n, rows)| {
                    self.table(tables::active(
                        rows,
                        *format,
                        &format!("全区汇总 · 主动公开政府信息情况（{format}年格式，{n} 份报告）"),
                    ))
                })
                .collect(),
            requests: self.table(tables::requests(
                &total.requests,
                "全区汇总 · 收到和处理政府信息公开申请情况",
            )),
            reviews: self.table(tables::reviews(
                &total.reviews,
                "全区汇总 · 政府信息公开行政复议、行政诉讼情况",
            )),
            categories,
        })
    }

    fn trend(&self) -> Vec<TrendRow> {
        self.totals
            .iter()
            .map(|(year, agg)| TrendRow {
                year: *year,
                reports: agg.reports,
                figures: aggregate::key_figures(&agg.requests, &agg.reviews),
            })
            .collect()
    }

    fn home_view(&self) -> HomeView {
        let trend = self.trend();
        let latest = self.year_set.iter().max().map(|&year| {
            let groups = self.year_rows(year, "");
            let rows: Vec<StatusRow> = groups.into_iter().flat_map(|g| g.rows).collect();
            LatestView {
                year,
                expected: rows.len(),
                published: rows.iter().filter(|r| r.status_key != "missing").count(),
                figures: self
                    .totals
                    .get(&year)
                    .map(|t| aggregate::key_figures(&t.requests, &t.reviews))
                    .unwrap_or_default(),
                absent: rows
                    .into_iter()
                    .filter(|r| matches!(r.status_key, "missing" | "late"))
                    .collect(),
            }
        });
        let chart = (!trend.is_empty()).then(|| {
            let years: Vec<i32> = trend.iter().map(|t| t.year).collect();
            charts::bars(
                "全区历年政府信息公开申请",
                &years,
                &[
                    charts::Series {
                        name: "本年新收",
                        values: trend.iter().map(|t| t.figures.new).collect(),
                    },
                    charts::Series {
                        name: "办结",
                        values: trend.iter().map(|t| t.figures.closed).collect(),
                    },
                    charts::Series {
                        name: "结转下年",
                        values: trend.iter().map(|t| t.figures.carried_forward).collect(),
                    },
                ],
            )
        });
        HomeView {
            latest,
            trend,
            chart,
        }
    }

    fn agency_view(&self, slug: &str) -> AgencyView {
        let agency = &self.site.agencies[slug];
        let mut years: BTreeSet<i32> = aggregate::expected_years(self.site, agency, &self.year_set)
            .into_iter()
            .collect();
        years.extend(
            self.site
                .reports_of(slug)
                .iter()
                .filter(|r| !r.draft)
                .map(|r| r.year),
        );
        let rows: Vec<StatusRow> = years
            .iter()
            .map(|&y| self.status_row(slug, y, "../../"))
            .collect();
        let with_figures: Vec<&StatusRow> = rows.iter().filter(|r| r.figures.is_some()).collect();
        let chart = (!with_figures.is_empty()).then(|| {
            let ys: Vec<i32> = with_figures.iter().map(|r| r.year).collect();
            let pick = |f: fn(&KeyFigures) -> crate::model::Number| {
                with_figures
                    .iter()
                    .map(|r| r.figures.as_ref().map(f).unwrap_or_default())
                    .collect()
            };
            charts::bars(
                &format!("{}历年政府信息公开申请", agency.name),
                &ys,
                &[
                    charts::Series {
                        name: "本年新收",
                        values: pick(|f| f.new),
                    },
                    charts::Series {
                        name: "办结",
                        values: pick(|f| f.closed),
                    },
                    charts::Series {
                        name: "结转下年",
                        values: pick(|f| f.carried_forward),
                    },
                ],
            )
        });
        AgencyView {
            name: agency.name.clone(),
            category: self
                .site
                .config
                .category(&agency.category)
                .map_or(agency.category.clone(), |c| c.name.clone()),
            years: rows,
            chart,
            search: self.search_facts(slug),
        }
    }

    /// Writes every download into `sink` (build).
    fn write_data(&self, sink: &dyn Sink) -> Result<()> {
        write_tables(self.site, &self.reports, sink, true)?;
        for (path, bytes) in self.small_files() {
            sink.file(path, bytes)?;
        }
        Ok(())
    }

    /// The downloads that are quick to make: each year's summary.csv,
    /// sitemap.xml, feed.xml, robots.txt.
    fn small_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = self.summaries();
        out.extend(self.feeds());
        out
    }

    fn summaries(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.totals
            .iter()
            .map(|(year, agg)| {
                (
                    PathBuf::from(format!("{year}/summary.csv")),
                    data::summary_csv(agg).into_bytes(),
                )
            })
            .collect()
    }

    fn feeds(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut robots = String::from("User-agent: *\nAllow: /\n");
        if let Some(base) = &self.site.config.base_url {
            robots.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
            out.push((
                PathBuf::from("sitemap.xml"),
                self.sitemap(base).into_bytes(),
            ));
            out.push((PathBuf::from("feed.xml"), self.feed(base).into_bytes()));
        }
        out.push((PathBuf::from("robots.txt"), robots.into_bytes()));
        out
    }

    fn sitemap(&self, base: &str) -> String {
        let mut urls = vec![
            format!("{base}index.html"),
            format!("{base}agencies/index.html"),
        ];
        urls.extend(
            self.year_set
                .iter()
                .map(|y| format!("{base}{y}/index.html")),
        );
        urls.extend(
            self.site
                .agencies
                .keys()
                .map(|s| format!("{base}agencies/{s}/index.html")),
        );
        urls.extend(
            self.reports
                .iter()
                .map(|r| format!("{base}{}/{}/index.html", r.year, r.agency)),
        );
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in urls {
            out.push_str(&format!("<url><loc>{}</loc></url>\n", xml_escape(&u)));
        }
        out.push_str("</urlset>\n");
        out
    }

    /// An Atom feed of reports by publication date (newest first); reports
    /// without a date are left out, since a feed entry needs one.
    fn feed(&self, base: &str) -> String {
        let mut dated: Vec<&&Report> = self
            .reports
            .iter()
            .filter(|r| r.published.is_some())
            .collect();
        dated.sort_by(|a, b| (b.published, &a.agency).cmp(&(a.published, &b.agency)));
        let updated = dated
            .first()
            .and_then(|r| r.published)
            .map(|d| format!("{d}T00:00:00+08:00"))
            .unwrap_or_else(|| "1970-01-01T00:00:00+08:00".into());
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{updated}</updated>\n",
            xml_escape(&self.site.config.title),
            xml_escape(base),
            xml_escape(base)
        );
        for r in dated {
            let url = format!("{base}{}/{}/index.html", r.year, r.agency);
            let date = r.published.map(|d| d.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "<entry><title>{}</title><id>{}</id><link href=\"{}\"/><updated>{date}T00:00:00+08:00</updated></entry>\n",
                xml_escape(&format!("{}{}年政府信息公开工作年度报告", self.agency_name(&r.agency), r.year)),
                xml_escape(&url),
                xml_escape(&url)
            ));
        }
        out.push_str("</feed>\n");
        out
    }
}

/// Escapes text for XML and HTML (feeds, sitemaps, SVG).
pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
