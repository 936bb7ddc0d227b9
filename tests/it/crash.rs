//! Crash safety: a build killed at any moment (SIGKILL, at seeded random
//! delays through a large build, both ways of swapping the output folder)
//! leaves the output folder either the whole previous site or the whole
//! new one, and the next build puts right what the killed one left (even
//! when it is killed too, while it does) and a build run to its end is
//! byte-identical to a clean build. Builds of the same site at once: each
//! builds or is refused with the lock's message, and the site is whole.

use crate::common;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{read_tree, stderr};

/// Kills per way of swapping (even, so the last is followed by a whole build).
const KILLS: usize = 8;

/// A folder's files: their sorted list and one digest of names and bytes.
#[derive(Debug, PartialEq, Eq)]
struct Tree {
    files: Vec<PathBuf>,
    digest: u64,
}

fn tree(dir: &Path) -> Tree {
    let files = read_tree(dir);
    let mut hasher = std::hash::DefaultHasher::new();
    files.hash(&mut hasher);
    Tree {
        files: files.into_keys().collect(),
        digest: hasher.finish(),
    }
}

/// A generated site of 500 reports (a build of about a second), its title
/// set to `title`.
fn generated_site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    let options = gongkai::generate::Options {
        agencies: 100,
        years: 5,
        last_year: 2024,
        seed: 3,
    };
    assert_eq!(gongkai::generate::generate(&site, &options).unwrap(), 500);
    // The swap is under test, not the search index (written into the same
    // staging folder like every other file), which would make each debug
    // build several times longer.
    common::set_site_option(&site, "search = false");
    site
}

/// Gives the site another title: every page changes with it.
fn set_title(site: &Path, title: &str) {
    let path = site.join("site.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let rest = text.split_once("\ntitle = ").unwrap();
    let after = rest.1.split_once('\n').unwrap().1;
    std::fs::write(&path, format!("{}\ntitle = \"{title}\"\n{after}", rest.0)).unwrap();
}

fn build(site: &Path, output: &Path, two_step: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.arg("--root")
        .arg(site)
        .arg("build")
        .arg("--output")
        .arg(output)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if two_step {
        cmd.arg("--two-step-swap");
    }
    cmd
}

fn build_to_end(site: &Path, output: &Path, two_step: bool) {
    let out = build(site, output, two_step).output().unwrap();
    assert!(out.status.success(), "build failed: {}", stderr(&out));
}

/// What is beside the output folder `public` (the lock, and whatever a
/// killed build left).
fn beside(output: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(output.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    names.sort();
    names
}

/// After a finished build, beside the output: the lock, and the site it
/// swapped out, kept (with gongkai's marker) for the next build to write
/// over; no backup, nothing else.
fn assert_kept_beside(output: &Path, what: &str) {
    let names = beside(output);
    match names.as_slice() {
        [lock] if lock == ".public.gongkai-lock" => {}
        [lock, kept] if lock == ".public.gongkai-lock" && kept == ".public.gongkai-staging" => {
            let kept = output.with_file_name(kept);
            assert!(
                kept.join(".gongkai-output").is_file(),
                "{what}: no marker in the kept site"
            );
        }
        _ => panic!("{what}: beside the output: {names:?}"),
    }
}

/// Fractions of a build's time at which to kill it, from a fixed seed: the
/// same list on every run, spread over loading, rendering, the swap and
/// the removal of the previous site (and some after the end).
fn kill_moments() -> Vec<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..KILLS)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64 * 1.2
        })
        .collect()
}

fn killed_builds_lose_nothing(two_step: bool) {
    let dir = tempfile::tempdir().unwrap();
    let site = generated_site(dir.path());
    let titles = ["甲区政府信息公开年报", "乙区政府信息公开年报"];

    // The two sites a build may publish, each built clean.
    let mut clean = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        set_title(&site, title);
        let out = dir.path().join(format!("clean-{i}"));
        build_to_end(&site, &out, two_step);
        clean.push(tree(&out));
    }
    assert_ne!(clean[0], clean[1]);
    assert!(
        clean[0].files.len() > 1000,
        "{} files",
        clean[0].files.len()
    );

    let output = dir.path().join("public");
    set_title(&site, titles[0]);
    build_to_end(&site, &output, two_step);
    // The moments are scaled by the last full rebuild, which tracks how
    // busy the machine is (no assertion depends on it).
    let clock = Instant::now();
    build_to_end(&site, &output, two_step);
    let mut took = clock.elapsed();
    // `now`: the site the output (or the parked backup) holds.
    let mut now = 0;
    let mut seen = [0usize; 3];
    for (kill, moment) in kill_moments().into_iter().enumerate() {
        let next = 1 - now;
        set_title(&site, titles[next]);
        let mut child = build(&site, &output, two_step)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(took.mul_f64(moment));
        // SIGKILL: nothing of the build runs after it.
        child.kill().unwrap();
        child.wait().unwrap();

        let what = format!(
            "kill {kill} at {moment:.2} of a build (two-step: {two_step}); beside: {:?}",
            beside(&output)
        );
        if output.exists() {
            let found = tree(&output);
            if found == clean[now] {
                seen[0] += 1;
            } else if found == clean[next] {
                seen[1] += 1;
                now = next;
            } else {
                panic!("{what}: the output is neither the previous site nor the new one");
            }
        } else {
            // Only between the two renames of the two-step swap: the
            // previous site waits whole in the backup.
            assert!(two_step, "{what}: the output folder is gone");
            let backup = output.with_file_name(".public.gongkai-backup");
            assert_eq!(tree(&backup), clean[now], "{what}: the backup");
            seen[2] += 1;
        }

        // Every other kill is followed by another killed build, which
        // must first put right what this one left (and may be killed
        // while it does); the others by a build that runs to the end.
        if kill % 2 == 0 {
            continue;
        }
        let clock = Instant::now();
        build_to_end(&site, &output, two_step);
        took = clock.elapsed();
        assert!(
            tree(&output) == clean[next],
            "{what}: the next build differs from a clean build"
        );
        assert_kept_beside(&output, &what);
        now = next;
    }
    eprintln!(
        "two-step {two_step}: after {KILLS} kills the output was the previous site {} times, \
         the new one {} times, parked in the backup {} times",
        seen[0], seen[1], seen[2]
    );
}

#[test]
fn a_build_killed_at_random_moments_leaves_a_whole_site_exchange() {
    killed_builds_lose_nothing(false);
}

#[test]
fn a_build_killed_at_random_moments_leaves_a_whole_site_two_step() {
    killed_builds_lose_nothing(true);
}

/// Three builds of the same site into the same folder at once: each either
/// builds, or is refused with the lock's message (it found another holding
/// the lock); the output is then the same as a clean build, with nothing
/// left beside it. (That the message comes while a build holds the lock is
/// tested deterministically in tests/cli.rs.)
#[test]
fn builds_of_the_same_site_at_once_do_not_corrupt_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let site = generated_site(dir.path());
    let clean = dir.path().join("clean");
    build_to_end(&site, &clean, false);
    let output = dir.path().canonicalize().unwrap().join("public");
    let lock = output.with_file_name(".public.gongkai-lock");
    let refused = format!(
        "another gongkai build is writing {} now (it holds {}); wait for it to finish",
        output.display(),
        lock.display()
    );
    for round in 0..3 {
        let builds: Vec<_> = (0..3)
            .map(|_| build(&site, &output, false).spawn().unwrap())
            .collect();
        let mut done = 0;
        for child in builds {
            let out = child.wait_with_output().unwrap();
            match out.status.code() {
                Some(0) => done += 1,
                Some(1) => assert!(stderr(&out).contains(&refused), "{}", stderr(&out)),
                code => panic!("round {round}: exit {code:?}: {}", stderr(&out)),
            }
        }
        assert!(done >= 1, "round {round}: every build was refused");
        assert_eq!(tree(&output), tree(&clean), "round {round}");
        assert_kept_beside(&output, &format!("round {round}"));
    }
}

/// One traced call: its name, its first argument (a synced file's path as
/// `strace -y` prints it, or the first path of a rename), the second path
/// of a rename, and whether it succeeded. In the order the calls returned.
#[derive(Debug)]
struct Call {
    name: String,
    path: String,
    to: String,
    ok: bool,
}

/// Runs `gongkai build` on `site` under `strace -f -y` tracing the flushes
/// and renames, and returns the calls.
fn traced_build(site: &Path, output: &Path, extra: &[&str]) -> Vec<Call> {
    let log = output.with_file_name("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-y", "-s", "4096", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=fsync,fdatasync,syncfs,renameat2,rename,renameat",
            env!("CARGO_BIN_EXE_gongkai"),
            "--root",
        ])
        .arg(site)
        .args(["build", "--output"])
        .arg(output)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("strace runs (apt-get install strace; .ci/run installs it)");
    assert!(out.status.success(), "traced build: {}", stderr(&out));
    parse_strace(&std::fs::read_to_string(&log).unwrap())
}

/// Reads strace's log. With several threads a call is printed in two
/// lines (`… <unfinished ...>`, then `<... NAME resumed> …) = 0`): it is
/// taken at its second, when it returned.
fn parse_strace(log: &str) -> Vec<Call> {
    let mut pending: std::collections::HashMap<String, (String, String)> = Default::default();
    let mut calls = Vec::new();
    for line in log.lines() {
        let (pid, rest) = match line.split_once(' ') {
            Some((pid, rest)) if pid.chars().all(|c| c.is_ascii_digit()) => (pid, rest.trim()),
            _ => ("", line.trim()),
        };
        if rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let (call, result) = if let Some(resumed) = rest.strip_prefix("<... ") {
            if resumed.starts_with("??? ") {
                continue;
            }
            let Some((name, args)) = pending.remove(pid) else {
                panic!("resumed call without its start: {line}");
            };
            let result = resumed.rsplit_once(" = ").map_or("", |(_, r)| r);
            ((name, args), result.to_string())
        } else {
            let Some((name, args)) = rest.split_once('(') else {
                panic!("not a call: {line}");
            };
            if let Some(args) = args.strip_suffix(" <unfinished ...>") {
                pending.insert(pid.to_string(), (name.to_string(), args.to_string()));
                continue;
            }
            let (args, result) = args.rsplit_once(" = ").expect("a result");
            ((name.to_string(), args.to_string()), result.to_string())
        };
        let (name, args) = call;
        // fsync(3</a/b>) → /a/b; rename("/a", "/b") and
        // renameat2(AT_FDCWD</x>, "/a", AT_FDCWD</x>, "/b", RENAME_EXCHANGE).
        let quoted: Vec<&str> = args.split('"').skip(1).step_by(2).collect();
        let (path, to) = match name.as_str() {
            "fsync" | "fdatasync" | "syncfs" => {
                let start = args.find('<').expect("strace -y path") + 1;
                let end = args.rfind('>').expect("strace -y path");
                (args[start..end].to_string(), String::new())
            }
            _ => (quoted[0].to_string(), quoted[1].to_string()),
        };
        let name = if name == "renameat2" && args.contains("RENAME_EXCHANGE") {
            "exchange".to_string()
        } else {
            name
        };
        calls.push(Call {
            name,
            path,
            to,
            ok: result.trim() == "0",
        });
    }
    // A thread still inside a system call when the process exits is
    // printed as `???( <unfinished ...>` (strace never learned which call
    // it was): not one of the traced calls, so it says nothing.
    pending.retain(|_, (name, _)| name != "???");
    assert!(pending.is_empty(), "calls that never returned: {pending:?}");
    calls
}

/// Every file and folder of `output` (the folder itself included), as the
/// path it had in the staging folder beside it.
fn staged_paths(output: &Path) -> Vec<String> {
    let staging = output.with_file_name(".public.gongkai-staging");
    walkdir::WalkDir::new(output)
        .sort_by_file_name()
        .into_iter()
        .map(|e| {
            let rel = e
                .unwrap()
                .path()
                .strip_prefix(output)
                .unwrap()
                .to_path_buf();
            staging
                .join(rel)
                .to_string_lossy()
                .trim_end_matches('/')
                .to_string()
        })
        .collect()
}

/// The power-cut guarantee, by the order of the system calls: every file
/// and folder of the new site is flushed (and the flush returned) before
/// the swap, and the folder holding the output after it, in each way of
/// swapping; `--no-sync` flushes nothing.
#[test]
#[ignore = "needs strace (installed by .ci/run, which runs ignored tests too)"]
fn every_file_is_flushed_before_the_swap_and_the_swap_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&common::base_dir(), &site);
    let dir = dir.path().canonicalize().unwrap();
    let output = dir.join("public");
    let staging = output.with_file_name(".public.gongkai-staging");
    let (staging_s, output_s) = (
        staging.to_string_lossy().to_string(),
        output.to_string_lossy().to_string(),
    );
    // A first build (a rename onto a new output), then an exchange with
    // the previous output, then two renames.
    for (way, extra) in [
        ("new output", &[][..]),
        ("exchange", &[][..]),
        ("two renames", &["--two-step-swap"][..]),
    ] {
        let calls = traced_build(&site, &output, extra);
        let swap = |c: &Call| match way {
            "exchange" => c.name == "exchange" && c.path == staging_s && c.to == output_s,
            _ => c.name == "rename" && c.path == staging_s && c.to == output_s,
        };
        let at = calls
            .iter()
            .position(swap)
            .unwrap_or_else(|| panic!("{way}: no swap of staging into the output in {calls:#?}"));
        assert!(calls[at].ok, "{way}: the swap failed");
        if way == "two renames" {
            let parked = output.with_file_name(".public.gongkai-backup");
            let before = &calls[at - 1];
            assert!(
                before.name == "rename"
                    && before.path == output_s
                    && before.to == *parked.to_string_lossy(),
                "{way}: the output is parked first: {before:?}"
            );
        }
        assert!(
            !calls.iter().any(|c| c.name == "exchange") || way == "exchange",
            "{way}: {calls:#?}"
        );
        // On Linux one syncfs of the staging folder's file system flushes
        // every file and folder of it; elsewhere each is flushed, files
        // before the folders that hold them.
        let flushed_whole = calls[..at]
            .iter()
            .any(|c| c.name == "syncfs" && c.ok && c.path == staging_s);
        if cfg!(target_os = "linux") {
            assert!(
                flushed_whole,
                "{way}: no syncfs of the staging folder before the swap: {calls:#?}"
            );
        } else {
            let synced: std::collections::HashSet<&str> = calls[..at]
                .iter()
                .filter(|c| (c.name == "fsync" || c.name == "fdatasync") && c.ok)
                .map(|c| c.path.as_str())
                .collect();
            let staged = staged_paths(&output);
            assert!(staged.len() > 40, "{way}: {} paths", staged.len());
            let unsynced: Vec<&String> = staged
                .iter()
                .filter(|p| !synced.contains(p.as_str()))
                .collect();
            assert!(
                unsynced.is_empty(),
                "{way}: not flushed before the swap: {unsynced:#?}"
            );
            let position = |path: &str| {
                calls[..at]
                    .iter()
                    .rposition(|c| c.path == path && c.name.contains("sync"))
                    .unwrap()
            };
            let report = staging.join("2024/weibin/index.html");
            let report = report.to_string_lossy();
            let folder = staging.join("2024/weibin");
            assert!(
                position(&report) < position(&folder.to_string_lossy()),
                "{way}"
            );
        }
        // Then the folder that holds the output's entry.
        assert!(
            calls[at + 1..]
                .iter()
                .any(|c| c.name == "fsync" && c.ok && c.path == *dir.to_string_lossy()),
            "{way}: the parent folder is not flushed after the swap: {:#?}",
            &calls[at..]
        );
    }

    let calls = traced_build(&site, &output, &["--no-sync"]);
    assert!(calls.iter().any(|c| c.name == "exchange"), "{calls:#?}");
    let flushes: Vec<&Call> = calls.iter().filter(|c| c.name.contains("sync")).collect();
    assert!(flushes.is_empty(), "--no-sync flushed: {flushes:#?}");
}
