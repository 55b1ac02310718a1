//! What the engine's tests share: a snapshot folder run through the library
//! (`SystemView::snapshot` and `detect`), with a guard that turns a hang into a
//! failure instead of a stuck CI run.

#![allow(dead_code)] // each test file uses its own part

pub mod oracle;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use instance_id::{detect, Chain, DetectionReport, Strategy, SystemView};
use serde_json::Value;

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

/// The chain that `--strategy S --fallback S,S…` names, as a folder's `args` file
/// writes it; the default chain when `args` is empty.
pub fn chain(args: &[&str]) -> Chain {
    let mut first = None;
    let mut fallback = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = words
            .next()
            .unwrap_or_else(|| panic!("{word} has no value in {args:?}"));
        match *word {
            "--strategy" => first = Some(value.parse::<Strategy>().expect("a strategy")),
            "--fallback" => fallback = Some(Strategy::parse_list(value).expect("a list")),
            other => panic!("unknown option {other} in {args:?}"),
        }
    }
    let first = first.unwrap_or(Strategy::Container);
    match fallback {
        Some(fallback) => Chain::new(first, fallback).expect("a valid chain"),
        None => Chain::with_default_fallback(first),
    }
}

/// Detects on the snapshot at `root` with the chain of `args`, as the JSON that
/// `instance-id detect --format json` prints: `{"id", "source", "runtime",
/// "attempts"}`, `null`s when nothing was found. A detection that does not finish
/// within [`HANG`] fails the test.
pub fn detect_json(root: &Path, args: &[&str]) -> Value {
    let chain = chain(args);
    let view = SystemView::snapshot(root);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(detect(&chain, &view));
    });
    let result = receive
        .recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("detection on {} hung or panicked", root.display()));
    serde_json::to_value(DetectionReport::from(&result)).expect("a detection as JSON")
}

/// [`detect_json`] with the folder's own `args` file and `extra` after it.
pub fn detect_folder(root: &Path, extra: &[&str]) -> Value {
    let args_file = std::fs::read_to_string(root.join("args")).unwrap_or_default();
    let mut args: Vec<&str> = args_file.split_whitespace().collect();
    args.extend(extra);
    detect_json(root, &args)
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
