//! What the end-to-end suites share: tools that must be there, static builds of the
//! example and the command, an image `FROM scratch`, and the probes and waits of a run
//! against real containers.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs a command to its end; a failure is a test failure that shows what it said.
pub fn run(program: &str, args: &[&str]) -> Output {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {program}: {err}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Docker and HAProxy must be here: a missing tool fails the suite loudly.
pub fn require_tools() {
    let docker = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    match docker {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "the Docker daemon does not answer (start dockerd; .ci/run does):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => {
            panic!("docker is not installed (apt-get install docker.io; .ci/run does): {err}")
        }
    }
    if let Err(err) = Command::new("haproxy").arg("-v").output() {
        panic!("haproxy is not installed (apt-get install haproxy; .ci/run does): {err}");
    }
}

/// The static release builds a suite runs: the three examples and the command.
pub struct Builds {
    /// `examples/hello.rs`, the Rocket app.
    pub hello: PathBuf,
    /// `examples/hello_axum.rs`, the same app on Axum.
    pub hello_axum: PathBuf,
    /// `examples/hello_actix.rs`, the same app on actix-web.
    pub hello_actix: PathBuf,
    /// The `instance-id` command.
    pub cli: PathBuf,
}

/// Static release builds of the examples and of the CLI, in their own target dir (a
/// nested cargo must not wait on the lock of the `cargo test` that runs this).
pub fn build_static() -> Builds {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let host = stdout(&run("rustc", &["-vV"]))
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host");
    let target_dir = root.join("target/e2e");
    for (package, targets) in [
        (
            "instance-id-workspace",
            &[
                "--example",
                "hello",
                "--example",
                "hello_axum",
                "--example",
                "hello_actix",
            ][..],
        ),
        // Without the Kubernetes client: these suites ask Docker only, and a release
        // build of kube would add minutes to every run.
        (
            "instance-id-cli",
            &["--bin", "instance-id", "--no-default-features"][..],
        ),
    ] {
        let mut command = Command::new(&cargo);
        command
            .current_dir(root)
            // An explicit --target keeps the static flag off the proc macros, built for
            // the host as usual.
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            .env("CARGO_TARGET_DIR", &target_dir)
            .args(["build", "--release", "--target", &host, "-p", package])
            .args(targets);
        let status = command.status().expect("cargo runs");
        assert!(
            status.success(),
            "the static build of {package} {targets:?} failed"
        );
    }
    let release = target_dir.join(&host).join("release");
    Builds {
        hello: release.join("examples/hello"),
        hello_axum: release.join("examples/hello_axum"),
        hello_actix: release.join("examples/hello_actix"),
        cli: release.join("instance-id"),
    }
}

/// A port free on 127.0.0.1, 127.0.0.2 and 127.0.0.3: the copies' addresses.
pub fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        if ["127.0.0.2", "127.0.0.3"]
            .iter()
            .all(|address| TcpListener::bind((*address, port)).is_ok())
        {
            return port;
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .new_agent()
}

/// One GET: status, every header as `name: value` lines, and the body.
pub fn get(url: &str, accept: &str) -> Result<(u16, String, String), ureq::Error> {
    let response = agent().get(url).header("Accept", accept).call()?;
    read_response(response)
}

/// One HEAD, read as [`get`] reads a GET: the body must come back empty.
pub fn head(url: &str) -> Result<(u16, String, String), ureq::Error> {
    read_response(agent().head(url).call()?)
}

/// One POST with no body, for a route that answers GET only.
pub fn post(url: &str) -> Result<(u16, String, String), ureq::Error> {
    read_response(agent().post(url).send_empty()?)
}

fn read_response(
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<(u16, String, String), ureq::Error> {
    let mut headers = String::new();
    for (name, value) in response.headers() {
        headers.push_str(&format!(
            "{name}: {}\n",
            value.to_str().unwrap_or("<binary>")
        ));
    }
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    Ok((status, headers, body))
}

pub fn header_value<'a>(headers: &'a str, name: &str) -> Option<&'a str> {
    headers.lines().find_map(|line| {
        let (n, v) = line.split_once(": ")?;
        n.eq_ignore_ascii_case(name).then_some(v)
    })
}

pub fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `instance-id probe --json`, parsed.
pub fn probe(cli: &Path, url: &str, n: u32) -> serde_json::Value {
    probe_with(cli, url, &["-n", &n.to_string(), "-c", "8"])
}

/// `instance-id probe URL ARGS… --json`, parsed.
pub fn probe_with(cli: &Path, url: &str, args: &[&str]) -> serde_json::Value {
    let output = Command::new(cli)
        .args(["probe", url, "--json"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("instance-id probe runs");
    parse_report(&output)
}

/// A probe's JSON report, or a failure that shows what it said instead.
pub fn parse_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "probe did not print JSON ({err}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn ids_of(report: &serde_json::Value) -> BTreeSet<String> {
    report["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// An image `FROM scratch` with the static examples at `/hello` (its entry point),
/// `/hello_axum` and `/hello_actix`: no base image, no registry. Returns its name.
pub fn import_image(dir: &Path, builds: &Builds, tag: &str) -> String {
    let image_dir = dir.join("image");
    std::fs::create_dir_all(&image_dir).expect("mkdir");
    std::fs::copy(&builds.hello, image_dir.join("hello")).expect("copy the Rocket example");
    std::fs::copy(&builds.hello_axum, image_dir.join("hello_axum")).expect("copy the Axum example");
    std::fs::copy(&builds.hello_actix, image_dir.join("hello_actix"))
        .expect("copy the actix-web example");
    let tarball = dir.join("image.tar");
    run(
        "tar",
        &[
            "-C",
            path(&image_dir),
            "-cf",
            path(&tarball),
            "hello",
            "hello_axum",
            "hello_actix",
        ],
    );
    let image = format!("{tag}:latest");
    run(
        "docker",
        &[
            "import",
            "--change",
            r#"ENTRYPOINT ["/hello"]"#,
            path(&tarball),
            &image,
        ],
    );
    image
}
