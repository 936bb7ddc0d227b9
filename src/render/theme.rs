//! Themes: the default theme is embedded in the binary, so an installed
//! gongkai builds any site; a site's `themes/<name>/templates/x.html`
//! overrides that one template, and theme and site static files are copied.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};

macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),+]
    };
}

/// The default theme's templates, as shipped.
pub const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "figures.html",
    "figures_head.html",
    "report.html",
    "year.html",
    "agency.html",
    "agencies.html",
    "index.html",
    "404.html",
    "search.html",
    "indicators.html",
    "audit.html",
    "audit_head.html",
    "audit_index.html",
);

/// The default theme's static files, as shipped.
pub const STATIC: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "print.css",
        include_str!("../../themes/default/static/print.css"),
    ),
    (
        "large.css",
        include_str!("../../themes/default/static/large.css"),
    ),
    (
        "site.js",
        include_str!("../../themes/default/static/site.js"),
    ),
];

pub struct Theme {
    pub tera: tera::Tera,
    /// A hash of every template's source.
    pub fingerprint: u64,
    /// By template: a hash of its source and of every template it extends,
    /// includes or imports, so that a change re-renders only the pages
    /// that use the changed template.
    templates: std::collections::HashMap<String, u64>,
    /// `themes/<name>/` in the site, when it has one.
    dir: Option<PathBuf>,
    /// The templates as written, when `tera` holds them minified: an error
    /// is found again in these, so that it names the line in the file.
    written: Option<Vec<(String, String)>>,
}

/// A template minified by minify-html, which keeps Tera's `{{ }}`, `{% %}`
/// and `{# #}` as they are. `None` (keep the template as written) when a
/// tag's attribute list holds template syntax outside a quoted value
/// (`<td{% if x %} colspan=2{% endif %}>`), which no HTML minifier can
/// read safely.
pub fn minify_template(text: &str) -> Option<String> {
    if syntax_in_tag(text) {
        return None;
    }
    let cfg = minify_html::Cfg {
        minify_js: false,
        minify_css: true,
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        preserve_brace_template_syntax: true,
        ..minify_html::Cfg::default()
    };
    String::from_utf8(minify_html::minify(text.as_bytes(), &cfg)).ok()
}

/// A Tera holding `sources`.
fn tera_of(sources: Vec<(String, String)>) -> std::result::Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(sources)?;
    Ok(tera)
}

/// Tera's message without its leading "error: " (ours says it).
fn tera_message(err: &tera::Error) -> String {
    let text = err.to_string();
    text.strip_prefix("error: ").unwrap_or(&text).to_string()
}

/// Whether `{{`, `{%` or `{#` occurs inside a tag but outside quotes.
fn syntax_in_tag(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut in_tag = false;
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if in_tag => match b {
                b'"' | b'\'' => quote = Some(b),
                b'>' => in_tag = false,
                b'{' if matches!(bytes.get(i + 1), Some(b'{' | b'%' | b'#')) => return true,
                _ => {}
            },
            None => {
                if b == b'<' && bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                    in_tag = true;
                }
            }
        }
    }
    false
}

/// Each template's fingerprint: its source and those of the templates it
/// names in `extends`, `include`, `import` and `from`, transitively. A
/// template that names one through a variable depends on all of them.
fn template_fingerprints(
    sources: &[(String, String)],
    minify: bool,
    all: u64,
) -> std::collections::HashMap<String, u64> {
    use std::collections::{BTreeSet, HashMap};
    use std::hash::{Hash, Hasher};
    let text: HashMap<&str, &str> = sources
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut out = HashMap::new();
    for (name, _) in sources {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo = vec![name.as_str()];
        let mut everything = false;
        while let Some(next) = todo.pop() {
            if !seen.insert(next) {
                continue;
            }
            match text.get(next).map(|t| uses(t)) {
                Some(Some(names)) => todo.extend(names),
                Some(None) => everything = true,
                None => {}
            }
        }
        let print = if everything {
            all
        } else {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            minify.hash(&mut h);
            for n in &seen {
                (n, text.get(n)).hash(&mut h);
            }
            h.finish()
        };
        out.insert(name.clone(), print);
    }
    out
}

/// The templates a template names; `None` when it names one through a
/// variable, which could be any.
fn uses(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("%}") else { break };
        let tag = after[..end].trim().trim_start_matches('-').trim();
        rest = &after[end + 2..];
        let mut words = tag.splitn(2, char::is_whitespace);
        if !matches!(
            words.next(),
            Some("extends" | "include" | "import" | "from")
        ) {
            continue;
        }
        let target = words.next().unwrap_or("").trim_start();
        let quote = target.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let inner = &target[1..];
        out.push(&inner[..inner.find(quote)?]);
    }
    Some(out)
}

impl Theme {
    /// The embedded templates, with the site's own versions replacing them;
    /// with `minify`, each template is minified once here, so that pages come
    /// out minified without minifying every page.
    pub fn load(root: &Path, name: &str, minify: bool) -> Result<Theme> {
        let dir = root.join("themes").join(name);
        let dir = dir.is_dir().then_some(dir);
        if dir.is_none() && name != "default" {
            return Err(Error::Template(format!(
                "theme `{name}` not found: no folder themes/{name}/ in the site"
            )));
        }
        let mut sources: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        if let Some(dir) = &dir {
            let templates = dir.join("templates");
            for entry in WalkDir::new(&templates)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
            {
                let rel = entry
                    .path()
                    .strip_prefix(&templates)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(entry.path())
                    .map_err(|e| Error::io(entry.path(), e))?;
                match sources.iter_mut().find(|(n, _)| *n == rel) {
                    Some(slot) => slot.1 = text,
                    None => sources.push((rel, text)),
                }
            }
        }
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            sources.hash(&mut h);
            minify.hash(&mut h);
            h.finish()
        };
        let templates = template_fingerprints(&sources, minify, fingerprint);
        let written = minify.then(|| sources.clone());
        if minify {
            for (_, text) in &mut sources {
                if let Some(small) = minify_template(text) {
                    *text = small;
                }
            }
        }
        let mut tera = tera::Tera::new();
        if let Err(err) = tera.add_raw_templates(sources) {
            // Said again from the templates as written: the minified ones
            // are a line each.
            let err = match written.map(tera_of) {
                Some(Err(real)) => real,
                _ => err,
            };
            return Err(Error::Template(tera_message(&err)));
        }
        Ok(Theme {
            tera,
            fingerprint,
            templates,
            dir,
            written,
        })
    }

    /// Renders `template`; an error names the template's file and the line
    /// in it as written (the page is rendered again from the unminified
    /// templates to find it).
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        self.tera.render(template, ctx).map_err(|err| {
            let real = self
                .written
                .clone()
                .and_then(|w| tera_of(w).ok())
                .and_then(|tera| tera.render(template, ctx).err());
            Error::Template(tera_message(real.as_ref().unwrap_or(&err)))
        })
    }

    /// The fingerprint of a template with what it uses.
    pub fn template_fingerprint(&self, name: &str) -> u64 {
        self.templates
            .get(name)
            .copied()
            .unwrap_or(self.fingerprint)
    }

    /// Static files: the embedded ones, the theme's `static/`, then the
    /// site's `static/` (later ones win), as `(output path, bytes)`.
    pub fn static_files(&self, root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = STATIC
            .iter()
            .map(|(n, s)| (Path::new("static").join(n), s.as_bytes().to_vec()))
            .collect();
        let mut copy = |from: &Path, to: &Path| -> Result<()> {
            if !from.is_dir() {
                return Ok(());
            }
            for entry in WalkDir::new(from)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| !crate::load::is_ignored(&e.file_name().to_string_lossy()))
            {
                let entry = entry.map_err(|e| Error::io(from, e.into()))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
                let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                let dest = to.join(rel);
                files.retain(|(p, _)| *p != dest);
                files.push((dest, bytes));
            }
            Ok(())
        };
        if let Some(dir) = &self.dir {
            copy(&dir.join("static"), Path::new("static"))?;
        }
        copy(&root.join("static"), Path::new(""))?;
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_minified_around_tera_syntax() {
        let small = minify_template(
            "<ul>\n  {% for y in years %}\n  <li class=\"year\"><a href=\"{{ root }}{{ y }}/index.html\">{{ y }}</a></li>\n  {% endfor %}\n</ul>\n",
        )
        .unwrap();
        assert_eq!(
            small,
            "<ul>{% for y in years %} <li class=year><a href=\"{{ root }}{{ y }}/index.html\">{{ y }}</a></li>{% endfor %}</ul>"
        );
    }

    #[test]
    fn syntax_inside_a_tag_keeps_the_template_as_written() {
        assert!(minify_template("<td{% if wide %} colspan=\"2\"{% endif %}>x</td>").is_none());
        assert!(minify_template("<td class=\"{{ c }}\">x</td>").is_some());
        assert!(minify_template("a > b {{ x }}").is_some());
    }

    #[test]
    fn a_template_depends_on_what_it_extends_and_includes() {
        let sources: Vec<(String, String)> = [
            (
                "base.html",
                "<html>{% block content %}{% endblock %}</html>",
            ),
            (
                "a.html",
                "{% extends \"base.html\" %}{% include 'part.html' %}",
            ),
            ("part.html", "<p>part</p>"),
            ("b.html", "{% extends \"base.html\" %}"),
            ("c.html", "{% include some_variable %}"),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let before = template_fingerprints(&sources, true, 1);
        let mut changed = sources.clone();
        changed[2].1 = "<p>changed</p>".to_string();
        let after = template_fingerprints(&changed, true, 2);
        assert_ne!(before["a.html"], after["a.html"]);
        assert_ne!(before["part.html"], after["part.html"]);
        assert_eq!(before["b.html"], after["b.html"]);
        assert_eq!(before["base.html"], after["base.html"]);
        // Named through a variable: depends on everything.
        assert_eq!((before["c.html"], after["c.html"]), (1, 2));
    }

    #[test]
    fn every_default_template_minifies() {
        for (name, text) in TEMPLATES {
            let small = minify_template(text).unwrap_or_else(|| panic!("{name}"));
            assert!(small.len() < text.len(), "{name}");
        }
    }
}
