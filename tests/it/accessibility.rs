//! What a screen reader needs from the built pages: every number cell of an
//! official table names, in `headers`, each label it sits under (merged
//! cells give no single row or column to guess from), every label has an
//! id and a `scope`, ids are unique, and every page has its skip link and
//! landmarks. Checked on the HTML of the built fixture site.

use crate::common;
use std::collections::HashSet;
use std::fs;
use std::path::Path;

fn build() -> (tempfile::TempDir, tempfile::TempDir) {
    let site = common::base_site();
    let out = tempfile::tempdir().unwrap();
    gongkai::commands::build(site.path(), Some(out.path().join("public"))).unwrap();
    (site, out)
}

fn page(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The value of attribute `name` in the tag `tag` (`<td …>`), unquoted.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &tag[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next()
    } else {
        rest.split([' ', '>']).next()
    }
}

/// Every tag `<name …>` of `html`, with the text up to its closing tag.
fn elements<'a>(html: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    let open = format!("<{name} ");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(&open) {
        let start = from + i;
        let end = start + html[start..].find('>').unwrap() + 1;
        let text_end = end + html[end..].find(&close).unwrap();
        out.push((&html[start..end], &html[end..text_end]));
        from = text_end;
    }
    out
}

/// The labels a screen reader announces for the cell with `key`, in order.
fn announced(html: &str, table: &str, key: &str) -> Vec<String> {
    let table = table_html(html, table);
    let (td, _) = elements(table, "td")
        .into_iter()
        .find(|(tag, _)| attribute(tag, "data-key") == Some(key))
        .unwrap_or_else(|| panic!("no cell {key}"));
    let labels = elements(table, "th");
    attribute(td, "headers")
        .unwrap_or_else(|| panic!("{td} has no headers"))
        .split(' ')
        .map(|id| {
            labels
                .iter()
                .find(|(tag, _)| attribute(tag, "id") == Some(id))
                .unwrap_or_else(|| panic!("{key}: no th with id {id}"))
                .1
                .to_string()
        })
        .collect()
}

/// The HTML of the table with id `id`.
fn table_html<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(" id={id}>"))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    &html[start..end]
}

#[test]
fn a_cell_of_table_three_is_read_with_its_row_groups_and_columns() {
    let (_site, out) = build();
    let html = page(out.path(), "2024/weibin/index.html");
    assert_eq!(
        announced(
            &html,
            "requests",
            "requests.withheld.state_secret.natural_person"
        ),
        [
            "三、本年度办理结果",
            "（三）不予公开",
            "1.属于国家秘密",
            "申请人情况",
            "自然人"
        ]
    );
    assert_eq!(
        announced(&html, "requests", "requests.new.research"),
        [
            "一、本年新收政府信息公开申请数量",
            "申请人情况",
            "法人或其他组织",
            "科研机构"
        ]
    );
    assert_eq!(
        announced(&html, "requests", "requests.total.total"),
        ["三、本年度办理结果", "（七）总计", "申请人情况", "总计"]
    );
}

#[test]
fn cells_of_tables_one_and_four_are_read_with_their_headings() {
    let (_site, out) = build();
    let html = page(out.path(), "2024/weibin/index.html");
    assert_eq!(
        announced(&html, "active-2021", "active.regulations.repealed"),
        ["规章", "第二十条第（一）项", "本年废止件数"]
    );
    assert_eq!(
        announced(&html, "active-2021", "active.licensing"),
        ["行政许可", "第二十条第（五）项", "本年处理决定数量"]
    );
    assert_eq!(
        announced(&html, "reviews", "reviews.litigation_direct.pending"),
        ["行政诉讼", "未经复议直接起诉", "尚未审结"]
    );
    assert_eq!(
        announced(&html, "reviews", "reviews.review.total"),
        ["行政复议", "总计"]
    );
    // The year page's tables for a category have ids of their own.
    let year = page(out.path(), "2024/index.html");
    let id = elements(&year, "table")
        .iter()
        .filter_map(|(tag, _)| attribute(tag, "id"))
        .find(|id| id.starts_with("requests-"))
        .expect("a category's table 三 on the year page")
        .to_string();
    assert_eq!(
        announced(&year, &id, "requests.withheld.state_secret.natural_person"),
        [
            "三、本年度办理结果",
            "（三）不予公开",
            "1.属于国家秘密",
            "申请人情况",
            "自然人"
        ]
    );
}

/// Every HTML page of the built site.
fn pages(out: &Path) -> Vec<(String, String)> {
    let root = out.join("public");
    walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().display().to_string();
            (rel, fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn every_page_has_labelled_cells_unique_ids_a_skip_link_and_landmarks() {
    let (_site, out) = build();
    let all = pages(out.path());
    assert!(all.len() >= 10, "{} pages", all.len());
    let mut cells = 0;
    for (rel, html) in &all {
        let ids: Vec<&str> = html
            .match_indices(" id=")
            .map(|(i, _)| {
                let rest = &html[i + 4..];
                let rest = rest.strip_prefix('"').unwrap_or(rest);
                rest.split(['"', ' ', '>']).next().unwrap()
            })
            .collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{rel}: duplicate ids in {ids:?}");
        for (th, text) in elements(html, "th") {
            assert!(
                attribute(th, "scope").is_some(),
                "{rel}: {th}{text} has no scope"
            );
        }
        for (tag, _) in elements(html, "table") {
            if attribute(tag, "class") != Some("official") {
                continue;
            }
            let id = attribute(tag, "id").unwrap();
            let table = table_html(html, id);
            for (td, _) in elements(table, "td") {
                let headers = attribute(td, "headers").unwrap_or_else(|| panic!("{rel}: {td}"));
                assert!(headers.split(' ').count() >= 2, "{rel}: {td}");
                for h in headers.split(' ') {
                    assert!(
                        table.contains(&format!("<th id={h} "))
                            || table.contains(&format!(" id={h} ")),
                        "{rel}: {td} names {h}, which is no label of table {id}"
                    );
                }
                cells += 1;
            }
        }
        assert!(
            html.contains(r##"<a class="skip" href="#main">"##)
                || html.contains("<a class=skip href=#main>"),
            "{rel}: no skip link"
        );
        assert_eq!(html.matches("<main ").count(), 1, "{rel}: one <main>");
        assert!(
            html.contains("<header") && html.contains("<footer"),
            "{rel}"
        );
        assert!(
            html.contains("aria-label=主导航") || html.contains(r#"aria-label="主导航""#),
            "{rel}"
        );
    }
    // The fixture's four reports and the year pages' sums.
    // Four reports of about 200 cells, and the year pages' sums.
    assert_eq!(cells, 2142, "number cells");
}
