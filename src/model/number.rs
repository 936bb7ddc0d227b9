//! Exact decimal numbers for every cell of a report.
//!
//! Counts and money (万元, up to six decimal places) share one type so that
//! rules and district sums never go through a binary float: a value is an
//! integer number of millionths, and every operation is checked.

use std::fmt;

/// Decimal places kept: the contract allows at most six (万元 to the cent of a 元 and beyond).
pub const SCALE: u32 = 6;
const UNIT: i128 = 10i128.pow(SCALE);

/// The largest magnitude a cell may hold. Real reports stay far below it; the
/// limit keeps sums over any number of reports far from overflow.
pub const MAX_CELL: i128 = 1_000_000_000_000; // 10^12

/// An exact decimal with six places, stored as millionths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(i128);

/// Why a cell's text is not a number the contract accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseNumberError {
    /// Not a plain decimal numeral at all.
    NotANumber,
    /// More than six digits after the decimal point.
    TooManyDecimals,
    /// Magnitude above [`MAX_CELL`].
    TooLarge,
}

impl Number {
    pub const ZERO: Number = Number(0);

    pub fn from_int(n: i64) -> Number {
        Number(i128::from(n) * UNIT)
    }

    /// The millionths in 64 bits, when they fit (every cell's do: the cell
    /// limit is 10^12, 10^18 millionths).
    pub(crate) fn to_millionths(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }

    /// The exact value in millionths (indicators divide two of them).
    pub fn millionths(self) -> i128 {
        self.0
    }

    pub(crate) fn from_millionths(n: i64) -> Number {
        Number(i128::from(n))
    }

    /// Parses the text of a YAML scalar: an optional sign, digits, and at most
    /// six decimals. Exponents, hex, `.5`, `1_000` and the like are refused:
    /// a clerk's number must read the same to a person and to the machine.
    pub fn parse(text: &str) -> Result<Number, ParseNumberError> {
        let (negative, body) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseNumberError::NotANumber);
        }
        let frac = frac_part.unwrap_or("");
        if frac_part.is_some() && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
            return Err(ParseNumberError::NotANumber);
        }
        if frac.len() > SCALE as usize {
            return Err(ParseNumberError::TooManyDecimals);
        }
        let digits = int_part.trim_start_matches('0');
        if digits.len() > 13 {
            return Err(ParseNumberError::TooLarge);
        }
        let int: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| ParseNumberError::NotANumber)?
        };
        let mut frac_value: i128 = 0;
        for (i, b) in frac.bytes().enumerate() {
            frac_value += i128::from(b - b'0') * 10i128.pow(SCALE - 1 - i as u32);
        }
        if int > MAX_CELL || (int == MAX_CELL && frac_value > 0) {
            return Err(ParseNumberError::TooLarge);
        }
        let value = int * UNIT + frac_value;
        Ok(Number(if negative { -value } else { value }))
    }

    pub fn checked_add(self, other: Number) -> Option<Number> {
        self.0.checked_add(other.0).map(Number)
    }

    pub fn checked_sub(self, other: Number) -> Option<Number> {
        self.0.checked_sub(other.0).map(Number)
    }

    /// Sums exactly; `None` only on overflow, which the cell limit makes
    /// impossible for any realistic number of reports.
    pub fn sum<I: IntoIterator<Item = Number>>(items: I) -> Option<Number> {
        items
            .into_iter()
            .try_fold(Number::ZERO, |acc, n| acc.checked_add(n))
    }

    pub fn is_integer(self) -> bool {
        self.0 % UNIT == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The integer value, when the number has no fractional part.
    pub fn as_integer(self) -> Option<i64> {
        if self.is_integer() {
            i64::try_from(self.0 / UNIT).ok()
        } else {
            None
        }
    }
}

/// Prints the shortest exact decimal: `0`, `7545`, `5949.088667`, `0.5`.
impl fmt::Display for Number {
    /// Digit by digit into a buffer: a report's page and data files print
    /// about 400 numbers, and `write!` with its u128 arithmetic was 5 % of a
    /// build's CPU time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let unit = UNIT as u128;
        let (int, frac) = (abs / unit, (abs % unit) as u32);
        // i128 has at most 39 digits; with the sign, the point and six
        // decimals, 48 bytes hold any number.
        let mut buf = [0u8; 48];
        let mut at = buf.len();
        if frac != 0 {
            let (mut frac, mut digits) = (frac, SCALE);
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            for _ in 0..digits {
                at -= 1;
                buf[at] = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            at -= 1;
            buf[at] = b'.';
        }
        let mut int = int;
        loop {
            // u64 arithmetic once the rest fits (a cell always does): u128
            // division is what made `write!` slow.
            let digit = match u64::try_from(int) {
                Ok(small) => {
                    int = u128::from(small / 10);
                    small % 10
                }
                Err(_) => {
                    let digit = (int % 10) as u64;
                    int /= 10;
                    digit
                }
            };
            at -= 1;
            buf[at] = b'0' + digit as u8;
            if int == 0 {
                break;
            }
        }
        if self.0 < 0 {
            at -= 1;
            buf[at] = b'-';
        }
        f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| fmt::Error)?)
    }
}

/// Written as its exact decimal text ("123.45"), never as a float, so that
/// templates and JSON show every figure as published.
impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for text in ["0", "7545", "5949.088667", "0.5", "-3", "12.000001"] {
            assert_eq!(Number::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Number::parse("1.50").unwrap().to_string(), "1.5");
        for text in ["-0.5", "-12.000001", "0.000001", "-7545"] {
            assert_eq!(Number::parse(text).unwrap().to_string(), text);
        }
        // Past u64 (no cell is: the printing of sums takes the slow way).
        assert_eq!(
            Number(18_446_744_073_709_551_616_250_000).to_string(),
            "18446744073709551616.25"
        );
        // The extremes: every digit of i128, with and without the sign.
        assert_eq!(
            Number(i128::MIN).to_string(),
            "-170141183460469231731687303715884.105728"
        );
        assert_eq!(
            Number(i128::MAX).to_string(),
            "170141183460469231731687303715884.105727"
        );
        assert_eq!(Number::parse("+2").unwrap(), Number::from_int(2));
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        use ParseNumberError::*;
        assert_eq!(Number::parse("1e3"), Err(NotANumber));
        assert_eq!(Number::parse(".5"), Err(NotANumber));
        assert_eq!(Number::parse("5."), Err(NotANumber));
        assert_eq!(Number::parse("0x10"), Err(NotANumber));
        assert_eq!(Number::parse("1_000"), Err(NotANumber));
        assert_eq!(Number::parse("1.0000001"), Err(TooManyDecimals));
        assert_eq!(Number::parse("99999999999999999999999"), Err(TooLarge));
        assert_eq!(Number::parse("1000000000001"), Err(TooLarge));
        assert!(Number::parse("1000000000000").is_ok());
    }

    #[test]
    fn sums_money_exactly() {
        let a = Number::parse("0.1").unwrap();
        let b = Number::parse("0.2").unwrap();
        assert_eq!(a.checked_add(b).unwrap(), Number::parse("0.3").unwrap());
        let fees = Number::parse("5949.088667").unwrap();
        let total = Number::sum(std::iter::repeat_n(fees, 3)).unwrap();
        assert_eq!(total.to_string(), "17847.266001");
    }
}
