//! What the command's tests share: running the real `instance-id` binary, with a
//! guard that turns a hang into a failure instead of a stuck CI run.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: a detection takes milliseconds; this only catches a hang.
pub const HANG: Duration = Duration::from_secs(20);

/// The repository's test data: `fixtures/` and `conformance/` (captured and
/// documented snapshots with their one right answer) and `snapshots/` (this
/// project's own cases).
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// Runs `instance-id ARGS…`, failing the test if it does not finish within [`HANG`].
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_without(args, env, &[])
}

/// Runs `instance-id ARGS…` with `env` added and the variables `unset` removed.
pub fn run_without(args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> Output {
    let mut child = spawn(args, env, unset);
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

/// Starts `instance-id ARGS…` with `env` added and `unset` removed, standard output
/// and error piped.
pub fn spawn(args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_instance-id"));
    for name in unset {
        command.env_remove(name);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the instance-id binary runs")
}

/// Runs `instance-id ARGS…` with `/dev/full` as standard output, where every write
/// fails with "no space left on device": the command must say so and fail, not
/// panic. Returns the exit code and standard error.
#[cfg(target_os = "linux")]
pub fn run_into_full_disk(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens for writing");
    let mut child = Command::new(env!("CARGO_BIN_EXE_instance-id"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the instance-id binary runs");
    let start = Instant::now();
    while child.try_wait().expect("waiting for instance-id").is_none() {
        if start.elapsed() > HANG {
            let _ = child.kill();
            panic!("instance-id {args:?} hung for more than {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("collecting output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a command that could not write its output must show: a message, exit 1.
#[cfg(target_os = "linux")]
pub fn assert_write_failure_reported(args: &[&str], env: &[(&str, &str)]) {
    let (code, stderr) = run_into_full_disk(args, env);
    assert_eq!(code, Some(1), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(
        stderr.contains("instance-id: cannot write the output:")
            && stderr.contains("No space left on device"),
        "{args:?}: {stderr}"
    );
}
