//! `platform`: what a hosting platform says about the instance, in its environment.
//! The variables, and which platform each names, are the engine's one table
//! ([`PLATFORM_VARIABLES`](crate::engine::variables::PLATFORM_VARIABLES)).

use super::{env_or_reason, Evidence};
use crate::engine::variables::{PlatformVariable, PLATFORM_VARIABLES};
use crate::engine::view::SystemView;

/// The variables whose value names the instance, in the table's order.
fn naming() -> impl Iterator<Item = &'static PlatformVariable> {
    PLATFORM_VARIABLES.iter().filter(|v| v.names_instance)
}

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    for variable in naming() {
        if let Some(value) = env_or_reason(view, variable.name)? {
            return Ok(Evidence::new(
                value,
                Some(variable.platform.into()),
                format!("${}", variable.name),
            ));
        }
    }
    let names: Vec<&str> = naming().map(|v| v.name).collect();
    Err(format!(
        "no platform variable is set ({})",
        names.join(", ")
    ))
}
