//! Diagnostics: every problem found in a site, with its file, line, column and rule.
//!
//! Loading and checking never stop at the first problem; they collect
//! diagnostics for the whole site so a clerk fixes everything in one pass.
//! Only the binary turns them into coloured reports.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a source file: 1-based line and character column, plus the byte
/// range used to underline it. Every cell of every report carries one, so
/// it is kept small: 32-bit offsets (files are far smaller than 4 GiB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    offset: u32,
    len: u32,
}

impl Span {
    pub fn new(line: u32, column: u32, offset: usize, len: usize) -> Span {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            line,
            column,
            offset: small(offset),
            len: small(len),
        }
    }

    /// Byte offset of the start in the file.
    pub fn offset(&self) -> usize {
        self.offset as usize
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The same span, `by` bytes further into the file.
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.line, self.column, self.offset() + by, self.len())
    }

    /// The start of a file, for problems that concern the file as a whole.
    pub fn start() -> Span {
        Span {
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Every rule and check a diagnostic can come from. Each prints as its code:
/// `R1`…`R8`, `X1`…`X7` of the contract, or a named check such as
/// `unknown-key` (all listed in the README's table). Diagnostics at one
/// place are ordered by the code as printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    X1,
    X2,
    X3,
    X5,
    X6,
    X7,
    TooLarge,
    Yaml,
    Encoding,
    FileSize,
    Symlink,
    SpecialFile,
    Io,
    Empty,
    UnknownKey,
    MissingKey,
    MissingRow,
    Type,
    Year,
    Category,
    Slug,
    UnknownFile,
    Agency,
    Duplicate,
    Orphan,
    Heading,
    Prose,
    Config,
    Content,
    /// A member's summary (`[[members]]`) that cannot be read or is wrong.
    Member,
}

impl Rule {
    /// The code as printed (`R3`, `unknown-key`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::R1 => "R1",
            Rule::R2 => "R2",
            Rule::R3 => "R3",
            Rule::R4 => "R4",
            Rule::R5 => "R5",
            Rule::R6 => "R6",
            Rule::R7 => "R7",
            Rule::R8 => "R8",
            Rule::X1 => "X1",
            Rule::X2 => "X2",
            Rule::X3 => "X3",
            Rule::X5 => "X5",
            Rule::X6 => "X6",
            Rule::X7 => "X7",
            Rule::TooLarge => "too-large",
            Rule::Yaml => "yaml",
            Rule::Encoding => "encoding",
            Rule::FileSize => "file-size",
            Rule::Symlink => "symlink",
            Rule::SpecialFile => "special-file",
            Rule::Io => "io",
            Rule::Empty => "empty",
            Rule::UnknownKey => "unknown-key",
            Rule::MissingKey => "missing-key",
            Rule::MissingRow => "missing-row",
            Rule::Type => "type",
            Rule::Year => "year",
            Rule::Category => "category",
            Rule::Slug => "slug",
            Rule::UnknownFile => "unknown-file",
            Rule::Agency => "agency",
            Rule::Duplicate => "duplicate",
            Rule::Orphan => "orphan",
            Rule::Heading => "heading",
            Rule::Prose => "prose",
            Rule::Config => "config",
            Rule::Content => "content",
            Rule::Member => "member",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem: what is wrong, where, and under which rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The rule or check that found it (printed as its code).
    pub rule: Rule,
    /// Path relative to the site root, with `/` separators.
    pub file: PathBuf,
    /// `None` when the problem concerns a whole file or folder.
    pub span: Option<Span>,
    pub message: String,
    /// A hint on how to fix it, when there is a useful one.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(rule: Rule, file: &Path, span: Option<Span>, message: String) -> Self {
        Diagnostic {
            severity: Severity::Error,
            rule,
            file: file.to_path_buf(),
            span,
            message,
            help: None,
        }
    }

    pub fn warning(rule: Rule, file: &Path, span: Option<Span>, message: String) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, file, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `content/a/2024.yaml:41:22`, or just the path for whole-file problems.
    pub fn location(&self) -> String {
        let file = self.file.to_string_lossy().replace('\\', "/");
        match self.span {
            Some(span) => format!("{file}:{}:{}", span.line, span.column),
            None => file,
        }
    }
}

/// `content/zhongtongjie/2024.yaml:41:22: 三（七）总计 · 自然人 is 3, but … (R3)`
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.location(), self.message, self.rule)
    }
}

/// All diagnostics of one run, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// Sorts by file, then position, then rule, so output is the same on
    /// every run whatever order the files were read in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (
                &a.file,
                a.span.map(|s| (s.line, s.column)),
                a.rule.code(),
                &a.message,
            )
                .cmp(&(
                    &b.file,
                    b.span.map(|s| (s.line, s.column)),
                    b.rule.code(),
                    &b.message,
                ))
        });
        self.items.dedup();
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}
