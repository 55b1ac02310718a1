//! The one grammar of [`instance-id`](https://docs.rs/instance-id)'s configuration.
//!
//! Every rule that `#[instance_route(…)]` checks at compile time, the library checks
//! again when a configuration is written by hand, the command line parses a
//! `--strategy`, or a Rocket ignites. Both the attribute and the library call this
//! crate, so the compiler and the server cannot disagree (Rocket's own macros do the
//! same with `rocket_http`'s route parser, which [`route_path`] calls too).
//!
//! | rule | function | example of a mistake |
//! |---|---|---|
//! | strategy names and what they stand for | [`StrategyName`] | `kubernets` |
//! | a chain: nothing twice, nothing after `process`/`random` | [`check_chain`] | `fallback = [process, hostname]` |
//! | the command line's spelling of a strategy | [`parse_strategy`] | `env(1A)` |
//! | environment variable names | [`env_name`] | `env("POD-NAME")` |
//! | what is shown of the id, and `hashed`'s key variable | [`Expose`], [`hash_key_env`] | `expose = hashed("ID-KEY")` |
//! | `file(…)` paths | [`file_path`] | `file("podinfo/name")` |
//! | header names | [`header_name`] | `header = "X Id"` |
//! | the identity route's path (with Rocket's parser, feature `rocket`) | [`route_path`] | `"/inst/<id>"` |
//!
//! Users of `instance-id` never name this crate: it is re-exported where needed
//! ([`Error`] as `instance_id::ConfigError`, [`Expose`] as `instance_id::Expose`).
//!
//! ```
//! use instance_id_grammar::{check_chain, Written, StrategyName};
//!
//! let first = Written::Named(StrategyName::Random);
//! let errors = check_chain(Some(&first), &[Written::Named(StrategyName::Hostname)]);
//! assert_eq!(errors[0].1.to_string(),
//!     "`hostname` comes after `random`, which always succeeds: it would never run; remove it, or move it before `random`");
//! ```

mod chain;
mod error;
mod expose;
mod hint;
mod rules;
mod strategy;

pub use chain::{check_chain, default_fallback, DEFAULT_FALLBACK, DEFAULT_STRATEGY};
pub use error::{Error, Overlap};
pub use expose::Expose;
pub use hint::{did_you_mean, did_you_mean_tail};
pub use rules::{env_name, file_path, hash_key_env, header_name, route_path, DEFAULT_HEADER};
pub use strategy::{parse_strategy, StrategyName, Written, WITH_ARGUMENT};
