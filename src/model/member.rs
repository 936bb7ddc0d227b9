//! Members of a roll-up site (`[[members]]` in site.toml): the sites one
//! level down (a city's districts, a province's cities), known only by
//! their published `data/summary.json`, never by their reports.

use std::collections::BTreeMap;

use crate::aggregate::Aggregate;
use crate::diagnostics::Span;
use crate::model::Number;

/// One `[[members]]` entry of site.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberConfig {
    /// A slug, as for agencies (unique among agencies and members).
    pub key: String,
    pub name: String,
    /// A path relative to the site's folder, or an http(s) URL.
    pub summary: String,
    /// Where the member's pages live; ends with `/`. When absent, the
    /// summary's own `base_url`.
    pub base_url: Option<String>,
    /// The entry in site.toml, for messages.
    pub span: Span,
}

impl MemberConfig {
    pub fn is_url(&self) -> bool {
        self.summary.starts_with("http://") || self.summary.starts_with("https://")
    }
}

/// A member whose summary was read and checked.
#[derive(Clone, Debug)]
pub struct Member {
    pub key: String,
    pub name: String,
    /// Where its pages live (site.toml's, else the summary's); `None`
    /// when neither says (then the pages name it without a link).
    pub base_url: Option<String>,
    /// Its summary's title.
    pub title: String,
    pub years: BTreeMap<i32, MemberYear>,
    /// A hash of the summary's bytes: serve's pages show the member's
    /// figures, so a new summary changes every page's fingerprint.
    pub fingerprint: u64,
}

/// A member's year: its whole sums and each of its categories'.
#[derive(Clone, Debug)]
pub struct MemberYear {
    pub all: Part,
    pub categories: Vec<MemberCategory>,
}

impl MemberYear {
    /// The year's whole part, or one category's (`None` when the member
    /// has no report of that category).
    pub fn part(&self, category: Option<&str>) -> Option<&Part> {
        match category {
            None => Some(&self.all),
            Some(key) => self
                .categories
                .iter()
                .find(|c| c.key == key)
                .map(|c| &c.part),
        }
    }
}

/// Every member's part of `year` (of one category, or all), in the
/// members' order: what a roll-up adds to its own reports.
pub fn parts<'a>(
    members: &'a [Member],
    year: i32,
    category: Option<&'a str>,
) -> impl Iterator<Item = &'a Part> {
    members
        .iter()
        .filter_map(move |m| m.years.get(&year)?.part(category))
}

#[derive(Clone, Debug)]
pub struct MemberCategory {
    pub key: String,
    pub name: String,
    pub part: Part,
}

/// What a summary says of a set of reports: their counts, their summed
/// tables (totals derived) and the indicators' summed terms.
#[derive(Clone, Debug)]
pub struct Part {
    pub counts: Counts,
    pub sums: Aggregate,
    /// By indicator key; `None` when the member shows no indicators.
    pub indicators: Option<Vec<(String, Term)>>,
}

/// How many reports were expected, published, late and missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub expected: usize,
    pub published: usize,
    pub late: usize,
    pub missing: usize,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.expected += other.expected;
        self.published += other.published;
        self.late += other.late;
        self.missing += other.missing;
    }
}

/// One indicator's summed terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Term {
    pub numerator: Number,
    pub denominator: Number,
    pub reports: usize,
    pub blank: usize,
}

/// A member that could not be read, kept (with `--allow-missing-members`)
/// to be named on the pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub key: String,
    pub name: String,
    pub summary: String,
    pub reason: String,
}
