//! The AWS wiring both approval functions start from: settings from the environment, the
//! approvals file, the Slack secrets, the Slack client and the approval store. Each
//! function's `aws::from_env()` builds on it, so the CLI and `main.rs` wire the same.

use std::time::Duration;

use slack_approval::{ApprovalsConfig, SlackError};

use crate::approval_store::DynamoStore;
use crate::approvals_settings::{LoadConfigError, Settings, SettingsError, load_approvals};
use crate::slack_http::SlackHttp;
use crate::slack_secrets::{SecretsError, SlackSecrets, load_secrets};

/// The approval functions could not start.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The environment is incomplete or invalid (the text names the variable; no prefix,
    /// so that error chains do not print it twice).
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The approvals file could not be loaded.
    #[error(transparent)]
    Config(#[from] LoadConfigError),
    /// The Slack secrets could not be read.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The Slack client could not be built.
    #[error(transparent)]
    Slack(#[from] SlackError),
}

/// What both approval functions build once per container.
#[derive(Debug)]
pub struct ApprovalsAws {
    /// The SDK configuration the clients were built from.
    pub sdk: aws_config::SdkConfig,
    /// The settings read from the environment.
    pub settings: Settings,
    /// The approvals file.
    pub config: ApprovalsConfig,
    /// The signing secret (the bot token is in [`ApprovalsAws::slack`]).
    pub signing_secret: slack_approval::SigningSecret,
    /// Slack, each call limited to the timeout given.
    pub slack: SlackHttp,
    /// The approval messages' table.
    pub store: DynamoStore,
}

impl ApprovalsAws {
    /// Reads the settings from the process environment and loads everything with `sdk`;
    /// each Slack call is limited to `slack_timeout`.
    pub async fn from_env(
        sdk: aws_config::SdkConfig,
        slack_timeout: Duration,
    ) -> Result<Self, InitError> {
        let settings = Settings::from_env()?;
        let ssm = aws_sdk_ssm::Client::new(&sdk);
        let config = load_approvals(&settings.approvals, &ssm).await?;
        let SlackSecrets {
            signing_secret,
            bot_token,
        } = load_secrets(
            &settings.secret,
            &aws_sdk_secretsmanager::Client::new(&sdk),
            &ssm,
        )
        .await?;
        tracing::info!(approvals = ?settings.approvals, secret = %settings.secret, pipelines = config.pipelines.len(), "approvals file and Slack secrets loaded");
        let slack = SlackHttp::new(&settings.slack_api_url, bot_token, slack_timeout)?;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), settings.table.clone());
        Ok(Self {
            sdk,
            settings,
            config,
            signing_secret,
            slack,
            store,
        })
    }
}
