//! How alike two years' prose are, for the `copied_prose` flag.
//!
//! The measure: both texts are reduced to their letters (Chinese
//! characters, Latin letters) with every run of digits written as one sign
//! `#`, so punctuation, spaces, Markdown and updated years or figures do
//! not count; the similarity is then the Dice coefficient of their
//! character pairs (bigrams), counted with repetition:
//!
//! similarity = 2 × |pairs(A) ∩ pairs(B)| ÷ (|pairs(A)| + |pairs(B)|)
//!
//! 1 for the same text, 0 for texts without a pair in common; one changed
//! character in the middle of a text costs the two pairs it is part of, and
//! the order of sentences hardly matters (a text with its paragraphs moved
//! about is still a copy). It is symmetric and takes one pass over each text.

use std::collections::HashMap;

use super::Ratio;

/// Texts shorter than this (in kept characters) are not compared: a
/// 「无。」 is the same every year by necessity, not by copying.
pub const MIN_CHARS: usize = 50;

/// The characters the measure keeps, digits' runs as `#`.
pub fn normalise(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() / 3);
    let mut in_digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            if c.is_alphanumeric() {
                out.push(c);
            }
        }
    }
    out
}

fn pairs(chars: &[char]) -> HashMap<(char, char), u32> {
    let mut out = HashMap::with_capacity(chars.len());
    for w in chars.windows(2) {
        *out.entry((w[0], w[1])).or_insert(0) += 1;
    }
    out
}

/// The similarity of two texts as an exact fraction; `None` when either is
/// shorter than [`MIN_CHARS`] kept characters.
pub fn similarity(a: &str, b: &str) -> Option<Ratio> {
    let (a, b) = (normalise(a), normalise(b));
    if a.len() < MIN_CHARS || b.len() < MIN_CHARS {
        return None;
    }
    let (pa, pb) = (pairs(&a), pairs(&b));
    let shared: u64 = pa
        .iter()
        .map(|(k, n)| u64::from((*n).min(pb.get(k).copied().unwrap_or(0))))
        .sum();
    let all = (a.len() - 1 + b.len() - 1) as i128;
    Ratio::new(2 * i128::from(shared as i64), all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_letters_and_folds_digit_runs() {
        let kept: String = normalise("2023年，共收到 **12** 件。\n- 无")
            .into_iter()
            .collect();
        assert_eq!(kept, "#年共收到#件无");
    }

    #[test]
    fn same_text_with_new_figures_is_one() {
        let a = "本机关2023年共收到政府信息公开申请12件，均已按期答复。".repeat(4);
        let b = "本机关2024年共收到政府信息公开申请30件，均已按期答复。".repeat(4);
        assert_eq!(similarity(&a, &b), Ratio::new(1, 1));
    }

    #[test]
    fn short_texts_are_not_compared() {
        assert_eq!(similarity("无。", "无。"), None);
    }
}
