//! A roll-up site's members on its pages: one row per member and year
//! (its reports published of expected, late, missing, its key figures and
//! a link to its own year page at its `base_url`), as a ready HTML table
//! and as `<year>/members.csv`.

use std::fmt::Write as _;

use serde::Serialize;

use super::year::FIGURES_HEAD;
use crate::aggregate::{self, KeyFigures};
use crate::model::member::Counts;
use crate::render::context::SiteContext;
use crate::render::tables;

/// A member's year.
pub(crate) struct MemberRow<'a> {
    pub(crate) key: &'a str,
    pub(crate) name: &'a str,
    /// Its year page (absolute: another site's).
    pub(crate) href: Option<String>,
    pub(crate) counts: Counts,
    pub(crate) figures: KeyFigures,
}

/// A member as the home page lists it.
#[derive(Serialize)]
pub(crate) struct MemberLink<'a> {
    pub(crate) name: &'a str,
    pub(crate) href: Option<&'a str>,
}

impl SiteContext<'_> {
    /// The members that report on `year`, in site.toml's order.
    pub(crate) fn member_rows(&self, year: i32) -> Vec<MemberRow<'_>> {
        self.site
            .members
            .iter()
            .filter_map(|m| {
                let y = m.years.get(&year)?;
                Some(MemberRow {
                    key: &m.key,
                    name: &m.name,
                    href: m.base_url.as_ref().map(|b| format!("{b}{year}/index.html")),
                    counts: y.all.counts,
                    figures: aggregate::key_figures(&y.all.sums.requests, &y.all.sums.reviews),
                })
            })
            .collect()
    }

    /// The members' counts of `year` added (of one category, or all).
    pub(crate) fn member_counts(&self, year: i32, category: Option<&str>) -> Counts {
        let mut counts = Counts::default();
        for part in crate::model::member::parts(&self.site.members, year, category) {
            counts.add(part.counts);
        }
        counts
    }

    pub(crate) fn member_links(&self) -> Vec<MemberLink<'_>> {
        self.site
            .members
            .iter()
            .map(|m| MemberLink {
                name: &m.name,
                href: m.base_url.as_deref(),
            })
            .collect()
    }

    /// `<year>/members.csv`: one row per member, its counts and key figures.
    pub(crate) fn members_csv(&self, year: i32) -> String {
        let mut out = String::from(
            "\u{feff}key,name,url,expected,published,late,missing,new,closed,carried_forward,reviews,litigation\r\n",
        );
        for r in self.member_rows(year) {
            let f = r.figures;
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
                r.key,
                crate::render::data::csv_field(r.name),
                crate::render::data::csv_field(r.href.as_deref().unwrap_or("")),
                r.counts.expected,
                r.counts.published,
                r.counts.late,
                r.counts.missing,
                f.new,
                f.closed,
                f.carried_forward,
                f.reviews,
                f.litigation
            );
        }
        out
    }
}

/// The members' rows as an HTML table (a header per column, the member
/// as the row header), printed in Rust as the agencies' tables are.
pub(crate) fn members_table(rows: &[MemberRow], year: i32, lines: bool) -> String {
    let eol = if lines { "\n" } else { "" };
    let mut out = String::with_capacity(256 + rows.len() * 400);
    let _ = write!(
        out,
        "<div class=table-scroll tabindex=0><table class=list><caption>{year}年度各下级单位的报告和汇总</caption><thead><tr><th scope=col>下级单位</th><th scope=col>已公开／应公开</th><th scope=col>逾期</th><th scope=col>未公开</th>{FIGURES_HEAD}</tr></thead><tbody>{eol}"
    );
    for row in rows {
        let c = row.counts;
        let class = if c.missing > 0 {
            "missing"
        } else if c.late > 0 {
            "late"
        } else {
            "on-time"
        };
        let _ = write!(out, "<tr class=status-{class}><th scope=row>");
        let name = tables::escape(row.name);
        match &row.href {
            Some(href) => {
                let _ = write!(out, "<a href={}>{name}</a>", tables::attr(href));
            }
            None => out.push_str(&name),
        }
        let _ = write!(
            out,
            "</th><td class=num>{}／{}</td><td class=num>{}</td><td class=num>{}</td>",
            c.published, c.expected, c.late, c.missing
        );
        let f = row.figures;
        for n in [f.new, f.closed, f.carried_forward, f.reviews, f.litigation] {
            let _ = write!(out, "<td class=num>{n}</td>");
        }
        out.push_str("</tr>");
        out.push_str(eol);
    }
    out.push_str("</tbody></table></div>");
    out
}
