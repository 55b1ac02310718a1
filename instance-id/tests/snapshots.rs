//! Every snapshot folder of `testdata/` is a case, run through the library: the
//! fixtures, this project's own snapshots, and the conformance folders (all `core`
//! folders must pass; the `stretch` count is printed). A new folder is a new case,
//! with no code to add.

mod support;

use std::path::Path;

use support::{detect_folder, expected, folders, testdata};

/// Runs each folder and returns the ones whose answer differs, with what was said.
fn failures(dirs: &[std::path::PathBuf]) -> Vec<String> {
    dirs.iter()
        .filter_map(|dir| {
            let want = expected(dir);
            let json = detect_folder(dir, &[]);
            let got = json["id"].as_str().unwrap_or("<none>").to_owned();
            (got != want).then(|| {
                format!(
                    "{}: got {got}, expected {want}\n{}",
                    dir.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    serde_json::to_string_pretty(&json["attempts"]).unwrap_or_default()
                )
            })
        })
        .collect()
}

fn assert_all_pass(dir: &Path) {
    let cases = folders(dir);
    let failed = failures(&cases);
    assert!(
        failed.is_empty(),
        "{} of {} snapshots in {} failed:\n{}",
        failed.len(),
        cases.len(),
        dir.display(),
        failed.join("\n")
    );
    println!("{}: {} of {} pass", dir.display(), cases.len(), cases.len());
}

#[test]
fn shared_fixtures() {
    assert_all_pass(&testdata().join("fixtures"));
}

#[test]
fn own_snapshots() {
    assert_all_pass(&testdata().join("snapshots"));
}

#[test]
fn conformance() {
    let all = folders(&testdata().join("conformance"));
    let tier = |dir: &Path| std::fs::read_to_string(dir.join("tier")).unwrap_or_default();
    let (core, stretch): (Vec<_>, Vec<_>) = all.into_iter().partition(|d| tier(d).trim() == "core");
    assert!(!core.is_empty(), "no core conformance folder found");

    let stretch_failed = failures(&stretch);
    println!(
        "conformance stretch: {} of {} pass",
        stretch.len() - stretch_failed.len(),
        stretch.len()
    );
    for failure in &stretch_failed {
        println!("  stretch miss: {}", failure.lines().next().unwrap_or(""));
    }

    let core_failed = failures(&core);
    println!(
        "conformance core: {} of {} pass",
        core.len() - core_failed.len(),
        core.len()
    );
    assert!(
        core_failed.is_empty(),
        "{} core conformance folders failed:\n{}",
        core_failed.len(),
        core_failed.join("\n")
    );
}

#[test]
fn every_snapshot_explains_every_strategy() {
    // --explain names each strategy of the chain once, found or not.
    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let json = detect_folder(&dir, &[]);
    let strategies: Vec<&str> = json["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter_map(|a| a["strategy"].as_str())
        .collect();
    assert_eq!(
        strategies,
        [
            "cgroup",
            "mountinfo",
            "podman",
            "kubernetes",
            "ecs",
            "platform",
            "process"
        ]
    );
    assert_eq!(json["source"], "mountinfo");
    assert_eq!(json["runtime"], "docker");
}
