//! The one pipeline from a site folder to its output, in named, timed steps:
//! load → validate (crate::load) → aggregate → plan → render → sink.
//!
//! `build` runs it here with the disk sink (a staging folder swapped in at
//! the end); `serve` (crate::serve::preview) runs the same plan with an
//! in-memory sink and the page cache as a layer over rendering. Both take
//! the plan from [`Renderer::plan`] and handle every kind of file in it, so
//! a new page or download appears in both.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::load::{LoadOptions, Loaded, load_with};
use crate::model::Site;
use crate::output::{self, Counted, Sink, Staging};
use crate::render::{Job, Product, Renderer, Theme, search};

/// What a build did, and how long each step took.
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
    /// Flush the new site to disk before it takes the output's place
    /// (`build --no-sync` turns it off).
    pub sync: bool,
    /// How it takes the output's place.
    pub swap: output::Swap,
    /// How the site is loaded (`--allow-missing-members`).
    pub load: LoadOptions,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            output: None,
            sync: true,
            swap: output::Swap::default(),
            load: LoadOptions::default(),
        }
    }
}

/// Loads and validates the site at `root`, then builds it. Content with
/// errors is refused: the error carries what was loaded (diagnostics and
/// sources), so the caller prints them without loading again.
pub fn load_and_build(root: &Path, options: &BuildOptions) -> Result<(Loaded, BuildSummary)> {
    let loaded = load_with(root, options.load);
    if loaded.diagnostics.has_errors() || loaded.site.is_none() {
        return Err(Error::Invalid(Box::new(loaded)));
    }
    let site = loaded.site.as_ref().expect("checked just above");
    let summary = build(site, options)?;
    Ok((loaded, summary))
}

/// Builds a loaded, valid site into its output folder, atomically. Each
/// page is written by the job that renders it, so the finished site is
/// never held in memory whole.
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

    let renderer = Renderer::new(site, &theme, None);
    clock.lap("aggregate");

    let plan = renderer.plan();
    let staging = Staging::new(&output)?;
    let sink = Counted::new(&staging);
    // The pages and the downloads are independent: made at once, so that
    // the big tables (reports.json and .csv, streamed by one thread) are
    // written while the other thread renders pages. Only the search index
    // waits for the pages.
    let (rendered, data) = rayon::join(
        || render_pages(&renderer, &plan.pages, &sink),
        || {
            let clock = Instant::now();
            plan.files
                .par_iter()
                .filter(|p| **p != Product::SearchIndex)
                .try_for_each(|product| write_product(&renderer, product, &sink, &mut None))
                .map(|()| clock.elapsed())
        },
    );
    let (indexed, reading) = rendered?;
    let data = data?;
    let pages = plan
        .pages
        .iter()
        .filter(|job| !matches!(job, Job::ReportData(_)))
        .count();
    clock.lap("pages");
    for (name, took) in renderer.spent() {
        clock.add(name, took);
    }
    clock.add("· write", sink.spent());
    if renderer.search() {
        clock.add("· search", reading);
    }
    clock.add("· data", data);

    // Everything but the search index is written: the disk starts on it
    // while the index is made.
    let early = (options.sync && renderer.search())
        .then(|| staging.start_flush())
        .flatten();
    let mut indexed = Some(indexed);
    for product in plan.files.iter().filter(|p| **p == Product::SearchIndex) {
        write_product(&renderer, product, &sink, &mut indexed)?;
        clock.lap("search");
    }
    if let Some(early) = early {
        let _ = early.join();
    }
    let (files, bytes) = (sink.files(), sink.bytes());
    staging.commit(&output::Commit {
        sync: options.sync,
        swap: options.swap,
    })?;
    clock.lap("commit");

    Ok(BuildSummary {
        output,
        pages,
        files,
        bytes,
        timings: clock.laps,
    })
}

/// The render step: every page of the plan, in parallel, each written to
/// `sink` as soon as it is rendered. Returns the pages as the search index
/// reads them (read on the threads that render, while the page is at hand)
/// and the CPU time that reading took.
fn render_pages(
    renderer: &Renderer,
    pages: &[Job],
    sink: &Counted,
) -> Result<(Vec<search::Page>, Duration)> {
    let search = renderer.search();
    let found = Mutex::new(Vec::new());
    let reading = AtomicU64::new(0);
    pages.par_iter().try_for_each(|job| {
        let html = renderer.render(job)?;
        let path = renderer.path(job);
        if search {
            let clock = Instant::now();
            if let Some(page) = search::page(&path, &html) {
                found.lock().unwrap_or_else(|e| e.into_inner()).push(page);
            }
            reading.fetch_add(clock.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        sink.file(path, html.into_bytes())
    })?;
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok((found, Duration::from_nanos(reading.into_inner())))
}

/// One product of the plan, written the way the disk needs it: small files
/// made in memory, the big tables streamed, originals copied (never read
/// into memory), the search index made from the rendered pages.
fn write_product(
    renderer: &Renderer,
    product: &Product,
    sink: &Counted,
    indexed: &mut Option<Vec<search::Page>>,
) -> Result<()> {
    match product {
        Product::Summary(_) | Product::Feeds | Product::Indicators | Product::SiteSummary => {
            for (path, bytes) in renderer.make(product) {
                sink.file(path, bytes)?;
            }
        }
        Product::Tables => renderer.write_tables(sink)?,
        Product::Original { path, source } => {
            sink.copy(path, source)?;
        }
        Product::Static => renderer
            .static_files()?
            .into_par_iter()
            .try_for_each(|(path, bytes)| sink.file(path, bytes))?,
        Product::SearchIndex => {
            // The pages read are dropped as soon as the index is made.
            let pages = indexed.take().unwrap_or_default();
            let files = search::index(&pages);
            drop(pages);
            files
                .into_par_iter()
                .try_for_each(|(path, bytes)| sink.file(path, bytes))?;
        }
    }
    Ok(())
}

/// Times the steps of a build, one after another.
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

    /// A part timed elsewhere (CPU time summed over threads).
    fn add(&mut self, name: &'static str, took: Duration) {
        self.laps.push((name, took));
        self.last = Instant::now();
    }
}
