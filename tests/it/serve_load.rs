//! `serve` under load and attack, on loopback only, every loop bounded:
//! 200 connections at once all get the right pages; clients that trickle
//! their request a byte at a time, sit idle, or send malformed requests do
//! not stall a normal request; no way of writing a path reaches a file
//! outside the site. Timeouts are generous and only turn a hang into a
//! failure.

use crate::common;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::serve::Served;

/// Generous: a reply that takes this long is a hang.
const PATIENCE: Duration = Duration::from_secs(60);

const PAGES: &[&str] = &[
    "/",
    "/2024/",
    "/2024/weibin/",
    "/2024/zhongtongjie/",
    "/2023/zhongtongjie/",
    "/2020/fagaiju/",
    "/agencies/",
    "/data/reports.csv",
    "/data/reports.json",
    "/static/style.css",
];

/// A GET over HTTP/1.0 on a new connection: status and body.
fn fetch(addr: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    reply(&mut stream)
}

fn reply(stream: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read the reply");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete reply head");
    let status = String::from_utf8_lossy(&bytes[..split])
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, bytes[split + 4..].to_vec())
}

#[test]
fn two_hundred_connections_at_once_all_get_the_right_pages() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    // Each page as served to one client alone.
    let expected: Arc<BTreeMap<&str, Vec<u8>>> = Arc::new(
        PAGES
            .iter()
            .map(|p| {
                let (status, body) = fetch(&served.addr, p);
                assert_eq!(status, 200, "{p}");
                (*p, body)
            })
            .collect(),
    );
    let clients = 200;
    let barrier = Arc::new(Barrier::new(clients));
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (addr, barrier, expected) =
                (served.addr.clone(), barrier.clone(), expected.clone());
            std::thread::spawn(move || {
                let path = PAGES[i % PAGES.len()];
                // Every connection is open before any request is sent.
                let mut stream = TcpStream::connect(&addr).expect("connect");
                stream.set_read_timeout(Some(PATIENCE)).unwrap();
                barrier.wait();
                stream
                    .write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
                    .unwrap();
                let (status, body) = reply(&mut stream);
                assert_eq!(status, 200, "{path}");
                assert!(body == expected[path], "{path}: another body");
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a client got a wrong or no answer");
    }
}

/// Trickling clients, idle connections and malformed requests are all open
/// while normal requests are answered; the trickling ones are answered too.
#[test]
fn slow_idle_and_malformed_clients_do_not_stall_a_normal_request() {
    let site = common::base_site();
    let served = Served::start(site.path(), &[]);
    let (_, index) = fetch(&served.addr, "/2024/weibin/");

    // Ten clients sending a request a byte every 20 ms (about a second).
    let trickles: Vec<_> = (0..10)
        .map(|_| {
            let addr = served.addr.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                stream.set_read_timeout(Some(PATIENCE)).unwrap();
                for b in b"GET /2024/weibin/ HTTP/1.0\r\nHost: x\r\n\r\n" {
                    stream.write_all(&[*b]).unwrap();
                    std::thread::sleep(Duration::from_millis(20));
                }
                reply(&mut stream)
            })
        })
        .collect();
    // A hundred connections that never send anything, and ten that send
    // half a request and stop.
    let mut idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&served.addr).unwrap())
        .collect();
    for _ in 0..10 {
        let mut half = TcpStream::connect(&served.addr).unwrap();
        half.write_all(b"GET /index.html HTTP/1.1\r\nHost: x\r\nAccept: ")
            .unwrap();
        idle.push(half);
    }
    let long_header = format!("GET / HTTP/1.0\r\nX-Long: {}\r\n\r\n", "a".repeat(100_000));
    let long_path = format!("GET /{} HTTP/1.0\r\n\r\n", "a/".repeat(50_000));
    let malformed: Vec<&[u8]> = vec![
        b"\x00\x01\x02\xff\xfe not http\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"BREW /pot HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.0\r\nno colon here\r\n\r\n",
        b"GET /\xe4\xb8\xad\xff HTTP/1.0\r\n\r\n",
        // This one aborted the whole server (tiny_http allocates the declared
        // body to drain it): see MAX_BODY in src/serve/mod.rs.
        b"POST / HTTP/1.0\r\nContent-Length: 99999999999\r\n\r\nabc",
        b"GET / HTTP/1.0\r\nContent-Length: 5000000\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2024/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        long_header.as_bytes(),
        long_path.as_bytes(),
    ];
    for raw in &malformed {
        let mut stream = TcpStream::connect(&served.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = stream.write_all(raw);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        // Whatever comes back (an error, a page, or a closed connection),
        // the next normal request is answered at once.
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
        let shown = String::from_utf8_lossy(&raw[..raw.len().min(40)]).into_owned();
        if let Some(status) = String::from_utf8_lossy(&sink)
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
        {
            assert!((200..600).contains(&status), "{shown:?}: status {status}");
        }
        let (status, body) = fetch(&served.addr, "/2024/weibin/");
        assert_eq!(status, 200, "after {shown:?}");
        assert!(body == index, "after {shown:?}: another body");
    }
    for t in trickles {
        let (status, body) = t.join().unwrap();
        assert_eq!(status, 200);
        assert!(body == index);
    }
    drop(idle);
    assert_eq!(fetch(&served.addr, "/2024/weibin/").0, 200);
}

/// More ways of writing a path out of the site than `tests/serve.rs` tries:
/// double encoding, encoded slashes and dots in every mix, absolute paths,
/// raw backslashes and NUL bytes, full-width dots and slashes, links out of
/// `static/`. None reaches the files; every reply is an error.
#[test]
fn no_spelling_of_a_path_reaches_outside_the_site() {
    let site = common::base_site();
    let secret = "SECRET-91c4";
    std::fs::write(site.path().join("secret.txt"), secret).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), secret).unwrap();
    std::fs::create_dir(site.path().join("static")).unwrap();
    #[cfg(unix)]
    {
        let link = |to: &std::path::Path, name: &str| {
            std::os::unix::fs::symlink(to, site.path().join("static").join(name)).unwrap()
        };
        link(&outside.path().join("passwd"), "in.txt");
        link(outside.path(), "out");
        link(&site.path().join("secret.txt"), "secret.txt");
    }
    let served = Served::start(site.path(), &[]);
    let abs = outside.path().join("passwd");
    let abs = abs.to_str().unwrap();
    let paths = [
        "/%252e%252e/secret.txt".to_string(),
        "/.%2e/secret.txt".to_string(),
        "/%2e./secret.txt".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/..%2Fsecret.txt".to_string(),
        "/2024/..%2f..%2fsecret.txt".to_string(),
        "/static/..%2f..%2fsecret.txt".to_string(),
        "/static/../../secret.txt".to_string(),
        "/%2fsecret.txt".to_string(),
        format!("/{abs}"),
        format!("/%2f{}", &abs[1..]),
        abs.to_string(),
        "/..\\secret.txt".to_string(),
        "/%5c..%5csecret.txt".to_string(),
        "/secret.txt%00.html".to_string(),
        "/．．/secret.txt".to_string(),
        "/..／secret.txt".to_string(),
        "/%u002e%u002e/secret.txt".to_string(),
        "/static/in.txt".to_string(),
        "/in.txt".to_string(),
        "/out/passwd".to_string(),
        "/static/out/passwd".to_string(),
        "/secret.txt".to_string(),
        "/static/secret.txt".to_string(),
        "/site.toml".to_string(),
        "/content/weibin/2024.yaml".to_string(),
        "/./content/weibin/2024.yaml".to_string(),
    ];
    let mut requests: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| format!("GET {p} HTTP/1.0\r\nHost: x\r\n\r\n").into_bytes())
        .collect();
    // A raw NUL, and bytes that are not UTF-8 (overlong dots).
    requests.push(b"GET /secret.txt\x00 HTTP/1.0\r\n\r\n".to_vec());
    requests.push(b"GET /\x00/../secret.txt HTTP/1.0\r\n\r\n".to_vec());
    requests.push(b"GET /\xc0\xae\xc0\xae/secret.txt HTTP/1.0\r\n\r\n".to_vec());
    for raw in &requests {
        let shown = String::from_utf8_lossy(raw).into_owned();
        let mut stream = TcpStream::connect(&served.addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.write_all(raw).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // An error, or (for a request line that is not ASCII) tiny_http
        // closing the connection without a word.
        let status = text.split(' ').nth(1).unwrap_or("");
        assert!(
            text.is_empty() || matches!(status, "400" | "404"),
            "{shown:?}: {status}"
        );
        assert!(!text.contains(secret), "{shown:?} leaked the file");
        assert!(!text.contains("year: 2024"), "{shown:?} leaked a source");
    }
    assert_eq!(served.get("/2024/weibin/").status, 200);
}
