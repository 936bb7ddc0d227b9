//! Prose Markdown → safe HTML: pulldown-cmark (tables, footnotes), then
//! ammonia, so raw HTML in a report can never run script or add handlers.
//!
//! The HTML goes into templates as a value, never as template source, so
//! `{{ }}` written in prose is printed as it is, not evaluated.

use pulldown_cmark::{Options, Parser, html};

pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class"])
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
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
