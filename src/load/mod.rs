//! Loading: a site folder → the [`Site`] model, with every problem as a
//! diagnostic that points at its file, line and column.
//!
//! Everything is read in one pass and all diagnostics are collected; the
//! rules that look across reports run last, on the loaded model.

mod cache;
mod config;
mod fields;
mod members;
mod prose;
mod report;
mod walk;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Rule, Span};
use crate::model::{Agency, Config, Report, Site, rules};
use fields::FileCx;

pub use cache::{LoadCache, load_cached};
pub use config::default_categories;
pub use members::FORMAT as SUMMARY_FORMAT;
use walk::Folder;
pub use walk::{is_ignored, suggest_slug, valid_slug};

/// The result of loading: the site (when `site.toml` could be read), every
/// diagnostic, and the text of each file read, for showing source lines.
#[derive(Debug)]
pub struct Loaded {
    pub site: Option<Site>,
    pub diagnostics: Diagnostics,
    /// Source text by path relative to the root, of the files that have
    /// diagnostics.
    pub sources: BTreeMap<PathBuf, String>,
    /// How long reading (`load`) and the rules (`validate`) took.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Loaded {
    pub fn source(&self, file: &Path) -> Option<&str> {
        self.sources.get(file).map(String::as_str)
    }
}

/// What loading may be told from the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// A member whose summary cannot be read is a warning (and a notice
    /// on the pages), not an error (`--allow-missing-members`).
    pub allow_missing_members: bool,
}

/// Loads and checks the whole site at `root`.
pub fn load(root: &Path) -> Loaded {
    load_with(root, LoadOptions::default())
}

/// [`load`], with options.
pub fn load_with(root: &Path, options: LoadOptions) -> Loaded {
    let mut loader = Loader {
        root: root.to_path_buf(),
        diagnostics: Diagnostics::default(),
        sources: BTreeMap::new(),
    };
    let clock = std::time::Instant::now();
    let mut site = loader.run();
    if let Some(site) = &mut site {
        members::read_members(site, options.allow_missing_members, &mut loader.diagnostics);
    }
    let read = clock.elapsed();
    let clock = std::time::Instant::now();
    if let Some(site) = &site {
        rules::check_site(site, &mut loader.diagnostics);
    }
    let mut loaded = finish(loader, site);
    loaded.timings = vec![("load", read), ("validate", clock.elapsed())];
    loaded
}

fn finish(mut loader: Loader, site: Option<Site>) -> Loaded {
    loader.diagnostics.sort();
    // The text is kept to show the lines diagnostics point at; the rest
    // would be tens of megabytes on a large site.
    let cited: std::collections::HashSet<&Path> = loader
        .diagnostics
        .iter()
        .map(|d| d.file.as_path())
        .collect();
    loader
        .sources
        .retain(|path, _| cited.contains(path.as_path()));
    // A file cited by a rule but not kept (serve's cache keeps the text of
    // files with load problems only) is read again.
    let missing: Vec<PathBuf> = cited
        .into_iter()
        .filter(|p| !loader.sources.contains_key(*p))
        .map(Path::to_path_buf)
        .collect();
    for path in missing {
        // Only regular files within the limit: a diagnostic may be about a
        // pipe (reading it would wait forever) or a 100 MB file.
        let full = loader.root.join(&path);
        let regular = std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_file());
        if regular
            && let Ok(Ok(bytes)) = read_limited(&full)
            && let Ok(text) = String::from_utf8(bytes)
        {
            loader.sources.insert(path, text);
        }
    }
    Loaded {
        site,
        diagnostics: loader.diagnostics,
        sources: loader.sources,
        timings: Vec::new(),
    }
}

/// An agency folder as loaded: its agency and reports (when readable),
/// diagnostics, and the text of its files.
type LoadedFolder = (
    Option<(Agency, Vec<Report>)>,
    Diagnostics,
    BTreeMap<PathBuf, String>,
);

struct Loader {
    root: PathBuf,
    diagnostics: Diagnostics,
    sources: BTreeMap<PathBuf, String>,
}

impl Loader {
    fn run(&mut self) -> Option<Site> {
        let config = self.load_config()?;
        let folders = self.walk_content(!config.members.is_empty());
        // Agency folders are independent: loaded in parallel, each into its
        // own diagnostics, merged in folder order.
        let loaded: Vec<_> = folders
            .par_iter()
            .map(|slug| self.folder(slug, &config))
            .collect();
        let mut parts = Vec::new();
        for (agency, diagnostics, sources) in loaded {
            self.diagnostics.extend(diagnostics);
            self.sources.extend(sources);
            parts.extend(agency);
        }
        Some(self.assemble(config, parts))
    }

    /// One agency folder read on its own: what it holds, its diagnostics
    /// and the text of its files.
    fn folder(&self, slug: &str, config: &Config) -> LoadedFolder {
        let mut sub = Loader {
            root: self.root.clone(),
            diagnostics: Diagnostics::default(),
            sources: BTreeMap::new(),
        };
        let folder = sub.walk_folder(slug);
        let agency = sub.load_folder(slug, &folder, config);
        // Only the text that messages cite is kept (a file a later rule
        // cites is read again): on a large site the rest is hundreds of MB.
        let cited: std::collections::HashSet<&Path> =
            sub.diagnostics.iter().map(|d| d.file.as_path()).collect();
        sub.sources.retain(|path, _| cited.contains(path.as_path()));
        (agency, sub.diagnostics, sub.sources)
    }

    /// The site from its agencies and their reports, after the checks that
    /// look across folders.
    fn assemble(&mut self, config: Config, parts: Vec<(Agency, Vec<Report>)>) -> Site {
        let mut agencies = BTreeMap::new();
        let mut reports = Vec::new();
        for (agency, mut of) in parts {
            reports.append(&mut of);
            agencies.insert(agency.slug.clone(), agency);
        }
        self.check_duplicates(&agencies, &reports);
        reports.sort_by(|a, b| (&a.agency, a.year).cmp(&(&b.agency, b.year)));
        Site {
            root: self.root.clone(),
            config,
            agencies,
            reports,
            members: Vec::new(),
            unread: Vec::new(),
        }
    }

    /// One agency folder: its agency.yaml and reports.
    fn load_folder(
        &mut self,
        slug: &str,
        folder: &Folder,
        config: &Config,
    ) -> Option<(Agency, Vec<Report>)> {
        // Without a usable agency.yaml the folder's reports are still read
        // and their problems shown, so that all of them show in one run;
        // they join the site (and its rules) once the agency loads.
        let agency = match &folder.agency {
            Some(agency_file) => self.load_agency(agency_file, slug, config),
            None => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::Agency,
                        &Path::new("content").join(slug),
                        None,
                        format!("agency folder `{slug}` has no agency.yaml"),
                    )
                    .with_help("create it with `name:` and `category:` (`gongkai new` does this for a new agency)"),
                );
                None
            }
        };
        let mut reports = Vec::new();
        for (&year, file) in &folder.reports {
            let (report, draft) = self.load_report(file, slug, year);
            if let Some(mut report) = report {
                if let Some(md) = folder.prose.get(&year) {
                    report.prose = self.load_prose(md, report.draft).map(Arc::new);
                } else {
                    self.diagnostics.push(Diagnostic::warning(
                        Rule::Prose,
                        file,
                        None,
                        format!("no {year}.md beside {year}.yaml: the page shows the tables only"),
                    ));
                }
                report.has_pdf = folder.pdfs.contains_key(&year);
                report.source_hash = {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    self.sources.get(file).hash(&mut h);
                    folder
                        .prose
                        .get(&year)
                        .map(|md| self.sources.get(md))
                        .hash(&mut h);
                    report.has_pdf.hash(&mut h);
                    h.finish()
                };
                reports.push(report);
            } else if let Some(md) = folder.prose.get(&year) {
                // Still check the prose, so all problems show in one run
                // (with warnings only, if the report is a draft).
                self.load_prose(md, draft);
            }
        }
        for (year, file) in folder.prose.iter().chain(&folder.pdfs) {
            if !folder.reports.contains_key(year) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::Orphan,
                        file,
                        None,
                        format!(
                            "{} has no {year}.yaml beside it",
                            file.file_name().unwrap_or_default().to_string_lossy()
                        ),
                    )
                    .with_help(format!(
                        "a report is its numbers in {year}.yaml; create it with `gongkai new {slug} {year}`"
                    )),
                );
            }
        }
        agency.map(|agency| (agency, reports))
    }

    /// Reads a file as UTF-8 text, keeping it for source snippets.
    /// Files over [`MAX_FILE_BYTES`], non-UTF-8, UTF-16, NUL bytes and empty
    /// files are diagnostics.
    fn read(&mut self, rel: &Path) -> Option<String> {
        let bytes = match read_limited(&self.root.join(rel)) {
            Ok(Ok(b)) => b,
            Ok(Err(size)) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::FileSize,
                        rel,
                        None,
                        format!(
                            "the file is {size} bytes; report, agency, prose and site.toml files may be at most {MAX_FILE_BYTES} bytes (1 MiB)"
                        ),
                    )
                    .with_help("is it the right file? a report's YAML is about 2 KB and its prose a few KB"),
                );
                return None;
            }
            Err(err) => {
                self.diagnostics.push(Diagnostic::error(
                    Rule::Io,
                    rel,
                    None,
                    format!("cannot read: {err}"),
                ));
                return None;
            }
        };
        // Without a BOM, UTF-16 shows as NUL bytes (the high byte of every
        // ASCII character), which no UTF-8 text file holds.
        let nuls = bytes.iter().filter(|&&b| b == 0).count();
        if bytes.starts_with(&[0xFF, 0xFE])
            || bytes.starts_with(&[0xFE, 0xFF])
            || nuls * 4 > bytes.len()
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Rule::Encoding,
                    rel,
                    None,
                    "the file is saved as UTF-16; it must be UTF-8".to_string(),
                )
                .with_help("in your editor, save it with the encoding \"UTF-8\""),
            );
            return None;
        }
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            let before = String::from_utf8_lossy(&bytes[..at]);
            self.diagnostics.push(
                Diagnostic::error(
                    Rule::Encoding,
                    rel,
                    Some(place_after(&before, at, 1)),
                    "a NUL byte (0x00), which no text file holds: the file is damaged or not text".to_string(),
                )
                .with_help("delete the character there (an editor may show it as ^@ or �), or save the file again from its original"),
            );
            return None;
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let bytes = err.as_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::Encoding,
                        rel,
                        Some(place_after(&before, 0, 0)),
                        format!(
                            "not valid UTF-8 (byte 0x{:02X}); the file may be saved as GBK/GB18030",
                            bytes[valid]
                        ),
                    )
                    .with_help("save it with the encoding \"UTF-8\""),
                );
                return None;
            }
        };
        self.sources.insert(rel.to_path_buf(), text.clone());
        Some(text)
    }

    /// Reads a YAML file into a node tree; syntax errors and empty files
    /// are diagnostics.
    fn read_yaml(&mut self, rel: &Path, what: &str) -> Option<yaml::Node> {
        let text = self.read(rel)?;
        let body = text.trim_start_matches('\u{feff}');
        let blank = body
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if blank {
            self.diagnostics.push(
                Diagnostic::error(Rule::Empty, rel, None, format!("the file is empty: {what}"))
                    .with_help("`gongkai new AGENCY YEAR` writes a complete report to start from"),
            );
            return None;
        }
        match yaml::parse(&text) {
            Ok(node) => Some(node),
            Err(err) => {
                self.diagnostics.push(Diagnostic::error(
                    Rule::Yaml,
                    rel,
                    Some(err.span),
                    format!("invalid YAML: {}", err.message),
                ));
                None
            }
        }
    }

    fn load_config(&mut self) -> Option<Config> {
        let rel = Path::new("site.toml");
        if !self.root.join(rel).is_file() {
            self.diagnostics.push(
                Diagnostic::error(
                    Rule::Config,
                    rel,
                    None,
                    format!("no site.toml in {}", self.root.display()),
                )
                .with_help("run gongkai in a site folder, pass --root DIR, or create one with `gongkai init DIR`"),
            );
            return None;
        }
        let text = self.read(rel)?;
        let body = text.trim_start_matches('\u{feff}');
        let mut cx = FileCx::new(rel);
        let config = config::parse_config(&mut cx, body, text.len() - body.len());
        self.diagnostics.extend(cx.diagnostics);
        config
    }

    fn load_agency(&mut self, rel: &Path, slug: &str, config: &Config) -> Option<Agency> {
        let node = self.read_yaml(rel, "expected `name:` and `category:`")?;
        let mut cx = FileCx::new(rel);
        let agency = config::parse_agency(&mut cx, &node, slug, config);
        let ok = !cx.has_errors();
        self.diagnostics.extend(cx.diagnostics);
        agency.filter(|_| ok)
    }

    /// Loads a report; also says whether it is a draft, as far as can be read.
    fn load_report(&mut self, rel: &Path, slug: &str, year: i32) -> (Option<Report>, bool) {
        let Some(node) = self.read_yaml(
            rel,
            "expected the report's year, active, requests and reviews",
        ) else {
            return (None, false);
        };
        let mut cx = FileCx::new(rel);
        let report = report::parse(&mut cx, &node, slug, year);
        // A draft is checked with warnings only.
        let draft = report.as_ref().is_some_and(|r| r.draft) || is_draft(&node);
        for mut d in cx.diagnostics {
            if draft {
                d.severity = crate::diagnostics::Severity::Warning;
            }
            self.diagnostics.push(d);
        }
        (report, draft)
    }

    fn load_prose(&mut self, rel: &Path, draft: bool) -> Option<crate::model::Prose> {
        let text = self.read(rel)?;
        let body = text.trim_start_matches('\u{feff}');
        let bom = text.len() - body.len();
        let mut cx = FileCx::new(rel);
        let prose = prose::parse(&mut cx, body);
        for mut d in cx.diagnostics {
            if let Some(span) = d.span.as_mut() {
                *span = span.shifted(bom);
            }
            if draft {
                d.severity = crate::diagnostics::Severity::Warning;
            }
            self.diagnostics.push(d);
        }
        Some(prose)
    }

    /// The same agency in two folders, and so the same report twice.
    fn check_duplicates(&mut self, agencies: &BTreeMap<String, Agency>, reports: &[Report]) {
        let mut by_name: BTreeMap<&str, &Agency> = BTreeMap::new();
        for agency in agencies.values() {
            match by_name.get(agency.name.as_str()) {
                Some(first) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Rule::Duplicate,
                            &agency.file,
                            Some(agency.name_span),
                            format!(
                                "agency {} is already content/{}/ ({})",
                                agency.name,
                                first.slug,
                                first.file.display()
                            ),
                        )
                        .with_help("keep one folder per agency and move its reports there"),
                    );
                    for report in reports.iter().filter(|r| r.agency == agency.slug) {
                        if reports
                            .iter()
                            .any(|r| r.agency == first.slug && r.year == report.year)
                        {
                            self.diagnostics.push(Diagnostic::error(
                                Rule::Duplicate,
                                &report.file,
                                None,
                                format!(
                                    "duplicate report: {} {} is also content/{}/{}.yaml",
                                    agency.name, report.year, first.slug, report.year
                                ),
                            ));
                        }
                    }
                }
                None => {
                    by_name.insert(&agency.name, agency);
                }
            }
        }
    }
}

/// The largest content file read: a report's YAML is about 2 KB, its prose
/// a few KB. A larger file is a mistake (or an attack) and is not read.
/// Signed PDFs are not read, only copied, and have no limit.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// A file's bytes, or its size when over [`MAX_FILE_BYTES`] (never read
/// past the limit, whatever the size it claims).
pub(crate) fn read_limited(path: &Path) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_FILE_BYTES {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

/// The place just after `before` (the text ahead of a bad byte), for
/// pointing at the bad byte: `offset` and `len` are what to underline.
fn place_after(before: &str, offset: usize, len: usize) -> Span {
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Span::new(line, column, offset, len)
}

/// `draft: true` read straight from the tree, for reports too broken to load.
fn is_draft(node: &yaml::Node) -> bool {
    node.as_map().is_some_and(|entries| {
        entries.iter().any(|(k, v)| {
            matches!(&k.kind, yaml::Kind::Str(s) if s == "draft")
                && matches!(v.kind, yaml::Kind::Bool(true))
        })
    })
}
