//! A YAML document as a tree of nodes that remember where they were written.
//!
//! Two readers make the tree: [`plain`], the fast reader of the plain
//! subset report files are written in, and [`saphyr`] (serde-saphyr), which
//! reads everything else and gives every error. We keep locations on every
//! node so that a rule broken deep in a report can still point at the exact
//! cell. Numbers keep their source text: amounts are read from it, never
//! through a float.

mod plain;
mod saphyr;

use crate::diagnostics::Span;

pub use saphyr::{offset_of, parse_full};

/// One YAML node and the place it was written.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null,
    Bool(bool),
    /// A number, as written in the file (`5949.088667`, `0x10`, `1e3`).
    Number(String),
    /// A string (plain or quoted).
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// How the node's kind reads in a message: "a list", "text", …
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "empty (null)",
            Kind::Bool(_) => "true/false",
            Kind::Number(_) => "a number",
            Kind::Str(_) => "text",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn key_str(&self) -> String {
        match &self.kind {
            Kind::Str(s) | Kind::Number(s) => s.clone(),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "~".to_string(),
            _ => self.describe().to_string(),
        }
    }
}

/// A YAML syntax error with its place.
#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Parses one YAML document. `source` is the whole file (a leading BOM is
/// allowed and keeps byte offsets true to the file). Files in the plain
/// subset take the fast path; the rest, and every error, serde-saphyr.
pub fn parse(source: &str) -> Result<Node, SyntaxError> {
    match plain::parse(source) {
        Some(node) => Ok(node),
        None => parse_full(source),
    }
}

/// How deep mappings and lists may nest. A report nests four levels
/// (`requests:` → `withheld:` → a row → its list); deeper is a mistake or
/// an attack, and each level costs the parser stack.
pub const MAX_DEPTH: usize = 16;
