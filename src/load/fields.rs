//! Reading typed fields out of a YAML mapping, one diagnostic per problem.
//!
//! Shared by `agency.yaml` and `<year>.yaml`: unknown keys (with a "did you
//! mean"), missing keys, and values of the wrong kind.

use std::path::{Path, PathBuf};

use super::yaml::{Kind, Node};
use crate::diagnostics::{Diagnostic, Rule, Span};

/// Diagnostics of one file.
pub struct FileCx {
    pub file: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileCx {
    pub fn new(file: &Path) -> Self {
        FileCx {
            file: file.to_path_buf(),
            diagnostics: Vec::new(),
        }
    }

    pub fn error(&mut self, rule: Rule, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::error(rule, &self.file, Some(span), message));
    }

    pub fn error_help(&mut self, rule: Rule, span: Span, message: String, help: String) {
        self.diagnostics
            .push(Diagnostic::error(rule, &self.file, Some(span), message).with_help(help));
    }

    pub fn warning(&mut self, rule: Rule, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::warning(rule, &self.file, Some(span), message));
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A mapping whose keys have been checked against the known ones.
pub struct Fields<'a> {
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
    pub span: Span,
}

impl<'a> Fields<'a> {
    /// Reads `node` as a mapping with keys from `known`; anything else is an
    /// error naming the key, where it is (`context`), and the closest known key.
    pub fn new(
        cx: &mut FileCx,
        node: &'a Node,
        known: &[&str],
        context: &str,
    ) -> Option<Fields<'a>> {
        let Kind::Map(entries) = &node.kind else {
            cx.error(
                Rule::Type,
                node.span,
                format!(
                    "{context} must be a mapping of `key: value`, not {}",
                    node.describe()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let name = match &key.kind {
                Kind::Str(s) => s.as_str(),
                _ => {
                    cx.error(
                        Rule::UnknownKey,
                        key.span,
                        format!("unknown key `{}` in {context}", key.key_str()),
                    );
                    continue;
                }
            };
            if known.contains(&name) {
                out.push((name, key, value));
            } else {
                let message = match closest(name, known) {
                    Some(k) => format!("unknown key `{name}` in {context}; did you mean `{k}`?"),
                    None => format!("unknown key `{name}` in {context}"),
                };
                cx.error_help(
                    Rule::UnknownKey,
                    key.span,
                    message,
                    format!("the keys of {context} are: {}", known.join(", ")),
                );
            }
        }
        Some(Fields {
            entries: out,
            span: node.span,
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|e| e.2)
    }

    /// A required key; its absence is an error at the mapping.
    pub fn require(&self, cx: &mut FileCx, key: &str, context: &str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            cx.error(
                Rule::MissingKey,
                self.span,
                format!("missing `{key}` in {context}"),
            );
        }
        node
    }
}

/// Reads a text value; numbers are accepted as their text (a code such as
/// 11410703 written without quotes).
pub fn text(cx: &mut FileCx, node: &Node, what: &str) -> Option<String> {
    match &node.kind {
        Kind::Str(s) | Kind::Number(s) => Some(s.clone()),
        Kind::Null => None,
        _ => {
            cx.error(
                Rule::Type,
                node.span,
                format!("{what} must be text, not {}", node.describe()),
            );
            None
        }
    }
}

pub fn boolean(cx: &mut FileCx, node: &Node, what: &str) -> Option<bool> {
    match &node.kind {
        Kind::Bool(b) => Some(*b),
        _ => {
            cx.error(
                Rule::Type,
                node.span,
                format!("{what} must be true or false, not {}", node.describe()),
            );
            None
        }
    }
}

/// A whole number such as a year or a sort key.
pub fn integer(cx: &mut FileCx, node: &Node, what: &str) -> Option<i64> {
    if let Kind::Number(t) = &node.kind
        && let Ok(n) = t.parse::<i64>()
    {
        return Some(n);
    }
    cx.error(
        Rule::Type,
        node.span,
        format!("{what} must be a whole number, not {}", show(node)),
    );
    None
}

/// A year: four digits.
pub fn year(cx: &mut FileCx, node: &Node, what: &str) -> Option<i32> {
    let n = integer(cx, node, what)?;
    if (1000..=9999).contains(&n) {
        Some(n as i32)
    } else {
        cx.error(
            Rule::Type,
            node.span,
            format!("{what} must be a four-digit year, not {n}"),
        );
        None
    }
}

/// How a value reads in a message: `-1`, `"abc"`, `a list`.
pub fn show(node: &Node) -> String {
    match &node.kind {
        Kind::Number(t) => t.clone(),
        Kind::Str(s) => format!("\"{s}\""),
        _ => node.describe().to_string(),
    }
}

/// The known key nearest to a typo, if any is near enough to be a typo.
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        let known = ["granted", "partially_granted", "withheld"];
        assert_eq!(closest("granted_x", &known), Some("granted"));
        assert_eq!(closest("withheld", &known), Some("withheld"));
        assert_eq!(closest("zzzzzz", &known), None);
    }
}
