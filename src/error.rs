//! The library's one error type, for failures that stop a command (as
//! opposed to diagnostics, which are collected and reported together).

use std::path::PathBuf;

use crate::load::Loaded;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} already exists; gongkai never overwrites it", .0.display())]
    Exists(PathBuf),
    #[error("{} is not empty; `init` creates a new site in an empty or new folder", .0.display())]
    NotEmpty(PathBuf),
    #[error("`{slug}` is not a valid agency slug: use lowercase letters a-z, digits and '-'{}", suggestion.as_ref().map(|s| format!(" (e.g. `{s}`)")).unwrap_or_default())]
    InvalidSlug {
        slug: String,
        suggestion: Option<String>,
    },
    #[error("{0} is not a four-digit year")]
    InvalidYear(i32),
    #[error("agency `{0}` is new: give its full name and category with --name and --category")]
    NewAgencyNeedsName(String),
    #[error("unknown category `{key}`; the categories of site.toml are: {known}")]
    UnknownCategory { key: String, known: String },
    #[error("refusing to write the site into {}: {why}", path.display())]
    UnsafeOutput { path: PathBuf, why: String },
    #[error("another gongkai build is writing {} now (it holds {}); wait for it to finish", output.display(), lock.display())]
    Busy { output: PathBuf, lock: PathBuf },
    #[error(
        "the district sums of {0} are too large to keep (past 9.2×10^12 in one cell): look for figures typed with extra digits in the reports of {0}"
    )]
    SumTooLarge(i32),
    #[error("no report of {year} in the site (its years: {years})")]
    NoReports { year: i32, years: String },
    #[error("template error: {0}")]
    Template(String),
    #[error("serve: {0}")]
    Serve(String),
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Import {
        file: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: nothing written: {} problem(s):{}", file.display(), problems.len(), problems.iter().map(|(l, m)| format!("\n  {}:{l}: {m}", file.display())).collect::<String>())]
    Unreadable {
        file: PathBuf,
        problems: Vec<(usize, String)>,
    },
    #[error("{} is a PDF, and reading it needs pdftotext, which is not installed: install poppler-utils (`apt-get install poppler-utils` on Debian/Ubuntu, `dnf install poppler-utils` on Fedora, `brew install poppler` on macOS), or give the text instead", .0.display())]
    NoPdftotext(PathBuf),
    #[error("--cell {arg}: {why}")]
    BadCell { arg: String, why: String },
    #[error("{} already exists; pass --force to replace it", .0.display())]
    ImportExists(PathBuf),
    /// The site could not be loaded well enough to act on. It carries what
    /// was loaded (diagnostics and the sources they cite), so the caller
    /// prints them without loading the site again.
    #[error("the site has {} error(s)", .0.diagnostics.error_count())]
    Invalid(Box<Loaded>),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
