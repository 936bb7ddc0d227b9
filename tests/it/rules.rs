//! Each rule broken once in a copy of the demo district: the exact message,
//! file, line and column (character-based, 1-based) of what `check` reports.

use crate::common;
use common::copy_tree;
use std::fs;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Applies one edit to a copy of the demo site and returns every diagnostic
/// that the untouched demo does not have, as `severity: display`.
fn check_with(file: &str, find: &str, replace: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
    copy_tree(&repo().join("content"), &dir.path().join("content"));
    let path = dir.path().join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        text.contains(find) || find.is_empty(),
        "{find:?} not in {file}"
    );
    fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    let baseline: Vec<String> = gongkai::load(&repo())
        .diagnostics
        .iter()
        .map(|d| format!("{}: {d}", d.severity))
        .collect();
    gongkai::load(dir.path())
        .diagnostics
        .iter()
        .map(|d| format!("{}: {d}", d.severity))
        .filter(|d| !baseline.contains(d))
        .collect()
}

macro_rules! case {
    ($name:ident, $file:expr, $find:expr, $replace:expr, [$($expected:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            let got = check_with($file, $find, $replace);
            let expected: Vec<&str> = vec![$($expected),*];
            assert_eq!(got, expected);
        }
    };
}

const PT: &str = "content/pingtan/2023.yaml";

case!(
    r1_new_plus_carried_over,
    PT,
    "carried_forward:   [0, 0, 0, 0, 0, 0, 0]",
    "carried_forward:   [1, 0, 0, 0, 0, 0, 1]",
    [
        "error: content/pingtan/2023.yaml:45:23: 自然人: 一、本年新收 80 + 二、上年结转 0 = 80, but 三（七）总计 80 + 四、结转下年度 1 = 81 (R1)",
    ]
);
case!(
    r2_row_total,
    PT,
    "granted:           [22, 0, 0, 0, 0, 0, 22]",
    "granted:           [22, 0, 0, 0, 0, 0, 23]",
    [
        "warning: content/pingtan/2023.md:9:153: the prose states 「予以公开及部分公开42件」, but 三（一）予以公开 · 总计 + 三（二）部分公开 · 总计 is 23 + 20 = 43 (content/pingtan/2023.yaml:19:42, content/pingtan/2023.yaml:20:42) (X3)",
        "error: content/pingtan/2023.yaml:19:42: 三（一）予以公开 · 总计 is 23, but 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 = 22 + 0 + 0 + 0 + 0 + 0 = 22 (R2)",
        "error: content/pingtan/2023.yaml:44:42: 三（七）总计 · 总计 is 81, but the sum of rows （一）…（六） is 82 (R3)",
    ]
);
case!(
    r3_total_row,
    PT,
    "total:             [80, 1, 0, 0, 0, 0, 81]",
    "total:             [79, 1, 0, 0, 0, 0, 80]",
    [
        "warning: content/pingtan/2023.md:9:139: the prose states 「办结依申请公开81件」, but 三（七）总计 · 总计 is 80 (content/pingtan/2023.yaml:44:42) (X3)",
        "error: content/pingtan/2023.yaml:44:23: 三（七）总计 · 自然人 is 79, but the sum of rows （一）…（六） is 80 (R3)",
        "error: content/pingtan/2023.yaml:44:42: 三（七）总计 · 总计 is 80, but the sum of rows （一）…（六） is 81 (R3)",
        "error: content/pingtan/2023.yaml:45:23: 自然人: 一、本年新收 80 + 二、上年结转 0 = 80, but 三（七）总计 79 + 四、结转下年度 0 = 79 (R1)",
    ]
);

case!(
    r4_review_total,
    PT,
    "review:                  [1, 1, 0, 0, 2]",
    "review:                  [1, 1, 0, 0, 3]",
    [
        "warning: content/pingtan/2023.md:9:242: the prose states 「行政复议案件2件」, but 行政复议 · 总计 is 3 (content/pingtan/2023.yaml:49:41) (X3)",
        "error: content/pingtan/2023.yaml:49:41: 行政复议 · 总计 is 3, but 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 1 + 1 + 0 + 0 = 2 (R4)",
    ]
);
case!(
    r7_negative,
    PT,
    "granted:           [22, 0, 0",
    "granted:           [22, -1, 0",
    [
        "error: content/pingtan/2023.yaml:19:27: 三（一）予以公开 · 商业企业 is -1, but counts are whole numbers ≥ 0 (R7)",
    ]
);
case!(
    r7_text,
    PT,
    "granted:           [22, 0, 0",
    "granted:           [22, \"4\", 0",
    [
        "error: content/pingtan/2023.yaml:19:27: 三（一）予以公开 · 商业企业 is the text \"4\", not a number (R7)",
    ]
);
case!(
    r8_short_row,
    PT,
    "granted:           [22, 0, 0, 0, 0, 0, 22]",
    "granted:           [22, 0, 0, 0, 0]",
    [
        "error: content/pingtan/2023.yaml:19:22: 三（一）予以公开 has 5 numbers, but this row has 6 (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他) or 7 (with 总计) (R8)",
    ]
);
case!(
    unknown_key,
    PT,
    "  granted:",
    "  granted_x:",
    [
        "error: content/pingtan/2023.yaml:17:3: missing row `granted` (三（一）予以公开) in `requests` (三、收到和处理政府信息公开申请情况) (missing-row)",
        "error: content/pingtan/2023.yaml:19:3: unknown key `granted_x` in `requests` (三、收到和处理政府信息公开申请情况); did you mean `granted`? (unknown-key)",
    ]
);
case!(
    year_mismatch,
    PT,
    "year: 2023",
    "year: 2022",
    [
        "error: content/pingtan/2023.yaml:1:7: `year` is 2022, but the file is named 2023.yaml (year)",
    ]
);
case!(
    x5_late,
    PT,
    "published: 2024-03-08",
    "published: 2024-04-01",
    [
        "warning: content/pingtan/2023.yaml:4:12: published 2024-04-01, after the 人民政府 deadline 2024-03-31: shown as late (X5)",
    ]
);
case!(
    yaml_syntax,
    PT,
    "granted:           [22, 0, 0, 0, 0, 0, 22]",
    "granted:           [22, 0, 0, 0, 0, 0, 22",
    [
        "error: content/pingtan/2023.yaml:20:20: invalid YAML: illegal placement of ':' indicator (yaml)",
    ]
);
case!(
    unknown_heading,
    "content/pingtan/2023.md",
    "## 五、",
    "## 二、主动公开政府信息情况\n\n## 五、",
    [
        "error: content/pingtan/2023.md:17:1: unknown section heading `## 二、主动公开政府信息情况` (heading)",
    ]
);
case!(
    unknown_category,
    "content/pingtan/agency.yaml",
    "category: government",
    "category: goverment",
    [
        "error: content/pingtan/agency.yaml:3:11: unknown category `goverment`; did you mean `government`? (category)",
    ]
);
case!(
    unknown_file,
    "content/pingtan/2024.yml",
    "",
    "year: 2024\n",
    ["error: content/pingtan/2024.yml: unknown file `2024.yml` (unknown-file)",]
);
case!(
    orphan_prose,
    "content/pingtan/2022.md",
    "",
    "## 一、总体情况\n",
    ["error: content/pingtan/2022.md: 2022.md has no 2022.yaml beside it (orphan)",]
);
case!(
    invalid_slug,
    "content/ZhongTong/agency.yaml",
    "",
    "name: 测试\ncategory: street\n",
    [
        "error: content/ZhongTong: agency folder `ZhongTong` is not a valid slug: use lowercase letters a-z, digits and '-', starting with a letter or digit (slug)",
    ]
);
