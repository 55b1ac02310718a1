//! The README's example, two ways: its `rocket()` under Rocket's local client, and the
//! launched `hello` binary over real HTTP. They must behave the same.

#[allow(dead_code)] // #[launch] also writes a `main` there, unused in a test
#[path = "../examples/hello.rs"]
mod hello;

mod support;

use std::time::Duration;

use rocket::local::blocking::Client;

/// What a response says that must agree between the two.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    content_type: Option<String>,
    cache_control: Option<String>,
    header_is_body_id: bool,
    json_keys: Option<Vec<String>>,
    source: Option<String>,
}

fn seen(
    status: u16,
    content_type: Option<&str>,
    cache: Option<&str>,
    header: Option<&str>,
    body: &str,
) -> Seen {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let body_id = match &json {
        Some(json) => json["id"].as_str().map(str::to_owned),
        None => Some(body.trim_end().to_owned()),
    };
    Seen {
        status,
        content_type: content_type.map(str::to_owned),
        cache_control: cache.map(str::to_owned),
        header_is_body_id: status != 200 || header.map(str::to_owned) == body_id,
        json_keys: json
            .as_ref()
            .and_then(|j| j.as_object())
            .map(|o| o.keys().cloned().collect()),
        source: json
            .as_ref()
            .and_then(|j| j["source"].as_str().map(str::to_owned)),
    }
}

const REQUESTS: [(&str, &str); 4] = [
    ("/inst", "*/*"),
    ("/inst", "application/json"),
    ("/", "*/*"),
    ("/nowhere", "*/*"),
];

#[test]
fn local_client_and_launched_server_agree() {
    let client = Client::tracked(hello::rocket()).expect("the example's rocket() launches");
    let (server, port) = support::launch_hello();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();

    let mut ids = Vec::new();
    for (path, accept) in REQUESTS {
        let local = client
            .get(path)
            .header(rocket::http::Header::new("Accept", accept))
            .dispatch();
        let local_header = local.headers().get_one("X-Instance-Id").map(str::to_owned);
        let local_type = local.headers().get_one("Content-Type").map(str::to_owned);
        let local_cache = local.headers().get_one("Cache-Control").map(str::to_owned);
        let local_status = local.status().code;
        let local_seen = seen(
            local_status,
            local_type.as_deref(),
            local_cache.as_deref(),
            local_header.as_deref(),
            &local.into_string().unwrap_or_default(),
        );

        let mut remote = agent
            .get(&format!("http://127.0.0.1:{port}{path}"))
            .header("Accept", accept)
            .call()
            .expect("the server answers");
        let header = |name: &str| {
            remote
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (content_type, cache, remote_header) = (
            header("Content-Type"),
            header("Cache-Control"),
            header("X-Instance-Id"),
        );
        let status = remote.status().as_u16();
        let body = remote.body_mut().read_to_string().expect("a body");
        let remote_seen = seen(
            status,
            content_type.as_deref(),
            cache.as_deref(),
            remote_header.as_deref(),
            &body,
        );

        assert_eq!(local_seen, remote_seen, "GET {path} (Accept: {accept})");
        assert!(
            local_header.is_some() && remote_header.is_some(),
            "GET {path}: no X-Instance-Id"
        );
        ids.push((local_header, remote_header));
    }

    // On a host the default chain ends in `process` (`<host>-<pid>`): the two differ by
    // pid, and the server's names the server's own process.
    let (local_id, remote_id) = ids.pop().expect("responses");
    let (local_id, remote_id) = (local_id.unwrap_or_default(), remote_id.unwrap_or_default());
    let pid = server.0.id();
    if local_id.ends_with(&format!("-{}", std::process::id())) {
        assert!(
            remote_id.ends_with(&format!("-{pid}")),
            "{remote_id} is not the server's process {pid}"
        );
    } else {
        assert_eq!(local_id, remote_id);
    }
}

/// Rocket answers a method it cannot route with its 400 catcher and no response
/// fairing; the catcher the fairing registers names the instance there too.
#[test]
fn requests_rocket_cannot_read_carry_the_header() {
    use std::io::{Read, Write};

    let (_server, port) = support::launch_hello();
    for request in [
        "PROPFIND / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n".to_owned(),
        "BREW /inst HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n".to_owned(),
        format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    ] {
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        stream.write_all(request.as_bytes()).expect("sent");
        let mut answer = Vec::new();
        // Connection: close, or a read timeout: either way the head has arrived.
        let _ = stream.take(64 * 1024).read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        let method = request.split(' ').next().unwrap_or_default();
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{method}: {answer}"
        );
        assert!(
            answer.to_ascii_lowercase().contains("\r\nx-instance-id: "),
            "{method}: no X-Instance-Id in {answer}"
        );
        support::assert_no_address(&answer, &[port]);
    }
}
