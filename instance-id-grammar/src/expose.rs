//! What the world is shown of the id, `expose = full | short | hashed("ENV")`: one
//! type for the attribute and the library, which applies it to an id.

use std::fmt;

use crate::{hash_key_env, Error};

/// What the identity route and header show (`expose = …` of the attribute): one type
/// for both sides, which the attribute parses from its arguments and the library
/// re-exports as `instance_id::Expose`.
///
/// ```
/// # use instance_id_grammar::Expose;
/// let expose = Expose::hashed("INSTANCE_ID_KEY");
/// assert_eq!(expose.key_env(), Some("INSTANCE_ID_KEY"));
/// assert_eq!(expose.to_string(), r#"hashed("INSTANCE_ID_KEY")"#);
/// assert!(expose.validate().is_ok());
/// assert!(Expose::hashed("1KEY").validate().is_err());
/// assert_eq!(Expose::default(), Expose::Full);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Expose {
    /// The whole id.
    #[default]
    Full,
    /// A short form that never makes two instances look the same (the library's
    /// `short_form`): a container id, 64 lower-case hex digits, cut to its first 12
    /// as `docker ps` shows it; every other id whole, since cutting a pod name or a
    /// task id can merge two replicas.
    Short,
    /// HMAC-SHA256 of the id, in lower-case hex, under a key read from this
    /// environment variable at launch. A missing or empty key fails the launch: the
    /// raw id is never shown instead.
    Hashed {
        /// The environment variable that holds the key.
        key_env: String,
    },
}

impl Expose {
    /// The words `expose = …` takes, as written: for "did you mean" and messages.
    pub const NAMES: [&'static str; 3] = ["full", "short", "hashed"];

    /// `Expose::Hashed` under the key in `key_env`.
    ///
    /// ```
    /// # use instance_id_grammar::Expose;
    /// assert_eq!(Expose::hashed("K"), Expose::Hashed { key_env: "K".into() });
    /// ```
    pub fn hashed(key_env: impl Into<String>) -> Self {
        Expose::Hashed {
            key_env: key_env.into(),
        }
    }

    /// The environment variable that holds the key, for `Hashed`.
    ///
    /// ```
    /// # use instance_id_grammar::Expose;
    /// assert_eq!(Expose::Short.key_env(), None);
    /// ```
    pub fn key_env(&self) -> Option<&str> {
        match self {
            Expose::Hashed { key_env } => Some(key_env),
            Expose::Full | Expose::Short => None,
        }
    }

    /// The rules of the value: only `hashed`'s key variable has one
    /// ([`hash_key_env`]).
    ///
    /// ```
    /// # use instance_id_grammar::Expose;
    /// assert!(Expose::Full.validate().is_ok());
    /// assert!(Expose::hashed("").validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.key_env().map_or(Ok(()), hash_key_env)
    }
}

/// `full`, `short`, `hashed("ENV")`: as the attribute writes it.
impl fmt::Display for Expose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expose::Full => f.write_str("full"),
            Expose::Short => f.write_str("short"),
            Expose::Hashed { key_env } => write!(f, "hashed({key_env:?})"),
        }
    }
}
