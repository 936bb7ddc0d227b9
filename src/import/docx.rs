//! A report's Word file (`.docx`) → a [`Document`]: the zip's
//! `word/document.xml`, its paragraphs (`w:p`, text in `w:t`, tabs and
//! breaks as spaces) and tables (`w:tbl`/`w:tr`/`w:tc`; merged cells as
//! `w:gridSpan` across and `w:vMerge` restart/continue down) in order.
//! The old binary `.doc` and WPS's `.wps` are not read: they are refused
//! with the command that converts them.

use std::io::Read;
use std::path::Path;

use super::blocks::{Block, Document, Grid, GridBuilder, SourceCell};
use crate::error::{Error, Result};

/// `document.xml` larger than this is not a report (a zip bomb guard).
const MAX_XML_BYTES: u64 = 64 << 20;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn fail(path: &Path, message: String) -> Error {
    Error::Import {
        file: path.to_path_buf(),
        line: None,
        message,
    }
}

/// The refusal of a `.doc` or `.wps` file.
pub fn refuse_legacy(path: &Path) -> Error {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let what = if ext == "wps" {
        "a WPS Writer file (.wps)"
    } else {
        "an old binary Word file (.doc)"
    };
    fail(
        path,
        format!(
            "{what} cannot be read: save it as .docx first (Word or WPS: 另存为 → .docx), or convert it with `libreoffice --headless --convert-to docx {}`",
            shell_quote(&path.to_string_lossy())
        ),
    )
}

/// A path as typed in a shell: quoted when it holds anything but plain characters.
fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_alphanumeric() || "-_./".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Reads a `.docx` file.
pub fn read(path: &Path) -> Result<Document> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| {
        fail(
            path,
            format!("not a .docx (a Word file is a zip archive, and this one cannot be opened: {e}); if it is a .doc, save it as .docx"),
        )
    })?;
    let mut entry = zip.by_name("word/document.xml").map_err(|_| {
        fail(
            path,
            "the zip holds no word/document.xml: not a Word document".to_string(),
        )
    })?;
    if entry.size() > MAX_XML_BYTES {
        return Err(fail(
            path,
            format!(
                "word/document.xml is {} bytes; a report's is far smaller",
                entry.size()
            ),
        ));
    }
    let mut xml = String::new();
    (&mut entry)
        .take(MAX_XML_BYTES + 1)
        .read_to_string(&mut xml)
        .map_err(|e| fail(path, format!("word/document.xml cannot be read: {e}")))?;
    parse(&xml).map_err(|m| fail(path, m))
}

/// `word/document.xml` → a [`Document`].
pub fn parse(xml: &str) -> std::result::Result<Document, String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, opts)
        .map_err(|e| format!("word/document.xml is not well-formed XML: {e}"))?;
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "body")))
        .ok_or("word/document.xml has no w:body")?;
    let mut blocks = Vec::new();
    collect(body, &mut blocks);
    Ok(Document {
        blocks,
        meta: Vec::new(),
    })
}

/// Paragraphs and tables in order, through the containers Word wraps them
/// in (`w:sdt` content controls, `w:customXml`).
fn collect(node: roxmltree::Node, out: &mut Vec<Block>) {
    for child in node.children().filter(|c| c.is_element()) {
        if child.has_tag_name((W, "p")) {
            let text = super::blocks::normalize_cell(&paragraph_text(child));
            if !text.is_empty() {
                out.push(Block::Paragraph(text));
            }
        } else if child.has_tag_name((W, "tbl")) {
            out.push(Block::Table(table(child)));
        } else {
            collect(child, out);
        }
    }
}

/// A paragraph's text: `w:t` runs, `w:tab` and `w:br` as spaces; deleted
/// text (`w:del`) left out.
fn paragraph_text(p: roxmltree::Node) -> String {
    let mut out = String::new();
    for n in p.descendants() {
        // Deleted text, and the copy Word keeps of a text box for old readers.
        if n.ancestors()
            .any(|a| a.has_tag_name((W, "del")) || a.tag_name().name() == "Fallback")
        {
            continue;
        }
        if n.has_tag_name((W, "t")) {
            out.push_str(n.text().unwrap_or(""));
        } else if n.has_tag_name((W, "tab")) || n.has_tag_name((W, "br")) {
            out.push(' ');
        }
    }
    out
}

fn attr<'a>(node: roxmltree::Node<'a, 'a>, path: &[&str]) -> Option<(bool, Option<&'a str>)> {
    let mut n = node;
    for name in path {
        n = n.children().find(|c| c.has_tag_name((W, *name)))?;
    }
    Some((true, n.attribute((W, "val"))))
}

fn table(tbl: roxmltree::Node) -> Grid {
    let mut b = GridBuilder::default();
    for tr in tbl.children().filter(|c| c.has_tag_name((W, "tr"))) {
        let mut cells = Vec::new();
        // Grid columns a row leaves out before its first cell.
        if let Some(n) = attr(tr, &["trPr", "gridBefore"]).and_then(|(_, v)| v?.parse().ok()) {
            cells.push(SourceCell::Cell {
                text: String::new(),
                rowspan: 1,
                colspan: n,
            });
        }
        // Cells sit in the row, or in content controls within it.
        let tcs = tr
            .descendants()
            .filter(|c| c.has_tag_name((W, "tc")))
            .filter(|c| c.ancestors().skip(1).find(|a| a.has_tag_name((W, "tr"))) == Some(tr));
        for tc in tcs {
            let colspan = attr(tc, &["tcPr", "gridSpan"])
                .and_then(|(_, v)| v?.parse().ok())
                .unwrap_or(1);
            let merge = attr(tc, &["tcPr", "vMerge"]).map(|(_, v)| v.unwrap_or("continue"));
            if merge == Some("continue") {
                cells.push(SourceCell::ContinueAbove { colspan });
                continue;
            }
            let text: Vec<String> = tc
                .children()
                .filter(|c| c.has_tag_name((W, "p")))
                .map(paragraph_text)
                .collect();
            cells.push(SourceCell::Cell {
                text: text.join(" "),
                rowspan: 1,
                colspan,
            });
        }
        b.push_row(cells);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_cells() {
        let xml = format!(
            r#"<w:document xmlns:w="{W}"><w:body>
            <w:p><w:r><w:t>标题</w:t></w:r></w:p>
            <w:tbl>
              <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>
                    <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr>
              <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>
                    <w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>
            </w:tbl></w:body></w:document>"#
        );
        let d = parse(&xml).unwrap();
        let Block::Table(g) = &d.blocks[1] else {
            panic!("a table")
        };
        let texts: Vec<Vec<&str>> = g
            .rows
            .iter()
            .map(|r| r.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(texts, vec![vec!["a", "b", "b"], vec!["a", "1", ""]]);
        assert_eq!(g.rows[0][0].origin, g.rows[1][0].origin);
    }

    #[test]
    fn text_boxes_once_and_rows_starting_late() {
        let xml = format!(
            r#"<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>
            <w:p><w:r><mc:AlternateContent><mc:Choice><w:t>框</w:t></mc:Choice><mc:Fallback><w:t>框</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr>
              <w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#
        );
        let d = parse(&xml).unwrap();
        let Block::Paragraph(p) = &d.blocks[0] else {
            panic!("a paragraph")
        };
        assert_eq!(p, "框");
        let Block::Table(g) = &d.blocks[1] else {
            panic!("a table")
        };
        assert_eq!(g.rows[1][1].text, "1");
        assert_eq!(g.rows[1][0].text, "");
    }

    #[test]
    fn legacy_refusal_names_the_command() {
        let e = refuse_legacy(Path::new("年报 2019.doc")).to_string();
        assert!(
            e.contains("libreoffice --headless --convert-to docx '年报 2019.doc'"),
            "{e}"
        );
    }
}
