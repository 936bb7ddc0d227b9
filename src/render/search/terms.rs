//! How text becomes search terms, the same in Rust (the index) and in
//! search.js (the query): full-width ASCII folded to ASCII and lower case;
//! a run of Han characters gives its overlapping pairs (中同街 → 中同, 同街),
//! so a Chinese word is found inside running text without a dictionary; a
//! run of one Han character gives that character; a run of ASCII letters and
//! digits is one term (2024, pdf). Short fields (the title, the agency's
//! names, the category) give every Han character alone too, so a query of
//! one character finds them. Anything else separates terms.
//!
//! In memory a term is a `u64` key (no allocation per term): a character or
//! a pair packed as code points, a word of up to six bytes packed as bytes,
//! a longer word as a 48-bit hash whose text the page keeps beside it.

/// The bits of a key that hold the term (the rest hold its weight).
pub const KEY_BITS: u32 = 56;
const TAG: u32 = 54;
const HAN1: u64 = 0;
const HAN2: u64 = 1;
const WORD: u64 = 2;
const LONG: u64 = 3;

/// The longest word kept as a term (a longer one is cut to this).
pub const MAX_WORD: usize = 32;

/// Han ideographs (the CJK blocks, their extensions and compatibility forms) and 〇.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Full-width ASCII as ASCII, upper case as lower case.
pub fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// One term, as the caller sees it: its key, and its text when the key is a
/// hash (a word longer than six bytes).
pub enum Term<'a> {
    Packed(u64),
    Long(u64, &'a str),
}

/// Calls `found` with every term of `text`, in order. `every_char`: each
/// Han character is a term as well as each pair (short fields).
pub fn terms(text: &str, every_char: bool, mut found: impl FnMut(Term)) {
    let mut word = String::new();
    let mut run: [Option<char>; 2] = [None, None];
    let mut run_len = 0usize;
    let end_run = |prev: Option<char>, run_len: usize, found: &mut dyn FnMut(Term)| {
        if let (1, false, Some(c)) = (run_len, every_char, prev) {
            found(Term::Packed(han1(c)));
        }
    };
    let end_word = |word: &mut String, found: &mut dyn FnMut(Term)| {
        if !word.is_empty() {
            found(word_term(word));
            word.clear();
        }
    };
    for c in text.chars() {
        let c = fold(c);
        if is_han(c) {
            end_word(&mut word, &mut found);
            if every_char {
                found(Term::Packed(han1(c)));
            }
            if let Some(prev) = run[1] {
                found(Term::Packed(han2(prev, c)));
            }
            run = [run[1], Some(c)];
            run_len += 1;
        } else {
            end_run(run[1], run_len, &mut found);
            run = [None, None];
            run_len = 0;
            if c.is_ascii_alphanumeric() {
                if word.len() < MAX_WORD {
                    word.push(c);
                }
            } else {
                end_word(&mut word, &mut found);
            }
        }
    }
    end_run(run[1], run_len, &mut found);
    end_word(&mut word, &mut found);
}

fn han1(c: char) -> u64 {
    (HAN1 << TAG) | c as u64
}

fn han2(a: char, b: char) -> u64 {
    (HAN2 << TAG) | ((a as u64) << 21) | b as u64
}

fn word_term(word: &str) -> Term<'_> {
    if word.len() <= 6 {
        let packed = word.bytes().fold(0u64, |k, b| (k << 8) | b as u64);
        Term::Packed((WORD << TAG) | packed)
    } else {
        // FNV-1a, 48 bits: the text is kept beside it, so a collision
        // (not seen in practice) would only merge two long words' lists.
        let h = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        Term::Long((LONG << TAG) | (h & 0xFFFF_FFFF_FFFF), word)
    }
}

/// The text of a packed key (`None` for a long word's hash, whose text the
/// page keeps).
pub fn text(key: u64) -> Option<String> {
    let body = key & ((1 << TAG) - 1);
    match key >> TAG {
        HAN1 => char::from_u32(body as u32).map(String::from),
        HAN2 => {
            let a = char::from_u32((body >> 21) as u32)?;
            let b = char::from_u32((body & 0x1F_FFFF) as u32)?;
            Some([a, b].iter().collect())
        }
        WORD => {
            let bytes: Vec<u8> = body.to_be_bytes().into_iter().filter(|&b| b != 0).collect();
            String::from_utf8(bytes).ok()
        }
        _ => None,
    }
}

/// The shard of the index that holds `term`: FNV-1a (32 bits) of its UTF-8
/// bytes, modulo the number of shards (a power of two). search.js computes
/// the same.
pub fn shard(term: &str, shards: u32) -> u32 {
    let h = term.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    });
    h & (shards - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, every_char: bool) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, every_char, |t| {
            out.push(match t {
                Term::Packed(k) => super::text(k).unwrap(),
                Term::Long(_, w) => w.to_string(),
            })
        });
        out
    }

    #[test]
    fn han_runs_give_pairs_and_lone_characters_words_are_whole() {
        assert_eq!(all("中同街", false), ["中同", "同街"]);
        assert_eq!(all("中同街", true), ["中", "同", "中同", "街", "同街"]);
        assert_eq!(
            all("2024年，区。Ｐdf文件", false),
            ["2024", "年", "区", "pdf", "文件"]
        );
        assert_eq!(
            all("依申请公开（政府）", false),
            ["依申", "申请", "请公", "公开", "政府"]
        );
        assert_eq!(all("gov.cn/abcdefghij", false), ["gov", "cn", "abcdefghij"]);
        assert_eq!(all("", true), Vec::<String>::new());
    }

    #[test]
    fn shards_match_the_clients_hash() {
        // FNV-1a's published values; search.js computes the same (tested
        // in the browser by finding terms in every shard).
        assert_eq!(shard("a", 1 << 31), 0xe40c_292c & ((1 << 31) - 1));
        assert_eq!(shard("foobar", 1 << 31), 0xbf9c_f968 & ((1 << 31) - 1));
        assert_eq!(shard("anything", 1), 0);
    }
}
