//! Writing an imported report in the content format: `<year>.yaml` through
//! the one report writer ([`crate::model::write`]), every official row with
//! its label, blanks as `null`.

use super::Imported;
use super::tables::Cell;
use crate::model::write::ReportText;

/// `<year>.yaml` of an imported report.
pub fn report_yaml(r: &Imported, source: &str) -> String {
    let t = &r.tables;
    let texts = |rows: &[Vec<Cell>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|cells| cells.iter().map(Cell::text).collect())
            .collect()
    };
    ReportText {
        comments: vec![format!(
            "{} {}年政府信息公开工作年度报告（gongkai import: {source}）",
            r.name, r.year
        )],
        year: r.year,
        format: t.format,
        draft: false,
        published: r.published.map(|d| d.to_string()),
        index_number: r.index_number.clone(),
        as_published: r.as_published(),
        single_other: t.single_other,
        active: texts(&t.active),
        requests: texts(&t.requests),
        reviews: texts(&t.reviews),
    }
    .to_yaml()
}
