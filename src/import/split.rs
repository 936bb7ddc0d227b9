//! Cells glued together with no separator (crawler text such as
//! `801000081`): every way the printed digits split into the row's cells,
//! narrowed by the consistency rules R1–R6. Nothing is ever chosen when
//! more than one reading survives.

use crate::model::Number;
use crate::model::layout::{Role, RowDef};

/// At most this many splits are kept; more means the row cannot be decided.
const LIMIT: usize = 100_000;

/// The most digits a count can print (the cell limit is 10^12).
const MAX_DIGITS: usize = 13;
/// The longest amount a cell can print: 13 digits, a point, 6 decimals.
const MAX_PART: usize = MAX_DIGITS + 1 + 6;

/// A number as printed: no leading zero (`05`), a decimal point only inside.
fn valid_part(s: &str, decimal_ok: bool) -> bool {
    if s.is_empty() || s.starts_with('.') || s.ends_with('.') {
        return false;
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !decimal_ok && s.contains('.') || frac.contains('.') {
        return false;
    }
    if int.len() > 13 || frac.len() > 6 || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Every split of `digits` into `parts` numbers (in order) that `keep`
/// accepts; `keep` sees each prefix, so it can prune early. The flag says
/// the search stopped: at [`LIMIT`] splits, or after [`BUDGET`] steps, when
/// no split is returned (a row that long is refused, never guessed from the
/// splits found so far).
pub fn splits(
    digits: &str,
    parts: usize,
    decimal_ok: &dyn Fn(usize) -> bool,
    keep: &dyn Fn(&[Number]) -> bool,
) -> (Vec<Vec<Number>>, bool) {
    // The most characters the cells from each index on can take.
    let mut room = vec![0; parts + 1];
    for i in (0..parts).rev() {
        room[i] = room[i + 1] + if decimal_ok(i) { MAX_PART } else { MAX_DIGITS };
    }
    let mut search = Search {
        parts,
        decimal_ok,
        keep,
        room,
        current: Vec::new(),
        out: Vec::new(),
        truncated: false,
        steps: 0,
    };
    search.walk(digits);
    if search.steps > BUDGET {
        search.out.clear();
    }
    (search.out, search.truncated)
}

/// At most this many steps of the search: far more than any printed row
/// takes (a row of 三 takes a few thousand), far less than a row of 150
/// glued digits would.
const BUDGET: usize = 2_000_000;

struct Search<'a> {
    parts: usize,
    decimal_ok: &'a dyn Fn(usize) -> bool,
    keep: &'a dyn Fn(&[Number]) -> bool,
    room: Vec<usize>,
    current: Vec<Number>,
    out: Vec<Vec<Number>>,
    truncated: bool,
    steps: usize,
}

impl Search<'_> {
    fn walk(&mut self, rest: &str) {
        self.steps += 1;
        if self.steps > BUDGET {
            self.truncated = true;
        }
        if self.truncated {
            return;
        }
        let left = self.parts - self.current.len();
        if left == 0 {
            if rest.is_empty() {
                if self.out.len() >= LIMIT {
                    self.truncated = true;
                } else {
                    self.out.push(self.current.clone());
                }
            }
            return;
        }
        // Without this bound, 200 glued digits took the search through
        // every split of its first 91 (minutes, for a row that cannot
        // split at all).
        if rest.len() < left || rest.len() > self.room[self.current.len()] {
            return;
        }
        for take in 1..=rest.len() - (left - 1) {
            let part = &rest[..take];
            if !valid_part(part, (self.decimal_ok)(self.current.len())) {
                if part.len() > 1 && part.starts_with('0') && !part.starts_with("0.") {
                    break;
                }
                continue;
            }
            let Ok(n) = Number::parse(part) else { continue };
            self.current.push(n);
            if (self.keep)(&self.current) {
                self.walk(&rest[take..]);
            }
            self.current.pop();
        }
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
pub fn columns_hold(defs: &[RowDef], rows: &[&Vec<Number>]) -> bool {
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

    /// Too many digits for the cells: no split, found without walking
    /// every split of the first 140 digits (which took minutes).
    #[test]
    fn a_run_too_long_for_its_cells_has_no_split() {
        let visited = std::cell::Cell::new(0usize);
        let keep = |_: &[Number]| {
            visited.set(visited.get() + 1);
            true
        };
        let (all, truncated) = splits(&"1240015".repeat(30), 7, &|_| true, &keep);
        assert!(all.is_empty() && !truncated);
        assert_eq!(visited.get(), 0);
        // At the edge, 7 cells of 13 digits still split.
        let (all, _) = splits(&"1000000000000".repeat(7), 7, &|_| false, &|_| true);
        assert_eq!(all.len(), 1);
        let (all, _) = splits("1.0000001", 1, &|_| true, &|_| true);
        assert!(all.is_empty());
    }
}
