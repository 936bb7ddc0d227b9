//! Figures of the tables that a report's prose states in words (「共收到政府
//! 信息公开申请26件」): found by a small table of phrasings, each tied to the
//! cells it states. Used by the rule X3 (prose against tables) and by
//! `import`, where a stated figure can decide between readings of the
//! tables (it never changes a number).
//!
//! Only phrasings that state the table's own figure are recognised; a
//! sub-scope (「区政府办代表区政府受理…17件」, 「各部门共受理…」), another
//! year, or a comparison (同比、较上年) is passed over in silence, since a
//! false alarm on a correct report is worse than a missed one.

use super::Number;

/// One phrasing the prose is searched for.
#[derive(Clone, Copy, Debug)]
pub struct Phrasing {
    /// What the phrase says, e.g. `共收到/受理…申请 N 件`.
    pub name: &'static str,
    /// The cells whose sum the figure states: (row key, column; `None` = 总计).
    pub cells: &'static [(&'static str, Option<usize>)],
}

const NEW: Phrasing = Phrasing {
    name: "共收到/共受理/新收…申请 N 件",
    cells: &[("requests.new", None)],
};
const HANDLED: Phrasing = Phrasing {
    name: "办结 N 件",
    cells: &[("requests.total", None)],
};
const CARRIED_OVER: Phrasing = Phrasing {
    name: "上年结转 N 件",
    cells: &[("requests.carried_over", None)],
};
const CARRIED_FORWARD: Phrasing = Phrasing {
    name: "结转下年度 N 件",
    cells: &[("requests.carried_forward", None)],
};
const GRANTED: Phrasing = Phrasing {
    name: "予以公开 N 件",
    cells: &[("requests.granted", None)],
};
const GRANTED_OR_PARTLY: Phrasing = Phrasing {
    name: "予以公开及部分公开 N 件",
    cells: &[
        ("requests.granted", None),
        ("requests.partially_granted", None),
    ],
};
const REVIEW: Phrasing = Phrasing {
    name: "行政复议 N 件",
    cells: &[("reviews.review", None)],
};
const LITIGATION: Phrasing = Phrasing {
    name: "行政诉讼 N 件",
    cells: &[
        ("reviews.litigation_direct", None),
        ("reviews.litigation_after_review", None),
    ],
};
const REVIEW_UPHELD: Phrasing = Phrasing {
    name: "行政复议…其中结果维持 N 件",
    cells: &[("reviews.review", Some(0))],
};
const REVIEW_CORRECTED: Phrasing = Phrasing {
    name: "行政复议…结果纠正 N 件",
    cells: &[("reviews.review", Some(1))],
};
const REVIEW_OTHER: Phrasing = Phrasing {
    name: "行政复议…其他结果 N 件",
    cells: &[("reviews.review", Some(2))],
};
const REVIEW_PENDING: Phrasing = Phrasing {
    name: "行政复议…尚未审结 N 件",
    cells: &[("reviews.review", Some(3))],
};

const ISSUED: Phrasing = Phrasing {
    name: "制发（的）（行政）规范性文件 N 件",
    cells: &[("active.normative_documents", Some(0))],
};

/// Every phrasing recognised, for the README and the tests.
pub const PHRASINGS: &[Phrasing] = &[
    ISSUED,
    NEW,
    HANDLED,
    CARRIED_OVER,
    CARRIED_FORWARD,
    GRANTED,
    GRANTED_OR_PARTLY,
    REVIEW,
    REVIEW_UPHELD,
    REVIEW_CORRECTED,
    REVIEW_OTHER,
    REVIEW_PENDING,
    LITIGATION,
];

/// A figure the prose states.
#[derive(Clone, Debug, PartialEq)]
pub struct Stated {
    pub phrasing: &'static str,
    pub cells: &'static [(&'static str, Option<usize>)],
    pub value: Number,
    /// The phrase as printed (whitespace removed).
    pub phrase: String,
    /// Byte range of the phrase in the text searched.
    pub start: usize,
    pub end: usize,
}

/// The text without whitespace and Markdown emphasis, each character with
/// its byte offset (phrases wrap across lines in extracted text).
struct Flat {
    chars: Vec<char>,
    at: Vec<usize>,
    end: Vec<usize>,
}

impl Flat {
    fn new(text: &str) -> Flat {
        let mut f = Flat {
            chars: Vec::new(),
            at: Vec::new(),
            end: Vec::new(),
        };
        for (i, c) in text.char_indices() {
            if c.is_whitespace() || c == '*' {
                continue;
            }
            let c = match c {
                '\u{ff10}'..='\u{ff19}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            };
            f.chars.push(c);
            f.at.push(i);
            f.end.push(i + c.len_utf8());
        }
        f
    }

    fn starts_with(&self, i: usize, word: &str) -> bool {
        (i..)
            .zip(word.chars())
            .all(|(k, w)| self.chars.get(k) == Some(&w))
    }

    /// The number at `i` followed by 件: (value, index after 件).
    fn count(&self, i: usize) -> Option<(Number, usize)> {
        if i > 0 && self.chars[i - 1].is_ascii_digit() {
            return None;
        }
        let digits: String = self.chars[i.min(self.chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits.is_empty() || digits.len() > 12 || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        let after = i + digits.len();
        (self.chars.get(after) == Some(&'件'))
            .then(|| Number::parse(&digits).ok().map(|n| (n, after + 1)))
            .flatten()
    }

    /// The clause before `i`: back to the last full stop, semicolon, comma
    /// or colon (at most 40 characters).
    fn clause_before(&self, i: usize) -> String {
        let mut s = i;
        while s > 0
            && i - s < 40
            && !matches!(
                self.chars[s - 1],
                '。' | '；' | ';' | '，' | ',' | '：' | ':' | '！' | '？'
            )
        {
            s -= 1;
        }
        self.chars[s..i].iter().collect()
    }

    /// The sentence before `i`: back to the last full stop (at most 80).
    fn sentence_before(&self, i: usize) -> String {
        let mut s = i;
        while s > 0 && i - s < 80 && !matches!(self.chars[s - 1], '。' | '；' | ';' | '！' | '？')
        {
            s -= 1;
        }
        self.chars[s..i].iter().collect()
    }
}

/// Words that make a clause someone else's figure, a part, or a comparison.
const NOT_OWN: &[&str] = &[
    "代表",
    "其中",
    "部门",
    "各",
    "网络",
    "问政",
    "信访",
    "热线",
    "留言",
    "来信",
    "同比",
    "较上年",
    "比上年",
    "去年",
    "上一年",
    "累计",
    "平均",
    "单位",
];

fn own_clause(clause: &str) -> bool {
    !NOT_OWN.iter().any(|w| clause.contains(w))
}

/// A four-digit year other than `year` (「2023年共收到…」 in a 2024 report).
fn other_year(text: &str, year: i32) -> bool {
    let c: Vec<char> = text.chars().collect();
    (0..c.len().saturating_sub(4)).any(|i| {
        c[i..i + 4].iter().all(char::is_ascii_digit)
            && c[i + 4] == '年'
            && (i == 0 || !c[i - 1].is_ascii_digit())
            && c[i..i + 4].iter().collect::<String>().parse::<i32>().ok() != Some(year)
    })
}

/// The words between a verb and its figure (「依申请信息公开」, 「政府信息公开
/// 申请」): at most 12 characters, no digit, no punctuation.
fn object_words(f: &Flat, from: usize) -> Option<usize> {
    let mut k = from;
    while k < f.chars.len() && k - from <= 12 {
        let c = f.chars[k];
        if c.is_ascii_digit() {
            return Some(k);
        }
        if matches!(
            c,
            '。' | '，' | ',' | '；' | '：' | '、' | '（' | '(' | '）' | ')'
        ) {
            return None;
        }
        k += 1;
    }
    None
}

/// Every figure of the tables `text` states, by the phrasings of
/// [`PHRASINGS`], for a report of `year`.
pub fn find(text: &str, year: i32) -> Vec<Stated> {
    let f = Flat::new(text);
    let mut out = Vec::new();
    let push = |out: &mut Vec<Stated>, p: Phrasing, start: usize, value: Number, end: usize| {
        out.push(Stated {
            phrasing: p.name,
            cells: p.cells,
            value,
            phrase: f.chars[start..end].iter().collect(),
            start: f.at[start],
            end: f.end[end - 1],
        });
    };
    let n = f.chars.len();
    let mut i = 0;
    while i < n {
        // Every phrasing below starts with one of these: the other
        // characters (most of the text) are passed over at once.
        if !matches!(
            f.chars[i],
            '共' | '新' | '制' | '办' | '上' | '结' | '予' | '行'
        ) {
            i += 1;
            continue;
        }
        let sentence = || f.sentence_before(i);
        let clause = || f.clause_before(i);
        let usable = || own_clause(&clause()) && !other_year(&sentence(), year);
        // 共收到 / 共受理 / 新收 … 申请 N 件
        let verb = ["共收到", "共计收到", "共受理", "共计受理", "新收"]
            .iter()
            .find(|v| f.starts_with(i, v));
        if let Some(v) = verb {
            let from = i + v.chars().count();
            if let Some(k) = object_words(&f, from) {
                let object: String = f.chars[from..k].iter().collect();
                let about_requests = object.contains("公开申请")
                    || object.contains("依申请")
                    || object.contains("信息公开");
                if about_requests
                    && usable()
                    && let Some((value, end)) = f.count(k)
                {
                    push(&mut out, NEW, i, value, end);
                    i = end;
                    continue;
                }
            }
        }
        // 制发(的)(行政)规范性文件 N 件 (the 2021 format's 本年制发件数). Not
        // 现行有效…N件: 平潭 2023 states the 393 its library shows, the
        // table 470.
        for (verb, p) in [("制发", ISSUED)] {
            if !f.starts_with(i, verb) {
                continue;
            }
            let mut k = i + verb.chars().count();
            if f.chars.get(k) == Some(&'的') {
                k += 1;
            }
            if f.starts_with(k, "行政") {
                k += 2;
            }
            if f.starts_with(k, "规范性文件")
                && usable()
                && let Some((value, end)) = f.count(k + 5)
            {
                push(&mut out, p, i, value, end);
            }
        }
        if f.starts_with(i, "办结") {
            let from = i + 2;
            if let Some(k) = object_words(&f, from) {
                let object: String = f.chars[from..k].iter().collect();
                let fits = object.is_empty() || object.contains("申请");
                if fits
                    && usable()
                    && let Some((value, end)) = f.count(k)
                {
                    push(&mut out, HANDLED, i, value, end);
                    i = end;
                    continue;
                }
            }
        }
        for (word, p) in [
            ("上年结转", CARRIED_OVER),
            ("结转下年度继续办理", CARRIED_FORWARD),
            ("结转下年度", CARRIED_FORWARD),
            ("结转至下年度", CARRIED_FORWARD),
        ] {
            if f.starts_with(i, word) {
                let from = i + word.chars().count();
                let clause = f.clause_before(i);
                if let Some(k) = object_words(&f, from)
                    && (k == from || f.chars[from..k].iter().collect::<String>().contains("申请"))
                    && !NOT_OWN
                        .iter()
                        .filter(|w| **w != "其中")
                        .any(|w| clause.contains(w))
                    && !other_year(&f.sentence_before(i), year)
                    && let Some((value, end)) = f.count(k)
                {
                    push(&mut out, p, i, value, end);
                    i = end;
                    break;
                }
            }
        }
        for (word, p) in [
            ("予以公开及部分公开", GRANTED_OR_PARTLY),
            ("予以公开和部分公开", GRANTED_OR_PARTLY),
            ("予以公开", GRANTED),
        ] {
            if f.starts_with(i, word)
                && !(i > 0 && f.chars[i - 1] == '动')
                && let Some((value, end)) = f.count(i + word.chars().count())
            {
                // 「其中予以公开…」 is the table's own breakdown of what was
                // handled: only another body or year is passed over.
                let clause = f.clause_before(i);
                let ok = !NOT_OWN
                    .iter()
                    .filter(|w| **w != "其中")
                    .any(|w| clause.contains(w))
                    && !other_year(&f.sentence_before(i), year);
                if ok {
                    push(&mut out, p, i, value, end);
                }
                i = end;
                break;
            }
        }
        for (word, p) in [("行政复议", REVIEW), ("行政诉讼", LITIGATION)] {
            if !f.starts_with(i, word) {
                continue;
            }
            let mut from = i + 4;
            for filler in ["案件", "申请"] {
                if f.starts_with(from, filler) {
                    from += 2;
                }
            }
            let clause = f.clause_before(i);
            let own = !NOT_OWN
                .iter()
                .filter(|w| **w != "其中")
                .any(|w| clause.contains(w))
                && !other_year(&f.sentence_before(i), year);
            if let Some((value, end)) = f.count(from)
                && own
            {
                push(&mut out, p, i, value, end);
                let mut k = end;
                if word == "行政复议" && f.starts_with(k, "，其中") {
                    k += 3;
                    loop {
                        let part = [
                            ("结果维持", REVIEW_UPHELD),
                            ("维持", REVIEW_UPHELD),
                            ("结果纠正", REVIEW_CORRECTED),
                            ("纠正", REVIEW_CORRECTED),
                            ("其他结果", REVIEW_OTHER),
                            ("尚未审结", REVIEW_PENDING),
                        ]
                        .into_iter()
                        .find(|(w, _)| f.starts_with(k, w));
                        let Some((w, p)) = part else { break };
                        let Some((value, end)) = f.count(k + w.chars().count()) else {
                            break;
                        };
                        push(&mut out, p, k, value, end);
                        k = end;
                        if f.chars
                            .get(k)
                            .is_some_and(|c| matches!(c, '，' | '、' | ','))
                        {
                            k += 1;
                        } else {
                            break;
                        }
                    }
                }
                i = k;
                break;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, year: i32) -> Vec<(&'static str, String)> {
        find(text, year)
            .into_iter()
            .map(|s| (s.phrasing, s.value.to_string()))
            .collect()
    }

    #[test]
    fn sub_scopes_other_years_and_comparisons_are_silent() {
        assert!(
            read(
                "2024年，区政府办代表区政府受理政府信息公开申请17件，均已答复。",
                2024
            )
            .is_empty()
        );
        assert!(read("全年受理网络问政182件。", 2023).is_empty());
        assert!(read("2023年共收到政府信息公开申请12件。", 2024).is_empty());
        assert!(read("各部门共受理政府信息公开申请40件。", 2024).is_empty());
        assert!(read("主动予以公开12件。", 2024).is_empty());
        assert!(read("共收到申请较上年增加12件。", 2024).is_empty());
        assert!(read("各部门制发规范性文件12件。", 2024).is_empty());
    }

    #[test]
    fn carried_forward_and_granted() {
        assert_eq!(
            read("办结20件，其中予以公开5件，结转下年度继续办理3件。", 2024),
            [
                ("办结 N 件", "20".to_string()),
                ("予以公开 N 件", "5".to_string()),
                ("结转下年度 N 件", "3".to_string()),
            ]
        );
    }

    #[test]
    fn reviews_with_their_results() {
        assert_eq!(
            read(
                "行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件。",
                2024
            ),
            [
                ("行政复议 N 件", "351".to_string()),
                ("行政复议…其中结果维持 N 件", "72".to_string()),
                ("行政复议…结果纠正 N 件", "64".to_string()),
                ("行政复议…其他结果 N 件", "178".to_string()),
                ("行政复议…尚未审结 N 件", "37".to_string()),
            ]
        );
    }
}
