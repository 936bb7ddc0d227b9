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
    let mut source = None;
    if let Some(span) = d.span
        && !text.is_empty()
        && span.offset() <= text.len()
        && text.is_char_boundary(span.offset())
    {
        let len = span.len().min(text.len() - span.offset());
        let (shown, at, len) = excerpt(text, span.offset(), len);
        diag = diag.with_label(LabeledSpan::at(at..at + len, "here"));
        source = Some(shown);
    }
    let report = miette::Report::new(diag);
    if let Some(shown) = source {
        let name = d.file.to_string_lossy().replace('\\', "/");
        let report = report.with_source_code(NamedSource::new(name, shown));
        handler.render_report(out, report.as_ref())
    } else {
        handler.render_report(out, report.as_ref())
    }
}

/// The widest source line shown, in characters: a 10,000-character line
/// (a minified file, a line of `[[[…`) is shown cut around the cell.
const WIDEST: usize = 120;

/// The source as shown: the lines around the span cut to [`WIDEST`]
/// characters (the span's line around the span), the other lines emptied so
/// that line numbers stay true; and the span's offset and length in it.
fn excerpt(text: &str, offset: usize, len: usize) -> (String, usize, usize) {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let before = text[..line_start].lines().count();
    let lines: Vec<&str> = text.lines().collect();
    let wide = |n: usize| lines.get(n).is_some_and(|l| l.chars().count() > WIDEST);
    if !(wide(before) || (before > 0 && wide(before - 1)) || wide(before + 1)) {
        return (text.to_string(), offset, len);
    }
    let cut = |line: &str, from: usize| -> String {
        let mut out: String = if from > 0 {
            "…".into()
        } else {
            String::new()
        };
        out.extend(line.chars().skip(from).take(WIDEST));
        if line.chars().count() > from + WIDEST {
            out.push('…');
        }
        out
    };
    let mut shown = String::new();
    for _ in 0..before.saturating_sub(1) {
        shown.push('\n');
    }
    if before > 0 {
        shown.push_str(&cut(lines[before - 1], 0));
        shown.push('\n');
    }
    let line = &text[line_start..line_end];
    let column = text[line_start..offset].chars().count();
    let from = column.saturating_sub(WIDEST / 2);
    let at_line = shown.len();
    let cut_line = cut(line, from);
    let prefix = if from > 0 { "…".len() } else { 0 };
    let at = at_line
        + prefix
        + line
            .chars()
            .skip(from)
            .take(column - from)
            .map(char::len_utf8)
            .sum::<usize>();
    let room = at_line + cut_line.len() - at;
    shown.push_str(&cut_line);
    if let Some(next) = lines.get(before + 1) {
        shown.push('\n');
        shown.push_str(&cut(next, 0));
    }
    (shown, at, len.min(room))
}

/// Prints an error that stopped a command.
/// A command refused because the site has errors: its diagnostics, then
/// `<command> refused: N error(s); <then>`; the exit code to return.
pub fn refused(loaded: &Loaded, command: &str, then: &str) -> std::process::ExitCode {
    diagnostics(loaded);
    eprintln!(
        "{command} refused: {} error(s); {then}",
        loaded.diagnostics.error_count()
    );
    std::process::ExitCode::FAILURE
}

/// A refused site (`Error::Invalid`) prints its diagnostics with their
/// source lines first, from what was loaded (never a second load).
pub fn error(err: &Error) {
    if let Error::Invalid(loaded) = err {
        diagnostics(loaded);
    }
    eprintln!("error: {err}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_span_and_keeps_its_number() {
        let long = format!("{}X{}", "甲".repeat(500), "b".repeat(500));
        let text = format!("a: 1\nb: 2\n{long}\nc: 3\n");
        let offset = text.find('X').unwrap();
        let (shown, at, len) = excerpt(&text, offset, 1);
        assert_eq!(&shown[at..at + len], "X");
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], "");
        assert_eq!(lines[1], "b: 2");
        assert_eq!(
            lines[2],
            format!("…{}X{}…", "甲".repeat(60), "b".repeat(59))
        );
        assert_eq!(lines[3], "c: 3");
        // Short lines are shown as they are.
        assert_eq!(
            excerpt("a: 1\nb: 2\n", 8, 1),
            ("a: 1\nb: 2\n".to_string(), 8, 1)
        );
    }
}
