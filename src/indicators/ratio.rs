//! Exact fractions for indicators and quartiles.
//!
//! An indicator is a quotient of exact cells, and a quartile interpolates
//! between two such quotients: keeping both as fractions means a printed
//! 0.4737 is the one rounding of the true value, never a float's.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::model::Number;

/// A fraction in lowest terms with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    /// `num / den`; `None` when `den` is 0 (the indicator does not apply).
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Some(Ratio {
            num: sign * num / g,
            den: sign * den / g,
        })
    }

    /// The quotient of two exact numbers (the same scale cancels out).
    pub fn of(num: Number, den: Number) -> Option<Ratio> {
        Ratio::new(num.millionths(), den.millionths())
    }

    pub fn integer(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    pub fn numerator(self) -> i128 {
        self.num
    }

    pub fn denominator(self) -> i128 {
        self.den
    }

    /// `None` only on overflow, which the cell limit (10^12) keeps far away:
    /// indicators' terms are sums of a few cells.
    pub fn checked_add(self, other: Ratio) -> Option<Ratio> {
        let num = self
            .num
            .checked_mul(other.den)?
            .checked_add(other.num.checked_mul(self.den)?)?;
        Ratio::new(num, self.den.checked_mul(other.den)?)
    }

    pub fn checked_sub(self, other: Ratio) -> Option<Ratio> {
        self.checked_add(Ratio {
            num: other.num.checked_neg()?,
            den: other.den,
        })
    }

    pub fn checked_mul(self, other: Ratio) -> Option<Ratio> {
        Ratio::new(
            self.num.checked_mul(other.num)?,
            self.den.checked_mul(other.den)?,
        )
    }

    /// The value times `10^places`, rounded half away from zero.
    fn scaled(self, places: u32) -> i128 {
        let scale = 10i128.pow(places);
        let twice = self.num.unsigned_abs() * scale as u128 * 2;
        let den = self.den as u128;
        let rounded = (twice + den) / (2 * den);
        let rounded = rounded as i128;
        if self.num < 0 { -rounded } else { rounded }
    }

    /// Rounded half away from zero to `places` decimals, with every place
    /// written: `0.4737`, `1.0000`, `-0.2500`.
    pub fn decimal(self, places: u32) -> String {
        fixed(self.scaled(places), places)
    }

    /// As a percentage rounded half away from zero to one decimal: `47.4%`.
    pub fn percent(self) -> String {
        format!("{}%", fixed(self.scaled(3), 1))
    }

    /// As a percentage cut (not rounded) to one decimal, for a measure
    /// compared with a threshold: 0.8996 is 89.9%, never a 90.0% that
    /// was not reached.
    pub fn percent_down(self) -> String {
        format!("{}%", fixed(self.num * 1000 / self.den, 1))
    }

    /// A change as a signed percentage: `+12.5%`, `-80.0%`, `0.0%`.
    pub fn signed_percent(self) -> String {
        let scaled = self.scaled(3);
        let sign = if scaled > 0 { "+" } else { "" };
        format!("{sign}{}%", fixed(scaled, 1))
    }
}

/// `value / 10^places` with every place written.
fn fixed(value: i128, places: u32) -> String {
    let scale = 10u128.pow(places);
    let abs = value.unsigned_abs();
    let mut out = String::new();
    if value < 0 {
        out.push('-');
    }
    let _ = write!(out, "{}", abs / scale);
    if places > 0 {
        let _ = write!(out, ".{:0width$}", abs % scale, width = places as usize);
    }
    out
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        compare(self.num, self.den, other.num, other.den)
    }
}

/// `a / b` against `c / d` (positive denominators) by their continued
/// fractions: exact, and no product that could overflow.
fn compare(a: i128, b: i128, c: i128, d: i128) -> Ordering {
    let (qa, ra) = (a.div_euclid(b), a.rem_euclid(b));
    let (qc, rc) = (c.div_euclid(d), c.rem_euclid(d));
    match (qa.cmp(&qc), ra, rc) {
        (Ordering::Equal, 0, 0) => Ordering::Equal,
        (Ordering::Equal, 0, _) => Ordering::Less,
        (Ordering::Equal, _, 0) => Ordering::Greater,
        // ra/b against rc/d, both in (0, 1): the larger has the smaller reciprocal.
        (Ordering::Equal, _, _) => compare(d, rc, b, ra),
        (order, _, _) => order,
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(r(9, 19).decimal(4), "0.4737");
        assert_eq!(r(9, 19).percent(), "47.4%");
        assert_eq!(r(1, 8).decimal(2), "0.13");
        assert_eq!(r(-1, 8).decimal(2), "-0.13");
        assert_eq!(r(1, 1).decimal(4), "1.0000");
        assert_eq!(r(0, 5).percent(), "0.0%");
        assert_eq!(r(1, 2000).percent(), "0.1%");
        assert_eq!(r(-4, 5).signed_percent(), "-80.0%");
        assert_eq!(r(1, 8).signed_percent(), "+12.5%");
        assert_eq!(r(-1, 20000).decimal(4), "-0.0001");
        assert_eq!(r(8996, 10000).percent_down(), "89.9%");
    }

    #[test]
    fn keeps_lowest_terms_and_orders_exactly() {
        assert_eq!(r(6, -8), r(-3, 4));
        assert_eq!(Ratio::new(1, 0), None);
        assert!(r(1, 3) < r(334, 1000));
        assert_eq!(r(1, 3).checked_add(r(1, 6)).unwrap(), r(1, 2));
        assert_eq!(r(1, 2).checked_sub(r(3, 4)).unwrap(), r(-1, 4));
    }
}
