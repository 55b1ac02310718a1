//! The Rocket side: a fairing that detects the identity once at ignite, mounts the
//! identity route, names the instance on every response, and hands handlers an
//! [`Instance`](crate::Instance). `#[instance_route]` expands to
//! `InstanceFairing::new(InstanceConfig…)`: anything the attribute says, these say too.
//!
//! | file | what |
//! |---|---|
//! | `config.rs` | `InstanceConfig`: the attribute's arguments as a value, checked with the grammar's rules |
//! | `fairing.rs` | `InstanceFairing`: ignite (detect, check, mount, manage) and the header on every response |
//! | `route.rs` | the identity route: text, JSON or the page, by content negotiation; `Cache-Control: no-store` |
//! | `guard.rs` | `Instance`: request guard and managed state |
//! | `page.rs` | the page for people, under a strict Content-Security-Policy |
//!
//! What Rocket answers before any fairing runs carries no header: hyper's own
//! `400 Bad Request`, `414 URI Too Long` and `431 Request Header Fields Too Large`
//! never reach Rocket.

pub(crate) mod config;
pub(crate) mod fairing;
pub(crate) mod guard;
pub(crate) mod page;
pub(crate) mod route;
