//! The review pages' view models: every figure made here, the templates
//! (`audit.html`, `audit_index.html`) only lay them out.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use serde::Serialize;

use super::{Review, YearSummary};
use crate::error::Result;
use crate::indicators::flags::Flag;
use crate::indicators::{FormulaView, Indicators, Key, formulas};
use crate::model::Site;

/// Where the review's links to the public pages lead: the site's
/// `base_url` when set, else the built site's folder on disk, relative to
/// a year's review page (so the review opens from disk beside `public/`).
pub struct Links {
    prefix: String,
}

impl Links {
    pub fn new(site: &Site, out_abs: &Path, public_abs: &Path) -> Links {
        let prefix = match &site.config.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => relative(&out_abs.join("year"), public_abs),
        };
        Links { prefix }
    }

    pub fn report(&self, year: i32, slug: &str) -> String {
        format!("{}/{year}/{slug}/index.html", self.prefix)
    }

    pub fn agency(&self, slug: &str) -> String {
        format!("{}/agencies/{slug}/index.html", self.prefix)
    }
}

/// The path from folder `from` to `to`, with `/`.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct KindRow {
    key: &'static str,
    name: &'static str,
    rule: &'static str,
    agencies: usize,
}

#[derive(Serialize)]
struct FlagView {
    key: &'static str,
    name: &'static str,
    detail: String,
    evidence: Vec<String>,
}

#[derive(Serialize)]
struct AgencyFlags {
    place: usize,
    name: String,
    category: String,
    count: usize,
    link: String,
    link_text: &'static str,
    flags: Vec<FlagView>,
}

#[derive(Serialize)]
struct KeyView {
    key: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct CellView {
    text: String,
    place: Option<String>,
}

#[derive(Serialize)]
struct RowView {
    name: String,
    link: String,
    cells: Vec<CellView>,
}

#[derive(Serialize)]
struct QuartileRow {
    label: &'static str,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct CategoryView {
    key: String,
    name: String,
    reports: usize,
    rows: Vec<RowView>,
    quartiles: Vec<QuartileRow>,
}

#[derive(Serialize)]
struct YearPage {
    year: i32,
    agencies: usize,
    flagged: usize,
    unflagged: usize,
    flags: usize,
    kinds: Vec<KindRow>,
    ranked: Vec<AgencyFlags>,
    keys: Vec<KeyView>,
    categories: Vec<CategoryView>,
    formulas: Vec<FormulaView>,
    years: Vec<i32>,
    public: String,
}

fn context(
    site: &Site,
    page_title: String,
    name: &'static str,
    value: &impl Serialize,
) -> Result<tera::Context> {
    let mut ctx = tera::Context::new();
    ctx.insert(
        "site",
        &SiteView {
            title: &site.config.title,
            language: &site.config.language,
        },
    );
    ctx.insert("page_title", &page_title);
    ctx.insert(name, value);
    Ok(ctx)
}

/// Agencies with flags, most flags first (then in the order of categories
/// in `site.toml`, then by slug).
fn ranked<'a>(site: &Site, flags: &'a [Flag<'a>]) -> Vec<Vec<&'a Flag<'a>>> {
    let mut by_agency: BTreeMap<&str, Vec<&Flag>> = BTreeMap::new();
    for f in flags {
        by_agency.entry(f.agency.slug.as_str()).or_default().push(f);
    }
    let order = |category: &str| {
        site.config
            .categories
            .iter()
            .position(|c| c.key == category)
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<Vec<&Flag>> = by_agency.into_values().collect();
    out.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then_with(|| order(&a[0].agency.category).cmp(&order(&b[0].agency.category)))
            .then_with(|| a[0].agency.slug.cmp(&b[0].agency.slug))
    });
    out
}

fn category_name(site: &Site, key: &str) -> String {
    site.config
        .category(key)
        .map_or_else(|| key.to_string(), |c| c.name.clone())
}

pub(super) fn year_page(
    site: &Site,
    indicators: &Indicators,
    review: &Review,
    links: &Links,
    years: &[i32],
) -> Result<tera::Context> {
    let year = review.year;
    let ranked: Vec<AgencyFlags> = ranked(site, &review.flags)
        .into_iter()
        .enumerate()
        .map(|(i, flags)| {
            let agency = flags[0].agency;
            let has_report = flags[0].report.is_some();
            AgencyFlags {
                place: i + 1,
                name: agency.name.clone(),
                category: category_name(site, &agency.category),
                count: flags.len(),
                link: if has_report {
                    links.report(year, &agency.slug)
                } else {
                    links.agency(&agency.slug)
                },
                link_text: if has_report {
                    "报告页面"
                } else {
                    "机构页面"
                },
                flags: flags
                    .iter()
                    .map(|f| FlagView {
                        key: f.kind.as_str(),
                        name: f.kind.name(),
                        detail: f.detail.clone(),
                        evidence: f.evidence.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let categories = site
        .config
        .categories
        .iter()
        .filter_map(|c| {
            let group = indicators.group(year, &c.key)?;
            let rows = indicators
                .rows
                .iter()
                .filter(|e| e.report.year == year && e.category == c.key)
                .map(|e| RowView {
                    name: site.agencies[&e.report.agency].name.clone(),
                    link: links.report(year, &e.report.agency),
                    cells: Key::ALL
                        .into_iter()
                        .zip(*e.values)
                        .map(|(key, v)| CellView {
                            text: v.page(key),
                            place: v.ratio().and_then(|r| group.place_text(key, r)),
                        })
                        .collect(),
                })
                .collect();
            let quartile = |label,
                            pick: fn(
                &crate::indicators::peers::Quartiles,
            ) -> crate::indicators::Ratio| QuartileRow {
                label,
                cells: Key::ALL
                    .into_iter()
                    .map(|key| match group.stat(key) {
                        Some(s) => {
                            let r = pick(&s.quartiles);
                            if key.is_change() {
                                r.signed_percent()
                            } else {
                                r.percent()
                            }
                        }
                        None => "—".to_string(),
                    })
                    .collect(),
            };
            Some(CategoryView {
                key: c.key.clone(),
                name: c.name.clone(),
                reports: group.reports,
                rows,
                quartiles: vec![
                    quartile("P25", |q| q.p25),
                    quartile("P50（中位数）", |q| q.p50),
                    quartile("P75", |q| q.p75),
                ],
            })
        })
        .collect();
    let s = &review.summary;
    let page = YearPage {
        year,
        agencies: s.agencies,
        flagged: s.flagged,
        unflagged: s.agencies.saturating_sub(s.flagged),
        flags: s.flags,
        kinds: s
            .per_kind
            .iter()
            .map(|(k, n)| KindRow {
                key: k.as_str(),
                name: k.name(),
                rule: k.rule(),
                agencies: *n,
            })
            .collect(),
        ranked,
        keys: Key::ALL
            .into_iter()
            .map(|k| KeyView {
                key: k.as_str(),
                name: k.name(),
            })
            .collect(),
        categories,
        formulas: formulas(),
        years: years.to_vec(),
        public: links.prefix.clone(),
    };
    context(
        site,
        format!("{year}年度政府信息公开工作年度报告审阅"),
        "review",
        &page,
    )
}

#[derive(Serialize)]
struct IndexYear {
    year: i32,
    agencies: usize,
    flagged: usize,
    flags: usize,
}

pub(super) fn index_page(site: &Site, years: &[YearSummary]) -> Result<tera::Context> {
    let rows: Vec<IndexYear> = years
        .iter()
        .map(|y| IndexYear {
            year: y.year,
            agencies: y.agencies,
            flagged: y.flagged,
            flags: y.flags,
        })
        .collect();
    context(
        site,
        "政府信息公开工作年度报告审阅".to_string(),
        "years",
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(
            relative(Path::new("/w/audit/year"), Path::new("/w/site/public")),
            "../../site/public"
        );
        assert_eq!(
            relative(Path::new("/w/audit/year"), Path::new("/w/audit/year")),
            "."
        );
    }
}
