//! `instance-id resolve` against daemons it cannot trust: a `DOCKER_HOST` it cannot
//! use is an error naming it, never the local socket instead; a fake daemon on
//! 127.0.0.1 that answers short ids, control codes in names and images, exited
//! containers and broken JSON never makes it panic, and its words reach the terminal
//! escaped. (The real daemon is in the workspace's `tests/e2e.rs`.)

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use support::run_with_env;

const ID: &str = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";

/// A fake Docker Engine API on a fresh port: the container list and one container's
/// inspection, as `list` and `inspect` give them. Returns `tcp://127.0.0.1:PORT`.
fn fake_daemon(list: &'static str, inspect: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&request);
                let path = line.split_whitespace().nth(1).unwrap_or("");
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
            });
        }
    });
    format!("tcp://{address}")
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
