//! What the workspace's tests share.

#![allow(dead_code)] // each test file uses its own part

#[cfg(feature = "e2e")]
pub mod lab;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A launched example, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The example `name`, built by `cargo test` beside the test's executable.
fn example_bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/debug")
        .join("examples")
        .join(name);
    assert!(
        bin.is_file(),
        "{} is missing: cargo test builds examples",
        bin.display()
    );
    bin
}

/// Launches the `hello` example (built by `cargo test` beside the test's executable)
/// on a free port of 127.0.0.1 and waits until it listens.
pub fn launch_hello() -> (Server, u16) {
    let bin = example_bin("hello");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = Server(
        Command::new(bin)
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_LOG_LEVEL", "critical")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the example starts"),
    );
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the example did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

/// Fails if `text` (headers and body of a response) holds an IPv4 address, dotted
/// or in the dashed and underscored forms that host names carry (`ip-10-0-3-17`), a
/// loopback name with a port, or any of `ports` after a colon: the copies' addresses
/// are what instance-id exists to keep from users.
pub fn assert_no_address(text: &str, ports: &[u16]) {
    let is_separator = |c: char| matches!(c, '.' | '-' | '_');
    let quad = text
        .split(|c: char| !(c.is_ascii_digit() || is_separator(c)))
        .find(|token| {
            let parts: Vec<&str> = token.split(is_separator).collect();
            parts.windows(4).any(|four| {
                four.iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
            })
        });
    assert!(quad.is_none(), "an IPv4 address ({quad:?}) in:\n{text}");
    assert!(!text.contains("localhost:"), "a host and port in:\n{text}");
    for port in ports {
        assert!(
            !text.contains(&format!(":{port}")),
            "port {port} in:\n{text}"
        );
    }
}

/// Launches an example that listens on `$PORT` (here 0: the system chooses) and
/// prints `listening on http://ADDRESS` first; returns it with the port it bound.
pub fn launch_announced(example: &str) -> (Server, u16) {
    launch_announced_with(example, &[])
}

/// [`launch_announced`] with more environment: `bare_axum`'s `INSTANCE_ID`.
pub fn launch_announced_with(example: &str, env: &[(&str, &str)]) -> (Server, u16) {
    use std::io::{BufRead, BufReader};
    let mut env = env.to_vec();
    env.push(("PORT", "0"));
    let (server, stdout) = start_piped(example, &env);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the example's first line");
    let port = line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("{example} did not say where it listens: {line:?}"));
    (server, port)
}

/// One response, as any framework's test client gives it: what the shared checks
/// below read.
pub struct Answer {
    pub status: u16,
    /// Names in lower case, in the order the response has them.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the header `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Status line, headers and body as text, for the address check.
    pub fn text(&self) -> String {
        let mut text = format!("{}\n", self.status);
        for (name, value) in &self.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        text + &self.body
    }
}

/// What every adapter's identity route answers, in its three forms and its 406: the
/// id as text, the JSON and its keys, the page under its CSP, each with `no-store`
/// and the header. `id` is the exposed id, `source` the strategy that decided.
pub fn assert_identity_forms(
    id: &str,
    source: &str,
    text: &Answer,
    json: &Answer,
    page: &Answer,
    refused: &Answer,
) {
    assert_eq!(text.status, 200);
    assert_eq!(text.body, format!("{id}\n"));
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    for answer in [text, json, page, refused] {
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(answer.all("x-instance-id"), [id]);
    }

    assert_eq!(json.header("content-type"), Some("application/json"));
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(value["id"], id);
    assert_eq!(value["source"], source);
    assert_eq!(value["version"], env!("CARGO_PKG_VERSION"));
    let keys: Vec<&String> = value.as_object().expect("an object").keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "runtime",
            "served",
            "source",
            "started_at",
            "uptime_secs",
            "version"
        ]
    );

    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(page.body.contains(&format!("<code id=\"id\">{id}</code>")));

    assert_eq!(refused.status, 406);
}

/// Launches a Rocket example with `ROCKET_PORT=0` and reads the port from Rocket's
/// own launch line, `Rocket has launched from http://127.0.0.1:PORT`.
pub fn launch_rocket_announced(example: &str) -> (Server, u16) {
    use std::io::{BufRead, BufReader};
    let (server, stdout) = start_piped(
        example,
        &[
            ("ROCKET_ADDRESS", "127.0.0.1"),
            ("ROCKET_PORT", "0"),
            ("INSTANCE_ID", "bench-floor"),
            ("ROCKET_CLI_COLORS", "false"),
        ],
    );
    // Rocket's configuration comes first; the launch line last. A reader thread, so
    // that a Rocket that never launches is a failure, not a hang; it reads on to the
    // end, as Rocket logs every request and fails one whose line it cannot write.
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("{example} printed no launch line"));
        if let Some(port) = line
            .split("Rocket has launched from http://127.0.0.1:")
            .nth(1)
            .and_then(|port| port.trim_end().parse::<u16>().ok())
        {
            return (server, port);
        }
    }
}

/// Starts the example `name` with `env`, its standard output piped to the test.
fn start_piped(name: &str, env: &[(&str, &str)]) -> (Server, std::process::ChildStdout) {
    let mut child = Command::new(example_bin(name))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("a piped stdout");
    (Server(child), stdout)
}
