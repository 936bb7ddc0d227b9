//! `gongkai import` reading by the rules (issue 15): an order the importer
//! inferred (column by column) is put right by R4–R6 or refused, never
//! published as the agency's inconsistency; the prose's figures and last
//! year's report (X2) decide between readings; sections are found by their
//! title words whatever their numbering; a 2019-format web copy with empty
//! cells imports with blanks as null.

use std::path::{Path, PathBuf};

use gongkai::import::{self, Context, Given, Imported};
use gongkai::model::Number;

use crate::import::{fixture, gongkai, ints};

fn read(text: &str) -> Result<Imported, String> {
    import::read_text(text, Path::new("t.txt"), None, &Given::new()).map_err(|e| e.to_string())
}

/// 洪泽区's text (pdftotext, column by column) with its table 四 replaced
/// by `table` (the lines after the section's heading and column headings).
fn hongzequ_with_reviews(table: &str, overview: &str) -> String {
    let text = fixture("reports/2024_hongzequ.txt");
    let start = text.find("四、政府信息公开行政复议").unwrap();
    let end = text.find("五、存在的主要问题").unwrap();
    let head = "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n\n行政诉讼\n";
    let mut out = format!("{}{head}{table}{}", &text[..start], &text[end..]);
    if !overview.is_empty() {
        out = out.replacen(
            "（一）主动公开情况。",
            &format!("{overview}（一）主动公开情况。"),
            1,
        );
    }
    out
}

/// 72 64 178 | 1 6 5 13 2 | 37 351 1 | 0 1 0 3: in the order printed
/// 行政复议 is 72 + 64 + 178 + 1 ≠ 6 (R4); only one order of the four
/// blocks keeps R4–R6.
const OUT_OF_ORDER: &str = "72\n\n64\n\n178\n\n未经复议直接起诉\n\n1\n\n6\n\n5\n\n13\n\n2\n\n结果\n\n37\n\n351\n\n1\n\n复议后起诉\n\n0\n\n1\n\n0\n\n3\n\n";

#[test]
fn a_column_by_column_table_out_of_order_is_put_right_by_r4_to_r6() {
    let r = read(&hongzequ_with_reviews(OUT_OF_ORDER, "")).unwrap();
    assert_eq!(
        r.row("reviews.review").unwrap(),
        ints(&[72, 64, 178, 37, 351])
    );
    assert_eq!(
        r.row("reviews.litigation_direct").unwrap(),
        ints(&[1, 1, 6, 5, 13])
    );
    assert_eq!(
        r.row("reviews.litigation_after_review").unwrap(),
        ints(&[2, 0, 1, 0, 3])
    );
    assert!(!r.as_published(), "{:?}", r.broken);
    assert!(r.broken.is_empty());
    // The cells moved are listed as uncertain, with the rule that placed them.
    assert!(
        r.notes.iter().any(|n| n.ends_with(
            ": 行政复议: printed out of order (column by column); placed where R4–R6 hold: read as 72 | 64 | 178 | 37 | 351"
        )),
        "{:#?}",
        r.notes
    );
    // 37 351 1 and 1 6 5 13 2 trade places: eight cells moved.
    assert_eq!(r.uncertain(), 8);
    assert!(!r.yaml("t.txt").contains("as_published: true"));
}

#[test]
fn a_column_by_column_table_no_order_keeps_is_refused_naming_the_cell() {
    let table = OUT_OF_ORDER.replace("\n351\n", "\n350\n");
    let err = read(&hongzequ_with_reviews(&table, "")).unwrap_err();
    assert!(err.contains("nothing written"), "{err}");
    assert!(
        err.contains(
            "section 四: in the order printed (column by column) 行政复议 · 总计 is 6, but 72 + 64 + 178 + 1 = 315 (R4), and none of the 24 orders of its 4 blocks of figures keeps R4–R6: the order cannot be told; read the original and give the cells with --cell (e.g. --cell reviews.review.total=N)"
        ),
        "{err}"
    );
}

/// Three blocks: 行政复议's four results, both 行政诉讼 groups, 351 (its
/// 总计, printed last). R4–R6 keep two orders (the groups can trade
/// places); the prose's 「行政复议351件，其中结果维持72件…」 keeps one.
const GROUPS_APART: &str = "72\n\n64\n\n178\n\n37\n\n行政诉讼\n\n1\n\n1\n\n6\n\n5\n\n13\n\n2\n\n0\n\n1\n\n0\n\n3\n\n总计\n\n351\n\n";

#[test]
fn orders_the_rules_leave_open_are_refused_and_the_prose_decides() {
    let err = read(&hongzequ_with_reviews(GROUPS_APART, "")).unwrap_err();
    assert!(
        err.contains(
            "section 四: the figures are printed out of order (column by column), and 2 orders keep R4–R6; they differ at 行政复议 · 结果维持 (72 or 1): read the original and give it with --cell reviews.review.upheld=N"
        ),
        "{err}"
    );
    let prose = "因政府信息公开引起的行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件。\n";
    let r = read(&hongzequ_with_reviews(GROUPS_APART, prose)).unwrap();
    assert_eq!(
        r.row("reviews.review").unwrap(),
        ints(&[72, 64, 178, 37, 351])
    );
    assert_eq!(
        r.row("reviews.litigation_direct").unwrap(),
        ints(&[1, 1, 6, 5, 13])
    );
    assert!(!r.as_published());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("placed where R4–R6 and the prose's 「行政复议351件」 hold")),
        "{:#?}",
        r.notes
    );
    // The clerk's cell decides too (and is listed).
    let given: Given = [("reviews.review.upheld".to_string(), Number::from_int(72))].into();
    let r = import::read_text(
        &hongzequ_with_reviews(GROUPS_APART, ""),
        Path::new("t.txt"),
        None,
        &given,
    )
    .unwrap();
    assert_eq!(
        r.row("reviews.review").unwrap(),
        ints(&[72, 64, 178, 37, 351])
    );
}

/// Last year's report as the site holds it: 示范区测试局 2022 (rows shape):
/// 行政规范性文件 现行有效 9, 结转下年度 1.
fn last_year() -> gongkai::model::Report {
    read(&fixture("rows_2022.txt"))
        .unwrap()
        .to_report(PathBuf::from("content/x/2022.yaml"))
}

/// A 2023 crawler text whose cells are glued; 行政规范性文件 prints
/// "4211" (制发, 废止, 现行有效): 4|2|11, 4|21|1 or 42|1|1.
pub(crate) fn glued_2023() -> String {
    let mut t = String::from(
        "标题: 示范区测试局2023年政府信息公开工作年度报告\n==================== 正文 ====================\n本报告根据条例编制。 一、总体情况 2023年，本局依法公开。 二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件4211第二十条第（五）项信息内容本年处理决定数量行政许可5第二十条第（六）项信息内容本年处理决定数量行政处罚0行政强制0第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
    );
    let defs = gongkai::model::layout::request_rows(false);
    let mut group = None;
    for def in defs {
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
        let one = [
            "requests.carried_over",
            "requests.granted",
            "requests.total",
        ];
        t.push_str(if one.contains(&def.key) {
            "1000001"
        } else {
            "0000000"
        });
    }
    t.push_str("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计000000000000000五、存在的主要问题及改进情况公开深度不够。六、其他需要报告的事项无。\n");
    t
}

#[test]
fn glued_digits_are_settled_by_x2_against_last_years_report() {
    // Alone, the digits split three ways and nothing decides.
    let err = read(&glued_2023()).unwrap_err();
    assert!(
        err.contains("行政规范性文件 · 本年制发件数: the digits \"4211\" split 3 ways"),
        "{err}"
    );
    // With 2022's 现行有效 9: 9 + 4 − 2 = 11 leaves 4 | 2 | 11.
    let prev = last_year();
    let cx = Context {
        previous: Some(&prev),
    };
    let r =
        import::read_text_in(&glued_2023(), Path::new("t.txt"), None, &Given::new(), &cx).unwrap();
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[4, 2, 11])
    );
    assert!(
        r.notes.iter().any(|n| n.ends_with(
            "行政规范性文件: \"4211\" split 3 ways; X2 against the 2022 report leaves one: read as 4 | 2 | 11"
        )),
        "{:#?}",
        r.notes
    );
}

/// A folder of one agency's reports is imported in year order (not file
/// name order), so the 2023 text's glued digits are settled by the 2022
/// report imported just before it; a dry run does the same without writing.
#[test]
fn a_folder_goes_in_year_order_and_each_year_uses_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let (code, _, err) = gongkai(dir.path(), &["init", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    // "a" sorts first, but is the later year.
    std::fs::write(texts.join("a.txt"), glued_2023()).unwrap();
    std::fs::write(texts.join("b.txt"), fixture("rows_2022.txt")).unwrap();
    let (code, out, err) = gongkai(
        &site,
        &[
            "import",
            texts.to_str().unwrap(),
            "--agency",
            "ceshi",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!site.join("content/ceshi").exists());
    let (code, out, err) = gongkai(
        &site,
        &["import", texts.to_str().unwrap(), "--agency", "ceshi"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let b = out.find("b.txt: format").unwrap();
    let a = out.find("a.txt: format").unwrap();
    assert!(b < a, "{out}");
    assert!(out.contains("imported 2 of 2 file(s)"), "{out}");
    assert!(
        err.contains("X2 against the 2022 report leaves one"),
        "{err}"
    );
    let yaml = std::fs::read_to_string(site.join("content/ceshi/2023.yaml")).unwrap();
    assert!(
        yaml.lines().any(|l| l.trim_start().starts_with("normative_documents:")
            && l.contains("[4, 2, 11]")),
        "{yaml}"
    );
    let (code, _, err) = gongkai(&site, &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sections_are_found_by_their_title_words_whatever_their_numbering() {
    // A commission's numbering (一、主动公开…, 二、收到和处理…) and
    // `## 表二：` headings, with no 总体情况.
    let text = fixture("rows_2022.txt")
        .replace(
            "一 、总 体 情 况\n（一）主动公开\n2022 年，本局主动公开\n信息 12 条。\n",
            "",
        )
        .replace("二、主动公开政府信息情况", "## 表二：主动公开政府信息情况")
        .replace(
            "三 、收 到 和 处 理 政 府 信 息 公 开 申 请 情 况",
            "二、收到和处理政府信息公开申请情况",
        )
        .replace(
            "四、政府信息公开行政复议、行政诉讼情况",
            "三、政府信息公开行政复议、行政诉讼情况",
        )
        .replace(
            "五、存在的主要问题及改进情况",
            "四、存在的主要问题及改进情况",
        )
        .replace("六、其他需要报告的事项", "五、其他需要报告的事项");
    let r = read(&text).unwrap();
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[2, 1, 9])
    );
    assert_eq!(r.row("reviews.review").unwrap(), ints(&[1, 0, 0, 0, 1]));
    let h: Vec<&str> = r
        .markdown
        .lines()
        .filter(|l| l.starts_with("## "))
        .collect();
    assert_eq!(
        h,
        [
            "## 五、存在的主要问题及改进情况",
            "## 六、其他需要报告的事项"
        ]
    );
    // A section truly missing: which title was looked for, and what the
    // text has instead.
    let text = fixture("rows_2022.txt").replace(
        "三 、收 到 和 处 理 政 府 信 息 公 开 申 请 情 况",
        "三、依法申请情况",
    );
    let err = read(&text).unwrap_err();
    assert!(
        err.contains(
            "section 三、收到和处理政府信息公开申请情况 is not found (a heading with the words 收到和处理政府信息公开申请情况, whatever its numbering); the headings the text has are: 一、总体情况 / 二、主动公开政府信息情况 / 三、依法申请情况 / 三、本年度办理结果 / 四、政府信息公开行政复议、行政诉讼情况 / 五、存在的主要问题及改进情况 / 六、其他需要报告的事项"
        ),
        "{err}"
    );
}

#[test]
fn a_2019_format_web_copy_imports_with_blanks_as_null() {
    let r = read(&fixture("web_2019.txt")).unwrap();
    assert_eq!(r.year, 2019);
    assert_eq!(r.tables.format, gongkai::model::Format::F2019);
    assert_eq!(r.tables.shape, import::Shape::Tabs);
    assert_eq!(
        r.row("active.normative_documents").unwrap(),
        ints(&[5, 5, 21])
    );
    assert_eq!(
        r.row("active.licensing").unwrap(),
        vec![
            Some(Number::from_int(12)),
            None,
            Some(Number::from_int(340))
        ]
    );
    assert_eq!(
        r.row("active.fees").unwrap(),
        vec![Some(Number::from_int(1)), None]
    );
    assert_eq!(
        r.row("active.procurement").unwrap(),
        vec![
            Some(Number::from_int(4)),
            Some(Number::parse("36.25").unwrap())
        ]
    );
    assert_eq!(
        r.row("requests.new").unwrap(),
        vec![
            Some(Number::from_int(9)),
            None,
            None,
            None,
            None,
            None,
            Some(Number::from_int(9))
        ]
    );
    assert!(!r.as_published());
    let yaml = r.yaml("web_2019.txt");
    assert!(yaml.contains("format: 2019"), "{yaml}");
    assert!(yaml.contains("[12, null, 340]"), "{yaml}");
    assert!(yaml.contains("[4, 36.25]"), "{yaml}");
    // The prose states 「共收到政府信息公开申请9件」: the table's 9.
    assert!(r.notes.iter().all(|n| !n.contains("X3")), "{:#?}", r.notes);
}

/// Glued cells whose only split breaks a rule across rows: the split was
/// the importer's, so the reading is in doubt: refused, not published.
#[test]
fn glued_cells_whose_reading_breaks_the_rules_are_refused_not_published() {
    let text = glued_2023().replace("（一）予以公开1000001", "（一）予以公开0000000");
    let given: Given = [
        (
            "active.normative_documents.issued".to_string(),
            Number::from_int(4),
        ),
        (
            "active.normative_documents.repealed".to_string(),
            Number::from_int(2),
        ),
    ]
    .into();
    let err = import::read_text(&text, Path::new("t.txt"), None, &given);
    // With cells given the clerk has read the original: kept as published.
    let r = err.unwrap();
    assert!(r.as_published());
    let err = import::read_text(
        &text.replace("行政规范性文件4211", "行政规范性文件102"),
        Path::new("t.txt"),
        None,
        &Given::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("t.txt:3: the cells are glued together, and the reading the rules allowed row by row breaks 三（七）总计 · 自然人 is 1, but the sum of rows （一）…（六） is 0 (R3); 三（七）总计 · 总计 is 1, but the sum of rows （一）…（六） is 0 (R3): the reading is in doubt, not the original; read the original and give the cells named with --cell"),
        "{err}"
    );
    assert!(
        err.contains("the reading is in doubt, not the original"),
        "{err}"
    );
}

/// The 2019 format ties 上一年项目数量 to last year's 上一年项目数量 + 本年增/减:
/// a glued 2020 row 「12050」 (上一年项目数量, 本年增/减, 处理决定数量) splits
/// 1|20|50, 12|0|50, 120|5|0 or 1|205|0; the 2019 web copy (行政许可 12, a
/// blank 本年增/减) keeps 12|0|50.
#[test]
fn a_2019_format_row_is_settled_by_last_years_items() {
    let mut t = String::from(
        "标题: 沭阳县示范局2020年政府信息公开工作年度报告\n==================== 正文 ====================\n本报告根据条例编制。 一、总体情况 2020年，本局依法公开。 二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件000第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可12050其他对外管理服务事项000第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚000行政强制000第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购00三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他",
    );
    let defs = gongkai::model::layout::request_rows(true);
    let mut group = None;
    for def in defs {
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
        t.push_str("0000000");
    }
    t.push_str("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计000000000000000五、存在的主要问题及改进情况无。六、其他需要报告的事项无。\n");
    let err = read(&t).unwrap_err();
    assert!(
        err.contains("行政许可 · 上一年项目数量: the digits \"12050\""),
        "{err}"
    );
    let prev = read(&fixture("web_2019.txt"))
        .unwrap()
        .to_report(PathBuf::from("content/x/2019.yaml"));
    let cx = Context {
        previous: Some(&prev),
    };
    let r = import::read_text_in(&t, Path::new("t.txt"), None, &Given::new(), &cx).unwrap();
    assert_eq!(r.tables.format, gongkai::model::Format::F2019);
    assert_eq!(r.row("active.licensing").unwrap(), ints(&[12, 0, 50]));
    assert!(
        r.notes.iter().any(|n| n.contains(
            "\"12050\" split 4 ways; the 2019 report's 上一年项目数量 + 本年增/减 leaves one"
        )),
        "{:#?}",
        r.notes
    );
}
