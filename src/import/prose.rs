//! The words of a report: its title (agency name and year), 公开日期 and
//! 索引号 when the text states them, the six section headings, and the
//! prose of the preamble and sections 一、五、六 as Markdown (sub-headings
//! kept, page numbers and running headers dropped, wrapped lines joined).

use std::collections::HashMap;
use std::ops::Range;

use super::text::{Compact, is_cjk, is_page_number, line_of, tidy_spaces};
use crate::model::Date;

/// Where the six sections' headings are: byte ranges of the heading text.
#[derive(Clone, Debug, Default)]
pub struct Headings {
    pub found: [Option<Range<usize>>; 6],
}

const NUMERALS: [char; 6] = ['一', '二', '三', '四', '五', '六'];

fn keywords(n: usize) -> &'static [&'static str] {
    match n {
        0 => &["总体情况", "概述"],
        1 => &["主动公开"],
        2 => &["收到和处理", "依申请公开"],
        3 => &["行政复议", "行政诉讼"],
        4 => &["问题"],
        _ => &["其他需要报告", "其他需要说明"],
    }
}

/// Finds the headings in order, each after the one before it. Headings are
/// told from row labels (`三、本年度办理结果`) by their words.
pub fn headings(text: &str, from: usize) -> Headings {
    let c = Compact::new(text);
    let mut h = Headings::default();
    let mut pos = c
        .offsets
        .iter()
        .position(|&o| o >= from)
        .unwrap_or(c.chars.len());
    for (n, numeral) in NUMERALS.iter().enumerate() {
        let pattern = format!("{numeral}.");
        let mut at = pos;
        while let Some(i) = c.find(&pattern, at) {
            // The title: up to a digit, another numbered heading, or 40 characters.
            let mut end = i + 2;
            while end < c.chars.len()
                && end - i < 42
                && !c.chars[end].is_ascii_digit()
                && !(end + 1 < c.chars.len()
                    && NUMERALS.contains(&c.chars[end])
                    && c.chars[end + 1] == '.')
            {
                end += 1;
            }
            let window = c.slice(i, end);
            if keywords(n).iter().any(|k| window.contains(k)) {
                let start = c.offset(i);
                let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                let line_len = text[start..line_end]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .count();
                let rest: String = text[start..line_end]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let inline = rest.chars().any(|c| c == '。' || c == '，')
                    || rest.chars().any(|c| c.is_ascii_digit());
                let stop = if line_len <= 40 && !inline {
                    line_end
                } else {
                    // Inline heading (glued text): up to its last word.
                    let suffixes = [
                        "改进情况",
                        "整改情况",
                        "整改措施",
                        "改进措施",
                        "情况",
                        "事项",
                    ];
                    let cut = suffixes
                        .iter()
                        .filter_map(|s| {
                            window
                                .find(s)
                                .map(|b| window[..b + s.len()].chars().count())
                        })
                        .min()
                        .unwrap_or(window.chars().count());
                    c.offset(i + cut - 1) + c.chars[i + cut - 1].len_utf8()
                };
                h.found[n] = Some(start..stop);
                // The next heading starts after this one ends.
                pos = c.offsets.partition_point(|&o| o < stop).max(i + 1);
                break;
            }
            at = i + 1;
        }
        if h.found[n].is_none()
            && let Some(r) = by_title(text, c.offset(pos), n)
        {
            pos = c.offsets.partition_point(|&o| o < r.end).max(pos);
            h.found[n] = Some(r);
        }
    }
    h
}

/// The words of each section's title, whatever its numbering.
pub const TITLES: [&[&str]; 6] = [
    &["总体情况", "概述"],
    &["主动公开政府信息情况", "主动公开政府信息"],
    &[
        "收到和处理政府信息公开申请情况",
        "收到和处理政府信息公开申请",
    ],
    &[
        "政府信息公开行政复议、行政诉讼情况",
        "政府信息公开行政复议",
        "行政复议、行政诉讼情况",
    ],
    &["存在的主要问题"],
    &["其他需要报告的事项"],
];

/// A line's text without a heading's marks: `## `, `表二：`, `一、`, `（一）`,
/// `1.`, `第一部分`.
fn heading_words(line: &str) -> String {
    let mut t: String = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_start_matches('#')
        .to_string();
    let numerals = |c: char| "一二三四五六七八九十".contains(c) || c.is_ascii_digit();
    if let Some(rest) = t.strip_prefix('表') {
        let rest = rest.trim_start_matches(numerals);
        t = rest.trim_start_matches(['：', ':', '、', '.']).to_string();
    }
    if let Some(rest) = t.strip_prefix('第') {
        let rest = rest.trim_start_matches(numerals);
        if let Some(rest) = rest.strip_prefix("部分") {
            t = rest.trim_start_matches(['：', ':', '、', '.']).to_string();
        }
    }
    let inner = t.trim_start_matches(['（', '(']);
    let after = inner.trim_start_matches(numerals);
    if after.len() < inner.len() {
        t = after
            .trim_start_matches(['）', ')', '、', '.', '．', '：', ':'])
            .to_string();
    }
    t
}

/// A heading found by its title words alone, at or after `from`: a short
/// line (no full stop) whose words, marks removed, start with them.
fn by_title(text: &str, from: usize, n: usize) -> Option<Range<usize>> {
    let mut at = 0;
    for line in text.split('\n') {
        let start = at;
        at += line.len() + 1;
        if start < from || line.contains('。') {
            continue;
        }
        let words = heading_words(line);
        if words.chars().count() <= 40 && TITLES[n].iter().any(|t| words.starts_with(t)) {
            let lead = line.len() - line.trim_start().len();
            return Some(start + lead..start + line.trim_end().len());
        }
    }
    None
}

/// The lines of a text that look like section headings (`一、…`, `表二：…`,
/// `## …`), for saying what a text has when a section is not found.
pub fn heading_like(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|l| {
            let first = l.chars().next().unwrap_or(' ');
            let second = l.chars().nth(1).unwrap_or(' ');
            l.chars().count() <= 40
                && !l.contains('。')
                && !l.chars().any(|c| c.is_ascii_digit())
                && (first == '#'
                    || first == '表'
                    || ("一二三四五六七八九十".contains(first)
                        && matches!(second, '、' | '.' | '．')))
        })
        .collect()
}

/// The heading as printed, without its numeral (or `表二：`) and spaces.
pub fn heading_title(text: &str, range: &Range<usize>) -> String {
    heading_words(&text[range.clone()])
}

/// What the title says: the agency's name and the report's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title {
    pub name: String,
    pub year: i32,
    pub line: usize,
    /// Byte offset of the end of the title's last line.
    pub end: usize,
}

const META_KEYS: &[&str] = &["标题", "名称", "正文"];

/// `卫滨区中同街街道办事处2024年政府信息公开工作年度报告` (maybe over two
/// lines, maybe with the year first): the last such title before `before`.
pub fn title(text: &str, before: usize) -> Option<Title> {
    let head = &text[..before.min(text.len())];
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut at = 0;
        for l in head.split('\n') {
            v.push((at, l));
            at += l.len() + 1;
        }
        v
    };
    let compact = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let mut best = None;
    for (k, &(at, line)) in lines.iter().enumerate() {
        let mut c = compact(line);
        let mut end_line = k;
        if !c.contains("报告")
            && let Some(&(_, next)) = lines.get(k + 1)
        {
            let n = compact(next);
            if n.ends_with("报告") && n.chars().count() <= 12 {
                c.push_str(&n);
                end_line = k + 1;
            }
        }
        if !c.contains("政府信息公开") || !c.contains("报告") || c.chars().count() > 80 {
            continue;
        }
        // The year: four digits followed by 年.
        let chars: Vec<char> = c.chars().collect();
        let Some(y) = (0..chars.len().saturating_sub(4))
            .find(|&i| chars[i..i + 4].iter().all(char::is_ascii_digit) && chars[i + 4] == '年')
        else {
            continue;
        };
        let year: i32 = chars[y..y + 4].iter().collect::<String>().parse().ok()?;
        let mut before: String = chars[..y].iter().collect();
        // Tabs and colons separate a page's metadata label from its value.
        if let Some((i, sep)) = line
            .char_indices()
            .rfind(|(_, c)| matches!(c, '\t' | ':' | '：'))
        {
            let value = compact(&line[i + sep.len_utf8()..]);
            if value.contains("政府信息公开") {
                let vc: Vec<char> = value.chars().collect();
                if let Some(y2) = (0..vc.len().saturating_sub(4))
                    .find(|&i| vc[i..i + 4].iter().all(char::is_ascii_digit) && vc[i + 4] == '年')
                {
                    before = vc[..y2].iter().collect();
                }
            }
        }
        for key in META_KEYS {
            if let Some(rest) = before.strip_prefix(key) {
                before = rest.trim_start_matches([':', '：']).to_string();
            }
        }
        let after: String = {
            let rest: String = chars[y + 5..].iter().collect();
            let rest = rest.strip_prefix('度').unwrap_or(&rest).to_string();
            rest.split("政府信息公开").next().unwrap_or("").to_string()
        };
        let name = if !before.is_empty() {
            before
        } else if !after.is_empty() {
            after
        } else {
            // The name on the line above (淮安市洪泽区人民政府 / 2024 年…).
            lines[..k]
                .iter()
                .rev()
                .map(|(_, l)| compact(l))
                .find(|l| !l.is_empty())
                .filter(|l| l.chars().count() <= 30 && !META_KEYS.contains(&l.as_str()))
                .unwrap_or_default()
        };
        // A path or address that happens to hold the title is not a name.
        if name.is_empty()
            || name
                .chars()
                .any(|c| c.is_ascii_alphabetic() || "/_\\:".contains(c))
        {
            continue;
        }
        let (end_at, end_text) = lines[end_line];
        best = Some(Title {
            name,
            year,
            line: line_of(text, at),
            end: end_at + end_text.len(),
        });
    }
    best
}

/// The year of the statistics period the preamble states
/// (「统计期限自2024年1月1日起至2024年12月31日止」).
pub fn period_year(text: &str) -> Option<i32> {
    let c: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let key: Vec<char> = "年1月1日".chars().collect();
    (4..c.len().saturating_sub(key.len() - 1)).find_map(|i| {
        (c[i..i + key.len()] == key[..] && c[i - 4..i].iter().all(char::is_ascii_digit))
            .then(|| c[i - 4..i].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// A page's metadata: `公开日期⇥2024-01-17`, `发布时间: 2024-03-08 15:34`,
/// `索引号⇥014314799/2024-00002`.
pub fn metadata(text: &str, before: usize) -> (Option<(Date, usize)>, Option<String>) {
    let mut date = None;
    let mut index = None;
    for (n, line) in text[..before.min(text.len())].lines().enumerate() {
        for key in ["公开日期", "发布日期", "发布时间"] {
            if date.is_none()
                && let Some(i) = line.find(key)
            {
                let rest = line[i + key.len()..].trim_start_matches([':', '：', '\t', ' ']);
                if let Some(d) = parse_date(rest) {
                    date = Some((d, n + 1));
                }
            }
        }
        if index.is_none()
            && let Some(i) = line.find("索引号")
        {
            let rest = line[i + "索引号".len()..].trim_start_matches([':', '：', '\t', ' ']);
            let value: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
            if !value.is_empty() && value.bytes().any(|b| b.is_ascii_digit()) {
                index = Some(value);
            }
        }
    }
    (date, index)
}

/// `2024-01-17`, `2024-1-17`, `2024年1月17日`.
fn parse_date(s: &str) -> Option<Date> {
    let s: String = if s
        .split_whitespace()
        .next()
        .is_some_and(|t| t.contains('-') || t.contains('/'))
    {
        s.split_whitespace().next().unwrap_or("").to_string()
    } else {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if matches!(c, '-' | '年' | '月' | '/' | '.') && !cur.is_empty() && parts.len() < 2
        {
            parts.push(std::mem::take(&mut cur));
        } else {
            break;
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    if parts.len() < 3 || parts[0].len() != 4 {
        return None;
    }
    let (m, d): (u32, u32) = (parts[1].parse().ok()?, parts[2].parse().ok()?);
    Date::parse(&format!("{}-{m:02}-{d:02}", parts[0]))
}

/// Lines that repeat on page after page (a running header or footer).
pub fn running_lines(text: &str) -> Vec<String> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for l in text.lines() {
        let t = l.trim();
        if !t.is_empty() && t.chars().count() <= 40 {
            *count.entry(t.to_string()).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|(l, n)| *n >= 3 && l.chars().any(is_cjk) && !l.contains('\t'))
        .map(|(l, _)| l)
        .collect()
}

/// Lines of a page's metadata block (web page copies, crawler dumps).
fn is_metadata(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with("===") || t.starts_with("页面链接") {
        return true;
    }
    let key: String = t
        .split(['\t', ':', '：'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    key.chars().count() <= 6
        && key.len() < t.len()
        && (t.contains('\t') || t[key.len()..].starts_with([':', '：']))
        && !key.is_empty()
        && !key.starts_with(['（', '一', '二', '三', '四', '五', '六'])
        || matches!(t, "文件下载" | "时效" | "正文")
}

/// Markdown from the prose lines of `range`: sub-headings (（一）主动公开)
/// become `###`, wrapped lines are joined into paragraphs.
pub fn markdown(
    text: &str,
    range: Range<usize>,
    running: &[String],
    glued: bool,
    full: usize,
) -> String {
    let raw = &text[range];
    let lines: Vec<&str> = raw
        .lines()
        .filter(|l| {
            let t = l.trim();
            let bare_number = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
            !is_page_number(t) && !bare_number && !running.iter().any(|r| r == t) && !is_metadata(l)
        })
        .collect();
    if glued {
        // One long line: a new paragraph where a numbered part (（二）…)
        // starts after a sentence.
        let mut out: Vec<String> = Vec::new();
        for l in lines
            .iter()
            .map(|l| tidy_spaces(l))
            .filter(|l| !l.is_empty())
        {
            let mut para = String::new();
            let chars: Vec<char> = l.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                let part = c == '（'
                    && i > 0
                    && chars[i - 1] == '。'
                    && chars.get(i + 2) == Some(&'）')
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| "一二三四五六七八九十".contains(*n));
                if part && !para.is_empty() {
                    out.push(escape(&std::mem::take(&mut para)));
                }
                para.push(c);
            }
            if !para.is_empty() {
                out.push(escape(&para));
            }
        }
        return out.join("\n\n");
    }
    // Web copies print a paragraph per line; PDFs wrap them.
    let web = full > 60;
    let mut blocks: Vec<String> = Vec::new();
    let mut para = String::new();
    let mut prev_len = 0;
    let mut blank = false;
    let flush = |para: &mut String, blocks: &mut Vec<String>| {
        if !para.is_empty() {
            blocks.push(escape(&std::mem::take(para)));
        }
    };
    for line in lines {
        let t = tidy_spaces(line);
        if t.is_empty() {
            blank = true;
            continue;
        }
        if is_sub_heading(&t) {
            flush(&mut para, &mut blocks);
            blocks.push(format!("### {t}"));
            blank = false;
            continue;
        }
        let marker = t.starts_with('（') && t.chars().nth(2) == Some('）');
        let ended = para.ends_with(['。', '！', '？', '；', '：']);
        let breaks = para.is_empty()
            || marker
            || web
            || (ended && (blank || prev_len + 2 < full || starts_item(&t)));
        if breaks {
            flush(&mut para, &mut blocks);
        } else if para
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && t.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            para.push(' ');
        }
        para.push_str(&t);
        prev_len = line.trim().chars().count();
        blank = false;
    }
    flush(&mut para, &mut blocks);
    blocks.join("\n\n")
}

/// The width of a full line of prose (80th percentile of the lines with
/// words, not of table cells), to tell a
/// paragraph's last line from a wrapped one.
pub fn line_width(text: &str) -> usize {
    let mut w: Vec<usize> = text
        .lines()
        .filter(|l| l.chars().filter(|&c| is_cjk(c)).count() >= 8)
        .map(|l| l.trim().chars().count())
        .collect();
    w.sort_unstable();
    // A page's line is never this long: a web copy, a paragraph per line.
    match w.last() {
        Some(&longest) if longest > 60 => longest,
        _ => w.get(w.len() * 4 / 5).copied().unwrap_or(0),
    }
}

/// `（一）主动公开` on a line of its own: a sub-heading.
fn is_sub_heading(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.first() == Some(&'（')
        && chars.iter().position(|&c| c == '）').is_some_and(|i| {
            i > 1
                && i <= 4
                && chars[1..i]
                    .iter()
                    .all(|c| "一二三四五六七八九十".contains(*c))
        })
        && chars.len() <= 30
        && !t.contains('。')
        && !t.contains('；')
}

fn starts_item(t: &str) -> bool {
    ["一是", "二是", "三是", "四是", "五是"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// Keeps Markdown from reading the text as markup it is not.
fn escape(p: &str) -> String {
    let mut s = p.to_string();
    if s.starts_with('#') || s.starts_with('>') || s.starts_with('-') || s.starts_with('+') {
        s.insert(0, '\\');
    }
    s.replace('*', "\\*").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-01-17").unwrap().to_string(), "2024-01-17");
        assert_eq!(
            parse_date("2024-03-08 15:34").unwrap().to_string(),
            "2024-03-08"
        );
        assert_eq!(
            parse_date("2024年1月17日").unwrap().to_string(),
            "2024-01-17"
        );
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn sub_headings() {
        assert!(is_sub_heading("（一）主动公开"));
        assert!(!is_sub_heading("（一）主动公开情况。主要通过"));
        assert!(!is_sub_heading("（本列数据的勾稽关系为）"));
    }
}
