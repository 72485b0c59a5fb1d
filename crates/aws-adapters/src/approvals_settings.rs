//! Settings of both approval functions, read from the environment once per container, and
//! the approvals file they name.
//!
//! | variable | meaning |
//! |---|---|
//! | `APPROVALS_CONFIG_PARAMETER` | SSM parameter holding `approvals.yaml` (wins over the file) |
//! | `APPROVALS_CONFIG_FILE` | path of `approvals.yaml` (local runs) |
//! | `SLACK_SECRET_ID` | Secrets Manager secret (name or ARN) with the Slack secrets |
//! | `SLACK_SECRET_PARAMETER` | or: SSM SecureString parameter with the same JSON |
//! | `SLACK_API_URL` | Slack Web API base URL, default `https://slack.com/api` |
//! | `APPROVALS_TABLE` | DynamoDB table of approval messages |
//!
//! The secret variables name where the secrets are, never the secrets themselves.

use function_support::{LoadTextError, TextSource};
use slack_approval::ApprovalsConfig;

use crate::slack_http::DEFAULT_SLACK_API_URL;
use crate::slack_secrets::SecretLocation;

/// Where `approvals.yaml` comes from.
pub type ConfigLocation = TextSource;

/// The settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where the approvals file is.
    pub approvals: ConfigLocation,
    /// Where the Slack secrets are.
    pub secret: SecretLocation,
    /// Slack Web API base URL.
    pub slack_api_url: String,
    /// The DynamoDB table of approval messages.
    pub table: String,
}

/// Settings that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A required variable is not set; the text says which and what it holds.
    #[error("{0}")]
    Missing(&'static str),
    /// A variable holds a value that cannot be used.
    #[error("{variable}: {message}")]
    Invalid {
        /// The variable.
        variable: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Settings {
    /// Reads the settings from a variable lookup (the process environment in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let approvals = TextSource::from_lookup(
            &lookup,
            "APPROVALS_CONFIG_PARAMETER",
            "APPROVALS_CONFIG_FILE",
        )
        .ok_or(SettingsError::Missing(
            "set APPROVALS_CONFIG_PARAMETER (SSM parameter name) or APPROVALS_CONFIG_FILE",
        ))?;
        let secret = match (get("SLACK_SECRET_ID"), get("SLACK_SECRET_PARAMETER")) {
            (Some(id), _) => SecretLocation::SecretsManager(id),
            (None, Some(name)) => SecretLocation::SsmParameter(name),
            (None, None) => {
                return Err(SettingsError::Missing(
                    "set SLACK_SECRET_ID (Secrets Manager secret) or SLACK_SECRET_PARAMETER (SSM SecureString): the name, not the value",
                ));
            }
        };
        let slack_api_url =
            get("SLACK_API_URL").unwrap_or_else(|| DEFAULT_SLACK_API_URL.to_owned());
        if !slack_api_url.starts_with("https://")
            && !slack_approval::decide::is_loopback_http_url(&slack_api_url)
        {
            return Err(SettingsError::Invalid {
                variable: "SLACK_API_URL",
                message: format!(
                    "must be https://, or http:// on a loopback address, not `{slack_api_url}`"
                ),
            });
        }
        let table = get("APPROVALS_TABLE").ok_or(SettingsError::Missing(
            "set APPROVALS_TABLE (DynamoDB table name)",
        ))?;
        Ok(Self {
            approvals,
            secret,
            slack_api_url,
            table,
        })
    }

    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// The approvals file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadConfigError {
    /// The file or the SSM parameter could not be read.
    #[error(transparent)]
    Read(#[from] LoadTextError),
    /// The file is invalid.
    #[error(transparent)]
    Invalid(#[from] slack_approval::ConfigError),
}

/// Loads and validates the approvals file.
pub async fn load_approvals(
    location: &ConfigLocation,
    ssm: &aws_sdk_ssm::Client,
) -> Result<ApprovalsConfig, LoadConfigError> {
    let text = location.read("approvals file", ssm).await?;
    Ok(ApprovalsConfig::from_yaml(&text, &location.origin())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn reads_locations_and_defaults() {
        let settings = Settings::from_lookup(env(&[
            ("APPROVALS_CONFIG_PARAMETER", "/pipeline-router/approvals"),
            ("SLACK_SECRET_ID", "pipeline-router/slack"),
            ("APPROVALS_TABLE", "approvals"),
        ]))
        .unwrap();
        assert_eq!(
            settings.approvals,
            ConfigLocation::SsmParameter("/pipeline-router/approvals".into())
        );
        assert_eq!(
            settings.secret,
            SecretLocation::SecretsManager("pipeline-router/slack".into())
        );
        assert_eq!(settings.slack_api_url, "https://slack.com/api");
    }

    #[test]
    fn refuses_plain_http_to_anywhere_but_loopback() {
        let error = Settings::from_lookup(env(&[
            ("APPROVALS_CONFIG_FILE", "approvals.yaml"),
            ("SLACK_SECRET_PARAMETER", "/slack"),
            ("APPROVALS_TABLE", "t"),
            ("SLACK_API_URL", "http://slack.example.com/api"),
        ]))
        .unwrap_err();
        assert!(
            matches!(
                error,
                SettingsError::Invalid {
                    variable: "SLACK_API_URL",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            Settings::from_lookup(env(&[
                ("APPROVALS_CONFIG_FILE", "approvals.yaml"),
                ("SLACK_SECRET_PARAMETER", "/slack"),
                ("APPROVALS_TABLE", "t"),
                ("SLACK_API_URL", "http://127.0.0.1:9999/api"),
            ]))
            .is_ok()
        );
        assert!(Settings::from_lookup(env(&[("APPROVALS_TABLE", "t")])).is_err());
    }
}
