//! Command-line arguments, kept apart from the work they start.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "gongkai",
    version,
    about = "公开 · a static site generator for 政府信息公开工作年度报告 portals"
)]
pub struct Cli {
    /// The site folder (holding site.toml); default: the current folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new site in DIR that passes `check` at once.
    Init {
        /// A new or empty folder.
        dir: PathBuf,
    },
    /// Load and validate everything; print every diagnostic; exit 1 on errors.
    Check {
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// A member whose summary cannot be read (missing file, unreachable
        /// URL) is a warning, not an error.
        #[arg(long)]
        allow_missing_members: bool,
    },
    /// Check, then build the site into its output folder (atomically).
    Build {
        /// Output folder, relative to the current folder (default: output_dir of site.toml).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Print the time of each build phase.
        #[arg(long)]
        timings: bool,
        /// Do not flush the new site to disk before swapping it in (faster;
        /// for throwaway builds: a power cut may leave empty pages).
        #[arg(long)]
        no_sync: bool,
        /// Swap the output folder with two renames even where the OS can
        /// exchange it in one step (for the crash tests).
        #[arg(long, hide = true)]
        two_step_swap: bool,
        /// Build without a member whose summary cannot be read (missing
        /// file, unreachable URL): a warning, and a notice on every page.
        #[arg(long)]
        allow_missing_members: bool,
    },
    /// The supervisor's review, out of the public site: per year a printable
    /// page of flags (late, missing, inconsistent, copied prose, jumps…),
    /// indicators and peer quartiles, with flags.csv and the figures as CSV.
    Audit {
        /// Only this year (default: every year with a report).
        #[arg(long)]
        year: Option<i32>,
        /// Output folder, relative to the current folder (default: `audit/`
        /// in the site's folder, beside content/).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Exit 1 when any flag is raised (for CI of a content repository).
        #[arg(long)]
        deny_flags: bool,
    },
    /// Preview the site: build it in memory, serve it, rebuild on every
    /// change and reload the browser; errors show in the page.
    Serve {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; 0.0.0.0 shows the preview to the whole network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Poll for changes instead of OS events (network drives, WSL, some containers).
        #[arg(long)]
        poll: bool,
        /// After each rebuild, print how long each phase took.
        #[arg(long)]
        timings: bool,
        /// Preview without a member whose summary cannot be read.
        #[arg(long)]
        allow_missing_members: bool,
    },
    /// Write a synthetic site (benchmarks, tests): AGENCIES × YEARS reports
    /// that pass every rule.
    #[command(hide = true)]
    Generate {
        /// A new or empty folder.
        dir: PathBuf,
        #[arg(long, default_value_t = 200)]
        agencies: usize,
        #[arg(long, default_value_t = 5)]
        years: usize,
        #[arg(long, default_value_t = 2024)]
        last_year: i32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Convert published reports' text (or PDF, through pdftotext) into
    /// content/AGENCY/YEAR.yaml and .md; never guesses a figure.
    Import {
        /// Published reports (text, PDF, web pages .html/.htm, Word .docx), or folders of them.
        /// Without --agency, folders are searched to the bottom and each
        /// file's agency is found from its title (a whole district at once).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The agency's slug: its folder under content/. Without it, each
        /// file's agency comes from its title, matched by name or short
        /// name, or new with a pinyin slug.
        #[arg(long)]
        agency: Option<String>,
        /// The report's year, when the title does not state it (checked when it does).
        #[arg(long)]
        year: Option<i32>,
        /// Category key of a new agency (default: from its name; without
        /// --agency, of every new agency).
        #[arg(long)]
        category: Option<String>,
        /// Print the files and the check instead of writing them.
        #[arg(long)]
        dry_run: bool,
        /// Replace existing YEAR.yaml and YEAR.md.
        #[arg(long)]
        force: bool,
        /// A cell the text leaves undecided, read from the original:
        /// KEY=VALUE with the data files' keys (e.g. active.normative_documents.repealed=132).
        #[arg(long = "cell", value_name = "KEY=VALUE")]
        cells: Vec<String>,
    },
    /// Scaffold a draft report (and the agency, if new). Never overwrites.
    New {
        /// The agency's slug: its folder under content/ (e.g. zhongtongjie).
        agency: String,
        /// The report's year (the year reported on, not of publication).
        year: i32,
        /// Full official name of a new agency.
        #[arg(long)]
        name: Option<String>,
        /// Category key of a new agency (from site.toml).
        #[arg(long)]
        category: Option<String>,
        /// Report format; default 2019 for years ≤ 2020, else 2021.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    #[value(name = "2019")]
    F2019,
    #[value(name = "2021")]
    F2021,
}
