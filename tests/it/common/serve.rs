//! Driving a real `gongkai serve` process: start it on a free port against a
//! temp site, fetch over raw HTTP/1.0 (so paths reach the server exactly as
//! written, unnormalised), and follow its live-reload event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long a test waits for a rebuild to be announced.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    stderr: Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Served {
    /// Starts `gongkai --root ROOT serve --port 0 EXTRA…` and waits for the
    /// line that gives its address.
    pub fn start(root: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gongkai serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stderr = child.stderr.take().unwrap();
        let (etx, erx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let line = rx.recv_timeout(WAIT).expect("serve prints its address");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Served {
            child,
            addr,
            stderr: erx,
        }
    }

    /// Sends `raw` request bytes and reads the whole reply.
    pub fn raw(&self, raw: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.write_all(raw).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("read the reply");
        parse(&bytes)
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.addr);
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        self.raw(req.as_bytes())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// Opens the event stream.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream
            .write_all(b"GET /__gongkai/events HTTP/1.0\r\n\r\n")
            .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let reader = BufReader::new(stream);
            let mut data = None;
            for line in reader.lines().map_while(Result::ok) {
                if let Some(d) = line.strip_prefix("data: ") {
                    data = Some(d.to_string());
                } else if line.is_empty()
                    && let Some(d) = data.take()
                {
                    let json: serde_json::Value = serde_json::from_str(&d).expect("JSON event");
                    if tx.send(json).is_err() {
                        break;
                    }
                }
            }
        });
        Events { rx }
    }

    /// Waits for serve to print a line to stderr containing `text`
    /// (the lines before it are consumed).
    pub fn stderr_until(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => seen.push(line),
                Err(_) => panic!(
                    "serve never printed {text:?}; it printed:\n{}",
                    seen.join("\n")
                ),
            }
        }
    }
}

pub struct Events {
    rx: Receiver<serde_json::Value>,
}

impl Events {
    /// The next status event that satisfies `pred`, skipping others.
    pub fn until(
        &self,
        what: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) if pred(&v) => return v,
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => panic!("no event with {what} within {WAIT:?}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("event stream closed waiting for {what}")
                }
            }
        }
    }

    /// The first event (sent on connect).
    pub fn first(&self) -> serde_json::Value {
        self.until("the first status", |_| true)
    }
}

fn parse(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete reply head");
    let head = String::from_utf8_lossy(&bytes[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

/// Writes a file the way many editors save: a temp file beside it, renamed
/// over the original.
pub fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}
