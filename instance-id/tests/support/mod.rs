//! What the integration tests share: running the real `instance-id` binary, with a
//! guard that turns a hang into a failure instead of a stuck CI run.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: a detection takes milliseconds; this only catches a hang.
pub const HANG: Duration = Duration::from_secs(20);

/// The repository's test data: `fixtures/` and `conformance/` (captured and
/// documented snapshots with their one right answer) and `snapshots/` (this
/// project's own cases).
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// The snapshot folders under `dir`, sorted.
pub fn folders(dir: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    assert!(!folders.is_empty(), "{} holds no snapshot", dir.display());
    folders
}

/// Runs `instance-id ARGS…`, failing the test if it does not finish within [`HANG`].
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_instance-id"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the instance-id binary runs");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("waiting for instance-id") {
            Some(_) => return child.wait_with_output().expect("collecting output"),
            None if start.elapsed() > HANG => {
                let _ = child.kill();
                panic!("instance-id {args:?} hung for more than {HANG:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// `detect --root DIR --format json` plus the folder's `args`, as JSON.
pub fn detect_json(root: &Path, extra: &[&str]) -> (serde_json::Value, Output) {
    let root_str = root.to_str().expect("a UTF-8 path");
    let args_file = std::fs::read_to_string(root.join("args")).unwrap_or_default();
    let mut args = vec!["detect", "--root", root_str, "--format", "json"];
    args.extend(args_file.split_whitespace());
    args.extend(extra);
    let output = run(&args);
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{}: stdout is not JSON ({err}): {}\nstderr: {}",
            root.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (json, output)
}

/// The first line of the folder's `expected`.
pub fn expected(root: &Path) -> String {
    std::fs::read_to_string(root.join("expected"))
        .unwrap_or_else(|err| panic!("{}/expected: {err}", root.display()))
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}
