//! Text normalisation for `import`: full-width digits and letters, BOM, CR,
//! form feeds, page numbers, whitespace-insensitive search (spaced-out and
//! wrapped labels), and the small fixes for characters OCR confuses.

/// The text of a report with one entry per line (1-based numbers, as an
/// editor shows them).
pub fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        let mapped = match c {
            '\u{feff}' | '\x0c' => continue,
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                '\n'
            }
            '\u{3000}' | '\u{a0}' | '\u{2002}' | '\u{2003}' => ' ',
            '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
                char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
            }
            '\u{ff0e}' => '.',
            '\u{ff5c}' => '|',
            '\u{ff0d}' | '\u{2212}' => '-',
            _ => c,
        };
        out.push(mapped);
    }
    out
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Chinese punctuation that glues to the text around it without spaces.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '“' | '”' | '‘' | '’' | '…' | '—')
}

/// `-1-`, `— 2 —`, `第3页`, `第 3 页 共 5 页`: a page number line.
pub fn is_page_number(line: &str) -> bool {
    let t = line.trim();
    let dashes = ['-', '—', '–', '－', '_'];
    let inner = t.trim_matches(|c: char| dashes.contains(&c) || c.is_whitespace());
    if !inner.is_empty()
        && inner.len() < t.len()
        && t.starts_with(dashes)
        && t.ends_with(dashes)
        && inner.chars().all(|c| c.is_ascii_digit())
    {
        return true;
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(rest) = compact.strip_prefix('第') {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            let tail = &rest[digits.len()..];
            if tail == "页" {
                return true;
            }
            if let Some(total) = tail
                .strip_prefix("页共")
                .or_else(|| tail.strip_prefix("页，共"))
            {
                return total.ends_with('页')
                    && total[..total.len() - '页'.len_utf8()]
                        .chars()
                        .all(|c| c.is_ascii_digit());
            }
        }
    }
    false
}

/// Line number (1-based) of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Characters OCR often confuses in the printed labels, folded for matching
/// only (never in numbers or in the prose that is written out).
fn fold(c: char) -> char {
    match c {
        '己' | '巳' => '已',
        '末' => '未',
        '、' | '．' => '.',
        '(' => '（',
        ')' => '）',
        ':' => '：',
        ',' => '，',
        _ => c,
    }
}

/// The text without whitespace, each character remembering its byte offset:
/// labels are found whatever spaces or line breaks the extraction put into
/// them (`三 、本 年 度办 理 结果`, a label wrapped over three lines).
pub struct Compact {
    pub chars: Vec<char>,
    pub offsets: Vec<usize>,
    len: usize,
}

impl Compact {
    pub fn new(text: &str) -> Compact {
        let mut chars = Vec::new();
        let mut offsets = Vec::new();
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                chars.push(fold(c));
                offsets.push(i);
            }
        }
        Compact {
            chars,
            offsets,
            len: text.len(),
        }
    }

    /// Index (in `chars`) of the first match of `pattern` at or after `from`.
    pub fn find(&self, pattern: &str, from: usize) -> Option<usize> {
        let pat: Vec<char> = pattern
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(fold)
            .collect();
        if pat.is_empty() || pat.len() > self.chars.len() {
            return None;
        }
        (from..=self.chars.len() - pat.len()).find(|&i| self.chars[i..i + pat.len()] == pat[..])
    }

    /// Number of compact characters of `pattern`.
    pub fn width(pattern: &str) -> usize {
        pattern.chars().filter(|c| !c.is_whitespace()).count()
    }

    /// Byte offset in the text of compact index `i` (the text's end past the last).
    pub fn offset(&self, i: usize) -> usize {
        self.offsets.get(i).copied().unwrap_or(self.len)
    }

    pub fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from.min(self.chars.len())..to.min(self.chars.len())]
            .iter()
            .collect()
    }
}

/// Removes spaces the extraction put between Chinese characters and
/// numbers (`2024 年` → `2024年`), keeping those between Latin words.
pub fn tidy_spaces(line: &str) -> String {
    let chars: Vec<char> = line.trim().chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            let glue = |c: Option<char>| c.is_some_and(|c| is_cjk(c) || is_cjk_punct(c));
            if !(glue(before) || glue(after)) {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_widths_and_page_numbers() {
        assert_eq!(normalize("１２３，ＡＢ\r\n\x0c"), "123，AB\n");
        assert!(is_page_number("-3-"));
        assert!(is_page_number("— 4 —"));
        assert!(is_page_number("第 2 页 共 5 页"));
        assert!(!is_page_number("31"));
        assert!(!is_page_number("-1"));
        assert_eq!(
            tidy_spaces("2024 年，我区 17 件 see it"),
            "2024年，我区17件see it"
        );
    }

    #[test]
    fn finds_spaced_out_labels() {
        let text = "x\n三 、本 年 度办 理 结果\n";
        let c = Compact::new(text);
        let i = c.find("三、本年度办理结果", 0).unwrap();
        assert_eq!(line_of(text, c.offset(i)), 2);
    }
}
