//! The agency page (its years, statuses and trend) and the lists of
//! agencies by category (home and agencies pages).

use std::collections::BTreeSet;

use serde::Serialize;

use super::year::StatusRow;
use crate::aggregate::{self, KeyFigures};
use crate::render::charts;
use crate::render::context::SiteContext;

#[derive(Serialize)]
pub(crate) struct AgencyLink {
    pub(crate) slug: String,
    pub(crate) name: String,
}

#[derive(Serialize)]
pub(crate) struct CategoryAgencies {
    pub(crate) name: String,
    pub(crate) agencies: Vec<AgencyLink>,
}

#[derive(Serialize)]
pub(crate) struct AgencyView {
    pub(crate) name: String,
    pub(crate) category: String,
    pub(crate) years: Vec<StatusRow>,
    pub(crate) chart: Option<String>,
    pub(crate) search: SearchFacts,
}

/// What the search index reads from a report or agency page besides its
/// text (the `data-search-names` and `data-search-category` attributes):
/// the agency's full and short names, and its category's name.
#[derive(Serialize)]
pub(crate) struct SearchFacts {
    pub(crate) names: String,
    pub(crate) category: String,
}

impl<'a> SiteContext<'a> {
    /// Agencies by category, in the categories' order, then `order`, then slug.
    pub(crate) fn agencies_by_category(&self) -> Vec<(String, Vec<&'a crate::model::Agency>)> {
        self.site
            .config
            .categories
            .iter()
            .map(|c| {
                let mut list: Vec<_> = self
                    .site
                    .agencies
                    .values()
                    .filter(|a| a.category == c.key)
                    .collect();
                list.sort_by(|a, b| (a.order, &a.slug).cmp(&(b.order, &b.slug)));
                (c.name.clone(), list)
            })
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }

    pub(crate) fn categories(&self) -> Vec<CategoryAgencies> {
        self.agencies_by_category()
            .into_iter()
            .map(|(name, list)| CategoryAgencies {
                name,
                agencies: list
                    .into_iter()
                    .map(|a| AgencyLink {
                        slug: a.slug.clone(),
                        name: a.display_name().to_string(),
                    })
                    .collect(),
            })
            .collect()
    }

    pub(crate) fn search_facts(&self, slug: &str) -> SearchFacts {
        let agency = &self.site.agencies[slug];
        let mut names = agency.name.clone();
        if let Some(short) = agency.short_name.as_ref().filter(|s| **s != agency.name) {
            names.push(' ');
            names.push_str(short);
        }
        SearchFacts {
            names,
            category: self
                .site
                .config
                .category(&agency.category)
                .map_or(agency.category.clone(), |c| c.name.clone()),
        }
    }

    pub(crate) fn agency_view(&self, slug: &str) -> AgencyView {
        let agency = &self.site.agencies[slug];
        let mut years: BTreeSet<i32> = aggregate::expected_years(self.site, agency, &self.year_set)
            .into_iter()
            .collect();
        years.extend(
            self.site
                .reports_of(slug)
                .iter()
                .filter(|r| !r.draft)
                .map(|r| r.year),
        );
        let rows: Vec<StatusRow> = years
            .iter()
            .map(|&y| self.status_row(slug, y, "../../"))
            .collect();
        let with_figures: Vec<&StatusRow> = rows.iter().filter(|r| r.figures.is_some()).collect();
        let chart = (!with_figures.is_empty()).then(|| {
            let ys: Vec<i32> = with_figures.iter().map(|r| r.year).collect();
            let pick = |f: fn(&KeyFigures) -> crate::model::Number| {
                with_figures
                    .iter()
                    .map(|r| r.figures.as_ref().map(f).unwrap_or_default())
                    .collect()
            };
            charts::bars(
                &format!("{}历年政府信息公开申请", agency.name),
                &ys,
                &[
                    charts::Series {
                        name: "本年新收",
                        values: pick(|f| f.new),
                    },
                    charts::Series {
                        name: "办结",
                        values: pick(|f| f.closed),
                    },
                    charts::Series {
                        name: "结转下年",
                        values: pick(|f| f.carried_forward),
                    },
                ],
            )
        });
        AgencyView {
            name: agency.name.clone(),
            category: self
                .site
                .config
                .category(&agency.category)
                .map_or(agency.category.clone(), |c| c.name.clone()),
            years: rows,
            chart,
            search: self.search_facts(slug),
        }
    }
}
