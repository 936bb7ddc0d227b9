//! `gongkai import`: a published report's text (or PDF, through pdftotext)
//! → `content/<agency>/<year>.yaml` and `<year>.md` in the content format.
//!
//! The importer never guesses: a cell it cannot read for certain — glued
//! digits that split more than one way even under R1–R6, a row it cannot
//! find, a figure printed apart from its row with nothing naming its
//! column — is named with its line, and nothing is written. Cells printed
//! blank become `null`; a report whose own figures break the rules is kept
//! as published (`as_published: true`) with each inconsistency listed.
//!
//! The parts: [`text`] (normalisation, whitespace-blind search), [`tables`]
//! (shapes and the three tables), [`split`] (glued digits and the rules),
//! [`prose`] (title, dates, headings, Markdown), [`write`] (the files).

mod blocks;
mod decide;
mod document;
mod docx;
pub mod folder;
mod html;
mod prose;
mod run;
mod slug;
mod split;
pub mod tables;
mod text;
mod write;

pub use run::{
    Done, FileOutcome, Options, Plan, Request, Source, SourceFormat, file_text, is_report_file,
    read_source, run,
};

use std::path::{Path, PathBuf};

pub use tables::{Cell, Given, Shape, Tables};

use crate::diagnostics::Span;
use crate::error::{Error, Result};
use crate::model::layout::{Format, REVIEW_ROWS, RowDef, request_rows};
use crate::model::{Date, Number, ProseKind, Report, Row, rules};

/// One report as read from its text.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The agency's name from the title (empty when the title has none).
    pub name: String,
    pub year: i32,
    pub published: Option<Date>,
    pub index_number: Option<String>,
    pub tables: Tables,
    /// `<year>.md`.
    pub markdown: String,
    /// The prose headings written, in order (`## 一、总体情况`).
    pub headings: Vec<String>,
    /// What the reader should know: blanks, cells read with a rule's help,
    /// a lost heading. Each starts with its line.
    pub notes: Vec<String>,
    /// R1–R6 as the published figures break them (X1 is added by `plan`).
    pub broken: Vec<String>,
    /// The file's format: a web page's or Word file's tables are read cell
    /// by cell, whatever shape their text takes.
    pub read_from: SourceFormat,
}

impl Imported {
    /// `2021`, `2019`, or the hybrid.
    pub fn format_label(&self) -> String {
        match (self.tables.format, self.tables.single_other) {
            (Format::F2021, true) => "2021 with （六）其他处理 as one row".to_string(),
            (f, _) => f.to_string(),
        }
    }

    fn all_cells(&self) -> impl Iterator<Item = &Cell> {
        self.tables
            .active
            .iter()
            .chain(&self.tables.requests)
            .chain(&self.tables.reviews)
            .flatten()
    }

    pub fn cells_read(&self) -> usize {
        self.all_cells().count()
    }

    pub fn uncertain(&self) -> usize {
        self.all_cells().filter(|c| c.uncertain.is_some()).count()
    }

    pub fn blanks(&self) -> usize {
        self.all_cells().filter(|c| c.value.is_none()).count()
    }

    pub fn as_published(&self) -> bool {
        !self.broken.is_empty()
    }

    /// A row by its key, cells in printed order (`None`: printed blank).
    pub fn row(&self, key: &str) -> Option<Vec<Option<Number>>> {
        for (def, cells) in self.tables.rows() {
            if def.key == key {
                return Some(cells.iter().map(|c| c.value).collect());
            }
        }
        None
    }

    /// How the tables were read: the text's shape, or a page's or Word
    /// file's table cells.
    pub fn layout(&self) -> &'static str {
        match self.read_from {
            SourceFormat::Html => "web page tables, cells placed by their labels",
            SourceFormat::Word => "Word tables, cells placed by their labels",
            _ => self.tables.shape.describe(),
        }
    }

    /// `<year>.yaml` (`source` is named in its first comment).
    pub fn yaml(&self, source: &str) -> String {
        write::report_yaml(self, source)
    }

    /// The one-line summary printed for each file.
    pub fn summary(&self) -> String {
        format!(
            "format {} ({}); {} cells read, {} uncertain, {} blank, {} rule(s) broken",
            self.format_label(),
            self.layout(),
            self.cells_read(),
            self.uncertain(),
            self.blanks(),
            self.broken.len()
        )
    }
}

/// What the site already holds that can decide between readings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The agency's report of the year before (not a draft): X1 and X2.
    pub previous: Option<&'a Report>,
}

/// The text normalised, its section headings, title and year.
struct Located {
    text: String,
    h: prose::Headings,
    title: Option<prose::Title>,
    year: i32,
    body_start: usize,
}

fn locate(raw: &str, file: &Path, year: Option<i32>) -> Result<Located> {
    let fail = |line: Option<usize>, message: String| Error::Import {
        file: file.to_path_buf(),
        line,
        message,
    };
    if raw.trim().is_empty() {
        return Err(fail(None, "the file is empty".to_string()));
    }
    let text = text::normalize(raw);
    let h = prose::headings(&text, 0);
    for (i, numeral) in ["二", "三", "四"].iter().enumerate() {
        if h.found[i + 1].is_none() {
            let title = prose::TITLES[i + 1][0];
            let has = prose::heading_like(&text);
            let instead = if has.is_empty() {
                "the text has no line that looks like a heading: is this a 政府信息公开工作年度报告?"
                    .to_string()
            } else {
                format!(
                    "the headings the text has are: {}",
                    has.iter().take(8).cloned().collect::<Vec<_>>().join(" / ")
                )
            };
            return Err(fail(
                None,
                format!(
                    "section {numeral}、{title} is not found (a heading with the words {title}, whatever its numbering); {instead}"
                ),
            ));
        }
    }
    let at = |i: usize| h.found[i].clone().expect("checked");
    let body_start = h.found[0].clone().unwrap_or(at(1)).start;
    let title = prose::title(&text, body_start);
    let year = match (&title, year) {
        (Some(t), Some(y)) if t.year != y => {
            return Err(fail(
                Some(t.line),
                format!("the title says {}, but --year is {y}", t.year),
            ));
        }
        (Some(t), _) => t.year,
        (None, Some(y)) => y,
        (None, None) if prose::period_year(&text[..body_start]).is_some() => {
            prose::period_year(&text[..body_start]).unwrap_or_default()
        }
        (None, None) => {
            return Err(fail(
                None,
                "no title with the report's year (…2024年政府信息公开工作年度报告) is found: give the year with --year".to_string(),
            ));
        }
    };
    Ok(Located {
        text,
        h,
        title,
        year,
        body_start,
    })
}

/// The issuing body the title names (empty when it names none) and the
/// year, without reading the tables: what `import FOLDER` sorts files by.
pub fn title_of(raw: &str, file: &Path) -> Result<(String, i32)> {
    locate(raw, file, None).map(|l| (l.title.map(|t| t.name).unwrap_or_default(), l.year))
}

/// The year a report's text is for (its title, else its statistics
/// period, else `--year`), without reading its tables.
pub fn year_of(raw: &str, file: &Path, year: Option<i32>) -> Result<i32> {
    locate(raw, file, year).map(|l| l.year)
}

/// Reads a report from its text. `file` names it in messages.
pub fn read_text(raw: &str, file: &Path, year: Option<i32>, given: &Given) -> Result<Imported> {
    read_text_in(raw, file, year, given, &Context::default())
}

/// Reads a report from its text, with what the site holds to decide
/// between readings.
pub fn read_text_in(
    raw: &str,
    file: &Path,
    year: Option<i32>,
    given: &Given,
    cx: &Context,
) -> Result<Imported> {
    let Located {
        text,
        h,
        title,
        year,
        body_start,
    } = locate(raw, file, year)?;
    let at = |i: usize| h.found[i].clone().expect("checked");
    let (published, index_number) = prose::metadata(&text, body_start);
    let end_of = |i: usize| at(i).end;
    let reviews_end = h.found[4]
        .as_ref()
        .or(h.found[5].as_ref())
        .map_or(text.len(), |r| r.start);
    // Ranges in order whatever the headings' extents.
    let span = |a: usize, b: usize| a.min(b)..b;
    let ranges = tables::Ranges {
        active: span(end_of(1), at(2).start),
        requests: span(end_of(2), at(3).start),
        reviews: span(end_of(3), reviews_end.max(end_of(3))),
    };
    // The figures the prose states, outside the tables (section 一 and the
    // preamble; 五 and 六): one more rule that may decide between readings.
    let mut stated = crate::model::stated::find(&text[..ranges.active.start], year);
    stated.extend(crate::model::stated::find(
        &text[reviews_end.max(ranges.reviews.end)..],
        year,
    ));
    let format = tables::detect_format(&text[ranges.active.clone()]).unwrap_or(Format::F2021);
    let decide = decide::Decide::new(cx.previous, format, &stated);
    let tables =
        tables::read(&text, &ranges, given, &decide).map_err(|problems| Error::Unreadable {
            file: file.to_path_buf(),
            problems: problems.into_iter().map(|p| (p.line, p.message)).collect(),
        })?;

    // Prose.
    let glued = tables.shape == Shape::Glued;
    let running = prose::running_lines(&text);
    let full = prose::line_width(&text);
    let mut notes = Vec::new();
    let mut md = String::new();
    let mut headings = Vec::new();
    let pre_start = title.as_ref().map_or(0, |t| t.end.min(body_start));
    let preamble = prose::markdown(&text, span(pre_start, body_start), &running, glued, full);
    if !preamble.is_empty() {
        md.push_str(&preamble);
        md.push_str("\n\n");
    }
    let mut section = |kind: ProseKind,
                       heading: Option<std::ops::Range<usize>>,
                       body: std::ops::Range<usize>,
                       md: &mut String,
                       notes: &mut Vec<String>| {
        let printed = heading
            .as_ref()
            .map(|r| prose::heading_title(&text, r))
            .unwrap_or_default();
        let fits = match kind {
            ProseKind::Overview => printed.contains("总体情况"),
            ProseKind::Problems => {
                printed.contains("问题") && (printed.contains("改进") || printed.contains("整改"))
            }
            ProseKind::Other => printed.contains("其他需要报告"),
        };
        let title = if fits {
            printed
        } else {
            kind.title().to_string()
        };
        let h = format!("## {}、{title}", kind.numeral());
        if heading.is_none() {
            notes.push(format!(
                "line {}: the heading of section {}、{} is missing in the text; the text after table 四 is taken as that section",
                text::line_of(&text, body.start),
                kind.numeral(),
                kind.title()
            ));
        }
        md.push_str(&h);
        md.push_str("\n\n");
        let body = prose::markdown(&text, body, &running, glued, full);
        if !body.is_empty() {
            md.push_str(&body);
            md.push_str("\n\n");
        }
        headings.push(h);
    };
    if let Some(h1) = h.found[0].clone() {
        section(
            ProseKind::Overview,
            Some(h1.clone()),
            span(h1.end, at(1).start),
            &mut md,
            &mut notes,
        );
    } else {
        notes
            .push("the heading 一、总体情况 is not found: the prose has no section 一".to_string());
    }
    let six_start = h.found[5].as_ref().map_or(text.len(), |r| r.start);
    match (h.found[4].clone(), tables.after_reviews) {
        (Some(h5), _) => section(
            ProseKind::Problems,
            Some(h5.clone()),
            span(h5.end, six_start),
            &mut md,
            &mut notes,
        ),
        (None, Some(after)) => section(
            ProseKind::Problems,
            None,
            span(after, six_start),
            &mut md,
            &mut notes,
        ),
        (None, None) => notes.push(
            "the heading 五、存在的主要问题及改进情况 is not found: the prose has no section 五"
                .to_string(),
        ),
    }
    if let Some(h6) = h.found[5].clone() {
        section(
            ProseKind::Other,
            Some(h6.clone()),
            h6.end..text.len(),
            &mut md,
            &mut notes,
        );
    } else {
        notes.push(
            "the heading 六、其他需要报告的事项 is not found: the prose has no section 六"
                .to_string(),
        );
    }
    let markdown = md.trim_end().to_string() + "\n";

    let mut imported = Imported {
        name: title.map(|t| t.name).unwrap_or_default(),
        year,
        published: published.map(|(d, _)| d),
        index_number,
        tables,
        markdown,
        headings,
        notes,
        broken: Vec::new(),
        read_from: SourceFormat::Text,
    };
    imported.notes.splice(0..0, cell_notes(&imported));
    imported.broken = rules::arithmetic(&imported.to_report(PathBuf::new()))
        .into_iter()
        .map(|f| format!("{} ({})", f.message, f.rule))
        .collect();
    // Only a shape that fixes every cell's place (a row per line with its
    // label, tab-separated rows) can show that the original itself breaks
    // the rules. Glued digits were split by the importer: a split that
    // breaks a rule is the importer's reading in doubt, never the agency's
    // inconsistency. (Orders inferred column by column or from pipe tables
    // were already settled by the rules, or refused, in `tables`.)
    if imported.as_published() && imported.tables.shape == Shape::Glued && given.is_empty() {
        return Err(Error::Unreadable {
            file: file.to_path_buf(),
            problems: vec![(
                imported
                    .tables
                    .requests
                    .first()
                    .and_then(|r| r.first())
                    .map_or(1, |c| c.line),
                format!(
                    "the cells are glued together, and the reading the rules allowed row by row breaks {}: the reading is in doubt, not the original; read the original and give the cells named with --cell",
                    imported.broken.join("; ")
                ),
            )],
        });
    }
    Ok(imported)
}

/// One note per row with blanks, one per cell read with help.
fn cell_notes(r: &Imported) -> Vec<String> {
    let mut out = Vec::new();
    for (def, cells) in r.tables.rows() {
        let blanks: Vec<&str> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.value.is_none())
            .map(|(i, _)| def.column_label(i))
            .collect();
        if !blanks.is_empty() {
            out.push(format!(
                "line {}: {} · {} printed blank: written as null",
                cells[0].line,
                def.cite,
                blanks.join(", ")
            ));
        }
        let helped: Vec<(usize, &String)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.uncertain.as_ref().map(|u| (i, u)))
            .collect();
        if helped.len() > 1 && helped.iter().all(|(_, u)| *u == helped[0].1) {
            // One reason for the whole row (a split the rules settled).
            let values: Vec<String> = cells.iter().map(Cell::text).collect();
            out.push(format!(
                "line {}: {}: {}: read as {}",
                cells[0].line,
                def.cite,
                helped[0].1,
                values.join(" | ")
            ));
        } else {
            for (i, why) in helped {
                out.push(format!(
                    "line {}: {}: {why}",
                    cells[i].line,
                    def.cite_cell(i)
                ));
            }
        }
    }
    out
}

impl Imported {
    /// The report as the model holds it, for the rules.
    pub fn to_report(&self, file: PathBuf) -> Report {
        let t = &self.tables;
        let rows = |defs: &'static [RowDef], cells: &[Vec<Cell>]| -> Vec<Row> {
            defs.iter()
                .zip(cells)
                .map(|(def, cells)| {
                    let cell = |c: &Cell| {
                        crate::model::Cell::new(c.value, Span::start())
                            .unwrap_or(crate::model::Cell::blank(Span::start()))
                    };
                    let n = def.columns.len();
                    Row {
                        def,
                        cells: cells[..n.min(cells.len())].iter().map(cell).collect(),
                        total: if def.has_total {
                            cells.get(n).map(cell)
                        } else {
                            None
                        },
                        span: Span::start(),
                        derived: false,
                    }
                })
                .collect()
        };
        Report {
            agency: String::new(),
            year: self.year,
            format: t.format,
            draft: false,
            published: self.published,
            index_number: self.index_number.clone(),
            as_published: self.as_published(),
            single_other: t.single_other,
            active: rows(t.format.active_rows(), &t.active).into(),
            requests: rows(request_rows(t.single_other), &t.requests).into(),
            reviews: rows(REVIEW_ROWS, &t.reviews).into(),
            file,
            published_span: None,
            prose: None,
            has_pdf: false,
            source_hash: 0,
        }
    }
}

/// `--cell KEY=VALUE` arguments → values by cell key.
pub fn parse_given(args: &[String]) -> Result<Given> {
    let keys: Vec<String> = crate::model::layout::all_cell_keys()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut out = Given::new();
    for a in args {
        let bad = |why: &str| Error::BadCell {
            arg: a.clone(),
            why: why.to_string(),
        };
        let (k, v) = a.split_once('=').ok_or_else(|| bad("write it KEY=VALUE"))?;
        let (k, v) = (k.trim(), v.trim());
        if !keys.iter().any(|x| x == k) {
            return Err(bad(
                "no such cell key (keys as in data/reports.csv, e.g. active.normative_documents.repealed)",
            ));
        }
        let n = Number::parse(v).map_err(|_| bad("the value is not a number"))?;
        out.insert(k.to_string(), n);
    }
    Ok(out)
}
