//! Hostile and broken input, through the library: every case finishes (a hang fails
//! the test, see `support::HANG`), never panics, never puts an unsafe value into an
//! id, and every attempt says why.

mod support;

use std::path::Path;
use std::process::Command;

use support::detect_json;

const FILES: [&str; 6] = [
    "proc/self/cgroup",
    "proc/self/mountinfo",
    "proc/self/environ",
    "etc/hostname",
    "run/.containerenv",
    "etc/machine-id",
];

fn reasons(json: &serde_json::Value) -> String {
    json["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| format!("{}: {}", a["strategy"], a["reason"]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every id that comes out obeys the value rules, whatever went in: the length and
/// printable rules by the tests' own statement of them, and no address in it by the
/// check the end-to-end suites use (which tests/value_rules.rs holds against generated
/// addresses).
fn assert_safe(json: &serde_json::Value) {
    if let Some(id) = json["id"].as_str() {
        assert!(
            support::oracle::is_printable_and_bounded(id),
            "unsafe id {id:?}: not 1 to 253 printable characters"
        );
        assert!(
            !holds_an_ipv4_address(id),
            "unsafe id {id:?}: it holds an address"
        );
    }
}

/// Four numbers of at most three digits, each up to 255, joined by dots, dashes or
/// underscores: how an IPv4 address hides in a host name (`ip-10-0-3-17`).
fn holds_an_ipv4_address(text: &str) -> bool {
    let is_separator = |c: char| matches!(c, '.' | '-' | '_');
    text.split(|c: char| !(c.is_ascii_digit() || is_separator(c)))
        .any(|token| {
            let parts: Vec<&str> = token.split(is_separator).collect();
            parts.windows(4).any(|four| {
                four.iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
            })
        })
}

#[test]
fn the_safety_oracle_rejects_what_it_must() {
    for unsafe_id in [
        "",
        "a b",
        "tab\there",
        "\u{1b}]0;x",
        "é",
        "ip-10-0-3-17",
        "x_192_168_1_1_y",
        "10.0.0.1",
    ] {
        let json = serde_json::json!({ "id": unsafe_id });
        assert!(
            std::panic::catch_unwind(|| assert_safe(&json)).is_err(),
            "{unsafe_id:?} passed"
        );
    }
    assert_safe(&serde_json::json!({ "id": "cart-5d8f7b6c9-abcde" }));
    assert_safe(&serde_json::json!({ "id": "v1.2.3-2024.11.05" }));
}

fn write(root: &Path, file: &str, bytes: &[u8]) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

const ALL: [&str; 4] = [
    "--strategy",
    "container",
    "--fallback",
    "kubernetes,ecs,platform,env(X),file(/etc/name),machine_id,hostname",
];

/// Oversized files of plausible content are refused at their limit, each with the
/// limit named, and nothing in them becomes an id.
#[test]
fn huge_files_are_refused_with_their_limit_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 64 MiB of plausible mount lines naming a container, and a 20 MB single line.
    let line = format!(
        "150 1420 259:1 /var/lib/docker/containers/{}/hostname /etc/hostname rw - ext4 /dev/vda1 rw\n",
        "a".repeat(64)
    );
    let mountinfo = line.repeat(64 * 1024 * 1024 / line.len() + 1);
    write(dir.path(), "proc/self/mountinfo", mountinfo.as_bytes());
    write(
        dir.path(),
        "proc/self/cgroup",
        format!("0::/docker/{}", "b".repeat(20_000_000)).as_bytes(),
    );
    write(
        dir.path(),
        "etc/hostname",
        "x".repeat(20_000_000).as_bytes(),
    );
    write(
        dir.path(),
        "proc/self/environ",
        format!("X={}\0", "y".repeat(20_000_000)).as_bytes(),
    );
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "an id from oversized input: {json}");
    let why = reasons(&json);
    assert!(
        why.contains("/proc/self/mountinfo is larger than 512 KiB"),
        "{why}"
    );
    assert!(
        why.contains("/proc/self/cgroup is larger than 512 KiB"),
        "{why}"
    );
    assert!(
        why.contains("proc/self/environ is larger than 1024 KiB"),
        "{why}"
    );
    assert!(
        why.contains("/etc/hostname is larger than 512 KiB"),
        "{why}"
    );
}

/// Files of a terabyte each (sparse: they take no disk) can only be refused by a
/// bounded read: reading one whole would need 1 TiB of memory on a 24 GiB machine, so
/// a reader without its limit fails this test (out of memory, or a hang that
/// `support::HANG` turns into a failure), whatever the machine's speed.
#[test]
fn a_terabyte_file_is_never_read_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in FILES {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(1 << 40))
            .expect("a sparse file");
    }
    let json = detect_json(dir.path(), &ALL);
    assert!(
        json["id"].is_null(),
        "an id from a terabyte of zeros: {json}"
    );
    let why = reasons(&json);
    for file in ["/proc/self/mountinfo", "/proc/self/cgroup", "/etc/hostname"] {
        assert!(
            why.contains(&format!("{file} is larger than 512 KiB")),
            "{why}"
        );
    }
}

#[test]
fn non_utf8_is_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in FILES {
        write(dir.path(), file, b"0::/docker/\xff\xfe\n");
    }
    write(
        dir.path(),
        "proc/self/environ",
        b"X=\xff\0POD_NAME=\xc3\x28\0",
    );
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    let why = reasons(&json);
    assert!(why.contains("/proc/self/cgroup is not UTF-8 text"), "{why}");
    assert!(why.contains("$POD_NAME is set but is not UTF-8"), "{why}");
    assert!(why.contains("$X is set but is not UTF-8"), "{why}");
}

#[test]
fn directories_in_place_of_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in FILES.iter().chain(&["etc/name"]) {
        std::fs::create_dir_all(dir.path().join(file)).expect("mkdir");
    }
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    let why = reasons(&json);
    // Every strategy of the chain reads one of them, and says so.
    assert_eq!(why.lines().count(), 10, "{why}");
    assert!(
        why.lines()
            .all(|line| line.contains("is a directory, not a regular file")),
        "{why}"
    );
}

#[test]
fn fifos_in_place_of_files_never_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in FILES.iter().chain(&["etc/name"]) {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        let status = Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo {}", path.display());
    }
    // No writer ever opens these: a blocking open or read would hang the test.
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    let why = reasons(&json);
    assert!(
        why.contains("/proc/self/cgroup is a FIFO, not a regular file"),
        "{why}"
    );
    assert!(why.contains("/etc/name is a FIFO"), "{why}");
    assert!(why.contains("proc/self/environ is a FIFO"), "{why}");
}

#[test]
fn empty_and_missing_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    let why = reasons(&json);
    assert!(why.contains("/proc/self/cgroup does not exist"), "{why}");
    assert!(why.contains("$X is not set"), "{why}");

    for file in FILES.iter().chain(&["etc/name"]) {
        write(dir.path(), file, b"");
    }
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    let why = reasons(&json);
    assert!(why.contains("has no line of the form"), "{why}");
    assert!(why.contains("/run/.containerenv is empty"), "{why}");
    assert!(why.contains("the value is empty"), "{why}");
}

#[test]
fn whitespace_and_control_characters_in_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "etc/hostname", b"  web-1 \r\n");
    write(
        dir.path(),
        "proc/self/environ",
        b"X=a\rb\0POD_NAME=\r\n\0DYNO=web.1\tx\0",
    );
    write(dir.path(), "etc/name", b"\x1b[31mred\n");
    let json = detect_json(dir.path(), &ALL);
    assert_safe(&json);
    assert_eq!(json["id"], "web-1", "{json}");
    let why = reasons(&json);
    assert!(
        why.contains("$POD_NAME (downward API) gave an unusable value: the value is empty"),
        "{why}"
    );
    assert!(
        why.contains("$DYNO gave an unusable value: the value has a tab"),
        "{why}"
    );
    assert!(
        why.contains("$X gave an unusable value: the value has a carriage return"),
        "{why}"
    );
    assert!(why.contains("the control character 0x1b"), "{why}");
}

#[test]
fn addresses_never_become_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "etc/hostname", b"10.0.3.17\n");
    write(dir.path(), "proc/self/environ", b"X=192.168.1.1:5000\0");
    write(dir.path(), "etc/name", b"ip-172-31-9-4\n");
    let json = detect_json(dir.path(), &ALL);
    assert!(json["id"].is_null(), "{json}");
    assert_eq!(
        reasons(&json)
            .matches("looks like a network address")
            .count(),
        3
    );
}

#[test]
fn hostile_cgroup_and_mount_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = "c".repeat(64);
    write(
        dir.path(),
        "proc/self/cgroup",
        format!("::::\n:\n1:cpu\nx:y:/docker/{id}\n1:cpu:docker/{id}\n\0\0\0\n").as_bytes(),
    );
    write(
        dir.path(),
        "proc/self/mountinfo",
        format!("- - - -\n1 2 3 4 5 6 7 8 9\n1 2 3 /containers/{id}/hostname /etc/hostname\n1 2 3 \\777\\ /x - -\n").as_bytes(),
    );
    let json = detect_json(
        dir.path(),
        &["--strategy", "container", "--fallback", "hostname"],
    );
    assert!(
        json["id"].is_null(),
        "a container from malformed lines: {json}"
    );
}

/// A snapshot is a root, as for `chroot`: absolute links, `..` and links that climb
/// out all resolve inside it, and a file outside is never read.
#[test]
fn a_snapshot_never_reads_outside_itself() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "outside-secret\n").expect("write");
    let secret = secret.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("etc")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("data")).expect("mkdir");
    let link = |target: &str, at: &str| {
        std::os::unix::fs::symlink(target, dir.path().join(at)).expect("symlink")
    };
    // An absolute link, a climbing relative one, and a loop.
    link(secret, "etc/hostname");
    link(&format!("../../../../../../..{secret}"), "data/climb");
    link("/data/loop", "data/loop");
    // Inside the root, the absolute link's target is a file of the snapshot's own.
    let inner = dir.path().join(secret.trim_start_matches('/'));
    std::fs::create_dir_all(inner.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&inner, "inside-copy\n").expect("write");

    let json = detect_json(
        dir.path(),
        &[
            "--strategy",
            "file(/data/climb)",
            "--fallback",
            &format!("file(/../../..{secret}),file(/data/loop),hostname"),
        ],
    );
    let text = json.to_string();
    assert!(
        !text.contains("outside-secret"),
        "read outside the snapshot: {text}"
    );
    // Every path resolved to the snapshot's own copy.
    assert_eq!(json["id"], "inside-copy", "{json}");
    assert_eq!(json["source"], format!("file(\"/data/climb\")"), "{json}");
    let view = instance_id::SystemView::snapshot(dir.path());
    let chain = instance_id::Chain::new(
        instance_id::Strategy::file("/data/loop"),
        [instance_id::Strategy::Hostname],
    )
    .expect("a chain");
    let detection = instance_id::detect(&chain, &view).expect("the host name");
    assert_eq!(detection.id.as_str(), "inside-copy");
    assert!(
        detection.attempts[0].reason.contains("symbolic links"),
        "{}",
        detection.attempts[0].reason
    );
}
