//! Cells glued together with no separator (crawler text): the runs of
//! digits after each label, split by [`crate::import::split`] under the
//! rules, or refused naming the cell.

use std::ops::Range;

use super::tokens::blank_notes;
use super::{Cell, Given, Problem, Tok};
use crate::import::decide::Decide;
use crate::import::split::{self, Settled};
use crate::import::text::{Compact, is_page_number, line_of};
use crate::model::Number;
use crate::model::layout::{REVIEW_ROWS, RowDef};

pub(super) fn open_problem(def: &RowDef, run: &Tok, cands: &[Vec<Number>], n: usize) -> Problem {
    let col = (0..def.columns.len().max(1))
        .find(|&c| cands.iter().any(|v| v[c] != cands[0][c]))
        .unwrap_or(0);
    let show = |v: &Vec<Number>| {
        v.iter()
            .map(Number::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let examples: Vec<String> = cands.iter().take(2).map(show).collect();
    Problem {
        line: run.line,
        message: format!(
            "{}: the digits \"{}\" split {n} ways into {} and no rule decides ({} or …); read the original and give it with --cell {}=N",
            def.cite_cell(col),
            run.raw,
            def.columns
                .iter()
                .map(|c| c.label)
                .collect::<Vec<_>>()
                .join(", "),
            examples.join(", or "),
            def.cell_key(col)
        ),
    }
}

/// Runs of digits in glued text (a label's numeral such as the `2` of
/// `2.其他…` excepted), each still to be split.
pub(super) fn glued_runs(text: &str, range: Range<usize>, labels: &[Range<usize>]) -> Vec<Tok> {
    let section = &text[range.clone()];
    let (blanked, _) = blank_notes(section);
    let chars: Vec<(usize, char)> = blanked.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_ascii_digit() && !labels.iter().any(|l| l.contains(&at)) {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '.') {
                j += 1;
            }
            let mut raw: String = chars[i..j].iter().map(|(_, c)| *c).collect();
            // `…0000000` + `2.` + label: the last digit is the label's numeral.
            if raw.ends_with('.') {
                raw.pop();
                raw.pop();
            } else if chars.get(j).is_some_and(|(_, c)| *c == '、') {
                raw.pop();
            }
            if !raw.is_empty() && !is_page_number(&raw) {
                out.push(Tok {
                    start: range.start + at,
                    line: line_of(text, range.start + at),
                    raw,
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// Label keys of a row of 三: with its numeral first, then without, then
/// shorter pieces (for labels OCR garbled).
pub(super) fn request_keys(def: &RowDef) -> Vec<String> {
    let label = def.label;
    let mut keys = vec![label.to_string()];
    let bare = label
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches('.');
    if bare.len() != label.len() {
        keys.push(bare.to_string());
    }
    let short: String = bare.split('（').next().unwrap_or(bare).to_string();
    let short = if short.is_empty() {
        bare.to_string()
    } else {
        short
    };
    if let Some(cut) = label.find('（').filter(|&i| i > 0) {
        keys.push(label[..cut].to_string());
    }
    // Pieces of the label, for labels OCR garbled (「属于国家秘宓」). A piece
    // found too far ahead leaves two groups of digits in the row before it,
    // which is refused, so a piece never shifts rows silently.
    let chars: Vec<char> = short.chars().collect();
    if chars.len() >= 5 {
        let k = if chars.len() > 6 { 4 } else { 3 };
        keys.push(chars[..k].iter().collect());
        keys.push(chars[chars.len() - k..].iter().collect());
    }
    keys
}

pub(super) fn read_requests_glued(
    text: &str,
    range: Range<usize>,
    defs: &'static [RowDef],
    given: &Given,
    decide: &Decide,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let section = &text[range.clone()];
    let compact = Compact::new(section);
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for def in defs {
        let hit = request_keys(def)
            .iter()
            .find_map(|k| compact.find(k, from).map(|i| (i, i + Compact::width(k))));
        match hit {
            Some((s, e)) => {
                found.push((s, e));
                from = e;
            }
            None => {
                problems.push(Problem {
                    line: line_of(text, range.start + compact.offset(from)),
                    message: format!("{}: its label is not found in section 三", def.cite),
                });
                return Vec::new();
            }
        }
    }
    let mut candidates = Vec::new();
    let mut runs = Vec::new();
    let mut whys: Vec<Option<String>> = Vec::new();
    for (r, def) in defs.iter().enumerate() {
        let end = found.get(r + 1).map_or(compact.chars.len(), |f| f.0);
        let seg = compact.slice(found[r].1, end);
        let line = line_of(text, range.start + compact.offset(found[r].1));
        let mut digits: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in seg.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                cur.push(c);
            } else {
                if !cur.is_empty() {
                    if c == '.' {
                        // a numeral: `…0000000` `2.` of a label found without it
                        cur.pop();
                    }
                    if !cur.is_empty() {
                        digits.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                }
            }
        }
        let run = match digits.len() {
            1 => digits.remove(0),
            0 => {
                problems.push(Problem {
                    line,
                    message: format!("{}: no figures printed after the label", def.cite),
                });
                return Vec::new();
            }
            _ => {
                problems.push(Problem {
                    line,
                    message: format!(
                        "{}: several groups of digits ({}) after the label",
                        def.cite,
                        digits.join(", ")
                    ),
                });
                return Vec::new();
            }
        };
        let keep = |p: &[Number]| {
            p.iter()
                .enumerate()
                .all(|(i, v)| given.get(&def.cell_key(i)).is_none_or(|g| g == v))
        };
        let (all, _) = split::splits(&run, 7, &|_| false, &keep);
        let cands: Vec<Vec<Number>> = if all.len() > 1 {
            all.into_iter().filter(|c| split::r2_holds(c)).collect()
        } else {
            all
        };
        let (cands, why) = if cands.len() > 1 {
            decide.row(def, cands)
        } else {
            (cands, None)
        };
        whys.push(why.filter(|_| cands.len() == 1));
        if cands.is_empty() {
            problems.push(Problem {
                line,
                message: format!(
                    "{}: the digits \"{run}\" cannot be split into 7 cells whose 总计 is the sum of the other six (R2)",
                    def.cite
                ),
            });
            return Vec::new();
        }
        candidates.push(cands);
        runs.push((run, line));
    }
    let settled = split::settle(defs, candidates);
    let mut rows = Vec::new();
    for (((def, s), (run, line)), why) in defs.iter().zip(settled).zip(runs).zip(whys) {
        match s {
            Settled::Read { cells, by_rules } => rows.push(
                cells
                    .iter()
                    .map(|v| Cell {
                        value: Some(*v),
                        line,
                        uncertain: match (&why, by_rules) {
                            (Some(why), _) => Some(format!(
                                "\"{run}\" split more than one way; R2 and {why} leave one"
                            )),
                            (None, true) => Some(format!(
                                "\"{run}\" split more than one way; R1 and R3 leave one"
                            )),
                            (None, false) => None,
                        },
                    })
                    .collect(),
            ),
            Settled::Open(c) => {
                let n = c.len();
                let tok = Tok {
                    start: 0,
                    line,
                    raw: run,
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                };
                let mut p = open_problem(def, &tok, &c, n);
                p.message = p.message.replace("no rule decides", "R1–R6 do not decide");
                problems.push(p);
                rows.push(Vec::new());
            }
        }
    }
    rows
}

pub(super) fn read_reviews_glued(
    text: &str,
    range: Range<usize>,
    given: &Given,
    decide: &Decide,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let runs = glued_runs(text, range.clone(), &[]);
    let Some(first) = runs.first() else {
        problems.push(Problem {
            line: line_of(text, range.start),
            message: "section 四: no figures found".to_string(),
        });
        return Vec::new();
    };
    let line = first.line;
    let digits: String = runs.iter().map(|r| r.raw.as_str()).collect();
    let keys: Vec<String> = REVIEW_ROWS
        .iter()
        .flat_map(|d| (0..5).map(move |i| d.cell_key(i)))
        .collect();
    let keep = |p: &[Number]| {
        p.iter()
            .enumerate()
            .all(|(i, v)| given.get(&keys[i]).is_none_or(|g| g == v))
    };
    let (all, _) = split::splits(&digits, 15, &|_| false, &keep);
    let cands: Vec<Vec<Number>> = if all.len() > 1 {
        let (all, _) = split::splits(&digits, 15, &|_| false, &|p: &[Number]| {
            keep(p) && split::review_groups_hold(p)
        });
        all
    } else {
        all
    };
    let (cands, why) = if cands.len() > 1 {
        decide.narrow(cands, |e, v: &Vec<Number>| {
            crate::import::decide::eval(e, |key, c| {
                let r = REVIEW_ROWS.iter().position(|d| d.key == key)?;
                v.get(r * 5 + c).copied()
            })
        })
    } else {
        (cands, None)
    };
    match cands.len() {
        1 => {
            let rules = why.map_or("R4–R6".to_string(), |w| format!("R4–R6 and {w}"));
            let uncertain = (digits.len() > 15)
                .then(|| format!("\"{digits}\" split more than one way; {rules} leave one"));
            cands[0]
                .chunks(5)
                .map(|g| {
                    g.iter()
                        .map(|v| Cell {
                            value: Some(*v),
                            line,
                            uncertain: uncertain.clone(),
                        })
                        .collect()
                })
                .collect()
        }
        0 => {
            problems.push(Problem {
                line,
                message: format!(
                    "section 四: the digits \"{digits}\" cannot be split into 15 cells where each 总计 is the sum of its row (R4–R6)"
                ),
            });
            Vec::new()
        }
        n => {
            let col = (0..15)
                .find(|&c| cands.iter().any(|v| v[c] != cands[0][c]))
                .unwrap_or(0);
            let def = &REVIEW_ROWS[col / 5];
            problems.push(Problem {
                line,
                message: format!(
                    "{}: the digits \"{digits}\" split {n} ways into the 15 cells of section 四 and R4–R6 do not decide; read the original and give it with --cell {}=N",
                    def.cite_cell(col % 5),
                    def.cell_key(col % 5)
                ),
            });
            Vec::new()
        }
    }
}
