//! Answering one HTTP request of the preview server: mapping the URL to a
//! file of the in-memory site (nothing else is ever reachable), content
//! types, ETags, HEAD, the site's 404 page, and the live-reload script
//! added to every HTML page served.

use std::io::Cursor;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::preview::{Asset, Snapshot};
use crate::render::csp;

/// The path of the live-reload event stream.
pub const EVENTS: &str = "/__gongkai/events";

/// The path of the live-reload script: a file of the server, not inline, so
/// that the pages' Content-Security-Policy (`script-src 'self'`) lets it
/// run as it is.
pub const SCRIPT_PATH: &str = "/__gongkai/livereload.js";

const SCRIPT: &str = include_str!("livereload.js");

/// Where a URL path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, by output path (`2024/index.html`).
    File(String),
    /// A folder asked for without its trailing slash: redirect there.
    Slash(String),
    NotFound,
    /// Not a path a site file can have (`..`, NUL, backslash, bad UTF-8).
    Bad,
}

/// Maps the path of a request URL (query and fragment already cut) to a
/// site file. Percent-escapes are decoded first, so `%2e%2e` and `%2f` are
/// judged as the `..` and `/` they stand for; any `.` or `..` segment, NUL
/// or backslash is refused outright rather than normalised.
pub fn resolve(path: &str, snapshot: &Snapshot) -> Target {
    let Some(decoded) = percent_decode(path) else {
        return Target::Bad;
    };
    if !decoded.starts_with('/') || decoded.contains(['\0', '\\']) {
        return Target::Bad;
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Target::Bad;
    }
    let joined = segments.join("/");
    let files = &snapshot.files;
    if decoded.ends_with('/') || joined.is_empty() {
        let index = if joined.is_empty() {
            "index.html".to_string()
        } else {
            format!("{joined}/index.html")
        };
        return if files.contains_key(index.as_str()) {
            Target::File(index)
        } else {
            Target::NotFound
        };
    }
    if files.contains_key(joined.as_str()) {
        Target::File(joined)
    } else if files.contains_key(format!("{joined}/index.html").as_str()) {
        Target::Slash(format!("{decoded}/"))
    } else {
        Target::NotFound
    }
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type of a site file, with a charset for text.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// The script every served HTML page carries: it knows the generation it
/// was served at and listens for the next. A page's own
/// Content-Security-Policy is widened, if it must be, to let it run (see
/// [`csp::for_live_reload`]); built output never has either.
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let script = format!(
        r#"<script src="{SCRIPT_PATH}" data-generation="{generation}" data-events="{EVENTS}"></script>"#
    );
    let widened = csp::for_live_reload(html);
    let html = widened.as_deref().unwrap_or(html);
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The page shown before the site has ever built: the overlay does the rest.
fn waiting_page(generation: u64) -> Vec<u8> {
    let html = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>gongkai serve</title></head><body><p>站点尚未生成：内容有错误，修正后本页自动刷新。</p></body></html>";
    inject(html.as_bytes(), generation)
}

type Reply = Response<Cursor<Vec<u8>>>;

fn reply(status: u16, bytes: Vec<u8>, ctype: &str) -> Reply {
    Response::from_data(bytes)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", ctype))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Cache-Control", "no-cache"))
}

/// Answers a request for a site file (not the event stream).
pub fn respond(request: Request, snapshot: &Snapshot) {
    let reply = answer(&request, snapshot);
    // A client that went away is no concern of the others.
    let _ = request.respond(reply);
}

fn answer(request: &Request, snapshot: &Snapshot) -> Reply {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return reply(
            405,
            b"method not allowed\n".to_vec(),
            "text/plain; charset=utf-8",
        )
        .with_header(header("Allow", "GET, HEAD"));
    }
    let url = request.url();
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == SCRIPT_PATH {
        return reply(200, SCRIPT.as_bytes().to_vec(), content_type(path));
    }
    if snapshot.files.is_empty() {
        return reply(
            503,
            waiting_page(snapshot.generation),
            "text/html; charset=utf-8",
        );
    }
    let index = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(crate::render::search::FOLDER))
        .and_then(|p| p.strip_prefix('/'));
    if let (Some(name), Some(search)) = (index, &snapshot.search) {
        return match search.get(name) {
            Some(bytes) => {
                let tag = format!("\"{:016x}\"", search.etag);
                reply(200, bytes.as_ref().clone(), content_type(name))
                    .with_header(header("ETag", &tag))
            }
            None => not_found(snapshot),
        };
    }
    let file = match resolve(path, snapshot) {
        Target::File(f) => f,
        Target::Slash(to) => {
            return reply(301, Vec::new(), "text/plain; charset=utf-8")
                .with_header(header("Location", &to));
        }
        Target::Bad => {
            return reply(400, b"bad request\n".to_vec(), "text/plain; charset=utf-8");
        }
        Target::NotFound => return not_found(snapshot),
    };
    let (bytes, etag) = match &snapshot.files[file.as_str()] {
        Asset::Memory { bytes, etag } => (bytes.as_ref().clone(), *etag),
        Asset::Lazy(tables) => (tables.get(&file).as_ref().clone(), tables.etag),
        Asset::Disk(from) => match std::fs::read(from) {
            Ok(b) => (b, 0),
            Err(_) => return not_found(snapshot),
        },
    };
    let ctype = content_type(&file);
    let html = ctype.starts_with("text/html");
    // HTML carries the generation in its script, so its tag does too.
    let tag = format!(
        "\"{etag:016x}{}\"",
        if html {
            format!("-{}", snapshot.generation)
        } else {
            String::new()
        }
    );
    let fresh = request.headers().iter().any(|h| {
        h.field.equiv("If-None-Match") && h.value.as_str().split(',').any(|v| v.trim() == tag)
    });
    if etag != 0 && fresh {
        return reply(304, Vec::new(), ctype).with_header(header("ETag", &tag));
    }
    let body = if html {
        inject(&bytes, snapshot.generation)
    } else {
        bytes
    };
    let mut out = reply(200, body, ctype);
    if etag != 0 {
        out = out.with_header(header("ETag", &tag));
    }
    out
}

fn not_found(snapshot: &Snapshot) -> Reply {
    let body = match snapshot.files.get("404.html") {
        Some(Asset::Memory { bytes, .. }) => inject(bytes, snapshot.generation),
        _ => b"not found\n".to_vec(),
    };
    reply(404, body, "text/html; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn snapshot(paths: &[&str]) -> Snapshot {
        let files: HashMap<Arc<str>, Asset> = paths
            .iter()
            .map(|p| {
                (
                    Arc::from(*p),
                    Asset::Memory {
                        bytes: Arc::new(Vec::new()),
                        etag: 1,
                    },
                )
            })
            .collect();
        Snapshot {
            generation: 1,
            files: Arc::new(files),
            errors: None,
            search: None,
        }
    }

    #[test]
    fn urls_map_to_site_files_only() {
        let s = snapshot(&["index.html", "2024/index.html", "static/style.css"]);
        let file = |f: &str| Target::File(f.to_string());
        assert_eq!(resolve("/", &s), file("index.html"));
        assert_eq!(resolve("/2024/", &s), file("2024/index.html"));
        assert_eq!(resolve("/2024", &s), Target::Slash("/2024/".into()));
        assert_eq!(resolve("/static/style.css", &s), file("static/style.css"));
        assert_eq!(resolve("//static//style.css", &s), file("static/style.css"));
        assert_eq!(resolve("/%32025/", &s), Target::NotFound);
        assert_eq!(resolve("/%32%30%32%34/", &s), file("2024/index.html"));
        for bad in [
            "/../site.toml",
            "/2024/../../etc/passwd",
            "/%2e%2e/site.toml",
            "/%2E%2E%2Fsite.toml",
            "/static/%2e%2e%2f%2e%2e%2fetc/passwd",
            "/./index.html",
            "/..\\site.toml",
            "/%5c..%5csite.toml",
            "/index.html%00.css",
            "/%ff",
            "/%2",
            "relative",
        ] {
            assert_eq!(resolve(bad, &s), Target::Bad, "{bad}");
        }
        assert_eq!(resolve("/etc/passwd", &s), Target::NotFound);
    }

    #[test]
    fn content_types_carry_a_charset_for_text() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("data/reports.csv"), "text/csv; charset=utf-8");
        assert_eq!(
            content_type("data/reports.json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type("2024/a/2024.pdf"), "application/pdf");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("x.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let out = inject(b"<html><body><p>&lt;/body&gt;</p></body></html>", 7);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<html><body><p>&lt;/body&gt;</p><script src=\"/__gongkai/livereload.js\" \
             data-generation=\"7\" data-events=\"/__gongkai/events\"></script></body></html>"
        );
    }
}
