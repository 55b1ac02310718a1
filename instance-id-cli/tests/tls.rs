//! `instance-id probe` over https, against a TLS server on 127.0.0.1 whose certificate
//! a CA made at test time signed: refused and named without that CA, accepted with
//! `--cacert`, accepted with `--insecure` and the report says so.

mod support;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::thread;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use support::run;

/// A CA, and a server on 127.0.0.1 with a certificate it signed. Returns the URL and
/// the CA's PEM file.
fn tls_server(dir: &std::path::Path) -> (String, std::path::PathBuf) {
    let (chain, key, ca_file) = certificates(dir);
    (serve_tls(chain, key), ca_file)
}

/// A CA (its PEM file in `dir`) and a certificate for 127.0.0.1 that it signed, with
/// its key.
fn certificates(
    dir: &std::path::Path,
) -> (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    PrivateKeyDer<'static>,
    std::path::PathBuf,
) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "instance-id test CA");
    let ca_key = KeyPair::generate().expect("a CA key");
    let ca = ca_params.self_signed(&ca_key).expect("a CA certificate");
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let leaf_key = KeyPair::generate().expect("a key");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca, &ca_key)
        .expect("a certificate");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write the CA");
    (
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        ca_file,
    )
}

/// An https server on 127.0.0.1 that presents `chain`; its URL.
fn serve_tls(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> String {
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut request = [0u8; 2048];
                // A client that refuses the certificate ends the handshake here.
                if tls.read(&mut request).is_err() {
                    return;
                }
                let body = "tls-replica-1\n";
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nx-instance-id: tls-replica-1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    format!("https://{address}/inst")
}

#[test]
fn https_is_probed_with_the_trust_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, ca) = tls_server(dir.path());
    let ca = ca.to_str().expect("utf-8");

    // Without the CA: every request refused, the reason named.
    let out = run(&["probe", &url, "-n", "3", "-c", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("certificate not accepted: unknown issuer"),
        "{text}"
    );

    // With the CA: every request answered, verified.
    let out = run(&[
        "probe", &url, "-n", "3", "-c", "1", "--cacert", ca, "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["instances"][0]["id"], "tls-replica-1");
    assert_eq!(report["instances"][0]["count"], 3);
    assert!(report.get("insecure").is_none(), "{report}");

    // --insecure: answered, and the report says nothing was verified.
    let out = run(&["probe", &url, "-n", "2", "-c", "1", "--insecure", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["instances"][0]["count"], 2, "{report}");
    assert_eq!(report["insecure"], true);
    let out = run(&["probe", &url, "-n", "1", "--insecure"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("certificates NOT verified"));
}

/// Certificates refused for reasons rustls names only in its types: the report says
/// why in words, never `Other(OtherError(CaUsedAsEndEntity))` or `ExpiredContext { … }`.
#[test]
fn a_refused_certificate_is_named_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A CA's own certificate presented as the server's, and trusted: a CA is not a
    // server.
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let key = KeyPair::generate().expect("a key");
    let ca = params.self_signed(&key).expect("a certificate");
    let ca_file = dir.path().join("self.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write");
    let url = serve_tls(
        vec![ca.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    );
    let out = run(&[
        "probe",
        &url,
        "-n",
        "1",
        "--cacert",
        ca_file.to_str().expect("utf-8"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("certificate not accepted: the server presents a CA certificate as its own"),
        "{text}"
    );
    assert!(!text.contains("Other"), "{text}");

    // A leaf that expired in 2001, signed by a trusted CA: its date, in words.
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().expect("a CA key");
    let ca = ca_params.self_signed(&ca_key).expect("a CA certificate");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("write");
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    leaf_params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    leaf_params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let leaf_key = KeyPair::generate().expect("a key");
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca, &ca_key)
        .expect("a certificate");
    let url = serve_tls(
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    );
    let out = run(&[
        "probe",
        &url,
        "-n",
        "1",
        "--json",
        "--cacert",
        ca_file.to_str().expect("utf-8"),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report["error_kinds"]["certificate not accepted: expired on 2001-01-01T00:00:00Z"], 1,
        "{report}"
    );
}

/// Ten thousand virtual users over https, each with its own client: all are built
/// from one TLS configuration, the system's roots read once, so the command stays
/// small (each client reading the whole store took about 1 GiB).
#[cfg(target_os = "linux")]
#[test]
fn many_users_share_one_trust() {
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("tempdir");
    let (url, ca) = tls_server(dir.path());
    // Reaped below by wait4, which std's wait() cannot replace: it drops the rusage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_instance-id"))
        .args([
            "probe", &url, "-n", "4", "-c", "2", "--users", "10000", "--json",
        ])
        .args(["--cacert", ca.to_str().expect("utf-8")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let (status, peak_kib) = peak_of(&child, support::HANG);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
    assert!(
        peak_kib < 256 * 1024,
        "probe --users 10000 peaked at {} MiB",
        peak_kib / 1024
    );
}

/// Ten thousand virtual users with `--keep-alive` over https, each holding its own
/// connection (the server counts 10,000 of them, each reused): the command's peak
/// stays within its stated bound, about 30 KiB a kept connection (hyper's buffers
/// and rustls's state), so 10,000 users in less than 320 MiB.
#[cfg(target_os = "linux")]
#[test]
fn ten_thousand_kept_https_connections_stay_within_the_bound() {
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const USERS: usize = 10_000;
    // This test's server and the command each hold a socket per user.
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit with a valid resource and a valid rlimit.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    assert!(
        limit.rlim_max >= USERS as libc::rlim_t + 500,
        "this test needs {} open files (ulimit -Hn is {})",
        USERS + 500,
        limit.rlim_max
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let (chain, key, ca) = certificates(dir.path());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind 127.0.0.1");
    let url = format!("https://{}/inst", listener.local_addr().expect("address"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    runtime.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::Relaxed);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut pending = Vec::new();
                let mut chunk = [0u8; 2048];
                loop {
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        let answer =
                            b"HTTP/1.1 200 OK\r\nx-instance-id: tls-a\r\ncontent-length: 0\r\n\r\n";
                        if tls.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => pending.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });

    let requests = (2 * USERS).to_string();
    let users = USERS.to_string();
    // Reaped below by wait4, which std's wait() cannot replace: it drops the rusage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_instance-id"))
        .args([
            "probe", &url, "-n", &requests, "-c", "64", "--users", &users,
        ])
        .args(["--keep-alive", "--timeout-ms", "60000", "--json"])
        .args(["--cacert", ca.to_str().expect("utf-8")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let (status, peak_kib) = peak_of(&child, Duration::from_secs(180));
    let mut stdout = child.stdout.expect("stdout");
    let mut out = Vec::new();
    stdout.read_to_end(&mut out).expect("the report");
    let report: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}: {report}"
    );
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["instances"][0]["count"], 2 * USERS, "{report}");
    assert_eq!(
        connections.load(Ordering::Relaxed),
        USERS,
        "one kept connection per user"
    );
    println!(
        "{USERS} users, {USERS} kept https connections: peak {} MiB",
        peak_kib / 1024
    );
    assert!(
        peak_kib < 320 * 1024,
        "probe --users {USERS} --keep-alive over https peaked at {} MiB",
        peak_kib / 1024
    );
}

/// Waits for `child` (killing it past `limit`) and returns its exit status and its own
/// peak resident set in KiB, which wait4 gives whatever else the tests run.
#[cfg(target_os = "linux")]
fn peak_of(child: &std::process::Child, limit: std::time::Duration) -> (i32, libc::c_long) {
    let pid = child.id() as libc::pid_t;
    let start = std::time::Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is this test's child; status and usage are valid for writes.
        let waited = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(waited >= 0, "wait4: {}", std::io::Error::last_os_error());
        if waited == pid {
            return (status, usage.ru_maxrss);
        }
        if start.elapsed() > limit {
            // SAFETY: signalling this test's own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the probe ran for more than {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
