//! `gongkai serve` as a clerk uses it: a real server process on a free
//! port against a copy of the fixture site, its pages fetched over HTTP, its
//! sources edited on disk, and the live-reload events it sends.

use crate::common;
use std::fs;
use std::path::Path;

use common::serve::{Served, save};

const REPORT: &str = "content/weibin/2024.yaml";

/// The text of the table cell with this key in a served page.
fn cell(html: &str, key: &str) -> String {
    let at = html
        .find(&format!("data-key={key}>"))
        .or_else(|| html.find(&format!("data-key=\"{key}\">")))
        .unwrap_or_else(|| panic!("no cell {key}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    rest[start..end].to_string()
}

fn edit(site: &Path, rel: &str, from: &str, to: &str) {
    let path = site.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    save(&path, &text.replacen(from, to, 1));
}

fn generation(v: &serde_json::Value) -> u64 {
    v["generation"].as_u64().expect("a generation")
}

#[test]
fn an_edit_shows_up_in_pages_and_sends_a_reload_event() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let first = events.first();
    assert_eq!(first["errors"], serde_json::Value::Null);
    let page = served.get("/2024/weibin/");
    assert_eq!(page.status, 200);
    assert_eq!(cell(&page.text(), "active.licensing"), "1532");
    // The served page carries the live-reload script; the build output never does.
    assert!(
        page.text()
            .contains(r#"<script src="/__gongkai/livereload.js" data-generation=""#)
    );
    let script = served.get("/__gongkai/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.text().contains("new EventSource(state.events)"));

    edit(site.path(), REPORT, "licensing: 1532", "licensing: 1533");
    let next = events.until("a new generation", |v| generation(v) > generation(&first));
    assert_eq!(next["errors"], serde_json::Value::Null);
    assert_eq!(next["css"], false);
    let page = served.get("/2024/weibin/");
    assert_eq!(cell(&page.text(), "active.licensing"), "1533");
    // The year's district table and the downloads follow.
    let year = served.get("/2024/").text();
    assert!(
        year.contains("active.licensing"),
        "year page has section 二"
    );
    let csv = served.get("/data/reports.csv").text();
    assert!(csv.contains(",1533,") || csv.contains(",1533\r\n"), "{csv}");
    let json = served.get("/2024/weibin/report.json").text();
    assert!(
        json.contains("\"active.licensing\": 1533") || json.contains("\"active.licensing\":1533"),
        "{json}"
    );

    // serve keeps its site in memory: nothing is written into the site.
    assert!(!site.path().join("public").exists());
    let line = served.stderr_until("rebuilt in");
    assert!(line.contains("(content/weibin/2024.yaml)"), "{line}");
}

#[test]
fn errors_overlay_every_page_until_fixed() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let first = events.first();

    // Broken YAML: the event carries the diagnostics as `check` prints them.
    edit(site.path(), REPORT, "licensing: 1532", "licensing: [1532");
    let broken = events.until("errors", |v| v["errors"].is_string());
    let text = broken["errors"].as_str().unwrap();
    assert!(
        text.contains("× content/weibin/2024.yaml:12:13: invalid YAML: illegal placement of ':' indicator (yaml)"),
        "{text}"
    );
    assert!(
        text.contains(" 11 │   licensing: [1532"),
        "the source line is shown: {text}"
    );
    // The last good site is still served.
    assert_eq!(generation(&broken), generation(&first));
    let page = served.get("/2024/weibin/");
    assert_eq!(page.status, 200);
    assert_eq!(cell(&page.text(), "active.licensing"), "1532");

    // Fixed: the overlay goes (and nothing changed, so no reload is needed).
    edit(site.path(), REPORT, "licensing: [1532", "licensing: 1532");
    let fixed = events.until("no errors", |v| v["errors"].is_null());
    assert_eq!(generation(&fixed), generation(&first));

    // A wrong total: the cell and line, with the rule.
    edit(
        site.path(),
        REPORT,
        "granted:           [5, 1, 0, 0, 0, 0, 6]",
        "granted:           [5, 1, 0, 0, 0, 0, 7]",
    );
    let wrong = events.until("errors", |v| v["errors"].is_string());
    let text = wrong["errors"].as_str().unwrap();
    assert!(
        text.contains("× content/weibin/2024.yaml:20:41: 三（一）予以公开 · 总计 is 7, but 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 = 5 + 1 + 0 + 0 + 0 + 0 = 6 (R2)"),
        "{text}"
    );
    served.stderr_until("not rebuilt (content/weibin/2024.yaml): the content has errors");
    served.stderr_until("content/weibin/2024.yaml:20:41");

    edit(
        site.path(),
        REPORT,
        "granted:           [5, 1, 0, 0, 0, 0, 7]",
        "granted:           [5, 1, 0, 0, 0, 0, 6]",
    );
    events.until("no errors", |v| v["errors"].is_null());
    served.stderr_until("the errors are fixed (content/weibin/2024.yaml)");
}

#[test]
fn a_site_that_starts_broken_serves_the_errors_then_the_site() {
    let site = common::base_site();
    edit(site.path(), REPORT, "licensing: 1532", "licensing: [1532");
    let served = Served::start(site.path(), &[]);
    let page = served.get("/2024/weibin/");
    assert_eq!(page.status, 503);
    assert!(
        page.text().contains(r#"data-generation="0""#),
        "{}",
        page.text()
    );
    let events = served.events();
    assert!(
        events.first()["errors"]
            .as_str()
            .unwrap()
            .contains("2024.yaml:12:13")
    );
    edit(site.path(), REPORT, "licensing: [1532", "licensing: 1532");
    let ok = events.until("the first good build", |v| generation(v) == 1);
    assert!(ok["errors"].is_null());
    assert_eq!(served.get("/2024/weibin/").status, 200);
}

#[test]
fn agencies_can_be_deleted_and_added() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let g = generation(&events.first());
    assert_eq!(served.get("/2020/fagaiju/").status, 200);
    assert!(
        served
            .get("/agencies/")
            .text()
            .contains("fagaiju/index.html")
    );

    fs::remove_dir_all(site.path().join("content/fagaiju")).unwrap();
    let g2 = generation(&events.until("a rebuild", |v| generation(v) > g));
    let gone = served.get("/2020/fagaiju/");
    assert_eq!(gone.status, 404);
    assert!(
        gone.text().contains("页面不存在"),
        "the site's own 404 page"
    );
    assert!(
        !served
            .get("/agencies/")
            .text()
            .contains("fagaiju/index.html")
    );
    // 2020 had only that report: its year is gone from the navigation too.
    assert_eq!(served.get("/2020/").status, 404);

    // A new agency, written file by file as a clerk would.
    let dir = site.path().join("content/xinjie");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("agency.yaml"),
        "name: 卫滨区新街街道办事处\ncategory: street\n",
    )
    .unwrap();
    let base = site.path().join("content/zhongtongjie");
    fs::copy(base.join("2024.yaml"), dir.join("2024.yaml")).unwrap();
    fs::copy(base.join("2024.md"), dir.join("2024.md")).unwrap();
    events.until("the new agency", |v| {
        generation(v) > g2 && v["errors"].is_null()
    });
    let deadline = std::time::Instant::now() + common::serve::WAIT;
    while served.get("/2024/xinjie/").status != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the new report never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        served
            .get("/agencies/")
            .text()
            .contains("xinjie/index.html")
    );
}

#[test]
fn a_stylesheet_change_swaps_styles_without_a_reload() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let g = generation(&events.first());
    let css = site.path().join("themes/default/static");
    fs::create_dir_all(&css).unwrap();
    save(&css.join("style.css"), "body { color: #123456; }\n");
    let next = events.until("a rebuild", |v| generation(v) > g);
    assert_eq!(next["css"], true);
    let got = served.get("/static/style.css");
    assert_eq!(got.text(), "body { color: #123456; }\n");
    assert_eq!(got.header("Content-Type"), Some("text/css; charset=utf-8"));
}

/// A template change re-renders the pages that use it, and only those: the
/// agency template is used by the three agency pages alone.
#[test]
fn a_template_change_re_renders_only_its_pages() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let g = generation(&events.first());
    let templates = site.path().join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    let agency = common::default_template("agency.html");
    save(
        &templates.join("agency.html"),
        &agency.replace("<h1>", "<h1 class=\"changed\">"),
    );
    events.until("a rebuild", |v| generation(v) > g);
    let line = served.stderr_until("rebuilt in");
    assert!(line.contains(": 3 page(s) rendered"), "{line}");
    assert!(
        served
            .get("/agencies/weibin/index.html")
            .text()
            .contains("class=changed")
    );
}

#[test]
fn editor_temp_files_do_not_rebuild() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let g = generation(&events.first());
    let dir = site.path().join("content/weibin");
    // vim's probe file and swap file, emacs' lock, a backup: none is content.
    for name in ["4913", ".2024.yaml.swp", ".#2024.yaml", "2024.yaml~"] {
        fs::write(dir.join(name), "junk: [").unwrap();
        fs::remove_file(dir.join(name)).unwrap();
    }
    // Then a real save, whose event must be the next one (no error event
    // came from the junk).
    edit(site.path(), REPORT, "coercion: 12", "coercion: 13");
    let next = events.until("the real save", |_| true);
    assert!(next["errors"].is_null(), "{next}");
    assert_eq!(generation(&next), g + 1);
}

#[test]
fn paths_outside_the_site_are_never_served() {
    let site = common::base_site();
    let secret = "SECRET-7f3a";
    fs::write(site.path().join("secret.txt"), secret).unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("passwd"), secret).unwrap();
    fs::create_dir(site.path().join("static")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("passwd"),
            site.path().join("static/link.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), site.path().join("static/linkdir")).unwrap();
    }
    let served = Served::start(site.path(), &[]);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/2024/../../secret.txt",
        "/2024/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/secret.txt",
        "/site.toml",
        "/content/weibin/2024.yaml",
        "//secret.txt",
        "/link.txt",
        "/linkdir/passwd",
        "/index.html%00",
        "http://example.com/../secret.txt",
        &format!("{}/secret.txt", site.path().display()),
    ] {
        let reply = served.get(path);
        assert!(
            matches!(reply.status, 400 | 404),
            "{path}: {}",
            reply.status
        );
        assert!(!reply.text().contains(secret), "{path} leaked the file");
    }
}

#[test]
fn replies_have_types_heads_tags_and_the_404_page() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    for (path, ctype) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/data/reports.csv", "text/csv; charset=utf-8"),
        ("/data/reports.json", "application/json; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let got = served.get(path);
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(got.header("Content-Type"), Some(ctype), "{path}");
        assert_eq!(
            got.header("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // HEAD: the same headers, no body.
    let get = served.get("/data/reports.csv");
    let head = served.request("HEAD", "/data/reports.csv", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), get.header("Content-Length"));
    // ETag and If-None-Match.
    let tag = get.header("ETag").expect("an ETag").to_string();
    let again = served.request("GET", "/data/reports.csv", &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // A folder without its slash is redirected; unknown paths get the site's 404.
    let redirect = served.get("/2024");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("Location"), Some("/2024/"));
    let missing = served.get("/2031/nobody/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(missing.text().contains("页面不存在"));
    assert_eq!(served.request("POST", "/", &[]).status, 405);
}

#[test]
fn a_slow_or_broken_client_does_not_stall_others() {
    use std::io::Write;
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    // Half a request, never finished; garbage; many idle connections.
    let mut slow = std::net::TcpStream::connect(&served.addr).unwrap();
    slow.write_all(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut idle = Vec::new();
    for _ in 0..50 {
        idle.push(std::net::TcpStream::connect(&served.addr).unwrap());
    }
    let garbage = served.raw(b"\x00\x01\x02 not http at all\r\n\r\n");
    assert!(garbage.status >= 400, "{}", garbage.status);
    for _ in 0..20 {
        assert_eq!(served.get("/2024/weibin/").status, 200);
    }
    drop(slow);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = common::base_site();
    let out = common::gongkai_in(site.path(), &["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert!(
        err.contains(&format!(
            "error: serve: 127.0.0.1:{port} is already in use (another gongkai serve?); pick another with --port"
        )),
        "{err}"
    );
}

#[test]
fn polling_sees_edits_too() {
    let site = common::base_site();
    let served = Served::start(site.path(), &["--poll"]);
    let events = served.events();
    let g = generation(&events.first());
    // Polling compares modification times in whole seconds (notify's
    // PollWatcher): an edit in the second the file was first seen, keeping
    // its size, is noticed only with the next one. A clerk's edits come later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    edit(site.path(), REPORT, "licensing: 1532", "licensing: 1534");
    events.until("a rebuild", |v| generation(v) > g);
    let page = served.get("/2024/weibin/");
    assert_eq!(cell(&page.text(), "active.licensing"), "1534");
}

/// The search index is made on the first request under /search-index/
/// (not on every rebuild), and made again after an indexed page changes:
/// the edited word is found through the served files.
#[test]
fn the_search_index_is_served_and_follows_edits() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let events = served.events();
    let g = generation(&events.first());
    let search = served.get("/search/");
    assert_eq!(search.status, 200);
    assert!(search.text().contains("search-index/search.js"));
    let meta = served.get("/search-index/meta.json");
    assert_eq!(meta.status, 200);
    assert_eq!(
        meta.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert!(meta.text().contains(r#""docs":7,"#), "{}", meta.text());
    let client = served.get("/search-index/search.js");
    assert_eq!(
        client.header("Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(served.get("/search-index/no-such-file").status, 404);
    let find = |query: &str| {
        gongkai::render::search::search(
            |name| {
                let r = served.get(&format!("/search-index/{name}"));
                (r.status == 200).then(|| r.body.clone())
            },
            query,
        )
        .unwrap()
        .hits
        .len()
    };
    assert_eq!(find("答复偶有超期"), 0);

    edit(
        site.path(),
        "content/weibin/2024.md",
        "部分单位公开内容更新不够及时。",
        "部分单位公开内容更新不够及时，依申请公开答复偶有超期。",
    );
    events.until("a rebuild", |v| generation(v) > g);
    assert_eq!(find("答复偶有超期"), 1, "the index follows the edited page");
}

#[test]
fn a_site_without_search_serves_no_index() {
    let site = common::base_site();
    common::set_site_option(site.path(), "search = false");
    let served = Served::start(site.path(), &[]);
    assert_eq!(served.get("/search-index/meta.json").status, 404);
    assert_eq!(served.get("/search/").status, 404);
}

/// A site's own policy that forbids scripts is widened in the pages `serve`
/// serves, just enough for live reload (its script and events are the
/// server's own), and never in the built output.
#[test]
fn serve_widens_a_sites_own_policy_for_live_reload_only_in_served_pages() {
    let site = common::base_site();
    let own = "default-src 'none'; style-src 'self'";
    common::set_site_option(site.path(), &format!("csp = \"{own}\""));
    let served = Served::start(site.path(), &[]);
    let page = served.get("/2024/weibin/").text();
    assert!(
        page.contains(
            r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'">"#
        ),
        "{page}"
    );
    assert!(page.contains(r#"<script src="/__gongkai/livereload.js""#));
    drop(served);

    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    gongkai::commands::build(site.path(), Some(out.clone())).unwrap();
    let built = fs::read_to_string(out.join("2024/weibin/index.html")).unwrap();
    assert!(
        built.contains(&format!(
            r#"<meta http-equiv="Content-Security-Policy" content="{own}">"#
        )),
        "{built}"
    );
    assert!(!built.contains("__gongkai"));
}
