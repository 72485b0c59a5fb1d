//! `pipeline-router invoke metrics-reporter`: the handler on a run event, with a local
//! folder in place of the metrics bucket (rows read from `DIR/{prefix}/dt=...`, the
//! reports written to `DIR/reports/`, [`metrics_reporter::local`]) and the digest recorded
//! on stderr, or posted to Slack with `--post`; or with `--aws` wired exactly as the
//! Lambda is ([`metrics_reporter::aws::from_env`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use aws_adapters::metrics_reporter::{SlackDigestPoster, StoreHeldPushes};
use aws_adapters::slack_http::DEFAULT_SLACK_API_URL;
use jiff::Timestamp;
use metrics_reporter::ReporterFunction;
use metrics_reporter::config::{DEFAULT_PERIOD_DAYS, DEFAULT_PREFIX};
use metrics_reporter::local::{FolderReportSink, FolderRowSource};
use pipeline_metrics::reporter::{DigestPoster, PostError, Reporter, ReporterConfig};
use pipeline_metrics::{DoraConfig, ReportConfig};

use super::{EventFile, print_outcome};
use crate::holds_file::{DEFAULT_HOLDS_FILE, FileHoldStore};
use crate::metrics::{DEFAULT_DIR, slack_poster};

/// `invoke metrics-reporter`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct MetricsReporterArgs {
    /// The run event (see events/metrics-reporter/).
    #[command(flatten)]
    pub event: EventFile,
    /// The local folder in place of the bucket: rows read from its dt= partitions, the
    /// reports written under DIR/reports/.
    #[arg(long, default_value = DEFAULT_DIR, conflicts_with = "aws")]
    pub dir: PathBuf,
    /// Key prefix above the dt= partitions.
    #[arg(long, default_value = DEFAULT_PREFIX, conflicts_with = "aws")]
    pub prefix: String,
    /// A pipeline that deploys to production, for the DORA tiles (repeatable).
    #[arg(long = "production-pipeline", conflicts_with = "aws")]
    pub production_pipelines: Vec<String>,
    /// Days in a period (METRICS_PERIOD_DAYS).
    #[arg(long, default_value_t = DEFAULT_PERIOD_DAYS, conflicts_with = "aws",
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub period_days: u32,
    /// The holds file the pushes waiting on freezes are read from (missing: none).
    #[arg(long, default_value = DEFAULT_HOLDS_FILE, conflicts_with = "aws")]
    pub holds: PathBuf,
    /// The digest's channel (DIGEST_CHANNEL); without it no digest, as in the Lambda.
    /// The message is printed on stderr, not sent, unless --post.
    #[arg(long, conflicts_with = "aws")]
    pub channel: Option<String>,
    /// Post the digest to Slack (chat.postMessage to --channel, SLACK_BOT_TOKEN).
    #[arg(long, requires = "channel", conflicts_with = "aws")]
    pub post: bool,
    /// The bot token (xoxb-...), from SLACK_BOT_TOKEN.
    #[arg(long, env = "SLACK_BOT_TOKEN", hide = true, hide_env_values = true)]
    pub slack_token: Option<String>,
    /// The Slack Web API base URL (a local Slack for tests).
    #[arg(long, env = "SLACK_API_URL", default_value = DEFAULT_SLACK_API_URL, hide = true)]
    pub slack_api_url: String,
    /// Run as the Lambda does: METRICS_BUCKET, DIGEST_CHANNEL, SLACK_SECRET_ID, ... from
    /// the environment, AWS credentials and region; the reports really written to S3 and
    /// the digest really posted.
    #[arg(long)]
    pub aws: bool,
}

/// Where the local digest goes: recorded on stderr, or posted.
#[derive(Clone, Debug)]
pub enum LocalPoster {
    /// Printed as `slack (not sent): chat.postMessage {...}`.
    Print,
    /// Posted with the bot token.
    Slack(Box<SlackDigestPoster>),
}

impl DigestPoster for LocalPoster {
    async fn post(&self, message: &serde_json::Value) -> Result<(), PostError> {
        match self {
            LocalPoster::Print => {
                eprintln!("slack (not sent): chat.postMessage {message}");
                Ok(())
            }
            LocalPoster::Slack(poster) => poster.post(message).await,
        }
    }
}

impl MetricsReporterArgs {
    /// Runs the handler and prints its response (or error); the reports written and the
    /// digest (unless posted) go to stderr.
    pub async fn run(self) -> Result<ExitCode> {
        let event = self.event.read()?;
        if self.aws {
            let function = metrics_reporter::aws::from_env().await?;
            return print_outcome(function.handle(event, Timestamp::now()).await);
        }
        let poster = if self.post {
            LocalPoster::Slack(Box::new(slack_poster(
                self.slack_token.as_deref(),
                &self.slack_api_url,
            )?))
        } else {
            LocalPoster::Print
        };
        let function = ReporterFunction {
            reporter: Reporter {
                rows: FolderRowSource::new(&self.dir, self.prefix),
                sink: FolderReportSink::new(&self.dir),
                poster,
                holds: StoreHeldPushes::new(FileHoldStore::new(self.holds)),
                config: ReporterConfig {
                    report: ReportConfig {
                        dora: DoraConfig {
                            production_pipelines: self.production_pipelines.into_iter().collect(),
                            period: None,
                        },
                        ..ReportConfig::default()
                    },
                    period_days: self.period_days,
                    channel: self.channel,
                    dashboard_url: None,
                },
            },
        };
        let result = function.handle(event, Timestamp::now()).await;
        if let Ok(response) = &result {
            for key in &response.written {
                eprintln!("wrote {}", self.dir.join(key).display());
            }
            if let Some(channel) = &response.posted_to {
                let how = if self.post { "posted" } else { "not sent" };
                eprintln!("digest to {channel} ({how})");
            }
        }
        print_outcome(result)
    }
}
