//! End to end, for real: a fleet of seven containers, three of the Rocket `hello`
//! example, two of `hello_axum` and two of `hello_actix`, built `FROM scratch` from
//! static binaries, behind one HAProxy on loopback, as a team with services on several
//! frameworks runs them.
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
    build_static, free_port, get, head, header_value, ids_of, import_image, path, post, probe,
    require_tools, run, stdout, wait_for,
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

/// The framework a copy runs: the examples answer alike, but for what Rocket itself
/// decides (a request with the wrong method is Rocket's 404, Axum's and actix-web's 405).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Framework {
    Rocket,
    Axum,
    Actix,
}

#[test]
fn a_rocket_axum_and_actix_fleet_behind_haproxy() {
    require_tools();
    let builds = build_static();
    let cli = builds.cli.clone();
    let mut lab = Lab {
        tag: format!("instance-id-e2e-{}", std::process::id()),
        containers: Vec::new(),
        image: None,
        haproxy: None,
        dir: tempfile::tempdir().expect("a temporary directory"),
    };

    // An image FROM scratch: the static binaries alone, no base image, no registry.
    let image = import_image(lab.dir.path(), &builds, &lab.tag);
    lab.image = Some(image.clone());

    // The seed's two hosts and three ports on loopback, and two Axum and two actix-web
    // copies on 127.0.0.1 (those examples listen there only). Host and private cgroup
    // namespaces on each side: the id comes from the cgroup path in one and from
    // mountinfo in the other.
    let (p1, p2, p3, p4, p5, p6, front) = (
        free_port(),
        free_port(),
        free_port(),
        free_port(),
        free_port(),
        free_port(),
        free_port(),
    );
    use Framework::{Actix, Axum, Rocket};
    let copies = [
        (
            "1",
            Rocket,
            "127.0.0.1",
            p1,
            vec!["--cgroupns", "host"],
            "cgroup",
        ),
        (
            "2",
            Rocket,
            "127.0.0.1",
            p2,
            vec!["--cgroupns", "private"],
            "mountinfo",
        ),
        (
            "3",
            Rocket,
            "127.0.0.2",
            p1,
            vec!["--cgroupns", "private", "--hostname", "web-3"],
            "mountinfo",
        ),
        (
            "4",
            Axum,
            "127.0.0.1",
            p3,
            vec!["--cgroupns", "host"],
            "cgroup",
        ),
        (
            "5",
            Axum,
            "127.0.0.1",
            p4,
            vec!["--cgroupns", "private"],
            "mountinfo",
        ),
        (
            "6",
            Actix,
            "127.0.0.1",
            p5,
            vec!["--cgroupns", "host"],
            "cgroup",
        ),
        (
            "7",
            Actix,
            "127.0.0.1",
            p6,
            vec!["--cgroupns", "private"],
            "mountinfo",
        ),
    ];
    let mut ids = Vec::new();
    for (n, framework, address, port, extra, _) in &copies {
        let name = format!("{}-{n}", lab.tag);
        let mut args = vec!["run", "-d", "--name", &name, "--network", "host"];
        args.extend(extra.iter().copied());
        let environment = match framework {
            Rocket => vec![
                format!("ROCKET_ADDRESS={address}"),
                format!("ROCKET_PORT={port}"),
                "ROCKET_LOG_LEVEL=normal".to_owned(),
            ],
            Axum | Actix => vec![format!("PORT={port}")],
        };
        for variable in &environment {
            args.extend(["-e", variable.as_str()]);
        }
        match framework {
            Rocket => {}
            Axum => args.extend(["--entrypoint", "/hello_axum"]),
            Actix => args.extend(["--entrypoint", "/hello_actix"]),
        }
        args.push(&image);
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
    let ports = [p1, p2, p3, p4, p5, p6, front];

    // Each container's own /inst names itself; header and body agree; JSON says how;
    // every response carries the header, none an address or a port.
    for ((id, base), (_, framework, .., source)) in ids.iter().zip(&copies) {
        let at = format!("{base} ({framework:?})");
        let inst = format!("{base}/inst");
        wait_for(&inst, Duration::from_secs(30), || {
            matches!(get(&inst, "*/*"), Ok((200, ..)))
        });
        let (status, headers, body) = get(&inst, "*/*").expect("an answer");
        assert_eq!(status, 200, "{at}");
        assert_eq!(
            body,
            format!("{id}\n"),
            "{at} does not name its own container"
        );
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );
        assert_eq!(
            header_value(&headers, "cache-control"),
            Some("no-store"),
            "{at}"
        );
        let (_, headers, json) = get(&inst, "application/json").expect("an answer");
        let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(json["id"], id.as_str(), "{at}");
        assert_eq!(json["source"], *source, "{at}");
        assert_eq!(json["runtime"], "docker", "{at}");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );

        let (status, headers, page) = get(&inst, "text/html").expect("an answer");
        assert_eq!(status, 200, "{at}");
        assert!(page.contains(id.as_str()), "{at}: {page}");
        let csp = header_value(&headers, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("'sha256-"),
            "{at}: {csp:?}"
        );

        let (status, headers, body) = get(&inst, "*/*;q=0").expect("an answer");
        assert_eq!(status, 406, "{at}: {body}");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );

        let (status, headers, body) = head(&inst).expect("an answer");
        assert_eq!((status, body.as_str()), (200, ""), "{at}: HEAD");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );

        let (status, headers, body) = get(&format!("{base}/"), "*/*").expect("an answer");
        assert_eq!((status, body.as_str()), (200, "hello"), "{at}");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );
        let (status, headers, _) = get(&format!("{base}/nowhere"), "*/*").expect("an answer");
        assert_eq!(status, 404, "{at}");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );
        let (status, headers, _) = post(&inst).expect("an answer");
        let wrong_method = if *framework == Rocket { 404 } else { 405 };
        assert_eq!(status, wrong_method, "{at}: POST /inst");
        assert_eq!(
            header_value(&headers, "x-instance-id"),
            Some(id.as_str()),
            "{at}"
        );

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
             \x20 server copy1 127.0.0.1:{p1}\n  server copy2 127.0.0.1:{p2}\n  server copy3 127.0.0.2:{p1}\n\
             \x20 server copy4 127.0.0.1:{p3}\n  server copy5 127.0.0.1:{p4}\n\
             \x20 server copy6 127.0.0.1:{p5}\n  server copy7 127.0.0.1:{p6}\n"
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
        "all seven copies healthy behind HAProxy",
        Duration::from_secs(30),
        || {
            let report = probe(&cli, &url, 50);
            report["errors"] == 0 && ids_of(&report) == all
        },
    );

    // Through HAProxy: exactly the seven ids docker reports, evenly spread.
    let report = probe(&cli, &url, 700);
    println!("through HAProxy: {report}");
    assert_eq!(report["requests"], 700);
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

    // Stop one copy: within seconds every request is answered, by the other six only.
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
