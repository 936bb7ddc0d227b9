//! The official tables, laid out in Rust: every merged cell (rowspan,
//! colspan), header and caption decided here, so templates only loop.

use serde::Serialize;

use crate::model::Row;
use crate::model::layout::{
    Format, REQUEST_COLUMNS, REQUESTS_NOTE, REVIEW_COLUMNS, Role, Section, TOTAL_LABEL,
};

/// A table ready to print.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    pub id: String,
    pub caption: String,
    pub head: Vec<Vec<TCell>>,
    pub body: Vec<Vec<TCell>>,
}

impl Table {
    /// Several tables of one kind on a page (the district's and each
    /// category's) need ids of their own: `requests-street`.
    pub fn id_suffix(mut self, suffix: &str) -> Self {
        self.id = format!("{}-{suffix}", self.id);
        self
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TCell {
    pub text: String,
    pub rowspan: usize,
    pub colspan: usize,
    /// `th` rather than `td`.
    pub header: bool,
    /// CSS class: `num`, `label`, `group`, `note`.
    pub class: &'static str,
    /// The cell key, for number cells (`requests.total.natural_person`).
    pub key: String,
}

fn th(text: &str, rowspan: usize, colspan: usize, class: &'static str) -> TCell {
    TCell {
        text: text.to_string(),
        rowspan,
        colspan,
        header: true,
        class,
        key: String::new(),
    }
}

fn number_cells(row: &Row) -> Vec<TCell> {
    (0..row.def.width())
        .map(|i| TCell {
            text: match row.cell(i) {
                Some(cell) => cell.value.map(|n| n.to_string()).unwrap_or_default(),
                None => row.value(i).to_string(),
            },
            rowspan: 1,
            colspan: 1,
            header: false,
            class: "num",
            key: row.def.cell_key(i),
        })
        .collect()
}

/// 二、主动公开政府信息情况, grouped by 第二十条 item as printed.
pub fn active(rows: &[Row], format: Format, caption: &str) -> Table {
    let width = 4;
    let mut body = Vec::new();
    let mut group = None;
    let mut columns: Option<&[crate::model::layout::Column]> = None;
    for row in rows {
        if row.def.group != group || Some(row.def.columns) != columns {
            if row.def.group != group {
                body.push(vec![th(
                    row.def.group.unwrap_or_default(),
                    1,
                    width,
                    "group",
                )]);
            }
            let mut head = vec![th("信息内容", 1, 1, "label")];
            let n = row.def.columns.len();
            for (i, col) in row.def.columns.iter().enumerate() {
                let span = if i + 1 == n { width - n } else { 1 };
                head.push(th(col.label, 1, span, "colhead"));
            }
            body.push(head);
            group = row.def.group;
            columns = Some(row.def.columns);
        }
        let mut line = vec![th(row.def.label, 1, 1, "label")];
        let mut cells = number_cells(row);
        let n = cells.len();
        if let Some(last) = cells.last_mut() {
            last.colspan = width - n;
        }
        line.extend(cells);
        body.push(line);
    }
    Table {
        id: format!("active-{}", format.as_str()),
        caption: caption.to_string(),
        head: Vec::new(),
        body,
    }
}

/// 三、收到和处理政府信息公开申请情况: the 3-level header and the merged
/// stub of 三、本年度办理结果 with its groups.
pub fn requests(rows: &[Row], caption: &str) -> Table {
    let head = vec![
        vec![
            th(REQUESTS_NOTE, 3, 3, "note"),
            th("申请人情况", 1, 7, "colhead"),
        ],
        vec![
            th(REQUEST_COLUMNS[0].label, 2, 1, "colhead"),
            th("法人或其他组织", 1, 5, "colhead"),
            th(TOTAL_LABEL, 2, 1, "colhead"),
        ],
        REQUEST_COLUMNS[1..]
            .iter()
            .map(|c| th(c.label, 1, 1, "colhead"))
            .collect(),
    ];
    let outcomes = rows
        .iter()
        .filter(|r| matches!(r.def.role, Role::Outcome | Role::Total))
        .count();
    let mut body = Vec::new();
    let mut first_outcome = true;
    let mut group: Option<&str> = None;
    for row in rows {
        let mut line = Vec::new();
        match row.def.role {
            Role::Outcome | Role::Total => {
                if first_outcome {
                    line.push(th("三、本年度办理结果", outcomes, 1, "group"));
                    first_outcome = false;
                }
                match row.def.group {
                    Some(g) => {
                        if group != Some(g) {
                            let size = rows.iter().filter(|r| r.def.group == Some(g)).count();
                            line.push(th(g, size, 1, "group"));
                            group = Some(g);
                        }
                        line.push(th(row.def.label, 1, 1, "label"));
                    }
                    None => {
                        group = None;
                        line.push(th(row.def.label, 1, 2, "label"));
                    }
                }
            }
            _ => line.push(th(row.def.label, 1, 3, "label")),
        }
        line.extend(number_cells(row));
        body.push(line);
    }
    Table {
        id: "requests".into(),
        caption: caption.to_string(),
        head,
        body,
    }
}

/// 四: one printed row of 15 cells under a three-level header.
pub fn reviews(rows: &[Row], caption: &str) -> Table {
    let cols = REVIEW_COLUMNS.len() + 1;
    let mut third: Vec<TCell> = Vec::new();
    for _ in rows {
        for c in REVIEW_COLUMNS {
            third.push(th(c.label, 1, 1, "colhead"));
        }
        third.push(th(TOTAL_LABEL, 1, 1, "colhead"));
    }
    let head = vec![
        vec![
            th(rows[0].def.label, 2, cols, "colhead"),
            th("行政诉讼", 1, cols * (rows.len() - 1), "colhead"),
        ],
        rows[1..]
            .iter()
            .map(|r| th(r.def.label, 1, cols, "colhead"))
            .collect(),
        third,
    ];
    let body = vec![rows.iter().flat_map(number_cells).collect()];
    Table {
        id: "reviews".into(),
        caption: caption.to_string(),
        head,
        body,
    }
}

/// The caption of each section as printed.
pub fn section_title(section: Section) -> &'static str {
    match section {
        Section::Active => "二、主动公开政府信息情况",
        Section::Requests => "三、收到和处理政府信息公开申请情况",
        Section::Reviews => "四、政府信息公开行政复议、行政诉讼情况",
    }
}
