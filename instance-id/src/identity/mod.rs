//! The identity: what may be called an instance id, and what the world is shown of
//! it. The engine checks every value it finds with these rules; the served route and
//! the command line show what [`Expose`](crate::Expose) makes of it.
//!
//! | file | what |
//! |---|---|
//! | `id.rs` | `InstanceId` and the value rules: printable ASCII, bounded, never a network address |
//! | `expose.rs` | `ExposeExt`: the grammar's `Expose` (full, short, hashed) applied to an id, and the HMAC of `hashed("ENV")` |

pub(crate) mod expose;
pub(crate) mod id;
