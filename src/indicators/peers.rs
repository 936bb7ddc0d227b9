//! Peer comparison: for each year, category and indicator, the quartiles
//! of the reports where the indicator applies, and each report's place.
//!
//! Quartiles are those of spreadsheets' QUARTILE.INC (PERCENTILE.INC):
//! over the n values sorted, the p-quantile is at rank h = (n − 1)·p
//! counted from 0, interpolated linearly between the values at ⌊h⌋ and
//! ⌊h⌋ + 1. With p a quarter, the interpolation is exact in fractions.

use super::{Entry, Key, Ratio};

/// P25, P50 (the median) and P75.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quartiles {
    pub p25: Ratio,
    pub p50: Ratio,
    pub p75: Ratio,
}

/// The `quarter`/4 quantile (1: P25, 2: P50, 3: P75) of `sorted`
/// (ascending), as QUARTILE.INC; `None` for no values.
pub fn quartile(sorted: &[Ratio], quarter: usize) -> Option<Ratio> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    // h = (n − 1)·quarter/4 = lo + step/4
    let h4 = (n - 1) * quarter;
    let (lo, step) = (h4 / 4, h4 % 4);
    let low = sorted[lo];
    if step == 0 {
        return Some(low);
    }
    let high = sorted[lo + 1];
    let weight = Ratio::new(step as i128, 4)?;
    low.checked_add(high.checked_sub(low)?.checked_mul(weight)?)
}

/// The three quartiles of `values` (in any order).
pub fn quartiles(values: &[Ratio]) -> Option<Quartiles> {
    Stat::new(values).map(|s| s.quartiles)
}

/// One indicator over one year's reports of one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    /// The reports where the indicator applies.
    pub reports: usize,
    pub quartiles: Quartiles,
    /// Their values, ascending.
    sorted: Vec<Ratio>,
}

impl Stat {
    pub fn new(values: &[Ratio]) -> Option<Stat> {
        let mut sorted = values.to_vec();
        sorted.sort();
        Some(Stat {
            reports: sorted.len(),
            quartiles: Quartiles {
                p25: quartile(&sorted, 1)?,
                p50: quartile(&sorted, 2)?,
                p75: quartile(&sorted, 3)?,
            },
            sorted,
        })
    }

    /// The place of `value` from the highest (1: the highest); equal
    /// values share a place (1, 2, 2, 4), out of [`Stat::reports`].
    pub fn place(&self, value: Ratio) -> usize {
        let not_above = self.sorted.partition_point(|v| *v <= value);
        self.sorted.len() - not_above + 1
    }
}

/// One year's reports of one category: a [`Stat`] per indicator, `None`
/// where it applies to no report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    /// Non-draft reports in the group.
    pub reports: usize,
    pub stats: [Option<Stat>; 6],
}

impl Group {
    pub fn stat(&self, key: Key) -> Option<&Stat> {
        self.stats[key as usize].as_ref()
    }

    /// 「第 3 / 12」 of a value of `key` in this group.
    pub fn place_text(&self, key: Key, value: Ratio) -> Option<String> {
        let stat = self.stat(key)?;
        Some(format!("第 {} / {}", stat.place(value), stat.reports))
    }
}

/// The group of `entries` (one year's reports of one category).
pub fn group<'e, 'a: 'e>(entries: impl IntoIterator<Item = &'e Entry<'a>>) -> Group {
    let mut reports = 0;
    let mut per_key: [Vec<Ratio>; 6] = Default::default();
    for entry in entries {
        reports += 1;
        for (i, v) in entry.values.iter().enumerate() {
            if let Some(r) = v.ratio() {
                per_key[i].push(r);
            }
        }
    }
    Group {
        reports,
        stats: per_key.map(|v| Stat::new(&v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[i128]) -> Vec<Ratio> {
        values.iter().map(|&v| Ratio::integer(v)).collect()
    }

    #[test]
    fn quartiles_of_an_odd_count_by_hand() {
        // 1 3 5 7 9 11 13 (n = 7): h = 6p → ranks 1.5, 3, 4.5.
        // P25 = 3 + 0.5·(5 − 3) = 4; P50 = 7; P75 = 9 + 0.5·(11 − 9) = 10.
        let q = quartiles(&ints(&[13, 1, 9, 5, 3, 11, 7])).unwrap();
        assert_eq!(q.p25, Ratio::integer(4));
        assert_eq!(q.p50, Ratio::integer(7));
        assert_eq!(q.p75, Ratio::integer(10));
    }

    #[test]
    fn quartiles_of_an_even_count_by_hand() {
        // 1 2 4 7 (n = 4): h = 3p → ranks 0.75, 1.5, 2.25.
        // P25 = 1 + 0.75·1 = 7/4; P50 = 2 + 0.5·2 = 3; P75 = 4 + 0.25·3 = 19/4.
        let q = quartiles(&ints(&[7, 1, 4, 2])).unwrap();
        assert_eq!(q.p25, Ratio::new(7, 4).unwrap());
        assert_eq!(q.p50, Ratio::integer(3));
        assert_eq!(q.p75, Ratio::new(19, 4).unwrap());
        // Fractions too: 1/3 and 1/2 → P25 = 1/3 + 1/4·1/6 = 3/8.
        let q = quartiles(&[Ratio::new(1, 2).unwrap(), Ratio::new(1, 3).unwrap()]).unwrap();
        assert_eq!(q.p25, Ratio::new(3, 8).unwrap());
        assert_eq!(q.p50, Ratio::new(5, 12).unwrap());
        assert_eq!(q.p75, Ratio::new(11, 24).unwrap());
    }

    #[test]
    fn one_value_is_every_quartile_and_none_is_none() {
        let q = quartiles(&ints(&[5])).unwrap();
        assert_eq!(
            (q.p25, q.p50, q.p75),
            (Ratio::integer(5), Ratio::integer(5), Ratio::integer(5))
        );
        assert!(quartiles(&[]).is_none());
    }

    #[test]
    fn places_count_from_the_highest_and_share_ties() {
        let stat = Stat::new(&ints(&[10, 30, 20, 20])).unwrap();
        assert_eq!(stat.place(Ratio::integer(30)), 1);
        assert_eq!(stat.place(Ratio::integer(20)), 2);
        assert_eq!(stat.place(Ratio::integer(10)), 4);
    }
}
