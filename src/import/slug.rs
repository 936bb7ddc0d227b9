//! A new agency's slug from its name, for `import FOLDER`: the name's part
//! after the district's own name (卫滨区教育局 → 教育局), in toneless pinyin
//! run together (`jiaoyuju`), numbered on a clash (`jiaoyuju-2`).
//!
//! Pinyin comes from the `pinyin` crate, one reading per character: a
//! character with several readings (a polyphone) always gets its most
//! common one, whatever the word (银行 gives `yinxing`, not `yinhang`).
//! That keeps the slug a pure function of the name; a clerk who wants
//! another creates `content/<slug>/agency.yaml` with the name first, and
//! the import matches it by name.

use pinyin::ToPinyin;

/// The characters that end an administrative division's name (区, 县, 市,
/// 旗): where the district's own name may end.
const DIVISION_ENDS: [char; 4] = ['区', '县', '市', '旗'];

/// Toneless pinyin of `text`, run together, lower case: `[a-z0-9]*`.
/// ASCII letters and digits are kept; ü is written `v`, as in typed
/// pinyin; anything else (punctuation, characters without a reading) is
/// left out.
pub fn pinyin(text: &str) -> String {
    let mut out = String::new();
    for (c, reading) in text.chars().zip(text.to_pinyin()) {
        match reading {
            Some(p) => {
                for letter in p.plain().chars() {
                    match letter {
                        'ü' => out.push('v'),
                        'ê' => out.push('e'),
                        l if l.is_ascii_alphanumeric() => out.push(l.to_ascii_lowercase()),
                        _ => {}
                    }
                }
            }
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

/// The district's own name: from the site's title when it starts with one
/// (卫滨区政府信息公开工作年度报告 → 卫滨区), else the start ending in
/// 区/县/市/旗 that most of the agencies' names share, the longer on a tie
/// (新乡市卫滨区教育局 and 新乡市卫滨区人民政府 → 新乡市卫滨区; a stray
/// 示例街道办事处 does not spoil it). One name's own start counts only when
/// it is the only name; else a start must be shared. `None` when nothing
/// is.
pub fn district(site_title: &str, names: &[&str]) -> Option<String> {
    if let Some(at) = site_title.find("政府信息公开") {
        let mut head = site_title[..at].trim();
        head = head.strip_suffix("人民政府").unwrap_or(head);
        if head.ends_with(DIVISION_ENDS) && names.iter().any(|n| n.starts_with(head)) {
            return Some(head.to_string());
        }
    }
    let mut count: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for n in names {
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in n.char_indices() {
            let end = i + c.len_utf8();
            // A start that is the whole name is no district of it.
            if DIVISION_ENDS.contains(&c) && end < n.len() && seen.insert(&n[..end]) {
                *count.entry(&n[..end]).or_default() += 1;
            }
        }
    }
    let needed = if names.len() == 1 { 1 } else { 2 };
    count
        .into_iter()
        .filter(|(_, k)| *k >= needed)
        .max_by_key(|(p, k)| (*k, p.len()))
        .map(|(p, _)| p.to_string())
}

/// The part of `name` a slug is made from: after the district's name when
/// it starts with it, else after the name's own first division (淮安市洪泽区
/// → 洪泽区…, a division of at least three characters, so that 城市管理局
/// stays whole). The district's own government (卫滨区人民政府) keeps the
/// district's name (卫滨区), never the bare 人民政府. 人民政府 and 办事处 are
/// left out when something comes before them (平原镇人民政府 → 平原镇,
/// 中同街街道办事处 → 中同街街道), and 人民政府 when something follows it
/// (上海市人民政府办公厅 → 办公厅).
pub fn short_part<'a>(name: &'a str, district: Option<&str>) -> &'a str {
    let own = || {
        name.char_indices()
            .filter(|&(i, c)| DIVISION_ENDS.contains(&c) && name[..i].chars().count() >= 2)
            .map(|(i, c)| &name[..i + c.len_utf8()])
            .find(|head| head.len() < name.len())
    };
    let head = district.filter(|d| name.starts_with(d)).or_else(own);
    let part = match head.map(|d| &name[d.len()..]) {
        Some(rest) if rest.is_empty() || rest == "人民政府" || rest == "政府" => {
            return &name[..name.len() - rest.len()];
        }
        Some(rest) => rest,
        None => name,
    };
    // The government's own offices: 人民政府办公室 → 办公室.
    let part = part
        .strip_prefix("人民政府")
        .filter(|p| !p.is_empty())
        .unwrap_or(part);
    ["人民政府", "办事处"]
        .iter()
        .find_map(|s| part.strip_suffix(s).filter(|p| !p.is_empty()))
        .unwrap_or(part)
}

/// The slug for a new agency: pinyin of its short part, then `-2`, `-3`…
/// until `taken` says it is free. `None` when the name has no letters a
/// slug can be made of.
pub fn new_slug(
    name: &str,
    district: Option<&str>,
    taken: impl Fn(&str) -> bool,
) -> Option<String> {
    let mut base = pinyin(short_part(name, district));
    if base.is_empty() {
        base = pinyin(name);
    }
    if base.is_empty() {
        return None;
    }
    if !base.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    if !taken(&base) {
        return Some(base);
    }
    (2..).map(|n| format!("{base}-{n}")).find(|s| !taken(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_names() {
        assert_eq!(pinyin("教育局"), "jiaoyuju");
        assert_eq!(pinyin("绿化局"), "lvhuaju");
        assert_eq!(pinyin("中同街街道办事处"), "zhongtongjiejiedaobanshichu");
        assert_eq!(pinyin("12345热线"), "12345rexian");
        assert_eq!(pinyin("（筹）"), "chou");
        // Polyphones: one reading per character, the most common one.
        assert_eq!(pinyin("银行"), "yinxing");
        assert_eq!(pinyin("重庆"), "zhongqing");
    }

    #[test]
    fn the_district_from_the_title_or_the_names() {
        let names = ["卫滨区教育局", "卫滨区中同街街道办事处"];
        assert_eq!(
            district("卫滨区政府信息公开工作年度报告", &names).as_deref(),
            Some("卫滨区")
        );
        assert_eq!(district("年度报告", &names).as_deref(), Some("卫滨区"));
        assert_eq!(
            district("", &["新乡市卫滨区教育局", "新乡市卫滨区人民政府"]).as_deref(),
            Some("新乡市卫滨区")
        );
        assert_eq!(district("", &["教育局", "公安局"]), None);
        assert_eq!(
            district(
                "",
                &[
                    "示例街道办事处",
                    "示范区教育局",
                    "示范区测试局",
                    "示范区市场监督管理局"
                ]
            )
            .as_deref(),
            Some("示范区")
        );
        assert_eq!(district("", &["卫滨区教育局"]).as_deref(), Some("卫滨区"));
        assert_eq!(district("", &[]), None);
    }

    #[test]
    fn slugs_after_the_district_numbered_on_a_clash() {
        let d = Some("卫滨区");
        assert_eq!(short_part("卫滨区教育局", d), "教育局");
        assert_eq!(short_part("卫滨区人民政府", d), "卫滨区");
        assert_eq!(short_part("红旗区教育局", d), "教育局");
        assert_eq!(short_part("卫滨区平原镇人民政府", d), "平原镇");
        assert_eq!(short_part("卫滨区中同街街道办事处", d), "中同街街道");
        // No district: the name's own first division.
        assert_eq!(short_part("淮安市洪泽区人民政府", None), "洪泽区");
        assert_eq!(short_part("新乡市卫滨区教育局", None), "卫滨区教育局");
        assert_eq!(short_part("平潭综合实验区", None), "平潭综合实验区");
        assert_eq!(short_part("城市管理局", None), "城市管理局");
        assert_eq!(short_part("上海市人民政府办公厅", None), "办公厅");
        assert_eq!(short_part("卫滨区人民政府办公室", d), "办公室");
        assert_eq!(short_part("市场监督管理局", None), "市场监督管理局");
        let taken = |s: &str| s == "jiaoyuju" || s == "jiaoyuju-2";
        assert_eq!(
            new_slug("卫滨区教育局", d, taken).as_deref(),
            Some("jiaoyuju-3")
        );
        assert_eq!(
            new_slug("卫滨区人民政府", d, |_| false).as_deref(),
            Some("weibinqu")
        );
        assert_eq!(new_slug("——", d, |_| false), None);
    }
}
