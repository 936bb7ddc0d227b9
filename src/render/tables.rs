//! The official tables, laid out in Rust: every merged cell (rowspan,
//! colspan), header and caption decided here, and written out as compact
//! HTML here too. A report page carries about 200 cells; printing them in
//! Rust rather than through a template loop and then minifying the page is
//! most of what makes 10,000 reports render in about a second.

use std::fmt::Write;

use serde::{Serialize, Serializer};

use crate::model::layout::{
    Format, REQUEST_COLUMNS, REQUESTS_NOTE, REVIEW_COLUMNS, Role, RowDef, Section, TOTAL_LABEL,
};
use crate::model::{Number, Row};

/// A table ready to print; templates receive it as its HTML
/// (`{{ report.requests | safe }}`).
#[derive(Clone, Debug)]
pub struct Table {
    pub id: String,
    pub caption: String,
    pub head: Vec<Vec<TCell>>,
    pub body: Vec<Vec<TCell>>,
    /// A line break after each row (unminified output).
    pub lines: bool,
}

impl Table {
    pub fn lines(mut self, on: bool) -> Self {
        self.lines = on;
        self
    }

    /// Several tables of one kind on a page (the district's and each
    /// category's) need ids of their own: `requests-street`.
    pub fn id_suffix(mut self, suffix: &str) -> Self {
        self.id = format!("{}-{suffix}", self.id);
        self
    }
}

#[derive(Clone, Debug)]
pub struct TCell {
    /// A label's text (number cells print `number`).
    pub text: &'static str,
    /// A number cell's value; `None` for a printed blank.
    pub number: Option<Number>,
    pub rowspan: usize,
    pub colspan: usize,
    /// `th` rather than `td`.
    pub header: bool,
    /// CSS class: `num`, `label`, `group`, `note`.
    pub class: &'static str,
    /// The row and column of a number cell, whose key
    /// (`requests.total.natural_person`) is printed in `data-key`.
    pub key: Option<(&'static RowDef, usize)>,
}

impl Table {
    /// The table as minified HTML: a scroll box (wide tables scroll inside
    /// it on a phone), the caption, `th` with `scope` for every label, and
    /// each number's cell key in `data-key`.
    pub fn html(&self) -> String {
        let mut out = String::with_capacity(256 + 64 * self.body.len() * 8);
        let caption = escape(&self.caption);
        let _ = write!(
            out,
            "<div class=table-scroll role=region aria-label={} tabindex=0><table class=official id={}><caption>{caption}</caption>{}",
            attr(&self.caption),
            attr(&self.id),
            if self.lines { "\n" } else { "" },
        );
        if !self.head.is_empty() {
            out.push_str(self.eol("<thead>"));
            self.rows(&mut out, &self.head, "col");
            out.push_str(self.eol("</thead>"));
        }
        out.push_str(self.eol("<tbody>"));
        self.rows(&mut out, &self.body, "row");
        out.push_str("</tbody></table></div>");
        out
    }
}

impl Table {
    /// Rows whose header cells label columns (`thead`) or rows (`tbody`).
    fn rows(&self, out: &mut String, lines: &[Vec<TCell>], scope: &str) {
        for line in lines {
            out.push_str("<tr>");
            for c in line {
                cell(out, c, scope);
            }
            out.push_str(self.eol("</tr>"));
        }
    }

    fn eol(&self, tag: &'static str) -> &'static str {
        match (self.lines, tag) {
            (false, _) => tag,
            (true, "</tr>") => "</tr>\n",
            (true, "</thead>") => "</thead>\n",
            (true, "<tbody>") => "<tbody>\n",
            (true, "<thead>") => "<thead>\n",
            (true, other) => other,
        }
    }
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.html())
    }
}

fn cell(out: &mut String, c: &TCell, scope: &str) {
    let tag = if c.header { "th" } else { "td" };
    out.push('<');
    out.push_str(tag);
    if c.rowspan > 1 {
        let _ = write!(out, " rowspan={}", c.rowspan);
    }
    if c.colspan > 1 {
        let _ = write!(out, " colspan={}", c.colspan);
    }
    let _ = write!(out, " class={}", c.class);
    if c.header {
        let _ = write!(out, " scope={scope}");
    } else {
        out.push_str(" data-key=");
        if let Some((def, i)) = c.key {
            // Cell keys are `[a-z_.]`: no quotes needed.
            def.push_cell_key(i, out);
        }
    }
    out.push('>');
    match c.number {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str(&escape(c.text)),
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// Text for HTML content.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return text.into();
    }
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .into()
}

/// An attribute value, quoted only when it has to be.
pub(crate) fn attr(value: &str) -> String {
    let bare = !value.is_empty()
        && !value.chars().any(|c| {
            c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '=' | '<' | '>' | '`' | '&')
        });
    if bare {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('&', "&amp;").replace('"', "&quot;"))
    }
}

fn th(text: &'static str, rowspan: usize, colspan: usize, class: &'static str) -> TCell {
    TCell {
        text,
        number: None,
        rowspan,
        colspan,
        header: true,
        class,
        key: None,
    }
}

fn number_cells(row: &Row) -> Vec<TCell> {
    (0..row.def.width())
        .map(|i| TCell {
            text: "",
            number: match row.cell(i) {
                Some(cell) => cell.value(),
                None => Some(row.value(i)),
            },
            rowspan: 1,
            colspan: 1,
            header: false,
            class: "num",
            key: Some((row.def, i)),
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
        lines: false,
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
        lines: false,
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
        lines: false,
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
