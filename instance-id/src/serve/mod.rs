//! What a request meets, whatever the framework: the public API every adapter is
//! written on. The Rocket, Axum and actix-web adapters of this crate use it and
//! nothing else, so an adapter for any other framework can be written outside this
//! crate the same way (feature `serve`, which each framework's feature turns on).
//!
//! An adapter does four things, each one call:
//!
//! | at | an adapter calls | and |
//! |---|---|---|
//! | start-up, once per process | [`InstanceConfig::start`] | keeps the [`Instance`] (cheap to clone, one count for all clones); a [`StartError`] stops the app |
//! | the identity route | [`Instance::path`], then [`Instance::reply`] with the request's method and `Accept` lines | writes the [`Reply`]'s status, headers and body ([`ReplyBody`]) as its framework's response |
//! | every response of the app | [`Instance::header`] | sets that header where the response lacks it (a handler's own value is kept) |
//! | every response of the app | [`Instance::count_response`] | once, as the response leaves |
//!
//! and hands handlers the [`Instance`] in the framework's way (an extractor, a guard,
//! state). [`WithInstance`] is the trait `#[instance_route]` expands to; an adapter
//! may implement it for its framework's app type, where that type can be given the
//! route and the header in one call. The types are this crate's and `std`'s only: no
//! `http` type crosses this API, so adapters on `http` 0.2 and on `http` 1 both fit.
//!
//! ```
//! use instance_id::{InstanceConfig, SystemView};
//!
//! // Start-up (a snapshot here; `InstanceConfig::new("/inst").start()` reads the system).
//! let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
//! let instance = InstanceConfig::new("/inst").view(view).start()?;
//!
//! // A request for the identity route:
//! assert_eq!(instance.path(), "/inst");
//! let reply = instance.reply("GET", ["text/html"]);
//! assert_eq!(reply.status(), 200);
//! assert!(reply.headers().any(|(name, _)| name == "content-security-policy"));
//!
//! // Every response of the app:
//! assert_eq!(instance.header(), Some(("X-Instance-Id", "web-7d9f")));
//! instance.count_response();
//! assert_eq!(instance.served(), 1);
//! # Ok::<(), instance_id::StartError>(())
//! ```
//!
//! | file | what |
//! |---|---|
//! | `config.rs` | `InstanceConfig`: the attribute's arguments as a value, checked with the grammar's rules; `start`: detect, expose, render; `StartError` |
//! | `instance.rs` | `Instance`: what handlers get, and the adapter's calls (path, header, reply, count) |
//! | `rendered.rs` | the identity rendered once at start-up (text, JSON, the page and its CSP); the `Reply` to a request, `Cache-Control: no-store`, 405 and 406 |
//! | `negotiate.rs` | RFC 9110 `Accept`: every line, every parameter, `q=0` |
//! | `page.rs` | the page for people, under a strict Content-Security-Policy |
//! | `with_instance.rs` | `WithInstance`: the one call `#[instance_route]` expands to |

pub(crate) mod config;
pub(crate) mod instance;
pub(crate) mod negotiate;
pub(crate) mod page;
pub(crate) mod rendered;
pub(crate) mod with_instance;

#[doc(no_inline)]
pub use crate::{Instance, InstanceConfig, Reply, ReplyBody, StartError, WithInstance};
