//! The search index (Cargo feature `search`, on by default; `search = false`
//! in site.toml turns it off for a site): pagefind, used as a library, reads
//! the report and agency pages as rendered and writes its index and its
//! browser code to `pagefind/` in the output, so the site searches itself on
//! any static host, with no service behind it. Its `extended` feature splits
//! Chinese into words (ICU4X), so 依申请公开 and 中同街 are found inside
//! running text.

use std::path::{Path, PathBuf};

#[cfg(feature = "search")]
use crate::error::Error;
use crate::error::Result;

/// The folder of the index in the output.
pub const FOLDER: &str = "pagefind";

/// Whether gongkai was built with search (the `search` feature).
pub const AVAILABLE: bool = cfg!(feature = "search");

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

/// Only what pagefind reads of a page: the document up to `<body>` (the
/// language and title) and the element marked `data-pagefind-body`, less the
/// official tables (`data-pagefind-ignore`: the same labels on every report,
/// and a tenth of the memory). A page without the mark is kept whole.
pub fn reduce(html: &str) -> String {
    let (Some(body), Some(mark)) = (html.find("<body"), html.find(" data-pagefind-body")) else {
        return html.to_string();
    };
    let Some(start) = html[..mark].rfind('<') else {
        return html.to_string();
    };
    let tag: String = html[start + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let Some(end) = element_end(html, start, &tag) else {
        return html.to_string();
    };
    let mut out = String::with_capacity(body + (end - start) / 4 + 32);
    out.push_str(&html[..body]);
    out.push_str("<body>");
    let mut rest = &html[start..end];
    while let Some(i) = rest.find("<div class=table-scroll") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</table></div>") {
            Some(j) => rest = &rest[i + j + "</table></div>".len()..],
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out.push_str("</body></html>");
    out
}

/// Where the element `tag` opening at `start` ends (after its closing
/// tag), counting the same elements nested inside it.
fn element_end(html: &str, start: usize, tag: &str) -> Option<usize> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut depth = 0usize;
    let mut at = start;
    loop {
        let next_open = html[at..].find(&open).map(|i| at + i).filter(|&i| {
            // `<div` but not `<divider`.
            matches!(html.as_bytes().get(i + open.len()), Some(b' ' | b'>'))
        });
        let next_close = html[at..].find(&close).map(|i| at + i)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                at = o + open.len();
            }
            _ => {
                depth = depth.checked_sub(1)?;
                at = next_close + close.len();
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

/// The index of `pages` (output path, HTML), as files under `pagefind/`.
/// Pages are added in path order, so the same site gives the same index.
#[cfg(feature = "search")]
pub fn index(mut pages: Vec<(PathBuf, String)>) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    let fail = |e: &dyn std::fmt::Display| Error::Search(e.to_string());
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| fail(&e))?;
    runtime.block_on(async {
        // Result links keep `index.html`, so they open from a plain folder
        // too; the search page makes them relative to the site's root.
        let options = PagefindServiceConfig::builder()
            .keep_index_url(true)
            .build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| fail(&e))?;
        for (path, html) in pages {
            let source = path.to_string_lossy().replace('\\', "/");
            index
                .add_html_file(Some(source), None, html)
                .await
                .map_err(|e| fail(&format!("{}: {e}", path.display())))?;
        }
        let files = index.get_files().await.map_err(|e| fail(&e))?;
        Ok(files
            .into_iter()
            .map(|f| (Path::new(FOLDER).join(f.filename), f.contents))
            .collect())
    })
}

/// Without the `search` feature there is no index to make.
#[cfg(not(feature = "search"))]
pub fn index(_pages: Vec<(PathBuf, String)>) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    Ok(Vec::new())
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

    #[test]
    fn reduce_keeps_the_head_and_the_marked_body_less_the_tables() {
        let page = "<!DOCTYPE html><html lang=zh-CN><head><title>T</title></head><body><nav>菜单</nav><main><article class=report data-pagefind-body><h1>报告</h1><p>依申请公开</p><div class=table-scroll role=region><table><tr><td>1</td></tr></table></div><p>后文</p></article><aside>相关</aside></main></body></html>";
        assert_eq!(
            reduce(page),
            "<!DOCTYPE html><html lang=zh-CN><head><title>T</title></head><body><article class=report data-pagefind-body><h1>报告</h1><p>依申请公开</p><p>后文</p></article></body></html>"
        );
        // Elements of the same kind inside the marked one.
        let agency = "<html lang=zh-CN><body><main><div data-pagefind-body><h1>机构</h1><div class=note><p>说明</p></div><div class=table-scroll tabindex=0><table></table></div><p>尾</p></div><div>页脚</div></main></body></html>";
        assert_eq!(
            reduce(agency),
            "<html lang=zh-CN><body><div data-pagefind-body><h1>机构</h1><div class=note><p>说明</p></div><p>尾</p></div></body></html>"
        );
        let plain = "<html><body><p>x</p></body></html>";
        assert_eq!(reduce(plain), plain);
    }
}
