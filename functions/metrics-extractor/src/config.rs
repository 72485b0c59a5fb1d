//! The function's settings, read from the environment once per container.

/// The object key prefix used when `METRICS_PREFIX` is not set.
pub const DEFAULT_PREFIX: &str = "pipeline-events";

/// The metrics-extractor function's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The bucket the rows are written to (`METRICS_BUCKET`, required).
    pub bucket: String,
    /// The key prefix above the `dt=` partitions (`METRICS_PREFIX`, default
    /// [`DEFAULT_PREFIX`]), without leading or trailing slashes.
    pub prefix: String,
}

impl Config {
    /// Reads the settings from a variable lookup (the process environment in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let non_empty = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let bucket = non_empty("METRICS_BUCKET")
            .ok_or_else(|| "METRICS_BUCKET must name the metrics bucket".to_owned())?;
        let prefix = non_empty("METRICS_PREFIX")
            .map(|p| p.trim_matches('/').to_owned())
            .unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
        Ok(Self { bucket, prefix })
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
    fn the_bucket_is_required_and_the_prefix_has_a_default() {
        let error = Config::from_lookup(|_| None).err().unwrap_or_default();
        assert!(error.contains("METRICS_BUCKET"), "{error}");
        let config = Config::from_lookup(|name| (name == "METRICS_BUCKET").then(|| "b".into()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.prefix, "pipeline-events");
        let config = Config::from_lookup(|name| match name {
            "METRICS_BUCKET" => Some(" metrics ".into()),
            "METRICS_PREFIX" => Some("/raw/events/".into()),
            _ => None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config,
            Config {
                bucket: "metrics".into(),
                prefix: "raw/events".into()
            }
        );
    }
}
