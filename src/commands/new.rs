//! `gongkai new AGENCY YEAR`: scaffold a draft report with every official
//! row, each labelled in Chinese, and the agency when it is new.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::{self, suggest_slug, valid_slug};
use crate::model::Report;
use crate::model::layout::{Format, Role, request_rows};
use crate::model::write::{ReportText, agency_yaml};

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
            super::known_category(&site.config, category)?;
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

/// A complete draft report: every row of `format`, zeros, labels as comments.
/// `carried_over` is last year's `carried_forward`, and 现行有效件数 last
/// year's, when there is a last year.
pub fn report_yaml(name: &str, year: i32, format: Format, previous: Option<&Report>) -> String {
    let mut text = ReportText::zeros(year, format);
    text.comments = vec![
        format!("{name} {year}年政府信息公开工作年度报告"),
        "草稿：填写各项数字后，将 draft 改为 false。每行的数字按表格列的顺序填写；".into(),
        "总计一列可以填写（将被核对），也可以省略（将自动计算）。原报告空白的格子写 null。".into(),
    ];
    // 现行有效件数 stays last year's until something is issued or
    // repealed (X2), so the draft starts from it.
    let both_2021 = |p: &&Report| p.format == Format::F2021 && format == Format::F2021;
    for (def, cells) in format.active_rows().iter().zip(&mut text.active) {
        let in_force = previous
            .filter(both_2021)
            .and_then(|p| p.row(def.key))
            .filter(|_| def.columns.len() == 3 && !def.scalar)
            .map(|row| row.value(2));
        if let (Some(n), Some(last)) = (in_force, cells.last_mut()) {
            *last = n.to_string();
        }
    }
    // 上年结转 is last year's 结转下年度 (X1).
    if let Some(row) = previous.and_then(|p| p.request_row(Role::CarriedForward)) {
        let rows = request_rows(text.single_other);
        for (def, cells) in rows.iter().zip(&mut text.requests) {
            if def.role == Role::CarriedOver {
                for (c, cell) in cells.iter_mut().enumerate() {
                    *cell = row.value(c).to_string();
                }
            }
        }
    }
    text.to_yaml()
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
