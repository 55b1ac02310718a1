//! `instance-id probe` against small servers on 127.0.0.1: the spread, the identity
//! from the header or else the body, errors counted without aborting, and the JSON
//! documented shape. (The real thing, HAProxy and containers, is `tests/e2e.rs` of the
//! workspace.)

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use support::run;

/// Serves forever on a fresh port; the n-th connection gets `answer(n)`.
fn serve(answer: impl Fn(usize) -> String + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    let answer = Arc::new(answer);
    let count = Arc::new(AtomicUsize::new(0));
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let n = count.fetch_add(1, Ordering::Relaxed);
            let answer = answer.clone();
            thread::spawn(move || respond(stream, &answer(n)));
        }
    });
    format!("http://{address}/inst")
}

fn respond(mut stream: TcpStream, response: &str) {
    let mut request = [0u8; 2048];
    let _ = stream.read(&mut request);
    let _ = stream.write_all(response.as_bytes());
}

fn ok(header: Option<&str>, body: &str) -> String {
    let header = header
        .map(|id| format!("x-instance-id: {id}\r\n"))
        .unwrap_or_default();
    format!(
        "HTTP/1.1 200 OK\r\n{header}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn probe_json(url: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["probe", url, "-n", "60", "-c", "4", "--json"];
    args.extend(extra);
    let out = run(&args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn spread_over_instances_from_the_header() {
    let url = serve(|n| ok(Some(["web-a", "web-b", "web-c"][n % 3]), "ignored\n"));
    let report = probe_json(&url, &[]);
    assert_eq!(report["requests"], 60);
    assert_eq!(report["errors"], 0);
    let instances = report["instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 3);
    for instance in instances {
        assert_eq!(instance["count"], 20, "{report}");
        assert!((instance["share"].as_f64().expect("share") - 1.0 / 3.0).abs() < 1e-9);
        let (p50, p99) = (
            instance["p50_ms"].as_f64().expect("p50"),
            instance["p99_ms"].as_f64().expect("p99"),
        );
        assert!(p50 > 0.0 && p50 <= p99, "{report}");
        let keys: Vec<&str> = instance
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "count",
                "errors",
                "id",
                "latency_ms",
                "p50_ms",
                "p99_ms",
                "share",
                "status"
            ]
        );
        assert_eq!(instance["errors"], 0, "{report}");
        assert_eq!(
            instance["status"],
            serde_json::json!({"200": 20}),
            "{report}"
        );
        let latency = &instance["latency_ms"];
        let order: Vec<f64> = ["p50", "p90", "p99", "p999", "max"]
            .iter()
            .map(|p| latency[p].as_f64().expect("a percentile"))
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{report}");
        assert_eq!(latency["p50"], instance["p50_ms"], "{report}");
    }
    let keys: Vec<&str> = report
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["errors", "instances", "latency_ms", "requests", "retried"]
    );
    assert_eq!(report["retried"], 0);
    assert!(report["latency_ms"]["p99"].as_f64() > Some(0.0), "{report}");
}

#[test]
fn the_body_when_there_is_no_header() {
    let url = serve(|_| ok(None, "only-one\n"));
    let report = probe_json(&url, &[]);
    assert_eq!(report["instances"][0]["id"], "only-one");
    assert_eq!(report["instances"][0]["count"], 60);
}

#[test]
fn errors_are_counted_and_the_run_goes_on() {
    let url = serve(|n| match n % 3 {
        0 => ok(Some("web-a"), ""),
        1 => "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            .into(),
        _ => ok(None, "two words\n"),
    });
    let report = probe_json(&url, &[]);
    assert_eq!(report["requests"], 60);
    assert_eq!(report["errors"], 40, "{report}");
    assert_eq!(report["instances"][0]["count"], 20);

    let out = run(&["probe", &url, "-n", "30", "-c", "3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("a new connection per request"), "{text}");
    assert!(text.contains("HTTP 503: 10"), "{text}");
    assert!(text.contains("no instance id in the answer: 10"), "{text}");
    assert!(text.contains("web-a"), "{text}");
}

#[test]
fn nothing_listening() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/inst");
    let out = run(&["probe", &url, "-n", "5", "-c", "2", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["errors"], 5);
    assert_eq!(report["instances"].as_array().map(Vec::len), Some(0));
}

#[test]
fn keep_alive_says_so_and_bad_urls_are_usage_errors() {
    let url = serve(|_| ok(Some("web-a"), ""));
    let out = run(&["probe", &url, "-n", "4", "--keep-alive"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("connections reused (--keep-alive)"));
    for bad in ["not a url", "ftp://127.0.0.1/inst"] {
        assert_eq!(run(&["probe", bad]).status.code(), Some(2), "{bad}");
    }
    assert_eq!(run(&["probe", &url, "-n", "0"]).status.code(), Some(2));
}

/// Nonsense options are usage errors, exit 2, before any request is sent.
#[test]
fn nonsense_options_send_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}/inst", listener.local_addr().expect("address"));
    for (extra, says) in [
        (vec!["--timeout-ms", "0"], "--timeout-ms"),
        (vec!["-c", "0"], "--concurrency"),
        (vec!["-n", "0"], "--requests"),
        (
            vec!["--header", "X Instance"],
            "not a valid HTTP header name",
        ),
        (vec!["--header", ""], "header name is empty"),
        (vec!["--cacert", "/nonexistent/ca.pem"], "--cacert"),
    ] {
        let mut args = vec!["probe", url.as_str()];
        args.extend(&extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }
    assert!(
        listener.accept().is_err(),
        "a request was sent despite a usage error"
    );
}

/// A server that answers a new id each time: the first 64 are tracked exactly, the
/// rest counted together, and memory stays bounded.
#[test]
fn a_new_id_per_response_is_counted_not_tracked() {
    let url = serve(|n| ok(Some(&format!("replica-{n}")), ""));
    let out = run(&["probe", &url, "-n", "300", "-c", "8", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let instances = report["instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 64, "{report}");
    assert!(instances.iter().all(|i| i["count"] == 1), "{report}");
    assert_eq!(report["untracked"]["ids"], 236, "{report}");
    assert_eq!(report["untracked"]["requests"], 236, "{report}");
    let text = run(&["probe", &url, "-n", "100", "-c", "4"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("36 more ids, counted together (only the first 64 are tracked)"),
        "{text}"
    );
}

/// A 64-hex id is shown as `docker ps` shows it, so that each row fits 80 columns.
#[test]
fn rows_fit_eighty_columns() {
    let id = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";
    let url = serve(move |_| ok(Some(id), ""));
    let out = run(&["probe", &url, "-n", "3", "-c", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|line| line.contains("5c2d33d962d8"))
        .expect("a row");
    assert!(
        row.chars().count() <= 80,
        "{} columns: {row}",
        row.chars().count()
    );
    assert!(!row.contains(id), "{row}");
    let report = probe_json(&url, &[]);
    assert_eq!(report["instances"][0]["id"], id, "JSON keeps the id whole");
}

/// A server that accepts and never answers: every request is a timeout, counted.
#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}/inst", listener.local_addr().expect("address"));
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let out = run(&[
        "probe",
        &url,
        "-n",
        "4",
        "-c",
        "4",
        "--timeout-ms",
        "300",
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["errors"], 4, "{report}");
}

/// Serves forever on a fresh port; the n-th connection's request gets `answer(n, request)`.
fn serve_requests(answer: impl Fn(usize, &str) -> String + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    let answer = Arc::new(answer);
    let count = Arc::new(AtomicUsize::new(0));
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let n = count.fetch_add(1, Ordering::Relaxed);
            let answer = answer.clone();
            thread::spawn(move || {
                let mut request = [0u8; 4096];
                let read = stream.read(&mut request).unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..read]).into_owned();
                let _ = stream.write_all(answer(n, &request).as_bytes());
            });
        }
    });
    format!("http://{address}/inst")
}

/// A cookie-sticky balancer in miniature: a request without its cookie goes to the
/// next of three instances in turn and gets `SRV=<instance>`; one with it stays there.
fn sticky(n: usize, request: &str) -> String {
    let cookie = request.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("cookie").then(|| value.trim())
    });
    let pinned = cookie
        .and_then(|c| c.split(';').find_map(|kv| kv.trim().strip_prefix("SRV=")))
        .map(str::to_owned);
    match pinned {
        Some(instance) => ok(Some(&format!("web-{instance}")), ""),
        None => {
            let instance = ["a", "b", "c"][n % 3];
            format!(
                "HTTP/1.1 200 OK\r\nx-instance-id: web-{instance}\r\nset-cookie: SRV={instance}; path=/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
        }
    }
}

#[test]
fn users_show_how_sticky_a_balancer_is() {
    let url = serve_requests(sticky);
    let report = json(&url, &["-n", "70", "-c", "2", "--users", "7"]);
    assert_eq!(report["users"], 7, "{report}");
    assert_eq!(report["stickiness"], 1.0, "{report}");
    assert!(ids(&report).len() >= 2, "{report}");

    // Round robin over connections: a user's requests land everywhere.
    let url = serve(|n| ok(Some(["web-a", "web-b", "web-c"][n % 3]), ""));
    let report = json(&url, &["-n", "210", "-c", "1", "--users", "7"]);
    let stickiness = report["stickiness"].as_f64().expect("a stickiness");
    assert!(stickiness < 0.6, "{report}");

    // Without --users each request is a user of its own: no jar, no stickiness.
    let url = serve_requests(sticky);
    let report = probe_json(&url, &[]);
    assert!(report.get("users").is_none() && report.get("stickiness").is_none());
    assert_eq!(ids(&report).len(), 3, "{report}");

    // More requests in flight than users: each user's next request still waits for
    // the cookie its last answer set.
    let text = run(&["probe", &url, "-n", "28", "-c", "12", "--users", "7"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("7 virtual users, each with its own cookie jar"),
        "{text}"
    );
    assert!(text.contains("stickiness 1.00"), "{text}");
}

#[test]
fn a_duration_draws_who_answered_each_second() {
    // "old" answers for the first second and a half after the first request the
    // server sees, "new" after, and the server counts what it gave each.
    let first_request = std::sync::OnceLock::new();
    let given = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let url = serve({
        let given = given.clone();
        move |_| {
            let since = first_request.get_or_init(std::time::Instant::now).elapsed();
            let new = since.as_millis() >= 1500;
            given[usize::from(new)].fetch_add(1, Ordering::SeqCst);
            ok(Some(if new { "new" } else { "old" }), "")
        }
    });
    let out = run(&["probe", &url, "--duration", "3s", "-c", "2", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let timeline = report["timeline"].as_array().expect("a timeline");
    assert_eq!(timeline.len(), 3, "{report}");
    let names = |second: &serde_json::Value| -> Vec<String> {
        second["instances"]
            .as_object()
            .expect("instances")
            .keys()
            .cloned()
            .collect()
    };
    // Judged by what the server gave, not by where the clock put the switch: the
    // seconds in order, the old name first and the new one last, the switch in one
    // place (every second before it "old" alone, every one after it "new" alone, at
    // most one holding both), and each name counted as often as the server gave it.
    let seen: Vec<Vec<String>> = timeline.iter().map(names).collect();
    for (n, second) in timeline.iter().enumerate() {
        assert_eq!(second["second"], n, "{report}");
        assert_eq!(second["errors"], 0, "{report}");
    }
    let both = seen.iter().filter(|names| names.len() > 1).count();
    assert!(both <= 1, "{report}");
    let switch = seen
        .iter()
        .position(|names| names.iter().any(|name| name == "new"))
        .expect("the new name answered within the run");
    assert!(
        seen[..switch].iter().all(|names| names == &["old"]),
        "{report}"
    );
    assert!(
        seen[switch + 1..].iter().all(|names| names == &["new"]),
        "{report}"
    );
    assert!(seen[0].contains(&"old".to_owned()), "{report}");
    let count_of = |name: &str| -> u64 {
        report["instances"]
            .as_array()
            .expect("instances")
            .iter()
            .find(|instance| instance["id"] == name)
            .and_then(|instance| instance["count"].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(
        count_of("old"),
        given[0].load(Ordering::SeqCst) as u64,
        "{report}"
    );
    assert_eq!(
        count_of("new"),
        given[1].load(Ordering::SeqCst) as u64,
        "{report}"
    );
    let sent = report["requests"].as_u64().expect("a count");
    let counted: u64 = timeline
        .iter()
        .flat_map(|s| s["instances"].as_object().expect("instances").values())
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(counted, sent, "every answer is in the timeline");

    let out = run(&["probe", &url, "--duration", "2s"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("timeline, one cell per second, 0 to 2 s"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("new"))
        .expect("a row");
    assert!(row.ends_with('█'), "{row}");

    for nonsense in [
        &["--duration", "0s"][..],
        &["--duration", "2h"],
        &["--duration", "2s", "-n", "5"],
    ] {
        let mut args = vec!["probe", url.as_str()];
        args.extend(nonsense);
        assert_eq!(run(&args).status.code(), Some(2), "{nonsense:?}");
    }
}

/// `probe URL ARGS… --json`, parsed.
fn json(url: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["probe", url, "--json"];
    all.extend(args);
    serde_json::from_slice(&run(&all).stdout).expect("JSON")
}

fn ids(report: &serde_json::Value) -> Vec<&str> {
    report["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect()
}

/// A URL's user information is never shown: not in the report, not in JSON, not in an
/// error, while the request still carries it.
#[test]
fn a_password_in_the_url_is_never_shown() {
    let url = serve_requests(|_, request| {
        // reqwest sends it as Basic authentication: `admin:s3cret`.
        let authorised = request
            .to_ascii_lowercase()
            .contains("authorization: basic ywrtaw46cznjcmv0");
        ok(Some(if authorised { "web-a" } else { "anonymous" }), "")
    });
    let with_password = url.replacen("http://", "http://admin:s3cret@", 1);
    let out = run(&["probe", &with_password, "-n", "2", "-c", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("web-a"), "{stdout}");
    assert!(
        stdout.contains(&url.replacen("http://", "http://***@", 1)),
        "{stdout}"
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("s3cret") && !text.contains("admin"),
            "{text}"
        );
    }
    let out = run(&["probe", &with_password, "-n", "2", "-c", "1", "--json"]);
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(!json.contains("s3cret"), "{json}");

    let out = run(&["probe", "http://admin:s3cret@[not-an-address/inst"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("http://***@[not-an-address/inst"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

/// Standard output that refuses every write: a message and exit 1, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error_not_a_panic() {
    let url = serve(|_| ok(Some("web-a"), ""));
    support::assert_write_failure_reported(&["probe", &url, "-n", "2"], &[]);
    support::assert_write_failure_reported(&["probe", &url, "-n", "2", "--json"], &[]);
}

/// A server that keeps connections open (HTTP/1.1's default) and answers every request
/// on them with `answer(request)`; it counts the connections, and keeps each request.
fn serve_kept(
    answer: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    let answer = Arc::new(answer);
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counted, kept) = (connections.clone(), requests.clone());
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::Relaxed);
            let (answer, kept) = (answer.clone(), kept.clone());
            thread::spawn(move || {
                let mut pending = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        let request = String::from_utf8_lossy(&pending[..end + 4]).into_owned();
                        pending.drain(..end + 4);
                        let close = request.to_ascii_lowercase().contains("connection: close");
                        if stream.write_all(answer(&request).as_bytes()).is_err() {
                            return;
                        }
                        kept.lock().expect("requests").push(request);
                        if close {
                            return;
                        }
                    }
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => pending.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (
        format!("http://{address}/inst?from=test"),
        connections,
        requests,
    )
}

/// `--keep-alive` sends every request of a worker on one connection, the body read
/// to its end so that the connection can go on, the id from the header or else the
/// body; without it, each request has a connection of its own and asks to close it,
/// and is otherwise the same request. Every request names the host and port, and the
/// path with its query.
#[test]
fn keep_alive_reuses_connections_and_every_request_names_its_host() {
    let with_header = |_: &str| {
        "HTTP/1.1 200 OK\r\nx-instance-id: web-a\r\ncontent-length: 15\r\n\r\nnot the id, ok\n"
            .to_owned()
    };
    let (url, connections, requests) = serve_kept(with_header);
    let report = json(&url, &["-n", "40", "-c", "2", "--keep-alive"]);
    assert_eq!(report["instances"][0]["count"], 40, "{report}");
    assert_eq!(report["instances"][0]["id"], "web-a", "{report}");
    assert!(connections.load(Ordering::Relaxed) <= 2, "{report}");
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .expect("a port");
    let kept_request = requests.lock().expect("requests")[0].clone();
    for request in requests.lock().expect("requests").iter() {
        let lower = request.to_ascii_lowercase();
        assert!(
            request.starts_with("GET /inst?from=test HTTP/1.1\r\n"),
            "{request}"
        );
        assert!(
            lower.contains(&format!("\r\nhost: 127.0.0.1:{port}\r\n")),
            "{request}"
        );
        assert!(!lower.contains("connection: close"), "{request}");
    }

    let in_body = |_: &str| "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nweb-b\n".to_owned();
    let (url, connections, _) = serve_kept(in_body);
    let report = json(
        &url,
        &["-n", "30", "-c", "3", "--keep-alive", "--users", "3"],
    );
    assert_eq!(report["instances"][0]["id"], "web-b", "{report}");
    assert_eq!(report["instances"][0]["count"], 30, "{report}");
    assert!(connections.load(Ordering::Relaxed) <= 3, "{report}");

    let (url, connections, requests) = serve_kept(with_header);
    let report = json(&url, &["-n", "12", "-c", "2"]);
    assert_eq!(report["instances"][0]["count"], 12, "{report}");
    assert_eq!(connections.load(Ordering::Relaxed), 12, "{report}");
    let requests = requests.lock().expect("requests");
    assert!(
        requests
            .iter()
            .all(|r| r.to_ascii_lowercase().contains("\r\nconnection: close\r\n")),
        "{requests:?}"
    );
    // The request a connection of its own carries (written without hyper) is the one
    // hyper writes on a kept connection, but for asking to close.
    let this_port = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .expect("a port");
    for request in requests.iter() {
        assert_eq!(
            request.replace("connection: close\r\n", ""),
            kept_request.replace(port, this_port)
        );
    }
}

/// A virtual user's cookie goes out in the same place whether its request has a
/// connection of its own (written without hyper) or a kept one (written by hyper).
#[test]
fn a_users_cookie_is_sent_alike_on_both_paths() {
    let sets_cookie = |_: &str| {
        "HTTP/1.1 200 OK\r\nx-instance-id: web-a\r\nset-cookie: session=s1; Path=/\r\ncontent-length: 0\r\n\r\n"
            .to_owned()
    };
    let mut seen = Vec::new();
    for mode in [&[][..], &["--keep-alive"][..]] {
        let (url, _, requests) = serve_kept(sets_cookie);
        let mut args = vec!["-n", "3", "-c", "1", "--users", "1"];
        args.extend(mode);
        let report = json(&url, &args);
        assert_eq!(report["instances"][0]["count"], 3, "{report}");
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .expect("a port")
            .to_owned();
        let requests = requests.lock().expect("requests");
        let last = requests.last().expect("a request");
        assert!(
            last.ends_with("\r\ncookie: session=s1\r\n\r\n"),
            "{args:?}: {last}"
        );
        seen.push(
            last.replace("connection: close\r\n", "")
                .replace(&port, "PORT"),
        );
    }
    assert_eq!(seen[0], seen[1]);
}

/// A kept connection that the server closes after each answer without saying so: a
/// request that finds it closed before it was written goes on a new connection; one
/// written as the close came (the keep-alive race) is a failure, or with `--retry` is
/// sent once more and counted. None waits for its timeout.
#[test]
fn a_kept_connection_closed_by_the_server_is_replaced() {
    let url = serve(|_| {
        "HTTP/1.1 200 OK\r\nx-instance-id: web-a\r\ncontent-length: 0\r\n\r\n".to_owned()
    });
    let args = [
        "-n",
        "40",
        "-c",
        "1",
        "--keep-alive",
        "--timeout-ms",
        "3000",
    ];
    let report = json(&url, &[&args[..], &["--retry"]].concat());
    assert_eq!(report["requests"], 40, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["instances"][0]["count"], 40, "{report}");
    let report = json(&url, &args);
    assert_eq!(report["requests"], 40, "{report}");
    assert_eq!(report["retried"], 0, "{report}");
    let (answered, errors) = (
        report["instances"][0]["count"].as_u64(),
        report["errors"].as_u64(),
    );
    assert_eq!(
        answered.zip(errors).map(|(a, e)| a + e),
        Some(40),
        "{report}"
    );
    assert!(
        report["error_kinds"]
            .as_object()
            .is_none_or(|kinds| kinds.keys().all(|k| k.starts_with("connection"))),
        "{report}"
    );
}

/// Ctrl-C (SIGINT) or SIGTERM during `--duration` ends the run with its report: the
/// seconds it had, every answer in them, and how long it ran. The signal is sent once
/// the server has answered 50 requests, an event, not a time.
#[cfg(unix)]
#[test]
fn an_interrupt_ends_the_run_with_its_report() {
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let (answered, fifty) = mpsc::channel();
        let answered = std::sync::Mutex::new(answered);
        let url = serve(move |n| {
            if n == 50 {
                if let Ok(answered) = answered.lock() {
                    let _ = answered.send(());
                }
            }
            ok(Some("web-a"), "")
        });
        let child = Command::new(env!("CARGO_BIN_EXE_instance-id"))
            .args(["probe", &url, "--duration", "10m", "-c", "2", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("probe starts");
        fifty
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the probe's requests arrive");
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        // SAFETY: kill(2) on the child this test spawned and has not yet waited for.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill");
        let out = child.wait_with_output().expect("probe ends");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let after = report["interrupted_after_s"]
            .as_f64()
            .expect("interrupted_after_s");
        let timeline = report["timeline"].as_array().expect("a timeline");
        // The seconds begun before it ended (`after` is rounded to a tenth).
        let seconds = timeline.len() as f64;
        assert!(
            seconds >= after - 0.05 && seconds <= after + 1.05,
            "{report}"
        );
        let counted: u64 = timeline
            .iter()
            .flat_map(|s| s["instances"].as_object().expect("instances").values())
            .filter_map(serde_json::Value::as_u64)
            .sum();
        assert!(counted >= 50, "{report}");
        assert_eq!(Some(counted), report["requests"].as_u64(), "{report}");
    }
}

/// A connection for one request reads the answer without hyper
/// (`src/probe/client/once.rs`); kept connections read it with hyper. Each way a body
/// can be framed, and each way it can be broken, comes out the same on both. Every
/// answer says `connection: close`, so that no kept connection races the server's
/// close.
#[test]
fn every_framing_reads_alike_with_and_without_keep_alive() {
    // A head that never ends, longer than hyper's bound on a head: read that far, no
    // further.
    let endless: &'static str = format!(
        "HTTP/1.1 200 OK\r\nconnection: close\r\nx-filler: {}",
        "a".repeat(500_000)
    )
    .leak();
    let cases: [(&str, &'static str, Result<&str, &str>); 14] = [
        ("a head past the bound", endless, Err("malformed answer")),
        (
            "a size line without a size",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n6\r\nweb-i\n\r\n\r\n",
            Err("broken body"),
        ),
        (
            "the last chunk without its end",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n6\r\nweb-j\n\r\n0\r\n",
            Err("broken body"),
        ),
        (
            // The last line of the coding counts: this body is read as it came.
            "chunked, then another coding",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\ntransfer-encoding: gzip\r\n\r\nweb-k\r\n",
            Ok("web-k"),
        ),
        (
            "a length that is not one beside a coding",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: x\r\ntransfer-encoding: chunked\r\n\r\n6\r\nweb-l\n\r\n0\r\n\r\n",
            Ok("web-l"),
        ),
        (
            "HTTP/1.0 with a coding",
            "HTTP/1.0 200 OK\r\nx-instance-id: web-m\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
            Err("malformed answer"),
        ),
        (
            "chunked",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n3\r\nweb\r\n3\r\n-a\n\r\n0\r\n\r\n",
            Ok("web-a"),
        ),
        ("until the server closes", "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nweb-b\n", Ok("web-b")),
        (
            "after an informational answer",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 6\r\n\r\nweb-c\n",
            Ok("web-c"),
        ),
        (
            "a header that is not text",
            "HTTP/1.1 200 OK\r\nconnection: close\r\nx-instance-id: wéb\r\ncontent-length: 6\r\n\r\nweb-d\n",
            Ok("web-d"),
        ),
        (
            "a body cut short",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 50\r\n\r\nweb-e",
            Err("broken body"),
        ),
        (
            "chunks that do not parse",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nweb-f\r\n",
            Err("broken body"),
        ),
        (
            "two lengths",
            "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 6\r\ncontent-length: 7\r\n\r\nweb-g\n",
            Err("malformed answer"),
        ),
        (
            "a status below 100",
            "HTTP/1.1 099 Odd\r\nconnection: close\r\ncontent-length: 6\r\n\r\nweb-h\n",
            Err("malformed answer"),
        ),
    ];
    for (name, answer, expected) in cases {
        let url = serve(move |_| answer.to_owned());
        for mode in [&[][..], &["--keep-alive"][..]] {
            let mut args = vec!["-n", "6", "-c", "2"];
            args.extend(mode);
            let report = json(&url, &args);
            let case = format!("{name}, {args:?}: {report}");
            match expected {
                Ok(id) => {
                    assert_eq!(report["instances"][0]["id"], id, "{case}");
                    assert_eq!(report["instances"][0]["count"], 6, "{case}");
                    assert_eq!(report["errors"], 0, "{case}");
                }
                Err(kind) => {
                    assert_eq!(report["errors"], 6, "{case}");
                    assert_eq!(report["error_kinds"][kind], 6, "{case}");
                }
            }
        }
    }
}
