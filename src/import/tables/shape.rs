//! How a table's cells sit in the text: one row per line, column by
//! column, pipe tables, tab-separated cells, or digits glued together.

use super::tokens::parse_field;
use crate::import::text::is_cjk;

/// How a table's cells sit in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One table row per line; long rows wrap.
    Rows,
    /// Column after column, labels after the numbers (pdftotext).
    Columns,
    /// Markdown pipe tables (PDF-to-Markdown), rows possibly out of place.
    Pipes,
    /// Tab-separated cells (a web page copied), blank cells empty.
    Tabs,
    /// Cells glued together with no separator (crawler text).
    Glued,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Rows => "one row per line",
            Shape::Columns => "column by column",
            Shape::Pipes => "pipe tables",
            Shape::Tabs => "tab-separated",
            Shape::Glued => "cells glued together",
        }
    }
}

pub fn detect_shape(section: &str) -> Shape {
    let lines: Vec<&str> = section.lines().collect();
    if lines
        .iter()
        .filter(|l| l.trim_start().starts_with('|') && l.matches('|').count() >= 3)
        .count()
        >= 2
    {
        return Shape::Pipes;
    }
    if lines
        .iter()
        .any(|l| l.contains('\t') && l.split('\t').any(|f| parse_field(f).is_some()))
    {
        return Shape::Tabs;
    }
    // A run of 3+ digits after a label (a space between them or not) and
    // straight before the next label: `数量 713000074二、上年结转`. A unit
    // after the digits (`2024年`, `17件`) is prose, not cells.
    let chars: Vec<char> = section.chars().collect();
    for i in 1..chars.len() {
        if chars[i].is_ascii_digit() && !chars[i - 1].is_ascii_digit() {
            let before = chars[..i].iter().rev().find(|c| **c != ' ');
            if !before.is_some_and(|&c| is_cjk(c)) {
                continue;
            }
            let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = chars.get(i + run).copied();
            let unit = after.is_some_and(|c| "年月日件条个项次万元".contains(c));
            if run >= 3 && !unit && after.is_none_or(|c| is_cjk(c) || c == '（' || c == '(') {
                return Shape::Glued;
            }
        }
    }
    Shape::Rows
}

/// True when the numbers stand one per line in blocks (pdftotext's
/// column-by-column order).
pub(super) fn columns_used(section: &str) -> bool {
    let mut lone = 0;
    let mut all = 0;
    for line in section.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let numbers = fields.iter().filter(|f| parse_field(f).is_some()).count();
        all += numbers;
        if numbers == 1 && fields.len() == 1 {
            lone += 1;
        }
    }
    all > 0 && lone * 10 >= all * 6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(detect_shape("数量801000081二、"), Shape::Glued);
        assert_eq!(detect_shape("a\t1\t\t2\n"), Shape::Tabs);
        assert_eq!(detect_shape("| a | 1 |\n| b | 2 |\n"), Shape::Pipes);
        assert_eq!(detect_shape("规章 0 0 0\n"), Shape::Rows);
        assert_eq!(detect_shape("数量 713000074二、"), Shape::Glued);
        assert_eq!(detect_shape("截至 2024 年底\n规章 0 0 0\n"), Shape::Rows);
        assert_eq!(detect_shape("行政许可 10690\n"), Shape::Rows);
    }
}
