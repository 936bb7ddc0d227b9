//! `import` of REAL published report pages, kept whole (or, for portals
//! whose page is mostly menus, trimmed to its head and article) in
//! tests/fixtures/import/pages/ as the archives hold them (sources in the
//! README beside them). Every cell of 二、三、四 is asserted: 三 and 四
//! against the hand transcription in reports/sections-3-4.json where the
//! report is in it, 二 (and the 2019 page's cells) against the values
//! read off the page by hand, written out here; then the site must pass
//! `check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gongkai::import::{self, Given, Imported};
use gongkai::model::Number;
use gongkai::model::layout::{Format, REVIEW_ROWS, request_rows};

use crate::import::{gongkai, new_site};

fn page(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import/pages")
        .join(name)
}

fn read(path: &Path) -> Imported {
    let source = import::read_source(path).unwrap_or_else(|e| panic!("{e}"));
    import::read_text(&source.text, path, None, &Given::new()).unwrap_or_else(|e| panic!("{e}"))
}

fn n(v: i64) -> Option<Number> {
    Some(Number::parse(&v.to_string()).unwrap())
}

fn cells(v: &[i64]) -> Vec<Option<Number>> {
    v.iter().map(|&x| n(x)).collect()
}

/// 三 and 四 of `report` as sections-3-4.json transcribes them: row key →
/// cells (`null` = printed blank).
fn transcribed(report: &str) -> BTreeMap<String, Vec<Option<Number>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import/reports/sections-3-4.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = json["reports"][report]["rows"].as_object().unwrap();
    rows.iter()
        .map(|(key, cells)| {
            let cells = cells
                .as_array()
                .unwrap()
                .iter()
                .map(|c| match c {
                    serde_json::Value::Null => None,
                    v => Some(Number::parse(&v.to_string()).unwrap()),
                })
                .collect();
            (key.clone(), cells)
        })
        .collect()
}

/// Every row of 三 and 四 the importer gives equals the transcription, and
/// the transcription has every row: the number of cells compared.
fn assert_sections_3_4(r: &Imported, expected: &BTreeMap<String, Vec<Option<Number>>>) -> usize {
    let keys: Vec<&str> = request_rows(r.tables.single_other)
        .iter()
        .chain(REVIEW_ROWS)
        .map(|d| d.key)
        .collect();
    assert_eq!(keys.len(), expected.len());
    let mut compared = 0;
    for key in keys {
        let want = expected
            .get(key)
            .unwrap_or_else(|| panic!("{key} not transcribed"));
        assert_eq!(&r.row(key).unwrap(), want, "{key}");
        compared += want.len();
    }
    compared
}

/// `gongkai import PAGE --agency AGENCY` into a new site: the site's
/// root (with its temp folder) and what the command printed.
fn import_page(name: &str, agency: &str) -> (tempfile::TempDir, PathBuf, String, String) {
    let (dir, root) = new_site();
    let file = page(name);
    let (code, out, err) = gongkai(
        &root,
        &["import", file.to_str().unwrap(), "--agency", agency],
    );
    assert_eq!(code, 0, "{out}{err}");
    (dir, root, out, err)
}

/// `check` of the site passes with the summary line `summary`.
fn assert_checks(root: &Path, summary: &str) {
    let (code, out, err) = gongkai(root, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(format!("{out}{err}").contains(summary), "{out}{err}");
}

/// The page as read_file returned it, character for character: an editor
/// that changed a line ending or a tab would show here.
#[test]
fn real_pages_are_kept_exactly_as_archived() {
    let shuyang = std::fs::read_to_string(page("2023_shuyang_fagaiju.html")).unwrap();
    assert_eq!(shuyang.chars().count(), 95630);
    assert_eq!(shuyang.matches('\t').count(), 49);
    assert!(shuyang.ends_with("</article>\n</body>\n</html>\n"));
    // 平潭's page: its first 1,890 characters (through `<body>`), its
    // article element (171,760), the closing tags (18).
    let pingtan = std::fs::read_to_string(page("2019_pingtan.html")).unwrap();
    assert_eq!(pingtan.chars().count(), 1890 + 171_760 + 18);
    assert!(pingtan.ends_with("</div>\n  </body>\n</html>"));
}

/// 沭阳县发展和改革局's 2023 report (2021 format) as the county portal
/// publishes it: an info table (索引号, 公开日期) above the article, the
/// title in an <h1> outside it, the opening paragraph naming the report in
/// passing, Word's `<o:p> </o:p>` in the blank cells.
#[test]
fn shuyang_fagaiju_2023_page_every_cell() {
    let r = read(&page("2023_shuyang_fagaiju.html"));
    assert_eq!(r.tables.format, Format::F2021);
    assert_eq!(r.name, "沭阳县发展和改革局");
    assert_eq!(r.year, 2023);
    assert_eq!(r.published.unwrap().to_string(), "2024-01-17");
    assert_eq!(r.index_number.as_deref(), Some("014314799/2024-00002"));
    // 二, read off the page.
    let active = [
        ("active.regulations", cells(&[0, 0, 0])),
        ("active.normative_documents", cells(&[8, 0, 18])),
        ("active.licensing", cells(&[0])),
        ("active.punishment", cells(&[0])),
        ("active.coercion", cells(&[0])),
        ("active.fees", cells(&[0])),
    ];
    for (key, want) in &active {
        assert_eq!(&r.row(key).unwrap(), want, "{key}");
    }
    let compared = assert_sections_3_4(&r, &transcribed("2023_shuyang_fagaiju.txt"));
    assert_eq!(compared, 25 * 7 + 15);
    assert_eq!(r.cells_read(), 200);
    assert_eq!(r.uncertain(), 0);
    // The five 法人或其他组织 columns are printed empty in all 25 rows.
    assert_eq!(r.blanks(), 125);
    assert!(r.broken.is_empty(), "{:?}", r.broken);
    assert!(!r.as_published());
    // The prose: the opening paragraph, the sections, the signature; no
    // portal menu.
    assert!(r.markdown.starts_with(
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，现向社会公布沭阳县发展和改革局2023年度政府信息公开年度报告。"
    ), "{}", r.markdown);
    assert!(r.markdown.contains(
        "## 六、其他需要报告的事项\n\n2023年度，县发展和改革局政府信息公开未发生收费情况。"
    ));
    assert!(!r.markdown.contains("智能问答") && !r.markdown.contains("繁體版"));
}

#[test]
fn cli_imports_the_shuyang_page_into_a_site_that_checks() {
    let (_dir, root, out, err) = import_page("2023_shuyang_fagaiju.html", "fagaiju");
    assert!(
        out.contains("2023_shuyang_fagaiju.html: format 2021 (web page tables, cells placed by their labels); 200 cells read, 0 uncertain, 125 blank, 0 rule(s) broken\n"),
        "{out}"
    );
    assert!(
        err.contains("the title is taken from a heading outside the article: 沭阳县发展和改革局2023年政府信息公开年度报告"),
        "{err}"
    );
    let agency = std::fs::read_to_string(root.join("content/fagaiju/agency.yaml")).unwrap();
    assert!(agency.starts_with("name: 沭阳县发展和改革局\n"), "{agency}");
    let yaml = std::fs::read_to_string(root.join("content/fagaiju/2023.yaml")).unwrap();
    assert!(yaml.contains("published: 2024-01-17"), "{yaml}");
    assert!(
        yaml.contains("index_number: \"014314799/2024-00002\""),
        "{yaml}"
    );
    assert_checks(
        &root,
        "checked 2 report(s) of 2 agencies: 0 error(s), 1 warning(s)",
    );
}

/// 平潭综合实验区's 2019 report (2019 format) as the portal's archive keeps
/// it, trimmed to its head and article (README beside the fixture): the
/// title over two centred lines (taken from the page's ArticleTitle), 三's
/// 本年度办理结果 printed twice (its rowspan split over two parts), a
/// single （六）其他处理 row, `&nbsp;` around figures, and 采购总金额
/// printed in 元. Every cell as read off the page (the crawler's text
/// beside it, page.txt, agrees).
#[test]
fn pingtan_2019_page_every_cell() {
    let r = read(&page("2019_pingtan.html"));
    assert_eq!(r.tables.format, Format::F2019);
    assert_eq!(r.name, "平潭综合实验区");
    assert_eq!(r.year, 2019);
    assert_eq!(r.published.unwrap().to_string(), "2020-01-20");
    // The page states no 索引号.
    assert_eq!(r.index_number, None);
    let amount = Some(Number::parse("7539.443252").unwrap());
    let active = [
        ("active.regulations", cells(&[0, 0, 0])),
        ("active.normative_documents", cells(&[89, 89, 89])),
        ("active.licensing", cells(&[396, 0, 181])),
        ("active.other_services", cells(&[10, 0, 153])),
        ("active.punishment", cells(&[2648, 0, 430])),
        ("active.coercion", cells(&[126, 0, 25])),
        ("active.fees", cells(&[35, 0])),
        // 75394432.52元 in 万元: the decimal point moved four places.
        ("active.procurement", vec![n(135), amount]),
    ];
    let mut compared = 0;
    for (key, want) in &active {
        assert_eq!(&r.row(key).unwrap(), want, "{key}");
        compared += want.len();
    }
    assert!(r.tables.single_other);
    let p = |v: i64| cells(&[v, 0, 0, 0, 0, 0, v]);
    let requests = [
        ("requests.new", p(23)),
        ("requests.carried_over", p(0)),
        ("requests.granted", p(7)),
        ("requests.partially_granted", p(1)),
        ("requests.withheld.state_secret", p(0)),
        ("requests.withheld.prohibited_by_law", p(0)),
        ("requests.withheld.security_stability", p(0)),
        ("requests.withheld.third_party_rights", p(0)),
        ("requests.withheld.internal_affairs", p(0)),
        ("requests.withheld.process_information", p(0)),
        ("requests.withheld.enforcement_files", p(0)),
        ("requests.withheld.administrative_query", p(0)),
        ("requests.unavailable.not_held", p(7)),
        ("requests.unavailable.needs_creation", p(0)),
        ("requests.unavailable.unclear", p(5)),
        ("requests.not_processed.complaint", p(0)),
        ("requests.not_processed.duplicate", p(3)),
        ("requests.not_processed.publication", p(0)),
        ("requests.not_processed.excessive", p(0)),
        ("requests.not_processed.confirmation", p(0)),
        ("requests.other", p(0)),
        ("requests.total", p(23)),
        ("requests.carried_forward", p(0)),
    ];
    let keys: Vec<&str> = request_rows(true).iter().map(|d| d.key).collect();
    assert_eq!(keys, requests.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    for (key, want) in &requests {
        assert_eq!(&r.row(key).unwrap(), want, "{key}");
        compared += want.len();
    }
    for def in REVIEW_ROWS {
        assert_eq!(r.row(def.key).unwrap(), cells(&[0; 5]), "{}", def.key);
        compared += 5;
    }
    assert_eq!(compared, 22 + 23 * 7 + 15);
    assert_eq!(r.cells_read(), 198);
    assert_eq!((r.uncertain(), r.blanks()), (0, 0));
    assert!(r.broken.is_empty(), "{:?}", r.broken);
    assert!(
        r.markdown
            .contains("## 六、其他需要报告的事项\n\n无其他需要报告的事项"),
        "{}",
        r.markdown
    );
    assert!(!r.markdown.contains("省市政府网站") && !r.markdown.contains("扫一扫"));
}

#[test]
fn cli_imports_the_2019_pingtan_page_into_a_site_that_checks() {
    let (_dir, root, out, err) = import_page("2019_pingtan.html", "pingtan");
    assert!(
        out.contains("2019_pingtan.html: format 2019 (web page tables, cells placed by their labels); 198 cells read, 0 uncertain, 0 blank, 0 rule(s) broken\n"),
        "{out}"
    );
    assert!(
        err.contains("table 二: 政府集中采购 · 采购总金额（万元） printed in 元 (75394432.52元): written as 7539.443252 万元, the decimal point moved four places"),
        "{err}"
    );
    let yaml = std::fs::read_to_string(root.join("content/pingtan/2019.yaml")).unwrap();
    assert!(yaml.contains("published: 2020-01-20"), "{yaml}");
    assert!(yaml.contains("[135, 7539.443252]"), "{yaml}");
    assert_checks(
        &root,
        "checked 2 report(s) of 2 agencies: 0 error(s), 0 warning(s)",
    );
}
