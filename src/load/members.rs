//! Reading a roll-up site's members: each `[[members]]` entry's
//! `data/summary.json` (format 1, see `render::summary`), from a path or
//! an http(s) URL, checked as a district's sums are (R1 per column with
//! （七） derived from （一）…（六）, so R3 holds by construction; the
//! categories add up to the year; the counts agree) before a figure of it
//! is used. Every problem is a diagnostic at the member's entry in
//! site.toml that names the member, its summary and what is wrong.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::Deserialize;

use crate::aggregate::{self, Aggregate};
use crate::diagnostics::{Diagnostic, Diagnostics, Rule};
use crate::indicators::Key;
use crate::model::layout::{ColumnKind, REVIEW_ROWS, Role, request_rows};
use crate::model::member::{Counts, MemberCategory, MemberYear, Part, Term};
use crate::model::{Cell, Format, Member, MemberConfig, Number, Row, RowDef, Site, Unread};

/// The summary format this version reads (the one it writes).
pub const FORMAT: u64 = 1;

/// How long a member's URL may take, connection and body together.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A summary larger than this is refused (a province's is well under 1 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Why a member was not used.
#[derive(Clone)]
enum Failure {
    /// Its summary could not be had (missing file, unreachable URL, HTTP
    /// error): with `--allow-missing-members`, a warning.
    Unreachable(String),
    /// Its summary is there but wrong: always an error.
    Invalid(String),
}

/// Reads and checks every member of `site` (in parallel: URLs wait on the
/// network), adding them to `site.members` in site.toml's order.
pub fn read_members(site: &mut Site, allow_missing: bool, diagnostics: &mut Diagnostics) {
    let results: Vec<Result<Member, Failure>> = site
        .config
        .members
        .par_iter()
        .map(|m| read_member(&site.root, m, site))
        .collect();
    add_members(site, results, allow_missing, diagnostics);
}

/// Members kept from one load to the next (serve), so that a save in
/// `content/` neither fetches a URL member again nor parses and checks a
/// summary that did not change: a path member is read again when its
/// file's size or modification time changed (or the watcher names it), a
/// URL member once a session, or again when site.toml is saved (with
/// `--allow-missing-members`, saving site.toml is how to retry one that
/// could not be fetched). Any change to site.toml reads every member again.
#[derive(Default)]
pub struct MemberCache {
    /// The fingerprint of the site.toml they were read under.
    config: Option<u64>,
    /// By the summary as site.toml writes it (path or URL).
    kept: HashMap<String, KeptMember>,
}

struct KeptMember {
    /// A path member's file's size and modification time when read.
    stamp: Option<(u64, SystemTime)>,
    result: Result<Member, Failure>,
}

/// A file's size and modification time; `None` when it cannot be had.
fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Whether the watcher named `config`'s summary file among `changed`
/// (it names member files by their absolute path, folder canonical).
fn named(root: &Path, config: &MemberConfig, changed: &[PathBuf]) -> bool {
    let path = root.join(&config.summary);
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    let mut absolute = changed.iter().filter(|p| p.is_absolute()).peekable();
    if absolute.peek().is_none() {
        return false;
    }
    let Ok(dir) = parent.canonicalize() else {
        return true;
    };
    let full = dir.join(name);
    absolute.any(|p| *p == full)
}

/// [`read_members`], reusing what `cache` read at earlier loads (see
/// [`MemberCache`]). `config` is site.toml's fingerprint; `changed` the
/// paths the watcher saw change (empty: anything may have).
pub(super) fn read_members_cached(
    site: &mut Site,
    allow_missing: bool,
    diagnostics: &mut Diagnostics,
    cache: &mut MemberCache,
    config: Option<u64>,
    changed: &[PathBuf],
) {
    if cache.config != config {
        cache.kept.clear();
        cache.config = config;
    }
    let root = &site.root;
    let saved_toml = changed.is_empty()
        || changed
            .iter()
            .any(|p| p.strip_prefix(root).unwrap_or(p) == Path::new("site.toml"));
    let kept = &cache.kept;
    let read: Vec<(Result<Member, Failure>, Option<KeptMember>)> = site
        .config
        .members
        .par_iter()
        .map(|m| {
            // Which agencies there are may change with any save.
            if let Err(clash) = clash(m, site) {
                return (Err(clash), None);
            }
            let stamp = if m.is_url() {
                None
            } else {
                stamp(&root.join(&m.summary))
            };
            let same = kept.get(&m.summary).filter(|k| {
                if m.is_url() {
                    !saved_toml
                } else {
                    stamp.is_some() && k.stamp == stamp && !named(root, m, changed)
                }
            });
            match same {
                Some(k) => (k.result.clone(), None),
                None => {
                    let result = read_member(root, m, site);
                    (result.clone(), Some(KeptMember { stamp, result }))
                }
            }
        })
        .collect();
    let mut results = Vec::with_capacity(read.len());
    for (m, (result, fresh)) in site.config.members.iter().zip(read) {
        if let Some(fresh) = fresh {
            cache.kept.insert(m.summary.clone(), fresh);
        }
        results.push(result);
    }
    cache
        .kept
        .retain(|summary, _| site.config.members.iter().any(|m| m.summary == *summary));
    add_members(site, results, allow_missing, diagnostics);
}

/// Adds the members read (`results`, in site.toml's order) to `site`, and
/// each failure to `diagnostics`.
fn add_members(
    site: &mut Site,
    results: Vec<Result<Member, Failure>>,
    allow_missing: bool,
    diagnostics: &mut Diagnostics,
) {
    let toml = Path::new("site.toml");
    for (config, result) in site.config.members.clone().iter().zip(results) {
        let name = |what: &str| format!("member `{}` ({}): {what}", config.key, config.summary);
        match result {
            Ok(member) => site.members.push(member),
            Err(Failure::Unreachable(reason)) if allow_missing => {
                diagnostics.push(
                    Diagnostic::warning(
                        Rule::Member,
                        toml,
                        Some(config.span),
                        name(&format!("{reason}; left out of the totals")),
                    )
                    .with_help("the pages say which member is left out"),
                );
                site.unread.push(Unread {
                    key: config.key.clone(),
                    name: config.name.clone(),
                    summary: config.summary.clone(),
                    reason,
                });
            }
            Err(Failure::Unreachable(reason)) => diagnostics.push(
                Diagnostic::error(Rule::Member, toml, Some(config.span), name(&reason))
                    .with_help("build with --allow-missing-members to publish without it (the pages then say so)"),
            ),
            Err(Failure::Invalid(reason)) => diagnostics.push(Diagnostic::error(
                Rule::Member,
                toml,
                Some(config.span),
                name(&reason),
            )),
        }
    }
}

/// A member whose key is also an agency's folder is refused.
fn clash(config: &MemberConfig, site: &Site) -> Result<(), Failure> {
    if site.agencies.contains_key(&config.key) {
        return Err(Failure::Invalid(
            "its key is also an agency's folder; keys name one agency or member".into(),
        ));
    }
    Ok(())
}

fn read_member(root: &Path, config: &MemberConfig, site: &Site) -> Result<Member, Failure> {
    clash(config, site)?;
    let bytes = if config.is_url() {
        fetch(&config.summary)?
    } else {
        let path = root.join(&config.summary);
        match super::read_limited(&path) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(size)) => {
                return Err(Failure::Invalid(format!(
                    "the file is {size} bytes, more than a summary can be"
                )));
            }
            Err(e) => {
                return Err(Failure::Unreachable(format!("cannot read it: {e}")));
            }
        }
    };
    parse(config, &bytes, &site.config).map_err(Failure::Invalid)
}

/// GETs `url` with a timeout; an HTTP error status is a failure.
fn fetch(url: &str) -> Result<Vec<u8>, Failure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| Failure::Unreachable(format!("cannot fetch it: {e}")))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| Failure::Unreachable(format!("cannot read its body: {e}")))
}

#[derive(Deserialize)]
struct RawSummary {
    title: String,
    base_url: Option<String>,
    years: Vec<RawYear>,
}

#[derive(Deserialize)]
struct RawYear {
    year: i32,
    #[serde(flatten)]
    sums: RawSums,
    categories: Vec<RawCategory>,
}

#[derive(Deserialize)]
struct RawCategory {
    key: String,
    name: String,
    #[serde(flatten)]
    sums: RawSums,
}

#[derive(Deserialize)]
struct RawSums {
    reports: RawCounts,
    active: Vec<RawActive>,
    cells: BTreeMap<String, String>,
    indicators: Option<BTreeMap<String, RawTerm>>,
}

#[derive(Deserialize)]
struct RawCounts {
    expected: usize,
    published: usize,
    late: usize,
    missing: usize,
}

#[derive(Deserialize)]
struct RawActive {
    format: u16,
    reports: usize,
    cells: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawTerm {
    numerator: String,
    denominator: String,
    reports: usize,
    blank: usize,
}

/// A summary's bytes → the member, or what is wrong with them.
pub(crate) fn parse(
    config: &MemberConfig,
    bytes: &[u8],
    site: &crate::model::Config,
) -> Result<Member, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    match value.get("format").map(|f| (f, f.as_u64())) {
        None => return Err("not a summary: it has no `format`".into()),
        Some((_, Some(FORMAT))) => {}
        Some((f, _)) => {
            return Err(format!(
                "unknown summary format {f}: this gongkai reads format {FORMAT}"
            ));
        }
    }
    let raw: RawSummary =
        serde_json::from_value(value).map_err(|e| format!("not a format-1 summary: {e}"))?;
    let mut years = BTreeMap::new();
    for y in raw.years {
        let at = |what: String| format!("{}: {what}", y.year);
        if years.contains_key(&y.year) {
            return Err(at("the year is listed twice".into()));
        }
        let all = part(&y.sums).map_err(at)?;
        let mut categories = Vec::new();
        for c in &y.categories {
            if site.category(&c.key).is_none() {
                let keys: Vec<&str> = site.categories.iter().map(|c| c.key.as_str()).collect();
                return Err(at(format!(
                    "category `{}` ({}) is not one of site.toml's categories ({}); add it to site.toml",
                    c.key,
                    c.name,
                    keys.join(", ")
                )));
            }
            if categories.iter().any(|k: &MemberCategory| k.key == c.key) {
                return Err(at(format!("category `{}` is listed twice", c.key)));
            }
            let part = part(&c.sums).map_err(|e| at(format!("category `{}`: {e}", c.key)))?;
            categories.push(MemberCategory {
                key: c.key.clone(),
                name: c.name.clone(),
                part,
            });
        }
        categories_add_up(&all, &categories).map_err(at)?;
        years.insert(y.year, MemberYear { all, categories });
    }
    let base_url = config
        .base_url
        .clone()
        .or_else(|| raw.base_url.filter(|u| !u.is_empty()))
        .map(|mut u| {
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        });
    if let Some(url) = &base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(format!(
            "base_url \"{url}\" must start with https:// or http://"
        ));
    }
    Ok(Member {
        key: config.key.clone(),
        name: config.name.clone(),
        base_url,
        title: raw.title,
        years,
        fingerprint: {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            h.finish()
        },
    })
}

/// A summed figure; negative only where a report's may be (`signed`:
/// the 2019 format's 本年增/减).
fn number(key: &str, text: &str, signed: bool) -> Result<Number, String> {
    let n = Number::parse(text).map_err(|_| format!("`{key}` is \"{text}\", not a number"))?;
    if n.is_negative() && !signed {
        return Err(format!("`{key}` is {n}: a sum is never negative"));
    }
    Ok(n)
}

/// The rows of `defs` read from `cells` (every non-total cell, taken out
/// of the map); the （七）总计 row is zero here and derived when summed.
fn rows(defs: &'static [RowDef], cells: &mut BTreeMap<String, String>) -> Result<Vec<Row>, String> {
    let mut out = Vec::with_capacity(defs.len());
    for def in defs {
        let mut values = Vec::with_capacity(def.columns.len());
        for i in 0..def.columns.len() {
            let key = def.cell_key(i);
            let value = if def.role == Role::Total {
                Number::ZERO
            } else {
                let text = cells
                    .remove(&key)
                    .ok_or_else(|| format!("cell `{key}` is missing"))?;
                number(&key, &text, def.columns[i].kind == ColumnKind::Change)?
            };
            values.push(
                Cell::new(Some(value), Default::default())
                    .ok_or_else(|| format!("`{key}` is too large"))?,
            );
        }
        out.push(Row {
            def,
            cells: values,
            total: None,
            span: Default::default(),
            derived: true,
        });
    }
    Ok(out)
}

/// One set of sums: rows, counts and indicator terms, checked.
fn part(raw: &RawSums) -> Result<Part, String> {
    let c = &raw.reports;
    if c.expected != c.published + c.missing {
        return Err(format!(
            "reports: expected {} is not published {} + missing {}",
            c.expected, c.published, c.missing
        ));
    }
    if c.late > c.published {
        return Err(format!(
            "reports: late {} is more than published {}",
            c.late, c.published
        ));
    }
    // （六） is one row (2019 reports) or three; the keys say which.
    let single_other = !raw.cells.contains_key(
        &request_rows(false)
            .iter()
            .find(|d| d.key.starts_with("requests.other."))
            .map(|d| d.cell_key(0))
            .unwrap_or_default(),
    );
    let mut cells = raw.cells.clone();
    let requests = rows(request_rows(single_other), &mut cells)?;
    let reviews = rows(REVIEW_ROWS, &mut cells)?;
    if let Some(key) = cells.keys().next() {
        return Err(format!("unknown cell `{key}`"));
    }
    let mut active = Vec::new();
    let mut seen = BTreeSet::new();
    for a in &raw.active {
        let format = Format::parse(&a.format.to_string())
            .ok_or_else(|| format!("active: unknown report format {}", a.format))?;
        if !seen.insert(format) {
            return Err(format!("active: format {format} is listed twice"));
        }
        let mut cells = a.cells.clone();
        let rows = rows(format.active_rows(), &mut cells)?;
        if let Some(key) = cells.keys().next() {
            return Err(format!("active ({format}): unknown cell `{key}`"));
        }
        active.push((format, a.reports, rows));
    }
    let summed: usize = raw.active.iter().map(|a| a.reports).sum();
    if summed != c.published {
        return Err(format!(
            "active: the formats hold {summed} report(s), but {} were published",
            c.published
        ));
    }
    let raw_sums = Aggregate {
        reports: c.published,
        single_other,
        requests,
        reviews,
        active,
    };
    let sums = aggregate::combine([&raw_sums]).ok_or("the sums are too large")?;
    r1(&sums)?;
    let indicators = match &raw.indicators {
        None => None,
        Some(terms) => {
            let mut out = Vec::new();
            for (key, t) in terms {
                if Key::parse(key).is_none() {
                    return Err(format!("indicators: unknown indicator `{key}`"));
                }
                out.push((
                    key.clone(),
                    Term {
                        numerator: number(
                            &format!("indicators.{key}.numerator"),
                            &t.numerator,
                            false,
                        )?,
                        denominator: number(
                            &format!("indicators.{key}.denominator"),
                            &t.denominator,
                            false,
                        )?,
                        reports: t.reports,
                        blank: t.blank,
                    },
                ));
            }
            Some(out)
        }
    };
    Ok(Part {
        counts: Counts {
            expected: c.expected,
            published: c.published,
            late: c.late,
            missing: c.missing,
        },
        sums,
        indicators,
    })
}

/// R1 on sums, per column and for 总计: 一 + 二 = （七） + 四, with
/// （七） derived from （一）…（六） (R3 on sums).
fn r1(sums: &Aggregate) -> Result<(), String> {
    let row = |role: Role| sums.requests.iter().find(|r| r.def.role == role);
    let (Some(new), Some(over), Some(total), Some(forward)) = (
        row(Role::New),
        row(Role::CarriedOver),
        row(Role::Total),
        row(Role::CarriedForward),
    ) else {
        return Ok(());
    };
    for c in 0..new.def.width() {
        let left = new.value(c).checked_add(over.value(c));
        let right = total.value(c).checked_add(forward.value(c));
        if left != right {
            let show = |n: Option<Number>| n.map_or("overflow".into(), |n| n.to_string());
            return Err(format!(
                "R1 fails on the sums: {}: 一、本年新收 {} + 二、上年结转 {} = {}, but 三（七）总计 {} + 四、结转下年度 {} = {}",
                new.def.column_label(c),
                new.value(c),
                over.value(c),
                show(left),
                total.value(c),
                forward.value(c),
                show(right)
            ));
        }
    }
    Ok(())
}

/// A year's categories hold every report of the year: their counts and
/// cells add up to the year's.
fn categories_add_up(all: &Part, categories: &[MemberCategory]) -> Result<(), String> {
    if categories.is_empty() {
        return Ok(());
    }
    let mut counts = Counts::default();
    for c in categories {
        counts.add(c.part.counts);
    }
    if counts != all.counts {
        return Err(format!(
            "the categories' report counts ({} expected, {} published, {} late, {} missing) differ from the year's ({}, {}, {}, {})",
            counts.expected,
            counts.published,
            counts.late,
            counts.missing,
            all.counts.expected,
            all.counts.published,
            all.counts.late,
            all.counts.missing
        ));
    }
    let summed = aggregate::combine(categories.iter().map(|c| &c.part.sums))
        .ok_or("the categories' sums are too large")?;
    let tables = |a: &Aggregate| {
        let mut rows: Vec<(&str, &Row)> = a
            .requests
            .iter()
            .chain(&a.reviews)
            .map(|r| ("", r))
            .collect();
        for (format, _, active) in &a.active {
            rows.extend(active.iter().map(|r| (format.as_str(), r)));
        }
        rows.into_iter()
            .flat_map(|(format, r)| {
                (0..r.def.columns.len()).map(move |i| {
                    let key = r.def.cell_key(i);
                    let key = if format.is_empty() {
                        key
                    } else {
                        format!("active ({format}) {key}")
                    };
                    (key, r.value(i))
                })
            })
            .collect::<BTreeMap<String, Number>>()
    };
    let (by_category, by_year) = (tables(&summed), tables(&all.sums));
    for (key, value) in &by_year {
        let of_categories = by_category.get(key).copied().unwrap_or_default();
        if of_categories != *value {
            return Err(format!(
                "`{key}` is {value}, but its categories sum to {of_categories}"
            ));
        }
    }
    Ok(())
}
