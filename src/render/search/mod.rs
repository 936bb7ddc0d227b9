//! The search index (`search = false` in site.toml turns it off for a
//! site): gongkai's own, written from the rendered report and agency pages
//! as the build makes them, to `search-index/` in the output, with the small
//! browser client that reads it (`search-index/search.js`). The site
//! searches itself on any static host, under any path, with no service
//! behind it.
//!
//! Chinese is indexed by overlapping character pairs (terms.rs), so a word
//! such as 依申请公开 or 中同街 is found inside running text without a
//! dictionary; ranking is BM25 with the title and the agency's names
//! weighing more than the text (page.rs); the terms are split into shards
//! by hash, so a query downloads only the shards of its own terms, and the
//! pages' text into small chunks for the excerpts (write.rs).
//! Why not pagefind (used before): see the README's Search section.

mod page;
mod query;
mod terms;
mod write;

use std::borrow::Borrow;
use std::path::{Path, PathBuf};

pub use page::{Page, read};
pub use query::{Found, Hit, query_terms, search};

/// The folder of the index in the output.
pub const FOLDER: &str = "search-index";

/// The browser client, written as `search-index/search.js`.
pub const CLIENT: &str = include_str!("search.js");

/// The pages worth finding: reports (`2024/weibin/index.html`) and agencies
/// (`agencies/weibin/index.html`). The home, year and agency list pages
/// name every agency and would match every search.
pub fn indexed(path: &Path) -> bool {
    let parts: Vec<_> = path.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        [first, _, "index.html"] => {
            *first == "agencies" || (first.len() == 4 && first.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// The page at output `path` as the index reads it, when it is one worth
/// finding and the theme marked what to index in it.
pub fn page(path: &Path, html: &str) -> Option<Page> {
    if !indexed(path) {
        return None;
    }
    read(&path.to_string_lossy().replace('\\', "/"), html)
}

/// The index of `pages` and its client, as files under [`FOLDER`]. The
/// same pages, in any order, give the same bytes.
pub fn index<P: Borrow<Page> + Sync>(pages: &[P]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = write::files(pages)
        .into_iter()
        .map(|(p, b)| (Path::new(FOLDER).join(p), b))
        .collect();
    files.push((
        Path::new(FOLDER).join("search.js"),
        CLIENT.as_bytes().to_vec(),
    ));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_and_agencies_are_indexed_lists_are_not() {
        assert!(indexed(Path::new("2024/weibin/index.html")));
        assert!(indexed(Path::new("agencies/weibin/index.html")));
        assert!(!indexed(Path::new("agencies/index.html")));
        assert!(!indexed(Path::new("2024/index.html")));
        assert!(!indexed(Path::new("index.html")));
        assert!(!indexed(Path::new("search/index.html")));
        assert!(!indexed(Path::new("2024/weibin/report.json")));
    }
}
