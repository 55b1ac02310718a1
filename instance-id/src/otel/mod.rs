//! The identity in OpenTelemetry's terms: the resource attributes that name the
//! instance, by one rule, whoever asks (the detector, an app's `Instance`,
//! `instance-id detect --format otel`).
//!
//! The semantic conventions ask that `service.instance.id` be a UUID v5 where an
//! inherent id names the instance, and that the id itself (a container id, a pod
//! name) go into its own attributes: so `service.instance.id` is the UUID of the
//! detected id, and the id is `container.id` or `k8s.pod.name` where it is one.
//!
//! | file | what |
//! |---|---|
//! | `attributes.rs` | `ResourceAttributes`: the one rule from a detection to the attributes; `service_instance_id`, the UUID v5 (no OpenTelemetry crate) |
//! | `detector.rs` | `InstanceResourceDetector`, an `opentelemetry_sdk` `ResourceDetector`; an `Instance` as a `Resource` (feature `opentelemetry`) |

pub(crate) mod attributes;
#[cfg(feature = "opentelemetry")]
pub(crate) mod detector;
