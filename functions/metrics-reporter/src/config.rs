//! The function's settings, read from the environment once per container.
//!
//! | Variable | Meaning |
//! |---|---|
//! | `METRICS_BUCKET` | the metrics bucket: rows are read from it, reports written to it (required) |
//! | `METRICS_PREFIX` | key prefix above the `dt=` partitions (default `pipeline-events`) |
//! | `PRODUCTION_PIPELINES` | comma-separated production pipelines for the DORA tiles |
//! | `METRICS_PERIOD_DAYS` | days in a period (default 30): the report covers the period ending on the day, the change compares with the period before |
//! | `REPORT_TITLE` | the page and digest title (default `Pipeline metrics`) |
//! | `DIGEST_CHANNEL` | Slack channel of the digest; empty: no digest (and no Slack secret read) |
//! | `SLACK_SECRET_ID` / `SLACK_SECRET_PARAMETER` | where the Slack bot token is (needed with a channel) |
//! | `SLACK_API_URL` | Slack Web API base URL (default `https://slack.com/api`) |
//! | `SCHEDULER_TABLE` | the scheduler table, for the holds waiting on freezes; empty: none shown |
//! | `DASHBOARD_URL` | the link in the digest; default the S3 console page of `reports/latest.html` |

use std::collections::BTreeSet;

use aws_adapters::slack_http::DEFAULT_SLACK_API_URL;
use aws_adapters::slack_secrets::SecretLocation;

/// The key prefix used when `METRICS_PREFIX` is not set (the metrics-extractor's).
pub const DEFAULT_PREFIX: &str = "pipeline-events";
/// Days in a period when `METRICS_PERIOD_DAYS` is not set.
pub const DEFAULT_PERIOD_DAYS: u32 = 30;

/// Where and how the digest is posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestSettings {
    /// The channel (`DIGEST_CHANNEL`).
    pub channel: String,
    /// Where the bot token is.
    pub secret: SecretLocation,
    /// The Web API base URL.
    pub slack_api_url: String,
}

/// The metrics-reporter's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The metrics bucket.
    pub bucket: String,
    /// The prefix above the `dt=` partitions, without slashes around it.
    pub prefix: String,
    /// The production pipelines.
    pub production_pipelines: BTreeSet<String>,
    /// Days in a period.
    pub period_days: u32,
    /// The title.
    pub title: String,
    /// The digest, when a channel is set.
    pub digest: Option<DigestSettings>,
    /// The scheduler table, when set.
    pub scheduler_table: Option<String>,
    /// The link in the digest.
    pub dashboard_url: String,
}

/// The S3 console page of `reports/latest.html` in `bucket`: it works for anyone who
/// can sign in to the account with `s3:GetObject` on the object, and never expires.
pub fn console_url(bucket: &str, region: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/s3/object/{bucket}?region={region}&prefix=reports/latest.html"
    )
}

impl Config {
    /// Reads the settings from a variable lookup (the process environment in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let bucket = get("METRICS_BUCKET").ok_or("METRICS_BUCKET must name the metrics bucket")?;
        let prefix = get("METRICS_PREFIX")
            .map(|p| p.trim_matches('/').to_owned())
            .unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
        let production_pipelines = get("PRODUCTION_PIPELINES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let period_days = match get("METRICS_PERIOD_DAYS") {
            None => DEFAULT_PERIOD_DAYS,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    format!(
                        "METRICS_PERIOD_DAYS must be a number of days from 1 to 3650, not `{text}`"
                    )
                })?,
        };
        let digest = match get("DIGEST_CHANNEL") {
            None => None,
            Some(channel) => {
                let secret = match (get("SLACK_SECRET_ID"), get("SLACK_SECRET_PARAMETER")) {
                    (Some(id), _) => SecretLocation::SecretsManager(id),
                    (None, Some(name)) => SecretLocation::SsmParameter(name),
                    (None, None) => {
                        return Err("DIGEST_CHANNEL is set: set SLACK_SECRET_ID (Secrets Manager secret) or SLACK_SECRET_PARAMETER (SSM SecureString) too, the name, not the value".to_owned());
                    }
                };
                let slack_api_url =
                    get("SLACK_API_URL").unwrap_or_else(|| DEFAULT_SLACK_API_URL.to_owned());
                if !slack_api_url.starts_with("https://")
                    && !slack_approval::decide::is_loopback_http_url(&slack_api_url)
                {
                    return Err(format!(
                        "SLACK_API_URL must be https://, or http:// on a loopback address, not `{slack_api_url}`"
                    ));
                }
                Some(DigestSettings {
                    channel,
                    secret,
                    slack_api_url,
                })
            }
        };
        let region = get("AWS_REGION").unwrap_or_else(|| "us-east-1".to_owned());
        let dashboard_url = get("DASHBOARD_URL").unwrap_or_else(|| console_url(&bucket, &region));
        Ok(Self {
            title: get("REPORT_TITLE").unwrap_or_else(|| "Pipeline metrics".to_owned()),
            bucket,
            prefix,
            production_pipelines,
            period_days,
            digest,
            scheduler_table: get("SCHEDULER_TABLE"),
            dashboard_url,
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

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_bucket_is_required_and_the_rest_has_defaults() {
        assert!(Config::from_lookup(|_| None).is_err());
        let config = Config::from_lookup(lookup(&[
            ("METRICS_BUCKET", "metrics-b"),
            ("AWS_REGION", "eu-west-1"),
            ("DIGEST_CHANNEL", " "),
        ]))
        .unwrap();
        assert_eq!(config.prefix, "pipeline-events");
        assert_eq!(config.period_days, 30);
        assert_eq!(config.digest, None, "an empty channel means no digest");
        assert_eq!(config.scheduler_table, None);
        assert_eq!(
            config.dashboard_url,
            "https://eu-west-1.console.aws.amazon.com/s3/object/metrics-b?region=eu-west-1&prefix=reports/latest.html"
        );
    }

    #[test]
    fn a_channel_needs_the_secret_and_a_safe_api_url() {
        let base = [("METRICS_BUCKET", "b"), ("DIGEST_CHANNEL", "#deploys")];
        let error = Config::from_lookup(lookup(&base)).unwrap_err();
        assert!(error.contains("SLACK_SECRET_ID"), "{error}");
        let mut vars = base.to_vec();
        vars.push(("SLACK_SECRET_ID", "pipeline-router/slack"));
        vars.push(("PRODUCTION_PIPELINES", "deploy-prod, deploy-eu,"));
        vars.push(("METRICS_PERIOD_DAYS", "7"));
        let config = Config::from_lookup(lookup(&vars)).unwrap();
        assert_eq!(
            config.digest.map(|d| (d.channel, d.secret)),
            Some((
                "#deploys".to_owned(),
                SecretLocation::SecretsManager("pipeline-router/slack".to_owned())
            ))
        );
        assert_eq!(config.production_pipelines.len(), 2);
        assert_eq!(config.period_days, 7);
        let mut plain_http = vars.clone();
        plain_http.push(("SLACK_API_URL", "http://slack.example.com/api"));
        assert!(Config::from_lookup(lookup(&plain_http)).is_err());
        let zero = [("METRICS_BUCKET", "b"), ("METRICS_PERIOD_DAYS", "0")];
        let error = Config::from_lookup(lookup(&zero)).unwrap_err();
        assert!(error.contains("METRICS_PERIOD_DAYS"), "{error}");
    }
}
