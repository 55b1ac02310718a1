//! `detect --format otel` on values from the environment: each bounded in length as
//! an id is (a longer one left out, which `--explain` says on stderr), and every value
//! encoded as `OTEL_RESOURCE_ATTRIBUTES` asks (W3C Baggage's octets, the rest
//! percent-encoded), so that a reader that decodes it as the specification says gets
//! the very values back.

mod support;

use support::run;

/// The snapshot `DIR` whose environment is `env` (NUL-separated, as the kernel writes
/// it) and whose host name is `host`.
fn snapshot(env: &[(&str, &str)], host: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("proc/self")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("proc/sys/kernel")).expect("mkdir");
    let environ: Vec<u8> = env
        .iter()
        .flat_map(|(k, v)| format!("{k}={v}\0").into_bytes())
        .collect();
    std::fs::write(dir.path().join("proc/self/environ"), environ).expect("write");
    std::fs::write(dir.path().join("proc/sys/kernel/hostname"), host).expect("write");
    dir
}

fn otel(dir: &tempfile::TempDir, explain: bool) -> (String, String) {
    let root = dir.path().to_str().expect("utf-8");
    let mut args = vec![
        "detect",
        "--root",
        root,
        "--strategy",
        "kubernetes",
        "--fallback",
        "",
        "--format",
        "otel",
    ];
    if explain {
        args.push("--explain");
    }
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

/// `OTEL_RESOURCE_ATTRIBUTES` read as the specification says: `key=value` pairs
/// separated by commas, each value percent-decoded to UTF-8.
fn decode(line: &str) -> Vec<(String, String)> {
    line.trim_end_matches('\n')
        .split(',')
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            assert!(
                value.bytes().all(baggage_octet_or_percent),
                "{key}: {value:?} holds an octet W3C Baggage does not allow"
            );
            (key.to_owned(), percent_decode(value))
        })
        .collect()
}

/// W3C Baggage's `baggage-octet`, and `%`, which starts an escape.
fn baggage_octet_or_percent(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) || b == b'%'
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("two hex digits");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 once decoded")
}

#[test]
fn a_value_longer_than_an_id_is_left_out_and_explained() {
    let huge = "n".repeat(600_000);
    let uid = "u".repeat(254);
    let namespace = "s".repeat(253);
    let dir = snapshot(
        &[
            ("POD_NAME", "cart-5d8f7b6c9-abcde"),
            ("POD_UID", &uid),
            ("POD_NAMESPACE", &namespace),
            ("NODE_NAME", &huge),
        ],
        "worker-0",
    );
    let (line, stderr) = otel(&dir, false);
    assert!(line.len() < 1_000, "{} bytes", line.len());
    assert_eq!(stderr, "");
    let keys: Vec<String> = decode(&line).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "service.instance.id",
            "k8s.pod.name",
            "k8s.namespace.name",
            "host.name"
        ]
    );

    let (explained, stderr) = otel(&dir, true);
    assert_eq!(explained, line, "--explain changes nothing on stdout");
    assert_eq!(
        stderr,
        "instance-id: k8s.pod.uid left out: $POD_UID is 254 bytes long; at most 253 are allowed\n\
         instance-id: k8s.node.name left out: $NODE_NAME is 600000 bytes long; at most 253 are allowed\n"
    );
}

#[test]
fn a_long_host_name_is_left_out_too() {
    let host = "h".repeat(300);
    let dir = snapshot(&[("POD_NAME", "web-1")], &host);
    let (line, stderr) = otel(&dir, true);
    assert!(!line.contains("host.name"), "{line}");
    assert!(
        stderr.contains("host.name left out: the host name is 300 bytes long"),
        "{stderr}"
    );
}

#[test]
fn values_decode_as_the_specification_says() {
    // Every octet Baggage forbids, the escape itself, and text beyond ASCII.
    let node = "rack 2,row=3;zone\"a\"\\b%41 é 日本\u{7f}";
    let namespace = "ünïcode-ns";
    let host = "ip-10-0-3-17.ec2.internal";
    let dir = snapshot(
        &[
            ("POD_NAME", "cart-5d8f7b6c9-abcde"),
            ("POD_NAMESPACE", namespace),
            ("NODE_NAME", node),
        ],
        host,
    );
    let (line, _) = otel(&dir, false);
    let pairs = decode(&line);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("k8s.pod.name"), Some("cart-5d8f7b6c9-abcde"));
    assert_eq!(get("k8s.node.name"), Some(node));
    assert_eq!(get("k8s.namespace.name"), Some(namespace));
    // The host's own name, as the conventions ask: telemetry goes to the operator.
    assert_eq!(get("host.name"), Some(host));
}
