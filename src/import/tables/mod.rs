//! Reading the tables of sections 二、三、四 from a report's text, in the
//! shapes extraction leaves them: one row per line (wrapped rows too),
//! column by column (pdftotext), pipe tables with rows out of place,
//! tab-separated cells with blanks, and cells glued together.
//!
//! The parts: [`shape`] (how the cells sit in the text), [`tokens`] (the
//! numbers of each line, notes and blanks), [`grid`] (三 and 四 from numbers
//! in reading order), [`active`] (二, row by row from its labels),
//! [`glued`] (cells printed with no separator).

mod active;
mod assemble;
mod glued;
mod grid;
mod shape;
mod tokens;

use std::collections::BTreeMap;
use std::ops::Range;

use active::read_active;
use glued::{read_requests_glued, read_reviews_glued};
use grid::read_grid;
use shape::columns_used;
pub use shape::{Shape, detect_shape};

use super::decide::Decide;
use super::text::{Compact, line_of};
use crate::model::Number;
use crate::model::layout::{Format, REVIEW_ROWS, RowDef, request_rows};

/// One cell as read: `None` when printed blank.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub value: Option<Number>,
    pub line: usize,
    /// Why the reading needed more than the printed digits (a rule, a
    /// note in the cell, an OCR letter, `--cell`).
    pub uncertain: Option<String>,
}

impl Cell {
    /// As written in the YAML: the number, or `null` for a printed blank.
    pub fn text(&self) -> String {
        self.value
            .map_or_else(|| "null".to_string(), |v| v.to_string())
    }
}

/// A cell that could not be read: where, which, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// The three tables of one report.
#[derive(Clone, Debug)]
pub struct Tables {
    pub format: Format,
    pub single_other: bool,
    pub shape: Shape,
    pub active: Vec<Vec<Cell>>,
    pub requests: Vec<Vec<Cell>>,
    pub reviews: Vec<Vec<Cell>>,
    /// Where text that is not part of table 四 starts inside section 四
    /// (a lost heading: that text is prose).
    pub after_reviews: Option<usize>,
}

impl Tables {
    /// Every row of the three tables with its definition, in printed order.
    pub fn rows(&self) -> impl Iterator<Item = (&'static RowDef, &Vec<Cell>)> {
        self.format
            .active_rows()
            .iter()
            .zip(&self.active)
            .chain(request_rows(self.single_other).iter().zip(&self.requests))
            .chain(REVIEW_ROWS.iter().zip(&self.reviews))
    }
}

/// Values given with `--cell KEY=VALUE`, by cell key.
pub type Given = BTreeMap<String, Number>;

/// A number token of the text.
#[derive(Clone, Debug)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) line: usize,
    /// The printed text (digits, or glued digits still to split).
    pub(super) raw: String,
    pub(super) value: Option<Number>,
    pub(super) uncertain: Option<String>,
    pub(super) note: Option<String>,
    /// The words printed on the same line.
    pub(super) words: String,
}

/// Section ranges (byte offsets in the text) of 二、三、四.
pub struct Ranges {
    pub active: Range<usize>,
    pub requests: Range<usize>,
    pub reviews: Range<usize>,
}

pub fn read(
    text: &str,
    ranges: &Ranges,
    given: &Given,
    decide: &Decide,
) -> Result<Tables, Vec<Problem>> {
    let mut problems = Vec::new();
    let format = detect_format(&text[ranges.active.clone()]).ok_or_else(|| {
        vec![Problem {
            line: line_of(text, ranges.active.start),
            message: "section 二 names neither the 2021 columns (本年制发件数, 本年处理决定数量, 本年收费金额) nor the 2019 ones (本年新制作数量, 上一年项目数量, 采购项目数量): the format cannot be told".to_string(),
        }]
    })?;
    let req_text = &text[ranges.requests.clone()];
    let compact = Compact::new(req_text);
    let three_rows = ["逾期不补正", "缴纳费用", "逾期未按收费通知"]
        .iter()
        .any(|k| compact.find(k, 0).is_some());
    let single_other = !three_rows;
    if format == Format::F2019 && three_rows {
        problems.push(Problem {
            line: line_of(text, ranges.requests.start),
            message: "section 三 prints （六）其他处理 as three rows, which the 2019 format does not have".to_string(),
        });
    }
    let shape = detect_shape(req_text);
    let active = read_active(
        text,
        ranges.active.clone(),
        format,
        given,
        decide,
        &mut problems,
    );
    let defs = request_rows(single_other);
    let requests = if shape == Shape::Glued {
        read_requests_glued(
            text,
            ranges.requests.clone(),
            defs,
            given,
            decide,
            &mut problems,
        )
    } else {
        read_grid(
            text,
            ranges.requests.clone(),
            defs,
            "三",
            given,
            decide,
            &mut problems,
        )
        .0
    };
    let (reviews, after_reviews) = if detect_shape(&text[ranges.reviews.clone()]) == Shape::Glued {
        (
            read_reviews_glued(text, ranges.reviews.clone(), given, decide, &mut problems),
            None,
        )
    } else {
        read_grid(
            text,
            ranges.reviews.clone(),
            REVIEW_ROWS,
            "四",
            given,
            decide,
            &mut problems,
        )
    };
    let shape = if shape == Shape::Rows && columns_used(req_text) {
        Shape::Columns
    } else {
        shape
    };
    if problems.is_empty() {
        Ok(Tables {
            format,
            single_other,
            shape,
            active,
            requests,
            reviews,
            after_reviews,
        })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

pub fn detect_format(section: &str) -> Option<Format> {
    let c = Compact::new(section);
    let has = |keys: &[&str]| keys.iter().any(|k| c.find(k, 0).is_some());
    let f2021 = has(&[
        "本年制发件数",
        "本年处理决定数量",
        "本年收费金额",
        "现行有效件数",
    ]);
    let f2019 = has(&[
        "本年新制作数量",
        "上一年项目数量",
        "采购项目数量",
        "对外公开总数量",
        "其他对外管理服务事项",
    ]);
    match (f2021, f2019) {
        (true, false) => Some(Format::F2021),
        (false, true) => Some(Format::F2019),
        _ => None,
    }
}
