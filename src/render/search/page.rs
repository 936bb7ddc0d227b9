//! A rendered page as the index reads it. The theme marks the element that
//! holds what is worth finding with `data-search-body` and gives the page's
//! facts as its attributes: `data-search-year`, `data-search-category` and
//! `data-search-names` (the agency's full and short names). Its first `<h1>`
//! is the title; elements marked `data-search-ignore`, the official tables
//! (`div.table-scroll`: the same labels on every report), SVG and scripts
//! are left out. The rest is the text that is indexed and that excerpts are
//! cut from.

use std::collections::HashMap;

use crate::render::hash::FastHash;

use super::terms::{self, KEY_BITS, Term};

/// How much a term counts in each field, against 1 in the text: the names
/// weigh most, so 中同街 puts its agency and reports above pages that
/// merely mention it.
const TITLE: u32 = 4;
const NAMES: u32 = 6;
const CATEGORY: u32 = 3;

/// One indexed page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Output path, `/`-separated (`2024/weibin/index.html`).
    pub path: String,
    pub title: String,
    /// A report's year (an agency page has none).
    pub year: Option<i32>,
    pub category: String,
    /// The text, blocks separated by newlines.
    pub text: String,
    /// `key << 8 | weight` for each term (the weight summed over the fields,
    /// at most 255), sorted.
    pub terms: Vec<u64>,
    /// The text of the terms whose key is a hash.
    pub long: Vec<(u64, Box<str>)>,
    /// The sum of the weights (BM25's document length).
    pub length: u32,
}

/// The page, when it has a `data-search-body` element.
pub fn read(path: &str, html: &str) -> Option<Page> {
    let mark = html.find(" data-search-body")?;
    let start = html[..mark].rfind('<')?;
    let open_end = start + html[start..].find('>')?;
    let open = &html[start..open_end];
    let name = tag_name(&open[1..]);
    let end = element_end(html, start, name).unwrap_or(html.len());
    let mut title = String::new();
    let mut text = String::new();
    walk(&html[open_end + 1..end], &mut text, &mut title);
    if let (true, Some(a), Some(b)) = (
        title.is_empty(),
        html.find("<title>"),
        html.find("</title>"),
    ) && a < b
    {
        decode_into(&html[a + 7..b], &mut title);
    }
    let year = attribute(open, "data-search-year").and_then(|y| y.parse().ok());
    let category = attribute(open, "data-search-category").unwrap_or_default();
    let names = attribute(open, "data-search-names").unwrap_or_default();
    let text = tidy(&text);
    let title = tidy(&title).replace('\n', " ");

    let mut weights: HashMap<u64, u32, FastHash> = HashMap::default();
    let mut long: Vec<(u64, Box<str>)> = Vec::new();
    let mut length = 0u32;
    for (field, weight, every_char) in [
        (&text, 1, false),
        (&title, TITLE, true),
        (&names, NAMES, true),
        (&category, CATEGORY, true),
    ] {
        terms::terms(field, every_char, |term| {
            let key = match term {
                Term::Packed(k) => k,
                Term::Long(k, word) => {
                    if !long.iter().any(|(l, _)| *l == k) {
                        long.push((k, word.into()));
                    }
                    k
                }
            };
            *weights.entry(key).or_insert(0) += weight;
            length = length.saturating_add(weight);
        });
    }
    let mut keys: Vec<u64> = weights
        .into_iter()
        .map(|(k, w)| (k << 8) | w.min(255) as u64)
        .collect();
    keys.sort_unstable();
    debug_assert!(keys.iter().all(|k| k >> 8 < 1 << KEY_BITS));
    long.sort();
    Some(Page {
        path: path.to_string(),
        title,
        year,
        category,
        text,
        terms: keys,
        long,
        length,
    })
}

/// The element names after which the text starts a new block.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "main"
            | "nav"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "blockquote"
            | "pre"
            | "br"
            | "hr"
            | "figure"
            | "figcaption"
    )
}

/// Appends the text of `html` to `text`, the first `<h1>`'s to `title`.
fn walk(html: &str, text: &mut String, title: &mut String) {
    let mut at = 0;
    let mut in_title = false;
    while at < html.len() {
        let Some(lt) = html[at..].find('<').map(|i| at + i) else {
            decode_into(&html[at..], if in_title { &mut *title } else { &mut *text });
            break;
        };
        decode_into(
            &html[at..lt],
            if in_title { &mut *title } else { &mut *text },
        );
        if html[lt..].starts_with("<!--") {
            at = html[lt..].find("-->").map_or(html.len(), |i| lt + i + 3);
            continue;
        }
        let Some(gt) = html[lt..].find('>').map(|i| lt + i) else {
            break;
        };
        let tag = &html[lt + 1..gt];
        at = gt + 1;
        if let Some(closing) = tag.strip_prefix('/') {
            let name = tag_name(closing);
            if name == "h1" && in_title {
                in_title = false;
            } else if is_block(name) {
                text.push('\n');
            }
            continue;
        }
        let name = tag_name(tag);
        let skip = matches!(name, "svg" | "script" | "style" | "template" | "table")
            || tag.contains("data-search-ignore")
            || attribute(tag, "class").is_some_and(|c| c.split(' ').any(|c| c == "table-scroll"));
        if skip {
            if !tag.ends_with('/') {
                at = element_end(html, lt, name).unwrap_or(html.len());
            }
            text.push('\n');
            continue;
        }
        if name == "h1" && title.is_empty() {
            in_title = true;
        } else if is_block(name) {
            text.push('\n');
        }
    }
}

/// A tag's name, lower case as the theme writes it.
fn tag_name(tag: &str) -> &str {
    let end = tag
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    &tag[..end]
}

/// The value of attribute `name` in a start tag (quoted or not), decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before = tag[..i].chars().next_back();
        if !matches!(before, Some(' ' | '\n' | '\t')) {
            continue;
        }
        let rest = &tag[from..];
        let Some(rest) = rest.strip_prefix('=') else {
            if rest.is_empty() || rest.starts_with([' ', '/', '>']) {
                return Some(String::new());
            }
            continue;
        };
        let raw = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest.split([' ', '>']).next().unwrap_or(""),
        };
        let mut out = String::new();
        decode_into(raw, &mut out);
        return Some(out);
    }
    None
}

/// Where the element `name` opening at `start` ends (after its closing
/// tag), counting the same elements nested inside it.
fn element_end(html: &str, start: usize, name: &str) -> Option<usize> {
    // memchr's SIMD search, not str::find: the body element is searched
    // to its end on every page (str::find's two-way search over the
    // Chinese text was 6 % of a build's CPU time).
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let opens = memchr::memmem::Finder::new(&open);
    let closes = memchr::memmem::Finder::new(&close);
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut at = start;
    loop {
        let next_close = at + closes.find(&bytes[at..])?;
        // Only an opening before that close matters: searching no further
        // keeps the reading linear.
        match opens.find(&bytes[at..next_close]).map(|i| at + i) {
            // `<div` but not `<divider`.
            Some(o) if !matches!(bytes.get(o + open.len()), Some(b' ' | b'>' | b'/')) => {
                at = o + open.len();
            }
            Some(o) => {
                depth += 1;
                at = o + open.len();
            }
            None => {
                depth = depth.checked_sub(1)?;
                at = next_close + close.len();
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

/// Appends `html` text to `out` with its character references decoded.
fn decode_into(html: &str, out: &mut String) {
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let n = if let Some(h) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = name.strip_prefix('#') {
                        d.parse().ok()
                    } else {
                        None
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Runs of blanks as one space, blank lines dropped, lines trimmed.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let mut first = true;
        for w in words {
            if !first {
                out.push(' ');
            }
            out.push_str(w);
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "<!DOCTYPE html><html lang=zh-CN><head><title>T</title></head><body><nav>菜单</nav><main><article class=report data-search-body data-search-year=2024 data-search-category=街道 data-search-names=\"卫滨区中同街街道办事处 中同街&amp;街道\"><h1>中同街<b>2024</b>年报告</h1><p>依申请公开&lt;一&gt;</p><div class=table-scroll role=region><table><tr><td>表格</td></tr></table></div><div class=note><div>甲</div><p>乙</p></div><figure data-search-ignore><svg><text>图</text></svg></figure><p>后文&#x4e00;&#20108;</p></article><aside>相关</aside></main></body></html>";

    #[test]
    fn reads_the_marked_element_its_facts_and_its_text() {
        let page = read("2024/zhongtongjie/index.html", REPORT).unwrap();
        assert_eq!(page.title, "中同街2024年报告");
        assert_eq!(page.year, Some(2024));
        assert_eq!(page.category, "街道");
        assert_eq!(page.text, "依申请公开<一>\n甲\n乙\n后文一二");
        assert!(!page.text.contains("表格") && !page.text.contains('图'));
        // 中同 is in the title (4) and in both names (6 each).
        let weight = |t: &str| {
            page.terms
                .iter()
                .find(|k| terms::text(*k >> 8).as_deref() == Some(t))
                .map(|k| k & 0xFF)
        };
        assert_eq!(weight("中同"), Some(16));
        assert_eq!(weight("依申"), Some(1));
        // 街 twice in each name.
        assert_eq!(weight("街"), Some(4 + 2 * 12 + 3));
        assert_eq!(weight("表格"), None);
        assert_eq!(weight("2024"), Some(4));
        assert!(page.terms.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_page_without_the_mark_is_not_indexed() {
        assert!(read("index.html", "<html><body><p>x</p></body></html>").is_none());
    }

    #[test]
    fn attributes_quoted_or_not() {
        assert_eq!(
            attribute("div a=1 b=\"x y\" c", "b").as_deref(),
            Some("x y")
        );
        assert_eq!(attribute("div a=1 b=\"x y\" c", "a").as_deref(), Some("1"));
        assert_eq!(attribute("div a=1 b=\"x y\" c", "c").as_deref(), Some(""));
        assert_eq!(attribute("div ab=1", "b"), None);
    }
}
