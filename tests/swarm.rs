//! Docker Swarm end to end: a service of three replicas of the `hello` example on the
//! host network, each binding its own loopback address (`127.0.0.{{.Task.Slot}}`),
//! behind HAProxy with three ways to balance (round robin, a cookie, the source
//! address), probed by virtual users; then a rolling update watched second by second.
//!
//! `cargo test --features e2e --test swarm -- --nocapture`
//!
//! Needs Docker and HAProxy (`.ci/run` installs both and starts `dockerd`); a daemon
//! that cannot form a swarm fails the suite, it never skips. The swarm, the service,
//! its containers, the image, HAProxy and any network the swarm made are removed on
//! success and failure alike.

mod support;

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::lab::{
    build_static, free_port, get, ids_of, import_image, parse_report, path, probe, probe_with,
    require_tools, run, stdout, wait_for,
};

/// Everything the run made, undone when it ends, however it ends.
struct Swarm {
    tag: String,
    service: Option<String>,
    image: Option<String>,
    haproxy: Option<Child>,
    /// Whether this run made the swarm, and so must leave it.
    joined: bool,
    /// The networks there were before: any other was the swarm's.
    networks_before: BTreeSet<String>,
    dir: tempfile::TempDir,
}

impl Drop for Swarm {
    fn drop(&mut self) {
        if let Some(mut haproxy) = self.haproxy.take() {
            let _ = haproxy.kill();
            let _ = haproxy.wait();
        }
        if let Some(service) = &self.service {
            let _ = Command::new("docker")
                .args(["service", "rm", service])
                .output();
            // The tasks' containers, running or exited, go with it.
            let label = format!("label=com.docker.swarm.service.name={service}");
            for _ in 0..100 {
                let left = containers(&label);
                if left.is_empty() {
                    break;
                }
                let _ = Command::new("docker")
                    .args(["rm", "-f"])
                    .args(&left)
                    .output();
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        if let Some(image) = &self.image {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
        if self.joined {
            let _ = Command::new("docker")
                .args(["swarm", "leave", "--force"])
                .output();
            for network in networks().difference(&self.networks_before) {
                let _ = Command::new("docker")
                    .args(["network", "rm", network])
                    .output();
            }
        }
    }
}

/// Every container, running or exited, that matches a `docker ps` filter.
fn containers(filter: &str) -> Vec<String> {
    Command::new("docker")
        .args(["ps", "-aq", "--no-trunc", "--filter", filter])
        .output()
        .map(|out| stdout(&out).lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn networks() -> BTreeSet<String> {
    Command::new("docker")
        .args(["network", "ls", "--format", "{{.Name}}"])
        .output()
        .map(|out| stdout(&out).lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The service's running tasks: (slot, container id), as `docker ps` and the task
/// names (`<service>.<slot>.<task id>`) give them.
fn running_tasks(service: &str) -> Vec<(u32, String)> {
    let out = run(
        "docker",
        &[
            "ps",
            "--no-trunc",
            "--filter",
            &format!("label=com.docker.swarm.service.name={service}"),
            "--format",
            r#"{{.ID}} {{.Label "com.docker.swarm.task.name"}}"#,
        ],
    );
    let mut tasks: Vec<(u32, String)> = stdout(&out)
        .lines()
        .filter_map(|line| {
            let (id, task) = line.split_once(' ')?;
            let slot = task.split('.').nth(1)?.parse().ok()?;
            Some((slot, id.to_owned()))
        })
        .collect();
    tasks.sort();
    tasks
}

/// One field of HAProxy's statistics (`/stats;csv`): the row of proxy `proxy` and
/// server `server` (`FRONTEND` for the frontend itself), the column `field`.
fn haproxy_stat(csv_url: &str, proxy: &str, server: &str, field: &str) -> Option<String> {
    let (status, _, csv) = get(csv_url, "*/*").ok()?;
    if status != 200 {
        return None;
    }
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next()?.trim_start_matches("# ").split(',').collect();
    let column = header.iter().position(|name| *name == field)?;
    lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .find(|row| row.first() == Some(&proxy) && row.get(1) == Some(&server))
        .and_then(|row| row.get(column).map(|value| value.to_string()))
}

/// The instances a second of the timeline names.
fn instances_in(second: &serde_json::Value) -> BTreeSet<String> {
    second["instances"]
        .as_object()
        .expect("instances")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn a_swarm_service_behind_three_balancers() {
    require_tools();
    let state = stdout(&run(
        "docker",
        &["info", "--format", "{{.Swarm.LocalNodeState}}"],
    ));
    assert_eq!(
        state, "inactive",
        "this Docker daemon is already part of a swarm ({state}); the suite makes and leaves its own"
    );
    let builds = build_static();
    let cli = builds.cli.clone();
    let mut swarm = Swarm {
        tag: format!("instance-id-swarm-{}", std::process::id()),
        service: None,
        image: None,
        haproxy: None,
        joined: false,
        networks_before: networks(),
        dir: tempfile::tempdir().expect("a temporary directory"),
    };
    let init = Command::new("docker")
        .args(["swarm", "init", "--advertise-addr", "127.0.0.1"])
        .stdin(Stdio::null())
        .output()
        .expect("docker swarm init runs");
    assert!(
        init.status.success(),
        "Docker cannot form a swarm here:\n{}",
        String::from_utf8_lossy(&init.stderr)
    );
    swarm.joined = true;
    let image = import_image(swarm.dir.path(), &builds, &swarm.tag);
    swarm.image = Some(image.clone());

    // Three replicas on the host network, replica N on 127.0.0.N.
    let port = free_port();
    let service = swarm.tag.clone();
    run(
        "docker",
        &[
            "service",
            "create",
            "--detach",
            "--name",
            &service,
            "--replicas",
            "3",
            "--network",
            "host",
            "--env",
            "ROCKET_ADDRESS=127.0.0.{{.Task.Slot}}",
            "--env",
            &format!("ROCKET_PORT={port}"),
            "--env",
            "ROCKET_LOG_LEVEL=critical",
            // One task at a time, the old one stopped first: they share an address.
            "--update-parallelism",
            "1",
            "--update-order",
            "stop-first",
            "--update-delay",
            "2s",
            "--update-monitor",
            "2s",
            "--stop-grace-period",
            "5s",
            // No registry: the image is this node's own.
            "--no-resolve-image",
            &image,
        ],
    );
    swarm.service = Some(service.clone());
    let replica_url = |slot: u32| format!("http://127.0.0.{slot}:{port}/inst");
    wait_for("three replicas answering", Duration::from_secs(90), || {
        let tasks = running_tasks(&service);
        tasks.len() == 3
            && tasks
                .iter()
                .all(|(slot, _)| get(&replica_url(*slot), "*/*").is_ok_and(|(s, ..)| s == 200))
    });

    // Each replica names its own task's container, as docker gives it.
    let tasks = running_tasks(&service);
    assert_eq!(
        tasks.iter().map(|(slot, _)| *slot).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    for (slot, container) in &tasks {
        let (status, headers, body) = get(&replica_url(*slot), "*/*").expect("an answer");
        assert_eq!(status, 200);
        assert_eq!(body.trim(), container, "replica {slot}");
        assert!(
            headers.contains(&format!("x-instance-id: {container}")),
            "{headers}"
        );
    }
    let old: BTreeSet<String> = tasks.iter().map(|(_, id)| id.clone()).collect();

    // HAProxy in front, three ways, each health-checked on the identity route.
    let (round_robin, cookie, source, stats) = (free_port(), free_port(), free_port(), free_port());
    let servers = |cookies: bool| -> String {
        (1..=3)
            .map(|slot| {
                let cookie = if cookies {
                    format!(" cookie r{slot}")
                } else {
                    String::new()
                };
                format!("  server r{slot} 127.0.0.{slot}:{port}{cookie}\n")
            })
            .collect()
    };
    let backend = |name: &str, how: &str, cookies: bool| {
        format!(
            "frontend {name}\n  bind 127.0.0.1:{}\n  default_backend {name}_copies\n\n\
             backend {name}_copies\n{how}  option httpchk GET /inst\n  default-server check inter 500ms fall 2 rise 1\n{}\n",
            match name {
                "round_robin" => round_robin,
                "cookie" => cookie,
                _ => source,
            },
            servers(cookies)
        )
    };
    let config = swarm.dir.path().join("haproxy.cfg");
    std::fs::write(
        &config,
        format!(
            // A task stopped mid-exchange resets the connection of a request already
            // sent: L7 retries send that GET again, elsewhere.
            "global\n  maxconn 512\n\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n  retries 3\n  option redispatch 1\n  retry-on all-retryable-errors\n\n{}{}{}\
             listen stats\n  bind 127.0.0.1:{stats}\n  stats enable\n  stats uri /stats\n",
            backend("round_robin", "  balance roundrobin\n", false),
            backend("cookie", "  balance roundrobin\n  cookie SRV insert indirect nocache\n", true),
            backend("source", "  balance source\n", false),
        ),
    )
    .expect("write haproxy.cfg");
    swarm.haproxy = Some(
        Command::new("haproxy")
            .args(["-db", "-f", path(&config)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    let url = |front: u16| format!("http://127.0.0.1:{front}/inst");
    wait_for(
        "all three replicas healthy behind HAProxy",
        Duration::from_secs(30),
        || {
            let report = probe(&cli, &url(round_robin), 30);
            report["errors"] == 0 && ids_of(&report) == old
        },
    );

    // Seven users (prime to three replicas: a strict rotation cannot line them up).
    let users = ["-n", "210", "-c", "4", "--users", "7"];
    let sticky = probe_with(&cli, &url(cookie), &users);
    println!("cookie SRV insert: {sticky}");
    assert_eq!(sticky["errors"], 0, "{sticky}");
    assert_eq!(sticky["stickiness"], 1.0, "{sticky}");
    assert!(ids_of(&sticky).len() >= 2, "{sticky}");
    let rotating = probe_with(&cli, &url(round_robin), &users);
    println!("balance roundrobin: {rotating}");
    let stickiness = rotating["stickiness"].as_f64().expect("a stickiness");
    assert!(stickiness < 0.6, "{rotating}");
    let hashed = probe_with(&cli, &url(source), &users);
    println!("balance source: {hashed}");
    assert_eq!(hashed["stickiness"], 1.0, "{hashed}");

    // A rolling update, watched through HAProxy second by second: nothing dropped, the
    // old tasks at the start, the new ones at the end. Each step waits for an event:
    // the probe's requests counted by HAProxy, the update's own state, HAProxy's
    // health checks; the probe is then stopped by an interrupt, with its report.
    let csv = format!("http://127.0.0.1:{stats}/stats;csv");
    let sessions = || haproxy_stat(&csv, "round_robin", "FRONTEND", "stot");
    let before: u64 = sessions()
        .and_then(|n| n.parse().ok())
        .expect("HAProxy's session count");
    let watch = Command::new(&cli)
        .args([
            "probe",
            &url(round_robin),
            "--duration",
            "10m",
            "-c",
            "4",
            "--json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("probe runs");
    wait_for(
        "the probe's first request through HAProxy",
        Duration::from_secs(30),
        || sessions().and_then(|n| n.parse::<u64>().ok()) > Some(before),
    );
    // The probe's first second began before HAProxy counted its first request: once
    // a second more has passed, that whole second has been answered by the old tasks
    // alone, whatever the update does next. (The first of the two waits by the clock:
    // the timeline is read in seconds of it.)
    std::thread::sleep(Duration::from_millis(1100));
    run(
        "docker",
        &["service", "update", "--force", "--detach=false", &service],
    );
    wait_for("the update to complete", Duration::from_secs(120), || {
        let state = run(
            "docker",
            &[
                "service",
                "inspect",
                "--format",
                "{{.UpdateStatus.State}}",
                &service,
            ],
        );
        stdout(&state) == "completed"
    });
    // The update is complete only once its last task has run for --update-monitor
    // (2 s) after the last old task stopped: every second of the probe that begins from
    // here on is answered by new tasks, as soon as HAProxy sees them up.
    wait_for(
        "HAProxy to see the new tasks up",
        Duration::from_secs(30),
        || {
            (1..=3).all(|slot| {
                haproxy_stat(&csv, "round_robin_copies", &format!("r{slot}"), "status").as_deref()
                    == Some("UP")
            })
        },
    );
    // Two seconds of the timeline after that: the last whole second before the
    // interrupt then lies after every new task was up. (The second wait by the clock,
    // for the same reason as the first.)
    std::thread::sleep(Duration::from_secs(2));
    let pid = i32::try_from(watch.id()).expect("a pid");
    run("kill", &["-INT", &pid.to_string()]);
    let report = parse_report(&watch.wait_with_output().expect("probe ends"));
    let timeline = report["timeline"].as_array().expect("a timeline");
    let new: BTreeSet<String> = running_tasks(&service)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    println!(
        "rolling update: {} requests, {} errors, {} seconds",
        report["requests"],
        report["errors"],
        timeline.len()
    );
    for second in timeline {
        println!("  {second}");
    }
    // The rollout as the probe tells it: the old tasks gave way to the new ones, and
    // nothing failed on the way.
    let rollout = &report["rollout"];
    println!("rollout: {rollout}");
    let listed = |ids: &serde_json::Value| -> BTreeSet<String> {
        ids.as_array()
            .expect("ids")
            .iter()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(listed(&rollout["from"]), old, "{rollout}");
    let to = listed(&rollout["to"]);
    assert!(!to.is_empty() && to.is_subset(&new), "{rollout}");
    assert_eq!(rollout["errors"], 0, "{rollout}");
    assert!(old.is_disjoint(&new), "the update replaced every task");
    assert_eq!(report["errors"], 0, "a request was dropped: {report}");
    assert!(report["interrupted_after_s"].is_number(), "{report}");
    assert!(timeline.len() >= 3, "{report}");
    let first = &timeline[0];
    let (last_whole, last) = (&timeline[timeline.len() - 2], &timeline[timeline.len() - 1]);
    assert_eq!(instances_in(first), old, "the first second");
    assert_eq!(instances_in(last_whole), new, "the last whole second");
    assert!(instances_in(last).is_subset(&new), "the last second");

    // The id a user reported before the update still leads to its container.
    let replaced = old.iter().next().expect("an old task");
    let out = Command::new(&cli)
        .args(["resolve", &replaced[..12]])
        .stdin(Stdio::null())
        .output()
        .expect("resolve runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("id:      {replaced}")), "{text}");
    assert!(text.contains(&format!("container {service}.")), "{text}");
    assert!(text.contains("state:   exited"), "{text}");
    println!("{text}");
}
