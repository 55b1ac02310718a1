//! The Rocket side: a fairing that detects the identity once at ignite, mounts the
//! identity route, names the instance on every response, and hands handlers an
//! [`Instance`](crate::Instance). `#[instance_route]` expands to
//! `InstanceFairing::new(InstanceConfig…)`: anything the attribute says, these say too.
//! What is the same for every framework (the configuration, the rendered identity,
//! the negotiation) lives in `serve/`.
//!
//! | file | what |
//! |---|---|
//! | `fairing.rs` | `InstanceFairing`: ignite (check, detect, mount, manage) and the header on every response |
//! | `route.rs` | the identity route: the rendered reply as a Rocket response |
//! | `guard.rs` | `&Instance` as a request guard |
//! | `catcher.rs` | the header on Rocket's 400 for a request it cannot read (`PROPFIND`, `CONNECT`) |
//!
//! What Rocket answers before any fairing runs carries no header: hyper's own
//! `400 Bad Request`, `414 URI Too Long` and `431 Request Header Fields Too Large`
//! never reach Rocket.

pub(crate) mod catcher;
pub(crate) mod fairing;
pub(crate) mod guard;
pub(crate) mod route;
