//! The numbers of a section, line by line: printed numbers (an OCR letter
//! in a digit's place marked), dashes and empty tab cells as blanks, and the
//! parenthesised notes beside a figure kept apart from the cells.

use std::ops::Range;

use super::{Shape, Tok};
use crate::import::text::{is_page_number, line_of};
use crate::model::Number;

/// A cell printed as a dash or slash: no figure (written `null`).
pub(super) fn is_dash(field: &str) -> bool {
    matches!(
        field.trim(),
        "/" | "／" | "—" | "——" | "–" | "-" | "－" | "\\"
    )
}

/// A printed number, or an OCR letter in its place (`O` for 0), marked.
pub(super) fn parse_field(field: &str) -> Option<(Number, Option<String>)> {
    let f = field.trim();
    if f.is_empty() {
        return None;
    }
    if f.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        && let Ok(n) = Number::parse(f)
    {
        return Some((n, None));
    }
    let has_digit = f.bytes().any(|b| b.is_ascii_digit());
    if (has_digit || f == "O" || f == "〇")
        && f.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, 'O' | 'o' | '〇' | 'l' | 'I' | '.'))
    {
        let fixed: String = f
            .chars()
            .map(|c| match c {
                'O' | 'o' | '〇' => '0',
                'l' | 'I' => '1',
                c => c,
            })
            .collect();
        if let Ok(n) = Number::parse(&fixed) {
            return Some((n, Some(format!("printed 「{f}」, read as {n} (OCR)"))));
        }
    }
    None
}

/// Parenthesised notes (「（其中修订 16 件）」) replaced by spaces of the same
/// length, so their digits are not cells; each note is kept with its offset.
pub(super) fn blank_notes(section: &str) -> (String, Vec<(usize, String)>) {
    let mut out = section.to_string();
    let mut notes = Vec::new();
    let bytes: Vec<(usize, char)> = section.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if c == '（' || c == '(' {
            let mut depth = 0;
            let mut end = None;
            for (k, &(_, d)) in bytes.iter().enumerate().skip(i).take(60) {
                if d == '（' || d == '(' {
                    depth += 1;
                } else if d == '）' || d == ')' {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(k);
                        break;
                    }
                }
            }
            if let Some(k) = end {
                let stop = bytes[k].0 + bytes[k].1.len_utf8();
                let inner = &section[start..stop];
                if inner.bytes().any(|b| b.is_ascii_digit()) {
                    notes.push((start, inner.to_string()));
                }
                let spaced: String = inner
                    .chars()
                    .map(|c| {
                        if c == '\n' {
                            "\n".to_string()
                        } else {
                            " ".repeat(c.len_utf8())
                        }
                    })
                    .collect();
                out.replace_range(start..stop, &spaced);
                i = k + 1;
                continue;
            }
        }
        i += 1;
    }
    (out, notes)
}

/// Lines of a section with their number tokens.
pub(super) struct LineToks {
    pub(super) toks: Vec<Tok>,
    /// Exactly one number and nothing else.
    pub(super) lone: bool,
}

pub(super) fn tokenize(text: &str, range: Range<usize>, shape: Shape) -> Vec<LineToks> {
    let section = &text[range.clone()];
    let (blanked, notes) = blank_notes(section);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in blanked.split('\n') {
        let line_start = range.start + offset;
        offset += line.len() + 1;
        if is_page_number(line) {
            continue;
        }
        let line_no = line_of(text, line_start);
        let mut toks = Vec::new();
        let mut words = String::new();
        let mut has_text = false;
        let mut push = |field: &str, at: usize, blank_ok: bool, has_text: &mut bool| {
            match parse_field(field) {
                Some((n, uncertain)) => toks.push(Tok {
                    start: line_start + at,
                    line: line_no,
                    raw: field.trim().to_string(),
                    value: Some(n),
                    uncertain,
                    note: None,
                    words: String::new(),
                }),
                None if blank_ok && field.trim().is_empty() => toks.push(Tok {
                    start: line_start + at,
                    line: line_no,
                    raw: String::new(),
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                }),
                None if is_dash(field) => toks.push(Tok {
                    start: line_start + at,
                    line: line_no,
                    raw: field.trim().to_string(),
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                }),
                None => {
                    if !field.trim().is_empty() {
                        *has_text = true;
                        words.push_str(field.trim());
                    }
                }
            }
        };
        let fields_at = |sep: char| -> Vec<(usize, &str)> {
            let mut v = Vec::new();
            let mut at = 0;
            for f in line.split(sep) {
                v.push((at, f));
                at += f.len() + sep.len_utf8();
            }
            v
        };
        let trimmed = line.trim_start();
        if shape == Shape::Pipes && trimmed.starts_with('|') {
            let fields = fields_at('|');
            let separator = fields
                .iter()
                .all(|(_, f)| f.trim().chars().all(|c| matches!(c, '-' | ':' | ' ')));
            if separator {
                continue;
            }
            for (at, f) in fields {
                if !f.trim().is_empty() {
                    push(f, at, false, &mut has_text);
                }
            }
        } else if shape == Shape::Tabs && line.contains('\t') {
            let fields = fields_at('\t');
            let last_text = fields
                .iter()
                .rposition(|(_, f)| !f.trim().is_empty() && parse_field(f).is_none());
            let tail = &fields[last_text.map_or(0, |i| i + 1)..];
            if tail.iter().any(|(_, f)| parse_field(f).is_some()) {
                if last_text.is_some() {
                    has_text = true;
                }
                for &(at, f) in tail {
                    push(f, at, true, &mut has_text);
                }
            } else if last_text.is_some() {
                has_text = true;
            }
        } else {
            // Offsets from the characters themselves: separators may be
            // wider than a byte (a thin space).
            let mut start = None;
            for (i, c) in line
                .char_indices()
                .chain(std::iter::once((line.len(), ' ')))
            {
                if c.is_whitespace() || c == '|' {
                    if let Some(s) = start.take() {
                        push(&line[s..i], s, false, &mut has_text);
                    }
                } else if start.is_none() {
                    start = Some(i);
                }
            }
        }
        let lone = toks.len() == 1 && !has_text;
        for t in &mut toks {
            t.words.clone_from(&words);
        }
        out.push(LineToks { toks, lone });
    }
    // A note belongs to the number printed just before it.
    let all: Vec<(usize, usize)> = out
        .iter()
        .enumerate()
        .flat_map(|(l, lt)| (0..lt.toks.len()).map(move |t| (l, t)))
        .collect();
    for (at, note) in notes {
        let at = range.start + at;
        if let Some(&(l, t)) = all.iter().rev().find(|&&(l, t)| out[l].toks[t].start < at) {
            let tok = &out[l].toks[t];
            let between = text.get(tok.start + tok.raw.len()..at).unwrap_or("x");
            if between.trim().is_empty() {
                out[l].toks[t].note = Some(note);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_not_cells() {
        let (b, notes) = blank_notes("22\n（其中修订 16 件）\n");
        assert!(!b.contains("16"));
        assert_eq!(notes.len(), 1);
    }
}
