//! The `gongkai` binary: parses arguments, runs a library command, and turns
//! diagnostics and errors into reports for the terminal (miette).

mod cli;
mod console;
mod print;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, FormatArg};
use gongkai::commands;
use gongkai::model::Format;
use gongkai::serve::ServeOptions;

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
        Command::Check {
            deny_warnings,
            allow_missing_members,
        } => {
            let loaded = commands::check_with(
                root,
                gongkai::load::LoadOptions {
                    allow_missing_members,
                },
            );
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
        Command::Build {
            output,
            timings,
            no_sync,
            two_step_swap,
            allow_missing_members,
        } => {
            let options = gongkai::pipeline::BuildOptions {
                output,
                sync: !no_sync,
                swap: if two_step_swap {
                    gongkai::output::Swap::TwoRenames
                } else {
                    gongkai::output::Swap::Exchange
                },
                load: gongkai::load::LoadOptions {
                    allow_missing_members,
                },
            };
            let result = gongkai::pipeline::load_and_build(root, &options);
            let (loaded, summary) = match result {
                Ok(done) => done,
                Err(gongkai::Error::Invalid(loaded)) => {
                    return Ok(console::refused(
                        &loaded,
                        "build",
                        "the previous output is left untouched",
                    ));
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
        } => print::audit(root, year, output, deny_flags),
        Command::Serve {
            port,
            bind,
            open,
            poll,
            timings,
            allow_missing_members,
        } => print::serve(
            root,
            ServeOptions {
                bind,
                port,
                poll,
                load: gongkai::load::LoadOptions {
                    allow_missing_members,
                },
            },
            open,
            timings,
        ),
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
        } => match agency {
            Some(agency) => print::import(
                root,
                &gongkai::import::Request {
                    files,
                    year,
                    cells,
                    dry_run,
                    options: gongkai::import::Options {
                        agency,
                        category,
                        force,
                    },
                },
            ),
            None if year.is_some() || !cells.is_empty() => Err(gongkai::Error::Import {
                file: files[0].clone(),
                line: None,
                message: "--year and --cell apply to one agency's file: give its --agency"
                    .to_string(),
            }),
            None => print::import_folder(
                root,
                &files,
                &gongkai::import::folder::FolderRequest {
                    dry_run,
                    force,
                    category,
                },
            ),
        },
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
