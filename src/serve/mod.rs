//! `serve`: a local preview server. It builds the site into memory, serves
//! it with tiny_http, watches the sources and rebuilds in process after each
//! change, and tells every open page over Server-Sent Events to reload, or
//! to show the diagnostics while the content has errors.

mod http;
mod preview;
mod watch;

pub use http::{EVENTS, Target, content_type, resolve};
pub use preview::{Asset, Formatter, Outcome, Preview, Snapshot};

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::error::{Error, Result};

/// How `serve` was asked to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub bind: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Poll the files instead of relying on OS events (network drives, WSL).
    pub poll: bool,
    /// `--allow-missing-members`.
    pub load: crate::load::LoadOptions,
}

/// Threads answering requests; a slow client holds one, the rest go on.
const WORKERS: usize = 8;
/// How long the watcher waits for a burst of events (an editor's save) to end.
pub const DEBOUNCE: Duration = Duration::from_millis(60);
/// How often a connection stuck in tiny_http's queue is freed (`unstall`).
const KICK: Duration = Duration::from_millis(50);
/// Keeps idle event streams alive through proxies, and finds dead ones.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// What the server shares between its threads.
struct Shared {
    snapshot: RwLock<Snapshot>,
    /// Open event streams.
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
    /// The last change was to stylesheets only.
    css_only: Mutex<bool>,
}

impl Shared {
    fn status(&self) -> String {
        let s = self.snapshot.read().expect("snapshot lock");
        let css = *self.css_only.lock().expect("css lock");
        let errors = s.errors.as_deref().map_or("null".to_string(), json_string);
        format!(
            "event: status\ndata: {{\"generation\":{},\"css\":{css},\"errors\":{errors}}}\n\n",
            s.generation
        )
    }

    /// Sends the current status to every open page, dropping closed streams.
    fn broadcast(&self) {
        let message = self.status();
        self.send(message.as_bytes());
    }

    fn send(&self, bytes: &[u8]) {
        let mut clients = self.clients.lock().expect("clients lock");
        clients.retain_mut(|c| c.write_all(bytes).and_then(|_| c.flush()).is_ok());
    }
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// A running preview server: its address, and the rebuild notices for the
/// terminal (the binary prints them).
pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    http: Arc<tiny_http::Server>,
    watcher: watch::Watcher,
    changes: Receiver<Vec<PathBuf>>,
}

/// What the terminal is told after each rebuild.
pub enum Notice {
    Rebuilt {
        outcome: Outcome,
        cause: Vec<PathBuf>,
    },
    Failed {
        errors: String,
        cause: Vec<PathBuf>,
    },
}

impl Server {
    /// Starts watching, builds the site once, binds the address and starts
    /// answering. The first build may fail: pages then show the diagnostics
    /// until fixed. Watching starts first, so no edit is missed.
    pub fn start(
        root: &Path,
        options: &ServeOptions,
        format: Formatter,
    ) -> Result<(Server, Preview, Outcome)> {
        let (tx, changes) = std::sync::mpsc::channel();
        let mut watcher = watch::Watcher::new(root, options.poll, tx)?;
        let mut preview = Preview::new(root, format).with_load_options(options.load);
        let outcome = preview.rebuild(&[]);
        watcher.watch_files(preview.member_files());
        let shared = Arc::new(Shared {
            snapshot: RwLock::new(preview.snapshot.clone()),
            clients: Mutex::new(Vec::new()),
            css_only: Mutex::new(false),
        });
        let addr = format!("{}:{}", options.bind, options.port);
        let http = tiny_http::Server::http(&addr).map_err(|e| {
            let in_use = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
            Error::Serve(if in_use {
                format!(
                    "{addr} is already in use (another gongkai serve?); pick another with --port"
                )
            } else {
                format!("cannot listen on {addr}: {e}")
            })
        })?;
        let http = Arc::new(http);
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::Serve(format!("{addr} is not an IP address")))?;
        for _ in 0..WORKERS {
            let http = http.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    handle(request, &shared);
                }
            });
        }
        std::thread::spawn(move || unstall(addr));
        let beat = shared.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(HEARTBEAT);
                beat.send(b": keep-alive\n\n");
            }
        });
        let server = Server {
            addr,
            shared,
            http,
            watcher,
            changes,
        };
        Ok((server, preview, outcome))
    }

    /// Watches the site and rebuilds on change, forever (until the process
    /// ends); each rebuild is reported to `notice`.
    pub fn watch(mut self, mut preview: Preview, mut notice: impl FnMut(Notice)) {
        while let Ok(cause) = self.changes.recv() {
            self.watcher.refresh();
            let outcome = preview.rebuild(&cause);
            self.watcher.watch_files(preview.member_files());
            let changed = !outcome.changed.is_empty();
            {
                let mut snapshot = self.shared.snapshot.write().expect("snapshot lock");
                *snapshot = preview.snapshot.clone();
            }
            if changed {
                *self.shared.css_only.lock().expect("css lock") =
                    outcome.changed.iter().all(|p| p.ends_with(".css"));
            }
            self.shared.broadcast();
            notice(match &preview.snapshot.errors {
                Some(errors) => Notice::Failed {
                    errors: errors.clone(),
                    cause,
                },
                None => Notice::Rebuilt { outcome, cause },
            });
        }
    }

    /// Stops answering requests (tests; the binary just exits).
    pub fn stop(&self) {
        self.http.unblock();
    }
}

/// tiny_http gives each connection a thread from a pool that grows only
/// when no thread is idle at the moment a connection arrives. In a burst,
/// connections queue behind the one idle thread; once that thread serves a
/// client that stays connected doing nothing (tiny_http sets no timeout),
/// the queued ones wait until some other connection ends. A connection that
/// ends at once, every KICK, gets a new thread, which then takes one queued
/// connection: a queue of n drains in n × KICK.
fn unstall(addr: SocketAddr) {
    loop {
        std::thread::sleep(KICK);
        drop(std::net::TcpStream::connect_timeout(&addr, KICK));
    }
}

/// The largest request body gongkai lets tiny_http drop. tiny_http 0.12
/// drains an unread body when the request is dropped, into one buffer of the
/// size the client declared: `Content-Length: 99999999999` would abort the
/// whole server (an allocation failure). `serve` takes no bodies at all.
const MAX_BODY: usize = 1 << 20;

fn handle(request: tiny_http::Request, shared: &Shared) {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        // Answered 413, then the connection is abandoned, never dropped:
        // it costs one idle thread until the process ends, not the server.
        let stream = request.upgrade("none", tiny_http::Response::empty(413));
        std::mem::forget(stream);
        return;
    }
    let is_events = request.url().split('?').next() == Some(EVENTS);
    if !is_events {
        let snapshot = shared.snapshot.read().expect("snapshot lock").clone();
        http::respond(request, &snapshot);
        return;
    }
    // The event stream stays open: headers written by hand, then one event
    // per rebuild, each flushed.
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
    let first = shared.status();
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.write_all(first.as_bytes()))
        .and_then(|_| writer.flush())
        .is_ok()
    {
        shared.clients.lock().expect("clients lock").push(writer);
    }
}
