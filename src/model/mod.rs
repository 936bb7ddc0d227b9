//! The model: a site of agencies and their reports, the official table
//! layouts, exact numbers, and the consistency rules (勾稽关系).
//!
//! Nothing here reads files; `load` builds the model, `rules` judges it.

pub mod layout;
pub mod member;
pub mod number;
pub mod report;
pub mod rules;
pub mod stated;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use layout::{Format, RowDef, Section};
pub use member::{Member, MemberConfig, Unread};
pub use number::Number;
pub use report::{Cell, Date, Report, Row};

use crate::diagnostics::Span;

/// `site.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub title: String,
    /// Always ends with `/` when set.
    pub base_url: Option<String>,
    pub theme: String,
    pub output_dir: String,
    pub language: String,
    /// What the site's totals are of, as its captions say it: 全区 (the
    /// default: a district), 全市, 全省, 全县 (`area` in site.toml).
    pub area: String,
    /// Minify the HTML (`minify = false` in site.toml turns it off).
    pub minify: bool,
    /// Build the search index (`search = false` in site.toml turns it
    /// off; without the `search` feature there is none).
    pub search: bool,
    /// The Content-Security-Policy of the built pages (`csp` in site.toml).
    pub csp: Csp,
    /// Indicators and peer medians on year and agency pages, the formulas
    /// page and `data/indicators.csv`, `data/peers.csv` (`indicators =
    /// false` in site.toml leaves them out).
    pub indicators: bool,
    pub categories: Vec<Category>,
    pub footer: Footer,
    /// `[[members]]`: the sites this one rolls up (see [`member`]).
    pub members: Vec<MemberConfig>,
}

/// `csp` in site.toml: which Content-Security-Policy every built page
/// carries in a `<meta http-equiv>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Csp {
    /// gongkai's strict policy (`csp = true`, or no `csp`).
    #[default]
    Strict,
    /// No policy in the pages (`csp = false`): the server sends its own.
    Off,
    /// The site's own policy, used as written (`csp = "default-src 'self'; …"`).
    Custom(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub key: String,
    pub name: String,
    /// Publication deadline in the year after the report's year.
    pub deadline: MonthDay,
}

/// A month and day such as the deadline `03-31`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn parse(text: &str) -> Option<MonthDay> {
        let (m, d) = text.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        // 2024 is a leap year, so 02-29 is accepted as a deadline.
        let date = Date::parse(&format!("2024-{m}-{d}"))?;
        Some(MonthDay {
            month: date.month,
            day: date.day,
        })
    }

    /// The deadline date for a report of `year` (in the following year);
    /// 02-29 falls back to 02-28 in common years.
    pub fn deadline_for(self, year: i32) -> Date {
        let next = year + 1;
        Date::parse(&format!("{next:04}-{:02}-{:02}", self.month, self.day)).unwrap_or(Date {
            year: next,
            month: self.month,
            day: 28,
        })
    }
}

impl std::fmt::Display for MonthDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// What a gov.cn site shows at the foot of every page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    pub organizer: Option<String>,
    pub contact: Option<String>,
    pub site_id_code: Option<String>,
    pub icp: Option<String>,
    pub police_record: Option<String>,
}

impl Config {
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }
}

/// `content/<slug>/agency.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub category: String,
    pub order: Option<i64>,
    pub code: Option<String>,
    pub reports_from: Option<i32>,
    pub reports_until: Option<i32>,
    pub file: PathBuf,
    /// Where `name:` was written, for duplicate-agency messages.
    pub name_span: Span,
}

impl Agency {
    /// The name used in lists and tables.
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// The prose sections of a report, in the order of the official document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProseKind {
    /// 一、总体情况
    Overview,
    /// 五、存在的主要问题及改进情况
    Problems,
    /// 六、其他需要报告的事项
    Other,
}

impl ProseKind {
    pub const ALL: [ProseKind; 3] = [ProseKind::Overview, ProseKind::Problems, ProseKind::Other];

    pub fn numeral(self) -> &'static str {
        match self {
            ProseKind::Overview => "一",
            ProseKind::Problems => "五",
            ProseKind::Other => "六",
        }
    }

    /// The official title.
    pub fn title(self) -> &'static str {
        match self {
            ProseKind::Overview => "总体情况",
            ProseKind::Problems => "存在的主要问题及改进情况",
            ProseKind::Other => "其他需要报告的事项",
        }
    }
}

/// `content/<agency>/<year>.md`, split at its level-2 headings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prose {
    /// Markdown before the first heading.
    pub preamble: String,
    pub sections: Vec<ProseSection>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProseSection {
    pub kind: ProseKind,
    /// The title as written, without its numeral (a known variant such as
    /// 存在的主要问题及整改措施 is kept as the agency printed it).
    pub title: String,
    /// The section's Markdown, without its heading.
    pub markdown: String,
    pub line: u32,
    /// Where `markdown` starts in the file: its line and byte offset (for
    /// pointing at a phrase, as X3 does).
    pub body_line: u32,
    pub body_offset: usize,
}

impl Prose {
    pub fn section(&self, kind: ProseKind) -> Option<&ProseSection> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

/// A whole site, loaded once.
#[derive(Clone, Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// By slug.
    pub agencies: BTreeMap<String, Agency>,
    /// Sorted by agency slug, then year.
    pub reports: Vec<Report>,
    /// The members whose summaries were read, in site.toml's order.
    pub members: Vec<Member>,
    /// The members that could not be read (`--allow-missing-members`).
    pub unread: Vec<Unread>,
}

impl Site {
    pub fn report(&self, agency: &str, year: i32) -> Option<&Report> {
        // Sorted by (agency, year): a binary search, since every report
        // looks up its predecessor.
        self.reports
            .binary_search_by(|r| (r.agency.as_str(), r.year).cmp(&(agency, year)))
            .ok()
            .map(|i| &self.reports[i])
    }

    /// Every report of one agency (drafts included), by year.
    pub fn reports_of(&self, agency: &str) -> &[Report] {
        let start = self.reports.partition_point(|r| r.agency.as_str() < agency);
        let end = start + self.reports[start..].partition_point(|r| r.agency == agency);
        &self.reports[start..end]
    }
}
