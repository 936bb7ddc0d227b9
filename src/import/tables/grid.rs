//! Tables 三 and 四 from every number of the section in reading order:
//! blocks printed column by column turned back into rows, then the official
//! table's rows in their fixed order.

use std::ops::Range;

use super::assemble;
use super::shape::columns_used;
use super::tokens::{LineToks, tokenize};
use super::{Cell, Given, Problem, Shape, Tok, detect_shape};
use crate::import::decide::Decide;
use crate::import::text::{Compact, is_cjk, line_of};
use crate::model::layout::RowDef;

/// Numbers in reading order: blocks printed column by column (runs of
/// equal groups of lone numbers, `width` groups per block) are turned back
/// into rows.
pub(super) fn in_row_order(lines: Vec<LineToks>, width: usize) -> Result<Vec<Tok>, Problem> {
    let mut groups: Vec<Vec<Tok>> = Vec::new();
    let mut current: Vec<Tok> = Vec::new();
    let mut lone_group = false;
    for lt in lines {
        if lt.lone {
            current.extend(lt.toks);
            lone_group = true;
            continue;
        }
        if lone_group || !current.is_empty() {
            groups.push(std::mem::take(&mut current));
            lone_group = false;
        }
        // A line with several numbers (or none): each number is its own group.
        for t in lt.toks {
            groups.push(vec![t]);
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let k = groups[i].len();
        let run = groups[i..].iter().take_while(|g| g.len() == k).count();
        if k == 1 || (run == 1 && k.is_multiple_of(width)) {
            // Single numbers, or whole rows printed one cell per line.
            out.append(&mut groups[i]);
            i += 1;
            continue;
        }
        if run == 1 {
            return Err(Problem {
                line: groups[i][0].line,
                message: format!(
                    "{k} numbers printed one under another, neither whole rows of {width} nor one of {width} columns: the rows cannot be told apart"
                ),
            });
        }
        if run % width != 0 {
            return Err(Problem {
                line: groups[i][0].line,
                message: format!(
                    "{run} columns of {k} numbers printed one under another, but the table has {width} columns: the rows cannot be told apart"
                ),
            });
        }
        for block in groups[i..i + run].chunks_mut(width) {
            for r in 0..k {
                for col in block.iter() {
                    out.push(col[r].clone());
                }
            }
        }
        i += run;
    }
    Ok(out)
}

pub(super) fn cell(t: &Tok) -> Cell {
    Cell {
        value: t.value,
        line: t.line,
        uncertain: t.uncertain.clone(),
    }
}

/// 三 or 四 from every number of the section in reading order: the
/// official table's rows, in their fixed order, `width` cells each.
pub(super) fn read_grid(
    text: &str,
    range: Range<usize>,
    defs: &'static [RowDef],
    section: &str,
    given: &Given,
    decide: &Decide,
    problems: &mut Vec<Problem>,
) -> (Vec<Vec<Cell>>, Option<usize>) {
    let shape = detect_shape(&text[range.clone()]);
    let width = defs[0].width();
    let expected = defs.len() * width;
    // The table ends where prose starts (a lost heading before 五).
    let mut after = None;
    let mut stop = range.end;
    if section == "四" {
        let mut seen = 0;
        let mut offset = range.start;
        for line in text[range.clone()].split('\n') {
            let cjk = line.chars().filter(|&c| is_cjk(c)).count();
            let t = line.trim_start();
            let heading_like = t.starts_with('（') && t.chars().nth(2) == Some('）');
            if seen >= expected && cjk >= 6 && (heading_like || line.contains('。')) {
                after = Some(offset);
                stop = offset;
                break;
            }
            seen += tokenize(text, offset..offset + line.len(), shape)
                .iter()
                .map(|l| l.toks.len())
                .sum::<usize>();
            offset += line.len() + 1;
        }
    }
    let lines = tokenize(text, range.start..stop, shape);
    let uneven = if section == "三" {
        uneven_rows(&lines, defs, width)
    } else {
        Vec::new()
    };
    let toks = match in_row_order(lines, width) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return (Vec::new(), after);
        }
    };
    if toks.len() != expected && !uneven.is_empty() {
        problems.extend(uneven);
        return (Vec::new(), after);
    }
    if toks.len() != expected {
        let what = if section == "三" {
            format!(
                "{} rows × {width} cells = {expected}{}",
                defs.len(),
                if defs.len() == 23 {
                    " (（六）其他处理 printed as one row)"
                } else {
                    ""
                }
            )
        } else {
            format!("one row of {expected} cells")
        };
        problems.push(Problem {
            line: toks.first().map_or(line_of(text, range.start), |t| t.line),
            message: format!(
                "section {section}: {} cells read, but the table has {what}: a cell is missing, blank or extra, and where cannot be told",
                toks.len()
            ),
        });
        return (Vec::new(), after);
    }
    // A row printed on one line with its label must be the row the
    // table's order puts there: otherwise rows are missing or out of place.
    if section == "三" {
        let before = problems.len();
        for (r, chunk) in toks.chunks(width).enumerate() {
            let line = chunk[0].line;
            if chunk.iter().any(|t| t.line != line) || chunk[0].words.is_empty() {
                continue;
            }
            if let Some(named) = named_row(defs, &chunk[0].words)
                && named != r
            {
                problems.push(Problem {
                    line,
                    message: format!(
                        "section 三: the figures printed with the label {} fall, in the table's order, on the row {}: a row is missing or out of place",
                        defs[named].cite, defs[r].cite
                    ),
                });
            }
        }
        if problems.len() > before {
            return (Vec::new(), after);
        }
    }
    // An order the importer inferred is in doubt when the rules break.
    let inferred = shape == Shape::Pipes || columns_used(&text[range.clone()]);
    let toks = if inferred {
        match assemble::settle(
            text,
            defs,
            section,
            toks,
            if shape == Shape::Pipes {
                Shape::Pipes
            } else {
                Shape::Columns
            },
            given,
            decide,
        ) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                return (Vec::new(), after);
            }
        }
    } else {
        toks
    };
    let mut rows: Vec<Vec<Cell>> = toks
        .chunks(width)
        .map(|r| r.iter().map(cell).collect())
        .collect();
    apply_given(defs, &mut rows, given);
    (rows, after)
}

/// Rows printed with their label whose figures (with the lines that
/// continue them) are not one per cell: where a cell was lost or left blank.
pub(super) fn uneven_rows(lines: &[LineToks], defs: &[RowDef], width: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    for (k, lt) in lines.iter().enumerate() {
        let Some(first) = lt.toks.first() else {
            continue;
        };
        if first.words.is_empty() {
            continue;
        }
        let Some(r) = named_row(defs, &first.words) else {
            continue;
        };
        let continued: usize = lines[k + 1..]
            .iter()
            .take_while(|l| l.toks.first().is_some_and(|t| t.words.is_empty()))
            .map(|l| l.toks.len())
            .sum();
        let count = lt.toks.len() + continued;
        if count != width {
            out.push(Problem {
                line: first.line,
                message: format!(
                    "{}: {count} figure(s) printed for {width} cells: a cell left blank or lost in extraction, and which one cannot be told",
                    defs[r].cite
                ),
            });
        }
    }
    out
}

/// The row whose label the words end with (the longest such label).
pub(super) fn named_row(defs: &[RowDef], words: &str) -> Option<usize> {
    let words: String = Compact::new(words).chars.iter().collect();
    defs.iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let bare = d
                .label
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches('.');
            let bare: String = Compact::new(bare).chars.iter().collect();
            words.ends_with(&bare).then_some((bare.chars().count(), i))
        })
        .max()
        .map(|(_, i)| i)
}

pub(super) fn apply_given(defs: &[RowDef], rows: &mut [Vec<Cell>], given: &Given) {
    for (def, row) in defs.iter().zip(rows.iter_mut()) {
        for (i, c) in row.iter_mut().enumerate() {
            if let Some(v) = given.get(&def.cell_key(i))
                && c.value != Some(*v)
            {
                c.value = Some(*v);
                c.uncertain = Some(format!("given with --cell {}={v}", def.cell_key(i)));
            }
        }
    }
}
