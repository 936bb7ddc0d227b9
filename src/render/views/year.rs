//! The year page: every agency's status and key figures, the district's
//! and each category's aggregate tables.

use serde::Serialize;

use super::members::members_table;
use crate::aggregate::{self, KeyFigures};
use crate::error::{Error, Result};
use crate::model::{Agency, Report};
use crate::render::context::{SiteContext, area_sum};
use crate::render::tables;

#[derive(Serialize)]
pub(crate) struct StatusRow {
    pub(crate) name: String,
    pub(crate) href: Option<String>,
    pub(crate) year: i32,
    pub(crate) status: String,
    pub(crate) status_key: &'static str,
    pub(crate) figures: Option<KeyFigures>,
}

#[derive(Serialize)]
pub(crate) struct Group<T> {
    pub(crate) name: String,
    pub(crate) rows: Vec<T>,
}

/// One category's agencies on a year page, as a ready table: a district
/// has hundreds, and a table printed in Rust is what keeps the year page
/// (re-rendered by serve after every edit) fast.
#[derive(Serialize)]
pub(crate) struct StatusTable {
    pub(crate) name: String,
    pub(crate) table: String,
}

/// The agencies' status and key figures as compact HTML.
pub(crate) fn status_table(rows: &[StatusRow], lines: bool) -> String {
    use std::fmt::Write as _;
    let eol = if lines { "\n" } else { "" };
    let mut out = String::with_capacity(256 + rows.len() * 320);
    let _ = write!(
        out,
        "<div class=table-scroll tabindex=0><table class=list><thead><tr><th scope=col>机构</th><th scope=col>状态</th>{}</tr></thead><tbody>{eol}",
        FIGURES_HEAD
    );
    for row in rows {
        let _ = write!(out, "<tr class=status-{}><th scope=row>", row.status_key);
        let name = tables::escape(&row.name);
        match &row.href {
            Some(href) => {
                let _ = write!(out, "<a href={}>{name}</a>", tables::attr(href));
            }
            None => out.push_str(&name),
        }
        let _ = write!(out, "</th><td>{}</td>", tables::escape(&row.status));
        match &row.figures {
            Some(f) => {
                for n in [f.new, f.closed, f.carried_forward, f.reviews, f.litigation] {
                    let _ = write!(out, "<td class=num>{n}</td>");
                }
            }
            None => out.push_str("<td colspan=5></td>"),
        }
        out.push_str("</tr>");
        out.push_str(eol);
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The key figures' column heads (as `figures_head.html` prints them).
pub(crate) const FIGURES_HEAD: &str = "<th scope=col>本年新收</th><th scope=col>办结</th><th scope=col>结转下年</th><th scope=col>行政复议</th><th scope=col>行政诉讼</th>";

#[derive(Serialize)]
pub(crate) struct CategoryTables {
    pub(crate) name: String,
    pub(crate) reports: usize,
    pub(crate) requests: tables::Table,
    pub(crate) reviews: tables::Table,
}

#[derive(Serialize)]
pub(crate) struct YearView {
    pub(crate) year: i32,
    pub(crate) expected: usize,
    pub(crate) published: usize,
    pub(crate) late: usize,
    pub(crate) missing: usize,
    pub(crate) groups: Vec<StatusTable>,
    /// The members' table (a roll-up site), when any reports this year.
    pub(crate) members: Option<String>,
    pub(crate) active: Vec<tables::Table>,
    pub(crate) requests: tables::Table,
    pub(crate) reviews: tables::Table,
    pub(crate) categories: Vec<CategoryTables>,
}

/// An agency on a year's list: expected to publish that year or having
/// published, with its non-draft report and its status.
pub(crate) struct Due<'a> {
    pub(crate) agency: &'a Agency,
    pub(crate) report: Option<&'a Report>,
    pub(crate) status: aggregate::Status,
}

impl<'a> SiteContext<'a> {
    pub(crate) fn status_row(&self, slug: &str, year: i32, root: &str) -> StatusRow {
        let agency = &self.site.agencies[slug];
        let report = self.site.report(slug, year).filter(|r| !r.draft);
        self.row_of(
            &Due {
                agency,
                report,
                status: aggregate::status_of(self.site, agency, report),
            },
            year,
            root,
        )
    }

    pub(crate) fn row_of(&self, due: &Due, year: i32, root: &str) -> StatusRow {
        let slug = &due.agency.slug;
        StatusRow {
            name: due.agency.display_name().to_string(),
            href: due
                .report
                .map(|_| format!("{root}{year}/{slug}/index.html")),
            year,
            status: due.status.label(),
            status_key: due.status.key(),
            figures: due
                .report
                .map(|r| aggregate::key_figures(&r.requests, &r.reviews)),
        }
    }

    /// Each category's agencies due in `year` (the year page lists them
    /// all, the home page those missing or late): every agency's reports
    /// looked up once, nothing printed yet.
    pub(crate) fn year_due(&self, year: i32) -> Vec<(String, Vec<Due<'a>>)> {
        self.agencies_by_category()
            .into_iter()
            .map(|(name, list)| {
                let due = list
                    .into_iter()
                    .filter_map(|agency| {
                        let own = self.site.reports_of(&agency.slug);
                        let report = own.iter().find(|r| r.year == year && !r.draft);
                        (report.is_some()
                            || aggregate::is_expected(agency, own, year, &self.year_set))
                        .then(|| Due {
                            agency,
                            report,
                            status: aggregate::status_of(self.site, agency, report),
                        })
                    })
                    .collect();
                (name, due)
            })
            .filter(|(_, due): &(String, Vec<Due>)| !due.is_empty())
            .collect()
    }

    pub(crate) fn year_rows(&self, year: i32, root: &str) -> Vec<Group<StatusRow>> {
        self.year_due(year)
            .into_iter()
            .map(|(name, due)| Group {
                name,
                rows: due.iter().map(|d| self.row_of(d, year, root)).collect(),
            })
            .collect()
    }

    pub(crate) fn year_view(&self, year: i32) -> Result<YearView> {
        let groups = self.year_rows(year, "../");
        let all: Vec<&StatusRow> = groups.iter().flat_map(|g| &g.rows).collect();
        // Sums past 64 bits (9.2×10^12 in one cell) come only from figures
        // typed with extra digits by the dozen.
        let total = self.totals.get(&year).ok_or(Error::SumTooLarge(year))?;
        let mut categories = Vec::new();
        for c in &self.site.config.categories {
            let of = self.of_category(year, &c.key);
            if let Some(agg) = area_sum(self.site, self.sums, of, year, Some(&c.key))
                && agg.reports > 0
            {
                categories.push(CategoryTables {
                    name: c.name.clone(),
                    reports: agg.reports,
                    requests: self.table(
                        tables::requests(
                            &agg.requests,
                            &format!("{} · 收到和处理政府信息公开申请情况", c.name),
                        )
                        .id_suffix(&c.key),
                    ),
                    reviews: self.table(
                        tables::reviews(
                            &agg.reviews,
                            &format!("{} · 政府信息公开行政复议、行政诉讼情况", c.name),
                        )
                        .id_suffix(&c.key),
                    ),
                });
            }
        }
        let members = self.member_rows(year);
        let area = &self.site.config.area;
        let counts = self.member_counts(year, None);
        Ok(YearView {
            year,
            expected: all.len() + counts.expected,
            published: all.iter().filter(|r| r.status_key != "missing").count() + counts.published,
            late: all.iter().filter(|r| r.status_key == "late").count() + counts.late,
            missing: all.iter().filter(|r| r.status_key == "missing").count() + counts.missing,
            members: (!members.is_empty())
                .then(|| members_table(&members, year, !self.site.config.minify)),
            groups: groups
                .iter()
                .map(|g| StatusTable {
                    name: g.name.clone(),
                    table: status_table(&g.rows, !self.site.config.minify),
                })
                .collect(),
            active: total
                .active
                .iter()
                .map(|(format, n, rows)| {
                    self.table(tables::active(
                        rows,
                        *format,
                        &format!("{area}汇总 · 主动公开政府信息情况（{format}年格式，{n} 份报告）"),
                    ))
                })
                .collect(),
            requests: self.table(tables::requests(
                &total.requests,
                &format!("{area}汇总 · 收到和处理政府信息公开申请情况"),
            )),
            reviews: self.table(tables::reviews(
                &total.reviews,
                &format!("{area}汇总 · 政府信息公开行政复议、行政诉讼情况"),
            )),
            categories,
        })
    }
}
