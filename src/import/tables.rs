//! Reading the tables of sections 二、三、四 from a report's text, in the
//! shapes extraction leaves them: one row per line (wrapped rows too),
//! column by column (pdftotext), pipe tables with rows out of place,
//! tab-separated cells with blanks, and cells glued together.

use std::collections::BTreeMap;
use std::ops::Range;

use super::split::{self, Settled};
use super::text::{Compact, is_cjk, is_page_number, line_of};
use crate::model::Number;
use crate::model::layout::{ColumnKind, Format, REVIEW_ROWS, RowDef, request_rows};

/// How a table's cells sit in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One table row per line; long rows wrap.
    Rows,
    /// Column after column, labels after the numbers (pdftotext).
    Columns,
    /// Markdown pipe tables (PDF-to-Markdown), rows possibly out of place.
    Pipes,
    /// Tab-separated cells (a web page copied), blank cells empty.
    Tabs,
    /// Cells glued together with no separator (crawler text).
    Glued,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Rows => "one row per line",
            Shape::Columns => "column by column",
            Shape::Pipes => "pipe tables",
            Shape::Tabs => "tab-separated",
            Shape::Glued => "cells glued together",
        }
    }
}

/// One cell as read: `None` when printed blank.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub value: Option<Number>,
    pub line: usize,
    /// Why the reading needed more than the printed digits (a rule, a
    /// note in the cell, an OCR letter, `--cell`).
    pub uncertain: Option<String>,
}

impl Cell {
    /// As written in the YAML: the number, or `null` for a printed blank.
    pub fn text(&self) -> String {
        self.value
            .map_or_else(|| "null".to_string(), |v| v.to_string())
    }
}

/// A cell that could not be read: where, which, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// The three tables of one report.
#[derive(Clone, Debug)]
pub struct Tables {
    pub format: Format,
    pub single_other: bool,
    pub shape: Shape,
    pub active: Vec<Vec<Cell>>,
    pub requests: Vec<Vec<Cell>>,
    pub reviews: Vec<Vec<Cell>>,
    /// Where text that is not part of table 四 starts inside section 四
    /// (a lost heading: that text is prose).
    pub after_reviews: Option<usize>,
}

impl Tables {
    /// Every row of the three tables with its definition, in printed order.
    pub fn rows(&self) -> impl Iterator<Item = (&'static RowDef, &Vec<Cell>)> {
        self.format
            .active_rows()
            .iter()
            .zip(&self.active)
            .chain(request_rows(self.single_other).iter().zip(&self.requests))
            .chain(REVIEW_ROWS.iter().zip(&self.reviews))
    }
}

/// Values given with `--cell KEY=VALUE`, by cell key.
pub type Given = BTreeMap<String, Number>;

/// A number token of the text.
#[derive(Clone, Debug)]
struct Tok {
    start: usize,
    line: usize,
    /// The printed text (digits, or glued digits still to split).
    raw: String,
    value: Option<Number>,
    uncertain: Option<String>,
    note: Option<String>,
    /// The words printed on the same line.
    words: String,
}

/// Section ranges (byte offsets in the text) of 二、三、四.
pub struct Ranges {
    pub active: Range<usize>,
    pub requests: Range<usize>,
    pub reviews: Range<usize>,
}

pub fn read(text: &str, ranges: &Ranges, given: &Given) -> Result<Tables, Vec<Problem>> {
    let mut problems = Vec::new();
    let format = detect_format(&text[ranges.active.clone()]).ok_or_else(|| {
        vec![Problem {
            line: line_of(text, ranges.active.start),
            message: "section 二 names neither the 2021 columns (本年制发件数, 本年处理决定数量, 本年收费金额) nor the 2019 ones (本年新制作数量, 上一年项目数量, 采购项目数量): the format cannot be told".to_string(),
        }]
    })?;
    let req_text = &text[ranges.requests.clone()];
    let compact = Compact::new(req_text);
    let three_rows = ["逾期不补正", "缴纳费用", "逾期未按收费通知"]
        .iter()
        .any(|k| compact.find(k, 0).is_some());
    let single_other = !three_rows;
    if format == Format::F2019 && three_rows {
        problems.push(Problem {
            line: line_of(text, ranges.requests.start),
            message: "section 三 prints （六）其他处理 as three rows, which the 2019 format does not have".to_string(),
        });
    }
    let shape = detect_shape(req_text);
    let active = read_active(text, ranges.active.clone(), format, given, &mut problems);
    let defs = request_rows(single_other);
    let requests = if shape == Shape::Glued {
        read_requests_glued(text, ranges.requests.clone(), defs, given, &mut problems)
    } else {
        read_grid(
            text,
            ranges.requests.clone(),
            defs,
            "三",
            given,
            &mut problems,
        )
        .0
    };
    let (reviews, after_reviews) = if detect_shape(&text[ranges.reviews.clone()]) == Shape::Glued {
        (
            read_reviews_glued(text, ranges.reviews.clone(), given, &mut problems),
            None,
        )
    } else {
        read_grid(
            text,
            ranges.reviews.clone(),
            REVIEW_ROWS,
            "四",
            given,
            &mut problems,
        )
    };
    let shape = if shape == Shape::Rows && columns_used(req_text) {
        Shape::Columns
    } else {
        shape
    };
    if problems.is_empty() {
        Ok(Tables {
            format,
            single_other,
            shape,
            active,
            requests,
            reviews,
            after_reviews,
        })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

fn detect_format(section: &str) -> Option<Format> {
    let c = Compact::new(section);
    let has = |keys: &[&str]| keys.iter().any(|k| c.find(k, 0).is_some());
    let f2021 = has(&[
        "本年制发件数",
        "本年处理决定数量",
        "本年收费金额",
        "现行有效件数",
    ]);
    let f2019 = has(&[
        "本年新制作数量",
        "上一年项目数量",
        "采购项目数量",
        "对外公开总数量",
        "其他对外管理服务事项",
    ]);
    match (f2021, f2019) {
        (true, false) => Some(Format::F2021),
        (false, true) => Some(Format::F2019),
        _ => None,
    }
}

pub fn detect_shape(section: &str) -> Shape {
    let lines: Vec<&str> = section.lines().collect();
    if lines
        .iter()
        .filter(|l| l.trim_start().starts_with('|') && l.matches('|').count() >= 3)
        .count()
        >= 2
    {
        return Shape::Pipes;
    }
    if lines
        .iter()
        .any(|l| l.contains('\t') && l.split('\t').any(|f| parse_field(f).is_some()))
    {
        return Shape::Tabs;
    }
    let chars: Vec<char> = section.chars().collect();
    for i in 1..chars.len() {
        if is_cjk(chars[i - 1]) && chars[i].is_ascii_digit() {
            let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = chars.get(i + run).copied();
            if run >= 3 && after.is_none_or(|c| is_cjk(c) || c == '（' || c == '(') {
                return Shape::Glued;
            }
        }
    }
    Shape::Rows
}

/// True when the numbers stand one per line in blocks (pdftotext's
/// column-by-column order).
fn columns_used(section: &str) -> bool {
    let mut lone = 0;
    let mut all = 0;
    for line in section.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let numbers = fields.iter().filter(|f| parse_field(f).is_some()).count();
        all += numbers;
        if numbers == 1 && fields.len() == 1 {
            lone += 1;
        }
    }
    all > 0 && lone * 10 >= all * 6
}

/// A cell printed as a dash or slash: no figure (written `null`).
fn is_dash(field: &str) -> bool {
    matches!(
        field.trim(),
        "/" | "／" | "—" | "——" | "–" | "-" | "－" | "\\"
    )
}

/// A printed number, or an OCR letter in its place (`O` for 0), marked.
fn parse_field(field: &str) -> Option<(Number, Option<String>)> {
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
fn blank_notes(section: &str) -> (String, Vec<(usize, String)>) {
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
struct LineToks {
    toks: Vec<Tok>,
    /// Exactly one number and nothing else.
    lone: bool,
}

fn tokenize(text: &str, range: Range<usize>, shape: Shape) -> Vec<LineToks> {
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

/// Numbers in reading order: blocks printed column by column (runs of
/// equal groups of lone numbers, `width` groups per block) are turned back
/// into rows.
fn in_row_order(lines: Vec<LineToks>, width: usize) -> Result<Vec<Tok>, Problem> {
    let mut groups: Vec<Vec<Tok>> = Vec::new();
    let mut current: Vec<Tok> = Vec::new();
    let mut lone_group = false;
    for lt in lines {
        if lt.lone {
            current.extend(lt.toks);
            lone_group = true;
            continue;
        }
        if lone_group || !current.is_empty() {
            groups.push(std::mem::take(&mut current));
            lone_group = false;
        }
        // A line with several numbers (or none): each number is its own group.
        for t in lt.toks {
            groups.push(vec![t]);
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let k = groups[i].len();
        let run = groups[i..].iter().take_while(|g| g.len() == k).count();
        if k == 1 || (run == 1 && k.is_multiple_of(width)) {
            // Single numbers, or whole rows printed one cell per line.
            out.append(&mut groups[i]);
            i += 1;
            continue;
        }
        if run == 1 {
            return Err(Problem {
                line: groups[i][0].line,
                message: format!(
                    "{k} numbers printed one under another, neither whole rows of {width} nor one of {width} columns: the rows cannot be told apart"
                ),
            });
        }
        if run % width != 0 {
            return Err(Problem {
                line: groups[i][0].line,
                message: format!(
                    "{run} columns of {k} numbers printed one under another, but the table has {width} columns: the rows cannot be told apart"
                ),
            });
        }
        for block in groups[i..i + run].chunks_mut(width) {
            for r in 0..k {
                for col in block.iter() {
                    out.push(col[r].clone());
                }
            }
        }
        i += run;
    }
    Ok(out)
}

fn cell(t: &Tok) -> Cell {
    Cell {
        value: t.value,
        line: t.line,
        uncertain: t.uncertain.clone(),
    }
}

/// 三 or 四 from every number of the section in reading order: the
/// official table's rows, in their fixed order, `width` cells each.
fn read_grid(
    text: &str,
    range: Range<usize>,
    defs: &'static [RowDef],
    section: &str,
    given: &Given,
    problems: &mut Vec<Problem>,
) -> (Vec<Vec<Cell>>, Option<usize>) {
    let shape = detect_shape(&text[range.clone()]);
    let width = defs[0].width();
    let expected = defs.len() * width;
    // The table ends where prose starts (a lost heading before 五).
    let mut after = None;
    let mut stop = range.end;
    if section == "四" {
        let mut seen = 0;
        let mut offset = range.start;
        for line in text[range.clone()].split('\n') {
            let cjk = line.chars().filter(|&c| is_cjk(c)).count();
            let t = line.trim_start();
            let heading_like = t.starts_with('（') && t.chars().nth(2) == Some('）');
            if seen >= expected && cjk >= 6 && (heading_like || line.contains('。')) {
                after = Some(offset);
                stop = offset;
                break;
            }
            seen += tokenize(text, offset..offset + line.len(), shape)
                .iter()
                .map(|l| l.toks.len())
                .sum::<usize>();
            offset += line.len() + 1;
        }
    }
    let lines = tokenize(text, range.start..stop, shape);
    let uneven = if section == "三" {
        uneven_rows(&lines, defs, width)
    } else {
        Vec::new()
    };
    let toks = match in_row_order(lines, width) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return (Vec::new(), after);
        }
    };
    if toks.len() != expected && !uneven.is_empty() {
        problems.extend(uneven);
        return (Vec::new(), after);
    }
    if toks.len() != expected {
        let what = if section == "三" {
            format!(
                "{} rows × {width} cells = {expected}{}",
                defs.len(),
                if defs.len() == 23 {
                    " (（六）其他处理 printed as one row)"
                } else {
                    ""
                }
            )
        } else {
            format!("one row of {expected} cells")
        };
        problems.push(Problem {
            line: toks.first().map_or(line_of(text, range.start), |t| t.line),
            message: format!(
                "section {section}: {} cells read, but the table has {what}: a cell is missing, blank or extra, and where cannot be told",
                toks.len()
            ),
        });
        return (Vec::new(), after);
    }
    // A row printed on one line with its label must be the row the
    // table's order puts there: otherwise rows are missing or out of place.
    if section == "三" {
        let before = problems.len();
        for (r, chunk) in toks.chunks(width).enumerate() {
            let line = chunk[0].line;
            if chunk.iter().any(|t| t.line != line) || chunk[0].words.is_empty() {
                continue;
            }
            if let Some(named) = named_row(defs, &chunk[0].words)
                && named != r
            {
                problems.push(Problem {
                    line,
                    message: format!(
                        "section 三: the figures printed with the label {} fall, in the table's order, on the row {}: a row is missing or out of place",
                        defs[named].cite, defs[r].cite
                    ),
                });
            }
        }
        if problems.len() > before {
            return (Vec::new(), after);
        }
    }
    let mut rows: Vec<Vec<Cell>> = toks
        .chunks(width)
        .map(|r| r.iter().map(cell).collect())
        .collect();
    apply_given(defs, &mut rows, given);
    (rows, after)
}

/// Rows printed with their label whose figures (with the lines that
/// continue them) are not one per cell: where a cell was lost or left blank.
fn uneven_rows(lines: &[LineToks], defs: &[RowDef], width: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    for (k, lt) in lines.iter().enumerate() {
        let Some(first) = lt.toks.first() else {
            continue;
        };
        if first.words.is_empty() {
            continue;
        }
        let Some(r) = named_row(defs, &first.words) else {
            continue;
        };
        let continued: usize = lines[k + 1..]
            .iter()
            .take_while(|l| l.toks.first().is_some_and(|t| t.words.is_empty()))
            .map(|l| l.toks.len())
            .sum();
        let count = lt.toks.len() + continued;
        if count != width {
            out.push(Problem {
                line: first.line,
                message: format!(
                    "{}: {count} figure(s) printed for {width} cells: a cell left blank or lost in extraction, and which one cannot be told",
                    defs[r].cite
                ),
            });
        }
    }
    out
}

/// The row whose label the words end with (the longest such label).
fn named_row(defs: &[RowDef], words: &str) -> Option<usize> {
    let words: String = Compact::new(words).chars.iter().collect();
    defs.iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let bare = d
                .label
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches('.');
            let bare: String = Compact::new(bare).chars.iter().collect();
            words.ends_with(&bare).then_some((bare.chars().count(), i))
        })
        .max()
        .map(|(_, i)| i)
}

fn apply_given(defs: &[RowDef], rows: &mut [Vec<Cell>], given: &Given) {
    for (def, row) in defs.iter().zip(rows.iter_mut()) {
        for (i, c) in row.iter_mut().enumerate() {
            if let Some(v) = given.get(&def.cell_key(i))
                && c.value != Some(*v)
            {
                c.value = Some(*v);
                c.uncertain = Some(format!("given with --cell {}={v}", def.cell_key(i)));
            }
        }
    }
}

/// The label(s) a row of 二 is printed with.
fn active_labels(def: &RowDef) -> Vec<&'static str> {
    match def.key {
        "active.normative_documents" => vec!["行政规范性文件", "规范性文件"],
        "active.procurement" => vec!["政府集中采购"],
        _ => vec![def.label],
    }
}

/// Which column a note printed in a cell names (「其中修订16件」 → 本年制发件数).
fn column_named(def: &RowDef, note: &str) -> Option<usize> {
    let keys: &[(&str, &[&str])] = &[
        ("issued", &["修订", "制发", "制定", "新制", "印发", "出台"]),
        ("repealed", &["失效", "废止", "废除"]),
        ("in_force", &["现行有效"]),
    ];
    def.columns.iter().position(|c| {
        keys.iter()
            .any(|(k, words)| *k == c.key && words.iter().any(|w| note.contains(w)))
    })
}

enum Event {
    Label(usize),
    Num(Tok),
}

fn read_active(
    text: &str,
    range: Range<usize>,
    format: Format,
    given: &Given,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let defs = format.active_rows();
    let section = &text[range.clone()];
    let shape = detect_shape(section);
    let compact = Compact::new(section);
    let mut events: Vec<(usize, Event)> = Vec::new();
    let mut label_line = vec![line_of(text, range.start); defs.len()];
    let mut label_spans: Vec<Range<usize>> = Vec::new();
    for (r, def) in defs.iter().enumerate() {
        let found = active_labels(def).into_iter().find_map(|l| {
            let mut from = 0;
            while let Some(i) = compact.find(l, from) {
                let (s, e) = (
                    compact.offset(i),
                    compact.offset(i + Compact::width(l) - 1) + 1,
                );
                if !label_spans
                    .iter()
                    .any(|sp| sp.start <= s && e <= sp.end + 3)
                {
                    return Some((s, e));
                }
                from = i + 1;
            }
            None
        });
        match found {
            Some((s, e)) => {
                label_line[r] = line_of(text, range.start + s);
                label_spans.push(s..e);
                events.push((range.start + s, Event::Label(r)));
            }
            None => problems.push(Problem {
                line: line_of(text, range.start),
                message: format!("section 二: the row {} is not found", def.label),
            }),
        }
    }
    let tokens: Vec<Tok> = if shape == Shape::Glued {
        glued_runs(text, range.clone(), &label_spans)
    } else {
        tokenize(text, range.clone(), shape)
            .into_iter()
            .flat_map(|l| l.toks)
            .collect()
    };
    for t in tokens {
        events.push((t.start, Event::Num(t)));
    }
    events.sort_by_key(|(at, _)| *at);

    let mut got: Vec<Vec<Tok>> = vec![Vec::new(); defs.len()];
    let mut strays: Vec<Tok> = Vec::new();
    let mut current: Option<usize> = None;
    for (_, ev) in events {
        match ev {
            Event::Label(r) => current = Some(r),
            Event::Num(t) => match current {
                Some(r) if got[r].len() < defs[r].columns.len() || shape == Shape::Glued => {
                    if shape == Shape::Glued {
                        current = None;
                    }
                    got[r].push(t);
                    if got[r].len() == defs[r].columns.len() {
                        current = None;
                    }
                }
                _ => strays.push(t),
            },
        }
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut strays = strays.into_iter();
    for (r, def) in defs.iter().enumerate() {
        let need = def.columns.len();
        let decimal = |i: usize| {
            def.columns
                .get(i)
                .is_some_and(|c| c.kind == ColumnKind::Amount)
        };
        if shape == Shape::Glued {
            let Some(run) = got[r].first() else {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!("{}: no figures printed after the label", def.label),
                });
                rows.push(Vec::new());
                continue;
            };
            let keep = |p: &[Number]| {
                p.iter()
                    .enumerate()
                    .all(|(i, v)| given.get(&def.cell_key(i)).is_none_or(|g| g == v))
            };
            let (cands, _) = split::splits(&run.raw, need, &decimal, &keep);
            match cands.len() {
                1 => rows.push(
                    cands[0]
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Cell {
                            value: Some(*v),
                            line: run.line,
                            uncertain: given
                                .contains_key(&def.cell_key(i))
                                .then(|| format!("given with --cell {}={v}", def.cell_key(i))),
                        })
                        .collect(),
                ),
                0 => {
                    problems.push(Problem {
                        line: run.line,
                        message: format!(
                            "{}: the digits \"{}\" cannot be read as {need} figure(s)",
                            def.label, run.raw
                        ),
                    });
                    rows.push(Vec::new());
                }
                n => {
                    problems.push(open_problem(def, run, &cands, n));
                    rows.push(Vec::new());
                }
            }
            continue;
        }
        let mut cells: Vec<Tok> = std::mem::take(&mut got[r]);
        let mut placed_by_note = None;
        if cells.len() < need {
            let missing = need - cells.len();
            let taken: Vec<Tok> = strays.by_ref().take(missing).collect();
            if taken.len() < missing {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!(
                        "{}: {} of {need} figure(s) found, and no stray figure is left for the rest",
                        def.label,
                        cells.len()
                    ),
                });
                rows.push(Vec::new());
                continue;
            }
            if cells.is_empty() {
                cells = taken;
            } else if missing == 1 {
                let stray = taken.into_iter().next().expect("one taken");
                let by_note = stray.note.as_deref().and_then(|n| column_named(def, n));
                let placements: Vec<Vec<Tok>> = (0..need)
                    .map(|i| {
                        let mut v = cells.clone();
                        v.insert(i, stray.clone());
                        v
                    })
                    .collect();
                let fits_given = |v: &Vec<Tok>| {
                    v.iter().enumerate().all(|(i, t)| {
                        given
                            .get(&def.cell_key(i))
                            .is_none_or(|g| Some(*g) == t.value)
                    })
                };
                let values = |v: &Vec<Tok>| v.iter().map(|t| t.value).collect::<Vec<_>>();
                let candidates: Vec<&Vec<Tok>> =
                    placements.iter().filter(|v| fits_given(v)).collect();
                let same = candidates.windows(2).all(|w| values(w[0]) == values(w[1]));
                if let Some(i) = by_note {
                    placed_by_note = Some((i, stray.note.clone().unwrap_or_default()));
                    cells = placements[i].clone();
                } else if !candidates.is_empty() && same {
                    cells = candidates[0].clone();
                } else {
                    problems.push(Problem {
                        line: stray.line,
                        message: format!(
                            "{}: the figure 「{}」 is printed apart from its row, and nothing tells which of {} it is",
                            def.label,
                            stray.raw,
                            def.columns.iter().map(|c| c.label).collect::<Vec<_>>().join(", ")
                        ),
                    });
                    rows.push(Vec::new());
                    continue;
                }
            } else {
                problems.push(Problem {
                    line: label_line[r],
                    message: format!(
                        "{}: {missing} of its {need} figures are printed apart from the row; which is which cannot be told",
                        def.label
                    ),
                });
                rows.push(Vec::new());
                continue;
            }
        }
        let mut row: Vec<Cell> = cells.iter().map(cell).collect();
        if let Some((i, note)) = placed_by_note {
            row[i].uncertain = Some(format!(
                "printed apart from its row; placed as {} by its note 「{}」",
                def.columns[i].label,
                note.trim()
            ));
        }
        rows.push(row);
    }
    let left: Vec<Tok> = strays.collect();
    if let Some(t) = left.first() {
        problems.push(Problem {
            line: t.line,
            message: format!("section 二: the figure 「{}」 belongs to no row", t.raw),
        });
    }
    if problems.is_empty() {
        apply_given(defs, &mut rows, given);
    }
    rows
}

fn open_problem(def: &RowDef, run: &Tok, cands: &[Vec<Number>], n: usize) -> Problem {
    let col = (0..def.columns.len().max(1))
        .find(|&c| cands.iter().any(|v| v[c] != cands[0][c]))
        .unwrap_or(0);
    let show = |v: &Vec<Number>| {
        v.iter()
            .map(Number::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let examples: Vec<String> = cands.iter().take(2).map(show).collect();
    Problem {
        line: run.line,
        message: format!(
            "{}: the digits \"{}\" split {n} ways into {} and no rule decides ({} or …); read the original and give it with --cell {}=N",
            def.cite_cell(col),
            run.raw,
            def.columns
                .iter()
                .map(|c| c.label)
                .collect::<Vec<_>>()
                .join(", "),
            examples.join(", or "),
            def.cell_key(col)
        ),
    }
}

/// Runs of digits in glued text (a label's numeral such as the `2` of
/// `2.其他…` excepted), each still to be split.
fn glued_runs(text: &str, range: Range<usize>, labels: &[Range<usize>]) -> Vec<Tok> {
    let section = &text[range.clone()];
    let (blanked, _) = blank_notes(section);
    let chars: Vec<(usize, char)> = blanked.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_ascii_digit() && !labels.iter().any(|l| l.contains(&at)) {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '.') {
                j += 1;
            }
            let mut raw: String = chars[i..j].iter().map(|(_, c)| *c).collect();
            // `…0000000` + `2.` + label: the last digit is the label's numeral.
            if raw.ends_with('.') {
                raw.pop();
                raw.pop();
            } else if chars.get(j).is_some_and(|(_, c)| *c == '、') {
                raw.pop();
            }
            if !raw.is_empty() && !is_page_number(&raw) {
                out.push(Tok {
                    start: range.start + at,
                    line: line_of(text, range.start + at),
                    raw,
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// Label keys of a row of 三: with its numeral first, then without, then
/// shorter pieces (for labels OCR garbled).
fn request_keys(def: &RowDef) -> Vec<String> {
    let label = def.label;
    let mut keys = vec![label.to_string()];
    let bare = label
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches('.');
    if bare.len() != label.len() {
        keys.push(bare.to_string());
    }
    let short: String = bare.split('（').next().unwrap_or(bare).to_string();
    let short = if short.is_empty() {
        bare.to_string()
    } else {
        short
    };
    if let Some(cut) = label.find('（').filter(|&i| i > 0) {
        keys.push(label[..cut].to_string());
    }
    // Pieces of the label, for labels OCR garbled (「属于国家秘宓」). A piece
    // found too far ahead leaves two groups of digits in the row before it,
    // which is refused, so a piece never shifts rows silently.
    let chars: Vec<char> = short.chars().collect();
    if chars.len() >= 5 {
        let k = if chars.len() > 6 { 4 } else { 3 };
        keys.push(chars[..k].iter().collect());
        keys.push(chars[chars.len() - k..].iter().collect());
    }
    keys
}

fn read_requests_glued(
    text: &str,
    range: Range<usize>,
    defs: &'static [RowDef],
    given: &Given,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let section = &text[range.clone()];
    let compact = Compact::new(section);
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for def in defs {
        let hit = request_keys(def)
            .iter()
            .find_map(|k| compact.find(k, from).map(|i| (i, i + Compact::width(k))));
        match hit {
            Some((s, e)) => {
                found.push((s, e));
                from = e;
            }
            None => {
                problems.push(Problem {
                    line: line_of(text, range.start + compact.offset(from)),
                    message: format!("{}: its label is not found in section 三", def.cite),
                });
                return Vec::new();
            }
        }
    }
    let mut candidates = Vec::new();
    let mut runs = Vec::new();
    for (r, def) in defs.iter().enumerate() {
        let end = found.get(r + 1).map_or(compact.chars.len(), |f| f.0);
        let seg = compact.slice(found[r].1, end);
        let line = line_of(text, range.start + compact.offset(found[r].1));
        let mut digits: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in seg.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                cur.push(c);
            } else {
                if !cur.is_empty() {
                    if c == '.' {
                        // a numeral: `…0000000` `2.` of a label found without it
                        cur.pop();
                    }
                    if !cur.is_empty() {
                        digits.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                }
            }
        }
        let run = match digits.len() {
            1 => digits.remove(0),
            0 => {
                problems.push(Problem {
                    line,
                    message: format!("{}: no figures printed after the label", def.cite),
                });
                return Vec::new();
            }
            _ => {
                problems.push(Problem {
                    line,
                    message: format!(
                        "{}: several groups of digits ({}) after the label",
                        def.cite,
                        digits.join(", ")
                    ),
                });
                return Vec::new();
            }
        };
        let keep = |p: &[Number]| {
            p.iter()
                .enumerate()
                .all(|(i, v)| given.get(&def.cell_key(i)).is_none_or(|g| g == v))
        };
        let (all, _) = split::splits(&run, 7, &|_| false, &keep);
        let cands = if all.len() > 1 {
            all.into_iter().filter(|c| split::r2_holds(c)).collect()
        } else {
            all
        };
        if cands.is_empty() {
            problems.push(Problem {
                line,
                message: format!(
                    "{}: the digits \"{run}\" cannot be split into 7 cells whose 总计 is the sum of the other six (R2)",
                    def.cite
                ),
            });
            return Vec::new();
        }
        candidates.push(cands);
        runs.push((run, line));
    }
    let settled = split::settle(defs, candidates);
    let mut rows = Vec::new();
    for ((def, s), (run, line)) in defs.iter().zip(settled).zip(runs) {
        match s {
            Settled::Read { cells, by_rules } => rows.push(
                cells
                    .iter()
                    .map(|v| Cell {
                        value: Some(*v),
                        line,
                        uncertain: by_rules.then(|| {
                            format!("\"{run}\" split more than one way; R1 and R3 leave one")
                        }),
                    })
                    .collect(),
            ),
            Settled::Open(c) => {
                let n = c.len();
                let tok = Tok {
                    start: 0,
                    line,
                    raw: run,
                    value: None,
                    uncertain: None,
                    note: None,
                    words: String::new(),
                };
                let mut p = open_problem(def, &tok, &c, n);
                p.message = p.message.replace("no rule decides", "R1–R6 do not decide");
                problems.push(p);
                rows.push(Vec::new());
            }
        }
    }
    rows
}

fn read_reviews_glued(
    text: &str,
    range: Range<usize>,
    given: &Given,
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Cell>> {
    let runs = glued_runs(text, range.clone(), &[]);
    let Some(first) = runs.first() else {
        problems.push(Problem {
            line: line_of(text, range.start),
            message: "section 四: no figures found".to_string(),
        });
        return Vec::new();
    };
    let line = first.line;
    let digits: String = runs.iter().map(|r| r.raw.as_str()).collect();
    let keys: Vec<String> = REVIEW_ROWS
        .iter()
        .flat_map(|d| (0..5).map(move |i| d.cell_key(i)))
        .collect();
    let keep = |p: &[Number]| {
        p.iter()
            .enumerate()
            .all(|(i, v)| given.get(&keys[i]).is_none_or(|g| g == v))
    };
    let (all, _) = split::splits(&digits, 15, &|_| false, &keep);
    let cands: Vec<Vec<Number>> = if all.len() > 1 {
        let (all, _) = split::splits(&digits, 15, &|_| false, &|p: &[Number]| {
            keep(p) && split::review_groups_hold(p)
        });
        all
    } else {
        all
    };
    match cands.len() {
        1 => {
            let uncertain = (digits.len() > 15)
                .then(|| format!("\"{digits}\" split more than one way; R4–R6 leave one"));
            cands[0]
                .chunks(5)
                .map(|g| {
                    g.iter()
                        .map(|v| Cell {
                            value: Some(*v),
                            line,
                            uncertain: uncertain.clone(),
                        })
                        .collect()
                })
                .collect()
        }
        0 => {
            problems.push(Problem {
                line,
                message: format!(
                    "section 四: the digits \"{digits}\" cannot be split into 15 cells where each 总计 is the sum of its row (R4–R6)"
                ),
            });
            Vec::new()
        }
        n => {
            let col = (0..15)
                .find(|&c| cands.iter().any(|v| v[c] != cands[0][c]))
                .unwrap_or(0);
            let def = &REVIEW_ROWS[col / 5];
            problems.push(Problem {
                line,
                message: format!(
                    "{}: the digits \"{digits}\" split {n} ways into the 15 cells of section 四 and R4–R6 do not decide; read the original and give it with --cell {}=N",
                    def.cite_cell(col % 5),
                    def.cell_key(col % 5)
                ),
            });
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(detect_shape("数量801000081二、"), Shape::Glued);
        assert_eq!(detect_shape("a\t1\t\t2\n"), Shape::Tabs);
        assert_eq!(detect_shape("| a | 1 |\n| b | 2 |\n"), Shape::Pipes);
        assert_eq!(detect_shape("规章 0 0 0\n"), Shape::Rows);
    }

    #[test]
    fn notes_are_not_cells() {
        let (b, notes) = blank_notes("22\n（其中修订 16 件）\n");
        assert!(!b.contains("16"));
        assert_eq!(notes.len(), 1);
    }
}
