//! `gongkai import FOLDER` without `--agency`: a district's reports of
//! three agencies over three years in one folder (sub-folders too; text,
//! PDF, a web page, a Word file). Each
//! file's agency comes from its title — an existing agency matched by its
//! short name, new ones with pinyin slugs after the district's name, one
//! numbered on a clash —, each agency's files go in year order (2023's
//! glued digits decided by the 2022 report imported just before), a file
//! that is not a report is refused without stopping the others, the
//! summary table is exact, `--dry-run` prints the plan and writes nothing,
//! and `check` passes on the result.

use std::path::Path;

use crate::import::{Render, fixture, gongkai, new_site, pdf_of, render, rows_2021};
use crate::import_formats::{docx, html_page, pingtan_2023, web_2019};
use crate::import_rules::glued_2023;

/// A site with two agencies before the import: 教育 (whose short name is
/// what the reports' titles call it) and a `ceshiju` that is another
/// agency, so that 示范区测试局's slug clashes.
fn site() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = new_site();
    for (slug, yaml) in [
        (
            "jiaoyu",
            "name: 某市示范区教育局\nshort_name: 示范区教育局\ncategory: department\n",
        ),
        ("ceshiju", "name: 某县测试局\ncategory: department\n"),
    ] {
        std::fs::create_dir_all(root.join("content").join(slug)).unwrap();
        std::fs::write(root.join("content").join(slug).join("agency.yaml"), yaml).unwrap();
    }
    (dir, root)
}

/// The district's folder: 示范区测试局 2021–2023 (the 2021 one as a PDF
/// when `pdf`), 示范区教育局 and 示范区卫生健康委员会 2021–2023 rendered
/// from generated reports, and a page of meeting minutes.
fn folder(dir: &Path, pdf: bool) -> std::path::PathBuf {
    let reports = dir.join("reports");
    std::fs::create_dir_all(reports.join("ceshi/old")).unwrap();
    std::fs::create_dir_all(reports.join("others")).unwrap();
    // "a" sorts first but is the latest year: the order is the years'.
    std::fs::write(reports.join("ceshi/a.txt"), glued_2023()).unwrap();
    std::fs::write(reports.join("ceshi/b.txt"), fixture("rows_2022.txt")).unwrap();
    if pdf {
        std::fs::write(reports.join("ceshi/old/c.pdf"), pdf_of(&rows_2021())).unwrap();
    } else {
        std::fs::write(reports.join("ceshi/old/c.txt"), rows_2021()).unwrap();
    }
    let generated = dir.join("generated");
    gongkai::generate::generate(
        &generated,
        &gongkai::generate::Options {
            agencies: 2,
            years: 3,
            last_year: 2023,
            seed: 7,
        },
    )
    .unwrap();
    let site = gongkai::load(&generated).site.unwrap();
    let slugs: Vec<&String> = site.agencies.keys().collect();
    for report in &site.reports {
        let (name, short) = if report.agency == *slugs[0] {
            ("示范区教育局", "jy")
        } else {
            ("示范区卫生健康委员会", "wjw")
        };
        std::fs::write(
            reports
                .join("others")
                .join(format!("{short}-{}.txt", report.year)),
            render(report, name, Render::Rows),
        )
        .unwrap();
    }
    std::fs::remove_dir_all(&generated).unwrap();
    // A page saved from a portal and a Word file: two more agencies.
    std::fs::write(
        reports.join("others/pingtan-2023.html"),
        html_page(&pingtan_2023(), "utf-8", true),
    )
    .unwrap();
    std::fs::write(reports.join("others/shuyang-2019.docx"), docx(&web_2019())).unwrap();
    // An old binary Word file: refused by name, with what to do.
    std::fs::write(reports.join("others/old.doc"), b"\xd0\xcf\x11\xe0").unwrap();
    std::fs::write(
        reports.join("others/minutes.txt"),
        "示范区测试局会议纪要\n\n一、会议议题\n研究部署政务公开工作。\n",
    )
    .unwrap();
    std::fs::write(reports.join("readme.md"), "not a report").unwrap();
    reports
}

const PLAN: &str = "plan (13 file(s); dry run: nothing is written):
  ceshi/old/c.txt → 示范区测试局 2021: new agency content/ceshiju-2
  ceshi/b.txt → 示范区测试局 2022: new agency content/ceshiju-2
  ceshi/a.txt → 示范区测试局 2023: new agency content/ceshiju-2
  others/jy-2021.txt → 示范区教育局 2021: agency (by its short name) content/jiaoyu
  others/jy-2022.txt → 示范区教育局 2022: agency (by its short name) content/jiaoyu
  others/jy-2023.txt → 示范区教育局 2023: agency (by its short name) content/jiaoyu
  others/pingtan-2023.html → 平潭综合实验区 2023: new agency content/pingtanzongheshiyanqu
  others/shuyang-2019.docx → 沭阳县示范局 2019: new agency content/shifanju
  others/wjw-2021.txt → 示范区卫生健康委员会 2021: new agency content/weishengjiankangweiyuanhui
  others/wjw-2022.txt → 示范区卫生健康委员会 2022: new agency content/weishengjiankangweiyuanhui
  others/wjw-2023.txt → 示范区卫生健康委员会 2023: new agency content/weishengjiankangweiyuanhui
  others/minutes.txt → refused: section 二、主动公开政府信息情况 is not found (a heading with the words 主动公开政府信息情况, whatever its numbering); the…
  others/old.doc → refused: an old binary Word file (.doc) cannot be read: save it as .docx first (Word or WPS: 另存为 → .docx), or…
";

#[test]
fn a_district_folder_is_imported_agency_by_agency_in_year_order() {
    let (dir, root) = site();
    let reports = folder(dir.path(), false);
    let folder = reports.to_str().unwrap();

    let (code, out, err) = gongkai(&root, &["import", folder, "--dry-run"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.starts_with(PLAN), "{out}");
    assert!(!root.join("content/ceshiju-2").exists());
    assert!(!root.join("content/weishengjiankangweiyuanhui").exists());
    assert!(!root.join("content/jiaoyu/2021.yaml").exists());

    assert!(
        out.ends_with(&table(
            "would be written (dry run)",
            "dry run: would import"
        )),
        "{out}"
    );

    let (code, out, err) = gongkai(&root, &["import", folder]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(out, table("written", "imported"));
    // 13 files, but stderr is no terminal here: no progress bar drawn.
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err}");
    // The refusal, whole, with its file.
    assert!(
        err.contains(&format!(
            "error: {}: section 二、主动公开政府信息情况 is not found",
            reports.join("others/minutes.txt").display()
        )),
        "{err}"
    );
    // 2023's glued 「4211」 was decided by the 2022 report written before it.
    assert!(
        err.contains("X2 against the 2022 report leaves one: read as 4 | 2 | 11"),
        "{err}"
    );
    let yaml = std::fs::read_to_string(root.join("content/ceshiju-2/2023.yaml")).unwrap();
    assert!(
        yaml.lines().any(|l| l.trim_start().starts_with("normative_documents:")
            && l.contains("[4, 2, 11]")),
        "{yaml}"
    );
    // New agencies with their names and categories; the matched one kept.
    let agency = |slug: &str| {
        std::fs::read_to_string(root.join("content").join(slug).join("agency.yaml")).unwrap()
    };
    assert!(agency("ceshiju-2").starts_with("name: 示范区测试局\ncategory: department\n"));
    assert!(
        agency("weishengjiankangweiyuanhui")
            .starts_with("name: 示范区卫生健康委员会\ncategory: department\n")
    );
    assert_eq!(
        agency("jiaoyu"),
        "name: 某市示范区教育局\nshort_name: 示范区教育局\ncategory: department\n"
    );
    assert_eq!(
        agency("ceshiju"),
        "name: 某县测试局\ncategory: department\n"
    );
    assert!(
        agency("pingtanzongheshiyanqu").starts_with("name: 平潭综合实验区\ncategory: government\n")
    );
    assert!(agency("shifanju").starts_with("name: 沭阳县示范局\ncategory: department\n"));
    assert!(
        root.join("content/pingtanzongheshiyanqu/2023.yaml")
            .exists()
    );
    assert!(root.join("content/shifanju/2019.yaml").exists());
    for slug in ["ceshiju-2", "jiaoyu", "weishengjiankangweiyuanhui"] {
        for year in 2021..=2023 {
            assert!(root.join(format!("content/{slug}/{year}.yaml")).exists());
            assert!(root.join(format!("content/{slug}/{year}.md")).exists());
        }
    }
    let (code, out, err) = gongkai(&root, &["check"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

/// The summary table of the folder, each file's result `done` (`@`), the
/// last line's verb `last`.
fn table(done: &str, last: &str) -> String {
    "file                      agency                slug                        year  format        cells  uncertain  blank  broken  result
ceshi/old/c.txt           示范区测试局          ceshiju-2                   2021  text            200          1      0       0  @
ceshi/b.txt               示范区测试局          ceshiju-2                   2022  text            200          1      0       0  @
ceshi/a.txt               示范区测试局          ceshiju-2                   2023  text            200          3      0       0  @
others/jy-2021.txt        示范区教育局          jiaoyu                      2021  text            200          0      0       0  @
others/jy-2022.txt        示范区教育局          jiaoyu                      2022  text            200          0      0       0  @
others/jy-2023.txt        示范区教育局          jiaoyu                      2023  text            200          0      0       0  @
others/pingtan-2023.html  平潭综合实验区        pingtanzongheshiyanqu       2023  web page        200          0      0       0  @
others/shuyang-2019.docx  沭阳县示范局          shifanju                    2019  Word            198          0    119       0  @
others/wjw-2021.txt       示范区卫生健康委员会  weishengjiankangweiyuanhui  2021  text            200          0      0       0  @
others/wjw-2022.txt       示范区卫生健康委员会  weishengjiankangweiyuanhui  2022  text            200          0      0       0  @
others/wjw-2023.txt       示范区卫生健康委员会  weishengjiankangweiyuanhui  2023  text            200          0      0       0  @
others/minutes.txt                                                                text                                           refused: section 二、主动公开政府信息情况 is not found (a heading with the words 主动公开政府信息情况, whatever its numbering); the…
others/old.doc                                                                    old Word/WPS                                   refused: an old binary Word file (.doc) cannot be read: save it as .docx first (Word or WPS: 另存为 → .docx), or…
LAST 11 of 13 file(s); 2 refused
"
    .replace('@', done)
    .replace("LAST", last)
}

/// The same district with the 2021 report of 示范区测试局 as a PDF: the
/// format column says so, and the rest is the same.
#[test]
#[ignore = "needs pdftotext (poppler-utils): .ci/run installs it and runs --include-ignored"]
fn a_district_folder_mixing_text_and_pdf() {
    assert!(
        std::process::Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_ok(),
        "this test needs pdftotext (apt-get install poppler-utils)"
    );
    let (dir, root) = site();
    let reports = folder(dir.path(), true);
    let (code, out, err) = gongkai(&root, &["import", reports.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    let expected = table("written", "imported").replace(
        "ceshi/old/c.txt           示范区测试局          ceshiju-2                   2021  text  ",
        "ceshi/old/c.pdf           示范区测试局          ceshiju-2                   2021  PDF   ",
    );
    assert_eq!(out, expected);
    let (code, out, err) = gongkai(&root, &["check"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

/// Two files for the same agency and year: which is the report is the
/// clerk's call. Both are refused, each naming the other; the agency's
/// other year is written. One file named twice is no such pair.
#[test]
fn the_same_agency_and_year_twice_refuses_both() {
    let (dir, root) = site();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("2021.txt"), rows_2021()).unwrap();
    std::fs::write(reports.join("2022.txt"), fixture("rows_2022.txt")).unwrap();
    std::fs::write(reports.join("2022-copy.txt"), fixture("rows_2022.txt")).unwrap();
    // 2021.txt named again beside its folder is taken once.
    let again = reports.join("2021.txt");
    let (code, out, err) = gongkai(
        &root,
        &["import", reports.to_str().unwrap(), again.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        out,
        "file           agency        slug       year  format  cells  uncertain  blank  broken  result
2021.txt       示范区测试局  ceshiju-2  2021  text      200          1      0       0  written
2022-copy.txt  示范区测试局  ceshiju-2  2022  text                                     refused: 示范区测试局 2022 is also in 2022.txt: keep one (or import it alone with --agency)
2022.txt       示范区测试局  ceshiju-2  2022  text                                     refused: 示范区测试局 2022 is also in 2022-copy.txt: keep one (or import it alone with --agency)
imported 1 of 3 file(s); 2 refused
"
    );
    assert!(root.join("content/ceshiju-2/2021.yaml").exists());
    assert!(!root.join("content/ceshiju-2/2022.yaml").exists());
}

/// `--year` and `--cell` name one file's figures: without `--agency` they
/// are refused before anything is read.
#[test]
fn year_and_cell_need_an_agency() {
    let (_dir, root) = site();
    let (code, out, err) = gongkai(&root, &["import", "x.txt", "--year", "2022"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "error: x.txt: --year and --cell apply to one agency's file: give its --agency\n"
    );
}

/// The real published reports of `tests/fixtures/import/reports/`, five
/// agencies of five places, pointed at as one folder: slugs after each
/// name's own division (no district is shared), the glued 平潭 text refused
/// with its cell, the four others written; then `check` passes.
#[test]
fn the_real_reports_as_one_folder() {
    let (_dir, root) = new_site();
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/reports");
    let (code, out, err) = gongkai(&root, &["import", reports.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        out,
        "file                          agency                  slug                   year  format  cells  uncertain  blank  broken  result
2025_shanghai_bgt.txt         上海市人民政府办公厅    bangongting            2025  text      200          2      0       0  written
2023_shuyang_fagaiju.txt      沭阳县发展和改革局      fazhanhegaigeju        2023  text      200          0    125       0  written
2024_hongzequ.txt             淮安市洪泽区人民政府    hongzequ               2024  text      186          0      0       0  written
2023_pingtan.txt              平潭综合实验区          pingtanzongheshiyanqu  2023  text                                     refused: line 10: 行政规范性文件 · 本年废止件数: the digits \"77132470\" split 21 ways (the prose's 「制发的规范性文件77件」 keeps 5) i…
2024_weibin_zhongtongjie.txt  卫滨区中同街街道办事处  zhongtongjiejiedao     2024  text      200          0      0       0  written
imported 4 of 5 file(s); 1 refused
"
    );
    assert!(
        err.contains("give it with --cell active.normative_documents.repealed=N"),
        "{err}"
    );
    assert!(!root.join("content/pingtanzongheshiyanqu").exists());
    let (code, out, err) = gongkai(&root, &["check"]);
    assert_eq!(code, 0, "{out}\n{err}");
}
