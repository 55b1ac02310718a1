//! What the world is shown of the id: all of it, its short form, or a keyed hash.

use std::fmt::Write;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use instance_id_grammar::Error as ConfigError;

use crate::identity::id::InstanceId;

/// The key of `expose = hashed("ENV")` could not be had. The launch fails: the raw id
/// is never shown instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashKeyError {
    /// The variable's name is not one.
    #[error(transparent)]
    BadName(#[from] ConfigError),
    /// The variable is not set.
    #[error("the hash key ${env} is not set")]
    NotSet {
        /// The variable.
        env: String,
    },
    /// The variable is set to nothing.
    #[error("the hash key ${env} is empty")]
    Empty {
        /// The variable.
        env: String,
    },
    /// The variable is not UTF-8.
    #[error("the hash key ${env} is not UTF-8")]
    NotUtf8 {
        /// The variable.
        env: String,
    },
}

/// [`ExposeExt::render`] applies it to an id.
pub use instance_id_grammar::Expose;

/// [`Expose`] applied to an id. `Expose` is the grammar's type, which the attribute
/// shares and which cannot know an [`InstanceId`]: what needs one is here.
///
/// ```
/// use instance_id::{Expose, ExposeExt, InstanceId, SystemView};
///
/// let id = InstanceId::new("2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42")?;
/// assert_eq!(Expose::Short.render(&id, None)?, "2c25c45c0be4");
///
/// // The key of `hashed` is read at launch from the environment the app sees.
/// let view = SystemView::snapshot("/nonexistent").with_env([("ID_KEY", "s3cret")]);
/// let expose = Expose::hashed("ID_KEY");
/// let key = expose.key_env().map(|env| view.hash_key(env)).transpose()?;
/// assert_eq!(expose.render(&id, key)?, instance_id::hash_id(b"s3cret", id.as_str()));
/// assert!(expose.render(&id, None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait ExposeExt: sealed::Sealed {
    /// The shown form of `id`. `Hashed` needs its key (see
    /// [`SystemView::hash_key`](crate::SystemView::hash_key)); without one it is an
    /// error, never the raw id.
    fn render(&self, id: &InstanceId, key: Option<&str>) -> Result<String, HashKeyError>;
}

impl ExposeExt for Expose {
    fn render(&self, id: &InstanceId, key: Option<&str>) -> Result<String, HashKeyError> {
        match self {
            Expose::Full => Ok(id.as_str().to_owned()),
            Expose::Short => Ok(id.short().to_owned()),
            Expose::Hashed { key_env } => match key {
                Some(key) if !key.is_empty() => Ok(hash_id(key.as_bytes(), id.as_str())),
                Some(_) => Err(HashKeyError::Empty {
                    env: key_env.clone(),
                }),
                None => Err(HashKeyError::NotSet {
                    env: key_env.clone(),
                }),
            },
        }
    }
}

/// Only `Expose` renders: a new exposure is a new variant of the grammar's type, so
/// that the attribute can write it too.
mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Expose {}
}

/// HMAC-SHA256 of `id` under `key`, as 64 lower-case hex digits.
///
/// ```
/// // RFC 4231, test case 2.
/// assert_eq!(
///     instance_id::hash_id(b"Jefe", "what do ya want for nothing?"),
///     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
/// );
/// ```
pub fn hash_id(key: &[u8], id: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(id.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in mac.finalize().into_bytes() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}
