//! The function's settings, read from the environment once per container.

use function_support::{Bundled, TextSource};

/// The rules bundled into the binary at build time: `routing-rules.yaml` at the root of
/// the repository. `sam build` therefore deploys the rules file next to the code.
pub const BUNDLED_RULES: &str = include_str!("../../../routing-rules.yaml");

/// [`BUNDLED_RULES`] as a text source, with the name its errors give.
pub const BUNDLED_RULES_SOURCE: Bundled = Bundled {
    name: "routing-rules.yaml (bundled)",
    text: BUNDLED_RULES,
};

/// Where the routing rules come from: an SSM parameter, a file, or the bundled rules.
pub type RulesLocation = TextSource;

/// The commit-filter function's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the routing rules come from (`ROUTING_RULES_PARAMETER`, else
    /// `ROUTING_RULES_FILE`, else the bundled file).
    pub rules: RulesLocation,
    /// The SNS topic for routing summaries (`ROUTING_SUMMARY_TOPIC_ARN`), if any.
    pub summary_topic_arn: Option<String>,
    /// `MaxResults` for `GetDifferences` (`DIFF_PAGE_SIZE`), if set.
    pub diff_page_size: Option<i32>,
    /// The DynamoDB table holds are written to (`SCHEDULER_TABLE`), if any.
    pub scheduler_table: Option<String>,
}

impl Config {
    /// Reads the settings from a variable lookup (the process environment in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let rules =
            TextSource::from_lookup(&lookup, "ROUTING_RULES_PARAMETER", "ROUTING_RULES_FILE")
                .unwrap_or(TextSource::Bundled(BUNDLED_RULES_SOURCE));
        let diff_page_size = match non_empty("DIFF_PAGE_SIZE") {
            None => None,
            Some(text) => Some(
                text.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!("DIFF_PAGE_SIZE must be a positive number, not `{text}`")
                    })?,
            ),
        };
        Ok(Self {
            rules,
            summary_topic_arn: non_empty("ROUTING_SUMMARY_TOPIC_ARN"),
            diff_page_size,
            scheduler_table: non_empty("SCHEDULER_TABLE"),
        })
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
    fn the_parameter_wins_then_the_file_then_the_bundle() {
        let config = Config::from_lookup(|name| match name {
            "ROUTING_RULES_PARAMETER" => Some("/pipeline-router/rules".into()),
            "ROUTING_RULES_FILE" => Some("/var/task/rules.yaml".into()),
            _ => None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.rules,
            RulesLocation::SsmParameter("/pipeline-router/rules".into())
        );
        let config = Config::from_lookup(|name| {
            (name == "ROUTING_RULES_FILE").then(|| "/var/task/rules.yaml".into())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.rules,
            RulesLocation::File("/var/task/rules.yaml".into())
        );
        let config = Config::from_lookup(|_| None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.rules, RulesLocation::Bundled(BUNDLED_RULES_SOURCE));
        assert_eq!(config.summary_topic_arn, None);
    }

    #[test]
    fn bad_page_size_is_an_error() {
        let error = Config::from_lookup(|name| (name == "DIFF_PAGE_SIZE").then(|| "ten".into()))
            .err()
            .unwrap_or_default();
        assert!(error.contains("DIFF_PAGE_SIZE"), "{error}");
    }

    #[test]
    fn the_bundled_rules_are_valid() {
        pipeline_routing::RoutingRules::from_yaml(BUNDLED_RULES, "routing-rules.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
