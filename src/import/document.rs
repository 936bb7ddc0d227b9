//! One structured form for a report read from a web page or a Word file:
//! its blocks in order (paragraphs, and tables as grids with merged cells
//! expanded), then each statistical table placed cell by cell by its row
//! labels and column headings (the labels of [`crate::model::layout`]) and
//! written out as the tab-separated text the text importer reads with
//! every cell's place fixed. HTML and Word differ only in how they fill a
//! [`Document`]; from here on both take the text import's one pipeline.

use std::collections::BTreeMap;
use std::path::Path;

use super::blocks::{Block, Document, Grid, Slot};
use crate::error::{Error, Result};
use crate::model::layout::{ColumnKind, Format, REVIEW_ROWS, RowDef, request_rows};

/// A cell printed blank: empty, or only dashes and slashes.
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || "—–-－/／─━―\u{2012}\u{2043}".contains(c))
}

/// A cell holding a figure (digits, a sign, a decimal point, a thousands
/// separator; full-width digits too).
fn is_figure(text: &str) -> bool {
    let t = figure_text(text);
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ','))
}

/// A figure's text as the text importer reads it: ASCII digits, no spaces.
fn figure_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            '，' => ',',
            _ => c,
        })
        .collect()
}

/// A label compared with the official one: no spaces, brackets and quotes
/// in one form.
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '"' | '“' | '”' | '「' | '」' => '"',
            '．' | '、' => '.',
            _ => c,
        })
        .collect()
}

/// The label without its numbering (`（一）`, `1.`, `一、`).
fn unnumbered(k: &str) -> &str {
    let mut s = k;
    if let Some(rest) = s.strip_prefix('（')
        && let Some(i) = rest.find('）')
        && rest[..i]
            .chars()
            .all(|c| "一二三四五六七八九十".contains(c))
    {
        s = &rest[i + '）'.len_utf8()..];
    } else {
        let numeral = s
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
            .last()
            .map(|(i, c)| i + c.len_utf8());
        if let Some(n) = numeral
            && s[n..].starts_with('.')
        {
            s = &s[n + 1..];
        }
    }
    s
}

/// Whether a printed row label names the official row: the same words
/// once numbering, spaces and bracket forms are set aside, or the
/// official label's start when the page shortens it (`（二）部分公开`).
fn label_matches(printed: &str, def: &RowDef) -> bool {
    let (p, o) = (key(printed), key(def.label));
    if p == o {
        return true;
    }
    let (pu, ou) = (unnumbered(&p), unnumbered(&o));
    if pu.is_empty() || ou.is_empty() {
        return false;
    }
    // The numbering must agree when both print one.
    let numbered = |full: &str, rest: &str| full.len() != rest.len();
    let long = pu.chars().count() >= 4;
    match (numbered(&p, pu), numbered(&o, ou)) {
        (true, true) if p[..p.len() - pu.len()] != o[..o.len() - ou.len()] => return false,
        // A short label without its number (`其他`, `总计`) is a heading.
        (false, true) if !long => return false,
        _ => {}
    }
    // A shortened label: its start (`（二）部分公开`), or its end as 2021
    // pages print 「规范性文件」 for 行政规范性文件.
    pu == ou || (long && (ou.starts_with(pu) || pu.starts_with(ou) || ou.ends_with(pu)))
}

/// Whether a printed column heading is the official one (`（万元）` in
/// either bracket form).
fn heading_matches(printed: &str, official: &str) -> bool {
    let (p, o) = (key(printed), key(official));
    p == o || (!p.is_empty() && unbracketed(&p) == unbracketed(&o))
}

/// A heading without what it says in brackets (`（万元）`, `（单位：万元）`).
fn unbracketed(k: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in k.chars() {
        match c {
            '（' => depth += 1,
            '）' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Which statistical table a grid is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Active,
    Requests,
    Reviews,
}

fn kind_of(grid: &Grid) -> Option<Kind> {
    let all: String = grid
        .rows
        .iter()
        .flatten()
        .map(|s| key(&s.text))
        .collect::<Vec<_>>()
        .join("|");
    if all.contains("本年新收") || all.contains("申请人情况") {
        Some(Kind::Requests)
    } else if all.contains("结果维持") && all.contains("复议") {
        Some(Kind::Reviews)
    } else if [
        "本年制发件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "本年新制作数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购项目数量",
    ]
    .iter()
    .any(|k| all.contains(k))
    {
        Some(Kind::Active)
    } else {
        None
    }
}

fn format_of(grids: &[&Grid]) -> Option<Format> {
    let all: String = grids
        .iter()
        .flat_map(|g| g.rows.iter().flatten())
        .map(|s| key(&s.text))
        .collect();
    let f2021 = [
        "本年制发件数",
        "本年处理决定数量",
        "本年收费金额",
        "现行有效件数",
    ]
    .iter()
    .any(|k| all.contains(k));
    let f2019 = [
        "本年新制作数量",
        "上一年项目数量",
        "采购项目数量",
        "对外公开总数量",
    ]
    .iter()
    .any(|k| all.contains(k));
    match (f2021, f2019) {
        (true, false) => Some(Format::F2021),
        (false, true) => Some(Format::F2019),
        _ => None,
    }
}

/// The distinct cells of a row (a merged cell once), with the first
/// column each covers.
fn distinct(row: &[Slot]) -> Vec<(usize, &Slot)> {
    let mut out: Vec<(usize, &Slot)> = Vec::new();
    for (c, s) in row.iter().enumerate() {
        if !out.iter().any(|(_, o)| o.origin == s.origin) {
            out.push((c, s));
        }
    }
    out
}

/// The cells of one table placed by label: per row definition, its
/// cells in the official order (`None`: printed blank).
type Placed = BTreeMap<&'static str, Vec<Option<String>>>;

/// Places the rows of tables 二 and 三: each row by its label, each cell
/// under the nearest heading row above that names the row's columns.
fn place_rows(
    grid: &Grid,
    defs: &'static [RowDef],
    table: &str,
    placed: &mut Placed,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (r, row) in grid.rows.iter().enumerate() {
        let cells = distinct(row);
        let labels: Vec<&Slot> = cells
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| {
                !is_blank(&s.text) && !is_figure(&s.text) && amount_with_unit(&s.text).is_none()
            })
            .collect();
        let Some((def, label)) = labels.iter().rev().find_map(|l| {
            defs.iter()
                .find(|d| label_matches(&l.text, d))
                .map(|d| (d, *l))
        }) else {
            continue;
        };
        // The heading row: the nearest above naming the row's first column.
        let first = def.column_label(0);
        let Some(head) = grid.rows[..r]
            .iter()
            .rev()
            .find(|h| h.iter().any(|s| heading_matches(&s.text, first)))
        else {
            problems.push(format!(
                "table {table}: the row {} has no heading row above it naming the column {first}",
                def.cite
            ));
            continue;
        };
        let mut values = Vec::new();
        for i in 0..def.width() {
            let want = def.column_label(i);
            let Some(c) = head.iter().position(|s| heading_matches(&s.text, want)) else {
                problems.push(format!(
                    "table {table}: no column headed {want} above the row {}",
                    def.cite
                ));
                break;
            };
            let Some(slot) = row.get(c) else {
                problems.push(format!(
                    "table {table}: the row {} has no cell under {want}",
                    def.cite
                ));
                break;
            };
            if labels.iter().any(|l| l.origin == slot.origin) {
                problems.push(format!(
                    "table {table}: the row {}: the cell under {want} is the row's label {}",
                    def.cite, label.text
                ));
                break;
            }
            let amount = def.columns.get(i).map(|c| c.kind) == Some(ColumnKind::Amount);
            match amount_with_unit(&slot.text) {
                Some((figure, Unit::TenThousandYuan)) if amount => values.push(Some(figure)),
                Some((figure, Unit::Yuan)) if amount => {
                    let wan = yuan_to_wan(&figure);
                    notes.push(format!(
                        "table {table}: {} · {want} printed in 元 ({}): written as {wan} 万元, the decimal point moved four places",
                        def.cite,
                        slot.text.trim()
                    ));
                    values.push(Some(wan));
                }
                _ => values.push(cell_value(&slot.text)),
            }
        }
        if values.len() == def.width() && placed.insert(def.key, values).is_some() {
            problems.push(format!(
                "table {table}: the row {} is printed twice",
                def.cite
            ));
        }
    }
    problems
}

/// The unit an amount is printed in after its figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Yuan,
    TenThousandYuan,
}

/// An amount printed with its unit (`75394432.52元`, `12.5万元`): the
/// figure (thousands separators dropped) and the unit. 平潭's 2019 page
/// prints its 采购总金额 so.
fn amount_with_unit(text: &str) -> Option<(String, Unit)> {
    let t = figure_text(text);
    let (figure, unit) = if let Some(f) = t.strip_suffix("万元") {
        (f, Unit::TenThousandYuan)
    } else {
        (t.strip_suffix('元')?, Unit::Yuan)
    };
    let figure: String = figure.chars().filter(|&c| c != ',').collect();
    let digits_and_point = figure.chars().all(|c| c.is_ascii_digit() || c == '.');
    (is_figure(&figure) && digits_and_point && figure.matches('.').count() <= 1)
        .then_some((figure, unit))
}

/// An amount in 元 as 万元: the same digits, the decimal point moved four
/// places left (exact: no arithmetic that could round).
fn yuan_to_wan(figure: &str) -> String {
    let (int, frac) = figure.split_once('.').unwrap_or((figure, ""));
    let int = format!("{int:0>5}");
    let (high, low) = int.split_at(int.len() - 4);
    let high = high.trim_start_matches('0');
    let frac = format!("{low}{frac}");
    let frac = frac.trim_end_matches('0');
    let high = if high.is_empty() { "0" } else { high };
    if frac.is_empty() {
        high.to_string()
    } else {
        format!("{high}.{frac}")
    }
}

/// A cell's value as written to the text: the figure, `None` when blank,
/// or the printed text (the text importer names what it cannot read).
fn cell_value(text: &str) -> Option<String> {
    if is_blank(text) {
        None
    } else if is_figure(text) {
        Some(figure_text(text))
    } else {
        Some(text.replace('\t', " "))
    }
}

/// Places table 四: each column by the headings above it (the group —
/// 行政复议, 未经复议直接起诉, 复议后起诉 — and the result), the figures
/// from the one row of figures.
fn place_reviews(grid: &Grid, placed: &mut Placed) -> Vec<String> {
    let mut problems = Vec::new();
    let data: Vec<usize> = grid
        .rows
        .iter()
        .enumerate()
        .filter(|(_, row)| distinct(row).iter().any(|(_, s)| is_figure(&s.text)))
        .map(|(r, _)| r)
        .collect();
    let r = match data.as_slice() {
        [r] => *r,
        [] => return vec!["table 四 has no row of figures".to_string()],
        _ => {
            return vec![format!(
                "table 四 has {} rows of figures; the official table has one",
                data.len()
            )];
        }
    };
    let path = |c: usize| -> Vec<&str> {
        grid.rows[..r]
            .iter()
            .filter_map(|h| h.get(c).map(|s| s.text.as_str()))
            .collect()
    };
    for def in REVIEW_ROWS {
        let mut values = Vec::new();
        for i in 0..def.width() {
            let want = def.column_label(i);
            let c = (0..grid.rows[r].len()).find(|&c| {
                let p = path(c);
                p.iter().any(|t| key(t) == key(def.label))
                    && p.iter().any(|t| heading_matches(t, want))
            });
            match c {
                Some(c) => values.push(cell_value(&grid.rows[r][c].text)),
                None => {
                    problems.push(format!("table 四: no column headed {} · {want}", def.label));
                    break;
                }
            }
        }
        if values.len() == def.width() {
            placed.insert(def.key, values);
        }
    }
    problems
}

fn field(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// The text of a non-statistical table: one line a row, cells apart.
fn plain_table(grid: &Grid) -> String {
    let mut out = String::new();
    for row in &grid.rows {
        let cells: Vec<&str> = distinct(row)
            .iter()
            .map(|(_, s)| s.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        if !cells.is_empty() {
            out.push_str(&cells.join(" "));
            out.push('\n');
        }
    }
    out
}

/// The document as the text importer's input: paragraphs a line each, the
/// three tables written row by row with their official labels and every
/// cell in its official column (blank cells empty between tabs).
pub fn to_text(doc: &Document, file: &Path) -> Result<(String, Vec<String>)> {
    let fail = |message: String| Error::Import {
        file: file.to_path_buf(),
        line: None,
        message,
    };
    let kinds: Vec<Option<Kind>> = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table(g) => kind_of(g),
            Block::Paragraph(_) => None,
        })
        .collect();
    let grids_of = |k: Kind| -> Vec<&Grid> {
        doc.blocks
            .iter()
            .zip(&kinds)
            .filter_map(|(b, kind)| match b {
                Block::Table(g) if *kind == Some(k) => Some(g),
                _ => None,
            })
            .collect()
    };
    let (active, requests, reviews) = (
        grids_of(Kind::Active),
        grids_of(Kind::Requests),
        grids_of(Kind::Reviews),
    );
    for (grids, what) in [
        (&active, "二 (主动公开)"),
        (&requests, "三 (收到和处理申请)"),
        (&reviews, "四 (行政复议、行政诉讼)"),
    ] {
        if grids.is_empty() {
            return Err(fail(format!(
                "the page has no table {what}: a report's tables are read from its <table> elements (Word tables); is this a 政府信息公开工作年度报告?"
            )));
        }
    }
    let format = format_of(&active).ok_or_else(|| {
        fail("table 二 names neither the 2021 columns (本年制发件数, 本年处理决定数量, 本年收费金额) nor the 2019 ones (本年新制作数量, 上一年项目数量, 采购项目数量): the format cannot be told".to_string())
    })?;
    let three = requests.iter().any(|g| {
        g.rows
            .iter()
            .flatten()
            .any(|s| key(&s.text).contains("逾期不补正") || key(&s.text).contains("缴纳费用"))
    });
    let request_defs = request_rows(!three);
    let mut placed = Placed::new();
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    for g in &active {
        problems.extend(place_rows(
            g,
            format.active_rows(),
            "二",
            &mut placed,
            &mut notes,
        ));
    }
    for g in &requests {
        problems.extend(place_rows(g, request_defs, "三", &mut placed, &mut notes));
    }
    for g in &reviews {
        problems.extend(place_reviews(g, &mut placed));
    }
    for def in format
        .active_rows()
        .iter()
        .chain(request_defs)
        .chain(REVIEW_ROWS)
    {
        if !placed.contains_key(def.key) && problems.is_empty() {
            problems.push(format!(
                "the row {} ({}) is not found in the tables",
                def.cite, def.label
            ));
        }
    }
    if !problems.is_empty() {
        return Err(fail(format!(
            "nothing written: {} problem(s) placing the tables' cells by their labels:\n  {}",
            problems.len(),
            problems.join("\n  ")
        )));
    }

    let mut out = String::new();
    for m in &doc.meta {
        out.push_str(m);
        out.push('\n');
    }
    let mut written = [false; 3];
    for (block, kind) in doc.blocks.iter().zip(&kinds) {
        match (block, kind) {
            (Block::Paragraph(p), _) => {
                out.push_str(p);
                out.push('\n');
            }
            (Block::Table(_), Some(Kind::Active)) if !written[0] => {
                written[0] = true;
                write_active(&mut out, format, &placed);
            }
            (Block::Table(_), Some(Kind::Requests)) if !written[1] => {
                written[1] = true;
                write_requests(&mut out, request_defs, &placed);
            }
            (Block::Table(_), Some(Kind::Reviews)) if !written[2] => {
                written[2] = true;
                write_reviews(&mut out, &placed);
            }
            (Block::Table(_), Some(_)) => {}
            (Block::Table(g), None) => out.push_str(&plain_table(g)),
        }
    }
    Ok((out, notes))
}

fn write_active(out: &mut String, format: Format, placed: &Placed) {
    let mut group = None;
    for def in format.active_rows() {
        if def.group != group {
            group = def.group;
            out.push_str(def.group.unwrap_or_default());
            out.push_str("\n信息内容");
            for c in def.columns {
                out.push('\t');
                out.push_str(c.label);
            }
            out.push('\n');
        }
        out.push_str(def.label);
        for v in &placed[def.key] {
            out.push('\t');
            out.push_str(field(v));
        }
        out.push('\n');
    }
}

fn write_requests(out: &mut String, defs: &'static [RowDef], placed: &Placed) {
    out.push_str("申请人情况\n");
    let heads: Vec<&str> = defs[0].columns.iter().map(|c| c.label).collect();
    out.push_str(&heads.join("\t"));
    out.push_str("\t总计\n");
    for def in defs {
        out.push_str(def.label);
        for v in &placed[def.key] {
            out.push('\t');
            out.push_str(field(v));
        }
        out.push('\n');
    }
}

fn write_reviews(out: &mut String, placed: &Placed) {
    out.push_str("行政复议\t行政诉讼\n");
    let results: Vec<&str> = (0..REVIEW_ROWS[0].width())
        .map(|i| REVIEW_ROWS[0].column_label(i))
        .collect();
    out.push_str(&results.join("\t"));
    out.push_str("\t未经复议直接起诉\t复议后起诉\n");
    for _ in 0..2 {
        out.push_str(&results.join("\t"));
        out.push('\t');
    }
    out.pop();
    out.push('\n');
    let cells: Vec<&str> = REVIEW_ROWS
        .iter()
        .flat_map(|d| placed[d.key].iter().map(field))
        .collect();
    out.push_str(&cells.join("\t"));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::blocks::{GridBuilder, SourceCell};
    use super::*;

    #[test]
    fn amounts_printed_with_their_unit() {
        assert_eq!(
            amount_with_unit("75394432.52元"),
            Some(("75394432.52".to_string(), Unit::Yuan))
        );
        assert_eq!(
            amount_with_unit("1,250.5 万元"),
            Some(("1250.5".to_string(), Unit::TenThousandYuan))
        );
        assert_eq!(amount_with_unit("元"), None);
        assert_eq!(amount_with_unit("-5元"), None);
        assert_eq!(amount_with_unit("政府集中采购"), None);
        assert_eq!(yuan_to_wan("75394432.52"), "7539.443252");
        assert_eq!(yuan_to_wan("120000"), "12");
        assert_eq!(yuan_to_wan("5"), "0.0005");
        assert_eq!(yuan_to_wan("0"), "0");
        assert_eq!(yuan_to_wan("12345.6"), "1.23456");
    }

    fn cell(t: &str, rowspan: usize, colspan: usize) -> SourceCell {
        SourceCell::Cell {
            text: t.to_string(),
            rowspan,
            colspan,
        }
    }

    #[test]
    fn spans_expand_and_stay_one_cell() {
        let mut b = GridBuilder::default();
        b.push_row(vec![cell("a", 2, 1), cell("b", 1, 2)]);
        b.push_row(vec![cell("c", 1, 1), cell("d", 1, 1)]);
        let g = b.finish();
        let texts: Vec<Vec<&str>> = g
            .rows
            .iter()
            .map(|r| r.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(texts, vec![vec!["a", "b", "b"], vec!["a", "c", "d"]]);
        assert_eq!(g.rows[0][0].origin, g.rows[1][0].origin);
        assert_eq!(distinct(&g.rows[0]).len(), 2);
    }

    #[test]
    fn blanks_and_labels() {
        for b in ["", " ", "—", "-", "/", "－", "——", "\u{a0}"] {
            assert!(is_blank(b), "{b:?}");
        }
        assert!(!is_blank("0"));
        assert!(is_figure("１２") && is_figure("36.25") && is_figure("-1"));
        let def = &crate::model::layout::REQUEST_ROWS_2021[3];
        assert!(label_matches("（二）部分公开", def));
        assert!(label_matches(
            "(二)部分公开（区分处理的，只计这一情形，不计其他情形）",
            def
        ));
        assert!(!label_matches("（一）予以公开", def));
        let normative = &crate::model::layout::ACTIVE_2021[1];
        assert!(label_matches("规范性文件", normative));
        assert!(!label_matches("规章", normative));
        let secret = &crate::model::layout::REQUEST_ROWS_2021[4];
        assert!(label_matches("1. 属于国家秘密", secret));
        assert!(!label_matches("2.属于国家秘密", secret));
    }
}
