//! `<year>.md` → [`Prose`]: the preamble and the sections 一、五、六, found
//! by their level-2 headings (official titles and their known variants).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::fields::FileCx;
use super::yaml::offset_of;
use crate::diagnostics::{Rule, Span};
use crate::model::{Prose, ProseKind, ProseSection};

/// Splits the Markdown at its level-2 headings. Unknown or repeated
/// headings are errors; a missing 一、五 or 六 is a warning.
pub fn parse(cx: &mut FileCx, source: &str) -> Prose {
    let headings = headings(source);
    let mut prose = Prose::default();
    let mut cut = Vec::new();
    for h in &headings {
        let span = span_at(source, h.start);
        if h.level == HeadingLevel::H1 {
            cx.error_help(
                Rule::Heading,
                span,
                format!(
                    "level-1 heading `# {}`: the report's title is generated",
                    h.text
                ),
                "remove it; sections are level-2 headings (`## 一、总体情况`)".to_string(),
            );
            continue;
        }
        match classify(&h.text) {
            Some(kind) if prose.section(kind).is_some() => {
                cx.error(
                    Rule::Heading,
                    span,
                    format!(
                        "section {}、{} appears twice (also at line {})",
                        kind.numeral(),
                        kind.title(),
                        prose.section(kind).map_or(0, |s| s.line)
                    ),
                );
            }
            Some(kind) => {
                prose.sections.push(ProseSection {
                    kind,
                    title: strip_numeral(&h.text).to_string(),
                    markdown: String::new(),
                    line: span.line,
                    body_line: 0,
                    body_offset: 0,
                });
                cut.push((h.start, h.end, prose.sections.len() - 1));
            }
            None => {
                cx.error_help(
                    Rule::Heading,
                    span,
                    format!("unknown section heading `## {}`", h.text),
                    "the prose sections are `## 一、总体情况`, `## 五、存在的主要问题及改进情况` and `## 六、其他需要报告的事项`; sections 二、三、四 are generated from <year>.yaml; use `###` for sub-headings".to_string(),
                );
            }
        }
    }
    // Each section runs from the end of its heading to the next known
    // heading; unknown headings stay inside the text they interrupt.
    let first = cut.first().map_or(source.len(), |c| c.0);
    prose.preamble = source[..first].trim().to_string();
    for (i, &(_, end, index)) in cut.iter().enumerate() {
        let stop = cut.get(i + 1).map_or(source.len(), |c| c.0);
        let body = &source[end..stop];
        let lead = body.len() - body.trim_start().len();
        let section = &mut prose.sections[index];
        section.markdown = body.trim().to_string();
        section.body_offset = end + lead;
        section.body_line = source[..end + lead].matches('\n').count() as u32 + 1;
    }
    for kind in ProseKind::ALL {
        if prose.section(kind).is_none() {
            cx.warning(
                Rule::Prose,
                Span::start(),
                format!(
                    "no section {}、{} in the prose",
                    kind.numeral(),
                    kind.title()
                ),
            );
        }
    }
    prose.sections.sort_by_key(|s| s.kind);
    prose
}

struct Heading {
    level: HeadingLevel,
    text: String,
    start: usize,
    end: usize,
}

fn headings(source: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut current: Option<Heading> = None;
    for (event, range) in Parser::new(source).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. })
                if matches!(level, HeadingLevel::H1 | HeadingLevel::H2) =>
            {
                current = Some(Heading {
                    level,
                    text: String::new(),
                    start: range.start,
                    end: range.end,
                });
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = current.take() {
                    h.text = h.text.trim().to_string();
                    out.push(h);
                }
            }
            _ => {}
        }
    }
    out
}

fn span_at(source: &str, offset: usize) -> Span {
    let before = &source[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() as u32 + 1;
    let len = source[offset..].find('\n').unwrap_or(source.len() - offset);
    debug_assert_eq!(offset_of(source, line, column), offset);
    Span::new(line, column, offset, len)
}

/// `一、总体情况`, `五. 存在的…`, `六 、其他…` → the title alone.
fn strip_numeral(text: &str) -> &str {
    let t = text.trim();
    let rest = t.trim_start_matches(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']);
    if rest.len() == t.len() {
        return t;
    }
    rest.trim_start()
        .trim_start_matches(['、', '.', '．', ',', '，', ' ', '　'])
        .trim_start()
}

/// Which section a heading names: the official title or a known variant.
fn classify(text: &str) -> Option<ProseKind> {
    let title: String = strip_numeral(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if title.contains("总体情况") || title == "概述" {
        Some(ProseKind::Overview)
    } else if title.contains("问题") && (title.contains("改进") || title.contains("整改")) {
        Some(ProseKind::Problems)
    } else if title.contains("其他需要报告") || title.contains("其他需要说明") {
        Some(ProseKind::Other)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_titles_and_variants() {
        assert_eq!(classify("一、总体情况"), Some(ProseKind::Overview));
        assert_eq!(classify("总体情况"), Some(ProseKind::Overview));
        assert_eq!(
            classify("五、政府信息公开工作存在的主要问题及改进情况"),
            Some(ProseKind::Problems)
        );
        assert_eq!(
            classify("五、存在的主要问题及整改措施"),
            Some(ProseKind::Problems)
        );
        assert_eq!(classify("六 、其他需要报告的事项"), Some(ProseKind::Other));
        assert_eq!(classify("二、主动公开政府信息情况"), None);
        assert_eq!(
            strip_numeral("五、存在的主要问题及整改措施"),
            "存在的主要问题及整改措施"
        );
    }
}
