//! A report's web page (`.html`/`.htm`) → a [`Document`]: the bytes
//! decoded (UTF-8, GBK, GB18030 — as the page declares, else as the bytes
//! show), parsed by html5ever into a small arena tree, the article found by
//! its content (the smallest element holding the report's title and its
//! three table headings — portals wrap it in any `div`), its paragraphs
//! and tables (merged cells expanded) taken in order, and the page's
//! `发布日期` / `索引号` kept from around the article.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};

use super::blocks::{Block, Document, GridBuilder, SourceCell, normalize_cell};

/// The page's text and how its bytes were decoded.
pub struct Decoded {
    pub text: String,
    /// `UTF-8 (declared by the page)`, `GBK (guessed from the bytes)`…
    pub encoding: String,
    /// Bytes that were not valid in that encoding (replaced by `�`).
    pub malformed: bool,
}

/// The `charset` a page declares in its first bytes (`<meta charset>` or
/// `http-equiv="Content-Type" content="…; charset=…"`).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"charset") {
        let mut at = from + i + b"charset".len();
        while at < lower.len() && matches!(lower[at], b' ' | b'=' | b'"' | b'\'') {
            at += 1;
        }
        let end = lower[at..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
            .map_or(lower.len(), |n| at + n);
        if let Some(e) = encoding_rs::Encoding::for_label(&lower[at..end]) {
            return Some(e);
        }
        from = end.max(from + i + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a page: a byte-order mark, else the declared charset, else
/// UTF-8 when the bytes are UTF-8, else GB18030 (a superset of GBK and
/// GB2312, the legacy encodings of Chinese portals).
pub fn decode(bytes: &[u8]) -> Decoded {
    let (encoding, how) = if let Some((e, _)) = encoding_rs::Encoding::for_bom(bytes) {
        (e, "byte-order mark")
    } else if let Some(e) = declared_charset(bytes) {
        (e, "declared by the page")
    } else if std::str::from_utf8(bytes).is_ok() {
        (encoding_rs::UTF_8, "guessed from the bytes")
    } else {
        (encoding_rs::GB18030, "guessed from the bytes")
    };
    // A page declaring UTF-16 in its text is ASCII-compatible in fact.
    let encoding = encoding.output_encoding();
    let (text, _, malformed) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: format!("{} ({how})", encoding.name()),
        malformed,
    }
}

/// One node of the parsed page.
#[derive(Debug)]
struct Node {
    parent: Option<usize>,
    children: Vec<usize>,
    data: Data,
}

#[derive(Debug)]
enum Data {
    Document,
    Element {
        name: QualName,
        attrs: Vec<Attribute>,
    },
    Text(String),
    /// Comments, doctypes, processing instructions: no content.
    Other,
}

/// The arena html5ever builds the page into; node 0 is the document.
struct Sink {
    nodes: RefCell<Vec<Node>>,
}

impl Default for Sink {
    fn default() -> Sink {
        Sink {
            nodes: RefCell::new(vec![Node {
                parent: None,
                children: Vec::new(),
                data: Data::Document,
            }]),
        }
    }
}

/// An element's name, owned (the arena sits behind a `RefCell`).
#[derive(Debug)]
struct Name(QualName);

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }
    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl Sink {
    fn new_node(&self, data: Data) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parent: None,
            children: Vec::new(),
            data,
        });
        nodes.len() - 1
    }

    fn detach(&self, node: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(p) = nodes[node].parent.take() {
            nodes[p].children.retain(|&c| c != node);
        }
    }

    /// Inserts `child` into `parent` at `at` (text merged with a text
    /// neighbour before it).
    fn insert(&self, parent: usize, at: usize, child: NodeOrText<usize>) {
        match child {
            NodeOrText::AppendNode(n) => {
                self.detach(n);
                let mut nodes = self.nodes.borrow_mut();
                nodes[n].parent = Some(parent);
                nodes[parent].children.insert(at, n);
            }
            NodeOrText::AppendText(t) => {
                let before = at
                    .checked_sub(1)
                    .map(|i| self.nodes.borrow()[parent].children[i]);
                if let Some(b) = before
                    && let Data::Text(s) = &mut self.nodes.borrow_mut()[b].data
                {
                    s.push_str(&t);
                    return;
                }
                let n = self.new_node(Data::Text(t.to_string()));
                let mut nodes = self.nodes.borrow_mut();
                nodes[n].parent = Some(parent);
                nodes[parent].children.insert(at, n);
            }
        }
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = Vec<Node>;
    type ElemName<'a> = Name;

    fn finish(self) -> Vec<Node> {
        self.nodes.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Name {
        match &self.nodes.borrow()[*target].data {
            Data::Element { name, .. } => Name(name.clone()),
            _ => Name(QualName::new(None, ns!(html), local_name!(""))),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> usize {
        self.new_node(Data::Element { name, attrs })
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.new_node(Data::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.new_node(Data::Other)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        let at = self.nodes.borrow()[*parent].children.len();
        self.insert(*parent, at, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        *target
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, child: NodeOrText<usize>) {
        let Some(parent) = self.nodes.borrow()[*sibling].parent else {
            return;
        };
        let at = self.nodes.borrow()[parent]
            .children
            .iter()
            .position(|c| c == sibling)
            .unwrap_or(0);
        self.insert(parent, at, child);
    }

    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        if let Data::Element { attrs: have, .. } = &mut self.nodes.borrow_mut()[*target].data {
            for a in attrs {
                if !have.iter().any(|h| h.name == a.name) {
                    have.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        self.detach(*target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let children = std::mem::take(&mut self.nodes.borrow_mut()[*node].children);
        let mut nodes = self.nodes.borrow_mut();
        for &c in &children {
            nodes[c].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(children);
    }
}

/// The parsed page with what reading it needs.
struct Page {
    nodes: Vec<Node>,
}

/// Elements whose content is not the page's text.
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "object", "select", "option",
    "button", "svg",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "center",
    "blockquote",
    "pre",
    "header",
    "footer",
    "tr",
    "table",
    "hr",
    "form",
    "main",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "caption",
    "address",
];

impl Page {
    fn name(&self, n: usize) -> Option<&str> {
        match &self.nodes[n].data {
            Data::Element { name, .. } => Some(&name.local),
            _ => None,
        }
    }

    fn attr(&self, n: usize, key: &str) -> Option<&str> {
        match &self.nodes[n].data {
            Data::Element { attrs, .. } => attrs
                .iter()
                .find(|a| (*a.name.local).eq_ignore_ascii_case(key))
                .map(|a| &*a.value),
            _ => None,
        }
    }

    fn find_all(&self, tag: &str) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&n| self.name(n) == Some(tag))
            .collect()
    }

    /// All text under `n`, block boundaries as line breaks.
    fn text(&self, n: usize, out: &mut String) {
        match &self.nodes[n].data {
            Data::Text(t) => out.push_str(t),
            Data::Element { name, .. } => {
                let tag: &str = &name.local;
                if HIDDEN.contains(&tag) {
                    return;
                }
                let block = BLOCKS.contains(&tag) || tag == "td" || tag == "th";
                if block {
                    out.push('\n');
                }
                for &c in &self.nodes[n].children {
                    self.text(c, out);
                }
                if block {
                    out.push('\n');
                }
            }
            Data::Document => {
                for &c in &self.nodes[n].children {
                    self.text(c, out);
                }
            }
            Data::Other => {}
        }
    }

    /// The blocks under `n`: paragraphs and tables in order.
    fn blocks(&self, n: usize, para: &mut String, out: &mut Vec<Block>) {
        let flush = |para: &mut String, out: &mut Vec<Block>| {
            let p = normalize_cell(para);
            if !p.is_empty() {
                out.push(Block::Paragraph(p));
            }
            para.clear();
        };
        match &self.nodes[n].data {
            Data::Text(t) => para.push_str(t),
            Data::Element { name, .. } => {
                let tag: &str = &name.local;
                if HIDDEN.contains(&tag) {
                    return;
                }
                if tag == "table" {
                    flush(para, out);
                    out.push(Block::Table(self.grid(n)));
                    return;
                }
                let block = BLOCKS.contains(&tag);
                if block {
                    flush(para, out);
                }
                for &c in &self.nodes[n].children {
                    self.blocks(c, para, out);
                }
                if block {
                    flush(para, out);
                }
            }
            Data::Document => {
                for &c in &self.nodes[n].children {
                    self.blocks(c, para, out);
                }
            }
            Data::Other => {}
        }
    }

    /// The rows of a table (not of the tables nested in it).
    fn rows(&self, n: usize, out: &mut Vec<usize>) {
        for &c in &self.nodes[n].children {
            match self.name(c) {
                Some("tr") => out.push(c),
                Some("table") | None => {}
                Some(_) => self.rows(c, out),
            }
        }
    }

    fn grid(&self, table: usize) -> super::blocks::Grid {
        let mut rows = Vec::new();
        self.rows(table, &mut rows);
        let mut b = GridBuilder::default();
        for tr in rows {
            let cells = self.nodes[tr]
                .children
                .iter()
                .filter(|&&c| matches!(self.name(c), Some("td" | "th")))
                .map(|&c| {
                    let span = |k: &str| {
                        self.attr(c, k)
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(1)
                    };
                    let mut text = String::new();
                    self.text(c, &mut text);
                    SourceCell::Cell {
                        text,
                        rowspan: span("rowspan"),
                        colspan: span("colspan"),
                    }
                })
                .collect();
            b.push_row(cells);
        }
        b.finish()
    }
}

/// The longest line taken as a title (as `prose::title` does).
const TITLE_MAX_CHARS: usize = 80;

/// The words that tell a report's article: its title, and the headings of
/// its three tables.
const TITLE: [&str; 2] = ["政府信息公开", "年度报告"];
const HEADINGS: [&str; 3] = ["主动公开政府信息", "收到和处理政府信息公开申请", "行政复议"];

/// What a page gave.
#[derive(Debug)]
pub struct Read {
    pub document: Document,
    /// Said in the import's notes.
    pub notes: Vec<String>,
}

/// Deeper than any page an editor makes: the walks below recurse.
const MAX_DEPTH: usize = 1000;

/// The text of the subtree at `root` without whitespace, and each node's
/// range in it, in one walk (no recursion: the depth is checked here).
fn compact_ranges(page: &Page, root: usize) -> Result<(String, Vec<(usize, usize)>), ()> {
    let mut text = String::new();
    let mut ranges = vec![(0, 0); page.nodes.len()];
    let mut stack = vec![(root, false, 0usize)];
    while let Some((n, done, depth)) = stack.pop() {
        if done {
            ranges[n].1 = text.len();
            continue;
        }
        if depth > MAX_DEPTH {
            return Err(());
        }
        ranges[n].0 = text.len();
        stack.push((n, true, depth));
        match &page.nodes[n].data {
            Data::Text(t) => text.extend(
                t.chars()
                    .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{3000}'),
            ),
            Data::Element { name, .. } if HIDDEN.contains(&&*name.local) => {}
            _ => {
                for &c in page.nodes[n].children.iter().rev() {
                    stack.push((c, false, depth + 1));
                }
            }
        }
    }
    Ok((text, ranges))
}

/// Reads a page's text: its article, metadata and notes, or why it cannot
/// be read.
pub fn read(html: &str) -> Result<Read, String> {
    let nodes = html5ever::parse_document(Sink::default(), Default::default()).one(html);
    let page = Page { nodes };
    let body = page.find_all("body").first().copied().unwrap_or(0);
    let (text, ranges) = compact_ranges(&page, body).map_err(|_| {
        format!("the page nests its elements more than {MAX_DEPTH} deep; a report's page is far shallower: is it the right file?")
    })?;
    // Where each word occurs: an element holds a word when one occurrence
    // lies inside its range.
    let at = |word: &str| -> Vec<usize> { text.match_indices(word).map(|(i, _)| i).collect() };
    let title_at: Vec<(Vec<usize>, usize)> = TITLE.iter().map(|w| (at(w), w.len())).collect();
    let heading_at: Vec<(Vec<usize>, usize)> = HEADINGS.iter().map(|w| (at(w), w.len())).collect();
    let holds = |(s, e): (usize, usize), (found, len): &(Vec<usize>, usize)| {
        let i = found.partition_point(|&o| o < s);
        found.get(i).is_some_and(|&o| o + len <= e)
    };
    // The smallest element holding the three headings, the title too if any does.
    let mut best: Option<(usize, usize, bool)> = None; // (node, length, has title)
    for (n, &range) in ranges.iter().enumerate() {
        if page.name(n).is_none() {
            continue;
        }
        if !heading_at.iter().all(|h| holds(range, h)) {
            continue;
        }
        let titled = title_at.iter().all(|t| holds(range, t));
        let len = range.1 - range.0;
        let better = match best {
            None => true,
            Some((_, l, had)) => (titled && !had) || (titled == had && len < l),
        };
        if better {
            best = Some((n, len, titled));
        }
    }
    let (article, _, titled) = best.ok_or_else(|| {
        "the page is not a 政府信息公开工作年度报告: no part of it holds the headings of the three tables (主动公开政府信息情况, 收到和处理政府信息公开申请情况, 行政复议、行政诉讼情况)".to_string()
    })?;
    let mut notes = Vec::new();
    let mut blocks = Vec::new();
    let mut para = String::new();
    page.blocks(article, &mut para, &mut blocks);
    let rest = normalize_cell(&para);
    if !rest.is_empty() {
        blocks.push(Block::Paragraph(rest));
    }
    if !titled || !has_title_line(&blocks) {
        place_title(&page, &mut blocks, &mut notes);
    }
    let meta = metadata(&page, article, body);
    Ok(Read {
        document: Document { blocks, meta },
        notes,
    })
}

/// A line naming the report with its year (`…2023年…年度报告`), short as
/// a title is: 沭阳县发改局's opening paragraph names its report
/// (「…现向社会公布…2023年度政府信息公开年度报告。本年度报告…」) but is
/// not its title, and the text reader takes no line over 80 characters
/// as one.
fn is_title_line(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    chars.len() <= TITLE_MAX_CHARS
        && p.contains("年度报告")
        && chars
            .windows(5)
            .any(|w| w[0] == '2' && w[1..4].iter().all(char::is_ascii_digit) && w[4] == '年')
}

/// Paragraphs before the first section heading.
fn head_blocks(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .position(|b| {
            matches!(b, Block::Paragraph(p) if p.contains("总体情况") || p.contains(HEADINGS[0]))
        })
        .unwrap_or(blocks.len())
}

fn has_title_line(blocks: &[Block]) -> bool {
    blocks[..head_blocks(blocks)]
        .iter()
        .any(|b| matches!(b, Block::Paragraph(p) if is_title_line(p)))
}

/// When the article has no line naming the report with its year (the
/// title printed apart, or split over two lines), the page's own title:
/// a `<meta name="ArticleTitle">`, a heading element, or `<title>` (its
/// part naming the report). The article's lines that are pieces of it go.
fn place_title(page: &Page, blocks: &mut Vec<Block>, notes: &mut Vec<String>) {
    let text_of = |n: usize| {
        let mut s = String::new();
        page.text(n, &mut s);
        normalize_cell(&s)
    };
    let mut candidates: Vec<(String, &str)> = Vec::new();
    for m in page.find_all("meta") {
        let name = page.attr(m, "name").unwrap_or("").to_ascii_lowercase();
        if matches!(name.as_str(), "articletitle" | "title" | "dc.title")
            && let Some(v) = page.attr(m, "content")
        {
            candidates.push((normalize_cell(v), "the page's <meta name=\"ArticleTitle\">"));
        }
    }
    for tag in ["h1", "h2", "h3"] {
        for n in page.find_all(tag) {
            candidates.push((text_of(n), "a heading outside the article"));
        }
    }
    for n in page.find_all("title") {
        for part in text_of(n).split(['_', '|', '-', '－']) {
            candidates.push((part.trim().to_string(), "the page's <title>"));
        }
    }
    let Some((title, from)) = candidates.into_iter().find(|(t, _)| is_title_line(t)) else {
        return;
    };
    let compact = |t: &str| -> String { t.chars().filter(|c| !c.is_whitespace()).collect() };
    let whole = compact(&title);
    let head = head_blocks(blocks);
    let mut i = 0;
    blocks.retain(|b| {
        let piece = i < head
            && matches!(b, Block::Paragraph(p) if !compact(p).is_empty() && whole.contains(&compact(p)));
        i += 1;
        !piece
    });
    notes.push(format!("the title is taken from {from}: {title}"));
    blocks.insert(0, Block::Paragraph(title));
}

/// `发布日期：…` and `索引号：…` lines from the page around the article, and
/// the date of a `<meta name="PubDate">`-like tag.
fn metadata(page: &Page, article: usize, body: usize) -> Vec<String> {
    let mut out = Vec::new();
    for m in page.find_all("meta") {
        let name = page
            .attr(m, "name")
            .or_else(|| page.attr(m, "property"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let dated = [
            "pubdate",
            "publishdate",
            "pub_date",
            "firstpublishedtime",
            "releasedate",
            "dc.date",
            "dc.date.issued",
            "dcterms.issued",
            "article:published_time",
        ];
        if dated.contains(&name.as_str())
            && let Some(v) = page.attr(m, "content")
            && !v.trim().is_empty()
        {
            out.push(format!("发布日期：{}", v.trim()));
            break;
        }
    }
    // The article's own lines are read with it; the lines around it here.
    let mut around = String::new();
    outside(page, body, article, &mut around);
    for line in around.lines() {
        let line = normalize_cell(line);
        if ["索引号", "发布日期", "发布时间", "公开日期"]
            .iter()
            .any(|k| line.contains(k))
        {
            out.push(line);
        }
    }
    out
}

/// The text of `n` without the subtree `skip`, a table row a line.
fn outside(page: &Page, n: usize, skip: usize, out: &mut String) {
    if n == skip {
        return;
    }
    match &page.nodes[n].data {
        // A line break in the source is a space on the page: the blocks
        // and rows make the lines (沭阳's info table puts each <td> on a
        // line of its own, its label and value in one row).
        Data::Text(t) => out.extend(
            t.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        ),
        Data::Element { name, .. } => {
            let tag: &str = &name.local;
            if HIDDEN.contains(&tag) {
                return;
            }
            let cell = tag == "td" || tag == "th";
            if BLOCKS.contains(&tag) {
                out.push('\n');
            } else if cell {
                out.push(' ');
            }
            for &c in &page.nodes[n].children {
                outside(page, c, skip, out);
            }
            if BLOCKS.contains(&tag) {
                out.push('\n');
            } else if cell {
                out.push(' ');
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>\xb9\xab\xbf\xaa</body></html>";
        let d = decode(page);
        assert_eq!(d.encoding, "GBK (declared by the page)");
        assert!(d.text.contains("公开"));
        let d = decode(b"<body>\xb9\xab\xbf\xaa</body>");
        assert_eq!(d.encoding, "gb18030 (guessed from the bytes)");
        assert!(d.text.contains("公开"));
        let d = decode("<meta charset=\"utf-8\"><p>公开</p>".as_bytes());
        assert_eq!(d.encoding, "UTF-8 (declared by the page)");
    }

    #[test]
    fn article_is_the_smallest_holder() {
        let html = "<html><head><title>x</title></head><body><div class=nav>首页 政府信息公开</div>\
            <div id=a><h1>某局2024年政府信息公开工作年度报告</h1><p>二、主动公开政府信息情况</p>\
            <table><tr><td rowspan=2>a</td><td>b&nbsp;</td></tr><tr><td>—</td></tr></table>\
            <p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p></div>\
            <div>索引号：123/2024-01</div></body></html>";
        let r = read(html).unwrap();
        let paras: Vec<&str> = r
            .document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.as_str()),
                Block::Table(_) => None,
            })
            .collect();
        assert_eq!(paras[0], "某局2024年政府信息公开工作年度报告");
        assert!(!paras.iter().any(|p| p.contains("首页")));
        assert_eq!(r.document.meta, vec!["索引号：123/2024-01".to_string()]);
        let Block::Table(g) = &r.document.blocks[2] else {
            panic!("a table")
        };
        assert_eq!(g.rows[1][0].text, "a");
        assert_eq!(g.rows[0][1].text, "b");
        assert_eq!(g.rows[1][1].text, "—");
        assert!(
            read("<p>hello</p>")
                .unwrap_err()
                .contains("not a 政府信息公开工作年度报告")
        );
        let deep = "<div>".repeat(5000);
        assert!(read(&deep).unwrap_err().contains("more than 1000 deep"));
    }
}
