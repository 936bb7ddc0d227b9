//! Turning diagnostics and errors into terminal reports, like rustc: the
//! message, then the source line with the cell underlined.

use std::io::IsTerminal;

use gongkai::{Diagnostic, Error, Loaded, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

/// Colour when stderr is a terminal and NO_COLOR is not set.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // The message starts with `path:line:col`; miette's own copy of it in the
    // snippet's header counts the column in bytes (wrong after any Chinese
    // character or a BOM), so it is left out.
    GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .without_primary_span_start()
}

/// Prints every diagnostic of a loaded site to stderr.
pub fn diagnostics(loaded: &Loaded) {
    eprint!("{}", format(loaded, color()));
}

/// Every diagnostic of a loaded site as `check` prints it, and the count.
pub fn format(loaded: &Loaded, color: bool) -> String {
    let handler = handler(color);
    let mut all = String::new();
    for d in &loaded.diagnostics {
        let mut out = String::new();
        let text = loaded.source(&d.file).unwrap_or("");
        let rendered = render(&handler, d, text, &mut out);
        if rendered.is_err() || out.is_empty() {
            all.push_str(&format!("{}: {d}\n", d.severity));
        } else {
            all.push_str(&out);
        }
    }
    all
}

fn render(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    text: &str,
    out: &mut String,
) -> std::fmt::Result {
    let mut diag = MietteDiagnostic::new(d.to_string()).with_severity(match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    });
    if let Some(help) = &d.help {
        diag = diag.with_help(help.clone());
    }
    let with_source = match d.span {
        Some(span) if !text.is_empty() && span.offset() <= text.len() => {
            let len = span.len().min(text.len() - span.offset());
            diag = diag.with_label(LabeledSpan::at(span.offset()..span.offset() + len, "here"));
            true
        }
        _ => false,
    };
    let report = miette::Report::new(diag);
    if with_source {
        let name = d.file.to_string_lossy().replace('\\', "/");
        let report = report.with_source_code(NamedSource::new(name, text.to_string()));
        handler.render_report(out, report.as_ref())
    } else {
        handler.render_report(out, report.as_ref())
    }
}

/// Prints an error that stopped a command.
pub fn error(err: &Error) {
    if let Error::Invalid(diags) = err {
        for d in diags {
            eprintln!("{}: {d}", d.severity);
        }
    }
    eprintln!("error: {err}");
}
