//! The `ecs` strategy against a real HTTP server on 127.0.0.1: the documented answer,
//! and slow, huge, non-JSON and failing ones, each a reason and never a hang.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use instance_id::{detect, Chain, Outcome, Strategy, SystemView};

/// How the test server answers.
#[derive(Clone, Copy)]
enum Answer {
    Documented,
    Status404,
    NotJson,
    Huge,
    NoDockerId,
    /// Accepts, then says nothing for longer than the client waits.
    Silent,
    /// Sends the headers, then one byte of body every 100 ms.
    Trickle,
}

/// The container metadata v4 example of the ECS documentation, abridged.
const DOCUMENTED: &str = r#"{
  "DockerId": "ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66",
  "Name": "curl",
  "DockerName": "ecs-curltest-24-curl-cca48e8dcadd97805600",
  "Image": "111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest",
  "Labels": {"com.amazonaws.ecs.cluster": "default"},
  "DesiredStatus": "RUNNING",
  "KnownStatus": "RUNNING",
  "Type": "NORMAL"
}"#;

/// Serves one connection with `answer` on a fresh port of 127.0.0.1; returns the URI.
fn serve(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            respond(stream, answer);
        }
    });
    format!("http://{address}/v4/ea32192c8553fbff06c9340478a2ff08-3822082590")
}

fn respond(mut stream: TcpStream, answer: Answer) {
    let mut request = [0u8; 4096];
    let _ = stream.read(&mut request);
    let ok = |body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let response = match answer {
        Answer::Documented => ok(DOCUMENTED),
        Answer::Status404 => {
            "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot found"
                .into()
        }
        Answer::NotJson => ok("<html>agent</html>"),
        Answer::Huge => ok(&format!("{{\"DockerId\": \"{}\"}}", "a".repeat(1 << 20))),
        Answer::NoDockerId => ok(r#"{"Name": "curl"}"#),
        Answer::Silent => {
            thread::sleep(Duration::from_secs(4));
            return;
        }
        Answer::Trickle => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4000\r\n\r\n");
            for _ in 0..40 {
                if stream.write_all(b"{").is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(100));
            }
            return;
        }
    };
    let _ = stream.write_all(response.as_bytes());
}

fn run_ecs(uri: &str) -> (Result<String, String>, Duration) {
    let view = SystemView::snapshot("/nonexistent")
        .with_env([("ECS_CONTAINER_METADATA_URI_V4", uri)])
        .with_network(true);
    let chain = Chain::new(Strategy::Ecs, []).expect("a chain");
    let start = Instant::now();
    let result = detect(&chain, &view)
        .map(|d| {
            assert_eq!(d.runtime.map(|r| r.as_str()), Some("ecs"));
            d.id.into_string()
        })
        .map_err(|none| {
            assert_eq!(none.attempts[0].outcome, Outcome::Failed);
            none.attempts[0].reason.clone()
        });
    (result, start.elapsed())
}

#[test]
fn documented_answer() {
    let (result, _) = run_ecs(&serve(Answer::Documented));
    assert_eq!(
        result,
        Ok("ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66".into())
    );
}

#[test]
fn bad_answers_are_reasons() {
    for (answer, expected) in [
        (Answer::Status404, "answered 404"),
        (Answer::NotJson, "did not answer JSON"),
        (Answer::Huge, "reading the answer"),
        (Answer::NoDockerId, "has no DockerId"),
    ] {
        let (result, _) = run_ecs(&serve(answer));
        let reason = result.expect_err("a reason");
        assert!(reason.contains(expected), "{reason}");
    }
}

#[test]
fn slow_answers_give_up_within_the_budget() {
    for answer in [Answer::Silent, Answer::Trickle] {
        let (result, took) = run_ecs(&serve(answer));
        let reason = result.expect_err("a timeout");
        assert!(reason.contains("ECS_CONTAINER_METADATA_URI_V4"), "{reason}");
        // The budget is one second; the servers would take four.
        assert!(took < Duration::from_secs(3), "took {took:?}: {reason}");
    }
}

#[test]
fn refused_connections_and_other_schemes() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (result, _) = run_ecs(&format!("http://127.0.0.1:{port}/v4/x"));
    assert!(result.expect_err("refused").contains("failed"));

    let (result, _) = run_ecs("https://127.0.0.1/v4/x");
    assert!(result
        .expect_err("https")
        .contains("only http:// is queried"));
}

/// An ECS `awsvpc` task on cgroup v2: `/etc/hostname`, `/etc/hosts` and
/// `/etc/resolv.conf` are the task's pause container's, and mountinfo, the only file
/// evidence, names it. The task metadata's `DockerId` overrules it, and says so.
#[test]
fn the_task_metadata_overrules_a_pause_containers_files() {
    let pause = "7b2c1e0f9a8d4c6b5e3f2a1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b";
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |file: &str, text: String| {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("proc/self/cgroup", "0::/\n".into());
    write(
        "proc/self/mountinfo",
        ["hostname", "hosts", "resolv.conf"]
            .iter()
            .enumerate()
            .map(|(n, file)| {
                let point = format!("/etc/{file}");
                format!("15{n} 1420 259:1 /var/lib/docker/containers/{pause}/{file} {point} rw,relatime - ext4 /dev/nvme0n1p1 rw\n")
            })
            .collect(),
    );
    let uri = serve(Answer::Documented);
    let view = SystemView::snapshot(dir.path())
        .with_env([("ECS_CONTAINER_METADATA_URI_V4", uri.as_str())])
        .with_network(true);
    let detection = detect(&Chain::default(), &view).expect("an id");
    assert_eq!(
        detection.id.as_str(),
        "ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66"
    );
    assert_eq!(detection.source, "ecs");
    let mountinfo = &detection.attempts[1];
    assert_eq!(mountinfo.strategy, "mountinfo");
    assert_eq!(mountinfo.outcome, Outcome::Overruled);
    assert!(mountinfo.reason.contains(pause), "{}", mountinfo.reason);
    assert!(
        mountinfo.reason.contains("pause container"),
        "{}",
        mountinfo.reason
    );
    let outcomes: Vec<_> = detection
        .attempts
        .iter()
        .map(|a| (a.strategy.as_str(), a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("cgroup", Outcome::Failed),
            ("mountinfo", Outcome::Overruled),
            ("podman", Outcome::NotReached),
            ("kubernetes", Outcome::NotReached),
            ("ecs", Outcome::Found),
            ("platform", Outcome::NotReached),
            ("process", Outcome::NotReached),
        ]
    );

    // Where the metadata cannot be had, the files' answer stands, and says why.
    let view = SystemView::snapshot(dir.path())
        .with_env([("ECS_CONTAINER_METADATA_URI_V4", "http://127.0.0.1:9/v4/x")])
        .with_network(true);
    let detection = detect(&Chain::default(), &view).expect("an id");
    assert_eq!(detection.id.as_str(), pause);
    assert!(
        detection.attempts[1]
            .reason
            .contains("ecs was asked too and had no answer"),
        "{}",
        detection.attempts[1].reason
    );
}

/// `testdata/snapshots/ecs-snapshot-no-network` says that a snapshot never queries the
/// ECS endpoint. Its own URI is link-local, so the property is shown with the same
/// folder pointed at a server on 127.0.0.1 that would answer with an id: a snapshot's
/// view leaves it unasked, and the same view with the network allowed asks it (which
/// is what makes the first half able to fail).
#[test]
fn a_snapshot_never_queries_the_endpoint() {
    let folder = support::testdata().join("snapshots/ecs-snapshot-no-network");
    let expected = support::expected(&folder);
    let args = std::fs::read_to_string(folder.join("args")).expect("args");
    let args: Vec<&str> = args.split_whitespace().collect();
    let chain = support::chain(&args);
    assert_eq!(
        chain,
        Chain::new(Strategy::Ecs, [Strategy::Hostname]).expect("a chain"),
        "the folder's chain"
    );

    // The folder as it is: the ecs attempt says why it did not ask.
    let detection = detect(&chain, &SystemView::snapshot(&folder)).expect("the fallback answers");
    assert_eq!(detection.id.as_str(), expected);
    assert_eq!(detection.attempts[0].outcome, Outcome::Failed);
    assert!(
        detection.attempts[0]
            .reason
            .contains("a snapshot never queries the network"),
        "{}",
        detection.attempts[0].reason
    );

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).expect("non-blocking");
    let uri = format!(
        "http://{}/v4/abc",
        listener.local_addr().expect("local address")
    );
    let view = SystemView::snapshot(&folder).with_env([("ECS_CONTAINER_METADATA_URI_V4", &uri)]);
    let detection = detect(&chain, &view).expect("the fallback answers");
    assert_eq!(detection.id.as_str(), expected);
    match listener.accept() {
        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok(_) => panic!("a snapshot's detection connected to the ECS endpoint"),
        Err(err) => panic!("accept: {err}"),
    }

    // Allowed the network, the same view asks: the server above would have seen it.
    listener.set_nonblocking(false).expect("blocking");
    let server = thread::spawn(move || {
        listener
            .accept()
            .map(|(stream, _)| respond(stream, Answer::Documented))
            .is_ok()
    });
    let detection = detect(&chain, &view.with_network(true)).expect("an id");
    assert!(server.join().expect("the server thread"), "no connection");
    assert_eq!(
        detection.id.as_str(),
        "ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66"
    );
}
