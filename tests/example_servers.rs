//! The examples as servers. Each prints the address and port it bound, which with
//! `PORT=0` (`ROCKET_PORT=0`) only the system knew. A slow-loris client, its request's
//! headers a byte a second, is cut off by the Axum examples within their header read
//! timeout: the app and the floor the benchmark measures it against alike.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The examples' header read timeout (`examples/common/serve_axum.rs`).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Scheduling and the last byte's second.
const MARGIN: Duration = Duration::from_secs(3);

/// Sends a request's head one byte a second, forever; returns how long the server
/// kept the connection open, or `None` if it still had it at the bound.
fn slow_loris(port: u16) -> Option<Duration> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the example listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("a read timeout");
    let head = b"GET / HTTP/1.1\r\nHost: example\r\nX-Slow: ";
    let start = Instant::now();
    let mut bytes = head.iter().copied().chain(std::iter::repeat(b'a'));
    while start.elapsed() < HEADER_READ_TIMEOUT + MARGIN {
        let byte = bytes.next().unwrap_or(b'a');
        if stream.write_all(&[byte]).is_err() {
            return Some(start.elapsed());
        }
        // Waits the second out, unless the server closes (0, or a reset) or answers
        // (a 408, also the end).
        let mut buf = [0; 512];
        match stream.read(&mut buf) {
            Ok(_) => return Some(start.elapsed()),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

fn check(example: &str, env: &[(&str, &str)]) {
    let (_server, port) = support::launch_announced_with(example, env);
    // A normal client first: the timeout must not touch it.
    answers(example, port);

    match slow_loris(port) {
        Some(open) => assert!(
            open >= HEADER_READ_TIMEOUT - Duration::from_secs(1),
            "{example} closed the connection after {open:?}, before its timeout"
        ),
        None => panic!(
            "{example} still held a slow-loris connection after {:?}",
            HEADER_READ_TIMEOUT + MARGIN
        ),
    }
}

#[test]
fn hello_axum_closes_a_slow_loris_connection() {
    check("hello_axum", &[]);
}

#[test]
fn bare_axum_closes_a_slow_loris_connection() {
    check("bare_axum", &[("INSTANCE_ID", "bench-floor")]);
}

/// `GET /` on `port` answers 200.
fn answers(example: &str, port: u16) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|err| panic!("{example} does not listen on the port it printed: {err}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
        .expect("a request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{example}: {answer}");
}

#[test]
fn every_example_prints_the_address_it_bound() {
    for (example, env) in [
        ("hello_axum", &[][..]),
        ("bare_axum", &[("INSTANCE_ID", "bench-floor")][..]),
        ("hello_actix", &[][..]),
        ("bare_actix", &[("INSTANCE_ID", "bench-floor")][..]),
    ] {
        let (_server, port) = support::launch_announced_with(example, env);
        answers(example, port);
    }
    // Rocket prints its own launch line, with the port it bound.
    for example in ["hello", "bare"] {
        let (_server, port) = support::launch_rocket_announced(example);
        answers(example, port);
    }
}
