//! A user's crate on one framework alone: with `instance-id = { default-features =
//! false, features = ["axum"] }`, `axum` and `tokio`, the attribute on
//! `fn app() -> Router` compiles and nothing of Rocket is in its dependency tree; with
//! `features = ["actix"]` and `actix-web`, the README's actix app compiles and neither
//! Rocket nor Axum is in its tree. And no app, nor the library, builds the command's
//! Kubernetes client.
//!
//! Each crate is written to a temporary directory with this workspace's `Cargo.lock`
//! (so the same versions resolve, offline) and checked in a target directory of its
//! own under `target/` (a nested cargo must not wait on the lock of the `cargo test`
//! that runs this).

use std::path::Path;
use std::process::{Command, Output, Stdio};

const AXUM_MAIN: &str = r#"use axum::{routing::get, Router};
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

const ACTIX_MAIN: &str = r#"use actix_web::{web, App, HttpServer};
use instance_id::{Instance, InstanceConfig};

async fn who(instance: Instance) -> String {
    format!("served by {instance}")
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let instance = InstanceConfig::new("/inst")
        .start()
        .map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        App::new()
            .wrap(instance.middleware())
            .service(instance.service())
            .route("/who", web::get().to(who))
    })
    .bind(("127.0.0.1", 0))?
    .run()
    .await
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

/// Writes the user's crate (its dependencies, its `main.rs`), checks it offline, and
/// returns the crates of its tree (normal and build dependencies).
fn user_crate(name: &str, dependencies: &str, main: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let library = root.join("instance-id");
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
instance-id = {{ path = {library:?}, default-features = false, {dependencies}

[workspace]
"#,
        library = library.to_str().expect("a UTF-8 path"),
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("write Cargo.toml");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir src");
    std::fs::write(dir.path().join("src/main.rs"), main).expect("write main.rs");
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
    cargo(dir.path(), &["check", "--offline", "--quiet"]);
    String::from_utf8_lossy(&tree.stdout).into_owned()
}

fn crates_named<'a>(tree: &'a str, word: &str) -> Vec<&'a str> {
    tree.lines().filter(|line| line.contains(word)).collect()
}

#[test]
fn an_axum_app_builds_without_rocket() {
    let tree = user_crate(
        "axum-user",
        r#"features = ["axum"] }
axum = { version = "0.8", default-features = false, features = ["http1", "tokio"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }"#,
        AXUM_MAIN,
    );
    assert!(tree.contains("instance-id v"), "{tree}");
    assert!(tree.contains("axum v0.8"), "{tree}");
    let rocket = crates_named(&tree, "rocket");
    assert!(rocket.is_empty(), "Rocket in an Axum-only tree: {rocket:?}");
}

#[test]
fn an_actix_app_builds_without_rocket_or_axum() {
    let tree = user_crate(
        "actix-user",
        r#"features = ["actix"] }
actix-web = { version = "4", default-features = false, features = ["macros"] }"#,
        ACTIX_MAIN,
    );
    assert!(tree.contains("actix-web v4"), "{tree}");
    for other in ["rocket", "axum"] {
        let found = crates_named(&tree, other);
        assert!(found.is_empty(), "{other} in an actix-only tree: {found:?}");
    }
}

/// The Kubernetes client is the command's alone: no example app (this package) and no
/// user of the library builds it.
#[test]
fn no_app_builds_a_kubernetes_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for package in [
        "instance-id-workspace",
        "instance-id",
        "instance-id-otel-example",
    ] {
        let tree = cargo(
            root,
            &[
                "tree",
                "--offline",
                "-p",
                package,
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ],
        );
        let tree = String::from_utf8_lossy(&tree.stdout);
        assert!(tree.contains("instance-id v"), "{tree}");
        for client in ["kube v", "kube-client", "k8s-openapi"] {
            let found = crates_named(&tree, client);
            assert!(found.is_empty(), "{client} in {package}'s tree: {found:?}");
        }
    }
    // And the command has it, by its default feature.
    let tree = cargo(
        root,
        &[
            "tree",
            "--offline",
            "-p",
            "instance-id-cli",
            "-e",
            "normal",
            "--prefix",
            "none",
        ],
    );
    assert!(!crates_named(&String::from_utf8_lossy(&tree.stdout), "k8s-openapi").is_empty());
}
