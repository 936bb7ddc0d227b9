//! `gongkai import`: a published report's text (or PDF, through pdftotext)
//! → `content/<agency>/<year>.yaml` and `<year>.md` in the content format.
//!
//! The importer never guesses: a cell it cannot read for certain — glued
//! digits that split more than one way even under R1–R6, a row it cannot
//! find, a figure printed apart from its row with nothing naming its
//! column — is named with its line, and nothing is written. Cells printed
//! blank become `null`; a report whose own figures break the rules is kept
//! as published (`as_published: true`) with each inconsistency listed.
//!
//! The parts: [`text`] (normalisation, whitespace-blind search), [`tables`]
//! (shapes and the three tables), [`split`] (glued digits and the rules),
//! [`prose`] (title, dates, headings, Markdown), [`write`] (the files).

mod prose;
mod split;
pub mod tables;
mod text;
mod write;

use std::path::{Path, PathBuf};

pub use tables::{Cell, Given, Shape, Tables};

use crate::diagnostics::Span;
use crate::error::{Error, Result};
use crate::model::layout::{Format, REVIEW_ROWS, RowDef, request_rows};
use crate::model::{Date, Number, ProseKind, Report, Row, rules};

/// One report as read from its text.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The agency's name from the title (empty when the title has none).
    pub name: String,
    pub year: i32,
    pub published: Option<Date>,
    pub index_number: Option<String>,
    pub tables: Tables,
    /// `<year>.md`.
    pub markdown: String,
    /// The prose headings written, in order (`## 一、总体情况`).
    pub headings: Vec<String>,
    /// What the reader should know: blanks, cells read with a rule's help,
    /// a lost heading. Each starts with its line.
    pub notes: Vec<String>,
    /// R1–R6 as the published figures break them (X1 is added by `plan`).
    pub broken: Vec<String>,
}

impl Imported {
    /// `2021`, `2019`, or the hybrid.
    pub fn format_label(&self) -> String {
        match (self.tables.format, self.tables.single_other) {
            (Format::F2021, true) => "2021 with （六）其他处理 as one row".to_string(),
            (f, _) => f.to_string(),
        }
    }

    fn all_cells(&self) -> impl Iterator<Item = &Cell> {
        self.tables
            .active
            .iter()
            .chain(&self.tables.requests)
            .chain(&self.tables.reviews)
            .flatten()
    }

    pub fn cells_read(&self) -> usize {
        self.all_cells().count()
    }

    pub fn uncertain(&self) -> usize {
        self.all_cells().filter(|c| c.uncertain.is_some()).count()
    }

    pub fn blanks(&self) -> usize {
        self.all_cells().filter(|c| c.value.is_none()).count()
    }

    pub fn as_published(&self) -> bool {
        !self.broken.is_empty()
    }

    /// A row by its key, cells in printed order (`None`: printed blank).
    pub fn row(&self, key: &str) -> Option<Vec<Option<Number>>> {
        for (def, cells) in self.tables.rows() {
            if def.key == key {
                return Some(cells.iter().map(|c| c.value).collect());
            }
        }
        None
    }

    /// `<year>.yaml` (`source` is named in its first comment).
    pub fn yaml(&self, source: &str) -> String {
        write::report_yaml(self, source)
    }

    /// The one-line summary printed for each file.
    pub fn summary(&self) -> String {
        format!(
            "format {} ({}); {} cells read, {} uncertain, {} blank, {} rule(s) broken",
            self.format_label(),
            self.tables.shape.describe(),
            self.cells_read(),
            self.uncertain(),
            self.blanks(),
            self.broken.len()
        )
    }
}

/// Reads a report from its text. `file` names it in messages.
pub fn read_text(raw: &str, file: &Path, year: Option<i32>, given: &Given) -> Result<Imported> {
    let fail = |line: Option<usize>, message: String| Error::Import {
        file: file.to_path_buf(),
        line,
        message,
    };
    if raw.trim().is_empty() {
        return Err(fail(None, "the file is empty".to_string()));
    }
    let text = text::normalize(raw);
    let h = prose::headings(&text, 0);
    let names = [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ];
    for (i, name) in names.iter().enumerate() {
        if h.found[i + 1].is_none() {
            return Err(fail(
                None,
                format!("the heading {name} is not found: is this a 政府信息公开工作年度报告?"),
            ));
        }
    }
    let at = |i: usize| h.found[i].clone().expect("checked");
    let body_start = h.found[0].clone().unwrap_or(at(1)).start;
    let title = prose::title(&text, body_start);
    let year = match (&title, year) {
        (Some(t), Some(y)) if t.year != y => {
            return Err(fail(
                Some(t.line),
                format!("the title says {}, but --year is {y}", t.year),
            ));
        }
        (Some(t), _) => t.year,
        (None, Some(y)) => y,
        (None, None) if prose::period_year(&text[..body_start]).is_some() => {
            prose::period_year(&text[..body_start]).unwrap_or_default()
        }
        (None, None) => {
            return Err(fail(
                None,
                "no title with the report's year (…2024年政府信息公开工作年度报告) is found: give the year with --year".to_string(),
            ));
        }
    };
    let (published, index_number) = prose::metadata(&text, body_start);
    let end_of = |i: usize| at(i).end;
    let reviews_end = h.found[4]
        .as_ref()
        .or(h.found[5].as_ref())
        .map_or(text.len(), |r| r.start);
    // Ranges in order whatever the headings' extents.
    let span = |a: usize, b: usize| a.min(b)..b;
    let ranges = tables::Ranges {
        active: span(end_of(1), at(2).start),
        requests: span(end_of(2), at(3).start),
        reviews: span(end_of(3), reviews_end.max(end_of(3))),
    };
    let tables = tables::read(&text, &ranges, given).map_err(|problems| Error::Unreadable {
        file: file.to_path_buf(),
        problems: problems.into_iter().map(|p| (p.line, p.message)).collect(),
    })?;

    // Prose.
    let glued = tables.shape == Shape::Glued;
    let running = prose::running_lines(&text);
    let full = prose::line_width(&text);
    let mut notes = Vec::new();
    let mut md = String::new();
    let mut headings = Vec::new();
    let pre_start = title.as_ref().map_or(0, |t| t.end.min(body_start));
    let preamble = prose::markdown(&text, span(pre_start, body_start), &running, glued, full);
    if !preamble.is_empty() {
        md.push_str(&preamble);
        md.push_str("\n\n");
    }
    let mut section = |kind: ProseKind,
                       heading: Option<std::ops::Range<usize>>,
                       body: std::ops::Range<usize>,
                       md: &mut String,
                       notes: &mut Vec<String>| {
        let printed = heading
            .as_ref()
            .map(|r| prose::heading_title(&text, r))
            .unwrap_or_default();
        let fits = match kind {
            ProseKind::Overview => printed.contains("总体情况"),
            ProseKind::Problems => {
                printed.contains("问题") && (printed.contains("改进") || printed.contains("整改"))
            }
            ProseKind::Other => printed.contains("其他需要报告"),
        };
        let title = if fits {
            printed
        } else {
            kind.title().to_string()
        };
        let h = format!("## {}、{title}", kind.numeral());
        if heading.is_none() {
            notes.push(format!(
                "line {}: the heading of section {}、{} is missing in the text; the text after table 四 is taken as that section",
                text::line_of(&text, body.start),
                kind.numeral(),
                kind.title()
            ));
        }
        md.push_str(&h);
        md.push_str("\n\n");
        let body = prose::markdown(&text, body, &running, glued, full);
        if !body.is_empty() {
            md.push_str(&body);
            md.push_str("\n\n");
        }
        headings.push(h);
    };
    if let Some(h1) = h.found[0].clone() {
        section(
            ProseKind::Overview,
            Some(h1.clone()),
            span(h1.end, at(1).start),
            &mut md,
            &mut notes,
        );
    } else {
        notes
            .push("the heading 一、总体情况 is not found: the prose has no section 一".to_string());
    }
    let six_start = h.found[5].as_ref().map_or(text.len(), |r| r.start);
    match (h.found[4].clone(), tables.after_reviews) {
        (Some(h5), _) => section(
            ProseKind::Problems,
            Some(h5.clone()),
            span(h5.end, six_start),
            &mut md,
            &mut notes,
        ),
        (None, Some(after)) => section(
            ProseKind::Problems,
            None,
            span(after, six_start),
            &mut md,
            &mut notes,
        ),
        (None, None) => notes.push(
            "the heading 五、存在的主要问题及改进情况 is not found: the prose has no section 五"
                .to_string(),
        ),
    }
    if let Some(h6) = h.found[5].clone() {
        section(
            ProseKind::Other,
            Some(h6.clone()),
            h6.end..text.len(),
            &mut md,
            &mut notes,
        );
    } else {
        notes.push(
            "the heading 六、其他需要报告的事项 is not found: the prose has no section 六"
                .to_string(),
        );
    }
    let markdown = md.trim_end().to_string() + "\n";

    let mut imported = Imported {
        name: title.map(|t| t.name).unwrap_or_default(),
        year,
        published: published.map(|(d, _)| d),
        index_number,
        tables,
        markdown,
        headings,
        notes,
        broken: Vec::new(),
    };
    imported.notes.splice(0..0, cell_notes(&imported));
    imported.broken = rules::arithmetic(&imported.to_report(PathBuf::new()))
        .into_iter()
        .map(|f| format!("{} ({})", f.message, f.rule))
        .collect();
    if imported.as_published() && matches!(imported.tables.shape, Shape::Columns | Shape::Pipes) {
        imported.notes.push(format!(
            "the figures break {} rule(s), and in this shape ({}) the order of the cells is inferred from the layout: compare the cells named with the original before publishing",
            imported.broken.len(),
            imported.tables.shape.describe()
        ));
    }
    Ok(imported)
}

/// One note per row with blanks, one per cell read with help.
fn cell_notes(r: &Imported) -> Vec<String> {
    let mut out = Vec::new();
    for (def, cells) in r.tables.rows() {
        let blanks: Vec<&str> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.value.is_none())
            .map(|(i, _)| def.column_label(i))
            .collect();
        if !blanks.is_empty() {
            out.push(format!(
                "line {}: {} · {} printed blank: written as null",
                cells[0].line,
                def.cite,
                blanks.join(", ")
            ));
        }
        let helped: Vec<(usize, &String)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.uncertain.as_ref().map(|u| (i, u)))
            .collect();
        if helped.len() > 1 && helped.iter().all(|(_, u)| *u == helped[0].1) {
            // One reason for the whole row (a split the rules settled).
            let values: Vec<String> = cells.iter().map(Cell::text).collect();
            out.push(format!(
                "line {}: {}: {}: read as {}",
                cells[0].line,
                def.cite,
                helped[0].1,
                values.join(" | ")
            ));
        } else {
            for (i, why) in helped {
                out.push(format!(
                    "line {}: {}: {why}",
                    cells[i].line,
                    def.cite_cell(i)
                ));
            }
        }
    }
    out
}

impl Imported {
    /// The report as the model holds it, for the rules.
    pub fn to_report(&self, file: PathBuf) -> Report {
        let t = &self.tables;
        let rows = |defs: &'static [RowDef], cells: &[Vec<Cell>]| -> Vec<Row> {
            defs.iter()
                .zip(cells)
                .map(|(def, cells)| {
                    let cell = |c: &Cell| {
                        crate::model::Cell::new(c.value, Span::start())
                            .unwrap_or(crate::model::Cell::blank(Span::start()))
                    };
                    let n = def.columns.len();
                    Row {
                        def,
                        cells: cells[..n.min(cells.len())].iter().map(cell).collect(),
                        total: if def.has_total {
                            cells.get(n).map(cell)
                        } else {
                            None
                        },
                        span: Span::start(),
                        derived: false,
                    }
                })
                .collect()
        };
        Report {
            agency: String::new(),
            year: self.year,
            format: t.format,
            draft: false,
            published: self.published,
            index_number: self.index_number.clone(),
            as_published: self.as_published(),
            single_other: t.single_other,
            active: rows(t.format.active_rows(), &t.active).into(),
            requests: rows(request_rows(t.single_other), &t.requests).into(),
            reviews: rows(REVIEW_ROWS, &t.reviews).into(),
            file,
            published_span: None,
            prose: None,
            has_pdf: false,
            source_hash: 0,
        }
    }
}

/// `--cell KEY=VALUE` arguments → values by cell key.
pub fn parse_given(args: &[String]) -> Result<Given> {
    let keys: Vec<String> = crate::model::layout::all_cell_keys()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut out = Given::new();
    for a in args {
        let bad = |why: &str| Error::BadCell {
            arg: a.clone(),
            why: why.to_string(),
        };
        let (k, v) = a.split_once('=').ok_or_else(|| bad("write it KEY=VALUE"))?;
        let (k, v) = (k.trim(), v.trim());
        if !keys.iter().any(|x| x == k) {
            return Err(bad(
                "no such cell key (keys as in data/reports.csv, e.g. active.normative_documents.repealed)",
            ));
        }
        let n = Number::parse(v).map_err(|_| bad("the value is not a number"))?;
        out.insert(k.to_string(), n);
    }
    Ok(out)
}

/// A text (or a PDF's text) over the limit of content files: no report is.
fn too_large(path: &Path, size: u64) -> Error {
    Error::Import {
        file: path.to_path_buf(),
        line: None,
        message: format!(
            "the text is {size} bytes; a report's text is at most {} bytes (1 MiB): is it the right file?",
            crate::load::MAX_FILE_BYTES
        ),
    }
}

/// The text of a file: `.pdf` through pdftotext, anything else as UTF-8.
pub fn file_text(path: &Path) -> Result<String> {
    let is_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        let out = std::process::Command::new("pdftotext")
            .arg("-enc")
            .arg("UTF-8")
            .arg(path)
            .arg("-")
            .output();
        return match out {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::NoPdftotext(path.to_path_buf()))
            }
            Err(e) => Err(Error::io(path, e)),
            Ok(o) if !o.status.success() => Err(Error::Import {
                file: path.to_path_buf(),
                line: None,
                message: format!(
                    "pdftotext failed: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
            }),
            Ok(o) if o.stdout.len() as u64 > crate::load::MAX_FILE_BYTES => {
                Err(too_large(path, o.stdout.len() as u64))
            }
            Ok(o) => String::from_utf8(o.stdout).map_err(|_| Error::Import {
                file: path.to_path_buf(),
                line: None,
                message: "pdftotext did not give UTF-8 text".to_string(),
            }),
        };
    }
    let bytes = match crate::load::read_limited(path).map_err(|e| Error::io(path, e))? {
        Ok(bytes) => bytes,
        Err(size) => return Err(too_large(path, size)),
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::Import {
            file: path.to_path_buf(),
            line: None,
            message: "the file is UTF-16; save it as UTF-8".to_string(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Import {
            file: path.to_path_buf(),
            line: Some(line),
            message: "the text is not UTF-8 (GBK?); convert it, e.g. `iconv -f GBK -t UTF-8`"
                .to_string(),
        }
    })
}

/// The files to import: each FILE, and the `.txt`/`.pdf` files of each folder.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension().is_some_and(|e| {
                            e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("pdf")
                        })
                })
                .collect();
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
    }
    Ok(out)
}

/// What importing one report will write.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Relative to the site root, with their text.
    pub files: Vec<(PathBuf, String)>,
    /// Said when a new agency's category was taken from its name.
    pub category_note: Option<String>,
}

/// Settings of one `import` run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub agency: String,
    pub category: Option<String>,
    pub force: bool,
}

/// The category of a new agency, from its name when not given.
fn category_for(name: &str) -> &'static str {
    if name.ends_with("街道办事处") || name.ends_with("街道") {
        "street"
    } else if name.ends_with("镇人民政府") || name.ends_with("乡人民政府") {
        "township"
    } else if name.ends_with("人民政府") || name.ends_with("实验区") || name.ends_with("管委会")
    {
        "government"
    } else {
        "department"
    }
}

/// The files for one imported report, checked against the site: a valid
/// slug, a known category, no file overwritten without `force`. X1 against
/// last year's report is added to `broken`.
/// Refuses an agency slug that is not `[a-z0-9][a-z0-9-]*` before anything is read.
pub fn check_slug(slug: &str) -> Result<()> {
    if crate::load::valid_slug(slug) {
        Ok(())
    } else {
        Err(Error::InvalidSlug {
            slug: slug.to_string(),
            suggestion: crate::load::suggest_slug(slug),
        })
    }
}

pub fn plan(
    root: &Path,
    site: &crate::model::Site,
    r: &mut Imported,
    source: &Path,
    opts: &Options,
) -> Result<Plan> {
    check_slug(&opts.agency)?;
    let folder = Path::new("content").join(&opts.agency);
    let mut files = Vec::new();
    let mut category_note = None;
    if !root.join(folder.join("agency.yaml")).exists() {
        if r.name.is_empty() {
            return Err(Error::Import {
                file: source.to_path_buf(),
                line: None,
                message: format!(
                    "agency `{}` is new, and the title names no agency: create content/{}/agency.yaml first",
                    opts.agency, opts.agency
                ),
            });
        }
        let (category, inferred) = match &opts.category {
            Some(c) => (c.clone(), false),
            None => (category_for(&r.name).to_string(), true),
        };
        if site.config.category(&category).is_none() {
            let known: Vec<&str> = site
                .config
                .categories
                .iter()
                .map(|c| c.key.as_str())
                .collect();
            return Err(Error::UnknownCategory {
                key: category,
                known: known.join(", "),
            });
        }
        if inferred {
            category_note = Some(format!(
                "new agency {}: category `{category}` taken from its name (change it with --category)",
                r.name
            ));
        }
        files.push((
            folder.join("agency.yaml"),
            crate::commands::agency_yaml(&r.name, &category),
        ));
    }
    if let Some(prev) = site.report(&opts.agency, r.year - 1).filter(|p| !p.draft) {
        let now = r.to_report(PathBuf::new());
        for f in rules::x1(&now, prev) {
            r.broken.push(format!("{} ({})", f.message, f.rule));
        }
    }
    let source_name = source
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    files.push((
        folder.join(format!("{}.yaml", r.year)),
        r.yaml(&source_name),
    ));
    files.push((folder.join(format!("{}.md", r.year)), r.markdown.clone()));
    if !opts.force {
        for (f, _) in &files {
            if f.file_name().is_some_and(|n| n != "agency.yaml") && root.join(f).exists() {
                return Err(Error::ImportExists(f.clone()));
            }
        }
    }
    Ok(Plan {
        files,
        category_note,
    })
}

/// Writes the plan's files.
pub fn write(root: &Path, plan: &Plan) -> Result<()> {
    for (rel, text) in &plan.files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// `check` on the site with the plan's files in place (a copy of the
/// site's settings and the agency's folder for `--dry-run`), keeping the
/// diagnostics of those files.
pub fn check_planned(root: &Path, plan: &Plan, written: bool) -> Result<crate::Loaded> {
    let loaded = if written {
        crate::load(root)
    } else {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tmp = std::env::temp_dir().join(format!("gongkai-import-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let copy = |from: &Path, to: &Path| -> Result<()> {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::copy(from, to)
                .map_err(|e| Error::io(from, e))
                .map(|_| ())
        };
        copy(&root.join("site.toml"), &tmp.join("site.toml"))?;
        if let Some((first, _)) = plan.files.first()
            && let Some(folder) = first.parent()
            && let Ok(entries) = std::fs::read_dir(root.join(folder))
        {
            for e in entries.flatten() {
                if e.path().is_file() {
                    copy(&e.path(), &tmp.join(folder).join(e.file_name()))?;
                }
            }
        }
        write(&tmp, plan)?;
        let loaded = crate::load(&tmp);
        let _ = std::fs::remove_dir_all(&tmp);
        loaded
    };
    let mine: Vec<&PathBuf> = plan.files.iter().map(|(p, _)| p).collect();
    let mut loaded = loaded;
    let mut diagnostics = crate::Diagnostics::default();
    diagnostics.extend(
        std::mem::take(&mut loaded.diagnostics)
            .into_iter()
            .filter(|d| mine.iter().any(|m| **m == d.file)),
    );
    loaded.diagnostics = diagnostics;
    Ok(loaded)
}
