//! The ports over AWS and Slack: rows and reports in the metrics bucket (S3), the digest
//! through the Slack Web API (the bot token read once from Secrets Manager or SSM, only
//! when a channel is set), the holds from the scheduler table (DynamoDB, when set). Built
//! once per container by [`from_env`] / [`from_config`].

use std::time::Duration;

use aws_adapters::holds_store::DynamoHoldStore;
use aws_adapters::metrics_reporter::{
    S3ReportSink, S3RowSource, SlackDigestPoster, StoreHeldPushes,
};
use aws_adapters::slack_http::SlackHttp;
use aws_adapters::slack_secrets::{SecretsError, load_secrets};
use pipeline_metrics::dashboard::digest::WaitingHold;
use pipeline_metrics::reporter::{
    DigestPoster, HeldPushes, HoldsError, NoHolds, NoPoster, PostError, Reporter, ReporterConfig,
};
use pipeline_metrics::{DoraConfig, ReportConfig};

use crate::config::Config;
use crate::handler::ReporterFunction;

/// How long one Slack call may take.
const SLACK_TIMEOUT: Duration = Duration::from_secs(10);

/// The digest poster: Slack when a channel is set, nothing otherwise.
#[derive(Clone, Debug)]
pub enum Poster {
    /// `chat.postMessage` (boxed: the HTTP client is large, and there is one per container).
    Slack(Box<SlackDigestPoster>),
    /// No channel.
    None(NoPoster),
}

impl DigestPoster for Poster {
    async fn post(&self, message: &serde_json::Value) -> Result<(), PostError> {
        match self {
            Poster::Slack(p) => p.post(message).await,
            Poster::None(p) => p.post(message).await,
        }
    }
}

/// The holds: the scheduler table's when set, none otherwise.
#[derive(Clone, Debug)]
pub enum Holds {
    /// The scheduler table.
    Table(StoreHeldPushes<DynamoHoldStore>),
    /// No table.
    None(NoHolds),
}

impl HeldPushes for Holds {
    async fn waiting(&self) -> Result<Vec<WaitingHold>, HoldsError> {
        match self {
            Holds::Table(h) => h.waiting().await,
            Holds::None(h) => h.waiting().await,
        }
    }
}

/// The reporter function over AWS.
pub type AwsReporter = ReporterFunction<S3RowSource, S3ReportSink, Poster, Holds>;

/// The function could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A setting is missing or invalid.
    #[error("{0}")]
    Settings(String),
    /// The Slack secrets could not be read.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The Slack client could not be built.
    #[error("cannot set up the Slack client")]
    Slack(#[source] slack_approval::SlackError),
}

/// The function as the Lambda runs it: settings from the process environment,
/// credentials and region from the environment's AWS configuration.
pub async fn from_env() -> Result<AwsReporter, SetupError> {
    let config = Config::from_env().map_err(SetupError::Settings)?;
    let aws = aws_config::load_from_env().await;
    from_config(&config, &aws).await
}

/// The function with `config`'s settings over the clients of `aws`.
pub async fn from_config(
    config: &Config,
    aws: &aws_config::SdkConfig,
) -> Result<AwsReporter, SetupError> {
    let s3 = aws_sdk_s3::Client::new(aws);
    let poster = match &config.digest {
        Some(digest) => {
            let secrets = load_secrets(
                &digest.secret,
                &aws_sdk_secretsmanager::Client::new(aws),
                &aws_sdk_ssm::Client::new(aws),
            )
            .await?;
            let slack = SlackHttp::new(&digest.slack_api_url, secrets.bot_token, SLACK_TIMEOUT)
                .map_err(SetupError::Slack)?;
            Poster::Slack(Box::new(SlackDigestPoster::new(slack)))
        }
        None => Poster::None(NoPoster),
    };
    let holds = match &config.scheduler_table {
        Some(table) => Holds::Table(StoreHeldPushes::new(DynamoHoldStore::new(
            aws_sdk_dynamodb::Client::new(aws),
            table.clone(),
        ))),
        None => Holds::None(NoHolds),
    };
    tracing::info!(
        bucket = %config.bucket,
        prefix = %config.prefix,
        period_days = config.period_days,
        digest_channel = config.digest.as_ref().map(|d| d.channel.as_str()),
        holds = config.scheduler_table.is_some(),
        "metrics-reporter configured"
    );
    Ok(ReporterFunction {
        reporter: Reporter {
            rows: S3RowSource::new(s3.clone(), config.bucket.clone(), config.prefix.clone()),
            sink: S3ReportSink::new(s3, config.bucket.clone()),
            poster,
            holds,
            config: ReporterConfig {
                report: ReportConfig {
                    title: config.title.clone(),
                    dora: DoraConfig {
                        production_pipelines: config.production_pipelines.clone(),
                        period: None,
                    },
                    ..ReportConfig::default()
                },
                period_days: config.period_days,
                channel: config.digest.as_ref().map(|d| d.channel.clone()),
                dashboard_url: Some(config.dashboard_url.clone()),
            },
        },
    })
}
