//! Which copy of a service am I?
//!
//! `instance-id` names the running instance of a service (its container ID, or what
//! the platform gives) so that, behind a load balancer, the people who triage know
//! which copy answered without ever learning its address.
//!
//! The detection engine reads the system through one [`SystemView`] and tries a
//! [`Chain`] of [`Strategy`]s; the first that finds a valid [`InstanceId`] decides,
//! and the [`Detection`] records every [`Attempt`]:
//!
//! ```
//! use instance_id::{detect, Chain, SystemView};
//!
//! match detect(&Chain::default(), &SystemView::live()) {
//!     Ok(detection) => println!("{}", detection.summary()),
//!     Err(none) => eprintln!("{none}"),
//! }
//! ```
//!
//! Strategies, in the order of the default chain (SPEC §3):
//!
//! | strategy | source |
//! |---|---|
//! | `cgroup` | `/proc/self/cgroup`: Docker, containerd, CRI-O, Podman, Kubernetes, ECS, LXC shapes |
//! | `mountinfo` | `/proc/self/mountinfo`: the per-container files the runtime bind-mounts |
//! | `podman` | `/run/.containerenv` |
//! | `kubernetes` | `POD_NAME`, `POD_UID` (downward API), else `HOSTNAME` in a pod |
//! | `ecs` | `DockerId` from `ECS_CONTAINER_METADATA_URI_V4` |
//! | `platform` | [`PLATFORM_VARIABLES`] |
//! | `process` | `<hostname>-<pid>` |

#![warn(missing_docs)]

mod detection;
#[cfg(feature = "hashed")]
mod expose;
#[cfg(feature = "rocket")]
mod fairing;
mod id;
mod runtime;
mod strategy;
mod view;

pub use detection::{detect, Attempt, Detection, NoInstanceId, Outcome};
#[cfg(feature = "hashed")]
pub use expose::{hash_id, hash_key, Expose};
#[cfg(feature = "rocket")]
pub use fairing::{check_header_name, Instance, InstanceConfig, InstanceFairing, DEFAULT_HEADER};
pub use id::{InstanceId, MAX_LEN};
#[cfg(feature = "rocket")]
pub use instance_id_macros::instance_route;
pub use runtime::Runtime;
pub use strategy::{
    validate_env_name, validate_file_path, Chain, Strategy, DEFAULT_FALLBACK, ECS_MAX_BODY_BYTES,
    ECS_TIMEOUT, PLATFORM_VARIABLES, STRATEGY_NAMES,
};
pub use view::{EnvValue, SystemView, MAX_FILE_BYTES};

/// Re-exported for the attribute's expansion, so that it works whatever the app calls
/// its own `rocket` dependency.
#[cfg(feature = "rocket")]
#[doc(hidden)]
pub use rocket as __rocket;
