//! The `gongkai` binary: parses arguments, runs a library command, and turns
//! diagnostics and errors into reports for the terminal (miette).

mod cli;
mod console;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, FormatArg};
use gongkai::commands;
use gongkai::model::Format;
use gongkai::serve::{Notice, ServeOptions, Server};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
    match run(cli.command, &root) {
        Ok(code) => code,
        Err(err) => {
            console::error(&err);
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, root: &std::path::Path) -> gongkai::Result<ExitCode> {
    match command {
        Command::Init { dir } => {
            let files = commands::init(&dir)?;
            println!("created a new site in {}:", dir.display());
            for f in files {
                println!("  {}", f.display());
            }
            println!("next: cd {} && gongkai check", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { deny_warnings } => {
            let loaded = commands::check(root);
            console::diagnostics(&loaded);
            let d = &loaded.diagnostics;
            if let Some(site) = &loaded.site {
                eprintln!(
                    "checked {} report(s) of {} agenc{}: {} error(s), {} warning(s)",
                    site.reports.len(),
                    site.agencies.len(),
                    if site.agencies.len() == 1 { "y" } else { "ies" },
                    d.error_count(),
                    d.warning_count()
                );
            }
            let failed = d.has_errors() || (deny_warnings && d.warning_count() > 0);
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Build { output, timings } => {
            let result = commands::build(root, output);
            let (loaded, summary) = match result {
                Ok(done) => done,
                Err(gongkai::Error::Invalid(loaded)) => {
                    console::diagnostics(&loaded);
                    eprintln!(
                        "build refused: {} error(s); the previous output is left untouched",
                        loaded.diagnostics.error_count()
                    );
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e),
            };
            console::diagnostics(&loaded);
            if timings {
                for (phase, time) in loaded.timings.iter().chain(&summary.timings) {
                    eprintln!("  {phase:<10} {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
            }
            eprintln!(
                "built {} page(s), {} file(s), {} bytes into {} ({} warning(s))",
                summary.pages,
                summary.files,
                summary.bytes,
                summary.output.display(),
                loaded.diagnostics.warning_count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            year,
            output,
            deny_flags,
        } => audit(root, year, output, deny_flags),
        Command::Serve {
            port,
            bind,
            open,
            poll,
            timings,
        } => serve(root, ServeOptions { bind, port, poll }, open, timings),
        Command::Generate {
            dir,
            agencies,
            years,
            last_year,
            seed,
        } => {
            let reports = gongkai::generate::generate(
                &dir,
                &gongkai::generate::Options {
                    agencies,
                    years,
                    last_year,
                    seed,
                },
            )?;
            println!("wrote {reports} report(s) into {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            agency,
            year,
            category,
            dry_run,
            force,
            cells,
        } => import(
            root,
            &files,
            year,
            &cells,
            dry_run,
            &gongkai::import::Options {
                agency,
                category,
                force,
            },
        ),
        Command::New {
            agency,
            year,
            name,
            category,
            format,
        } => {
            let files = commands::new_report(
                root,
                &commands::NewReport {
                    agency,
                    year,
                    name,
                    category,
                    format: format.map(|f| match f {
                        FormatArg::F2019 => Format::F2019,
                        FormatArg::F2021 => Format::F2021,
                    }),
                },
            )?;
            for f in files {
                println!("created {}", f.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn audit(
    root: &std::path::Path,
    year: Option<i32>,
    output: PathBuf,
    deny_flags: bool,
) -> gongkai::Result<ExitCode> {
    let options = gongkai::audit::AuditOptions { year, output };
    let (loaded, summary) = match gongkai::audit::audit(root, &options) {
        Ok(done) => done,
        Err(gongkai::Error::Invalid(loaded)) => {
            console::diagnostics(&loaded);
            eprintln!(
                "audit refused: {} error(s); fix them first (gongkai check)",
                loaded.diagnostics.error_count()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e),
    };
    let _ = loaded;
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

fn serve(
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

/// `import`: each file read, planned, written (or printed), checked; a
/// summary line per file. Exit 1 when any file was refused or its result
/// has errors.
fn import(
    root: &std::path::Path,
    files: &[PathBuf],
    year: Option<i32>,
    cells: &[String],
    dry_run: bool,
    options: &gongkai::import::Options,
) -> gongkai::Result<ExitCode> {
    use gongkai::import;
    import::check_slug(&options.agency)?;
    let given = import::parse_given(cells)?;
    let files = import::expand(files)?;
    if files.len() > 1 && (year.is_some() || !given.is_empty()) {
        eprintln!("error: --year and --cell apply to one file; import the others separately");
        return Ok(ExitCode::FAILURE);
    }
    if !root.join("site.toml").exists() {
        return Err(gongkai::Error::Import {
            file: root.join("site.toml"),
            line: None,
            message: "no site here: run `gongkai init DIR` first, or pass --root".to_string(),
        });
    }
    let mut failed = 0;
    let mut years = std::collections::BTreeMap::new();
    for file in &files {
        let name = file.display().to_string();
        let result = (|| -> gongkai::Result<bool> {
            let text = import::file_text(file)?;
            let mut imported = import::read_text(&text, file, year, &given)?;
            if let Some(other) = years.insert(imported.year, name.clone()) {
                return Err(gongkai::Error::Import {
                    file: file.clone(),
                    line: None,
                    message: format!("{} is also the year of {other}", imported.year),
                });
            }
            let site = gongkai::load(root)
                .site
                .ok_or_else(|| gongkai::Error::Import {
                    file: root.join("site.toml"),
                    line: None,
                    message: "site.toml cannot be read; run `gongkai check`".to_string(),
                })?;
            let plan = import::plan(root, &site, &mut imported, file, options)?;
            for note in &imported.notes {
                eprintln!("note: {name}: {note}");
            }
            for b in &imported.broken {
                eprintln!("warning: {name}: as published: {b}");
            }
            if let Some(n) = &plan.category_note {
                eprintln!("note: {n}");
            }
            println!("{name}: {}", imported.summary());
            if imported.as_published() {
                println!(
                    "{name}: the published figures break {} rule(s): kept as published (as_published: true)",
                    imported.broken.len()
                );
            }
            if dry_run {
                for (path, text) in &plan.files {
                    println!("--- {} (dry run: not written)", path.display());
                    print!("{text}");
                }
            } else {
                import::write(root, &plan)?;
                for (path, _) in &plan.files {
                    println!("wrote {}", path.display());
                }
            }
            let checked = import::check_planned(root, &plan, !dry_run)?;
            console::diagnostics(&checked);
            Ok(!checked.diagnostics.has_errors())
        })();
        match result {
            Ok(true) => {}
            Ok(false) => failed += 1,
            Err(e) => {
                console::error(&e);
                failed += 1;
            }
        }
    }
    if files.len() > 1 {
        println!(
            "imported {} of {} file(s)",
            files.len() - failed,
            files.len()
        );
    }
    Ok(if failed > 0 {
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
