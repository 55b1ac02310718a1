//! `instance-id resolve --kubernetes` against an API server started here on 127.0.0.1:
//! https with a certificate from a CA made at test time, a kubeconfig that carries
//! that CA as `certificate-authority-data` and a bearer token, and the Kubernetes
//! API's own JSON (`PodList` pages with `metadata.continue`, `Status` objects for
//! refusals), read by the real binary through the real client.

#![cfg(feature = "kubernetes")]

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};

use support::{run_with_env, run_without};

const TOKEN: &str = "test-token-3f2a9c";
const APP: &str = "3f2a9c4be7d1f0a8c6b5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a090";
const OLD: &str = "9e8d7c6b5a4938271605f4e3d2c1b0a99e8d7c6b5a4938271605f4e3d2c1b0a9";
const SIDECAR: &str = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";
const DEBUG: &str = "77aa0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccdd";
const DB: &str = "1f2a2f8253c2e7400fa30ac6155df075eec6219a538878ee829aaf4054372c02";
const WEB_UID: &str = "0b6c2d7e-51f3-4c4a-9d3e-8f1a2b3c4d5e";

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: HashMap<String, String>,
    authorization: Option<String>,
}

type Handler = dyn Fn(&Seen, &mut dyn Write) + Send + Sync;

/// A CA made here, and the PEM of its certificate.
struct Authority {
    key: KeyPair,
    cert: rcgen::Certificate,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("a CA key");
        let cert = params.self_signed(&key).expect("a CA certificate");
        Authority { key, cert }
    }

    /// A server certificate for 127.0.0.1, signed by this CA.
    fn leaf(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let key = KeyPair::generate().expect("a key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("a certificate");
        (
            cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

/// An API server on 127.0.0.1 over https, whose every request (one per connection) is
/// handed to `handler`. Returns its URL and the CA that signed its certificate.
fn api_server(
    handler: impl Fn(&Seen, &mut dyn Write) + Send + Sync + 'static,
) -> (String, Authority) {
    let authority = Authority::new("instance-id test cluster CA");
    let (cert, key) = authority.leaf();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("a server config");
    let config = Arc::new(config);
    let handler: Arc<Handler> = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (config, handler) = (config.clone(), handler.clone());
            thread::spawn(move || serve(stream, config, &*handler));
        }
    });
    (format!("https://{address}"), authority)
}

fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, handler: &Handler) {
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let target = text.split_whitespace().nth(1).unwrap_or("").to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let authorization = text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_owned())
    });
    let seen = Seen {
        path: path.to_owned(),
        query,
        authorization,
    };
    handler(&seen, &mut tls);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A whole JSON answer with its status line.
fn respond(out: &mut dyn Write, status: &str, body: &Value) {
    let body = body.to_string();
    let _ = write!(
        out,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The API's `Status` object for a refusal.
fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

/// What the API server answers for a path it does not serve.
fn not_found(out: &mut dyn Write) {
    respond(
        out,
        "404 Not Found",
        &status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    );
}

fn pod_list(items: &[Value], next: Option<&str>) -> Value {
    let mut metadata = json!({"resourceVersion": "4711"});
    if let Some(next) = next {
        metadata["continue"] = json!(next);
    }
    json!({"kind": "PodList", "apiVersion": "v1", "metadata": metadata, "items": items})
}

/// A container's status as the kubelet reports it.
fn container(name: &str, id: &str, image: &str) -> Value {
    json!({"name": name, "containerID": id, "image": image,
           "imageID": format!("{image}@sha256:{}", "0".repeat(64)), "ready": true,
           "restartCount": 0, "started": true,
           "state": {"running": {"startedAt": "2026-11-25T07:48:53Z"}}})
}

fn pod(namespace: &str, name: &str, uid: &str, node: &str, statuses: Value) -> Value {
    let mut status = json!({"phase": "Running", "startTime": "2026-11-25T07:40:00Z",
        "conditions": [{"type": "Ready", "status": "True"}]});
    if let Value::Object(more) = statuses {
        for (k, v) in more {
            status[k] = v;
        }
    }
    json!({"metadata": {"name": name, "namespace": namespace, "uid": uid},
           "spec": {"nodeName": node, "containers": []},
           "status": status})
}

/// The shop's web pod: an app container that restarted after an OOM kill (its
/// previous id in `lastState`), a native sidecar (an init container still running),
/// and an ephemeral debug container that exited.
fn web_pod() -> Value {
    let mut app = container("app", &format!("containerd://{APP}"), "shop:1.4");
    app["restartCount"] = json!(3);
    app["lastState"] = json!({"terminated": {"containerID": format!("containerd://{OLD}"),
        "exitCode": 137, "reason": "OOMKilled",
        "startedAt": "2026-11-25T07:41:00Z", "finishedAt": "2026-11-25T07:48:50Z"}});
    let sidecar = container("proxy", &format!("cri-o://{SIDECAR}"), "envoy:1.31");
    let mut debug = container("debugger", &format!("docker://{DEBUG}"), "busybox:1");
    debug["ready"] = json!(false);
    debug["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed",
        "containerID": format!("docker://{DEBUG}")}});
    pod(
        "shop",
        "web-7d9c-x2x",
        WEB_UID,
        "node-a",
        json!({"containerStatuses": [app], "initContainerStatuses": [sidecar],
               "ephemeralContainerStatuses": [debug]}),
    )
}

fn db_pod() -> Value {
    pod(
        "data",
        "db-0",
        "d1d2d3d4-0000-4000-8000-000000000001",
        "node-b",
        json!({"containerStatuses": [container("postgres", &format!("containerd://{DB}"), "postgres:17")]}),
    )
}

/// A server that lists `pods` (filtered by namespace on a namespaced path), in pages
/// of the client's `limit`, after checking the bearer token.
fn cluster(pods: Vec<Value>) -> (String, Authority) {
    api_server(move |seen, out| {
        if seen.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
            return respond(
                out,
                "401 Unauthorized",
                &status(401, "Unauthorized", "Unauthorized"),
            );
        }
        let namespace = seen
            .path
            .strip_prefix("/api/v1/namespaces/")
            .and_then(|rest| rest.strip_suffix("/pods"));
        if seen.path != "/api/v1/pods" && namespace.is_none() {
            return not_found(out);
        }
        let selected: Vec<&Value> = pods
            .iter()
            .filter(|p| namespace.is_none_or(|ns| p["metadata"]["namespace"] == ns))
            .collect();
        let limit: usize = seen
            .query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(usize::MAX);
        let from: usize = seen
            .query
            .get("continue")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let page: Vec<Value> = selected
            .iter()
            .skip(from)
            .take(limit)
            .map(|p| (*p).clone())
            .collect();
        let next = (from + limit < selected.len()).then(|| (from + limit).to_string());
        respond(out, "200 OK", &pod_list(&page, next.as_deref()));
    })
}

/// A kubeconfig in `dir` for `server`, trusting `ca`, with the test's bearer token;
/// its current context is `test`, and a second context, `other`, exists.
fn kubeconfig(dir: &Path, server: &str, ca: &Authority, token: &str) -> PathBuf {
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca.cert.pem());
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test-cluster\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca_data}\n- name: other-cluster\n  cluster:\n    server: https://127.0.0.1:9\ncontexts:\n- name: test\n  context:\n    cluster: test-cluster\n    user: operator\n- name: other\n  context:\n    cluster: other-cluster\n    user: operator\nusers:\n- name: operator\n  user:\n    token: {token}\n"
    );
    let path = dir.join("config");
    std::fs::write(&path, text).expect("write the kubeconfig");
    path
}

/// `instance-id resolve --kubernetes ARGS…` with KUBECONFIG at `config`.
fn resolve(config: &Path, args: &[&str]) -> Output {
    resolve_with_env(config, args, &[])
}

fn resolve_with_env(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["resolve", "--kubernetes"];
    all.extend_from_slice(args);
    let config = config.to_str().expect("a UTF-8 path");
    let mut env = env.to_vec();
    env.push(("KUBECONFIG", config));
    run_with_env(&all, &env)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}{}", stdout(out), stderr(out)))
}

/// The service.instance.id of an id, computed here apart from the command.
fn otel_id(id: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);
    uuid::Uuid::new_v5(&NAMESPACE, id.as_bytes()).to_string()
}

#[test]
fn every_form_of_an_id_resolves() {
    let (server, ca) = cluster(vec![db_pod(), web_pod()]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let hashed = instance_id::hash_id(b"the app's key", APP);
    // What is pasted; the container it names (none: the pod); that container's id.
    let cases: Vec<(String, Option<&str>, Option<String>)> = vec![
        (APP.into(), Some("app"), Some(format!("containerd://{APP}"))),
        (
            format!("containerd://{APP}"),
            Some("app"),
            Some(format!("containerd://{APP}")),
        ),
        (
            format!("docker://{}", APP.to_uppercase()),
            Some("app"),
            Some(format!("containerd://{APP}")),
        ),
        (
            APP[..12].into(),
            Some("app"),
            Some(format!("containerd://{APP}")),
        ),
        (
            APP[..20].into(),
            Some("app"),
            Some(format!("containerd://{APP}")),
        ),
        (
            otel_id(APP),
            Some("app"),
            Some(format!("containerd://{APP}")),
        ),
        (hashed, Some("app"), Some(format!("containerd://{APP}"))),
        (OLD.into(), Some("app"), Some(format!("containerd://{OLD}"))),
        (
            SIDECAR[..12].into(),
            Some("proxy"),
            Some(format!("cri-o://{SIDECAR}")),
        ),
        (
            DEBUG.into(),
            Some("debugger"),
            Some(format!("docker://{DEBUG}")),
        ),
        ("web-7d9c-x2x".into(), None, None),
        (WEB_UID.into(), None, None),
        (otel_id("web-7d9c-x2x"), None, None),
        (otel_id(WEB_UID), None, None),
    ];
    for (pasted, container, id) in cases {
        let out = resolve_with_env(
            &config,
            &[&pasted, "--format", "json", "--key-env", "APP_KEY"],
            &[("APP_KEY", "the app's key")],
        );
        assert_eq!(out.status.code(), Some(0), "{pasted}: {}", stderr(&out));
        let found = json_of(&out);
        assert_eq!(found["namespace"], "shop", "{pasted}: {found}");
        assert_eq!(found["pod"], "web-7d9c-x2x", "{pasted}");
        assert_eq!(found["container"], json!(container), "{pasted}");
        assert_eq!(found["container_id"], json!(id), "{pasted}");
        assert_eq!(found["node"], "node-a");
        assert_eq!(found["phase"], "Running");
        assert_eq!(
            found["describe"],
            "kubectl describe pod -n shop web-7d9c-x2x"
        );
        // Every container is listed, of every kind.
        let kinds: Vec<&Value> = found["containers"]
            .as_array()
            .expect("containers")
            .iter()
            .map(|c| &c["kind"])
            .collect();
        assert_eq!(
            kinds,
            [&json!("container"), &json!("init"), &json!("ephemeral")]
        );
        let logs = found["logs"].as_str().expect("logs");
        match (container, pasted == OLD) {
            (None, _) => {
                assert_eq!(
                    logs,
                    "kubectl logs -n shop web-7d9c-x2x --all-containers --since 15m"
                );
                assert_eq!(found["ready"], true);
                assert_eq!(found["restarts"], 3);
                assert_eq!(found["started_at"], "2026-11-25T07:40:00Z");
                assert_eq!(found["image"], Value::Null);
            }
            (Some(name), true) => {
                assert_eq!(
                    logs,
                    format!("kubectl logs -n shop web-7d9c-x2x -c {name} --previous --since 15m")
                );
                assert_eq!(found["started_at"], "2026-11-25T07:41:00Z");
            }
            (Some(name), false) => {
                assert_eq!(
                    logs,
                    format!("kubectl logs -n shop web-7d9c-x2x -c {name} --since 15m")
                );
            }
        }
    }

    // The operator's view: the container, its restarts with the last termination, and
    // the commands to run next.
    let out = resolve(&config, &[&APP[..12]]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "pod shop/web-7d9c-x2x, container app (matched the short container id)\n",
        &format!("  id:       containerd://{APP}\n"),
        "  node:     node-a\n",
        "  phase:    Running\n",
        "  ready:    true\n",
        "  restarts: 3 (last: OOMKilled, exit code 137, at 2026-11-25T07:48:50Z)\n",
        "  started:  2026-11-25T07:48:53Z\n",
        "  image:    shop:1.4\n",
        "next: kubectl logs -n shop web-7d9c-x2x -c app --since 15m\n      kubectl describe pod -n shop web-7d9c-x2x\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    let out = resolve(&config, &[OLD]);
    assert!(
        stdout(&out).contains("(matched the previous container id)"),
        "{}",
        stdout(&out)
    );
    let out = resolve(&config, &["web-7d9c-x2x"]);
    let text = stdout(&out);
    assert!(
        text.contains("pod shop/web-7d9c-x2x (matched the pod name)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("    proxy (init): running, ready true, 0 restarts, image envoy:1.31, id cri-o://{SIDECAR}")),
        "{text}"
    );
    assert!(
        text.contains("    debugger (ephemeral): terminated: Completed (exit code 0)"),
        "{text}"
    );

    // --kubernetes asks the cluster only, never the Docker daemon.
    let out = resolve_with_env(&config, &[DB], &[("DOCKER_HOST", "tcp://127.0.0.1:9")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("pod data/db-0, container postgres (matched the container id)\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn several_matches_and_none_exit_1_and_say_where_they_looked() {
    let mut twin = web_pod();
    twin["metadata"]["namespace"] = json!("staging");
    twin["metadata"]["uid"] = json!("0b6c2d7e-51f3-4c4a-9d3e-000000000000");
    let (server, ca) = cluster(vec![web_pod(), db_pod(), twin]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);

    let out = resolve(&config, &["web-7d9c-x2x", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found = json_of(&out);
    let namespaces: Vec<&Value> = found["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| &m["namespace"])
        .collect();
    assert_eq!(namespaces, [&json!("shop"), &json!("staging")]);
    assert_eq!(found["more"], 0);

    let out = resolve(&config, &["web-7d9c-x2x"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "shop/web-7d9c-x2x (matched the pod name) on node node-a\nstaging/web-7d9c-x2x (matched the pod name) on node node-a\n"
    );
    assert!(
        stderr(&out)
            .contains("2 matches for \"web-7d9c-x2x\"; give --namespace, or more of the id"),
        "{}",
        stderr(&out)
    );

    // One namespace: one match, asked for on the namespace's own path.
    let out = resolve(
        &config,
        &["web-7d9c-x2x", "--namespace", "staging", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["namespace"], "staging");

    // None: exit 1, naming the context and the namespaces searched.
    let out = resolve(&config, &["no-such-pod"]);
    assert_eq!(out.status.code(), Some(1));
    let says = stderr(&out);
    assert!(
        says.contains(&format!(
            "no pod in context \"test\" of KUBECONFIG={} (all namespaces) has a container id, pod name or pod uid that \"no-such-pod\" names (3 pods checked); for a hashed id, give --key-env",
            config.display()
        )),
        "{says}"
    );
    let out = resolve(&config, &["no-such-pod", "-n", "data", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out), json!({"matches": [], "more": 0}));
    assert!(
        stderr(&out).contains("(namespace \"data\")"),
        "{}",
        stderr(&out)
    );
    // A prefix shorter than 12 characters names nothing: too many could share it.
    let out = resolve(&config, &[&APP[..11]]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn refusals_say_what_to_do() {
    // RBAC: the token is known but may not list pods, cluster-wide or in a namespace.
    let (server, ca) = api_server(|seen, out| {
        let scope = if seen.path == "/api/v1/pods" {
            "at the cluster scope".to_owned()
        } else {
            "in the namespace \"shop\"".to_owned()
        };
        respond(out, "403 Forbidden", &status(403, "Forbidden", &format!(
            "pods is forbidden: User \"system:serviceaccount:ops:reader\" cannot list resource \"pods\" in API group \"\" {scope}")));
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let out = resolve(&config, &[APP]);
    assert_eq!(out.status.code(), Some(1));
    let says = stderr(&out);
    assert!(
        says.contains("user \"operator\" (context \"test\" of KUBECONFIG="),
        "{says}"
    );
    assert!(says.contains("may not list pods in all namespaces: HTTP 403, pods is forbidden: User \"system:serviceaccount:ops:reader\" cannot list resource \"pods\" in API group \"\" at the cluster scope; reading pods needs the RBAC verb `list` on `pods` cluster-wide (a ClusterRole with it, bound by a ClusterRoleBinding); with access to one namespace only, give --namespace NS"), "{says}");
    let out = resolve(&config, &[APP, "--namespace", "shop"]);
    let says = stderr(&out);
    assert!(
        says.contains("may not list pods in namespace \"shop\""),
        "{says}"
    );
    assert!(says.contains("`list` on `pods` in that namespace (a Role with it, bound by a RoleBinding in \"shop\")"), "{says}");

    // 401: a token the server does not take.
    let (server, ca) = cluster(vec![web_pod()]);
    let stale = kubeconfig(dir.path(), &server, &ca, "expired-token");
    let out = resolve(&stale, &[APP]);
    assert_eq!(out.status.code(), Some(1));
    let says = stderr(&out);
    assert!(
        says.contains(&format!(
            "the API server at {server} refused the credentials of user \"operator\""
        )),
        "{says}"
    );
    assert!(
        says.contains("HTTP 401, Unauthorized; log in again"),
        "{says}"
    );

    // 404: a server that is not an API server, or a kubeconfig with a wrong path.
    let (server, ca) = api_server(|_, out| {
        not_found(out);
    });
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let says = stderr(&resolve(&config, &[APP]));
    assert!(says.contains("has no pods to list there: HTTP 404, the server could not find the requested resource; is the kubeconfig's server the cluster's API server?"), "{says}");

    // An unknown context: exit 2, the contexts there are named.
    let out = resolve(&config, &[APP, "--context", "prod"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("there is no context \"prod\" in KUBECONFIG="),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(its contexts: \"test\", \"other\")"),
        "{}",
        stderr(&out)
    );

    // Unreachable: the other context's server, a port nothing listens on.
    let out = resolve(&config, &[APP, "--context", "other"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("cannot connect to the API server at https://127.0.0.1:9 (context \"other\""),
        "{}",
        stderr(&out)
    );

    // TLS: a CA that did not sign the server's certificate, named.
    let stranger = Authority::new("someone else's CA");
    let (server, _) = cluster(vec![web_pod()]);
    let config = kubeconfig(dir.path(), &server, &stranger, TOKEN);
    let says = stderr(&resolve(&config, &[APP]));
    assert!(
        says.contains(&format!("the API server at {server} (context \"test\"")),
        "{says}"
    );
    assert!(says.contains("is not trusted: invalid peer certificate: UnknownIssuer; its certificate was checked against the certificate-authority-data of cluster \"test-cluster\""), "{says}");

    // No kubeconfig at all.
    let out = run_with_env(
        &["resolve", "--kubernetes", APP],
        &[("KUBECONFIG", "/nonexistent/config")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("no kubeconfig: KUBECONFIG=/nonexistent/config names no file that exists"),
        "{}",
        stderr(&out)
    );
}

/// The kubeconfig is found as kubectl finds it: KUBECONFIG's files (those that exist,
/// merged), else ~/.kube/config; nothing at all is an error that says so. A proxy in
/// HTTPS_PROXY is used, and NO_PROXY passes it by.
#[test]
fn the_kubeconfig_is_found_as_kubectl_finds_it() {
    let (server, ca) = cluster(vec![web_pod()]);
    let dir = tempfile::tempdir().expect("tempdir");
    let first = kubeconfig(dir.path(), &server, &ca, TOKEN);
    // A second file adds a context on the first file's cluster and user.
    let second = dir.path().join("second");
    std::fs::write(
        &second,
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: second\n  context:\n    cluster: test-cluster\n    user: operator\n",
    )
    .expect("write the second kubeconfig");
    let list = format!(
        "{}:{}:{}",
        dir.path().join("missing").display(),
        first.display(),
        second.display()
    );
    let unset = [
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "HTTPS_PROXY",
        "https_proxy",
        "NO_PROXY",
        "no_proxy",
    ];
    let out = run_without(
        &[
            "resolve",
            "--kubernetes",
            "web-7d9c-x2x",
            "--context",
            "second",
        ],
        &[("KUBECONFIG", &list)],
        &unset,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // No KUBECONFIG: ~/.kube/config.
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(home.path().join(".kube")).expect("mkdir");
    std::fs::copy(&first, home.path().join(".kube/config")).expect("copy");
    let home_dir = home.path().to_str().expect("utf-8");
    let out = run_without(
        &["resolve", "--kubernetes", APP],
        &[("HOME", home_dir)],
        &unset,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Neither, and not in a pod.
    let empty = tempfile::tempdir().expect("tempdir");
    let empty_dir = empty.path().to_str().expect("utf-8");
    let out = run_without(
        &["resolve", "--kubernetes", APP],
        &[("HOME", empty_dir)],
        &unset,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no kubeconfig: KUBECONFIG is unset and ~/.kube/config does not exist, and this is not a pod (no KUBERNETES_SERVICE_HOST); set KUBECONFIG, or run where kubectl works"),
        "{}",
        stderr(&out)
    );

    // A proxy that is not there: used, so the exchange fails; NO_PROXY passes it by.
    let config = first.to_str().expect("utf-8");
    let proxy = [
        ("KUBECONFIG", config),
        ("HTTPS_PROXY", "http://user:secret@127.0.0.1:9"),
    ];
    let out = run_without(&["resolve", "--kubernetes", APP], &proxy, &unset);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!(
            "cannot connect to the API server at {server} (through the proxy http://127.0.0.1:9)"
        )),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("secret"), "{}", stderr(&out));
    let mut bypass = proxy.to_vec();
    bypass.push(("NO_PROXY", "127.0.0.1"));
    let out = run_without(&["resolve", "--kubernetes", APP], &bypass, &unset);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // An answer that is not the API's JSON.
    let (server, ca) = api_server(|_, out| {
        let _ = write!(out, "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<html>hi<");
    });
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let says = stderr(&resolve(&config, &[APP]));
    assert!(says.contains(&format!("the answer of the API server at {server} is not a list of pods: expected value at line 1 column 1")), "{says}");
}

/// 30,000 pods, listed a page at a time: the one on the last page is found, the peak
/// memory of the command stays under 100 MiB, and every page was asked for with a
/// limit.
#[cfg(target_os = "linux")]
#[test]
fn thirty_thousand_pods_are_read_a_page_at_a_time() {
    const PODS: usize = 30_000;
    let pages = Arc::new(AtomicUsize::new(0));
    let limits = Arc::new(Mutex::new(Vec::new()));
    let (counted, asked) = (pages.clone(), limits.clone());
    let (server, ca) = api_server(move |seen, out| {
        let limit: usize = seen
            .query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(PODS);
        asked
            .lock()
            .expect("lock")
            .push(seen.query.get("limit").cloned());
        counted.fetch_add(1, Ordering::Relaxed);
        let from: usize = seen
            .query
            .get("continue")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let to = (from + limit).min(PODS);
        let items: Vec<Value> = (from..to)
            .map(|i| {
                let id = format!("{i:064x}");
                let (id, name) = if i == PODS - 1 { (APP.to_owned(), "needle-0".to_owned()) } else { (id, format!("hay-{i}")) };
                let mut p = pod("load", &name, &format!("00000000-0000-4000-8000-{i:012x}"), "node-a",
                    json!({"containerStatuses": [container("app", &format!("containerd://{id}"), "shop:1.4")]}));
                // The weight of a real pod's spec and labels.
                p["metadata"]["labels"] = json!({"app": "shop", "pod-template-hash": "7d9c5f6b8", "tier": "web"});
                p["metadata"]["annotations"] = json!({"note": "x".repeat(1500)});
                p
            })
            .collect();
        let next = (to < PODS).then(|| to.to_string());
        respond(out, "200 OK", &pod_list(&items, next.as_deref()));
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let (out, peak_kib) = run_measured(
        &[
            "resolve",
            "--kubernetes",
            &APP[..12],
            "--timeout-ms",
            "300000",
        ],
        &[("KUBECONFIG", config.to_str().expect("utf-8"))],
        Duration::from_secs(300),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("pod load/needle-0, container app"),
        "{}",
        stdout(&out)
    );
    let pages = pages.load(Ordering::Relaxed);
    assert_eq!(pages, PODS / 500, "pages asked for");
    assert!(limits
        .lock()
        .expect("lock")
        .iter()
        .all(|l| l.as_deref() == Some("500")));
    eprintln!("30,000 pods in {pages} pages: peak RSS {} KiB", peak_kib);
    assert!(peak_kib < 100 * 1024, "peak RSS {peak_kib} KiB");
}

/// Runs the command, waits for it with `wait4`, which gives that child's own peak
/// resident memory (`ru_maxrss`, KiB), and kills it past `bound`.
#[cfg(target_os = "linux")]
// The child is reaped by `wait4`, which clippy does not see as a wait.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str], env: &[(&str, &str)], bound: Duration) -> (Output, i64) {
    let mut child = support::spawn(args, env, &[]);
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err.read_to_end(&mut bytes);
        bytes
    });
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value to be overwritten.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our child, not yet reaped; both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(
            reaped >= 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if reaped == pid {
            break (status, usage);
        }
        if start.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            panic!("instance-id {args:?} ran for more than {bound:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: reader.join().expect("stdout"),
        stderr: err_reader.join().expect("stderr"),
    };
    (output, usage.ru_maxrss)
}

/// An answer that trickles, a byte every 50 ms, and a server that accepts the
/// connection and never says a word: both end at the deadline, and say so.
#[test]
fn a_trickling_or_silent_server_meets_the_deadline() {
    let (server, ca) = api_server(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"kind\":\"PodList\",\"items\":[");
        for _ in 0..1200 {
            if out.write_all(b" ").and_then(|()| out.flush()).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let start = Instant::now();
    let out = resolve(&config, &[APP, "--timeout-ms", "1000"]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("the API server did not answer in full within 1s (--timeout-ms 1000)"),
        "{}",
        stderr(&out)
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(8),
        "{took:?}"
    );

    // Silent: the TCP connection is taken, the TLS handshake never answered.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent = format!("https://{}", listener.local_addr().expect("address"));
    thread::spawn(move || {
        let held: Vec<TcpStream> = listener.incoming().flatten().take(4).collect();
        thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let config = kubeconfig(dir.path(), &silent, &ca, TOKEN);
    let start = Instant::now();
    let out = resolve(&config, &[APP, "--timeout-ms", "1500"]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer in full within 1s 500ms (--timeout-ms 1500)"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(8), "{took:?}");
}

/// A page without end: refused at the body limit, 32 MiB, and said so; the bytes the
/// server managed to send show that the reader stopped near the limit.
#[test]
fn a_huge_page_is_refused_at_its_limit() {
    const GIB: usize = 1 << 30;
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let (server, ca) = api_server(move |_, out| {
        let entry = format!("{},", web_pod()).repeat(64);
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[");
        while counter.load(Ordering::Relaxed) < GIB {
            match out.write_all(entry.as_bytes()) {
                Ok(()) => counter.fetch_add(entry.len(), Ordering::Relaxed),
                Err(_) => return,
            };
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let out = resolve(&config, &[APP, "--timeout-ms", "15000"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("an answer of the API server at {server} is larger than 32 MiB, the most read of one page of 500 pods")),
        "{}",
        stderr(&out)
    );
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 128 << 20, "{sent} bytes sent");
}

/// Terminal control codes and invisible characters in every field the report shows
/// reach the terminal escaped, and names that are not names never reach the kubectl
/// lines as they are.
#[test]
fn hostile_text_in_pod_fields_is_escaped() {
    let mut app = container(
        "app\u{1b}[2J",
        &format!("containerd://{APP}"),
        "shop\u{1b}]0;pwned\u{7}:1",
    );
    app["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error\u{202e}\u{200b}"}});
    let hostile = pod(
        "-n kube-system\u{1b}[31m",
        "--all;rm -rf ~",
        WEB_UID,
        "node\u{2028}b",
        json!({"containerStatuses": [app]}),
    );
    let (server, ca) = cluster(vec![hostile]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let out = resolve(&config, &[APP]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{200b}', '\u{2028}'] {
        assert!(!text.contains(c), "{c:?} in {text:?}");
    }
    assert!(
        text.contains("pod -n kube-system\\x1b[31m/--all;rm -rf ~, container app\\x1b[2J"),
        "{text}"
    );
    assert!(
        text.contains("image:    shop\\x1b]0;pwned\\x07:1"),
        "{text}"
    );
    assert!(text.contains("node:     node\\u{2028}b"), "{text}");
    assert!(
        text.contains("(last: Error\\u{202e}\\u{200b}, exit code 1)"),
        "{text}"
    );
    assert!(
        text.contains(r"next: kubectl logs --namespace='-n kube-system\x1b[31m' --container='app\x1b[2J' --since 15m -- '--all;rm -rf ~'"),
        "{text}"
    );
    assert!(
        text.contains(
            r"      kubectl describe pod --namespace='-n kube-system\x1b[31m' -- '--all;rm -rf ~'"
        ),
        "{text}"
    );
    // JSON carries the exact text, its own escapes keeping control codes off the terminal.
    let out = resolve(&config, &[APP, "--format", "json"]);
    assert!(!stdout(&out).contains('\u{1b}'));
    assert_eq!(json_of(&out)["container"], "app\u{1b}[2J");

    // A refusal's message from the server: escaped, and bounded.
    let (server, ca) = api_server(|_, out| {
        let message = format!("denied\u{1b}]0;pwned\u{7}{}", "x".repeat(100_000));
        respond(out, "403 Forbidden", &status(403, "Forbidden", &message));
    });
    let config = kubeconfig(dir.path(), &server, &ca, TOKEN);
    let says = stderr(&resolve(&config, &[APP]));
    assert!(!says.contains('\u{1b}'), "{says:?}");
    assert!(says.contains("denied\\x1b]0;pwned\\x07xxx"), "{says}");
    assert!(says.len() < 2_000, "{} bytes", says.len());
}
