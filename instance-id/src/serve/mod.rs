//! What a request meets, whatever the framework: the configuration, the identity as
//! rendered once at start-up, and the negotiation of its form. Each framework's folder
//! (`rocket/`, `axum/`) is a thin adapter over this one: how the framework starts, routes, sets
//! a header and hands the identity to handlers.
//!
//! | file | what |
//! |---|---|
//! | `config.rs` | `InstanceConfig`: the attribute's arguments as a value, checked with the grammar's rules; `start`: detect, expose, render; `StartError` |
//! | `rendered.rs` | `Rendered`: text, JSON, the page and its CSP, the header's value, the OpenTelemetry resource attributes, `served`, `started_at`; the `Reply` to a request, `Cache-Control: no-store` |
//! | `negotiate.rs` | RFC 9110 `Accept`: every line, every parameter, `q=0`, `406` |
//! | `page.rs` | the page for people, under a strict Content-Security-Policy |
//! | `instance.rs` | `Instance`: what handlers get |
//! | `with_instance.rs` | `WithInstance`: the one call `#[instance_route]` expands to, for every framework |

pub(crate) mod config;
pub(crate) mod instance;
pub(crate) mod negotiate;
pub(crate) mod page;
pub(crate) mod rendered;
pub(crate) mod with_instance;
