//! What the command's tests share: running the real `instance-id` binary, with a
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
