//! Prose Markdown → safe HTML: pulldown-cmark (tables, footnotes), then
//! ammonia, so raw HTML in a report can never run script or add handlers.
//!
//! The HTML goes into templates as a value, never as template source, so
//! `{{ }}` written in prose is printed as it is, not evaluated.
//!
//! Prose without raw HTML and without links to other schemes than http(s),
//! mailto and tel cannot carry script: pulldown-cmark escapes all text, so
//! such prose (nearly all of it) skips ammonia, which costs more than the
//! Markdown itself.

use pulldown_cmark::{Event, Options, Parser, Tag, html};

pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    if html_depth(&events) > MAX_HTML_DEPTH {
        // The sanitiser's HTML parser slows down with the square of the
        // depth (20,000 nested `<div>` take seconds): no report nests raw
        // HTML this deep, so it is printed as the text it is.
        for e in &mut events {
            if let Event::Html(text) | Event::InlineHtml(text) = e {
                *e = Event::Text(text.clone());
            }
        }
    }
    let plain = events.iter().all(|e| match e {
        Event::Html(_) | Event::InlineHtml(_) => false,
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
            safe_url(dest_url)
        }
        _ => true,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    if plain {
        return raw;
    }
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class"])
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

/// How deep raw HTML in prose may nest before it is printed as text.
pub const MAX_HTML_DEPTH: usize = 100;

/// Elements that never hold others, so never deepen the nesting.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The deepest nesting of the raw HTML tags in the prose (a tag left open
/// counts as open to the end, as an HTML parser takes it).
fn html_depth(events: &[Event]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for e in events {
        let (Event::Html(text) | Event::InlineHtml(text)) = e else {
            continue;
        };
        let mut rest: &str = text;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            let end = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..end];
            if let Some(closing) = tag.strip_prefix('/') {
                if closing.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    depth = depth.saturating_sub(1);
                }
            } else if tag.starts_with(|c: char| c.is_ascii_alphabetic()) && !tag.ends_with('/') {
                let name: String = tag
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !VOID.contains(&name.as_str()) {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
        }
    }
    deepest
}

/// A link target that can only navigate: relative, a fragment, or
/// http(s), mailto and tel.
fn safe_url(url: &str) -> bool {
    let scheme_end =
        url.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')));
    match scheme_end {
        Some(i) if url[i..].starts_with(':') => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        // No scheme: a relative path or a fragment, unless control
        // characters or entities could hide one (`java\tscript:`).
        _ => !url.chars().any(|c| c.is_control() || c == '&' || c == ':'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_do_not_survive() {
        let html = to_html(
            "段落<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[链接](javascript:alert(3))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("段落"));
    }

    #[test]
    fn disguised_schemes_go_through_the_sanitiser() {
        for md in [
            "[a](JavaScript:alert(1))",
            "[a](java\tscript:alert(1))",
            "[a](data:text/html,x)",
            "![a](vbscript:x)",
            "[a](&#106;avascript:alert(1))",
            "<https://example.com/\"onmouseover=\"x>",
        ] {
            let html = to_html(md);
            for attr in ["href=\"", "src=\""] {
                for (at, _) in html.match_indices(attr) {
                    let value = &html[at + attr.len()..];
                    let value = &value[..value.find('"').unwrap_or(value.len())];
                    assert!(safe_url(value), "{md} → {html}");
                }
            }
            assert!(!html.contains(" onmouseover="), "{md} → {html}");
        }
        assert!(safe_url("../2024/a/index.html"));
        assert!(safe_url("https://www.gov.cn/"));
        assert!(!safe_url("javascript:x"));
        assert!(!safe_url("&#106;avascript:x"));
    }

    #[test]
    fn raw_html_nested_too_deep_is_printed_as_text() {
        let nested = |n: usize| format!("{}深{}", "<div>".repeat(n), "</div>".repeat(n));
        let html = to_html(&nested(MAX_HTML_DEPTH));
        assert_eq!(html.matches("<div>").count(), MAX_HTML_DEPTH, "{html}");
        let html = to_html(&nested(MAX_HTML_DEPTH + 1));
        assert!(!html.contains("<div>"), "{html}");
        assert_eq!(html.matches("&lt;div&gt;").count(), MAX_HTML_DEPTH + 1);
        // Unclosed tags count as open; void elements and closed ones do not.
        let events = |md: &'static str| Parser::new(md).collect::<Vec<_>>();
        assert_eq!(html_depth(&events("<b><b><b>x")), 3);
        assert_eq!(html_depth(&events("<p>a<br>b<img src=x></p><p>c</p>")), 1);
    }

    #[test]
    fn tables_and_footnotes() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n注[^1]\n\n[^1]: 脚注。\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("脚注。"), "{html}");
    }

    /// pulldown-cmark follows CommonMark's flanking rules: a closing `**`
    /// after Chinese punctuation and before a CJK letter does not close the
    /// emphasis, so `**粗体。**后` stays literal. Documented in the README.
    #[test]
    fn chinese_emphasis_gap_is_known() {
        assert_eq!(to_html("**粗体。**后"), "<p>**粗体。**后</p>\n");
        assert_eq!(to_html("**粗体**后"), "<p><strong>粗体</strong>后</p>\n");
    }
}
