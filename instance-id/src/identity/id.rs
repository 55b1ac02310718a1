//! The value rules: what may be called an instance id, whatever its source.
//!
//! They live here and nowhere else. Every strategy's raw value passes through
//! [`InstanceId::new`] before the engine accepts it, so nothing unchecked ever reaches
//! a response header, a log line or a shell.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

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
        Ok(Self(value.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 characters, what `docker ps` shows for a container id.
    ///
    /// ```
    /// # use instance_id::InstanceId;
    /// let id = InstanceId::new("2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42")?;
    /// assert_eq!(id.short(), "2c25c45c0be4");
    /// # Ok::<(), instance_id::InvalidId>(())
    /// ```
    pub fn short(&self) -> &str {
        // ASCII only, so any byte offset is a char boundary.
        &self.0[..self.0.len().min(12)]
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

/// An IP address hidden in the value: the whole value (`10.0.3.17`, `[::1]:80`,
/// `10.0.3.17:8000`), a dotted quad inside it (`web-10.0.3.17`), or the EC2 host name
/// form (`ip-10-0-3-17`).
fn network_address(value: &str) -> Option<String> {
    if value.parse::<IpAddr>().is_ok() || value.parse::<SocketAddr>().is_ok() {
        return Some(value.to_owned());
    }
    let tokens = |sep: char| {
        value
            .split(|c: char| !(c.is_ascii_digit() || c == sep))
            .filter(|token| !token.is_empty())
            .map(|token| token.trim_matches(sep))
            .collect::<Vec<_>>()
    };
    for token in tokens('.') {
        if quad(token, '.') {
            return Some(token.to_owned());
        }
    }
    let lower = value.to_ascii_lowercase();
    if let Some(rest) = lower.find("ip-").map(|at| &lower[at + 3..]) {
        let candidate: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let candidate = candidate.trim_end_matches('-');
        if quad(candidate, '-') {
            return Some(format!("ip-{candidate}"));
        }
    }
    None
}

/// Four decimal octets 0–255 joined by `sep`, nothing else.
fn quad(token: &str, sep: char) -> bool {
    let parts: Vec<&str> = token.split(sep).collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
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
            "v1.2.3.4.5",
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
        ] {
            assert!(InstanceId::new(ok).is_ok(), "{ok} was refused");
        }
    }
}
