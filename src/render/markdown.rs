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
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();
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
