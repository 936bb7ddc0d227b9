//! The README's server configurations (nginx and Apache): their policies
//! are the pages' own, each parses in its server (`nginx -t`, `apache2 -t`),
//! and the nginx one serves the built demo with the headers it promises.
//! The server tests are ignored in a plain `cargo test`; `.ci/run` installs
//! nginx and apache2-bin and runs them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gongkai::render::csp;

/// The README's fenced block of `lang`.
fn readme_block(lang: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(&format!("```{lang}\n"))
        .unwrap_or_else(|| panic!("no ```{lang} block in the README"))
        + lang.len()
        + 4;
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len].to_string()
}

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "this test needs {tool} (.ci/run installs it: apt-get install nginx apache2-bin)"
    );
}

#[test]
fn the_readme_configurations_send_the_pages_own_policies() {
    // One policy for every page: the search client needs nothing more.
    let strict = csp::strict(false);
    assert_eq!(strict, csp::strict(true));
    let nginx = readme_block("nginx");
    assert_eq!(
        nginx
            .matches(&format!(
                "add_header Content-Security-Policy \"{strict}\" always;"
            ))
            .count(),
        1,
        "{nginx}"
    );
    let apache = readme_block("apache");
    assert_eq!(
        apache
            .matches(&format!(
                "Header always set Content-Security-Policy \"{strict}\""
            ))
            .count(),
        1,
        "{apache}"
    );
}

/// An nginx started for a test, stopped (with its workers) when dropped.
struct Nginx {
    child: Child,
    args: Vec<String>,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("nginx")
            .args(&self.args)
            .args(["-s", "stop"])
            .output();
        let _ = self.child.wait();
    }
}

/// One plain HTTP/1.0 GET: the status, the headers (names in lower case)
/// and the body.
fn get(port: u16, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: www.example.gov.cn\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, bytes[end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
#[ignore = "needs nginx: .ci/run installs it and runs --include-ignored"]
fn the_nginx_configuration_parses_and_serves_the_demo_with_its_headers() {
    require("nginx");
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    gongkai::commands::build(Path::new(env!("CARGO_MANIFEST_DIR")), Some(public.clone())).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = dir.path().display();
    // The README's block inside the smallest main configuration (with
    // the stock one's types and default type), on a free
    // port of the loopback, serving the built demo.
    let block = readme_block("nginx")
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("/srv/gknb/public/", &format!("{}/", public.display()));
    let conf = format!(
        "user root;\ndaemon off;\nerror_log stderr;\npid {tmp}/nginx.pid;\nevents {{}}\n\
         http {{\ninclude /etc/nginx/mime.types;\ndefault_type application/octet-stream;\naccess_log off;\n\
         client_body_temp_path {tmp}/body;\nproxy_temp_path {tmp}/proxy;\n\
         fastcgi_temp_path {tmp}/fastcgi;\nuwsgi_temp_path {tmp}/uwsgi;\nscgi_temp_path {tmp}/scgi;\n\
         {block}}}\n"
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let args = vec![
        "-p".to_string(),
        tmp.to_string(),
        "-c".to_string(),
        path.display().to_string(),
    ];
    let test = Command::new("nginx")
        .args(&args)
        .arg("-t")
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );

    let nginx = Nginx {
        child: Command::new("nginx")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        args,
    };
    let mut tries = 0;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        tries += 1;
        assert!(tries < 100, "nginx does not answer on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }

    let strict = csp::strict(false);
    for (path, status, ctype, policy, cache) in [
        (
            "/gknb/",
            200,
            "text/html; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/2024/zhongtongjie/index.html",
            200,
            "text/html; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/search/index.html",
            200,
            "text/html; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/search-index/search.js",
            200,
            "application/javascript; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/search-index/meta.json",
            200,
            "application/json; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/static/style.css",
            200,
            "text/css; charset=utf-8",
            &strict,
            "public, max-age=3600",
        ),
        (
            "/gknb/data/reports.json",
            200,
            "application/json; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/data/reports.csv",
            200,
            "text/csv; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/2024/zhongtongjie/report.json",
            200,
            "application/json; charset=utf-8",
            &strict,
            "no-cache",
        ),
        (
            "/gknb/no/such/page.html",
            404,
            "text/html; charset=utf-8",
            &strict,
            "no-cache",
        ),
    ] {
        let (got, headers, body) = get(port, path);
        assert_eq!(got, status, "{path}: {headers:?}");
        assert_eq!(header(&headers, "content-type"), [ctype], "{path}");
        assert_eq!(
            header(&headers, "content-security-policy"),
            [policy.as_str()],
            "{path}"
        );
        assert_eq!(header(&headers, "cache-control"), [cache], "{path}");
        if status == 404 {
            assert!(
                String::from_utf8_lossy(&body).contains("页面不存在"),
                "{path}"
            );
        }
    }
    drop(nginx);
}

#[test]
#[ignore = "needs apache2 (apache2-bin): .ci/run installs it and runs --include-ignored"]
fn the_apache_configuration_parses() {
    require("apache2");
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public");
    std::fs::create_dir_all(public.join("static")).unwrap();
    let tmp = dir.path().display();
    let modules = ["mpm_event", "authz_core", "mime", "headers", "alias", "dir"]
        .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"))
        .concat();
    let block = readme_block("apache").replace("/srv/gknb/public", &public.display().to_string());
    let conf = format!(
        "ServerRoot {tmp}\nServerName localhost\nPidFile {tmp}/apache.pid\nErrorLog {tmp}/error.log\n\
         Listen 127.0.0.1:8080\nTypesConfig /etc/mime.types\n{modules}{block}"
    );
    let path = dir.path().join("apache.conf");
    std::fs::write(&path, conf).unwrap();
    let out = Command::new("apache2")
        .args(["-t", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "apache2 -t: {said}");
    assert!(said.contains("Syntax OK"), "{said}");
}
