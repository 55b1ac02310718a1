//! A reason carries the system's text as it is: a control character read from a file
//! stands in the reason itself, never written as a Rust escape (`\u{1b}`), so that JSON
//! is exact and the one terminal printer escapes it once.

use instance_id::{detect, Chain, Strategy, SystemView};

fn write(root: &std::path::Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("written");
}

#[test]
fn reasons_quote_system_text_unescaped() {
    let root = tempfile::tempdir().expect("a temporary directory");
    write(root.path(), "proc/self/cgroup", "0::/odd\u{1b}[31mslice\n");
    write(root.path(), "run/.containerenv", "id=\"not\u{7}hex\"\n");
    write(root.path(), "etc/hostname", "ip-10-0-3-17\n");
    write(root.path(), "proc/self/stat", "4242 (app) S 1");
    let view = SystemView::snapshot(root.path());
    let chain =
        Chain::new(Strategy::Cgroup, [Strategy::Podman, Strategy::Process]).expect("a chain");
    let detection = detect(&chain, &view).expect("process decides");
    let reasons: Vec<&str> = detection
        .attempts
        .iter()
        .map(|a| a.reason.as_str())
        .collect();
    assert!(
        reasons[0].contains("\"/odd\u{1b}[31mslice\""),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("\"not\u{7}hex\""), "{reasons:?}");
    assert!(reasons[2].contains("\"ip-10-0-3-17\""), "{reasons:?}");
    for reason in reasons {
        assert!(!reason.contains("\\u{"), "a Rust escape in {reason:?}");
    }
}
