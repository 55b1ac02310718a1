//! The rules for the values the attribute takes: environment variable names (and
//! `hashed`'s key variable), file paths, header names and the route path.

use crate::Error;

/// A POSIX environment variable name: letters, digits and `_`, not starting with a
/// digit.
///
/// ```
/// assert!(instance_id_grammar::env_name("POD_NAME").is_ok());
/// assert!(instance_id_grammar::env_name("1POD-NAME").is_err());
/// ```
pub fn env_name(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else if name.is_empty() {
        Err(Error::EmptyEnvName)
    } else {
        Err(Error::BadEnvName {
            name: name.to_owned(),
        })
    }
}

/// The name of the variable that holds `hashed`'s key: an environment variable name
/// ([`env_name`]). The attribute checks it at compile time, the library when it is
/// configured and again when it reads the key.
///
/// ```
/// assert!(instance_id_grammar::hash_key_env("INSTANCE_ID_KEY").is_ok());
/// assert!(instance_id_grammar::hash_key_env("ID-KEY").is_err());
/// ```
pub fn hash_key_env(name: &str) -> Result<(), Error> {
    env_name(name)
}

/// An absolute path without NUL: a relative one would depend on the working
/// directory.
///
/// ```
/// assert!(instance_id_grammar::file_path("/etc/podinfo/name").is_ok());
/// assert!(instance_id_grammar::file_path("podinfo/name").is_err());
/// ```
pub fn file_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        Err(Error::RelativeFilePath {
            path: path.to_owned(),
        })
    } else if path.contains('\0') {
        Err(Error::NulInFilePath)
    } else {
        Ok(())
    }
}

/// The response header the identity goes in unless told otherwise.
pub const DEFAULT_HEADER: &str = "X-Instance-Id";

/// An HTTP header name is a token (RFC 9110 §5.1): what the HTTP stack under Rocket
/// accepts, so that the header is never dropped on the way out.
///
/// ```
/// assert!(instance_id_grammar::header_name(instance_id_grammar::DEFAULT_HEADER).is_ok());
/// assert!(instance_id_grammar::header_name("X Id").is_err());
/// ```
pub fn header_name(name: &str) -> Result<(), Error> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        Err(Error::EmptyHeaderName)
    } else if let Some(byte) = name.chars().find(|c| !token(*c)) {
        Err(Error::BadHeaderName {
            name: name.to_owned(),
            byte,
        })
    } else {
        Ok(())
    }
}

/// The identity route's path: absolute, static, made of what a URI path may hold (so
/// neither Rocket's `<param>` nor Axum's `{param}` and `{*rest}`), and, with feature
/// `rocket`, accepted by Rocket's own route parser (`rocket_http`'s
/// `Origin::parse_route`, which `#[get]` uses too).
///
/// ```
/// assert!(instance_id_grammar::route_path("/inst").is_ok());
/// assert!(instance_id_grammar::route_path("/inst/<id>").is_err());
/// assert!(instance_id_grammar::route_path("/inst/{id}").is_err());
/// ```
pub fn route_path(path: &str) -> Result<(), Error> {
    if path.is_empty() {
        return Err(Error::EmptyRoutePath);
    }
    if !path.starts_with('/') {
        return Err(Error::RelativeRoutePath {
            path: path.to_owned(),
        });
    }
    if path.contains(['<', '>', '{', '}']) {
        return Err(Error::RouteParameters);
    }
    if path.contains(['?', '#']) {
        return Err(Error::RouteQuery);
    }
    if path.contains("//") {
        return Err(Error::RouteEmptySegment);
    }
    if let Some(bad) = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@%".contains(*c)))
    {
        return Err(Error::RouteCharacter { bad });
    }
    #[cfg(feature = "rocket")]
    rocket_http::uri::Origin::parse_route(path).map_err(|err| Error::RouteRefused {
        path: path.to_owned(),
        reason: err.to_string(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every one- and two-character name: whatever the rule accepts, the `http` crate
    /// under Rocket's hyper accepts too, so a header is never dropped on the way out.
    /// (It is laxer than RFC 9110 in places, such as `"`, which the rule refuses.)
    #[test]
    fn header_names_the_rule_accepts_reach_the_wire() {
        for a in 0u8..=127 {
            for b in [None, Some(b'a'), Some(a)] {
                let mut name = vec![a];
                name.extend(b);
                let text = String::from_utf8(name.clone()).expect("ASCII");
                if header_name(&text).is_ok() {
                    assert!(
                        http::header::HeaderName::from_bytes(&name).is_ok(),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn route_paths() {
        for ok in ["/inst", "/", "/_/instance-id", "/a.b~c", "/%41"] {
            assert_eq!(route_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "inst",
            "/a/<b>",
            "/a/{b}",
            "/{*rest}",
            "/a?b",
            "/a//b",
            "/my inst",
            "/caf\u{e9}",
        ] {
            assert!(route_path(bad).is_err(), "{bad}");
        }
    }
}
