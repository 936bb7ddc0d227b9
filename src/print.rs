//! What the long-running and many-file commands print: `serve`'s session
//! (the first build, each rebuild, the errors and their fixing) and
//! `import`'s outcome per file, and `audit`'s summary (agencies flagged per
//! flag). Diagnostics themselves go through [`crate::console`].

use std::path::PathBuf;
use std::process::ExitCode;

use gongkai::serve::{Notice, ServeOptions, Server};

use crate::console;

pub fn serve(
    root: &std::path::Path,
    options: ServeOptions,
    open: bool,
    timings: bool,
) -> gongkai::Result<ExitCode> {
    let root = root
        .canonicalize()
        .map_err(|e| gongkai::Error::io(root, e))?;
    // The terminal prints the diagnostics exactly as the browsers' overlay
    // shows them (without colour): the text the rebuild made, not a second
    // load of the site.
    let plain: gongkai::serve::Formatter = std::sync::Arc::new(|l| console::format(l, false));
    let (server, preview, first) = Server::start(&root, &options, plain)?;
    match &preview.snapshot.errors {
        Some(errors) => {
            eprintln!("the site has errors; pages show them until they are fixed:");
            eprint!("{errors}");
        }
        None => eprintln!(
            "built {} file(s) in {} ms ({} warning(s))",
            preview.snapshot.files.len(),
            first.took.as_millis(),
            first.warnings
        ),
    }
    let url = format!("http://{}/", server.addr);
    // Tests and scripts read this line to find the port.
    println!("serving {} at {url} (Ctrl-C to stop)", root.display());
    if options.bind != "127.0.0.1" && options.bind != "localhost" && options.bind != "::1" {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can see the preview",
            options.bind
        );
    }
    if open {
        open_browser(&url);
    }
    let mut failing = preview.snapshot.errors.is_some();
    server.watch(preview, |notice| match notice {
        Notice::Rebuilt { outcome, cause } => {
            if std::mem::take(&mut failing) {
                eprintln!("the errors are fixed ({})", describe(&cause));
            }
            if outcome.changed.is_empty() {
                return;
            }
            eprintln!(
                "rebuilt in {} ms: {} page(s) rendered, {} file(s) changed ({})",
                outcome.took.as_millis(),
                outcome.rendered,
                outcome.changed.len(),
                describe(&cause)
            );
            if timings {
                for (phase, took) in &outcome.phases {
                    eprintln!("  {phase:<10} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
        }
        Notice::Failed { cause, errors } => {
            failing = true;
            eprintln!("not rebuilt ({}): the content has errors", describe(&cause));
            eprint!("{errors}");
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// `import`: the library reads, plans, writes (or shows) and checks each
/// file; this prints what became of each. Exit 1 when any file was refused
/// or its result has errors.
/// What the reader of an imported file should know, on stderr: notes on
/// its cells, the rules its published figures break, a new agency's
/// category.
fn import_notes(name: &str, done: &gongkai::import::Done) {
    for note in &done.imported.notes {
        eprintln!("note: {name}: {note}");
    }
    for b in &done.imported.broken {
        eprintln!("warning: {name}: as published: {b}");
    }
    if let Some(n) = &done.plan.category_note {
        eprintln!("note: {n}");
    }
}

pub fn import(
    root: &std::path::Path,
    request: &gongkai::import::Request,
) -> gongkai::Result<ExitCode> {
    let outcomes = gongkai::import::run(root, request, &mut |outcome| {
        let name = outcome.file.display().to_string();
        let done = match &outcome.result {
            Ok(done) => done,
            Err(e) => {
                console::error(e);
                return;
            }
        };
        let imported = &done.imported;
        import_notes(&name, done);
        println!("{name}: {}", imported.summary());
        if imported.as_published() {
            println!(
                "{name}: the published figures break {} rule(s): kept as published (as_published: true)",
                imported.broken.len()
            );
        }
        for (path, text) in &done.plan.files {
            if done.written {
                println!("wrote {}", path.display());
            } else {
                println!("--- {} (dry run: not written)", path.display());
                print!("{text}");
            }
        }
        console::diagnostics(&done.checked);
    })?;
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    if outcomes.len() > 1 {
        println!(
            "imported {} of {} file(s)",
            outcomes.len() - failed,
            outcomes.len()
        );
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A folder of more files than this gets a progress bar (on a terminal).
const HANDFUL: usize = 5;

/// A progress bar on stderr when it is a terminal and there are more than
/// a handful of files; never in captured output.
fn progress(len: usize, what: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if len <= HANDFUL || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    Some(bar)
}

/// Runs `f` with the bar out of the way, so that what it prints is not
/// drawn over.
fn above(bar: &Option<indicatif::ProgressBar>, f: impl FnOnce()) {
    match bar {
        Some(b) => b.suspend(f),
        None => f(),
    }
}

/// `import FOLDER` without `--agency`: the plan (with `--dry-run`), each
/// file's notes and errors as it goes, then the summary table. Exit 1 when
/// any file was refused, after everything else was written.
pub fn import_folder(
    root: &std::path::Path,
    paths: &[PathBuf],
    request: &gongkai::import::folder::FolderRequest,
) -> gongkai::Result<ExitCode> {
    use gongkai::import::folder;
    let found = folder::files(paths)?;
    let total = found.len();
    let bar = progress(total, "reading titles");
    let planned = folder::plan(root, found, &mut |shown| {
        if let Some(b) = &bar {
            b.set_message(shown.to_string());
            b.inc(1);
        }
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if request.dry_run {
        println!("plan ({total} file(s); dry run: nothing is written):");
        for p in &planned {
            println!("  {}", p.describe());
        }
    }
    let bar = progress(total, "importing");
    let rows = folder::run(root, planned, request, &mut |outcome, row| {
        above(&bar, || {
            let name = outcome.file.display().to_string();
            match &outcome.result {
                Err(e) => console::error(e),
                Ok(done) => {
                    import_notes(&name, done);
                    console::diagnostics(&done.checked);
                }
            }
        });
        if let Some(b) = &bar {
            b.set_message(row.shown.clone());
            b.inc(1);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    print!("{}", folder::table(&rows, request.dry_run));
    Ok(if rows.iter().any(folder::Row::refused) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(paths: &[PathBuf]) -> String {
    match paths {
        [] => "rescan".to_string(),
        [one] => one.display().to_string(),
        [one, rest @ ..] => format!("{} and {} more", one.display(), rest.len()),
    }
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(e) = command {
        eprintln!("could not open a browser ({e}); open {url} yourself");
    }
}

/// Runs `audit` and prints, per year, how many agencies each flag concerns.
/// Exit 0 whatever it finds; with `deny_flags`, 1 when any flag is raised.
pub fn audit(
    root: &std::path::Path,
    year: Option<i32>,
    output: Option<PathBuf>,
    deny_flags: bool,
) -> gongkai::Result<ExitCode> {
    let options = gongkai::audit::AuditOptions { year, output };
    let summary = match gongkai::audit::audit(root, &options) {
        Ok((_, summary)) => summary,
        Err(gongkai::Error::Invalid(loaded)) => {
            return Ok(console::refused(
                &loaded,
                "audit",
                "fix them first (gongkai check)",
            ));
        }
        Err(e) => return Err(e),
    };
    for y in &summary.years {
        println!(
            "{}: {} of {} agenc{} flagged ({} flag(s))",
            y.year,
            y.flagged,
            y.agencies,
            if y.agencies == 1 { "y" } else { "ies" },
            y.flags
        );
        for (kind, agencies) in &y.per_kind {
            println!("  {:<16} {agencies}", kind.as_str());
        }
    }
    println!(
        "wrote {} file(s) into {}",
        summary.files,
        summary.output.display()
    );
    Ok(if deny_flags && summary.flags() > 0 {
        eprintln!("--deny-flags: {} flag(s) raised", summary.flags());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
