//! The home page: the latest year's district totals, what is missing or
//! late, and the multi-year trend with its chart.

use serde::Serialize;

use super::year::StatusRow;
use crate::aggregate::{self, KeyFigures, Status};
use crate::render::charts;
use crate::render::context::SiteContext;

#[derive(Serialize)]
pub(crate) struct TrendRow {
    pub(crate) year: i32,
    pub(crate) reports: usize,
    pub(crate) figures: KeyFigures,
}

#[derive(Serialize)]
pub(crate) struct LatestView {
    pub(crate) year: i32,
    pub(crate) expected: usize,
    pub(crate) published: usize,
    pub(crate) figures: KeyFigures,
    pub(crate) absent: Vec<StatusRow>,
}

#[derive(Serialize)]
pub(crate) struct HomeView<'a> {
    pub(crate) latest: Option<LatestView>,
    pub(crate) trend: Vec<TrendRow>,
    pub(crate) chart: Option<String>,
    /// A roll-up site's members, linked to their own sites.
    pub(crate) members: Vec<super::members::MemberLink<'a>>,
}

impl SiteContext<'_> {
    pub(crate) fn trend(&self) -> Vec<TrendRow> {
        self.totals
            .iter()
            .map(|(year, agg)| TrendRow {
                year: *year,
                reports: agg.reports,
                figures: aggregate::key_figures(&agg.requests, &agg.reviews),
            })
            .collect()
    }

    pub(crate) fn home_view(&self) -> HomeView<'_> {
        let trend = self.trend();
        let latest = self.year_set.iter().max().map(|&year| {
            let due: Vec<_> = self.year_due(year).into_iter().flat_map(|g| g.1).collect();
            let counts = self.member_counts(year, None);
            let expected = due.len() + counts.expected;
            let missing = |d: &&super::year::Due| matches!(d.status, Status::Missing);
            let published = due.iter().filter(|d| !missing(d)).count() + counts.published;
            // Only the agencies listed are printed (a district has hundreds).
            let mut rows: Vec<StatusRow> = due
                .iter()
                .filter(|d| matches!(d.status, Status::Missing | Status::Late { .. }))
                .map(|d| self.row_of(d, year, ""))
                .collect();
            // A member with a missing or late report is listed by name
            // with its counts.
            for m in self.member_rows(year) {
                let c = m.counts;
                if c.missing == 0 && c.late == 0 {
                    continue;
                }
                let mut status = Vec::new();
                if c.missing > 0 {
                    status.push(format!("未公开 {} 份", c.missing));
                }
                if c.late > 0 {
                    status.push(format!("逾期公开 {} 份", c.late));
                }
                rows.push(StatusRow {
                    name: m.name.to_string(),
                    href: m.href,
                    year,
                    status: status.join("，"),
                    status_key: if c.missing > 0 { "missing" } else { "late" },
                    figures: Some(m.figures),
                });
            }
            LatestView {
                year,
                expected,
                published,
                figures: self
                    .totals
                    .get(&year)
                    .map(|t| aggregate::key_figures(&t.requests, &t.reviews))
                    .unwrap_or_default(),
                absent: rows
                    .into_iter()
                    .filter(|r| matches!(r.status_key, "missing" | "late"))
                    .collect(),
            }
        });
        let chart = (!trend.is_empty()).then(|| {
            let years: Vec<i32> = trend.iter().map(|t| t.year).collect();
            charts::bars(
                &format!("{}历年政府信息公开申请", self.site.config.area),
                &years,
                &[
                    charts::Series {
                        name: "本年新收",
                        values: trend.iter().map(|t| t.figures.new).collect(),
                    },
                    charts::Series {
                        name: "办结",
                        values: trend.iter().map(|t| t.figures.closed).collect(),
                    },
                    charts::Series {
                        name: "结转下年",
                        values: trend.iter().map(|t| t.figures.carried_forward).collect(),
                    },
                ],
            )
        });
        HomeView {
            latest,
            trend,
            chart,
            members: self.member_links(),
        }
    }
}
