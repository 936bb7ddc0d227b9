//! The Content-Security-Policy of the built pages: a `<meta http-equiv>`
//! (a static host cannot always send headers) placed first in every
//! page's `<head>`, before anything it governs, so that a browser refuses
//! any script that is not one of the site's own files: an inline script
//! or event attribute that slipped in (a theme override, a static file, a
//! future bug), or a script from another site. The default theme has no
//! inline script or style to allow.

use crate::model::Csp;

/// What the search client needs beyond the site's own files, on the search
/// page only: nothing, since gongkai's own client (`search-index/search.js`)
/// is plain script read from the site and fetches JSON from it (pagefind,
/// used before, compiled WebAssembly and needed `'wasm-unsafe-eval'`). The
/// one place to change if the search client ever needs more.
pub const SEARCH_SCRIPT_SOURCES: &[&str] = &[];

/// Directives a browser ignores in a policy given by a `<meta>` element:
/// `site.toml` is warned when its policy has them.
pub const IGNORED_IN_META: &[&str] = &["frame-ancestors", "report-uri", "sandbox"];

/// gongkai's strict policy; `searches` for the page that runs the search
/// client.
pub fn strict(searches: bool) -> String {
    let mut script = vec!["'self'"];
    if searches {
        script.extend(SEARCH_SCRIPT_SOURCES);
    }
    format!(
        "default-src 'self'; script-src {}; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'self'; form-action 'self'",
        script.join(" ")
    )
}

/// The policy a page carries under the site's `csp` setting, if any.
pub fn policy(csp: &Csp, searches: bool) -> Option<String> {
    match csp {
        Csp::Strict => Some(strict(searches)),
        Csp::Off => None,
        Csp::Custom(policy) => Some(policy.clone()),
    }
}

const META_START: &str = r#"<meta http-equiv="Content-Security-Policy" content=""#;

/// The `<meta>` element carrying a policy.
pub fn meta(policy: &str) -> String {
    format!(r#"{META_START}{}">"#, super::xml_escape(policy))
}

/// Puts `meta` into a page: right after `<head>` and its `<meta charset>`
/// (which must come first), before any script or stylesheet, since a
/// `<meta>` policy governs only what follows it. A page written without a
/// `<head>` tag gets it after `<html>` (the browser's implied head), or at
/// the start.
pub fn insert(html: &str, meta: &str) -> String {
    let at = head_start(html);
    let mut out = String::with_capacity(html.len() + meta.len());
    out.push_str(&html[..at]);
    out.push_str(meta);
    out.push_str(&html[at..]);
    out
}

/// Where the first thing in the head may go.
fn head_start(html: &str) -> usize {
    let bytes = html.as_bytes();
    let after_tag = |name: &str| -> Option<usize> {
        let start = find_tag(bytes, name)?;
        Some(start + html[start..].find('>')? + 1)
    };
    let Some(mut at) = after_tag("head").or_else(|| after_tag("html")) else {
        // After a doctype, if any.
        return match find_ci(bytes, b"<!doctype", 0) {
            Some(start) => html[start..].find('>').map_or(0, |end| start + end + 1),
            None => 0,
        };
    };
    let rest = html[at..].trim_start();
    if starts_with_ci(rest.as_bytes(), b"<meta charset")
        && let Some(end) = rest.find('>')
    {
        at = html.len() - rest.len() + end + 1;
    }
    at
}

/// The position of the first `<name` start tag (`<name>` or `<name ` …).
fn find_tag(html: &[u8], name: &str) -> Option<usize> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = find_ci(html, open.as_bytes(), from) {
        match html.get(at + open.len()) {
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/') => return Some(at),
            _ => from = at + 1,
        }
    }
    None
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    (from..=hay.len().checked_sub(needle.len())?).find(|&i| starts_with_ci(&hay[i..], needle))
}

/// What `serve`'s live reload needs of a served page's policy: its script
/// (`/__gongkai/livereload.js`, a file of the server) and its event stream
/// are the server's own, so `script-src` and `connect-src` must allow
/// `'self'`. gongkai's policy does already; a site's own may not, and is
/// widened for the preview only (never in built output). The page is
/// returned unchanged when it has no policy or needs nothing.
pub fn for_live_reload(html: &[u8]) -> Option<Vec<u8>> {
    let start = find_ci(html, META_START.as_bytes(), 0)? + META_START.len();
    let len = html[start..].iter().position(|&b| b == b'"')?;
    let escaped = std::str::from_utf8(&html[start..start + len]).ok()?;
    let policy = unescape(escaped);
    let widened = allow_self(&policy)?;
    let mut out = Vec::with_capacity(html.len() + 32);
    out.extend_from_slice(&html[..start]);
    out.extend_from_slice(super::xml_escape(&widened).as_bytes());
    out.extend_from_slice(&html[start + len..]);
    Some(out)
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `policy` with `'self'` allowed for scripts and connections; `None` when
/// it already is. A directive that is absent falls back to `default-src`,
/// so it is added with `default-src`'s sources and `'self'`; with neither,
/// nothing is restricted.
fn allow_self(policy: &str) -> Option<String> {
    let mut directives: Vec<(String, Vec<String>)> = policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            Some((words.next()?.to_ascii_lowercase(), words.collect()))
        })
        .collect();
    let default = directives
        .iter()
        .find(|(name, _)| name == "default-src")
        .map(|(_, sources)| sources.clone());
    let mut changed = false;
    for name in ["script-src", "script-src-elem", "connect-src"] {
        let has_self =
            |sources: &[String]| sources.iter().any(|s| s.eq_ignore_ascii_case("'self'"));
        let at = directives.iter().position(|(n, _)| n == name);
        let sources = match (at, &default) {
            (Some(at), _) => &mut directives[at].1,
            // script-src-elem falls back to script-src, handled itself.
            (None, _) if name == "script-src-elem" => continue,
            (None, Some(default)) if !has_self(default) => {
                directives.push((name.to_string(), default.clone()));
                &mut directives.last_mut().expect("just pushed").1
            }
            (None, _) => continue,
        };
        if !has_self(sources) {
            sources.retain(|s| !s.eq_ignore_ascii_case("'none'"));
            sources.push("'self'".to_string());
            changed = true;
        }
    }
    changed.then(|| {
        directives
            .iter()
            .map(|(name, sources)| {
                std::iter::once(name.as_str())
                    .chain(sources.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strict_policy_is_the_same_on_the_search_page() {
        assert_eq!(
            strict(false),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'self'; form-action 'self'"
        );
        // gongkai's own search client needs nothing more (no WebAssembly).
        assert_eq!(strict(true), strict(false));
        assert_eq!(policy(&Csp::Off, true), None);
        assert_eq!(
            policy(&Csp::Custom("default-src 'none'".into()), true).as_deref(),
            Some("default-src 'none'")
        );
    }

    #[test]
    fn the_meta_goes_first_in_the_head_after_the_charset() {
        let meta = meta("default-src 'self'");
        assert_eq!(
            meta,
            r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'">"#
        );
        let page = "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>t</title><script src=a.js></script></head><body></body></html>";
        assert_eq!(
            insert(page, "<M>"),
            "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><M><title>t</title><script src=a.js></script></head><body></body></html>"
        );
        // Written by hand, with a line break and upper case.
        assert_eq!(
            insert("<HTML>\n<Head class=x>\n<title>", "<M>"),
            "<HTML>\n<Head class=x><M>\n<title>"
        );
        // <header> is not <head>.
        assert_eq!(
            insert("<html><header></header>", "<M>"),
            "<html><M><header></header>"
        );
        assert_eq!(
            insert("<!doctype html><p>x", "<M>"),
            "<!doctype html><M><p>x"
        );
        assert_eq!(insert("<p>x", "<M>"), "<M><p>x");
    }

    #[test]
    fn a_policy_with_quotes_or_markup_cannot_leave_its_attribute() {
        assert_eq!(
            meta(r#"default-src "x"><script>"#),
            r#"<meta http-equiv="Content-Security-Policy" content="default-src &quot;x&quot;&gt;&lt;script&gt;">"#
        );
    }

    #[test]
    fn live_reload_widens_only_what_it_needs() {
        let page = |policy: &str| format!("<head>{}<title>", meta(policy));
        let widened = |policy: &str| {
            for_live_reload(page(policy).as_bytes()).map(|p| String::from_utf8(p).unwrap())
        };
        // gongkai's policy already allows both.
        assert_eq!(widened(&strict(true)), None);
        assert_eq!(widened("img-src 'self'"), None);
        assert_eq!(
            widened("default-src 'none'; script-src 'none'; style-src 'self'").as_deref(),
            Some(
                page("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'")
                    .as_str()
            )
        );
        assert_eq!(
            widened("default-src https://cdn.example; connect-src https://api.example").as_deref(),
            Some(
                page(
                    "default-src https://cdn.example; connect-src https://api.example 'self'; \
                     script-src https://cdn.example 'self'"
                )
                .as_str()
            )
        );
        assert_eq!(for_live_reload(b"<head><title>"), None);
    }
}
