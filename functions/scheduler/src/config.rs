//! The function's settings, read from the environment once per container.

use function_support::{Bundled, TextSource};

/// The rules bundled into the binary at build time (`routing-rules.yaml` at the root of
/// the repository), as the commit-filter function bundles them.
pub const BUNDLED_RULES: Bundled = Bundled {
    name: "routing-rules.yaml (bundled)",
    text: include_str!("../../../routing-rules.yaml"),
};

/// The scheduler function's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where the routing rules (with `schedules` and `freezes`) come from
    /// (`ROUTING_RULES_PARAMETER`, else `ROUTING_RULES_FILE`, else the bundled file).
    pub rules: TextSource,
    /// The scheduler table: holds, slot claims, the last tick (`SCHEDULER_TABLE`).
    pub table: String,
}

impl Config {
    /// Reads the settings from a variable lookup (the process environment in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let rules =
            TextSource::from_lookup(&lookup, "ROUTING_RULES_PARAMETER", "ROUTING_RULES_FILE")
                .unwrap_or(TextSource::Bundled(BUNDLED_RULES));
        let table = lookup("SCHEDULER_TABLE")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or("SCHEDULER_TABLE is not set: the scheduler table's name")?;
        Ok(Self { rules, table })
    }

    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_required_and_the_rules_default_to_the_bundle() {
        assert!(Config::from_lookup(|_| None).is_err());
        let config = Config::from_lookup(|name| (name == "SCHEDULER_TABLE").then(|| "t".into()));
        assert_eq!(
            config.map(|c| c.rules),
            Ok(TextSource::Bundled(BUNDLED_RULES))
        );
    }
}
