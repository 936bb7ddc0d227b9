//! The two official report formats, cell by cell.
//!
//! This is the one source of truth for every row and column: its stable key
//! (`requests.withheld.state_secret` + `natural_person`), its printed Chinese
//! labels, and how messages cite it. Tables, CSV headers, scaffolds and
//! diagnostics all read from here.

use std::fmt;

/// 国办公开办函〔2019〕60号 (2019 and 2020 reports) or 〔2021〕30号 (2021 onwards).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    F2019,
    F2021,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "2019" => Some(Format::F2019),
            "2021" => Some(Format::F2021),
            _ => None,
        }
    }

    /// The format a report of `year` is expected to use.
    pub fn for_year(year: i32) -> Format {
        if year <= 2020 {
            Format::F2019
        } else {
            Format::F2021
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::F2019 => "2019",
            Format::F2021 => "2021",
        }
    }

    /// Section 二 rows of this format.
    pub fn active_rows(self) -> &'static [RowDef] {
        match self {
            Format::F2019 => ACTIVE_2019,
            Format::F2021 => ACTIVE_2021,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The three tables of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// 二、主动公开政府信息情况
    Active,
    /// 三、收到和处理政府信息公开申请情况
    Requests,
    /// 四、政府信息公开行政复议、行政诉讼情况
    Reviews,
}

/// What a cell may hold (rule R7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// An integer ≥ 0.
    Count,
    /// An integer that may be negative (2019 本年增/减).
    Change,
    /// A decimal ≥ 0 in 万元, at most six places.
    Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Stable key; empty for the single figure of a 2021 section-二 row,
    /// whose cell key is the row key alone (`active.licensing`).
    pub key: &'static str,
    /// The printed column heading.
    pub label: &'static str,
    pub kind: ColumnKind,
}

/// What part a row plays in the consistency rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A row of section 二.
    Active,
    /// 一、本年新收
    New,
    /// 二、上年结转
    CarriedOver,
    /// A leaf of 三、本年度办理结果 （一）…（六）
    Outcome,
    /// 三（七）总计
    Total,
    /// 四、结转下年度继续办理
    CarriedForward,
    /// A row of section 四
    Review,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowDef {
    /// Stable key: `requests.withheld.state_secret`.
    pub key: &'static str,
    /// The row label as printed.
    pub label: &'static str,
    /// The printed merged label this row sits under (`（三）不予公开`,
    /// `第二十条第（一）项`), if any.
    pub group: Option<&'static str>,
    /// How messages name the row: `三（三）1.属于国家秘密`.
    pub cite: &'static str,
    pub section: Section,
    pub role: Role,
    /// The data columns, without 总计.
    pub columns: &'static [Column],
    /// The printed row has a 总计 cell (sections 三 and 四).
    pub has_total: bool,
    /// Written as one number rather than a list (2021 section 二 single figures).
    pub scalar: bool,
}

impl RowDef {
    /// The YAML path below the section key: `withheld.state_secret`.
    pub fn path_in_section(&self) -> &'static str {
        let (_, rest) = self.key.split_once('.').expect("row keys have a section");
        rest
    }

    /// The cell key of column `i` (`i == columns.len()` is 总计).
    pub fn cell_key(&self, i: usize) -> String {
        let mut out = String::with_capacity(48);
        self.push_cell_key(i, &mut out);
        out
    }

    /// [`RowDef::cell_key`] appended to `out`, without allocating.
    pub fn push_cell_key(&self, i: usize, out: &mut String) {
        let col = if i == self.columns.len() {
            "total"
        } else {
            self.columns[i].key
        };
        out.push_str(self.key);
        if !col.is_empty() {
            out.push('.');
            out.push_str(col);
        }
    }

    /// The printed label of column `i` (`i == columns.len()` is 总计).
    pub fn column_label(&self, i: usize) -> &'static str {
        if i == self.columns.len() {
            TOTAL_LABEL
        } else {
            self.columns[i].label
        }
    }

    /// How a message names one cell: `三（七）总计 · 自然人`.
    pub fn cite_cell(&self, i: usize) -> String {
        if self.scalar {
            self.cite.to_string()
        } else {
            format!("{} · {}", self.cite, self.column_label(i))
        }
    }

    /// Number of cells including 总计.
    pub fn width(&self) -> usize {
        self.columns.len() + usize::from(self.has_total)
    }
}

pub const TOTAL_LABEL: &str = "总计";

const fn count(key: &'static str, label: &'static str) -> Column {
    Column {
        key,
        label,
        kind: ColumnKind::Count,
    }
}

/// 三: the six applicant columns (申请人情况 → 自然人 | 法人或其他组织 …).
pub const REQUEST_COLUMNS: &[Column] = &[
    count("natural_person", "自然人"),
    count("commercial", "商业企业"),
    count("research", "科研机构"),
    count("public_interest", "社会公益组织"),
    count("legal_services", "法律服务机构"),
    count("other", "其他"),
];

/// 四: the four result columns of each group.
pub const REVIEW_COLUMNS: &[Column] = &[
    count("upheld", "结果维持"),
    count("corrected", "结果纠正"),
    count("other_result", "其他结果"),
    count("pending", "尚未审结"),
];

const FILES_2021: &[Column] = &[
    count("issued", "本年制发件数"),
    count("repealed", "本年废止件数"),
    count("in_force", "现行有效件数"),
];
const DECISIONS_2021: &[Column] = &[count("", "本年处理决定数量")];
const FEES_2021: &[Column] = &[Column {
    key: "",
    label: "本年收费金额（万元）",
    kind: ColumnKind::Amount,
}];

const FILES_2019: &[Column] = &[
    count("made", "本年新制作数量"),
    count("published", "本年新公开数量"),
    count("total_published", "对外公开总数量"),
];
const ITEMS_2019: &[Column] = &[
    count("previous", "上一年项目数量"),
    Column {
        key: "change",
        label: "本年增/减",
        kind: ColumnKind::Change,
    },
    count("decisions", "处理决定数量"),
];
const FEES_2019: &[Column] = &[
    count("previous", "上一年项目数量"),
    Column {
        key: "change",
        label: "本年增/减",
        kind: ColumnKind::Change,
    },
];
const PROCUREMENT_2019: &[Column] = &[
    count("items", "采购项目数量"),
    Column {
        key: "amount",
        label: "采购总金额（万元）",
        kind: ColumnKind::Amount,
    },
];

const fn active(
    key: &'static str,
    label: &'static str,
    group: &'static str,
    columns: &'static [Column],
    scalar: bool,
) -> RowDef {
    RowDef {
        key,
        label,
        group: Some(group),
        cite: label,
        section: Section::Active,
        role: Role::Active,
        columns,
        has_total: false,
        scalar,
    }
}

const G1: &str = "第二十条第（一）项";
const G5: &str = "第二十条第（五）项";
const G6: &str = "第二十条第（六）项";
const G8: &str = "第二十条第（八）项";
const G9: &str = "第二十条第（九）项";

/// 二 in the 2021 format: 10 figures.
pub const ACTIVE_2021: &[RowDef] = &[
    active("active.regulations", "规章", G1, FILES_2021, false),
    active(
        "active.normative_documents",
        "行政规范性文件",
        G1,
        FILES_2021,
        false,
    ),
    active("active.licensing", "行政许可", G5, DECISIONS_2021, true),
    active("active.punishment", "行政处罚", G6, DECISIONS_2021, true),
    active("active.coercion", "行政强制", G6, DECISIONS_2021, true),
    active("active.fees", "行政事业性收费", G8, FEES_2021, true),
];

/// 二 in the 2019 format.
pub const ACTIVE_2019: &[RowDef] = &[
    active("active.regulations", "规章", G1, FILES_2019, false),
    active(
        "active.normative_documents",
        "规范性文件",
        G1,
        FILES_2019,
        false,
    ),
    active("active.licensing", "行政许可", G5, ITEMS_2019, false),
    active(
        "active.other_services",
        "其他对外管理服务事项",
        G5,
        ITEMS_2019,
        false,
    ),
    active("active.punishment", "行政处罚", G6, ITEMS_2019, false),
    active("active.coercion", "行政强制", G6, ITEMS_2019, false),
    active("active.fees", "行政事业性收费", G8, FEES_2019, false),
    active(
        "active.procurement",
        "政府集中采购",
        G9,
        PROCUREMENT_2019,
        false,
    ),
];

const fn request(
    key: &'static str,
    label: &'static str,
    group: Option<&'static str>,
    cite: &'static str,
    role: Role,
) -> RowDef {
    RowDef {
        key,
        label,
        group,
        cite,
        section: Section::Requests,
        role,
        columns: REQUEST_COLUMNS,
        has_total: true,
        scalar: false,
    }
}

const WITHHELD: Option<&str> = Some("（三）不予公开");
const UNAVAILABLE: Option<&str> = Some("（四）无法提供");
const NOT_PROCESSED: Option<&str> = Some("（五）不予处理");
const OTHER: Option<&str> = Some("（六）其他处理");

macro_rules! request_rows {
    ($($other:expr),+ $(,)?) => {
        &[
            request("requests.new", "一、本年新收政府信息公开申请数量", None, "一、本年新收政府信息公开申请数量", Role::New),
            request("requests.carried_over", "二、上年结转政府信息公开申请数量", None, "二、上年结转政府信息公开申请数量", Role::CarriedOver),
            request("requests.granted", "（一）予以公开", None, "三（一）予以公开", Role::Outcome),
            request("requests.partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "三（二）部分公开", Role::Outcome),
            request("requests.withheld.state_secret", "1.属于国家秘密", WITHHELD, "三（三）1.属于国家秘密", Role::Outcome),
            request("requests.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", WITHHELD, "三（三）2.其他法律行政法规禁止公开", Role::Outcome),
            request("requests.withheld.security_stability", "3.危及“三安全一稳定”", WITHHELD, "三（三）3.危及“三安全一稳定”", Role::Outcome),
            request("requests.withheld.third_party_rights", "4.保护第三方合法权益", WITHHELD, "三（三）4.保护第三方合法权益", Role::Outcome),
            request("requests.withheld.internal_affairs", "5.属于三类内部事务信息", WITHHELD, "三（三）5.属于三类内部事务信息", Role::Outcome),
            request("requests.withheld.process_information", "6.属于四类过程性信息", WITHHELD, "三（三）6.属于四类过程性信息", Role::Outcome),
            request("requests.withheld.enforcement_files", "7.属于行政执法案卷", WITHHELD, "三（三）7.属于行政执法案卷", Role::Outcome),
            request("requests.withheld.administrative_query", "8.属于行政查询事项", WITHHELD, "三（三）8.属于行政查询事项", Role::Outcome),
            request("requests.unavailable.not_held", "1.本机关不掌握相关政府信息", UNAVAILABLE, "三（四）1.本机关不掌握相关政府信息", Role::Outcome),
            request("requests.unavailable.needs_creation", "2.没有现成信息需要另行制作", UNAVAILABLE, "三（四）2.没有现成信息需要另行制作", Role::Outcome),
            request("requests.unavailable.unclear", "3.补正后申请内容仍不明确", UNAVAILABLE, "三（四）3.补正后申请内容仍不明确", Role::Outcome),
            request("requests.not_processed.complaint", "1.信访举报投诉类申请", NOT_PROCESSED, "三（五）1.信访举报投诉类申请", Role::Outcome),
            request("requests.not_processed.duplicate", "2.重复申请", NOT_PROCESSED, "三（五）2.重复申请", Role::Outcome),
            request("requests.not_processed.publication", "3.要求提供公开出版物", NOT_PROCESSED, "三（五）3.要求提供公开出版物", Role::Outcome),
            request("requests.not_processed.excessive", "4.无正当理由大量反复申请", NOT_PROCESSED, "三（五）4.无正当理由大量反复申请", Role::Outcome),
            request("requests.not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", NOT_PROCESSED, "三（五）5.要求行政机关确认或重新出具已获取信息", Role::Outcome),
            $($other,)+
            request("requests.total", "（七）总计", None, "三（七）总计", Role::Total),
            request("requests.carried_forward", "四、结转下年度继续办理", None, "四、结转下年度继续办理", Role::CarriedForward),
        ]
    };
}

/// 三 with （六）其他处理 as three rows (the 2021 format): 25 rows.
pub const REQUEST_ROWS_2021: &[RowDef] = request_rows!(
    request(
        "requests.other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        OTHER,
        "三（六）1.申请人无正当理由逾期不补正",
        Role::Outcome
    ),
    request(
        "requests.other.unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        OTHER,
        "三（六）2.申请人逾期未按收费通知要求缴纳费用",
        Role::Outcome
    ),
    request(
        "requests.other.other",
        "3.其他",
        OTHER,
        "三（六）3.其他",
        Role::Outcome
    ),
);

/// 三 with （六）其他处理 as one row (the 2019 format, and 2021 reports
/// printed that way): 23 rows.
pub const REQUEST_ROWS_2019: &[RowDef] = request_rows!(request(
    "requests.other",
    "（六）其他处理",
    None,
    "三（六）其他处理",
    Role::Outcome
));

const fn review(
    key: &'static str,
    label: &'static str,
    group: Option<&'static str>,
    cite: &'static str,
) -> RowDef {
    RowDef {
        key,
        label,
        group,
        cite,
        section: Section::Reviews,
        role: Role::Review,
        columns: REVIEW_COLUMNS,
        has_total: true,
        scalar: false,
    }
}

/// 四: one printed row of 15 cells, modelled as three rows of five.
pub const REVIEW_ROWS: &[RowDef] = &[
    review("reviews.review", "行政复议", None, "行政复议"),
    review(
        "reviews.litigation_direct",
        "未经复议直接起诉",
        Some("行政诉讼"),
        "行政诉讼（未经复议直接起诉）",
    ),
    review(
        "reviews.litigation_after_review",
        "复议后起诉",
        Some("行政诉讼"),
        "行政诉讼（复议后起诉）",
    ),
];

/// The stub cell of table 三, printed in every report.
pub const REQUESTS_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// Section 三 rows for a report: three （六） rows or one.
pub fn request_rows(single_other: bool) -> &'static [RowDef] {
    if single_other {
        REQUEST_ROWS_2019
    } else {
        REQUEST_ROWS_2021
    }
}

/// Every cell key of both formats, in the order of the data files: 2021
/// first, then the cells only the 2019 format has.
pub fn all_cell_keys() -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    let push_row = |row: &RowDef, keys: &mut Vec<(String, String)>| {
        for i in 0..row.width() {
            let key = row.cell_key(i);
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, row.cite_cell(i)));
            }
        }
    };
    for row in ACTIVE_2021
        .iter()
        .chain(REQUEST_ROWS_2021)
        .chain(REVIEW_ROWS)
    {
        push_row(row, &mut keys);
    }
    for row in ACTIVE_2019.iter().chain(REQUEST_ROWS_2019) {
        push_row(row, &mut keys);
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shapes_match_the_official_formats() {
        assert_eq!(REQUEST_ROWS_2021.len(), 25);
        assert_eq!(REQUEST_ROWS_2019.len(), 23);
        let cells_2021: usize = ACTIVE_2021.iter().map(|r| r.width()).sum();
        assert_eq!(cells_2021, 10);
        let review_cells: usize = REVIEW_ROWS.iter().map(|r| r.width()).sum();
        assert_eq!(review_cells, 15);
        assert_eq!(REQUEST_ROWS_2021.len() * 7, 175);
    }

    #[test]
    fn cell_keys_follow_the_contract() {
        assert_eq!(
            REQUEST_ROWS_2021[4].cell_key(0),
            "requests.withheld.state_secret.natural_person"
        );
        assert_eq!(ACTIVE_2021[2].cell_key(0), "active.licensing");
        assert_eq!(REVIEW_ROWS[0].cell_key(4), "reviews.review.total");
        assert_eq!(REQUEST_ROWS_2021[23].cite_cell(0), "三（七）总计 · 自然人");
        let keys = all_cell_keys();
        assert!(
            keys.iter()
                .any(|(k, _)| k == "requests.other.natural_person")
        );
        assert!(keys.iter().any(|(k, _)| k == "active.procurement.amount"));
        let unique: std::collections::HashSet<_> = keys.iter().map(|(k, _)| k).collect();
        assert_eq!(unique.len(), keys.len());
    }
}
