//! Every rule and every kind of content problem, one fixture folder per case
//! under `tests/fixtures/cases/` (see `common` for the format). Adding a case
//! is adding a folder: this test finds it.
//!
//! For each case it checks, all at once so one run shows every failure:
//! - the library's diagnostics equal `expected.txt`, line by line (message,
//!   file, line, character column, rule and severity);
//! - each diagnostic's byte span (what the terminal underlines) sits at its
//!   line and column;
//! - `gongkai check --root SITE` exits 1 exactly when an error is expected,
//!   prints every diagnostic's location, and counts them right.

use crate::common;
use common::*;

#[test]
fn the_base_site_has_exactly_its_expected_diagnostics() {
    let site = base_site();
    let loaded = gongkai::load(site.path());
    let expected = read_expected(&base_dir()).unwrap();
    let actual = lines(&loaded);
    assert!(
        expected == actual,
        "the base fixture site:\n{}",
        diff(&expected, &actual)
    );
    let site = loaded.site.expect("the base site loads");
    assert_eq!(site.agencies.len(), 3);
    let reports: Vec<(String, i32)> = site
        .reports
        .iter()
        .map(|r| (r.agency.clone(), r.year))
        .collect();
    assert_eq!(
        reports,
        [
            ("fagaiju".to_string(), 2020),
            ("weibin".to_string(), 2024),
            ("zhongtongjie".to_string(), 2023),
            ("zhongtongjie".to_string(), 2024),
        ]
    );
}

#[test]
fn every_case_has_exactly_its_expected_diagnostics() {
    let cases = case_dirs();
    assert!(
        cases.len() >= 60,
        "only {} case folders in tests/fixtures/cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        if let Err(problem) = run_case(case) {
            failures.push(format!("case {name}:\n{problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn run_case(case: &std::path::Path) -> Result<(), String> {
    let expected = read_expected(case)?;
    let site = case_site(case)?;
    let loaded = gongkai::load(site.path());
    let actual = lines(&loaded);
    let mut problems = String::new();
    problems.push_str(&diff(&expected, &actual));
    for p in span_problems(&loaded) {
        problems.push_str(&format!("  span: {p}\n"));
    }

    // The command line agrees with the library.
    let out = gongkai_in(site.path(), &["check"]);
    let err = stderr(&out);
    let errors = expected.iter().filter(|l| l.starts_with("error: ")).count();
    let warnings = expected
        .iter()
        .filter(|l| l.starts_with("warning: "))
        .count();
    let code = out.status.code();
    let want = if errors > 0 { 1 } else { 0 };
    if code != Some(want) {
        problems.push_str(&format!(
            "  `check` exited with {code:?}, expected {want}\n"
        ));
    }
    for d in &loaded.diagnostics {
        if !err.contains(&format!("{}: {}", d.location(), first_words(&d.message))) {
            problems.push_str(&format!("  `check` did not print {d}\n"));
        }
    }
    if loaded.site.is_some() {
        let summary = format!("{errors} error(s), {warnings} warning(s)");
        if !err.contains(&summary) {
            problems.push_str(&format!("  `check` did not sum up \"{summary}\"\n"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{problems}  `check` printed:\n{err}"))
    }
}

/// The start of a message, short enough never to be wrapped by the terminal
/// report (which wraps long messages).
fn first_words(message: &str) -> String {
    message.chars().take(12).collect()
}

/// The temp files an editor leaves are ignored only if they are really in
/// the fixture: a global git excludes file could have kept them out.
#[test]
fn the_ignored_files_case_holds_the_files_it_is_about() {
    let dir = cases_dir().join("ignored-editor-and-hidden-files/content/zhongtongjie");
    for name in [
        ".2024.yaml.swp",
        ".2024.yaml.swx",
        "2024.yaml~",
        "4913",
        "#2024.md#",
        ".#2024.md",
        ".DS_Store",
    ] {
        assert!(
            dir.join(name).is_file(),
            "{name} is missing from {}",
            dir.display()
        );
    }
}

/// The span check above is not vacuous: it notices an underline one byte
/// away from its cell, and counts columns as an editor does.
#[test]
fn the_span_check_notices_an_underline_away_from_its_cell() {
    assert_eq!(line_col("\u{feff}ab\r\ncd", 3), Some((1, 1)));
    assert_eq!(line_col("\u{feff}ab\r\ncd", 4), Some((1, 2)));
    assert_eq!(line_col("\u{feff}ab\r\ncd", 7), Some((2, 1)));
    assert_eq!(line_col("[二, 一]", 6), Some((1, 5)));

    let site = case_site_named("bom-crlf-broken-total");
    let mut loaded = gongkai::load(site.path());
    assert_eq!(loaded.diagnostics.error_count(), 1);
    assert!(span_problems(&loaded).is_empty());
    let mut moved = gongkai::Diagnostics::default();
    for mut d in std::mem::take(&mut loaded.diagnostics) {
        if let Some(span) = d.span.as_mut() {
            *span = gongkai::Span::new(span.line, span.column, span.offset() - 1, span.len());
        }
        moved.push(d);
    }
    loaded.diagnostics = moved;
    assert_eq!(span_problems(&loaded).len(), 1);
}
