//! `import` of web pages (`.html`, UTF-8 and GBK) and Word files (`.docx`):
//! pages and documents written by the test from a report it knows cell by
//! cell, with the official template's merged cells (`rowspan`/`colspan`,
//! `w:vMerge`/`w:gridSpan`), blank cells printed every way portals print
//! them, the article wrapped in portal furniture (navigation, an info table
//! with 索引号, a footer); every cell of 二、三、四 read back. The 2021
//! figures are those of 平潭综合实验区's 2023 report (tests/fixtures/import/
//! reports/2023_pingtan.txt); the 2019 ones those of web_2019.txt.

use std::io::Write;
use std::path::{Path, PathBuf};

use gongkai::import::{self, Given, Imported};
use gongkai::model::Number;
use gongkai::model::layout::{Format, REVIEW_ROWS, request_rows};

use crate::import::{gongkai, new_site};

/// One cell of the official template: its text and how far it spans.
struct C {
    text: String,
    rows: usize,
    cols: usize,
}

fn c(t: &str) -> C {
    span(t, 1, 1)
}

fn span(t: &str, rows: usize, cols: usize) -> C {
    C {
        text: t.to_string(),
        rows,
        cols,
    }
}

type Layout = Vec<Vec<C>>;

/// A report as the test knows it: every cell as printed.
pub(crate) struct Spec {
    title: &'static str,
    format: Format,
    /// 二, rows in the official order, cells as printed.
    active: Vec<Vec<&'static str>>,
    /// 三, 25 rows (2021) or 23 (2019) of 7 cells.
    requests: Vec<[&'static str; 7]>,
    /// 四, the 15 cells of its one row.
    reviews: [&'static str; 15],
}

/// How a printed cell reads: blank (`""`, `&nbsp;`, `—`, `/`, `-`) or a number.
fn value(printed: &str) -> Option<Number> {
    let t = printed.replace("&nbsp;", "");
    let t = t.trim();
    if t.is_empty() || t.chars().all(|c| "—-/－".contains(c)) {
        None
    } else {
        Some(Number::parse(t).unwrap())
    }
}

pub(crate) fn pingtan_2023() -> Spec {
    let z = ["0"; 7];
    Spec {
        title: "平潭综合实验区2023年度政府信息公开工作年度报告",
        format: Format::F2021,
        active: vec![
            vec!["0", "0", "0"],
            vec!["77", "132", "470"],
            vec!["2629"],
            vec!["1330"],
            vec!["54"],
            vec!["5949.088667"],
        ],
        requests: vec![
            ["80", "1", "0", "0", "0", "0", "81"],
            z,
            ["22", "0", "0", "0", "0", "0", "22"],
            ["19", "1", "0", "0", "0", "0", "20"],
            z,
            z,
            z,
            ["1", "0", "0", "0", "0", "0", "1"],
            z,
            ["1", "0", "0", "0", "0", "0", "1"],
            ["1", "0", "0", "0", "0", "0", "1"],
            ["2", "0", "0", "0", "0", "0", "2"],
            ["31", "0", "0", "0", "0", "0", "31"],
            z,
            z,
            z,
            ["1", "0", "0", "0", "0", "0", "1"],
            z,
            z,
            z,
            ["1", "0", "0", "0", "0", "0", "1"],
            z,
            ["1", "0", "0", "0", "0", "0", "1"],
            ["80", "1", "0", "0", "0", "0", "81"],
            z,
        ],
        reviews: [
            "1", "1", "0", "0", "2", "4", "0", "0", "1", "5", "1", "0", "1", "0", "2",
        ],
    }
}

pub(crate) fn web_2019() -> Spec {
    // Blank cells printed four ways: empty, &nbsp;, a dash, a slash.
    let zero = ["0", "", "&nbsp;", "—", "/", "", "0"];
    Spec {
        title: "沭阳县示范局2019年政府信息公开工作年度报告",
        format: Format::F2019,
        active: vec![
            vec!["0", "0", "0"],
            vec!["5", "5", "21"],
            vec!["12", "&nbsp;", "340"],
            vec!["3", "-1", "27"],
            vec!["41", "—", "16"],
            vec!["2", "", "0"],
            vec!["1", "/"],
            vec!["4", "36.25"],
        ],
        requests: {
            let mut r = vec![zero; 23];
            r[0] = ["9", "", "", "", "", "", "9"];
            r[1] = ["1", "", "", "", "", "", "1"];
            r[2] = ["6", "", "", "", "", "", "6"];
            r[3] = ["1", "", "", "", "", "", "1"];
            r[12] = ["2", "", "", "", "", "", "2"];
            r[21] = ["9", "", "", "", "", "", "9"];
            r[22] = ["1", "", "", "", "", "", "1"];
            r
        },
        reviews: [
            "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0",
        ],
    }
}

/// Table 二 as the official template lays it out.
fn active_layout(s: &Spec) -> Layout {
    type Group = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );
    let groups: &[Group] = match s.format {
        Format::F2021 => &[
            (
                "第二十条第（一）项",
                &["本年制发件数", "本年废止件数", "现行有效件数"],
                &["规章", "行政规范性文件"],
            ),
            ("第二十条第（五）项", &["本年处理决定数量"], &["行政许可"]),
            (
                "第二十条第（六）项",
                &["本年处理决定数量"],
                &["行政处罚", "行政强制"],
            ),
            (
                "第二十条第（八）项",
                &["本年收费金额（单位：万元）"],
                &["行政事业性收费"],
            ),
        ],
        Format::F2019 => &[
            (
                "第二十条第（一）项",
                &["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                &["规章", "规范性文件"],
            ),
            (
                "第二十条第（五）项",
                &["上一年项目数量", "本年增/减", "处理决定数量"],
                &["行政许可", "其他对外管理服务事项"],
            ),
            (
                "第二十条第（六）项",
                &["上一年项目数量", "本年增/减", "处理决定数量"],
                &["行政处罚", "行政强制"],
            ),
            (
                "第二十条第（八）项",
                &["上一年项目数量", "本年增/减"],
                &["行政事业性收费"],
            ),
            (
                "第二十条第（九）项",
                &["采购项目数量", "采购总金额（万元）"],
                &["政府集中采购"],
            ),
        ],
    };
    // The last cell of a short row spans the rest of the four columns.
    let row = |first: &str, cells: Vec<&str>| -> Vec<C> {
        let mut out = vec![c(first)];
        let n = cells.len();
        for (i, t) in cells.into_iter().enumerate() {
            out.push(span(t, 1, if i + 1 == n { 4 - n } else { 1 }));
        }
        out
    };
    let mut out = Vec::new();
    let mut values = s.active.iter();
    for (group, heads, labels) in groups {
        out.push(vec![span(group, 1, 4)]);
        out.push(row("信息内容", heads.to_vec()));
        for label in *labels {
            out.push(row(label, values.next().unwrap().clone()));
        }
    }
    out
}

/// Table 三 with its three heading rows and merged labels.
fn requests_layout(s: &Spec) -> Layout {
    let single = s.requests.len() == 23;
    let defs = request_rows(single);
    let mut out = vec![
        vec![
            span(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                3,
                3,
            ),
            span("申请人情况", 1, 7),
        ],
        vec![
            span("自然人", 2, 1),
            span("法人或其他组织", 1, 5),
            span("总计", 2, 1),
        ],
        [
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
        ]
        .iter()
        .map(|t| c(t))
        .collect(),
    ];
    let outcomes = defs.len() - 3; // 三、本年度办理结果 (一)…(七)
    for (i, (def, cells)) in defs.iter().zip(&s.requests).enumerate() {
        let mut row = Vec::new();
        if i == 2 {
            row.push(span("三、本年度办理结果", outcomes, 1));
        }
        match def.group {
            Some(g) => {
                let first_of_group = i == 0 || defs[i - 1].group != def.group;
                if first_of_group {
                    let n = defs.iter().filter(|d| d.group == def.group).count();
                    row.push(span(g, n, 1));
                }
                row.push(c(def.label));
            }
            None if (2..defs.len() - 1).contains(&i) => row.push(span(def.label, 1, 2)),
            None => row.push(span(def.label, 1, 3)),
        }
        row.extend(cells.iter().map(|t| c(t)));
        out.push(row);
    }
    out
}

/// Table 四: two heading rows of groups, one of results, one of figures.
fn reviews_layout(s: &Spec) -> Layout {
    let results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    let mut first: Vec<C> = vec![span("行政复议", 1, 5), span("行政诉讼", 1, 10)];
    first.truncate(2);
    let mut second: Vec<C> = results.iter().map(|t| span(t, 2, 1)).collect();
    second.push(span("未经复议直接起诉", 1, 5));
    second.push(span("复议后起诉", 1, 5));
    let third: Vec<C> = results.iter().chain(&results).map(|t| c(t)).collect();
    let figures: Vec<C> = s.reviews.iter().map(|t| c(t)).collect();
    vec![first, second, third, figures]
}

fn html_table(layout: &Layout) -> String {
    let mut out =
        String::from("<table border=\"1\" cellspacing=\"0\" style=\"width:600px\"><tbody>\n");
    for row in layout {
        out.push_str("<tr>");
        for cell in row {
            out.push_str("<td");
            if cell.rows > 1 {
                out.push_str(&format!(" rowspan=\"{}\"", cell.rows));
            }
            if cell.cols > 1 {
                out.push_str(&format!(" colspan=\"{}\"", cell.cols));
            }
            // Cells as editors leave them: a <p> with a <span> inside; an
            // empty cell as Word pastes it (`<o:p> </o:p>`, seen on real pages).
            let text = if cell.text.is_empty() {
                "<o:p> </o:p>"
            } else {
                cell.text.as_str()
            };
            out.push_str(&format!(
                " style=\"border:1px solid\" valign=\"top\"><p style=\"text-align:center\"><span style=\"font-family:宋体\">{text}</span></p></td>"
            ));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

const PROSE: [(&str, &str); 6] = [
    (
        "一、总体情况",
        "本年度，我单位认真贯彻落实《条例》，依法做好政府信息公开工作。",
    ),
    ("二、主动公开政府信息情况", ""),
    ("三、收到和处理政府信息公开申请情况", ""),
    ("四、政府信息公开行政复议、行政诉讼情况", ""),
    (
        "五、存在的主要问题及改进情况",
        "信息公开的及时性还需提高。下一步将加强培训，规范发布流程。",
    ),
    ("六、其他需要报告的事项", "本年度未收取信息处理费。"),
];

/// A whole portal page: head with a PubDate meta (when `pub_meta`), the
/// portal's navigation, an info table with 索引号, the article in
/// TRS-style wrappers, a footer.
pub(crate) fn html_page(s: &Spec, charset: &str, pub_meta: bool) -> String {
    let tables = [
        html_table(&active_layout(s)),
        html_table(&requests_layout(s)),
        html_table(&reviews_layout(s)),
    ];
    let mut article = format!(
        "<div class=\"article_title\">{}</div>\n<div class=\"TRS_Editor\">\n<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>\n",
        s.title
    );
    for (i, (heading, body)) in PROSE.iter().enumerate() {
        article.push_str(&format!("<p><strong>{heading}</strong></p>\n"));
        if (1..=3).contains(&i) {
            article.push_str(&tables[i - 1]);
        } else {
            article.push_str(&format!("<p>&nbsp;&nbsp;{body}</p>\n"));
        }
    }
    article.push_str("</div>\n");
    let meta = if pub_meta {
        "<meta name=\"PubDate\" content=\"2024-03-08 10:30\"/>\n"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\"/>\n{meta}<title>{}_政府信息公开年报</title>\n<style>.TRS_Editor p {{ margin: 0 }}</style>\n<script>var tpl = '<table><tr><td>1</td></tr></table>';</script>\n</head>\n<body>\n<div class=\"header\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/zwgk/\">政府信息公开</a></li><li><a href=\"/nb/\">政府信息公开年报</a></li></ul></div>\n<div class=\"xxgk_info\"><table><tr><td>索引号：</td><td>FJ00123-0200-2024-00012</td><td>发布机构：</td><td>办公室</td></tr><tr><td>发布日期：</td><td>2024-01-20</td><td>文号：</td><td></td></tr></table></div>\n<div class=\"main\"><div class=\"article_component\">\n{article}</div></div>\n<div class=\"footer\">主办单位：某某人民政府办公室 网站标识码 3590000001</div>\n</body>\n</html>\n",
        s.title
    )
}

fn xml_escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn w_p(text: &str) -> String {
    format!(
        "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        xml_escape(&text.replace("&nbsp;", "\u{a0}"))
    )
}

/// A layout as a Word table: spans across as `w:gridSpan`, down as a
/// `w:vMerge` restart and continuation cells in the rows below.
fn w_table(layout: &Layout) -> String {
    let width: usize = layout[0].iter().map(|c| c.cols).sum();
    // Per grid column: rows still covered from above, and that cell's width.
    let mut below: Vec<(usize, usize)> = vec![(0, 0); width];
    let mut out = String::from("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>");
    for row in layout {
        out.push_str("<w:tr>");
        let mut cells = row.iter();
        let mut col = 0;
        while col < width {
            if below[col].0 > 0 {
                let cols = below[col].1;
                below[col].0 -= 1;
                out.push_str(&format!(
                    "<w:tc><w:tcPr><w:gridSpan w:val=\"{cols}\"/><w:vMerge/></w:tcPr><w:p/></w:tc>"
                ));
                col += cols;
                continue;
            }
            let Some(cell) = cells.next() else { break };
            let mut pr = String::new();
            if cell.cols > 1 {
                pr.push_str(&format!("<w:gridSpan w:val=\"{}\"/>", cell.cols));
            }
            if cell.rows > 1 {
                pr.push_str("<w:vMerge w:val=\"restart\"/>");
                below[col] = (cell.rows - 1, cell.cols);
            }
            out.push_str(&format!(
                "<w:tc><w:tcPr>{pr}</w:tcPr>{}</w:tc>",
                w_p(&cell.text)
            ));
            col += cell.cols;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// A `.docx` of the report: the zip a word processor writes, reduced to
/// the parts a reader needs.
pub(crate) fn docx(s: &Spec) -> Vec<u8> {
    let tables = [
        w_table(&active_layout(s)),
        w_table(&requests_layout(s)),
        w_table(&reviews_layout(s)),
    ];
    let mut body = w_p(s.title);
    body.push_str(&w_p("本报告根据《中华人民共和国政府信息公开条例》编制。"));
    for (i, (heading, text)) in PROSE.iter().enumerate() {
        body.push_str(&w_p(heading));
        if (1..=3).contains(&i) {
            body.push_str(&tables[i - 1]);
        } else {
            body.push_str(&w_p(text));
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string(),
        ),
        ("word/document.xml", document),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn read(path: &Path) -> Imported {
    let source = import::read_source(path).unwrap_or_else(|e| panic!("{e}"));
    import::read_text(&source.text, path, None, &Given::new()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every cell of 二、三、四 as the spec prints it; the number asserted.
fn assert_every_cell(s: &Spec, r: &Imported) -> usize {
    assert_eq!(r.tables.format, s.format);
    let mut asserted = 0;
    for (def, printed) in s.format.active_rows().iter().zip(&s.active) {
        let expected: Vec<Option<Number>> = printed.iter().map(|p| value(p)).collect();
        assert_eq!(r.row(def.key).unwrap(), expected, "{}", def.key);
        asserted += expected.len();
    }
    let single = s.requests.len() == 23;
    assert_eq!(r.tables.single_other, single);
    for (def, printed) in request_rows(single).iter().zip(&s.requests) {
        let expected: Vec<Option<Number>> = printed.iter().map(|p| value(p)).collect();
        assert_eq!(r.row(def.key).unwrap(), expected, "{}", def.key);
        asserted += expected.len();
    }
    for (i, def) in REVIEW_ROWS.iter().enumerate() {
        let expected: Vec<Option<Number>> = s.reviews[i * 5..i * 5 + 5]
            .iter()
            .map(|p| value(p))
            .collect();
        assert_eq!(r.row(def.key).unwrap(), expected, "{}", def.key);
        asserted += 5;
    }
    asserted
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_2021_page_is_read_cell_by_cell_with_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let s = pingtan_2023();
    let path = write(
        dir.path(),
        "2023.html",
        html_page(&s, "utf-8", true).as_bytes(),
    );
    let r = read(&path);
    assert_eq!(assert_every_cell(&s, &r), 10 + 175 + 15);
    assert_eq!(r.year, 2023);
    assert_eq!(r.name, "平潭综合实验区");
    assert_eq!(r.published.unwrap().to_string(), "2024-03-08");
    assert_eq!(r.index_number.as_deref(), Some("FJ00123-0200-2024-00012"));
    assert!(r.broken.is_empty(), "{:?}", r.broken);
    // The prose, without the portal's navigation or footer.
    assert!(
        r.markdown
            .contains("## 五、存在的主要问题及改进情况\n\n信息公开的及时性还需提高。")
    );
    assert!(!r.markdown.contains("首页") && !r.markdown.contains("网站标识码"));
    assert_eq!(r.headings.len(), 3);
}

#[test]
fn a_2019_page_with_blanks_printed_every_way() {
    let dir = tempfile::tempdir().unwrap();
    let s = web_2019();
    let path = write(
        dir.path(),
        "2019.htm",
        html_page(&s, "utf-8", false).as_bytes(),
    );
    let r = read(&path);
    assert_eq!(assert_every_cell(&s, &r), 22 + 161 + 15);
    // 发布日期 from the info table beside the article.
    assert_eq!(r.published.unwrap().to_string(), "2024-01-20");
    assert!(r.blanks() > 0);
    assert!(r.broken.is_empty(), "{:?}", r.broken);
}

#[test]
fn a_gbk_page_is_decoded_as_it_declares() {
    // The 2021 page re-encoded to GBK with its charset changed to gbk.
    let dir = tempfile::tempdir().unwrap();
    let s = pingtan_2023();
    let page = html_page(&s, "gbk", true);
    let (bytes, _, bad) = encoding_rs::GBK.encode(&page);
    assert!(!bad);
    let path = write(dir.path(), "gbk.html", &bytes);
    let source = import::read_source(&path).unwrap();
    assert_eq!(source.format, import::SourceFormat::Html);
    assert!(
        source
            .notes
            .contains(&"the page is read as GBK (declared by the page)".to_string()),
        "{:?}",
        source.notes
    );
    assert_eq!(assert_every_cell(&s, &read(&path)), 200);
    // Without the declaration the bytes still tell GB18030.
    let bare = page.replace("; charset=gbk", "");
    let (bytes, _, _) = encoding_rs::GBK.encode(&bare);
    let path = write(dir.path(), "bare.html", &bytes);
    let source = import::read_source(&path).unwrap();
    assert!(
        source
            .notes
            .contains(&"the page is read as gb18030 (guessed from the bytes)".to_string()),
        "{:?}",
        source.notes
    );
    assert_eq!(assert_every_cell(&s, &read(&path)), 200);
}

#[test]
fn word_files_with_merged_cells_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    for (s, cells) in [(pingtan_2023(), 200), (web_2019(), 198)] {
        let path = write(dir.path(), "report.docx", &docx(&s));
        let source = import::read_source(&path).unwrap();
        assert_eq!(source.format, import::SourceFormat::Word);
        let r = read(&path);
        assert_eq!(assert_every_cell(&s, &r), cells, "{}", s.title);
        assert!(
            r.markdown
                .contains("## 六、其他需要报告的事项\n\n本年度未收取信息处理费。")
        );
    }
}

#[test]
fn cli_imports_a_page_and_a_word_file_into_a_site_that_checks() {
    let (dir, root) = new_site();
    let page = write(
        dir.path(),
        "2023.html",
        html_page(&pingtan_2023(), "utf-8", true).as_bytes(),
    );
    let (code, out, err) = gongkai(
        &root,
        &["import", page.to_str().unwrap(), "--agency", "pingtan"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("2023.html: format 2021 (web page tables, cells placed by their labels); 200 cells read, 0 uncertain, 0 blank, 0 rule(s) broken"),
        "{out}"
    );
    assert!(
        err.contains("note: ") && err.contains("the page is read as UTF-8 (declared by the page)"),
        "{err}"
    );
    let yaml = std::fs::read_to_string(root.join("content/pingtan/2023.yaml")).unwrap();
    assert!(yaml.contains("5949.088667"), "{yaml}");
    assert!(
        yaml.contains("index_number: \"FJ00123-0200-2024-00012\""),
        "{yaml}"
    );
    let doc = write(dir.path(), "2019.docx", &docx(&web_2019()));
    let (code, out, err) = gongkai(
        &root,
        &["import", doc.to_str().unwrap(), "--agency", "shiyan"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("2019.docx: format 2019 (Word tables, cells placed by their labels); 198 cells read, 0 uncertain,"),
        "{out}"
    );
    let (code, out, err) = gongkai(&root, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    // --dry-run writes nothing; a second import refuses without --force.
    let (code, _, err) = gongkai(
        &root,
        &["import", page.to_str().unwrap(), "--agency", "pingtan"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("content/pingtan/2023.yaml already exists; pass --force"),
        "{err}"
    );
    let (code, out, _) = gongkai(
        &root,
        &[
            "import",
            page.to_str().unwrap(),
            "--agency",
            "pingtan",
            "--force",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("--- content/pingtan/2023.yaml (dry run: not written)"),
        "{out}"
    );
}

#[test]
fn a_row_out_of_the_template_order_is_placed_by_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let s = pingtan_2023();
    // 行政强制 printed before 行政处罚: the labels say which is which.
    let page = html_page(&s, "utf-8", true);
    let punish = "<tr><td style=\"border:1px solid\" valign=\"top\"><p style=\"text-align:center\"><span style=\"font-family:宋体\">行政处罚</span></p></td><td colspan=\"3\" style=\"border:1px solid\" valign=\"top\"><p style=\"text-align:center\"><span style=\"font-family:宋体\">1330</span></p></td></tr>\n";
    assert!(page.contains(punish));
    let swapped = page.replacen(punish, "", 1).replacen(
        "</tr>\n</tbody></table>\n<p><strong>三",
        &format!("</tr>\n{punish}</tbody></table>\n<p><strong>三"),
        1,
    );
    // (the row moved after 行政事业性收费, the last of table 二)
    assert_ne!(swapped, page);
    let path = write(dir.path(), "swapped.html", swapped.as_bytes());
    let r = read(&path);
    assert_eq!(r.row("active.punishment").unwrap(), vec![value("1330")]);
    assert_eq!(r.row("active.coercion").unwrap(), vec![value("54")]);
}

#[test]
fn pages_that_are_not_reports_and_old_word_files_are_refused() {
    let (dir, root) = new_site();
    let news = write(
        dir.path(),
        "news.html",
        "<html><head><meta charset=utf-8><title>区政府召开常务会议</title></head><body><div class=nav>首页 政府信息公开</div><p>会议研究了政府信息公开工作年度报告的编制。</p><table><tr><td>1</td></tr></table></body></html>".as_bytes(),
    );
    let (code, _, err) = gongkai(&root, &["import", news.to_str().unwrap(), "--agency", "a"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("news.html: the page is not a 政府信息公开工作年度报告: no part of it holds the headings of the three tables"),
        "{err}"
    );
    for name in ["2019.doc", "2020.wps"] {
        let f = write(dir.path(), name, b"\xd0\xcf\x11\xe0 binary");
        let (code, _, err) = gongkai(&root, &["import", f.to_str().unwrap(), "--agency", "a"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("save it as .docx first"), "{err}");
        assert!(
            err.contains(&format!(
                "libreoffice --headless --convert-to docx {}",
                f.display()
            )),
            "{err}"
        );
    }
    // A .docx that is not a zip, and a page whose tables miss a row.
    let bad = write(dir.path(), "bad.docx", b"not a zip");
    let (code, _, err) = gongkai(&root, &["import", bad.to_str().unwrap(), "--agency", "a"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.docx: not a .docx"), "{err}");
    let page = html_page(&pingtan_2023(), "utf-8", true).replacen("2.重复申请", "2.重复的申请", 1);
    let cut = write(dir.path(), "cut.html", page.as_bytes());
    let (code, _, err) = gongkai(&root, &["import", cut.to_str().unwrap(), "--agency", "a"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the row 三（五）2.重复申请 (2.重复申请) is not found in the tables"),
        "{err}"
    );
    assert!(!root.join("content/a").exists());
}

#[test]
fn a_page_whose_figures_break_a_rule_is_kept_as_published() {
    // The cells' places are certain in a table: an inconsistent original is
    // the agency's, imported as printed and flagged, never "corrected".
    let dir = tempfile::tempdir().unwrap();
    let mut s = pingtan_2023();
    s.requests[23] = ["79", "1", "0", "0", "0", "0", "80"];
    let path = write(
        dir.path(),
        "broken.html",
        html_page(&s, "utf-8", true).as_bytes(),
    );
    let r = read(&path);
    assert_eq!(assert_every_cell(&s, &r), 200);
    assert!(r.as_published());
    assert_eq!(r.uncertain(), 0);
    assert!(
        r.broken
            .iter()
            .any(|b| b.contains("(R1)") || b.contains("(R3)")),
        "{:?}",
        r.broken
    );
}

#[test]
fn a_folder_of_pages_and_word_files_is_imported_in_year_order() {
    let (dir, root) = new_site();
    let folder = dir.path().join("downloads");
    std::fs::create_dir(&folder).unwrap();
    // Named so that the 2023 page sorts first: the years decide the order.
    write(
        &folder,
        "a.html",
        html_page(&pingtan_2023(), "utf-8", true).as_bytes(),
    );
    write(&folder, "b.docx", &docx(&web_2019()));
    write(&folder, "notes.md", b"not a report file");
    // An old Word file is refused by name; the others are written all the same.
    write(&folder, "c.doc", b"\xd0\xcf\x11\xe0 binary");
    let (code, out, err) = gongkai(
        &root,
        &["import", folder.to_str().unwrap(), "--agency", "mixed"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("c.doc: an old binary Word file (.doc) cannot be read"),
        "{err}"
    );
    let b = out
        .find("b.docx: format 2019")
        .unwrap_or_else(|| panic!("{out}"));
    let a = out
        .find("a.html: format 2021")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(b < a, "{out}");
    assert!(out.contains("imported 2 of 3 file(s)"), "{out}");
    assert!(root.join("content/mixed/2019.yaml").exists());
    assert!(root.join("content/mixed/2023.yaml").exists());
}

#[test]
fn cut_pages_and_word_files_never_panic() {
    // Truncated downloads: each cut is read or refused with a message.
    let dir = tempfile::tempdir().unwrap();
    let page = html_page(&pingtan_2023(), "utf-8", true);
    let cuts: Vec<usize> = (1..60).map(|i| page.len() * i / 60).collect();
    let mut refused = 0;
    for cut in &cuts {
        // Cut anywhere, mid-character too (decoded with a replacement).
        let path = write(dir.path(), "cut.html", &page.as_bytes()[..*cut]);
        if let Err(e) = import::read_source(&path) {
            assert!(e.to_string().contains("cut.html: "), "{e}");
            refused += 1;
        }
    }
    assert!(refused > 0);
    let bytes = docx(&web_2019());
    for i in 1..40 {
        let path = write(dir.path(), "cut.docx", &bytes[..bytes.len() * i / 40]);
        let e = import::read_source(&path).unwrap_err().to_string();
        assert!(e.contains("cut.docx: "), "{e}");
    }
}

#[test]
fn a_title_split_over_two_lines_is_taken_from_the_page() {
    // As 平潭's pages print it: the name and year on one line, 政府信息公开
    // 工作年度报告 on the next; the page's ArticleTitle meta names it whole.
    let dir = tempfile::tempdir().unwrap();
    let s = pingtan_2023();
    let page = html_page(&s, "utf-8", true)
        .replace(
            &format!("<div class=\"article_title\">{}</div>", s.title),
            "",
        )
        .replace(
            "<div class=\"TRS_Editor\">\n",
            "<div class=\"TRS_Editor\">\n<p>平潭综合实验区2023年度</p><p>政府信息公开工作年度报告</p>\n",
        )
        .replace(
            "<title>",
            &format!("<meta name=\"ArticleTitle\" content=\"{}\"/>\n<title>", s.title),
        );
    let path = write(dir.path(), "split.html", page.as_bytes());
    let source = import::read_source(&path).unwrap();
    assert!(
        source.notes.contains(&format!(
            "the title is taken from the page's <meta name=\"ArticleTitle\">: {}",
            s.title
        )),
        "{:?}",
        source.notes
    );
    let r = read(&path);
    assert_eq!((r.year, r.name.as_str()), (2023, "平潭综合实验区"));
    assert!(
        !r.markdown.contains("平潭综合实验区2023年度"),
        "{}",
        r.markdown
    );
    assert_eq!(assert_every_cell(&s, &r), 200);
}

#[test]
fn quirks_of_a_real_page_are_read() {
    // As the page of 沭阳县发展和改革局's 2023 report prints its tables
    // (www.shuyang.gov.cn, seen through a crawler's copy): 「规范性文件」 in a
    // 2021 table 二, headings broken over two <p> in one cell (商业 / 企业),
    // an empty <o:p> before 自然人, labels split over spans.
    let dir = tempfile::tempdir().unwrap();
    let s = pingtan_2023();
    let page = html_page(&s, "utf-8", true)
        .replace(">行政规范性文件<", ">规范性文件<")
        .replace(">商业企业<", ">商业</span></p>\n<p><span>企业<")
        .replace(
            ">自然人<",
            "><o:p> </o:p></span></p><p><span>自然</span><span>人<",
        )
        .replace(">三、本年度办理结果<", ">三</span><span>、本年度办理结果<");
    assert_eq!(page.matches("规范性文件<").count(), 1);
    let path = write(dir.path(), "quirks.html", page.as_bytes());
    let r = read(&path);
    assert_eq!(assert_every_cell(&s, &r), 200);
}
