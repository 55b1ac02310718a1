//! `instance-id probe` against servers on 127.0.0.1 that keep their own count: every
//! failure the server caused is in the report (as an error, or as a retry), an open
//! loop's latency shows the server's stall, and a rollout's times are the server's
//! own switch times. Each assertion compares the report with what the server
//! recorded, never with a sleep.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use support::run;

/// `probe URL ARGS… --json`, parsed.
fn json(url: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["probe", url, "--json"];
    all.extend(args);
    let out = run(&all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// What the server answers to one request it has read.
enum Reply {
    /// An answer; the connection stays open for the next request.
    Answer(String),
    /// A failure: these bytes (maybe none), then the connection closed; reset (RST)
    /// instead of closed when `reset`.
    Fail { bytes: String, reset: bool },
}

/// An HTTP/1.1 server that reads each request whole, answers `reply(n)` to the n-th
/// request it has read (counted over all connections from 0), and never closes a
/// connection it did not fail: so each failure it counts is a request it read and
/// then failed. Returns the URL and the count of its failures.
fn serve(reply: impl Fn(u64) -> Reply + Send + Sync + 'static) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    let reply = Arc::new(reply);
    let read = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let failed = failures.clone();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (reply, read, failed) = (reply.clone(), read.clone(), failed.clone());
            thread::spawn(move || connection(stream, &*reply, &read, &failed));
        }
    });
    (format!("http://{address}/inst"), failures)
}

fn connection(
    mut stream: TcpStream,
    reply: &dyn Fn(u64) -> Reply,
    read: &AtomicU64,
    failed: &AtomicU64,
) {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let close = String::from_utf8_lossy(&pending[..end])
                .to_ascii_lowercase()
                .contains("connection: close");
            pending.drain(..end + 4);
            let n = read.fetch_add(1, Ordering::SeqCst);
            match reply(n) {
                Reply::Answer(answer) => {
                    if stream.write_all(answer.as_bytes()).is_err() || close {
                        return;
                    }
                }
                Reply::Fail { bytes, reset } => {
                    failed.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(bytes.as_bytes());
                    if reset {
                        reset_on_close(&stream);
                    }
                    return;
                }
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A zero linger time: closing the socket then sends RST, not FIN.
fn reset_on_close(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a linger value of the size passed.
    let set = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::addr_of!(linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0, "SO_LINGER: {}", std::io::Error::last_os_error());
}

fn ok(id: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nx-instance-id: {id}\r\ncontent-length: 3\r\n\r\nok\n")
}

/// Each way a server can fail a request it has read, and the kind the report names.
fn failures() -> Vec<(&'static str, Reply, &'static str)> {
    let many_headers: String = (0..200).map(|n| format!("x-filler-{n}: 1\r\n")).collect();
    vec![
        (
            "read then close",
            Reply::Fail {
                bytes: String::new(),
                reset: false,
            },
            "connection closed before the answer",
        ),
        (
            "reset",
            Reply::Fail {
                bytes: String::new(),
                reset: true,
            },
            "connection reset",
        ),
        (
            "garbage status line",
            Reply::Fail {
                bytes: "HTTP/1.1 2x0 WHAT\r\n\r\n".into(),
                reset: false,
            },
            "malformed answer",
        ),
        (
            "cut headers",
            Reply::Fail {
                bytes: "HTTP/1.1 200 OK\r\nx-instance-id: web-a\r\ncontent-le".into(),
                reset: false,
            },
            "connection closed before the answer",
        ),
        (
            "too many headers",
            Reply::Fail {
                bytes: format!("HTTP/1.1 200 OK\r\n{many_headers}content-length: 0\r\n\r\n"),
                reset: false,
            },
            "malformed answer",
        ),
    ]
}

/// Every third request the server reads, it fails, in each of its ways: the report's
/// errors and retries add up to the server's failures, with a new connection per
/// request and with kept connections, with and without `--retry`. (Before, a kept
/// connection's failure after the request was written was sent again unseen: 0
/// errors against the server's 13.)
#[test]
fn every_failure_the_server_caused_is_counted() {
    for (name, _, kind) in failures() {
        for keep_alive in [false, true] {
            for retry in [false, true] {
                let (url, failed) = serve(move |n| {
                    if n % 3 == 1 {
                        let (_, reply, _) = failures()
                            .into_iter()
                            .find(|(this, _, _)| *this == name)
                            .expect("a failure");
                        reply
                    } else {
                        Reply::Answer(ok("web-a"))
                    }
                });
                let mut args = vec!["-n", "40", "-c", "2"];
                if keep_alive {
                    args.push("--keep-alive");
                }
                if retry {
                    args.push("--retry");
                }
                let report = json(&url, &args);
                let (errors, retried) = (
                    report["errors"].as_u64().expect("errors"),
                    report["retried"].as_u64().expect("retried"),
                );
                let failed = failed.load(Ordering::SeqCst);
                let case = format!("{name}, {args:?}: {report}");
                assert!(failed >= 10, "{case}");
                assert_eq!(errors + retried, failed, "{case}");
                assert_eq!(report["requests"], 40, "{case}");
                let answered = report["instances"][0]["count"].as_u64().unwrap_or(0);
                assert_eq!(answered + errors, 40, "{case}");
                if retry {
                    assert!(retried > 0, "{case}");
                } else {
                    assert_eq!(retried, 0, "{case}");
                    assert_eq!(report["error_kinds"][kind], errors, "{case}");
                }
            }
        }
    }
}

/// `--retry` in the table: a line that counts them.
#[test]
fn the_table_counts_the_retries() {
    let (url, failed) = serve(|n| {
        if n % 2 == 0 {
            Reply::Fail {
                bytes: String::new(),
                reset: false,
            }
        } else {
            Reply::Answer(ok("web-a"))
        }
    });
    let out = run(&["probe", &url, "-n", "10", "-c", "1", "--retry"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let failed = failed.load(Ordering::SeqCst);
    assert!(
        text.contains(&format!("  {failed} retried: written, failed")),
        "{failed}: {text}"
    );
    assert!(text.contains(", 0 errors"), "{text}");
}

/// At 200 requests a second for 3 s against a server that stalls for one second (it
/// holds every answer from its 100th request until a second later), the open loop
/// keeps sending, and each request's time counts from when it was due: the stall is
/// in the percentiles.
#[test]
fn an_open_loop_shows_a_stall_in_the_percentiles() {
    let stall: Arc<OnceLock<Instant>> = Arc::default();
    let read = Arc::new(AtomicU64::new(0));
    let (stalled, counted) = (stall.clone(), read.clone());
    let (url, _) = serve(move |n| {
        counted.fetch_add(1, Ordering::SeqCst);
        if n >= 100 {
            let until = *stalled.get_or_init(|| Instant::now() + Duration::from_secs(1));
            if let Some(left) = until.checked_duration_since(Instant::now()) {
                thread::sleep(left);
            }
        }
        Reply::Answer(ok("web-a"))
    });
    let report = json(&url, &["--rate", "200", "--duration", "3s"]);
    let requests = report["requests"].as_u64().expect("requests");
    assert!((540..=660).contains(&requests), "{report}");
    assert_eq!(requests, read.load(Ordering::SeqCst), "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    // Only a client starved of its CPU sends late below its cap: a few at most.
    assert!(report["late"].as_u64() < Some(requests / 20), "{report}");
    assert_eq!(report["rate"], 200.0, "{report}");
    let p90 = report["latency_ms"]["p90"].as_f64().expect("p90");
    assert!(p90 > 250.0, "{report}");
    assert!(stall.get().is_some(), "the server stalled");

    // Capped at 20 in flight, the requests due during the stall wait, and say so.
    let stall: Arc<OnceLock<Instant>> = Arc::default();
    let (url, _) = serve(move |n| {
        if n >= 20 {
            let until = *stall.get_or_init(|| Instant::now() + Duration::from_millis(500));
            if let Some(left) = until.checked_duration_since(Instant::now()) {
                thread::sleep(left);
            }
        }
        Reply::Answer(ok("web-a"))
    });
    let report = json(&url, &["--rate", "200", "-n", "200", "-c", "20"]);
    assert_eq!(report["requests"], 200, "{report}");
    assert!(report["late"].as_u64() > Some(0), "{report}");
    assert!(
        report["latency_ms"]["p90"].as_f64() > Some(100.0),
        "{report}"
    );

    let out = run(&["probe", &url, "--rate", "10", "--users", "3"]);
    assert_eq!(out.status.code(), Some(2));
    for nonsense in ["0", "-5", "nan", "2000000"] {
        let out = run(&["probe", &url, "--rate", nonsense]);
        assert_eq!(out.status.code(), Some(2), "{nonsense}");
    }
}

/// What the rollout server did: when, from its first request, it last answered as an
/// old instance and first as a new one, and the 503s it sent in between, in all and
/// with the id of `old-a`.
#[derive(Default)]
struct Switches {
    first_request: Option<Instant>,
    last_old: Option<Duration>,
    first_new: Option<Duration>,
    unavailable: u64,
    unavailable_old_a: u64,
}

/// A rolling update in miniature: `old-a` and `old-b` answer for a second from the
/// server's first request, then half a second of 503s (half of them from `old-a`,
/// draining), then `new-a` and `new-b`. The report's rollout is compared with the
/// times the server recorded, and `--plot` draws it.
#[test]
fn a_rollout_is_told_with_the_servers_times() {
    let switches = Arc::new(Mutex::new(Switches::default()));
    let recorded = switches.clone();
    let (url, _) = serve(move |n| {
        let mut switches = recorded.lock().expect("switches");
        let now = Instant::now();
        let since = now.duration_since(*switches.first_request.get_or_insert(now));
        let pick = |ids: [&str; 2]| ids[(n % 2) as usize].to_owned();
        if since < Duration::from_millis(1000) {
            switches.last_old = Some(since);
            Reply::Answer(ok(&pick(["old-a", "old-b"])))
        } else if since < Duration::from_millis(1500) {
            switches.unavailable += 1;
            let header = if n % 2 == 0 {
                switches.unavailable_old_a += 1;
                "x-instance-id: old-a\r\n"
            } else {
                ""
            };
            Reply::Answer(format!(
                "HTTP/1.1 503 Service Unavailable\r\n{header}content-length: 0\r\n\r\n"
            ))
        } else {
            switches.first_new.get_or_insert(since);
            Reply::Answer(ok(&pick(["new-a", "new-b"])))
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("rollout.svg");
    let svg_arg = svg.to_str().expect("utf-8");
    let report = json(
        &url,
        &[
            "--duration",
            "3s",
            "-c",
            "2",
            "--keep-alive",
            "--plot",
            svg_arg,
        ],
    );
    let switches = switches.lock().expect("switches");
    let rollout = &report["rollout"];
    assert_eq!(
        rollout["from"],
        serde_json::json!(["old-a", "old-b"]),
        "{report}"
    );
    assert_eq!(
        rollout["to"],
        serde_json::json!(["new-a", "new-b"]),
        "{report}"
    );
    assert_eq!(rollout["errors"], switches.unavailable, "{report}");
    assert_eq!(report["errors"], switches.unavailable, "{report}");
    let near = |reported: &serde_json::Value, server: Option<Duration>| {
        let server = server.expect("the server switched").as_secs_f64();
        let reported = reported.as_f64().expect("a time");
        assert!(
            (reported - server).abs() < 0.35,
            "{reported} against the server's {server}: {report}"
        );
    };
    near(&rollout["last_old_s"], switches.last_old);
    near(&rollout["first_new_s"], switches.first_new);
    assert_eq!(rollout["mixed_s"], 0.0, "{report}");
    let gap = rollout["longest_gap_s"].as_f64().expect("a gap");
    let window = switches
        .first_new
        .zip(switches.last_old)
        .map(|(new, old)| (new - old).as_secs_f64());
    assert!(window.is_some_and(|w| (gap - w).abs() < 0.35), "{report}");

    // The old instance's 503s count on it, not in its answers.
    let old_a = report["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .find(|i| i["id"] == "old-a")
        .expect("old-a");
    assert_eq!(old_a["errors"], switches.unavailable_old_a, "{report}");
    assert_eq!(
        old_a["status"]["503"], switches.unavailable_old_a,
        "{report}"
    );
    assert_eq!(old_a["status"]["200"], old_a["count"], "{report}");

    let picture = std::fs::read_to_string(&svg).expect("the plot was written");
    assert!(picture.starts_with("<svg"), "{picture}");
    for id in ["old-a", "old-b", "new-a", "new-b"] {
        assert!(
            picture.contains(&format!(">\n{id}\n</text>")),
            "{id} in the plot"
        );
    }
    assert!(picture.contains("errors per second"));
    assert!(picture.contains("p99 latency per second"));

    // The same in words, and --format json is --json.
    let out = run(&["probe", &url, "--duration", "1s", "--format", "text"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no rollout: the same instances answered"),
        "{text}"
    );
    let out = run(&["probe", &url, "-n", "3", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["requests"], 3);
    assert_eq!(
        run(&["probe", &url, "--plot", svg_arg]).status.code(),
        Some(2)
    );
}
