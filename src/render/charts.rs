//! Charts as inline SVG made at build time: readable without JavaScript,
//! printable, and with a text alternative (title, description, and the same
//! figures in a table beside them).

use std::fmt::Write as _;

use super::xml_escape as escape;
use crate::model::Number;

/// One series of a grouped bar chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Number>,
}

/// Each series' colour and, so that no series is told apart by colour
/// alone (in grey print or for colour-blind readers), its texture: solid,
/// stripes, dots, cross-hatching, drawn in white over the colour.
const COLORS: [&str; 4] = ["#b5281c", "#2a5caa", "#6b8e23", "#8a6d3b"];
const TEXTURES: [&str; 4] = [
    "",
    r##"<path d="M0 6L6 0" stroke="#fff" stroke-width="1.6"/>"##,
    r##"<circle cx="3" cy="3" r="1.3" fill="#fff"/>"##,
    r##"<path d="M0 6L6 0M0 0L6 6" stroke="#fff" stroke-width="1.2"/>"##,
];

/// The fill of series `k`: its pattern (defined once per chart).
fn fill(k: usize) -> String {
    format!("url(#bar-fill-{})", k % COLORS.len())
}

/// A grouped bar chart of integer figures per year.
pub fn bars(title: &str, years: &[i32], series: &[Series]) -> String {
    let (width, height, left, bottom, top) = (640.0_f64, 260.0_f64, 48.0, 36.0, 28.0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter())
        .filter_map(|n| n.as_integer())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot_h = height - bottom - top;
    let plot_w = width - left - 8.0;
    let group_w = plot_w / years.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).min(28.0);
    let mut desc = String::new();
    for (i, y) in years.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .map(|s| format!("{} {}", s.name, s.values[i]))
            .collect();
        let _ = write!(desc, "{y}年：{}。", parts.join("，"));
    }
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape(title),
        escape(&desc)
    );
    svg.push_str("<defs>");
    for k in 0..series.len().min(COLORS.len()) {
        let _ = write!(
            svg,
            r#"<pattern id="bar-fill-{k}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{}"/>{}</pattern>"#,
            COLORS[k], TEXTURES[k]
        );
    }
    svg.push_str("</defs>");
    // Axis and a grid line at the maximum.
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="#888"/><line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#888"/><text x="{}" y="{}" font-size="11" text-anchor="end">{}</text><text x="{}" y="{}" font-size="11" text-anchor="end">0</text>"##,
        height - bottom,
        height - bottom,
        width - 8.0,
        height - bottom,
        left - 4.0,
        top + 4.0,
        max,
        left - 4.0,
        height - bottom + 4.0
    );
    for (i, year) in years.iter().enumerate() {
        let x0 = left + group_w * i as f64 + (group_w - bar_w * series.len() as f64) / 2.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values[i].as_integer().unwrap_or(0).max(0) as f64;
            let h = plot_h * v / max;
            let x = x0 + bar_w * k as f64;
            let y = height - bottom - h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{year}年 {} {}</title></rect>"#,
                bar_w - 2.0,
                fill(k),
                escape(s.name),
                s.values[i]
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle">{year}</text>"#,
            left + group_w * i as f64 + group_w / 2.0,
            height - bottom + 16.0
        );
    }
    // Legend.
    for (k, s) in series.iter().enumerate() {
        let x = left + 8.0 + 110.0 * k as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}" stroke="{}"/><text x="{}" y="16" font-size="12">{}</text>"#,
            fill(k),
            COLORS[k % COLORS.len()],
            x + 16.0,
            escape(s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_differ_by_texture_as_well_as_colour() {
        let n = |v: i64| Number::from_int(v);
        let svg = bars(
            "t",
            &[2023, 2024],
            &[
                Series {
                    name: "本年新收",
                    values: vec![n(3), n(4)],
                },
                Series {
                    name: "办结",
                    values: vec![n(2), n(4)],
                },
                Series {
                    name: "结转下年",
                    values: vec![n(1), n(0)],
                },
            ],
        );
        for k in 0..3 {
            // Two bars and the legend's swatch.
            let uses = svg.matches(&format!("fill=\"url(#bar-fill-{k})\"")).count();
            assert_eq!(uses, 3, "series {k}: {svg}");
            assert!(svg.contains(&format!(
                "<pattern id=\"bar-fill-{k}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"{}\"/>{}</pattern>",
                COLORS[k], TEXTURES[k]
            )));
        }
        assert!(!svg.contains("bar-fill-3"));
        let textures: std::collections::BTreeSet<&str> = TEXTURES.iter().copied().collect();
        assert_eq!(textures.len(), TEXTURES.len(), "every texture differs");
    }
}
