//! Every snapshot folder of `testdata/` is a case, run through the library: the
//! fixtures, this project's own snapshots, and the conformance folders (`core` and
//! `stretch` alike must pass; each tier's count is printed). A new folder is a new
//! case, with no code to add.

mod support;

use std::path::Path;

use support::{chain, detect_folder, expected, folders, testdata};

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
    let mut failed = Vec::new();
    for name in ["core", "stretch"] {
        let cases: Vec<_> = all
            .iter()
            .filter(|d| tier(d).trim() == name)
            .cloned()
            .collect();
        assert!(!cases.is_empty(), "no {name} conformance folder found");
        let misses = failures(&cases);
        println!(
            "conformance {name}: {} of {} pass",
            cases.len() - misses.len(),
            cases.len()
        );
        failed.extend(misses);
    }
    let untiered: Vec<_> = all
        .iter()
        .filter(|d| !matches!(tier(d).trim(), "core" | "stretch"))
        .collect();
    assert!(untiered.is_empty(), "folders with no tier: {untiered:?}");
    assert!(
        failed.is_empty(),
        "{} conformance folders failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// `--explain` names each strategy of the folder's chain once, in the chain's order,
/// found or not, on every snapshot; an answer comes from exactly one `found` attempt,
/// and no answer has none.
#[test]
fn every_snapshot_explains_every_strategy() {
    let mut checked = 0;
    for set in ["fixtures", "snapshots", "conformance"] {
        for dir in folders(&testdata().join(set)) {
            let args_file = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
            let args: Vec<&str> = args_file.split_whitespace().collect();
            let want: Vec<String> = chain(&args).steps().iter().map(|s| s.to_string()).collect();
            let json = detect_folder(&dir, &[]);
            let attempts = json["attempts"].as_array().expect("attempts");
            let got: Vec<&str> = attempts
                .iter()
                .filter_map(|a| a["strategy"].as_str())
                .collect();
            assert_eq!(got, want, "{}", dir.display());
            let found = attempts.iter().filter(|a| a["outcome"] == "found").count();
            let answered = json["id"].is_string();
            assert_eq!(
                found,
                usize::from(answered),
                "{}: {} found attempts, id {}",
                dir.display(),
                found,
                json["id"]
            );
            checked += 1;
        }
    }
    println!("{checked} snapshots explain every strategy");

    // And on one known case, the attempts say how the answer was found.
    let json = detect_folder(&testdata().join("fixtures/docker-private-cgroupns"), &[]);
    assert_eq!(json["source"], "mountinfo");
    assert_eq!(json["runtime"], "docker");
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
}
