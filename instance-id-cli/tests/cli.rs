//! `instance-id detect` as a person and a script use it: exit codes, messages, the
//! documented JSON shape, and `--explain` on this machine's own `/`.

#[path = "../../instance-id/tests/support/oracle.rs"]
mod oracle;
mod support;

use support::{run, testdata};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn prints_the_id_alone_for_scripts() {
    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let out = run(&["detect", "--root", dir.to_str().expect("utf-8")]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786\n"
    );
}

#[test]
fn explain_tells_every_attempt() {
    let dir = testdata().join("fixtures/k8s-v2-private-downward-api");
    let out = run(&[
        "detect",
        "--root",
        dir.to_str().expect("utf-8"),
        "--explain",
    ]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("instance id cart-5d8f7b6c9-abcde (via kubernetes, kubernetes)\n"),
        "{stdout}"
    );
    for expected in [
        "cgroup      failed",
        "private cgroup namespace",
        "mountinfo   failed",
        "belong to the pod sandbox (bfe235dcfb69)",
        "podman      failed       /run/.containerenv does not exist",
        "kubernetes  found        $POD_NAME (downward API)",
        "ecs         not reached",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(stdout.ends_with("\ncart-5d8f7b6c9-abcde\n"), "{stdout}");
}

#[test]
fn json_has_the_documented_shape() {
    let dir = testdata().join("fixtures/podman-rootful-v2");
    let out = run(&[
        "detect",
        "--root",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let position = |key: &str| stdout.find(&format!("\"{key}\":")).expect(key);
    assert!(position("id") < position("source"), "{stdout}");
    assert!(position("source") < position("runtime"), "{stdout}");
    assert!(position("runtime") < position("attempts"), "{stdout}");
    assert!(position("strategy") < position("outcome"), "{stdout}");
    assert!(position("outcome") < position("reason"), "{stdout}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "{stdout}");
    assert_eq!(
        json["id"],
        "f1496a54353d35b04a8c37e492496f627df4beed99d98d5b6f05870f6aa865f0"
    );
    assert_eq!(json["source"], "mountinfo");
    assert_eq!(json["runtime"], "podman");
    for attempt in json["attempts"].as_array().expect("attempts") {
        let object = attempt.as_object().expect("an object");
        assert_eq!(object.len(), 3);
        assert!(
            object["strategy"].is_string()
                && object["outcome"].is_string()
                && object["reason"].is_string()
        );
    }
}

#[test]
fn nothing_found_is_a_clear_failure() {
    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let root = dir.to_str().expect("utf-8");
    let out = run(&[
        "detect",
        "--root",
        root,
        "--strategy",
        "env(NOPE)",
        "--fallback",
        "podman",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no strategy found an instance id"),
        "{stderr}"
    );
    assert!(stderr.contains("$NOPE is not set"), "{stderr}");

    let out = run(&[
        "detect",
        "--root",
        root,
        "--strategy",
        "env(NOPE)",
        "--fallback=",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(json["id"].is_null() && json["source"].is_null() && json["runtime"].is_null());
    assert_eq!(json["attempts"][0]["outcome"], "failed");
}

#[test]
fn invalid_chains_and_roots_are_usage_errors() {
    for (args, message) in [
        (
            vec!["detect", "--strategy", "random", "--fallback", "hostname"],
            "always succeeds",
        ),
        (
            vec!["detect", "--strategy", "container", "--fallback", "cgroup"],
            "`cgroup` is listed twice (`container` already includes it)",
        ),
        (
            vec!["detect", "--strategy", "hostnme"],
            "unknown strategy; did you mean `hostname`?",
        ),
        (
            vec!["detect", "--strategy", "env(1BAD)"],
            "not an environment variable name",
        ),
        (
            vec!["detect", "--strategy", "file(etc/name)"],
            "needs an absolute path",
        ),
        (
            vec!["detect", "--root", "/nonexistent/snapshot"],
            "is not a directory",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn fallback_lists_split_outside_parentheses() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("proc/self")).expect("mkdir");
    std::fs::write(dir.path().join("proc/self/environ"), b"B=from-b\0").expect("write");
    let out = run(&[
        "detect",
        "--root",
        dir.path().to_str().expect("utf-8"),
        "--strategy",
        "file(/a,b)",
        "--fallback",
        "env(A), env(\"B\")",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "from-b\n");
}

/// On this machine's own `/`, every strategy of the default chain gets a line with
/// a reason, and the one that decided says where it read the id.
#[test]
fn explain_on_the_live_system() {
    let out = run(&["detect", "--explain"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    for strategy in [
        "cgroup",
        "mountinfo",
        "podman",
        "kubernetes",
        "ecs",
        "platform",
        "process",
    ] {
        assert!(
            stdout
                .lines()
                .any(|line| line.trim_start().starts_with(strategy)),
            "no line for {strategy}:\n{stdout}"
        );
    }
    // Exactly one row of the table is `found`, and it is the strategy the first line
    // names; the last line is the id that line gave.
    let found: Vec<&str> = stdout
        .lines()
        .filter_map(|line| {
            let mut columns = line.split_whitespace();
            let strategy = columns.next()?;
            (columns.next()? == "found").then_some(strategy)
        })
        .collect();
    assert_eq!(found.len(), 1, "{stdout}");
    let first = stdout.lines().next().unwrap_or_default();
    let (id, via) = first
        .strip_prefix("instance id ")
        .and_then(|rest| rest.split_once(" (via "))
        .unwrap_or_else(|| panic!("no answer line: {first}"));
    assert_eq!(via, format!("{})", found[0]), "{stdout}");
    assert_eq!(stdout.lines().last(), Some(id), "{stdout}");
}

/// `--format env` survives `eval` in a POSIX shell whatever printable characters the
/// id holds; `--format otel` uses the semantic conventions' names, with
/// `service.instance.id` the UUID v5 of the id and the raw id only where it is a
/// container's or a pod's.
#[test]
fn env_and_otel_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("proc/self")).expect("mkdir");
    let nasty = r#"a'b"c$(x)`y`;z\w&|<>*?!#~{}"#;
    std::fs::write(
        dir.path().join("proc/self/environ"),
        format!("X={nasty}\0POD_NAMESPACE=shop\0KUBERNETES_SERVICE_HOST=10.96.0.1\0"),
    )
    .expect("write");
    let root = dir.path().to_str().expect("utf-8");
    // `detect` on the folder, `$X` first, in one format.
    let env_x_as = |format: &str| {
        let out = run(&[
            "detect",
            "--root",
            root,
            "--strategy",
            "env(X)",
            "--format",
            format,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let script = format!(
        "{}\nprintf '%s|%s|%s' \"$INSTANCE_ID\" \"$INSTANCE_ID_SOURCE\" \"$INSTANCE_ID_RUNTIME\"",
        env_x_as("env")
    );
    let shell = std::process::Command::new("sh")
        .args(["-c", &format!("eval \"$(cat <<'EOF_'\n{script}\nEOF_\n)\"")])
        .output()
        .expect("sh runs");
    assert_eq!(
        text(&shell.stdout),
        format!("{nasty}|env(\"X\")|"),
        "{}",
        text(&shell.stderr)
    );

    let otel = env_x_as("otel");
    // Python 3: uuid.uuid5(uuid.UUID("4d63009a-8d0f-11ee-aad7-4c796ed8e320"), nasty).
    // The id itself, which no attribute of the conventions holds, is not shown.
    assert_eq!(
        otel,
        "service.instance.id=ba952165-1942-5f47-be5a-6a75b803131b,k8s.namespace.name=shop\n"
    );

    let pod = testdata().join("fixtures/k8s-containerd-systemd-v2-hostns");
    let out = run(&[
        "detect",
        "--root",
        pod.to_str().expect("utf-8"),
        "--format",
        "otel",
    ]);
    let otel = text(&out.stdout);
    let id = "a1c7fecae6a0ae0348f92c1409fba12ba68f46d2c43ff6c2477a6326af839deb";
    assert_eq!(
        otel.trim(),
        format!(
            "service.instance.id=ddc2a6a3-168b-57f7-953b-0a5966943813,container.id={id},k8s.pod.name=worker-0,host.name=worker-0"
        )
    );

    // Percent-encoding, where a value needs it: a pod name from the environment.
    std::fs::write(
        dir.path().join("proc/self/environ"),
        "X=web-1\0POD_NAME=a,b=c%d\0",
    )
    .expect("write");
    let otel = env_x_as("otel");
    assert!(otel.contains(",k8s.pod.name=a%2Cb%3Dc%25d"), "{otel}");
}

/// On the repository's snapshots, `--format otel` gives `service.instance.id` = the
/// UUID v5 of the folder's expected id (computed here from `expected`), and a
/// container's `container.id` is that id, whole.
#[test]
fn otel_format_on_every_snapshot() {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);
    let mut dirs = Vec::new();
    for set in ["fixtures", "snapshots"] {
        let entries = std::fs::read_dir(testdata().join(set)).expect("testdata");
        dirs.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir()),
        );
    }
    dirs.sort();
    assert!(dirs.len() > 50, "{} snapshots", dirs.len());
    let mut failed = Vec::new();
    for dir in &dirs {
        let want = std::fs::read_to_string(dir.join("expected")).expect("expected");
        let want = want.lines().next().unwrap_or("").trim();
        let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
        let mut args = vec![
            "detect",
            "--root",
            dir.to_str().expect("utf-8"),
            "--format",
            "otel",
        ];
        args.extend(extra.split_whitespace());
        let out = run(&args);
        let otel = text(&out.stdout);
        let pairs: Vec<(&str, &str)> = otel
            .trim()
            .split(',')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        let get = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let uuid = uuid::Uuid::new_v5(&NAMESPACE, want.as_bytes()).to_string();
        let name = dir.display();
        if get("service.instance.id") != Some(uuid.as_str()) {
            failed.push(format!(
                "{name}: {otel:?}, expected service.instance.id={uuid} ({want})"
            ));
        }
        let container_id = oracle::is_container_id(want);
        match get("container.id") {
            Some(got) if got != want => {
                failed.push(format!("{name}: container.id={got}, expected {want}"))
            }
            None if container_id => failed.push(format!("{name}: no container.id ({want})")),
            _ => {}
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// `otel-id` prints what an instance's telemetry carries as `service.instance.id`,
/// so that an operator joins a reported id to its traces.
#[test]
fn otel_id_joins_a_reported_id_to_its_telemetry() {
    let out = run(&[
        "otel-id",
        "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Python 3: uuid.uuid5(uuid.UUID("4d63009a-8d0f-11ee-aad7-4c796ed8e320"), id)
    assert_eq!(text(&out.stdout), "c5cd6699-3b39-53c6-8cc9-8290de241d5d\n");

    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let out = run(&[
        "detect",
        "--root",
        dir.to_str().expect("utf-8"),
        "--format",
        "otel",
    ]);
    assert!(
        text(&out.stdout).starts_with("service.instance.id=c5cd6699-3b39-53c6-8cc9-8290de241d5d,"),
        "{}",
        text(&out.stdout)
    );

    let out = run(&["otel-id", "10.0.3.17:8000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not an instance id"),
        "{}",
        text(&out.stderr)
    );
}

/// A reader that stops early ends the command quietly, as it ends `ls`: no panic, no
/// message. The pipe's reading end is closed before the command starts, so its first
/// write finds no reader.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: pipe(2) just opened both; each is owned once, here.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let out = Command::new(env!("CARGO_BIN_EXE_instance-id"))
        .args([
            "detect",
            "--root",
            dir.to_str().expect("utf-8"),
            "--explain",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let stderr = text(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "a panic");
    assert!(!out.status.success(), "the write cannot have succeeded");
}

/// Standard output that refuses every write (a full disk): every command that prints
/// says so on standard error and exits 1, where `println!` panicked with 101.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error_not_a_panic() {
    let dir = testdata().join("fixtures/docker-private-cgroupns");
    let root = dir.to_str().expect("utf-8");
    for format in ["text", "json", "env", "otel"] {
        support::assert_write_failure_reported(
            &["detect", "--root", root, "--format", format],
            &[],
        );
    }
    support::assert_write_failure_reported(&["detect", "--root", root, "--explain"], &[]);
    support::assert_write_failure_reported(
        &[
            "otel-id",
            "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786",
        ],
        &[],
    );
    support::assert_write_failure_reported(
        &[
            "hash",
            "--key-env",
            "INSTANCE_ID_TEST_KEY",
            "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786",
        ],
        &[("INSTANCE_ID_TEST_KEY", "a key for the test")],
    );
}

/// An argument that is not an id is quoted back bounded and escaped, not whole: a
/// pasted 10 KB page stays one readable line.
#[test]
fn hash_quotes_a_long_non_id_bounded() {
    let pasted = format!("\u{1b}[2J{}", "<p>not an id</p>".repeat(640));
    let out = support::run_with_env(
        &["hash", "--key-env", "INSTANCE_ID_TEST_KEY", &pasted],
        &[("INSTANCE_ID_TEST_KEY", "a key for the test")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 400, "{} bytes: {stderr}", stderr.len());
    assert!(
        stderr.starts_with("instance-id: \"\\x1b[2J<p>not an id</p><p>"),
        "{stderr}"
    );
    assert!(stderr.contains("…\" is not an instance id"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// What the system says is shown escaped: a mount path that would retitle and clear the
/// terminal reaches it as text.
#[test]
fn terminal_control_codes_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    std::fs::create_dir_all(dir.path().join("proc/self")).expect("mkdir");
    std::fs::write(dir.path().join("proc/self/cgroup"), "0::/\n").expect("write");
    std::fs::write(
        dir.path().join("proc/self/mountinfo"),
        format!("150 1 259:1 /var/lib/docker/containers/{id}/host\u{1b}]0;pwned\u{7}\u{1b}[2Jname /etc/hostname rw - ext4 /dev/vda1 rw\n"),
    )
    .expect("write");
    let root = dir.path().to_str().expect("utf-8");
    let out = run(&["detect", "--root", root, "--explain"]);
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("host\\x1b]0;pwned\\x07\\x1b[2Jname"),
        "{stdout}"
    );
    // JSON stays exact: its own escapes, the same text.
    let out = run(&["detect", "--root", root, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let reason = json["attempts"][1]["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("host\u{1b}]0;pwned\u{7}\u{1b}[2Jname"),
        "{reason:?}"
    );
}

/// `--pid` detects as that process would, from its /proc/PID: here a child with its
/// own environment, which this test's process does not have.
#[test]
fn detect_as_another_process() {
    use std::process::{Command, Stdio};
    let mut child = Command::new("sleep")
        .arg("20")
        .env("POD_NAME", "pid-test-pod-7d9f")
        .stdin(Stdio::null())
        .spawn()
        .expect("sleep runs");
    let pid = child.id().to_string();
    let out = run(&[
        "detect",
        "--pid",
        &pid,
        "--strategy",
        "env(POD_NAME)",
        "--fallback",
        "",
    ]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        text(&out.stdout).trim(),
        "pid-test-pod-7d9f",
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));

    let gone = run(&["detect", "--pid", "4294967295"]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(text(&gone.stderr).contains("no such process"));
    let both = run(&["detect", "--pid", "1", "--root", "/"]);
    assert_eq!(both.status.code(), Some(2));
}
