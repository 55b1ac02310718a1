//! The `#[instance_route]` attribute of [`instance-id`](https://docs.rs/instance-id).
//!
//! Empty until the attribute lands: the detection engine in `instance-id` comes first.
