//! End to end, for real: three containers of the `hello` example,
//! built `FROM scratch` from a static binary, behind HAProxy on loopback.
//!
//! `cargo test --features e2e --test e2e -- --nocapture`
//!
//! Needs Docker and HAProxy on this machine (`.ci/run` installs both and starts
//! `dockerd`); without them it fails, it never skips. Containers, image, HAProxy and
//! temporary files are removed on success and failure alike.

mod support;

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::assert_no_address;
use support::lab::{
    build_static, free_port, get, header_value, ids_of, import_image, path, probe, require_tools,
    run, stdout, wait_for,
};

/// Everything the run created, removed when it ends, however it ends.
struct Lab {
    tag: String,
    containers: Vec<String>,
    image: Option<String>,
    haproxy: Option<Child>,
    dir: tempfile::TempDir,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(mut haproxy) = self.haproxy.take() {
            let _ = haproxy.kill();
            let _ = haproxy.wait();
        }
        if !self.containers.is_empty() {
            let _ = Command::new("docker")
                .args(["rm", "-f"])
                .args(&self.containers)
                .output();
        }
        if let Some(image) = &self.image {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

#[test]
fn three_containers_behind_haproxy() {
    require_tools();
    let (hello, cli) = build_static();
    let mut lab = Lab {
        tag: format!("instance-id-e2e-{}", std::process::id()),
        containers: Vec::new(),
        image: None,
        haproxy: None,
        dir: tempfile::tempdir().expect("a temporary directory"),
    };

    // An image FROM scratch: the static binary alone, no base image, no registry.
    let image = import_image(lab.dir.path(), &hello, &lab.tag);
    lab.image = Some(image.clone());

    // The seed's two hosts and three ports, on loopback.
    let (p1, p2, front) = (free_port(), free_port(), free_port());
    let copies = [
        ("1", "127.0.0.1", p1, vec!["--cgroupns", "host"]),
        ("2", "127.0.0.1", p2, vec!["--cgroupns", "private"]),
        (
            "3",
            "127.0.0.2",
            p1,
            vec!["--cgroupns", "private", "--hostname", "web-3"],
        ),
    ];
    let mut ids = Vec::new();
    for (n, address, port, extra) in &copies {
        let name = format!("{}-{n}", lab.tag);
        let (address_env, port_env) = (
            format!("ROCKET_ADDRESS={address}"),
            format!("ROCKET_PORT={port}"),
        );
        let mut args = vec!["run", "-d", "--name", &name, "--network", "host"];
        args.extend(extra.iter().copied());
        args.extend([
            "-e",
            &address_env,
            "-e",
            &port_env,
            "-e",
            "ROCKET_LOG_LEVEL=normal",
            &image,
        ]);
        let started = run("docker", &args);
        lab.containers.push(name.clone());
        let id = stdout(&run("docker", &["inspect", "--format", "{{.Id}}", &name]));
        assert_eq!(
            stdout(&started),
            id,
            "docker run and docker inspect disagree"
        );
        ids.push((id, format!("http://{address}:{port}")));
    }
    let ports = [p1, p2, front];

    // Each container's own /inst names itself; header and body agree; JSON says how.
    for ((id, base), source) in ids.iter().zip(["cgroup", "mountinfo", "mountinfo"]) {
        wait_for(&format!("{base}/inst"), Duration::from_secs(30), || {
            matches!(get(&format!("{base}/inst"), "*/*"), Ok((200, ..)))
        });
        let (status, headers, body) = get(&format!("{base}/inst"), "*/*").expect("an answer");
        assert_eq!(status, 200);
        assert_eq!(
            body,
            format!("{id}\n"),
            "{base} does not name its own container"
        );
        assert_eq!(header_value(&headers, "x-instance-id"), Some(id.as_str()));
        assert_eq!(header_value(&headers, "cache-control"), Some("no-store"));
        let (_, headers, json) =
            get(&format!("{base}/inst"), "application/json").expect("an answer");
        let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(json["id"], id.as_str());
        assert_eq!(json["source"], source, "{base}");
        assert_eq!(json["runtime"], "docker", "{base}");
        assert_eq!(header_value(&headers, "x-instance-id"), Some(id.as_str()));
        for path in ["/inst", "/", "/nowhere"] {
            for accept in ["*/*", "application/json", "text/html"] {
                let (_, headers, body) = get(&format!("{base}{path}"), accept).expect("an answer");
                assert_no_address(&format!("{headers}\n{body}"), &ports);
            }
        }
    }

    // From what a user reads back to the container: full, short and hashed ids, each
    // resolved against the real daemon.
    for ((id, _), name) in ids.iter().zip(&lab.containers) {
        let hashed = instance_id::hash_id(b"e2e-key", id);
        for (token, how) in [
            (id.as_str(), "the full id"),
            (&id[..12], "the short id"),
            (&hashed, "the hashed id"),
        ] {
            let out = Command::new(&cli)
                .args(["resolve", token, "--key-env", "INSTANCE_ID_E2E_KEY"])
                .env("INSTANCE_ID_E2E_KEY", "e2e-key")
                .stdin(Stdio::null())
                .output()
                .expect("instance-id resolve runs");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "resolve {token}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                text.starts_with(&format!("container {name} (matched {how})")),
                "{text}"
            );
            assert!(text.contains(&format!("id:      {id}")), "{text}");
            assert!(text.contains("state:   running"), "{text}");
            assert!(
                text.contains(&format!("next: docker logs --since 15m {name}")),
                "{text}"
            );
        }
    }
    let out = Command::new(&cli)
        .args(["resolve", "0123456789ab"])
        .output()
        .expect("resolve runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no container, running or exited"));

    // HAProxy: round robin, health-checked on the identity route.
    let config = lab.dir.path().join("haproxy.cfg");
    std::fs::write(
        &config,
        format!(
            "global\n  maxconn 256\n\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n  retries 2\n  option redispatch\n\n\
             frontend web\n  bind 127.0.0.1:{front}\n  default_backend copies\n\n\
             backend copies\n  balance roundrobin\n  option httpchk GET /inst\n  default-server check inter 500ms fall 2 rise 1\n\
             \x20 server copy1 127.0.0.1:{p1}\n  server copy2 127.0.0.1:{p2}\n  server copy3 127.0.0.2:{p1}\n"
        ),
    )
    .expect("write haproxy.cfg");
    let haproxy = Command::new("haproxy")
        .args(["-db", "-f", path(&config)])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("haproxy starts");
    lab.haproxy = Some(haproxy);
    let url = format!("http://127.0.0.1:{front}/inst");
    let all: BTreeSet<String> = ids.iter().map(|(id, _)| id.clone()).collect();
    wait_for(
        "all three copies healthy behind HAProxy",
        Duration::from_secs(30),
        || {
            let report = probe(&cli, &url, 30);
            report["errors"] == 0 && ids_of(&report) == all
        },
    );

    // Through HAProxy: exactly the three ids docker reports, evenly spread.
    let report = probe(&cli, &url, 300);
    println!("through HAProxy: {report}");
    assert_eq!(report["requests"], 300);
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(ids_of(&report), all, "{report}");
    for instance in report["instances"].as_array().expect("instances") {
        let count = instance["count"].as_u64().expect("a count");
        assert!((90..=110).contains(&count), "uneven round robin: {report}");
        assert!(instance["p50_ms"].as_f64().is_some() && instance["p99_ms"].as_f64().is_some());
    }
    for accept in ["*/*", "application/json"] {
        let (status, headers, body) = get(&url, accept).expect("an answer");
        assert_eq!(status, 200);
        let id = header_value(&headers, "x-instance-id").expect("the header through HAProxy");
        assert!(all.contains(id), "{id}");
        assert!(body.contains(id), "header and body disagree: {id} / {body}");
        assert_no_address(&format!("{headers}\n{body}"), &ports);
    }

    // Stop one copy: within seconds every request is answered, by the other two only.
    let (stopped, _) = &ids[1];
    run("docker", &["stop", "-t", "1", &lab.containers[1]]);
    let remaining: BTreeSet<String> = all.iter().filter(|id| *id != stopped).cloned().collect();
    wait_for(
        "HAProxy to route around the stopped copy",
        Duration::from_secs(10),
        || {
            let report = probe(&cli, &url, 30);
            report["errors"] == 0 && ids_of(&report) == remaining
        },
    );
    let report = probe(&cli, &url, 200);
    println!("after stopping one copy: {report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(ids_of(&report), remaining, "{report}");

    // The stopped copy is still found from the id a user reported, with when it
    // exited, and the `docker logs` line still works on it.
    let out = Command::new(&cli)
        .args(["resolve", &stopped[..12]])
        .stdin(Stdio::null())
        .output()
        .expect("instance-id resolve runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = &lab.containers[1];
    assert!(
        text.starts_with(&format!("container {name} (matched the short id)")),
        "{text}"
    );
    assert!(text.contains("state:   exited"), "{text}");
    assert!(text.contains("\n  exited:  "), "{text}");
    assert!(
        text.contains(&format!("next: docker logs --since 15m {name}")),
        "{text}"
    );
    let logs = Command::new("docker")
        .args(["logs", "--since", "15m", name])
        .output()
        .expect("docker logs runs");
    assert!(logs.status.success(), "docker logs on the exited container");
}
