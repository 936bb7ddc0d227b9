//! The full YAML reader: serde-saphyr, with its locations turned into our
//! spans on every node. It reads whatever the plain reader declines and
//! gives every syntax error.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

use super::{Kind, MAX_DEPTH, Node, SyntaxError};
use crate::diagnostics::Span;

/// Limits far above any report (about 300 nodes, no aliases needed) and far
/// below what would cost time or memory: a "billion laughs" alias bomb stops
/// at the first limit it reaches.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = 50_000;
    budget.max_events = 200_000;
    budget.max_aliases = 1_000;
    budget.max_recorded_anchor_events = 50_000;
    budget.max_total_scalar_bytes = 4 << 20;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Parses with serde-saphyr alone.
pub fn parse_full(source: &str) -> Result<Node, SyntaxError> {
    match serde_saphyr::from_str_with_options::<Spanned<RawKind>>(source, options()) {
        Ok(root) => Ok(convert(root, source)),
        Err(err) => {
            let span = err
                .location()
                .map(|loc| span_of(&loc, source))
                .unwrap_or(Span::start());
            // The user-facing wording: the default one is for programmers
            // ("set DuplicateKeyPolicy in Options if acceptable", "limits
            // breached: Depth { depth: 17 }"). Budget errors come wrapped
            // (with the anchor's place), so they are told by their text.
            let message = clean_message(
                &err.without_snippet()
                    .render_with_formatter(&serde_saphyr::UserMessageFormatter),
            );
            let message = if message.contains("limits breached: Depth")
                // The parser's own word for too many nested `[`/`{`.
                || message == "recursion limit exceeded"
            {
                too_deep()
            } else if message.contains("limits breached") {
                TOO_COMPLEX.to_string()
            } else {
                message
            };
            Err(SyntaxError { message, span })
        }
    }
}

fn too_deep() -> String {
    format!("mappings and lists nested more than {MAX_DEPTH} levels deep (a report nests 4)")
}

const TOO_COMPLEX: &str = "too many values or aliases once aliases (`*name`) are expanded (over 50000 values or 1000 aliases; a report has about 300 values and needs no aliases)";

/// serde-saphyr prefixes "error: line N column M: "; our diagnostics carry
/// the position themselves.
fn clean_message(text: &str) -> String {
    let mut msg = text.trim();
    msg = msg.strip_prefix("error: ").unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(pos) = rest.find(": ")
        && rest[..pos].contains("column")
    {
        msg = &rest[pos + 2..];
    }
    let first = msg.lines().next().unwrap_or("").trim();
    // The position is ours to print; drop the parser's copy of it.
    match first.rfind(" at line ") {
        Some(i) if first[i..].contains("column") => first[..i].to_string(),
        _ => first.to_string(),
    }
}

fn span_of(loc: &serde_saphyr::Location, source: &str) -> Span {
    let line = u32::try_from(loc.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(loc.column()).unwrap_or(u32::MAX);
    let span = loc.span();
    let (offset, len) = match (span.byte_offset(), span.byte_len()) {
        (Some(o), Some(l)) if (o as usize) <= source.len() => (o as usize, l as usize),
        _ => (offset_of(source, line, column), 0),
    };
    Span::new(
        line,
        column,
        offset,
        len.min(source.len().saturating_sub(offset)),
    )
}

/// Byte offset of a 1-based line and character column, for errors whose
/// location came without byte offsets.
pub fn offset_of(source: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let col = (column.max(1) - 1) as usize;
            return offset
                + text
                    .char_indices()
                    .nth(col)
                    .map(|(b, _)| b)
                    .unwrap_or(text.len());
        }
        offset += text.len();
    }
    source.len()
}

fn convert(node: Spanned<RawKind>, source: &str) -> Node {
    let span = span_of(&node.referenced, source);
    let kind = match node.value {
        RawKind::Null => Kind::Null,
        RawKind::Bool(b) => Kind::Bool(b),
        RawKind::Number(fallback) => {
            let text = source
                .get(span.offset()..span.offset() + span.len())
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .unwrap_or(fallback);
            Kind::Number(text)
        }
        RawKind::Str(s) => Kind::Str(s),
        RawKind::Seq(items) => Kind::Seq(items.into_iter().map(|n| convert(n, source)).collect()),
        RawKind::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, source), convert(v, source)))
                .collect(),
        ),
    };
    Node { kind, span }
}

/// What serde hands us, before spans are turned into ours.
enum RawKind {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Seq(Vec<Spanned<RawKind>>),
    Map(Vec<(Spanned<RawKind>, Spanned<RawKind>)>),
}

impl<'de> Deserialize<'de> for RawKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawKind, E> {
        Ok(RawKind::Null)
    }
    fn visit_none<E>(self) -> Result<RawKind, E> {
        Ok(RawKind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawKind, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawKind, E> {
        Ok(RawKind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawKind, E> {
        Ok(RawKind::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawKind, E> {
        Ok(RawKind::Number(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawKind, E> {
        Ok(RawKind::Number(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawKind, E> {
        Ok(RawKind::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawKind, E> {
        Ok(RawKind::Number(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawKind, E> {
        Ok(RawKind::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawKind, E> {
        Ok(RawKind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(RawKind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::parse;

    #[test]
    fn numbers_keep_their_text_and_place() {
        let src = "fees: 5949.088667\nrow: [1, 2.50, null]\n";
        let root = parse(src).unwrap();
        let map = root.as_map().unwrap();
        let Kind::Number(text) = &map[0].1.kind else {
            panic!("fees is a number")
        };
        assert_eq!(text, "5949.088667");
        assert_eq!((map[0].1.span.line, map[0].1.span.column), (1, 7));
        let Kind::Seq(items) = &map[1].1.kind else {
            panic!("row is a list")
        };
        assert!(matches!(&items[1].kind, Kind::Number(t) if t == "2.50"));
        assert!(matches!(items[2].kind, Kind::Null));
        assert_eq!((items[2].span.line, items[2].span.column), (2, 16));
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(err.span.line, 2);
        assert!(!err.message.starts_with("error"), "{}", err.message);
    }
}
