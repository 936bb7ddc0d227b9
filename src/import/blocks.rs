//! A report read from a web page or a Word file, before anything is
//! placed: its blocks in reading order, and each table as a grid with its
//! merged cells expanded (a cell spanning rows or columns fills every
//! slot it covers, all marked as one cell). `html.rs` and `docx.rs` fill
//! it; `document.rs` places its tables' cells.

/// A report's content in reading order.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// `发布日期：…` / `索引号：…` lines found outside the article (page
    /// metadata), put before the title so the text import reads them.
    pub meta: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Block {
    Paragraph(String),
    Table(Grid),
}

/// A table with its merged cells expanded: every slot holds the text of
/// the cell covering it and that cell's number (`origin`), so that a
/// merged cell is one cell however many slots it covers.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    pub rows: Vec<Vec<Slot>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub text: String,
    pub origin: usize,
}

/// A cell as the source gives it, before expansion.
#[derive(Clone, Debug)]
pub enum SourceCell {
    Cell {
        text: String,
        rowspan: usize,
        colspan: usize,
    },
    /// Word's `w:vMerge` continuation: the slot(s) of the cell above.
    ContinueAbove { colspan: usize },
}

/// Builds a [`Grid`] row by row, placing `rowspan`/`colspan` cells.
#[derive(Default)]
pub struct GridBuilder {
    rows: Vec<Vec<Option<Slot>>>,
    /// The row the next `push_row` fills (rows below may already hold
    /// the slots of cells spanning down).
    next_row: usize,
    next_origin: usize,
}

/// More slots than any report table needs: a `colspan="1000"` is bad input.
const MAX_SPAN: usize = 64;

impl GridBuilder {
    pub fn push_row(&mut self, cells: Vec<SourceCell>) {
        let r = self.next_row;
        self.next_row += 1;
        while self.rows.len() <= r {
            self.rows.push(Vec::new());
        }
        let mut c = 0;
        for cell in cells {
            while self.rows[r].get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            match cell {
                SourceCell::Cell {
                    text,
                    rowspan,
                    colspan,
                } => {
                    let origin = self.next_origin;
                    self.next_origin += 1;
                    let slot = Slot {
                        text: normalize_cell(&text),
                        origin,
                    };
                    for dr in 0..rowspan.clamp(1, MAX_SPAN) {
                        for dc in 0..colspan.clamp(1, MAX_SPAN) {
                            self.put(r + dr, c + dc, slot.clone());
                        }
                    }
                    c += colspan.clamp(1, MAX_SPAN);
                }
                SourceCell::ContinueAbove { colspan } => {
                    for dc in 0..colspan.clamp(1, MAX_SPAN) {
                        let above = r
                            .checked_sub(1)
                            .and_then(|a| self.rows[a].get(c + dc).cloned().flatten());
                        let slot = above.unwrap_or_else(|| {
                            let origin = self.next_origin;
                            self.next_origin += 1;
                            Slot {
                                text: String::new(),
                                origin,
                            }
                        });
                        self.put(r, c + dc, slot);
                    }
                    c += colspan.clamp(1, MAX_SPAN);
                }
            }
        }
    }

    fn put(&mut self, r: usize, c: usize, slot: Slot) {
        while self.rows.len() <= r {
            self.rows.push(Vec::new());
        }
        let row = &mut self.rows[r];
        if row.len() <= c {
            row.resize(c + 1, None);
        }
        if row[c].is_none() {
            row[c] = Some(slot);
        }
    }

    pub fn finish(mut self) -> Grid {
        let mut next = self.next_origin;
        let rows = std::mem::take(&mut self.rows)
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|s| {
                        s.unwrap_or_else(|| {
                            next += 1;
                            Slot {
                                text: String::new(),
                                origin: next,
                            }
                        })
                    })
                    .collect()
            })
            .filter(|row: &Vec<Slot>| !row.is_empty())
            .collect();
        Grid { rows }
    }
}

/// Whitespace (ASCII, no-break, ideographic) collapsed to one space, trimmed.
pub fn normalize_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
