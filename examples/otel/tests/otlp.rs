//! End to end: the example, run as its own process on a snapshot of a Docker
//! container, exports one span over OTLP/HTTP to a receiver on loopback that this
//! test runs; the request is decoded with OpenTelemetry's own protobuf types, and the
//! resource attributes that arrive are the instance's. An export that fails, whatever
//! the collector did (not there, never answering, not speaking HTTP, 500, 429 with
//! `Retry-After`, a redirect), ends the example with exit 1 and the cause in words,
//! once the exporter's own retries are spent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use prost::Message;
use tokio::sync::mpsc;

/// Generous: the example exports within milliseconds; this only turns a hang into a
/// failure.
const HANG: Duration = Duration::from_secs(30);

/// The semantic conventions' namespace for `service.instance.id`.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fixtures")
        .join(name)
}

/// Runs the example against `endpoint`, killing it if it hangs.
fn run_example(endpoint: &str, root: &Path) -> Output {
    run_example_with(endpoint, root, &[])
}

/// [`run_example`] with more environment (the exporter's timeout).
fn run_example_with(endpoint: &str, root: &Path, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_instance-id-otel-example"))
        .arg("--root")
        .arg(root)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env_remove("OTEL_EXPORTER_OTLP_TIMEOUT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT")
        .envs(env.iter().copied())
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .env_remove("OTEL_RESOURCE_ATTRIBUTES")
        .env_remove("OTEL_SERVICE_NAME")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let deadline = Instant::now() + HANG;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the example did not finish within {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_span_arrives_with_the_instance_resource() {
    let (send, mut received) = mpsc::channel::<Bytes>(4);
    let app = Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| async move {
            let _ = send.send(body).await;
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/x-protobuf")],
                ExportTraceServiceResponse::default().encode_to_vec(),
            )
        }),
    );
    let (listener, endpoint) = loopback().await;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let root = fixture("docker-private-cgroupns");
    let out = {
        let root = root.clone();
        tokio::task::spawn_blocking(move || run_example(&endpoint, &root))
            .await
            .expect("the runner")
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let body = tokio::time::timeout(HANG, received.recv())
        .await
        .expect("a request within the time")
        .expect("a request");
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP trace request");
    assert_eq!(request.resource_spans.len(), 1, "{request:?}");
    let spans = &request.resource_spans[0];
    let names: Vec<&str> = spans
        .scope_spans
        .iter()
        .flat_map(|scope| scope.spans.iter().map(|span| span.name.as_str()))
        .collect();
    assert_eq!(names, ["hello"]);

    let resource = spans.resource.as_ref().expect("a resource");
    let attributes: BTreeMap<&str, &str> = resource
        .attributes
        .iter()
        .filter_map(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(text) => Some((kv.key.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    let expected = std::fs::read_to_string(root.join("expected")).expect("expected");
    let id = expected.lines().next().unwrap_or("").trim();
    let uuid = uuid::Uuid::new_v5(&NAMESPACE, id.as_bytes()).to_string();
    // Python 3: uuid.uuid5(uuid.UUID("4d63009a-8d0f-11ee-aad7-4c796ed8e320"), id)
    assert_eq!(uuid, "c5cd6699-3b39-53c6-8cc9-8290de241d5d");
    for (key, value) in [
        ("service.name", "instance-id-otel-example"),
        ("service.instance.id", uuid.as_str()),
        ("container.id", id),
        ("container.runtime.name", "docker"),
        ("host.name", "f567d2d70907"),
    ] {
        assert_eq!(
            attributes.get(key).copied(),
            Some(value),
            "{key} in {attributes:?}"
        );
    }
    assert!(
        !attributes.keys().any(|key| key.starts_with("k8s.")),
        "{attributes:?}"
    );
}

/// A listener on a free loopback port, and its address as an endpoint.
async fn loopback() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
    (listener, endpoint)
}

/// The exporter's timeout in the failure tests: each attempt, and the retries in all.
const EXPORT_TIMEOUT_MS: &str = "2000";

/// Runs the example against `endpoint` (a collector this test runs, or nothing) on a
/// container's snapshot; asserts that it failed, in time, naming `cause`.
async fn fails_naming(endpoint: String, cause: &[&str]) -> String {
    let root = fixture("docker-private-cgroupns");
    let start = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        run_example_with(
            &endpoint,
            &root,
            &[("OTEL_EXPORTER_OTLP_TIMEOUT", EXPORT_TIMEOUT_MS)],
        )
    })
    .await
    .expect("the runner");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("instance-id-otel-example: the span was not exported: "),
        "{stderr}"
    );
    for words in cause {
        assert!(stderr.contains(words), "{words:?} not in: {stderr}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}: {stderr}",
        start.elapsed()
    );
    stderr
}

/// A collector on loopback that answers every export with `answer`, counting them.
async fn collector(
    answer: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&seen);
    let app = Router::new().route(
        "/v1/traces",
        post(move || {
            let answer = answer.clone();
            let counted = Arc::clone(&counted);
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                answer()
            }
        }),
    );
    let (listener, endpoint) = loopback().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    (endpoint, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_is_not_there() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
    drop(listener);
    fails_naming(endpoint, &["network error", "Connection refused"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_never_answers() {
    let (listener, endpoint) = loopback().await;
    // Accepts, reads, and says nothing, holding every connection open.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    fails_naming(endpoint, &["network error", "deadline has elapsed"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_answers_garbage() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (listener, endpoint) = loopback().await;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(b"\x00\x01SSH-2.0-garbage\r\n\r\n").await;
            });
        }
    });
    fails_naming(endpoint, &["network error", "invalid HTTP"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_fails() {
    let (endpoint, seen) =
        collector(|| (StatusCode::INTERNAL_SERVER_ERROR, "disk full").into_response()).await;
    fails_naming(endpoint, &["status code: 500", "500 Internal Server Error"]).await;
    // OTLP/HTTP retries no 500.
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_throttles() {
    let (endpoint, seen) = collector(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "slow down",
        )
            .into_response()
    })
    .await;
    fails_naming(
        endpoint,
        &[
            "status code: 429",
            "429 Too Many Requests",
            "Retry-After \"1\"",
        ],
    )
    .await;
    // The exporter waited as asked and tried again before giving up.
    assert!(seen.load(Ordering::SeqCst) >= 2, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_redirects() {
    let (endpoint, seen) = collector(|| {
        (
            StatusCode::TEMPORARY_REDIRECT,
            // A terminal would obey these: the right-to-left override, a tab.
            [(header::LOCATION, "http://127.0.0.1:9/v1/\u{202e}traces\tx")],
        )
            .into_response()
    })
    .await;
    let stderr = fails_naming(
        endpoint,
        &[
            "status code: 307",
            "307 Temporary Redirect, a redirect the exporter does not follow",
            "to \"http://127.0.0.1:9/v1/\\u{202e}traces\\tx\"",
        ],
    )
    .await;
    assert!(!stderr.contains(['\u{202e}', '\t']), "{stderr:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
