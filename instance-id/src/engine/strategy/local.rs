//! The sources a developer names outright, and the host's own: `env`, `file`,
//! `hostname`, `process`, `machine_id`, `random`, `custom`.

use std::sync::OnceLock;

use super::{env_or_reason, Evidence};
use crate::engine::view::SystemView;
use crate::engine::Quoted;
use crate::identity::expose::hash_id;
use crate::identity::id::{short_form, InstanceId};

pub(crate) fn env(view: &SystemView, name: &str) -> Result<Evidence, String> {
    match env_or_reason(view, name)? {
        Some(value) => Ok(Evidence::new(value, None, format!("${name}"))),
        None => Err(format!("${name} is not set")),
    }
}

pub(crate) fn file(view: &SystemView, path: &str) -> Result<Evidence, String> {
    let text = view.read(path)?;
    let first = text.lines().next().unwrap_or("");
    Ok(Evidence::new(first, None, format!("first line of {path}")))
}

pub(crate) fn hostname(view: &SystemView) -> Result<Evidence, String> {
    let name = view
        .hostname()
        .map_err(|err| format!("no host name: {err}"))?;
    Ok(Evidence::new(
        name,
        None,
        "the host name (shared by every process of the host)",
    ))
}

/// `<hostname>-<pid>` when the host name may be shown; otherwise (an address in it,
/// as EC2's `ip-172-31-9-4`, or no host name at all) `proc-<tag>-<pid>`, where the tag
/// is a keyed hash of the host name and the pid under a secret of the host. It always
/// succeeds, and never shows what the host name would have revealed.
pub(crate) fn process(view: &SystemView) -> Result<Evidence, String> {
    let pid = match view.pid() {
        Ok(pid) => pid.to_string(),
        // Only a snapshot can lack it; a live process always has one.
        Err(err) => return Err(format!("no pid: {err}")),
    };
    let host = view.hostname();
    let why = match host {
        Ok(host) => {
            let plain = format!("{host}-{pid}");
            match InstanceId::new(&plain) {
                Ok(_) => return Ok(Evidence::new(plain, None, "host name and process id")),
                Err(rule) => format!("the host name {} is not shown ({rule})", Quoted(host)),
            }
        }
        Err(err) => format!("no host name ({err})"),
    };
    let (secret, whence) = host_secret(view);
    let tag = hash_id(secret.as_bytes(), &format!("{}\0{pid}", host.unwrap_or("")));
    Ok(Evidence::new(
        format!("proc-{}-{pid}", short_form(&tag)),
        None,
        format!("{why}; named by the process id and a hash of the host name keyed with {whence}, which reveals nothing"),
    ))
}

/// A secret of this host that no user of the app sees: the boot id, else the machine
/// id, else a random value made once for this process (unique, and stable for the
/// process, which is all a process name needs).
fn host_secret(view: &SystemView) -> (String, &'static str) {
    for (path, whence) in [
        ("/proc/sys/kernel/random/boot_id", "the boot id"),
        ("/etc/machine-id", "the machine id"),
    ] {
        if let Ok(text) = view.read(path) {
            let secret = text.trim();
            if !secret.is_empty() {
                return (secret.to_owned(), whence);
            }
        }
    }
    static RANDOM: OnceLock<String> = OnceLock::new();
    let random = RANDOM.get_or_init(|| uuid::Uuid::new_v4().to_string());
    (random.clone(), "a random value made once for this process")
}

pub(crate) fn machine_id(view: &SystemView) -> Result<Evidence, String> {
    let text = view.read("/etc/machine-id")?;
    Ok(Evidence::new(
        text.lines().next().unwrap_or(""),
        None,
        "/etc/machine-id (names the host, not the process)",
    ))
}

pub(crate) fn random() -> Result<Evidence, String> {
    static ID: OnceLock<String> = OnceLock::new();
    let id = ID.get_or_init(|| uuid::Uuid::new_v4().to_string());
    Ok(Evidence::new(
        id.as_str(),
        None,
        "a UUID v4 made once for this process",
    ))
}

pub(crate) fn custom(name: &str, func: fn() -> Option<String>) -> Result<Evidence, String> {
    match std::panic::catch_unwind(func) {
        Ok(Some(value)) => Ok(Evidence::new(value, None, format!("{name}()"))),
        Ok(None) => Err(format!("{name}() returned None")),
        Err(_) => Err(format!("{name}() panicked")),
    }
}
