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
    "table.html",
    "figures.html",
    "figures_head.html",
    "report.html",
    "year.html",
    "agency.html",
    "agencies.html",
    "index.html",
    "404.html",
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
];

pub struct Theme {
    pub tera: tera::Tera,
    /// A hash of every template's source: a change re-renders every page.
    pub fingerprint: u64,
    /// `themes/<name>/` in the site, when it has one.
    dir: Option<PathBuf>,
}

impl Theme {
    /// The embedded templates, with the site's own versions replacing them.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
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
            h.finish()
        };
        let mut tera = tera::Tera::new();
        tera.add_raw_templates(sources)
            .map_err(|e| Error::Template(e.to_string()))?;
        Ok(Theme {
            tera,
            fingerprint,
            dir,
        })
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
