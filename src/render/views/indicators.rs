//! Indicators on the public pages: a year's peer quartiles per category,
//! an agency's indicators over the years beside its category's median, and
//! the formulas page (`about/indicators/index.html`). Only when the site
//! has `indicators` on (the default).

use serde::Serialize;

use crate::indicators::peers::Group;
use crate::indicators::{Key, Ratio, Value};
use crate::render::context::SiteContext;

/// A share as `47.4%`, a change as `+12.5%`.
fn percent(key: Key, r: Ratio) -> String {
    Value::Rate(r).page(key)
}

#[derive(Serialize)]
pub(crate) struct QuartileRow {
    key: &'static str,
    name: &'static str,
    reports: usize,
    p25: String,
    p50: String,
    p75: String,
}

#[derive(Serialize)]
pub(crate) struct CategoryQuartiles {
    key: String,
    name: String,
    reports: usize,
    rows: Vec<QuartileRow>,
}

#[derive(Serialize)]
pub(crate) struct AgencyCell {
    value: String,
    median: Option<String>,
    place: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct AgencyRow {
    key: &'static str,
    name: &'static str,
    cells: Vec<AgencyCell>,
}

#[derive(Serialize)]
pub(crate) struct AgencyIndicators {
    years: Vec<i32>,
    rows: Vec<AgencyRow>,
}

#[derive(Serialize)]
pub(crate) struct FormulasView {
    formulas: Vec<crate::indicators::FormulaView>,
}

fn quartile_rows(group: &Group) -> Vec<QuartileRow> {
    Key::ALL
        .into_iter()
        .map(|key| match group.stat(key) {
            Some(s) => QuartileRow {
                key: key.as_str(),
                name: key.name(),
                reports: s.reports,
                p25: percent(key, s.quartiles.p25),
                p50: percent(key, s.quartiles.p50),
                p75: percent(key, s.quartiles.p75),
            },
            None => QuartileRow {
                key: key.as_str(),
                name: key.name(),
                reports: 0,
                p25: "—".to_string(),
                p50: "—".to_string(),
                p75: "—".to_string(),
            },
        })
        .collect()
}

impl SiteContext<'_> {
    /// The quartiles of each category with reports in `year`.
    pub(crate) fn year_indicators(&self, year: i32) -> Option<Vec<CategoryQuartiles>> {
        let indicators = self.indicators.as_ref()?;
        Some(
            self.site
                .config
                .categories
                .iter()
                .filter_map(|c| {
                    let group = indicators.group(year, &c.key)?;
                    Some(CategoryQuartiles {
                        key: c.key.clone(),
                        name: c.name.clone(),
                        reports: group.reports,
                        rows: quartile_rows(group),
                    })
                })
                .collect(),
        )
    }

    /// The agency's indicators in each year it has a report, with its
    /// category's median and its place that year.
    pub(crate) fn agency_indicators(&self, slug: &str) -> Option<AgencyIndicators> {
        let indicators = self.indicators.as_ref()?;
        // Rows are sorted by year first, so an agency's are too.
        let entries: Vec<_> = indicators.of_agency(slug).collect();
        if entries.is_empty() {
            return None;
        }
        let rows = Key::ALL
            .into_iter()
            .map(|key| AgencyRow {
                key: key.as_str(),
                name: key.name(),
                cells: entries
                    .iter()
                    .map(|e| {
                        let value = e.values[key as usize];
                        let stat = indicators
                            .group(e.report.year, e.category)
                            .and_then(|g| g.stat(key));
                        AgencyCell {
                            value: value.page(key),
                            median: stat.map(|s| percent(key, s.quartiles.p50)),
                            place: value
                                .ratio()
                                .zip(stat)
                                .map(|(r, s)| format!("第 {} / {}", s.place(r), s.reports)),
                        }
                    })
                    .collect(),
            })
            .collect();
        Some(AgencyIndicators {
            years: entries.iter().map(|e| e.report.year).collect(),
            rows,
        })
    }

    pub(crate) fn formulas_view(&self) -> FormulasView {
        FormulasView {
            formulas: crate::indicators::formulas(),
        }
    }
}
