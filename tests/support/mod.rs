//! What the workspace's tests share.

#![allow(dead_code)] // each test file uses its own part

/// Fails if `text` (headers and body of a response) holds an IPv4 address, a
/// loopback name with a port, or any of `ports` after a colon: the copies' addresses
/// are what instance-id exists to keep from users.
pub fn assert_no_address(text: &str, ports: &[u16]) {
    let quad = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|token| {
            let parts: Vec<&str> = token.split('.').collect();
            parts.len() == 4
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
        });
    assert!(quad.is_none(), "an IPv4 address ({quad:?}) in:\n{text}");
    assert!(!text.contains("localhost:"), "a host and port in:\n{text}");
    for port in ports {
        assert!(
            !text.contains(&format!(":{port}")),
            "port {port} in:\n{text}"
        );
    }
}
