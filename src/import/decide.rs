//! The rules beyond a table's own arithmetic that can decide between
//! readings of it: X1 and X2 against the agency's report of the year before
//! (when the site holds it), and the figures the prose states (X3). Each is
//! an equation over cells; a reading that breaks one is set aside, but only
//! when some other reading keeps it (a rule every reading breaks — X2 after
//! a clean-up of old documents — says nothing about the reading). None of
//! them ever changes a number.

use crate::model::layout::{Format, Role, RowDef};
use crate::model::{Number, Report, stated};

/// Σ coefficient × cell = value.
#[derive(Clone, Debug)]
pub struct Equation {
    /// (row key, column; the row's width − 1 is its 总计, coefficient).
    pub terms: Vec<(&'static str, usize, i64)>,
    pub value: Number,
    /// Why it holds, for the notes: `X2 against the 2023 report`.
    pub why: String,
}

/// Everything that may decide between readings.
#[derive(Clone, Debug, Default)]
pub struct Decide {
    pub equations: Vec<Equation>,
}

impl Decide {
    /// The equations from last year's report and the prose's figures.
    pub fn new(previous: Option<&Report>, format: Format, stated: &[stated::Stated]) -> Decide {
        let mut equations = Vec::new();
        if let Some(prev) = previous {
            if let Some(fwd) = prev.request_row(Role::CarriedForward) {
                for c in 0..fwd.def.width() {
                    equations.push(Equation {
                        terms: vec![("requests.carried_over", c, 1)],
                        value: fwd.value(c),
                        why: format!("X1 against the {} report", prev.year),
                    });
                }
            }
            if format == Format::F2019 && prev.format == Format::F2019 {
                // 上一年项目数量 is last year's 上一年项目数量 + 本年增/减.
                for row in prev.active.iter() {
                    let col = |k: &str| row.def.columns.iter().position(|c| c.key == k);
                    if let (Some(p), Some(c)) = (col("previous"), col("change"))
                        && let Some(v) = row.value(p).checked_add(row.value(c))
                    {
                        equations.push(Equation {
                            terms: vec![(row.def.key, p, 1)],
                            value: v,
                            why: format!("the {} report's 上一年项目数量 + 本年增/减", prev.year),
                        });
                    }
                }
            }
            if format == Format::F2021 && prev.format == Format::F2021 {
                for key in ["active.regulations", "active.normative_documents"] {
                    if let Some(row) = prev.row(key) {
                        equations.push(Equation {
                            terms: vec![(key, 2, 1), (key, 0, -1), (key, 1, 1)],
                            value: row.value(2),
                            why: format!("X2 against the {} report", prev.year),
                        });
                    }
                }
            }
        }
        for s in stated {
            if format != Format::F2021 && s.cells.iter().any(|c| c.0.starts_with("active.")) {
                continue;
            }
            let terms = s
                .cells
                .iter()
                .map(|&(key, column)| {
                    // 总计 of 三 is column 6, of 四 column 4.
                    let total = if key.starts_with("reviews.") { 4 } else { 6 };
                    (key, column.unwrap_or(total), 1)
                })
                .collect();
            equations.push(Equation {
                terms,
                value: s.value,
                why: format!("the prose's 「{}」", s.phrase),
            });
        }
        Decide { equations }
    }

    /// Narrows readings of one row to those its equations keep, with the
    /// reason when that leaves fewer.
    pub fn row(
        &self,
        def: &RowDef,
        readings: Vec<Vec<Number>>,
    ) -> (Vec<Vec<Number>>, Option<String>) {
        self.narrow(readings, |e, cells: &Vec<Number>| {
            if !e.terms.iter().all(|(k, _, _)| *k == def.key) {
                return None;
            }
            eval(e, |_, c| cells.get(c).copied())
        })
    }

    /// Narrows readings to those the equations keep (`holds` says `None`
    /// when a reading lacks an equation's cells). An equation no reading
    /// keeps is passed over.
    pub fn narrow<T>(
        &self,
        readings: Vec<T>,
        holds: impl Fn(&Equation, &T) -> Option<bool>,
    ) -> (Vec<T>, Option<String>) {
        let mut readings = readings;
        let mut why: Vec<String> = Vec::new();
        for e in &self.equations {
            let keep: Vec<bool> = readings
                .iter()
                .map(|r| holds(e, r) != Some(false))
                .collect();
            let kept = keep.iter().filter(|&&k| k).count();
            if kept > 0 && kept < readings.len() {
                let mut k = keep.into_iter();
                readings.retain(|_| k.next().unwrap_or(true));
                if !why.contains(&e.why) {
                    why.push(e.why.clone());
                }
            }
        }
        let why = (!why.is_empty()).then(|| why.join(" and "));
        (readings, why)
    }
}

/// Whether an equation holds, `None` when a cell is unknown.
pub fn eval(e: &Equation, value: impl Fn(&str, usize) -> Option<Number>) -> Option<bool> {
    let mut sum = Number::ZERO;
    for &(key, c, coef) in &e.terms {
        let v = value(key, c)?;
        sum = if coef >= 0 {
            (0..coef).try_fold(sum, |s, _| s.checked_add(v))?
        } else {
            (0..-coef).try_fold(sum, |s, _| s.checked_sub(v))?
        };
    }
    Some(sum == e.value)
}
