//! `gongkai import`: every real report of `tests/fixtures/import/reports/`
//! (a copy of `../shared/reports/`) read back to
//! its published numbers (section 二 typed in below by hand, sections 三 and
//! 四 from the hand transcription `sections-3-4.json`), the detected format
//! and the prose headings; synthetic texts for each shape and each rule that
//! decides (or fails to decide) an ambiguous cell; round trips of generated
//! reports through every text shape; and the command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai::import::{self, Given, Imported};
use gongkai::model::Number;
use gongkai::model::layout::{Format, REVIEW_ROWS, RowDef, request_rows};

fn reports_dir() -> PathBuf {
    // A copy of `../shared/reports/` (the published texts, unedited), so
    // that the tests run wherever the repository is cloned.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/reports")
}

fn n(text: &str) -> Number {
    Number::parse(text).unwrap()
}

fn given(pairs: &[(&str, &str)]) -> Given {
    pairs.iter().map(|(k, v)| (k.to_string(), n(v))).collect()
}

fn read_real(name: &str, given: &Given) -> Imported {
    let path = reports_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    import::read_text(&text, Path::new(name), None, given).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_str(text: &str, given: &Given) -> Result<Imported, String> {
    import::read_text(text, Path::new("t.txt"), None, given).map_err(|e| e.to_string())
}

/// `[1, 2, null]` as the importer's cells.
fn cells(values: &[Option<&str>]) -> Vec<Option<Number>> {
    values.iter().map(|v| v.map(n)).collect()
}

pub(crate) fn ints(values: &[i64]) -> Vec<Option<Number>> {
    values.iter().map(|&v| Some(Number::from_int(v))).collect()
}

/// Sections 三 and 四 against the hand transcription: every printed cell.
fn assert_sections_3_4(name: &str, r: &Imported) {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports_dir().join("sections-3-4.json")).unwrap(),
    )
    .unwrap();
    let rows = json["reports"][name]["rows"].as_object().unwrap();
    let defs: Vec<&RowDef> = request_rows(r.tables.single_other)
        .iter()
        .chain(REVIEW_ROWS)
        .collect();
    assert_eq!(rows.len(), defs.len(), "{name}: rows transcribed");
    let mut asserted = 0;
    for def in defs {
        let expected: Vec<Option<Number>> = rows[def.key]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {} not transcribed", def.key))
            .iter()
            .map(|v| v.as_i64().map(Number::from_int))
            .collect();
        assert_eq!(r.row(def.key).unwrap(), expected, "{name}: {}", def.key);
        asserted += expected.len();
    }
    let expected_cells = if r.tables.single_other {
        161 + 15
    } else {
        175 + 15
    };
    assert_eq!(asserted, expected_cells);
}

/// Section 二 of a 2021 report as published: 规章 and 行政规范性文件 (制发,
/// 废止, 现行有效), 行政许可, 行政处罚, 行政强制, and the fees in 万元.
fn assert_active_2021(
    r: &Imported,
    regulations: [i64; 3],
    normative: [i64; 3],
    decisions: [i64; 3],
    fees: &str,
) {
    assert_eq!(r.row("active.regulations").unwrap(), ints(&regulations));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&normative)
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&decisions[..1]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&decisions[1..2]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&decisions[2..]));
    assert_eq!(r.row("active.fees").unwrap(), cells(&[Some(fees)]));
}

fn headings(r: &Imported) -> Vec<&str> {
    r.markdown.lines().filter(|l| l.starts_with('#')).collect()
}

#[test]
fn weibin_one_row_per_line_with_wraps() {
    let r = read_real("2024_weibin_zhongtongjie.txt", &Given::new());
    assert_eq!(r.name, "卫滨区中同街街道办事处");
    assert_eq!(r.year, 2024);
    assert_eq!(r.published, None);
    assert_eq!(r.format_label(), "2021");
    assert_eq!(r.tables.shape, import::Shape::Rows);
    assert_active_2021(&r, [0, 0, 0], [0, 0, 0], [0, 0, 0], "0");
    assert_sections_3_4("2024_weibin_zhongtongjie.txt", &r);
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "### （一）主动公开",
            "### （二）依申请公开",
            "### （三）政府信息管理",
            "### （四）政府信息公开平台建设",
            "### （五）监督保障",
            "## 五、存在的主要问题及改进情况",
            "### （一）存在的问题",
            "### （二）改进情况",
            "## 六、其他需要报告的事项",
        ]
    );
    // A paragraph wrapped across a blank line (a PDF artefact) is one paragraph.
    assert!(
        r.markdown
            .contains("紧紧围绕街道中心工作和重点项目，严格落实")
    );
    assert_eq!(
        r.summary(),
        "format 2021 (one row per line); 200 cells read, 0 uncertain, 0 blank, 0 rule(s) broken"
    );
    assert!(!r.as_published());
}

#[test]
fn hongzequ_column_by_column_hybrid_format() {
    let r = read_real("2024_hongzequ.txt", &Given::new());
    assert_eq!(r.name, "淮安市洪泽区人民政府");
    assert_eq!(r.year, 2024);
    assert_eq!(r.tables.format, Format::F2021);
    assert!(r.tables.single_other);
    assert_eq!(r.format_label(), "2021 with （六）其他处理 as one row");
    assert_eq!(r.tables.shape, import::Shape::Columns);
    assert_active_2021(&r, [0, 0, 0], [3, 0, 8], [9487, 2776, 84], "7545");
    assert_sections_3_4("2024_hongzequ.txt", &r);
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "## 五、存在的主要问题及改进情况",
            "## 六、其他需要报告的事项",
        ]
    );
    // Page numbers are dropped from the prose.
    assert!(!r.markdown.contains("-1-"));
    assert!(
        r.markdown
            .contains("受理政府信息公开申请17件，均已在法定期限内予以答复。")
    );
    assert_eq!(
        r.summary(),
        "format 2021 with （六）其他处理 as one row (column by column); 186 cells read, 0 uncertain, 0 blank, 0 rule(s) broken"
    );
}

#[test]
fn shanghai_scrambled_pipe_tables() {
    let r = read_real("2025_shanghai_bgt.txt", &Given::new());
    assert_eq!(r.name, "上海市人民政府办公厅");
    assert_eq!(r.year, 2025);
    assert_eq!(r.format_label(), "2021");
    assert_eq!(r.tables.shape, import::Shape::Pipes);
    assert_active_2021(&r, [22, 22, 235], [34, 55, 189], [0, 0, 0], "0");
    assert_sections_3_4("2025_shanghai_bgt.txt", &r);
    assert_eq!(
        r.notes,
        [
            "line 79: 规章 · 本年制发件数: printed apart from its row; placed as 本年制发件数 by its note 「（其中修订 16 件）」",
            "line 81: 行政规范性文件 · 本年废止件数: printed apart from its row; placed as 本年废止件数 by its note 「（含自然失效 29 件）」",
            "line 183: the heading of section 五、存在的主要问题及改进情况 is missing in the text; the text after table 四 is taken as that section",
        ]
    );
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "### （一）主动公开方面",
            "### （二）依申请公开方面",
            "### （三）政府信息管理方面",
            "### （四）平台建设方面",
            "### （五）监督保障方面",
            "## 五、存在的主要问题及改进情况",
            "### （一）2024年工作中存在问题的改进情况",
            "### （二）2025年工作中存在的主要问题",
            "## 六、其他需要报告的事项",
        ]
    );
    assert!(!r.markdown.contains("— 2 —"));
    assert!(!r.markdown.contains("正文"));
    assert_eq!(
        r.summary(),
        "format 2021 (pipe tables); 200 cells read, 2 uncertain, 0 blank, 0 rule(s) broken"
    );
}

#[test]
fn shuyang_tab_separated_with_blanks() {
    let r = read_real("2023_shuyang_fagaiju.txt", &Given::new());
    assert_eq!(r.name, "沭阳县发展和改革局");
    assert_eq!(r.year, 2023);
    assert_eq!(r.published.unwrap().to_string(), "2024-01-17");
    assert_eq!(r.index_number.as_deref(), Some("014314799/2024-00002"));
    assert_eq!(r.format_label(), "2021");
    assert_eq!(r.tables.shape, import::Shape::Tabs);
    assert_active_2021(&r, [0, 0, 0], [8, 0, 18], [0, 0, 0], "0");
    assert_sections_3_4("2023_shuyang_fagaiju.txt", &r);
    assert_eq!(r.blanks(), 125);
    assert_eq!(r.notes.len(), 25);
    assert_eq!(
        r.notes[0],
        "line 44: 一、本年新收政府信息公开申请数量 · 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 printed blank: written as null"
    );
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "### （一）主动公开政府信息情况",
            "### （二）依申请公开政府信息情况",
            "### （三）完善公开制度规范，加强政府信息管理",
            "### （四）加强平台建设，扩展公开渠道",
            "### （五）及时回应关切，自觉接受监督",
            "## 五、存在的主要问题及整改措施",
            "## 六、其他需要报告的事项",
        ]
    );
    let yaml = r.yaml("2023_shuyang_fagaiju.txt");
    assert!(
        rows(&yaml).contains(&"new: [26, null, null, null, null, null, 26]".to_string()),
        "{yaml}"
    );
    assert!(yaml.contains("published: 2024-01-17\nindex_number: \"014314799/2024-00002\"\n"));
    assert_eq!(
        r.summary(),
        "format 2021 (tab-separated); 200 cells read, 0 uncertain, 125 blank, 0 rule(s) broken"
    );
}

#[test]
fn pingtan_glued_digits_refused_where_no_rule_decides() {
    let text = std::fs::read_to_string(reports_dir().join("2023_pingtan.txt")).unwrap();
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:10: 行政规范性文件 · 本年废止件数: the digits \"77132470\" split 21 ways (the prose's 「制发的规范性文件77件」 keeps 5) into 本年制发件数, 本年废止件数, 现行有效件数 and no rule decides (77 | 1 | 32470, or 77 | 13 | 2470 or …); read the original and give it with --cell active.normative_documents.repealed=N"
    );
    // One figure given: the next undecided cell is named.
    let err = read_str(
        &text,
        &given(&[("active.normative_documents.issued", "77")]),
    )
    .unwrap_err();
    assert!(
        err.contains("行政规范性文件 · 本年废止件数: the digits \"77132470\" split 5 ways"),
        "{err}"
    );
    // Both given, as the original web page's table shows: every number.
    let r = read_real(
        "2023_pingtan.txt",
        &given(&[
            ("active.normative_documents.issued", "77"),
            ("active.normative_documents.repealed", "132"),
        ]),
    );
    assert_eq!(r.name, "平潭综合实验区");
    assert_eq!(r.year, 2023);
    assert_eq!(r.published.unwrap().to_string(), "2024-03-08");
    assert_eq!(r.format_label(), "2021");
    assert_eq!(r.tables.shape, import::Shape::Glued);
    assert_active_2021(
        &r,
        [0, 0, 0],
        [77, 132, 470],
        [2629, 1330, 54],
        "5949.088667",
    );
    assert_sections_3_4("2023_pingtan.txt", &r);
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "## 五、存在的主要问题及改进情况",
            "## 六、其他需要报告的事项",
        ]
    );
    assert!(
        r.markdown
            .contains("## 六、其他需要报告的事项\n\n2023年，无收取信息处理费情况。\n")
    );
    assert_eq!(
        r.summary(),
        "format 2021 (cells glued together); 200 cells read, 16 uncertain, 0 blank, 0 rule(s) broken"
    );
    let notes: Vec<&str> = r.notes.iter().map(String::as_str).collect();
    assert_eq!(
        notes,
        [
            "line 10: 行政规范性文件 · 本年制发件数: given with --cell active.normative_documents.issued=77",
            "line 10: 行政规范性文件 · 本年废止件数: given with --cell active.normative_documents.repealed=132",
            "line 10: 三（一）予以公开: \"220000022\" split more than one way; R1 and R3 leave one: read as 22 | 0 | 0 | 0 | 0 | 0 | 22",
            "line 10: 三（二）部分公开: \"191000020\" split more than one way; R1 and R3 leave one: read as 19 | 1 | 0 | 0 | 0 | 0 | 20",
        ]
    );
}

// ---------------------------------------------------------------------------
// Synthetic texts: each shape, each rule that settles an ambiguous cell.

/// A whole report in the crawler's glued shape: the rows of 三 (25 or 23
/// digit strings, in the official order) and the digits of 四.
fn glued(requests: &[&str], reviews: &str) -> String {
    let defs = request_rows(requests.len() == 23);
    let mut t = String::from(
        "标题: 示范区测试局2024年政府信息公开工作年度报告\n发布时间: 2025-01-20 09:00\n==================== 正文 ====================\n本报告根据条例编制。 一、总体情况 2024年，本局依法公开。（一）主动公开方面全年公开信息12条。 二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件102第二十条第（五）项信息内容本年处理决定数量行政许可5第二十条第（六）项信息内容本年处理决定数量行政处罚0行政强制0第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
    );
    let mut group = None;
    for (def, digits) in defs.iter().zip(requests) {
        if def.key == "requests.granted" {
            t.push_str("三、本年度办理结果");
        }
        if def.group != group {
            group = def.group;
            if let Some(g) = group {
                t.push_str(g);
            }
        }
        t.push_str(def.label);
        t.push_str(digits);
    }
    t.push_str("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计");
    t.push_str(reviews);
    t.push_str("五、存在的主要问题及改进情况公开深度不够。六、其他需要报告的事项无。\n");
    t
}

const Z: &str = "0000000";

/// 三 with the given rows (by index) replaced, the rest zeros.
fn rows_with(changes: &[(usize, &'static str)]) -> Vec<&'static str> {
    let mut rows = vec![Z; 25];
    for &(i, d) in changes {
        rows[i] = d;
    }
    rows
}

#[test]
fn glued_rows_split_by_r2_and_reviews_by_r4_to_r6() {
    // 一 = （一） + （二）; （七） likewise.
    let text = glued(
        &rows_with(&[
            (0, "801000081"),
            (2, "220000022"),
            (3, "581000059"),
            (23, "801000081"),
        ]),
        "110024001510102",
    );
    let r = read_str(&text, &Given::new()).unwrap();
    assert_eq!(r.name, "示范区测试局");
    assert_eq!(r.published.unwrap().to_string(), "2025-01-20");
    assert_eq!(
        r.row("requests.new").unwrap(),
        ints(&[80, 1, 0, 0, 0, 0, 81])
    );
    assert_eq!(
        r.row("requests.granted").unwrap(),
        ints(&[22, 0, 0, 0, 0, 0, 22])
    );
    assert_eq!(
        r.row("requests.partially_granted").unwrap(),
        ints(&[58, 1, 0, 0, 0, 0, 59])
    );
    assert_eq!(r.row("reviews.review").unwrap(), ints(&[1, 1, 0, 0, 2]));
    assert_eq!(
        r.row("reviews.litigation_direct").unwrap(),
        ints(&[4, 0, 0, 1, 5])
    );
    assert_eq!(
        r.row("reviews.litigation_after_review").unwrap(),
        ints(&[1, 0, 1, 0, 2])
    );
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[1, 0, 2])
    );
    assert_eq!(
        r.notes,
        [
            "line 4: 三（一）予以公开: \"220000022\" split more than one way; R1 and R3 leave one: read as 22 | 0 | 0 | 0 | 0 | 0 | 22"
        ]
    );
    assert_eq!(
        headings(&r),
        [
            "## 一、总体情况",
            "## 五、存在的主要问题及改进情况",
            "## 六、其他需要报告的事项",
        ]
    );
}

#[test]
fn glued_row_that_r2_leaves_open_is_settled_by_r3() {
    // （一） "11100000111" is 1|110|0|0|0|0|111 or 111|0|0|0|0|0|111 (both
    // keep R2); only the first makes （七） = （一） + （二） in every column.
    let text = glued(
        &rows_with(&[
            (0, "21100000112"),
            (2, "11100000111"),
            (3, "1000001"),
            (23, "21100000112"),
        ]),
        "000000000000000",
    );
    let r = read_str(&text, &Given::new()).unwrap();
    assert_eq!(
        r.row("requests.granted").unwrap(),
        ints(&[1, 110, 0, 0, 0, 0, 111])
    );
    assert_eq!(r.uncertain(), 7);
}

#[test]
fn glued_row_that_no_rule_decides_is_refused_with_its_cell() {
    // 一, （一） and （七） each split two ways, and the rules hold either way.
    let text = glued(
        &rows_with(&[(0, "11100000111"), (2, "11100000111"), (23, "11100000111")]),
        "000000000000000",
    );
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 3 problem(s):\n  t.txt:4: 一、本年新收政府信息公开申请数量 · 自然人: the digits \"11100000111\" split 2 ways into 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 and R1–R6 do not decide (1 | 110 | 0 | 0 | 0 | 0 | 111, or 111 | 0 | 0 | 0 | 0 | 0 | 111 or …); read the original and give it with --cell requests.new.natural_person=N\n  t.txt:4: 三（一）予以公开 · 自然人: the digits \"11100000111\" split 2 ways into 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 and R1–R6 do not decide (1 | 110 | 0 | 0 | 0 | 0 | 111, or 111 | 0 | 0 | 0 | 0 | 0 | 111 or …); read the original and give it with --cell requests.granted.natural_person=N\n  t.txt:4: 三（七）总计 · 自然人: the digits \"11100000111\" split 2 ways into 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 and R1–R6 do not decide (1 | 110 | 0 | 0 | 0 | 0 | 111, or 111 | 0 | 0 | 0 | 0 | 0 | 111 or …); read the original and give it with --cell requests.total.natural_person=N"
    );
    // The clerk reads one cell in the original; R1 and R3 do the rest.
    let r = read_str(&text, &given(&[("requests.new.natural_person", "111")])).unwrap();
    assert_eq!(
        r.row("requests.total").unwrap(),
        ints(&[111, 0, 0, 0, 0, 0, 111])
    );
}

#[test]
fn glued_row_that_breaks_r2_every_way_is_refused() {
    let text = glued(&rows_with(&[(2, "21100000113")]), "000000000000000");
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:4: 三（一）予以公开: the digits \"21100000113\" cannot be split into 7 cells whose 总计 is the sum of the other six (R2)"
    );
}

#[test]
fn glued_hybrid_with_one_other_row() {
    let mut rows = vec![Z; 23];
    rows[0] = "1000001";
    rows[20] = "1000001"; // （六）其他处理, one row
    rows[21] = "1000001";
    let r = read_str(&glued(&rows, "000000000000000"), &Given::new()).unwrap();
    assert_eq!(r.format_label(), "2021 with （六）其他处理 as one row");
    assert_eq!(
        r.row("requests.other").unwrap(),
        ints(&[1, 0, 0, 0, 0, 0, 1])
    );
    assert_eq!(r.cells_read(), 10 + 161 + 15);
}

// ---------------------------------------------------------------------------
// Round trips: generated reports (both formats) rendered to each text shape
// import back to the same numbers.

#[derive(Clone, Copy, Debug)]
pub(crate) enum Render {
    Rows,
    Tabs,
    Pipes,
    Columns,
}

fn values(row: &gongkai::model::Row) -> Vec<String> {
    (0..row.def.width())
        .map(|i| row.value(i).to_string())
        .collect()
}

fn line(shape: Render, label: &str, cells: &[String]) -> String {
    match shape {
        Render::Rows => format!("{label} {}\n", cells.join(" ")),
        Render::Tabs => format!("{label}\t{}\n", cells.join("\t")),
        Render::Pipes => format!("| {label} | {} |\n|---|\n", cells.join(" | ")),
        Render::Columns => {
            let mut s = format!("{label}\n\n");
            for c in cells {
                s.push_str(&format!("{c}\n\n"));
            }
            s
        }
    }
}

/// The report as its published text would look in `shape`.
pub(crate) fn render(report: &gongkai::Report, name: &str, shape: Render) -> String {
    let mut t = format!("{name}\n{} 年政府信息公开工作\n年度报告\n\n", report.year);
    t.push_str("本报告根据《中华人民共和国政府信息公开条例》编制。\n\n一、总体情况\n（一）主动公开\n本机关坚持以公开为常态。\n- 1 -\n\x0c二、主动公开政府信息情况\n");
    for row in report.active.iter() {
        let labels: Vec<&str> = row.def.columns.iter().map(|c| c.label).collect();
        t.push_str(&format!(
            "{}\n信息内容 {}\n",
            row.def.group.unwrap_or_default(),
            labels.join(" ")
        ));
        t.push_str(&line(shape, row.def.label, &values(row)));
    }
    t.push_str("三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等\n于第三项加第四项之和）\n申请人情况\n自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n");
    match shape {
        Render::Columns => {
            // pdftotext: column after column, then the labels.
            for c in 0..7 {
                for row in report.requests.iter() {
                    t.push_str(&format!("{}\n", row.value(c)));
                }
                t.push('\n');
            }
            for row in report.requests.iter() {
                t.push_str(&format!("{}\n", row.def.label));
            }
        }
        _ => {
            let mut group = None;
            for row in report.requests.iter() {
                if row.def.group != group {
                    group = row.def.group;
                    if let Some(g) = group {
                        t.push_str(&format!("{g}\n"));
                    }
                }
                t.push_str(&line(shape, row.def.label, &values(row)));
            }
        }
    }
    t.push_str("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n");
    let all: Vec<String> = report.reviews.iter().flat_map(values).collect();
    t.push_str(&match shape {
        Render::Rows => all.join(" ") + "\n",
        Render::Tabs => all.join("\t") + "\n",
        Render::Pipes => format!("| {} |\n", all.join(" | ")),
        Render::Columns => all.join("\n\n") + "\n",
    });
    t.push_str("五、存在的主要问题及改进情况\n公开的深度还不够。\n六、其他需要报告的事项\n本机关未收取信息处理费。\n");
    t
}

#[test]
fn generated_reports_round_trip_through_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    gongkai::generate::generate(
        dir.path(),
        &gongkai::generate::Options {
            agencies: 4,
            years: 3,
            last_year: 2021,
            seed: 11,
        },
    )
    .unwrap();
    let site = gongkai::load(dir.path()).site.unwrap();
    assert_eq!(site.reports.len(), 12);
    let mut formats = std::collections::BTreeSet::new();
    for report in &site.reports {
        let name = &site.agencies[&report.agency].name;
        for shape in [Render::Rows, Render::Tabs, Render::Pipes, Render::Columns] {
            let text = render(report, name, shape);
            let r = read_str(&text, &Given::new()).unwrap_or_else(|e| {
                panic!("{} {} {shape:?}: {e}\n{text}", report.agency, report.year)
            });
            let what = format!("{} {} {shape:?}", report.agency, report.year);
            assert_eq!(&r.name, name, "{what}");
            assert_eq!(r.year, report.year, "{what}");
            assert_eq!(r.tables.format, report.format, "{what}");
            assert_eq!(r.tables.single_other, report.single_other, "{what}");
            for row in report
                .active
                .iter()
                .chain(report.requests.iter())
                .chain(report.reviews.iter())
            {
                let expected: Vec<Option<Number>> =
                    (0..row.def.width()).map(|i| Some(row.value(i))).collect();
                assert_eq!(
                    r.row(row.def.key).unwrap(),
                    expected,
                    "{what}: {}",
                    row.def.key
                );
            }
            assert_eq!(r.uncertain(), 0, "{what}");
            assert!(!r.as_published(), "{what}: {:?}", r.broken);
            assert!(!r.markdown.contains("- 1 -"), "{what}");
            formats.insert(report.format);
        }
    }
    assert_eq!(formats.len(), 2);
}

// ---------------------------------------------------------------------------
// One row per line with what extraction does to text: full-width digits,
// `1、`, spaced-out and wrapped labels, page numbers, form feeds, a running
// header, an OCR letter for a digit.

pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name),
    )
    .unwrap()
}

/// Every figure of `rows_2022.txt`, as typed in it.
fn assert_rows_2022(r: &Imported) {
    let zeros = ints(&[0; 7]);
    let expected: BTreeMap<&str, Vec<Option<Number>>> = [
        ("active.regulations", ints(&[0, 0, 0])),
        ("active.normative_documents", ints(&[2, 1, 9])),
        ("active.licensing", ints(&[12])),
        ("active.punishment", ints(&[3])),
        ("active.coercion", ints(&[0])),
        ("active.fees", cells(&[Some("1.25")])),
        ("requests.new", ints(&[5, 1, 0, 0, 0, 0, 6])),
        ("requests.carried_over", ints(&[1, 0, 0, 0, 0, 0, 1])),
        ("requests.granted", ints(&[3, 0, 0, 0, 0, 0, 3])),
        ("requests.partially_granted", ints(&[1, 1, 0, 0, 0, 0, 2])),
        (
            "requests.unavailable.not_held",
            ints(&[1, 0, 0, 0, 0, 0, 1]),
        ),
        ("requests.total", ints(&[5, 1, 0, 0, 0, 0, 6])),
        ("requests.carried_forward", ints(&[1, 0, 0, 0, 0, 0, 1])),
        ("reviews.review", ints(&[1, 0, 0, 0, 1])),
        ("reviews.litigation_direct", ints(&[0; 5])),
        ("reviews.litigation_after_review", ints(&[0; 5])),
    ]
    .into_iter()
    .collect();
    for (def, _) in r.tables.rows() {
        let want = expected.get(def.key).unwrap_or(&zeros);
        assert_eq!(&r.row(def.key).unwrap(), want, "{}", def.key);
    }
    assert_eq!(r.cells_read(), 200);
}

#[test]
fn rows_with_full_width_digits_spaced_labels_page_numbers_and_ocr() {
    let r = read_str(&fixture("rows_2022.txt"), &Given::new()).unwrap();
    assert_eq!(r.name, "示范区测试局");
    assert_eq!(r.year, 2022);
    assert_eq!(r.format_label(), "2021");
    assert_rows_2022(&r);
    assert_eq!(
        r.notes,
        ["line 23: 行政强制: printed 「O」, read as 0 (OCR)"]
    );
    assert_eq!(
        r.summary(),
        "format 2021 (one row per line); 200 cells read, 1 uncertain, 0 blank, 0 rule(s) broken"
    );
    assert_eq!(
        r.markdown,
        "本报告根据条例编制。\n\n## 一、总体情况\n\n### （一）主动公开\n\n2022年，本局主动公开信息12条。\n\n## 五、存在的主要问题及改进情况\n\n### （一）存在的问题\n\n公开形式较单一。\n\n### （二）改进情况\n\n丰富公开形式。\n\n## 六、其他需要报告的事项\n\n本局未收取信息处理费。\n"
    );
}

#[test]
fn a_missing_cell_in_a_row_is_refused() {
    let text = fixture("rows_2022.txt").replace("3、其他 0 0 0 0 0 0 0", "3、其他 0 0 0 0 0 0");
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:65: 三（六）3.其他: 6 figure(s) printed for 7 cells: a cell left blank or lost in extraction, and which one cannot be told"
    );
}

#[test]
fn a_missing_cell_without_its_label_is_refused_for_the_section() {
    let text = fixture("rows_2022.txt").replace("1 1 0 0 0 0\n2\n", "1 1 0 0 0\n2\n");
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:32: section 三: 174 cells read, but the table has 25 rows × 7 cells = 175: a cell is missing, blank or extra, and where cannot be told"
    );
}

#[test]
fn tab_separated_blanks_are_null_and_hybrid_other_row_is_kept() {
    let text = fixture("rows_2022.txt")
        .replace(
            "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
            "二、上年结转政府信息公开申请数量\t1\t\t\t\t\t\t1",
        )
        .replace("（六）其他处理\n", "")
        .replace(
            "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0\n2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0\n3、其他 0 0 0 0 0 0 0\n",
            "（六）其他处理\t0\t0\t0\t0\t0\t0\t0\n",
        );
    let r = read_str(&text, &Given::new()).unwrap();
    assert_eq!(r.tables.shape, import::Shape::Tabs);
    assert_eq!(r.format_label(), "2021 with （六）其他处理 as one row");
    assert_eq!(
        r.row("requests.carried_over").unwrap(),
        cells(&[Some("1"), None, None, None, None, None, Some("1")])
    );
    assert_eq!(r.row("requests.other").unwrap(), ints(&[0; 7]));
    assert_eq!(r.blanks(), 5);
    assert_eq!(
        r.notes[1],
        "line 33: 二、上年结转政府信息公开申请数量 · 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 printed blank: written as null"
    );
    let yaml = r.yaml("t.txt");
    assert!(
        rows(&yaml).contains(&"carried_over: [1, null, null, null, null, null, 1]".to_string()),
        "{yaml}"
    );
    assert!(
        rows(&yaml).contains(&"other: [0, 0, 0, 0, 0, 0, 0]".to_string()),
        "{yaml}"
    );
}

#[test]
fn an_inconsistent_original_is_kept_as_published_with_each_rule_broken() {
    let text =
        fixture("rows_2022.txt").replace("（七）总计 5 1 0 0 0 0 6", "（七）总计 5 1 0 0 0 0 7");
    let r = read_str(&text, &Given::new()).unwrap();
    assert!(r.as_published());
    assert_eq!(
        r.broken,
        [
            "总计: 一、本年新收 6 + 二、上年结转 1 = 7, but 三（七）总计 7 + 四、结转下年度 1 = 8 (R1)",
            "三（七）总计 · 总计 is 7, but 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 = 5 + 1 + 0 + 0 + 0 + 0 = 6 (R2)",
            "三（七）总计 · 总计 is 7, but the sum of rows （一）…（六） is 6 (R3)",
        ]
    );
    assert!(r.yaml("t.txt").contains("\nas_published: true\n"));
    assert!(r.summary().ends_with("3 rule(s) broken"));
}

#[test]
fn a_figure_printed_apart_with_nothing_naming_its_column_is_refused() {
    let text = std::fs::read_to_string(reports_dir().join("2025_shanghai_bgt.txt"))
        .unwrap()
        .replace("（含自然失效 29 件）", "");
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:81: 行政规范性文件: the figure 「55」 is printed apart from its row, and nothing tells which of 本年制发件数, 本年废止件数, 现行有效件数 it is"
    );
    let r = read_str(
        &text,
        &given(&[("active.normative_documents.repealed", "55")]),
    )
    .unwrap();
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[34, 55, 189])
    );
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    for (text, message) in [
        ("", "t.txt: the file is empty"),
        (
            "随便一些文字\n没有任何表格",
            "t.txt: section 二、主动公开政府信息情况 is not found (a heading with the words 主动公开政府信息情况, whatever its numbering); the text has no line that looks like a heading: is this a 政府信息公开工作年度报告?",
        ),
    ] {
        assert_eq!(read_str(text, &Given::new()).unwrap_err(), message);
    }
    let no_year =
        fixture("rows_2022.txt").replace("示范区测试局2022年政府信息公开工作年度报告", "");
    assert_eq!(
        read_str(&no_year, &Given::new()).unwrap_err(),
        "t.txt: no title with the report's year (…2024年政府信息公开工作年度报告) is found: give the year with --year"
    );
    let r = import::read_text(&no_year, Path::new("t.txt"), Some(2022), &Given::new()).unwrap();
    assert_eq!(r.year, 2022);
    // The statistics period names the year when the title does not.
    let period = no_year.replace(
        "本报告根据条例编制。",
        "本报告根据条例编制。数据统计期限自2022年1月1日起至2022年12月31日止。",
    );
    assert_eq!(read_str(&period, &Given::new()).unwrap().year, 2022);
    let wrong = import::read_text(
        &fixture("rows_2022.txt"),
        Path::new("t.txt"),
        Some(2023),
        &Given::new(),
    );
    assert_eq!(
        wrong.unwrap_err().to_string(),
        "t.txt:1: the title says 2022, but --year is 2023"
    );
    // Every prefix of every real report: an answer, never a panic.
    for name in [
        "2024_hongzequ.txt",
        "2023_pingtan.txt",
        "2025_shanghai_bgt.txt",
        "2023_shuyang_fagaiju.txt",
    ] {
        let text = std::fs::read_to_string(reports_dir().join(name)).unwrap();
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(97).collect();
        for cut in cuts {
            let _ = read_str(&text[..cut], &Given::new());
        }
    }
}

// ---------------------------------------------------------------------------
// The command line.

pub(crate) fn gongkai(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new site (`init`) in a temp folder: the folder and the site's root.
pub(crate) fn new_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let (code, _, err) = gongkai(dir.path(), &["init", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    (dir, site)
}

#[test]
fn cli_imports_writes_checks_and_refuses_to_overwrite() {
    let (_dir, root) = new_site();
    let report = reports_dir().join("2024_hongzequ.txt");
    let file = report.to_str().unwrap();
    let (code, out, err) = gongkai(&root, &["import", file, "--agency", "hongzequ"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "{file}: format 2021 with （六）其他处理 as one row (column by column); 186 cells read, 0 uncertain, 0 blank, 0 rule(s) broken\nwrote content/hongzequ/agency.yaml\nwrote content/hongzequ/2024.yaml\nwrote content/hongzequ/2024.md\n"
        )
    );
    assert!(err.starts_with("note: new agency 淮安市洪泽区人民政府: category `government` taken from its name (change it with --category)\n"), "{err}");
    // The same checks as `check`: here the hybrid （六） row (X6).
    assert!(err.contains("content/hongzequ/2024.yaml:40:3: 三（六）其他处理 is one row, but the 2021 format prints three (no_correction, unpaid_fee, other); kept as published (X6)"), "{err}");
    let agency = std::fs::read_to_string(root.join("content/hongzequ/agency.yaml")).unwrap();
    assert!(agency.starts_with("name: 淮安市洪泽区人民政府\ncategory: government\n"));
    let loaded = gongkai::load(&root);
    assert!(!loaded.diagnostics.has_errors());
    let site = loaded.site.unwrap();
    let written = site.report("hongzequ", 2024).unwrap();
    assert_eq!(
        written.cell_value("active.licensing"),
        Some(Some(n("9487")))
    );
    assert_eq!(
        written.cell_value("requests.unavailable.not_held.natural_person"),
        Some(Some(n("31")))
    );
    assert_eq!(
        written.cell_value("reviews.litigation_after_review.total"),
        Some(Some(n("3")))
    );
    assert_eq!(written.prose.as_ref().unwrap().sections.len(), 3);

    let (code, _, err) = gongkai(&root, &["import", file, "--agency", "hongzequ"]);
    assert_eq!(code, 1);
    assert!(
        err.ends_with(
            "error: content/hongzequ/2024.yaml already exists; pass --force to replace it\n"
        ),
        "{err}"
    );
    let (code, _, err) = gongkai(&root, &["import", file, "--agency", "hongzequ", "--force"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn cli_refuses_what_it_cannot_read_and_writes_nothing() {
    let (_dir, root) = new_site();
    let report = reports_dir().join("2023_pingtan.txt");
    let file = report.to_str().unwrap();
    let (code, out, err) = gongkai(&root, &["import", file, "--agency", "pingtan"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "error: {file}: nothing written: 1 problem(s):\n  {file}:10: 行政规范性文件 · 本年废止件数: the digits \"77132470\" split 21 ways (the prose's 「制发的规范性文件77件」 keeps 5) into 本年制发件数, 本年废止件数, 现行有效件数 and no rule decides (77 | 1 | 32470, or 77 | 13 | 2470 or …); read the original and give it with --cell active.normative_documents.repealed=N\n"
        )
    );
    assert!(!root.join("content/pingtan").exists());
    let (code, out, err) = gongkai(
        &root,
        &[
            "import",
            file,
            "--agency",
            "pingtan",
            "--cell",
            "active.normative_documents.issued=77",
            "--cell",
            "active.normative_documents.repealed=132",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("200 cells read, 16 uncertain, 0 blank, 0 rule(s) broken"),
        "{out}"
    );
    let yaml = std::fs::read_to_string(root.join("content/pingtan/2023.yaml")).unwrap();
    assert!(
        rows(&yaml).contains(&"normative_documents: [77, 132, 470]".to_string()),
        "{yaml}"
    );
    assert!(
        rows(&yaml).contains(&"fees: 5949.088667".to_string()),
        "{yaml}"
    );
    assert!(yaml.contains("\npublished: 2024-03-08\n"), "{yaml}");

    let (code, _, err) = gongkai(
        &root,
        &[
            "import",
            file,
            "--agency",
            "pingtan",
            "--cell",
            "active.bogus=1",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: --cell active.bogus=1: no such cell key (keys as in data/reports.csv, e.g. active.normative_documents.repealed)\n"
    );
    let (code, _, err) = gongkai(&root, &["import", file, "--agency", "Ping Tan"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("`Ping Tan` is not a valid agency slug"),
        "{err}"
    );
}

#[test]
fn cli_dry_run_prints_and_writes_nothing() {
    let (_dir, root) = new_site();
    let report = reports_dir().join("2024_weibin_zhongtongjie.txt");
    let (code, out, err) = gongkai(
        &root,
        &[
            "import",
            report.to_str().unwrap(),
            "--agency",
            "zhongtongjie",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("--- content/zhongtongjie/2024.yaml (dry run: not written)\n# 卫滨区中同街街道办事处 2024年政府信息公开工作年度报告（gongkai import: 2024_weibin_zhongtongjie.txt）\nyear: 2024\nformat: 2021\ndraft: false\nas_published: false\n"), "{out}");
    assert!(
        out.contains("--- content/zhongtongjie/2024.md (dry run: not written)\n## 一、总体情况\n"),
        "{out}"
    );
    assert!(out.contains("--- content/zhongtongjie/agency.yaml (dry run: not written)\nname: 卫滨区中同街街道办事处\ncategory: street\n"), "{out}");
    assert!(!root.join("content/zhongtongjie").exists());
}

/// The 2021 report of `rows_2022.txt`'s agency: what it carries forward is
/// what 2022 carried over (X1).
pub(crate) fn rows_2021() -> String {
    fixture("rows_2022.txt")
        .replace("2022年政府", "2021年政府")
        .replace(
            "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
            "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        )
        .replace(
            "一、本年新收政府信息公开申请数量 ５ １ ０ ０ ０ ０ ６",
            "一、本年新收政府信息公开申请数量 6 1 0 0 0 0 7",
        )
}

#[test]
fn cli_imports_a_folder_of_years() {
    let (dir, root) = new_site();
    let folder = dir.path().join("reports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("2022.txt"), fixture("rows_2022.txt")).unwrap();
    std::fs::write(folder.join("2021.txt"), rows_2021()).unwrap();
    std::fs::write(folder.join("notes.md"), "not a report").unwrap();
    let (code, out, err) = gongkai(
        &root,
        &["import", folder.to_str().unwrap(), "--agency", "ceshi"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("imported 2 of 2 file(s)\n"), "{out}");
    assert!(root.join("content/ceshi/2021.yaml").exists());
    assert!(root.join("content/ceshi/2022.yaml").exists());
    let loaded = gongkai::load(&root);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn cli_pdf_without_pdftotext_says_how_to_install_it() {
    let (dir, root) = new_site();
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("--root")
        .arg(&root)
        .args(["import", pdf.to_str().unwrap(), "--agency", "x"])
        .env("PATH", dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: {} is a PDF, and reading it needs pdftotext, which is not installed: install poppler-utils (`apt-get install poppler-utils` on Debian/Ubuntu, `dnf install poppler-utils` on Fedora, `brew install poppler` on macOS), or give the text instead\n",
            pdf.display()
        )
    );
}

#[test]
fn rows_out_of_their_official_place_are_refused() {
    let text = fixture("rows_2022.txt")
        .replace(
            "1、本机关不掌握相关政府信息 1",
            "2、没有现成信息需要另行制作 1",
        )
        .replace(
            "2、没有现成信息需要另行制作 0",
            "1、本机关不掌握相关政府信息 0",
        );
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 2 problem(s):\n  t.txt:51: section 三: the figures printed with the label 三（四）2.没有现成信息需要另行制作 fall, in the table's order, on the row 三（四）1.本机关不掌握相关政府信息: a row is missing or out of place\n  t.txt:54: section 三: the figures printed with the label 三（四）1.本机关不掌握相关政府信息 fall, in the table's order, on the row 三（四）2.没有现成信息需要另行制作: a row is missing or out of place"
    );
}

#[test]
fn a_dash_in_a_cell_is_a_blank() {
    let text = fixture("rows_2022.txt").replace(
        "（一）予以公开 3 0 0 0 0 0 3",
        "（一）予以公开 3 — 0 0 0 0 3",
    );
    let r = read_str(&text, &Given::new()).unwrap();
    assert_eq!(
        r.row("requests.granted").unwrap(),
        cells(&[
            Some("3"),
            None,
            Some("0"),
            Some("0"),
            Some("0"),
            Some("0"),
            Some("3")
        ])
    );
    assert!(!r.as_published());
}

#[test]
fn a_file_that_is_not_utf8_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gbk.txt");
    // 「报告」 in GBK on line 2.
    std::fs::write(&path, b"title\n\xb1\xa8\xb8\xe6\n").unwrap();
    assert_eq!(
        import::file_text(&path).unwrap_err().to_string(),
        format!(
            "{}:2: the text is not UTF-8 (GBK?); convert it, e.g. `iconv -f GBK -t UTF-8`",
            path.display()
        )
    );
}

// ---------------------------------------------------------------------------
// PDF input through pdftotext (poppler-utils): ignored in a plain `cargo test`;
// `.ci/run` installs poppler-utils and runs it with `--include-ignored`.

/// A minimal PDF of `text`: one line of text per line, a new page at each
/// form feed; characters as 2-byte CIDs (Identity-H) with a ToUnicode map,
/// so pdftotext gives the text back without any font installed.
pub(crate) fn pdf_of(text: &str) -> Vec<u8> {
    let pages: Vec<&str> = text.split('\x0c').collect();
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, 4 descendant, 5 descriptor,
    // 6 ToUnicode, then a page and its content for each page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 7 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [32 [500] 46 [250] 48 57 500 65 122 500] >>".to_vec());
    objects.push(b"<< /Type /FontDescriptor /FontName /Test /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>".to_vec());
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for block in (0..256u32).collect::<Vec<_>>().chunks(100) {
        cmap.push_str(&format!("{} beginbfrange\n", block.len()));
        for hi in block {
            cmap.push_str(&format!("<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>\n"));
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    objects.push(format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len()).into_bytes());
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1200 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                8 + 2 * i
            )
            .into_bytes(),
        );
        let mut content = String::from("BT\n/F1 8 Tf\n11 TL\n30 810 Td\n");
        for line in page.lines() {
            let hex: String = line.encode_utf16().map(|u| format!("{u:04X}")).collect();
            content.push_str(&format!("<{hex}> Tj T*\n"));
        }
        content.push_str("ET\n");
        objects.push(
            format!(
                "<< /Length {} >>\nstream\n{content}endstream",
                content.len()
            )
            .into_bytes(),
        );
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
#[ignore = "needs pdftotext (poppler-utils): .ci/run installs it and runs --include-ignored"]
fn a_pdf_is_read_through_pdftotext() {
    assert!(
        Command::new("pdftotext").arg("-v").output().is_ok(),
        "this test needs pdftotext (apt-get install poppler-utils)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("2022.pdf");
    std::fs::write(&pdf, pdf_of(&fixture("rows_2022.txt"))).unwrap();
    let text = import::file_text(&pdf).unwrap();
    assert!(text.contains('\x0c'), "{text}");
    let r = import::read_text(&text, &pdf, None, &Given::new()).unwrap();
    assert_eq!(r.name, "示范区测试局");
    assert_eq!(r.year, 2022);
    assert_rows_2022(&r);
    assert_eq!(
        r.summary(),
        "format 2021 (one row per line); 200 cells read, 1 uncertain, 0 blank, 0 rule(s) broken"
    );
    assert!(
        r.markdown
            .contains("## 六、其他需要报告的事项\n\n本局未收取信息处理费。\n"),
        "{}",
        r.markdown
    );
}

#[test]
fn glued_labels_garbled_by_ocr_are_still_found() {
    let text = glued(
        &rows_with(&[(0, "801000081"), (3, "801000081"), (23, "801000081")]),
        "000000000000000",
    )
    .replace("属于国家秘密", "属于国家秘宓")
    .replace("其他法律行政法规禁止公开", "其他法律行政止公开");
    let r = read_str(&text, &Given::new()).unwrap();
    assert_eq!(
        r.row("requests.partially_granted").unwrap(),
        ints(&[80, 1, 0, 0, 0, 0, 81])
    );
    assert_eq!(
        r.row("requests.withheld.state_secret").unwrap(),
        ints(&[0; 7])
    );
    assert_eq!(
        r.row("requests.total").unwrap(),
        ints(&[80, 1, 0, 0, 0, 0, 81])
    );
}

#[test]
fn glued_reviews_split_by_r4_to_r6_or_refused() {
    let zeros = rows_with(&[]);
    let r = read_str(&glued(&zeros, "10000101100200000"), &Given::new()).unwrap();
    assert_eq!(r.row("reviews.review").unwrap(), ints(&[10, 0, 0, 0, 10]));
    assert_eq!(
        r.row("reviews.litigation_direct").unwrap(),
        ints(&[1, 1, 0, 0, 2])
    );
    assert_eq!(
        r.row("reviews.litigation_after_review").unwrap(),
        ints(&[0; 5])
    );
    assert_eq!(r.uncertain(), 15);
    // 1|10|0|0|11 or 11|0|0|0|11: both keep R4.
    let err = read_str(&glued(&zeros, "11000110000000000"), &Given::new()).unwrap_err();
    assert_eq!(
        err,
        "t.txt: nothing written: 1 problem(s):\n  t.txt:4: 行政复议 · 结果维持: the digits \"11000110000000000\" split 2 ways into the 15 cells of section 四 and R4–R6 do not decide; read the original and give it with --cell reviews.review.upheld=N"
    );
    let r = read_str(
        &glued(&zeros, "11000110000000000"),
        &given(&[("reviews.review.upheld", "11")]),
    )
    .unwrap();
    assert_eq!(r.row("reviews.review").unwrap(), ints(&[11, 0, 0, 0, 11]));
}

#[test]
fn odd_whitespace_and_garbage_never_panic() {
    let rows = fixture("rows_2022.txt");
    // A thin space between the cells reads the same.
    let r = read_str(
        &rows.replace(" 0 0 0 0 0 0 0", "\u{2009}0\u{2009}0 0 0 0 0 0"),
        &Given::new(),
    )
    .unwrap();
    assert_rows_2022(&r);
    for text in [
        "二、主动公开三、收到和处理四、行政复议",
        "一、总体情况二、主动公开政府信息情况三、收到和处理政府信息公开申请情况四、政府信息公开行政复议、行政诉讼情况",
        "\u{feff}\r\n二、主动公开政府信息情况\r\n三、收到和处理\r\n四、行政复议（（（（\r\n",
        "2024年政府信息公开工作年度报告\n二、主动公开 规章 1.2.3 ０．５\n三、收到和处理 ||| \t\t 1、 2、\n四、行政复议 99999999999999999999",
    ] {
        let _ = read_str(text, &Given::new());
    }
}

#[test]
fn mutated_reports_never_panic() {
    // Deterministic mutations (splitmix64): characters deleted, doubled,
    // replaced by digits, tabs, pipes, dots, brackets or line breaks.
    let mut state = 7u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let inserts = [
        '7', '0', '\t', '|', '.', '、', '（', '）', '\n', ' ', '\u{2009}', '年',
    ];
    for name in [
        "2024_weibin_zhongtongjie.txt",
        "2024_hongzequ.txt",
        "2025_shanghai_bgt.txt",
        "2023_shuyang_fagaiju.txt",
        "2023_pingtan.txt",
    ] {
        let original: Vec<char> = std::fs::read_to_string(reports_dir().join(name))
            .unwrap()
            .chars()
            .collect();
        for _ in 0..60 {
            let mut chars = original.clone();
            for _ in 0..(1 + next() % 8) {
                let at = (next() as usize) % chars.len();
                match next() % 3 {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, inserts[(next() as usize) % inserts.len()]),
                    _ => {
                        let c = chars[at];
                        chars.insert(at, c);
                    }
                }
            }
            let text: String = chars.into_iter().collect();
            let _ = read_str(&text, &Given::new());
        }
    }
}

#[test]
fn an_inconsistent_reading_in_an_inferred_order_is_refused_never_published() {
    let dir = tempfile::tempdir().unwrap();
    gongkai::generate::generate(
        dir.path(),
        &gongkai::generate::Options {
            agencies: 1,
            years: 1,
            last_year: 2024,
            seed: 3,
        },
    )
    .unwrap();
    let site = gongkai::load(dir.path()).site.unwrap();
    let mut report = site.reports[0].clone();
    let mut requests = report.requests.to_vec();
    let cell = &mut requests[0].cells[0];
    *cell = gongkai::model::Cell::new(
        Some(cell.number().checked_add(Number::from_int(1)).unwrap()),
        cell.span,
    )
    .unwrap();
    report.requests = requests.into();
    let text = render(&report, "示范区人民政府", Render::Columns);
    // One cell of 一 raised: in the order printed R2 breaks, and no other
    // order of the blocks keeps R1–R3. The order was inferred, so the
    // reading is in doubt: refused, never published as the agency's.
    let err = read_str(&text, &Given::new()).unwrap_err();
    assert!(err.contains("nothing written"), "{err}");
    assert!(
        err.contains("section 三: in the order printed (column by column) 一、本年新收政府信息公开申请数量 · 总计 is "),
        "{err}"
    );
    assert!(
        err.contains("(R2), and none of the ") && err.contains("keeps R1–R3: the order cannot be told; read the original and give the cells with --cell (e.g. --cell requests.new.total=N)"),
        "{err}"
    );
}

#[test]
fn prose_of_glued_and_web_texts_keeps_its_paragraphs() {
    let pingtan = read_real(
        "2023_pingtan.txt",
        &given(&[
            ("active.normative_documents.issued", "77"),
            ("active.normative_documents.repealed", "132"),
        ]),
    );
    assert!(
        pingtan
            .markdown
            .contains("。\n\n（二）依申请公开方面持续强化服务理念"),
        "{}",
        pingtan.markdown
    );
    let shuyang = read_real("2023_shuyang_fagaiju.txt", &Given::new());
    assert!(
        shuyang
            .markdown
            .ends_with("未发生收费情况。\n\n沭阳县发展和改革局\n\n2024年1月17日\n"),
        "{}",
        shuyang.markdown
    );
}

/// The `key: value` lines of a written report, spaces squeezed and label
/// comments cut: what the file says, whatever its alignment.
fn rows(yaml: &str) -> Vec<String> {
    yaml.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// X3's phrasings, each with the real sentence it came from: what each real
/// report's prose states is found, and agrees with its tables (no false
/// alarm); 洪泽区's 「区政府办代表区政府受理…17件」 is the office's own share
/// (the table says 95) and is passed over.
#[test]
fn x3_phrasings_from_the_real_reports_agree_with_their_tables() {
    use gongkai::model::{rules, stated};
    let pingtan_cells = given(&[
        ("active.normative_documents.issued", "77"),
        ("active.normative_documents.repealed", "132"),
    ]);
    type Case<'a> = (&'a str, &'a Given, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        ("2024_weibin_zhongtongjie.txt", &Given::new(), &[]),
        ("2024_hongzequ.txt", &Given::new(), &[]),
        (
            "2025_shanghai_bgt.txt",
            &Given::new(),
            &[
                ("共受理政府信息公开申请1295件", "1295"),
                ("办结1191件", "1191"),
                ("上年结转189件", "189"),
                ("予以公开及部分公开208件", "208"),
            ],
        ),
        (
            "2023_shuyang_fagaiju.txt",
            &Given::new(),
            &[("共收到依申请信息公开26件", "26")],
        ),
        (
            "2023_pingtan.txt",
            &pingtan_cells,
            &[
                ("制发的规范性文件77件", "77"),
                ("办结依申请公开81件", "81"),
                ("予以公开及部分公开42件", "42"),
                ("行政复议案件2件", "2"),
                ("行政诉讼案件7件", "7"),
            ],
        ),
    ];
    for (name, cells, expected) in cases {
        let r = read_real(name, cells);
        let report = r.to_report(PathBuf::from("x.yaml"));
        let found = stated::find(&r.markdown, r.year);
        let got: Vec<(String, String)> = found
            .iter()
            .map(|s| (s.phrase.clone(), s.value.to_string()))
            .collect();
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(p, v)| (p.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want, "{name}");
        for s in &found {
            let (value, cells) = rules::stated_value(&report, s).unwrap();
            assert_eq!(value, s.value, "{name}: {} against {cells}", s.phrase);
        }
    }
    // The sentence of 洪泽区 on its own: silent.
    assert!(
        stated::find(
            "2024 年，区政府办代表区政府受理政府\n信息公开申请 17 件，均已在法定期限内予以答复。",
            2024
        )
        .is_empty()
    );
}
