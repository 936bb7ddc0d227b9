//! What files a site has: the agency folders of `content/` and the files in
//! each, by name; slugs, stray and misnamed files, links and special files
//! are diagnostics here, before anything is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Loader;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Rule};

/// `[a-z0-9][a-z0-9-]*`.
pub fn valid_slug(slug: &str) -> bool {
    let mut bytes = slug.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
}

/// A valid slug close to `name`, when one can be made from its letters.
pub fn suggest_slug(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    valid_slug(&out).then_some(out)
}

/// Hidden files and the temp files editors leave beside the files they save.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// The kinds of file an agency folder may hold.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Agency,
    Report(i32),
    Prose(i32),
    Pdf(i32),
}

fn classify(name: &str) -> Option<Entry> {
    if name == "agency.yaml" {
        return Some(Entry::Agency);
    }
    let (stem, ext) = name.split_once('.')?;
    if stem.len() != 4 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = stem.parse().ok()?;
    match ext {
        "yaml" => Some(Entry::Report(year)),
        "md" => Some(Entry::Prose(year)),
        "pdf" => Some(Entry::Pdf(year)),
        _ => None,
    }
}

/// What to tell a clerk about a file the generator does not know.
fn unknown_file_help(name: &str) -> String {
    let lower = name.to_lowercase();
    if let Some((stem, ext)) = lower.split_once('.') {
        let fixed = match ext {
            "yml" | "yaml.txt" => Some(format!("{stem}.yaml")),
            "markdown" | "md.txt" | "txt" => Some(format!("{stem}.md")),
            _ => None,
        };
        if let Some(fixed) = fixed
            && classify(&fixed).is_some()
            && fixed != name
        {
            return format!("rename it to {fixed}");
        }
        if ext.ends_with("bak")
            || ext.ends_with("orig")
            || ext.ends_with("old")
            || stem.contains(" (")
            || stem.contains("copy")
            || stem.contains("副本")
        {
            return "a backup copy? move it out of content/".to_string();
        }
        if classify(&lower).is_some() {
            return format!("file names are lowercase: rename it to {lower}");
        }
    }
    "an agency folder holds agency.yaml and <year>.yaml, <year>.md, <year>.pdf (e.g. 2024.yaml)"
        .to_string()
}

/// One agency folder's files, by kind.
#[derive(Default)]
pub(super) struct Folder {
    pub(super) agency: Option<PathBuf>,
    pub(super) reports: BTreeMap<i32, PathBuf>,
    pub(super) prose: BTreeMap<i32, PathBuf>,
    pub(super) pdfs: BTreeMap<i32, PathBuf>,
}

impl Loader {
    /// The agency folders of content/, sorted; stray files and bad folder
    /// names are diagnostics.
    /// A roll-up site (`has_members`) needs no content/.
    pub(super) fn walk_content(&mut self, has_members: bool) -> Vec<String> {
        let mut folders = Vec::new();
        let content = self.root.join("content");
        if !content.is_dir() && has_members {
            return folders;
        }
        if !content.is_dir() {
            self.diagnostics.push(
                Diagnostic::warning(
                    Rule::Content,
                    Path::new("content"),
                    None,
                    "no content/ folder: the site has no agencies yet".to_string(),
                )
                .with_help("add one with `gongkai new AGENCY YEAR --name NAME --category KEY`"),
            );
            return folders;
        }
        for entry in self.entries(&content) {
            let (rel, name, is_dir) = entry;
            if !is_dir {
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::UnknownFile,
                        &rel,
                        None,
                        format!("unexpected file `{name}` in content/"),
                    )
                    .with_help(
                        "content/ holds one folder per agency: content/<agency>/<year>.yaml",
                    ),
                );
                continue;
            }
            if !valid_slug(&name) {
                let help = match suggest_slug(&name) {
                    Some(s) => format!("rename the folder to `{s}`"),
                    None => "rename the folder to the agency's name in pinyin, e.g. `zhongtongjie`"
                        .to_string(),
                };
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::Slug,
                        &rel,
                        None,
                        format!(
                            "agency folder `{name}` is not a valid slug: use lowercase letters a-z, digits and '-', starting with a letter or digit"
                        ),
                    )
                    .with_help(help),
                );
            }
            folders.push(name);
        }
        folders
    }

    /// The files of one agency folder, by kind; anything else is a
    /// diagnostic.
    pub(super) fn walk_folder(&mut self, slug: &str) -> Folder {
        let mut folder = Folder::default();
        let dir = self.root.join("content").join(slug);
        for (rel, name, is_dir) in self.entries(&dir) {
            if is_dir {
                self.diagnostics.push(
                    Diagnostic::error(
                        Rule::UnknownFile,
                        &rel,
                        None,
                        format!("unexpected folder `{name}` inside agency folder `{slug}`"),
                    )
                    .with_help("an agency folder holds files only: agency.yaml and <year>.yaml, <year>.md, <year>.pdf"),
                );
                continue;
            }
            match classify(&name) {
                Some(Entry::Agency) => folder.agency = Some(rel),
                Some(Entry::Report(y)) => {
                    folder.reports.insert(y, rel);
                }
                Some(Entry::Prose(y)) => {
                    folder.prose.insert(y, rel);
                }
                Some(Entry::Pdf(y)) => {
                    folder.pdfs.insert(y, rel);
                }
                None => self.diagnostics.push(
                    Diagnostic::error(
                        Rule::UnknownFile,
                        &rel,
                        None,
                        format!("unknown file `{name}`"),
                    )
                    .with_help(unknown_file_help(&name)),
                ),
            }
        }
        folder
    }

    /// The entries of `dir` (not hidden, not editors' temp files), sorted,
    /// as (path relative to the root, name, is a folder); unreadable ones
    /// are diagnostics.
    fn entries(&mut self, dir: &Path) -> Vec<(PathBuf, String, bool)> {
        let walker = WalkDir::new(dir)
            .min_depth(1)
            .max_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()));
        let mut out = Vec::new();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let rel = entry
                        .path()
                        .strip_prefix(&self.root)
                        .unwrap_or(entry.path())
                        .to_path_buf();
                    let kind = entry.file_type();
                    // A link may point outside the site or back into itself,
                    // and reading a pipe waits forever: neither is read.
                    if kind.is_symlink() {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Rule::Symlink,
                                &rel,
                                None,
                                "a symbolic link: gongkai reads only real files and folders in content/, never where a link points".to_string(),
                            )
                            .with_help("copy the file or folder here instead of linking to it"),
                        );
                        continue;
                    }
                    if !kind.is_dir() && !kind.is_file() {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Rule::SpecialFile,
                                &rel,
                                None,
                                "not a regular file (a pipe, socket or device): content/ holds files and folders only".to_string(),
                            )
                            .with_help("remove it from content/"),
                        );
                        continue;
                    }
                    out.push((
                        rel,
                        entry.file_name().to_string_lossy().to_string(),
                        kind.is_dir(),
                    ));
                }
                Err(err) => {
                    let path = err
                        .path()
                        .and_then(|p| p.strip_prefix(&self.root).ok())
                        .unwrap_or(Path::new("content"))
                        .to_path_buf();
                    self.diagnostics.push(Diagnostic::error(
                        Rule::Io,
                        &path,
                        None,
                        format!("cannot read: {err}"),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(valid_slug("zhongtongjie"));
        assert!(valid_slug("shanghai-bgt"));
        assert!(!valid_slug("-a"));
        assert!(!valid_slug("ZhongTong"));
        assert!(!valid_slug("中同街"));
        assert_eq!(
            suggest_slug("ZhongTong Jie").as_deref(),
            Some("zhongtong-jie")
        );
        assert_eq!(
            suggest_slug("shanghai_bgt").as_deref(),
            Some("shanghai-bgt")
        );
        assert_eq!(suggest_slug("中同街"), None);
    }

    #[test]
    fn files() {
        assert_eq!(classify("2024.yaml"), Some(Entry::Report(2024)));
        assert_eq!(classify("2024.yml"), None);
        assert_eq!(classify("2024.yaml.bak"), None);
        assert_eq!(unknown_file_help("2024.yml"), "rename it to 2024.yaml");
        assert!(unknown_file_help("2024.yaml.bak").contains("backup"));
        assert!(is_ignored(".2024.yaml.swp") && is_ignored("4913") && is_ignored("#a#"));
    }
}
