//! `site.toml` → [`Config`], and `agency.yaml` → [`Agency`].

use serde::Deserialize;

use super::fields::{self, Fields, FileCx};
use super::yaml::Node;
use crate::diagnostics::{Rule, Span};
use crate::model::{Agency, Category, Config, Csp, Footer, MemberConfig, MonthDay};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: Option<String>,
    theme: Option<String>,
    output_dir: Option<String>,
    language: Option<String>,
    area: Option<String>,
    minify: Option<bool>,
    search: Option<bool>,
    csp: Option<toml::Spanned<toml::Value>>,
    indicators: Option<bool>,
    categories: Option<Vec<RawCategory>>,
    #[serde(default)]
    footer: RawFooter,
    members: Option<Vec<toml::Spanned<RawMember>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    key: String,
    name: String,
    summary: String,
    base_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    key: String,
    name: String,
    deadline: Option<toml::Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFooter {
    organizer: Option<String>,
    contact: Option<String>,
    site_id_code: Option<String>,
    icp: Option<String>,
    police_record: Option<String>,
}

/// The categories of the contract's example, used when `site.toml` names none.
pub fn default_categories() -> Vec<Category> {
    let january = MonthDay { month: 1, day: 31 };
    [
        ("government", "区人民政府", MonthDay { month: 3, day: 31 }),
        ("department", "区直部门", january),
        ("street", "街道办事处", january),
        ("township", "乡镇人民政府", january),
    ]
    .into_iter()
    .map(|(key, name, deadline)| Category {
        key: key.into(),
        name: name.into(),
        deadline,
    })
    .collect()
}

/// Parses `site.toml`. `source` has no BOM; `bom` is its length, added back
/// so byte offsets stay true to the file.
pub fn parse_config(cx: &mut FileCx, source: &str, bom: usize) -> Option<Config> {
    let raw: RawConfig = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(err) => {
            let span = err
                .span()
                .map(|r| byte_span(source, r.start, r.end - r.start, bom))
                .unwrap_or(Span::start());
            let message = err.message().trim().replace('\n', " ");
            cx.error(Rule::Config, span, message);
            return None;
        }
    };
    let mut categories = Vec::new();
    for c in raw.categories.unwrap_or_default() {
        let deadline = match c.deadline {
            None => MonthDay { month: 1, day: 31 },
            Some(d) => match MonthDay::parse(d.get_ref()) {
                Some(md) => md,
                None => {
                    let r = d.span();
                    cx.error(
                        Rule::Config,
                        byte_span(source, r.start, r.end - r.start, bom),
                        format!(
                            "deadline \"{}\" of category `{}` must be a month-day such as \"03-31\"",
                            d.get_ref(),
                            c.key
                        ),
                    );
                    // Keep the category (judging no report late), so that
                    // its agencies are not also reported as unknown.
                    MonthDay { month: 12, day: 31 }
                }
            },
        };
        if !super::valid_slug(&c.key) {
            cx.error(
                Rule::Config,
                Span::start(),
                format!(
                    "category key `{}` must be lowercase letters, digits and '-'",
                    c.key
                ),
            );
        }
        if categories.iter().any(|k: &Category| k.key == c.key) {
            cx.error(
                Rule::Config,
                Span::start(),
                format!("category `{}` is defined twice", c.key),
            );
            continue;
        }
        categories.push(Category {
            key: c.key,
            name: c.name,
            deadline,
        });
    }
    if categories.is_empty() {
        categories = default_categories();
    }
    let base_url = raw.base_url.filter(|u| !u.is_empty()).map(|mut u| {
        if !u.ends_with('/') {
            u.push('/');
        }
        u
    });
    if let Some(url) = &base_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        cx.error(
            Rule::Config,
            Span::start(),
            format!("base_url \"{url}\" must start with https:// or http://"),
        );
    }
    let csp = match raw.csp {
        None => Csp::Strict,
        Some(value) => {
            let r = value.span();
            let span = byte_span(source, r.start, r.end - r.start, bom);
            parse_csp(cx, value.into_inner(), span)
        }
    };
    let members = parse_members(cx, raw.members.unwrap_or_default(), source, bom);
    Some(Config {
        title: raw.title,
        base_url,
        theme: raw.theme.unwrap_or_else(|| "default".into()),
        output_dir: raw.output_dir.unwrap_or_else(|| "public".into()),
        language: raw.language.unwrap_or_else(|| "zh-CN".into()),
        area: raw
            .area
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "全区".into()),
        minify: raw.minify.unwrap_or(true),
        search: raw.search.unwrap_or(true),
        csp,
        indicators: raw.indicators.unwrap_or(true),
        categories,
        footer: Footer {
            organizer: raw.footer.organizer,
            contact: raw.footer.contact,
            site_id_code: raw.footer.site_id_code,
            icp: raw.footer.icp,
            police_record: raw.footer.police_record,
        },
        members,
    })
}

/// `[[members]]`: keys are slugs and unique, names are not empty, a
/// summary is a path or an http(s) URL, a `base_url` an http(s) URL.
fn parse_members(
    cx: &mut FileCx,
    raw: Vec<toml::Spanned<RawMember>>,
    source: &str,
    bom: usize,
) -> Vec<MemberConfig> {
    let mut members: Vec<MemberConfig> = Vec::new();
    for entry in raw {
        let r = entry.span();
        let span = byte_span(source, r.start, r.end - r.start, bom);
        let m = entry.into_inner();
        let mut error = |message: String| cx.error(Rule::Config, span, message);
        if !super::valid_slug(&m.key) {
            error(format!(
                "member key `{}` must be lowercase letters, digits and '-'",
                m.key
            ));
            continue;
        }
        if members.iter().any(|k| k.key == m.key) {
            error(format!("member `{}` is listed twice", m.key));
            continue;
        }
        if m.name.trim().is_empty() {
            error(format!("member `{}` has an empty `name`", m.key));
        }
        if m.summary.trim().is_empty() {
            error(format!("member `{}` has an empty `summary`", m.key));
            continue;
        }
        let base_url = m.base_url.filter(|u| !u.is_empty()).map(|mut u| {
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        });
        if let Some(url) = &base_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            error(format!(
                "base_url \"{url}\" of member `{}` must start with https:// or http://",
                m.key
            ));
        }
        members.push(MemberConfig {
            key: m.key,
            name: m.name,
            summary: m.summary,
            base_url,
            span,
        });
    }
    members
}

/// `csp = true | false | "policy"`. A policy is checked only for what
/// would break the page or be ignored: it must be one line of printable
/// ASCII (a policy's own grammar), and the directives a browser ignores in
/// a `<meta>` policy are warned about.
fn parse_csp(cx: &mut FileCx, value: toml::Value, span: Span) -> Csp {
    let policy = match value {
        toml::Value::Boolean(true) => return Csp::Strict,
        toml::Value::Boolean(false) => return Csp::Off,
        toml::Value::String(policy) => policy,
        other => {
            cx.error(
                Rule::Config,
                span,
                format!(
                    "csp must be true, false or a policy string such as \"default-src 'self'\", not {}",
                    other.type_str()
                ),
            );
            return Csp::Strict;
        }
    };
    let policy = policy.trim().to_string();
    if policy.is_empty() {
        cx.error(
            Rule::Config,
            span,
            "csp is an empty policy: write csp = false to leave the policy out".to_string(),
        );
        return Csp::Strict;
    }
    if let Some(c) = policy
        .chars()
        .find(|c| !(c.is_ascii_graphic() || *c == ' '))
    {
        cx.error(
            Rule::Config,
            span,
            format!(
                "csp holds {c:?}: a policy is printable ASCII on one line (directives separated by ';')"
            ),
        );
        return Csp::Strict;
    }
    for directive in policy.split(';') {
        let name = directive.split_whitespace().next().unwrap_or("");
        if crate::render::csp::IGNORED_IN_META.contains(&name.to_ascii_lowercase().as_str()) {
            cx.warning(
                Rule::Config,
                span,
                format!(
                    "csp: browsers ignore `{name}` in a policy given by a <meta> element; send it as a Content-Security-Policy header (see the README's server configurations)"
                ),
            );
        }
    }
    Csp::Custom(policy)
}

fn byte_span(source: &str, offset: usize, len: usize, bom: usize) -> Span {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() as u32 + 1;
    Span::new(line, column, offset + bom, len)
}

const AGENCY_KEYS: &[&str] = &[
    "name",
    "short_name",
    "category",
    "order",
    "code",
    "reports_from",
    "reports_until",
];

/// Parses `agency.yaml` of the folder `slug`.
pub fn parse_agency(cx: &mut FileCx, root: &Node, slug: &str, config: &Config) -> Option<Agency> {
    let f = Fields::new(cx, root, AGENCY_KEYS, "agency.yaml")?;
    let name_node = f.require(cx, "name", "agency.yaml");
    let name = name_node.and_then(|n| fields::text(cx, n, "`name`"));
    let category = f
        .require(cx, "category", "agency.yaml")
        .and_then(|n| fields::text(cx, n, "`category`").map(|t| (t, n.span)));
    if let Some((key, span)) = &category
        && config.category(key).is_none()
    {
        let keys: Vec<&str> = config.categories.iter().map(|c| c.key.as_str()).collect();
        let message = match fields::closest(key, &keys) {
            Some(k) => format!("unknown category `{key}`; did you mean `{k}`?"),
            None => format!("unknown category `{key}`"),
        };
        cx.error_help(
            Rule::Category,
            *span,
            message,
            format!("the categories of site.toml are: {}", keys.join(", ")),
        );
    }
    let text = |cx: &mut FileCx, key: &str| {
        f.get(key)
            .and_then(|n| fields::text(cx, n, &format!("`{key}`")))
            .filter(|s| !s.trim().is_empty())
    };
    let short_name = text(cx, "short_name");
    let code = text(cx, "code");
    let order = f
        .get("order")
        .and_then(|n| fields::integer(cx, n, "`order`"));
    let reports_from = f
        .get("reports_from")
        .and_then(|n| fields::year(cx, n, "`reports_from`"));
    let reports_until = f
        .get("reports_until")
        .and_then(|n| fields::year(cx, n, "`reports_until`"));
    if let (Some(from), Some(until)) = (reports_from, reports_until)
        && from > until
    {
        cx.error(
            Rule::Agency,
            f.get("reports_until").map_or(f.span, |n| n.span),
            format!("`reports_until` {until} is before `reports_from` {from}"),
        );
    }
    if let Some(name) = &name
        && name.trim().is_empty()
    {
        cx.error(Rule::Agency, f.span, "`name` is empty".to_string());
    }
    Some(Agency {
        slug: slug.to_string(),
        name: name?,
        short_name,
        category: category?.0,
        order,
        code,
        reports_from,
        reports_until,
        file: cx.file.clone(),
        name_span: name_node.map_or(f.span, |n| n.span),
    })
}
