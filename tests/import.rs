//! `gongkai import`: every real report of `../shared/reports/` read back to
//! its published numbers (section 二 typed in below by hand, sections 三 and
//! 四 from the hand transcription `sections-3-4.json`), the detected format
//! and the prose headings; synthetic texts for each shape and each rule that
//! decides (or fails to decide) an ambiguous cell; round trips of generated
//! reports through every text shape; and the command line.

use std::path::{Path, PathBuf};

use gongkai::import::{self, Given, Imported};
use gongkai::model::Number;
use gongkai::model::layout::{Format, REVIEW_ROWS, RowDef, request_rows};

fn reports_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reports")
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

fn ints(values: &[i64]) -> Vec<Option<Number>> {
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
    assert_eq!(r.row("active.regulations").unwrap(), ints(&[0, 0, 0]));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[0, 0, 0])
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.fees").unwrap(), ints(&[0]));
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
    assert_eq!(r.row("active.regulations").unwrap(), ints(&[0, 0, 0]));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[3, 0, 8])
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[9487]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&[2776]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&[84]));
    assert_eq!(r.row("active.fees").unwrap(), ints(&[7545]));
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
    assert_eq!(r.row("active.regulations").unwrap(), ints(&[22, 22, 235]));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[34, 55, 189])
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.fees").unwrap(), ints(&[0]));
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
    assert_eq!(r.row("active.regulations").unwrap(), ints(&[0, 0, 0]));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[8, 0, 18])
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&[0]));
    assert_eq!(r.row("active.fees").unwrap(), ints(&[0]));
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
        yaml.contains("  new: [26, null, null, null, null, null, 26]"),
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
        "t.txt: nothing written: 1 problem(s):\n  t.txt:10: 行政规范性文件 · 本年制发件数: the digits \"77132470\" split 21 ways into 本年制发件数, 本年废止件数, 现行有效件数 and no rule decides (7 | 7 | 132470, or 7 | 71 | 32470 or …); read the original and give it with --cell active.normative_documents.issued=N"
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
    assert_eq!(r.row("active.regulations").unwrap(), ints(&[0, 0, 0]));
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[77, 132, 470])
    );
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[2629]));
    assert_eq!(r.row("active.punishment").unwrap(), ints(&[1330]));
    assert_eq!(r.row("active.coercion").unwrap(), ints(&[54]));
    assert_eq!(r.row("active.fees").unwrap(), cells(&[Some("5949.088667")]));
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
