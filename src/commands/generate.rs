//! Synthetic sites for benchmarks and tests: N agencies × Y years of reports
//! in the content format that pass every rule (carry-over across years and
//! 现行有效 included), with the spread real districts show (most agencies
//! near zero, a few large), about 2 KB of Chinese prose each, both formats
//! (2019 for years up to 2020). The same seed gives the same files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::layout::{Format, Role, RowDef, request_rows};
use crate::model::write::ReportText;

#[derive(Clone, Debug)]
pub struct Options {
    pub agencies: usize,
    pub years: usize,
    /// The latest report year; the first is `last_year - years + 1`.
    pub last_year: i32,
    pub seed: u64,
}

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max`.
    fn upto(&mut self, max: u64) -> u64 {
        if max == 0 { 0 } else { self.next() % (max + 1) }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const DEPARTMENTS: &[&str] = &[
    "发展和改革局",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安分局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "信访局",
    "行政审批服务局",
    "税务局",
    "消防救援大队",
    "档案馆",
];
const PLACES: &[&str] = &[
    "东", "西", "南", "北", "中", "新", "城", "河", "山", "湖", "桥", "庄", "平", "安", "和", "兴",
    "华", "阳", "丰", "宁", "永", "长", "清", "林", "塘", "园", "沙", "石", "金", "龙",
];
const TOPICS: &[&str] = &[
    "重大建设项目",
    "财政预决算",
    "政府采购",
    "行政执法",
    "公共资源配置",
    "社会救助",
    "教育招生",
    "医疗卫生",
    "生态环境",
    "食品药品安全",
    "安全生产",
    "乡村振兴",
    "就业创业",
    "住房保障",
    "征地拆迁",
    "民生实事",
];

struct AgencyPlan {
    slug: String,
    name: String,
    category: &'static str,
    /// Typical yearly requests: 0–5 for most, up to thousands for a few.
    scale: u64,
    code: String,
}

/// What one year leaves for the next.
#[derive(Default, Clone)]
struct Carry {
    carried_forward: [u64; 6],
    in_force: [u64; 2],
    /// 2019 format 上一年项目数量 + 本年增/减, by row.
    items: [u64; 5],
}

/// Writes a synthetic site into `dir` (which must be new or empty):
/// `site.toml` and `content/`. Returns the number of reports written.
pub fn generate(dir: &Path, options: &Options) -> Result<usize> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_some()
    {
        return Err(Error::NotEmpty(dir.to_path_buf()));
    }
    let mut rng = Rng(options.seed);
    write(
        &dir.join("site.toml"),
        &format!(
            "# 合成站点（gongkai generate，种子 {}）：用于基准测试，数字虚构。\n\
             title = \"示范区政府信息公开工作年度报告（合成数据）\"\n\
             base_url = \"https://www.example.gov.cn/gknb/\"\n\n\
             [footer]\norganizer = \"示范区人民政府办公室（合成数据）\"\n{}",
            options.seed,
            // Written out, though they are the defaults, so that other tools
            // (the Hugo benchmark's converter) read the same categories.
            crate::load::default_categories()
                .iter()
                .map(|c| format!(
                    "\n[[categories]]\nkey = \"{}\"\nname = \"{}\"\ndeadline = \"{:02}-{:02}\"\n",
                    c.key, c.name, c.deadline.month, c.deadline.day
                ))
                .collect::<String>()
        ),
    )?;
    let plans = plan_agencies(&mut rng, options.agencies);
    let first = options.last_year - options.years as i32 + 1;
    let mut written = 0;
    for (i, plan) in plans.iter().enumerate() {
        let folder = dir.join("content").join(&plan.slug);
        write(
            &folder.join("agency.yaml"),
            &format!(
                "name: {}\ncategory: {}\norder: {}\ncode: \"{}\"\nreports_from: {first}\n",
                plan.name,
                plan.category,
                i + 1,
                plan.code
            ),
        )?;
        let mut carry = Carry::default();
        for year in first..=options.last_year {
            let (yaml, md, next) = report(&mut rng, plan, year, &carry);
            carry = next;
            write(&folder.join(format!("{year}.yaml")), &yaml)?;
            write(&folder.join(format!("{year}.md")), &md)?;
            written += 1;
        }
    }
    Ok(written)
}

fn write(path: &PathBuf, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn plan_agencies(rng: &mut Rng, n: usize) -> Vec<AgencyPlan> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (category, name) = if i == 0 {
            ("government", "示范区人民政府".to_string())
        } else if i <= DEPARTMENTS.len() && i % 3 != 0 {
            ("department", format!("示范区{}", DEPARTMENTS[i - 1]))
        } else if rng.chance(75) {
            let a = rng.pick(PLACES);
            let b = rng.pick(PLACES);
            ("street", format!("示范区{a}{b}街道办事处（{i}）"))
        } else {
            let a = rng.pick(PLACES);
            let b = rng.pick(PLACES);
            ("township", format!("示范区{a}{b}镇人民政府（{i}）"))
        };
        let tier = rng.next() % 100;
        let scale = match (category, tier) {
            ("government", _) => 400 + rng.upto(1600),
            (_, 0..=69) => rng.upto(5),
            (_, 70..=94) => 5 + rng.upto(45),
            _ => 50 + rng.upto(950),
        };
        out.push(AgencyPlan {
            slug: format!("a{:05}", i + 1),
            name,
            category,
            scale,
            code: format!("11410703{:09}X", 5_000_000 + i),
        });
    }
    out
}

fn n(v: u64) -> String {
    v.to_string()
}

fn texts(values: &[u64]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// One report: its YAML, its prose, and what it carries into the next year.
fn report(rng: &mut Rng, plan: &AgencyPlan, year: i32, carry: &Carry) -> (String, String, Carry) {
    let format = if year <= 2020 {
        Format::F2019
    } else {
        Format::F2021
    };
    let mut next = carry.clone();
    let mut y = ReportText::zeros(year, format);
    y.comments = vec![format!(
        "{} {year}年政府信息公开工作年度报告（合成数据）",
        plan.name
    )];
    y.draft = false;
    y.published = Some(format!("{}-01-{:02}", year + 1, 10 + rng.upto(15)));
    y.index_number = Some(format!(
        "{}/{}-{:05}",
        plan.code,
        year + 1,
        rng.upto(99_999)
    ));
    // Section 二's rows in the layout's order, by key.
    let mut active: Vec<(&str, Vec<String>)> = Vec::new();

    // 二
    let big = plan.scale.max(1);
    let is_gov = plan.category == "government";
    match format {
        Format::F2021 => {
            for (i, key) in ["regulations", "normative_documents"]
                .into_iter()
                .enumerate()
            {
                let issued = if i == 0 && !is_gov {
                    0
                } else {
                    rng.upto(3 + big / 200)
                };
                let repealed = rng.upto(carry.in_force[i].min(2));
                let in_force = carry.in_force[i] + issued - repealed;
                next.in_force[i] = in_force;
                active.push((key, texts(&[issued, repealed, in_force])));
            }
            active.push(("licensing", vec![n(rng.upto(big * 3))]));
            active.push(("punishment", vec![n(rng.upto(big))]));
            active.push(("coercion", vec![n(rng.upto(big / 10))]));
            active.push(("fees", vec![amount(rng, big)]));
        }
        Format::F2019 => {
            for key in ["regulations", "normative_documents"] {
                let made = rng.upto(2 + big / 300);
                let published = made;
                active.push((key, texts(&[made, published, published + rng.upto(40)])));
            }
            for (i, key) in ["licensing", "other_services", "punishment", "coercion"]
                .into_iter()
                .enumerate()
            {
                let previous = carry.items[i];
                let up = rng.upto(3);
                let down = rng.upto(previous.min(2));
                next.items[i] = previous + up - down;
                let change = up as i64 - down as i64;
                active.push((
                    key,
                    vec![
                        previous.to_string(),
                        change.to_string(),
                        rng.upto(big * 2).to_string(),
                    ],
                ));
            }
            let previous = carry.items[4];
            let up = rng.upto(2);
            next.items[4] = previous + up;
            active.push(("fees", texts(&[previous, up])));
            let count = rng.upto(big / 20).to_string();
            active.push(("procurement", vec![count, amount(rng, big)]));
        }
    }

    // 三: per applicant column, 新收 + 结转 = 办结 + 结转下年.
    let rows = request_rows(format == Format::F2019);
    let outcomes: Vec<&RowDef> = rows.iter().filter(|d| d.role == Role::Outcome).collect();
    let shares: [u64; 6] = [100, 25, 2, 6, 4, 5];
    let mut new = [0u64; 6];
    for c in 0..6 {
        new[c] = rng.upto(big * shares[c] / 100);
    }
    let mut cells: Vec<[u64; 6]> = vec![[0; 6]; outcomes.len()];
    let mut forward = [0u64; 6];
    for c in 0..6 {
        let available = new[c] + carry.carried_forward[c];
        forward[c] = rng.upto(available / 10);
        let mut left = available - forward[c];
        // Weighted shares, the last outcome row taking what is left;
        // （一）予以公开 and （二）部分公开 take most.
        for (r, def) in outcomes.iter().enumerate() {
            if r + 1 == outcomes.len() {
                cells[r][c] = left;
                break;
            }
            let weight = match def.key {
                "requests.granted" => 45,
                "requests.partially_granted" => 25,
                _ => 8,
            };
            let take = rng.upto(left * weight / 100).min(left);
            cells[r][c] = take;
            left -= take;
        }
    }
    next.carried_forward = forward;
    let mut outcome = 0;
    let row7 = |v: [u64; 6]| {
        let mut all = v.to_vec();
        all.push(v.iter().sum());
        texts(&all)
    };
    for (def, row) in rows.iter().zip(&mut y.requests) {
        let values = match def.role {
            Role::New => new,
            Role::CarriedOver => carry.carried_forward,
            Role::CarriedForward => forward,
            Role::Total => {
                let mut t = [0u64; 6];
                for row in &cells {
                    for c in 0..6 {
                        t[c] += row[c];
                    }
                }
                t
            }
            _ => {
                outcome += 1;
                cells[outcome - 1]
            }
        };
        *row = row7(values);
    }

    // 四
    for row in y.reviews.iter_mut() {
        let mut v = [0u64; 4];
        if plan.scale >= 50 || rng.chance(10) {
            for cell in v.iter_mut() {
                *cell = rng.upto(big / 150 + 1);
            }
        }
        *row = texts(&[v[0], v[1], v[2], v[3], v.iter().sum()]);
    }
    for (def, row) in format.active_rows().iter().zip(&mut y.active) {
        if let Some((_, found)) = active.iter().find(|(key, _)| def.path_in_section() == *key) {
            row.clone_from(found);
        }
    }

    let total_new: u64 = new.iter().sum();
    let md = prose(rng, plan, year, total_new);
    (y.to_yaml(), md, next)
}

/// A fee or procurement amount in 万元, with up to four decimal places.
fn amount(rng: &mut Rng, big: u64) -> String {
    let whole = rng.upto(big * 10);
    let frac = rng.upto(9999);
    let text = format!("{whole}.{frac:04}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn prose(rng: &mut Rng, plan: &AgencyPlan, year: i32, requests: u64) -> String {
    let mut md = String::new();
    let topic = |rng: &mut Rng| *rng.pick(TOPICS);
    let _ = writeln!(
        md,
        "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制，所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告为合成数据，仅供测试。\n"
    );
    let _ = writeln!(md, "## 一、总体情况\n");
    let subs = [
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
    ];
    for sub in subs {
        let _ = writeln!(md, "### {sub}\n");
        for _ in 0..2 {
            let t1 = topic(rng);
            let t2 = topic(rng);
            let _ = writeln!(
                md,
                "{year}年，{}坚持以公开为常态、不公开为例外，围绕{t1}、{t2}等重点领域，进一步规范公开内容和程序，全年通过政府网站、政务新媒体等渠道发布各类信息{}条，及时回应社会关切，切实保障人民群众的知情权、参与权、表达权和监督权。",
                plan.name,
                100 + rng.upto(2000)
            );
            md.push('\n');
        }
    }
    let _ = writeln!(
        md,
        "全年共收到政府信息公开申请{requests}件，均在法定期限内予以答复。\n"
    );
    let _ = writeln!(md, "## 五、存在的主要问题及改进情况\n");
    let _ = writeln!(
        md,
        "一是{}领域信息公开的深度和广度还需拓展；二是政策解读的形式还不够丰富。下一步，将加强{}等方面信息的主动公开，提升依申请公开办理质量，强化业务培训和监督检查。\n",
        topic(rng),
        topic(rng)
    );
    let _ = writeln!(md, "## 六、其他需要报告的事项\n");
    let _ = writeln!(
        md,
        "本年度未收取信息处理费。{}",
        if rng.chance(50) {
            "本机关无其他需要报告的事项。"
        } else {
            "本机关按要求落实人大代表建议和政协提案办理结果公开工作。"
        }
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_site_and_every_rule_holds() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let options = Options {
            agencies: 12,
            years: 4,
            last_year: 2022,
            seed: 7,
        };
        assert_eq!(generate(a.path(), &options).unwrap(), 48);
        generate(b.path(), &options).unwrap();
        for file in [
            "site.toml",
            "content/a00003/2020.yaml",
            "content/a00003/2022.md",
        ] {
            assert_eq!(
                std::fs::read(a.path().join(file)).unwrap(),
                std::fs::read(b.path().join(file)).unwrap(),
                "{file}"
            );
        }
        let loaded = crate::load(a.path());
        let problems: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        let site = loaded.site.unwrap();
        assert_eq!(site.reports.len(), 48);
        assert!(site.reports.iter().any(|r| r.format == Format::F2019));
        assert!(site.reports.iter().any(|r| r.format == Format::F2021));
    }
}
