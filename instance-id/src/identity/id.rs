//! The value rules: what may be called an instance id, whatever its source.
//!
//! They live here and nowhere else. Every strategy's raw value passes through
//! [`InstanceId::new`] before the engine accepts it, so nothing unchecked ever reaches
//! a response header, a log line or a shell.

use std::fmt;
use std::net::Ipv6Addr;

/// The longest id accepted: a DNS name's length, room for any platform's identifier.
pub(crate) const MAX_LEN: usize = 253;

/// Why a value may not be an instance id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidId {
    /// Nothing but whitespace.
    #[error("the value is empty")]
    Empty,
    /// Longer than 253 bytes.
    #[error("the value is {len} bytes long; at most {MAX_LEN} are allowed")]
    TooLong {
        /// Its length in bytes, trimmed.
        len: usize,
    },
    /// A character that is not printable ASCII, or whitespace inside.
    #[error(
        "the value has {what} at offset {at}; only printable ASCII without whitespace is allowed"
    )]
    Character {
        /// Where, in bytes from the start of the trimmed value.
        at: usize,
        /// The character, in words: `a space`, `the control character 0x1b`.
        what: String,
    },
    /// Starts with `-`: a command line given the id (`docker logs`, `instance-id hash`)
    /// would read it as an option.
    #[error("the value starts with `-`, which a command line would read as an option")]
    LeadingDash,
    /// A network address, in any written form.
    #[error(
        "the value looks like a network address ({address}); an instance id must never reveal one"
    )]
    Address {
        /// The address as it stands in the value.
        address: String,
    },
}

/// A checked instance id: trimmed, 1–253 printable ASCII characters, no whitespace,
/// and not an IP address or `IP:port` (those are what the product exists to hide).
///
/// ```
/// use instance_id::InstanceId;
///
/// let id = InstanceId::new("  4f1c2a9e0b3d\n").expect("a valid id");
/// assert_eq!(id.as_str(), "4f1c2a9e0b3d");
/// assert!(InstanceId::new("two words").is_err());
/// assert!(InstanceId::new("10.0.3.17:8000").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct InstanceId(String);

impl InstanceId {
    /// Checks a raw value; the error says which rule it broke.
    pub fn new(raw: &str) -> Result<Self, InvalidId> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(InvalidId::Empty);
        }
        if value.len() > MAX_LEN {
            return Err(InvalidId::TooLong { len: value.len() });
        }
        if let Some((at, ch)) = value.char_indices().find(|(_, ch)| !ch.is_ascii_graphic()) {
            return Err(InvalidId::Character {
                at,
                what: describe(ch),
            });
        }
        if let Some(address) = network_address(value) {
            return Err(InvalidId::Address { address });
        }
        if value.starts_with('-') {
            return Err(InvalidId::LeadingDash);
        }
        Ok(Self(value.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The short form, which never makes two instances look the same: the first 12
    /// characters of a 64-hex container id, as `docker ps` shows it (and of a hashed
    /// id, which has the same shape); every other id whole, since cutting a pod name,
    /// a task id or an allocation id can merge two replicas
    /// (`cart-5d8f7b6c9-abcde` and `cart-5d8f7b6c9-xk2p9`).
    ///
    /// ```
    /// # use instance_id::InstanceId;
    /// let id = InstanceId::new("2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42")?;
    /// assert_eq!(id.short(), "2c25c45c0be4");
    /// let pod = InstanceId::new("cart-5d8f7b6c9-abcde")?;
    /// assert_eq!(pod.short(), "cart-5d8f7b6c9-abcde");
    /// # Ok::<(), instance_id::InvalidId>(())
    /// ```
    pub fn short(&self) -> &str {
        short_form(&self.0)
    }

    /// The id as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for InstanceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The short form of any id, as [`InstanceId::short`] gives it: the first 12
/// characters of a container id (64 lower-case hex digits, as `docker ps` shows it;
/// a hashed id has the same shape), every other id whole, since cutting a pod name, a
/// task id or an allocation id can merge two replicas. For ids not yet checked by the
/// value rules: a container's id in a daemon's answer, a header a balancer passed on.
///
/// ```
/// use instance_id::short_form;
///
/// let id = "2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42";
/// assert_eq!(short_form(id), "2c25c45c0be4");
/// assert_eq!(short_form("cart-5d8f7b6c9-abcde"), "cart-5d8f7b6c9-abcde");
/// ```
pub fn short_form(id: &str) -> &str {
    if is_lower_hex(id, 64) {
        &id[..12]
    } else {
        id
    }
}

/// `len` lower-case hex digits: how runtimes write container ids and digests (an
/// upper-case one is nobody's, so it never passes for one).
pub(crate) fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn describe(ch: char) -> String {
    match ch {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        '\r' => "a carriage return".into(),
        '\n' => "a line feed".into(),
        c if c.is_ascii_control() => format!("the control character {:#04x}", c as u32),
        c => format!("the non-ASCII character {c:?}"),
    }
}

/// A network address hidden anywhere in the value, in any of the forms people and
/// platforms write: IPv4 dotted or dashed, alone or with any prefix or suffix
/// (`10.0.3.17:8000`, `web-10.0.3.17`, EC2's `ip-10-0-3-17`, `ec2-54-12-34-56.…`,
/// Kubernetes' `10-0-3-17.default.pod…`, `ip_10_0_3_17`, a pid after it), and IPv6
/// bracketed, zoned, embedded or with a port (`[::1]:8000`, `fe80::1%eth0`,
/// `web-fe80::1`) or dashed as DNS writes it (`2001-db8--1.default.pod…`,
/// `fe80--1s4.ipv6-literal.net`). Every occurrence is looked at, not only the first.
fn network_address(value: &str) -> Option<String> {
    ipv4(value, '.')
        .or_else(|| ipv4(value, '-'))
        .or_else(|| ipv4(value, '_'))
        .or_else(|| ipv6(value))
        .or_else(|| ipv6_dashed(value))
}

/// Four decimal octets in a row, joined by `sep`, somewhere in a run of digits and
/// `sep`: `ip-172-31-9-4-9405` holds `172-31-9-4`. A fifth group does not hide the
/// four before it. Digits that run on into the first or last octet make another
/// number (`710.0.3.17` is not `10.0.3.17`).
fn ipv4(value: &str, sep: char) -> Option<String> {
    value
        .split(|c: char| !(c.is_ascii_digit() || c == sep))
        .find_map(|run| {
            let groups: Vec<&str> = run.split(sep).collect();
            groups
                .windows(4)
                .find(|four| four.iter().all(|g| octet(g)))
                .map(|four| four.join(&sep.to_string()))
        })
}

/// 0–255 in one to three digits.
fn octet(group: &str) -> bool {
    (1..=3).contains(&group.len()) && group.parse::<u8>().is_ok()
}

/// An IPv6 address in a run of hex digits, colons and dots (the dots of an embedded
/// IPv4 tail): every stretch of such a run that holds two colons is tried, so that
/// a hex letter before it (`bfe80::1`) or a port after it (`[::1]:8000`) does not hide
/// it. `::` alone names no host and is let be. A run is at most 253 characters, so
/// trying every stretch stays cheap.
fn ipv6(value: &str) -> Option<String> {
    value
        .split(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.'))
        .filter(|run| run.bytes().filter(|b| *b == b':').count() >= 2)
        .find_map(|run| {
            (0..run.len()).find_map(|start| {
                (start + 2..=run.len()).rev().find_map(|end| {
                    let stretch = &run[start..end];
                    match stretch.parse::<Ipv6Addr>() {
                        Ok(address) if !address.is_unspecified() => Some(stretch.to_owned()),
                        _ => None,
                    }
                })
            })
        })
}

/// IPv6 written where a DNS label cannot hold a colon: dashes for colons, as Kubernetes
/// and CoreDNS name pods (`2001-db8--1.default.pod.cluster.local`), and `s` for the
/// zone's `%` as Windows writes its literals (`fe80--1s4.ipv6-literal.net`). Every
/// stretch of dash-joined groups of a label is tried, so that a name before it
/// (`web-2001-db8--1`) or a number after it does not hide it. Only a label that could
/// hold one is tried: one with `--` (the compressed zeros) or eight groups.
fn ipv6_dashed(value: &str) -> Option<String> {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|label| label.contains("--") || label.matches('-').count() >= 7)
        .find_map(|label| {
            let groups: Vec<&str> = label.split('-').collect();
            (0..groups.len()).find_map(|start| {
                (start + 2..=groups.len()).rev().find_map(|end| {
                    let stretch = &groups[start..end];
                    let (last, rest) = stretch.split_last()?;
                    // `1s4`: the group `1`, zone 4.
                    let last = match last.split_once('s') {
                        Some((group, zone)) if !zone.is_empty() => group,
                        _ => last,
                    };
                    let colons = format!("{}:{last}", rest.join(":"));
                    match colons.parse::<Ipv6Addr>() {
                        Ok(address) if !address.is_unspecified() => Some(stretch.join("-")),
                        _ => None,
                    }
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_ordinary_ids() {
        for ok in [
            "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786",
            "dd9b146f4ac019adfc754f28d882f462-2405117866",
            "e8ca54c0-c40e-47ba-8b58-f5dee1312812",
            "web.1",
            "cart-5d8f7b6c9-abcde",
            "build-07",
            "v1.2.3-build.4",
            "8f6c2e8a-1b2c-4d3e-9f00-0123456789ab",
            "i-0abc123def4567890",
            "web.1.k2l3m4n5p6q7",
            "release-2024-11-25",
        ] {
            assert_eq!(
                InstanceId::new(&format!(" {ok}\r\n")).map(|id| id.0),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn refuses_what_is_unsafe_in_a_header() {
        for bad in [
            "",
            "   ",
            "a b",
            "a\tb",
            "a\r\nX-Evil: 1",
            "caf\u{e9}",
            "\u{7f}x",
        ] {
            assert!(InstanceId::new(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(InstanceId::new(&"a".repeat(253)).is_ok());
        assert!(InstanceId::new(&"a".repeat(254)).is_err());
    }

    /// Pairs of real-looking replicas of every kind the engine names: their short
    /// forms differ.
    #[test]
    fn short_forms_never_merge_replicas() {
        for (a, b) in [
            ("cart-5d8f7b6c9-abcde", "cart-5d8f7b6c9-xk2p9"),
            ("web-0", "web-1"),
            (
                "dd9b146f4ac019adfc754f28d882f462-2405117866",
                "dd9b146f4ac019adfc754f28d882f462-3169309542",
            ),
            (
                "8f6c2e8a-1b2c-4d3e-9f00-0123456789ab",
                "8f6c2e8a-1b2c-4d3e-9f00-0123456789ac",
            ),
            (
                "web.1.k2l3m4n5p6q7r8s9t0u1v2w3x",
                "web.2.k2l3m4n5p6q7r8s9t0u1v2w3y",
            ),
            ("proc-4f1c2a9e0b3d-9405", "proc-4f1c2a9e0b3d-9406"),
            ("build-07-4242", "build-07-4243"),
            (
                "2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42",
                "2c25c45c0be57cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42",
            ),
        ] {
            let (a, b) = (InstanceId::new(a).expect(a), InstanceId::new(b).expect(b));
            assert_ne!(a.short(), b.short(), "{a} and {b}");
        }
    }

    #[test]
    fn refuses_network_addresses() {
        for bad in [
            "10.0.3.17",
            "192.168.1.1:5000",
            "[::1]:8000",
            "fe80::1",
            "web-10.0.3.17",
            "ip-10-0-3-17.ec2.internal",
            "IP-172-31-9-4",
            // A suffix or a prefix of any kind, and every occurrence.
            "ip-172-31-9-4-9405",
            "host-192-168-1-5",
            "ec2-54-12-34-56.compute-1.amazonaws.com",
            "10-0-3-17",
            "vip-ip-10-0-3-17",
            "10-0-3-17.default.pod.cluster.local",
            "a-1-b-10-0-3-17",
            "1.2.3-and-10.0.3.17",
            // Four octets in a row, whatever follows: a version cannot be told apart.
            "v1.2.3.4.5",
            "host-[::1]:8000",
            "fe80::1%eth0",
            "web-fe80::1",
            "2001:db8::1",
            "bfe80::1",
            "::ffff:10.0.3.17",
        ] {
            let err = InstanceId::new(bad).expect_err(bad);
            assert!(matches!(err, InvalidId::Address { .. }), "{bad}: {err}");
        }
        // Version-like or id-like digits are not addresses.
        for ok in [
            "1.2.3",
            "300.1.1.1",
            "web-7-1-2",
            "ip-10-0-3",
            "d8a966b421fce2",
            "710.0.3.17x",
            "app::name",
            "02:42:ac:11:00:02",
        ] {
            assert!(InstanceId::new(ok).is_ok(), "{ok} was refused");
        }
    }
}
