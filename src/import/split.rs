//! Cells glued together with no separator (crawler text such as
//! `801000081`): every way the printed digits split into the row's cells,
//! narrowed by the consistency rules R1–R6. Nothing is ever chosen when
//! more than one reading survives.

use crate::model::Number;
use crate::model::layout::{Role, RowDef};

/// At most this many splits are kept; more means the row cannot be decided.
const LIMIT: usize = 100_000;

/// A number as printed: no leading zero (`05`), a decimal point only inside.
fn valid_part(s: &str, decimal_ok: bool) -> bool {
    if s.is_empty() || s.starts_with('.') || s.ends_with('.') {
        return false;
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !decimal_ok && s.contains('.') || frac.contains('.') {
        return false;
    }
    if int.len() > 13 || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Every split of `digits` into `parts` numbers (in order) that `keep`
/// accepts; `keep` sees each prefix, so it can prune early. The flag says
/// the search stopped at the limit.
pub fn splits(
    digits: &str,
    parts: usize,
    decimal_ok: &dyn Fn(usize) -> bool,
    keep: &dyn Fn(&[Number]) -> bool,
) -> (Vec<Vec<Number>>, bool) {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut truncated = false;
    walk(
        digits,
        parts,
        decimal_ok,
        keep,
        &mut current,
        &mut out,
        &mut truncated,
    );
    (out, truncated)
}

fn walk(
    rest: &str,
    parts: usize,
    decimal_ok: &dyn Fn(usize) -> bool,
    keep: &dyn Fn(&[Number]) -> bool,
    current: &mut Vec<Number>,
    out: &mut Vec<Vec<Number>>,
    truncated: &mut bool,
) {
    if *truncated {
        return;
    }
    let left = parts - current.len();
    if left == 0 {
        if rest.is_empty() {
            if out.len() >= LIMIT {
                *truncated = true;
            } else {
                out.push(current.clone());
            }
        }
        return;
    }
    if rest.len() < left {
        return;
    }
    for take in 1..=rest.len() - (left - 1) {
        let part = &rest[..take];
        if !valid_part(part, decimal_ok(current.len())) {
            if part.len() > 1 && part.starts_with('0') && !part.starts_with("0.") {
                break;
            }
            continue;
        }
        let Ok(n) = Number::parse(part) else { continue };
        current.push(n);
        if keep(current) {
            walk(
                &rest[take..],
                parts,
                decimal_ok,
                keep,
                current,
                out,
                truncated,
            );
        }
        current.pop();
    }
}

/// The six applicant cells add up to the 总计 (R2).
pub fn r2_holds(cells: &[Number]) -> bool {
    cells.len() != 7 || Number::sum(cells[..6].iter().copied()) == Some(cells[6])
}

/// In section 四, every five cells: 总计 = 维持 + 纠正 + 其他 + 尚未审结 (R4–R6).
pub fn review_groups_hold(cells: &[Number]) -> bool {
    cells
        .chunks(5)
        .filter(|g| g.len() == 5)
        .all(|g| Number::sum(g[..4].iter().copied()) == Some(g[4]))
}

/// How one row of 三 was settled.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    /// One reading; `by_rules` when R1/R3 chose it among several.
    Read { cells: Vec<Number>, by_rules: bool },
    /// Several readings survive every rule.
    Open(Vec<Vec<Number>>),
}

/// Settles the rows of 三 that split more than one way with R1 and R3
/// across rows: a reading is kept only if some choice for every other
/// ambiguous row makes all columns add up.
pub fn settle(defs: &[RowDef], candidates: Vec<Vec<Vec<Number>>>) -> Vec<Settled> {
    let ambiguous: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].len() > 1)
        .collect();
    let open = |candidates: &Vec<Vec<Vec<Number>>>| -> Vec<Settled> {
        candidates
            .iter()
            .map(|c| match c.len() {
                1 => Settled::Read {
                    cells: c[0].clone(),
                    by_rules: false,
                },
                _ => Settled::Open(c.clone()),
            })
            .collect()
    };
    if ambiguous.is_empty() {
        return open(&candidates);
    }
    let product = ambiguous
        .iter()
        .try_fold(1usize, |acc, &i| acc.checked_mul(candidates[i].len()));
    if product.is_none_or(|p| p > 2_000_000) {
        return open(&candidates);
    }
    let mut choice = vec![0usize; candidates.len()];
    let mut surviving: Vec<Vec<usize>> = Vec::new();
    loop {
        let rows: Vec<&Vec<Number>> = (0..candidates.len())
            .map(|i| &candidates[i][choice[i]])
            .collect();
        if columns_hold(defs, &rows) {
            surviving.push(ambiguous.iter().map(|&i| choice[i]).collect());
        }
        // next combination
        let mut k = 0;
        loop {
            if k == ambiguous.len() {
                break;
            }
            let i = ambiguous[k];
            choice[i] += 1;
            if choice[i] < candidates[i].len() {
                break;
            }
            choice[i] = 0;
            k += 1;
        }
        if k == ambiguous.len() {
            break;
        }
    }
    if surviving.is_empty() {
        return open(&candidates);
    }
    let mut out = open(&candidates);
    for (k, &i) in ambiguous.iter().enumerate() {
        let mut readings: Vec<usize> = surviving.iter().map(|s| s[k]).collect();
        readings.sort_unstable();
        readings.dedup();
        out[i] = if readings.len() == 1 {
            Settled::Read {
                cells: candidates[i][readings[0]].clone(),
                by_rules: true,
            }
        } else {
            Settled::Open(readings.iter().map(|&r| candidates[i][r].clone()).collect())
        };
    }
    out
}

/// R1 and R3 on every column.
fn columns_hold(defs: &[RowDef], rows: &[&Vec<Number>]) -> bool {
    let find = |role: Role| defs.iter().position(|d| d.role == role);
    let (Some(new), Some(over), Some(total), Some(forward)) = (
        find(Role::New),
        find(Role::CarriedOver),
        find(Role::Total),
        find(Role::CarriedForward),
    ) else {
        return false;
    };
    (0..7).all(|c| {
        let r1 =
            rows[new][c].checked_add(rows[over][c]) == rows[total][c].checked_add(rows[forward][c]);
        let outcomes = Number::sum(
            defs.iter()
                .enumerate()
                .filter(|(_, d)| d.role == Role::Outcome)
                .map(|(i, _)| rows[i][c]),
        );
        r1 && outcomes == Some(rows[total][c])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[Number]) -> Vec<String> {
        v.iter().map(Number::to_string).collect()
    }

    #[test]
    fn splits_a_row_by_r2() {
        let (all, _) = splits("801000081", 7, &|_| false, &|p| p.len() < 7 || r2_holds(p));
        assert_eq!(all.len(), 1);
        assert_eq!(ints(&all[0]), ["80", "1", "0", "0", "0", "0", "81"]);
        let (all, _) = splits("77132470", 3, &|_| false, &|_| true);
        assert_eq!(all.len(), 21);
        let (all, _) = splits("5949.088667", 1, &|_| true, &|_| true);
        assert_eq!(ints(&all[0]), ["5949.088667"]);
    }
}
