//! The index read back as search.js reads it: the terms of a query, their
//! shards, the pages with every term (failing those, with the most terms)
//! ranked by their summed scores. For tests of ranking and for measuring
//! what a query downloads; the browser client is the one users run.

use std::collections::HashMap;

use serde::Deserialize;

use super::terms;

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Output path of the page (`2024/weibin/index.html`).
    pub url: String,
    pub title: String,
    pub year: Option<i32>,
    pub category: String,
    /// The summed scores of the query's terms (one byte each).
    pub score: u32,
}

/// The results of a query, and what reading them took.
#[derive(Debug, Default)]
pub struct Found {
    /// Best first.
    pub hits: Vec<Hit>,
    /// No page has every term: these have the most.
    pub partial: bool,
    /// The index files read (less the text chunks), with their sizes.
    pub read: Vec<(String, usize)>,
}

#[derive(Deserialize)]
struct Meta {
    shards: u32,
    chunk: usize,
}

#[derive(Deserialize)]
struct Stored {
    u: String,
    t: String,
    y: Option<i32>,
    c: String,
}

/// The query's terms, each once, as search.js makes them: a run of more
/// than six Han characters is covered by pairs that do not overlap (卫滨|区中|
/// 同街|街道|办事|处, the last pair overlapping when the run is odd), which
/// downloads fewer shards and finds the same pages (so long a run rarely
/// occurs but as itself); a shorter run keeps every pair, so 信息处理费
/// does not find 信息公开处理费.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    let mut run: Vec<char> = Vec::new();
    let end_run = |run: &mut Vec<char>, add: &mut dyn FnMut(String)| {
        let n = run.len();
        if n == 1 {
            add(run[0].to_string());
        }
        let step = if n > 6 { 2 } else { 1 };
        let mut i = 1;
        while i < n {
            add([run[i - 1], run[i]].iter().collect());
            i += step;
        }
        if step == 2 && n % 2 == 1 {
            add([run[n - 2], run[n - 1]].iter().collect());
        }
        run.clear();
    };
    let mut word = String::new();
    for c in query.chars().map(terms::fold) {
        if terms::is_han(c) {
            if !word.is_empty() {
                add(std::mem::take(&mut word));
            }
            run.push(c);
        } else {
            end_run(&mut run, &mut add);
            if c.is_ascii_alphanumeric() {
                if word.len() < terms::MAX_WORD {
                    word.push(c);
                }
            } else if !word.is_empty() {
                add(std::mem::take(&mut word));
            }
        }
    }
    end_run(&mut run, &mut add);
    if !word.is_empty() {
        add(word);
    }
    out
}

/// Runs `query` on the index whose files `file` gives (by path relative to
/// the index folder: `meta.json`, `t/3.bin`).
pub fn search(file: impl Fn(&str) -> Option<Vec<u8>>, query: &str) -> Result<Found, String> {
    let mut found = Found::default();
    let get = |name: &str, found: &mut Found| {
        let bytes = file(name).ok_or_else(|| format!("no {name} in the index"))?;
        found.read.push((name.to_string(), bytes.len()));
        Ok::<_, String>(bytes)
    };
    let meta: Meta =
        serde_json::from_slice(&get("meta.json", &mut found)?).map_err(|e| e.to_string())?;
    get("docs.bin", &mut found)?;
    let words = query_terms(query);
    let mut shards: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut score: HashMap<u64, (u32, usize)> = HashMap::new();
    for word in &words {
        let n = terms::shard(word, meta.shards);
        if let std::collections::hash_map::Entry::Vacant(e) = shards.entry(n) {
            e.insert(get(&format!("t/{n}.bin"), &mut found)?);
        }
        for (doc, s) in postings(&shards[&n], word.as_bytes()).ok_or("a broken shard")? {
            let e = score.entry(doc).or_insert((0, 0));
            e.0 += s as u32;
            e.1 += 1;
        }
    }
    let best = score.values().map(|s| s.1).max().unwrap_or(0);
    found.partial = best > 0 && best < words.len();
    let mut docs: Vec<(u64, u32)> = score
        .into_iter()
        .filter(|(_, s)| s.1 == best)
        .map(|(d, s)| (d, s.0))
        .collect();
    docs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chunks: HashMap<u64, Vec<Stored>> = HashMap::new();
    for (doc, s) in docs {
        let c = doc / meta.chunk as u64;
        if let std::collections::hash_map::Entry::Vacant(e) = chunks.entry(c) {
            let bytes = file(&format!("x/{c}.json")).ok_or("a missing text chunk")?;
            e.insert(serde_json::from_slice(&bytes).map_err(|e| e.to_string())?);
        }
        let p = chunks[&c]
            .get((doc % meta.chunk as u64) as usize)
            .ok_or("a page missing from its chunk")?;
        found.hits.push(Hit {
            url: p.u.clone(),
            title: p.t.clone(),
            year: p.y,
            category: p.c.clone(),
            score: s,
        });
    }
    Ok(found)
}

/// The postings of `term` in a shard; `None` if the shard is malformed.
fn postings(shard: &[u8], term: &[u8]) -> Option<Vec<(u64, u8)>> {
    let mut at = 0usize;
    let varint = |at: &mut usize| -> Option<u64> {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = *shard.get(*at)?;
            *at += 1;
            n |= ((b & 0x7F) as u64) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
            shift += 7;
        }
    };
    while at < shard.len() {
        let len = varint(&mut at)? as usize;
        let text = shard.get(at..at + len)?;
        at += len;
        let count = varint(&mut at)?;
        let size = varint(&mut at)? as usize;
        if text != term {
            at += size;
            continue;
        }
        let mut out = Vec::with_capacity(count as usize);
        let mut doc = 0u64;
        for _ in 0..count {
            doc += varint(&mut at)?;
            out.push((doc, *shard.get(at)?));
            at += 1;
        }
        return Some(out);
    }
    Some(Vec::new())
}
