//! One agency's annual report: its metadata and every cell of its three
//! tables, each cell remembering where it was written.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::layout::{Format, Role, RowDef, Section, request_rows};
use super::number::Number;
use crate::diagnostics::Span;

/// A calendar date (公开日期), validated when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` and refuses impossible days (2025-02-30).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= date.days_in_month())
            .then_some(date)
    }

    fn days_in_month(&self) -> u32 {
        match self.month {
            2 if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One cell: its value, or a blank when the published report left it
/// blank, and where it was written. A site holds hundreds of cells per
/// report, so a cell takes 24 bytes: the value in 64-bit millionths (the
/// cell limit keeps every cell's value, and every district sum of real
/// figures, within them), a blank as a value no number can take.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    millionths: i64,
    pub span: Span,
}

const BLANK: i64 = i64::MIN;

impl Cell {
    /// A cell of `value` (`None`: blank); `None` when the value is too
    /// large to keep (beyond ±9.2×10^12, far past the cell limit).
    pub fn new(value: Option<Number>, span: Span) -> Option<Cell> {
        let millionths = match value {
            Some(n) => n.to_millionths().filter(|&m| m != BLANK)?,
            None => BLANK,
        };
        Some(Cell { millionths, span })
    }

    /// A blank cell.
    pub fn blank(span: Span) -> Cell {
        Cell {
            millionths: BLANK,
            span,
        }
    }

    /// The value; `None` for a blank.
    pub fn value(&self) -> Option<Number> {
        (self.millionths != BLANK).then(|| Number::from_millionths(self.millionths))
    }

    /// Blank counts as 0 in rules and sums (the contract).
    pub fn number(&self) -> Number {
        self.value().unwrap_or(Number::ZERO)
    }
}

impl fmt::Debug for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cell")
            .field("value", &self.value())
            .field("span", &self.span)
            .finish()
    }
}

/// One printed row: its data cells and, when written, its 总计.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub def: &'static RowDef,
    pub cells: Vec<Cell>,
    /// The 总计 as written; `None` when left out (then it is derived).
    pub total: Option<Cell>,
    /// Where the row was written (its list).
    pub span: Span,
    /// Computed from the other rows because the file left it out (only the
    /// （七）总计 row may be left out).
    pub derived: bool,
}

impl Row {
    /// The sum of the data cells; `None` on overflow.
    pub fn derived_total(&self) -> Option<Number> {
        Number::sum(self.cells.iter().map(Cell::number))
    }

    /// The value of column `i`, 总计 included (`i == cells.len()`): the
    /// written total when given, else the derived one.
    pub fn value(&self, i: usize) -> Number {
        if i < self.cells.len() {
            self.cells[i].number()
        } else {
            match self.total {
                Some(cell) => cell.number(),
                None => self.derived_total().unwrap_or(Number::ZERO),
            }
        }
    }

    /// The cell at column `i` (总计 included) if it was written.
    pub fn cell(&self, i: usize) -> Option<&Cell> {
        if i < self.cells.len() {
            self.cells.get(i)
        } else {
            self.total.as_ref()
        }
    }
}

/// An annual report, as loaded from `content/<agency>/<year>.yaml`.
#[derive(Clone, Debug)]
pub struct Report {
    pub agency: String,
    pub year: i32,
    pub format: Format,
    pub draft: bool,
    pub published: Option<Date>,
    pub index_number: Option<String>,
    pub as_published: bool,
    /// （六）其他处理 printed as one row (always so in the 2019 format).
    pub single_other: bool,
    /// Section 二 rows, in the order of `format.active_rows()`. The tables
    /// and the prose are shared, not copied, when `serve` keeps a report
    /// from one rebuild to the next.
    pub active: Arc<[Row]>,
    /// Section 三 rows, in the order of `request_rows(single_other)`.
    pub requests: Arc<[Row]>,
    /// Section 四 rows, in the order of `REVIEW_ROWS`.
    pub reviews: Arc<[Row]>,
    /// `content/<agency>/<year>.yaml`, relative to the site root.
    pub file: PathBuf,
    /// Where `published:` was written, for X5.
    pub published_span: Option<Span>,
    /// The prose of `<year>.md`, when there is one.
    pub prose: Option<Arc<super::Prose>>,
    /// A signed original `<year>.pdf` sits beside the report.
    pub has_pdf: bool,
    /// A hash of the report's files as read (YAML, Markdown, PDF or not):
    /// `serve` re-renders only pages whose reports' hashes changed.
    pub source_hash: u64,
}

impl Report {
    pub fn rows(&self, section: Section) -> &[Row] {
        match section {
            Section::Active => &self.active,
            Section::Requests => &self.requests,
            Section::Reviews => &self.reviews,
        }
    }

    pub fn request_defs(&self) -> &'static [RowDef] {
        request_rows(self.single_other)
    }

    /// The section-三 row with this role (New, CarriedOver, Total, CarriedForward).
    pub fn request_row(&self, role: Role) -> Option<&Row> {
        self.requests.iter().find(|r| r.def.role == role)
    }

    /// Any row by its key (`requests.withheld.state_secret`).
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.active
            .iter()
            .chain(self.requests.iter())
            .chain(self.reviews.iter())
            .find(|r| r.def.key == key)
    }

    /// A cell's value by its cell key (`requests.total.natural_person`,
    /// `active.fees`). Blank cells are `Some(None)`; unknown keys `None`.
    pub fn cell_value(&self, cell_key: &str) -> Option<Option<Number>> {
        for row in self
            .active
            .iter()
            .chain(self.requests.iter())
            .chain(self.reviews.iter())
        {
            for i in 0..row.def.width() {
                if row.def.cell_key(i) == cell_key {
                    return Some(match row.cell(i) {
                        Some(cell) => cell.value(),
                        None => row.derived_total(),
                    });
                }
            }
        }
        None
    }
}
