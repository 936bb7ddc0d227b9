//! Table 二 (主动公开): each row found by its label, its figures the
//! numbers printed after it; a figure printed apart from its row placed only
//! when its note names the column.

use std::ops::Range;

use super::glued::{glued_runs, open_problem};
use super::grid::{apply_given, cell};
use super::tokens::tokenize;
use super::{Cell, Given, Problem, Shape, Tok, detect_shape};
use crate::import::decide::Decide;
use crate::import::split;
use crate::import::text::{Compact, line_of};
use crate::model::Number;
use crate::model::layout::{ColumnKind, Format, RowDef};

/// The label(s) a row of 二 is printed with.
pub(super) fn active_labels(def: &RowDef) -> Vec<&'static str> {
    match def.key {
        "active.normative_documents" => vec!["行政规范性文件", "规范性文件"],
        "active.procurement" => vec!["政府集中采购"],
        _ => vec![def.label],
    }
}

/// Which column a note printed in a cell names (「其中修订16件」 → 本年制发件数).
pub(super) fn column_named(def: &RowDef, note: &str) -> Option<usize> {
    let keys: &[(&str, &[&str])] = &[
        ("issued", &["修订", "制发", "制定", "新制", "印发", "出台"]),
        ("repealed", &["失效", "废止", "废除"]),
        ("in_force", &["现行有效"]),
    ];
    def.columns.iter().position(|c| {
        keys.iter()
            .any(|(k, words)| *k == c.key && words.iter().any(|w| note.contains(w)))
    })
}

pub(super) enum Event {
    Label(usize),
    Num(Tok),
}

pub(super) fn read_active(
    text: &str,
    range: Range<usize>,
    format: Format,
    given: &Given,
    decide: &Decide,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let defs = format.active_rows();
    let section = &text[range.clone()];
    let shape = detect_shape(section);
    let compact = Compact::new(section);
    let mut events: Vec<(usize, Event)> = Vec::new();
    let mut label_line = vec![line_of(text, range.start); defs.len()];
    let mut label_spans: Vec<Range<usize>> = Vec::new();
    for (r, def) in defs.iter().enumerate() {
        let found = active_labels(def).into_iter().find_map(|l| {
            let mut from = 0;
            while let Some(i) = compact.find(l, from) {
                let (s, e) = (
                    compact.offset(i),
                    compact.offset(i + Compact::width(l) - 1) + 1,
                );
                if !label_spans
                    .iter()
                    .any(|sp| sp.start <= s && e <= sp.end + 3)
                {
                    return Some((s, e));
                }
                from = i + 1;
            }
            None
        });
        match found {
            Some((s, e)) => {
                label_line[r] = line_of(text, range.start + s);
                label_spans.push(s..e);
                events.push((range.start + s, Event::Label(r)));
            }
            None => problems.push(Problem {
                line: line_of(text, range.start),
                message: format!("section 二: the row {} is not found", def.label),
            }),
        }
    }
    let tokens: Vec<Tok> = if shape == Shape::Glued {
        glued_runs(text, range.clone(), &label_spans)
    } else {
        tokenize(text, range.clone(), shape)
            .into_iter()
            .flat_map(|l| l.toks)
            .collect()
    };
    for t in tokens {
        events.push((t.start, Event::Num(t)));
    }
    events.sort_by_key(|(at, _)| *at);

    let mut got: Vec<Vec<Tok>> = vec![Vec::new(); defs.len()];
    let mut strays: Vec<Tok> = Vec::new();
    let mut current: Option<usize> = None;
    for (_, ev) in events {
        match ev {
            Event::Label(r) => current = Some(r),
            Event::Num(t) => match current {
                Some(r) if got[r].len() < defs[r].columns.len() || shape == Shape::Glued => {
                    if shape == Shape::Glued {
                        current = None;
                    }
                    got[r].push(t);
                    if got[r].len() == defs[r].columns.len() {
                        current = None;
                    }
                }
                // An empty cell past a full row (a web table's spare
                // column) is no figure.
                _ if t.value.is_none() && t.raw.is_empty() => {}
                _ => strays.push(t),
            },
        }
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut strays = strays.into_iter();
    for (r, def) in defs.iter().enumerate() {
        let need = def.columns.len();
        let decimal = |i: usize| {
            def.columns
                .get(i)
                .is_some_and(|c| c.kind == ColumnKind::Amount)
        };
        if shape == Shape::Glued {
            let Some(run) = got[r].first() else {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!("{}: no figures printed after the label", def.label),
                });
                rows.push(Vec::new());
                continue;
            };
            let keep = |p: &[Number]| {
                p.iter()
                    .enumerate()
                    .all(|(i, v)| given.get(&def.cell_key(i)).is_none_or(|g| g == v))
            };
            let (cands, _) = split::splits(&run.raw, need, &decimal, &keep);
            let ways = cands.len();
            let (cands, why) = if ways > 1 {
                decide.row(def, cands)
            } else {
                (cands, None)
            };
            let decided = why
                .as_ref()
                .filter(|_| cands.len() == 1)
                .map(|why| format!("\"{}\" split {ways} ways; {why} leaves one", run.raw));
            match cands.len() {
                1 => rows.push(
                    cands[0]
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Cell {
                            value: Some(*v),
                            line: run.line,
                            uncertain: given
                                .contains_key(&def.cell_key(i))
                                .then(|| format!("given with --cell {}={v}", def.cell_key(i)))
                                .or_else(|| decided.clone()),
                        })
                        .collect(),
                ),
                0 => {
                    problems.push(Problem {
                        line: run.line,
                        message: format!(
                            "{}: the digits \"{}\" cannot be read as {need} figure(s)",
                            def.label, run.raw
                        ),
                    });
                    rows.push(Vec::new());
                }
                n => {
                    let mut p = open_problem(def, run, &cands, n);
                    if let Some(why) = &why {
                        p.message = p.message.replace(
                            &format!("split {n} ways"),
                            &format!("split {ways} ways ({why} keeps {n})"),
                        );
                    }
                    problems.push(p);
                    rows.push(Vec::new());
                }
            }
            continue;
        }
        let mut cells: Vec<Tok> = std::mem::take(&mut got[r]);
        let mut placed_by_note = None;
        if cells.len() < need {
            let missing = need - cells.len();
            let taken: Vec<Tok> = strays.by_ref().take(missing).collect();
            if taken.len() < missing {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!(
                        "{}: {} of {need} figure(s) found, and no stray figure is left for the rest",
                        def.label,
                        cells.len()
                    ),
                });
                rows.push(Vec::new());
                continue;
            }
            if cells.is_empty() {
                cells = taken;
            } else if missing == 1 {
                let stray = taken.into_iter().next().expect("one taken");
                let by_note = stray.note.as_deref().and_then(|n| column_named(def, n));
                let placements: Vec<Vec<Tok>> = (0..need)
                    .map(|i| {
                        let mut v = cells.clone();
                        v.insert(i, stray.clone());
                        v
                    })
                    .collect();
                let fits_given = |v: &Vec<Tok>| {
                    v.iter().enumerate().all(|(i, t)| {
                        given
                            .get(&def.cell_key(i))
                            .is_none_or(|g| Some(*g) == t.value)
                    })
                };
                let values = |v: &Vec<Tok>| v.iter().map(|t| t.value).collect::<Vec<_>>();
                let candidates: Vec<&Vec<Tok>> =
                    placements.iter().filter(|v| fits_given(v)).collect();
                let same = candidates.windows(2).all(|w| values(w[0]) == values(w[1]));
                if let Some(i) = by_note {
                    placed_by_note = Some((i, stray.note.clone().unwrap_or_default()));
                    cells = placements[i].clone();
                } else if !candidates.is_empty() && same {
                    cells = candidates[0].clone();
                } else {
                    problems.push(Problem {
                        line: stray.line,
                        message: format!(
                            "{}: the figure 「{}」 is printed apart from its row, and nothing tells which of {} it is",
                            def.label,
                            stray.raw,
                            def.columns.iter().map(|c| c.label).collect::<Vec<_>>().join(", ")
                        ),
                    });
                    rows.push(Vec::new());
                    continue;
                }
            } else {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!(
                        "{}: {missing} of its {need} figures are printed apart from the row; which is which cannot be told",
                        def.label
                    ),
                });
                rows.push(Vec::new());
                continue;
            }
        }
        let mut row: Vec<Cell> = cells.iter().map(cell).collect();
        if let Some((i, note)) = placed_by_note {
            row[i].uncertain = Some(format!(
                "printed apart from its row; placed as {} by its note 「{}」",
                def.columns[i].label,
                note.trim()
            ));
        }
        rows.push(row);
    }
    let left: Vec<Tok> = strays.collect();
    if let Some(t) = left.first() {
        problems.push(Problem {
            line: t.line,
            message: format!("section 二: the figure 「{}」 belongs to no row", t.raw),
        });
    }
    if problems.is_empty() {
        apply_given(defs, &mut rows, given);
    }
    rows
}
