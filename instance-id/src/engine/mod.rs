//! The detection engine: which copy am I, from what the process can see.
//!
//! Every strategy reads the system through one `SystemView` (the live process on
//! `/`, or a snapshot folder laid out like `/`), and the engine tries a `Chain` of
//! them: the first that finds a value that passes the value rules of
//! `InstanceId` decides, and the `Detection` records every
//! `Attempt`. Nothing here knows of Rocket or of the command line.
//!
//! | file | what |
//! |---|---|
//! | `view.rs` | `SystemView`: bounded, non-blocking reads; the environment; host name and pid |
//! | `strategy/` | `Strategy`, one module per family: `container/` (cgroup, mountinfo, podman; agree and lxc), `kubernetes`, `ecs`, `platform`, `local` |
//! | `chain.rs` | `Chain`, checked by the grammar's rules |
//! | `detect.rs` | `detect`, `Detection`, `Attempt`, `NoInstanceId`, `DetectionReport` (the JSON record) |
//! | `runtime.rs` | `Runtime`: where the instance runs, a `ContainerRuntime` or a `Platform` |
//! | `variables.rs` | the environment variables read by name, each spelled once, and the one table of platform variables |

pub(crate) mod chain;
pub(crate) mod detect;
pub(crate) mod runtime;
pub(crate) mod strategy;
pub(crate) mod variables;
pub(crate) mod view;

/// System text quoted in a reason, as it is: `"…"` around it, nothing escaped, so
/// that JSON carries the system's own text and a terminal's printer escapes it there
/// (Rust's `{:?}` would write an escape such as `\u{1b}` into the reason itself).
pub(crate) struct Quoted<'a>(pub &'a str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}
