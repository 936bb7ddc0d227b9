//! `import FOLDER` without `--agency`: a whole district at once. Every
//! report file in the folders (sub-folders too) is read for its title's
//! issuing body and year; the body is matched against the site's agencies
//! by name and short name, or becomes a new agency with a pinyin slug
//! ([`super::slug`]). Each agency's files then go through the one-agency
//! import ([`super::run::run`]) in year order, so last year's report can
//! decide between readings of this year's. A refused file never stops the
//! others; [`table`] sums up what became of each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::run::{FileOutcome, Options, Request, Source};
use crate::error::{Error, Result};

/// How a file's agency was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// The site's agency of that full name.
    Name,
    /// The site's agency of that short name.
    ShortName,
    /// Not in the site: a new agency (or one made new by an earlier file
    /// of this import).
    New,
}

/// The agency and year a file is for.
#[derive(Clone, Debug)]
pub struct Assigned {
    /// The issuing body as the title names it.
    pub name: String,
    pub year: i32,
    pub slug: String,
    pub matched: Match,
}

/// One file of the folder, before anything is written.
#[derive(Debug)]
pub struct Planned {
    pub file: PathBuf,
    /// The file as the table shows it: relative to the folder given.
    pub shown: String,
    /// `text`, `PDF`, `web page`, `Word`: as [`super::SourceFormat`] names it.
    pub format: &'static str,
    /// Refused before any table is read: unreadable, no title.
    pub assigned: Result<Assigned>,
    /// Refused for the same agency and year as another file.
    pub twice: Option<Error>,
    /// The file as read for its title, kept for the import (read once).
    source: Option<Source>,
}

impl Planned {
    /// The plan's line: `2021/jiaoyu.txt → 卫滨区教育局 2021: new agency content/jiaoyuju`.
    pub fn describe(&self) -> String {
        match &self.assigned {
            Ok(a) if self.twice.is_some() => format!(
                "{} → {} {}: refused: {}",
                self.shown,
                a.name,
                a.year,
                self.twice.as_ref().map(reason).unwrap_or_default()
            ),
            Ok(a) => {
                let how = match a.matched {
                    Match::Name => "agency",
                    Match::ShortName => "agency (by its short name)",
                    Match::New => "new agency",
                };
                format!(
                    "{} → {} {}: {how} content/{}",
                    self.shown, a.name, a.year, a.slug
                )
            }
            Err(e) => format!("{} → refused: {}", self.shown, reason(e)),
        }
    }
}

/// The report files under each path (a file as given; a folder's files,
/// sub-folders too, hidden ones left out), each with the name the table
/// shows, in path order.
pub fn files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let walk = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walk {
                let entry = entry.map_err(|e| {
                    let at = e.path().unwrap_or(p).to_path_buf();
                    Error::io(&at, e.into())
                })?;
                let f = entry.path();
                if entry.file_type().is_file()
                    && super::is_report_file(f)
                    && !out.iter().any(|(g, _): &(PathBuf, String)| g == f)
                {
                    let shown = f.strip_prefix(p).unwrap_or(f).display().to_string();
                    out.push((f.to_path_buf(), shown));
                }
            }
        } else if p.exists() {
            if !out.iter().any(|(g, _)| g == p) {
                out.push((p.clone(), p.display().to_string()));
            }
        } else {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
    }
    Ok(out)
}

/// The issuing body and year a file's title gives, with the file as read.
type Title = (String, i32, Source);

/// Compares names whatever their spacing (titles wrap and space out).
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Reads the title of each file (from [`files`]) and assigns it an agency and year; `tick` is
/// called after each file is read. Errors that stop the whole import (no
/// site) come back as `Err`; a file's own problem is its `assigned`.
pub fn plan(
    root: &Path,
    found: Vec<(PathBuf, String)>,
    tick: &mut dyn FnMut(&str),
) -> Result<Vec<Planned>> {
    if !root.join("site.toml").exists() {
        return Err(Error::Import {
            file: root.join("site.toml"),
            line: None,
            message: "no site here: run `gongkai init DIR` first, or pass --root".to_string(),
        });
    }
    let site = crate::load::load(root).site.ok_or_else(|| Error::Import {
        file: root.join("site.toml"),
        line: None,
        message: "site.toml cannot be read; run `gongkai check`".to_string(),
    })?;
    let mut titles: Vec<(PathBuf, String, Result<Title>)> = Vec::new();
    for (file, shown) in found {
        let read = super::read_source(&file).and_then(|source| {
            let (name, year) = super::title_of(&source.text, &file)?;
            if name.is_empty() {
                return Err(Error::Import {
                    file: file.clone(),
                    line: None,
                    message: format!(
                        "the title names no agency (…{year}年政府信息公开工作年度报告 with nothing before it): import it with --agency SLUG"
                    ),
                });
            }
            Ok((compact(&name), year, source))
        });
        tick(&shown);
        titles.push((file, shown, read));
    }

    // The district's name: from the site's title, or what most agencies'
    // names (the site's and the files', each name once, however many
    // years it has) start with.
    let mut names: std::collections::BTreeSet<String> =
        site.agencies.values().map(|a| compact(&a.name)).collect();
    names.extend(
        titles
            .iter()
            .filter_map(|(_, _, r)| r.as_ref().ok().map(|(n, _, _)| n.clone())),
    );
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let district = super::slug::district(&site.config.title, &name_refs);

    // Existing agencies by name, then by short name; new ones as they come
    // (the files in path order, so the numbering of clashes is stable).
    let mut new: BTreeMap<String, String> = BTreeMap::new();
    let mut planned = Vec::new();
    for (file, shown, read) in titles {
        let (read, source) = match read {
            Ok((name, year, source)) => (Ok((name, year)), Some(source)),
            Err(e) => (Err(e), None),
        };
        let assigned = read.and_then(|(name, year)| {
            let by = |short: bool| {
                site.agencies.iter().find_map(|(slug, a)| {
                    let n = if short {
                        a.short_name.as_deref().map(compact)
                    } else {
                        Some(compact(&a.name))
                    };
                    (n.as_deref() == Some(name.as_str())).then(|| slug.clone())
                })
            };
            let (slug, matched) = if let Some(s) = by(false) {
                (s, Match::Name)
            } else if let Some(s) = by(true) {
                (s, Match::ShortName)
            } else if let Some(s) = new.get(&name) {
                (s.clone(), Match::New)
            } else {
                let taken = |s: &str| {
                    site.agencies.contains_key(s)
                        || root.join("content").join(s).exists()
                        || new.values().any(|v| v == s)
                };
                let s = super::slug::new_slug(&name, district.as_deref(), taken).ok_or_else(
                    || Error::Import {
                        file: file.clone(),
                        line: None,
                        message: format!(
                            "no slug can be made from the name {name}: import it with --agency SLUG"
                        ),
                    },
                )?;
                new.insert(name.clone(), s.clone());
                (s, Match::New)
            };
            Ok(Assigned {
                name,
                year,
                slug,
                matched,
            })
        });
        planned.push(Planned {
            format: super::SourceFormat::of(&file).label(),
            file,
            shown,
            assigned,
            twice: None,
            source,
        });
    }

    // Two files for the same agency and year: which one is the report is
    // the clerk's call, not the importer's. Both are refused, each naming
    // the other(s); the clerk removes one, or imports it alone.
    let mut by_key: BTreeMap<(String, i32), Vec<String>> = BTreeMap::new();
    for p in &planned {
        if let Ok(a) = &p.assigned {
            by_key
                .entry((a.slug.clone(), a.year))
                .or_default()
                .push(p.shown.clone());
        }
    }
    for p in &mut planned {
        let twice = match &p.assigned {
            Ok(a) => by_key
                .get(&(a.slug.clone(), a.year))
                .filter(|v| v.len() > 1)
                .map(|v| (a.name.clone(), a.year, v.clone())),
            Err(_) => None,
        };
        if let Some((name, year, all)) = twice {
            let others: Vec<&String> = all.iter().filter(|s| **s != p.shown).collect();
            p.twice = Some(Error::Import {
                file: p.file.clone(),
                line: None,
                message: format!(
                    "{name} {year} is also in {}: keep one (or import it alone with --agency)",
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    // The order of the import: agency by agency, each in year order.
    planned.sort_by(|a, b| {
        let key = |p: &Planned| match &p.assigned {
            Ok(a) if p.twice.is_none() => (0, a.slug.clone(), a.year),
            Ok(a) => (1, a.slug.clone(), a.year),
            Err(_) => (2, String::new(), 0),
        };
        key(a).cmp(&key(b)).then_with(|| a.shown.cmp(&b.shown))
    });
    Ok(planned)
}

/// What became of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Written,
    /// `--dry-run`: everything checked, nothing written.
    WouldWrite,
    /// Written, but `check` finds errors in its files.
    CheckFails(usize),
    Refused(String),
}

/// One line of the summary table.
#[derive(Clone, Debug)]
pub struct Row {
    pub shown: String,
    pub agency: String,
    pub slug: String,
    pub year: Option<i32>,
    pub format: &'static str,
    /// Cells read, uncertain, blank, rules broken (when read).
    pub counts: Option<[usize; 4]>,
    pub status: Status,
}

impl Row {
    pub fn refused(&self) -> bool {
        !matches!(self.status, Status::Written | Status::WouldWrite)
    }
}

/// One line of why, for the table (the whole error is printed as the file
/// is refused).
pub fn reason(e: &Error) -> String {
    let full = match e {
        Error::Import {
            message,
            line: Some(l),
            ..
        } => format!("line {l}: {message}"),
        Error::Import { message, .. } => message.clone(),
        Error::Unreadable { problems, .. } => match problems.first() {
            Some((l, m)) if problems.len() == 1 => format!("line {l}: {m}"),
            Some((l, m)) => format!("{} problems; line {l}: {m}", problems.len()),
            None => e.to_string(),
        },
        _ => e.to_string(),
    };
    let first = full.lines().next().unwrap_or_default();
    const MAX: usize = 100;
    if first.chars().count() > MAX {
        format!("{}…", first.chars().take(MAX).collect::<String>())
    } else {
        first.to_string()
    }
}

/// The settings a folder import takes.
#[derive(Clone, Debug, Default)]
pub struct FolderRequest {
    pub dry_run: bool,
    pub force: bool,
    /// `--category`: of every new agency (default: from each name).
    pub category: Option<String>,
}

/// Imports the planned files agency by agency, each agency's in year
/// order. `each` sees every file's outcome as it is known (refused ones
/// with their error), then its row.
pub fn run(
    root: &Path,
    planned: Vec<Planned>,
    request: &FolderRequest,
    each: &mut dyn FnMut(&FileOutcome, &Row),
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut groups: BTreeMap<String, Vec<Planned>> = BTreeMap::new();
    let mut refused = Vec::new();
    for p in planned {
        match &p.assigned {
            Ok(a) if p.twice.is_none() => groups.entry(a.slug.clone()).or_default().push(p),
            _ => refused.push(p),
        }
    }
    for (slug, mut group) in groups {
        let read: BTreeMap<PathBuf, Source> = group
            .iter_mut()
            .filter_map(|p| p.source.take().map(|s| (p.file.clone(), s)))
            .collect();
        let by_file: BTreeMap<PathBuf, &Planned> =
            group.iter().map(|p| (p.file.clone(), p)).collect();
        let one = Request {
            files: group.iter().map(|p| p.file.clone()).collect(),
            year: None,
            cells: Vec::new(),
            dry_run: request.dry_run,
            options: Options {
                agency: slug.clone(),
                category: request.category.clone(),
                force: request.force,
            },
        };
        let mut seen = Vec::new();
        let run = super::run::run_read(root, &one, read, &mut |outcome| {
            let Some(p) = by_file.get(&outcome.file) else {
                return;
            };
            let row = row_of(p, outcome, request.dry_run);
            each(outcome, &row);
            seen.push(outcome.file.clone());
            rows.push(row);
        });
        if let Err(e) = run {
            // The agency's whole run stopped (a category unknown to the
            // site): each of its files not yet seen is refused with it.
            let why = reason(&e);
            for p in group.iter().filter(|p| !seen.contains(&p.file)) {
                let outcome = FileOutcome {
                    file: p.file.clone(),
                    result: Err(Error::Import {
                        file: p.file.clone(),
                        line: None,
                        message: why.clone(),
                    }),
                };
                let row = row_of(p, &outcome, request.dry_run);
                each(&outcome, &row);
                rows.push(row);
            }
        }
    }
    for p in refused {
        let (e, assigned) = match (p.twice, p.assigned) {
            (Some(e), Ok(a)) => (e, Some(a)),
            (_, Err(e)) => (e, None),
            (None, Ok(_)) => continue,
        };
        let row = Row {
            shown: p.shown.clone(),
            agency: assigned
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            slug: assigned
                .as_ref()
                .map(|a| a.slug.clone())
                .unwrap_or_default(),
            year: assigned.as_ref().map(|a| a.year),
            format: p.format,
            counts: None,
            status: Status::Refused(reason(&e)),
        };
        let outcome = FileOutcome {
            file: p.file,
            result: Err(e),
        };
        each(&outcome, &row);
        rows.push(row);
    }
    rows
}

fn row_of(p: &Planned, outcome: &FileOutcome, dry_run: bool) -> Row {
    let (agency, slug, year) = match &p.assigned {
        Ok(a) => (a.name.clone(), a.slug.clone(), Some(a.year)),
        Err(_) => (String::new(), String::new(), None),
    };
    let (counts, status) = match &outcome.result {
        Ok(done) => {
            let i = &done.imported;
            let errors = done.checked.diagnostics.error_count();
            let status = if errors > 0 {
                Status::CheckFails(errors)
            } else if dry_run {
                Status::WouldWrite
            } else {
                Status::Written
            };
            (
                Some([i.cells_read(), i.uncertain(), i.blanks(), i.broken.len()]),
                status,
            )
        }
        Err(e) => (None, Status::Refused(reason(e))),
    };
    Row {
        shown: p.shown.clone(),
        agency,
        slug,
        year,
        format: p.format,
        counts,
        status,
    }
}

/// Columns as a terminal shows them: a Chinese character takes two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The summary table: a header and one line per file, columns aligned,
/// numbers to the right; the last line says how many were written.
pub fn table(rows: &[Row], dry_run: bool) -> String {
    let header = [
        "file",
        "agency",
        "slug",
        "year",
        "format",
        "cells",
        "uncertain",
        "blank",
        "broken",
        "result",
    ];
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let n = |i: usize| r.counts.map_or(String::new(), |c| c[i].to_string());
        let status = match &r.status {
            Status::Written => "written".to_string(),
            Status::WouldWrite => "would be written (dry run)".to_string(),
            Status::CheckFails(n) => format!("check finds {n} error(s) in its files"),
            Status::Refused(why) => format!("refused: {why}"),
        };
        lines.push(vec![
            r.shown.clone(),
            r.agency.clone(),
            r.slug.clone(),
            r.year.map_or(String::new(), |y| y.to_string()),
            r.format.to_string(),
            n(0),
            n(1),
            n(2),
            n(3),
            status,
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| lines.iter().map(|l| width(&l[c])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for l in &lines {
        let mut line = String::new();
        for (c, cell) in l.iter().enumerate() {
            let pad = " ".repeat(widths[c] - width(cell));
            let last = c + 1 == l.len();
            if (3..9).contains(&c) && c != 4 {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if !last {
                    line.push_str(&pad);
                }
            }
            if !last {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let refused = rows.iter().filter(|r| r.refused()).count();
    let done = rows.len() - refused;
    let verb = if dry_run {
        "dry run: would import"
    } else {
        "imported"
    };
    out.push_str(&format!(
        "{verb} {done} of {} file(s); {refused} refused\n",
        rows.len()
    ));
    out
}
