//! The index files, from the pages read: what search.js downloads.
//!
//! - `meta.json`: the number of pages, shards and pages per text chunk, the
//!   years and the categories;
//! - `docs.bin`: two bytes a page (its year's and its category's place in
//!   those lists, plus one; 0 for none), for the filters and their counts;
//! - `t/N.bin`: shard N of the terms (a term is in shard FNV-1a(term) mod
//!   the number of shards, a power of two chosen so a shard is about
//!   [`SHARD_BYTES`]): for each term in byte order, its length and UTF-8
//!   bytes, the length of its postings and the postings, each the gap from
//!   the previous page (varint) and the page's score for the term, BM25
//!   with the field weights, as one byte on a scale shared by all terms;
//! - `x/N.json`: the title, link, year, category and text of pages
//!   N×[`CHUNK`] to N×[`CHUNK`]+CHUNK−1, for the results' excerpts.
//!
//! Pages are numbered by agency (the folder name) then path, so an
//! agency's pages share a text chunk. Everything is sorted: the same pages
//! give the same bytes.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::page::Page;
use super::terms;
use crate::render::hash::FastHash;

/// Every term's postings, the long terms' text and the pages' summed
/// length, for a run of pages.
type Postings<'p> = (HashMap<u64, Vec<u64>, FastHash>, HashMap<u64, &'p str>, u64);

/// Pages per text chunk. Eight (an agency's pages, which sit together,
/// mostly in one or two chunks) rather than four: the chunks are most of
/// the index's files, and creating files is most of what the index costs
/// a build; a first query's excerpts download about twice the text.
pub const CHUNK: usize = 8;
/// The size a term shard aims at.
pub const SHARD_BYTES: usize = 8 * 1024;
/// BM25's parameters.
const K1: f64 = 1.2;
const B: f64 = 0.75;

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    docs: usize,
    shards: u32,
    chunk: usize,
    years: &'a [i32],
    categories: &'a [&'a str],
}

#[derive(Serialize)]
struct Stored<'a> {
    #[serde(rename = "u")]
    url: &'a str,
    #[serde(rename = "t")]
    title: &'a str,
    #[serde(rename = "y", skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    #[serde(rename = "c")]
    category: &'a str,
    #[serde(rename = "x")]
    text: &'a str,
}

/// The index of `pages` as files (paths relative to the index's folder).
pub fn files<P: Borrow<Page> + Sync>(pages: &[P]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut order: Vec<&Page> = pages.iter().map(|p| p.borrow()).collect();
    let slug = |p: &Page| p.path.split('/').nth(1).unwrap_or("").to_string();
    order.sort_by_cached_key(|p| (slug(p), p.path.clone()));
    let n = order.len();

    // Postings in page order: page number << 8 | weight. Made for runs of
    // pages in parallel, then joined in page order (a later run's pages
    // come after an earlier run's in every list).
    let run = n.div_ceil(rayon::current_num_threads().max(1)).max(1024);
    let (postings, long, total_length) = order
        .par_chunks(run)
        .enumerate()
        .map(|(i, pages)| {
            let mut part = Postings::default();
            for (j, page) in pages.iter().enumerate() {
                let doc = (i * run + j) as u64;
                part.2 += page.length as u64;
                for &t in &page.terms {
                    part.0
                        .entry(t >> 8)
                        .or_default()
                        .push((doc << 8) | (t & 0xFF));
                }
                for (k, w) in &page.long {
                    part.1.entry(*k).or_insert(&**w);
                }
            }
            part
        })
        .reduce(Postings::default, |mut left, right| {
            for (key, list) in right.0 {
                left.0.entry(key).or_default().extend(list);
            }
            for (k, w) in right.1 {
                left.1.entry(k).or_insert(w);
            }
            (left.0, left.1, left.2 + right.2)
        });
    let average = (total_length as f64 / n.max(1) as f64).max(1.0);
    let norm: Vec<f64> = order
        .iter()
        .map(|p| K1 * (1.0 - B + B * p.length as f64 / average))
        .collect();

    // Every term's text and scores; the top score sets the byte scale.
    let mut terms: Vec<(String, Vec<u64>)> = postings
        .into_iter()
        .filter_map(|(key, list)| {
            let text = terms::text(key).or_else(|| long.get(&key).map(|w| w.to_string()))?;
            Some((text, list))
        })
        .collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let score = |df: usize, posting: u64| {
        let idf = (1.0 + (n as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
        let weight = (posting & 0xFF) as f64;
        idf * weight * (K1 + 1.0) / (weight + norm[(posting >> 8) as usize])
    };
    let top = terms
        .par_iter()
        .map(|(_, list)| {
            list.iter()
                .map(|&p| score(list.len(), p))
                .fold(0.0, f64::max)
        })
        .reduce(|| 0.0, f64::max)
        .max(f64::MIN_POSITIVE);

    let estimate: usize = terms.iter().map(|(t, l)| t.len() + 4 + 2 * l.len()).sum();
    let shards = (estimate / SHARD_BYTES).max(1).next_power_of_two() as u32;
    let mut by_shard: Vec<Vec<&(String, Vec<u64>)>> = vec![Vec::new(); shards as usize];
    for term in &terms {
        by_shard[terms::shard(&term.0, shards) as usize].push(term);
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = by_shard
        .par_iter()
        .enumerate()
        .map(|(i, list)| {
            let mut out = Vec::new();
            let mut block = Vec::new();
            for (text, postings) in list {
                block.clear();
                let mut last = 0u64;
                for &p in postings {
                    let doc = p >> 8;
                    varint(&mut block, doc - last);
                    last = doc;
                    let s = score(postings.len(), p) / top * 255.0;
                    block.push(s.round().clamp(1.0, 255.0) as u8);
                }
                varint(&mut out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
                varint(&mut out, postings.len() as u64);
                varint(&mut out, block.len() as u64);
                out.extend_from_slice(&block);
            }
            (PathBuf::from(format!("t/{i}.bin")), out)
        })
        .collect();

    // Filters: years newest first, categories in order of first page.
    let mut years: Vec<i32> = order.iter().filter_map(|p| p.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut categories: Vec<&str> = Vec::new();
    for p in &order {
        if !p.category.is_empty() && !categories.contains(&p.category.as_str()) {
            categories.push(&p.category);
        }
    }
    let docs: Vec<u8> = order
        .iter()
        .flat_map(|p| {
            let year = p.year.and_then(|y| years.iter().position(|&x| x == y));
            let category = categories.iter().position(|&c| c == p.category);
            [place(year), place(category)]
        })
        .collect();
    files.push((PathBuf::from("docs.bin"), docs));
    let meta = Meta {
        version: 1,
        docs: n,
        shards,
        chunk: CHUNK,
        years: &years,
        categories: &categories,
    };
    files.push((
        PathBuf::from("meta.json"),
        serde_json::to_vec(&meta).unwrap_or_default(),
    ));
    files.par_extend(order.par_chunks(CHUNK).enumerate().map(|(i, chunk)| {
        let stored: Vec<Stored> = chunk
            .iter()
            .map(|p| Stored {
                url: &p.path,
                title: &p.title,
                year: p.year,
                category: &p.category,
                text: &p.text,
            })
            .collect();
        (
            PathBuf::from(format!("x/{i}.json")),
            serde_json::to_vec(&stored).unwrap_or_default(),
        )
    }));
    files
}

/// A place in a filter's list as a byte: 0 for none, else place + 1 (a
/// site with more than 254 years or categories loses the filter for the
/// rest, never the page).
fn place(at: Option<usize>) -> u8 {
    at.map_or(0, |i| u8::try_from(i + 1).unwrap_or(0))
}

/// LEB128: seven bits a byte, low first, the high bit set on all but the last.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let mut out = Vec::new();
        for n in [0, 127, 128, 300] {
            varint(&mut out, n);
        }
        assert_eq!(out, [0, 127, 0x80, 1, 0xAC, 2]);
    }
}
