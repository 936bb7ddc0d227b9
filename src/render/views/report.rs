//! The report page: the official report in its printed order and layout,
//! with the notices of an as-published report.

use serde::Serialize;

use crate::model::{ProseKind, Report, rules};
use crate::render::context::SiteContext;
use crate::render::tables;
use crate::render::views::agency::SearchFacts;

#[derive(Serialize)]
pub(crate) struct ProseView {
    pub(crate) numeral: &'static str,
    pub(crate) title: String,
    pub(crate) html: String,
}

#[derive(Serialize)]
pub(crate) struct ReportView {
    pub(crate) agency: String,
    pub(crate) agency_name: String,
    pub(crate) year: i32,
    pub(crate) title: String,
    pub(crate) index_number: Option<String>,
    pub(crate) published: Option<String>,
    pub(crate) notices: Vec<String>,
    pub(crate) preamble: String,
    pub(crate) before: Vec<ProseView>,
    pub(crate) after: Vec<ProseView>,
    pub(crate) active: tables::Table,
    pub(crate) requests: tables::Table,
    pub(crate) reviews: tables::Table,
    pub(crate) pdf: bool,
    pub(crate) other_years: Vec<i32>,
    pub(crate) search: SearchFacts,
}

impl SiteContext<'_> {
    pub(crate) fn report_view(&self, report: &Report) -> ReportView {
        let name = self.agency_name(&report.agency).to_string();
        let prose = |kinds: &[ProseKind]| -> Vec<ProseView> {
            kinds
                .iter()
                .map(|&kind| {
                    let section = report.prose.as_ref().and_then(|p| p.section(kind));
                    ProseView {
                        numeral: kind.numeral(),
                        title: section.map_or(kind.title().to_string(), |s| s.title.clone()),
                        html: section.map_or_else(
                            || "<p class=\"absent\">（本报告未载明）</p>".to_string(),
                            |s| self.markdown(&s.markdown),
                        ),
                    }
                })
                .collect()
        };
        let notices = if report.as_published {
            let mut found: Vec<String> = rules::arithmetic(report)
                .into_iter()
                .map(|f| format!("{}（{}）", f.message, f.rule))
                .collect();
            if let Some(prev) = self.site.report(&report.agency, report.year - 1) {
                found.extend(
                    rules::x1(report, prev)
                        .into_iter()
                        .map(|f| format!("{}（{}）", f.message, f.rule)),
                );
            }
            found
        } else {
            Vec::new()
        };
        let other_years = self
            .site
            .reports_of(&report.agency)
            .iter()
            .filter(|r| !r.draft && r.year != report.year)
            .map(|r| r.year)
            .collect();
        ReportView {
            agency: report.agency.clone(),
            agency_name: name.clone(),
            year: report.year,
            title: format!("{name}{}年政府信息公开工作年度报告", report.year),
            index_number: report.index_number.clone(),
            published: report.published.map(|d| d.to_string()),
            notices,
            preamble: report
                .prose
                .as_ref()
                .map(|p| self.markdown(&p.preamble))
                .unwrap_or_default(),
            before: prose(&[ProseKind::Overview]),
            after: prose(&[ProseKind::Problems, ProseKind::Other]),
            active: self.table(tables::active(
                &report.active,
                report.format,
                &format!("表一 主动公开政府信息情况（{}年格式）", report.format),
            )),
            requests: self.table(tables::requests(
                &report.requests,
                "表二 收到和处理政府信息公开申请情况",
            )),
            reviews: self.table(tables::reviews(
                &report.reviews,
                "表三 政府信息公开行政复议、行政诉讼情况",
            )),
            pdf: report.has_pdf,
            other_years,
            search: self.search_facts(&report.agency),
        }
    }
}
