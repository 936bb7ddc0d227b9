//! The `gongkai` binary: `new`, `init` and `check` as a clerk runs them, on
//! temp copies of the fixture sites (see `common`).

use crate::common;
use std::fs;
use std::path::Path;

use common::*;

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Asserts that `text` has a line equal to `line`, showing the text if not.
fn assert_has_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line {line:?} in:\n{text}"
    );
}

fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status; stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Sets `draft: false` in a scaffolded report, as a clerk does when done.
fn finish(root: &Path, rel: &str) {
    let text = read(root, rel);
    assert!(
        text.contains("\ndraft: true\n"),
        "{rel} is scaffolded as a draft"
    );
    fs::write(
        root.join(rel),
        text.replacen("\ndraft: true\n", "\ndraft: false\n", 1),
    )
    .unwrap();
}

// ------------------------------------------------------------------ new

#[test]
fn new_for_an_existing_agency_scaffolds_a_draft_that_checks() {
    let site = base_site();
    let out = gongkai_in(site.path(), &["new", "weibin", "2025"]);
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "created content/weibin/2025.yaml\ncreated content/weibin/2025.md\n"
    );
    // A draft: its scaffold's inconsistency with 2024 (上年结转 copied but
    // not yet handled) is a warning only; 现行有效 starts from 2024's.
    let check = gongkai_in(site.path(), &["check"]);
    assert_exit(&check, 0);
    let loaded = gongkai::load(site.path());
    assert_eq!(
        lines(&loaded),
        [
            "warning: content/weibin/2025.yaml:49:26: 自然人: 一、本年新收 0 + 二、上年结转 1 = 1, but 三（七）总计 0 + 四、结转下年度 0 = 0 (R1)",
        ]
    );
    let report = loaded.site.unwrap();
    let report = report.report("weibin", 2025).expect("the draft loads");
    assert!(report.draft);
}

#[test]
fn new_copies_last_years_carried_forward_into_carried_over() {
    let site = base_site();
    assert_exit(&gongkai_in(site.path(), &["new", "weibin", "2025"]), 0);
    let yaml = read(site.path(), "content/weibin/2025.yaml");
    // weibin 2024: carried_forward [1, 0, 0, 0, 0, 0, 1]
    assert_has_line(
        &yaml,
        "  carried_over:         [1, 0, 0, 0, 0, 0, 1]   # 二、上年结转政府信息公开申请数量",
    );
    assert_has_line(
        &yaml,
        "  carried_forward:      [0, 0, 0, 0, 0, 0, 0]   # 四、结转下年度继续办理",
    );
    // 现行有效件数 starts from last year's (weibin 2024: [1, 0, 3], [5, 2, 41]),
    // so the draft passes X2 as it is.
    assert_has_line(
        &yaml,
        "  regulations:          [0, 0, 3]               # 第二十条第（一）项 规章: 本年制发件数, 本年废止件数, 现行有效件数",
    );
    assert_has_line(
        &yaml,
        "  normative_documents:  [0, 0, 41]              # 第二十条第（一）项 行政规范性文件: 本年制发件数, 本年废止件数, 现行有效件数",
    );
    let check = gongkai_in(site.path(), &["check"]);
    assert!(!stderr(&check).contains("X2"), "{}", stderr(&check));
    // Without a report last year, it starts from zero.
    assert_exit(&gongkai_in(site.path(), &["new", "weibin", "2023"]), 0);
    assert_has_line(
        &read(site.path(), "content/weibin/2023.yaml"),
        "  carried_over:         [0, 0, 0, 0, 0, 0, 0]   # 二、上年结转政府信息公开申请数量",
    );
}

#[test]
fn new_scaffolds_every_row_with_its_chinese_label() {
    let site = base_site();
    assert_exit(
        &gongkai_in(site.path(), &["new", "zhongtongjie", "2025"]),
        0,
    );
    let yaml = read(site.path(), "content/zhongtongjie/2025.yaml");
    for line in [
        "year: 2025",
        "format: 2021",
        "draft: true",
        "as_published: false",
        "active:                 # 二、主动公开政府信息情况",
        "  regulations:          [0, 0, 0]               # 第二十条第（一）项 规章: 本年制发件数, 本年废止件数, 现行有效件数",
        "  fees:                 0                       # 第二十条第（八）项 行政事业性收费: 本年收费金额（万元）",
        "requests:               # 三、收到和处理政府信息公开申请情况",
        "  new:                  [0, 0, 0, 0, 0, 0, 0]   # 一、本年新收政府信息公开申请数量",
        "  withheld:                                     # 三（三）不予公开",
        "    security_stability:   [0, 0, 0, 0, 0, 0, 0] # 3.危及“三安全一稳定”",
        "    administrative_query: [0, 0, 0, 0, 0, 0, 0] # 8.属于行政查询事项",
        "    not_held:             [0, 0, 0, 0, 0, 0, 0] # 1.本机关不掌握相关政府信息",
        "    confirmation:         [0, 0, 0, 0, 0, 0, 0] # 5.要求行政机关确认或重新出具已获取信息",
        "    unpaid_fee:           [0, 0, 0, 0, 0, 0, 0] # 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "  total:                [0, 0, 0, 0, 0, 0, 0]   # 三（七）总计",
        "reviews:                # 四、政府信息公开行政复议、行政诉讼情况",
        "  review:               [0, 0, 0, 0, 0]         # 行政复议",
        "  litigation_after_review: [0, 0, 0, 0, 0]      # 行政诉讼 · 复议后起诉",
    ] {
        assert_has_line(&yaml, line);
    }
    // Every row of the official table: once finished, the report loads
    // with all 6 + 25 + 3 rows and not one diagnostic about its shape.
    finish(site.path(), "content/zhongtongjie/2025.yaml");
    let loaded = gongkai::load(site.path());
    let site_model = loaded.site.as_ref().unwrap();
    let report = site_model.report("zhongtongjie", 2025).expect("it loads");
    assert_eq!(
        (
            report.active.len(),
            report.requests.len(),
            report.reviews.len()
        ),
        (6, 25, 3)
    );
    // Not one diagnostic: 现行有效 started from 2024's.
    assert_eq!(lines(&loaded), Vec::<String>::new());
    let prose = read(site.path(), "content/zhongtongjie/2025.md");
    for heading in [
        "## 一、总体情况",
        "## 五、存在的主要问题及改进情况",
        "## 六、其他需要报告的事项",
    ] {
        assert_has_line(&prose, heading);
    }
}

#[test]
fn new_uses_the_2019_format_for_2020_and_earlier() {
    let site = base_site();
    assert_exit(
        &gongkai_in(site.path(), &["new", "zhongtongjie", "2020"]),
        0,
    );
    let yaml = read(site.path(), "content/zhongtongjie/2020.yaml");
    for line in [
        "format: 2019",
        "  licensing:            [0, 0, 0]               # 第二十条第（五）项 行政许可: 上一年项目数量, 本年增/减, 处理决定数量",
        "  procurement:          [0, 0]                  # 第二十条第（九）项 政府集中采购: 采购项目数量, 采购总金额（万元）",
        "  other:                [0, 0, 0, 0, 0, 0, 0]   # 三（六）其他处理",
    ] {
        assert_has_line(&yaml, line);
    }
    assert!(
        !yaml.contains("no_correction"),
        "one （六） row in 2019:\n{yaml}"
    );
    let out = gongkai_in(
        site.path(),
        &["new", "zhongtongjie", "2021", "--format", "2019"],
    );
    assert_exit(&out, 0);
    assert_has_line(
        &read(site.path(), "content/zhongtongjie/2021.yaml"),
        "format: 2019",
    );
    assert_exit(&gongkai_in(site.path(), &["check"]), 0);
}

#[test]
fn new_for_a_new_agency_creates_it_and_the_report_checks_clean() {
    let site = base_site();
    let out = gongkai_in(
        site.path(),
        &[
            "new",
            "pingyuan",
            "2024",
            "--name",
            "卫滨区平原镇人民政府",
            "--category",
            "township",
        ],
    );
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "created content/pingyuan/agency.yaml\ncreated content/pingyuan/2024.yaml\ncreated content/pingyuan/2024.md\n"
    );
    let agency = read(site.path(), "content/pingyuan/agency.yaml");
    assert_has_line(&agency, "name: 卫滨区平原镇人民政府");
    assert_has_line(&agency, "category: township");
    assert_has_line(
        &read(site.path(), "content/pingyuan/2024.yaml"),
        "# 卫滨区平原镇人民政府 2024年政府信息公开工作年度报告",
    );
    assert_exit(&gongkai_in(site.path(), &["check", "--deny-warnings"]), 0);
    // Finished as it is (all zero), it is a complete, consistent report.
    finish(site.path(), "content/pingyuan/2024.yaml");
    let out = gongkai_in(site.path(), &["check", "--deny-warnings"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("checked 5 report(s) of 4 agencies: 0 error(s), 0 warning(s)"),
        "{}",
        stderr(&out)
    );
    let loaded = gongkai::load(site.path());
    let report = loaded
        .site
        .as_ref()
        .unwrap()
        .report("pingyuan", 2024)
        .unwrap();
    assert!(!report.draft);
}

#[test]
fn new_never_overwrites_a_report() {
    let site = base_site();
    let before = fs::read(site.path().join("content/zhongtongjie/2024.yaml")).unwrap();
    let out = gongkai_in(site.path(), &["new", "zhongtongjie", "2024"]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out)
            .contains("content/zhongtongjie/2024.yaml already exists; gongkai never overwrites it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let after = fs::read(site.path().join("content/zhongtongjie/2024.yaml")).unwrap();
    assert_eq!(before, after, "the report is unchanged");
}

#[test]
fn new_for_a_new_agency_needs_its_name_and_category() {
    let site = base_site();
    let out = gongkai_in(site.path(), &["new", "pingyuan", "2024"]);
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "error: agency `pingyuan` is new: give its full name and category with --name and --category\n"
    );
    assert!(!site.path().join("content/pingyuan").exists());

    let out = gongkai_in(
        site.path(),
        &[
            "new",
            "pingyuan",
            "2024",
            "--name",
            "卫滨区平原镇人民政府",
            "--category",
            "towns",
        ],
    );
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "error: unknown category `towns`; the categories of site.toml are: government, department, street, township\n"
    );
    assert!(!site.path().join("content/pingyuan").exists());
}

#[test]
fn new_with_an_invalid_slug_suggests_one() {
    let site = base_site();
    let out = gongkai_in(site.path(), &["new", "ZhongTong", "2024"]);
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "error: `ZhongTong` is not a valid agency slug: use lowercase letters a-z, digits and '-' (e.g. `zhongtong`)\n"
    );
    let out = gongkai_in(site.path(), &["new", "shanghai_bgt", "2024"]);
    assert!(
        stderr(&out).contains("(e.g. `shanghai-bgt`)"),
        "{}",
        stderr(&out)
    );
    // Nothing to suggest from Chinese: the rule alone.
    let out = gongkai_in(site.path(), &["new", "中同街", "2024"]);
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "error: `中同街` is not a valid agency slug: use lowercase letters a-z, digits and '-'\n"
    );
    let mut folders: Vec<String> = fs::read_dir(site.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(
        folders,
        ["fagaiju", "weibin", "zhongtongjie"],
        "nothing created"
    );
}

// ------------------------------------------------------------------ init

#[test]
fn init_creates_a_site_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("gknb");
    let root_arg = root.to_str().unwrap();
    let out = gongkai(&["init", root_arg]);
    assert_exit(&out, 0);
    let printed = stdout(&out);
    for file in [
        "  site.toml",
        "  content/example/agency.yaml",
        "  content/example/2024.yaml",
        "  content/example/2024.md",
    ] {
        assert_has_line(&printed, file);
    }
    let out = gongkai(&["check", "--deny-warnings", "--root", root_arg]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("checked 1 report(s) of 1 agency: 0 error(s), 0 warning(s)"),
        "{}",
        stderr(&out)
    );
    let loaded = gongkai::load(&root);
    let site = loaded.site.unwrap();
    let example = site.report("example", 2024).expect("the example report");
    assert!(!example.draft, "the example is a finished report");

    // An empty folder is fine too.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_exit(&gongkai(&["init", empty.to_str().unwrap()]), 0);
    assert_exit(&gongkai_in(&empty, &["check"]), 0);
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let out = gongkai(&["init", dir.path().to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("is not empty; `init` creates a new site in an empty or new folder"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("site.toml").exists());
    assert_eq!(read(dir.path(), "notes.txt"), "keep me");
}

// ------------------------------------------------------------------ check

/// The display column of the underline's start in a miette snippet: the
/// first `─` or `┬` after the gutter, counted like the source line above it.
fn underline_column(label_line: &str) -> usize {
    let after_gutter = label_line.split_once('·').expect("a label line").1;
    after_gutter
        .chars()
        .skip(1)
        .take_while(|c| *c != '─' && *c != '┬')
        .count()
        + 1
}

/// How wide a terminal shows the text (Chinese characters take two cells).
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum()
}

#[test]
fn check_on_a_broken_site_shows_the_cell_and_exits_1() {
    let site = case_site_named("r4-review-total");
    let out = gongkai_in(site.path(), &["check"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("content/weibin/2024.yaml:50:41: 行政复议 · 总计 is 4, but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 2 + 1 + 0 + 0 = 3 (R4)"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.starts_with(" 50 │   review:                  [2, 1, 0, 0, 4]  # 行政复议"))
        .unwrap_or_else(|| panic!("the source line is shown:\n{err}"));
    // The underline under the written 总计, column 41.
    assert_eq!(underline_column(lines[source + 1]), 41, "{err}");
    assert!(err.contains("checked 4 report(s) of 3 agencies: 1 error(s), 0 warning(s)"));
}

#[test]
fn check_counts_columns_in_characters_not_bytes() {
    // `[二, 一, …]`: the second cell is column 32 for a person (and an
    // editor), though byte 34 of the line.
    let site = case_site_named("r7-chinese-numerals");
    let out = gongkai_in(site.path(), &["check"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("content/weibin/2024.yaml:50:32: 行政复议 · 结果纠正 is the text \"一\", not a number (R7)"),
        "{err}"
    );
    // No other position is printed for it (the snippet header used to say
    // 50:34, counting bytes).
    assert!(!err.contains(":50:34"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let source = "  review:                  [二, 一, 0, 0, 3]  # 行政复议";
    let labels: Vec<usize> = lines
        .windows(2)
        .filter(|w| w[0].ends_with(source))
        .map(|w| underline_column(w[1]))
        .collect();
    // Underlined where a terminal shows 二 and 一.
    assert_eq!(
        labels,
        [
            display_width("  review:                  [") + 1,
            display_width("  review:                  [二, ") + 1
        ],
        "{err}"
    );
}

#[test]
fn check_with_a_bom_and_crlf_points_at_the_real_line_and_column() {
    let site = case_site_named("bom-crlf-broken-total");
    let out = gongkai_in(site.path(), &["check"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("content/zhongtongjie/2024.yaml:49:41: 行政复议 · 总计 is 2, but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 1 + 0 + 0 + 0 = 1 (R4)"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.starts_with(" 49 │   review:                  [1, 0, 0, 0, 2]"))
        .unwrap_or_else(|| panic!("the source line is shown:\n{err}"));
    assert_eq!(underline_column(lines[source + 1]), 41, "{err}");

    // On the first line, after the BOM.
    let site = case_site_named("bom-crlf-first-line");
    let err = stderr(&gongkai_in(site.path(), &["check"]));
    assert!(
        err.contains("content/zhongtongjie/2024.yaml:1:7: `year` is 2023, but the file is named 2024.yaml (year)"),
        "{err}"
    );
    assert!(!err.contains(":1:10"), "{err}");
}

#[test]
fn check_deny_warnings_fails_on_warnings_alone() {
    let site = case_site_named("x2-in-force");
    let out = gongkai_in(site.path(), &["check"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("0 error(s), 1 warning(s)"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out)
            .contains("content/zhongtongjie/2024.yaml:9:31: 行政规范性文件 · 现行有效件数 is 12"),
        "{}",
        stderr(&out)
    );
    let out = gongkai_in(site.path(), &["check", "--deny-warnings"]);
    assert_exit(&out, 1);
    // Without warnings, --deny-warnings passes.
    let site = base_site();
    assert_exit(&gongkai_in(site.path(), &["check", "--deny-warnings"]), 0);
}

#[test]
fn check_a_draft_with_errors_passes_with_warnings() {
    let site = case_site_named("draft-broken-total");
    let out = gongkai_in(site.path(), &["check"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("0 error(s), 2 warning(s)"),
        "{}",
        stderr(&out)
    );
    assert_exit(&gongkai_in(site.path(), &["check", "--deny-warnings"]), 1);
}

#[test]
fn check_works_in_the_current_folder() {
    let site = case_site_named("r4-review-total");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("check")
        .current_dir(site.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("content/weibin/2024.yaml:50:41: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_without_site_toml_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = gongkai_in(dir.path(), &["check"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "site.toml: no site.toml in {} (config)",
            dir.path().display()
        )),
        "{err}"
    );
    assert!(
        err.contains("help: run gongkai in a site folder, pass --root DIR, or create one with `gongkai init DIR`"),
        "{err}"
    );
    // The library says the same, and there is no site to work on.
    let loaded = gongkai::load(dir.path());
    assert!(loaded.site.is_none());
    assert_eq!(loaded.diagnostics.error_count(), 1);

    // `new` cannot scaffold into a folder that is not a site.
    let out = gongkai_in(dir.path(), &["new", "weibin", "2024"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("no site.toml in"), "{}", stderr(&out));
    assert!(!dir.path().join("content").exists());
}

/// Two builds into one output folder would swap folders under each other:
/// the second is refused while the first holds the lock, and says so.
#[test]
fn a_second_build_into_the_same_output_is_refused_while_one_runs() {
    let site = base_site();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().canonicalize().unwrap().join("public");
    let held = gongkai::output::BuildLock::acquire(&target).unwrap();
    let run = gongkai_in(
        site.path(),
        &["build", "--output", target.to_str().unwrap()],
    );
    assert_exit(&run, 1);
    let lock = target.with_file_name(".public.gongkai-lock");
    assert!(
        stderr(&run).contains(&format!(
            "another gongkai build is writing {} now (it holds {}); wait for it to finish",
            target.display(),
            lock.display()
        )),
        "{}",
        stderr(&run)
    );
    assert!(!target.exists());
    // The lock goes with its holder (the OS releases it even if the build
    // is killed): the next build runs.
    drop(held);
    assert_exit(
        &gongkai_in(
            site.path(),
            &["build", "--output", target.to_str().unwrap()],
        ),
        0,
    );
    assert!(target.join("index.html").is_file());
}
