//! `gongkai new AGENCY YEAR`: scaffold a draft report with every official
//! row, each labelled in Chinese, and the agency when it is new.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::{self, suggest_slug, valid_slug};
use crate::model::layout::{
    Format, REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, Role, RowDef, request_rows,
};
use crate::model::{Number, Report};

/// What `new` is asked to create.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub agency: String,
    pub year: i32,
    /// Full official name; required when the agency is new.
    pub name: Option<String>,
    /// Category key; required when the agency is new.
    pub category: Option<String>,
    /// Defaults to 2019 for years ≤ 2020, else 2021.
    pub format: Option<Format>,
}

/// Writes the scaffold and returns the files created, relative to `root`.
/// Never overwrites: an existing `<year>.yaml` is an error, an existing
/// `<year>.md` is left as it is.
pub fn new_report(root: &Path, req: &NewReport) -> Result<Vec<PathBuf>> {
    if !valid_slug(&req.agency) {
        return Err(Error::InvalidSlug {
            slug: req.agency.clone(),
            suggestion: suggest_slug(&req.agency),
        });
    }
    if !(1000..=9999).contains(&req.year) {
        return Err(Error::InvalidYear(req.year));
    }
    let mut loaded = load::load(root);
    let Some(site) = loaded.site.take() else {
        return Err(Error::Invalid(Box::new(loaded)));
    };
    let dir = Path::new("content").join(&req.agency);
    let yaml = dir.join(format!("{}.yaml", req.year));
    let md = dir.join(format!("{}.md", req.year));
    let agency_file = dir.join("agency.yaml");
    if root.join(&yaml).exists() {
        return Err(Error::Exists(root.join(yaml)));
    }

    let mut created = Vec::new();
    let name = match site.agencies.get(&req.agency) {
        Some(agency) => agency.name.clone(),
        None if root.join(&agency_file).exists() => {
            // The agency exists but did not load (it has errors): keep it.
            req.name.clone().unwrap_or_else(|| req.agency.clone())
        }
        None => {
            let (Some(name), Some(category)) = (&req.name, &req.category) else {
                return Err(Error::NewAgencyNeedsName(req.agency.clone()));
            };
            if site.config.category(category).is_none() {
                let known: Vec<&str> = site
                    .config
                    .categories
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect();
                return Err(Error::UnknownCategory {
                    key: category.clone(),
                    known: known.join(", "),
                });
            }
            write_new(root, &agency_file, &agency_yaml(name, category))?;
            created.push(agency_file);
            name.clone()
        }
    };

    let format = req.format.unwrap_or(Format::for_year(req.year));
    let previous = site.report(&req.agency, req.year - 1);
    write_new(root, &yaml, &report_yaml(&name, req.year, format, previous))?;
    created.push(yaml);
    if !root.join(&md).exists() {
        write_new(root, &md, &prose_md())?;
        created.push(md);
    }
    Ok(created)
}

fn write_new(root: &Path, rel: &Path, text: &str) -> Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    // create_new: never overwrite, even if the file appeared meanwhile.
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists(path.clone())
            } else {
                Error::io(&path, e)
            }
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))
}

/// `agency.yaml` for a new agency.
pub fn agency_yaml(name: &str, category: &str) -> String {
    format!(
        "name: {name}\n\
         category: {category}\n\
         # short_name: 简称，用于列表和表格\n\
         # order: 100             # 同类机构中的排序\n\
         # code: \"\"             # 统一社会信用代码，用于索引号\n\
         # reports_from: 2019     # 第一份应公开的年度报告（默认：第一份报告）\n\
         # reports_until: 2024    # 机构撤并后的最后一份年度报告\n"
    )
}

/// A complete draft report: every row of `format`, zeros, labels as comments.
/// `carried_over` is last year's `carried_forward`, and 现行有效件数 last
/// year's, when there is a last year.
pub fn report_yaml(name: &str, year: i32, format: Format, previous: Option<&Report>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {name} {year}年政府信息公开工作年度报告");
    let _ = writeln!(
        out,
        "# 草稿：填写各项数字后，将 draft 改为 false。每行的数字按表格列的顺序填写；"
    );
    let _ = writeln!(
        out,
        "# 总计一列可以填写（将被核对），也可以省略（将自动计算）。原报告空白的格子写 null。"
    );
    let _ = writeln!(out, "year: {year}");
    let _ = writeln!(out, "format: {format}");
    let _ = writeln!(out, "draft: true");
    let _ = writeln!(out, "# published: {}-01-20      # 公开日期", year + 1);
    let _ = writeln!(out, "# index_number: \"\"          # 索引号");
    let _ = writeln!(out, "as_published: false");
    let _ = writeln!(out);

    let _ = writeln!(out, "active:                 # 二、主动公开政府信息情况");
    for def in format.active_rows() {
        // 现行有效件数 stays last year's until something is issued or
        // repealed (X2), so the draft starts from it.
        let in_force = previous
            .filter(|p| p.format == Format::F2021 && format == Format::F2021)
            .and_then(|p| p.row(def.key))
            .filter(|_| def.columns.len() == 3)
            .map(|row| row.value(2));
        let value = if def.scalar {
            "0".to_string()
        } else {
            let mut values = vec![Number::ZERO; def.columns.len()];
            if let (Some(n), Some(last)) = (in_force, values.last_mut()) {
                *last = n;
            }
            list(&values)
        };
        let labels: Vec<&str> = def.columns.iter().map(|c| c.label).collect();
        let comment = format!(
            "{} {}: {}",
            def.group.unwrap_or_default(),
            def.label,
            labels.join(", ")
        );
        line(&mut out, 2, def.path_in_section(), &value, &comment);
    }
    let _ = writeln!(out);

    let carried = previous.and_then(|p| p.request_row(Role::CarriedForward));
    let labels: Vec<&str> = REQUEST_COLUMNS.iter().map(|c| c.label).collect();
    let _ = writeln!(
        out,
        "requests:               # 三、收到和处理政府信息公开申请情况"
    );
    let _ = writeln!(out, "  # 列：{}, 总计", labels.join(", "));
    let mut group = "";
    for def in request_rows(format == Format::F2019) {
        let zeros = vec![Number::ZERO; def.width()];
        let values = match (def.role, carried) {
            (Role::CarriedOver, Some(row)) => (0..def.width()).map(|c| row.value(c)).collect(),
            _ => zeros,
        };
        section_row(&mut out, def, &list(&values), &mut group);
    }
    let _ = writeln!(out);

    let labels: Vec<&str> = REVIEW_COLUMNS.iter().map(|c| c.label).collect();
    let _ = writeln!(
        out,
        "reviews:                # 四、政府信息公开行政复议、行政诉讼情况"
    );
    let _ = writeln!(out, "  # 列：{}, 总计", labels.join(", "));
    for def in REVIEW_ROWS {
        let comment = match def.group {
            Some(g) => format!("{g} · {}", def.label),
            None => def.label.to_string(),
        };
        line(
            &mut out,
            2,
            def.path_in_section(),
            &list(&vec![Number::ZERO; def.width()]),
            &comment,
        );
    }
    out
}

fn section_row(out: &mut String, def: &RowDef, value: &str, group: &mut &'static str) {
    match def.path_in_section().split_once('.') {
        Some((g, leaf)) => {
            if *group != g {
                *group = g;
                let label = def.group.unwrap_or_default();
                let _ = writeln!(out, "  {:<46}# 三{label}", format!("{g}:"));
            }
            line(out, 4, leaf, value, def.label);
        }
        None => {
            *group = "";
            line(out, 2, def.path_in_section(), value, def.cite);
        }
    }
}

fn line(out: &mut String, indent: usize, key: &str, value: &str, comment: &str) {
    let width = 48 - indent;
    let _ = writeln!(
        out,
        "{:indent$}{:<width$}# {comment}",
        "",
        format!("{:<21} {value}", format!("{key}:")),
    );
}

fn list(values: &[Number]) -> String {
    let items: Vec<String> = values.iter().map(Number::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// `<year>.md` with the three prose headings and the usual sub-headings of 一.
pub fn prose_md() -> String {
    "## 一、总体情况\n\n\
     ### （一）主动公开\n\n\
     ### （二）依申请公开\n\n\
     ### （三）政府信息管理\n\n\
     ### （四）政府信息公开平台建设\n\n\
     ### （五）监督保障\n\n\
     ## 五、存在的主要问题及改进情况\n\n\
     ## 六、其他需要报告的事项\n"
        .to_string()
}
