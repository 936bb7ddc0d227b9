//! A fast reader for the plain subset of YAML that report files are written
//! in: block mappings of `key: value` lines, one-line flow lists of scalars,
//! comments. serde-saphyr reads a 1.5 KB report in about 300 µs; this reads
//! it in a few, which is most of what loading 10,000 reports costs.
//!
//! It never decides anything the full parser would decide differently: on
//! the first line outside the subset (anchors, block scalars, block lists,
//! tabs, quoting with escapes, duplicate keys, any scalar whose YAML type is
//! not obvious) it gives up and [`super::parse`] uses serde-saphyr for
//! the whole file. Tests check that both give the same tree, spans included.

use super::{Kind, MAX_DEPTH, Node};
use crate::diagnostics::Span;

/// The tree of `source`, or `None` when it is not in the subset.
pub fn parse(source: &str) -> Option<Node> {
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    // Tabs, CR, characters YAML does not print (NUL, other controls) and a
    // BOM past the start are serde-saphyr's to take or refuse.
    if source[bom..]
        .chars()
        .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'))
    {
        return None;
    }
    let mut lines = Vec::new();
    let mut offset = bom;
    for (i, text) in source[bom..].split('\n').enumerate() {
        let start = offset;
        offset += text.len() + 1;
        let indent = text.len() - text.trim_start_matches(' ').len();
        let rest = &text[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if i == 0 && bom == 0 && (rest.starts_with("---") || rest.starts_with('%')) {
            return None;
        }
        lines.push(Line {
            number: i as u32 + 1,
            start,
            indent,
            text,
        });
    }
    if lines.is_empty() || lines[0].indent != 0 {
        return None;
    }
    let mut pos = 0;
    let root = map(source, &lines, &mut pos, 0, 1)?;
    (pos == lines.len()).then_some(root)
}

struct Line<'a> {
    number: u32,
    /// Byte offset of the line in the file.
    start: usize,
    indent: usize,
    text: &'a str,
}

/// A block mapping whose keys sit at `indent`, from `lines[*pos]` on, at
/// nesting level `depth` (deeper than serde-saphyr allows is its to refuse).
fn map(source: &str, lines: &[Line], pos: &mut usize, indent: usize, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let first = &lines[*pos];
    let span = span_at(source, first, indent, 0);
    let mut entries: Vec<(Node, Node)> = Vec::new();
    while let Some(line) = lines.get(*pos) {
        if line.indent < indent {
            break;
        }
        if line.indent > indent {
            return None;
        }
        let rest = &line.text[indent..];
        let colon = rest.find(':')?;
        let key_text = &rest[..colon];
        if key_text.is_empty()
            || !key_text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || key_text.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if entries
            .iter()
            .any(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == key_text))
        {
            return None;
        }
        let key = Node {
            kind: Kind::Str(key_text.to_string()),
            span: span_at(source, line, indent, key_text.len()),
        };
        let after = &rest[colon + 1..];
        if !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        let value_at = indent + colon + 1 + (after.len() - after.trim_start_matches(' ').len());
        let value_text = strip_comment(&line.text[value_at..])?;
        *pos += 1;
        let value = if value_text.is_empty() {
            let next = lines.get(*pos).filter(|l| l.indent > indent)?;
            map(source, lines, pos, next.indent, depth + 1)?
        } else if value_text.starts_with('[') {
            seq(source, line, value_at, value_text)?
        } else {
            scalar(source, line, value_at, value_text, false)?
        };
        entries.push((key, value));
    }
    Some(Node {
        kind: Kind::Map(entries),
        span,
    })
}

/// `[a, b, c]` on one line.
fn seq(source: &str, line: &Line, at: usize, text: &str) -> Option<Node> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    if inner.contains(['[', ']', '{', '}']) {
        return None;
    }
    let mut items = Vec::new();
    if !inner.trim().is_empty() {
        let mut from = at + 1;
        for part in inner.split(',') {
            let lead = part.len() - part.trim_start_matches(' ').len();
            let item = part.trim_matches(' ');
            if item.is_empty() {
                return None;
            }
            items.push(scalar(source, line, from + lead, item, true)?);
            from += part.len() + 1;
        }
    }
    Some(Node {
        kind: Kind::Seq(items),
        span: span_at(source, line, at, 1),
    })
}

/// A scalar whose type no YAML reader could doubt, else `None`.
fn scalar(source: &str, line: &Line, at: usize, text: &str, in_flow: bool) -> Option<Node> {
    let span = span_at(source, line, at, text.len());
    let kind = match text.as_bytes()[0] {
        b'"' => {
            let inner = text.strip_prefix('"')?.strip_suffix('"')?;
            if inner.contains(['"', '\\']) {
                return None;
            }
            Kind::Str(inner.to_string())
        }
        b'\'' => {
            let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
            if inner.contains('\'') {
                return None;
            }
            Kind::Str(inner.to_string())
        }
        _ => plain(text, in_flow)?,
    };
    Some(Node { kind, span })
}

fn plain(text: &str, in_flow: bool) -> Option<Kind> {
    match text {
        "null" | "Null" | "NULL" | "~" => return Some(Kind::Null),
        "true" | "True" | "TRUE" => return Some(Kind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Kind::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    if is_number(text) {
        return Some(Kind::Number(text.to_string()));
    }
    if is_date(bytes) {
        return Some(Kind::Str(text.to_string()));
    }
    let first = bytes[0];
    // Anything that starts like a number, an indicator or a special value
    // (`.inf`, `0x1F`, `+1`, `-` …) is left to the full parser.
    if !(first.is_ascii_alphabetic() || first >= 0x80) {
        return None;
    }
    if text.contains([':', '#', '[', ']', '{', '}', ',', '"', '\'', '\\'])
        || (in_flow && text.contains(' '))
    {
        return None;
    }
    // YAML 1.1 booleans that some readers still honour.
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "nan" | "inf"
    ) {
        return None;
    }
    Some(Kind::Str(text.to_string()))
}

/// `0`, `12`, `-3`, `5949.088667`: at most 18 digits before the point, so
/// that no reader turns it into anything but the number written.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    !int.is_empty()
        && int.len() <= 18
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac
            .is_none_or(|f| !f.is_empty() && f.len() <= 18 && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `2025-01-19`: text to YAML 1.2 (the date rules read it).
fn is_date(b: &[u8]) -> bool {
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The value without a trailing ` # comment` and spaces; `None` when a `#`
/// could belong to the value.
fn strip_comment(text: &str) -> Option<&str> {
    let text = match text.find('#') {
        Some(0) => "",
        Some(i) if text.as_bytes()[i - 1] == b' ' => &text[..i],
        Some(_) => return None,
        None => text,
    };
    Some(text.trim_end_matches(' '))
}

/// The span of `len` bytes at byte `at` of `line` (columns count characters,
/// from 1, as serde-saphyr's do).
fn span_at(source: &str, line: &Line, at: usize, len: usize) -> Span {
    let _ = source;
    let column = line.text[..at].chars().count() as u32 + 1;
    Span::new(line.number, column, line.start + at, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::parse_full;

    /// The fast reader either agrees with serde-saphyr, spans included, or
    /// declines.
    fn same(source: &str) -> bool {
        let Some(fast) = parse(source) else {
            return false;
        };
        let full = parse_full(source).expect("the fast reader took invalid YAML");
        assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{source}");
        true
    }

    #[test]
    fn agrees_with_serde_saphyr_on_every_file_of_the_repository() {
        let mut taken = 0;
        for root in ["content", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root) {
                let entry = entry.unwrap();
                if entry.path().extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    if same(&text) {
                        taken += 1;
                    }
                }
            }
        }
        assert!(taken > 40, "only {taken} files took the fast path");
    }

    #[test]
    fn agrees_on_generated_reports() {
        let dir = tempfile::tempdir().unwrap();
        let options = crate::generate::Options {
            agencies: 3,
            years: 4,
            last_year: 2024,
            seed: 7,
        };
        crate::generate::generate(dir.path(), &options).unwrap();
        for entry in walkdir::WalkDir::new(dir.path()) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                assert!(same(&text), "declined {}", entry.path().display());
            }
        }
    }

    #[test]
    fn agrees_on_the_corners_it_takes() {
        for source in [
            "a: 1\n",
            "\u{feff}a: 1\n",
            "# top\na: 1 # one\nb:\n  c: [1, 2.50, null, ~]   # row\n\n  d: []\n",
            "a: \"x y\"\nb: 'z'\nc: 中同街 办事处\nd: 2025-01-19\ne: true\nf: False\n",
            "a:\n    b:\n        c: 0\n    d: -3\ne: 中\n",
            "a: [ 1 ,2 ]\n",
            "a: 1",
        ] {
            assert!(same(source), "declined {source:?}");
        }
    }

    #[test]
    fn declines_what_it_cannot_be_sure_of() {
        for source in [
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a:\n  - 1\n",
            "a: 1\na: 2\n",
            "a: yes\n",
            "a: 0x10\n",
            "a: 1e3\n",
            "a: .inf\n",
            "a: 007\n",
            "a: 12345678901234567890\n",
            "a: \"x\\ty\"\n",
            "a: [1, [2]]\n",
            "a: {b: 1}\n",
            "a:\tb\n",
            "a: 1\r\n",
            "---\na: 1\n",
            "a: b: c\n",
            "a: b#c\n",
            "a:\n",
            "\"a\": 1\n",
            "a: [x y]\n",
            " a: 1\n",
            "a:\n  b: 1\n c: 2\n",
        ] {
            assert!(parse(source).is_none(), "took {source:?}");
        }
    }
}
