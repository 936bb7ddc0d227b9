//! `gongkai init DIR`: a new site that passes `check` at once.

use std::path::{Path, PathBuf};

use super::new::{NewReport, new_report};
use crate::error::{Error, Result};

const SITE_TOML: &str = r#"# 网站配置。说明见 gongkai 的 README。
title = "政府信息公开工作年度报告"
# base_url = "https://www.example.gov.cn/gknb/"   # 生成 sitemap.xml 与 feed.xml 时需要
theme = "default"
output_dir = "public"
language = "zh-CN"
# search = false   # 不生成站内搜索索引（数千份报告以上的大型站点可考虑关闭）
# csp = false      # 页面不带内容安全策略（由服务器发送 Content-Security-Policy 头时）；也可写自己的策略字符串
# indicators = false   # 不在年度、机构页面显示指标与同类比较，不生成指标数据文件

[[categories]]
key = "government"
name = "区人民政府"
deadline = "03-31"

[[categories]]
key = "department"
name = "区直部门"

[[categories]]
key = "street"
name = "街道办事处"

[[categories]]
key = "township"
name = "乡镇人民政府"

[footer]
# organizer = "某某区人民政府办公室"     # 主办单位
# contact = "0000-0000000"               # 联系方式
# site_id_code = "0000000000"            # 网站标识码
# icp = "京ICP备00000000号"
# police_record = "京公网安备00000000000000号"
"#;

/// Creates the site in `dir` (new or empty): `site.toml` and one example
/// agency with a complete report. Returns the files created.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::NotEmpty(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dir.join("content")).map_err(|e| Error::io(dir, e))?;
    let site = dir.join("site.toml");
    std::fs::write(&site, SITE_TOML).map_err(|e| Error::io(&site, e))?;
    let mut created = vec![PathBuf::from("site.toml")];
    created.extend(new_report(
        dir,
        &NewReport {
            agency: "example".into(),
            year: 2024,
            name: Some("示例街道办事处".into()),
            category: Some("street".into()),
            format: None,
        },
    )?);
    // The example is a finished report, so the new site builds at once.
    let report = dir.join("content/example/2024.yaml");
    let text = std::fs::read_to_string(&report).map_err(|e| Error::io(&report, e))?;
    let text = text.replacen("draft: true", "draft: false", 1).replacen(
        "# published: 2025-01-20",
        "published: 2025-01-20  ",
        1,
    );
    std::fs::write(&report, text).map_err(|e| Error::io(&report, e))?;
    let prose = dir.join("content/example/2024.md");
    std::fs::write(&prose, EXAMPLE_PROSE).map_err(|e| Error::io(&prose, e))?;
    Ok(created)
}

const EXAMPLE_PROSE: &str = "本报告根据《中华人民共和国政府信息公开条例》编制。这是 `gongkai init` 创建的示例报告，请替换为本机关的报告。\n\n\
## 一、总体情况\n\n### （一）主动公开\n\n示例文字。\n\n### （二）依申请公开\n\n2024年，本机关未收到政府信息公开申请。\n\n\
## 五、存在的主要问题及改进情况\n\n示例文字。\n\n## 六、其他需要报告的事项\n\n本年度未收取信息处理费。\n";
