//! The identity page in a real browser: headless Chromium against the launched
//! `hello` example. The rendered page must show the id the text route gives, and its
//! script must have run under the route's strict Content-Security-Policy. A screenshot
//! is kept at `target/browser/inst.png`.
//!
//! `cargo test --features e2e --test browser` (needs Debian's `chromium`; `.ci/run`
//! installs it). Without a browser it fails, it never skips.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::launch_hello;

/// Headless Chromium with the flags this closed network needs, a fresh profile each time.
fn chromium(profile: &Path, args: &[&str]) -> Output {
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| {
            panic!("chromium is not installed (apt-get install chromium; .ci/run does): {err}")
        });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_page_shows_the_id_in_a_real_browser() {
    let (_server, port) = launch_hello();
    let url = format!("http://127.0.0.1:{port}/inst");
    let text_id = ureq::get(&url)
        .header("Accept", "text/plain")
        .call()
        .expect("the text route answers")
        .body_mut()
        .read_to_string()
        .expect("a body")
        .trim()
        .to_owned();

    let profiles = tempfile::tempdir().expect("a temporary directory");
    let dom = chromium(&profiles.path().join("dom"), &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains(&format!("<code id=\"id\">{text_id}</code>")),
        "the page does not show {text_id}:\n{dom}"
    );
    // The script ran despite the strict CSP: it marks the page ready and enables Copy.
    assert!(
        dom.contains("<body data-ready=\"1\">"),
        "the script did not run:\n{dom}"
    );
    assert!(
        dom.contains("<button id=\"copy\" type=\"button\">"),
        "{dom}"
    );

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&shots).expect("mkdir target/browser");
    let shot = shots.join("inst.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &profiles.path().join("shot"),
        &[
            "--window-size=1000,640",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "not a real screenshot"
    );
    println!("screenshot: {}", shot.display());
}
