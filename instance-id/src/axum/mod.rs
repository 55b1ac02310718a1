//! The Axum and Tower side: the identity route on a `Router`, a Tower layer that
//! names the instance on every response (of an Axum router, a tonic server, any
//! `http` service), and [`Instance`](crate::Instance) as an extractor.
//! `#[instance_route]` on a function returning `Router` expands to
//! `WithInstance::with_instance(router, InstanceConfig…)`, which detects right there
//! (the function runs at start-up), adds the route and wraps the router in the layer.
//! What is the same for every framework lives in `serve/`.
//!
//! | file | what |
//! |---|---|
//! | `route.rs` | the identity route as an Axum handler; `WithInstance` for `Router` |
//! | `layer.rs` | `InstanceLayer`: the header on every response, the count, the identity for handlers |
//! | `extract.rs` | `Instance` as an extractor |
//!
//! The header is on every response that passes through the layer: the router's own
//! 404 and 405, what other layers inside it answer, error responses. What hyper
//! answers itself (a request it cannot parse) never reaches the router.

pub(crate) mod extract;
pub(crate) mod layer;
pub(crate) mod route;
