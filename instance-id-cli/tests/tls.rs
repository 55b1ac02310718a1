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

    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
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
    (format!("https://{address}/inst"), ca_file)
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
