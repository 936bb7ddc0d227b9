//! Tables whose order the importer inferred (column by column, pipe tables
//! with rows out of place): when the figures in the order printed break the
//! table's rules, that order is in doubt, not the original. The figures
//! come in blocks (runs of numbers with no words between them, a pipe row);
//! every order of the blocks the layout allows is tried — all of them for a
//! few blocks, each block moved elsewhere for many — and the one under
//! which R1–R6 (and the rules of [`Decide`]) hold is kept. None or several:
//! refused, naming the cells.

use super::{Given, Problem, Shape, Tok};
use crate::import::decide::{Decide, eval};
use crate::import::split;
use crate::model::Number;
use crate::model::layout::RowDef;

/// All orders of this many blocks are tried; above it, single moves.
const ALL_ORDERS: usize = 7;

/// Where the numbers break into blocks: between two numbers on different
/// lines with words between them, a jump backwards (a column turned back
/// into rows), or a new pipe row.
fn blocks(text: &str, toks: &[Tok], shape: Shape) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..toks.len() {
        let (a, b) = (&toks[i - 1], &toks[i]);
        let cut = if b.start <= a.start {
            true
        } else if a.line == b.line {
            false
        } else {
            shape == Shape::Pipes
                || text
                    .get(a.start + a.raw.len()..b.start)
                    .is_some_and(|between| {
                        between
                            .chars()
                            .any(|c| !c.is_whitespace() && !c.is_ascii_digit())
                    })
        };
        if cut {
            out.push(start..i);
            start = i;
        }
    }
    out.push(start..toks.len());
    out
}

/// The orders of `n` blocks to try, the order printed first.
fn orders(n: usize) -> Vec<Vec<usize>> {
    let identity: Vec<usize> = (0..n).collect();
    let mut out = vec![identity.clone()];
    if n <= ALL_ORDERS {
        let mut p = identity;
        while next_permutation(&mut p) {
            out.push(p.clone());
        }
    } else {
        for from in 0..n {
            for to in 0..=n {
                if to == from || to == from + 1 {
                    continue;
                }
                let mut p: Vec<usize> = (0..n).filter(|&k| k != from).collect();
                let at = if to > from { to - 1 } else { to };
                p.insert(at, from);
                out.push(p);
            }
        }
    }
    out
}

fn next_permutation(p: &mut [usize]) -> bool {
    let Some(i) = (1..p.len()).rev().find(|&i| p[i - 1] < p[i]) else {
        return false;
    };
    let j = (i..p.len()).rev().find(|&j| p[j] > p[i - 1]).unwrap_or(i);
    p.swap(i - 1, j);
    p[i..].reverse();
    true
}

/// The first rule of the table the values break, with the cell it names.
fn broken(defs: &[RowDef], values: &[Number]) -> Option<String> {
    let width = defs[0].width();
    let rows: Vec<Vec<Number>> = values.chunks(width).map(<[Number]>::to_vec).collect();
    if width == 5 {
        for (g, def) in rows.iter().zip(defs) {
            let sum = Number::sum(g[..4].iter().copied());
            if sum != Some(g[4]) {
                let rule = ["R4", "R5", "R6"][defs
                    .iter()
                    .position(|d| d.key == def.key)
                    .unwrap_or(0)
                    .min(2)];
                return Some(format!(
                    "{} is {}, but {} = {} ({rule})",
                    def.cite_cell(4),
                    g[4],
                    g[..4]
                        .iter()
                        .map(Number::to_string)
                        .collect::<Vec<_>>()
                        .join(" + "),
                    sum.map_or("overflow".to_string(), |s| s.to_string())
                ));
            }
        }
        return None;
    }
    for (row, def) in rows.iter().zip(defs) {
        if !split::r2_holds(row) {
            return Some(format!(
                "{} is {}, but the six applicant columns add up to {} (R2)",
                def.cite_cell(6),
                row[6],
                Number::sum(row[..6].iter().copied())
                    .map_or("overflow".to_string(), |s| s.to_string())
            ));
        }
    }
    let refs: Vec<&Vec<Number>> = rows.iter().collect();
    (!split::columns_hold(defs, &refs))
        .then(|| "一 + 二 = （七）总计 + 四 or the sum of rows （一）…（六） (R1, R3)".to_string())
}

fn holds(defs: &[RowDef], values: &[Number]) -> bool {
    broken(defs, values).is_none()
}

/// `toks` in an order under which the table's rules hold, or the problem
/// naming the cells; `shape` names how the order was inferred.
pub(super) fn settle(
    text: &str,
    defs: &'static [RowDef],
    section: &str,
    toks: Vec<Tok>,
    shape: Shape,
    given: &Given,
    decide: &Decide,
) -> Result<Vec<Tok>, Problem> {
    let width = defs[0].width();
    let values = |order: &[Tok]| -> Vec<Number> {
        order
            .iter()
            .map(|t| t.value.unwrap_or(Number::ZERO))
            .collect()
    };
    let printed = values(&toks);
    let fits_given = |v: &[Number]| {
        defs.iter().enumerate().all(|(r, def)| {
            (0..width).all(|c| {
                given
                    .get(&def.cell_key(c))
                    .is_none_or(|g| *g == v[r * width + c])
            })
        })
    };
    let decided = |v: &[Number], e: &crate::import::decide::Equation| {
        eval(e, |key, c| {
            let r = defs.iter().position(|d| d.key == key)?;
            v.get(r * width + c).copied()
        })
    };
    let printed_holds = holds(defs, &printed)
        && decide
            .equations
            .iter()
            .all(|e| decided(&printed, e) != Some(false));
    if printed_holds && fits_given(&printed) {
        return Ok(toks);
    }
    let blocks = blocks(text, &toks, shape);
    let orders = orders(blocks.len());
    let tried = orders.len();
    // Distinct readings (by value) the rules keep, each with its order.
    let mut kept: Vec<(Vec<Number>, Vec<usize>)> = Vec::new();
    let mut given_only: Vec<(Vec<Number>, Vec<usize>)> = Vec::new();
    for order in orders {
        let v: Vec<Number> = order
            .iter()
            .flat_map(|&b| printed[blocks[b].clone()].iter().copied())
            .collect();
        if !fits_given(&v) {
            continue;
        }
        if !given_only.iter().any(|(w, _)| *w == v) {
            given_only.push((v.clone(), order.clone()));
        }
        if holds(defs, &v) && !kept.iter().any(|(w, _)| *w == v) {
            kept.push((v, order));
        }
    }
    let (kept, why) = decide.narrow(kept, |e, (v, _)| decided(v, e));
    let shape_name = shape.describe();
    let reorder = |order: &[usize], note: String| -> Vec<Tok> {
        let mut out: Vec<Tok> = order
            .iter()
            .flat_map(|&b| toks[blocks[b].clone()].iter().cloned())
            .collect();
        for (i, t) in out.iter_mut().enumerate() {
            if t.start != toks[i].start && t.uncertain.is_none() {
                t.uncertain = Some(note.clone());
            }
        }
        out
    };
    let rules = if width == 5 { "R4–R6" } else { "R1–R3" };
    match kept.len() {
        1 => {
            let rules = why.map_or(rules.to_string(), |w| format!("{rules} and {w}"));
            Ok(reorder(
                &kept[0].1,
                format!("printed out of order ({shape_name}); placed where {rules} hold"),
            ))
        }
        // The clerk's cells fix the order: kept as printed, rules and all.
        0 if given_only.len() == 1 && !given.is_empty() => Ok(reorder(
            &given_only[0].1,
            "placed by the cells given with --cell".to_string(),
        )),
        0 => Err(Problem {
            line: toks[0].line,
            message: format!(
                "section {section}: in the order printed ({shape_name}) {}, and none of the {tried} orders of its {} blocks of figures keeps {rules}: the order cannot be told; read the original and give the cells with --cell (e.g. --cell {}=N)",
                broken(defs, &printed).unwrap_or_else(|| {
                    "a rule of the prose or last year's report is broken".to_string()
                }),
                blocks.len(),
                first_broken_key(defs, &printed)
            ),
        }),
        n => {
            let cell = (0..printed.len())
                .find(|&c| kept.iter().any(|(v, _)| v[c] != kept[0].0[c]))
                .unwrap_or(0);
            let def = &defs[cell / width];
            Err(Problem {
                line: toks[0].line,
                message: format!(
                    "section {section}: the figures are printed out of order ({shape_name}), and {n} orders keep {rules}; they differ at {} ({} or {}): read the original and give it with --cell {}=N",
                    def.cite_cell(cell % width),
                    kept[0].0[cell],
                    kept[1].0[cell],
                    def.cell_key(cell % width)
                ),
            })
        }
    }
}

/// The key of the 总计 cell of the first row or group the values break.
fn first_broken_key(defs: &[RowDef], values: &[Number]) -> String {
    let width = defs[0].width();
    for (r, def) in defs.iter().enumerate() {
        let row = &values[r * width..(r + 1) * width];
        let ok = if width == 5 {
            Number::sum(row[..4].iter().copied()) == Some(row[4])
        } else {
            split::r2_holds(row)
        };
        if !ok {
            return def.cell_key(width - 1);
        }
    }
    defs.last().map_or(String::new(), |d| d.cell_key(width - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_of_few_blocks_are_all_permutations() {
        assert_eq!(orders(3).len(), 6);
        assert_eq!(orders(4).len(), 24);
        assert_eq!(orders(1), vec![vec![0]]);
        // Many blocks: the order printed and every single move.
        let o = orders(10);
        assert_eq!(o[0], (0..10).collect::<Vec<_>>());
        assert_eq!(o.len(), 1 + 10 * 9);
    }
}
