//! The fixture harness shared by the integration tests.
//!
//! `tests/fixtures/base/` is a small, complete, consistent site. Each folder
//! `tests/fixtures/cases/<case>/` holds only what differs from it: its files
//! are laid over a temp copy of the base (a file `<name>.delete` deletes
//! `<name>` from the copy, file or folder), and its `expected.txt` lists every
//! diagnostic `check` must report, one per line, as `{severity}: {Display}`:
//!
//! ```text
//! error: content/weibin/2024.yaml:42:22: 三（七）总计 · 自然人 is 12, but … (R3)
//! ```
//!
//! A diagnostic with a hint is followed by the hint, indented:
//! `  help: rename it to 2024.yaml`. Blank lines and lines starting with `#`
//! (a note on what the case is about) are skipped. Every site lives in its own temp folder, so tests
//! share nothing and run in parallel.

#![allow(dead_code)] // not every helper is used by every build (features)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gongkai::Loaded;

/// The suffix of a file in a case folder that deletes a file of the base.
pub const DELETE_SUFFIX: &str = ".delete";
/// The file of a case folder (and of the base) listing its diagnostics.
pub const EXPECTED: &str = "expected.txt";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn base_dir() -> PathBuf {
    fixtures().join("base")
}

pub fn cases_dir() -> PathBuf {
    fixtures().join("cases")
}

/// Every case folder, sorted by name.
pub fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("tests/fixtures/cases exists")
        .map(|e| e.expect("readable case folder").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Copies `from` into `to` (created), skipping the top-level `expected.txt`.
pub fn copy_tree(from: &Path, to: &Path) {
    copy_dir(from, to, true);
}

fn copy_dir(from: &Path, to: &Path, top: bool) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.unwrap();
        if top && entry.file_name() == EXPECTED {
            continue;
        }
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest, false);
        } else {
            fs::copy(entry.path(), &dest)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// Lays the case folder over `site`: files are copied (replacing the base's),
/// `<name>.delete` removes `<name>`. A `.delete` of something the base does
/// not have is an error, so a typo in a case cannot go unnoticed.
pub fn overlay(case: &Path, site: &Path) -> Result<(), String> {
    overlay_dir(case, site, true)
}

fn overlay_dir(from: &Path, to: &Path, top: bool) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("create {}: {e}", to.display()))?;
    let mut entries: Vec<_> = fs::read_dir(from)
        .map_err(|e| format!("read {}: {e}", from.display()))?
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        if top && name == EXPECTED {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            overlay_dir(&entry.path(), &to.join(&name), false)?;
        } else if let Some(target) = name.strip_suffix(DELETE_SUFFIX) {
            let target = to.join(target);
            let removed = if target.is_dir() {
                fs::remove_dir_all(&target)
            } else {
                fs::remove_file(&target)
            };
            removed.map_err(|e| {
                format!(
                    "{}: cannot delete {} from the base: {e}",
                    entry.path().display(),
                    target.display()
                )
            })?;
        } else {
            fs::copy(entry.path(), to.join(&name))
                .map_err(|e| format!("copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Every file of a folder, by relative path.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            out.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// The first executable thing in a page: a `<script>`, `<iframe>`,
/// `<object>` or `<embed>` element, an `on…` attribute, or a link or source
/// with another scheme than http(s), mailto and tel.
/// The theme's own scripts (the 大字模式 switch and search box, and the
/// search client on the search page, which may be `defer`red): an empty
/// element loading one of them from the site itself. `tag` starts after the `<`.
fn theme_script(tag: &str) -> bool {
    let Some(end) = tag.find('>') else {
        return false;
    };
    let (head, after) = (&tag[..end], &tag[end + 1..]);
    let src = head
        .split_whitespace()
        .find_map(|a| a.strip_prefix("src="))
        .map(|v| v.trim_matches(|c| c == '"' || c == '\''));
    let ours = src.is_some_and(|src| {
        // 404.html links by the site's base_url, as it may be served from
        // any path.
        let local = src
            .trim_start_matches("https://www.example.gov.cn/gknb/")
            .trim_start_matches("../");
        local == "static/site.js" || local == "search-index/search.js"
    });
    let rest: Vec<&str> = head.split_whitespace().skip(2).collect();
    ours && (rest.is_empty() || rest == ["defer"]) && after.starts_with("</script>")
}

pub fn executable(page: &str) -> Option<String> {
    let mut rest = page;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if name == "script" && theme_script(rest) {
            continue;
        }
        if matches!(name.as_str(), "script" | "iframe" | "object" | "embed") {
            return Some(format!("a <{name}> element"));
        }
        // The attributes, up to the `>` outside quotes.
        let mut attrs = Vec::new();
        let mut chars = rest[name.len()..].char_indices().peekable();
        let mut end = rest.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '>' => {
                    end = name.len() + i;
                    break;
                }
                c if c.is_whitespace() || c == '/' => {}
                _ => {
                    let mut attr = String::from(c);
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() || c == '=' || c == '>' {
                            break;
                        }
                        attr.push(c);
                        chars.next();
                    }
                    let mut value = String::new();
                    if chars.peek().is_some_and(|&(_, c)| c == '=') {
                        chars.next();
                        match chars.peek().map(|&(_, c)| c) {
                            Some(q @ ('"' | '\'')) => {
                                chars.next();
                                for (_, c) in chars.by_ref() {
                                    if c == q {
                                        break;
                                    }
                                    value.push(c);
                                }
                            }
                            _ => {
                                while let Some(&(_, c)) = chars.peek() {
                                    if c.is_whitespace() || c == '>' {
                                        break;
                                    }
                                    value.push(c);
                                    chars.next();
                                }
                            }
                        }
                    }
                    attrs.push((attr.to_ascii_lowercase(), value));
                }
            }
        }
        for (attr, value) in attrs {
            if attr.starts_with("on") {
                return Some(format!("<{name} {attr}=…>"));
            }
            if matches!(
                attr.as_str(),
                "href" | "src" | "action" | "data" | "formaction"
            ) {
                let scheme = value
                    .split_once(':')
                    .map(|(s, _)| s.trim().to_ascii_lowercase())
                    .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric()));
                if let Some(s) = scheme
                    && !matches!(s.as_str(), "http" | "https" | "mailto" | "tel")
                {
                    return Some(format!("<{name} {attr}=\"{value}\">"));
                }
            }
        }
        rest = &rest[end.min(rest.len())..];
    }
    None
}

/// A template of the embedded default theme, as shipped.
pub fn default_template(name: &str) -> &'static str {
    gongkai::render::TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no template {name}"))
        .1
}

/// A temp copy of the base site.
pub fn base_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&base_dir(), dir.path());
    dir
}

/// A temp copy of the base site with the case folder laid over it.
pub fn case_site(case: &Path) -> Result<tempfile::TempDir, String> {
    let dir = base_site();
    overlay(case, dir.path())?;
    Ok(dir)
}

/// A temp copy of the base site with the named case laid over it.
pub fn case_site_named(name: &str) -> tempfile::TempDir {
    case_site(&cases_dir().join(name)).unwrap_or_else(|e| panic!("case {name}: {e}"))
}

/// Every diagnostic as `{severity}: {Display}`, in the loader's order, each
/// followed by its hint as `  help: {help}` when it has one.
pub fn lines(loaded: &Loaded) -> Vec<String> {
    let mut out = Vec::new();
    for d in &loaded.diagnostics {
        out.push(format!("{}: {d}", d.severity));
        if let Some(help) = &d.help {
            out.push(format!("  help: {help}"));
        }
    }
    out
}

/// The expected lines of `expected.txt` in `dir` (skipping blanks and notes).
pub fn read_expected(dir: &Path) -> Result<Vec<String>, String> {
    let path = dir.join(EXPECTED);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Expected against actual, both in full, then what is missing and what is
/// unexpected; empty when they are equal.
pub fn diff(expected: &[String], actual: &[String]) -> String {
    if expected == actual {
        return String::new();
    }
    let mut out = String::new();
    for l in expected.iter().filter(|l| !actual.contains(l)) {
        out.push_str(&format!("  - {l}\n"));
    }
    for l in actual.iter().filter(|l| !expected.contains(l)) {
        out.push_str(&format!("  + {l}\n"));
    }
    if out.is_empty() {
        out.push_str("  (the same lines, in another order or count)\n");
    }
    out.push_str("  expected:\n");
    for l in expected {
        out.push_str(&format!("    {l}\n"));
    }
    out.push_str("  actual:\n");
    for l in actual {
        out.push_str(&format!("    {l}\n"));
    }
    out
}

/// The line and character column (1-based) of a byte offset, not counting
/// a leading BOM (an editor shows the first character at column 1).
pub fn line_col(text: &str, offset: usize) -> Option<(u32, u32)> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if offset <= bom {
        return Some((1, 1));
    }
    let before = text.get(bom..offset)?;
    let line = before.matches('\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    Some((line, before[start..].chars().count() as u32 + 1))
}

/// Every diagnostic whose byte span (used to underline the source) does not
/// sit at its line and column, or falls outside its file.
pub fn span_problems(loaded: &Loaded) -> Vec<String> {
    let mut out = Vec::new();
    for d in &loaded.diagnostics {
        let (Some(span), Some(text)) = (d.span, loaded.source(&d.file)) else {
            continue;
        };
        let end = span.offset() + span.len();
        let at = line_col(text, span.offset());
        if end > text.len() || !text.is_char_boundary(end) {
            out.push(format!(
                "{d}: span {}..{end} is outside the file",
                span.offset()
            ));
        } else if at != Some((span.line, span.column)) {
            out.push(format!(
                "{d}: byte offset {} is at {:?}, not at {}:{}",
                span.offset(),
                at,
                span.line,
                span.column
            ));
        }
    }
    out
}

/// Runs the binary with `args`, without colours.
pub fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the gongkai binary runs")
}

/// Runs `gongkai --root ROOT args…`.
pub fn gongkai_in(root: &Path, args: &[&str]) -> Output {
    let root = root.to_str().expect("temp paths are UTF-8");
    let mut all = vec!["--root", root];
    all.extend_from_slice(args);
    gongkai(&all)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The real-browser tests need Node.js, `npm ci` in `tests/browser/`,
/// Debian's `/usr/bin/chromium` and `pdftotext` (the printed report). They are
/// `#[ignore]`d, so a plain `cargo test` lists them as ignored; run with
/// `--include-ignored` (as `.ci/run` does after installing all of it), a
/// missing piece is a failure naming it, never a silent pass.
pub fn require_browser() {
    let dir = fixtures().join("../browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (!Path::new(&chromium).exists()).then_some("chromium (apt-get install chromium)"),
        (!dir.join("node_modules/playwright-core").exists())
            .then_some("playwright-core (npm ci in tests/browser)"),
        (!dir.join("node_modules/axe-core").exists())
            .then_some("axe-core (npm ci in tests/browser)"),
        Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_err()
            .then_some("pdftotext (apt-get install poppler-utils)"),
        Command::new("node")
            .arg("--version")
            .output()
            .is_err()
            .then_some("node"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        missing.is_empty(),
        "this browser test needs: {}",
        missing.join(", ")
    );
}

/// Runs `node tests/browser/<script> <args>`; panics with its output unless it exits 0.
pub fn node(script: &str, args: &[&std::ffi::OsStr]) -> String {
    let dir = fixtures().join("../browser");
    let out = Command::new("node")
        .current_dir(&dir)
        .arg(script)
        .args(args)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node {script} failed:\n{text}");
    text
}
pub mod serve;

/// Sets a top-level key of a site's `site.toml` (before its first table).
pub fn set_site_option(site: &Path, line: &str) {
    let toml = site.join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let at = text.find("\n[").map_or(text.len(), |i| i + 1);
    fs::write(&toml, format!("{}{line}\n{}", &text[..at], &text[at..])).unwrap();
}
