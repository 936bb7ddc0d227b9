//! `gongkai audit`: the supervisor's review of a year's reports, kept out
//! of the public site. Per year a printable page (A4) with the agencies
//! ranked by flags, each flag with its evidence and a link to the report
//! page, the indicators with the peer quartiles and every formula written
//! out; beside it `flags.csv`, `indicators.csv` and `peers.csv`.
//!
//! The output is written like a build (a staging folder swapped in at the
//! end, gongkai's marker file, the same refusals); it is refused inside
//! the public site's folder.

mod view;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::error::{Error, Result};
use crate::indicators::Indicators;
use crate::indicators::csv::{flags_csv, indicators_csv, peers_csv};
use crate::indicators::flags::{Flag, Kind, flags};
use crate::load::{Loaded, load};
use crate::model::Site;
use crate::output::{self, BuildLock, Staging};
use crate::render::Theme;

pub struct AuditOptions {
    /// Only this year (default: every year with a report).
    pub year: Option<i32>,
    /// The output folder, relative to the current folder; by default
    /// `audit/` in the site's folder (as `build` defaults to the site's
    /// `output_dir`).
    pub output: Option<PathBuf>,
}

/// What one year's review found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearSummary {
    pub year: i32,
    /// Agencies expected to report that year.
    pub agencies: usize,
    /// Agencies with at least one flag.
    pub flagged: usize,
    /// Per kind of flag, the agencies that have it.
    pub per_kind: Vec<(Kind, usize)>,
    /// Flags raised in all.
    pub flags: usize,
}

#[derive(Clone, Debug)]
pub struct AuditSummary {
    pub output: PathBuf,
    pub years: Vec<YearSummary>,
    /// Files written.
    pub files: usize,
}

impl AuditSummary {
    pub fn flags(&self) -> usize {
        self.years.iter().map(|y| y.flags).sum()
    }
}

/// One year's review, computed (the page and the files are made from it).
pub struct Review<'a> {
    pub year: i32,
    pub flags: Vec<Flag<'a>>,
    pub summary: YearSummary,
}

/// The years a site's review covers: every year with a non-draft report.
pub fn site_years(site: &Site) -> BTreeSet<i32> {
    crate::aggregate::years(site).keys().copied().collect()
}

/// The review of `year`.
pub fn review<'a>(site: &'a Site, diagnostics: &Diagnostics, year: i32) -> Review<'a> {
    let flags = flags(site, diagnostics, year);
    let years = site_years(site);
    let agencies = site
        .agencies
        .values()
        .filter(|a| crate::aggregate::expected_years(site, a, &years).contains(&year))
        .count();
    let flagged: BTreeSet<&str> = flags.iter().map(|f| f.agency.slug.as_str()).collect();
    let per_kind = Kind::ALL
        .into_iter()
        .map(|kind| {
            let agencies: BTreeSet<&str> = flags
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| f.agency.slug.as_str())
                .collect();
            (kind, agencies.len())
        })
        .collect();
    Review {
        year,
        summary: YearSummary {
            year,
            agencies,
            flagged: flagged.len(),
            per_kind,
            flags: flags.len(),
        },
        flags,
    }
}

/// Loads and checks the site, then writes the review into `options.output`.
/// Content with errors is refused, as by `build`.
pub fn audit(root: &Path, options: &AuditOptions) -> Result<(Loaded, AuditSummary)> {
    let loaded = load(root);
    if loaded.diagnostics.has_errors() || loaded.site.is_none() {
        return Err(Error::Invalid(Box::new(loaded)));
    }
    let site = loaded.site.as_ref().expect("checked just above");
    let summary = write(site, &loaded.diagnostics, options)?;
    Ok((loaded, summary))
}

/// Writes the review of a loaded site.
pub fn write(
    site: &Site,
    diagnostics: &Diagnostics,
    options: &AuditOptions,
) -> Result<AuditSummary> {
    let all_years = site_years(site);
    let years: Vec<i32> = match options.year {
        Some(y) if all_years.contains(&y) => vec![y],
        Some(y) => {
            return Err(Error::NoReports {
                year: y,
                years: all_years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        None => all_years.iter().copied().collect(),
    };
    let output = &options
        .output
        .clone()
        .unwrap_or_else(|| site.root.join("audit"));
    output::check_target(&site.root, output)?;
    let public = site.root.join(&site.config.output_dir);
    let (out_abs, public_abs) = (output::absolute(output)?, output::absolute(&public)?);
    if out_abs.starts_with(&public_abs) {
        return Err(Error::UnsafeOutput {
            path: output.clone(),
            why: "it is inside the public site's folder; the review is kept out of it".to_string(),
        });
    }
    let _lock = BuildLock::acquire(output)?;
    let theme = Theme::load(&site.root, &site.config.theme, false)?;
    let indicators = Indicators::compute(site);
    let links = view::Links::new(site, &out_abs, &public_abs);
    let staging = Staging::new(output)?;
    let mut files = 0;
    let mut summaries = Vec::new();
    let mut all_flags = Vec::new();
    for year in &years {
        let review = review(site, diagnostics, *year);
        let dir = PathBuf::from(year.to_string());
        let page = view::year_page(site, &indicators, &review, &links, &years)?;
        staging.write(
            &dir.join("index.html"),
            theme.render("audit.html", &page)?.as_bytes(),
        )?;
        staging.write(&dir.join("flags.csv"), flags_csv(&review.flags).as_bytes())?;
        staging.write(
            &dir.join("indicators.csv"),
            indicators_csv(site, &indicators, Some(*year)).as_bytes(),
        )?;
        staging.write(
            &dir.join("peers.csv"),
            peers_csv(&indicators, Some(*year)).as_bytes(),
        )?;
        files += 4;
        summaries.push(review.summary);
        all_flags.extend(review.flags);
    }
    let index = view::index_page(site, &summaries)?;
    staging.write(
        Path::new("index.html"),
        theme.render("audit_index.html", &index)?.as_bytes(),
    )?;
    staging.write(Path::new("flags.csv"), flags_csv(&all_flags).as_bytes())?;
    files += 2;
    staging.commit(&crate::output::Commit::default())?;
    Ok(AuditSummary {
        output: output.clone(),
        years: summaries,
        files,
    })
}
