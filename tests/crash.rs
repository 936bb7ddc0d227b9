//! Crash safety: a build killed at any moment (SIGKILL, at seeded random
//! delays through a large build, both ways of swapping the output folder)
//! leaves the output folder either the whole previous site or the whole
//! new one, and the next build puts right what the killed one left and is
//! byte-identical to a clean build. Two builds of the same site at once:
//! the second is refused with the lock's message, the first is not harmed.

mod common;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{read_tree, stderr};

/// Kills per way of swapping: each costs about two builds.
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
        cmd.env(gongkai::output::TWO_STEP_ENV, "1");
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

        let clock = Instant::now();
        build_to_end(&site, &output, two_step);
        took = clock.elapsed();
        assert!(
            tree(&output) == clean[next],
            "{what}: the next build differs from a clean build"
        );
        assert_eq!(beside(&output), [".public.gongkai-lock"], "{what}");
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

/// A second build while one runs is refused, with the lock's message; the
/// running one finishes and publishes the same site as a clean build.
#[test]
fn a_second_build_of_the_same_site_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let site = generated_site(dir.path());
    let clean = dir.path().join("clean");
    build_to_end(&site, &clean, false);
    let output = dir.path().canonicalize().unwrap().join("public");
    let staging = output.with_file_name(".public.gongkai-staging");

    let first = build(&site, &output, false).spawn().unwrap();
    // The staging folder is made after the lock is taken.
    let clock = Instant::now();
    while !staging.exists() {
        assert!(
            clock.elapsed() < Duration::from_secs(60),
            "the first build never started writing"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let second = build(&site, &output, false).output().unwrap();
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let lock = output.with_file_name(".public.gongkai-lock");
    assert!(
        stderr(&second).contains(&format!(
            "another gongkai build is writing {} now (it holds {}); wait for it to finish",
            output.display(),
            lock.display()
        )),
        "{}",
        stderr(&second)
    );
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(tree(&output), tree(&clean));
    assert_eq!(beside(&output), [".public.gongkai-lock"]);
}
