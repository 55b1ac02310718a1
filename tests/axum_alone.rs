//! A user's crate with `instance-id = { default-features = false, features = ["axum"] }`,
//! `axum` and `tokio`: the attribute on `fn app() -> Router` compiles, and nothing of
//! Rocket is in its dependency tree.
//!
//! The crate is written to a temporary directory with this workspace's `Cargo.lock`
//! (so the same versions resolve, offline) and checked in a target directory of its
//! own under `target/` (a nested cargo must not wait on the lock of the `cargo test`
//! that runs this).

use std::path::Path;
use std::process::{Command, Output, Stdio};

const MAIN: &str = r#"use axum::{routing::get, Router};
use instance_id::instance_route;

#[instance_route("/inst", fallback = [kubernetes, process], expose = short)]
fn app() -> Router {
    Router::new().route("/", get(|| async { "hello" }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, app()).await
}
"#;

fn cargo(dir: &Path, args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target/axum-alone"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn an_axum_app_builds_without_rocket() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let library = root.join("instance-id");
    let manifest = format!(
        r#"[package]
name = "axum-user"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
instance-id = {{ path = {library:?}, default-features = false, features = ["axum"] }}
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"] }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net"] }}

[workspace]
"#,
        library = library.to_str().expect("a UTF-8 path"),
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("write Cargo.toml");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir src");
    std::fs::write(dir.path().join("src/main.rs"), MAIN).expect("write main.rs");
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("copy Cargo.lock");

    let tree = cargo(
        dir.path(),
        &[
            "tree",
            "--offline",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ],
    );
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(tree.contains("instance-id v"), "{tree}");
    assert!(tree.contains("axum v0.8"), "{tree}");
    let rocket: Vec<&str> = tree.lines().filter(|l| l.contains("rocket")).collect();
    assert!(rocket.is_empty(), "Rocket in an Axum-only tree: {rocket:?}");

    cargo(dir.path(), &["check", "--offline", "--quiet"]);
}
