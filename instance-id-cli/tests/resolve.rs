//! `instance-id resolve` against daemons it cannot trust: a `DOCKER_HOST` it cannot
//! use is an error naming it, never the local socket instead; a fake daemon on
//! 127.0.0.1 that answers short ids, control codes in names and images, exited
//! containers and broken JSON never makes it panic, and its words reach the terminal
//! escaped. (The real daemon is in the workspace's `tests/e2e.rs`.)

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::run_with_env;

const ID: &str = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";

/// A fake Docker Engine API on a fresh port: the container list and one container's
/// inspection, as `list` and `inspect` give them. Returns `tcp://127.0.0.1:PORT`.
fn fake_daemon(list: &'static str, inspect: &'static str) -> String {
    raw_daemon(move |path, mut stream| {
        let body = if path.contains("/containers/json") {
            list
        } else {
            inspect
        };
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    })
}

#[test]
fn a_docker_host_it_cannot_use_is_named() {
    for (host, says) in [
        (
            "ssh://admin@build-host",
            "expected unix://PATH, tcp://HOST:PORT or npipe://",
        ),
        ("npipe:////./pipe/docker_engine", "Windows named pipe"),
        (
            "unix:///nonexistent/docker.sock",
            "/nonexistent/docker.sock",
        ),
        ("docker.example", "expected unix://PATH"),
    ] {
        let out = run_with_env(&["resolve", ID], &[("DOCKER_HOST", host)]);
        assert_eq!(out.status.code(), Some(2), "{host}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("DOCKER_HOST={host:?}")),
            "{host}: {stderr}"
        );
        assert!(stderr.contains(says), "{host}: {stderr}");
    }
    let out = run_with_env(
        &["resolve", ID],
        &[
            ("DOCKER_HOST", "tcp://127.0.0.1:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DOCKER_TLS_VERIFY"));
}

#[test]
fn a_hostile_daemon_is_escaped_and_never_panics() {
    // A short id, and a container whose name and image carry terminal control codes.
    let list: &'static str = Box::leak(
        format!(r#"[{{"Id":"abc"}},{{"Id":"{ID}","Names":["/x\u001b]0;pwned\u0007"]}},{{}}]"#)
            .into_boxed_str(),
    );
    let inspect: &'static str = Box::leak(
        format!(
            r#"{{"Id":"{ID}","Name":"/shop\u001b[2J-web","Config":{{"Image":"img\u001b[31m:1"}},"State":{{"Status":"exited","Running":false,"StartedAt":"2026-11-25T07:48:53Z","FinishedAt":"2026-11-25T08:02:11Z"}}}}"#
        )
        .into_boxed_str(),
    );
    let host = fake_daemon(list, inspect);
    let out = run_with_env(&["resolve", &ID[..12]], &[("DOCKER_HOST", &host)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stdout.contains("shop\\x1b[2J-web"), "{stdout}");
    assert!(stdout.contains("img\\x1b[31m:1"), "{stdout}");
    assert!(stdout.contains("state:   exited"), "{stdout}");
    assert!(stdout.contains("exited:  2026-11-25T08:02:11Z"), "{stdout}");
    // A name a shell could misread is not put on the command line: the short id is.
    assert!(
        stdout.contains("next: docker logs --since 15m 5c2d33d962d8"),
        "{stdout}"
    );

    // The id shorter than 12 characters matches in full, and nothing panics on it.
    let short_inspect = r#"{"Id":"abc","State":{"Status":"running","Running":true}}"#;
    let host = fake_daemon(list, short_inspect);
    let out = run_with_env(&["resolve", "abc"], &[("DOCKER_HOST", &host)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("next: docker logs --since 15m abc"),
        "{stdout}"
    );

    // Not JSON at all: a clear error, exit 1.
    let host = fake_daemon("<html>not a daemon</html>", "");
    let out = run_with_env(&["resolve", ID], &[("DOCKER_HOST", &host)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot list the containers"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A daemon on a fresh port whose every connection is handed, with the request's path,
/// to `answer`, which writes what it likes. Returns `tcp://127.0.0.1:PORT`.
fn raw_daemon(answer: impl Fn(&str, TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    let answer = Arc::new(answer);
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let answer = answer.clone();
            thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request).into_owned();
                let path = line.split_whitespace().nth(1).unwrap_or("");
                answer(path, stream);
            });
        }
    });
    format!("tcp://{address}")
}

/// A container list without end, written until the reader goes away (or 1 GiB, so
/// that the server stops by itself): `resolve` refuses it at its limit, 64 MiB, and
/// says so, instead of reading it all. The bytes the server managed to send show that
/// the reader stopped near the limit.
#[test]
fn an_endless_container_list_is_refused_at_the_size_limit() {
    const GIB: usize = 1 << 30;
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let host = raw_daemon(move |_, mut stream| {
        let entry = format!(r#"{{"Id":"{ID}","Names":["/padding"]}},"#).repeat(256);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[",
        );
        while counter.load(Ordering::Relaxed) < GIB {
            match stream.write_all(entry.as_bytes()) {
                Ok(()) => counter.fetch_add(entry.len(), Ordering::Relaxed),
                Err(_) => return,
            };
        }
    });
    let out = run_with_env(&["resolve", &ID[..12]], &[("DOCKER_HOST", &host)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "cannot list the containers: the daemon's answer is larger than 64 MiB, the most read of the container list"
        ),
        "{stderr}"
    );
    // Whatever the socket buffers held when the reader left, far below the 1 GiB on
    // offer.
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 256 << 20, "{sent} bytes sent");

    // A declared length over the limit is refused before the body is read.
    let declared = raw_daemon(|_, mut stream| {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400000000\r\n\r\n["
        );
        thread::sleep(Duration::from_secs(30));
    });
    let out = run_with_env(&["resolve", &ID[..12]], &[("DOCKER_HOST", &declared)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
}

/// A daemon that trickles its answer, a byte every 50 ms, never idle long enough for a
/// per-read timeout: the deadline covers the whole exchange, and the error names it.
#[test]
fn a_trickling_daemon_meets_the_deadline() {
    let host = raw_daemon(|_, mut stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[",
        );
        // 60 s at most, then the server stops by itself.
        for _ in 0..1200 {
            if stream.write_all(b" ").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let start = Instant::now();
    let out = run_with_env(
        &["resolve", &ID[..12], "--timeout-ms", "1000"],
        &[("DOCKER_HOST", &host)],
    );
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "cannot list the containers: the daemon did not answer in full within 1s (--timeout-ms 1000)"
        ),
        "{stderr}"
    );
    // The deadline cannot pass before its time.
    assert!(took >= Duration::from_secs(1), "{took:?}");
}

/// Invisible and direction-changing characters in a daemon's names reach the terminal
/// escaped, and a name that would be read as an option never reaches the `docker logs`
/// line.
#[test]
fn invisible_characters_and_option_names_are_defused() {
    let list: &'static str = Box::leak(format!(r#"[{{"Id":"{ID}"}}]"#).into_boxed_str());
    let inspect: &'static str = Box::leak(
        format!(
            r#"{{"Id":"{ID}","Name":"/--help\u200b\u200f\u061c\u2028x","Config":{{"Image":"shop\u00a0\u202e:1"}},"State":{{"Status":"running","Running":true}}}}"#
        )
        .into_boxed_str(),
    );
    let host = fake_daemon(list, inspect);
    let out = run_with_env(&["resolve", ID], &[("DOCKER_HOST", &host)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for c in [
        '\u{200b}', '\u{200f}', '\u{61c}', '\u{2028}', '\u{a0}', '\u{202e}',
    ] {
        assert!(!stdout.contains(c), "{c:?} in {stdout:?}");
    }
    assert!(
        stdout
            .contains("container --help\\u{200b}\\u{200f}\\u{61c}\\u{2028}x (matched the full id)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("image:   shop\\u{a0}\\u{202e}:1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("next: docker logs --since 15m 5c2d33d962d8\n"),
        "{stdout}"
    );

    // A plain name that starts with a dash: still the id, never an option.
    let inspect: &'static str = Box::leak(
        format!(r#"{{"Id":"{ID}","Name":"/-f","State":{{"Status":"running","Running":true}}}}"#)
            .into_boxed_str(),
    );
    let host = fake_daemon(list, inspect);
    let out = run_with_env(&["resolve", ID], &[("DOCKER_HOST", &host)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("next: docker logs --since 15m 5c2d33d962d8\n"),
        "{stdout}"
    );
}

/// Standard output that refuses every write: a message and exit 1, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error_not_a_panic() {
    let list: &'static str = Box::leak(format!(r#"[{{"Id":"{ID}"}}]"#).into_boxed_str());
    let inspect: &'static str = Box::leak(
        format!(r#"{{"Id":"{ID}","Name":"/shop-web-1","State":{{"Status":"running"}}}}"#)
            .into_boxed_str(),
    );
    let host = fake_daemon(list, inspect);
    support::assert_write_failure_reported(&["resolve", ID], &[("DOCKER_HOST", &host)]);
}

/// The forms an id reaches an operator in: a runtime's prefix (`docker://`, as a pod's
/// status writes it), a prefix longer than the short id, the service.instance.id of a
/// trace; and `--format json` for scripts.
#[test]
fn every_form_resolves_and_json_carries_the_report() {
    let list: &'static str =
        Box::leak(format!(r#"[{{"Id":"{ID}"}},{{"Id":"{}"}}]"#, "a".repeat(64)).into_boxed_str());
    let inspect: &'static str = Box::leak(
        format!(
            r#"{{"Id":"{ID}","Name":"/shop-web-2","Config":{{"Image":"shop:demo"}},"State":{{"Status":"exited","Running":false,"StartedAt":"2026-11-25T07:48:53Z","FinishedAt":"2026-11-25T08:02:11Z"}}}}"#
        )
        .into_boxed_str(),
    );
    let host = fake_daemon(list, inspect);
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);
    let otel = uuid::Uuid::new_v5(&NAMESPACE, ID.as_bytes()).to_string();
    for (pasted, matched) in [
        (format!("docker://{ID}"), "the full id"),
        (ID[..20].to_owned(), "the first 20 characters of the id"),
        (otel, "the service.instance.id of the id"),
    ] {
        let out = run_with_env(&["resolve", &pasted], &[("DOCKER_HOST", &host)]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{pasted}: {stdout}");
        assert!(
            stdout.starts_with(&format!("container shop-web-2 (matched {matched})\n")),
            "{pasted}: {stdout}"
        );
    }
    let out = run_with_env(
        &["resolve", &ID[..12], "--format", "json"],
        &[("DOCKER_HOST", &host)],
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report,
        serde_json::json!({
            "id": ID, "name": "shop-web-2", "image": "shop:demo", "state": "exited",
            "started_at": "2026-11-25T07:48:53Z", "finished_at": "2026-11-25T08:02:11Z",
            "logs": "docker logs --since 15m shop-web-2"
        })
    );
}
