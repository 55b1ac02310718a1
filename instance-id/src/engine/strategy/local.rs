//! The sources a developer names outright, and the host's own: `env`, `file`,
//! `hostname`, `process`, `machine_id`, `random`, `custom`.

use std::sync::OnceLock;

use super::{var, Evidence};
use crate::engine::view::SystemView;

pub(crate) fn env(view: &SystemView, name: &str) -> Result<Evidence, String> {
    match var(view, name)? {
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

pub(crate) fn process(view: &SystemView) -> Result<Evidence, String> {
    let name = view
        .hostname()
        .map_err(|err| format!("no host name: {err}"))?;
    let pid = view.pid().map_err(|err| format!("no pid: {err}"))?;
    Ok(Evidence::new(
        format!("{}-{pid}", name.trim()),
        None,
        "host name and process id",
    ))
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
