//! The `import` command as a whole: the files to read (a folder's in year
//! order, so that each year can lean on the one before), the text of each
//! (PDFs through pdftotext), the files planned for the site, written or
//! shown, and `check` on the result. The site is loaded once; after each
//! file only its agency's folder is read again (the load cache of `serve`),
//! so the next year of the same agency sees this one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Context, Imported, parse_given, read_text_in, year_of};
use crate::error::{Error, Result};
use crate::load::{LoadCache, Loaded, load_cached};
use crate::model::rules;

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

/// The formats `import` reads, told by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// `.txt` and anything not named below: UTF-8 text.
    Text,
    /// `.pdf`, through pdftotext.
    Pdf,
    /// `.html` / `.htm`: a web page as saved from the portal.
    Html,
    /// `.docx`.
    Word,
    /// `.doc` / `.wps`: refused with the command that converts them.
    LegacyWord,
}

impl SourceFormat {
    pub fn of(path: &Path) -> SourceFormat {
        SourceFormat::named(path).unwrap_or(SourceFormat::Text)
    }

    /// The format a file's extension names; `None` for an extension that
    /// names none (read as text when given, left out of a folder).
    fn named(path: &Path) -> Option<SourceFormat> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" => SourceFormat::Text,
            "pdf" => SourceFormat::Pdf,
            "html" | "htm" | "xhtml" | "shtml" => SourceFormat::Html,
            "docx" => SourceFormat::Word,
            "doc" | "wps" => SourceFormat::LegacyWord,
            _ => return None,
        })
    }

    /// How the format is named in summaries.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Pdf => "PDF",
            SourceFormat::Html => "web page",
            SourceFormat::Word => "Word",
            SourceFormat::LegacyWord => "old Word/WPS",
        }
    }
}

/// Whether a file in a folder is one `import` reads (or refuses by name).
pub fn is_report_file(path: &Path) -> bool {
    SourceFormat::named(path).is_some()
}

/// A file as the importer reads it: its text (a web page's or a Word
/// file's tables written with every cell placed by its labels), its
/// format, and what the reader should know about the reading.
#[derive(Clone, Debug)]
pub struct Source {
    pub text: String,
    pub format: SourceFormat,
    pub notes: Vec<String>,
}

/// Web pages and Word files may hold images and scripts: a larger limit
/// than the text's.
const MAX_DOCUMENT_BYTES: u64 = 32 << 20;

/// Reads any file `import` takes: the one place formats are told apart.
pub fn read_source(path: &Path) -> Result<Source> {
    let format = SourceFormat::of(path);
    let (text, notes) = match format {
        SourceFormat::LegacyWord => return Err(super::docx::refuse_legacy(path)),
        SourceFormat::Html => {
            let size = std::fs::metadata(path)
                .map_err(|e| Error::io(path, e))?
                .len();
            if size > MAX_DOCUMENT_BYTES {
                return Err(Error::Import {
                    file: path.to_path_buf(),
                    line: None,
                    message: format!(
                        "the page is {size} bytes; a report's page is at most {MAX_DOCUMENT_BYTES} bytes: is it the right file?"
                    ),
                });
            }
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let decoded = super::html::decode(&bytes);
            let mut notes = vec![format!("the page is read as {}", decoded.encoding)];
            if decoded.malformed {
                notes.push(format!(
                    "some bytes are not valid {}: replaced by �; check the text",
                    decoded.encoding
                ));
            }
            let read = super::html::read(&decoded.text).map_err(|message| Error::Import {
                file: path.to_path_buf(),
                line: None,
                message,
            })?;
            notes.extend(read.notes);
            let (text, placing) = super::document::to_text(&read.document, path)?;
            notes.extend(placing);
            (text, notes)
        }
        SourceFormat::Word => {
            let doc = super::docx::read(path)?;
            super::document::to_text(&doc, path)?
        }
        SourceFormat::Pdf | SourceFormat::Text => (plain_text(path)?, Vec::new()),
    };
    Ok(Source {
        text,
        format,
        notes,
    })
}

/// The text the importer reads from any file it takes (see [`read_source`]).
pub fn file_text(path: &Path) -> Result<String> {
    read_source(path).map(|s| s.text)
}

/// The text of a text file, or of a PDF through pdftotext.
fn plain_text(path: &Path) -> Result<String> {
    if SourceFormat::of(path) == SourceFormat::Pdf {
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

/// The files to import: each FILE, and the report files of each folder
/// (text, PDF, web pages, Word files; `.doc`/`.wps` to be refused by name).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && is_report_file(f))
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

fn plan(
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
        crate::commands::known_category(&site.config, &category)?;
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
fn write(root: &Path, plan: &Plan) -> Result<()> {
    for (rel, text) in &plan.files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// What one `import` run is asked to do.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Files and folders as given.
    pub files: Vec<PathBuf>,
    /// `--year`: checks the title's year, or gives it.
    pub year: Option<i32>,
    /// `--cell KEY=VALUE`, as given.
    pub cells: Vec<String>,
    pub dry_run: bool,
    pub options: Options,
}

/// What became of one file.
pub struct FileOutcome {
    pub file: PathBuf,
    pub result: Result<Done>,
}

/// A file imported (or, with `--dry-run`, shown).
pub struct Done {
    pub imported: Imported,
    pub plan: Plan,
    pub written: bool,
    /// `check` of the site with the files in place: the diagnostics of the
    /// planned files only, with their text.
    pub checked: Loaded,
}

impl FileOutcome {
    /// Refused, or imported with errors in the result.
    pub fn failed(&self) -> bool {
        self.result
            .as_ref()
            .map_or(true, |d| d.checked.diagnostics.has_errors())
    }
}

/// Runs `import`, handing each file's outcome to `each` as soon as it is
/// known. Errors that stop the whole run (a bad slug, `--cell`, no site)
/// come back as `Err`.
pub fn run(
    root: &Path,
    request: &Request,
    each: &mut dyn FnMut(&FileOutcome),
) -> Result<Vec<FileOutcome>> {
    run_read(root, request, BTreeMap::new(), each)
}

/// [`run`] with some files already read (`import FOLDER` read them for
/// their titles): those are not read again.
pub(super) fn run_read(
    root: &Path,
    request: &Request,
    mut read: BTreeMap<PathBuf, Source>,
    each: &mut dyn FnMut(&FileOutcome),
) -> Result<Vec<FileOutcome>> {
    let options = &request.options;
    check_slug(&options.agency)?;
    let given = parse_given(&request.cells)?;
    let files = expand(&request.files)?;
    if files.len() > 1 && (request.year.is_some() || !given.is_empty()) {
        return Err(Error::Import {
            file: files[0].clone(),
            line: None,
            message: "--year and --cell apply to one file; import the others separately"
                .to_string(),
        });
    }
    if !root.join("site.toml").exists() {
        return Err(Error::Import {
            file: root.join("site.toml"),
            line: None,
            message: "no site here: run `gongkai init DIR` first, or pass --root".to_string(),
        });
    }
    // A dry run works on a copy of the settings and the agency's folder, so
    // that `check` and the next year's reading see the planned files.
    let scratch = if request.dry_run {
        Some(scratch_copy(root, &options.agency)?)
    } else {
        None
    };
    let work = scratch.as_ref().map_or(root, |d| d.path());
    let mut cache = LoadCache::default();
    let mut site = load_cached(work, &mut cache, &[])
        .site
        .ok_or_else(|| Error::Import {
            file: root.join("site.toml"),
            line: None,
            message: "site.toml cannot be read; run `gongkai check`".to_string(),
        })?;
    // Each file's text and year first: the files go in year order.
    let mut texts: Vec<(PathBuf, Result<(Source, i32)>)> = files
        .into_iter()
        .map(|f| {
            let source = match read.remove(&f) {
                Some(source) => Ok(source),
                None => read_source(&f),
            };
            let read = source.and_then(|t| {
                let y = year_of(&t.text, &f, request.year)?;
                Ok((t, y))
            });
            (f, read)
        })
        .collect();
    texts.sort_by_key(|(f, r)| (r.as_ref().ok().map(|(_, y)| *y), f.clone()));
    let mut years = std::collections::BTreeMap::new();
    let mut out = Vec::new();
    for (file, read) in texts {
        let result = read.and_then(|(source, year)| {
            let text = source.text;
            if let Some(other) = years.insert(year, file.display().to_string()) {
                return Err(Error::Import {
                    file: file.clone(),
                    line: None,
                    message: format!("{year} is also the year of {other}"),
                });
            }
            let previous = site.report(&options.agency, year - 1).filter(|p| !p.draft);
            let cx = Context { previous };
            let mut imported = read_text_in(&text, &file, request.year, &given, &cx)?;
            imported.read_from = source.format;
            imported.notes.splice(0..0, source.notes);
            let plan = plan(work, &site, &mut imported, &file, options)?;
            write(work, &plan)?;
            let changed: Vec<PathBuf> = plan.files.iter().map(|(p, _)| work.join(p)).collect();
            let mut checked = load_cached(work, &mut cache, &changed);
            if let Some(s) = checked.site.take() {
                site = s;
            }
            let mine: Vec<&PathBuf> = plan.files.iter().map(|(p, _)| p).collect();
            let mut diagnostics = crate::Diagnostics::default();
            diagnostics.extend(
                std::mem::take(&mut checked.diagnostics)
                    .into_iter()
                    .filter(|d| mine.contains(&&d.file)),
            );
            checked.diagnostics = diagnostics;
            checked.sources.retain(|p, _| mine.contains(&p));
            Ok(Done {
                imported,
                plan,
                written: !request.dry_run,
                checked,
            })
        });
        let outcome = FileOutcome { file, result };
        each(&outcome);
        out.push(outcome);
    }
    Ok(out)
}

/// A scratch site for `--dry-run`: `site.toml` and the agency's folder.
fn scratch_copy(root: &Path, agency: &str) -> Result<tempfile::TempDir> {
    let tmp = tempfile::Builder::new()
        .prefix("gongkai-import-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let copy = |from: &Path, to: &Path| -> Result<()> {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::copy(from, to)
            .map_err(|e| Error::io(from, e))
            .map(|_| ())
    };
    copy(&root.join("site.toml"), &tmp.path().join("site.toml"))?;
    let folder = Path::new("content").join(agency);
    std::fs::create_dir_all(tmp.path().join(&folder))
        .map_err(|e| Error::io(tmp.path().join(&folder), e))?;
    if let Ok(entries) = std::fs::read_dir(root.join(&folder)) {
        for e in entries.flatten() {
            if e.path().is_file() {
                copy(&e.path(), &tmp.path().join(&folder).join(e.file_name()))?;
            }
        }
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder takes the files of every format a single file may be
    /// (portals save pages as `.shtml`), and nothing else.
    #[test]
    fn a_folder_takes_the_files_of_every_format_read() {
        for name in [
            "a.txt", "a.PDF", "a.html", "a.htm", "a.shtml", "a.xhtml", "a.docx", "a.doc", "a.wps",
        ] {
            assert!(is_report_file(Path::new(name)), "{name}");
        }
        for name in ["a.png", "a.css", "a", "a.yaml"] {
            assert!(!is_report_file(Path::new(name)), "{name}");
        }
        assert_eq!(SourceFormat::of(Path::new("a.shtml")), SourceFormat::Html);
        assert_eq!(SourceFormat::of(Path::new("notes")), SourceFormat::Text);
    }
}
