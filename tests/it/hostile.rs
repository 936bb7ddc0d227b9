//! Hostile input that cannot live in a fixture folder (a 100 MB file,
//! symbolic links, a pipe) or that must be built, not only checked: each
//! with its exact outcome, in bounded time and memory. The diagnostics that
//! `check` prints for the rest (alias bombs, deep nesting, NUL bytes,
//! numbers past u64 and i128, odd file names) are fixture cases in
//! `tests/fixtures/cases/`.
//!
//! Memory is the peak resident size of the gongkai process, measured by the
//! kernel (`wait4`'s rusage): a resource bound, not a timing. Timeouts only
//! turn a hang into a failure.

use crate::common;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{base_site, case_site_named, executable, lines, read_tree};

/// What a measured run of the binary gave.
struct Run {
    code: i32,
    stderr: String,
    /// Peak resident memory of the process, in KiB.
    peak_kib: i64,
}

/// Set in a copy of this test binary that runs gongkai and reports on it:
/// the path of the report file.
const MEASURE: &str = "GONGKAI_HOSTILE_MEASURE";
/// Set with it: gongkai's arguments, separated by U+001F.
const MEASURE_ARGS: &str = "GONGKAI_HOSTILE_MEASURE_ARGS";
const SEPARATOR: char = '\u{1f}';

/// Runs `gongkai --root ROOT args…` and measures its peak memory, failing
/// (not hanging) after two minutes.
///
/// The kernel counts a process's peak from the memory of the process it was
/// forked from (exec keeps the larger), and this test process holds whole
/// built sites. So a small copy of the test binary starts gongkai and
/// reports the peak (see [`measure_in_a_small_process`]).
fn measured(root: &Path, args: &[&str]) -> Run {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut all = vec!["--root".to_string(), root.to_str().unwrap().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hostile::measure_in_a_small_process",
            "--test-threads=1",
            "--quiet",
        ])
        .env(MEASURE, report.path())
        .env(MEASURE_ARGS, all.join(&SEPARATOR.to_string()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let clock = Instant::now();
    while helper.try_wait().unwrap().is_none() {
        if clock.elapsed() > Duration::from_secs(120) {
            helper.kill().unwrap();
            panic!("gongkai {args:?} did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let text = fs::read_to_string(report.path()).unwrap();
    let (head, stderr) = text.split_once('\n').expect("the helper's report");
    let (code, peak) = head.split_once(' ').unwrap();
    Run {
        code: code.parse().unwrap(),
        stderr: stderr.to_string(),
        peak_kib: peak.parse().unwrap(),
    }
}

/// In the helper process (with [`MEASURE`] set): runs gongkai, waits for it
/// with `wait4` and writes its exit code, peak memory and stderr. Run as a
/// plain test, it checks that the measure is gongkai's own: this process
/// touches 200 MB first, and `gongkai --version` is still measured small.
#[test]
fn measure_in_a_small_process() {
    if let Some(report) = std::env::var_os(MEASURE) {
        let args = std::env::var(MEASURE_ARGS).unwrap();
        let args: Vec<&str> = args.split(SEPARATOR).collect();
        let (code, peak, stderr) = run_and_wait(&args);
        fs::write(report, format!("{code} {peak}\n{stderr}")).unwrap();
        return;
    }
    let big = vec![1u8; 200 << 20];
    std::hint::black_box(&big);
    let run = measured(Path::new("."), &["--version"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.peak_kib > 0 && run.peak_kib < 50 << 10,
        "peak {} KiB",
        run.peak_kib
    );
    drop(big);
}

/// Runs gongkai and waits for it: exit code, peak memory in KiB, stderr.
// wait4 reaps the child, which std cannot do with the rusage.
#[allow(clippy::zombie_processes)]
fn run_and_wait(args: &[&str]) -> (i32, i64, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        pipe.read_to_string(&mut text).unwrap();
        text
    });
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our child, not yet reaped (std never waits for it).
    let done = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(done > 0, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    (code, usage.ru_maxrss, reader.join().unwrap())
}

/// A file of `len` bytes that takes no disk space (all zeros but the start).
fn sparse(path: &Path, start: &[u8], len: u64) {
    let file = fs::File::create(path).unwrap();
    std::io::Write::write_all(&mut &file, start).unwrap();
    file.set_len(len).unwrap();
}

const HUNDRED_MB: u64 = 100 << 20;
/// Far above what gongkai needs for the fixture site (about 30 MiB in a
/// debug build) and below what reading a 100 MB file would take.
const PEAK_KIB: i64 = 90 << 10;

#[test]
fn a_100_mb_report_or_prose_file_is_refused_unread() {
    let site = base_site();
    let folder = site.path().join("content/zhongtongjie");
    sparse(&folder.join("2024.yaml"), b"year: 2024\n", HUNDRED_MB);
    sparse(
        &folder.join("2023.md"),
        "## 一、总体情况\n".as_bytes(),
        HUNDRED_MB,
    );
    let limit = "may be at most 1048576 bytes (1 MiB) (file-size)";
    let help = "  help: is it the right file? a report's YAML is about 2 KB and its prose a few KB";
    assert_eq!(
        lines(&gongkai::load(site.path())),
        [
            format!(
                "error: content/zhongtongjie/2023.md: the file is 104857600 bytes; report, agency, prose and site.toml files {limit}"
            ),
            help.to_string(),
            format!(
                "error: content/zhongtongjie/2024.yaml: the file is 104857600 bytes; report, agency, prose and site.toml files {limit}"
            ),
            help.to_string(),
        ]
    );
    let run = measured(site.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("build refused: 2 error(s)"),
        "{}",
        run.stderr
    );
    assert!(run.peak_kib < PEAK_KIB, "peak {} KiB", run.peak_kib);
    eprintln!("check of two 100 MB files: peak {} KiB", run.peak_kib);
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_100_mb_signed_pdf_is_copied_not_loaded() {
    let site = base_site();
    let pdf = site.path().join("content/weibin/2024.pdf");
    sparse(&pdf, b"%PDF-1.7\n", HUNDRED_MB);
    let run = measured(site.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let copy = site.path().join("public/2024/weibin/2024.pdf");
    assert_eq!(fs::metadata(&copy).unwrap().len(), HUNDRED_MB);
    assert!(run.peak_kib < PEAK_KIB, "peak {} KiB", run.peak_kib);
}

/// Links are never followed: one to a file outside the site, one to a
/// folder outside, one to itself, one to another report of the site; a
/// pipe is never opened (reading it would wait forever).
#[cfg(unix)]
#[test]
fn symbolic_links_and_pipes_in_content_are_refused_and_never_followed() {
    use std::os::unix::fs::symlink;
    let site = base_site();
    let content = site.path().join("content");
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.md"), "## 一、总体情况\n机密\n").unwrap();
    symlink(
        outside.path().join("secret.md"),
        content.join("weibin/2023.md"),
    )
    .unwrap();
    symlink(outside.path(), content.join("elsewhere")).unwrap();
    symlink(content.join("loop"), content.join("loop")).unwrap();
    symlink("../weibin/2024.yaml", content.join("fagaiju/2021.yaml")).unwrap();
    let fifo = std::ffi::CString::new(
        content
            .join("zhongtongjie/2022.md")
            .to_str()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);

    let loaded = gongkai::load(site.path());
    let link = "a symbolic link: gongkai reads only real files and folders in content/, never where a link points (symlink)";
    let help = "  help: copy the file or folder here instead of linking to it";
    assert_eq!(
        lines(&loaded),
        [
            format!("error: content/elsewhere: {link}"),
            help.to_string(),
            format!("error: content/fagaiju/2021.yaml: {link}"),
            help.to_string(),
            format!("error: content/loop: {link}"),
            help.to_string(),
            format!("error: content/weibin/2023.md: {link}"),
            help.to_string(),
            "error: content/zhongtongjie/2022.md: not a regular file (a pipe, socket or device): content/ holds files and folders only (special-file)".to_string(),
            "  help: remove it from content/".to_string(),
        ]
    );
    assert!(loaded.sources.values().all(|text| !text.contains("机密")));
    let run = measured(site.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("5 error(s)"), "{}", run.stderr);
    assert!(!run.stderr.contains("机密"), "{}", run.stderr);
}

/// Names, short names and prose carrying script, event handlers,
/// `javascript:` links and Tera syntax: every page of the built site
/// prints them as text, and none of them runs or is evaluated.
#[test]
fn names_and_prose_cannot_put_script_on_a_page_or_run_as_templates() {
    let site = base_site();
    let agency = site.path().join("content/weibin/agency.yaml");
    let text = fs::read_to_string(&agency).unwrap();
    let text = text
        .replace(
            "name: 新乡市卫滨区人民政府",
            "name: \"<script>alert(1)</script>{{ 7*7 }}{% raw %}卫滨区\"",
        )
        .replace(
            "short_name: 卫滨区人民政府",
            "short_name: \"<img src=x onerror=alert(2)>{{ site.title }}\"",
        );
    fs::write(&agency, text).unwrap();
    let prose = site.path().join("content/weibin/2024.md");
    let mut text = fs::read_to_string(&prose).unwrap();
    text.push_str(concat!(
        "\n<script>alert(3)</script> <img src=x onerror=\"alert(4)\"> ",
        "<a href=\"javascript:alert(5)\">x</a> <svg onload=alert(6)></svg>\n\n",
        "[a](javascript:alert(7)) [b](JaVaScRiPt:alert(8)) [c](data:text/html,x) ",
        "<iframe src=\"https://example.com/\"></iframe> <object data=x></object>\n\n",
        "印发{{ 7*7 }}件，{% if true %}真{% endif %}{# 注 #}\n",
    ));
    fs::write(&prose, text).unwrap();
    let out = site.path().join("public");
    gongkai::commands::build(site.path(), Some(out.clone())).unwrap();

    let report = fs::read_to_string(out.join("2024/weibin/index.html")).unwrap();
    assert!(
        report.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}{% raw %}卫滨区"),
        "{report}"
    );
    assert!(report.contains("印发{{ 7*7 }}件，{% if true %}真{% endif %}{# 注 #}"));
    let agencies = fs::read_to_string(out.join("agencies/index.html")).unwrap();
    assert!(agencies.contains("&lt;img src=x onerror=alert(2)&gt;{{ site.title }}"));
    let mut pages = 0;
    for (path, bytes) in read_tree(&out) {
        if path.extension().is_some_and(|e| e == "html") {
            pages += 1;
            let page = String::from_utf8(bytes).unwrap();
            if let Some(problem) = executable(&page) {
                panic!("{}: {problem}", path.display());
            }
            // Tera never evaluated what an agency wrote.
            for evaluated in ["&lt;/script&gt;49", "印发49件", "，真"] {
                assert!(!page.contains(evaluated), "{}: {evaluated}", path.display());
            }
        }
    }
    // 14 pages (about/indicators/ among them), and search/index.html.
    assert_eq!(pages, 15);
}

#[test]
fn the_page_check_finds_what_it_looks_for() {
    assert_eq!(
        executable("<p>a</p><SCRIPT>x</SCRIPT>").as_deref(),
        Some("a <script> element")
    );
    assert_eq!(
        executable("<img src=x onerror=alert(1)>").as_deref(),
        Some("<img onerror=…>")
    );
    assert_eq!(
        executable("<a title='>' href=\"JavaScript:x\">").as_deref(),
        Some("<a href=\"JavaScript:x\">")
    );
    assert_eq!(
        executable("<a href=https://a.cn/ rel=noopener>x</a> 1 < 2"),
        None
    );
    assert_eq!(
        executable("&lt;script&gt; <svg role=img><title>x</title></svg>"),
        None
    );
}

/// A theme template that fails to render: the error names the template and
/// the line as written (not the minified one), and the previous site stays.
#[test]
fn a_failing_theme_template_is_named_with_its_line_and_the_previous_site_stays() {
    let site = base_site();
    let out = site.path().join("public");
    gongkai::commands::build(site.path(), Some(out.clone())).unwrap();
    let before = read_tree(&out);
    let templates = site.path().join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    let agency = common::default_template("agency.html");
    let mut broken: Vec<&str> = agency.lines().collect();
    broken.insert(4, "<p>{{ agency.category.nothing }}</p>");
    fs::write(templates.join("agency.html"), broken.join("\n")).unwrap();

    let run = measured(site.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(concat!(
            "error: template error: Field `nothing` is not defined.\n",
            " --> agency.html:5:23\n",
            "  |\n",
            "5 | <p>{{ agency.category.nothing }}</p>\n",
            "  |                       ^^^^^^^\n",
        )),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(&out), before);

    // A template that does not parse: the same, at its line.
    broken[4] = "<p>{% if %}</p>";
    fs::write(templates.join("agency.html"), broken.join("\n")).unwrap();
    let run = measured(site.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(" --> agency.html:5:10\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("5 | <p>{% if %}</p>\n"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(&out), before);
}

/// Figures at the cell limit in two reports sum exactly (no float, no
/// wrap): the sums of many reports stay far inside the exact type.
#[test]
fn figures_at_the_limit_sum_exactly() {
    let site = base_site();
    for agency in ["weibin", "zhongtongjie"] {
        let path = site.path().join(format!("content/{agency}/2024.yaml"));
        let text = fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let line = if line.trim_start().starts_with("licensing:") {
                "  licensing: 1000000000000".to_string()
            } else if line.trim_start().starts_with("fees:") {
                "  fees: 999999999999.999999".to_string()
            } else {
                line.to_string()
            };
            out.push_str(&line);
            out.push('\n');
        }
        fs::write(&path, out).unwrap();
    }
    let out = site.path().join("public");
    gongkai::commands::build(site.path(), Some(out.clone())).unwrap();
    let summary = fs::read_to_string(out.join("2024/summary.csv")).unwrap();
    assert!(
        summary.contains("\nactive.licensing,行政许可,2000000000000\r\n"),
        "{summary}"
    );
    assert!(
        summary.contains("\nactive.fees,行政事业性收费,1999999999999.999998\r\n"),
        "{summary}"
    );
}

/// An alias bomb and a 5,000-deep list stop in a few MB and well under a
/// minute (the fixture cases say with which message).
#[test]
fn yaml_bombs_stay_within_memory() {
    for case in [
        "yaml-alias-bomb",
        "yaml-deep-flow-nesting",
        "yaml-deep-nesting",
    ] {
        let site = case_site_named(case);
        let run = measured(site.path(), &["check"]);
        assert_eq!(run.code, 1, "{case}: {}", run.stderr);
        assert!(run.peak_kib < PEAK_KIB, "{case}: peak {} KiB", run.peak_kib);
    }
}

/// `import` refuses a 100 MB text unread, names the file, and writes
/// nothing; text with NUL bytes and garbage is refused with its file.
#[test]
fn import_refuses_a_100_mb_text_unread() {
    let site = base_site();
    let text = site.path().join("huge.txt");
    sparse(
        &text,
        "某某局2024年政府信息公开工作年度报告\n".as_bytes(),
        HUNDRED_MB,
    );
    let run = measured(
        site.path(),
        &["import", text.to_str().unwrap(), "--agency", "mouju"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: {}: the text is 104857600 bytes; a report's text is at most 1048576 bytes (1 MiB): is it the right file?",
            text.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.peak_kib < PEAK_KIB, "peak {} KiB", run.peak_kib);
    assert!(!site.path().join("content/mouju").exists());
}
