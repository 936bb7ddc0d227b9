//! Golden output: every page type and download of the small fixture site
//! (`tests/fixtures/base/`), built unminified and compared with the snapshots
//! in `tests/snapshots/`. A change to a template or a view model shows up here
//! as a reviewable diff (`cargo insta review`, or accept the `.snap.new` file).
//! The snapshots are of the default build, with search (its box is on every
//! page).

use crate::common;
use std::fs;
use std::path::Path;

/// The base site built unminified, so snapshots diff line by line.
fn built() -> (tempfile::TempDir, tempfile::TempDir) {
    let site = common::base_site();
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        text.replace(
            "language = \"zh-CN\"",
            "language = \"zh-CN\"\nminify = false",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    gongkai::commands::build(site.path(), Some(out.path().join("public"))).unwrap();
    (site, out)
}

fn read(out: &Path, rel: &str) -> String {
    let bytes = fs::read(out.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"))
}

macro_rules! golden {
    ($name:ident, $($file:literal => $snap:literal),+ $(,)?) => {
        #[test]
        fn $name() {
            let (_site, out) = built();
            $( insta::assert_snapshot!($snap, read(out.path(), $file)); )+
        }
    };
}

golden!(report_page_2021_format, "2024/weibin/index.html" => "report_2024_weibin");
golden!(report_page_2019_format, "2020/fagaiju/index.html" => "report_2020_fagaiju");
golden!(year_index, "2024/index.html" => "year_2024");
golden!(agency_page, "agencies/zhongtongjie/index.html" => "agency_zhongtongjie");
golden!(agencies_page, "agencies/index.html" => "agencies");
golden!(home_page, "index.html" => "home");
golden!(not_found_page, "404.html" => "not_found");
golden!(search_page, "search/index.html" => "search");
golden!(
    feeds_and_robots,
    "feed.xml" => "feed",
    "sitemap.xml" => "sitemap",
    "robots.txt" => "robots",
);
golden!(
    data_downloads,
    "data/reports.csv" => "reports_csv",
    "data/reports.json" => "reports_json",
    "2024/summary.csv" => "summary_2024_csv",
    "2024/weibin/report.json" => "report_2024_weibin_json",
);
golden!(formulas_page, "about/indicators/index.html" => "indicators_page");
golden!(
    indicator_downloads,
    "data/indicators.csv" => "indicators_csv",
    "data/peers.csv" => "peers_csv",
);
