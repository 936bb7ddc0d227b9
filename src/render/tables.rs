//! The official tables, laid out in Rust: every merged cell (rowspan,
//! colspan), header and caption decided here, and written out as compact
//! HTML here too. A report page carries about 200 cells; printing them in
//! Rust rather than through a template loop and then minifying the page is
//! most of what makes 10,000 reports render in about a second.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use serde::{Serialize, Serializer};

use super::hash::FastHash;

use crate::model::layout::{
    Format, REQUEST_COLUMNS, REQUESTS_NOTE, REVIEW_COLUMNS, Role, RowDef, Section, TOTAL_LABEL,
};
use crate::model::{Number, Row};

/// A table ready to print; templates receive it as its HTML
/// (`{{ report.requests | safe }}`).
#[derive(Clone, Debug)]
pub struct Table {
    pub id: String,
    /// The start of its labels' ids (`q` for table 三: `q12`), short
    /// because every number cell names several of them.
    pub short: String,
    pub caption: String,
    pub head: Vec<Vec<TCell>>,
    pub body: Vec<Vec<TCell>>,
    /// A line break after each row (unminified output).
    pub lines: bool,
    /// Its HTML less the numbers, shared by every table of its shape
    /// (see [`Table::shaped`]).
    pub skeleton: Option<Arc<Skeleton>>,
}

/// A table's HTML with its numbers left out: `parts[0]`, the first
/// number, `parts[1]`, … Every report of one format has tables of the
/// same shape (labels, spans, ids, `headers`), so their HTML is laid out
/// once a build and each report only prints its numbers into it: laying
/// out the grid and every cell's `headers` per page was a tenth of a
/// build's CPU time.
#[derive(Debug)]
pub struct Skeleton {
    parts: Vec<String>,
}

/// The skeletons laid out so far, by shape: one per build (owned by the
/// render context, shared by its threads).
#[derive(Debug, Default)]
pub struct Skeletons(Mutex<HashMap<Shape, Arc<Skeleton>, FastHash>>);

/// Everything of a table but its numbers. Labels and keys are compared by
/// address: they are the layout's `'static` strings, so equal addresses
/// mean equal text (different addresses only cost a second skeleton).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    id: String,
    short: String,
    caption: String,
    lines: bool,
    cells: Vec<[usize; 8]>,
}

impl Table {
    pub fn lines(mut self, on: bool) -> Self {
        self.lines = on;
        self
    }

    /// Several tables of one kind on a page (the district's and each
    /// category's) need ids of their own: `requests-street`.
    pub fn id_suffix(mut self, suffix: &str) -> Self {
        // A skeleton printed the ids it was made with.
        self.skeleton = None;
        self.id = format!("{}-{suffix}", self.id);
        self.short = format!("{}-{suffix}-", self.short);
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
    /// it on a phone), the caption, `th` with an id and `scope` for every
    /// label, and on every number cell `headers` naming all the labels it
    /// sits under (merged cells have no single row or column a screen reader
    /// could guess them from) and its cell key in `data-key`.
    pub fn html(&self) -> String {
        let Some(skeleton) = &self.skeleton else {
            return self.layout(None);
        };
        let mut out = String::with_capacity(
            skeleton.parts.iter().map(String::len).sum::<usize>() + 4 * skeleton.parts.len(),
        );
        let mut numbers = self
            .head
            .iter()
            .chain(&self.body)
            .flatten()
            .filter(|c| !c.header);
        out.push_str(&skeleton.parts[0]);
        for part in &skeleton.parts[1..] {
            match numbers.next() {
                Some(TCell {
                    number: Some(n), ..
                }) => {
                    let _ = write!(out, "{n}");
                }
                Some(c) => out.push_str(&escape(c.text)),
                None => {}
            }
            out.push_str(part);
        }
        out
    }

    /// This table with its skeleton, laid out now or taken from `cache`.
    pub fn shaped(mut self, cache: &Skeletons) -> Self {
        let shape = self.shape();
        let map = cache.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(skeleton) = map.get(&shape) {
            self.skeleton = Some(Arc::clone(skeleton));
            return self;
        }
        drop(map);
        let mut slots = Vec::new();
        let html = self.layout(Some(&mut slots));
        let mut parts = Vec::with_capacity(slots.len() + 1);
        let mut from = 0;
        for at in slots {
            parts.push(html[from..at].to_string());
            from = at;
        }
        parts.push(html[from..].to_string());
        let skeleton = Arc::new(Skeleton { parts });
        cache
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(shape, Arc::clone(&skeleton));
        self.skeleton = Some(skeleton);
        self
    }

    fn shape(&self) -> Shape {
        let cells = self
            .head
            .iter()
            .chain(&self.body)
            .flatten()
            .map(|c| {
                let (def, i) = c
                    .key
                    .map_or((0, 0), |(def, i)| (def as *const RowDef as usize, i));
                [
                    c.text.as_ptr() as usize,
                    c.text.len(),
                    c.rowspan,
                    c.colspan,
                    usize::from(c.header),
                    c.class.as_ptr() as usize ^ (c.class.len() << 48),
                    def,
                    i,
                ]
            })
            .collect();
        Shape {
            id: self.id.clone(),
            short: self.short.clone(),
            caption: self.caption.clone(),
            lines: self.lines,
            cells,
        }
    }

    /// Lays the table out and prints it; with `slots`, leaves its numbers
    /// out and records where each would be.
    fn layout(&self, mut slots: Option<&mut Vec<usize>>) -> String {
        let mut out = String::with_capacity(256 + 128 * self.body.len() * 8);
        let caption = escape(&self.caption);
        let _ = write!(
            out,
            "<div class=table-scroll role=region aria-label={} tabindex=0><table class=official id={}><caption>{caption}</caption>{}",
            attr(&self.caption),
            attr(&self.id),
            if self.lines { "\n" } else { "" },
        );
        let grid = Grid::new(self.head.iter().chain(&self.body), &self.short);
        let mut k = 0;
        if !self.head.is_empty() {
            out.push_str(self.eol("<thead>"));
            self.rows(&mut out, &self.head, &grid, &mut k, slots.as_deref_mut());
            out.push_str(self.eol("</thead>"));
        }
        out.push_str(self.eol("<tbody>"));
        self.rows(&mut out, &self.body, &grid, &mut k, slots);
        out.push_str("</tbody></table></div>");
        out
    }
}

impl Table {
    /// Rows of cells; `k` counts cells in document order, as `grid` does.
    fn rows(
        &self,
        out: &mut String,
        lines: &[Vec<TCell>],
        grid: &Grid,
        k: &mut usize,
        mut slots: Option<&mut Vec<usize>>,
    ) {
        let mut labels = Vec::new();
        for line in lines {
            out.push_str("<tr>");
            // A row of labels only labels columns (the header rows inside
            // 表一's body too); elsewhere a label heads its row.
            let scope = if line.iter().all(|c| c.header) {
                "col"
            } else {
                "row"
            };
            for c in line {
                cell(out, c, scope, *k, grid, &mut labels, slots.as_deref_mut());
                *k += 1;
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

/// Where each cell of a table sits once rowspans and colspans are laid out
/// (head rows first), and so which labels each number cell sits under.
struct Grid {
    /// The cell (in document order) covering each row and column.
    at: Vec<Vec<Option<usize>>>,
    cells: Vec<Placed>,
    /// Each label's id (empty for number cells).
    ids: Vec<String>,
}

struct Placed {
    row: usize,
    col: usize,
    cols: usize,
    header: bool,
}

impl Grid {
    fn new<'a>(lines: impl Iterator<Item = &'a Vec<TCell>>, short: &str) -> Grid {
        let mut at: Vec<Vec<Option<usize>>> = Vec::new();
        let mut cells = Vec::new();
        let mut ids = Vec::new();
        let mut labels = 0;
        for (row, line) in lines.enumerate() {
            let mut col = 0;
            for c in line {
                while at
                    .get(row)
                    .and_then(|r| r.get(col))
                    .is_some_and(Option::is_some)
                {
                    col += 1;
                }
                for r in row..row + c.rowspan.max(1) {
                    if at.len() <= r {
                        at.resize(r + 1, Vec::new());
                    }
                    let needed = col + c.colspan.max(1);
                    if at[r].len() < needed {
                        at[r].resize(needed, None);
                    }
                    for slot in &mut at[r][col..needed] {
                        *slot = Some(cells.len());
                    }
                }
                cells.push(Placed {
                    row,
                    col,
                    cols: c.colspan.max(1),
                    header: c.header,
                });
                ids.push(if c.header {
                    labels += 1;
                    format!("{short}{}", labels - 1)
                } else {
                    String::new()
                });
                col += c.colspan.max(1);
            }
        }
        Grid { at, cells, ids }
    }

    fn cell(&self, row: usize, col: usize) -> Option<usize> {
        self.at.get(row).and_then(|r| r.get(col)).copied().flatten()
    }

    /// The labels of cell `k`, outermost first: those to its left in its
    /// row (三、本年度办理结果, （三）不予公开, 1.属于国家秘密), then those
    /// above it in its columns up to the nearest row of numbers above them
    /// (申请人情况, 自然人).
    /// `out` is cleared first (one buffer serves every cell of a table).
    fn headers(&self, k: usize, out: &mut Vec<usize>) {
        out.clear();
        let p = &self.cells[k];
        for col in 0..p.col {
            if let Some(j) = self.cell(p.row, col)
                && self.cells[j].header
                && !out.contains(&j)
            {
                out.push(j);
            }
        }
        let left = out.len();
        let span = p.col..p.col + p.cols;
        for row in (0..p.row).rev() {
            let numbers = span
                .clone()
                .any(|col| self.cell(row, col).is_some_and(|j| !self.cells[j].header));
            if numbers && out.len() > left {
                break;
            }
            for col in span.clone() {
                if let Some(j) = self.cell(row, col)
                    && self.cells[j].header
                    && !out[left..].contains(&j)
                {
                    out.push(j);
                }
            }
        }
        out[left..].reverse();
    }
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.html())
    }
}

fn cell(
    out: &mut String,
    c: &TCell,
    scope: &str,
    k: usize,
    grid: &Grid,
    labels: &mut Vec<usize>,
    slots: Option<&mut Vec<usize>>,
) {
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
        let _ = write!(out, " id={} scope={scope}", grid.ids[k]);
    } else {
        out.push_str(" headers=\"");
        grid.headers(k, labels);
        for (i, &j) in labels.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&grid.ids[j]);
        }
        out.push_str("\" data-key=");
        if let Some((def, i)) = c.key {
            // Cell keys are `[a-z_.]`: no quotes needed.
            def.push_cell_key(i, out);
        }
    }
    out.push('>');
    match c.number {
        // A skeleton's number cell: the number is printed per report.
        _ if !c.header && slots.is_some() => {
            if let Some(slots) = slots {
                slots.push(out.len());
            }
        }
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
        short: format!("a{}-", format.as_str()),
        caption: caption.to_string(),
        head: Vec::new(),
        body,
        lines: false,
        skeleton: None,
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
        short: "q".into(),
        caption: caption.to_string(),
        head,
        body,
        lines: false,
        skeleton: None,
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
        short: "v".into(),
        caption: caption.to_string(),
        head,
        body,
        lines: false,
        skeleton: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Cell;

    /// A table printed into its shape's skeleton is byte for byte the table
    /// laid out on its own: every report of a generated site (both
    /// formats), one with blanks, in both line modes, the skeleton made by
    /// another report.
    #[test]
    fn a_skeleton_prints_exactly_the_table_laid_out() {
        let dir = tempfile::tempdir().unwrap();
        let options = crate::commands::generate::Options {
            agencies: 3,
            years: 6,
            last_year: 2024,
            seed: 7,
        };
        crate::commands::generate::generate(dir.path(), &options).unwrap();
        let loaded = crate::load::load(dir.path());
        let site = loaded.site.expect("the generated site loads");
        let cache = Skeletons::default();
        let mut reports: Vec<_> = site.reports.clone();
        // Blanks where the first report printed numbers.
        let mut blanked = reports[0].clone();
        let mut rows = blanked.requests.to_vec();
        for row in rows.iter_mut().step_by(3) {
            for cell in row.cells.iter_mut().step_by(2) {
                *cell = Cell::blank(cell.span);
            }
        }
        blanked.requests = rows.into();
        reports.push(blanked);
        let mut checked = 0;
        for lines in [false, true] {
            for report in reports.iter().rev() {
                let caption = format!("表一（{}年格式）", report.format);
                for table in [
                    active(&report.active, report.format, &caption),
                    requests(&report.requests, "表二"),
                    reviews(&report.reviews, "表三"),
                ] {
                    let table = table.lines(lines);
                    let direct = table.html();
                    let shaped = table.shaped(&cache);
                    assert!(shaped.skeleton.is_some());
                    assert_eq!(shaped.html(), direct);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2 * 3 * reports.len());
        let formats: std::collections::BTreeSet<_> = reports.iter().map(|r| r.format).collect();
        assert_eq!(formats.len(), 2, "both formats");
        // One skeleton per line mode and shape (表一 of each format, 表二
        // with （六） in one row or two, 表三), not one per report.
        let made = cache.0.lock().unwrap().len();
        assert_eq!(made, 2 * 5, "{made} skeletons");
    }
}
